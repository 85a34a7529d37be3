"""Tensor-making and shape functions of the DSL: constant, placeholder, fills, reshape, concat, slicing, ..."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, f32, f64, i32, i64
from dfc.ir.ops.shape import SLICE_END, SLICE_START_REVERSED
from dfc.ir.types import TensorType

from .framework import (Tensor, TensorShape, build_error, check_int, constant, constant_value, convert_to_tensor,
                        define_tensor_operators, is_tensor_like, make, make_op, static_shape, wrap)


# ---- sources -----------------------------------------------------------------------------------
def placeholder(dtype, shape=None, name: str | None = None) -> Tensor:
    """A value fed at run time; None dims (and shape=None for a scalar-or-unknown) stay unknown until fed."""
    dtype = as_dtype(dtype)
    if shape is None or (isinstance(shape, TensorShape) and shape.ndims is None):
        return make("dfc.placeholder", [], name=name or "Placeholder", result_types=[TensorType(dtype, None)])
    dims = TensorShape(shape).as_list() if not isinstance(shape, (int, np.integer)) else [int(shape)]
    dims = [None if d is None or (isinstance(d, (int, np.integer)) and d < 0) else int(d) for d in dims]
    return make("dfc.placeholder", [], name=name or "Placeholder", result_types=[TensorType(dtype, tuple(dims))])


def placeholder_with_default(input, shape, name: str | None = None) -> Tensor:
    """The default value unless fed: feeding any tensor cuts its producer, so identity suffices."""
    value = convert_to_tensor(input)
    return make("dfc.identity", [value], name=name or "PlaceholderWithDefault")


def shape_argument(shape: Any, what: str = "shape") -> tuple[tuple[int, ...] | None, Tensor | None, tuple[int, ...]]:
    """A shape argument as (static dims, None) when known now, else (None, 1-D int tensor, build-time hint).

    TF1 takes a list of ints, a TensorShape, a 1-D int tensor (tf.shape(x)) or a list mixing ints
    and scalar int tensors (packed with tf.stack). The hint holds each dim known now, -1 for the rest.
    """
    if isinstance(shape, TensorShape):
        if shape.is_fully_defined():
            return tuple(shape.as_list()), None, ()
        raise ValueError(f"{what} {shape} must be fully defined")
    if isinstance(shape, Tensor):
        known = constant_value(shape)
        if known is not None:
            return tuple(int(d) for d in np.atleast_1d(known)), None, ()
        if not shape.dtype.is_integer:
            raise TypeError(f"{what} tensor {shape.name} must be int32 or int64, got {shape.dtype.name}")
        if shape.shape.ndims not in (None, 1):
            raise ValueError(f"{what} tensor {shape.name} must be a vector, got shape {shape.shape}")
        return None, shape, _shape_hint(shape)
    if isinstance(shape, (list, tuple)) and any(isinstance(d, Tensor) or hasattr(d, "_as_tensor") for d in shape):
        parts = [convert_to_tensor(d) if isinstance(d, Tensor) or hasattr(d, "_as_tensor") else d for d in shape]
        dtype = next(p.dtype for p in parts if isinstance(p, Tensor))
        parts = [p if isinstance(p, Tensor) else constant(check_int(p, f"{what} dim"), dtype=dtype) for p in parts]
        values = [constant_value(p) for p in parts]
        if all(v is not None for v in values):
            return tuple(int(v) for v in values), None, ()
        hint = tuple(-1 if v is None else int(v) for v in values)
        return None, stack(parts, name=f"{what.replace(' ', '_')}_stack"), hint
    return static_shape(shape), None, ()


def _shape_hint(shape: Tensor) -> tuple[int, ...]:
    """The dims of a shape tensor that are known now: those of tf.shape(x) where x's dims are."""
    if shape.op.type == "dfc.shape_of":
        source = shape.op.inputs[0].shape
        if source.ndims is not None:
            return tuple(-1 if d is None else d for d in source.as_list())
    return ()


def fill(dims, value, name: str | None = None) -> Tensor:
    value = convert_to_tensor(value)
    static, dynamic, hint = shape_argument(dims, "fill dims")
    if dynamic is not None:
        return make("dfc.dynamic_fill", [dynamic, value], {"hint": hint}, name=name or "Fill")
    known = constant_value(value)
    if known is not None:
        return constant(np.full(static, known, dtype=value.dtype.np), name=name or "Fill")
    return zeros(static, value.dtype) + value


def _filled(shape, dtype, fill_value, name: str) -> Tensor:
    dtype = as_dtype(dtype)
    static, dynamic, hint = shape_argument(shape)
    if dynamic is not None:
        return make("dfc.dynamic_fill", [dynamic, constant(fill_value, dtype=dtype)], {"hint": hint}, name=name)
    # a scalar broadcast by constant(): it checks the shape and reports an impossible allocation
    return constant(np.asarray(fill_value).astype(dtype.np), dtype=dtype, shape=static, name=name)


def zeros(shape, dtype=f32, name: str | None = None) -> Tensor:
    return _filled(shape, dtype, 0, name or "zeros")


def ones(shape, dtype=f32, name: str | None = None) -> Tensor:
    return _filled(shape, dtype, 1, name or "ones")


def _fill_like(tensor, value, dtype, name):
    tensor = convert_to_tensor(tensor)
    dtype = as_dtype(dtype) if dtype is not None else tensor.dtype
    return make("dfc.fill_like", [tensor], {"value": float(value), "dtype": dtype}, name=name)


def zeros_like(tensor, dtype=None, name: str | None = None, optimize: bool = True) -> Tensor:
    return _fill_like(tensor, 0.0, dtype, name or "zeros_like")


def ones_like(tensor, dtype=None, name: str | None = None, optimize: bool = True) -> Tensor:
    return _fill_like(tensor, 1.0, dtype, name or "ones_like")


def range(start, limit=None, delta=1, dtype=None, name: str = "range") -> Tensor:  # noqa: A001 - TF's name
    if limit is None:
        start, limit = 0, start
    bounds = [convert_to_tensor(v) if isinstance(v, Tensor) or hasattr(v, "_as_tensor") else v
              for v in (start, limit, delta)]
    if any(isinstance(b, Tensor) and constant_value(b) is None for b in bounds):
        return _range_of_tensors(bounds, dtype, name)
    values = [check_int(v, "range bound") if not isinstance(v, float) else v for v in (start, limit, delta)]
    if values[2] == 0:
        raise build_error("dfc.constant", name, f"Requires delta != 0: {values[2]}")
    if (values[2] > 0 and values[0] > values[1]) or (values[2] < 0 and values[0] < values[1]):
        relation = "start <= limit when delta > 0" if values[2] > 0 else "start >= limit when delta < 0"
        raise build_error("dfc.constant", name, f"Requires {relation}: {values[0]}/{values[1]}")
    dtype = as_dtype(dtype) if dtype is not None else (f32 if any(isinstance(v, float) for v in values) else i32)
    return constant(np.arange(*values).astype(dtype.np), name=name)


#: TF1's tf.range picks the widest of its arguments' dtypes in this order
_RANGE_DTYPES = (i32, i64, f32, f64)


def _range_of_tensors(bounds: list, dtype, name: str) -> Tensor:
    """tf.range whose bounds are tensors: a dfc.dynamic_range, a constant once the fed shapes fold its bounds."""
    if dtype is None:
        seen = [b.dtype if isinstance(b, Tensor) else (f32 if isinstance(b, float) else i32) for b in bounds]
        if any(d not in _RANGE_DTYPES for d in seen):
            bad = next(d for d in seen if d not in _RANGE_DTYPES)
            raise TypeError(f"tf.range '{name}': bounds of type {bad.name} are not supported (int32, int64, float32, "
                            f"float64)")
        dtype = max(seen, key=_RANGE_DTYPES.index)
    dtype = as_dtype(dtype)
    operands = []
    for b, what in zip(bounds, ("start", "limit", "delta")):
        b = convert_to_tensor(b, dtype=dtype) if not isinstance(b, Tensor) else b
        if b.dtype != dtype:
            b = make("dfc.cast", [b], {"dtype": dtype}, name=f"{name}/Cast")
        if b.shape.ndims not in (None, 0):
            raise ValueError(f"tf.range '{name}': {what} must be a scalar, got shape {b.shape}")
        operands.append(b)
    return make("dfc.dynamic_range", operands, {"dtype": dtype}, name=name)


# ---- shape functions ---------------------------------------------------------------------------
def shape(input, name: str | None = None, out_type=i32) -> Tensor:
    x = convert_to_tensor(input)
    if x.shape.is_fully_defined():
        return constant(np.array(x.shape.as_list(), dtype=as_dtype(out_type).np), name=name or "Shape")
    return make("dfc.shape_of", [x], {"dtype": as_dtype(out_type)}, name=name or "Shape")


def size(input, name: str | None = None, out_type=i32) -> Tensor:
    x = convert_to_tensor(input)
    if x.shape.is_fully_defined():
        return constant(np.array(x.shape.num_elements(), dtype=as_dtype(out_type).np), name=name or "Size")
    return make("dfc.reduce_prod", [shape(x, out_type=out_type)], {"axes": (0,), "keepdims": False},
                name=name or "Size")


def rank(input, name: str | None = None) -> Tensor:
    """The number of dims of `input`: a constant when known now, else resolved once the fed shapes are."""
    x = convert_to_tensor(input)
    if x.shape.ndims is not None:
        return constant(np.int32(x.shape.ndims), name=name or "Rank")
    dims = make("dfc.shape_of", [x], {"dtype": i32}, name="Rank_shape")
    return reshape(make("dfc.shape_of", [dims], {"dtype": i32}, name="Rank_count"), [], name=name or "Rank")


def reshape(tensor, shape, name: str | None = None) -> Tensor:
    x = convert_to_tensor(tensor)
    dims = shape.as_list() if isinstance(shape, TensorShape) else shape
    if isinstance(dims, Tensor) or (isinstance(dims, (list, tuple)) and
                                    any(isinstance(d, Tensor) or hasattr(d, "_as_tensor") for d in dims)):
        static, dynamic, hint = shape_argument(dims, "reshape shape")
        if dynamic is not None:
            return make("dfc.dynamic_reshape", [x, dynamic], {"hint": hint}, name=name or "Reshape")
        dims = list(static)
    dims = [-1 if d is None else check_int(d, "reshape dim") for d in np.atleast_1d(np.asarray(dims, dtype=object))] \
        if np.ndim(dims) else []
    return make("dfc.reshape", [x], {"shape": dims}, name=name or "Reshape")


def transpose(a, perm=None, name: str = "transpose", conjugate: bool = False) -> Tensor:
    x = convert_to_tensor(a)
    rank_ = x.shape.ndims
    perm = list(reversed(builtins.range(rank_))) if perm is None else [check_int(p, "perm") for p in perm]
    return make("dfc.transpose", [x], {"perm": perm}, name=name)


def expand_dims(input, axis=None, name: str | None = None, dim=None) -> Tensor:
    axis = dim if axis is None else axis
    if axis is None:
        raise build_error("dfc.expand_dims", name or "ExpandDims", "expand_dims needs an axis")
    return make("dfc.expand_dims", [convert_to_tensor(input)], {"axis": check_int(axis, "axis")},
                name=name or "ExpandDims")


def squeeze(input, axis=None, name: str | None = None, squeeze_dims=None) -> Tensor:
    x = convert_to_tensor(input)
    axis = squeeze_dims if axis is None else axis
    if axis is None:
        if not x.shape.is_fully_defined() and None in x.shape.as_list():
            unknown = [i for i, d in enumerate(x.shape.as_list()) if d is None]
            raise build_error("dfc.squeeze", name or "Squeeze", f"squeeze of {x.name} with unknown dims {unknown}: "
                                                                f"give the axes to squeeze")
        axes = [i for i, d in enumerate(x.shape.as_list()) if d == 1]
    else:
        axes = [check_int(a, "axis") for a in np.atleast_1d(axis)]
    return make("dfc.squeeze", [x], {"axes": axes}, name=name or "Squeeze")


def concat(values, axis, name: str = "concat") -> Tensor:
    if isinstance(values, (int, np.integer)) and isinstance(axis, (list, tuple)):
        values, axis = axis, values  # TF < 1.0 spelled it concat(concat_dim, values)
    tensors = [convert_to_tensor(v) for v in values]
    if not tensors:
        raise build_error("dfc.concat", name, "concat needs at least one tensor")
    if len(tensors) == 1:
        return make("dfc.identity", tensors, name=name)
    return make("dfc.concat", tensors, {"axis": check_int(axis, "axis")}, name=name)


def split(value=None, num_or_size_splits=None, axis=0, num=None, name: str = "split", **legacy) -> list[Tensor]:
    """split(value, num_or_size_splits, axis), and TF < 1.0's split(split_dim, num_split, value)."""
    if "split_dim" in legacy or "num_split" in legacy:
        value, num_or_size_splits, axis = legacy.get("value", axis), legacy["num_split"], legacy["split_dim"]
    elif isinstance(value, (int, np.integer)) and not isinstance(axis, (int, np.integer)):
        value, num_or_size_splits, axis = axis, num_or_size_splits, value
    x = convert_to_tensor(value)
    axis = check_int(axis, "axis")
    rank_ = x.shape.ndims
    if not -rank_ <= axis < rank_:
        raise build_error("dfc.split", name, f"axis {axis} is out of range for {x.name} of rank {rank_} "
                                             f"(expected [-{rank_}, {rank_}))")
    dim = x.shape.as_list()[axis]
    if isinstance(num_or_size_splits, (int, np.integer)):
        n = int(num_or_size_splits)
        if dim is None:
            raise build_error("dfc.split", name, f"cannot split the unknown dim {axis} of {x.name} into {n} pieces")
        if n <= 0 or dim % n:
            raise build_error("dfc.split", name, f"Dimension {axis} of {x.name} has size {dim}, which is not "
                                                 f"divisible by {n}")
        sizes = [dim // n] * n
    else:
        sizes = [check_int(s, "split size") for s in num_or_size_splits]
        if any(s < -1 for s in sizes) or sizes.count(-1) > 1:
            raise build_error("dfc.split", name, f"split sizes {sizes} must be non-negative (one may be -1: the rest)")
        if sizes.count(-1) == 1 and dim is not None:
            sizes[sizes.index(-1)] = dim - (sum(sizes) + 1)
    op = make_op("dfc.split", [x], {"axis": axis, "sizes": sizes}, name=name)
    return [wrap(r) for r in op.results]


def stack(values, axis: int = 0, name: str = "stack") -> Tensor:
    tensors = [convert_to_tensor(v) for v in values]
    if not tensors:
        raise build_error("dfc.concat", name, "stack needs at least one tensor")
    rank_ = tensors[0].shape.ndims
    axis = check_int(axis, "axis")
    if not -rank_ - 1 <= axis <= rank_:
        raise build_error("dfc.concat", name, f"stack axis {axis} is out of range for tensors of rank {rank_}")
    expanded = [expand_dims(t, axis, name=f"{name}_expand") for t in tensors]
    return concat(expanded, axis % (rank_ + 1), name=name)


pack = stack


def unstack(value, num=None, axis: int = 0, name: str = "unstack") -> list[Tensor]:
    x = convert_to_tensor(value)
    axis, rank_ = check_int(axis, "axis"), x.shape.ndims
    if not -rank_ <= axis < rank_:
        raise build_error("dfc.split", name, f"axis = {axis} not in [{-rank_}, {rank_}): cannot unstack {x.name} of "
                                             f"rank {rank_}")
    axis %= rank_
    n = x.shape.as_list()[axis] if num is None else num
    if n is None:
        raise build_error("dfc.split", name, f"cannot unstack {x.name} along its unknown dim {axis}; pass num")
    return [squeeze(p, [axis]) for p in split(x, n, axis, name=name)]


def tile(input, multiples, name: str | None = None) -> Tensor:
    return make("dfc.tile", [convert_to_tensor(input)], {"multiples": static_shape(multiples)}, name=name or "Tile")


def gather(params, indices, validate_indices=None, name: str | None = None, axis=0) -> Tensor:
    params = convert_to_tensor(params)
    indices = convert_to_tensor(indices)
    return make("dfc.gather", [params, indices], {"axis": check_int(axis, "axis")}, name=name or "GatherV2")


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name: str | None = None) -> Tensor:
    indices = convert_to_tensor(indices)
    dtype = as_dtype(dtype) if dtype is not None else f32
    return make("dfc.one_hot", [indices], {"depth": check_int(depth, "depth"),
                                           "axis": -1 if axis is None else check_int(axis, "axis"),
                                           "on_value": 1.0 if on_value is None else float(on_value),
                                           "off_value": 0.0 if off_value is None else float(off_value),
                                           "dtype": dtype}, name=name or "one_hot")


def identity(input, name: str | None = None) -> Tensor:
    return make("dfc.identity", [convert_to_tensor(input)], name=name or "Identity")


def slice(input_, begin, size, name: str | None = None) -> Tensor:  # noqa: A001 - TF's name
    """tf.slice: `size` elements from `begin` along each dim (-1: to the end)."""
    x = convert_to_tensor(input_)
    if _dynamic_vector(begin) is not None or _dynamic_vector(size) is not None:
        return _slice_by_tensors(x, begin, size, name or "Slice")
    begin = [check_int(b, "begin") for b in begin]
    size = [check_int(s, "size") for s in size]
    end = [SLICE_END if s == -1 else b + s for b, s in zip(begin, size)]
    # bounded: begin and size must lie inside the input (checked once its shape is known), as TF's Slice requires
    return make("dfc.slice", [x], {"begin": begin, "end": end, "strides": [1] * len(begin), "bounded": True},
                name=name or "Slice")


def _dynamic_vector(v: Any) -> Tensor | None:
    """v as a 1-D int64 tensor when some of it is known only from tensors (tf.shape(x)[0]), else None."""
    if isinstance(v, Tensor):
        return None if constant_value(v) is not None else v
    if isinstance(v, (list, tuple)) and any(is_tensor_like(e) and constant_value(convert_to_tensor(e)) is None
                                            for e in v):
        parts = [convert_to_tensor(e) for e in v]
        parts = [p if p.dtype is i64 else make("dfc.cast", [p], {"dtype": i64}) for p in parts]
        return stack(parts, name="slice_vector")
    return None


def _slice_by_tensors(x: Tensor, begin: Any, size: Any, name: str) -> Tensor:
    """tf.slice with begin or size from tensors: end = begin + size (size -1: to the end), one dynamic slice."""
    rank_ = x.shape.ndims
    if rank_ is None:
        raise build_error("dfc.slice", name, f"slice needs the rank of {x.name}, which is unknown")

    def vector(v: Any) -> Tensor:
        dyn = _dynamic_vector(v)
        if dyn is None:
            known = constant_value(v) if isinstance(v, Tensor) else v
            dyn = constant(np.asarray([check_int(e, "slice bound") for e in np.atleast_1d(known)], np.int64))
        dyn = dyn if dyn.dtype is i64 else make("dfc.cast", [dyn], {"dtype": i64})
        if dyn.shape.ndims != 1 or dyn.shape.as_list()[0] not in (None, rank_):
            raise build_error("dfc.slice", name, f"begin and size must have {rank_} entries for {x.name}, got "
                                                 f"{dyn.shape}")
        return dyn
    b, s = vector(begin), vector(size)
    sizes = size if isinstance(size, (list, tuple)) else [None] * rank_
    hint = []
    for v in sizes:
        known = constant_value(convert_to_tensor(v)) if v is not None and is_tensor_like(v) else v
        hint.append(int(known) if known is not None and int(known) >= 0 else -1)
    to_end = make("dfc.equal", [s, constant(np.int64(-1))])
    e = make("dfc.select", [to_end, constant(np.int64(SLICE_END)), make("dfc.add", [b, s])])
    rows = [make("dfc.expand_dims", [b], {"axis": 0}), make("dfc.expand_dims", [e], {"axis": 0})]
    bounds = make("dfc.concat", rows, {"axis": 0}, name=f"{name}_bounds")
    return make("dfc.dynamic_slice", [x, bounds], {"strides": [1] * rank_, "hint": hint}, name=name)


def slice_tensor(x: Tensor, key: Any) -> Tensor:
    """x[key] with ints, slices, Ellipsis, None (tf.newaxis) and scalar int tensors, as numpy indexing."""
    if not isinstance(key, tuple):
        key = (key,)
    return _strided_slice_spec(convert_to_tensor(x), list(key), "strided_slice")


def _index_value(k: Any, what: str, name: str) -> Any:
    """An index entry as a Python int, or a scalar int tensor whose value is known only at run time."""
    if hasattr(k, "_as_tensor") and not isinstance(k, Tensor):
        k = convert_to_tensor(k)
    if isinstance(k, Tensor):
        known = constant_value(k)
        if known is None:
            if not k.dtype.is_integer or k.shape.ndims != 0:
                raise TypeError(f"{build_error('dfc.slice', name, '')} {what} must be a scalar int32/int64 "
                                f"tensor, got {k.name} of type {k.dtype.name} and shape {k.shape}")
            return k
        k = known
    if isinstance(k, (bool, np.bool_)):
        raise TypeError(f"{build_error('dfc.slice', name, '')} {what} must be an int, got {k!r}")
    try:
        return check_int(k, what)
    except (TypeError, ValueError):
        raise TypeError(f"{build_error('dfc.slice', name, '')} {what} must be an int, a slice, tf.newaxis, "
                        f"Ellipsis or a scalar int tensor, got {k!r}") from None


def _strided_slice_spec(x: Tensor, key: list, name: str) -> Tensor:
    """The slice of x a numpy-style index describes (TF's strided_slice semantics): slices first (one
    dfc.slice), then the shrunk dims squeezed, dynamic scalar indices gathered, new axes inserted."""
    rank_ = x.shape.ndims
    if rank_ is None:
        raise build_error("dfc.slice", name, f"slicing needs the rank of {x.name}, which is unknown")
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise build_error("dfc.slice", name, "Multiple ellipses in slice spec not allowed")
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_real > rank_:
        raise build_error("dfc.slice", name, f"Index out of range using input dim {rank_}; input {x.name} has "
                                             f"only {rank_} dims")
    expanded: list[Any] = []
    for k in key:
        expanded.extend([builtins.slice(None)] * (rank_ - n_real) if k is Ellipsis else [k])
    if Ellipsis not in key:
        expanded.extend([builtins.slice(None)] * (rank_ - n_real))
    begin, end, strides, squeeze_axes, new_axes = [], [], [], [], []
    dynamic: list[tuple[int, Tensor]] = []  # (input dim, scalar index tensor)
    dims = x.shape.as_list()
    dim_i = out_pos = 0
    for k in expanded:
        if k is None:
            new_axes.append(out_pos)
            out_pos += 1
            continue
        d = dims[dim_i]
        if isinstance(k, builtins.slice):
            parts = [None if v is None else _index_value(v, "slice bound", name) for v in (k.start, k.stop, k.step)]
            start, stop, step = parts
            if isinstance(step, Tensor):
                raise NotImplementedError(f"{build_error('dfc.slice', name, '')} a slice of {x.name} with the tensor "
                                          f"step {step.name}: the step must be known when the graph is built")
            step = 1 if step is None else step
            if step == 0:
                raise build_error("dfc.slice", name, f"strides[{dim_i}] must be non-zero")
            start_default, stop_default = (0, SLICE_END) if step > 0 else (SLICE_END, SLICE_START_REVERSED)
            begin.append(start_default if start is None else start)
            end.append(stop_default if stop is None else stop)
            strides.append(step)
            out_pos += 1
        else:
            k = _index_value(k, "index", name)
            if isinstance(k, Tensor):
                dynamic.append((dim_i, k))
                begin.append(0), end.append(SLICE_END), strides.append(1)
            else:
                if d is not None and not -d <= k < d:
                    raise build_error("dfc.slice", name, f"slice index {k} of dimension {dim_i} out of bounds for "
                                                         f"{x.name} of shape {x.shape}")
                begin.append(k)
                end.append(k + 1 if k != -1 else SLICE_END)
                strides.append(1)
                squeeze_axes.append(dim_i)
        dim_i += 1
    if len({index.dtype for _, index in dynamic}) > 1:
        raise TypeError(f"{build_error('dfc.slice', name, '')} the index tensors of {x.name} must share one dtype, "
                        f"got {', '.join(f'{t.name} ({t.dtype.name})' for _, t in dynamic)}")
    out = x
    if any(isinstance(v, Tensor) for v in begin + end):
        out = _bounded_by_tensors(x, begin, end, strides, name)
    elif any(b != 0 or e != SLICE_END or s != 1 for b, e, s in zip(begin, end, strides)):
        out = make("dfc.slice", [x], {"begin": begin, "end": end, "strides": strides}, name=name)
    if squeeze_axes:
        out = make("dfc.squeeze", [out], {"axes": squeeze_axes}, name=f"{name}_shrink")
    for dim, index in reversed(dynamic):  # from the last, so the earlier dims keep their positions
        axis = dim - sum(1 for a in squeeze_axes if a < dim)
        out = gather(out, _wrapped_index(index, x, dim), axis=axis, name=f"{name}_index")
    for axis in new_axes:  # ascending final positions: each insertion leaves the earlier ones in place
        out = make("dfc.expand_dims", [out], {"axis": axis}, name=f"{name}_newaxis")
    if out is x:
        out = make("dfc.identity", [x], name=name)
    return out


def _bounded_by_tensors(x: Tensor, begin: list, end: list, strides: list[int], name: str) -> Tensor:
    """A slice whose bounds include scalar tensors: a dfc.dynamic_slice, made static once the fed shapes fix
    the bounds (tf.shape(y)[1] and arithmetic on shapes); bounds that depend on fed values fail the run."""
    pieces = []
    for v in begin + end:
        if isinstance(v, Tensor):
            if v.shape.ndims not in (None, 0):
                raise build_error("dfc.slice", name, f"slice bound {v.name} must be a scalar, got shape {v.shape}")
            pieces.append(make("dfc.reshape", [v if v.dtype is i64 else make("dfc.cast", [v], {"dtype": i64})],
                               {"shape": [1]}))
        else:
            pieces.append(constant(np.array([v], np.int64)))
    rank_ = len(strides)
    bounds = make("dfc.reshape", [make("dfc.concat", pieces, {"axis": 0})], {"shape": [2, rank_]},
                  name=f"{name}_bounds")
    dims = x.shape.as_list()
    hint = []
    for d, b, e, s in zip(dims, begin, end, strides):
        static = d is not None and not isinstance(b, Tensor) and not isinstance(e, Tensor)
        hint.append(len(builtins.range(*builtins.slice(b, e, s).indices(d))) if static else -1)
    return make("dfc.dynamic_slice", [x, bounds], {"strides": strides, "hint": hint}, name=name)


def _wrapped_index(index: Tensor, x: Tensor, dim: int) -> Tensor:
    """A run-time index counted from the end when negative, as strided_slice takes it (gather takes 0..n-1)."""
    size = x.shape.as_list()[dim]
    if size is not None:
        size_t = constant(np.asarray(size, index.dtype.np))
    else:
        size_t = make("dfc.gather", [make("dfc.shape_of", [x], {"dtype": index.dtype}),
                                     constant(np.asarray(dim, np.int32))], {"axis": 0})
    zero = constant(np.zeros((), index.dtype.np))
    return make("dfc.select", [make("dfc.less", [index, zero]), make("dfc.add", [index, size_t]), index])


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
    return _strided_slice_spec(x, key, label)


define_tensor_operators(getitem=slice_tensor)
