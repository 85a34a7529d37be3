"""Elementwise ops: unary math, binary arithmetic with numpy broadcasting, comparisons, select, cast.

The arithmetic TF defines on complex64/128 (+ - * /, neg, square, exp, log, sqrt, rsqrt, reciprocal, sin, cos,
tanh, ==, != and casts) accepts them here; a complex value is a host value, so these run in numpy
(runtime/host_strings.py) and no kernel is asked for them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import ml_dtypes
import numpy as np

from ..dtypes import ALL, COMPLEX, FLOATS, INTEGERS, NUMERIC, UNSIGNED, DType, bool_, string
from ..types import TensorType
from .registry import Attr, OpDef, broadcast_shapes, register, require_dtype, same_dtype, tensor_operand



def _unary_infer(allowed):
    def infer(types, attrs):
        t = tensor_operand(types, 0)
        require_dtype(t.dtype, allowed)
        return [t]
    return infer


def _binary_infer(allowed, result_dtype=None):
    def infer(types, attrs):
        a, b = tensor_operand(types, 0), tensor_operand(types, 1)
        dtype = same_dtype([a, b])
        require_dtype(dtype, allowed)
        if a == b and result_dtype in (None, dtype):
            return [a]  # the commonest case, without a new type object per op
        return [TensorType(result_dtype or dtype, broadcast_shapes(a.shape, b.shape))]
    return infer


def unary(name: str, fn: Callable, allowed: tuple[DType, ...] = FLOATS, differentiable: bool = True,
          doc: str = "") -> OpDef:
    return register(OpDef(f"dfc.{name}", "elementwise", _unary_infer(allowed), fn, 1,
                          differentiable=differentiable, elementwise=True, fusible_as="elementwise", doc=doc))


def binary(name: str, fn: Callable, allowed: tuple[DType, ...] = NUMERIC, result_dtype: DType | None = None,
           differentiable: bool = True, commutative: bool = False) -> OpDef:
    return register(OpDef(f"dfc.{name}", "elementwise", _binary_infer(allowed, result_dtype), fn, 2,
                          differentiable=differentiable, elementwise=True, commutative=commutative,
                          fusible_as="elementwise"))


def _errstate(fn):
    def wrapped(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    wrapped.__name__ = getattr(fn, "__name__", "fn")
    return wrapped


def is_floating_array(x) -> bool:
    """numpy calls bfloat16 kind 'V', not 'f': it is a float all the same."""
    return x.dtype.kind == "f" or x.dtype == ml_dtypes.bfloat16


def is_inexact_array(x) -> bool:
    """A float or complex array: divided truly, never truncated."""
    return x.dtype.kind == "c" or is_floating_array(x)


#: the arithmetic dtypes with TF's complex ones; FLOATS_C the float dtypes with them
NUMERIC_C = NUMERIC + COMPLEX
FLOATS_C = FLOATS + COMPLEX


def _sigmoid(x):
    # exp(-|x|) never overflows; the two branches are the two stable forms of 1/(1+e^-x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def _round_half_even(x):
    return np.round(x)


class IntegerDivisionByZero(ZeroDivisionError):
    """TF's CPU kernels refuse an integer division (div, floordiv, mod) by zero: "Integer division by zero"."""

    def __init__(self):
        super().__init__("Integer division by zero")


def _nonzero_divisor(a, b):
    """b with -1 replaced by 1 (MIN // -1 overflows in numpy); a zero divisor that divides something raises as TF
    does (an empty result divides nothing, whatever the divisor holds)."""
    if np.any(b == 0) and np.broadcast(a, b).size:
        raise IntegerDivisionByZero()
    return np.where(b == -1, 1, b)


def _int_div(a, b):
    """TF's integer division truncates toward zero (wrapping: MIN / -1 == MIN)."""
    if is_inexact_array(a):
        return np.true_divide(a, b)
    safe = _nonzero_divisor(a, b)
    q = np.abs(a) // np.abs(safe) * np.sign(a) * np.sign(safe)
    return np.where(b == -1, np.negative(a), q)


def _floordiv(a, b):
    if is_floating_array(a):
        return np.floor_divide(a, b)
    safe = _nonzero_divisor(a, b)
    return np.where(b == -1, np.negative(a), np.floor_divide(a, safe))


def _mod(a, b):
    if is_floating_array(a):
        return np.mod(a, b)
    safe = _nonzero_divisor(a, b)
    return np.where(b == -1, 0, np.mod(a, safe))


def _maximum(a, b):
    """TF's (std::max's) rule: b where a < b, else a, so ties keep the first operand (max(-0., 0.) is -0.);
    NaN in either operand propagates."""
    out = np.where(a < b, b, a)
    if is_floating_array(out):
        out = np.where(np.isnan(b), b, out)
    return out


def _minimum(a, b):
    out = np.where(b < a, b, a)
    if is_floating_array(out):
        out = np.where(np.isnan(b), b, out)
    return out


def _relu(x):
    """max(x, 0) by the same rule: relu(-0.) is -0., relu(NaN) is NaN (as TF's Relu kernel gives)."""
    return np.where(x < 0, np.zeros((), x.dtype), x)


def _pow(a, b):
    if is_inexact_array(a):
        return np.power(a, b)
    # integer powers: negative exponents give 0 except for bases 1 and -1 (TF's convention)
    safe_b = np.where(b < 0, 0, b)
    out = np.power(a, safe_b)
    return np.where(b < 0, np.where(a == 1, 1, np.where(a == -1, np.where(b % 2 == 0, 1, -1), 0)), out)


# ---- unary ----------------------------------------------------------------------------------
unary("neg", np.negative, NUMERIC_C)
unary("abs", np.abs, NUMERIC)
unary("sign", np.sign, NUMERIC)
unary("square", np.square, NUMERIC_C)
unary("exp", _errstate(np.exp), FLOATS_C)
unary("expm1", _errstate(np.expm1))
unary("log", _errstate(np.log), FLOATS_C)
unary("log1p", _errstate(np.log1p))
unary("sqrt", _errstate(np.sqrt), FLOATS_C)
unary("rsqrt", _errstate(lambda x: 1 / np.sqrt(x)), FLOATS_C)
unary("reciprocal", _errstate(np.reciprocal), FLOATS_C)
unary("sin", np.sin, FLOATS_C)
unary("cos", np.cos, FLOATS_C)
unary("tanh", np.tanh, FLOATS_C)
unary("sigmoid", _errstate(_sigmoid))
unary("relu", _relu, NUMERIC)
unary("floor", np.floor, differentiable=False)
unary("ceil", np.ceil, differentiable=False)
unary("round", _round_half_even, differentiable=False)
unary("logical_not", np.logical_not, (bool_,), differentiable=False)


def _in_float64(fn):
    """fn of each element computed in float64 and rounded once to the input's dtype (C's libm functions)."""
    each = np.vectorize(fn, otypes=[np.float64])

    def reference(x):
        with np.errstate(all="ignore"):
            return np.asarray(each(x.astype(np.float64)) if x.size else x.astype(np.float64)).astype(x.dtype)
    reference.__name__ = fn.__name__
    return reference


# inverse trigonometric and error functions (libm's, as TF's Eigen kernels call them)
unary("atan", _errstate(np.arctan))
unary("asin", _errstate(np.arcsin))
unary("acos", _errstate(np.arccos))
unary("erf", _in_float64(math.erf))
unary("erfc", _in_float64(math.erfc))

# ---- binary ---------------------------------------------------------------------------------
binary("add", np.add, NUMERIC_C, commutative=True)
binary("sub", np.subtract, NUMERIC_C)
binary("mul", np.multiply, NUMERIC_C, commutative=True)
binary("div", _errstate(_int_div), NUMERIC_C)
binary("floordiv", _errstate(_floordiv), differentiable=False)
binary("mod", _errstate(_mod), differentiable=False)
binary("pow", _errstate(_pow), NUMERIC_C)
binary("maximum", _errstate(_maximum))
binary("minimum", _errstate(_minimum))
# tf.string too: equality is the one arithmetic TF1 defines on strings (they run on the host: runtime/host_strings.py)
binary("equal", np.equal, (*ALL, *COMPLEX, string), bool_, differentiable=False, commutative=True)
binary("not_equal", np.not_equal, (*ALL, *COMPLEX, string), bool_, differentiable=False, commutative=True)
binary("less", np.less, NUMERIC, bool_, differentiable=False)
binary("less_equal", np.less_equal, NUMERIC, bool_, differentiable=False)
binary("greater", np.greater, NUMERIC, bool_, differentiable=False)
binary("greater_equal", np.greater_equal, NUMERIC, bool_, differentiable=False)
binary("logical_and", np.logical_and, (bool_,), differentiable=False, commutative=True)
binary("logical_or", np.logical_or, (bool_,), differentiable=False, commutative=True)
binary("logical_xor", np.logical_xor, (bool_,), differentiable=False, commutative=True)
binary("atan2", _errstate(np.arctan2), FLOATS)

# ---- bitwise (tf.bitwise): integers, the unsigned ones included --------------------------------
BITWISE = INTEGERS + UNSIGNED


def _shift(fn):
    def reference(x, y):
        # TF's kernels clamp the shift to [0, bits - 1] (a wider shift is undefined in C)
        bits = np.iinfo(x.dtype).bits
        return fn(x, np.clip(y, 0, bits - 1).astype(x.dtype)).astype(x.dtype)
    reference.__name__ = fn.__name__
    return reference


binary("bitwise_and", np.bitwise_and, BITWISE, differentiable=False, commutative=True)
binary("bitwise_or", np.bitwise_or, BITWISE, differentiable=False, commutative=True)
binary("bitwise_xor", np.bitwise_xor, BITWISE, differentiable=False, commutative=True)
binary("left_shift", _shift(np.left_shift), BITWISE, differentiable=False)
binary("right_shift", _shift(np.right_shift), BITWISE, differentiable=False)
unary("invert", np.invert, BITWISE, differentiable=False, doc="~x, every bit flipped")


# ---- select and cast ------------------------------------------------------------------------
def _select_infer(types, attrs):
    cond, a, b = (tensor_operand(types, i) for i in range(3))
    require_dtype(cond.dtype, (bool_,), "condition")
    dtype = same_dtype([a, b])
    return [TensorType(dtype, broadcast_shapes(cond.shape, a.shape, b.shape))]


register(OpDef("dfc.select", "elementwise", _select_infer, np.where, 3, elementwise=True, fusible_as="elementwise",
               doc="where(cond, a, b), broadcasting all three"))


def _cast_infer(types, attrs):
    return [tensor_operand(types, 0).with_dtype(attrs["dtype"])]


def _float_to_signed(t: np.ndarray, bits: int) -> np.ndarray:
    """The hardware's truncating conversion of whole floats t to a signed `bits` integer (int64 holding it): a
    value out of range or NaN gives the integer's minimum, as x86's cvttss2si does."""
    bound = 2.0 ** (bits - 1)
    inside = (t >= -bound) & (t < bound)
    return np.where(inside, np.where(inside, t, 0).astype(np.int64), -(2 ** (bits - 1)))


def _float_to_unsigned(x: np.ndarray, dtype) -> np.ndarray:
    """TF's float -> unsigned cast as its CPU kernels compute it (C's conversion as compilers emit it): uint8 and
    uint16 through int32, uint32 through int64, keeping the low bits (-1.5 -> 255, 1000.0 -> 232); uint64 converts
    [2**63, 2**64) by its offset from 2**63 and sets the top bit (2**63 for a value past the range)."""
    t = np.trunc(x.astype(np.float64) if x.dtype.itemsize < 4 else x)  # float16/bfloat16 convert as float32 does
    if dtype.bits == 64:
        high = t >= 2.0 ** 63
        low = _float_to_signed(np.where(high, t - 2.0 ** 63, t), 64)
        return np.where(high, low | np.int64(-(2 ** 63)), low).astype(np.uint64)
    return _float_to_signed(t, 32 if dtype.bits <= 16 else 64).astype(dtype.np)


def _cast(x, dtype):
    if x.dtype.kind == "c" and not dtype.is_complex:
        if dtype.is_bool:  # nonzero in either part is true
            return x != 0
        x = np.real(x)  # TF drops the imaginary part when it casts a complex number to a real dtype
    with np.errstate(all="ignore"):
        if dtype.is_unsigned and is_floating_array(x):
            return _float_to_unsigned(x, dtype)
        if dtype.is_integer and is_floating_array(x):
            # TF truncates toward zero; NaN and out-of-range values are undefined there, 0 here
            info = np.iinfo(dtype.np)
            x = np.where(np.isfinite(x), np.clip(np.trunc(x), info.min, info.max), 0)
        if dtype.is_bool:
            return x != 0
        return x.astype(dtype.np)


register(OpDef("dfc.cast", "elementwise", _cast_infer, _cast, 1, {"dtype": Attr("dtype")}, elementwise=True,
               fusible_as="elementwise"))
