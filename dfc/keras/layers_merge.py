"""tf.keras.layers' merge layers (Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum, Dot) and their
function forms (concatenate, add, ...)."""

from __future__ import annotations

from .. import math_ops as _math
from ..framework import Tensor
from . import backend as K
from .engine import Layer

__all__ = ["Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply", "Subtract", "add", "average",
           "concatenate", "dot", "maximum", "minimum", "multiply", "subtract"]


def _broadcast_shape(a: list, b: list, layer: str) -> list:
    """The broadcast of two shapes without their batch dims (Keras's check for elementwise merges)."""
    if len(a) < len(b):
        a, b = b, a
    out = list(a[:len(a) - len(b)])
    for x, y in zip(a[len(a) - len(b):], b):
        if x is None or y is None:
            out.append(None)
        elif x == 1 or y == 1 or x == y:
            out.append(max(x, y))
        else:
            raise ValueError(f"Operands could not be broadcast together with shapes {tuple(a)} {tuple(b)} "
                             f"(layer {layer})")
    return out


class _Merge(Layer):
    """An elementwise merge of a list of at least two tensors."""

    _masking = True

    minimum_inputs = 2

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def _check(self, inputs) -> None:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs.")
        if len(inputs) < self.minimum_inputs:
            raise ValueError(f"A merge layer should be called on a list of at least {self.minimum_inputs} inputs. "
                             f"Got {len(inputs)} inputs.")

    def build(self, input_shape) -> None:
        self._check(input_shape)
        shape = input_shape[0].as_list()[1:] if input_shape[0].ndims is not None else None
        for other in input_shape[1:]:
            if shape is not None and other.ndims is not None:
                shape = _broadcast_shape(shape, other.as_list()[1:], self.name)
        self.built = True

    def call(self, inputs) -> Tensor:
        self._check(inputs)
        return self._merge_function(list(inputs))

    def _merge_function(self, inputs: list) -> Tensor:
        raise NotImplementedError


class Add(_Merge):
    def _merge_function(self, inputs: list) -> Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    def build(self, input_shape) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs")

    def _merge_function(self, inputs: list) -> Tensor:
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    def _merge_function(self, inputs: list) -> Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out


class Average(_Merge):
    def _merge_function(self, inputs: list) -> Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


class Maximum(_Merge):
    def _merge_function(self, inputs: list) -> Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = _math.maximum(out, x)
        return out


class Minimum(_Merge):
    def _merge_function(self, inputs: list) -> Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = _math.minimum(out, x)
        return out


class Concatenate(_Merge):
    """The inputs joined along `axis` (their other dims must match)."""

    minimum_inputs = 1

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape) -> None:
        self._check(input_shape)
        known = [s.as_list() for s in input_shape if s.ndims is not None]
        if len({len(s) for s in known}) > 1:
            raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for the concat "
                             f"axis. Got inputs shapes: {[tuple(s) for s in known]} (layer {self.name})")
        if known:
            rank = len(known[0])
            axis = self.axis % rank
            for i in range(rank):
                dims = {s[i] for s in known if s[i] is not None}
                if i != axis and len(dims) > 1:
                    raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for the "
                                     f"concat axis. Got inputs shapes: {[tuple(s) for s in known]} (layer "
                                     f"{self.name})")
        self.built = True

    def _merge_function(self, inputs: list) -> Tensor:
        return K.concatenate(inputs, axis=self.axis)


class Dot(_Merge):
    """Per-sample dot products of two tensors along `axes` (cosine similarities when `normalize`)."""

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.axes, self.normalize = axes, normalize

    def build(self, input_shape) -> None:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs.")
        a, b = input_shape[0].as_list(), input_shape[1].as_list()
        axes = [self.axes] * 2 if isinstance(self.axes, int) else list(self.axes)
        ax = [axes[0] % len(a), axes[1] % len(b)]
        if a[ax[0]] is not None and b[ax[1]] is not None and a[ax[0]] != b[ax[1]]:
            raise ValueError(f"Dimension incompatibility {a[ax[0]]} != {b[ax[1]]}. Layer shapes: {tuple(a)}, "
                             f"{tuple(b)} (layer {self.name})")
        self.built = True

    def _merge_function(self, inputs: list) -> Tensor:
        if len(inputs) != 2:
            raise ValueError("A `Dot` layer should be called on exactly 2 inputs")
        x1, x2 = inputs
        axes = [self.axes] * 2 if isinstance(self.axes, int) else list(self.axes)
        axes = [a % t.shape.ndims for a, t in zip(axes, (x1, x2))]
        if self.normalize:
            x1, x2 = K.l2_normalize(x1, axis=axes[0]), K.l2_normalize(x2, axis=axes[1])
        return K.batch_dot(x1, x2, axes)


def _functional(cls, doc: str):
    def merge(inputs, **kwargs) -> Tensor:
        return cls(**kwargs)(inputs)
    merge.__doc__ = doc
    return merge


add = _functional(Add, "Add()(inputs)")
subtract = _functional(Subtract, "Subtract()(inputs)")
multiply = _functional(Multiply, "Multiply()(inputs)")
average = _functional(Average, "Average()(inputs)")
maximum = _functional(Maximum, "Maximum()(inputs)")
minimum = _functional(Minimum, "Minimum()(inputs)")


def concatenate(inputs, axis: int = -1, **kwargs) -> Tensor:
    """Concatenate(axis)(inputs)."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize: bool = False, **kwargs) -> Tensor:
    """Dot(axes, normalize)(inputs)."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
