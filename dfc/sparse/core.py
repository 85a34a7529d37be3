"""What the sparse ops share: a SparseTensor's dims, rank and flat positions, segment sums by a fed count, checks.

Positions are row-major offsets into the dense tensor (`linear`); a sum into them is a segment sum
whose count is the dense size. That count is a Python int when dense_shape is a constant and a
scalar tensor otherwise (a fed dense_shape): then `segment_sum` makes a dfc.dynamic_segment_sum,
which the compiler makes static once the Session has computed the count (ir/ops/dynamic.py).
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import bool_, i32, i64

from ..array_ops import concat, constant, gather, reshape, stack
from ..framework import Tensor, build_error, constant_value, make
from ..math_ops import cast, cumprod, logical_and, reduce_all, reduce_prod, reduce_sum, unsorted_segment_sum
from .tensor import SparseTensor, compatible  # noqa: F401 - shared with ops


def static_dims(sp: SparseTensor) -> list[int] | None:
    """dense_shape as ints when it is a constant, else None."""
    known = constant_value(sp.dense_shape)
    return None if known is None else [int(d) for d in np.atleast_1d(known)]


def known_rank(sp: SparseTensor) -> int | None:
    """The rank of the sparse tensor when the graph's static shapes tell it (indices, dense_shape or shape)."""
    if sp.indices.shape.ndims == 2 and sp.indices.shape.as_list()[1] is not None:
        return sp.indices.shape.as_list()[1]
    if sp.dense_shape.shape.ndims == 1 and sp.dense_shape.shape.as_list()[0] is not None:
        return sp.dense_shape.shape.as_list()[0]
    return sp.shape.ndims


def rank_of(sp: SparseTensor, op: str, label: str) -> int:
    """The rank of the sparse tensor, which `op` needs known when the graph is built."""
    rank = known_rank(sp)
    if rank is not None:
        return rank
    raise build_error(op, label, f"{op} needs the rank of the SparseTensor {sp.name}; give sparse_placeholder a "
                                 f"shape")


def dims_of(sp: SparseTensor) -> list[int] | Tensor:
    dims = static_dims(sp)
    return dims if dims is not None else sp.dense_shape


def count_of(dims) -> int | Tensor:
    """The number of elements of a dense tensor of `dims` (ints, or an int64 shape tensor)."""
    if isinstance(dims, Tensor):
        return reduce_prod(dims)
    return int(np.prod(dims, dtype=np.int64))


def strides_of(dims) -> Tensor:
    if isinstance(dims, Tensor):
        return cumprod(dims, exclusive=True, reverse=True)
    return constant(np.array([int(np.prod(dims[i + 1:], dtype=np.int64)) for i in range(len(dims))], np.int64))


def linear_of(indices: Tensor, dims) -> Tensor:
    """The row-major offset of each index row into a dense tensor of `dims`: int64 [nnz]."""
    return reduce_sum(indices * reshape(strides_of(dims), [1, -1]), axis=1)


def unravel(positions: Tensor, dims, rank: int) -> Tensor:
    """int64 [n, rank] coordinates of row-major offsets into a tensor of `dims`."""
    strides = strides_of(dims)
    bounds = dims if isinstance(dims, Tensor) else constant(np.array(dims, np.int64))
    column = reshape(positions, [-1, 1])
    return (column // reshape(strides, [1, rank])) % reshape(bounds, [1, rank]) if rank else \
        reshape(positions, [-1, 0])


def segment_sum(data: Tensor, ids: Tensor, n) -> Tensor:
    """unsorted_segment_sum with n segments: an int, or a scalar tensor the step's values decide."""
    if isinstance(n, Tensor):
        known = constant_value(n)
        if known is None:
            return make("dfc.dynamic_segment_sum", [data, ids, n], name="SegmentSum")
        n = int(known)
    return unsorted_segment_sum(data, ids, n)


def to_shape(flat: Tensor, dims) -> Tensor:
    """flat reshaped to dims (ints or a shape tensor)."""
    if isinstance(dims, Tensor):
        return reshape(flat, dims)
    return reshape(flat, list(dims))


def nonzero_positions(mask: Tensor) -> Tensor:
    """The int64 offsets of a flat bool mask's true entries, in order (their count computed before the step)."""
    count = reduce_sum(cast(mask, i64))
    return make("dfc.dynamic_nonzero", [mask, count], name="positions")


def bounds_check(sp: SparseTensor, dims, op: str, label: str, ordered: bool) -> list:
    """Run-time checks (TF's InvalidArgumentError naming the op) that every index is in bounds and, with
    `ordered`, that the indices are in strictly increasing row-major order; none when all is constant."""
    from ..debugging import Assert
    indices = sp.indices
    bounds = dims if isinstance(dims, Tensor) else constant(np.array(dims, np.int64))
    inside = reduce_all(logical_and(indices >= 0, indices < reshape(bounds, [1, -1])))
    checks = [Assert(inside, [f"{op} '{label}': indices are out of bounds: need 0 <= index < dense_shape; "
                              f"indices =", indices, "dense_shape =", bounds], name="check_bounds")]
    if ordered:
        linear = linear_of(indices, dims)
        increasing = reduce_all(linear[1:] > linear[:-1])
        checks.append(Assert(increasing, [f"{op} '{label}': indices are out of order or repeated. Many sparse ops "
                                          f"require sorted indices. Use `tf.sparse.reorder` to create a correctly "
                                          f"ordered copy; indices =", indices], name="check_order"))
    return checks


def dense_sum(values: Tensor, linear: Tensor, dims) -> Tensor:
    """The flat dense tensor with each value added at its offset (bools combine by or; strings, whose offsets are
    distinct, are gathered into place with '' elsewhere)."""
    total = count_of(dims)
    if values.dtype.is_string:
        from ..array_ops import range as _range
        from ..array_ops import size
        from ..math_ops import where
        count = size(values, out_type=i64)
        entry = segment_sum(_range(count, dtype=i64) + 1, linear, total) - 1  # the entry at each offset, or -1
        padded = concat([values, constant([""])], 0)
        return gather(padded, where(entry < 0, entry * 0 + count, entry))
    if values.dtype is bool_:
        return cast(segment_sum(cast(values, i32), linear, total), bool_)
    return segment_sum(values, linear, total)


def presence(linear: Tensor, dims) -> Tensor:
    """A flat bool mask of the offsets that some entry holds."""
    ones = make("dfc.fill_like", [linear], {"value": 1.0, "dtype": i32})
    return segment_sum(ones, linear, count_of(dims)) > 0


def sparse_from_flat(flat: Tensor, mask: Tensor, dims, rank: int) -> SparseTensor:
    """The SparseTensor of a flat dense tensor's entries where `mask` holds, in row-major order."""
    positions = nonzero_positions(mask)
    shape = dims if isinstance(dims, Tensor) else constant(np.array(dims, np.int64))
    return SparseTensor(unravel(positions, dims, rank), gather(flat, positions), shape)


def shape_tensor(dims) -> Tensor:
    return dims if isinstance(dims, Tensor) else constant(np.array(dims, np.int64))


def pick_columns(indices: Tensor, columns: list[int]) -> Tensor:
    if not columns:
        return reshape(reduce_sum(indices, axis=1) * 0, [-1, 0])
    return stack([indices[:, c] for c in columns], axis=1) if len(columns) > 1 else \
        reshape(indices[:, columns[0]], [-1, 1])


def pick_dims(dims, columns: list[int]):
    if isinstance(dims, Tensor):
        return concat([reshape(dims[c], [1]) for c in columns], 0) if columns else constant(np.zeros(0, np.int64))
    return [dims[c] for c in columns]
