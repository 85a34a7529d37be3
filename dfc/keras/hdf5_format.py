"""tf.keras's HDF5 model and weight files (model.save('m.h5'), load_model, save_weights/load_weights('w.h5')) in
TF's layout, so that files pass between dfc and TF's Keras both ways.

A model file holds, as attributes of its root, `keras_version`, `backend`, `model_config` (the model's
class and config as JSON) and `training_config` (the optimizer's class and config, the loss, metrics and
loss weights of compile); the group `model_weights` holds `layer_names` and per layer a group with
`weight_names` and one dataset per weight, named as the variable (`dense/kernel:0`, so nested groups);
`optimizer_weights` holds the optimizer's state (iterations, then each slot of every weight) in the
order its `weights` lists it. A weights file is the `model_weights` group at the root. Weights load by
position (layers with weights in order) or, with by_name, into the layers of the same name.
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from typing import Any

import numpy as np

from . import backend as K
from . import layer_config
from . import losses as _losses
from . import optimizers as _optimizers
from .rnn_weights import convert_rnn_weights
from .utils import custom_object_scope

__all__ = ["load_model_from_hdf5", "load_weights_from_hdf5", "save_model_to_hdf5", "save_weights_to_hdf5"]

# HDF5 attributes over 64 KiB are split into chunks named <name>0, <name>1, ... (as TF's Keras writes them)
_ATTRIBUTE_LIMIT = 64512


def _h5py():
    try:
        import h5py
    except ImportError:  # h5py is a dependency of dfc; a broken install says so
        raise ImportError("HDF5 model files need h5py (`pip install h5py`)") from None
    return h5py


def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def _save_attributes(group, name: str, data: list[str]) -> None:
    encoded = np.asarray([x.encode("utf8") for x in data]) if data else np.asarray([], dtype="S1")
    if encoded.nbytes <= _ATTRIBUTE_LIMIT:
        group.attrs[name] = encoded
        return
    chunks = int(np.ceil(encoded.nbytes / _ATTRIBUTE_LIMIT))
    for i, part in enumerate(np.array_split(encoded, chunks)):
        group.attrs[f"{name}{i}"] = part


def _load_attributes(group, name: str) -> list[str]:
    if name in group.attrs:
        return [_text(x) for x in group.attrs[name]]
    out, i = [], 0
    while f"{name}{i}" in group.attrs:
        out.extend(_text(x) for x in group.attrs[f"{name}{i}"])
        i += 1
    return out


def _open(filepath, mode: str):
    """The HDF5 file at `filepath` (closed after the `with`), or an h5py.File given (left open)."""
    h5py = _h5py()
    if isinstance(filepath, h5py.File):
        return contextlib.nullcontext(filepath)
    path = os.fspath(filepath)
    if mode == "r" and not os.path.exists(path):
        raise OSError(f"No file or directory found at {path}")
    if mode == "r" and not h5py.is_hdf5(path):
        raise OSError(f"Unable to open file {path}: not an HDF5 file (a TF checkpoint is read with "
                      f"model.load_weights(prefix) without a .h5 suffix)")
    return h5py.File(path, mode)


def _layer_weights(layer) -> list:
    """A layer's weights in the order TF's Keras saves them: trainable, then the rest."""
    return list(layer.trainable_weights) + [w for w in layer.non_trainable_weights
                                            if all(w is not t for t in layer.trainable_weights)]


def _all_weights(layer) -> list:
    if not layer.trainable:  # a frozen layer's weights are all non-trainable, in the layer's own order
        return list(layer.weights)
    return _layer_weights(layer)


# ---- weights -----------------------------------------------------------------------------------------------
def save_weights_to_hdf5_group(group, layers: list) -> None:
    _save_attributes(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = K._KERAS_VERSION.encode("utf8")
    for layer in layers:
        weights = _all_weights(layer)
        values = K.batch_get_value(weights)
        _save_weights(group.create_group(layer.name), [w.name for w in weights], values)


def _save_weights(group, names: list[str], values: list) -> None:
    """`weight_names` and one dataset per weight, named as the variable."""
    _save_attributes(group, "weight_names", names)
    for name, value in zip(names, values):
        value = np.asarray(value)
        dataset = group.create_dataset(name, value.shape, dtype=value.dtype)
        if value.shape:
            dataset[:] = value
        else:
            dataset[()] = value


def _saved_layers(group) -> list[tuple[str, list[np.ndarray]]]:
    """(layer name, weight values) of each saved layer that has weights, in the file's order."""
    out = []
    for name in _load_attributes(group, "layer_names"):
        g = group[name]
        weight_names = _load_attributes(g, "weight_names")
        if weight_names:
            out.append((name, [np.asarray(g[w]) for w in weight_names]))
    return out


def _check_shapes(pairs: list, layer, saved_name: str) -> None:
    for variable, value in pairs:
        expected = tuple(variable.shape.as_list())
        if expected != value.shape:
            raise ValueError(f"Layer {layer.name!r} (saved as {saved_name!r}): weight {variable.name} has shape "
                             f"{expected}, but the saved weight has shape {value.shape}.")


def load_weights_from_hdf5_group(group, layers: list) -> None:
    """The saved layers' weights into `layers`, in order: the layers with weights must be as many as saved."""
    filtered = [layer for layer in layers if layer.weights]
    saved = _saved_layers(group)
    if len(saved) != len(filtered):
        raise ValueError(f"You are trying to load a weight file containing {len(saved)} layers into a model with "
                         f"{len(filtered)} layers.")
    pairs: list = []
    for k, (layer, (name, values)) in enumerate(zip(filtered, saved)):
        weights = _all_weights(layer)
        values = convert_rnn_weights(layer, values)  # CuDNN layers' weights into LSTM/GRU and back, as TF
        if len(weights) != len(values):
            raise ValueError(f"Layer #{k} (named \"{layer.name}\" in the current model) was found to correspond to "
                             f"layer {name} in the save file. However the new layer {layer.name} expects "
                             f"{len(weights)} weights, but the saved weights have {len(values)} elements.")
        layer_pairs = list(zip(weights, values))
        _check_shapes(layer_pairs, layer, name)
        pairs.extend(layer_pairs)
    K.batch_set_value(pairs)


def load_weights_from_hdf5_group_by_name(group, layers: list, skip_mismatch: bool = False) -> None:
    """Each saved layer's weights into the layers of the same name (the others are left as they are)."""
    by_name: dict[str, list] = {}
    for layer in layers:
        by_name.setdefault(layer.name, []).append(layer)
    pairs: list = []
    for k, (name, saved) in enumerate(_saved_layers(group)):
        for layer in by_name.get(name, []):
            weights = _all_weights(layer)
            values = convert_rnn_weights(layer, saved)
            if len(weights) != len(values):
                message = (f"Layer #{k} (named \"{layer.name}\") expects {len(weights)} weight(s), but the saved "
                           f"weights have {len(values)} element(s).")
                if skip_mismatch:
                    warnings.warn(f"Skipping loading of weights for layer {layer.name} due to mismatch in number of "
                                  f"weights ({len(weights)} vs {len(values)}).", stacklevel=3)
                    continue
                raise ValueError(message)
            for variable, value in zip(weights, values):
                expected = tuple(variable.shape.as_list())
                if expected != value.shape:
                    if skip_mismatch:
                        warnings.warn(f"Skipping loading of weights for layer {layer.name} due to mismatch in shape "
                                      f"({expected} vs {value.shape}).", stacklevel=3)
                        continue
                    raise ValueError(f"Layer #{k} (named \"{layer.name}\"), weight {variable.name} has shape "
                                     f"{expected}, but the saved weight has shape {value.shape}.")
                pairs.append((variable, value))
    K.batch_set_value(pairs)


def save_weights_to_hdf5(model, filepath, overwrite: bool = True) -> None:
    path = os.fspath(filepath)
    if not overwrite and os.path.isfile(path):
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with _open(path, "w") as f:
        save_weights_to_hdf5_group(f, model.layers)


def load_weights_from_hdf5(model, filepath, by_name: bool = False, skip_mismatch: bool = False) -> None:
    with _open(filepath, "r") as f:
        group = f["model_weights"] if "layer_names" not in f.attrs and "model_weights" in f else f
        if by_name:
            load_weights_from_hdf5_group_by_name(group, model.layers, skip_mismatch)
        else:
            load_weights_from_hdf5_group(group, model.layers)


# ---- whole models ----------------------------------------------------------------------------------------
def _serialize_function(value) -> Any:
    """A compile argument as JSON: names kept, a Loss object as its config, a function by its name."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {k: _serialize_function(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialize_function(v) for v in value]
    if isinstance(value, _losses.Loss):
        return _losses.serialize(value)
    return getattr(value, "__name__", type(value).__name__)


def _training_config(model) -> dict:
    args = model._compile_args
    return {"loss": _serialize_function(args["loss"]), "metrics": _serialize_function(args["metrics"]),
            "weighted_metrics": _serialize_function(args["weighted_metrics"] or None),
            "loss_weights": _serialize_function(args["loss_weights"]),
            "sample_weight_mode": args.get("sample_weight_mode"),
            "optimizer_config": {"class_name": type(model.optimizer).__name__,
                                 "config": model.optimizer.get_config()}}


def _json(value) -> bytes:
    return json.dumps(layer_config.json_ready(value), default=_json_default).encode("utf8")


def _json_default(value):
    if hasattr(value, "get_config"):
        return {"class_name": type(value).__name__, "config": value.get_config()}
    if hasattr(value, "__name__"):
        return value.__name__
    raise TypeError(f"Not JSON Serializable: {value!r}")


def save_model_to_hdf5(model, filepath, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """The model's architecture, weights and (compiled, with a Keras optimizer) training config and optimizer
    state in one HDF5 file."""
    h5py = _h5py()
    if not getattr(model, "_is_graph_network", False):
        raise NotImplementedError("Saving the model to HDF5 format requires the model to be a Functional model or "
                                  "a Sequential model. It does not work for subclassed models, because such models "
                                  "are defined via the body of a Python method, which isn't safely serializable. "
                                  "Consider saving to the Tensorflow SavedModel format (by setting save_format="
                                  "\"tf\") or using `save_weights`.")
    opened = not isinstance(filepath, h5py.File)
    if opened:
        path = os.fspath(filepath)
        if not overwrite and os.path.isfile(path):
            return
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    f = h5py.File(os.fspath(filepath), "w") if opened else filepath
    try:
        f.attrs["keras_version"] = K._KERAS_VERSION.encode("utf8")
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = _json({"class_name": type(model).__name__, "config": model.get_config()})
        save_weights_to_hdf5_group(f.create_group("model_weights"), model.layers)
        optimizer = getattr(model, "optimizer", None)
        if include_optimizer and optimizer is not None:
            if not isinstance(optimizer, _optimizers.Optimizer):
                warnings.warn("TensorFlow optimizers do not make it possible to access optimizer attributes or "
                              "optimizer state after instantiation. As a result, we cannot save the optimizer as "
                              "part of the model save file. You will have to compile your model again after "
                              "loading it. Prefer using a Keras optimizer instead (see keras.io/optimizers).",
                              stacklevel=3)
            else:
                f.attrs["training_config"] = _json(_training_config(model))
                weights = optimizer.weights
                if weights:
                    _save_weights(f.create_group("optimizer_weights"), [w.name for w in weights],
                                  K.batch_get_value(weights))
        f.flush()
    finally:
        if opened:
            f.close()


def _compile_from_config(model, config: dict, custom_objects: dict | None) -> None:
    optimizer = _optimizers.deserialize(config["optimizer_config"], custom_objects)
    loss = config.get("loss")
    model.compile(optimizer=optimizer, loss=loss, metrics=config.get("metrics"),
                  loss_weights=config.get("loss_weights"), sample_weight_mode=config.get("sample_weight_mode"),
                  weighted_metrics=config.get("weighted_metrics"))


def load_model_from_hdf5(filepath, custom_objects: dict | None = None, compile: bool = True):  # noqa: A002
    """The model a file describes, its weights loaded; compiled as it was (optimizer state restored) when the
    file has a training config and `compile`."""
    with _open(filepath, "r") as f, custom_object_scope(custom_objects or {}):
        if "model_config" not in f.attrs:
            raise ValueError(f"No model found in config file {getattr(f, 'filename', filepath)} (it holds weights "
                             f"only: build the model and call model.load_weights)")
        model_config = json.loads(_text(f.attrs["model_config"]))
        model = layer_config.deserialize(model_config, custom_objects)
        load_weights_from_hdf5_group(f["model_weights"], model.layers)
        if compile and "training_config" in f.attrs:
            _compile_from_config(model, json.loads(_text(f.attrs["training_config"])), custom_objects)
            if "optimizer_weights" in f:
                group = f["optimizer_weights"]
                values = [np.asarray(group[name]) for name in _load_attributes(group, "weight_names")]
                try:
                    model.optimizer.set_weights(values)
                except ValueError:
                    warnings.warn("Error in loading the saved optimizer state. As a result, your model is starting "
                                  "with a freshly initialized optimizer.", stacklevel=2)
        elif compile:
            warnings.warn("No training configuration found in save file: the model was *not* compiled. Compile it "
                          "manually.", stacklevel=2)
    return model
