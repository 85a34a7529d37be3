"""tf.layers' core layers: dense, flatten, dropout and batch_normalization, with TF1's variable names.

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
from ..framework import Tensor, convert_to_tensor, get_default_graph
from ..graph import GraphKeys, add_to_collection
from ..math_ops import cast, matmul, reduce_mean, rsqrt, square, where
from ..variables import get_variable, get_variable_scope, ones_initializer, variable_scope, zeros_initializer

__all__ = ["batch_normalization", "dense", "dropout", "flatten"]


def unique_layer_name(base: str) -> str:
    """'dense', then 'dense_1', 'dense_2', ... within the current variable scope (TF1's default layer names)."""
    graph = get_default_graph()
    counts: dict[tuple[str, str], int] = graph.collections.setdefault("__layer_name_counts", {})
    key = (get_variable_scope().name, base)
    n = counts.get(key, 0)
    counts[key] = n + 1
    return base if n == 0 else f"{base}_{n}"


@contextlib.contextmanager
def layer_scope(name: str | None, base: str, reuse: Any) -> Iterator[Any]:
    """The variable scope of one layer call: `name` as given, else a fresh default name."""
    with variable_scope(name if name is not None else unique_layer_name(base), reuse=reuse or None) as scope:
        yield scope


def _regularize(regularizer, variable, what: str) -> None:
    if regularizer is None:
        return
    penalty = regularizer(variable)
    if penalty is not None:
        add_to_collection(GraphKeys.REGULARIZATION_LOSSES, convert_to_tensor(penalty))


def _floating_input(inputs, layer: str) -> Tensor:
    x = convert_to_tensor(inputs)
    if not x.dtype.is_floating:
        x = cast(x, "float32")
    if x.shape.ndims is None:
        raise ValueError(f"{layer}: the rank of {x.name} must be known")
    return x


def dense(inputs, units: int, activation=None, use_bias: bool = True, kernel_initializer=None,
          bias_initializer=None, kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
          kernel_constraint=None, bias_constraint=None, trainable: bool = True, name: str | None = None,
          reuse=None) -> Tensor:
    """activation(inputs @ kernel + bias) over the last dim of `inputs` (any rank >= 2)."""
    x = _floating_input(inputs, "dense")
    if x.shape.ndims < 2:
        raise ValueError(f"dense: input {x.name} must have rank >= 2, got shape {x.shape}")
    fan_in = x.shape.as_list()[-1]
    if fan_in is None:
        raise ValueError(f"dense: the last dim of the input {x.name} must be known, got shape {x.shape}")
    units = int(units)
    if units <= 0:
        raise ValueError(f"dense: units must be a positive integer, got {units}")
    with layer_scope(name, "dense", reuse):
        kernel = get_variable("kernel", [fan_in, units], dtype=x.dtype, initializer=kernel_initializer,
                              trainable=trainable)
        _regularize(kernel_regularizer, kernel, "kernel")
        rank = x.shape.ndims
        if rank == 2:
            y = matmul(x, kernel, name="MatMul")
        else:  # tensordot over the last dim: rows of every leading position at once
            lead = x.shape.as_list()[:-1]
            flat = reshape(x, [-1, fan_in])
            y = matmul(flat, kernel, name="Tensordot")
            if all(d is not None for d in lead):
                y = reshape(y, lead + [units])
            else:
                dims = shape(x)
                y = reshape(y, [dims[i] if d is None else d for i, d in enumerate(lead)] + [units])
        if use_bias:
            bias = get_variable("bias", [units], dtype=x.dtype,
                                initializer=bias_initializer if bias_initializer is not None else zeros_initializer(),
                                trainable=trainable)
            _regularize(bias_regularizer, bias, "bias")
            y = nn.bias_add(y, bias, name="BiasAdd")
        if activation is not None:
            y = activation(y)
        if activity_regularizer is not None:
            _regularize(activity_regularizer, y, "activity")
        return y


def flatten(inputs, name: str | None = None, data_format: str = "channels_last") -> Tensor:
    """[batch, ...] -> [batch, product of the other dims] (channels_first inputs are moved to channels_last first)."""
    from ..array_ops import transpose
    x = convert_to_tensor(inputs)
    if x.shape.ndims is None:
        raise ValueError(f"flatten: the rank of {x.name} must be known")
    if data_format == "channels_first" and x.shape.ndims > 2:
        x = transpose(x, [0] + list(range(2, x.shape.ndims)) + [1])
    with layer_scope(name, "flatten", None):
        rest = x.shape.as_list()[1:]
        if all(d is not None for d in rest):
            return reshape(x, [-1, int(np.prod(rest, dtype=np.int64))], name="Reshape")
        return reshape(x, stack([shape(x)[0], -1]), name="Reshape")


def _as_training(training) -> bool | Tensor:
    if isinstance(training, Tensor) or hasattr(training, "_as_tensor"):
        t = convert_to_tensor(training)
        if not t.dtype.is_bool:
            raise TypeError(f"training must be a Python bool or a bool tensor, got {t.name} of {t.dtype.name}")
        return t if t.shape.ndims == 0 else reshape(t, [])  # a scalar, whatever the placeholder declared
    return bool(training)


def dropout(inputs, rate: float = 0.5, noise_shape=None, seed=None, training=False, name: str | None = None) -> Tensor:
    """tf.nn.dropout with `rate` when `training` (a bool or a bool tensor), else the inputs unchanged."""
    x = convert_to_tensor(inputs)
    training = _as_training(training)
    if training is False:
        return x
    with layer_scope(name, "dropout", None):
        dropped = nn.dropout(x, rate=rate, noise_shape=noise_shape, seed=seed)
        return dropped if training is True else where(training, dropped, x)


def batch_normalization(inputs, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                        scale: bool = True, beta_initializer=None, gamma_initializer=None,
                        moving_mean_initializer=None, moving_variance_initializer=None, beta_regularizer=None,
                        gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, training=False,
                        trainable: bool = True, name: str | None = None, reuse=None, renorm: bool = False,
                        renorm_clipping=None, renorm_momentum: float = 0.99, fused=None, virtual_batch_size=None,
                        adjustment=None) -> Tensor:
    """Normalize over every axis but `axis`: batch statistics when training, the moving averages otherwise.

    Training adds the moving-average updates to tf.GraphKeys.UPDATE_OPS (run them with the train op,
    as in TF1). A 4-D input normalized over channels takes TF's fused path, whose moving variance
    averages the unbiased batch variance.
    """
    if renorm or virtual_batch_size is not None or adjustment is not None:
        raise ValueError("batch_normalization: renorm, virtual_batch_size and adjustment are not supported")
    x = _floating_input(inputs, "batch_normalization")
    rank = x.shape.ndims
    axes = [axis] if isinstance(axis, int) else list(axis)
    axes = [a % rank for a in axes]
    params_shape = [x.shape.as_list()[a] for a in axes]
    if None in params_shape:
        raise ValueError(f"batch_normalization: dim {axes} of {x.name} must be known, got shape {x.shape}")
    reduce_axes = [i for i in range(rank) if i not in axes]
    broadcast = [x.shape.as_list()[i] if i in axes else 1 for i in range(rank)]
    fused_path = fused is not False and rank == 4 and len(axes) == 1 and axes[0] in (1, 3)
    training = _as_training(training)
    dtype = as_dtype(x.dtype)
    with layer_scope(name, "batch_normalization", reuse):
        gamma = get_variable("gamma", params_shape, dtype=dtype, trainable=trainable,
                             initializer=gamma_initializer or ones_initializer()) if scale else None
        beta = get_variable("beta", params_shape, dtype=dtype, trainable=trainable,
                            initializer=beta_initializer or zeros_initializer()) if center else None
        _regularize(gamma_regularizer, gamma, "gamma") if gamma is not None else None
        _regularize(beta_regularizer, beta, "beta") if beta is not None else None
        moving_mean = get_variable("moving_mean", params_shape, dtype=dtype, trainable=False,
                                   initializer=moving_mean_initializer or zeros_initializer())
        moving_variance = get_variable("moving_variance", params_shape, dtype=dtype, trainable=False,
                                       initializer=moving_variance_initializer or ones_initializer())

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
            count = np.prod([x.shape.as_list()[i] for i in reduce_axes], dtype=object)
            if None in [x.shape.as_list()[i] for i in reduce_axes]:
                dims = shape(x)
                n = cast(dims[reduce_axes[0]], dtype)
                for i in reduce_axes[1:]:
                    n = n * cast(dims[i], dtype)
                factor = n / (n - 1.0)
            else:
                factor = float(count) / max(float(count) - 1.0, 1.0)
            batch_variance = batch_variance * factor
        decay = convert_to_tensor(1.0 - momentum, dtype=dtype)
        if training is not True:  # a bool tensor: the moving averages stay put when it is False
            decay = where(training, decay, convert_to_tensor(0.0, dtype=dtype))
        update_mean = moving_mean.assign_sub((moving_mean - batch_mean) * decay, name="AssignMovingAvg")
        update_variance = moving_variance.assign_sub((moving_variance - batch_variance) * decay,
                                                     name="AssignMovingAvg_1")
        add_to_collection(GraphKeys.UPDATE_OPS, update_mean)
        add_to_collection(GraphKeys.UPDATE_OPS, update_variance)
        return out if training is True else where(training, out, inference)
