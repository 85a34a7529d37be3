"""The normal and Laplace cdfs of tf.distributions (TF's special_math: ndtr, log_ndtr, log_cdf_laplace), composed
so that each branch sees only arguments it is accurate for."""

from __future__ import annotations

import numpy as np

import dfc as tf

from ..framework import Tensor, convert_to_tensor, name_scope

#: where log_ndtr switches from log(ndtr(x)) to its asymptotic series (lower) and to -ndtr(-x) (upper)
_LOG_NDTR_BOUNDS = {"float32": (-10.0, 5.0), "float64": (-20.0, 8.0)}


def _checked(x, what: str) -> Tensor:
    x = convert_to_tensor(x, name="x")
    if x.dtype.name not in _LOG_NDTR_BOUNDS:
        raise TypeError(f"{what}: x.dtype={x.dtype.name} is not handled ({x.name}); float32 and float64 are")
    return x


def _ndtr(x: Tensor) -> Tensor:
    half_sqrt_2 = tf.constant(0.5 * np.sqrt(2.0), dtype=x.dtype, name="half_sqrt_2")
    w = x * half_sqrt_2
    z = tf.abs(w)
    y = tf.where_v2(tf.less(z, half_sqrt_2), 1.0 + tf.erf(w),
                    tf.where_v2(tf.greater(w, 0.0), 2.0 - tf.erfc(z), tf.erfc(z)))
    return 0.5 * y


def ndtr(x, name: str = "ndtr") -> Tensor:
    """The standard normal cdf, through erf near 0 and erfc in the tails."""
    with name_scope(name, values=[x]):
        return _ndtr(_checked(x, "ndtr"))


def _double_factorial(n: int) -> int:
    return int(np.prod(np.arange(n, 1, -2))) if n > 1 else 1


def log_ndtr(x, series_order: int = 3, name: str = "log_ndtr") -> Tensor:
    """log of the standard normal cdf: -ndtr(-x) far right, an asymptotic series far left."""
    if not isinstance(series_order, int):
        raise TypeError("series_order must be a Python integer.")
    if series_order < 0:
        raise ValueError("series_order must be non-negative.")
    if series_order > 30:
        raise ValueError("series_order must be <= 30.")
    with name_scope(name, values=[x]):
        x = _checked(x, "log_ndtr")
        lower, upper = (np.array(b, x.dtype.np) for b in _LOG_NDTR_BOUNDS[x.dtype.name])
        return tf.where_v2(tf.greater(x, upper), -_ndtr(-x),
                           tf.where_v2(tf.greater(x, lower), tf.log(_ndtr(tf.maximum(x, lower))),
                                       _log_ndtr_lower(tf.minimum(x, lower), series_order)))


def _log_ndtr_lower(x: Tensor, series_order: int) -> Tensor:
    x_2 = tf.square(x)
    log_scale = -0.5 * x_2 - tf.log(-x) - 0.5 * np.log(2.0 * np.pi)
    if series_order <= 0:
        return log_scale
    even, odd = tf.zeros_like(x), tf.zeros_like(x)
    x_2n = x_2
    for n in range(1, series_order + 1):
        y = np.array(_double_factorial(2 * n - 1), x.dtype.np) / x_2n
        if n % 2:
            odd = odd + y
        else:
            even = even + y
        x_2n = x_2n * x_2
    return log_scale + tf.log(1.0 + even - odd)


def log_cdf_laplace(x, name: str = "log_cdf_laplace") -> Tensor:
    """log of the standard Laplace cdf, without cancellation on either side."""
    with name_scope(name, values=[x]):
        x = convert_to_tensor(x, name="x")
        lower = -np.log(2.0) + x
        upper = tf.log1p(-0.5 * tf.exp(-tf.abs(x)))
        return tf.where_v2(x < 0.0, lower, upper)
