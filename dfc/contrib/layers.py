"""tf.contrib.layers: TF1's slim-era layers with contrib's variable names, collections and defaults.

Each layer opens the variable scope contrib opens ('fully_connected', 'Conv', 'Conv2d_transpose',
'BatchNorm', 'LayerNorm', 'EmbedSequence', uniquified within the enclosing scope, or `scope`), makes
its variables as model variables (GLOBAL_VARIABLES, MODEL_VARIABLES, TRAINABLE_VARIABLES when
trainable, plus `variables_collections`) named 'weights' / 'biases' / 'beta' / 'gamma' /
'moving_mean' / 'moving_variance' / 'embeddings', so a checkpoint written by TF1 restores by name.
The layers are add_arg_scope'd, as contrib's are; repeat and stack name their scopes as slim's.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import bool_, i32, i64

from .. import nn
from ..array_ops import identity, one_hot, reshape, shape, size
from ..array_ops import stack as stack_tensors
from ..framework import Tensor, constant, constant_value, control_dependencies, convert_to_tensor, name_scope
from ..graph import GraphKeys, add_to_collection, add_to_collections, get_collection
from ..layers.base import unique_layer_name
from ..math_ops import add, cast, matmul, maximum, multiply, subtract, truediv, where
from ..normalization import batch_normalization, moments
from ..variables import ones_initializer, variable_scope, zeros_initializer
from .framework import add_arg_scope, model_variable
from .optimizers import OPTIMIZER_CLS_NAMES, OPTIMIZER_SUMMARIES, optimize_loss
from .initializers import variance_scaling_initializer, xavier_initializer, xavier_initializer_conv2d
from .regularizers import (apply_regularization, l1_l2_regularizer, l1_regularizer, l2_regularizer,
                           sum_regularizer)


_ZEROS = zeros_initializer()


def _scope(scope, default: str, reuse):
    """contrib's variable scope: `scope` as given, else `default` uniquified within the enclosing scope."""
    return variable_scope(scope if scope is not None else unique_layer_name(default), reuse=reuse or None)


def _collections(variables_collections, name: str) -> list[str]:
    wanted = variables_collections.get(name) if isinstance(variables_collections, dict) else variables_collections
    if wanted is None:
        return []
    return [wanted] if isinstance(wanted, str) else list(wanted)


def _variable(name: str, shape_, dtype, initializer, regularizer, trainable: bool, variables_collections,
              collection_name: str):
    var = model_variable(name, shape=list(shape_), dtype=dtype, initializer=initializer, trainable=trainable)
    for key in _collections(variables_collections, collection_name):
        if var not in get_collection(key):
            add_to_collection(key, var)
    if regularizer is not None:
        with name_scope(f"{var.op.name}/Regularizer/"):
            penalty = regularizer(var)
        if penalty is not None:
            add_to_collection(GraphKeys.REGULARIZATION_LOSSES, penalty)
    return var


def _collect(outputs_collections, alias: str, outputs: Tensor) -> Tensor:
    if outputs_collections:
        try:
            outputs.alias = alias
        except AttributeError:
            pass
        add_to_collections([outputs_collections] if isinstance(outputs_collections, str) else
                           list(outputs_collections), outputs)
    return outputs


def _float_input(inputs, layer: str) -> Tensor:
    x = convert_to_tensor(inputs)
    if x.shape.ndims is None:
        raise ValueError(f"{layer}: the rank of {x.name} must be known")
    return x


def _pair(value, what: str) -> list[int]:
    values = [int(value)] * 2 if np.ndim(value) == 0 else [int(v) for v in value]
    if len(values) != 2:
        raise ValueError(f"{what} must be an int or a pair of ints, got {value!r}")
    return values


def _finish(outputs: Tensor, normalizer_fn, normalizer_params, activation_fn) -> Tensor:
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return outputs


@add_arg_scope
def fully_connected(inputs, num_outputs: int, activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None,
                    weights_initializer=None, weights_regularizer=None, biases_initializer=_ZEROS,
                    biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
                    trainable: bool = True, scope=None) -> Tensor:
    """activation_fn(normalizer_fn(inputs @ weights [+ biases])) over the last dim (ReLU by default; no biases
    when a normalizer_fn is given)."""
    x = _float_input(inputs, "fully_connected")
    if not isinstance(num_outputs, (int, np.integer)):
        raise ValueError(f"num_outputs should be int or long, got {num_outputs}.")
    if x.shape.ndims < 2 or x.shape.as_list()[-1] is None:
        raise ValueError(f"fully_connected: the last dimension of {x.name} must be known and its rank >= 2, got "
                         f"shape {x.shape}")
    weights_initializer = weights_initializer if weights_initializer is not None else xavier_initializer()
    with _scope(scope, "fully_connected", reuse) as sc:
        dims = x.shape.as_list()
        weights = _variable("weights", [dims[-1], num_outputs], x.dtype, weights_initializer, weights_regularizer,
                            trainable, variables_collections, "weights")
        flat = x if x.shape.ndims == 2 else reshape(x, [-1, dims[-1]])
        outputs = matmul(flat, weights)
        if normalizer_fn is None and biases_initializer is not None:
            biases = _variable("biases", [num_outputs], x.dtype, biases_initializer, biases_regularizer, trainable,
                               variables_collections, "biases")
            outputs = nn.bias_add(outputs, biases)
        if x.shape.ndims > 2:
            lead = [-1 if d is None else d for d in dims[:-1]]
            if lead.count(-1) > 1:  # several unknown dims: the input's own, at run time
                lead = [shape(x)[i] if d is None else d for i, d in enumerate(dims[:-1])]
                outputs = reshape(outputs, stack_tensors([*lead, num_outputs]))
            else:
                outputs = reshape(outputs, lead + [num_outputs])
        outputs = _finish(outputs, normalizer_fn, normalizer_params, activation_fn)
        return _collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def conv2d(inputs, num_outputs: int, kernel_size, stride=1, padding: str = "SAME", data_format=None, rate=1,
           activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None, weights_initializer=None,
           weights_regularizer=None, biases_initializer=_ZEROS, biases_regularizer=None, reuse=None,
           variables_collections=None, outputs_collections=None, trainable: bool = True, scope=None) -> Tensor:
    """2-D convolution by 'Conv/weights' [kh, kw, in, num_outputs] (+ 'Conv/biases'), then normalizer and
    activation (ReLU by default); `rate` > 1 dilates (atrous)."""
    x = _float_input(inputs, "conv2d")
    if x.shape.ndims != 4:
        raise ValueError(f"Convolution not supported for input with rank {x.shape.ndims} ({x.name})")
    if data_format not in (None, "NHWC", "NCHW"):
        raise ValueError(f"data_format has to be either NCHW or NHWC, got {data_format!r}")
    nchw = data_format == "NCHW"
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(stride, "stride")
    rh, rw = _pair(rate, "rate")
    if (rh > 1 or rw > 1) and (sh > 1 or sw > 1):
        raise ValueError("Only one of rate or stride can be larger than one")
    channels = x.shape.as_list()[1 if nchw else 3]
    if channels is None:
        raise ValueError(f"conv2d: the channels of {x.name} must be known, got shape {x.shape}")
    weights_initializer = weights_initializer if weights_initializer is not None else xavier_initializer()
    with _scope(scope, "Conv", reuse) as sc:
        weights = _variable("weights", [kh, kw, channels, num_outputs], x.dtype, weights_initializer,
                            weights_regularizer, trainable, variables_collections, "weights")
        strides = [1, 1, sh, sw] if nchw else [1, sh, sw, 1]
        dilations = [1, 1, rh, rw] if nchw else [1, rh, rw, 1]
        outputs = nn.conv2d(x, weights, strides, padding.upper(), data_format="NCHW" if nchw else "NHWC",
                            dilations=dilations)
        if normalizer_fn is None and biases_initializer is not None:
            biases = _variable("biases", [num_outputs], x.dtype, biases_initializer, biases_regularizer, trainable,
                               variables_collections, "biases")
            outputs = nn.bias_add(outputs, biases, data_format="NCHW" if nchw else "NHWC")
        outputs = _finish(outputs, normalizer_fn, normalizer_params, activation_fn)
        return _collect(outputs_collections, sc.name, outputs)


convolution2d = conv2d


@add_arg_scope
def conv1d(inputs, num_outputs: int, kernel_size, stride=1, padding: str = "SAME", data_format=None, rate=1,
           activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None, weights_initializer=None,
           weights_regularizer=None, biases_initializer=_ZEROS, biases_regularizer=None, reuse=None,
           variables_collections=None, outputs_collections=None, trainable: bool = True, scope=None) -> Tensor:
    """1-D convolution of [batch, width, channels] by 'Conv/weights' [k, in, num_outputs] (+ 'Conv/biases'), then
    normalizer and activation (ReLU by default); computed as a 2-D convolution of height 1."""
    from ..array_ops import expand_dims, squeeze
    x = _float_input(inputs, "conv1d")
    if x.shape.ndims != 3:
        raise ValueError(f"Convolution expects input with rank 3, got {x.shape.ndims} ({x.name})")
    if data_format not in (None, "NWC", "NCW"):
        raise ValueError(f"data_format has to be either NCW or NWC, got {data_format!r}")
    ncw = data_format == "NCW"
    k = int(kernel_size[0] if np.ndim(kernel_size) else kernel_size)
    step = int(stride[0] if np.ndim(stride) else stride)
    dilation = int(rate[0] if np.ndim(rate) else rate)
    if dilation > 1 and step > 1:
        raise ValueError("Only one of rate or stride can be larger than one")
    channels = x.shape.as_list()[1 if ncw else 2]
    if channels is None:
        raise ValueError(f"conv1d: the channels of {x.name} must be known, got shape {x.shape}")
    weights_initializer = weights_initializer if weights_initializer is not None else xavier_initializer()
    with _scope(scope, "Conv", reuse) as sc:
        weights = _variable("weights", [k, channels, num_outputs], x.dtype, weights_initializer, weights_regularizer,
                            trainable, variables_collections, "weights")
        image = expand_dims(x, 2 if ncw else 1)  # NCW -> NC1W, NWC -> N1WC
        fmt = "NCHW" if ncw else "NHWC"
        strides = [1, 1, 1, step] if ncw else [1, 1, step, 1]
        dilations = [1, 1, 1, dilation] if ncw else [1, 1, dilation, 1]
        outputs = nn.conv2d(image, expand_dims(weights, 0), strides, padding.upper(), data_format=fmt,
                            dilations=dilations)
        outputs = squeeze(outputs, [2 if ncw else 1])
        if normalizer_fn is None and biases_initializer is not None:
            biases = _variable("biases", [num_outputs], x.dtype, biases_initializer, biases_regularizer, trainable,
                               variables_collections, "biases")
            outputs = nn.bias_add(outputs, biases, data_format="NCHW" if ncw else "NHWC")
        outputs = _finish(outputs, normalizer_fn, normalizer_params, activation_fn)
        return _collect(outputs_collections, sc.name, outputs)


convolution1d = conv1d


@add_arg_scope
def conv2d_transpose(inputs, num_outputs: int, kernel_size, stride=1, padding: str = "SAME",
                     data_format: str = "NHWC", activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None,
                     weights_initializer=None, weights_regularizer=None, biases_initializer=_ZEROS,
                     biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
                     trainable: bool = True, scope=None) -> Tensor:
    """The transpose of conv2d by 'Conv2d_transpose/weights' [kh, kw, num_outputs, in]: each spatial dim becomes
    in * stride (SAME) or in * stride + max(kernel - stride, 0) (VALID)."""
    x = _float_input(inputs, "conv2d_transpose")
    if x.shape.ndims != 4:
        raise ValueError(f"conv2d_transpose: inputs must be 4-D, got {x.shape} ({x.name})")
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    nchw = data_format == "NCHW"
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(stride, "stride")
    dims = x.shape.as_list()
    batch, (height, width), channels = dims[0], (dims[2:4] if nchw else dims[1:3]), dims[1 if nchw else 3]
    if None in (height, width, channels):
        raise ValueError(f"conv2d_transpose: the height, width and channels of {x.name} must be known, got "
                         f"{x.shape}")
    pad = padding.upper()

    def length(size: int, k: int, s: int) -> int:
        return size * s + max(k - s, 0) if pad == "VALID" else size * s

    out_h, out_w = length(height, kh, sh), length(width, kw, sw)
    weights_initializer = weights_initializer if weights_initializer is not None else xavier_initializer()
    with _scope(scope, "Conv2d_transpose", reuse) as sc:
        weights = _variable("weights", [kh, kw, num_outputs, channels], x.dtype, weights_initializer,
                            weights_regularizer, trainable, variables_collections, "weights")
        spatial = [num_outputs, out_h, out_w] if nchw else [out_h, out_w, num_outputs]
        out_shape = [batch, *spatial] if batch is not None else stack_tensors([shape(x)[0], *spatial])
        strides = [1, 1, sh, sw] if nchw else [1, sh, sw, 1]
        outputs = nn.conv2d_transpose(x, weights, out_shape, strides, pad, data_format=data_format)
        if normalizer_fn is None and biases_initializer is not None:
            biases = _variable("biases", [num_outputs], x.dtype, biases_initializer, biases_regularizer, trainable,
                               variables_collections, "biases")
            outputs = nn.bias_add(outputs, biases, data_format=data_format)
        outputs = _finish(outputs, normalizer_fn, normalizer_params, activation_fn)
        return _collect(outputs_collections, sc.name, outputs)


convolution2d_transpose = conv2d_transpose


@add_arg_scope
def separable_conv2d(inputs, num_outputs, kernel_size, depth_multiplier: int = 1, stride=1, padding: str = "SAME",
                     data_format: str = "NHWC", rate=1, activation_fn=nn.relu, normalizer_fn=None,
                     normalizer_params=None, weights_initializer=None, pointwise_initializer=None,
                     weights_regularizer=None, biases_initializer=_ZEROS, biases_regularizer=None, reuse=None,
                     variables_collections=None, outputs_collections=None, trainable: bool = True,
                     scope=None) -> Tensor:
    """A depthwise convolution by 'SeparableConv2d/depthwise_weights' [kh, kw, in, depth_multiplier], then (unless
    num_outputs is None) a 1x1 convolution by 'pointwise_weights' [1, 1, in * depth_multiplier, num_outputs]."""
    x = _float_input(inputs, "separable_conv2d")
    if x.shape.ndims != 4:
        raise ValueError(f"separable_conv2d: inputs must be 4-D, got {x.shape} ({x.name})")
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    nchw = data_format == "NCHW"
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(stride, "stride")
    rh, rw = _pair(rate, "rate")
    channels = x.shape.as_list()[1 if nchw else 3]
    if channels is None:
        raise ValueError(f"separable_conv2d: the channels of {x.name} must be known, got shape {x.shape}")
    weights_initializer = weights_initializer if weights_initializer is not None else xavier_initializer()
    pointwise_initializer = pointwise_initializer if pointwise_initializer is not None else weights_initializer
    strides = [1, 1, sh, sw] if nchw else [1, sh, sw, 1]
    with _scope(scope, "SeparableConv2d", reuse) as sc:
        depthwise = _variable("depthwise_weights", [kh, kw, channels, depth_multiplier], x.dtype, weights_initializer,
                              weights_regularizer, trainable, variables_collections, "weights")
        if num_outputs is not None:
            pointwise = _variable("pointwise_weights", [1, 1, channels * depth_multiplier, num_outputs], x.dtype,
                                  pointwise_initializer, weights_regularizer, trainable, variables_collections,
                                  "weights")
            outputs = nn.separable_conv2d(x, depthwise, pointwise, strides, padding.upper(), rate=[rh, rw],
                                          data_format=data_format)
        else:
            num_outputs = channels * depth_multiplier
            outputs = nn.depthwise_conv2d(x, depthwise, strides, padding.upper(), rate=[rh, rw],
                                          data_format=data_format)
        if normalizer_fn is None and biases_initializer is not None:
            biases = _variable("biases", [num_outputs], x.dtype, biases_initializer, biases_regularizer, trainable,
                               variables_collections, "biases")
            outputs = nn.bias_add(outputs, biases, data_format=data_format)
        outputs = _finish(outputs, normalizer_fn, normalizer_params, activation_fn)
        return _collect(outputs_collections, sc.name, outputs)


separable_convolution2d = separable_conv2d


@add_arg_scope
def bias_add(inputs, activation_fn=None, initializer=_ZEROS, regularizer=None, reuse=None,
             variables_collections=None, outputs_collections=None, trainable: bool = True,
             data_format: str = "NHWC", scope=None) -> Tensor:
    """inputs + 'BiasAdd/biases' over the channels (the last dim, or dim 1 for NCHW)."""
    x = _float_input(inputs, "bias_add")
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    channels = x.shape.as_list()[1 if data_format == "NCHW" and x.shape.ndims > 2 else -1]
    if channels is None:
        raise ValueError(f"`C` dimension must be known but is None ({x.name}, shape {x.shape})")
    with _scope(scope, "BiasAdd", reuse) as sc:
        biases = _variable("biases", [channels], x.dtype, initializer, regularizer, trainable, variables_collections,
                           "biases")
        outputs = nn.bias_add(x, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def softmax(logits, scope=None) -> Tensor:
    """Softmax over the last dim (contrib's, for logits of any rank)."""
    x = convert_to_tensor(logits)
    with _scope(scope, "softmax", None):
        return nn.softmax(x)


def _pool(kind: str, default: str, inputs, kernel_size, stride, padding, data_format, outputs_collections, scope):
    x = convert_to_tensor(inputs)
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(stride, "stride")
    nchw = data_format == "NCHW"
    with name_scope(scope, default, [x]) as sc:
        ksize, strides = ([1, 1, kh, kw], [1, 1, sh, sw]) if nchw else ([1, kh, kw, 1], [1, sh, sw, 1])
        pool = nn.max_pool if kind == "max" else nn.avg_pool
        outputs = pool(x, ksize, strides, padding.upper(), data_format=data_format)
        return _collect(outputs_collections, sc.rstrip("/"), outputs)


@add_arg_scope
def max_pool2d(inputs, kernel_size, stride=2, padding: str = "VALID", data_format: str = "NHWC",
               outputs_collections=None, scope=None) -> Tensor:
    return _pool("max", "MaxPool2D", inputs, kernel_size, stride, padding, data_format, outputs_collections, scope)


@add_arg_scope
def avg_pool2d(inputs, kernel_size, stride=2, padding: str = "VALID", data_format: str = "NHWC",
               outputs_collections=None, scope=None) -> Tensor:
    return _pool("avg", "AvgPool2D", inputs, kernel_size, stride, padding, data_format, outputs_collections, scope)


@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None) -> Tensor:
    """[batch, ...] -> [batch, product of the rest] (the rest must be known)."""
    x = convert_to_tensor(inputs)
    if x.shape.ndims is None or x.shape.ndims < 2:
        raise ValueError(f"Inputs must have a least 2 dimensions, got {x.shape} ({x.name})")
    with name_scope(scope, "Flatten", [x]) as sc:
        rest = x.shape.as_list()[1:]
        if None in rest:
            raise ValueError(f"flatten: the dims after the first of {x.name} must be known, got {x.shape}")
        outputs = reshape(x, [-1 if x.shape.as_list()[0] is None else x.shape.as_list()[0], int(np.prod(rest))])
        return _collect(outputs_collections, sc.rstrip("/"), outputs)


def _static_bool(value):
    if isinstance(value, Tensor):
        known = constant_value(value)
        return None if known is None else bool(known)
    return bool(value)


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True, outputs_collections=None, scope=None,
            seed=None) -> Tensor:
    """tf.nn.dropout with keep_prob while is_training (a bool or a bool tensor), the inputs as they are otherwise."""
    x = convert_to_tensor(inputs)
    with name_scope(scope, "Dropout", [x]) as sc:
        training = _static_bool(is_training)
        if training is False:
            outputs = x
        elif training is True:
            outputs = nn.dropout(x, keep_prob=keep_prob, noise_shape=noise_shape, seed=seed)
        else:
            dropped = nn.dropout(x, keep_prob=keep_prob, noise_shape=noise_shape, seed=seed)
            outputs = where(cast(is_training, bool_), dropped, x)
        return _collect(outputs_collections, sc.rstrip("/"), outputs)


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
    x = _float_input(inputs, "batch_norm")
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
    with _scope(scope, "BatchNorm", reuse) as sc:
        beta = _variable("beta", [channels], x.dtype, initializers.get("beta", zeros_initializer()),
                         regularizers.get("beta"), trainable, variables_collections, "beta") if center else None
        gamma = _variable("gamma", [channels], x.dtype, initializers.get("gamma", ones_initializer()),
                          regularizers.get("gamma"), trainable, variables_collections, "gamma") if scale else None
        moving_mean = _variable("moving_mean", [channels], x.dtype,
                                initializers.get("moving_mean", zeros_initializer()), None, False,
                                variables_collections, "moving_mean")
        moving_variance = _variable("moving_variance", [channels], x.dtype,
                                    initializers.get("moving_variance", ones_initializer()), None, False,
                                    variables_collections, "moving_variance")
        bshape = [1] * rank
        bshape[axis] = channels

        def normalize(mean, variance) -> Tensor:
            def b(t):
                return None if t is None else reshape(t, bshape)
            return batch_normalization(x, b(mean), b(variance), b(beta), b(gamma), epsilon)

        training = _static_bool(is_training)
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
        return _collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def layer_norm(inputs, center: bool = True, scale: bool = True, activation_fn=None, reuse=None,
               variables_collections=None, outputs_collections=None, trainable: bool = True,
               begin_norm_axis: int = 1, begin_params_axis: int = -1, scope=None) -> Tensor:
    """Normalize over dims begin_norm_axis.. (variance epsilon 1e-12), then gamma * x + beta with 'LayerNorm/beta' and
    'LayerNorm/gamma' of shape inputs.shape[begin_params_axis:]."""
    x = _float_input(inputs, "layer_norm")
    rank = x.shape.ndims
    if begin_norm_axis < 0:
        begin_norm_axis = rank + begin_norm_axis
    if begin_params_axis >= rank or begin_norm_axis >= rank:
        raise ValueError(f"begin_params_axis ({begin_params_axis}) and begin_norm_axis ({begin_norm_axis}) must be "
                         f"< rank(inputs) ({rank})")
    params_shape = x.shape.as_list()[begin_params_axis:]
    if None in params_shape:
        raise ValueError(f"Inputs {x.name} has undefined channels dimension {x.shape[begin_params_axis:]}.")
    with _scope(scope, "LayerNorm", reuse) as sc:
        beta = _variable("beta", params_shape, x.dtype, zeros_initializer(), None, trainable, variables_collections,
                         "beta") if center else None
        gamma = _variable("gamma", params_shape, x.dtype, ones_initializer(), None, trainable,
                          variables_collections, "gamma") if scale else None
        mean, variance = moments(x, list(range(begin_norm_axis, rank)), keep_dims=True)
        outputs = batch_normalization(x, mean, variance, beta, gamma, 1e-12)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def instance_norm(inputs, center: bool = True, scale: bool = True, epsilon: float = 1e-6, activation_fn=None,
                  param_initializers=None, reuse=None, variables_collections=None, outputs_collections=None,
                  trainable: bool = True, data_format: str = "NHWC", scope=None) -> Tensor:
    """Normalize each example's channels over their spatial dims, then gamma * x + beta ('InstanceNorm/beta',
    'InstanceNorm/gamma' of shape [channels])."""
    x = _float_input(inputs, "instance_norm")
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
    with _scope(scope, "InstanceNorm", reuse) as sc:
        beta = _variable("beta", [channels], x.dtype, initializers.get("beta", zeros_initializer()), None, trainable,
                         variables_collections, "beta") if center else None
        gamma = _variable("gamma", [channels], x.dtype, initializers.get("gamma", ones_initializer()), None,
                          trainable, variables_collections, "gamma") if scale else None
        spatial = [d for d in range(1, rank) if d != axis]
        mean, variance = moments(x, spatial, keep_dims=True)
        outputs = batch_normalization(x, mean, variance, None if beta is None else reshape(beta, bshape),
                                      None if gamma is None else reshape(gamma, bshape), epsilon)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def group_norm(inputs, groups: int = 32, channels_axis: int = -1, reduction_axes=(-3, -2), center: bool = True,
               scale: bool = True, epsilon: float = 1e-6, activation_fn=None, param_initializers=None, reuse=None,
               variables_collections=None, outputs_collections=None, trainable: bool = True, scope=None,
               mean_close_to_zero: bool = False) -> Tensor:
    """Wu & He's group normalization: the channels split into `groups`, each normalized over its channels and
    reduction_axes, then gamma * x + beta ('GroupNorm/beta', 'GroupNorm/gamma' of shape [channels])."""
    from ..math_ops import negative, rsqrt
    x = _float_input(inputs, "group_norm")
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
    with _scope(scope, "GroupNorm", reuse) as sc:
        beta = _variable("beta", [channels], x.dtype, initializers.get("beta", zeros_initializer()), None, trainable,
                         variables_collections, "beta") if center else None
        gamma = _variable("gamma", [channels], x.dtype, initializers.get("gamma", ones_initializer()), None,
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
        return _collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def one_hot_encoding(labels, num_classes: int, on_value: float = 1.0, off_value: float = 0.0,
                     outputs_collections=None, scope=None) -> Tensor:
    """float32 one-hot rows of int labels (converted to int64, as contrib does)."""
    with name_scope(scope, "OneHotEncoding", [labels]) as sc:
        labels = convert_to_tensor(labels)
        if labels.dtype.is_integer and labels.dtype is not i64:
            labels = cast(labels, i64)
        outputs = one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
        return _collect(outputs_collections, sc.rstrip("/"), outputs)


def embed_sequence(ids, vocab_size=None, embed_dim=None, unique: bool = False, initializer=None, regularizer=None,
                   trainable: bool = True, scope=None, reuse=None) -> Tensor:
    """[batch, length] ids -> [batch, length, embed_dim] rows of 'EmbedSequence/embeddings' [vocab_size, embed_dim]."""
    if not (reuse or (vocab_size and embed_dim)):
        raise ValueError(f"Must specify vocab size and embedding dimension when not reusing. Got vocab_size="
                         f"{vocab_size} and embed_dim={embed_dim}")
    ids = convert_to_tensor(ids)
    with _scope(scope, "EmbedSequence", reuse):
        embeddings = model_variable("embeddings", shape=[vocab_size, embed_dim] if vocab_size else None,
                                    initializer=initializer, trainable=trainable)
        if regularizer is not None:
            with name_scope(f"{embeddings.op.name}/Regularizer/"):
                penalty = regularizer(embeddings)
            if penalty is not None:
                add_to_collection(GraphKeys.REGULARIZATION_LOSSES, penalty)
        return nn.embedding_lookup(embeddings, ids)


def _layer_name(layer, fallback: str) -> str:
    if hasattr(layer, "__name__"):
        return layer.__name__
    if hasattr(layer, "func") and hasattr(layer.func, "__name__"):
        return layer.func.__name__
    return fallback


def repeat(inputs, repetitions: int, layer, *args, **kwargs) -> Tensor:
    """`layer` applied `repetitions` times, in scopes '<scope>/<scope>_1', '<scope>/<scope>_2', ... (slim's repeat:
    repeat(net, 2, conv2d, 64, [3, 3], scope='conv1') makes 'conv1/conv1_1/weights' and 'conv1/conv1_2/weights')."""
    scope = kwargs.pop("scope", None)
    with _scope(scope, "Repeat", None):
        outputs = convert_to_tensor(inputs)
        name = scope if scope is not None else _layer_name(layer, "repeat")
        for i in range(repetitions):
            kwargs["scope"] = f"{name}_{i + 1}"
            outputs = layer(outputs, *args, **kwargs)
        return outputs


def stack(inputs, layer, stack_args, **kwargs) -> Tensor:
    """`layer` applied once per entry of stack_args (its positional arguments), in scopes '<scope>/<scope>_<i>'."""
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple")
    with _scope(scope, "Stack", None):
        outputs = convert_to_tensor(inputs)
        name = scope if scope is not None else _layer_name(layer, "stack")
        for i, layer_args in enumerate(stack_args):
            kwargs["scope"] = f"{name}_{i + 1}"
            outputs = layer(outputs, *(layer_args if isinstance(layer_args, (list, tuple)) else [layer_args]),
                            **kwargs)
        return outputs


__all__ = ["OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES", "apply_regularization", "avg_pool2d", "batch_norm",
           "bias_add", "conv2d", "conv2d_transpose", "convolution2d", "convolution2d_transpose", "dropout",
           "embed_sequence", "flatten", "fully_connected", "group_norm", "instance_norm", "l1_l2_regularizer",
           "l1_regularizer", "l2_regularizer", "layer_norm", "max_pool2d", "one_hot_encoding", "optimize_loss",
           "repeat", "separable_conv2d", "separable_convolution2d", "softmax", "stack", "sum_regularizer",
           "variance_scaling_initializer", "xavier_initializer", "xavier_initializer_conv2d"]
