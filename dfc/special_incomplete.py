"""TF1's regularized incomplete gamma and beta functions (tf.math.igamma, igammac, betainc), composed from the DSL's
ops in float64, with TF's gradients.

P(a, x) sums its power series where x < a + 1 and takes 1 - Q(a, x) from Legendre's continued fraction
elsewhere; I_x(a, b) is the continued fraction of Numerical Recipes' betacf, on whichever side of the
mean converges fast. Each is a tf.while_loop that stops once every element has converged (at most a
fixed number of steps), over arguments made safe for the branch that element does not take. The
gradients are TF's: d/dx in closed form; d/da of P from its series (as RandomGammaGrad); betainc has
none for a and b (TF's either).
"""

from __future__ import annotations

import numpy as np

import dfc as tf
from dfc.ir.dtypes import f64

from .custom_gradient_ops import _with_gradient
from .framework import Tensor, convert_to_tensor, name_scope

_EPS = 1e-16
_TINY = 1e-300
_MAX_STEPS = 2000


def _float_pair(op: str, *values) -> list[Tensor]:
    tensors = [convert_to_tensor(v) if hasattr(v, "dtype") else None for v in values]
    dtype = next((t.dtype for t in tensors if t is not None), None)
    out = [t if t is not None else convert_to_tensor(v, dtype=dtype) for t, v in zip(tensors, values)]
    kinds = {t.dtype for t in out}
    names = ", ".join(f"{t.name} ({t.dtype.name})" for t in out)
    if len(kinds) > 1:
        raise TypeError(f"{op}: the arguments must have one dtype, got {names}")
    if out[0].dtype.name not in ("float32", "float64"):
        raise TypeError(f"{op}: the arguments must be float32 or float64, got {names}")
    return out


def _series_p(a: Tensor, x: Tensor) -> Tensor:
    """P(a, x) by its power series (for x < a + 1), without the prefactor x^a e^-x / Gamma(a)."""
    def more(n, term, total):
        return tf.logical_and(n < _MAX_STEPS, tf.reduce_any(tf.abs(term) > tf.abs(total) * _EPS))

    def step(n, term, total):
        term = term * x / (a + tf.cast(n, f64))
        return n + 1, term, total + term

    first = 1.0 / a
    return tf.while_loop(more, step, [tf.constant(1), first, first], back_prop=False)[2]


def _fraction_q(a: Tensor, x: Tensor) -> Tensor:
    """Q(a, x) by Legendre's continued fraction (modified Lentz, for x >= a + 1), without the prefactor."""
    b0 = x + 1.0 - a
    c0 = tf.fill(tf.shape(b0), np.float64(1.0 / _TINY))
    d0 = 1.0 / b0

    def more(n, b, c, d, h, delta):
        return tf.logical_and(n < _MAX_STEPS, tf.reduce_any(tf.abs(delta - 1.0) > _EPS))

    def step(n, b, c, d, h, delta):
        i = tf.cast(n, f64)
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = tf.where_v2(tf.abs(d) < _TINY, _TINY + tf.zeros_like(d), d)
        c = b + an / c
        c = tf.where_v2(tf.abs(c) < _TINY, _TINY + tf.zeros_like(c), c)
        d = 1.0 / d
        delta = d * c
        return n + 1, b, c, d, h * delta, delta

    return tf.while_loop(more, step, [tf.constant(1), b0, c0, d0, d0, tf.zeros_like(b0)], back_prop=False)[4]


def _lower_upper(a: Tensor, x: Tensor) -> tuple[Tensor, Tensor]:
    """(P(a, x), Q(a, x)) in float64 for broadcast a and x; NaN where a <= 0 or x < 0 (TF's domain)."""
    ones = tf.ones_like(a + x)
    a, x = a * ones, x * ones
    valid = tf.logical_and(a > 0.0, x >= 0.0)
    series = tf.logical_and(valid, x < a + 1.0)
    safe_a = tf.where_v2(valid, a, ones)
    log_front = safe_a * tf.log(tf.where_v2(x > 0.0, x, ones)) - x - tf.lgamma(safe_a)
    front = tf.where_v2(x > 0.0, tf.exp(log_front), tf.zeros_like(x))
    p_series = front * _series_p(safe_a, tf.where_v2(series, x, tf.zeros_like(x)))
    q_fraction = front * _fraction_q(safe_a, tf.where_v2(series, safe_a + 2.0, tf.where_v2(valid, x, safe_a + 2.0)))
    infinite = tf.is_inf(x)
    p = tf.where_v2(series, p_series, tf.where_v2(infinite, ones, 1.0 - q_fraction))
    q = tf.where_v2(series, 1.0 - p_series, tf.where_v2(infinite, tf.zeros_like(x), q_fraction))
    nan = np.nan * ones
    return tf.where_v2(valid, p, nan), tf.where_v2(valid, q, nan)


def _sum_to(g: Tensor, like: Tensor) -> Tensor:
    """g summed over the dims broadcasting added or stretched, back to like's shape (both known)."""
    extra = g.shape.ndims - like.shape.ndims
    if extra:
        g = tf.reduce_sum(g, axis=list(range(extra)))
    stretched = [i for i, (n, m) in enumerate(zip(g.shape.as_list(), like.shape.as_list())) if m == 1 and n != 1]
    return tf.reduce_sum(g, axis=stretched, keepdims=True) if stretched else g


def _dp_da(a: Tensor, x: Tensor) -> Tensor:
    from .random_sampling import gamma_series_dp_da
    return gamma_series_dp_da(a, x)


def _incomplete_gamma(a, x, upper: bool, name: str | None, op: str) -> Tensor:
    with name_scope(name, op, [a, x]):
        a, x = _float_pair(op, a, x)
        dtype = a.dtype
        a64, x64 = tf.cast(a, f64), tf.cast(x, f64)
        p, q = _lower_upper(a64, x64)
        value = tf.cast(q if upper else p, dtype) if dtype is not f64 else (q if upper else p)
        if a.shape.ndims is None or x.shape.ndims is None:
            return value
        sign = -1.0 if upper else 1.0

        def grad(dy):
            dy = tf.cast(dy, f64)
            partial_x = tf.exp(-x64 + (a64 - 1.0) * tf.log(x64) - tf.lgamma(a64))
            partial_a = _dp_da(a64 * tf.ones_like(x64), x64 * tf.ones_like(a64))
            da = tf.cast(_sum_to(sign * partial_a * dy, a), dtype)
            dx = tf.cast(_sum_to(sign * partial_x * dy, x), dtype)
            return [da, dx]

        label = tf.get_default_graph()._dfc_ir().unique_name("Igammac" if upper else "Igamma")
        return _with_gradient([tf.stop_gradient(value)], [a, x], grad, label, f"{op}'s gradient")[0]


def igamma(a, x, name: str | None = None) -> Tensor:
    """The regularized lower incomplete gamma function P(a, x) = gamma(a, x) / Gamma(a)."""
    return _incomplete_gamma(a, x, False, name, "Igamma")


def igammac(a, x, name: str | None = None) -> Tensor:
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return _incomplete_gamma(a, x, True, name, "Igammac")


def _beta_fraction(a: Tensor, b: Tensor, x: Tensor) -> Tensor:
    """Numerical Recipes' betacf: the continued fraction of I_x(a, b) (fast for x < (a + 1) / (a + b + 2))."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    d0 = 1.0 - qab * x / qap
    d0 = 1.0 / tf.where_v2(tf.abs(d0) < _TINY, _TINY + tf.zeros_like(d0), d0)
    c0 = tf.ones_like(d0)

    def fix(v):
        return tf.where_v2(tf.abs(v) < _TINY, _TINY + tf.zeros_like(v), v)

    def more(m, c, d, h, delta):
        return tf.logical_and(m < _MAX_STEPS, tf.reduce_any(tf.abs(delta - 1.0) > _EPS))

    def step(m, c, d, h, delta):
        mf = tf.cast(m, f64)
        m2 = 2.0 * mf
        aa = mf * (b - mf) * x / ((qam + m2) * (a + m2))
        d = 1.0 / fix(1.0 + aa * d)
        c = fix(1.0 + aa / c)
        h = h * d * c
        aa = -(a + mf) * (qab + mf) * x / ((a + m2) * (qap + m2))
        d = 1.0 / fix(1.0 + aa * d)
        c = fix(1.0 + aa / c)
        delta = d * c
        return m + 1, c, d, h * delta, delta

    return tf.while_loop(more, step, [tf.constant(1), c0, d0, d0, tf.zeros_like(d0)], back_prop=False)[3]


def betainc(a, b, x, name: str | None = None) -> Tensor:
    """The regularized incomplete beta function I_x(a, b); a, b and x share one shape or are scalars (TF's rule)."""
    with name_scope(name, "Betainc", [a, b, x]):
        a, b, x = _float_pair("Betainc", a, b, x)
        shapes = [t.shape.as_list() for t in (a, b, x) if t.shape.ndims not in (None, 0)]
        if any(s != shapes[0] for s in shapes[1:]):
            raise ValueError(f"Betainc: shapes of a, b and x must match or be scalars, got {a.name} {a.shape}, "
                             f"{b.name} {b.shape}, {x.name} {x.shape}")
        dtype = a.dtype
        a64, b64, x64 = (tf.cast(t, f64) for t in (a, b, x))
        ones = tf.ones_like(a64 + b64 + x64)
        a64, b64, x64 = a64 * ones, b64 * ones, x64 * ones
        valid = tf.logical_and(tf.logical_and(a64 > 0.0, b64 > 0.0), tf.logical_and(x64 >= 0.0, x64 <= 1.0))
        inner = tf.logical_and(valid, tf.logical_and(x64 > 0.0, x64 < 1.0))
        sa, sb = tf.where_v2(valid, a64, ones), tf.where_v2(valid, b64, ones)
        sx = tf.where_v2(inner, x64, 0.5 * ones)
        flip = sx >= (sa + 1.0) / (sa + sb + 2.0)
        fa, fb, fx = tf.where_v2(flip, sb, sa), tf.where_v2(flip, sa, sb), tf.where_v2(flip, 1.0 - sx, sx)
        log_front = (tf.lgamma(sa + sb) - tf.lgamma(sa) - tf.lgamma(sb) + fa * tf.log(fx) + fb * tf.log1p(-fx))
        part = tf.exp(log_front) * _beta_fraction(fa, fb, fx) / fa
        value = tf.where_v2(flip, 1.0 - part, part)
        value = tf.where_v2(inner, value, tf.where_v2(x64 <= 0.0, tf.zeros_like(x64), ones))
        value = tf.where_v2(valid, value, np.nan * ones)
        value = tf.cast(value, dtype) if dtype is not f64 else value

        def grad(dy):
            log_beta = tf.lgamma(a) + tf.lgamma(b) - tf.lgamma(a + b)
            partial_x = tf.exp(tf.math.xlog1py(b - 1.0, -x) + tf.math.xlogy(a - 1.0, x) - log_beta)
            return [None, None, _sum_to(partial_x * dy, x)]

        if x.shape.ndims is None:
            return value
        label = tf.get_default_graph()._dfc_ir().unique_name("Betainc")
        return _with_gradient([tf.stop_gradient(value)], [a, b, x], grad, label, "Betainc's gradient")[0]
