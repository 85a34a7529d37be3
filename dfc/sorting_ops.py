"""TF1's sorting and data-dependent selections: argsort, sort, invert_permutation, boolean_mask, unique, setdiff1d.

Functions whose result shape depends on the data (unique, setdiff1d) work when their inputs are constants
and say plainly that dfc needs static shapes otherwise; boolean_mask's count is computed before the step.
"""

from __future__ import annotations

import builtins

import numpy as np

from dfc.ir.dtypes import as_dtype, bool_, i32, i64

from .array_argument_checks import known_rank
from .array_ops import concat, constant, expand_dims, gather, reshape, shape, transpose
from .framework import Tensor, build_error, check_int, constant_value, convert_to_tensor, make, name_scope
from .math_ops import cast, equal, logical_and, reduce_all, reduce_sum, unsorted_segment_sum

from .gather_scatter_ops import gather_nd


# ---- sorting ------------------------------------------------------------------------------------------
def _move_last(x: Tensor, axis: int, rank: int) -> tuple[Tensor, list[int] | None]:
    if axis == rank - 1:
        return x, None
    perm = [d for d in builtins.range(rank) if d != axis] + [axis]
    return transpose(x, perm), [int(p) for p in np.argsort(perm)]


def argsort(values, axis: int = -1, direction: str = "ASCENDING", stable: bool = False,
            name: str | None = None) -> Tensor:
    """The int32 indices that sort `values` along `axis`; equal values keep their order (a stable sort, as
    TF's top_k-based argsort gives). One dfc.argsort op: numpy's sort of each row, on the host."""
    x = convert_to_tensor(values)
    label = name or "argsort"
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"{build_error('argsort', label, '')} direction must be ASCENDING or DESCENDING, "
                         f"got {direction!r}")
    rank = known_rank(x, "argsort", label)
    if rank == 0:
        raise build_error("argsort", label, f"argsort needs a tensor of rank >= 1, got {x.name} of shape {x.shape}")
    axis = check_int(axis, "axis")
    if not -rank <= axis < rank:
        raise build_error("argsort", label, f"axis {axis} is out of range for rank {rank}")
    axis %= rank
    with name_scope(name, "argsort", [x]):
        last, back = _move_last(x, axis, rank)
        order = make("dfc.argsort", [last], {"descending": direction == "DESCENDING"}, name="order")
        return transpose(order, back) if back is not None else order


def sort(values, axis: int = -1, direction: str = "ASCENDING", name: str | None = None) -> Tensor:
    """`values` sorted along `axis` (the gradient flows back to each element's original place)."""
    x = convert_to_tensor(values)
    with name_scope(name, "sort", [x]):
        order = argsort(x, axis=axis, direction=direction)
        rank = x.shape.ndims
        axis = check_int(axis, "axis") % rank
        last, back = _move_last(x, axis, rank)
        moved, _ = _move_last(order, axis, rank)
        picked = gather_nd(last, expand_dims(moved, -1), batch_dims=rank - 1) if rank > 1 else gather(last, moved)
        return transpose(picked, back) if back is not None else picked


# ---- permutations and data-dependent shapes ---------------------------------------------------------
def invert_permutation(x, name: str | None = None) -> Tensor:
    """y[x[i]] = i for a permutation x of 0..n-1."""
    x = convert_to_tensor(x)
    label = name or "InvertPermutation"
    if x.dtype not in (i32, i64) or known_rank(x, "InvertPermutation", label) != 1 or x.shape.as_list()[0] is None:
        raise build_error("InvertPermutation", label, f"x must be a 1-D int32/int64 tensor of known length, got "
                                                      f"{x.dtype.name} {x.shape}")
    known = constant_value(x)
    n = x.shape.as_list()[0]
    if known is not None and sorted(known.tolist()) != list(builtins.range(n)):
        raise build_error("InvertPermutation", label, f"{known.tolist()} is not a permutation of 0..{n - 1}")
    with name_scope(name, "InvertPermutation", [x]):
        return unsorted_segment_sum(constant(np.arange(n, dtype=x.dtype.np)), x, n)


def _data_dependent(op: str, name: str, what: str) -> NotImplementedError:
    return NotImplementedError(f"{build_error(op, name, '')} {what}: its result shape depends on the values of its "
                               f"input, and dfc compiles static shapes (each run is specialized to the fed shapes, "
                               f"not to fed values); it works when the input is a constant")


def boolean_mask(tensor, mask, name: str = "boolean_mask", axis=None) -> Tensor:
    """The entries of `tensor` where `mask` is true, along `axis` onwards: a gather of the true positions.

    A mask computed in the step (or fed) has a number of true entries known only when the step runs: dfc
    computes that count first and compiles the step for it (runtime/run_plan.py; the gather's rows follow).
    """
    x, mask = convert_to_tensor(tensor), convert_to_tensor(mask)
    if mask.dtype.is_string or mask.dtype.is_complex:
        raise TypeError(str(build_error("BooleanMask", name, f"mask must be bool, got {mask.dtype.name}")))
    if mask.dtype != bool_:  # TF keeps the positions where(mask) finds: the non-zero entries of a numeric mask
        mask = make("dfc.not_equal", [mask, constant(np.zeros((), mask.dtype.np))])
    axis = 0 if axis is None else check_int(axis, "axis")
    k = mask.shape.ndims
    if k is None:
        raise build_error("BooleanMask", name, "Number of mask dimensions must be specified, even if some dimensions "
                                               "are None.  E.g. shape=[None] is ok, but shape=None is not.")
    if k == 0:
        raise build_error("BooleanMask", name, "mask cannot be a scalar")
    dims = x.shape.as_list() if x.shape.ndims is not None else None
    if dims is None:
        raise build_error("BooleanMask", name, f"boolean_mask needs the rank of {x.name}")
    axis = axis + len(dims) if axis < 0 else axis
    if axis + k > len(dims):
        raise build_error("BooleanMask", name, f"Shapes {x.shape} and {mask.shape} are incompatible")
    if any(d is not None and m is not None and d != m for d, m in zip(dims[axis:axis + k], mask.shape.as_list())):
        raise build_error("BooleanMask", name, f"Shapes {x.shape} and {mask.shape} are incompatible")
    known = constant_value(mask)
    with name_scope(name, "boolean_mask", [x, mask]):
        lead, tail = dims[:axis], dims[axis + k:]
        if k == 1:
            merged = x
        elif None in lead or None in tail:
            pieces = shape(x)
            merged = reshape(x, concat([pieces[:axis], constant(np.array([-1], np.int32)), pieces[axis + k:]], 0))
        else:
            merged = reshape(x, lead + [-1] + tail)
        if known is not None:
            return gather(merged, constant(np.flatnonzero(known).astype(np.int64)), axis=axis)
        flat = reshape(mask, [-1])
        count = reduce_sum(cast(flat, i64))
        positions = make("dfc.dynamic_nonzero", [flat, count], name="positions")
        return gather(merged, positions, axis=axis)


def unique(x, out_idx=i32, name: str | None = None):
    """(y, idx): the distinct values in order of first appearance, and each element's position in y (constants)."""
    x = convert_to_tensor(x)
    known = constant_value(x)
    if known is None:
        with name_scope(name, "Unique", [x]):
            y, idx = unique_by_values(x, as_dtype(out_idx))
        from collections import namedtuple
        return namedtuple("Unique", ["y", "idx"])(y, idx)
    _, first, inverse = np.unique(known, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(order.size)
    from collections import namedtuple
    result = namedtuple("Unique", ["y", "idx"])
    return result(constant(known[np.sort(first)]), constant(rank_of[inverse].astype(as_dtype(out_idx).np)))


def unique_by_values(x: Tensor, out_idx, counts: bool = False) -> tuple:
    """(y, idx[, count]) of a 1-D tensor known only at run time: an element is new when no earlier one equals
    it (an n x n comparison); y is a boolean_mask of the new ones (its length computed before the step), idx the
    running count of new elements at each one's first occurrence."""
    from .array_ops import range as range_
    label = "Unique"
    if x.shape.ndims != 1:
        raise build_error("Unique", label, f"unique expects a 1D vector, got {x.name} of shape {x.shape}")
    same = make("dfc.equal", [expand_dims(x, 1), expand_dims(x, 0)])  # [i, j]: x[i] == x[j]
    n_static = x.shape.as_list()[0]
    if n_static is not None:
        before = constant(np.tri(n_static, k=-1, dtype=bool))  # j < i
    else:
        positions = range_(0, make("dfc.shape_of", [x], {"dtype": i32})[0])
        before = make("dfc.less", [expand_dims(positions, 0), expand_dims(positions, 1)])
    seen = reduce_all(make("dfc.logical_not", [logical_and(same, before)]), axis=1)  # no earlier equal element
    y = boolean_mask(x, seen)
    first = make("dfc.argmax", [cast(same, i32)], {"axis": 1, "output_type": out_idx})  # each one's first position
    rank = make("dfc.cumsum", [cast(seen, out_idx)], {"axis": 0}) - constant(np.ones((), out_idx.np))
    idx = gather(rank, first)
    if not counts:
        return y, idx
    distinct = range_(0, reduce_sum(cast(seen, out_idx)), dtype=out_idx)
    count = reduce_sum(cast(equal(expand_dims(distinct, 1), expand_dims(idx, 0)), out_idx), axis=1)
    return y, idx, count


def setdiff1d(x, y, index_dtype=i32, name: str | None = None):
    """(out, idx): the entries of x not in y, in order, and their positions in x (constants)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    kx, ky = constant_value(x), constant_value(y)
    if kx is None or ky is None:
        raise _data_dependent("ListDiff", name or "ListDiff", "setdiff1d of non-constant tensors")
    keep = ~np.isin(kx, ky)
    from collections import namedtuple
    result = namedtuple("ListDiff", ["out", "idx"])
    return result(constant(kx[keep]), constant(np.flatnonzero(keep).astype(as_dtype(index_dtype).np)))
