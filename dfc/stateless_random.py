"""tf.random's stateless draws (stateless_uniform, stateless_normal, stateless_truncated_normal,
stateless_categorical/multinomial, stateless_gamma, stateless_poisson): pure functions of a seed tensor.

The same seed gives the same numbers in every run and session, a different seed other numbers (TF's
promise; TF's own bits, from Philox, are not reproduced). The bits are murmur3's 32-bit finalizer over
(seed, stream, element index), computed with int64 ops masked to 32 bits, so the draw is an ordinary
composition of integer ops that every backend runs and constant folding may evaluate.
"""

from __future__ import annotations

import numpy as np

import dfc as tf
from dfc.ir.dtypes import as_dtype, f32, f64, i32, i64

from .framework import Tensor, convert_to_tensor, name_scope
from .random_sampling import _shape_list

_MASK = 0xFFFFFFFF
_GOLDEN = 0x9E3779B9


def _fmix32(h: Tensor) -> Tensor:
    """murmur3's finalizer of 32-bit words held in int64 (the products wrap mod 2^64; the low 32 bits are exact)."""
    h = tf.bitwise.bitwise_xor(h, tf.bitwise.right_shift(h, _c(16)))
    h = tf.bitwise.bitwise_and(h * _c(0x85EBCA6B), _c(_MASK))
    h = tf.bitwise.bitwise_xor(h, tf.bitwise.right_shift(h, _c(13)))
    h = tf.bitwise.bitwise_and(h * _c(0xC2B2AE35), _c(_MASK))
    return tf.bitwise.bitwise_xor(h, tf.bitwise.right_shift(h, _c(16)))


def _c(value: int) -> Tensor:
    return tf.constant(np.array([value], np.int64))


def _key(seed, what: str) -> Tensor:
    """The [1] int64 key of a seed tensor of shape [2] (int32 or int64)."""
    seed = convert_to_tensor(seed, name="seed")
    if seed.dtype not in (i32, i64):
        raise TypeError(f"{what}: seed {seed.name} must be int32 or int64, got {seed.dtype.name}")
    if seed.shape.ndims is not None and seed.shape.as_list() not in ([2], [None]):
        raise ValueError(f"{what}: seed {seed.name} must have shape [2], got {seed.shape}")
    words = tf.bitwise.bitwise_and(tf.cast(seed, i64), _c(_MASK))
    first, second = words[0:1], words[1:2]
    mixed = _fmix32(tf.bitwise.bitwise_and(second + _c(_GOLDEN), _c(_MASK)))
    return _fmix32(tf.bitwise.bitwise_xor(first, mixed))


def _words(key: Tensor, stream: int, count) -> Tensor:
    """`count` uint32 words (as int64) of stream `stream` under `key`."""
    stream_key = _fmix32(tf.bitwise.bitwise_xor(key, _c((stream * 0x165667B1 + 0x27D4EB2F) & _MASK)))
    index = tf.range(tf.cast(count, i64) if isinstance(count, Tensor) else np.int64(count), dtype=i64)
    spread = tf.bitwise.bitwise_and(index * _c(_GOLDEN), _c(_MASK))
    return _fmix32(tf.bitwise.bitwise_xor(spread, stream_key))


def _count(shape) -> int | Tensor:
    return int(np.prod(shape, dtype=np.int64)) if isinstance(shape, list) else tf.reduce_prod(shape)


def _unit(key: Tensor, stream: int, shape, dtype) -> Tensor:
    """Uniform [0, 1) floats of `shape`: 24 random bits for float32/16, 53 for float64."""
    n = _count(shape)
    if dtype is f64:
        high = tf.cast(tf.bitwise.right_shift(_words(key, 2 * stream, n), _c(5)), f64)
        low = tf.cast(tf.bitwise.right_shift(_words(key, 2 * stream + 1, n), _c(6)), f64)
        flat = (high * 67108864.0 + low) * (1.0 / 9007199254740992.0)
    else:
        flat = tf.cast(tf.bitwise.right_shift(_words(key, stream, n), _c(8)), f32) * (1.0 / 16777216.0)
    return tf.reshape(flat, shape)


def _normal(key: Tensor, stream: int, shape, dtype) -> Tensor:
    """Box-Muller normals of `shape` (computed in float32 or float64)."""
    work = f64 if dtype is f64 else f32
    u1 = 1.0 - _unit(key, 2 * stream + 100, shape, work)
    u2 = _unit(key, 2 * stream + 101, shape, work)
    return tf.sqrt(-2.0 * tf.log(u1)) * tf.cos(2.0 * np.pi * u2)


def _float_dtype(dtype, what: str):
    dtype = as_dtype(dtype)
    if dtype.name not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"{what}: Invalid dtype {dtype.name}; a float type is required")
    return dtype


def _finish(x: Tensor, dtype) -> Tensor:
    return tf.cast(x, dtype) if x.dtype is not dtype else x


def stateless_random_uniform(shape, seed, minval=0, maxval=None, dtype=f32, name: str | None = None) -> Tensor:
    """Uniform draws in [minval, maxval) fixed by `seed`; integers need both bounds (TF's rule)."""
    dtype = as_dtype(dtype)
    with name_scope(name, "stateless_random_uniform", [shape, seed, minval, maxval]):
        shape = _shape_list(shape, "stateless_random_uniform")
        key = _key(seed, "stateless_random_uniform")
        if dtype.is_integer:
            if maxval is None or minval is None:
                raise ValueError(f"Must specify both minval and maxval for {dtype.name} (integer) dtype, got "
                                 f"minval={minval!r}, maxval={maxval!r}")
            lo = convert_to_tensor(minval, dtype=dtype, name="min")
            hi = convert_to_tensor(maxval, dtype=dtype, name="max")
            span = tf.cast(hi - lo, i64)
            bits = tf.reshape(_words(key, 0, _count(shape)), shape)
            return lo + tf.cast(tf.floormod(bits, tf.maximum(span, 1)), dtype)
        dtype = _float_dtype(dtype, "stateless_random_uniform")
        work = f64 if dtype is f64 else f32
        unit = _unit(key, 0, shape, work)
        maxval = 1 if maxval is None else maxval
        lo = convert_to_tensor(minval, dtype=dtype, name="min") if not hasattr(minval, "dtype") else minval
        hi = convert_to_tensor(maxval, dtype=dtype, name="max") if not hasattr(maxval, "dtype") else maxval
        return _finish(unit, dtype) * (hi - lo) + lo


def stateless_random_normal(shape, seed, mean=0.0, stddev=1.0, dtype=f32, name: str | None = None) -> Tensor:
    """Normal draws fixed by `seed`."""
    dtype = _float_dtype(dtype, "stateless_random_normal")
    with name_scope(name, "stateless_random_normal", [shape, seed, mean, stddev]):
        shape = _shape_list(shape, "stateless_random_normal")
        z = _finish(_normal(_key(seed, "stateless_random_normal"), 0, shape, dtype), dtype)
        mean = convert_to_tensor(mean, dtype=dtype, name="mean") if not hasattr(mean, "dtype") else mean
        stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev") if not hasattr(stddev, "dtype") else stddev
        return z * stddev + mean


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=f32, name: str | None = None) -> Tensor:
    """Normal draws within two standard deviations fixed by `seed` (the first of 8 tries inside, per element)."""
    dtype = _float_dtype(dtype, "stateless_truncated_normal")
    with name_scope(name, "stateless_truncated_normal", [shape, seed, mean, stddev]):
        shape = _shape_list(shape, "stateless_truncated_normal")
        key = _key(seed, "stateless_truncated_normal")
        out = None
        for attempt in reversed(range(8)):
            z = _normal(key, attempt, shape, dtype)
            out = tf.zeros_like(z) if out is None else out
            out = tf.where_v2(tf.abs(z) < 2.0, z, out)
        mean = convert_to_tensor(mean, dtype=dtype, name="mean") if not hasattr(mean, "dtype") else mean
        stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev") if not hasattr(stddev, "dtype") else stddev
        return _finish(out, dtype) * stddev + mean


def stateless_categorical(logits, num_samples, seed, dtype=i64, name: str | None = None) -> Tensor:
    """num_samples class indices per row of logits [batch, classes] fixed by `seed` (Gumbel-max)."""
    with name_scope(name, "stateless_categorical", [logits, seed]):
        logits = convert_to_tensor(logits, name="logits")
        if logits.shape.ndims != 2 or not logits.dtype.is_floating:
            raise ValueError(f"stateless_categorical: logits {logits.name} must be a 2-D float tensor [batch, "
                             f"classes], got {logits.dtype.name} {logits.shape}")
        batch, classes = logits.shape.as_list()
        if batch is None or classes is None:
            raise ValueError(f"stateless_categorical needs the shape of {logits.name}, got {logits.shape}")
        n = int(num_samples)
        dtype = as_dtype(dtype)
        if dtype not in (i32, i64):
            raise TypeError(f"stateless_categorical: dtype must be int32 or int64, got {dtype.name}")
        work = f64 if logits.dtype is f64 else f32
        u = _unit(_key(seed, "stateless_categorical"), 0, [batch, n, classes], work)
        tiny = float(np.finfo(work.np).tiny)
        gumbel = -tf.log(-tf.log(tf.maximum(u, tiny)))
        return tf.argmax(tf.cast(logits, work)[:, tf.newaxis, :] + gumbel, axis=-1, output_type=dtype)


def stateless_multinomial(logits, num_samples, seed, output_dtype=i64, name: str | None = None) -> Tensor:
    return stateless_categorical(logits, num_samples, seed, dtype=output_dtype, name=name or "stateless_multinomial")


def stateless_random_gamma(shape, seed, alpha, beta=None, dtype=f32, name: str | None = None) -> Tensor:
    """Gamma(alpha, beta) draws fixed by `seed`, of `shape` (which must end with broadcast(alpha, beta)'s shape),
    reparameterized as tf.random.gamma."""
    from .random_sampling import _reparameterized, _standard_gamma_from
    dtype = _float_dtype(dtype, "stateless_random_gamma")
    with name_scope(name, "stateless_random_gamma", [shape, seed, alpha, beta]):
        shape = _shape_list(shape, "stateless_random_gamma")
        key = _key(seed, "stateless_random_gamma")
        alpha = convert_to_tensor(alpha, dtype=dtype, name="alpha") if not hasattr(alpha, "dtype") else alpha
        beta = convert_to_tensor(1 if beta is None else beta, dtype=dtype, name="beta") \
            if not hasattr(beta, "dtype") else beta
        work = f64 if dtype is f64 else f32
        a = _finish(alpha + tf.zeros_like(beta), work) * tf.ones(shape, work)

        def draw(kind: str, draw_shape, stream: int) -> Tensor:
            return _normal(key, stream, draw_shape, work) if kind.startswith("normal") else \
                _unit(key, stream, draw_shape, work)

        draws = _reparameterized(tf, _standard_gamma_from(tf, shape, tf.stop_gradient(a), draw), a)
        return tf.maximum(np.array(np.finfo(dtype.np).tiny, dtype.np), _finish(draws, dtype) / beta)


def stateless_random_poisson(shape, seed, lam, dtype=i32, name: str | None = None) -> Tensor:
    """Poisson(lam) counts fixed by `seed`, of `shape` (ending with lam's shape)."""
    from .random_sampling import _poisson_from
    dtype = as_dtype(dtype)
    with name_scope(name, "stateless_random_poisson", [shape, seed, lam]):
        shape = _shape_list(shape, "stateless_random_poisson")
        key = _key(seed, "stateless_random_poisson")
        lam = convert_to_tensor(lam, name="lam")
        rate = tf.cast(lam, f64) * tf.ones(shape, f64)
        return _poisson_from(tf, shape, rate, lambda kind, s, stream: _unit(key, stream, s, f64), dtype)




def stateless_parameterized_truncated_normal(shape, seed, means=0.0, stddevs=1.0, minvals=-2.0, maxvals=2.0,
                                             name: str | None = None) -> Tensor:
    """Normal(means, stddevs) draws restricted to [minvals, maxvals], fixed by `seed` (by inverting the normal
    cdf over the interval, on the side of the mean where it does not cancel; float64 inside)."""
    from .distributions.special import ndtr
    with name_scope(name, "stateless_parameterized_truncated_normal", [shape, seed, means, stddevs, minvals, maxvals]):
        shape = _shape_list(shape, "stateless_parameterized_truncated_normal")
        given = [v for v in (means, stddevs, minvals, maxvals) if hasattr(v, "dtype")]
        dtype = convert_to_tensor(given[0]).dtype if given else f32
        params = [tf.cast(convert_to_tensor(v, dtype=dtype) if not hasattr(v, "dtype") else v, f64)
                  for v in (means, stddevs, minvals, maxvals)]
        mean, std, low, high = params
        a, b = (low - mean) / std, (high - mean) / std
        right = a > 0.0  # both bounds above the mean: invert the mirrored interval, where the cdf is small
        lo, hi = tf.where_v2(right, -b, a), tf.where_v2(right, -a, b)
        u = _unit(_key(seed, "stateless_parameterized_truncated_normal"), 0, shape, f64)
        p_lo, p_hi = ndtr(lo), ndtr(hi)
        z = tf.math.ndtri(p_lo + u * (p_hi - p_lo))
        z = tf.clip_by_value(tf.where_v2(right, -z, z), a, b)
        return tf.cast(mean + std * z, dtype)


#: below this mean, binomial draws invert the cdf; from it on, transformed rejection (BTRS)
_BINOMIAL_REJECTION_FROM = 10.0


def _binomial_inversion(u: Tensor, n: Tensor, p: Tensor) -> Tensor:
    """The count k with cdf(k - 1) <= u < cdf(k) for Binomial(n, p), p <= 1/2 and n p small."""
    q = 1.0 - p
    ratio = p / q
    pmf = tf.exp(n * tf.log1p(-p))

    def more(k, pmf, cdf, count):
        return tf.logical_and(k < 4000, tf.reduce_any(tf.logical_and(u >= cdf, tf.cast(k, f64) < n)))

    def step(k, pmf, cdf, count):
        kf = tf.cast(k, f64)
        count = count + tf.cast(tf.logical_and(u >= cdf, kf < n), f64)
        pmf = pmf * (n - kf) / (kf + 1.0) * ratio
        return k + 1, pmf, cdf + pmf, count

    return tf.while_loop(more, step, [tf.constant(0), pmf, pmf, tf.zeros_like(u)], back_prop=False)[3]


def _binomial_rejection(key: Tensor, shape, n: Tensor, p: Tensor) -> Tensor:
    """Hormann's BTRS for n p >= 10, p <= 1/2: the first of a fixed number of proposals accepted."""
    from .random_sampling import GAMMA_PROPOSALS
    tries = [GAMMA_PROPOSALS, *shape]
    u = _unit(key, 31, tries, f64) - 0.5
    v = _unit(key, 32, tries, f64)
    q = 1.0 - p
    spq = tf.sqrt(n * p * q)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    m = tf.floor((n + 1.0) * p)
    h = tf.lgamma(m + 1.0) + tf.lgamma(n - m + 1.0)
    us = 0.5 - tf.abs(u)
    k = tf.floor((2.0 * a / us + b) * u + c)
    inside = tf.logical_and(k >= 0.0, k <= n)
    quick = tf.logical_and(us >= 0.07, v <= v_r)
    safe_k = tf.clip_by_value(k, 0.0, n)
    bound = tf.log(tf.maximum(v, 1e-300) * alpha / (a / (us * us) + b))
    test = bound <= h - tf.lgamma(safe_k + 1.0) - tf.lgamma(n - safe_k + 1.0) + (safe_k - m) * tf.log(p / q)
    accept = tf.logical_and(inside, tf.logical_or(quick, test))
    out = tf.zeros_like(k[0]) + m
    for t in reversed(range(GAMMA_PROPOSALS)):
        out = tf.where_v2(accept[t], k[t], out)
    return out


def stateless_binomial(shape, seed, counts, probs, output_dtype=i32, name: str | None = None) -> Tensor:
    """Binomial(counts, probs) draws of `shape` (counts and probs broadcast to it) fixed by `seed`."""
    output_dtype = as_dtype(output_dtype)
    with name_scope(name, "stateless_random_binomial", [shape, seed, counts, probs]):
        shape = _shape_list(shape, "stateless_binomial")
        if not isinstance(shape, list):
            raise ValueError("stateless_binomial: the shape must be known when the graph is built")
        key = _key(seed, "stateless_binomial")
        counts, probs = convert_to_tensor(counts, name="counts"), convert_to_tensor(probs, name="probs")
        ones = tf.ones(shape, f64)
        n = tf.cast(counts, f64) * ones
        p = tf.cast(probs, f64) * ones
        flip = p > 0.5
        small_p = tf.where_v2(flip, 1.0 - p, p)
        mean = n * small_p
        use_inversion = mean < _BINOMIAL_REJECTION_FROM
        u = _unit(key, 30, shape, f64)
        inv_p = tf.where_v2(use_inversion, small_p, tf.zeros_like(p))
        inverted = _binomial_inversion(u, tf.where_v2(use_inversion, n, tf.zeros_like(n)), inv_p)
        rej_n = tf.where_v2(use_inversion, 100.0 * ones, n)
        rej_p = tf.where_v2(use_inversion, 0.5 * ones, small_p)
        rejected = _binomial_rejection(key, shape, rej_n, rej_p)
        k = tf.where_v2(use_inversion, inverted, rejected)
        k = tf.where_v2(flip, n - k, k)
        valid = tf.logical_and(tf.logical_and(p >= 0.0, p <= 1.0), n >= 0.0)
        k = tf.where_v2(valid, k, np.nan * ones) if output_dtype.is_floating else tf.where_v2(valid, k, 0.0 * ones)
        return tf.cast(k, output_dtype)
