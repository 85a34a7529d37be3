"""TF1's special functions (tf.lgamma, tf.digamma, tf.math.erfinv, ndtri, lbeta, bessel_i0/i0e/i1/i1e), composed
from the DSL's ops.

Each is computed in float64 (float16/bfloat16/float32 inputs are widened, the result rounded once),
so a float32 result is TF's to the last bit or two. lgamma is Lanczos' approximation (g = 7) with
the reflection formula below 1/2; digamma shifts its argument past 6 and sums the asymptotic
series; both feed each branch only arguments it is defined for, so the gradients (by autodiff,
the functions' own derivatives) carry no NaN from the branch not taken. erfinv and ndtri start
from Giles' approximation and take Newton steps on erf, or on log erfc in the tails (the tail
1 - |x| is formed exactly, so ndtri(1e-30) is -11.46, not -inf); their gradients are TF's
closed forms.
"""

from __future__ import annotations

import math

import numpy as np

from dfc.ir.dtypes import f64

from .framework import Tensor, constant, convert_to_tensor, make, name_scope
from .math_ops import _float_only

_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7)


def _c(value: float) -> Tensor:
    return constant(np.float64(value))


def _op(kind: str, *xs) -> Tensor:
    return make(f"dfc.{kind}", list(xs))


def _where(cond: Tensor, a: Tensor, b: Tensor) -> Tensor:
    return make("dfc.select", [cond, a, b])


def _wide(x: Tensor) -> Tensor:
    return x if x.dtype is f64 else make("dfc.cast", [x], {"dtype": f64})


def _narrow(y: Tensor, dtype, name: str) -> Tensor:
    return make("dfc.identity" if dtype is f64 else "dfc.cast", [y], {} if dtype is f64 else {"dtype": dtype},
                name=name)


def _lanczos_lgamma(z: Tensor) -> Tensor:
    """lgamma(z) for z >= 1/2."""
    x = z - _c(1.0)
    a = _c(_LANCZOS[0])
    for i, p in enumerate(_LANCZOS[1:], start=1):
        a = a + _c(p) / (x + _c(float(i)))
    t = x + _c(_LANCZOS_G + 0.5)
    return _c(0.5 * math.log(2 * math.pi)) + (x + _c(0.5)) * _op("log", t) - t + _op("log", a)


def _lgamma64(x: Tensor) -> Tensor:
    """lgamma in float64; exactly 0 at 1 and 2, +inf at +inf and the poles."""
    direct = _op("greater_equal", x, _c(0.5))
    upper = _where(direct, x, _c(1.0))  # each branch only sees arguments it is defined for
    lower = _where(direct, _c(0.25), x)
    sin_pi = _op("abs", _op("sin", lower * _c(math.pi)))
    reflected = _op("log", _c(math.pi) / sin_pi) - _lanczos_lgamma(_c(1.0) - lower)
    pole = _op("logical_and", _op("less_equal", x, _c(0.0)), _op("equal", _op("floor", x), x))
    value = _where(direct, _lanczos_lgamma(upper), reflected)
    # exactly 0 at 1 and 2 (value - value), the gradient still digamma's
    exact = value - make("dfc.stop_gradient", [value])
    value = _where(_op("logical_or", _op("equal", x, _c(1.0)), _op("equal", x, _c(2.0))), exact, value)
    return _where(_op("logical_or", pole, _op("equal", x, _c(np.inf))), _c(np.inf), value)


def lgamma(x, name: str | None = None) -> Tensor:
    """log |Gamma(x)|: +inf at 0 and the negative integers."""
    x = _float_only(convert_to_tensor(x), "Lgamma", name)
    with name_scope(name, "Lgamma", [x]):
        return _narrow(_lgamma64(_wide(x)), x.dtype, "Lgamma")


_DIGAMMA_SERIES = (-1.0 / 12, 1.0 / 120, -1.0 / 252, 1.0 / 240, -1.0 / 132, 691.0 / 32760, -1.0 / 12)


def _digamma_upper(z: Tensor) -> Tensor:
    """digamma(z) for z >= 1/2: digamma(z + 6) - sum 1/(z + k), digamma(y) by its asymptotic series."""
    shift = _c(0.0)
    for k in range(6):
        shift = shift + _c(1.0) / (z + _c(float(k)))
    y = z + _c(6.0)
    inv2 = _c(1.0) / (y * y)
    series = _c(0.0)
    for coeff in reversed(_DIGAMMA_SERIES):
        series = (series + _c(coeff)) * inv2
    return _op("log", y) - _c(0.5) / y + series - shift


def digamma(x, name: str | None = None) -> Tensor:
    """The derivative of lgamma; NaN at 0 and the negative integers (TF's value there)."""
    x = _float_only(convert_to_tensor(x), "Digamma", name)
    with name_scope(name, "Digamma", [x]):
        w = _wide(x)
        direct = _op("greater_equal", w, _c(0.5))
        upper = _where(direct, w, _c(1.0))
        lower = _where(direct, _c(0.25), w)
        reflected = _digamma_upper(_c(1.0) - lower) - _c(math.pi) / _op("div", _op("sin", lower * _c(math.pi)),
                                                                         _op("cos", lower * _c(math.pi)))
        pole = _op("logical_and", _op("less_equal", w, _c(0.0)), _op("equal", _op("floor", w), w))
        value = _where(pole, _c(np.nan), _where(direct, _digamma_upper(upper), reflected))
        return _narrow(value, x.dtype, "Digamma")


_GILES_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941)
_GILES_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
               0.00943887047, 1.00167406, 2.83297682)


def _horner(coeffs, w: Tensor) -> Tensor:
    p = _c(coeffs[0])
    for c in coeffs[1:]:
        p = _c(c) + p * w
    return p


def _inverse_erf(a: Tensor, tail: Tensor) -> Tensor:
    """z >= 0 with erf(z) = a, given a = |x| in [0, 1] and tail = 1 - a formed without cancellation."""
    safe_tail = _where(_op("greater", tail, _c(0.0)), tail, _c(1.0))
    w = _op("neg", _op("log", safe_tail * (_c(2.0) - safe_tail)))
    central = _op("less", w, _c(5.0))
    giles = a * _where(central, _horner(_GILES_CENTRAL, w - _c(2.5)),
                       _horner(_GILES_TAIL, _op("sqrt", _where(central, _c(25.0), w)) - _c(3.0)))
    # past float32's tails (1 - |x| < 1e-7) Giles' polynomial is extrapolating: erfc(z) ~ exp(-z^2) / (z sqrt(pi))
    minus_log = _op("neg", _op("log", safe_tail))
    asymptotic = _op("sqrt", minus_log - _c(0.5) * _op("log", _c(math.pi) * _op("maximum", minus_log, _c(1.0))))
    z = _where(_op("less", w, _c(16.0)), giles, asymptotic)
    half_sqrt_pi = _c(math.sqrt(math.pi) / 2)
    in_tail = _op("greater", a, _c(0.5))
    for _ in range(3):
        density = _op("exp", _op("neg", z * z))  # erf'(z) = 2/sqrt(pi) exp(-z^2)
        step_center = (_op("erf", z) - a) * half_sqrt_pi / density
        erfc = _op("erfc", z)
        safe_erfc = _where(_op("greater", erfc, _c(0.0)), erfc, _c(1e-300))
        step_tail = (_op("log", safe_tail) - _op("log", safe_erfc)) * safe_erfc * half_sqrt_pi / density
        step = _where(in_tail, step_tail, step_center)
        z = z - _where(_op("equal", density, _c(0.0)), _c(0.0), step)
    return z


def _with_gradient(value: Tensor, x: Tensor, slope: Tensor) -> Tensor:
    """value, whose gradient with respect to x is slope (a closed form), as TF's op defines it."""
    held = make("dfc.stop_gradient", [value])
    moved = x - make("dfc.stop_gradient", [x])  # zero, with gradient one
    # an infinite slope (erfinv at +-1) would make the forward 0 * inf: it gives 0 there; NaN stays NaN
    finite_slope = _where(_op("equal", _op("abs", slope), _c(np.inf)), _c(0.0), slope)
    return held + moved * make("dfc.stop_gradient", [finite_slope])


def _signed_inverse(sign: Tensor, a: Tensor, tail: Tensor) -> Tensor:
    z = sign * _inverse_erf(a, tail)
    z = _where(_op("equal", tail, _c(0.0)), sign * _c(np.inf), z)
    return _where(_op("less", tail, _c(0.0)), _c(np.nan), z)


def erfinv(x, name: str | None = None) -> Tensor:
    """The inverse of erf on (-1, 1): +-inf at +-1, NaN outside."""
    x = _float_only(convert_to_tensor(x), "Erfinv", name)
    with name_scope(name, "Erfinv", [x]):
        w = _wide(x)
        a = _op("abs", w)
        sign = _where(_op("less", w, _c(0.0)), _c(-1.0), _c(1.0))
        y = _signed_inverse(sign, a, _c(1.0) - a)
        y = _where(_op("not_equal", w, w), w, y)
        slope = _c(math.sqrt(math.pi) / 2) * _op("exp", y * y)
        return _narrow(_with_gradient(y, w, slope), x.dtype, "Erfinv")


def ndtri(x, name: str | None = None) -> Tensor:
    """The inverse of the standard normal CDF on (0, 1): sqrt(2) erfinv(2x - 1), the tails formed exactly."""
    x = _float_only(convert_to_tensor(x), "Ndtri", name)
    with name_scope(name, "Ndtri", [x]):
        p = _wide(x)
        low = _op("less", p, _c(0.5))
        tail = _where(low, _c(2.0) * p, _c(2.0) - _c(2.0) * p)  # 2 min(p, 1 - p): exact for float32 p
        sign = _where(low, _c(-1.0), _c(1.0))
        y = _c(math.sqrt(2.0)) * _signed_inverse(sign, _c(1.0) - tail, tail)
        y = _where(_op("not_equal", p, p), p, y)
        slope = _c(math.sqrt(2 * math.pi)) * _op("exp", y * y * _c(0.5))
        return _narrow(_with_gradient(y, p, slope), x.dtype, "Ndtri")


def erfcinv(x, name: str | None = None) -> Tensor:
    """The inverse of erfc on (0, 2): -ndtri(x / 2) / sqrt(2), as TF defines it."""
    x = _float_only(convert_to_tensor(x), "erfcinv", name)
    with name_scope(name, "erfcinv", [x]):
        return make("dfc.mul", [ndtri(x * constant(np.asarray(0.5, x.dtype.np))),
                                constant(np.asarray(-math.sqrt(0.5), x.dtype.np))], name="erfcinv")


def lbeta(x, name: str | None = None) -> Tensor:
    """log |Beta(x)| over the last dim: sum(lgamma(x)) - lgamma(sum(x)); 0 for an empty last dim, as TF."""
    x = _float_only(convert_to_tensor(x), "lbeta", name)
    with name_scope(name, "lbeta", [x]):
        rank = x.shape.ndims
        if rank == 0:
            raise ValueError(f"lbeta needs a tensor of rank >= 1, got {x.name} of shape {x.shape}")
        axis = [-1]
        # in x's dtype, as TF sums (a float32 lbeta of large arguments keeps float32's cancellation)
        parts = make("dfc.reduce_sum", [lgamma(x)], {"axes": axis})
        return make("dfc.sub", [parts, lgamma(make("dfc.reduce_sum", [x], {"axes": axis}))], name="lbeta")


_BESSEL_SWITCH = 15.0


def _bessel_scaled(order: int, x: Tensor) -> Tensor:
    """exp(-|x|) I_order(|x|) in float64: the power series up to |x| = 15 (40 terms), Hankel's asymptotic
    series past it (20 terms); each branch sees only arguments in its own range."""
    a = _op("abs", x)
    small = _op("less_equal", a, _c(_BESSEL_SWITCH))
    near = _where(small, a, _c(1.0))
    quarter = near * near * _c(0.25)
    term = _c(1.0) if order == 0 else near * _c(0.5)
    total = term
    for k in range(1, 41):
        term = term * quarter / _c(float(k * (k + order)))
        total = total + term
    series = total * _op("exp", _op("neg", near))
    far = _where(small, _c(2.0 * _BESSEL_SWITCH), a)
    term, total = _c(1.0), _c(1.0)
    mu = 4.0 * order * order
    for k in range(1, 21):
        term = term * _c(((2 * k - 1) ** 2 - mu) / (8.0 * k)) / far
        total = total + term
    hankel = total / _op("sqrt", _c(2 * math.pi) * far)
    return _where(small, series, hankel)


def _bessel_value(order: int, scaled: bool, w: Tensor) -> Tensor:
    value = _bessel_scaled(order, w)
    if not scaled:
        value = value * _op("exp", _op("abs", w))
    if order == 1:  # odd
        value = _where(_op("less", w, _c(0.0)), _op("neg", value), value)
    return value


def _bessel_slope(order: int, scaled: bool, w: Tensor, y: Tensor) -> Tensor:
    """TF's gradients: i0' = i1, i0e' = i1e - sign i0e, i1' = i0 - i1 / x (1 at 0, as TF imputes it),
    i1e' = i0e - i1e (sign + 1 / x) (0.5 at 0)."""
    other = _bessel_value(1 - order, scaled, w)
    sign = _op("sign", w)
    if order == 0:
        return other - sign * y if scaled else other
    zero = _op("equal", w, _c(0.0))
    safe = _where(zero, _c(1.0), w)
    slope = other - y * (sign + _c(1.0) / safe) if scaled else other - y / safe
    return _where(zero, _c(0.5 if scaled else 1.0), slope)


def _bessel(order: int, scaled: bool, tf_op: str):
    def fn(x, name: str | None = None) -> Tensor:
        x = _float_only(convert_to_tensor(x), tf_op, name)
        with name_scope(name, tf_op, [x]):
            w = _wide(x)
            held = make("dfc.stop_gradient", [w])
            value = _bessel_value(order, scaled, held)
            slope = _bessel_slope(order, scaled, held, value)
            return _narrow(_with_gradient(value, w, slope), x.dtype, tf_op)
    fn.__name__ = tf_op.lower()
    fn.__doc__ = (f"The modified Bessel function of the first kind of order {order}"
                  f"{', scaled by exp(-|x|)' if scaled else ''}.")
    return fn


bessel_i0 = _bessel(0, False, "BesselI0")
bessel_i0e = _bessel(0, True, "BesselI0e")
bessel_i1 = _bessel(1, False, "BesselI1")
bessel_i1e = _bessel(1, True, "BesselI1e")

__all__ = ["bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e", "digamma", "erfcinv", "erfinv", "lbeta", "lgamma",
           "ndtri"]
