"""Slicing and indexing of the DSL: tf.slice, tf.strided_slice and x[...] (ints, slices, Ellipsis, newaxis and
scalar tensors as indices, bounds or steps)."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from dfc.ir.dtypes import i32, i64
from dfc.ir.ops.shape import SLICE_END, SLICE_START_REVERSED

from .array_shape_ops import gather, shape, stack
from .framework import (Tensor, build_error, check_int, constant, constant_value, convert_to_tensor, make)


def slice(input_, begin, size, name: str | None = None) -> Tensor:  # noqa: A001 - TF's name
    """tf.slice: `size` elements from `begin` along each dim (-1: to the end)."""
    x = convert_to_tensor(input_)
    label = name or "Slice"
    begin_t, size_t = (_auto_pack(v) for v in (begin, size))
    if (begin_t is not None and constant_value(begin_t) is None) or (size_t is not None and
                                                                     constant_value(size_t) is None):
        parts = []
        for given, packed in ((begin, begin_t), (size, size_t)):
            packed = packed if packed is not None else constant(np.asarray(given, np.int64))
            parts.append(_as_i64(packed))
        if x.shape.ndims is not None and parts[0].shape.as_list() not in ([x.shape.ndims], [None]):
            raise build_error("dfc.slice", label, f"Expected begin and size arguments to be 1-D tensors of size "
                                                  f"{x.shape.ndims}, but got shapes {parts[0].shape} and "
                                                  f"{parts[1].shape} instead.")
        rank_ = x.shape.ndims
        hint = tuple(-1 for _ in builtins.range(rank_)) if rank_ is not None else ()
        known_size = constant_value(parts[1])
        if known_size is not None and rank_ is not None:
            hint = tuple(int(n) if n >= 0 else -1 for n in known_size)
        elif isinstance(size, (list, tuple)) and rank_ is not None and len(size) == rank_:
            hint = tuple(int(n) if isinstance(n, (int, np.integer)) and n >= 0 else -1 for n in size)
        return make("dfc.dynamic_slice", [x, parts[0], parts[1]],
                    {"strides": (1,) * (rank_ or 0), "hint": hint, "end_is_size": True, "bounded": True}, name=label)
    if begin_t is not None:
        begin = constant_value(begin_t).tolist()
    if size_t is not None:
        size = constant_value(size_t).tolist()
    begin = [check_int(b, "begin") for b in begin]
    size = [check_int(s, "size") for s in size]
    end = [SLICE_END if s == -1 else b + s for b, s in zip(begin, size)]
    # bounded: begin and size must lie inside the input (checked once its shape is known), as TF's Slice requires
    return make("dfc.slice", [x], {"begin": begin, "end": end, "strides": [1] * len(begin), "bounded": True},
                name=name or "Slice")


def slice_tensor(x: Tensor, key: Any) -> Tensor:
    """x[key] with ints, slices, Ellipsis and None (newaxis), as numpy indexing."""
    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(_index_part(k) for k in key)
    if any(isinstance(k, builtins.slice) and isinstance(k.step, Tensor) for k in key):
        return _slice_by_fed_steps(x, key)
    if any(isinstance(k, builtins.slice) and (isinstance(k.start, Tensor) or isinstance(k.stop, Tensor))
           for k in key):
        return _slice_by_tensors(x, key)
    if any(isinstance(k, Tensor) for k in key):
        return _index_by_tensors(x, key)
    rank_ = x.shape.ndims
    if rank_ is None:
        raise build_error("dfc.slice", "strided_slice", f"cannot index {x.name}: its rank is unknown when the graph "
                                                        f"is built (give it a shape, e.g. tf.placeholder(dtype, "
                                                        f"[None, ...]))")
    expanded = _expand_ellipsis(x, key, rank_)
    begin, end, strides, squeeze_axes, new_axes = [], [], [], [], []
    dims = x.shape.as_list()
    dim_i = 0
    out_dims = 0  # the result's dims so far: a new axis goes where numpy puts it
    for k in expanded:
        if k is None:
            new_axes.append(out_dims)
            out_dims += 1
            continue
        if not isinstance(k, (int, np.integer)):
            out_dims += 1
        d = dims[dim_i]
        if isinstance(k, (int, np.integer)):
            if d is None:  # checked once the dim is known: TF's run-time "slice index ... out of bounds"
                return _slice_by_tensors(x, key)
            k = int(k)
            if not -d <= k < d:
                raise build_error("dfc.slice", "strided_slice", f"slice index {k} of dimension {dim_i} out of bounds "
                                                                f"for {x.name} of shape {x.shape}")
            begin.append(k)
            end.append(k + 1 if k != -1 else SLICE_END)
            strides.append(1)
            squeeze_axes.append(dim_i)
        elif isinstance(k, builtins.slice):
            step = 1 if k.step is None else check_int(k.step, "slice step")
            if step == 0:
                raise build_error("dfc.slice", "strided_slice", "slice step cannot be zero")
            start_default, stop_default = (0, SLICE_END) if step > 0 else (SLICE_END, SLICE_START_REVERSED)
            begin.append(start_default if k.start is None else check_int(k.start, "slice start"))
            end.append(stop_default if k.stop is None else check_int(k.stop, "slice stop"))
            strides.append(step)
        else:
            raise TypeError(f"cannot index a tensor with {k!r}")
        dim_i += 1
    out = x
    if any(b != 0 or e != SLICE_END or s != 1 for b, e, s in zip(begin, end, strides)):
        out = make("dfc.slice", [x], {"begin": begin, "end": end, "strides": strides}, name="strided_slice")
    return _shrink_and_add_axes(out, squeeze_axes, new_axes)


def _expand_ellipsis(x: Tensor, key: tuple, rank: int) -> list[Any]:
    """The key with its Ellipsis (or, without one, its end) standing for full slices of the dims it leaves out."""
    fill = [builtins.slice(None)] * (rank - _indexed_dims(x, key, rank))
    expanded: list[Any] = []
    for k in key:
        expanded.extend(fill if k is Ellipsis else [k])
    return expanded if Ellipsis in key else expanded + fill


def _shrink_and_add_axes(out: Tensor, shrink: list[int], new_axes: list[int]) -> Tensor:
    """A strided slice's last steps: the dims indexed by an int dropped, then the newaxis dims inserted."""
    if shrink:
        out = make("dfc.squeeze", [out], {"axes": shrink}, name="strided_slice_squeeze")
    for axis in new_axes:
        out = make("dfc.expand_dims", [out], {"axis": axis}, name="strided_slice_newaxis")
    return out


def _as_i64(t: Tensor) -> Tensor:
    return t if t.dtype == i64 else make("dfc.cast", [t], {"dtype": i64})


def _auto_pack(v: Any) -> Tensor | None:
    """A tensor for `v` when it is one or a list holding tensors (packed as int64, TF's auto-packing), else None."""
    if isinstance(v, Tensor) or hasattr(v, "_as_tensor"):
        return convert_to_tensor(v)
    if isinstance(v, (list, tuple)) and any(isinstance(p, Tensor) or hasattr(p, "_as_tensor") for p in v):
        return stack([_as_i64(convert_to_tensor(p)) if isinstance(p, Tensor) or hasattr(p, "_as_tensor")
                      else constant(np.int64(p)) for p in v])
    return None


def _index_part(k: Any) -> Any:
    """One entry of an index: a tensor that is a known constant becomes its int; tensors must be integer
    scalars."""
    if isinstance(k, builtins.slice):
        return builtins.slice(_index_part(k.start), _index_part(k.stop), _index_part(k.step))
    if hasattr(k, "_as_tensor"):
        k = k._as_tensor()
    if not isinstance(k, Tensor):
        return k
    if k.dtype not in (i32, i64) or k.shape.ndims != 0:
        raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/"
                        f"tf.int64 tensors are valid indices, got {k.name} of type {k.dtype.name} and shape "
                        f"{k.shape}")
    known = constant_value(k)
    return int(known) if known is not None else k


def _index_by_tensors(x: Tensor, key: tuple) -> Tensor:
    """x[key] where some indices are scalar tensors: the rest sliced as constants, then a gather per tensor index
    (negative ones count from the end, as in TF), so one compiled step serves every index value."""
    axes, out_dims = [], 0
    for k in key:
        if isinstance(k, Tensor):
            axes.append((out_dims, k))
        if k is Ellipsis:
            if x.shape.ndims is None:
                raise build_error("dfc.slice", "strided_slice", f"indexing {x.name} with tensors needs its rank")
            out_dims += x.shape.ndims - sum(1 for j in key if j is not None and j is not Ellipsis)
        elif not isinstance(k, (int, np.integer)):
            out_dims += 1
    out = slice_tensor(x, tuple(builtins.slice(None) if isinstance(k, Tensor) else k for k in key))
    for axis, index in reversed(axes):
        dim = shape(out, out_type=index.dtype)[axis]
        wrapped = make("dfc.select", [index < 0, index + dim, index], name="strided_slice_index")
        out = gather(out, wrapped, axis=axis)
    return out


def _indexed_dims(x: Tensor, key: tuple, rank: int | None) -> int:
    """How many of x's dims an index key names (not None or ...): TF's errors for two ellipses or too many."""
    named = sum(1 for k in key if k is not None and k is not Ellipsis)
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise build_error("dfc.slice", "strided_slice", "an index can only have a single ellipsis ('...')")
    if rank is not None and named > rank:
        raise build_error("dfc.slice", "strided_slice", f"too many indices for {x.name} of rank {rank}")
    return named


def _slice_by_tensors(x: Tensor, key: tuple) -> Tensor:
    """x[key] where some bounds or indices are scalar tensors: a dfc.dynamic_slice, made a dfc.slice once their
    values are known (from the fed shapes, or computed before the step)."""
    rank_ = x.shape.ndims
    if rank_ is None:
        raise build_error("dfc.slice", "strided_slice", f"indexing {x.name} with tensors needs its rank")
    expanded = _expand_ellipsis(x, key, rank_)
    begin: list[Any] = []
    end: list[Any] = []
    strides, shrink, new_axes, hint = [], [], [], []
    dims = x.shape.as_list()
    out_dims = 0
    for k in expanded:
        if k is None:
            new_axes.append(out_dims)
            out_dims += 1
            continue
        if not isinstance(k, (int, np.integer, Tensor)):
            out_dims += 1
        axis, d = len(begin), dims[len(begin)]
        if isinstance(k, (int, np.integer, Tensor)):
            begin.append(k)
            end.append(0)  # made i + 1 once i is known (i = -1: to the end)
            strides.append(1)
            shrink.append(axis)
            hint.append(1)
            continue
        if not isinstance(k, builtins.slice):
            raise TypeError(f"cannot index a tensor with {k!r}")
        step = 1 if k.step is None else check_int(k.step, "slice step")
        if step == 0:
            raise build_error("dfc.slice", "strided_slice", "slice step cannot be zero")
        start_default, stop_default = (0, SLICE_END) if step > 0 else (SLICE_END, SLICE_START_REVERSED)
        b = start_default if k.start is None else k.start
        e = stop_default if k.stop is None else k.stop
        begin.append(b)
        end.append(e)
        strides.append(step)
        static = d is not None and not isinstance(b, Tensor) and not isinstance(e, Tensor)
        hint.append(len(builtins.range(*builtins.slice(b, e, step).indices(d))) if static else -1)

    def pack(parts: list) -> Tensor:
        return stack([_as_i64(p) if isinstance(p, Tensor) else constant(np.int64(p)) for p in parts])

    out = make("dfc.dynamic_slice", [x, pack(begin), pack(end)],
               {"strides": tuple(strides), "hint": tuple(hint), "shrink": tuple(shrink)}, name="strided_slice")
    return _shrink_and_add_axes(out, shrink, new_axes)


def _slice_by_fed_steps(x: Tensor, key: tuple) -> Tensor:
    """x[b:e:k] with steps the step's values give (x[::k]): a dfc.dynamic_strided_slice, whose left-out bounds
    take their place once the steps' signs are known (ir/ops/value_attrs.py). TF's shape has no rank."""
    from dfc.ir.ops.value_attrs import OMITTED

    rank_ = x.shape.ndims
    if rank_ is None:
        raise build_error("dfc.slice", "strided_slice", f"indexing {x.name} with a tensor step needs its rank")
    expanded = _expand_ellipsis(x, key, rank_)
    begin, end, steps, shrink, new_axes = [], [], [], [], []
    out_dims = 0
    for k in expanded:
        if k is None:
            new_axes.append(out_dims)
            out_dims += 1
            continue
        if isinstance(k, (int, np.integer)):
            shrink.append(len(begin))
            begin.append(int(k))
            end.append(int(k) + 1 if k != -1 else SLICE_END)
            steps.append(1)
            continue
        if not isinstance(k, builtins.slice) or isinstance(k.start, Tensor) or isinstance(k.stop, Tensor):
            raise build_error("dfc.slice", "strided_slice", f"indexing {x.name} with a tensor step takes constant "
                                                            f"bounds and indices, got {k!r}")
        out_dims += 1
        begin.append(OMITTED if k.start is None else check_int(k.start, "slice start"))
        end.append(OMITTED if k.stop is None else check_int(k.stop, "slice stop"))
        steps.append(k.step if k.step is not None else 1)
    strides = stack([_as_i64(s) if isinstance(s, Tensor) else constant(np.int64(s)) for s in steps])
    out = make("dfc.dynamic_strided_slice", [strides, x],
               {"begin": tuple(begin), "end": tuple(end), "keep_rank": bool(shrink or new_axes)}, name="strided_slice")
    return _shrink_and_add_axes(out, shrink, new_axes)


def _mask_bits(mask: Any, what: str) -> int:
    value = check_int(mask, what)
    if value < 0:
        raise ValueError(f"{what} must be non-negative, got {value}")
    return value


def strided_slice(input_, begin, end, strides=None, begin_mask: int = 0, end_mask: int = 0, ellipsis_mask: int = 0,
                  new_axis_mask: int = 0, shrink_axis_mask: int = 0, var=None, name: str | None = None) -> Tensor:
    """tf.strided_slice: entry i of begin/end/strides slices one dim, read through the masks' bit i
    (begin_mask/end_mask: ignore begin[i]/end[i]; ellipsis_mask: the remaining dims; new_axis_mask: a new
    dim of size 1; shrink_axis_mask: take index begin[i] and drop the dim), as x[...] spells it."""
    x = convert_to_tensor(input_)
    label = name or "StridedSlice"
    vectors = []
    for what, v in (("begin", begin), ("end", end), ("strides", strides)):
        if v is None:
            vectors.append(None)
            continue
        if isinstance(v, Tensor) and constant_value(v) is None:
            if v.shape.ndims != 1 or v.shape.as_list()[0] is None:
                raise NotImplementedError(f"{build_error('StridedSlice', label, '')} {what} {v.name} must be a "
                                          f"constant or a vector of known length")
            # one gather per entry (single-result ops: specialize folds them once v's shape inputs are known)
            vectors.append([make("dfc.gather", [v, constant(np.int32(i))], {"axis": 0}, name=f"{label}_{what}")
                            for i in builtins.range(v.shape.as_list()[0])])
            continue
        array = np.asarray(constant_value(v) if isinstance(v, Tensor) else
                           [constant_value(e) if isinstance(e, Tensor) and constant_value(e) is not None else e
                            for e in v] if isinstance(v, (list, tuple)) else v, dtype=object)
        if array.ndim != 1:
            raise build_error("StridedSlice", label, f"{what} must be a vector, got shape {list(array.shape)}")
        vectors.append(list(array))
    begin_v, end_v, strides_v = vectors
    if strides_v is None:
        strides_v = [1] * len(begin_v)
    if not len(begin_v) == len(end_v) == len(strides_v):
        raise build_error("StridedSlice", label, f"Expected begin, end, and strides to be 1D equal size tensors, but "
                                                 f"got shapes [{len(begin_v)}], [{len(end_v)}], and "
                                                 f"[{len(strides_v)}] instead.")
    bits = {w: _mask_bits(m, w) for w, m in (("begin_mask", begin_mask), ("end_mask", end_mask),
                                               ("ellipsis_mask", ellipsis_mask), ("new_axis_mask", new_axis_mask),
                                               ("shrink_axis_mask", shrink_axis_mask))}
    if bin(bits["ellipsis_mask"]).count("1") > 1:
        raise build_error("StridedSlice", label, "Multiple ellipses in slice spec not allowed")
    key: list[Any] = []
    for i, (b, e, s) in enumerate(zip(begin_v, end_v, strides_v)):
        if bits["ellipsis_mask"] >> i & 1:
            key.append(Ellipsis)
        elif bits["new_axis_mask"] >> i & 1:
            key.append(None)
        elif bits["shrink_axis_mask"] >> i & 1:
            key.append(b)
        else:
            key.append(builtins.slice(None if bits["begin_mask"] >> i & 1 else b,
                                      None if bits["end_mask"] >> i & 1 else e, s))
    return slice_tensor(x, tuple(key))
