"""TF1's initializer classes (zeros, ones, constant, random uniform/normal, truncated normal, Glorot): objects that
make a variable's initial-value tensor for a shape and dtype."""

from __future__ import annotations

import abc
import math

import numpy as np

from dfc.ir.dtypes import as_dtype, f32

from . import random_ops
from .array_ops import constant
from .framework import Tensor, static_shape


class Initializer(abc.ABC):
    """Makes an initial-value tensor for a shape and dtype (TF1's initializer objects)."""

    @abc.abstractmethod
    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor: ...


class zeros_initializer(Initializer):
    def __init__(self, dtype=f32):
        self.dtype = as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        dtype = as_dtype(dtype or self.dtype)
        if dtype.is_string:  # a string's zero is b"", as TF's zeros_initializer gives
            return constant(np.full(static_shape(shape), b"", dtype=object), dtype=dtype, name="zeros")
        return constant(np.zeros(static_shape(shape), dtype.np), name="zeros")


class ones_initializer(Initializer):
    def __init__(self, dtype=f32):
        self.dtype = as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        dtype = as_dtype(dtype or self.dtype)
        return constant(np.ones(static_shape(shape), dtype.np), name="ones")


class constant_initializer(Initializer):
    def __init__(self, value=0, dtype=f32, verify_shape=False):
        self.value = value
        self.dtype = as_dtype(dtype)
        self.verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None, verify_shape=None) -> Tensor:
        dtype = as_dtype(dtype or self.dtype)
        verify = self.verify_shape if verify_shape is None else verify_shape
        return constant(self.value, dtype=dtype, shape=static_shape(shape), verify_shape=verify)


class random_uniform_initializer(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None, dtype=f32):
        self.minval, self.maxval, self.seed, self.dtype = minval, maxval, seed, as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        return random_ops.random_uniform(shape, self.minval, self.maxval, dtype or self.dtype, self.seed)


class random_normal_initializer(Initializer):
    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=f32):
        self.mean, self.stddev, self.seed, self.dtype = mean, stddev, seed, as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        return random_ops.random_normal(shape, self.mean, self.stddev, dtype or self.dtype, self.seed)


class truncated_normal_initializer(Initializer):
    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=f32):
        self.mean, self.stddev, self.seed, self.dtype = mean, stddev, seed, as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        return random_ops.truncated_normal(shape, self.mean, self.stddev, dtype or self.dtype, self.seed)


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _scale_shape(shape, partition_info) -> tuple[int, ...]:
    """The shape whose fans scale the values: a partitioned variable's whole shape, not its shard's (as TF's)."""
    return static_shape(partition_info.full_shape if partition_info is not None else shape)


class glorot_uniform_initializer(Initializer):
    """Uniform in ±sqrt(6 / (fan_in + fan_out)) (Xavier)."""

    def __init__(self, seed=None, dtype=f32):
        self.seed, self.dtype = seed, as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        fan_in, fan_out = _fans(_scale_shape(shape, partition_info))
        limit = math.sqrt(6.0 / max(fan_in + fan_out, 1))
        return random_ops.random_uniform(shape, -limit, limit, dtype or self.dtype, self.seed)


class glorot_normal_initializer(Initializer):
    def __init__(self, seed=None, dtype=f32):
        self.seed, self.dtype = seed, as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        fan_in, fan_out = _fans(_scale_shape(shape, partition_info))
        # 0.8796... is the stddev of a unit normal truncated at two standard deviations
        stddev = math.sqrt(2.0 / max(fan_in + fan_out, 1)) / 0.87962566103423978
        return random_ops.truncated_normal(shape, 0.0, stddev, dtype or self.dtype, self.seed)


xavier_initializer = glorot_uniform_initializer
