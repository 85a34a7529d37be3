"""Shape ops: reshape, transpose, expand/squeeze, concat, split, tile, slice, gather, one_hot, fills."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..dtypes import i32, i64
from ..errors import ShapeError
from ..types import TensorType
from .registry import (Attr, OpDef, broadcast_shapes, normalize_axis, register, require_dtype, same_dtype,
                       tensor_operand)

#: `end` of a slice that runs to the end of its dim (and `begin` of a reversed one)
SLICE_END = 2**63 - 1
SLICE_START_REVERSED = -(2**63)


# ---- reshape --------------------------------------------------------------------------------
def reshape_target(in_shape: Sequence[int | None] | None, shape: Sequence[int]) -> tuple[int | None, ...]:
    if sum(1 for d in shape if d == -1) > 1:
        raise ShapeError(f"reshape target {list(shape)} has more than one -1")
    if any(d < -1 for d in shape):
        raise ShapeError(f"reshape target {list(shape)} has a negative dim")
    total = None if in_shape is None or any(d is None for d in in_shape) else int(np.prod(in_shape, dtype=np.int64))
    known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
    if -1 in shape:
        if total is None:
            return tuple(None if d == -1 else d for d in shape)
        if known == 0 and total == 0:
            # TF's Reshape: a target with a 0 dim infers its -1 from the input's non-zero dims ([0, 4] to [0, -1]
            # is [0, 4])
            product = int(np.prod([d for d in shape if d > 0], dtype=np.int64))
            rest = int(np.prod([d for d in in_shape if d > 0], dtype=np.int64))
            return tuple(rest // product if d == -1 else d for d in shape)
        if known == 0 or total % known:
            raise ShapeError(f"cannot reshape a tensor of {total} elements to {list(shape)}")
        return tuple(total // known if d == -1 else d for d in shape)
    if total is not None and total != known:
        raise ShapeError(f"cannot reshape a tensor of shape {list(in_shape)} ({total} elements) "
                         f"to {list(shape)} ({known} elements)")
    return tuple(shape)


def _reshape_infer(types, attrs):
    t = tensor_operand(types, 0)
    return [t.with_shape(reshape_target(t.shape, attrs["shape"]))]


register(OpDef("dfc.reshape", "shape", _reshape_infer, lambda x, shape: np.reshape(x, shape), 1,
               {"shape": Attr("ints")}, view=True, fusible_as=None))


# ---- transpose ------------------------------------------------------------------------------
def _transpose_infer(types, attrs):
    t = tensor_operand(types, 0)
    perm = attrs["perm"]
    if sorted(perm) != list(range(t.rank)):
        raise ShapeError(f"transpose permutation {list(perm)} is not a permutation of the {t.rank} dims of {t}")
    return [t.with_shape(tuple(t.shape[p] for p in perm))]


register(OpDef("dfc.transpose", "shape", _transpose_infer, lambda x, perm: np.transpose(x, perm), 1,
               {"perm": Attr("ints")}, fusible_as=None))


# ---- expand_dims / squeeze ------------------------------------------------------------------
def _expand_infer(types, attrs):
    t = tensor_operand(types, 0)
    axis = normalize_axis(attrs["axis"], t.rank + 1)
    return [t.with_shape(t.shape[:axis] + (1,) + t.shape[axis:])]


register(OpDef("dfc.expand_dims", "shape", _expand_infer, lambda x, axis: np.expand_dims(x, axis), 1,
               {"axis": Attr("int")}, view=True, fusible_as=None))


def _squeeze_infer(types, attrs):
    t = tensor_operand(types, 0)
    if attrs["axes"] and t.rank == 0:
        raise ShapeError(f"cannot squeeze axes {list(attrs['axes'])} of the scalar {t}")
    axes = {normalize_axis(a, t.rank) for a in attrs["axes"]}
    for a in axes:
        if t.shape[a] not in (1, None):
            raise ShapeError(f"cannot squeeze dim {a} of size {t.shape[a]} of {t}")
    return [t.with_shape(tuple(d for i, d in enumerate(t.shape) if i not in axes))]


def _squeeze(x, axes):
    return np.reshape(x, tuple(d for i, d in enumerate(x.shape) if i not in {a % x.ndim for a in axes}))


register(OpDef("dfc.squeeze", "shape", _squeeze_infer, _squeeze, 1, {"axes": Attr("ints")}, view=True, fusible_as=None))


# ---- concat / split -------------------------------------------------------------------------
def _concat_infer(types, attrs):
    ts = [tensor_operand(types, i) for i in range(len(types))]
    dtype = same_dtype(ts)
    rank = ts[0].rank
    if any(t.rank != rank for t in ts):
        raise ShapeError("concat operands must have one rank, got " + ", ".join(str(t) for t in ts))
    axis = normalize_axis(attrs["axis"], rank)
    shape: list[int | None] = []
    for i in range(rank):
        dims = [t.shape[i] for t in ts]
        if i == axis:
            shape.append(None if None in dims else sum(dims))
        else:
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                raise ShapeError(f"concat along axis {axis}: dim {i} differs: " + ", ".join(str(t) for t in ts))
            shape.append(known.pop() if known else None)
    return [TensorType(dtype, tuple(shape))]


register(OpDef("dfc.concat", "shape", _concat_infer, lambda *xs, axis: np.concatenate(xs, axis=axis), (1, None),
               {"axis": Attr("int")}, fusible_as=None))


def split_sizes(sizes, dim: int | None) -> list[int | None]:
    """The piece sizes of a split of a dim of size dim (None: known only at run time).

    A size of -1 is the rest of the dim; when every size is -1 the dim splits into that many equal
    pieces (TF's num_or_size_splits=n on a dim the graph does not know)."""
    sizes = list(sizes)
    if not sizes:
        raise ShapeError("split needs at least one piece")
    if any(s < -1 for s in sizes):
        raise ShapeError(f"split sizes {sizes} must be non-negative (one may be -1: the rest)")
    rest = sizes.count(-1)
    if rest > 1 and rest != len(sizes):
        raise ShapeError(f"split sizes {sizes}: only one size may be -1 (the rest)")
    if dim is None:
        return [None if s == -1 else s for s in sizes]
    if rest > 1:
        if dim % rest:
            raise ShapeError(f"Number of ways to split should evenly divide the split dimension, but got "
                             f"split dimension size {dim} and num_split {rest}")
        return [dim // rest] * rest
    if rest == 1:
        known = sum(s for s in sizes if s != -1)
        if known > dim:
            raise ShapeError(f"split sizes {sizes} add up to more than the dim's size {dim}")
        return [dim - known if s == -1 else s for s in sizes]
    if sum(sizes) != dim:
        raise ShapeError(f"split sizes {sizes} do not add up to the dim's size {dim}")
    return sizes


def _split_infer(types, attrs):
    t = tensor_operand(types, 0)
    axis = normalize_axis(attrs["axis"], t.rank)
    try:
        sizes = split_sizes(attrs["sizes"], t.shape[axis])
    except ShapeError as e:
        raise ShapeError(f"{e} (dim {axis} of {t})") from None
    return [t.with_shape(t.shape[:axis] + (s,) + t.shape[axis + 1:]) for s in sizes]


def _split(x, axis, sizes):
    sizes = split_sizes(sizes, x.shape[axis])
    return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=axis))


register(OpDef("dfc.split", "shape", _split_infer, _split, 1, {"axis": Attr("int"), "sizes": Attr("ints")},
               fusible_as=None))


# ---- tile -----------------------------------------------------------------------------------
def _tile_infer(types, attrs):
    t = tensor_operand(types, 0)
    m = attrs["multiples"]
    if len(m) != t.rank:
        raise ShapeError(f"tile multiples {list(m)} must have one entry per dim of {t}")
    if any(k < 0 for k in m):
        raise ShapeError(f"Expected multiples argument to be non-negative, got {list(m)}")
    return [t.with_shape(tuple(None if d is None else d * k for d, k in zip(t.shape, m)))]


register(OpDef("dfc.tile", "shape", _tile_infer, lambda x, multiples: np.tile(x, multiples), 1,
               {"multiples": Attr("ints")}, fusible_as=None))


# ---- slice (Python slicing per dim) ---------------------------------------------------------
def _slice_infer(types, attrs):
    t = tensor_operand(types, 0)
    begin, end, strides = attrs["begin"], attrs["end"], attrs["strides"]
    if not len(begin) == len(end) == len(strides) == t.rank:
        raise ShapeError(f"slice of {t} needs begin/end/strides with {t.rank} entries each")
    if 0 in strides:
        raise ShapeError("slice strides must be non-zero")
    if attrs.get("bounded"):
        check_slice_bounds(t.shape, begin, end)
    shape = tuple(None if d is None else len(range(*slice(b, e, s).indices(d)))
                  for d, b, e, s in zip(t.shape, begin, end, strides))
    return [t.with_shape(shape)]


def check_slice_bounds(shape: Sequence[int | None], begin: Sequence[int], end: Sequence[int]) -> None:
    """tf.slice's rule: 0 <= begin <= dim and 0 <= size <= dim - begin (size -1: the rest), for known dims."""
    for i, (d, b, e) in enumerate(zip(shape, begin, end)):
        if d is None:
            continue
        if not 0 <= b <= d:
            raise ShapeError(f"Expected begin[{i}] in [0, {d}], but got {b}")
        if e != SLICE_END and not b <= e <= d:
            raise ShapeError(f"Expected size[{i}] in [0, {d - b}], but got {e - b}")


def _slice(x, begin, end, strides, bounded=None):
    if bounded:
        check_slice_bounds(x.shape, begin, end)
    return x[tuple(slice(b, e, s) for b, e, s in zip(begin, end, strides))]


register(OpDef("dfc.slice", "shape", _slice_infer, _slice, 1,
               {"begin": Attr("ints"), "end": Attr("ints"), "strides": Attr("ints"), "bounded": Attr("bool", None)},
               fusible_as=None))


# ---- gather / one_hot -----------------------------------------------------------------------
def _gather_infer(types, attrs):
    params, indices = tensor_operand(types, 0), tensor_operand(types, 1)
    require_dtype(indices.dtype, (i32, i64), "indices")
    axis = normalize_axis(attrs["axis"], params.rank)
    return [params.with_shape(params.shape[:axis] + indices.shape + params.shape[axis + 1:])]


def _gather(params, indices, axis):
    n = params.shape[axis]
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        at = int(np.flatnonzero((indices < 0) | (indices >= n))[0])
        raise IndexError(f"gather index out of range: indices[{at}] = {indices.flat[at]} is not in [0, {n})")
    return np.take(params, indices, axis=axis)


register(OpDef("dfc.gather", "shape", _gather_infer, _gather, 2, {"axis": Attr("int", 0)}, fusible_as=None))


def _one_hot_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, (i32, i64), "indices")
    if attrs["depth"] < 0:
        raise ShapeError(f"depth must be non-negative, got: {attrs['depth']}")
    axis = attrs["axis"]
    axis = t.rank if axis == -1 else normalize_axis(axis, t.rank + 1)
    return [TensorType(attrs["dtype"], t.shape[:axis] + (attrs["depth"],) + t.shape[axis:])]


def _one_hot(indices, depth, axis, on_value, off_value, dtype):
    hot = indices[..., None] == np.arange(depth)
    out = np.where(hot, on_value, off_value).astype(dtype.np)
    return np.moveaxis(out, -1, axis if axis != -1 else -1)


register(OpDef("dfc.one_hot", "shape", _one_hot_infer, _one_hot, 1,
               {"depth": Attr("int"), "axis": Attr("int", -1), "on_value": Attr("float", 1.0),
                "off_value": Attr("float", 0.0), "dtype": Attr("dtype")}, differentiable=False, fusible_as=None))


# ---- fills and broadcasts shaped like another tensor ----------------------------------------
def _fill_like_infer(types, attrs):
    return [tensor_operand(types, 0).with_dtype(attrs["dtype"])]


register(OpDef("dfc.fill_like", "shape", _fill_like_infer,
               lambda x, value, dtype: np.full(x.shape, value, dtype=dtype.np), 1,
               {"value": Attr("float"), "dtype": Attr("dtype")}, differentiable=False,
               doc="a tensor of x's shape filled with `value` (zeros_like, ones_like, gradient seeds)",
               shape_only_operands=(0,), fusible_as="broadcast"))


def _broadcast_like_infer(types, attrs):
    x, like = tensor_operand(types, 0), tensor_operand(types, 1)
    if x.rank > like.rank:
        raise ShapeError(f"cannot broadcast {x} to the shape of {like}, which has fewer dims")
    shape = broadcast_shapes(x.shape, like.shape)
    if shape != like.shape and not all(a is None or a == b for a, b in zip(like.shape, shape)):
        raise ShapeError(f"cannot broadcast {x} to the shape of {like}")
    return [TensorType(x.dtype, like.shape)]


register(OpDef("dfc.broadcast_like", "shape", _broadcast_like_infer,
               lambda x, like: np.broadcast_to(x, like.shape).copy(), 2,
               doc="x broadcast to the shape of `like` (whose values are not read)",
               shape_only_operands=(1,), fusible_as="broadcast"))


def _shape_of_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(attrs["dtype"], (i32, i64), "dtype")
    return [TensorType(attrs["dtype"], (t.rank,))]


register(OpDef("dfc.shape_of", "shape", _shape_of_infer, lambda x, dtype: np.array(x.shape, dtype=dtype.np), 1,
               {"dtype": Attr("dtype", i32)}, differentiable=False, doc="the dims of x as a vector (tf.shape)",
               shape_only_operands=(0,), fusible_as=None))


# ---- dynamic_update_slice: rows written at a run-time position ----------------------------------------
def _merge_dims(a: tuple, b: tuple, what: str) -> tuple:
    if len(a) != len(b):
        raise ShapeError(f"{what}: ranks {len(a)} and {len(b)} differ")
    out = []
    for x, y in zip(a, b):
        if x is not None and y is not None and x != y:
            raise ShapeError(f"{what}: dims {_dims_text(a)} and {_dims_text(b)} differ")
        out.append(x if x is not None else y)
    return tuple(out)


def _dims_text(dims: tuple) -> str:
    return "[" + ", ".join("?" if d is None else str(d) for d in dims) + "]"


def _dynamic_update_slice_infer(types, attrs):
    x, update, start = (tensor_operand(types, k) for k in range(3))
    require_dtype(start.dtype, (i32, i64), "dynamic_update_slice's start")
    if start.shape is not None and start.shape != ():
        raise ShapeError(f"dynamic_update_slice's start must be a scalar, got {start}")
    if x.dtype != update.dtype:
        raise ShapeError(f"dynamic_update_slice writes {update.dtype.name} rows into a {x.dtype.name} tensor")
    if x.shape is None and update.shape is None:
        return [x]
    if x.shape is None:
        return [x.with_shape((None,) + update.shape[1:])]
    if not x.shape:
        raise ShapeError("dynamic_update_slice needs a tensor of rank at least 1 to write rows into, got a scalar")
    if update.shape is None:
        return [x]
    rows = _merge_dims(x.shape[1:], update.shape[1:], "dynamic_update_slice: the rows' shape")
    if x.shape[0] is not None and update.shape[0] is not None and update.shape[0] > x.shape[0]:
        raise ShapeError(f"dynamic_update_slice writes {update.shape[0]} rows into a tensor of {x.shape[0]}")
    return [x.with_shape((x.shape[0],) + rows)]


def _dynamic_update_slice(x, update, start):
    n, k = x.shape[0], update.shape[0]
    s = int(start)
    if s < 0 or s + k > n:
        raise IndexError(f"row index {s} is out of range [0, {n - k + 1})")
    out = np.array(x, copy=True)
    out[s:s + k] = update
    return out


register(OpDef("dfc.dynamic_update_slice", "shape", _dynamic_update_slice_infer, _dynamic_update_slice, 3,
               fusible_as=None,
               doc="operand 0 with rows start .. start+k-1 (dim 0) replaced by the k rows of operand 1; start "
                   "(operand 2, a scalar) is read when the step runs and must lie in [0, n-k] (TensorArray.write, "
                   "map_fn's and scan's results: in place when operand 0 dies here or is a loop variable)"))
