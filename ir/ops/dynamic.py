"""Ops whose result shape is an operand's value (tf.reshape/tf.fill by a shape tensor); specialize makes them static.

A shape tensor such as `tf.shape(x)` is only known once a run's fed shapes are: the
specialize pass folds it to a constant and rewrites each op here to its static twin
(`dfc.reshape`, `dfc.tile`), keeping the op's name. Backends never see these ops.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..dtypes import bool_, i32, i64
from ..errors import ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, register, require_dtype, tensor_operand
from .shape import SLICE_END, check_slice_bounds
from .sparse import _segment_sum


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

def _nonzero_infer(types, attrs):
    mask, count = tensor_operand(types, 0), tensor_operand(types, 1)
    require_dtype(mask.dtype, (bool_,), "nonzero's mask")
    require_dtype(count.dtype, (i32, i64), "nonzero's count")
    if count.shape is not None and count.shape != ():
        raise ShapeError(f"nonzero's count must be a scalar, got {count}")
    return [TensorType(i64, (None,))]


def _nonzero(mask, count):
    found = np.flatnonzero(mask).astype(np.int64)
    if found.size != int(count):
        raise ShapeError(f"nonzero: the mask has {found.size} true entries, the count says {int(count)}")
    return found


register(OpDef("dfc.dynamic_nonzero", "shape", _nonzero_infer, _nonzero, 2, differentiable=False, fusible_as=None,
               doc="the flat (row-major) positions of mask's true entries, given their count (tf.where of one "
                   "argument, tf.boolean_mask); specialize expands it once the count is known"))

def static_slice_bounds(shape: tuple[int, ...], begin: Iterable[int], end: Iterable[int], shrink: tuple[int, ...],
                        end_is_size: bool) -> tuple[list[int], list[int]]:
    """A dynamic slice's begin and end once their values are known, as dfc.slice takes them: sizes made ends
    (-1: to the end), an index (an axis in `shrink`) checked and made the slice [i, i + 1)."""
    begin, end = [int(b) for b in begin], [int(e) for e in end]
    for axis in range(len(begin)):
        if end_is_size:
            end[axis] = SLICE_END if end[axis] == -1 else begin[axis] + end[axis]
        if axis in shrink:
            d, i = shape[axis], begin[axis]
            if not -d <= i < d:
                raise ShapeError(f"slice index {i} of dimension {axis} out of bounds for shape {list(shape)}")
            end[axis] = i + 1 if i != -1 else SLICE_END
    return begin, end


def _dynamic_slice_infer(types, attrs):
    x = tensor_operand(types, 0)
    for i, what in ((1, "begin"), (2, "end" if not attrs.get("end_is_size") else "size")):
        n = shape_operand_rank(tensor_operand(types, i), f"slice's {what}")
        if n is not None and x.rank is not None and n != x.rank:
            raise ShapeError(f"slice's {what} has {n} entries for {x} of rank {x.rank}")
    return [TensorType(x.dtype, hinted_shape(x.rank, attrs["hint"]))]


def _dynamic_slice(x, begin, end, strides, hint, shrink=(), end_is_size=False, bounded=None):
    begin, end = static_slice_bounds(x.shape, begin, end, shrink, end_is_size)
    if bounded:
        check_slice_bounds(x.shape, begin, end)
    return x[tuple(slice(b, e, s) for b, e, s in zip(begin, end, strides))]


register(OpDef("dfc.dynamic_slice", "shape", _dynamic_slice_infer, _dynamic_slice, 3,
               {"strides": Attr("ints"), "hint": Attr("ints", ()), "shrink": Attr("ints", ()),
                "end_is_size": Attr("bool", False), "bounded": Attr("bool", None)},
               doc="x sliced by the values of begin and end (or size) (x[i:j] and tf.slice with tensor bounds); "
                   "specialize makes it a dfc.slice", fusible_as=None))

def _dynamic_segment_sum_infer(types, attrs):
    data, ids, count = (tensor_operand(types, i) for i in range(3))
    require_dtype(ids.dtype, (i32, i64), "segment_ids")
    require_dtype(count.dtype, (i32, i64), "num_segments")
    if count.shape is not None and count.shape != ():
        raise ShapeError(f"num_segments must be a scalar, got {count}")
    if data.shape is None or ids.shape is None:
        return [TensorType(data.dtype, None)]
    if ids.rank > data.rank:
        raise ShapeError(f"segment_ids {ids} must be a prefix of the shape of data {data}")
    return [TensorType(data.dtype, (None,) + data.shape[ids.rank:])]


def _dynamic_segment_sum(data, ids, num_segments):
    return _segment_sum(data, ids, int(num_segments))


register(OpDef("dfc.dynamic_segment_sum", "shape", _dynamic_segment_sum_infer, _dynamic_segment_sum, 3,
               doc="tf.unsorted_segment_sum with a num_segments that only the step's values decide (a SparseTensor's "
                   "fed dense_shape); specialize makes it a dfc.unsorted_segment_sum", fusible_as=None))

def _dynamic_tile_infer(types, attrs):
    x, multiples = tensor_operand(types, 0), tensor_operand(types, 1)
    n = shape_operand_rank(multiples, "tile's multiples")
    if n is not None and x.rank is not None and n != x.rank:
        raise ShapeError(f"Expected multiples argument to be a vector of length {x.rank} but got length {n}")
    return [TensorType(x.dtype, hinted_shape(x.rank if x.rank is not None else n, attrs["hint"]))]


def _dynamic_tile(x, multiples, hint):
    multiples = [int(m) for m in np.atleast_1d(multiples)]
    for i, m in enumerate(multiples):
        if m < 0:
            raise ShapeError(f"Expected multiples[{i}] >= 0, but got {m}")
    return np.tile(x, multiples)


register(OpDef("dfc.dynamic_tile", "shape", _dynamic_tile_infer, _dynamic_tile, 2, {"hint": Attr("ints", ())},
               doc="x repeated multiples[i] times along dim i, multiples a tensor (tf.tile(x, [tf.shape(y)[0], 1])); "
                   "`hint` holds the result dims known at build time; specialize makes it a dfc.tile",
               fusible_as=None))

#: the operand that holds the result's shape, for each op whose result type depends on it
SHAPE_OPERAND = {"dfc.dynamic_nonzero": 1, "dfc.dynamic_reshape": 1, "dfc.dynamic_fill": 0, "dfc.random_uniform": 0,
                 "dfc.random_normal": 0, "dfc.truncated_normal": 0, "dfc.dynamic_range": 1, "dfc.dynamic_slice": 1,
                 "dfc.dynamic_segment_sum": 2, "dfc.dynamic_tile": 1}
#: ops with more than one operand that decides the result's shape: all of them (SHAPE_OPERAND names one)
MORE_SHAPE_OPERANDS = {"dfc.dynamic_range": (0, 1, 2), "dfc.dynamic_slice": (1, 2)}
