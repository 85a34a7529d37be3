"""TF1's array functions built from the DSL's ops: pad, reverse, roll, gather_nd, scatter_nd, sequence_mask, ...

Each is an exact composite (slices, concats, gathers, segment sums, selects), so the gradients
come from the ops' own rules and both backends run them without new kernels. Functions whose
result shape depends on the data (unique, boolean_mask, where(cond)) work when their inputs
are constants and say plainly that dfc needs static shapes otherwise. The gathers and scatters by N-d
index are gather_scatter_ops.py, sorting and data-dependent selections sorting_ops.py (all exported here).
"""

from __future__ import annotations

import builtins

import numpy as np

from dfc.ir.dtypes import as_dtype, bool_, i32, i64
from dfc.ir.ops.shape import SLICE_END, SLICE_START_REVERSED

from .array_argument_checks import axis_slice, known_rank, static_ints
from .array_ops import concat, constant, expand_dims, gather, reshape, shape_argument, tile, transpose
from .framework import Tensor, build_error, check_int, constant_value, convert_to_tensor, fed_axis, make, name_scope
from .gather_scatter_ops import (batch_gather, gather_nd, scatter_nd, tensor_scatter_add, tensor_scatter_nd_add,
                                 tensor_scatter_nd_sub, tensor_scatter_nd_update, tensor_scatter_sub,
                                 tensor_scatter_update)
from .math_ops import add, cast, less, maximum, multiply, reduce_all, subtract
from .sorting_ops import argsort, boolean_mask, invert_permutation, setdiff1d, sort, unique


# ---- pad / reverse / roll ------------------------------------------------------------------------
def pad(tensor, paddings, mode: str = "CONSTANT", name: str | None = None, constant_values=0) -> Tensor:
    """Pad each dim by paddings[d] = [before, after]: with constant_values, or mirrored (REFLECT leaves the edge
    out, SYMMETRIC repeats it). The gradient slices the padding off (concat's rule)."""
    x = convert_to_tensor(tensor)
    label = name or "Pad"
    rank = known_rank(x, "Pad", label)
    if _holds_tensors(paddings):
        return _pad_by_tensors(x, paddings, rank, mode, name, constant_values)
    pads = static_ints(paddings, "paddings", "Pad", label)
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
                parts = [axis_slice(out, d, before, 0, -1) if before else None, out,
                         axis_slice(out, d, -2, -2 - after, -1) if after else None]
            else:
                parts = [axis_slice(out, d, before - 1, SLICE_START_REVERSED, -1) if before else None, out,
                         axis_slice(out, d, -1, -1 - after, -1) if after else None]
            out = concat([p for p in parts if p is not None], d, name="concat")
        return out if out is not x else make("dfc.identity", [x], name="Pad")


def _holds_tensors(value) -> bool:
    """Whether a (nested) argument holds a tensor whose value is not known when the graph is built."""
    if isinstance(value, Tensor):
        return constant_value(value) is None
    if isinstance(value, (list, tuple)):
        return any(_holds_tensors(v) for v in value)
    return False


def _pad_by_tensors(x: Tensor, paddings, rank: int, mode: str, name: str | None, constant_values) -> Tensor:
    """tf.pad whose paddings the step's values give (tf.pad(x, [[0, n - tf.shape(x)[0]], [0, 0]])): constant
    blocks of those widths concatenated on each side."""
    label = name or "Pad"
    if str(mode).upper() != "CONSTANT":
        raise build_error("MirrorPad", label, f"{mode} padding needs paddings known when the graph is built; got "
                                              f"tensors in {paddings}")
    pads = convert_to_tensor(paddings)
    if not pads.dtype.is_integer:
        raise TypeError(f"paddings of tf.pad '{label}' must be int32 or int64, got {pads.dtype.name}")
    if pads.shape.ndims is not None and pads.shape.as_list() not in ([rank, 2], [None, 2], [rank, None], [None, None]):
        raise build_error("Pad", label, f"The first dimension of paddings must be the rank of inputs"
                                        f"{pads.shape.as_list()} {x.shape}: paddings must have shape [{rank}, 2]")
    with name_scope(name, "Pad", [x, pads]):
        value = constant_values if isinstance(constant_values, Tensor) else convert_to_tensor(constant_values,
                                                                                               dtype=x.dtype)
        out = x
        for d in builtins.range(rank):
            sides = []
            for side in (0, 1):
                entry = paddings[d][side] if isinstance(paddings, (list, tuple)) else pads[d, side]
                known = constant_value(entry) if isinstance(entry, Tensor) else entry
                sides.append(int(known) if known is not None else cast(entry, i32))
            if sides == [0, 0]:
                continue
            blocks = [_constant_block(out, d, w, value) if isinstance(w, int) else _dynamic_block(out, d, w, value)
                      for w in sides]
            out = concat([p for p in (blocks[0], out, blocks[1]) if p is not None], d, name="concat")
        return out if out is not x else make("dfc.identity", [x], name="Pad")


def _dynamic_block(x: Tensor, axis: int, width: Tensor, value: Tensor) -> Tensor:
    """`width` (a scalar tensor) slices of x's shape along `axis`, every element `value`."""
    from .array_ops import shape as shape_of, stack
    dims = x.shape.as_list()
    sizes = [width if i == axis else (d if d is not None else shape_of(x, out_type=i32)[i])
             for i, d in enumerate(dims)]
    hint = tuple(-1 if i == axis or d is None else d for i, d in enumerate(dims))
    return make("dfc.dynamic_fill", [stack([convert_to_tensor(s, dtype=i32) for s in sizes]), value], {"hint": hint},
                name="pad_block")


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
    template = tile(axis_slice(x, axis, 0, 1), [width if i == axis else 1 for i in builtins.range(len(dims))])
    return make("dfc.broadcast_like", [value, template])


def _axes_list(axis, rank: int, op: str, name: str) -> list[int]:
    axes = [check_int(a, "axis") for a in np.atleast_1d(static_ints(axis, "axis", op, name))]
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise build_error(op, name, f"axis {a} is out of range for a tensor of rank {rank} "
                                        f"(expected [-{rank}, {rank}))")
        if a % rank in out:
            raise build_error(op, name, f"axis {a % rank} specified more than once")
        out.append(a % rank)
    return out


def _roll_by_gather(x: Tensor, rank: int, shift, axis, name: str | None) -> Tensor:
    """tf.roll by shifts, or along dims, that the step's values give: element i of the result along an axis is
    element (i - shift) mod n."""
    from .array_ops import range as range_, shape
    from .math_ops import floormod
    label = name or "Roll"
    if isinstance(axis, Tensor) and constant_value(axis) is None:
        return _roll_along_fed_axes(x, rank, shift, fed_axis(axis, "axis"), name)
    axes = [int(a) for a in np.atleast_1d(static_ints(axis, "axis", "Roll", label))]
    shifts = list(shift) if isinstance(shift, (list, tuple)) else (
        [shift] if not isinstance(shift, Tensor) or shift.shape.ndims == 0 else
        [shift[i] for i in builtins.range(len(axes))])
    if len(shifts) != len(axes):
        raise build_error("Roll", label, f"shift and axis must have the same size, got {shift} and {axes}")
    with name_scope(name, "Roll", [x]):
        out = x
        for s, a in zip(shifts, axes):
            if not -rank <= a < rank:
                raise build_error("Roll", label, f"axis {a} is out of range for a tensor of rank {rank}")
            a %= rank
            n = x.shape.as_list()[a]
            n = shape(x)[a] if n is None else convert_to_tensor(n, dtype=i32)
            s = cast(s, i32) if isinstance(s, Tensor) else convert_to_tensor(check_int(s, "shift"), dtype=i32)
            out = gather(out, floormod(subtract(range_(n), s), n), axis=a)
        return out if out is not x else make("dfc.identity", [x], name="Roll")


def _roll_along_fed_axes(x: Tensor, rank: int, shift, axis: Tensor, name: str | None) -> Tensor:
    """tf.roll along axes the step's values give: a gather along each (read when the step runs, as TF's Roll
    reads its axis); the result keeps x's shape."""
    from .array_ops import range as range_, shape
    from .math_ops import floormod
    if axis.shape.ndims not in (0, 1) or (axis.shape.ndims == 1 and axis.shape.as_list()[0] is None):
        raise build_error("Roll", name or "Roll", f"roll's axis {axis.name} must be a scalar or a vector of known "
                                                  f"length, got shape {axis.shape}")
    axes = [axis] if axis.shape.ndims == 0 else [axis[i] for i in builtins.range(axis.shape.as_list()[0])]
    shift = convert_to_tensor(shift)
    shifts = [shift] if shift.shape.ndims == 0 else [shift[i] for i in builtins.range(len(axes))]
    with name_scope(name, "Roll", [x]):
        out = x
        for s, a in zip(shifts, axes):
            n = cast(shape(x)[floormod(a, rank)], i32)
            out = gather(out, floormod(subtract(range_(n), cast(s, i32)), n), axis=a)
        out.set_shape(x.shape)
        return out


def reverse(tensor, axis, name: str | None = None) -> Tensor:
    """The elements of `tensor` in reverse order along each dim in `axis` (TF1's reverse_v2)."""
    x = convert_to_tensor(tensor)
    label = name or "ReverseV2"
    if isinstance(axis, Tensor) and constant_value(axis) is None:  # read when the step runs (ir/ops/value_attrs.py)
        return make("dfc.dynamic_reverse", [fed_axis(axis, "axis"), x], name=label)
    rank = known_rank(x, "ReverseV2", label)
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
    rank = known_rank(x, "Roll", label)
    if _holds_tensors(shift) or _holds_tensors(axis) or (x.shape.ndims is not None and None in x.shape.as_list()):
        return _roll_by_gather(x, rank, shift, axis, name)
    shifts = np.atleast_1d(static_ints(shift, "shift", "Roll", label))
    axes = np.atleast_1d(static_ints(axis, "axis", "Roll", label))
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
                out = concat([axis_slice(out, a, n - s, n), axis_slice(out, a, 0, n - s)], a)
        return out if out is not x else make("dfc.identity", [x], name="Roll")


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
    rank = known_rank(x, "ReverseSequence", label)
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
    if isinstance(shape, Tensor) and constant_value(shape) is None and shape.op._dfc_ir().type == "dfc.shape_of":
        return make("dfc.broadcast_like", [x, shape.op.inputs[0]], name=label)
    static, dynamic, hint = shape_argument(shape, "broadcast_to shape")
    if dynamic is not None:  # broadcast against zeros of the shape the step's values give
        zero = constant(np.zeros((), x.dtype.np), dtype=x.dtype)
        with name_scope(name, "BroadcastTo", [x, dynamic]):
            template = make("dfc.dynamic_fill", [dynamic, zero], {"hint": hint}, name="zeros")
        return make("dfc.broadcast_like", [x, template], name=label)
    target = list(static)
    rank = known_rank(x, "BroadcastTo", label)
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
    if isinstance(repeats, Tensor) and constant_value(repeats) is None:
        return _repeat_by_values(x, repeats, axis, name)
    reps = static_ints(repeats, "repeats", "Repeat", label)
    with name_scope(name, "Repeat", [x]):
        if axis is None:
            x, axis = reshape(x, [-1]), 0
        rank = known_rank(x, "Repeat", label)
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


def _repeat_by_values(x: Tensor, repeats: Tensor, axis, name: str | None) -> Tensor:
    """tf.repeat with repeats the step gives (a scalar or one per element), as TF's: the rows of a
    sequence_mask's true entries, in order, are the elements' indices, which a gather picks."""
    from .array_ops import shape
    from .math_ops import reduce_max, where

    if not repeats.dtype.is_integer:
        raise TypeError(f"repeats {repeats.name} of tf.repeat must be integers, got {repeats.dtype.name}")
    with name_scope(name, "Repeat", [x, repeats]):
        if axis is None:
            x, axis = reshape(x, [-1]), 0
        rank = known_rank(x, "Repeat", name or "Repeat")
        axis = check_int(axis, "axis")
        if not -rank <= axis < rank:
            raise build_error("Repeat", name or "Repeat", f"axis {axis} is out of range for rank {rank}")
        counts = broadcast_to(repeats, shape(x)[axis % rank:axis % rank + 1])
        longest = maximum(reduce_max(counts), 0)
        which = where(sequence_mask(counts, longest))[:, 0]
        return gather(x, which, axis=axis % rank)


# ---- depth / space --------------------------------------------------------------------------------
def _blocks_of(x: Tensor, block_size, data_format: str, op: str, label: str) -> tuple[int, list]:
    """block_size and x's [n, h, w, c] dims for space_to_depth/depth_to_space: NHWC, 4-D, blocks of >= 2."""
    b = check_int(block_size, "block_size")
    if data_format != "NHWC":
        raise NotImplementedError(f"{build_error(op, label, '')} only data_format NHWC is supported")
    if known_rank(x, op, label) != 4 or b < 2:
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


__all__ = ["argsort", "batch_gather", "boolean_mask", "broadcast_to", "depth_to_space", "gather_nd",
           "invert_permutation", "lin_space", "linspace", "meshgrid", "pad", "repeat", "reverse", "reverse_sequence",
           "reverse_v2", "roll",
           "scatter_nd", "sequence_mask", "setdiff1d", "sort", "space_to_depth", "tensor_scatter_add",
           "tensor_scatter_nd_add", "tensor_scatter_nd_sub", "tensor_scatter_nd_update", "tensor_scatter_sub",
           "tensor_scatter_update", "unique"]
