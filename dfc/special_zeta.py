"""tf.math.zeta (Hurwitz's zeta(x, q) = sum over k >= 0 of (q + k)^-x) and tf.math.polygamma, composed of dfc's
elementwise ops in float64 and narrowed to the inputs' dtype.

zeta sums its first ten terms directly and the rest by the Euler-Maclaurin formula at w = q + 9 (twelve Bernoulli
terms), as Eigen (TF's kernel) does. Outside x > 1, q > 0 it gives TF's values: +inf at x = 1, NaN for x < 1, at a
pole q = 0, -1, ... +inf for an even integer x and NaN otherwise, NaN for a negative non-integer q with a non-integer
x; with an integer x the terms below 0 are summed directly (down to q > -32; TF has no such limit, dfc gives NaN
beyond it). Like TF's, its gradient
flows to q only (-x * zeta(x + 1, q)); polygamma's to x only (polygamma(n + 1, x)).
"""

from __future__ import annotations

from fractions import Fraction
from math import factorial

import numpy as np

from .custom_gradient_ops import custom_gradient
from .framework import Tensor, convert_to_tensor, name_scope
from .gradients_impl import stop_gradient
from .math_ops import _float_only
from .special_ops import _c, _narrow, _op, _where, _wide, digamma, lgamma

__all__ = ["polygamma", "zeta"]

#: Bernoulli numbers B_2, B_4, ..., B_24
_BERNOULLI = (Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42), Fraction(-1, 30), Fraction(5, 66),
              Fraction(-691, 2730), Fraction(7, 6), Fraction(-3617, 510), Fraction(43867, 798),
              Fraction(-174611, 330), Fraction(854513, 138), Fraction(-236364091, 2730))
#: B_2j / (2j)!: the Euler-Maclaurin coefficients
_COEFFICIENTS = tuple(float(b / factorial(2 * j)) for j, b in enumerate(_BERNOULLI, start=1))
_DIRECT_TERMS = 10
#: how far below 0 a non-integer q may be (TF has no limit; dfc gives NaN below -32)
_NEGATIVE_LIMIT = 32


def _zeta_series(x: Tensor, q: Tensor) -> Tensor:
    """zeta(x, q) for float64 x > 1, q > 0."""
    total = _op("pow", q, -x)
    term = total
    for k in range(1, _DIRECT_TERMS):
        term = _op("pow", q + _c(float(k)), -x)
        total = total + term
    w = q + _c(float(_DIRECT_TERMS - 1))
    total = total + term * w / (x - _c(1.0)) - _c(0.5) * term  # the tail's integral, less half its first term
    rising = _c(1.0)  # x (x + 1) ... (x + 2j - 2)
    for j, coefficient in enumerate(_COEFFICIENTS):
        rising = rising * (x + _c(float(2 * j)))
        term = term / w
        total = total + _c(coefficient) * rising * term
        rising = rising * (x + _c(float(2 * j + 1)))
        term = term / w
    return total


def _negative_prefix(x: Tensor, q: Tensor, shift: Tensor) -> Tensor:
    """sum((q + k)^-x for k < shift): the terms below 0 of a negative non-integer q, for an integer x."""
    total = _c(0.0)
    odd = _op("equal", _op("mod", x, _c(2.0)), _c(1.0))
    for k in range(_NEGATIVE_LIMIT):
        active = _op("less", _c(float(k)), shift)
        base = _where(active, q + _c(float(k)), _c(1.0))
        sign = _where(_op("logical_and", odd, _op("less", base, _c(0.0))), _c(-1.0), _c(1.0))
        total = total + _where(active, sign * _op("pow", _op("abs", base), -x), _c(0.0))
    return total


def zeta(x, q, name: str | None = None) -> Tensor:
    """Hurwitz's zeta function sum((q + k)^-x for k = 0, 1, ...), elementwise over x and q (broadcast)."""
    x = _float_only(convert_to_tensor(x), "Zeta", name)
    q = convert_to_tensor(q, dtype=x.dtype)
    with name_scope(name, "Zeta", [x, q]):
        wx, wq = _wide(stop_gradient(x)), _wide(q)
        # broadcast to one shape, with no gradient path through the zeros (a NaN times 0 would reach q)
        wx, wq = wx + stop_gradient(_c(0.0) * wq), wq + stop_gradient(_c(0.0) * wx)
        q_integer = _op("equal", _op("floor", wq), wq)
        x_integer = _op("equal", _op("floor", wx), wx)
        # a negative non-integer q with an integer x: its terms below 0 summed directly, the rest from q + shift
        negative = _op("logical_and", _op("logical_and", _op("less", wq, _c(0.0)), _op("logical_not", q_integer)),
                       _op("logical_and", x_integer, _op("greater", wq, _c(-float(_NEGATIVE_LIMIT)))))
        shift = _where(negative, -_op("floor", wq), _c(0.0))
        converges = _op("logical_and", _op("greater", wx, _c(1.0)),
                        _op("logical_or", _op("greater", wq, _c(0.0)), negative))
        # the series on safe values where it does not converge, so no NaN reaches the gradient of the branch taken
        safe_x = _where(converges, wx, _c(2.0))
        series = _zeta_series(safe_x, _where(converges, wq + shift, _c(1.0)))
        series = series + _negative_prefix(safe_x, _where(converges, wq, _c(0.5)), _where(converges, shift, _c(0.0)))
        x_even = _op("logical_and", x_integer, _op("equal", _op("mod", wx, _c(2.0)), _c(0.0)))
        at_pole = _where(x_even, _c(np.inf), _c(np.nan))
        off_domain = _where(_op("logical_and", _op("less_equal", wq, _c(0.0)), q_integer), at_pole, _c(np.nan))
        value = _where(_op("equal", wx, _c(1.0)), _c(np.inf),
                       _where(_op("less", wx, _c(1.0)), _c(np.nan), _where(converges, series, off_domain)))
        return _narrow(value, x.dtype, "Zeta")


def _polygamma(n: Tensor, x: Tensor, dtype) -> Tensor:
    wn, wx = _wide(n), _wide(x)
    wn, wx = wn + stop_gradient(_c(0.0) * wx), wx + stop_gradient(_c(0.0) * wn)  # broadcast to one shape
    valid = _op("logical_and", _op("equal", _op("floor", wn), wn), _op("greater_equal", wn, _c(0.0)))
    n = _where(valid, wn, _c(1.0))
    n_plus = n + _c(1.0)
    sign = _where(_op("equal", _op("mod", n_plus, _c(2.0)), _c(0.0)), _c(1.0), _c(-1.0))
    higher = sign * _op("exp", lgamma(n_plus)) * zeta(n_plus, wx)
    value = _where(_op("equal", n, _c(0.0)), digamma(wx), higher)
    return _narrow(_where(valid, value, _c(np.nan)), dtype, "Polygamma")


def polygamma(a, x, name: str | None = None) -> Tensor:
    """The a-th derivative of digamma at x, for a non-negative integer a (NaN otherwise), elementwise."""
    a = _float_only(convert_to_tensor(a), "Polygamma", name)
    x = convert_to_tensor(x, dtype=a.dtype)
    with name_scope(name, "Polygamma", [a, x]):
        n = stop_gradient(a)

        @custom_gradient
        def of_x(x: Tensor):
            # TF's gradient: polygamma(a + 1, x), to x only
            return _polygamma(n, x, a.dtype), lambda dy: dy * _polygamma(n + 1.0, x, a.dtype)
        return of_x(x)
