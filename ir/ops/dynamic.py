"""Ops whose result shape is an operand's value (tf.reshape/tf.fill by a shape tensor); specialize makes them static.

A shape tensor such as `tf.shape(x)` is only known once a run's fed shapes are: the
specialize pass folds it to a constant and rewrites each op here to its static twin
(`dfc.reshape`, `dfc.tile`), keeping the op's name. Backends never see these ops.
"""

from __future__ import annotations

import numpy as np

from ..dtypes import i32, i64
from ..errors import ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, register, require_dtype, tensor_operand


def shape_operand_rank(t: TensorType, what: str) -> int | None:
    """The number of dims a 1-D shape operand describes (None when its length is unknown)."""
    require_dtype(t.dtype, (i32, i64), what)
    if t.shape is None:
        return None
    if len(t.shape) != 1:
        raise ShapeError(f"{what} must be a vector, got {t}")
    return t.shape[0]


def hinted_shape(rank: int | None, hint: tuple[int, ...]) -> tuple[int | None, ...] | None:
    """Dims known when the graph is built (hint entries >= 0), the rest unknown."""
    if rank is None:
        return None
    if len(hint) != rank:
        return (None,) * rank
    return tuple(d if d >= 0 else None for d in hint)


def _dynamic_reshape_infer(types, attrs):
    x, shape = tensor_operand(types, 0), tensor_operand(types, 1)
    rank = shape_operand_rank(shape, "reshape's shape")
    return [TensorType(x.dtype, hinted_shape(rank, attrs["hint"]))]


register(OpDef("dfc.dynamic_reshape", "shape", _dynamic_reshape_infer, lambda x, shape, hint: np.reshape(x, shape),
               2, {"hint": Attr("ints", ())},
               doc="x reshaped to the value of `shape` (-1 once); `hint` holds the dims known at build time (-1: not)",
               fusible_as=None))


def _dynamic_fill_infer(types, attrs):
    shape, value = tensor_operand(types, 0), tensor_operand(types, 1)
    rank = shape_operand_rank(shape, "fill's dims")
    if value.shape is not None and value.shape != ():
        raise ShapeError(f"fill's value must be a scalar, got {value}")
    return [TensorType(value.dtype, hinted_shape(rank, attrs["hint"]))]


register(OpDef("dfc.dynamic_fill", "shape", _dynamic_fill_infer,
               lambda shape, value, hint: np.full(tuple(shape), value, dtype=value.dtype), 2,
               {"hint": Attr("ints", ())},
               doc="a tensor of the dims `shape` filled with the scalar `value` (tf.fill)",
               fusible_as=None))

def _dynamic_range_infer(types, attrs):
    for i, what in enumerate(("start", "limit", "delta")):
        t = tensor_operand(types, i)
        if t.shape is not None and t.shape != ():
            raise ShapeError(f"range's {what} must be a scalar, got {t}")
    return [TensorType(attrs["dtype"], (None,))]


def _dynamic_range(start, limit, delta, dtype):
    return np.arange(start, limit, delta).astype(dtype.np)


register(OpDef("dfc.dynamic_range", "shape", _dynamic_range_infer, _dynamic_range, 3, {"dtype": Attr("dtype")},
               differentiable=False, fusible_as=None,
               doc="start, start + delta, ... below limit (tf.range of tensors); specialize makes it a constant"))

#: the operand that holds the result's shape, for each op whose result type depends on it
SHAPE_OPERAND = {"dfc.dynamic_reshape": 1, "dfc.dynamic_fill": 0, "dfc.random_uniform": 0, "dfc.random_normal": 0,
                 "dfc.truncated_normal": 0, "dfc.dynamic_range": 1}
#: ops whose every operand decides the result's shape (SHAPE_OPERAND names one of them)
ALL_SHAPE_OPERANDS = frozenset({"dfc.dynamic_range"})
