"""Build-time argument checks of the array functions: constant int arguments, known ranks, slices on one axis."""

from __future__ import annotations


import numpy as np

from dfc.ir.ops.shape import SLICE_END

from .framework import Tensor, build_error, constant_value, make


def static_ints(value, what: str, op: str, name: str) -> np.ndarray:
    """A build-time constant of ints (a list, an array or a constant tensor)."""
    if isinstance(value, Tensor):
        known = constant_value(value)
        if known is None:
            raise build_error(op, name, f"{what} must be known when the graph is built (a constant), got the "
                                        f"tensor {value.name}")
        value = known
    elif isinstance(value, (list, tuple)):
        value = _known_entries(value, what, op, name)
    array = np.asarray(value)
    if array.dtype.kind not in "iu" and not (array.dtype.kind == "f" and np.all(np.trunc(array) == array)):
        raise build_error(op, name, f"{what} must be integers, got {value!r}")
    return array.astype(np.int64)


def _known_entries(value, what: str, op: str, name: str):
    """A nested list whose entries may be tensors ([[0, 0], [0, n - tf.shape(x)[1]]], which TF packs into one
    tensor): each tensor replaced by its build-time value."""
    if isinstance(value, Tensor):
        known = constant_value(value)
        if known is None:
            raise build_error(op, name, f"{what} must be known when the graph is built (a constant), got the "
                                        f"tensor {value.name} among its entries")
        return known
    if isinstance(value, (list, tuple)):
        return [_known_entries(v, what, op, name) for v in value]
    return value


def axis_slice(x: Tensor, axis: int, begin: int, end: int, stride: int = 1, name: str = "slice") -> Tensor:
    rank = x.shape.ndims
    b, e, s = [0] * rank, [SLICE_END] * rank, [1] * rank
    b[axis], e[axis], s[axis] = begin, end, stride
    return make("dfc.slice", [x], {"begin": b, "end": e, "strides": s}, name=name)


def known_rank(x: Tensor, op: str, name: str) -> int:
    if x.shape.ndims is None:
        raise build_error(op, name, f"{op} needs the rank of {x.name}, which is unknown; give the placeholder a shape")
    return x.shape.ndims
