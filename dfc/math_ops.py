"""Math functions of the DSL: elementwise arithmetic, comparisons, reductions, matmul, cast, where."""

from __future__ import annotations

from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, f32, f64, i64

from .array_ops import reshape
from .framework import (Tensor, check_int, constant_value, convert_to_tensor, define_tensor_operators, is_tensor_like,
                        make)

#: Python operator name -> (IR op, TF's default op name)
_BINARY = {
    "add": ("dfc.add", "add"), "sub": ("dfc.sub", "sub"), "mul": ("dfc.mul", "mul"),
    "floordiv": ("dfc.floordiv", "floordiv"), "mod": ("dfc.mod", "mod"), "pow": ("dfc.pow", "pow"),
    "maximum": ("dfc.maximum", "Maximum"), "minimum": ("dfc.minimum", "Minimum"),
    "less": ("dfc.less", "Less"), "less_equal": ("dfc.less_equal", "LessEqual"),
    "greater": ("dfc.greater", "Greater"), "greater_equal": ("dfc.greater_equal", "GreaterEqual"),
    "equal": ("dfc.equal", "Equal"), "not_equal": ("dfc.not_equal", "NotEqual"),
    "logical_and": ("dfc.logical_and", "LogicalAnd"), "logical_or": ("dfc.logical_or", "LogicalOr"),
    "logical_xor": ("dfc.logical_xor", "LogicalXor"), "div": ("dfc.div", "div"),
}


def _operands(x: Any, y: Any) -> tuple[Tensor, Tensor]:
    """Both as tensors; a Python or numpy scalar takes the dtype of the tensor beside it."""
    if is_tensor_like(x) and not is_tensor_like(y):
        x = convert_to_tensor(x)
        return x, convert_to_tensor(y, dtype=x.dtype)
    if is_tensor_like(y) and not is_tensor_like(x):
        y = convert_to_tensor(y)
        return convert_to_tensor(x, dtype=y.dtype), y
    return convert_to_tensor(x), convert_to_tensor(y)


def binary_operator(opname: str, x: Any, y: Any, name: str | None = None) -> Tensor:
    if opname == "truediv":
        return truediv(x, y, name)
    if opname == "matmul":
        return matmul(x, y, name=name)
    x, y = _operands(x, y)
    irop, default = _BINARY[opname]
    return make(irop, [x, y], name=name or default)


def _unary(irop: str, default: str):
    def fn(x, name: str | None = None) -> Tensor:
        return make(irop, [convert_to_tensor(x)], name=name or default)
    fn.__name__ = default.lower()
    fn.__doc__ = f"Elementwise `{irop}`."
    return fn


negative = _unary("dfc.neg", "Neg")
abs = _unary("dfc.abs", "Abs")  # noqa: A001 - TF's name
sign = _unary("dfc.sign", "Sign")
square = _unary("dfc.square", "Square")
exp = _unary("dfc.exp", "Exp")
expm1 = _unary("dfc.expm1", "Expm1")
log = _unary("dfc.log", "Log")
log1p = _unary("dfc.log1p", "Log1p")
sqrt = _unary("dfc.sqrt", "Sqrt")
rsqrt = _unary("dfc.rsqrt", "Rsqrt")
reciprocal = _unary("dfc.reciprocal", "Reciprocal")
sin = _unary("dfc.sin", "Sin")
cos = _unary("dfc.cos", "Cos")
tanh = _unary("dfc.tanh", "Tanh")
sigmoid = _unary("dfc.sigmoid", "Sigmoid")
relu = _unary("dfc.relu", "Relu")
floor = _unary("dfc.floor", "Floor")
ceil = _unary("dfc.ceil", "Ceil")
round = _unary("dfc.round", "Round")  # noqa: A001 - TF's name
logical_not = _unary("dfc.logical_not", "LogicalNot")
neg = negative


def _binary_fn(opname: str):
    def fn(x, y, name: str | None = None) -> Tensor:
        return binary_operator(opname, x, y, name)
    fn.__name__ = opname
    return fn


add = _binary_fn("add")
subtract = sub = _binary_fn("sub")
multiply = mul = _binary_fn("mul")
floordiv = floor_div = _binary_fn("floordiv")
mod = floormod = _binary_fn("mod")
pow = _binary_fn("pow")  # noqa: A001 - TF's name
maximum = _binary_fn("maximum")
minimum = _binary_fn("minimum")
less = _binary_fn("less")
less_equal = _binary_fn("less_equal")
greater = _binary_fn("greater")
greater_equal = _binary_fn("greater_equal")
equal = _binary_fn("equal")
not_equal = _binary_fn("not_equal")
logical_and = _binary_fn("logical_and")
logical_or = _binary_fn("logical_or")
logical_xor = _binary_fn("logical_xor")


def truediv(x, y, name: str | None = None) -> Tensor:
    """x / y; integers are cast to float first (int8 to float32, int32/int64 to float64), as in TF."""
    x, y = _operands(x, y)
    if x.dtype.is_integer:
        target = f32 if x.dtype.bits <= 16 else f64
        x, y = cast(x, target), cast(y, target)
    return make("dfc.div", [x, y], name=name or "truediv")


divide = truediv


def div(x, y, name: str | None = None) -> Tensor:
    """TF1's div: true division for floats, truncating for integers."""
    return binary_operator("div", x, y, name)


def squared_difference(x, y, name: str | None = None) -> Tensor:
    d = subtract(x, y)
    return make("dfc.square", [d], name=name or "SquaredDifference")


def add_n(inputs, name: str | None = None) -> Tensor:
    inputs = [convert_to_tensor(x) for x in inputs]
    if not inputs:
        raise ValueError("add_n needs at least one tensor")
    out = inputs[0]
    for x in inputs[1:]:
        out = add(out, x)
    return out if len(inputs) > 1 else make("dfc.identity", [out], name=name or "AddN")


def cast(x, dtype, name: str | None = None) -> Tensor:
    x = convert_to_tensor(x)
    dtype = as_dtype(dtype)
    if x.dtype is dtype:
        return x
    return make("dfc.cast", [x], {"dtype": dtype}, name=name or "Cast")


def to_float(x, name: str = "ToFloat") -> Tensor:
    return cast(x, f32, name)


def to_double(x, name: str = "ToDouble") -> Tensor:
    return cast(x, f64, name)


def to_int32(x, name: str = "ToInt32") -> Tensor:
    return cast(x, "int32", name)


def to_int64(x, name: str = "ToInt64") -> Tensor:
    return cast(x, i64, name)


def where(condition, x=None, y=None, name: str | None = None) -> Tensor:
    """Elementwise choice between x and y (broadcasting); where(cond) alone (coordinates) is not supported."""
    if x is None and y is None:
        raise NotImplementedError("where(condition) returns a tensor of data-dependent shape, which dfc's static "
                                  "shapes cannot express; use where(condition, x, y)")
    if x is None or y is None:
        raise ValueError("where needs both x and y, or neither")
    condition = convert_to_tensor(condition)
    x, y = _operands(x, y)
    return make("dfc.select", [condition, x, y], name=name or "Select")


where_v2 = where


def matmul(a, b, transpose_a: bool = False, transpose_b: bool = False, adjoint_a: bool = False,
           adjoint_b: bool = False, a_is_sparse: bool = False, b_is_sparse: bool = False,
           name: str | None = None) -> Tensor:
    a, b = _operands(a, b)
    return make("dfc.matmul", [a, b], {"transpose_a": bool(transpose_a or adjoint_a),
                                       "transpose_b": bool(transpose_b or adjoint_b)}, name=name or "MatMul")


# ---- reductions --------------------------------------------------------------------------------
def _axes(x: Tensor, axis, reduction_indices) -> list[int]:
    if axis is not None and reduction_indices is not None:
        raise ValueError("give axis or reduction_indices, not both")
    axis = axis if axis is not None else reduction_indices
    if axis is None:
        return list(range(x.shape.ndims))
    if isinstance(axis, Tensor):
        value = constant_value(axis)
        if value is None:
            raise ValueError(f"reduction axes must be constant, got the tensor {axis.name}")
        axis = value
    rank = x.shape.ndims
    axes = [check_int(a, "axis") for a in np.atleast_1d(np.asarray(axis))]
    for a in axes if rank is not None else ():
        if not -rank <= a < max(rank, 1):
            raise ValueError(f"Invalid reduction dimension {a} for input {x.name} with {rank} dimensions")
    return axes


def _reduction(irop: str, default: str):
    def fn(input_tensor, axis=None, keepdims=None, name: str | None = None, reduction_indices=None,
           keep_dims=None) -> Tensor:
        x = convert_to_tensor(input_tensor)
        keep = bool(keepdims if keepdims is not None else keep_dims or False)
        if x.shape.ndims is None and axis is None and reduction_indices is None:
            if keep:
                raise ValueError(f"keepdims needs the rank of {x.name}, which is unknown")
            x = reshape(x, [-1])  # all of an unknown number of dims: reduce the flattened tensor
        return make(irop, [x], {"axes": _axes(x, axis, reduction_indices), "keepdims": keep}, name=name or default)
    fn.__name__ = default
    fn.__doc__ = f"`{irop}` over `axis` (all axes when None); TF1's keep_dims and reduction_indices work too."
    return fn


reduce_sum = _reduction("dfc.reduce_sum", "Sum")
reduce_mean = _reduction("dfc.reduce_mean", "Mean")
reduce_max = _reduction("dfc.reduce_max", "Max")
reduce_min = _reduction("dfc.reduce_min", "Min")
reduce_prod = _reduction("dfc.reduce_prod", "Prod")
reduce_any = _reduction("dfc.reduce_any", "Any")
reduce_all = _reduction("dfc.reduce_all", "All")


def _arg(irop: str, default: str):
    def fn(input, axis=None, name: str | None = None, dimension=None, output_type=i64) -> Tensor:
        x = convert_to_tensor(input)
        axis = dimension if axis is None else axis
        axis = 0 if axis is None else check_int(axis, "axis")
        return make(irop, [x], {"axis": axis, "output_type": as_dtype(output_type)}, name=name or default)
    fn.__name__ = default
    return fn


argmax = _arg("dfc.argmax", "ArgMax")
argmin = _arg("dfc.argmin", "ArgMin")


def unsorted_segment_sum(data, segment_ids, num_segments, name: str | None = None) -> Tensor:
    """out[s] = sum of data[i] where segment_ids[i] == s; ids < 0 are dropped, ids >= num_segments an error."""
    data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    return make("dfc.unsorted_segment_sum", [data, ids], {"num_segments": check_int(num_segments, "num_segments")},
                name=name or "UnsortedSegmentSum")


define_tensor_operators(binary=binary_operator, negative=negative, abs=abs, logical_not=logical_not)
