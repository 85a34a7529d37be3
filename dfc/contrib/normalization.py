"""tf.contrib.layers' normalizations: batch_norm, layer_norm, instance_norm, group_norm (contrib's names, defaults)."""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import bool_, i32

from ..array_ops import identity, reshape, size
from ..framework import Tensor, constant, control_dependencies, convert_to_tensor
from ..graph import GraphKeys, add_to_collection
from ..math_ops import add, cast, maximum, multiply, subtract, truediv, where
from ..normalization import batch_normalization, moments
from ..variables import ones_initializer, zeros_initializer
from .framework import add_arg_scope
from .layer_utils import collect, float_input, scope_for, static_bool, variable

def _assign_moving_average(variable, value: Tensor, decay: float):
    """TF1's assign_moving_average without zero-debiasing: variable -= (variable - value) * (1 - decay)."""
    step = constant(np.float32(1.0 - decay), dtype=variable.dtype)
    return variable.assign_sub(multiply(subtract(variable, value), step))


@add_arg_scope
def batch_norm(inputs, decay: float = 0.999, center: bool = True, scale: bool = False, epsilon: float = 0.001,
               activation_fn=None, param_initializers=None, param_regularizers=None,
               updates_collections=GraphKeys.UPDATE_OPS, is_training=True, reuse=None, variables_collections=None,
               outputs_collections=None, trainable: bool = True, batch_weights=None, fused=None,
               data_format: str = "NHWC", zero_debias_moving_mean: bool = False, scope=None, renorm: bool = False,
               renorm_clipping=None, renorm_decay: float = 0.99, adjustment=None) -> Tensor:
    """Batch normalization over every axis but the channels: batch statistics while is_training (the moving
    averages updated through `updates_collections`, or at once when it is None), the moving averages otherwise.
    Rank 2 and 4 inputs take TF's fused path, whose moving variance averages the unbiased batch variance."""
    if renorm or adjustment is not None or batch_weights is not None or zero_debias_moving_mean:
        raise NotImplementedError("batch_norm: renorm, adjustment, batch_weights and zero_debias_moving_mean are "
                                  "not supported by dfc")
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    x = float_input(inputs, "batch_norm")
    rank = x.shape.ndims
    if rank < 2:
        raise ValueError(f"Inputs {x.name} has undefined rank." if rank is None else
                         f"batch_norm: inputs {x.name} must have rank >= 2, got shape {x.shape}")
    axis = 1 if data_format == "NCHW" and rank > 2 else rank - 1
    channels = x.shape.as_list()[axis]
    if channels is None:
        raise ValueError(f"Inputs {x.name} has undefined channels dimension {x.shape}.")
    fused_path = (fused is None or fused) and rank in (2, 4)
    initializers, regularizers = param_initializers or {}, param_regularizers or {}
    reduce_axes = [d for d in range(rank) if d != axis]
    with scope_for(scope, "BatchNorm", reuse) as sc:
        beta = variable("beta", [channels], x.dtype, initializers.get("beta", zeros_initializer()),
                         regularizers.get("beta"), trainable, variables_collections, "beta") if center else None
        gamma = variable("gamma", [channels], x.dtype, initializers.get("gamma", ones_initializer()),
                          regularizers.get("gamma"), trainable, variables_collections, "gamma") if scale else None
        moving_mean = variable("moving_mean", [channels], x.dtype,
                                initializers.get("moving_mean", zeros_initializer()), None, False,
                                variables_collections, "moving_mean")
        moving_variance = variable("moving_variance", [channels], x.dtype,
                                    initializers.get("moving_variance", ones_initializer()), None, False,
                                    variables_collections, "moving_variance")
        bshape = [1] * rank
        bshape[axis] = channels

        def normalize(mean, variance) -> Tensor:
            def b(t):
                return None if t is None else reshape(t, bshape)
            return batch_normalization(x, b(mean), b(variance), b(beta), b(gamma), epsilon)

        training = static_bool(is_training)
        if training is False:
            outputs = normalize(moving_mean, moving_variance)
        else:
            mean, variance = moments(x, reduce_axes)
            outputs = normalize(mean, variance)
            if fused_path:  # FusedBatchNorm hands the running average the Bessel-corrected variance
                count = cast(truediv(size(x), constant(channels, dtype=i32)), x.dtype)
                one = constant(1.0, dtype=x.dtype)
                update_variance_value = multiply(variance, truediv(count, maximum(subtract(count, one), one)))
            else:
                update_variance_value = variance
            if training is None:
                flag = cast(is_training, bool_)
                outputs = where(flag, outputs, normalize(moving_mean, moving_variance))
                new_mean = where(flag, mean, convert_to_tensor(moving_mean))
                new_variance = where(flag, update_variance_value, convert_to_tensor(moving_variance))
            else:
                new_mean, new_variance = mean, update_variance_value
            update_mean = _assign_moving_average(moving_mean, new_mean, decay)
            update_variance = _assign_moving_average(moving_variance, new_variance, decay)
            if updates_collections is None:
                with control_dependencies([update_mean, update_variance]):
                    outputs = identity(outputs)
            else:
                for key in ([updates_collections] if isinstance(updates_collections, str) else updates_collections):
                    add_to_collection(key, update_mean)
                    add_to_collection(key, update_variance)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def layer_norm(inputs, center: bool = True, scale: bool = True, activation_fn=None, reuse=None,
               variables_collections=None, outputs_collections=None, trainable: bool = True,
               begin_norm_axis: int = 1, begin_params_axis: int = -1, scope=None) -> Tensor:
    """Normalize over dims begin_norm_axis.. (variance epsilon 1e-12), then gamma * x + beta with 'LayerNorm/beta' and
    'LayerNorm/gamma' of shape inputs.shape[begin_params_axis:]."""
    x = float_input(inputs, "layer_norm")
    rank = x.shape.ndims
    if begin_norm_axis < 0:
        begin_norm_axis = rank + begin_norm_axis
    if begin_params_axis >= rank or begin_norm_axis >= rank:
        raise ValueError(f"begin_params_axis ({begin_params_axis}) and begin_norm_axis ({begin_norm_axis}) must be "
                         f"< rank(inputs) ({rank})")
    params_shape = x.shape.as_list()[begin_params_axis:]
    if None in params_shape:
        raise ValueError(f"Inputs {x.name} has undefined channels dimension {x.shape[begin_params_axis:]}.")
    with scope_for(scope, "LayerNorm", reuse) as sc:
        beta = variable("beta", params_shape, x.dtype, zeros_initializer(), None, trainable, variables_collections,
                         "beta") if center else None
        gamma = variable("gamma", params_shape, x.dtype, ones_initializer(), None, trainable,
                          variables_collections, "gamma") if scale else None
        mean, variance = moments(x, list(range(begin_norm_axis, rank)), keep_dims=True)
        outputs = batch_normalization(x, mean, variance, beta, gamma, 1e-12)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def instance_norm(inputs, center: bool = True, scale: bool = True, epsilon: float = 1e-6, activation_fn=None,
                  param_initializers=None, reuse=None, variables_collections=None, outputs_collections=None,
                  trainable: bool = True, data_format: str = "NHWC", scope=None) -> Tensor:
    """Normalize each example's channels over their spatial dims, then gamma * x + beta ('InstanceNorm/beta',
    'InstanceNorm/gamma' of shape [channels])."""
    x = float_input(inputs, "instance_norm")
    rank = x.shape.ndims
    if rank < 3:
        raise ValueError(f"Inputs {x.name} must have rank >= 3, got shape {x.shape}")
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    axis = 1 if data_format == "NCHW" else rank - 1
    channels = x.shape.as_list()[axis]
    if channels is None:
        raise ValueError(f"Inputs {x.name} has undefined channels dimension {x.shape}.")
    initializers = param_initializers or {}
    bshape = [1] * rank
    bshape[axis] = channels
    with scope_for(scope, "InstanceNorm", reuse) as sc:
        beta = variable("beta", [channels], x.dtype, initializers.get("beta", zeros_initializer()), None, trainable,
                         variables_collections, "beta") if center else None
        gamma = variable("gamma", [channels], x.dtype, initializers.get("gamma", ones_initializer()), None,
                          trainable, variables_collections, "gamma") if scale else None
        spatial = [d for d in range(1, rank) if d != axis]
        mean, variance = moments(x, spatial, keep_dims=True)
        outputs = batch_normalization(x, mean, variance, None if beta is None else reshape(beta, bshape),
                                      None if gamma is None else reshape(gamma, bshape), epsilon)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def group_norm(inputs, groups: int = 32, channels_axis: int = -1, reduction_axes=(-3, -2), center: bool = True,
               scale: bool = True, epsilon: float = 1e-6, activation_fn=None, param_initializers=None, reuse=None,
               variables_collections=None, outputs_collections=None, trainable: bool = True, scope=None,
               mean_close_to_zero: bool = False) -> Tensor:
    """Wu & He's group normalization: the channels split into `groups`, each normalized over its channels and
    reduction_axes, then gamma * x + beta ('GroupNorm/beta', 'GroupNorm/gamma' of shape [channels])."""
    from ..math_ops import negative, rsqrt
    x = float_input(inputs, "group_norm")
    dims = x.shape.as_list()
    rank = len(dims)
    channels_axis = channels_axis % rank
    reduction = [a % rank for a in reduction_axes]
    if channels_axis in reduction:
        raise ValueError("reduction_axis must be mutually exclusive with channels_axis")
    channels = dims[channels_axis]
    if channels is None:
        raise ValueError(f"Inputs {x.name} has undefined channel dimension: {channels_axis}.")
    if groups > channels:
        raise ValueError(f"Invalid groups {groups} for {channels} channels.")
    if channels % groups:
        raise ValueError(f"{groups} channels is not commensurate with {channels} groups.")
    if None in [d for i, d in enumerate(dims) if i != 0 and i != channels_axis] or \
            sum(d is None for d in dims) > 1:
        raise ValueError(f"group_norm: the dims of {x.name} but one must be known, got {x.shape}")
    split = [-1 if d is None else d for d in dims[:channels_axis]] + [groups, channels // groups] + \
        [-1 if d is None else d for d in dims[channels_axis + 1:]]
    moments_axes = [channels_axis + 1] + [a + 1 if a > channels_axis else a for a in reduction]
    broadcast = [1] * channels_axis + [groups, channels // groups] + [1] * (rank - channels_axis - 1)
    initializers = param_initializers or {}
    with scope_for(scope, "GroupNorm", reuse) as sc:
        beta = variable("beta", [channels], x.dtype, initializers.get("beta", zeros_initializer()), None, trainable,
                         variables_collections, "beta") if center else None
        gamma = variable("gamma", [channels], x.dtype, initializers.get("gamma", ones_initializer()), None,
                          trainable, variables_collections, "gamma") if scale else None
        grouped = reshape(x, split)
        mean, variance = moments(grouped, moments_axes, keep_dims=True)
        gain = rsqrt(add(variance, constant(epsilon, dtype=x.dtype)))
        offset = multiply(negative(mean), gain)
        if gamma is not None:
            gamma = reshape(gamma, broadcast)
            gain, offset = multiply(gain, gamma), multiply(offset, gamma)
        if beta is not None:
            offset = add(offset, reshape(beta, broadcast))
        outputs = reshape(add(multiply(grouped, gain), offset), [-1 if d is None else d for d in dims])
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect(outputs_collections, sc.name, outputs)


