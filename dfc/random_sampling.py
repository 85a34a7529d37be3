"""Gamma and Poisson draws (tf.random.gamma / tf.random_gamma, tf.random.poisson / tf.random_poisson), composed from
the seeded uniform and normal sources, with TF's implicit reparameterization gradient for gamma samples.

A gamma draw is Marsaglia and Tsang's squeeze method: each element takes the first of a fixed number
of (normal, uniform) proposals it accepts (at least 95% of proposals are accepted for any alpha, so the
chance that all of them fail is below 1e-20), boosted by u^(1/alpha) for alpha < 1. Its gradient with
respect to alpha is what TF's RandomGammaGrad gives: the implicit derivative -dP(alpha, x)/dalpha / p(x)
of the regularized incomplete gamma function P at the drawn x, summed over the sample dims.
"""

from __future__ import annotations

import zlib

import numpy as np

from dfc.ir.dtypes import as_dtype, f32, f64, i32

from .framework import Tensor, convert_to_tensor, make, name_scope
from .scopes import get_seed as op_seeds
from .tensor_shape import TensorShape

#: proposals per gamma element; P(all rejected) <= 0.05 ** 12
GAMMA_PROPOSALS = 12
#: most series terms of dP/dalpha (the terms fall off once n exceeds x + a few sqrt(x))
_SERIES_TERMS = 4000


def salted_seed(seed, salt: str) -> int | None:
    """A new op seed from `seed` and a salt (TF's distribution_util.gen_new_seed); None stays None."""
    if seed is None:
        return None
    return int(zlib.crc32(f"{seed}{salt}".encode()) & 0x7FFFFFFF)


def _source(kind: str, shape: list[int] | Tensor, dtype, seed1: int, seed2: int) -> Tensor:
    from dfc.ir.types import TensorType
    if isinstance(shape, Tensor):
        from dfc.ir.ops.dynamic import hinted_shape

        from .array_shape_ops import _shape_hint
        rank = shape.shape.as_list()[0] if shape.shape.ndims == 1 else None
        return make(f"dfc.{kind}", [shape], {"seed": seed1, "seed2": seed2},
                    result_types=[TensorType(dtype, hinted_shape(rank, _shape_hint(shape)))])
    return make(f"dfc.{kind}", [], {"seed": seed1, "seed2": seed2}, result_types=[TensorType(dtype, tuple(shape))])


def _stream_seeds(seed, count: int) -> list[tuple[int, int]]:
    """`count` distinct (seed, seed2) pairs for one TF op seeded by `seed` (the graph seed rule applied once)."""
    seed1, seed2 = op_seeds(seed)
    return [(seed1, (seed2 * 0x9E3779B1 + 0x7F4A7C15 * (i + 1)) & 0x7FFFFFFFFFFFFFFF) for i in range(count)]


def _shape_list(shape, what: str):
    """The `shape` argument as a list of ints when known now, else a 1-D int32 tensor."""
    from .conversion import constant_value
    if isinstance(shape, TensorShape):
        return shape.as_list()
    if isinstance(shape, Tensor):
        value = constant_value(shape)
        if value is None:
            if shape.dtype.name not in ("int32", "int64") or shape.shape.ndims != 1:
                raise ValueError(f"{what}: shape {shape.name} must be a 1-D int32/int64 tensor, got "
                                 f"{shape.dtype.name} {shape.shape}")
            return make("dfc.cast", [shape], {"dtype": i32}) if shape.dtype.name == "int64" else shape
        shape = value
    arr = np.asarray(shape)
    if arr.ndim > 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(f"{what}: shape must be a 1-D list of ints, got {shape!r}")
    if np.any(arr < 0):
        raise ValueError(f"{what}: shape {arr.tolist()} has a negative dimension")
    return [int(d) for d in np.atleast_1d(arr)] if arr.ndim else [int(arr)]


def _full_shape(tf, shape, param: Tensor):
    """shape + param.shape: a list when both are known now, else a shape tensor."""
    if isinstance(shape, list) and param.shape.is_fully_defined():
        return [*shape, *param.shape.as_list()]
    head = tf.constant(np.array(shape, np.int32)) if isinstance(shape, list) else shape
    return tf.concat([head, tf.shape(param, out_type=i32)], 0)


def _seeded(seed, streams: int):
    """draw(kind, shape, stream) over the seeded sources: one (seed, seed2) pair per stream."""
    pairs = _stream_seeds(seed, streams)

    def draw(kind: str, shape, stream: int) -> Tensor:
        dtype = f64 if kind.endswith("64") else f32
        return _source("random_normal" if kind.startswith("normal") else "random_uniform", shape, dtype,
                       *pairs[stream])
    return draw


def _with_tries(tf, full):
    return [GAMMA_PROPOSALS, *full] if isinstance(full, list) else \
        tf.concat([tf.constant([GAMMA_PROPOSALS], dtype=i32), full], 0)


def _standard_gamma_from(tf, full, alpha: Tensor, draw) -> Tensor:
    """Gamma(alpha, 1) draws of shape `full` (alpha float32 or float64, broadcasting against it)."""
    width = "64" if alpha.dtype is f64 else "32"
    tries = _with_tries(tf, full)
    boosted = tf.where_v2(alpha < 1.0, alpha + 1.0, alpha)
    d = boosted - 1.0 / 3.0
    c = 1.0 / tf.sqrt(9.0 * d)
    x = draw("normal" + width, tries, 0)
    u = draw("uniform" + width, tries, 1)
    v = tf.pow(1.0 + c * x, 3.0)
    positive = v > 0.0
    log_v = tf.log(tf.where_v2(positive, v, tf.ones_like(v)))
    accept = tf.logical_and(positive, tf.log(1.0 - u) < 0.5 * tf.square(x) + d - d * v + d * log_v)
    draws = d * v
    out = tf.zeros_like(draws[0]) + d
    for t in reversed(range(GAMMA_PROPOSALS)):
        out = tf.where_v2(accept[t], draws[t], out)
    boost = draw("uniform" + width, full, 2)
    small = tf.pow(1.0 - boost, 1.0 / tf.where_v2(alpha < 1.0, alpha, tf.ones_like(alpha)))
    return tf.where_v2(alpha < 1.0 + tf.zeros_like(out), out * small, out)


def gamma_series_dp_da(a: Tensor, x: Tensor) -> Tensor:
    """dP(a, x)/da for float64 a and x of one shape, from the series of P:
    term_n = x^(a+n) e^-x / Gamma(a+n+1), d term_n / da = term_n (log x - digamma(a+n+1))."""
    import dfc as tf
    safe_x = tf.where_v2(x > 0.0, x, tf.ones_like(x))
    log_x = tf.log(safe_x)
    term = tf.exp(a * log_x - safe_x - tf.lgamma(a + 1.0))
    slope = log_x - tf.digamma(a + 1.0)

    def more(n, term, slope, total):
        return tf.logical_and(n < _SERIES_TERMS, tf.reduce_any(term * tf.abs(slope) > 1e-17 * tf.abs(total)))

    def step(n, term, slope, total):
        k = a + tf.cast(n, f64) + 1.0
        term = term * safe_x / k
        slope = slope - 1.0 / k
        return n + 1, term, slope, total + term * slope

    total = tf.while_loop(more, step, [tf.constant(0), term, slope, term * slope], back_prop=False)[3]
    return tf.where_v2(x > 0.0, total, tf.zeros_like(total))


def gamma_sample_grad(alpha, sample, name: str | None = None) -> Tensor:
    """d sample / d alpha for Gamma(alpha, 1) draws held at `sample` (TF's RandomGammaGrad): the implicit
    derivative -dP(alpha, x)/dalpha / p(x; alpha), computed in float64."""
    import dfc as tf
    with name_scope(name, "RandomGammaGrad", [alpha, sample]):
        alpha = convert_to_tensor(alpha)
        sample = convert_to_tensor(sample, dtype=alpha.dtype)
        a = tf.cast(alpha, f64) * tf.ones_like(tf.cast(sample, f64))
        x = tf.cast(sample, f64)
        safe_x = tf.where_v2(x > 0.0, x, tf.ones_like(x))
        log_pdf = (a - 1.0) * tf.log(safe_x) - safe_x - tf.lgamma(a)
        grad = -gamma_series_dp_da(a, x) / tf.exp(log_pdf)
        grad = tf.where_v2(x > 0.0, grad, tf.zeros_like(grad))
        return tf.cast(grad, alpha.dtype) if alpha.dtype is not f64 else grad


def _reparameterized(tf, draws: Tensor, alpha: Tensor) -> Tensor:
    """`draws` (shape + alpha's shape) whose gradient to alpha is gamma_sample_grad summed over the sample dims,
    as TF's RandomGamma gradient; the series runs only in a backward pass (a custom gradient region)."""
    from .custom_gradient_ops import _with_gradient
    held = tf.stop_gradient(draws)
    if held.shape.ndims is None or alpha.shape.ndims is None:
        raise ValueError(f"random_gamma needs the ranks of its draws and of alpha {alpha.name}")
    sample_axes = list(range(held.shape.ndims - alpha.shape.ndims))

    def grad(dy):
        slope = gamma_sample_grad(tf.stop_gradient(alpha), held)
        slope = tf.where_v2(tf.is_finite(slope), slope, tf.zeros_like(slope))
        return tf.reduce_sum(dy * slope, axis=sample_axes) if sample_axes else dy * slope

    name = tf.get_default_graph()._dfc_ir().unique_name("RandomGamma")
    return _with_gradient([held], [alpha], grad, name, "random_gamma's implicit gradient")[0]


def random_gamma(shape, alpha, beta=None, dtype=f32, seed=None, name: str | None = None) -> Tensor:
    """Gamma(alpha, beta) draws of shape `shape` + broadcast(alpha, beta).shape (beta is the rate, default 1)."""
    import dfc as tf
    dtype = as_dtype(dtype)
    if dtype.name not in ("float16", "float32", "float64"):
        raise TypeError(f"random_gamma: dtype must be float16, float32 or float64, got {dtype.name}")
    with name_scope(name, "random_gamma", [shape, alpha, beta]):
        shape = _shape_list(shape, "random_gamma")
        alpha = _parameter(alpha, dtype, "alpha", "random_gamma")
        beta = _parameter(1 if beta is None else beta, dtype, "beta", "random_gamma")
        alpha_broadcast = alpha + tf.zeros_like(beta)
        work = f32 if dtype.name == "float16" else dtype
        a = tf.cast(alpha_broadcast, work) if work is not dtype else alpha_broadcast
        draws = _standard_gamma_from(tf, _full_shape(tf, shape, a), tf.stop_gradient(a), _seeded(seed, 3))
        draws = _reparameterized(tf, draws, a)
        draws = tf.cast(draws, dtype) if work is not dtype else draws
        return tf.maximum(np.array(np.finfo(dtype.np).tiny, dtype.np), draws / beta)


def _parameter(value, dtype, what: str, op: str) -> Tensor:
    if not isinstance(value, Tensor):
        return convert_to_tensor(value, dtype=dtype, name=what)
    if value.dtype is not dtype:
        raise ValueError(f"{op}: {what} {value.name} has dtype {value.dtype.name}, expected {dtype.name}")
    return value


#: rates from which Poisson draws use transformed rejection instead of inversion (TF's kernel switches at 10)
_POISSON_REJECTION_FROM = 10.0
_POISSON_INVERSION_STEPS = 200


def _poisson_inversion(tf, u: Tensor, rate: Tensor) -> Tensor:
    """The count k with cdf(k - 1) <= u < cdf(k), stepping the cdf until every element is placed."""
    pmf = tf.exp(-rate) + tf.zeros_like(u)

    def more(k, pmf, cdf, count):
        return tf.logical_and(k < _POISSON_INVERSION_STEPS, tf.reduce_any(u >= cdf))

    def step(k, pmf, cdf, count):
        count = count + tf.cast(u >= cdf, f64)
        pmf = pmf * rate / tf.cast(k + 1, f64)
        return k + 1, pmf, cdf + pmf, count

    return tf.while_loop(more, step, [tf.constant(0), pmf, pmf, tf.zeros_like(u)], back_prop=False)[3]


def _poisson_rejection(tf, full, rate: Tensor, draw) -> Tensor:
    """Hormann's transformed rejection (PTRS) for rates of 10 and more: the first of a fixed number of
    proposals accepted (over 90% are)."""
    tries = _with_tries(tf, full)
    u = draw("uniform64", tries, 0) - 0.5
    v = draw("uniform64", tries, 1)
    slam, loglam = tf.sqrt(rate), tf.log(rate)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    us = 0.5 - tf.abs(u)
    k = tf.floor((2.0 * a / us + b) * u + rate + 0.43)
    quick = tf.logical_and(us >= 0.07, v <= vr)
    valid = tf.logical_and(k >= 0.0, tf.logical_not(tf.logical_and(us < 0.013, v > us)))
    safe_k = tf.maximum(k, 0.0)
    test = tf.log(tf.maximum(v, 1e-300)) + tf.log(inv_alpha) - tf.log(a / (us * us) + b) <= \
        -rate + safe_k * loglam - tf.lgamma(safe_k + 1.0)
    accept = tf.logical_or(quick, tf.logical_and(valid, test))
    out = tf.zeros_like(k[0]) + tf.floor(rate)
    for t in reversed(range(GAMMA_PROPOSALS)):
        out = tf.where_v2(accept[t], k[t], out)
    return out


def _poisson_from(tf, full, rate: Tensor, draw, dtype) -> Tensor:
    """Poisson counts of shape `full` for float64 rates broadcast to it, as `dtype`."""
    u = draw("uniform64", full, 2)
    small = tf.where_v2(rate < _POISSON_REJECTION_FROM, tf.maximum(rate, 0.0), tf.zeros_like(rate))
    large = tf.where_v2(rate < _POISSON_REJECTION_FROM, _POISSON_REJECTION_FROM + tf.zeros_like(rate), rate)
    count = tf.where_v2(rate < _POISSON_REJECTION_FROM, _poisson_inversion(tf, u, small),
                        _poisson_rejection(tf, full, large, draw))
    undefined = tf.logical_not(rate >= 0.0)
    if dtype.is_floating:
        count = tf.where_v2(undefined, np.nan + tf.zeros_like(count), count)
    else:
        count = tf.where_v2(undefined, tf.zeros_like(count), count)
    return tf.stop_gradient(tf.cast(count, dtype))


def random_poisson(lam, shape, dtype=f32, seed=None, name: str | None = None) -> Tensor:
    """Poisson(lam) draws of shape `shape` + lam.shape, as `dtype` (float or int); not differentiable.

    Rates below 10 count cdf steps below one uniform draw (exact inversion); larger ones use
    transformed rejection. A rate of 0 draws 0, a negative or NaN rate NaN (0 for integer dtypes).
    """
    import dfc as tf
    dtype = as_dtype(dtype)
    if not (dtype.is_floating or dtype.name in ("int32", "int64")):
        raise TypeError(f"random_poisson: dtype must be float16/32/64, int32 or int64, got {dtype.name}")
    with name_scope(name, "random_poisson", [lam, shape]):
        shape = _shape_list(shape, "random_poisson")
        lam = convert_to_tensor(lam, name="lam")
        if lam.dtype.name not in ("float16", "float32", "float64", "int32", "int64"):
            raise TypeError(f"random_poisson: lam {lam.name} must be a float or int32/int64 tensor, got "
                            f"{lam.dtype.name}")
        full = _full_shape(tf, shape, lam)
        rate = tf.cast(lam, f64) * tf.ones(full, f64)
        return _poisson_from(tf, full, rate, _seeded(seed, 3), dtype)


def random_poisson_v2(shape, lam, dtype=f32, seed=None, name: str | None = None) -> Tensor:
    """tf.random.poisson in TF2's argument order (shape first)."""
    return random_poisson(lam, shape, dtype=dtype, seed=seed, name=name)


def get_seed(op_seed) -> tuple[int | None, int | None]:
    """TF1's tf.get_seed: (graph seed, op seed) for an op, (None, None) when neither the graph nor the op sets one."""
    from .framework import get_default_graph
    if get_default_graph().seed is None and op_seed is None:
        return None, None
    seed1, seed2 = op_seeds(op_seed)
    if (seed1, seed2) == (0, 0):  # TF avoids the pair that its kernels read as "unseeded"
        return 0, 2 ** 31 - 1
    return seed1, seed2
