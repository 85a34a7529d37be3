"""tf.keras.models: Model and Sequential, whole-model HDF5 files (save_model/load_model), models from their JSON,
YAML or config, and clone_model."""

from __future__ import annotations

import json
from typing import Any

from . import layer_config
from .engine import Input, InputLayer, _flat_tensors, to_list
from .network import Model, Sequential

__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_config", "model_from_json",
           "model_from_yaml", "save_model"]


def save_model(model, filepath, overwrite: bool = True, include_optimizer: bool = True, save_format=None) -> None:
    """Write the model (architecture, weights, training config and optimizer state) as an HDF5 file: TF 1's
    format for every path unless save_format='tf'."""
    if save_format not in (None, "h5", "hdf5", "keras"):
        raise NotImplementedError(f"save_format={save_format!r}: dfc writes Keras models as HDF5 (save_format='h5');"
                                  f" for a SavedModel use tf.saved_model.simple_save in a session")
    from .hdf5_format import save_model_to_hdf5
    save_model_to_hdf5(model, filepath, overwrite, include_optimizer)


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True):  # noqa: A002 - Keras's name
    """The model saved in an HDF5 file (by dfc or TF's Keras), its weights loaded and, if `compile` and the file
    has a training config, compiled with the optimizer's saved state. `custom_objects` maps the names of user
    layers, losses, metrics and activations to them."""
    from .hdf5_format import load_model_from_hdf5
    return load_model_from_hdf5(filepath, custom_objects, compile)


def model_from_config(config: dict, custom_objects: dict | None = None):
    """A model (or layer) from {"class_name", "config"}."""
    if isinstance(config, list):
        raise TypeError(f"`model_from_config` expects a dictionary, not a list. Maybe you meant to use "
                        f"`Sequential.from_config(config)`? (got {str(config)[:60]}...)")
    return layer_config.deserialize(config, custom_objects)


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """The model model.to_json() described (new weights)."""
    return layer_config.deserialize(json.loads(json_string), custom_objects)


def model_from_yaml(yaml_string: str, custom_objects: dict | None = None):
    try:
        import yaml
    except ImportError:
        raise ImportError("Requires yaml module installed (`pip install pyyaml`).") from None
    return layer_config.deserialize(yaml.safe_load(yaml_string), custom_objects)


def _clone_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model of the same architecture with new layers (clone_function(layer), by default the layer remade
    from its config): new weights, freshly initialized; on `input_tensors` if given, else on new Inputs."""
    clone_function = clone_function or _clone_layer
    if isinstance(model, Sequential):
        layers = [clone_function(layer) for layer in model.layers]
        if input_tensors is None:
            return Sequential(layers, name=model.name)
        x = to_list(input_tensors)[0]
        head = x._keras_history[0] if hasattr(x, "_keras_history") else InputLayer(input_tensor=x,
                                                                                   name=f"input_{model.name}")
        return Sequential([head] + layers, name=model.name)
    if not isinstance(model, Model) or not model._is_graph_network:
        raise ValueError(f"Expected `model` argument to be a functional `Model` instance, but got a subclass model "
                         f"instead: {model!r}")
    given = to_list(input_tensors) if input_tensors is not None else None
    if given is not None and len(given) != len(model.inputs):
        raise ValueError(f"To clone model {model.name}, give {len(model.inputs)} input tensors, not {len(given)}")
    values: dict[int, Any] = {}
    for i, old in enumerate(model.inputs):
        layer = old._keras_history[0]
        if given is None:
            new = Input(batch_shape=layer._batch_input_shape, dtype=layer.dtype.name, name=layer.name)
        elif hasattr(given[i], "_keras_history"):
            new = given[i]
        else:
            new = Input(tensor=given[i], name=f"input_wrapper_for_{layer.name}")
        values[id(old)] = new
    clones: dict[int, Any] = {}

    def lookup(structure):
        if isinstance(structure, (list, tuple)):
            return type(structure)(lookup(x) for x in structure)
        return values.get(id(structure), structure)

    for node in model._nodes_order:
        layer = node.outbound_layer
        if id(layer) not in clones:
            clones[id(layer)] = clone_function(layer)
        result = clones[id(layer)](lookup(node.inputs), **node.arguments)
        for old, new in zip(node.output_tensors, _flat_tensors(result)):
            values[id(old)] = new
    outputs = [values[id(t)] for t in model.outputs]
    inputs = [values[id(t)] for t in model.inputs]
    return Model(inputs if len(inputs) > 1 else inputs[0], outputs if len(outputs) > 1 else outputs[0],
                 name=model.name)

