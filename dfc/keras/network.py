"""tf.keras.Model and tf.keras.Sequential as graphs of layers: the functional API, subclassed models, summary().

A functional Model is found from its outputs back to its inputs through each tensor's
`_keras_history` (the layer call that made it); calling the model on new tensors calls the same
layers again in that order, inside the model's name scope, sharing their weights. A subclassed
Model tracks the layers set as its attributes. compile/fit and friends come from training.py.
"""

from __future__ import annotations

import json
from typing import Any

from ..framework import Tensor
from . import layer_config, model_config
from .engine import Input, InputLayer, Layer, _flat_tensors, to_list
from .training import TrainingMixin

__all__ = ["Model", "Sequential"]


def _shapes_of(tensors: list):
    shapes = [tuple(t.shape.as_list()) for t in tensors]
    return shapes[0] if len(shapes) == 1 else shapes


def _unique(items) -> list:
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


class Model(TrainingMixin, Layer):
    """Model(inputs, outputs): the layers between them; or subclass it and define call()."""

    _consumes_mask = True  # its layers pass masks on inside

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        self.__dict__["_layers"] = []
        super().__init__(name=kwargs.pop("name", None), trainable=kwargs.pop("trainable", True), **kwargs)
        self._is_graph_network = False
        self.inputs: list = []
        self.outputs: list = []
        self.input_names: list[str] = []
        self.output_names: list[str] = []
        self._nodes_order: list = []
        self._init_training()
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise TypeError("Model: give both `inputs` and `outputs` (or subclass Model and define call)")
            self._init_graph_network(inputs, outputs)

    def __setattr__(self, name: str, value: Any) -> None:
        layers = self.__dict__.get("_layers")
        if layers is not None and not name.startswith("_"):
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, Layer) and item is not self and all(item is not x for x in layers):
                    layers.append(item)
        super().__setattr__(name, value)

    # ---- the functional graph ------------------------------------------------------------------
    def _init_graph_network(self, inputs, outputs) -> None:
        self._nested_inputs, self._nested_outputs = inputs, outputs
        inputs, outputs = to_list(inputs), to_list(outputs)
        for t in inputs + outputs:
            if not hasattr(t, "_keras_history"):
                what = "Input" if any(t is x for x in inputs) else "Output"
                raise ValueError(f"{what} tensors to a Model must come from `tf.keras.Input` or a Keras layer. "
                                 f"Received: {t!r} (missing previous layer metadata).")
        input_ids = {id(t) for t in inputs}
        order: list = []
        done: set[int] = set()
        discovered: dict[int, int] = {}  # layer -> when the walk from the outputs first met it

        def visit(t) -> None:
            layer, node_index, _ = t._keras_history
            node = layer._inbound_nodes[node_index]
            if id(node) in done:
                return
            done.add(id(node))
            discovered.setdefault(id(layer), len(discovered))
            if id(t) not in input_ids:
                if not node.input_tensors:
                    raise ValueError(f"Graph disconnected: cannot obtain value for tensor {t.name} at layer "
                                     f"\"{layer.name}\". The following previous layers were accessed without issue: "
                                     f"{[n.outbound_layer.name for n in order]}")
                for x in node.input_tensors:
                    visit(x)
            order.append(node)

        for t in outputs:
            visit(t)
        self._nodes_order = [n for n in order if not any(id(t) in input_ids for t in n.output_tensors)]
        input_layers = [t._keras_history[0] for t in inputs]
        self.__dict__["_layers"] = _layers_by_depth(order, input_ids, input_layers, discovered)
        self.inputs, self.outputs = inputs, outputs
        self.input_names = [layer.name for layer in input_layers]
        self.output_names = [t._keras_history[0].name for t in outputs]
        self._is_graph_network = True
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if not self._is_graph_network:
            raise NotImplementedError(f"When subclassing the `Model` class, you should implement a `call` method "
                                      f"(model {self.name}).")
        given = to_list(inputs)
        if len(given) != len(self.inputs):
            raise ValueError(f"Model {self.name} expects {len(self.inputs)} input(s), but it received "
                             f"{len(given)} input tensors. Inputs received: {given}")
        values = {id(old): new for old, new in zip(self.inputs, given)}

        def lookup(structure):
            if isinstance(structure, (list, tuple)):
                return type(structure)(lookup(x) for x in structure)
            return values.get(id(structure), structure) if isinstance(structure, Tensor) else structure

        for node in self._nodes_order:
            layer = node.outbound_layer
            kwargs = dict(node.arguments)
            if training is not None and layer._call_takes("training"):
                kwargs["training"] = training
            result = layer(lookup(node.inputs), **kwargs)
            for old, new in zip(node.output_tensors, _flat_tensors(result)):
                values[id(old)] = new
        out = [values[id(t)] for t in self.outputs]
        return out[0] if len(out) == 1 and not isinstance(self._nested_outputs, (list, tuple)) else out

    def build(self, input_shape) -> None:
        self.built = True

    @property
    def input(self):
        if self._is_graph_network:
            return self.inputs[0] if len(self.inputs) == 1 else list(self.inputs)
        return super().input

    @property
    def input_shape(self):
        """A graph network's input shape(s), as TF's Functional gives them before the model is ever called."""
        if self._is_graph_network:
            return _shapes_of(self.inputs)
        return super().input_shape

    @property
    def output_shape(self):
        if self._is_graph_network:
            return _shapes_of(self.outputs)
        return super().output_shape

    @property
    def output(self):
        if self._is_graph_network:
            return self.outputs[0] if len(self.outputs) == 1 else list(self.outputs)
        return super().output

    # ---- what the model holds --------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}.")

    def _gather(self, attr: str) -> list:
        own = list(getattr(Layer, attr).fget(self))
        return _unique(own + [w for layer in self._layers for w in getattr(layer, attr)])

    @property
    def trainable_weights(self) -> list:
        return self._gather("trainable_weights") if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        if self.trainable:
            return self._gather("non_trainable_weights")
        own = list(self._trainable_weights) + list(self._non_trainable_weights)
        return _unique(own + [w for layer in self._layers for w in layer.weights])

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def weights(self) -> list:
        """Each layer's weights in turn (trainable and not), then the model's own: get/set_weights' order."""
        own = list(self._trainable_weights) + list(self._non_trainable_weights)
        return _unique([w for layer in self._layers for w in layer.weights] + own)

    variables = weights

    @property
    def updates(self) -> list:
        """The updates of the model's own layer calls (those between its inputs and outputs); a subclassed
        model's: every update of its layers."""
        if self._is_graph_network:
            return _unique([u for node in self._nodes_order for u in node.updates])
        return _unique(list(self._updates) + [u for layer in self._layers for u in layer.updates])

    @property
    def losses(self) -> list:
        return _unique(list(self._losses) + [x for layer in self._layers for x in layer.losses])

    @property
    def state_updates(self) -> list:
        return self.updates

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"This model has not yet been built. Build the model first by calling `build()` or "
                             f"calling `fit()` with some data, or specify an `input_shape` argument in the first "
                             f"layer(s) for automatic build. (model {self.name})")
        return int(sum(int(_size(w)) for w in self.weights))

    # ---- configs -------------------------------------------------------------------------------
    def get_config(self) -> dict:
        """A functional model's layers and their connections (TF's layout); a subclassed model has none."""
        if not self._is_graph_network:
            raise NotImplementedError(f"Model {self.name} is a subclassed model: its layers are made in code, so it "
                                      f"has no config (save its weights with save_weights)")
        return model_config.functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """The functional model a config (from get_config or a model file) describes, with new weights."""
        if "layers" not in config or "input_layers" not in config:
            raise ValueError(f"{cls.__name__}.from_config needs a functional model's config (with `layers`, "
                             f"`input_layers` and `output_layers`); got keys {sorted(config)}")
        return model_config.functional_from_config(cls, config, custom_objects)

    def to_json(self, **kwargs) -> str:
        """The model's class and config as JSON (json.dumps's kwargs, e.g. indent, taken)."""
        return json.dumps(layer_config.json_ready(self._model_config()), default=_json_default, **kwargs)

    def to_yaml(self, **kwargs) -> str:
        try:
            import yaml
        except ImportError:
            raise ImportError("Requires yaml module installed (`pip install pyyaml`).") from None
        return yaml.dump(layer_config.json_ready(self._model_config()), **kwargs)

    def _model_config(self) -> dict:
        from .backend import _KERAS_VERSION
        return {"class_name": type(self).__name__, "config": self.get_config(), "keras_version": _KERAS_VERSION,
                "backend": "tensorflow"}

    def save(self, filepath, overwrite: bool = True, include_optimizer: bool = True, save_format=None) -> None:
        """The whole model (architecture, weights, optimizer and its state) in one HDF5 file: TF 1's default."""
        from .models import save_model
        save_model(self, filepath, overwrite, include_optimizer, save_format)

    def summary(self, line_length: int | None = None, positions=None, print_fn=None) -> None:
        """The table of layers, output shapes and parameter counts, as TF1's Keras prints it."""
        from .summary import print_summary
        print_summary(self, line_length, positions, print_fn)


def _layers_by_depth(order: list, input_ids: set, input_layers: list, discovered: dict) -> list:
    """A functional model's layers in TF's order (model.layers, the order of its config and weight files): by
    decreasing depth (the longest path to an output), then in the order a walk from the outputs meets them."""
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    layers: dict[int, Layer] = {}
    for node in reversed(order):  # outputs first
        layer = node.outbound_layer
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(layer), 0))
        layer_depth[id(layer)] = node_depth[id(node)] = depth
        layers[id(layer)] = layer
        if any(id(t) in input_ids for t in node.output_tensors):
            continue  # a model input: what made it is outside the model
        for t in node.input_tensors:
            parent_layer, index, _ = t._keras_history
            parent = parent_layer._inbound_nodes[index]
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for layer in input_layers:  # an input no output depends on
        if id(layer) not in layers:
            layers[id(layer)], layer_depth[id(layer)], discovered[id(layer)] = layer, 0, -1
    return sorted(layers.values(), key=lambda x: (-layer_depth[id(x)], discovered[id(x)]))


def _json_default(value):
    """What json.dumps cannot write itself: numpy values, dtypes, sets."""
    import numpy as np
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "as_numpy_dtype"):
        return value.name
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"Not JSON Serializable: {value!r}")


def _size(w) -> int:
    n = 1
    for d in w.shape.as_list():
        n *= d
    return n


class Sequential(Model):
    """A linear stack of layers: each one's output is the next one's input."""

    def __init__(self, layers=None, name: str | None = None):
        super().__init__(name=name)
        self._stack: list[Layer] = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        return [layer for layer in self._stack if not isinstance(layer, InputLayer)]

    def add(self, layer: Layer) -> None:
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Found: {layer!r}")
        if any(layer is x for x in self._stack):
            raise ValueError(f"The layer {layer.name} is already in the model {self.name}.")
        if layer.name in {x.name for x in self._stack}:
            raise ValueError(f"All layers added to a Sequential model should have unique names. Name "
                             f"\"{layer.name}\" is already the name of a layer in this model. Update the `name` "
                             f"argument to pass a unique name.")
        self._stack.append(layer)
        self.__dict__["_layers"] = list(self._stack)
        if isinstance(layer, InputLayer) and len(self._stack) == 1:
            x = layer._inbound_nodes[0].output_tensors[0]
            self._init_graph_network(x, x)
            self.__dict__["_layers"] = list(self._stack)
            return
        first = layer
        while getattr(first, "_is_graph_network", False) and first.layers:
            first = first.layers[0]   # a functional model (tf.keras.applications' ones) takes its input's shape
        if len(self._stack) == 1 and first._batch_input_shape is not None:
            dtype = first.dtype.name if first._layer_dtype_given or first is not layer else None
            x = Input(batch_shape=first._batch_input_shape, dtype=dtype, name=f"{layer.name}_input")
            self._init_graph_network(x, layer(x))
        elif self._is_graph_network:
            out = layer(self.outputs[0])
            if len(_flat_tensors(out)) != 1:
                raise TypeError("All layers in a Sequential model should have a single output tensor. For "
                                "multi-output layers, use the functional API.")
            self._init_graph_network(self.inputs[0], out)
        self.__dict__["_layers"] = list(self._stack)

    def pop(self) -> None:
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        self._stack.pop()
        self.__dict__["_layers"] = list(self._stack)
        if self._is_graph_network:
            last = self._stack[-1] if self._stack else None
            if last is None or isinstance(last, InputLayer) and len(self._stack) == 1:
                self._is_graph_network = False
                self.inputs, self.outputs = [], []
            else:
                self._init_graph_network(self.inputs[0], last._inbound_nodes[-1].output_tensors[0])
                self.__dict__["_layers"] = list(self._stack)

    def get_config(self) -> dict:
        """{"name", "layers"}: the layers in order (the input layer first when the model has one), as TF's Keras."""
        layers = [layer_config.serialize(layer) for layer in self._stack]
        if self._is_graph_network and not isinstance(self._stack[0], InputLayer):
            layers.insert(0, layer_config.serialize(self.inputs[0]._keras_history[0]))
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config, custom_objects: dict | None = None):
        """The Sequential model a config describes (a dict of name and layers, or Keras 1's list of layers)."""
        entries = config["layers"] if isinstance(config, dict) else config
        model = cls(name=config.get("name") if isinstance(config, dict) else None)
        for entry in entries:
            model.add(layer_config.deserialize(entry, custom_objects))
        return model

    def predict_classes(self, x, batch_size: int = 32, verbose: int = 0):
        """The class of each sample: the argmax of the outputs, or output > 0.5 for one output unit."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size: int = 32, verbose: int = 0):
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    def build(self, input_shape=None) -> None:
        if not self._is_graph_network and input_shape is not None:
            x = Input(batch_shape=tuple(input_shape), name=f"{self._stack[0].name}_input")
            out = x
            for layer in self._stack:
                out = layer(out)
            self._init_graph_network(x, out)
            self.__dict__["_layers"] = list(self._stack)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if self._is_graph_network:
            return super().call(inputs, training=training)
        out = inputs
        for layer in self._stack:
            kwargs = {"training": training} if training is not None and layer._call_takes("training") else {}
            out = layer(out, **kwargs)
        return out
