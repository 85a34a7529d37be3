"""Math functions of the DSL: elementwise arithmetic, comparisons, reductions, matmul, cast, where."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, bool_, f32, f64, i64, u64

from . import unsigned_math

from .array_ops import reshape
from .complex_ops import complex_abs, conj
from .conversion import _user_line
from .framework import (Tensor, build_error, check_int, constant, constant_value, convert_to_tensor, fed_axis,
                        define_tensor_operators, is_tensor_like, make, name_scope)

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


def _unsigned(x: Tensor, y: Tensor | None, op: str) -> bool:
    """Whether op on x (and y, of x's dtype) is unsigned arithmetic that dfc/unsigned_math.py runs signed."""
    return unsigned_math.handled(x.dtype, op) and (y is None or y.dtype is x.dtype)


def binary_operator(opname: str, x: Any, y: Any, name: str | None = None) -> Tensor:
    if opname == "truediv":
        return truediv(x, y, name)
    if opname == "matmul":
        return matmul(x, y, name=name)
    x, y = _operands(x, y)
    irop, default = _BINARY[opname]
    if opname == "add" and x.dtype.is_string and y.dtype.is_string:  # TF's Add concatenates strings
        return make("dfc.string_join", [x, y], {"separator": ""}, name=name or default)
    if opname == "pow" and x.dtype.is_integer and y.dtype.is_integer and not y.dtype.is_unsigned:
        return _int_pow(irop, x, y, name or default)
    if _unsigned(x, y, opname):
        if x.dtype is u64 and opname in unsigned_math.DIVIDING:
            return unsigned_math.divide64(x, y, opname, name or default)
        back = None if opname in unsigned_math.COMPARISONS else x.dtype
        return unsigned_math.in_signed(lambda a, b: make(irop, [a, b], name=default), [x, y], back,
                                       name or default, opname)
    return make(irop, [x, y], name=name or default)


def _int_pow(irop: str, x: Tensor, y: Tensor, name: str) -> Tensor:
    """x ** y of integers once the run has checked y as TF's Pow kernel does: an integer to a negative power is an
    InvalidArgumentError (not the 0 or 1 a truncated reciprocal would give)."""
    from dfc.ir.ops.debug import TENSOR_PART

    from .graph_builder import make_op, wrap_op
    from .scopes import control_dependencies
    known = constant_value(y)
    if known is not None and np.all(np.asarray(known) >= 0):
        return make(irop, [x, y], name=name)
    zero = constant(np.zeros((), y.dtype.np))
    ok = make("dfc.reduce_all", [reshape(make("dfc.greater_equal", [y, zero]), [-1])], {"axes": [0]})
    check = wrap_op(make_op("dfc.assert", [ok, y], {"parts": [
        f"Integers to negative integer powers are not allowed (the exponent {y.name} of {name}):", TENSOR_PART],
        "summarize": 3}, name=f"{name}_check_exponent"))
    with control_dependencies([check]):
        return make(irop, [x, y], name=name)


def _unary(irop: str, default: str):
    def fn(x, name: str | None = None) -> Tensor:
        return make(irop, [convert_to_tensor(x)], name=name or default)
    fn.__name__ = default.lower()
    fn.__doc__ = f"Elementwise `{irop}`."
    return fn


negative = _unary("dfc.neg", "Neg")
def abs(x, name: str | None = None) -> Tensor:  # noqa: A001 - TF's name
    """|x| elementwise; of a complex tensor its modulus, in the parts' dtype (TF's ComplexAbs)."""
    x = convert_to_tensor(x)
    if x.dtype.is_complex:
        return complex_abs(x, name=name)
    return make("dfc.abs", [x], name=name or "Abs")
sign = _unary("dfc.sign", "Sign")
def square(x, name: str | None = None) -> Tensor:
    x = convert_to_tensor(x)
    if _unsigned(x, None, "square"):
        return unsigned_math.in_signed(lambda w: make("dfc.square", [w], name="Square"), [x], x.dtype,
                                       name or "Square", "square")
    return make("dfc.square", [x], name=name or "Square")



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
atan = _unary("dfc.atan", "Atan")
asin = _unary("dfc.asin", "Asin")
acos = _unary("dfc.acos", "Acos")
erf = _unary("dfc.erf", "Erf")
erfc = _unary("dfc.erfc", "Erfc")
neg = negative


def _binary_fn(opname: str, op_name: str | None = None):
    """tf.<op>(x, y, name=None); `op_name` is the name TF gives its op when the function is called (tf.add's
    'Add'), where the operator (x + y) gives the lower-case one."""
    def fn(x, y, name: str | None = None) -> Tensor:
        return binary_operator(opname, x, y, name or op_name)
    fn.__name__ = opname
    return fn


add = _binary_fn("add", "Add")
subtract = sub = _binary_fn("sub", "Sub")
multiply = mul = _binary_fn("mul", "Mul")
floordiv = floor_div = _binary_fn("floordiv")
mod = floormod = _binary_fn("mod", "FloorMod")
pow = _binary_fn("pow", "Pow")  # noqa: A001 - TF's name
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


def atan2(y, x, name: str | None = None) -> Tensor:
    """The angle of the point (x, y) in (-pi, pi], elementwise with broadcasting (C's atan2)."""
    y, x = _operands(y, x)
    return make("dfc.atan2", [y, x], name=name or "Atan2")


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
    if len(inputs) == 1:  # TF returns the tensor itself, or its identity when given a name
        return make("dfc.identity", inputs, name=name) if name else inputs[0]
    out = inputs[0]
    for i, x in enumerate(inputs[1:], start=2):
        out = binary_operator("add", out, x, (name or "AddN") if i == len(inputs) else None)
    return out


def cast(x, dtype, name: str | None = None) -> Tensor:
    x = convert_to_tensor(x)
    dtype = as_dtype(dtype)
    if x.dtype is dtype:
        return x
    if x.dtype.is_string != dtype.is_string:  # TF's Cast kernel has no string conversions (tf.strings.* do them)
        from dfc.ir.errors import UnimplementedError
        raise UnimplementedError(f"{_user_line()}Cast {x.dtype.name} to {dtype.name} is not supported (casting "
                                 f"{x.name}; use tf.strings.to_number or tf.as_string)")
    return make("dfc.cast", [x], {"dtype": dtype}, name=name or "Cast")


def to_float(x, name: str = "ToFloat") -> Tensor:
    return cast(x, f32, name)


def to_double(x, name: str = "ToDouble") -> Tensor:
    return cast(x, f64, name)


def to_bfloat16(x, name: str = "ToBFloat16") -> Tensor:
    from dfc.ir.dtypes import bf16
    return cast(x, bf16, name)


def to_int32(x, name: str = "ToInt32") -> Tensor:
    return cast(x, "int32", name)


def to_int64(x, name: str = "ToInt64") -> Tensor:
    return cast(x, i64, name)


def where_coordinates(condition, name: str | None = None) -> Tensor:
    """tf.where(condition) with one argument: the coordinates of the true (nonzero) entries, int64 [count, rank].

    The count is known only when the step runs: dfc computes it first and compiles the step for it
    (runtime/run_plan.py)."""
    condition = convert_to_tensor(condition)
    label = name or "Where"
    known = constant_value(condition)
    if known is not None:
        return constant(np.argwhere(known).astype(np.int64), name=label)
    rank = condition.shape.ndims
    if rank is None:
        raise build_error("Where", label, f"where(condition) needs the rank of {condition.name}")
    from .array_ops import reshape, shape, stack

    with name_scope(name, "Where", [condition]):
        mask = condition if condition.dtype == bool_ else not_equal(condition, constant(0, dtype=condition.dtype))
        flat = reshape(mask, [-1])
        count = reduce_sum(cast(flat, i64))
        positions = make("dfc.dynamic_nonzero", [flat, count], name="positions")
        if rank <= 1:
            return reshape(positions, [-1, max(rank, 1)]) if rank else reshape(positions, [-1, 0])
        dims = shape(mask, out_type=i64)
        coordinates = []
        for axis in range(rank):
            stride = reduce_prod(dims[axis + 1:]) if axis + 1 < rank else constant(1, dtype=i64)
            coordinates.append(floormod(floordiv(positions, stride), dims[axis]))
        return stack(coordinates, axis=1)


def where(condition, x=None, y=None, name: str | None = None) -> Tensor:
    """TF1's tf.where: elementwise choice between x and y, where a vector condition beside higher-rank x and y
    picks whole rows (its length is their first dim); where(cond) alone: the coordinates of the true entries."""
    if x is None and y is None:
        return where_coordinates(condition, name)
    if x is None or y is None:
        raise ValueError("where needs both x and y, or neither")
    condition = convert_to_tensor(condition)
    x, y = _operands(x, y)
    rank = max(x.shape.ndims or 0, y.shape.ndims or 0)
    if condition.shape.ndims == 1 and rank > 1:
        rows = condition.shape.as_list()[0]
        first = (x if (x.shape.ndims or 0) == rank else y).shape.as_list()[0]
        if rows is not None and first is not None and rows != first:
            raise ValueError(f"where: the vector condition {condition.name} has {rows} entries, but x and y have "
                             f"{first} rows (TF1's tf.where picks rows by a vector condition)")
        from .array_ops import reshape
        condition = reshape(condition, [-1] + [1] * (rank - 1))
    out = make("dfc.select", [condition, x, y], name=name or "Select")
    if condition.shape.ndims is None and x.shape.ndims is not None and y.shape.ndims is not None:
        # TF1's Select: a scalar, a vector of rows or x's shape; whichever it is fed, the result has x's shape
        out.set_shape(x.shape.merge_with(y.shape))
    return out


def where_v2(condition, x=None, y=None, name: str | None = None) -> Tensor:
    """tf.where_v2: the choice between x and y with condition, x and y broadcast together (numpy's rules)."""
    if x is None and y is None:
        return where_coordinates(condition, name)
    if x is None or y is None:
        raise ValueError("where needs both x and y, or neither")
    condition = convert_to_tensor(condition)
    x, y = _operands(x, y)
    return make("dfc.select", [condition, x, y], name=name or "SelectV2")


def matmul(a, b, transpose_a: bool = False, transpose_b: bool = False, adjoint_a: bool = False,
           adjoint_b: bool = False, a_is_sparse: bool = False, b_is_sparse: bool = False,
           name: str | None = None) -> Tensor:
    a, b = _operands(a, b)
    unsigned_math.refuse_unsigned(a, "MatMul", name or "MatMul")
    a = conj(a) if adjoint_a else a  # the adjoint is the conjugate transpose (a real tensor's conj is itself)
    b = conj(b) if adjoint_b else b
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
            return fed_axis(axis, "reduction_indices")
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
        if _unsigned(x, None, irop):
            if x.dtype is u64 and irop == "dfc.reduce_mean":  # TF's uint64 mean divides the wrapped sum
                args = (axis, keepdims, None, reduction_indices, keep_dims)
                with name_scope(None, f"{name or default}_unsigned"):
                    ones = make("dfc.cast", [make("dfc.equal", [x, x])], {"dtype": i64})
                    total, count = reduce_sum(x, *args), reduce_sum(ones, *args)
                return unsigned_math.mean64(total, count, name or default)
            return unsigned_math.in_signed(lambda w: fn(w, axis, keepdims, None, reduction_indices, keep_dims), [x],
                                           x.dtype, name or default, irop)
        keep = bool(keepdims if keepdims is not None else keep_dims or False)
        if x.shape.ndims is None and axis is None and reduction_indices is None:
            if keep:
                raise ValueError(f"keepdims needs the rank of {x.name}, which is unknown")
            x = reshape(x, [-1])  # all of an unknown number of dims: reduce the flattened tensor
        axes = _axes(x, axis, reduction_indices)
        if isinstance(axes, Tensor):  # read when the step runs (ir/ops/value_attrs.py)
            return make(f"dfc.dynamic_{irop[4:]}", [axes, x], {"keepdims": keep}, name=name or default)
        return make(irop, [x], {"axes": axes, "keepdims": keep}, name=name or default)
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
        if _unsigned(x, None, irop[4:]):
            return unsigned_math.in_signed(lambda w: fn(w, axis, None, dimension, output_type), [x], None,
                                           name or default, irop[4:])
        axis = dimension if axis is None else axis
        axis = 0 if axis is None else fed_axis(axis, "dimension")
        if isinstance(axis, Tensor):  # read when the step runs (ir/ops/value_attrs.py)
            return make(f"dfc.dynamic_{irop[4:]}", [axis, x], {"output_type": as_dtype(output_type)},
                        name=name or default)
        return make(irop, [x], {"axis": axis, "output_type": as_dtype(output_type)}, name=name or default)
    fn.__name__ = default
    return fn


argmax = _arg("dfc.argmax", "ArgMax")
argmin = _arg("dfc.argmin", "ArgMin")


def unsorted_segment_sum(data, segment_ids, num_segments, name: str | None = None) -> Tensor:
    """out[s] = sum of data[i] where segment_ids[i] == s; ids < 0 are dropped, ids >= num_segments an error."""
    data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    if hasattr(num_segments, "_as_tensor") and not isinstance(num_segments, Tensor):
        num_segments = convert_to_tensor(num_segments)
    if isinstance(num_segments, Tensor) and constant_value(num_segments) is None:
        # a count the step's values give (tf.shape(nodes)[0]): made static once the feeds are known
        if not num_segments.dtype.is_integer or num_segments.shape.ndims not in (None, 0):
            raise TypeError(f"num_segments {num_segments.name} of tf.unsorted_segment_sum must be a scalar int32 or "
                            f"int64, got {num_segments.dtype.name} {num_segments.shape}")
        return make("dfc.dynamic_segment_sum", [data, ids, num_segments], name=name or "UnsortedSegmentSum")
    return make("dfc.unsorted_segment_sum", [data, ids], {"num_segments": check_int(num_segments, "num_segments")},
                name=name or "UnsortedSegmentSum")


def _scan(irop: str, default: str):
    def fn(x, axis=0, exclusive: bool = False, reverse: bool = False, name: str | None = None) -> Tensor:
        x = convert_to_tensor(x)
        if _unsigned(x, None, irop):
            return unsigned_math.in_signed(lambda w: fn(w, axis, exclusive, reverse), [x], x.dtype, name or default,
                                           irop)
        axis = fed_axis(axis, "axis")
        flags = {"exclusive": bool(exclusive), "reverse": bool(reverse)}
        if isinstance(axis, Tensor):  # read when the step runs (ir/ops/value_attrs.py)
            return make(f"dfc.dynamic_{irop[4:]}", [axis, x], flags, name=name or default)
        return make(irop, [x], {"axis": axis, **flags}, name=name or default)
    fn.__name__ = default.lower()
    fn.__doc__ = (f"`{irop}` along `axis`: exclusive leaves element i out of result i, reverse runs from the end.")
    return fn


cumsum = _scan("dfc.cumsum", "Cumsum")
cumprod = _scan("dfc.cumprod", "Cumprod")


# ---- TF1's composite math: each is TF's own definition over the ops above ------------------------
def _float_only(x: Tensor, tf_op: str, name: str | None) -> Tensor:
    """x, checked to be floating as TF's kernel for `tf_op` requires (TypeError naming the op and the user's line)."""
    if not x.dtype.is_floating:
        raise TypeError(str(build_error(tf_op, name or tf_op, f"Value passed to parameter 'x' has DataType "
                                                              f"{x.dtype.name} not in list of allowed values: "
                                                              f"bfloat16, float16, float32, float64")))
    return x


def is_nan(x, name: str | None = None) -> Tensor:
    """x != x: true exactly for NaN."""
    x = _float_only(convert_to_tensor(x), "IsNan", name)
    return make("dfc.not_equal", [x, x], name=name or "IsNan")


def is_inf(x, name: str | None = None) -> Tensor:
    x = _float_only(convert_to_tensor(x), "IsInf", name)
    return make("dfc.equal", [abs(x), constant(np.inf, dtype=x.dtype)], name=name or "IsInf")


def is_finite(x, name: str | None = None) -> Tensor:
    """|x| < inf, which is false for NaN too."""
    x = _float_only(convert_to_tensor(x), "IsFinite", name)
    return make("dfc.less", [abs(x), constant(np.inf, dtype=x.dtype)], name=name or "IsFinite")


def _safe_divisor(y: Tensor) -> tuple[Tensor, Tensor]:
    """(y == 0, y with its zeros replaced by ones): the division never makes the inf/NaN whose gradient is NaN."""
    zero = equal(y, constant(0, dtype=y.dtype))
    return zero, make("dfc.select", [zero, constant(1, dtype=y.dtype), y], name="safe_y")


def div_no_nan(x, y, name: str | None = None) -> Tensor:
    """x / y, and 0 where y == 0 (gradients: 0 there too, as TF's DivNoNan gradient)."""
    x, y = _operands(x, y)
    _float_only(x, "DivNoNan", name)
    with name_scope(name, "div_no_nan", [x, y]):
        zero, safe = _safe_divisor(y)
        return make("dfc.select", [zero, constant(0, dtype=x.dtype), make("dfc.div", [x, safe], name="div")],
                    name="DivNoNan")


def xlogy(x, y, name: str | None = None) -> Tensor:
    """x * log(y), and 0 where x == 0 (even for y <= 0), with TF's gradients (0 for both where x == 0)."""
    return _x_times_log(x, y, log, 1, "Xlogy", name)


def _x_times_log(x, y, log_fn: Callable[[Tensor], Tensor], safe: int, tf_op: str, name: str | None) -> Tensor:
    """x * log_fn(y), and 0 where x == 0: there y is replaced by `safe` first, so neither the value nor the
    gradients see log_fn's inf or NaN (TF's Xlogy and Xlog1py)."""
    x, y = _operands(x, y)
    _float_only(x, tf_op, name)
    with name_scope(name, tf_op, [x, y]):
        x_zero = equal(x, constant(0, dtype=x.dtype))
        safe_y = make("dfc.select", [x_zero, constant(safe, dtype=y.dtype), y], name="safe_y")
        return make("dfc.select", [x_zero, constant(0, dtype=x.dtype), multiply(x, log_fn(safe_y))], name=tf_op)


def xdivy(x, y, name: str | None = None) -> Tensor:
    """x / y, and 0 where x == 0."""
    x, y = _operands(x, y)
    _float_only(x, "Xdivy", name)
    with name_scope(name, "Xdivy", [x, y]):
        x_zero = equal(x, constant(0, dtype=x.dtype))
        safe_y = make("dfc.select", [x_zero, constant(1, dtype=y.dtype), y], name="safe_y")
        return make("dfc.select", [x_zero, constant(0, dtype=x.dtype), make("dfc.div", [x, safe_y])], name="Xdivy")


def _trunc(v: Tensor) -> Tensor:
    """Round toward zero: floor above zero, ceil below."""
    return make("dfc.select", [less(v, constant(0, dtype=v.dtype)), ceil(v), floor(v)], name="trunc")


def truncatediv(x, y, name: str | None = None) -> Tensor:
    """x / y rounded toward zero (C's integer division); an integer division by zero fails as TF's does."""
    x, y = _operands(x, y)
    if _unsigned(x, y, "floordiv"):  # an unsigned quotient's truncation is its floor
        return binary_operator("floordiv", x, y, name or "TruncateDiv")
    if x.dtype.is_integer:
        return make("dfc.div", [x, y], name=name or "TruncateDiv")
    with name_scope(name, "TruncateDiv", [x, y]):
        return _trunc(make("dfc.div", [x, y]))


def truncatemod(x, y, name: str | None = None) -> Tensor:
    """C's remainder (fmod): the result takes the sign of x."""
    x, y = _operands(x, y)
    with name_scope(name, "TruncateMod", [x, y]):
        if x.dtype.is_integer:
            return subtract(x, multiply(make("dfc.div", [x, y]), y))
        r = mod(abs(x), abs(y))
        return make("dfc.select", [less(x, constant(0, dtype=x.dtype)), negative(r), r], name="TruncateMod")


def realdiv(x, y, name: str | None = None) -> Tensor:
    x, y = _operands(x, y)
    unsigned_math.refuse_unsigned(x, "RealDiv", name or "RealDiv")
    return binary_operator("div", x, y, name or "RealDiv")


def scalar_mul(scalar, x, name: str | None = None) -> Tensor:
    """scalar * x for a scalar `scalar` (TF refuses any other shape)."""
    x = convert_to_tensor(x)
    s = convert_to_tensor(scalar, dtype=x.dtype) if not is_tensor_like(scalar) else convert_to_tensor(scalar)
    if s.shape.ndims != 0:
        raise ValueError(f"{_user_line()}Only scalar multiply works, got shape {s.shape}")
    return multiply(s, x, name=name)


def accumulate_n(inputs, shape=None, tensor_dtype=None, name: str | None = None) -> Tensor:
    """The sum of `inputs`, all of one shape and dtype (tf.accumulate_n's checks, add_n's result)."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError(f"{_user_line()}inputs must be a non-empty list of tensors, got {inputs!r}")
    tensors = [convert_to_tensor(t) for t in inputs]
    dtypes = {t.dtype for t in tensors}
    if len(dtypes) != 1 or (tensor_dtype is not None and as_dtype(tensor_dtype) not in dtypes):
        raise TypeError(f"{_user_line()}inputs must be a list of tensors of one dtype, got "
                        f"{sorted(d.name for d in dtypes)}")
    shapes = {tuple(t.shape.as_list()) for t in tensors if t.shape.ndims is not None}
    if len(shapes) > 1:
        raise ValueError(f"{_user_line()}inputs must be a list of tensors of one shape, got {sorted(shapes)}")
    return add_n(tensors, name=name or "AccumulateN")


def rint(x, name: str | None = None) -> Tensor:
    """The nearest integer, halves to even (TF's Rint, like round)."""
    x = _float_only(convert_to_tensor(x), "Rint", name)
    return make("dfc.round", [x], name=name or "Rint")


def softplus(features, name: str | None = None) -> Tensor:
    """log(1 + exp(x)), stable at both ends, with the gradient sigmoid(x) (0.5 at 0, as TF's)."""
    x = _float_only(convert_to_tensor(features), "Softplus", name)
    with name_scope(name, "Softplus", [x]):
        zero = constant(0, dtype=x.dtype)
        positive = greater(x, zero)
        # each branch sees an operand for which it is finite, so the unselected branch's gradient is 0, not NaN
        above = make("dfc.select", [positive, x, zero])
        below = make("dfc.select", [positive, zero, x])
        return make("dfc.select", [positive, add(above, log1p(exp(negative(above)))), log1p(exp(below))],
                    name="Softplus")


def log_sigmoid(x, name: str | None = None) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x) (TF's definition)."""
    x = _float_only(convert_to_tensor(x), "LogSigmoid", name)
    with name_scope(name, "LogSigmoid", [x]):
        return negative(softplus(negative(x)))


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name: str | None = None, reduction_indices=None,
                     keep_dims=None) -> Tensor:
    """log(sum(exp(x))) computed as TF does: shifted by the (finite) max, which gets no gradient."""
    from .gradients_impl import stop_gradient
    x = convert_to_tensor(input_tensor)
    keep = bool(keepdims if keepdims is not None else keep_dims or False)
    with name_scope(name, "ReduceLogSumExp", [x]):
        raw_max = reduce_max(x, axis=axis, reduction_indices=reduction_indices, keepdims=True)
        my_max = stop_gradient(where(is_finite(raw_max), raw_max, make("dfc.fill_like", [raw_max],
                                                                       {"value": 0.0, "dtype": x.dtype})))
        summed = reduce_sum(exp(subtract(x, my_max)), axis=axis, reduction_indices=reduction_indices, keepdims=keep)
        axes = _axes(x, axis, reduction_indices)
        if not keep and isinstance(axes, Tensor):  # axes the step gives: my_max takes the sum's shape, as TF's
            from .array_ops import shape
            my_max = reshape(my_max, shape(summed))
        elif not keep:
            my_max = make("dfc.squeeze", [my_max], {"axes": axes}, name="squeeze")
        return add(log(summed), my_max)


def count_nonzero(input_tensor=None, axis=None, keepdims=None, dtype=i64, name: str | None = None,
                  reduction_indices=None, keep_dims=None, input=None) -> Tensor:
    """The number of non-zero entries over `axis` (all when None), as `dtype` (int64 by default)."""
    x = convert_to_tensor(input if input_tensor is None else input_tensor)
    keep = bool(keepdims if keepdims is not None else keep_dims or False)
    with name_scope(name, "count_nonzero", [x]):
        zero = constant(False if x.dtype.is_bool else 0, dtype=x.dtype)
        counts = reduce_sum(cast(not_equal(x, zero), i64), axis=axis, reduction_indices=reduction_indices,
                            keepdims=keep)
        return cast(counts, dtype)


def tan(x, name: str | None = None) -> Tensor:
    x = _float_only(convert_to_tensor(x), "Tan", name)
    return make("dfc.div", [sin(x), cos(x)], name=name or "Tan")


def _select_abs(x: Tensor) -> Tensor:
    """|x| by a select, so that the gradient at 0 is +1 (abs's sign(0) would zero it)."""
    return make("dfc.select", [less(x, constant(0, dtype=x.dtype)), negative(x), x], name="abs")


def _odd(x: Tensor, magnitude: Tensor) -> Tensor:
    """f(x) for an odd f given f(|x|): the sign of x put back."""
    return make("dfc.select", [less(x, constant(0, dtype=x.dtype)), negative(magnitude), magnitude], name="odd")


def _large(x: Tensor) -> float:
    """Where an exp-based function switches to its asymptotic form (e^-|x| below the dtype's epsilon)."""
    return 20.0 if x.dtype.bits <= 32 else 40.0


def _hyperbolic_of_abs(x: Tensor, below_switch, name: str | None = None) -> Tensor:
    """sinh or cosh of |x|: below_switch(|x|) where e^|x| is finite, else e^|x| / 2 as e^(|x|/2)^2 / 2 (which
    does not overflow before the result does)."""
    big = _large(x)
    a = _select_abs(x)
    small = below_switch(minimum(a, constant(big, dtype=x.dtype)))
    half = exp(multiply(maximum(a, constant(big, dtype=x.dtype)), constant(0.5, dtype=x.dtype)))
    large = multiply(multiply(half, constant(0.5, dtype=x.dtype)), half)
    return make("dfc.select", [greater(a, constant(big, dtype=x.dtype)), large, small], name=name)


def sinh(x, name: str | None = None) -> Tensor:
    """(e^x - e^-x) / 2 through expm1 (no cancellation near 0), e^(|x|/2)^2 / 2 where e^|x| alone overflows."""
    x = _float_only(convert_to_tensor(x), "Sinh", name)
    with name_scope(name, "Sinh", [x]):
        return _odd(x, _hyperbolic_of_abs(x, lambda a: multiply(subtract(expm1(a), expm1(negative(a))),
                                                                constant(0.5, dtype=x.dtype))))


def cosh(x, name: str | None = None) -> Tensor:
    """(e^x + e^-x) / 2, e^(|x|/2)^2 / 2 where e^|x| alone overflows."""
    x = _float_only(convert_to_tensor(x), "Cosh", name)
    with name_scope(name, "Cosh", [x]):
        return _hyperbolic_of_abs(x, lambda a: multiply(add(exp(a), exp(negative(a))), constant(0.5, dtype=x.dtype)),
                                  name="Cosh")


def _huge(x: Tensor) -> float:
    """Above this, sqrt(x^2 + 1) is x to the dtype's precision (and x^2 may overflow)."""
    return 2.0 ** 12 if x.dtype.bits <= 32 else 2.0 ** 28


def asinh(x, name: str | None = None) -> Tensor:
    """log(|x| + sqrt(x^2 + 1)) in log1p form near 0, log(2|x|) far out; odd."""
    x = _float_only(convert_to_tensor(x), "Asinh", name)
    with name_scope(name, "Asinh", [x]):
        huge, one = constant(_huge(x), dtype=x.dtype), constant(1, dtype=x.dtype)
        a = _select_abs(x)
        s = minimum(a, huge)
        small = log1p(add(s, truediv(square(s), add(one, sqrt(add(square(s), one))))))
        large = add(log(maximum(a, huge)), constant(np.log(2.0), dtype=x.dtype))
        return _odd(x, make("dfc.select", [greater(a, huge), large, small]))


def acosh(x, name: str | None = None) -> Tensor:
    """log(x + sqrt(x^2 - 1)) as log1p(t + sqrt(2t + t^2)), t = x - 1 (exact near 1); NaN below 1."""
    x = _float_only(convert_to_tensor(x), "Acosh", name)
    with name_scope(name, "Acosh", [x]):
        huge, one = constant(_huge(x), dtype=x.dtype), constant(1, dtype=x.dtype)
        t = subtract(minimum(x, huge), one)
        # sqrt(t) * sqrt(t + 2), not sqrt(2t + t^2): at x = 1 the gradient is inf (TF's), not inf * 0
        small = log1p(add(t, multiply(sqrt(t), sqrt(add(t, constant(2, dtype=x.dtype))))))
        large = add(log(maximum(x, huge)), constant(np.log(2.0), dtype=x.dtype))
        return make("dfc.select", [greater(x, huge), large, small], name="Acosh")


def atanh(x, name: str | None = None) -> Tensor:
    """log((1 + x) / (1 - x)) / 2 as log1p(2x / (1 - x)) / 2; ±inf at ±1, NaN beyond."""
    x = _float_only(convert_to_tensor(x), "Atanh", name)
    with name_scope(name, "Atanh", [x]):
        one = constant(1, dtype=x.dtype)
        ratio = truediv(multiply(x, constant(2, dtype=x.dtype)), subtract(one, x))
        return multiply(log1p(ratio), constant(0.5, dtype=x.dtype), name="Atanh")


def multiply_no_nan(x, y, name: str | None = None) -> Tensor:
    """x * y, and 0 where y == 0 even when x is inf or NaN."""
    x, y = _operands(x, y)
    with name_scope(name, "MulNoNan", [x, y]):
        zero = equal(y, constant(0, dtype=y.dtype))
        return make("dfc.select", [zero, constant(0, dtype=x.dtype), multiply(x, y)], name="MulNoNan")


def reciprocal_no_nan(x, name: str | None = None) -> Tensor:
    """1 / x, and 0 where x == 0."""
    x = _float_only(convert_to_tensor(x), "reciprocal_no_nan", name)
    return div_no_nan(constant(1, dtype=x.dtype), x, name=name or "reciprocal_no_nan")


def softsign(features, name: str | None = None) -> Tensor:
    """x / (1 + |x|)."""
    x = _float_only(convert_to_tensor(features), "Softsign", name)
    return make("dfc.div", [x, add(constant(1, dtype=x.dtype), abs(x))], name=name or "Softsign")


def xlog1py(x, y, name: str | None = None) -> Tensor:
    """x * log1p(y), and 0 where x == 0."""
    return _x_times_log(x, y, log1p, 0, "Xlog1py", name)


def reduce_variance(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """mean((x - mean(x))^2) over `axis` (TF's definition)."""
    x = convert_to_tensor(input_tensor)
    with name_scope(name, "reduce_variance", [x]):
        means = reduce_mean(x, axis=axis, keepdims=True)
        return reduce_mean(square(subtract(x, means)), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = _float_only(convert_to_tensor(input_tensor), "reduce_std", name)
    with name_scope(name, "reduce_std", [x]):
        return sqrt(reduce_variance(x, axis=axis, keepdims=keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """sqrt(sum(x^2)) over `axis`."""
    x = convert_to_tensor(input_tensor)
    with name_scope(name, "EuclideanNorm", [x]):
        return sqrt(reduce_sum(square(x), axis=axis, keepdims=keepdims))


def zero_fraction(value, name: str | None = None) -> Tensor:
    """The fraction of zeros in `value`, as float32."""
    x = convert_to_tensor(value)
    with name_scope(name, "zero_fraction", [x]):
        zero = constant(False if x.dtype.is_bool else 0, dtype=x.dtype)
        return reduce_mean(cast(equal(x, zero), f32))


def _saturation_limits(source, target) -> tuple:
    """TF's bounds for saturate_cast from `source` to `target`, in source's dtype: the narrower range, each bound
    moved a step toward 0 where rounding took it past the target's (float32's 2**32 for uint32's top). Computed
    with numpy as TF computes them, so int64 -> uint64 has TF's top (int64's 2**63 wraps to its minimum)."""
    np_type = source.np.type
    try:
        promoted = np.promote_types(source.np, target.np)
    except TypeError:  # bfloat16 has no numpy promotion: floats, as TF falls back to
        promoted = float
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo = np_type(np.maximum(source.min, target.min))
        if np.array([lo, target.min], dtype=promoted)[0] < np.array([lo, target.min], dtype=promoted)[1]:
            lo = np.nextafter(lo, np_type(0), dtype=source.np)
        hi = np_type(np.minimum(float(source.max), float(target.max)))
        if np.array([hi, target.max], dtype=promoted)[0] > np.array([hi, target.max], dtype=promoted)[1]:
            hi = np.nextafter(hi, np_type(0), dtype=source.np)
    return lo, hi


def saturate_cast(value, dtype, name: str | None = None) -> Tensor:
    """cast(value, dtype) with values first clipped to dtype's range (no wrap-around), always, as TF 2.21 does
    (an inf becomes the largest float): TF's ClipByValue, which has no uint32/uint64 kernel."""
    x = convert_to_tensor(value)
    dtype = as_dtype(dtype)
    with name_scope(name, "saturate_cast", [x]):
        if x.dtype.is_floating or x.dtype.is_integer:
            if x.dtype.name in ("uint32", "uint64"):
                unsigned_math.refuse_unsigned(x, "ClipByValue", "saturate_cast/clamp")
            lo, hi = _saturation_limits(x.dtype, dtype)
            # min then max, as TF's kernel: a lower bound past the upper one wins
            x = maximum(minimum(x, constant(hi, dtype=x.dtype)), constant(lo, dtype=x.dtype))
        return cast(x, dtype)


def polyval(coeffs, x, name: str | None = None) -> Tensor:
    """coeffs[0] * x^(n-1) + ... + coeffs[n-1] by Horner's rule."""
    x = convert_to_tensor(x)
    with name_scope(name, "polyval", [x]):
        if not coeffs:
            return make("dfc.fill_like", [x], {"value": 0.0, "dtype": x.dtype})
        out = convert_to_tensor(coeffs[0], dtype=x.dtype) if not is_tensor_like(coeffs[0]) else coeffs[0]
        for c in coeffs[1:]:
            c = convert_to_tensor(c, dtype=x.dtype) if not is_tensor_like(c) else c
            out = add(c, multiply(out, x))
        return out


from .bitwise import bitwise_and, bitwise_or, bitwise_xor, invert  # noqa: E402 - & | ^ ~ on integers

define_tensor_operators(binary=binary_operator, negative=negative, abs=abs, logical_not=logical_not,
                        bitwise_and=bitwise_and, bitwise_or=bitwise_or, bitwise_xor=bitwise_xor, invert=invert)
