"""TF1's array functions built from the DSL's ops: pad, reverse, roll, gather_nd, scatter_nd, sequence_mask, ...

Each is an exact composite (slices, concats, gathers, segment sums, selects), so the gradients
come from the ops' own rules and both backends run them without new kernels. Functions whose
result shape depends on the data (unique, boolean_mask, where(cond)) work when their inputs
are constants and say plainly that dfc needs static shapes otherwise.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

import numpy as np

from dfc.ir.dtypes import as_dtype, bool_, i32, i64
from dfc.ir.ops.shape import SLICE_END, SLICE_START_REVERSED

from .array_ops import (concat, constant, expand_dims, gather, reshape, shape, shape_argument, stack, tile,
                        transpose)
from .framework import Tensor, build_error, check_int, constant_value, convert_to_tensor, make, name_scope
from .math_ops import (add, cast, equal, greater_equal, less, logical_and, maximum, multiply, reduce_all, reduce_prod,
                       reduce_sum, subtract, unsorted_segment_sum)


def _static_ints(value, what: str, op: str, name: str) -> np.ndarray:
    """A build-time constant of ints (a list, an array or a constant tensor)."""
    if isinstance(value, Tensor):
        known = constant_value(value)
        if known is None:
            raise build_error(op, name, f"{what} must be known when the graph is built (a constant), got the "
                                        f"tensor {value.name}")
        value = known
    array = np.asarray(value)
    if array.dtype.kind not in "iu" and not (array.dtype.kind == "f" and np.all(np.trunc(array) == array)):
        raise build_error(op, name, f"{what} must be integers, got {value!r}")
    return array.astype(np.int64)


def _axis_slice(x: Tensor, axis: int, begin: int, end: int, stride: int = 1, name: str = "slice") -> Tensor:
    rank = x.shape.ndims
    b, e, s = [0] * rank, [SLICE_END] * rank, [1] * rank
    b[axis], e[axis], s[axis] = begin, end, stride
    return make("dfc.slice", [x], {"begin": b, "end": e, "strides": s}, name=name)


def _known_rank(x: Tensor, op: str, name: str) -> int:
    if x.shape.ndims is None:
        raise build_error(op, name, f"{op} needs the rank of {x.name}, which is unknown; give the placeholder a shape")
    return x.shape.ndims


# ---- pad / reverse / roll ------------------------------------------------------------------------
def pad(tensor, paddings, mode: str = "CONSTANT", name: str | None = None, constant_values=0) -> Tensor:
    """Pad each dim by paddings[d] = [before, after]: with constant_values, or mirrored (REFLECT leaves the edge
    out, SYMMETRIC repeats it). The gradient slices the padding off (concat's rule)."""
    x = convert_to_tensor(tensor)
    label = name or "Pad"
    rank = _known_rank(x, "Pad", label)
    pads = _static_ints(paddings, "paddings", "Pad", label)
    if pads.shape != (rank, 2):
        raise build_error("Pad", label, f"The first dimension of paddings must be the rank of inputs"
                                        f"{list(pads.shape)} {x.shape}: paddings must have shape [{rank}, 2]")
    if np.any(pads < 0):
        raise build_error("Pad", label, f"Paddings must be non-negative: {pads.tolist()}")
    mode = str(mode).upper()
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(f"Unknown padding mode: {mode}")
    dims = x.shape.as_list()
    if mode != "CONSTANT":
        offset = 1 if mode == "REFLECT" else 0
        for d, (before, after) in enumerate(pads):
            if dims[d] is not None and (before > dims[d] - offset or after > dims[d] - offset):
                relation = "less than" if offset else "no greater than"
                raise build_error("MirrorPad", label, f"paddings must be {relation} the dimension size: {before}, "
                                                      f"{after} not {relation} {dims[d]}")
    with name_scope(name, "Pad", [x]):
        out = x
        value = convert_to_tensor(constant_values, dtype=x.dtype) if not isinstance(constant_values, Tensor) \
            else constant_values
        for d, (before, after) in enumerate(pads):
            before, after = int(before), int(after)
            if not before and not after:
                continue
            if mode == "CONSTANT":
                parts = [_constant_block(out, d, before, value), out, _constant_block(out, d, after, value)]
            elif mode == "REFLECT":
                parts = [_axis_slice(out, d, before, 0, -1) if before else None, out,
                         _axis_slice(out, d, -2, -2 - after, -1) if after else None]
            else:
                parts = [_axis_slice(out, d, before - 1, SLICE_START_REVERSED, -1) if before else None, out,
                         _axis_slice(out, d, -1, -1 - after, -1) if after else None]
            out = concat([p for p in parts if p is not None], d, name="concat")
        return out if out is not x else make("dfc.identity", [x], name="Pad")


def _constant_block(x: Tensor, axis: int, width: int, value: Tensor) -> Tensor | None:
    """`width` slices of x's shape along `axis`, every element `value`; other dims as x's (known or not)."""
    if not width:
        return None
    dims = x.shape.as_list()
    if all(d is not None for i, d in enumerate(dims) if i != axis):
        shape = [width if i == axis else d for i, d in enumerate(dims)]
        known = constant_value(value)
        if known is not None:
            return constant(np.full(shape, known, dtype=x.dtype.np))
        return make("dfc.broadcast_like", [value, constant(np.zeros(shape, x.dtype.np))])
    if dims[axis] == 0:
        raise build_error("Pad", "Pad", f"cannot pad the empty dim {axis} of {x.name} whose other dims are unknown")
    template = tile(_axis_slice(x, axis, 0, 1), [width if i == axis else 1 for i in builtins.range(len(dims))])
    return make("dfc.broadcast_like", [value, template])


def _axes_list(axis, rank: int, op: str, name: str) -> list[int]:
    axes = [check_int(a, "axis") for a in np.atleast_1d(_static_ints(axis, "axis", op, name))]
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise build_error(op, name, f"axis {a} is out of range for a tensor of rank {rank} "
                                        f"(expected [-{rank}, {rank}))")
        if a % rank in out:
            raise build_error(op, name, f"axis {a % rank} specified more than once")
        out.append(a % rank)
    return out


def reverse(tensor, axis, name: str | None = None) -> Tensor:
    """The elements of `tensor` in reverse order along each dim in `axis` (TF1's reverse_v2)."""
    x = convert_to_tensor(tensor)
    label = name or "ReverseV2"
    rank = _known_rank(x, "ReverseV2", label)
    axes = _axes_list(axis, rank, "ReverseV2", label)
    if not axes:
        return make("dfc.identity", [x], name=label)
    b = [SLICE_END if i in axes else 0 for i in builtins.range(rank)]
    e = [SLICE_START_REVERSED if i in axes else SLICE_END for i in builtins.range(rank)]
    s = [-1 if i in axes else 1 for i in builtins.range(rank)]
    return make("dfc.slice", [x], {"begin": b, "end": e, "strides": s}, name=label)


reverse_v2 = reverse


def roll(input, shift, axis, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """Elements shifted by `shift` along `axis` (each may be a list), wrapping around."""
    x = convert_to_tensor(input)
    label = name or "Roll"
    rank = _known_rank(x, "Roll", label)
    shifts = np.atleast_1d(_static_ints(shift, "shift", "Roll", label))
    axes = np.atleast_1d(_static_ints(axis, "axis", "Roll", label))
    if shifts.shape != axes.shape or shifts.ndim != 1:
        raise build_error("Roll", label, f"shift and axis must have the same size, got {shifts.tolist()} and "
                                         f"{axes.tolist()}")
    total: dict[int, int] = {}
    for s, a in zip(shifts, axes):
        if not -rank <= a < rank:
            raise build_error("Roll", label, f"axis {a} is out of range for a tensor of rank {rank}")
        total[int(a) % rank] = total.get(int(a) % rank, 0) + int(s)
    with name_scope(name, "Roll", [x]):
        out = x
        for a, s in total.items():
            n = x.shape.as_list()[a]
            if n is None:
                raise build_error("Roll", label, f"roll needs the size of dim {a} of {x.name}, which is unknown")
            s = s % n if n else 0
            if s:
                out = concat([_axis_slice(out, a, n - s, n), _axis_slice(out, a, 0, n - s)], a)
        return out if out is not x else make("dfc.identity", [x], name="Roll")


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
    return make("dfc.select", [valid, linear, constant(np.asarray(invalid, indices.dtype.np))], name="index")


def gather_nd(params, indices, name: str | None = None, batch_dims: int = 0) -> Tensor:
    """params[tuple(indices[..., :])]: result shape indices.shape[:-1] + params.shape[K:], K = indices.shape[-1]."""
    params, indices = convert_to_tensor(params), convert_to_tensor(indices)
    label = name or "GatherNd"
    if check_int(batch_dims, "batch_dims"):
        return _batched_gather_nd(params, indices, check_int(batch_dims, "batch_dims"), name)
    rank = _known_rank(params, "GatherNd", label)
    irank = _known_rank(indices, "GatherNd", label)
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
    out_shape = [int(d) for d in _static_ints(shape, "shape", "ScatterNd", label)]
    irank = _known_rank(indices, "ScatterNd", label)
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


def _scatter_mask(tensor: Tensor, indices: Tensor) -> Tensor:
    k = indices.shape.as_list()[-1]
    ones = make("dfc.fill_like", [reduce_sum(indices, axis=-1)], {"value": 1.0, "dtype": i32})
    tail = tensor.shape.as_list()[k:]
    hits = scatter_nd(indices, ones, tensor.shape.as_list()[:k])
    mask = make("dfc.greater", [hits, constant(np.int32(0))])
    return reshape(mask, tensor.shape.as_list()[:k] + [1] * len(tail))


def tensor_scatter_nd_update(tensor, indices, updates, name: str | None = None) -> Tensor:
    """`tensor` with the slices at `indices` replaced by `updates` (an index given twice gets the sum of its
    updates; TF leaves the order of duplicates unspecified)."""
    tensor, indices, updates = (convert_to_tensor(v) for v in (tensor, indices, updates))
    label = name or "TensorScatterUpdate"
    if not tensor.shape.is_fully_defined():
        raise build_error("TensorScatterUpdate", label, f"needs the shape of {tensor.name}, got {tensor.shape}")
    with name_scope(name, "TensorScatterUpdate", [tensor, indices, updates]):
        scattered = scatter_nd(indices, updates, tensor.shape.as_list())
        return make("dfc.select", [_scatter_mask(tensor, indices), scattered, tensor], name="TensorScatterUpdate")


def tensor_scatter_nd_add(tensor, indices, updates, name: str | None = None) -> Tensor:
    tensor, indices, updates = (convert_to_tensor(v) for v in (tensor, indices, updates))
    if not tensor.shape.is_fully_defined():
        raise build_error("TensorScatterAdd", name or "TensorScatterAdd", f"needs the shape of {tensor.name}")
    with name_scope(name, "TensorScatterAdd", [tensor, indices, updates]):
        return add(tensor, scatter_nd(indices, updates, tensor.shape.as_list()))


def tensor_scatter_nd_sub(tensor, indices, updates, name: str | None = None) -> Tensor:
    tensor, indices, updates = (convert_to_tensor(v) for v in (tensor, indices, updates))
    if not tensor.shape.is_fully_defined():
        raise build_error("TensorScatterSub", name or "TensorScatterSub", f"needs the shape of {tensor.name}")
    with name_scope(name, "TensorScatterSub", [tensor, indices, updates]):
        return subtract(tensor, scatter_nd(indices, updates, tensor.shape.as_list()))


tensor_scatter_update, tensor_scatter_add, tensor_scatter_sub = (tensor_scatter_nd_update, tensor_scatter_nd_add,
                                                                 tensor_scatter_nd_sub)


def batch_gather(params, indices, name: str | None = None) -> Tensor:
    """result[b..., j] = params[b..., indices[b..., j]] over the leading rank(indices) - 1 dims."""
    params, indices = convert_to_tensor(params), convert_to_tensor(indices)
    label = name or "batch_gather"
    nb = _known_rank(indices, "batch_gather", label) - 1
    if nb == 0:
        return gather(params, indices, name=label)
    with name_scope(name, "batch_gather", [params, indices]):
        return gather_nd(params, expand_dims(indices, -1), batch_dims=nb)


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name: str | None = None,  # noqa: A002
                     seq_dim=None, batch_dim=None) -> Tensor:
    """Along `seq_axis`, the first seq_lengths[b] entries of each batch entry b (along `batch_axis`) reversed,
    the rest left in place; a length past the end fails the run as TF does."""
    x, lengths = convert_to_tensor(input), convert_to_tensor(seq_lengths)
    label = name or "ReverseSequence"
    seq_axis = seq_dim if seq_axis is None else seq_axis
    batch_axis = (batch_dim if batch_dim is not None else 0) if batch_axis is None else batch_axis
    if seq_axis is None:
        raise TypeError(f"{build_error('ReverseSequence', label, '')} reverse_sequence needs seq_axis")
    rank = _known_rank(x, "ReverseSequence", label)
    seq_axis, batch_axis = check_int(seq_axis, "seq_axis"), check_int(batch_axis, "batch_axis")
    for what, a in (("seq_dim", seq_axis), ("batch_dim", batch_axis)):
        if not -rank <= a < rank:
            raise build_error("ReverseSequence", label, f"Invalid {what} {a} for {x.name} of rank {rank}")
    seq_axis, batch_axis = seq_axis % rank, batch_axis % rank
    if seq_axis == batch_axis:
        raise build_error("ReverseSequence", label, f"seq_dim == batch_dim == {seq_axis}")
    if lengths.dtype not in (i32, i64):
        raise TypeError(f"{build_error('ReverseSequence', label, '')} seq_lengths {lengths.name} must be int32 or "
                        f"int64, got {lengths.dtype.name}")
    dims = x.shape.as_list()
    if lengths.shape.ndims != 1:
        raise build_error("ReverseSequence", label, f"seq_lengths {lengths.name} must be 1-D, got shape "
                                                    f"{lengths.shape}")
    nb = lengths.shape.as_list()[0]
    if nb is not None and dims[batch_axis] is not None and nb != dims[batch_axis]:
        raise build_error("ReverseSequence", label, f"Length of seq_lengths != input.dims({batch_axis}), "
                                                    f"({nb} vs. {dims[batch_axis]})")
    steps = dims[seq_axis]
    rest = [d for i, d in enumerate(dims) if i not in (batch_axis, seq_axis)]
    if steps is None or None in rest:
        raise build_error("ReverseSequence", label, f"reverse_sequence needs every dim of {x.name} but the batch "
                                                    f"dim known, got {x.shape}")
    known = constant_value(lengths)
    if known is not None and np.any(known > steps):
        raise build_error("ReverseSequence", label, f"seq_lens({int(np.argmax(known > steps))}) > "
                                                    f"input.dims({seq_axis}) ({int(np.max(known))} vs. {steps})")
    from .debugging import Assert
    from .framework import control_dependencies
    with name_scope(name, "ReverseSequence", [x, lengths]):
        perm = [batch_axis, seq_axis] + [i for i in builtins.range(rank) if i not in (batch_axis, seq_axis)]
        moved = transpose(x, perm) if perm != list(builtins.range(rank)) else x
        checks = []
        if known is None:
            fits = reduce_all(make("dfc.less_equal", [lengths, constant(np.asarray(steps, lengths.dtype.np))]))
            checks.append(Assert(fits, [f"seq_lens(b) > input.dims({seq_axis}) = {steps}: seq_lengths =", lengths]))
        with control_dependencies(checks):
            t = constant(np.arange(steps, dtype=lengths.dtype.np))
            length = expand_dims(lengths, 1)
            source = make("dfc.select", [less(t, length), subtract(subtract(length, constant(
                np.ones((), lengths.dtype.np))), t), add(t, make("dfc.fill_like", [length],
                                                                 {"value": 0.0, "dtype": lengths.dtype}))])
            batch = make("dfc.cumsum", [make("dfc.fill_like", [lengths], {"value": 1.0, "dtype": lengths.dtype})],
                         {"axis": 0, "exclusive": True})
            linear = add(multiply(expand_dims(batch, 1), constant(np.asarray(steps, lengths.dtype.np))), source)
            flat = reshape(moved, [-1] + rest)
            out = gather(flat, linear)
        back = [int(p) for p in np.argsort(perm)]
        return transpose(out, back) if perm != list(builtins.range(rank)) else out


# ---- masks, ranges, grids ----------------------------------------------------------------------
def sequence_mask(lengths, maxlen=None, dtype=bool_, name: str | None = None) -> Tensor:
    """mask[..., j] = j < lengths[...] for j < maxlen; maxlen defaults to max(lengths) (a tensor: the session
    computes it before the step, which is compiled for it)."""
    lengths = convert_to_tensor(lengths)
    if not lengths.dtype.is_integer:
        raise TypeError(str(build_error("SequenceMask", name or "SequenceMask",
                                        f"lengths must be integers, got {lengths.dtype.name}")))
    with name_scope(name, "SequenceMask", [lengths]):
        if maxlen is None:
            known = constant_value(lengths)
            if known is not None:
                maxlen = int(np.max(known)) if known.size else 0
            else:
                from .math_ops import reduce_max
                maxlen = maximum(reduce_max(lengths), constant(0, dtype=lengths.dtype))
        if isinstance(maxlen, Tensor) and constant_value(maxlen) is None:
            from .array_ops import range as range_
            row = range_(cast(maxlen, lengths.dtype) if maxlen.dtype != lengths.dtype else maxlen)
        else:
            row = constant(np.arange(check_int(maxlen, "maxlen"), dtype=lengths.dtype.np))
        mask = less(row, expand_dims(lengths, -1))
        dtype = as_dtype(dtype)
        return mask if dtype is bool_ else cast(mask, dtype)


def linspace(start, stop, num, name: str | None = None, axis: int = 0) -> Tensor:
    """num evenly spaced values from start to stop (both included), computed as TF does in start's dtype."""
    start, stop = convert_to_tensor(start), convert_to_tensor(stop)
    if not start.dtype.is_floating:
        raise TypeError(str(build_error("LinSpace", name or "LinSpace",
                                        f"start must be floating, got {start.dtype.name}")))
    n = check_int(num, "num")
    if start.shape.ndims != 0 or stop.shape.ndims != 0 or check_int(axis, "axis") != 0:
        raise NotImplementedError(f"{build_error('LinSpace', name or 'LinSpace', '')} linspace of non-scalar "
                                  f"start/stop is not supported")
    with name_scope(name, "LinSpace", [start, stop]):
        if n <= 0:
            return constant(np.zeros(0, start.dtype.np))
        if n == 1:
            return reshape(start, [1])
        delta = (stop - start) / constant(n - 1, dtype=start.dtype)
        middle = start + delta * constant(np.arange(1, n - 1, dtype=start.dtype.np))
        return concat([reshape(start, [1]), middle, reshape(stop, [1])], 0)


lin_space = linspace


def meshgrid(*args, **kwargs) -> list[Tensor]:
    """N-D coordinate grids from 1-D tensors; indexing 'xy' (default) swaps the first two output dims."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError(f"invalid keyword arguments to meshgrid: {sorted(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    xs = [convert_to_tensor(a) for a in args]
    with name_scope(name, "meshgrid", xs):
        n = len(xs)
        shaped = []
        for i, x in enumerate(xs):
            dims = [1] * n
            dims[i] = -1
            if indexing == "xy" and n > 1 and i < 2:
                dims[i], dims[1 - i] = 1, -1
            shaped.append(reshape(x, dims))
        if n <= 1:
            return shaped
        template = None
        for s in shaped:
            zeros = make("dfc.fill_like", [s], {"value": 0.0, "dtype": i32})
            template = zeros if template is None else add(template, zeros)
        return [make("dfc.broadcast_like", [s, template]) for s in shaped]


def broadcast_to(input, shape, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """input broadcast to `shape` by numpy's rules (a list, or tf.shape(t) of any tensor t)."""
    x = convert_to_tensor(input)
    label = name or "BroadcastTo"
    if isinstance(shape, Tensor) and constant_value(shape) is None:
        if shape.op._dfc_ir().type == "dfc.shape_of":
            return make("dfc.broadcast_like", [x, shape.op.inputs[0]], name=label)
        raise build_error("BroadcastTo", label, f"broadcast_to needs a constant shape or tf.shape(t), got "
                                                f"{shape.name}")
    static, _, _ = shape_argument(shape, "broadcast_to shape")
    target = list(static)
    rank = _known_rank(x, "BroadcastTo", label)
    if rank > len(target):
        raise build_error("BroadcastTo", label, f"cannot broadcast {x.name} of shape {x.shape} to {target}: "
                                                f"it has more dims")
    dims = [1] * (len(target) - rank) + x.shape.as_list()
    for d, t in zip(dims, target):
        if d is not None and d != 1 and d != t:
            raise build_error("BroadcastTo", label, f"Incompatible shapes: {x.shape} vs. {target}")
    with name_scope(name, "BroadcastTo", [x]):
        out = reshape(x, [-1 if d is None else d for d in dims]) if len(dims) != rank else x
        multiples = [t if d == 1 else 1 for d, t in zip(dims, target)]
        return tile(out, multiples) if any(m != 1 for m in multiples) else make("dfc.identity", [out])


def repeat(input, repeats, axis=None, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """Each element (slice along `axis`; of the flattened tensor when None) repeated repeats[i] times."""
    x = convert_to_tensor(input)
    label = name or "Repeat"
    reps = _static_ints(repeats, "repeats", "Repeat", label)
    with name_scope(name, "Repeat", [x]):
        if axis is None:
            x, axis = reshape(x, [-1]), 0
        rank = _known_rank(x, "Repeat", label)
        axis = check_int(axis, "axis")
        if not -rank <= axis < rank:
            raise build_error("Repeat", label, f"axis {axis} is out of range for rank {rank}")
        axis %= rank
        n = x.shape.as_list()[axis]
        if n is None:
            raise build_error("Repeat", label, f"repeat needs the size of dim {axis} of {x.name}")
        if np.any(reps < 0) or (reps.ndim == 1 and reps.size not in (1, n)) or reps.ndim > 1:
            raise build_error("Repeat", label, f"repeats {reps.tolist()} must be non-negative, one per element "
                                               f"or a single count")
        which = np.repeat(np.arange(n), np.broadcast_to(reps, (n,)))
        return gather(x, constant(which.astype(np.int32)), axis=axis)


# ---- depth / space --------------------------------------------------------------------------------
def _blocks_of(x: Tensor, block_size, data_format: str, op: str, label: str) -> tuple[int, list]:
    """block_size and x's [n, h, w, c] dims for space_to_depth/depth_to_space: NHWC, 4-D, blocks of >= 2."""
    b = check_int(block_size, "block_size")
    if data_format != "NHWC":
        raise NotImplementedError(f"{build_error(op, label, '')} only data_format NHWC is supported")
    if _known_rank(x, op, label) != 4 or b < 2:
        raise build_error(op, label, f"input must be 4-D and block_size >= 2, got {x.shape} and {b}")
    return b, x.shape.as_list()


def space_to_depth(input, block_size, name: str | None = None, data_format: str = "NHWC") -> Tensor:  # noqa: A002
    """[B, H, W, C] -> [B, H/b, W/b, b*b*C]: each b x b block of pixels becomes channels."""
    x = convert_to_tensor(input)
    label = name or "SpaceToDepth"
    b, (n, h, w, c) = _blocks_of(x, block_size, data_format, "SpaceToDepth", label)
    if None in (h, w, c) or h % b or w % b:
        raise build_error("SpaceToDepth", label, f"Image height {h} and width {w} must be known multiples of "
                                                 f"block_size {b}")
    with name_scope(name, "SpaceToDepth", [x]):
        y = reshape(x, [-1 if n is None else n, h // b, b, w // b, b, c])
        y = transpose(y, [0, 1, 3, 2, 4, 5])
        return reshape(y, [-1 if n is None else n, h // b, w // b, b * b * c])


def depth_to_space(input, block_size, name: str | None = None, data_format: str = "NHWC") -> Tensor:  # noqa: A002
    """[B, H, W, C] -> [B, H*b, W*b, C/(b*b)], the inverse of space_to_depth."""
    x = convert_to_tensor(input)
    label = name or "DepthToSpace"
    b, (n, h, w, c) = _blocks_of(x, block_size, data_format, "DepthToSpace", label)
    if None in (h, w, c) or c % (b * b):
        raise build_error("DepthToSpace", label, f"Input depth dimension {c} should be divisible by: {b * b}")
    with name_scope(name, "DepthToSpace", [x]):
        y = reshape(x, [-1 if n is None else n, h, w, b, b, c // (b * b)])
        y = transpose(y, [0, 1, 3, 2, 4, 5])
        return reshape(y, [-1 if n is None else n, h * b, w * b, c // (b * b)])


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
    rank = _known_rank(x, "argsort", label)
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
    if x.dtype not in (i32, i64) or _known_rank(x, "InvertPermutation", label) != 1 or x.shape.as_list()[0] is None:
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
    if mask.dtype != bool_:
        raise TypeError(str(build_error("BooleanMask", name, f"mask must be bool, got {mask.dtype.name}")))
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


__all__ = ["argsort", "batch_gather", "boolean_mask", "broadcast_to", "depth_to_space", "gather_nd",
           "invert_permutation", "lin_space", "linspace", "meshgrid", "pad", "repeat", "reverse", "reverse_sequence",
           "reverse_v2", "roll",
           "scatter_nd", "sequence_mask", "setdiff1d", "sort", "space_to_depth", "tensor_scatter_add",
           "tensor_scatter_nd_add", "tensor_scatter_nd_sub", "tensor_scatter_nd_update", "tensor_scatter_sub",
           "tensor_scatter_update", "unique"]
