"""tf.contrib.layers' initializers: xavier_initializer(_conv2d) and variance_scaling_initializer, TF1's formulas.

variance_scaling_initializer(factor, mode, uniform): n is fan_in, fan_out or their mean (a conv
kernel's fans count its spatial taps); uniform draws from [-sqrt(3 factor / n), sqrt(3 factor / n)),
else a normal truncated at two standard deviations with stddev sqrt(1.3 factor / n) (contrib's 1.3,
not the 1/0.8796^2 of tf.variance_scaling_initializer).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from dfc.ir.dtypes import as_dtype, f32

from .. import random_ops
from ..framework import Tensor, static_shape


def _fans(shape: tuple[int, ...]) -> tuple[float, float]:
    if not shape:
        return 1.0, 1.0
    fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
    fan_out = float(shape[-1])
    for dim in shape[:-2]:
        fan_in *= dim
        fan_out *= dim
    return fan_in, fan_out


def variance_scaling_initializer(factor: float = 2.0, mode: str = "FAN_IN", uniform: bool = False, seed=None,
                                 dtype=f32) -> Callable[..., Tensor]:
    """He et al.'s initializer by default (factor 2, FAN_IN, truncated normal)."""
    dtype = as_dtype(dtype)
    if not dtype.is_floating:
        raise TypeError("Cannot create initializer for non-floating point type.")
    if mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
        raise TypeError(f"Unknown mode {mode} [FAN_IN, FAN_OUT, FAN_AVG]")

    def _initializer(shape, dtype=dtype, partition_info=None):
        dtype = as_dtype(dtype)
        if not dtype.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        dims = tuple(static_shape(shape))
        fan_in, fan_out = _fans(dims)
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return random_ops.random_uniform(dims, -limit, limit, dtype, seed=seed)
        return random_ops.truncated_normal(dims, 0.0, math.sqrt(1.3 * factor / n), dtype, seed=seed)

    return _initializer


def xavier_initializer(uniform: bool = True, seed=None, dtype=f32) -> Callable[..., Tensor]:
    """Glorot & Bengio's initializer: variance_scaling_initializer(1.0, 'FAN_AVG', uniform)."""
    return variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform=uniform, seed=seed, dtype=dtype)


xavier_initializer_conv2d = xavier_initializer

__all__ = ["variance_scaling_initializer", "xavier_initializer", "xavier_initializer_conv2d"]
