"""tf.sets: set_intersection, set_union, set_difference and set_size over the last dim of dense tensors or
SparseTensors, each result a SparseTensor whose rows hold their set's values in increasing order.

Each input becomes a list of (group, value) entries (the group is the index without its last
coordinate); membership and order are counted pairwise among the entries (O(entries^2)), which keeps
every count exact for sets whose sizes are known only when the step runs.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import i32, i64

from ..array_ops import concat, constant, gather, reshape, shape
from ..framework import Tensor, build_error, convert_to_tensor, make, name_scope
from ..math_ops import cast, logical_and, logical_not, reduce_any, reduce_max, reduce_sum
from .core import linear_of, nonzero_positions, segment_sum, unravel
from .tensor import SparseTensor, SparseTensorValue


def _entries(x, op: str):
    """(values, group offsets, the leading dims, the rank) of a dense tensor's or SparseTensor's set elements."""
    if isinstance(x, SparseTensorValue):
        x = SparseTensor.from_value(x)
    if isinstance(x, SparseTensor):
        rank = x.indices.shape.as_list()[1] if x.indices.shape.ndims == 2 else x.shape.ndims
        if rank is None:
            raise build_error(op, op, f"{op} needs the rank of the SparseTensor {x.name}")
        lead = x.dense_shape[:rank - 1]
        return x.values, linear_of(x.indices[:, :rank - 1], lead), lead, rank, x.dtype
    t = convert_to_tensor(x)
    rank = t.shape.ndims
    if rank is None or rank < 2:
        raise ValueError(f"{op}: a set input must have rank >= 2 (sets along the last dim), got {t.name} of shape "
                         f"{t.shape}")
    dims = shape(t, out_type=i64)
    from ..array_ops import range as range_
    group = range_(0, make("dfc.reduce_prod", [dims], {"axes": [0]}), dtype=i64) // dims[rank - 1]
    return reshape(t, [-1]), group, dims[:rank - 1], rank, t.dtype


def _pairs(a_group, a_values, b_group, b_values):
    """[len(a), len(b)]: whether entry i of a and entry j of b are the same element of the same set."""
    return logical_and(make("dfc.equal", [reshape(a_group, [-1, 1]), reshape(b_group, [1, -1])]),
                       make("dfc.equal", [reshape(a_values, [-1, 1]), reshape(b_values, [1, -1])]))


def _first(group, values):
    """Whether each entry is the first of its (group, value) among the entries."""
    from ..array_ops import range as range_
    same = _pairs(group, values, group, values)
    position = range_(0, shape(values, out_type=i64)[0], dtype=i64)
    earlier = reshape(position, [1, -1]) < reshape(position, [-1, 1])
    return logical_not(reduce_any(logical_and(same, earlier), axis=1))


def _as_sets(values, group, keep, lead, rank: int) -> SparseTensor:
    """The kept entries as a SparseTensor [*lead, longest set], each set's values in increasing order."""
    chosen = nonzero_positions(keep)
    v, g = gather(values, chosen), gather(group, chosen)
    same = make("dfc.equal", [reshape(g, [-1, 1]), reshape(g, [1, -1])])
    column = reduce_sum(cast(logical_and(same, make("dfc.less", [reshape(v, [1, -1]), reshape(v, [-1, 1])])), i64),
                        axis=1)
    before = reduce_sum(cast(make("dfc.less", [reshape(g, [1, -1]), reshape(g, [-1, 1])]), i64), axis=1)
    where_to = before + column
    count = shape(v, out_type=i64)[0]
    ones = make("dfc.fill_like", [g], {"value": 1.0, "dtype": i64})
    sizes = segment_sum(ones, g, make("dfc.reduce_prod", [lead], {"axes": [0]}))
    longest = reduce_max(concat([sizes, constant(np.zeros(1, np.int64))], 0))
    coordinates = concat([unravel(g, lead, rank - 1), reshape(column, [-1, 1])], 1)
    indices = segment_sum(coordinates, where_to, count)
    return SparseTensor(indices, segment_sum(v, where_to, count), concat([lead, reshape(longest, [1])], 0))


def _check_dtypes(a_dtype, b_dtype, op: str):
    if a_dtype is not b_dtype:
        raise TypeError(f"{op}: the sets' dtypes differ: {a_dtype.name} and {b_dtype.name}")
    if a_dtype.is_floating:
        raise TypeError(f"{op}: Invalid dtype {a_dtype.name}: sets hold integers (or strings) in TF")


def set_intersection(a, b, validate_indices: bool = True) -> SparseTensor:
    """The values in both a's and b's set, per set (last dim)."""
    with name_scope(None, "SetIntersection", []):
        av, ag, lead, rank, adt = _entries(a, "set_intersection")
        bv, bg, _, _, bdt = _entries(b, "set_intersection")
        _check_dtypes(adt, bdt, "set_intersection")
        keep = logical_and(_first(ag, av), reduce_any(_pairs(ag, av, bg, bv), axis=1))
        return _as_sets(av, ag, keep, lead, rank)


def set_difference(a, b, aminusb: bool = True, validate_indices: bool = True) -> SparseTensor:
    """The values in a's set and not in b's (b minus a when aminusb is False), per set."""
    if not aminusb:
        a, b = b, a
    with name_scope(None, "SetDifference", []):
        av, ag, lead, rank, adt = _entries(a, "set_difference")
        bv, bg, _, _, bdt = _entries(b, "set_difference")
        _check_dtypes(adt, bdt, "set_difference")
        keep = logical_and(_first(ag, av), logical_not(reduce_any(_pairs(ag, av, bg, bv), axis=1)))
        return _as_sets(av, ag, keep, lead, rank)


def set_union(a, b, validate_indices: bool = True) -> SparseTensor:
    """The values in a's set or b's, per set."""
    with name_scope(None, "SetUnion", []):
        av, ag, lead, rank, adt = _entries(a, "set_union")
        bv, bg, blead, _, bdt = _entries(b, "set_union")
        _check_dtypes(adt, bdt, "set_union")
        values, group = concat([av, bv], 0), concat([ag, bg], 0)
        return _as_sets(values, group, _first(group, values), lead, rank)


def set_size(a, validate_indices: bool = True) -> Tensor:
    """The number of distinct values in each set (last dim) of a: int32, a's leading shape."""
    if not isinstance(a, (SparseTensor, SparseTensorValue)):
        raise TypeError(f"Expected `SparseTensor`, got {a!r}.")
    with name_scope(None, "SetSize", []):
        av, ag, lead, rank, adt = _entries(a, "set_size")
        if adt.is_floating:
            raise TypeError(f"set_size: Invalid dtype {adt.name}: sets hold integers (or strings) in TF")
        first = cast(_first(ag, av), i32)
        sizes = segment_sum(first, ag, make("dfc.reduce_prod", [lead], {"axes": [0]}))
        return reshape(sizes, lead)


intersection, union, difference, size = set_intersection, set_union, set_difference, set_size

__all__ = ["difference", "intersection", "set_difference", "set_intersection", "set_size", "set_union", "size",
           "union"]
