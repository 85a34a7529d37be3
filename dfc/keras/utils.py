"""tf.keras.utils: to_categorical, normalize, Sequence (batches by index, for fit_generator), get_custom_objects,
custom_object_scope."""

from __future__ import annotations

import contextlib

import numpy as np

__all__ = ["CustomObjectScope", "Sequence", "custom_object_scope", "get_custom_objects", "normalize",
           "to_categorical"]

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
