"""tf.layers' core layers (Dense, Flatten, Dropout, BatchNormalization) and their function forms, TF1's names.

Each call opens a variable scope named after the layer ('dense', then 'dense_1', ... unless
`name` is given), so the variables are `dense/kernel` and `dense/bias` as in TF1 and a
checkpoint written by TF1 names the same variables.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype

from .. import nn
from ..array_ops import reshape, shape, stack
from ..framework import Tensor, TensorShape, convert_to_tensor
from ..math_ops import cast, matmul, reduce_mean, rsqrt, square, where
from ..variables import ones_initializer, variable_scope, zeros_initializer
from .base import InputSpec, Layer, unique_layer_name

__all__ = ["BatchNormalization", "Dense", "Dropout", "Flatten", "batch_normalization", "dense", "dropout", "flatten"]


@contextlib.contextmanager
def layer_scope(name: str | None, base: str, reuse: Any) -> Iterator[Any]:
    """The variable scope of one layer call: `name` as given, else a fresh default name."""
    with variable_scope(name if name is not None else unique_layer_name(base), reuse=reuse or None) as scope:
        yield scope


def _floating_input(inputs, layer: str) -> Tensor:
    x = convert_to_tensor(inputs)
    if not x.dtype.is_floating:
        x = cast(x, "float32")
    if x.shape.ndims is None:
        raise ValueError(f"{layer}: the rank of {x.name} must be known")
    return x


class Dense(Layer):
    """activation(inputs @ kernel + bias) over the last dim of the inputs (any rank >= 2)."""

    def __init__(self, units: int, activation=None, use_bias: bool = True, kernel_initializer=None,
                 bias_initializer=None, kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, trainable: bool = True, name: str | None = None,
                 **kwargs):
        super().__init__(trainable=trainable, name=name, activity_regularizer=activity_regularizer, **kwargs)
        units = int(units)
        if units <= 0:
            raise ValueError(f"dense: units must be a positive integer, got {units}")
        self.units, self.activation, self.use_bias = units, activation, use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.input_spec = InputSpec(min_ndim=2)
        self.kernel = self.bias = None

    def build(self, input_shape) -> None:
        dims = TensorShape(input_shape).as_list() if not isinstance(input_shape, TensorShape) else \
            input_shape.as_list()
        if dims is None or dims[-1] is None:
            raise ValueError(f"The last dimension of the inputs to `Dense` ({self.name}) should be defined. Found "
                             f"`None`.")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: dims[-1]})
        self.kernel = self.add_weight("kernel", [dims[-1], self.units], initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, trainable=True)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.units], regularizer=self.bias_regularizer, trainable=True,
                                        initializer=self.bias_initializer if self.bias_initializer is not None
                                        else zeros_initializer())
        self.built = True

    def call(self, inputs) -> Tensor:
        x = _floating_input(inputs, "dense")
        if x.dtype is not self.kernel.dtype:
            x = cast(x, self.kernel.dtype)
        fan_in, units = self.kernel.shape.as_list()
        if x.shape.ndims == 2:
            y = matmul(x, self.kernel, name="MatMul")
        else:  # tensordot over the last dim: rows of every leading position at once
            lead = x.shape.as_list()[:-1]
            y = matmul(reshape(x, [-1, fan_in]), self.kernel, name="Tensordot")
            if all(d is not None for d in lead):
                y = reshape(y, lead + [units])
            else:
                dims = shape(x)
                y = reshape(y, [dims[i] if d is None else d for i, d in enumerate(lead)] + [units])
        if self.use_bias:
            y = nn.bias_add(y, self.bias, name="BiasAdd")
        if self.activation is not None:
            y = self.activation(y)
        return y


def dense(inputs, units: int, activation=None, use_bias: bool = True, kernel_initializer=None,
          bias_initializer=None, kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
          kernel_constraint=None, bias_constraint=None, trainable: bool = True, name: str | None = None,
          reuse=None) -> Tensor:
    """activation(inputs @ kernel + bias) over the last dim of `inputs` (any rank >= 2): Dense(...)(inputs)."""
    x = _floating_input(inputs, "dense")
    if x.shape.ndims < 2:
        raise ValueError(f"dense: input {x.name} must have rank >= 2, got shape {x.shape}")
    if x.shape.as_list()[-1] is None:
        raise ValueError(f"dense: the last dim of the input {x.name} must be known, got shape {x.shape}")
    layer = Dense(units, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                  bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint, trainable, name,
                  dtype=x.dtype, _reuse=reuse)
    return layer(x)


class Flatten(Layer):
    """[batch, ...] -> [batch, product of the other dims] (channels_first inputs are moved to channels_last first)."""

    def __init__(self, data_format: str = "channels_last", **kwargs):
        super().__init__(**kwargs)
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
        self.data_format = data_format
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs) -> Tensor:
        from ..array_ops import transpose
        x = inputs
        if x.shape.ndims is None:
            raise ValueError(f"flatten: the rank of {x.name} must be known")
        if self.data_format == "channels_first" and x.shape.ndims > 2:
            x = transpose(x, [0] + list(range(2, x.shape.ndims)) + [1])
        rest = x.shape.as_list()[1:]
        if all(d is not None for d in rest):
            return reshape(x, [-1, int(np.prod(rest, dtype=np.int64))], name="Reshape")
        return reshape(x, stack([shape(x)[0], -1]), name="Reshape")


def flatten(inputs, name: str | None = None, data_format: str = "channels_last") -> Tensor:
    """Flatten(data_format, name=name)(inputs)."""
    return Flatten(data_format=data_format, name=name)(inputs)


def _as_training(training) -> bool | Tensor:
    if isinstance(training, Tensor) or hasattr(training, "_as_tensor"):
        t = convert_to_tensor(training)
        if not t.dtype.is_bool:
            raise TypeError(f"training must be a Python bool or a bool tensor, got {t.name} of {t.dtype.name}")
        return t if t.shape.ndims == 0 else reshape(t, [])  # a scalar, whatever the placeholder declared
    return bool(training)


class Dropout(Layer):
    """tf.nn.dropout with `rate` when called with training=True (or a bool tensor that is true), else identity."""

    def __init__(self, rate: float = 0.5, noise_shape=None, seed=None, name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed

    def call(self, inputs, training=False) -> Tensor:
        training = _as_training(training)
        if training is False:
            return inputs
        dropped = nn.dropout(inputs, rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return dropped if training is True else where(training, dropped, inputs)


def dropout(inputs, rate: float = 0.5, noise_shape=None, seed=None, training=False, name: str | None = None) -> Tensor:
    """Dropout(rate, noise_shape, seed, name)(inputs, training=training)."""
    x = convert_to_tensor(inputs)
    if _as_training(training) is False:
        return x
    return Dropout(rate, noise_shape, seed, name)(x, training=training)


class BatchNormalization(Layer):
    """Normalize over every axis but `axis`: batch statistics when training, the moving averages otherwise.

    Training adds the moving-average updates to the layer's `updates` and to tf.GraphKeys.UPDATE_OPS
    (run them with the train op, as in TF1). A 4-D input normalized over channels takes TF's fused
    path, whose moving variance averages the unbiased batch variance.
    """

    def __init__(self, axis=-1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer=None, gamma_initializer=None, moving_mean_initializer=None,
                 moving_variance_initializer=None, beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, renorm: bool = False, renorm_clipping=None,
                 renorm_momentum: float = 0.99, fused=None, trainable: bool = True, virtual_batch_size=None,
                 adjustment=None, name: str | None = None, **kwargs):
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise ValueError("batch_normalization: renorm, virtual_batch_size and adjustment are not supported")
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.axis, self.momentum, self.epsilon, self.center, self.scale = axis, momentum, epsilon, center, scale
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.fused = fused
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape) -> None:
        dims = input_shape.as_list() if input_shape.ndims is not None else None
        if dims is None:
            raise ValueError(f"Input has undefined rank (layer {self.name})")
        rank = len(dims)
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(f"Invalid axis: {a} for an input of rank {rank} (layer {self.name})")
        self._axes = [a % rank for a in axes]
        params_shape = [dims[a] for a in self._axes]
        if None in params_shape:
            raise ValueError(f"batch_normalization: dim {self._axes} of the input must be known, got shape "
                             f"{input_shape}")
        self.gamma = self.add_weight("gamma", params_shape, initializer=self.gamma_initializer or ones_initializer(),
                                     regularizer=self.gamma_regularizer) if self.scale else None
        self.beta = self.add_weight("beta", params_shape, initializer=self.beta_initializer or zeros_initializer(),
                                    regularizer=self.beta_regularizer) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", params_shape, trainable=False,
                                           initializer=self.moving_mean_initializer or zeros_initializer())
        self.moving_variance = self.add_weight("moving_variance", params_shape, trainable=False,
                                               initializer=self.moving_variance_initializer or ones_initializer())
        self.built = True

    def call(self, inputs, training=False) -> Tensor:
        x = _floating_input(inputs, "batch_normalization")
        rank = x.shape.ndims
        axes = self._axes
        params_shape = self.moving_mean.shape.as_list()
        reduce_axes = [i for i in range(rank) if i not in axes]
        broadcast = [x.shape.as_list()[i] if i in axes else 1 for i in range(rank)]
        fused_path = self.fused is not False and rank == 4 and len(axes) == 1 and axes[0] in (1, 3)
        training = _as_training(training)
        dtype = as_dtype(x.dtype)
        gamma, beta, epsilon = self.gamma, self.beta, self.epsilon
        moving_mean, moving_variance = self.moving_mean, self.moving_variance

        def normalize(mean, variance):
            inv = rsqrt(variance + epsilon)
            if gamma is not None:
                inv = inv * reshape(gamma, broadcast)
            shift = -mean * inv
            if beta is not None:
                shift = shift + reshape(beta, broadcast)
            return x * inv + shift

        inference = normalize(reshape(moving_mean, broadcast), reshape(moving_variance, broadcast))
        if training is False:
            return inference
        mean = reduce_mean(x, axis=reduce_axes, keepdims=True)
        variance = reduce_mean(square(x - mean), axis=reduce_axes, keepdims=True)
        out = normalize(mean, variance)
        batch_mean, batch_variance = reshape(mean, params_shape), reshape(variance, params_shape)
        if fused_path:
            reduced = [x.shape.as_list()[i] for i in reduce_axes]
            if None in reduced:
                dims = shape(x)
                n = cast(dims[reduce_axes[0]], dtype)
                for i in reduce_axes[1:]:
                    n = n * cast(dims[i], dtype)
                factor = n / (n - 1.0)
            else:
                count = float(np.prod(reduced, dtype=object))
                factor = count / max(count - 1.0, 1.0)
            batch_variance = batch_variance * factor
        decay = convert_to_tensor(1.0 - self.momentum, dtype=dtype)
        if training is not True:  # a bool tensor: the moving averages stay put when it is False
            decay = where(training, decay, convert_to_tensor(0.0, dtype=dtype))
        update_mean = moving_mean.assign_sub((moving_mean - batch_mean) * decay, name="AssignMovingAvg")
        update_variance = moving_variance.assign_sub((moving_variance - batch_variance) * decay,
                                                     name="AssignMovingAvg_1")
        self.add_update([update_mean, update_variance])
        return out if training is True else where(training, out, inference)


def batch_normalization(inputs, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                        scale: bool = True, beta_initializer=None, gamma_initializer=None,
                        moving_mean_initializer=None, moving_variance_initializer=None, beta_regularizer=None,
                        gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, training=False,
                        trainable: bool = True, name: str | None = None, reuse=None, renorm: bool = False,
                        renorm_clipping=None, renorm_momentum: float = 0.99, fused=None, virtual_batch_size=None,
                        adjustment=None) -> Tensor:
    """BatchNormalization(...)(inputs, training=training): its update ops go to tf.GraphKeys.UPDATE_OPS."""
    layer = BatchNormalization(axis, momentum, epsilon, center, scale, beta_initializer, gamma_initializer,
                               moving_mean_initializer, moving_variance_initializer, beta_regularizer,
                               gamma_regularizer, beta_constraint, gamma_constraint, renorm, renorm_clipping,
                               renorm_momentum, fused, trainable, virtual_batch_size, adjustment, name=name,
                               _reuse=reuse)
    return layer(inputs, training=training)
