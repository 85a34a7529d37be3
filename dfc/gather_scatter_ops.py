"""TF1's gather and scatter functions by N-d index: gather_nd, scatter_nd, tensor_scatter_nd_*, batch_gather.

Exact composites over linear indices (gathers and segment sums), so gradients come from those ops' rules.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

import numpy as np

from dfc.ir.dtypes import i32

from .array_argument_checks import known_rank, static_ints
from .array_ops import concat, constant, expand_dims, gather, reshape, shape, stack
from .framework import Tensor, build_error, check_int, constant_value, convert_to_tensor, make, name_scope
from .math_ops import (add, cast, greater_equal, less, logical_and, multiply, reduce_all, reduce_prod,
                       reduce_sum, subtract, unsorted_segment_sum)



# ---- gather_nd / scatter_nd ------------------------------------------------------------------------
def _linear_index(indices: Tensor, dims: Sequence[int], op: str, name: str, invalid: int) -> Tensor:
    """The row-major offset of each index tuple (the last dim of `indices`) into a tensor of leading dims `dims`;
    `invalid` where any coordinate is out of range, so the gather or segment sum after it reports the bad index."""
    if not indices.dtype.is_integer:
        raise TypeError(str(build_error(op, name, f"indices must be int32 or int64, got {indices.dtype.name}")))
    if isinstance(dims, Tensor):  # dims known once the fed shapes are: the strides fold then
        bounds = cast(dims, indices.dtype) if dims.dtype != indices.dtype else dims
        k = dims.shape.as_list()[0]
        strides = stack([reduce_prod(bounds[i + 1:]) for i in builtins.range(k)])
    else:
        strides = constant(np.array([int(np.prod(dims[i + 1:], dtype=np.int64)) for i in builtins.range(len(dims))],
                                    dtype=indices.dtype.np))
        bounds = constant(np.array(dims, dtype=indices.dtype.np))
    zero = constant(np.zeros((), indices.dtype.np))
    valid = reduce_all(logical_and(greater_equal(indices, zero), less(indices, bounds)), axis=-1)
    linear = reduce_sum(multiply(indices, strides), axis=-1)
    invalid = cast(invalid, indices.dtype) if isinstance(invalid, Tensor) else constant(np.asarray(invalid,
                                                                                                   indices.dtype.np))
    return make("dfc.select", [valid, linear, invalid], name="index")


def gather_nd(params, indices, name: str | None = None, batch_dims: int = 0) -> Tensor:
    """params[tuple(indices[..., :])]: result shape indices.shape[:-1] + params.shape[K:], K = indices.shape[-1]."""
    params, indices = convert_to_tensor(params), convert_to_tensor(indices)
    label = name or "GatherNd"
    if check_int(batch_dims, "batch_dims"):
        return _batched_gather_nd(params, indices, check_int(batch_dims, "batch_dims"), name)
    rank = known_rank(params, "GatherNd", label)
    irank = known_rank(indices, "GatherNd", label)
    k = indices.shape.as_list()[-1] if irank else None
    if irank < 1 or k is None:
        raise build_error("GatherNd", label, f"indices {indices.name} must have rank >= 1 with a known last dim, got "
                                             f"shape {indices.shape}")
    if k > rank:
        raise build_error("GatherNd", label, f"index innermost dimension length must be <= params rank; saw: {k} vs. "
                                             f"{rank}")
    lead = params.shape.as_list()[:k]
    with name_scope(name, "GatherNd", [params, indices]):
        tail = params.shape.as_list()[k:]
        if None in lead:  # a batch dim fed later: the strides come from the shape, folded once it is known
            lead = shape(params, out_type=indices.dtype)[:k]
            rows = -1
            if None in tail:
                tail_t = shape(params)[k:]
                flat = reshape(params, concat([constant(np.array([-1], np.int32)), tail_t], 0)) if k else \
                    expand_dims(params, 0)
            else:
                flat = reshape(params, [rows] + tail)
        else:
            rows = int(np.prod(lead, dtype=np.int64))
            flat = reshape(params, [rows] + [-1 if d is None else d for d in tail]) if k else expand_dims(params, 0)
        linear = _linear_index(indices, lead, "GatherNd", label, -1) if k else \
            make("dfc.fill_like", [reduce_sum(indices, axis=-1)], {"value": 0.0, "dtype": indices.dtype})
        if k and not isinstance(lead, Tensor) and constant_value(indices) is None:
            return _checked_gather(flat, linear, indices, lead, k)
        return gather(flat, linear, name="GatherNd")


def _checked_gather(flat: Tensor, linear: Tensor, indices: Tensor, lead: list[int], k: int) -> Tensor:
    """gather_nd's gather of fed index tuples once the run has checked them as TF's kernel does, naming the first
    tuple out of range (the gather alone would name its invalid linear offset, -1)."""
    from .debugging import Assert
    from .framework import control_dependencies
    rows = reshape(indices, [-1, k])
    bounds = constant(np.array(lead, dtype=indices.dtype.np))
    inside = reduce_all(logical_and(greater_equal(rows, constant(np.zeros((), indices.dtype.np))),
                                    less(rows, bounds)), axis=-1)
    # the first bad tuple (a last sentinel 'outside' keeps argmin off no tuples at all; it is picked only when
    # every tuple is in range, and then the check passes)
    marks = concat([cast(inside, i32), constant(np.zeros([1], np.int32))], 0)
    first = make("dfc.argmin", [marks], {"axis": 0, "output_type": i32})
    bad = gather(concat([rows, constant(np.zeros([1, k], indices.dtype.np))], 0), first)
    check = Assert(reduce_all(inside), [f"GatherNd: the index tuple of {indices.name} at", first, "is", bad,
                                        f"which is out of range: it does not index into param shape {lead}"],
                   name="check_indices")
    with control_dependencies([check]):
        return gather(flat, linear, name="GatherNd")


def _batched_gather_nd(params: Tensor, indices: Tensor, batch_dims: int, name: str | None) -> Tensor:
    """gather_nd per batch entry: the batch position becomes the leading coordinates of each index."""
    label = name or "GatherNd"
    pshape, ishape = params.shape.as_list(), indices.shape.as_list()
    batch = pshape[:batch_dims]
    if len(ishape) <= batch_dims or any(a is not None and b is not None and a != b
                                        for a, b in zip(batch, ishape[:batch_dims])):
        raise build_error("GatherNd", label, f"batch_dims={batch_dims} needs equal leading dims of params "
                                             f"{params.shape} and indices {indices.shape}")
    if None in batch or None in ishape[:-1]:
        return _batched_gather_nd_dynamic(params, indices, batch_dims, name)
    grid = np.stack(np.meshgrid(*[np.arange(d) for d in batch], indexing="ij"), axis=-1)
    middle = ishape[batch_dims:-1]
    grid = np.broadcast_to(grid.reshape(batch + [1] * len(middle) + [batch_dims]), batch + middle + [batch_dims])
    with name_scope(name, "GatherNd", [params, indices]):
        full = concat([constant(grid.astype(indices.dtype.np)), indices], -1)
        return gather_nd(params, full)


def _batched_gather_nd_dynamic(params: Tensor, indices: Tensor, batch_dims: int, name: str | None) -> Tensor:
    """_batched_gather_nd where a batch or index dim is known only when the graph runs: the batch coordinates
    are ranges over the indices' own dims, broadcast against them."""
    from .array_ops import range as range_, shape
    from .math_ops import add
    rank = len(indices.shape.as_list())
    with name_scope(name, "GatherNd", [params, indices]):
        dims = shape(indices, out_type=indices.dtype)
        base = make("dfc.fill_like", [indices[..., 0]], {"value": 0.0, "dtype": indices.dtype})
        coords = []
        for b in builtins.range(batch_dims):
            along = reshape(range_(dims[b], dtype=indices.dtype), [1] * b + [-1] + [1] * (rank - 2 - b))
            coords.append(expand_dims(add(base, along), -1))
        return gather_nd(params, concat([*coords, indices], -1))


def scatter_nd(indices, updates, shape, name: str | None = None) -> Tensor:
    """Zeros of `shape` with each updates[i] added at index tuple indices[i] (duplicates add up, as in TF)."""
    indices, updates = convert_to_tensor(indices), convert_to_tensor(updates)
    label = name or "ScatterNd"
    from .array_ops import shape_argument
    static, dynamic, hint = shape_argument(shape, "shape")
    if dynamic is not None:
        return _scatter_nd_by_tensor(indices, updates, dynamic, hint, name)
    out_shape = [int(d) for d in static_ints(list(static), "shape", "ScatterNd", label)]
    irank = known_rank(indices, "ScatterNd", label)
    k = indices.shape.as_list()[-1] if irank else None
    if irank < 1 or k is None or k > len(out_shape):
        raise build_error("ScatterNd", label, f"indices {indices.name} must have a known last dim of at most "
                                              f"{len(out_shape)} (the rank of shape {out_shape}), got {indices.shape}")
    expected = indices.shape.as_list()[:-1] + out_shape[k:]
    if updates.shape.ndims is not None and (updates.shape.ndims != len(expected) or any(
            a is not None and b is not None and a != b for a, b in zip(updates.shape.as_list(), expected))):
        raise build_error("ScatterNd", label, f"updates {updates.name} must have shape indices.shape[:-1] + "
                                              f"shape[{k}:] = {expected}, got {updates.shape}")
    with name_scope(name, "ScatterNd", [indices, updates]):
        rows = int(np.prod(out_shape[:k], dtype=np.int64))
        linear = _linear_index(indices, out_shape[:k], "ScatterNd", label, rows)
        summed = unsorted_segment_sum(updates, linear, rows)
        return reshape(summed, out_shape, name="ScatterNd")


def _scatter_nd_by_tensor(indices: Tensor, updates: Tensor, out_shape: Tensor, hint: tuple[int, ...],
                          name: str | None) -> Tensor:
    """scatter_nd into a shape the step's values give (the shape of a tensor with unknown dims)."""
    label = name or "ScatterNd"
    rank = out_shape.shape.as_list()[0] if out_shape.shape.ndims == 1 else None
    irank = known_rank(indices, "ScatterNd", label)
    k = indices.shape.as_list()[-1] if irank else None
    if rank is None or k is None or k > rank:
        raise build_error("ScatterNd", label, f"indices {indices.name} must have a known last dim of at most the "
                                              f"length of shape {out_shape.name}, got {indices.shape}")
    with name_scope(name, "ScatterNd", [indices, updates, out_shape]):
        bounds = cast(out_shape, indices.dtype) if out_shape.dtype != indices.dtype else out_shape
        rows = reduce_prod(bounds[:k])
        linear = _linear_index(indices, bounds[:k], "ScatterNd", label, rows)
        summed = unsorted_segment_sum(updates, linear, rows)
        return reshape(summed, out_shape, name="ScatterNd")


def _target_shape(tensor: Tensor) -> list[int] | Tensor:
    """A tensor_scatter_nd_* target's shape: its dims if known now, else tf.shape of it."""
    return tensor.shape.as_list() if tensor.shape.is_fully_defined() else shape(tensor)


def _scatter_mask(tensor: Tensor, indices: Tensor) -> Tensor:
    k = indices.shape.as_list()[-1]
    ones = make("dfc.fill_like", [reduce_sum(indices, axis=-1)], {"value": 1.0, "dtype": i32})
    tail = tensor.shape.as_list()[k:]
    dims = _target_shape(tensor)
    hits = scatter_nd(indices, ones, dims[:k])
    mask = make("dfc.greater", [hits, constant(np.int32(0))])
    if isinstance(dims, Tensor):
        return reshape(mask, concat([dims[:k], constant(np.ones(len(tail), np.int32))], 0))
    return reshape(mask, dims[:k] + [1] * len(tail))


def _check_target(tensor: Tensor, indices: Tensor, op: str, label: str) -> None:
    """A target whose rank is known (its dims may be known only when the step runs)."""
    if tensor.shape.ndims is None:
        raise build_error(op, label, f"needs the rank of {tensor.name}, got {tensor.shape}")
    known_rank(indices, op, label)


def tensor_scatter_nd_update(tensor, indices, updates, name: str | None = None) -> Tensor:
    """`tensor` with the slices at `indices` replaced by `updates` (an index given twice gets the sum of its
    updates; TF leaves the order of duplicates unspecified)."""
    tensor, indices, updates = (convert_to_tensor(v) for v in (tensor, indices, updates))
    label = name or "TensorScatterUpdate"
    _check_target(tensor, indices, "TensorScatterUpdate", label)
    with name_scope(name, "TensorScatterUpdate", [tensor, indices, updates]):
        scattered = scatter_nd(indices, updates, _target_shape(tensor))
        return make("dfc.select", [_scatter_mask(tensor, indices), scattered, tensor], name="TensorScatterUpdate")


def tensor_scatter_nd_add(tensor, indices, updates, name: str | None = None) -> Tensor:
    tensor, indices, updates = (convert_to_tensor(v) for v in (tensor, indices, updates))
    _check_target(tensor, indices, "TensorScatterAdd", name or "TensorScatterAdd")
    with name_scope(name, "TensorScatterAdd", [tensor, indices, updates]):
        return add(tensor, scatter_nd(indices, updates, _target_shape(tensor)))


def tensor_scatter_nd_sub(tensor, indices, updates, name: str | None = None) -> Tensor:
    tensor, indices, updates = (convert_to_tensor(v) for v in (tensor, indices, updates))
    _check_target(tensor, indices, "TensorScatterSub", name or "TensorScatterSub")
    with name_scope(name, "TensorScatterSub", [tensor, indices, updates]):
        return subtract(tensor, scatter_nd(indices, updates, _target_shape(tensor)))


tensor_scatter_update, tensor_scatter_add, tensor_scatter_sub = (tensor_scatter_nd_update, tensor_scatter_nd_add,
                                                                 tensor_scatter_nd_sub)


def batch_gather(params, indices, name: str | None = None) -> Tensor:
    """result[b..., j] = params[b..., indices[b..., j]] over the leading rank(indices) - 1 dims."""
    params, indices = convert_to_tensor(params), convert_to_tensor(indices)
    label = name or "batch_gather"
    nb = known_rank(indices, "batch_gather", label) - 1
    if nb == 0:
        return gather(params, indices, name=label)
    with name_scope(name, "batch_gather", [params, indices]):
        return gather_nd(params, expand_dims(indices, -1), batch_dims=nb)
