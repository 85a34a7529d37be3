"""tf.keras.utils: to_categorical, normalize, Sequence (batches by index, for fit_generator), get_custom_objects,
custom_object_scope, get_file (cache lookup only: nothing is downloaded), multi_gpu_model, plot_model."""

from __future__ import annotations

import contextlib
import os
import tarfile
import zipfile

import numpy as np

__all__ = ["CustomObjectScope", "Sequence", "custom_object_scope", "get_custom_objects", "get_file",
           "multi_gpu_model", "normalize", "plot_model", "to_categorical"]

_CUSTOM_OBJECTS: dict = {}
_scopes: list[dict] = []


@contextlib.contextmanager
def custom_object_scope(*scopes: dict):
    """Within it, model configs and `get` by name resolve the names in `scopes` (dicts of name -> class or
    function), as well as those of get_custom_objects()."""
    merged: dict = {}
    for scope in scopes:
        merged.update(scope or {})
    _scopes.append(merged)
    try:
        yield merged
    finally:
        _scopes.pop()


CustomObjectScope = custom_object_scope


def custom_objects_in_scope() -> dict:
    """get_custom_objects() and every custom_object_scope entered, the innermost last."""
    merged = dict(_CUSTOM_OBJECTS)
    for scope in _scopes:
        merged.update(scope)
    return merged


def _from_identifier(identifier, deserialize, kind: str):
    """Keras's `get` for initializers and regularizers: None stays None, a name or config dict is deserialized, a
    callable is returned as is."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")


def to_categorical(y, num_classes=None, dtype: str = "float32") -> np.ndarray:
    """Class ids -> one-hot rows (num_classes = max(y) + 1 unless given); a trailing dim of 1 is dropped."""
    y = np.array(y, dtype="int")
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.ravel()
    if not num_classes:
        num_classes = np.max(y) + 1
    n = y.shape[0]
    categorical = np.zeros((n, num_classes), dtype=dtype)
    categorical[np.arange(n), y] = 1
    return np.reshape(categorical, input_shape + (num_classes,))


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    l2 = np.atleast_1d(np.linalg.norm(x, order, axis))
    l2[l2 == 0] = 1
    return x / np.expand_dims(l2, axis)


def get_custom_objects() -> dict:
    return _CUSTOM_OBJECTS


class Sequence:
    """Batches by index: define __len__ (batches per epoch) and __getitem__(i) -> (x, y[, sample_weight]);
    on_epoch_end runs after each epoch of fit_generator."""

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        pass

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


def _cache_dir(cache_dir: str | None, cache_subdir: str) -> str:
    base = os.path.expanduser(cache_dir) if cache_dir else os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(base, cache_subdir)


def _extract(archive: str, into: str, archive_format="auto") -> bool:
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format or []))
    if "tar" in formats and tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tar:
            tar.extractall(into, filter="data")
        return True
    if "zip" in formats and zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            z.extractall(into)
        return True
    return False


def get_file(fname: str, origin: str = None, untar: bool = False, md5_hash=None, file_hash=None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto", extract: bool = False,
             archive_format="auto", cache_dir: str | None = None) -> str:
    """The path of `fname` in Keras's cache (~/.keras/<cache_subdir>/, TF's layout), extracting a cached
    archive when `untar`/`extract` ask for it as TF does. dfc never downloads: a file not in the cache raises
    FileNotFoundError naming the path to place it at and its `origin`."""
    datadir = _cache_dir(cache_dir, cache_subdir)
    if untar:
        untar_fpath = os.path.join(datadir, fname)
        if os.path.exists(untar_fpath):
            return untar_fpath
        fpath = untar_fpath + ".tar.gz"
    else:
        fpath = os.path.join(datadir, fname)
    if not os.path.exists(fpath):
        where = f" (downloadable from {origin})" if origin else ""
        raise FileNotFoundError(
            f"{fname!r} is not in the Keras cache and dfc does not download files: place the file{where} at "
            f"{fpath}" + (f" or its extracted contents at {untar_fpath}" if untar else "") + ".")
    if untar:
        _extract(fpath, datadir, "tar")
        return untar_fpath
    if extract:
        _extract(fpath, datadir, archive_format)
    return fpath


def multi_gpu_model(model, gpus, cpu_merge: bool = True, cpu_relocation: bool = False):
    """TF 1.15's check first (`gpus` must be >= 2 or a list of at least two GPU ids), then the devices: dfc runs
    on the CPU and has no GPU devices, so like TF on a machine without GPUs this raises ValueError."""
    if isinstance(gpus, (list, tuple)):
        if len(gpus) <= 1:
            raise ValueError("For multi-gpu usage to be effective, call `multi_gpu_model` with `len(gpus) >= 2`. "
                             f"Received: `gpus={gpus}`")
        target_gpu_ids = list(gpus)
    else:
        if gpus <= 1:
            raise ValueError("For multi-gpu usage to be effective, call `multi_gpu_model` with `gpus >= 2`. "
                             f"Received: `gpus={gpus}`")
        target_gpu_ids = list(range(gpus))
    target_devices = ["/cpu:0"] + [f"/gpu:{i}" for i in target_gpu_ids]
    raise ValueError(f"To call `multi_gpu_model` with `gpus={gpus}`, we expect the following devices to be "
                     f"available: {target_devices}. However this machine only has: ['/cpu:0']. "
                     "Try reducing `gpus`.")


def plot_model(model, to_file: str = "model.png", show_shapes: bool = False, show_layer_names: bool = True,
               rankdir: str = "TB", expand_nested: bool = False, dpi: int = 96):
    """TF draws the model with pydot and graphviz; without them it raises ImportError, as here."""
    try:
        import pydot
        pydot.Dot.create(pydot.Dot())
    except Exception:
        raise ImportError("Failed to import pydot. You must install pydot and graphviz for `pydotprint` to "
                          "work.") from None
    raise ImportError("plot_model: dfc does not draw models with pydot yet; pydot and graphviz were found, but "
                      f"{model!r} cannot be plotted to {to_file!r}.")
