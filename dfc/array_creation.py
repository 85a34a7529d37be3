"""Tensor-making functions of the DSL: placeholders, fill, zeros/ones and their _like forms, tf.range and
one_hot."""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import as_dtype, f32, f64, i32, i64
from dfc.ir.types import TensorType

from .array_shape_ops import expand_dims, reshape, shape, shape_argument
from .framework import (Tensor, TensorShape, build_error, check_int, constant, constant_value, convert_to_tensor,
                        make, name_scope)


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
