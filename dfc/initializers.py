"""tf.initializers: TF1's initializer classes under their short names, and the variance-scaling family."""

from __future__ import annotations

import math

import numpy as np

from dfc.ir.dtypes import as_dtype, f32

from . import random_ops
from .framework import Tensor, get_seed, static_shape
from .framework import constant as _constant
from .init_ops import (Initializer, _fans, _scale_shape, constant_initializer, glorot_normal_initializer,
                       glorot_uniform_initializer, ones_initializer, random_normal_initializer,
                       random_uniform_initializer, truncated_normal_initializer, zeros_initializer)
from .variables import global_variables_initializer, local_variables_initializer, variables_initializer

#: the stddev of a unit normal truncated at two standard deviations (TF's correction for truncated_normal)
TRUNCATED_STDDEV = 0.87962566103423978


class variance_scaling(Initializer):
    """Draws with variance scale / n, n the fan_in, fan_out or their average (TF1's VarianceScaling).

    distribution "normal" and "truncated_normal" are truncated at two standard deviations (stddev
    corrected by 0.8796...), "untruncated_normal" is a plain normal, "uniform" is within ±sqrt(3 scale / n).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, dtype=f32):
        if scale <= 0.0:
            raise ValueError(f"`scale` must be positive float, got {scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode}")
        distribution = distribution.lower()
        if distribution not in ("normal", "uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        self.scale, self.mode, self.distribution, self.seed, self.dtype = scale, mode, distribution, seed, \
            as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        dtype = as_dtype(dtype or self.dtype)
        fan_in, fan_out = _fans(_scale_shape(shape, partition_info))
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution in ("normal", "truncated_normal"):
            return random_ops.truncated_normal(shape, 0.0, math.sqrt(scale) / TRUNCATED_STDDEV, dtype, self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(shape, 0.0, math.sqrt(scale), dtype, self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(shape, -limit, limit, dtype, self.seed)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed,
                "dtype": self.dtype.name}


def he_normal(seed=None) -> variance_scaling:
    return variance_scaling(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed=None) -> variance_scaling:
    return variance_scaling(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed=None) -> variance_scaling:
    return variance_scaling(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed=None) -> variance_scaling:
    return variance_scaling(1.0, "fan_in", "uniform", seed)


class uniform_unit_scaling(Initializer):
    """Uniform in ±factor * sqrt(3 / input_size), input_size the product of all dims but the last."""

    def __init__(self, factor=1.0, seed=None, dtype=f32):
        self.factor, self.seed, self.dtype = factor, seed, as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        dims = _scale_shape(shape, partition_info)
        input_size = int(np.prod(dims[:-1])) if len(dims) > 1 else (dims[0] if dims else 1)
        limit = math.sqrt(3.0 / max(input_size, 1)) * self.factor
        return random_ops.random_uniform(shape, -limit, limit, dtype or self.dtype, self.seed)


class orthogonal(Initializer):
    """A (gain-scaled) matrix with orthonormal rows or columns, reshaped to `shape` (TF1's Orthogonal).

    The QR factorization runs when the initializer is called (numpy, seeded by the graph and op
    seed as TF's draws are), so the initial value is a constant of the graph: the same each time
    the initializer runs, drawn from the same distribution as TF's.
    """

    def __init__(self, gain=1.0, seed=None, dtype=f32):
        self.gain, self.seed, self.dtype = gain, seed, as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        dtype = as_dtype(dtype or self.dtype)
        dims = static_shape(shape)
        if len(dims) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional")
        rows, cols = int(np.prod(dims[:-1])), dims[-1]
        rng = np.random.default_rng(list(get_seed(self.seed)))
        a = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return _constant((self.gain * q.reshape(dims)).astype(dtype.np), name="orthogonal")


class identity(Initializer):
    """gain times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0, dtype=f32):
        self.gain, self.dtype = gain, as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        dims = static_shape(shape)
        if len(dims) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        return _constant((self.gain * np.eye(*dims)).astype(as_dtype(dtype or self.dtype).np), name="identity")


def tables_initializer(name: str = "init_all_tables"):
    """One op initializing every lookup table of the default graph (dfc/lookup_ops.py); a no-op without tables."""
    from .lookup_ops import tables_initializer as initialize_tables
    return initialize_tables(name)


def initialize_all_tables(name: str = "init_all_tables"):
    """TF1's older name of tf.tables_initializer (deprecated there, same op)."""
    return tables_initializer(name)


zeros, ones, constant = zeros_initializer, ones_initializer, constant_initializer
random_normal, random_uniform, truncated_normal = (random_normal_initializer, random_uniform_initializer,
                                                   truncated_normal_initializer)
glorot_uniform, glorot_normal = glorot_uniform_initializer, glorot_normal_initializer
global_variables, local_variables, variables = (global_variables_initializer, local_variables_initializer,
                                                variables_initializer)
