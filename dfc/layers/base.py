"""tf.layers.Layer: TF1's layer base class (build on first call, variables in the layer's scope, reuse after).

A layer picks its variable scope on its first call: its `name`, or TF1's default ('dense',
'dense_1', ... within the current variable scope). `build(input_shape)` makes the weights
there with `add_weight` (get_variable underneath, so `reuse=True` and checkpoints see TF1's
names `dense/kernel`), and every later call re-enters that scope and reuses them. Updates a
layer adds (batch normalization's moving averages) also go to tf.GraphKeys.UPDATE_OPS, and
regularization penalties to tf.GraphKeys.REGULARIZATION_LOSSES, as in TF1.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from dfc.ir.dtypes import as_dtype

from ..framework import Tensor, TensorShape, convert_to_tensor, get_default_graph
from ..graph import GraphKeys, add_to_collection
from ..variables import Variable, get_variable, get_variable_scope, variable_scope

__all__ = ["InputSpec", "Layer", "unique_layer_name"]


def unique_layer_name(base: str) -> str:
    """'dense', then 'dense_1', 'dense_2', ... within the current variable scope (TF1's default layer names)."""
    graph = get_default_graph()
    counts: dict[tuple[str, str], int] = graph.collections.setdefault("__layer_name_counts", {})
    key = (get_variable_scope().name, base)
    n = counts.get(key, 0)
    counts[key] = n + 1
    return base if n == 0 else f"{base}_{n}"


def _to_snake_case(name: str) -> str:
    """TF's default layer name for a class: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()


class InputSpec:
    """What a layer accepts (dtype, shape, ndim, min_ndim, max_ndim, axes): checked on each call."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None):
        self.dtype = dtype
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim, self.min_ndim, self.axes = max_ndim, min_ndim, axes or {}


class Layer:
    """The base of tf.layers: override build(input_shape) to make weights and call(inputs) to compute."""

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None, _reuse=None, _scope=None,
                 activity_regularizer=None, **kwargs: Any):
        unknown = set(kwargs) - {"input_shape", "batch_input_shape", "batch_size", "weights", "autocast",
                                 "_keras_style", "dynamic", "input_dim"}
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) {sorted(unknown)}")
        self.trainable = trainable
        self._given_name = name
        self._base_name = name or _to_snake_case(type(self).__name__)
        self._dtype = as_dtype(dtype) if dtype is not None else None
        self._reuse = _reuse
        self._scope = None  # the VariableScope of the first call
        self.built = False
        self.input_spec: InputSpec | None = None
        self.activity_regularizer = activity_regularizer
        self._trainable_weights: list[Variable] = []
        self._non_trainable_weights: list[Variable] = []
        self._updates: list[Any] = []
        self._losses: list[Tensor] = []

    # ---- naming --------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._scope.name.rsplit("/", 1)[-1] if self._scope is not None else self._base_name

    @property
    def scope_name(self) -> str:
        if self._scope is None:
            raise ValueError(f"No name available for layer scope because the layer '{self.name}' has not been "
                             f"used yet. The scope name is determined the first time the layer instance is called.")
        return self._scope.name

    @property
    def dtype(self):
        return self._dtype

    # ---- weights -------------------------------------------------------------------------------
    @property
    def trainable_weights(self) -> list[Variable]:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def weights(self) -> list[Variable]:
        return self.trainable_weights + self.non_trainable_weights

    variables = weights

    @property
    def updates(self) -> list[Any]:
        return list(self._updates)

    @property
    def losses(self) -> list[Tensor]:
        return list(self._losses)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on {self.name}, but the layer isn't built.")
        return sum(int(v.shape.num_elements()) for v in self.weights)

    def add_weight(self, name: str, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                   constraint=None, partitioner=None, use_resource=None, synchronization=None, aggregation=None,
                   getter=None, **kwargs) -> Variable:
        """A variable `name` in the layer's scope (shared when the scope reuses), tracked as the layer's weight."""
        trainable = True if trainable is None else trainable
        dtype = as_dtype(dtype) if dtype is not None else (self._dtype or as_dtype("float32"))
        variable = get_variable(name, shape, dtype=dtype, initializer=initializer, trainable=trainable and
                                self.trainable, partitioner=partitioner)
        # a partitioned weight (the scope's partitioner): its shards are the layer's weights, as TF1's
        parts = list(variable) if hasattr(variable, "_get_variable_list") else [variable]
        for part in parts:
            if regularizer is not None and part not in self.weights:
                penalty = regularizer(part)
                if penalty is not None:
                    self.add_loss(penalty)
        owned = self._trainable_weights if trainable else self._non_trainable_weights
        for part in parts:
            if part not in self._trainable_weights and part not in self._non_trainable_weights:
                owned.append(part)
        return variable

    add_variable = add_weight

    def add_update(self, updates, inputs=None) -> None:
        for update in updates if isinstance(updates, (list, tuple)) else [updates]:
            self._updates.append(update)
            add_to_collection(GraphKeys.UPDATE_OPS, update)

    def add_loss(self, losses, inputs=None) -> None:
        for loss in losses if isinstance(losses, (list, tuple)) else [losses]:
            loss = convert_to_tensor(loss)
            self._losses.append(loss)
            add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def get_weights(self) -> list:
        """The weights' current values, read with the default session."""
        from dfc.runtime import get_default_session
        session = get_default_session()
        if session is None:
            raise ValueError(f"{self.name}.get_weights() needs a default session (use `with tf.Session() as sess:`)")
        return session.run(self.weights)

    # ---- what each layer defines ---------------------------------------------------------------
    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        raise NotImplementedError(f"{type(self).__name__} does not define compute_output_shape")

    # ---- calling -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _call_scope(self) -> Iterator[None]:
        if self._scope is None:
            name = self._given_name if self._given_name is not None else unique_layer_name(self._base_name)
            with variable_scope(name, reuse=self._reuse or None) as scope:
                self._scope = scope
                yield
        else:
            with variable_scope(self._scope, reuse=True):
                yield

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, (list, tuple)):
            converted: Any = [convert_to_tensor(x) for x in inputs]
            shape: Any = [x.shape for x in converted]
            first = converted[0] if converted else None
        else:
            converted = convert_to_tensor(inputs)
            shape, first = converted.shape, converted
        if self._dtype is None and first is not None:
            self._dtype = first.dtype if first.dtype.is_floating else as_dtype("float32")
        self._check_input_spec(converted)
        with self._call_scope():
            if not self.built:
                self.build(shape if isinstance(shape, list) else TensorShape(shape.as_list()
                                                                             if shape.ndims is not None else None))
                self.built = True
            outputs = self.call(converted, *args, **kwargs)
            if self.activity_regularizer is not None:
                penalty = self.activity_regularizer(outputs)
                if penalty is not None:
                    self.add_loss(penalty)
        return outputs

    def apply(self, inputs, *args, **kwargs):
        return self(inputs, *args, **kwargs)

    def _check_input_spec(self, inputs) -> None:
        spec = self.input_spec
        if spec is None or isinstance(inputs, list):
            return
        from dfc.ir import builder
        rank = inputs.shape.ndims
        loc = builder.capture_location()
        where = f"Input 0 of layer {self.name}{f' at {loc}' if loc else ''}"
        if rank is None:
            return
        if spec.ndim is not None and rank != spec.ndim:
            raise ValueError(f"{where} is incompatible with the layer: expected ndim={spec.ndim}, found ndim={rank}. "
                             f"Full shape received: {inputs.shape} ({inputs.name})")
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(f"{where} is incompatible with the layer: expected min_ndim={spec.min_ndim}, found "
                             f"ndim={rank}. Full shape received: {inputs.shape} ({inputs.name})")
        dims = inputs.shape.as_list()
        for axis, value in spec.axes.items():
            if dims[axis] is not None and dims[axis] != value:
                raise ValueError(f"{where} is incompatible with the layer: expected axis {axis} of input shape to "
                                 f"have value {value} but received input with shape {inputs.shape} ({inputs.name})")
