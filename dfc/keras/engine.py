"""tf.keras.layers.Layer: Keras's layer base in TF1 graph mode (names at construction, weights in name scopes).

A Keras layer differs from a tf.layers layer in three ways TF1 scripts see: its name is fixed when it
is made ('dense', 'dense_1', ... counted per graph, not per variable scope); its weights are plain
`tf.Variable`s made in the layer's name scope (so `dense/kernel:0`, or `foo/dense/kernel:0` under a
scope `foo`, and never shared through variable-scope reuse); its updates and weight penalties stay in
`layer.updates` and `layer.losses` (TF1's Keras adds them to no collection). Every call records a
`Node` (inputs, outputs, call arguments) and marks each output with `_keras_history`, from which a
functional `Model` finds its layers.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype

from .. import array_ops as _array
from ..framework import Tensor, TensorShape, convert_to_tensor, name_scope
from ..layers import base as _tf_layers_base
from ..variable_policy import VariableSynchronization
from ..variables import Variable
from . import backend as K
from . import constraints, initializers, layer_config, regularizers

__all__ = ["Input", "InputLayer", "InputSpec", "Layer", "Node", "to_list"]

InputSpec = _tf_layers_base.InputSpec


def to_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _is_tensor(x) -> bool:
    return isinstance(x, (Tensor, Variable))


def _flat_tensors(x) -> list:
    if isinstance(x, (list, tuple)):
        return [t for item in x for t in _flat_tensors(item)]
    if isinstance(x, dict):
        return [t for item in x.values() for t in _flat_tensors(item)]
    return [x] if _is_tensor(x) else []


def _convert(x):
    """Layer inputs as tensors (numpy arrays and Python numbers converted), nested lists kept."""
    if isinstance(x, (list, tuple)):
        return type(x)(_convert(item) for item in x)
    return x if x is None or isinstance(x, Tensor) else convert_to_tensor(x)


def _map(fn, x):
    if isinstance(x, (list, tuple)):
        return type(x)(_map(fn, item) for item in x)
    return fn(x) if _is_tensor(x) else x


#: the weights a layer's `<name>_constraint` argument constrains
_CONSTRAINED = ("kernel", "bias", "recurrent_kernel", "depthwise_kernel", "pointwise_kernel", "gamma", "beta",
                "embeddings", "alpha")

#: the update lists of the layer calls under way (each call's Node keeps the updates made during it)
_collectors: list[list] = []


class Node:
    """One call of a layer: the tensors it took (`input_tensors`), gave (`output_tensors`) and its keyword arguments."""

    def __init__(self, layer: Layer, inputs, outputs, arguments: dict):
        self.outbound_layer = layer
        self.inputs, self.outputs, self.arguments = inputs, outputs, arguments
        self.input_tensors = _flat_tensors(inputs)
        self.output_tensors = _flat_tensors(outputs)
        self.inbound_layers = [t._keras_history[0] for t in self.input_tensors if hasattr(t, "_keras_history")]
        self.updates: list = []

    @property
    def input_shapes(self):
        shapes = [tuple(t.shape.as_list()) for t in self.input_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shapes(self):
        shapes = [tuple(t.shape.as_list()) for t in self.output_tensors]
        return shapes[0] if len(shapes) == 1 else shapes


def _snake(name: str) -> str:
    return _tf_layers_base._to_snake_case(name)


class Layer(_tf_layers_base.Layer):
    """The base of Keras's layers: override build(input_shape) to make weights and call(inputs) to compute."""

    _KWARGS = {"input_shape", "batch_input_shape", "batch_size", "weights", "activity_regularizer", "input_dim",
               "autocast", "dynamic", "_reuse", "_scope", "input_length"}

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None, dynamic: bool = False,
                 **kwargs: Any):
        unknown = set(kwargs) - self._KWARGS
        if unknown:
            raise TypeError(f"Keyword argument not understood: {sorted(unknown)[0]!r} (layer "
                            f"{type(self).__name__})")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}")
        super().__init__(trainable=trainable, name=name, dtype=dtype)
        self._name = name or K.unique_object_name(_snake(type(self).__name__))
        self.activity_regularizer = regularizers.get(kwargs.get("activity_regularizer"))
        self._initial_weights = kwargs.get("weights")
        self._inbound_nodes: list[Node] = []
        self._outbound_nodes: list[Node] = []
        self.supports_masking = type(self)._masking
        batch_shape = kwargs.get("batch_input_shape")
        if batch_shape is None and kwargs.get("input_shape") is not None:
            batch_shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
        elif batch_shape is None and kwargs.get("input_dim") is not None:
            batch_shape = (kwargs.get("batch_size"), kwargs["input_dim"])
        self._batch_input_shape = tuple(batch_shape) if batch_shape is not None else None
        self._layer_dtype_given = dtype is not None

    # ---- naming: fixed when made -------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    def _name_scope(self) -> str:
        return self._name

    @property
    def scope_name(self) -> str:
        return self._name

    # ---- weights: tf.Variables in the layer's name scope -------------------------------------------
    def _set_weight_options(self, **options: Any) -> None:
        """Sets each `<weight>_initializer`, `_regularizer` and `_constraint` argument as Keras resolves it
        (a name, a config dict or an object), so every layer keeps them in the one form `get_config` writes."""
        resolvers = {"initializer": initializers.get, "regularizer": regularizers.get, "constraint": constraints.get}
        for name, value in options.items():
            setattr(self, name, resolvers[name.rsplit("_", 1)[1]](value))

    def add_weight(self, name: str | None = None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=None, constraint=None, partitioner=None, use_resource=None, synchronization=None,
                   aggregation=None, getter=None, **kwargs) -> Variable:
        """A new variable `<layer scope>/name` made from `initializer(shape, dtype)` (Keras's defaults:
        glorot_uniform for floats, zeros otherwise); its penalty `regularizer(variable)` joins `losses`."""
        shape = () if shape is None else tuple(TensorShape(shape).as_list())
        dtype = as_dtype(dtype) if dtype is not None else (self._dtype or as_dtype(K.floatx()))
        if synchronization == VariableSynchronization.ON_READ:
            if trainable:
                raise ValueError("Synchronization value can be set to VariableSynchronization.ON_READ only for "
                                 "non-trainable variables. You have specified trainable=True and "
                                 "synchronization=VariableSynchronization.ON_READ.")
            trainable = False  # a variable synced on read is not trained
        trainable = True if trainable is None else bool(trainable)
        init = initializers.get(initializer)
        if init is None:
            init = initializers.GlorotUniform() if dtype.is_floating else initializers.Zeros()
        pending = getattr(self, "_pending_values", None)
        if pending:  # the layer's `weights=` argument: its values, in the order the weights are made
            value = pending.pop(0)
            if value.shape != shape:
                raise ValueError(f"Layer {self.name}: weight {name} has shape {shape}, the given value {value.shape}")
            init = initializers.Constant(value)
        variable = Variable(lambda: init(list(shape), dtype=dtype), name=name, dtype=dtype,
                            trainable=trainable and self.trainable, synchronization=synchronization,
                            aggregation=aggregation)
        variable.constraint = constraints.get(constraint)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(variable)
        regularizer = regularizers.get(regularizer)
        if regularizer is not None:
            with name_scope(f"{variable.op.name.rsplit('/', 1)[-1]}/Regularizer"):
                penalty = regularizer(variable)
            if penalty is not None:
                self.add_loss(penalty)
        return variable

    add_variable = add_weight

    def add_update(self, updates, inputs=None) -> None:
        updates = to_list(updates)
        self._updates.extend(updates)
        for collected in _collectors:  # every layer call under way, nested model calls included
            collected.extend(updates)

    def add_loss(self, losses, inputs=None) -> None:
        for loss in to_list(losses):
            if callable(loss):
                loss = loss()
            if loss is not None:
                self._losses.append(convert_to_tensor(loss))

    def get_updates_for(self, inputs) -> list:
        return self.updates

    def get_losses_for(self, inputs) -> list:
        return self.losses

    def get_weights(self) -> list[np.ndarray]:
        return K.batch_get_value(self.weights)

    def set_weights(self, weights) -> None:
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer \"{self.name}\" with a weight list of "
                             f"length {len(weights)}, but the layer was expecting {len(params)} weights. Provided "
                             f"weights: {str(weights)[:50]}...")
        pairs = []
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(p.shape.as_list()) != w.shape:
                raise ValueError(f"Layer weight shape {tuple(p.shape.as_list())} not compatible with provided weight "
                                 f"shape {w.shape} (weight {p.name})")
            pairs.append((p, w))
        K.batch_set_value(pairs)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on {self.name}, but the layer isn't built. You can "
                             f"build it manually via: `{self.name}.build(batch_input_shape)`.")
        return int(sum(int(np.prod(w.shape.as_list())) for w in self.weights))

    # ---- what Keras reports --------------------------------------------------------------------------
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        layer_config.LAYER_CLASSES.append(cls)

    def get_config(self) -> dict:
        """The arguments that rebuild the layer (from_config), as TF's Keras writes them: name, trainable,
        batch_input_shape (if given), dtype, then the layer's own (JSON-ready)."""
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        config["dtype"] = self.dtype.name if self.dtype else None
        if layer_config.keras_base(type(self)) is None and type(self).get_config is Layer.get_config:
            own = [p for name, p in inspect.signature(type(self).__init__).parameters.items()
                   if name not in ("self", "trainable", "name", "dtype", "dynamic")
                   and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
            if own:
                raise NotImplementedError(f"Layer {type(self).__name__} has arguments in `__init__` and therefore "
                                          f"must override `get_config`.")
        config.update(layer_config.config_values(self))
        return config

    @classmethod
    def from_config(cls, config: dict):
        """cls(**config), the layers a config nests (a Bidirectional's layer, an RNN's cell) rebuilt first."""
        config = dict(config)
        for key in ("layer", "cell", "backward_layer"):
            if isinstance(config.get(key), dict) and "class_name" in config[key]:
                config[key] = layer_config.deserialize(config[key])
        return cls(**config)

    def compute_output_shape(self, input_shape):
        """The output shape for `input_shape`: the layer (built for that shape if it is not yet) applied to
        placeholders of it; the ops it makes are never run."""
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        dtype = self.dtype or K.floatx()
        with name_scope(f"{self._name}_output_shape") as scope:
            holders = [_array.placeholder(dtype, TensorShape(s)) for s in shapes]
        args = holders if isinstance(input_shape, list) else holders[0]
        if not self.built:
            with name_scope(self._name_scope()):
                self._maybe_build(args)
        with name_scope(scope):
            outputs = self.call(args)
        if isinstance(outputs, (list, tuple)):
            return [t.shape for t in outputs]
        return outputs.shape

    def _node_attr(self, index: int, attr: str):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        values = getattr(self._inbound_nodes[index], attr)
        return values[0] if len(values) == 1 else values

    @property
    def input(self):
        return self._node_attr(0, "input_tensors")

    @property
    def output(self):
        return self._node_attr(0, "output_tensors")

    def _node_shapes(self, attr: str, what: str):
        """The `what` shape of every call, if all agree (TF's AttributeError otherwise)."""
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no defined {what} "
                                 f"shape.")
        shapes = {str(getattr(node, attr)) for node in self._inbound_nodes}
        if len(shapes) > 1:
            raise AttributeError(f"The layer \"{self.name}\" has multiple inbound nodes, with different {what} "
                                 f"shapes. Hence the notion of \"{what} shape\" is ill-defined for the layer. Use "
                                 f"`get_{what}_shape_at(node_index)` instead.")
        return getattr(self._inbound_nodes[0], attr)

    @property
    def input_shape(self):
        return self._node_shapes("input_shapes", "input")

    @property
    def output_shape(self):
        return self._node_shapes("output_shapes", "output")

    def get_input_shape_at(self, node_index: int):
        return self._inbound_nodes[node_index].input_shapes

    def get_output_shape_at(self, node_index: int):
        return self._inbound_nodes[node_index].output_shapes

    def get_input_at(self, node_index: int):
        return self._node_attr(node_index, "input_tensors")

    def get_output_at(self, node_index: int):
        return self._node_attr(node_index, "output_tensors")

    # ---- calling ---------------------------------------------------------------------------------------
    def _call_takes(self, argument: str) -> bool:
        try:
            params = inspect.signature(self.call).parameters
        except (TypeError, ValueError):
            return False
        return argument in params or any(p.kind is p.VAR_KEYWORD for p in params.values())

    def __call__(self, inputs, *args, **kwargs):
        """Build on the first call (in the layer's name scope), call, and record the call as a Node."""
        for argument in ("mask", "training"):  # given to a call that takes none: dropped, as TF's Keras does
            if argument in kwargs and not self._call_takes(argument):
                kwargs.pop(argument)
        converted = _convert(inputs)
        flat = _flat_tensors(converted)
        if self._dtype is None and flat:
            first = flat[0]
            self._dtype = first.dtype if first.dtype.is_floating else as_dtype(K.floatx())
        if not isinstance(converted, (list, tuple)):
            self._check_input_spec(converted)
        collected: list = []
        _collectors.append(collected)
        try:
            with name_scope(self._name_scope()) as scope:
                if not self.built:
                    self._maybe_build(converted)
                outputs = self.call(converted, *args, **kwargs)
        finally:
            _collectors.pop()  # calls nest: the last one made is this one
        with name_scope(scope):
            if outputs is None:
                raise ValueError(f"A layer's `call` method should return a Tensor or a list of Tensors, not None "
                                 f"(layer: {self.name}).")
            if self.activity_regularizer is not None:
                with name_scope("ActivityRegularizer"):
                    for out in _flat_tensors(outputs):
                        penalty = self.activity_regularizer(out)
                        batch = _array.shape(out)[0]
                        from ..math_ops import cast
                        self.add_loss(penalty / cast(batch, penalty.dtype))
        outputs = self._set_history(converted, outputs, kwargs)
        self._inbound_nodes[-1].updates = collected
        self._propagate_mask(converted, outputs)
        return outputs

    # ---- masks: Embedding(mask_zero=True) and Masking mark their outputs; layers pass the mark on ------------
    _masking = False  # whether the layer passes an input mask on (Keras's supports_masking)
    _consumes_mask = False  # the recurrent layers and masked pools read the mask and mark their outputs themselves

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input's (several inputs: where all are unmasked); TF1's TypeError for a
        layer that does not support masking."""
        masks = [m for m in to_list(mask) if m is not None] if mask is not None else []
        if not masks:
            return None
        if not self.supports_masking:
            raise TypeError(f"Layer {self.name} does not support masking, but was passed an input_mask: "
                            f"{masks[0] if len(masks) == 1 else masks}")
        out = masks[0]
        for m in masks[1:]:
            if m.shape.as_list() == out.shape.as_list():
                from ..math_ops import logical_and
                out = logical_and(out, m)
        return out

    def _propagate_mask(self, inputs, outputs) -> None:
        if self._consumes_mask:
            return
        masks = [getattr(t, "_keras_mask", None) for t in _flat_tensors(inputs)]
        if all(m is None for m in masks):
            return
        mask = self.compute_mask(inputs, masks if isinstance(inputs, (list, tuple)) else masks[0])
        if mask is not None:
            for t in _flat_tensors(outputs):
                if getattr(t, "_keras_mask", None) is None:
                    t._keras_mask = mask

    def _maybe_build(self, inputs) -> None:
        if isinstance(inputs, (list, tuple)):
            shapes: Any = [t.shape for t in _flat_tensors(inputs)]
        else:
            shapes = inputs.shape
        given = self._initial_weights
        self._pending_values = [np.asarray(w) for w in given] if given is not None else None
        try:
            self.build(shapes)
        finally:
            self._pending_values = None
        self.built = True
        self._initial_weights = None
        for attr in _CONSTRAINED:  # Keras's `<weight>_constraint` arguments, applied by its optimizers
            weight, constraint = self.__dict__.get(attr), self.__dict__.get(f"{attr}_constraint")
            if isinstance(weight, Variable) and constraint is not None:
                weight.constraint = constraints.get(constraint)

    def _set_history(self, inputs, outputs, arguments: dict):
        input_ids = {id(t) for t in _flat_tensors(inputs)}

        def fresh(t):
            if id(t) in input_ids:
                return _array.identity(t)
            return t
        outputs = _map(fresh, outputs)
        node = Node(self, inputs, outputs, dict(arguments))
        index = len(self._inbound_nodes)
        self._inbound_nodes.append(node)
        for layer in node.inbound_layers:
            layer._outbound_nodes.append(node)
        for i, t in enumerate(node.output_tensors):
            t._keras_history = (self, index, i)
        return outputs


class InputLayer(Layer):
    """The layer of a model's input: a placeholder [batch_size, *input_shape] (or `input_tensor` as given)."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None, sparse: bool = False,
                 name: str | None = None, ragged: bool = False, batch_input_shape=None, optional: bool = False,
                 **kwargs):
        if name is None:
            name = f"input_{K.get_uid('input')}"
        if sparse or ragged:
            raise ValueError("sparse and ragged inputs are not supported")
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (batch_size,) + tuple(input_shape)
        dtype = dtype or (input_tensor.dtype.name if input_tensor is not None else K.floatx())
        super().__init__(name=name, dtype=dtype, trainable=False)
        self.built = True
        self.is_placeholder = input_tensor is None
        if input_tensor is None:
            shape = None if batch_input_shape is None else list(batch_input_shape)
            input_tensor = _array.placeholder(dtype, shape, name=name)
        else:
            input_tensor = convert_to_tensor(input_tensor)
            batch_input_shape = tuple(input_tensor.shape.as_list()) if input_tensor.shape.ndims is not None else None
        self._batch_input_shape = batch_input_shape
        node = Node(self, [], [input_tensor], {})
        self._inbound_nodes.append(node)
        input_tensor._keras_history = (self, 0, 0)

    def get_config(self) -> dict:
        shape = None if self._batch_input_shape is None else list(self._batch_input_shape)
        return {"batch_input_shape": shape, "dtype": self.dtype.name, "sparse": False, "ragged": False,
                "name": self.name}


def Input(shape=None, batch_size=None, name: str | None = None, dtype=None, sparse: bool = False, tensor=None,
          ragged: bool = False, batch_shape=None, **kwargs) -> Tensor:
    """A model input: the placeholder of a new InputLayer ('input_1', 'input_2', ... unless named)."""
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError("Please provide to Input either a `shape` or a `tensor` argument. Note that `shape` does not "
                         "include the batch dimension.")
    if shape is not None and not isinstance(shape, (tuple, list, TensorShape)):
        shape = (shape,)
    layer = InputLayer(input_shape=tuple(TensorShape(shape).as_list()) if shape is not None else None,
                       batch_size=batch_size, name=name, dtype=dtype, sparse=sparse, input_tensor=tensor,
                       ragged=ragged, batch_input_shape=batch_shape)
    return layer._inbound_nodes[0].output_tensors[0]
