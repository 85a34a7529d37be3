"""Tensor-making and shape functions of the DSL: constant, placeholder, fills, reshape, concat, slicing, ..."""

from __future__ import annotations

import builtins
import os
import sys
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, f32, f64, i32, i64
from dfc.ir.ops.shape import SLICE_END, SLICE_START_REVERSED
from dfc.ir.types import TensorType

from .framework import (Tensor, TensorShape, build_error, check_int, constant, constant_value, convert_to_tensor,
                        define_tensor_operators, fed_axis, make, make_op, name_scope, static_shape, wrap)


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
    if shape.op._dfc_ir().type == "dfc.shape_of":
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
    if value.dtype.name == "bool":  # no add for bools: a fill whose shape operand is a constant
        return make("dfc.dynamic_fill", [constant(np.asarray(static, np.int32)), value], {"hint": tuple(static)},
                    name=name or "Fill")
    return zeros(static, value.dtype) + value


def _filled(shape, dtype, fill_value, name: str) -> Tensor:
    dtype = as_dtype(dtype)
    static, dynamic, hint = shape_argument(shape)
    if dynamic is not None:
        value = constant(np.asarray(fill_value).astype(dtype.np), dtype=dtype)  # 0 as False for a bool fill
        return make("dfc.dynamic_fill", [dynamic, value], {"hint": hint}, name=name)
    # a scalar broadcast by constant(): it checks the shape and reports an impossible allocation
    return constant(np.asarray(fill_value).astype(dtype.np), dtype=dtype, shape=static, name=name)


def zeros(shape, dtype=f32, name: str | None = None) -> Tensor:
    # a string's zero is the empty string (tf.map_fn's string results start as one)
    return _filled(shape, dtype, b"" if as_dtype(dtype).name == "string" else 0, name or "zeros")


def ones(shape, dtype=f32, name: str | None = None) -> Tensor:
    return _filled(shape, dtype, 1, name or "ones")


def _fill_like(tensor, value, dtype, name, optimize: bool):
    tensor = convert_to_tensor(tensor)
    dtype = as_dtype(dtype) if dtype is not None else tensor.dtype
    if dtype.name == "string" and value == 0:  # zeros_like of strings: empty strings, in the tensor's shape
        return _filled(tensor.shape.as_list() if optimize and tensor.shape.is_fully_defined() else shape(tensor),
                       dtype, b"", name)
    if optimize and tensor.shape.is_fully_defined():
        # as TF: a static shape makes a constant that does not wait on (or read) the tensor, a variable included
        return _filled(tensor.shape.as_list(), dtype, value, name)
    return make("dfc.fill_like", [tensor], {"value": float(value), "dtype": dtype}, name=name)


def zeros_like(tensor, dtype=None, name: str | None = None, optimize: bool = True) -> Tensor:
    return _fill_like(tensor, 0.0, dtype, name or "zeros_like", optimize)


def ones_like(tensor, dtype=None, name: str | None = None, optimize: bool = True) -> Tensor:
    return _fill_like(tensor, 1.0, dtype, name or "ones_like", optimize)


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
    if np.size(dims) and np.asarray(dims).dtype.kind == "f":  # TF's Reshape takes an int32 or int64 shape, never floats
        raise TypeError(f"Value passed to parameter 'shape' of {name or 'Reshape'} has DataType "
                        f"{'float32' if not isinstance(dims, np.ndarray) else np.asarray(dims).dtype.name} not in "
                        f"list of allowed values: int32, int64 (got {dims!r})")
    dims = [-1 if d is None else check_int(d, "reshape dim") for d in np.atleast_1d(np.asarray(dims, dtype=object))] \
        if np.ndim(dims) else []
    return make("dfc.reshape", [x], {"shape": dims}, name=name or "Reshape")


def transpose(a, perm=None, name: str = "transpose", conjugate: bool = False) -> Tensor:
    x = convert_to_tensor(a)
    rank_ = x.shape.ndims
    if perm is None:
        if rank_ is None:
            raise build_error("dfc.transpose", name, f"transpose of {x.name}, whose rank is unknown, needs a perm")
        perm = list(reversed(builtins.range(rank_)))
    else:
        if isinstance(perm, Tensor) or hasattr(perm, "_as_tensor"):
            known = constant_value(convert_to_tensor(perm))
            if known is None:
                raise build_error("dfc.transpose", name, f"perm {convert_to_tensor(perm).name} must be known when "
                                                         f"the graph is built (dfc fixes each op's dim order)")
            perm = np.atleast_1d(known).tolist()
        perm = [check_int(p, "perm") for p in perm]
    if conjugate and x.dtype.is_complex:  # the conjugate transpose; a real tensor's conjugate is itself
        return make("dfc.conj", [make("dfc.transpose", [x], {"perm": perm})], name=name)
    return make("dfc.transpose", [x], {"perm": perm}, name=name)


def expand_dims(input, axis=None, name: str | None = None, dim=None) -> Tensor:
    axis = dim if axis is None else axis
    if axis is None:
        raise build_error("dfc.expand_dims", name or "ExpandDims", "expand_dims needs an axis")
    if isinstance(axis, (list, tuple, np.ndarray)) and np.size(axis) == 1:
        axis = np.ravel(axis)[0]  # TF takes a one-element axis list (BERT's expand_dims(ids, axis=[-1]))
    axis = fed_axis(axis, "dim")
    if isinstance(axis, Tensor):  # read when the step runs (ir/ops/value_attrs.py): TF knows no rank till then
        return make("dfc.dynamic_expand_dims", [axis, convert_to_tensor(input)], name=name or "ExpandDims")
    return make("dfc.expand_dims", [convert_to_tensor(input)], {"axis": axis}, name=name or "ExpandDims")


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
        if isinstance(axis, Tensor) and constant_value(axis) is None:  # Squeeze's squeeze_dims is an attribute
            raise TypeError(f"Expected list for 'axis' argument to 'squeeze' Op, not {axis}.")
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
    axis = fed_axis(axis, "axis")
    if isinstance(axis, Tensor):  # read when the step runs (ir/ops/value_attrs.py)
        return make("dfc.dynamic_concat", [axis, *tensors], name=name)
    return make("dfc.concat", tensors, {"axis": axis}, name=name)


def split(value=None, num_or_size_splits=None, axis=0, num=None, name: str = "split", **legacy) -> list[Tensor]:
    """split(value, num_or_size_splits, axis), and TF < 1.0's split(split_dim, num_split, value)."""
    if "split_dim" in legacy or "num_split" in legacy:
        value, num_or_size_splits, axis = legacy.get("value", axis), legacy["num_split"], legacy["split_dim"]
    elif isinstance(value, (int, np.integer)) and not isinstance(axis, (int, np.integer)):
        value, num_or_size_splits, axis = axis, num_or_size_splits, value
    x = convert_to_tensor(value)
    axis = fed_axis(axis, "split_dim")
    if isinstance(axis, Tensor):  # read when the step runs (ir/ops/value_attrs.py)
        return _split_along_fed_axis(x, num_or_size_splits, axis, name)
    rank_ = x.shape.ndims
    if not -rank_ <= axis < rank_:
        raise build_error("dfc.split", name, f"axis {axis} is out of range for {x.name} of rank {rank_} "
                                             f"(expected [-{rank_}, {rank_}))")
    dim = x.shape.as_list()[axis]
    if isinstance(num_or_size_splits, (int, np.integer)):
        n = int(num_or_size_splits)
        if n <= 0:
            raise build_error("dfc.split", name, f"cannot split {x.name} into {n} pieces")
        if dim is None:
            sizes = [-1] * n  # equal pieces of the size the run gives the dim
        elif dim % n:
            raise build_error("dfc.split", name, f"Dimension {axis} of {x.name} has size {dim}, which is not "
                                                 f"divisible by {n}")
        else:
            sizes = [dim // n] * n
    else:
        sizes = [check_int(s, "split size") for s in num_or_size_splits]
        if any(s < -1 for s in sizes) or sizes.count(-1) > 1:
            raise build_error("dfc.split", name, f"split sizes {sizes} must be non-negative (one may be -1: the rest)")
        if sizes.count(-1) == 1 and dim is not None:
            sizes[sizes.index(-1)] = dim - (sum(sizes) + 1)
    op = make_op("dfc.split", [x], {"axis": axis, "sizes": sizes}, name=name)
    return [wrap(r) for r in op.results]


def _split_along_fed_axis(x: Tensor, num_or_size_splits, axis: Tensor, name: str) -> list[Tensor]:
    """tf.split along an axis the step's values give: equal pieces (-1 each) or the sizes (one -1: the rest)."""
    if isinstance(num_or_size_splits, (int, np.integer)):
        if num_or_size_splits <= 0:
            raise build_error("dfc.split", name, f"cannot split {x.name} into {num_or_size_splits} pieces")
        sizes = [-1] * int(num_or_size_splits)
    else:
        sizes = [check_int(s, "split size") for s in num_or_size_splits]
        if any(s < -1 for s in sizes) or sizes.count(-1) > 1:
            raise build_error("dfc.split", name, f"split sizes {sizes} must be non-negative (one may be -1: the rest)")
    op = make_op("dfc.dynamic_split", [axis, x], {"sizes": sizes}, name=name)
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
    n = x.shape.as_list()[axis] if num is None else check_int(num, "num")
    if n is None:
        raise ValueError(f"Cannot infer num from shape {x.shape} of {x.name} (axis {axis}): pass num")
    if x.shape.as_list()[axis] is None:
        # num given, the dim known only when the graph runs: a reshape to num there fails the run when they differ
        with name_scope(name):
            dims = shape(x)
            known = x.shape.as_list()
            x = reshape(x, stack([np.int32(n) if d == axis else dims[d] for d in builtins.range(rank_)]),
                        name="num_rows")
            x.set_shape([n if d == axis else known[d] for d in builtins.range(rank_)])
    return [squeeze(p, [axis]) for p in split(x, n, axis, name=name)]


def tile(input, multiples, name: str | None = None) -> Tensor:
    """input repeated multiples[i] times along dim i; multiples may be a tensor or a list holding scalar tensors
    (tf.tile(x, [tf.shape(y)[0], 1])), then the result's dims are known once the step's feeds are."""
    x = convert_to_tensor(input)
    static, dynamic, hint = shape_argument(multiples, "multiples")
    if dynamic is None:
        return make("dfc.tile", [x], {"multiples": static}, name=name or "Tile")
    dims = x.shape.as_list() if x.shape.ndims is not None else None
    if dims is not None and hint and len(hint) != len(dims):
        raise build_error("Tile", name or "Tile", f"Expected multiples argument to be a vector of length {len(dims)} "
                                                  f"but got length {len(hint)}")
    if dims is not None and hint:
        hint = tuple(-1 if d is None or m < 0 else d * m for d, m in zip(dims, hint))
    elif dims is not None:
        hint = tuple(0 if d == 0 else -1 for d in dims)
    return make("dfc.dynamic_tile", [x, dynamic], {"hint": hint}, name=name or "Tile")


def gather(params, indices, validate_indices=None, name: str | None = None, axis=0) -> Tensor:
    """Slices of params along `axis` at `indices`. Called by the user's code (TF's Gather op, not a step of one
    of dfc's composites) on axis 0, its gradient for params is an IndexedSlices, as TF1's."""
    params = convert_to_tensor(params)
    indices = convert_to_tensor(indices)
    axis = fed_axis(axis, "axis")
    if isinstance(axis, Tensor):  # read when the step runs (ir/ops/value_attrs.py); its gradient is dense, as TF's
        return make("dfc.dynamic_gather", [axis, params, indices], name=name or "GatherV2")
    out = make("dfc.gather", [params, indices], {"axis": axis}, name=name or "GatherV2")
    if axis == 0 and _called_by_user():
        mark_row_gather(out)
    return out


def mark_row_gather(rows: Tensor) -> Tensor:
    """Mark `rows` (a dfc.gather's result) as TF's Gather of rows: tf.gradients of its params is an IndexedSlices."""
    rows.graph.row_gathers.add(rows._dfc_ir().op)
    return rows


_DSL_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _called_by_user() -> bool:
    """Whether the public function calling this one was called by code outside dfc (its API wrapper skipped)."""
    frame = sys._getframe(2)
    if frame.f_code.co_name == "wrapper" and frame.f_code.co_filename.endswith("user_errors.py"):
        frame = frame.f_back
    return frame is None or not os.path.abspath(frame.f_code.co_filename).startswith(_DSL_DIR)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name: str | None = None) -> Tensor:
    indices = convert_to_tensor(indices)
    dtype = as_dtype(dtype) if dtype is not None else f32
    if isinstance(depth, Tensor) and constant_value(depth) is None:
        return _one_hot_by_tensor(indices, depth, on_value, off_value, axis, dtype, name)
    return make("dfc.one_hot", [indices], {"depth": check_int(depth, "depth"),
                                           "axis": -1 if axis is None else check_int(axis, "axis"),
                                           "on_value": 1.0 if on_value is None else float(on_value),
                                           "off_value": 0.0 if off_value is None else float(off_value),
                                           "dtype": dtype}, name=name or "one_hot")


def _one_hot_by_tensor(indices: Tensor, depth: Tensor, on_value, off_value, axis, dtype, name) -> Tensor:
    """tf.one_hot whose depth the step's values give: each index compared with range(depth) along `axis` (an index
    outside [0, depth) gives a row of off_value, as TF's)."""
    rank = indices.shape.ndims
    axis = -1 if axis is None else check_int(axis, "axis")
    if rank is None:
        raise ValueError(f"tf.one_hot of indices {indices.name} of unknown rank needs a depth known when the graph is "
                         f"built, got the tensor {depth.name}")
    if not -1 <= axis <= rank:
        raise ValueError(f"Expected axis to be -1 or between [0, {rank}).  But received: {axis}")
    axis = rank if axis == -1 else axis
    if not indices.dtype.is_integer:
        raise TypeError(f"one_hot indices {indices.name} must be an integer tensor, got {indices.dtype.name}")
    with name_scope(name, "one_hot", [indices, depth]):
        depth = depth if depth.dtype is indices.dtype else make("dfc.cast", [depth], {"dtype": indices.dtype})
        positions = reshape(range(depth, dtype=indices.dtype, name="depth"), [-1] + [1] * (rank - axis))
        hit = make("dfc.cast", [make("dfc.equal", [expand_dims(indices, axis), positions])], {"dtype": dtype})
        on = 1 if on_value is None else on_value
        off = 0 if off_value is None else off_value
        on, off = convert_to_tensor(on, dtype=dtype), convert_to_tensor(off, dtype=dtype)
        return hit * (on - off) + off


def identity(input, name: str | None = None) -> Tensor:
    return make("dfc.identity", [convert_to_tensor(input)], name=name or "Identity")


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
    n_real = _indexed_dims(x, key, rank_)
    expanded: list[Any] = []
    for k in key:
        if k is Ellipsis:
            expanded.extend([builtins.slice(None)] * (rank_ - n_real))
        else:
            expanded.append(k)
    if Ellipsis not in key:
        expanded.extend([builtins.slice(None)] * (rank_ - n_real))
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
    if squeeze_axes:
        out = make("dfc.squeeze", [out], {"axes": squeeze_axes}, name="strided_slice_squeeze")
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
    n_real = _indexed_dims(x, key, rank_)
    expanded: list[Any] = []
    for k in key:
        expanded.extend([builtins.slice(None)] * (rank_ - n_real) if k is Ellipsis else [k])
    if Ellipsis not in key:
        expanded.extend([builtins.slice(None)] * (rank_ - n_real))
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
    if shrink:
        out = make("dfc.squeeze", [out], {"axes": shrink}, name="strided_slice_squeeze")
    for axis in new_axes:
        out = make("dfc.expand_dims", [out], {"axis": axis}, name="strided_slice_newaxis")
    return out


def _slice_by_fed_steps(x: Tensor, key: tuple) -> Tensor:
    """x[b:e:k] with steps the step's values give (x[::k]): a dfc.dynamic_strided_slice, whose left-out bounds
    take their place once the steps' signs are known (ir/ops/value_attrs.py). TF's shape has no rank."""
    from dfc.ir.ops.value_attrs import OMITTED

    rank_ = x.shape.ndims
    if rank_ is None:
        raise build_error("dfc.slice", "strided_slice", f"indexing {x.name} with a tensor step needs its rank")
    n_real = _indexed_dims(x, key, rank_)
    expanded: list[Any] = []
    for k in key:
        expanded.extend([builtins.slice(None)] * (rank_ - n_real) if k is Ellipsis else [k])
    if Ellipsis not in key:
        expanded.extend([builtins.slice(None)] * (rank_ - n_real))
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
    if shrink:
        out = make("dfc.squeeze", [out], {"axes": shrink}, name="strided_slice_squeeze")
    for axis in new_axes:
        out = make("dfc.expand_dims", [out], {"axis": axis}, name="strided_slice_newaxis")
    return out


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


define_tensor_operators(getitem=slice_tensor)
