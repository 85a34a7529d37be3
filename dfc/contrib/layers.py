"""tf.contrib.layers: TF1's slim-era layers with contrib's variable names, collections and defaults.

Each layer opens the variable scope contrib opens ('fully_connected', 'Conv', 'Conv2d_transpose',
'BatchNorm', 'LayerNorm', 'EmbedSequence', uniquified within the enclosing scope, or `scope`), makes
its variables as model variables (GLOBAL_VARIABLES, MODEL_VARIABLES, TRAINABLE_VARIABLES when
trainable, plus `variables_collections`) named 'weights' / 'biases' / 'beta' / 'gamma' /
'moving_mean' / 'moving_variance' / 'embeddings', so a checkpoint written by TF1 restores by name.
The layers are add_arg_scope'd, as contrib's are; repeat and stack name their scopes as slim's.
"""

from __future__ import annotations

import functools
import re

import numpy as np

from dfc.ir.dtypes import bool_, f32, i64

from .. import nn
from ..array_ops import one_hot, reshape, shape, transpose
from ..array_ops import stack as stack_tensors
from ..framework import Tensor, convert_to_tensor, name_scope
from ..graph import GraphKeys, add_to_collection, get_collection
from ..math_ops import cast, matmul, reduce_max, reduce_mean, reduce_sum, sqrt, square, where
from .framework import add_arg_scope, model_variable
from .layer_utils import ZEROS, collect, finish, float_input, pair, scope_for, static_bool, variable
from .normalization import batch_norm, group_norm, instance_norm, layer_norm
from .optimizers import OPTIMIZER_CLS_NAMES, OPTIMIZER_SUMMARIES, optimize_loss
from .initializers import variance_scaling_initializer, xavier_initializer, xavier_initializer_conv2d
from .regularizers import (apply_regularization, l1_l2_regularizer, l1_regularizer, l2_regularizer,
                           sum_regularizer)


@add_arg_scope
def fully_connected(inputs, num_outputs: int, activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None,
                    weights_initializer=None, weights_regularizer=None, biases_initializer=ZEROS,
                    biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
                    trainable: bool = True, scope=None) -> Tensor:
    """activation_fn(normalizer_fn(inputs @ weights [+ biases])) over the last dim (ReLU by default; no biases
    when a normalizer_fn is given)."""
    x = float_input(inputs, "fully_connected")
    if not isinstance(num_outputs, (int, np.integer)):
        raise ValueError(f"num_outputs should be int or long, got {num_outputs}.")
    if x.shape.ndims < 2 or x.shape.as_list()[-1] is None:
        raise ValueError(f"fully_connected: the last dimension of {x.name} must be known and its rank >= 2, got "
                         f"shape {x.shape}")
    with scope_for(scope, "fully_connected", reuse) as sc:
        dims = x.shape.as_list()
        weights = _weights("weights", [dims[-1], num_outputs], x.dtype, weights_initializer, weights_regularizer,
                           trainable, variables_collections)
        flat = x if x.shape.ndims == 2 else reshape(x, [-1, dims[-1]])
        outputs = matmul(flat, weights)
        if normalizer_fn is None and biases_initializer is not None:
            biases = variable("biases", [num_outputs], x.dtype, biases_initializer, biases_regularizer, trainable,
                               variables_collections, "biases")
            outputs = nn.bias_add(outputs, biases)
        if x.shape.ndims > 2:
            lead = [-1 if d is None else d for d in dims[:-1]]
            if lead.count(-1) > 1:  # several unknown dims: the input's own, at run time
                lead = [shape(x)[i] if d is None else d for i, d in enumerate(dims[:-1])]
                outputs = reshape(outputs, stack_tensors([*lead, num_outputs]))
            else:
                outputs = reshape(outputs, lead + [num_outputs])
        outputs = finish(outputs, normalizer_fn, normalizer_params, activation_fn)
        return collect(outputs_collections, sc.name, outputs)


def _weights(name: str, shape_: list, dtype, initializer, regularizer, trainable: bool, variables_collections):
    """A layer's kernel variable `name` in the 'weights' collections (contrib's default initializer: Xavier)."""
    initializer = initializer if initializer is not None else xavier_initializer()
    return variable(name, shape_, dtype, initializer, regularizer, trainable, variables_collections, "weights")


def _check_data_format(data_format: str) -> None:
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")


def _known_channels(x: Tensor, axis: int, layer: str) -> int:
    """The channel count of `x` at `axis`, which contrib needs to size the layer's variables."""
    channels = x.shape.as_list()[axis]
    if channels is None:
        raise ValueError(f"{layer}: the channels of {x.name} must be known, got shape {x.shape}")
    return channels


def _biased_and_finished(outputs: Tensor, num_outputs: int, data_format: str, normalizer_fn, normalizer_params,
                         activation_fn, biases_initializer, biases_regularizer, trainable: bool,
                         variables_collections) -> Tensor:
    """A convolution's tail in contrib: 'biases' added (unless a normalizer follows, or no initializer is given),
    then the normalizer and the activation."""
    if normalizer_fn is None and biases_initializer is not None:
        biases = variable("biases", [num_outputs], outputs.dtype, biases_initializer, biases_regularizer, trainable,
                          variables_collections, "biases")
        outputs = nn.bias_add(outputs, biases, data_format=data_format)
    return finish(outputs, normalizer_fn, normalizer_params, activation_fn)

@add_arg_scope
def conv2d(inputs, num_outputs: int, kernel_size, stride=1, padding: str = "SAME", data_format=None, rate=1,
           activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None, weights_initializer=None,
           weights_regularizer=None, biases_initializer=ZEROS, biases_regularizer=None, reuse=None,
           variables_collections=None, outputs_collections=None, trainable: bool = True, scope=None) -> Tensor:
    """2-D convolution by 'Conv/weights' [kh, kw, in, num_outputs] (+ 'Conv/biases'), then normalizer and
    activation (ReLU by default); `rate` > 1 dilates (atrous)."""
    x = float_input(inputs, "conv2d")
    if x.shape.ndims != 4:
        raise ValueError(f"Convolution not supported for input with rank {x.shape.ndims} ({x.name})")
    if data_format not in (None, "NHWC", "NCHW"):
        raise ValueError(f"data_format has to be either NCHW or NHWC, got {data_format!r}")
    nchw = data_format == "NCHW"
    kh, kw = pair(kernel_size, "kernel_size")
    sh, sw = pair(stride, "stride")
    rh, rw = pair(rate, "rate")
    if (rh > 1 or rw > 1) and (sh > 1 or sw > 1):
        raise ValueError("Only one of rate or stride can be larger than one")
    channels = _known_channels(x, 1 if nchw else 3, "conv2d")
    with scope_for(scope, "Conv", reuse) as sc:
        weights = _weights("weights", [kh, kw, channels, num_outputs], x.dtype, weights_initializer,
                           weights_regularizer, trainable, variables_collections)
        strides = [1, 1, sh, sw] if nchw else [1, sh, sw, 1]
        dilations = [1, 1, rh, rw] if nchw else [1, rh, rw, 1]
        outputs = nn.conv2d(x, weights, strides, padding.upper(), data_format="NCHW" if nchw else "NHWC",
                            dilations=dilations)
        outputs = _biased_and_finished(outputs, num_outputs, "NCHW" if nchw else "NHWC", normalizer_fn,
                                       normalizer_params, activation_fn, biases_initializer, biases_regularizer,
                                       trainable, variables_collections)
        return collect(outputs_collections, sc.name, outputs)


convolution2d = conv2d


@add_arg_scope
def conv1d(inputs, num_outputs: int, kernel_size, stride=1, padding: str = "SAME", data_format=None, rate=1,
           activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None, weights_initializer=None,
           weights_regularizer=None, biases_initializer=ZEROS, biases_regularizer=None, reuse=None,
           variables_collections=None, outputs_collections=None, trainable: bool = True, scope=None) -> Tensor:
    """1-D convolution of [batch, width, channels] by 'Conv/weights' [k, in, num_outputs] (+ 'Conv/biases'), then
    normalizer and activation (ReLU by default); computed as a 2-D convolution of height 1."""
    from ..array_ops import expand_dims, squeeze
    x = float_input(inputs, "conv1d")
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
    channels = _known_channels(x, 1 if ncw else 2, "conv1d")
    with scope_for(scope, "Conv", reuse) as sc:
        weights = _weights("weights", [k, channels, num_outputs], x.dtype, weights_initializer, weights_regularizer,
                           trainable, variables_collections)
        image = expand_dims(x, 2 if ncw else 1)  # NCW -> NC1W, NWC -> N1WC
        fmt = "NCHW" if ncw else "NHWC"
        strides = [1, 1, 1, step] if ncw else [1, 1, step, 1]
        dilations = [1, 1, 1, dilation] if ncw else [1, 1, dilation, 1]
        outputs = nn.conv2d(image, expand_dims(weights, 0), strides, padding.upper(), data_format=fmt,
                            dilations=dilations)
        outputs = squeeze(outputs, [2 if ncw else 1])
        outputs = _biased_and_finished(outputs, num_outputs, "NCHW" if ncw else "NHWC", normalizer_fn,
                                       normalizer_params, activation_fn, biases_initializer, biases_regularizer,
                                       trainable, variables_collections)
        return collect(outputs_collections, sc.name, outputs)


convolution1d = conv1d


@add_arg_scope
def conv2d_transpose(inputs, num_outputs: int, kernel_size, stride=1, padding: str = "SAME",
                     data_format: str = "NHWC", activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None,
                     weights_initializer=None, weights_regularizer=None, biases_initializer=ZEROS,
                     biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
                     trainable: bool = True, scope=None) -> Tensor:
    """The transpose of conv2d by 'Conv2d_transpose/weights' [kh, kw, num_outputs, in]: each spatial dim becomes
    in * stride (SAME) or in * stride + max(kernel - stride, 0) (VALID)."""
    x = float_input(inputs, "conv2d_transpose")
    if x.shape.ndims != 4:
        raise ValueError(f"conv2d_transpose: inputs must be 4-D, got {x.shape} ({x.name})")
    _check_data_format(data_format)
    nchw = data_format == "NCHW"
    kh, kw = pair(kernel_size, "kernel_size")
    sh, sw = pair(stride, "stride")
    dims = x.shape.as_list()
    batch, (height, width), channels = dims[0], (dims[2:4] if nchw else dims[1:3]), dims[1 if nchw else 3]
    if None in (height, width, channels):
        raise ValueError(f"conv2d_transpose: the height, width and channels of {x.name} must be known, got "
                         f"{x.shape}")
    pad = padding.upper()

    def length(size: int, k: int, s: int) -> int:
        return size * s + max(k - s, 0) if pad == "VALID" else size * s

    out_h, out_w = length(height, kh, sh), length(width, kw, sw)
    with scope_for(scope, "Conv2d_transpose", reuse) as sc:
        weights = _weights("weights", [kh, kw, num_outputs, channels], x.dtype, weights_initializer,
                           weights_regularizer, trainable, variables_collections)
        spatial = [num_outputs, out_h, out_w] if nchw else [out_h, out_w, num_outputs]
        out_shape = [batch, *spatial] if batch is not None else stack_tensors([shape(x)[0], *spatial])
        strides = [1, 1, sh, sw] if nchw else [1, sh, sw, 1]
        outputs = nn.conv2d_transpose(x, weights, out_shape, strides, pad, data_format=data_format)
        outputs = _biased_and_finished(outputs, num_outputs, data_format, normalizer_fn,
                                       normalizer_params, activation_fn, biases_initializer, biases_regularizer,
                                       trainable, variables_collections)
        return collect(outputs_collections, sc.name, outputs)


convolution2d_transpose = conv2d_transpose


@add_arg_scope
def separable_conv2d(inputs, num_outputs, kernel_size, depth_multiplier: int = 1, stride=1, padding: str = "SAME",
                     data_format: str = "NHWC", rate=1, activation_fn=nn.relu, normalizer_fn=None,
                     normalizer_params=None, weights_initializer=None, pointwise_initializer=None,
                     weights_regularizer=None, biases_initializer=ZEROS, biases_regularizer=None, reuse=None,
                     variables_collections=None, outputs_collections=None, trainable: bool = True,
                     scope=None) -> Tensor:
    """A depthwise convolution by 'SeparableConv2d/depthwise_weights' [kh, kw, in, depth_multiplier], then (unless
    num_outputs is None) a 1x1 convolution by 'pointwise_weights' [1, 1, in * depth_multiplier, num_outputs]."""
    x = float_input(inputs, "separable_conv2d")
    if x.shape.ndims != 4:
        raise ValueError(f"separable_conv2d: inputs must be 4-D, got {x.shape} ({x.name})")
    _check_data_format(data_format)
    nchw = data_format == "NCHW"
    kh, kw = pair(kernel_size, "kernel_size")
    sh, sw = pair(stride, "stride")
    rh, rw = pair(rate, "rate")
    channels = _known_channels(x, 1 if nchw else 3, "separable_conv2d")
    weights_initializer = weights_initializer if weights_initializer is not None else xavier_initializer()
    pointwise_initializer = pointwise_initializer if pointwise_initializer is not None else weights_initializer
    strides = [1, 1, sh, sw] if nchw else [1, sh, sw, 1]
    with scope_for(scope, "SeparableConv2d", reuse) as sc:
        depthwise = _weights("depthwise_weights", [kh, kw, channels, depth_multiplier], x.dtype, weights_initializer,
                             weights_regularizer, trainable, variables_collections)
        if num_outputs is not None:
            pointwise = _weights("pointwise_weights", [1, 1, channels * depth_multiplier, num_outputs], x.dtype,
                                 pointwise_initializer, weights_regularizer, trainable, variables_collections)
            outputs = nn.separable_conv2d(x, depthwise, pointwise, strides, padding.upper(), rate=[rh, rw],
                                          data_format=data_format)
        else:
            num_outputs = channels * depth_multiplier
            outputs = nn.depthwise_conv2d(x, depthwise, strides, padding.upper(), rate=[rh, rw],
                                          data_format=data_format)
        outputs = _biased_and_finished(outputs, num_outputs, data_format, normalizer_fn,
                                       normalizer_params, activation_fn, biases_initializer, biases_regularizer,
                                       trainable, variables_collections)
        return collect(outputs_collections, sc.name, outputs)


separable_convolution2d = separable_conv2d


@add_arg_scope
def bias_add(inputs, activation_fn=None, initializer=ZEROS, regularizer=None, reuse=None,
             variables_collections=None, outputs_collections=None, trainable: bool = True,
             data_format: str = "NHWC", scope=None) -> Tensor:
    """inputs + 'BiasAdd/biases' over the channels (the last dim, or dim 1 for NCHW)."""
    x = float_input(inputs, "bias_add")
    _check_data_format(data_format)
    channels = x.shape.as_list()[1 if data_format == "NCHW" and x.shape.ndims > 2 else -1]
    if channels is None:
        raise ValueError(f"`C` dimension must be known but is None ({x.name}, shape {x.shape})")
    with scope_for(scope, "BiasAdd", reuse) as sc:
        biases = variable("biases", [channels], x.dtype, initializer, regularizer, trainable, variables_collections,
                           "biases")
        outputs = nn.bias_add(x, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def softmax(logits, scope=None) -> Tensor:
    """Softmax over the last dim (contrib's, for logits of any rank)."""
    x = convert_to_tensor(logits)
    with scope_for(scope, "softmax", None):
        return nn.softmax(x)


def _pool(kind: str, default: str, inputs, kernel_size, stride, padding, data_format, outputs_collections, scope):
    x = convert_to_tensor(inputs)
    _check_data_format(data_format)
    kh, kw = pair(kernel_size, "kernel_size")
    sh, sw = pair(stride, "stride")
    nchw = data_format == "NCHW"
    with name_scope(scope, default, [x]) as sc:
        ksize, strides = ([1, 1, kh, kw], [1, 1, sh, sw]) if nchw else ([1, kh, kw, 1], [1, sh, sw, 1])
        pool = nn.max_pool if kind == "max" else nn.avg_pool
        outputs = pool(x, ksize, strides, padding.upper(), data_format=data_format)
        return collect(outputs_collections, sc.rstrip("/"), outputs)


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
        return collect(outputs_collections, sc.rstrip("/"), outputs)


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True, outputs_collections=None, scope=None,
            seed=None) -> Tensor:
    """tf.nn.dropout with keep_prob while is_training (a bool or a bool tensor), the inputs as they are otherwise."""
    x = convert_to_tensor(inputs)
    with name_scope(scope, "Dropout", [x]) as sc:
        training = static_bool(is_training)
        if training is False:
            outputs = x
        elif training is True:
            outputs = nn.dropout(x, keep_prob=keep_prob, noise_shape=noise_shape, seed=seed)
        else:
            dropped = nn.dropout(x, keep_prob=keep_prob, noise_shape=noise_shape, seed=seed)
            outputs = where(cast(is_training, bool_), dropped, x)
        return collect(outputs_collections, sc.rstrip("/"), outputs)


@add_arg_scope
def one_hot_encoding(labels, num_classes: int, on_value: float = 1.0, off_value: float = 0.0,
                     outputs_collections=None, scope=None) -> Tensor:
    """float32 one-hot rows of int labels (converted to int64, as contrib does)."""
    with name_scope(scope, "OneHotEncoding", [labels]) as sc:
        labels = convert_to_tensor(labels)
        if labels.dtype.is_integer and labels.dtype is not i64:
            labels = cast(labels, i64)
        outputs = one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
        return collect(outputs_collections, sc.rstrip("/"), outputs)


def embed_sequence(ids, vocab_size=None, embed_dim=None, unique: bool = False, initializer=None, regularizer=None,
                   trainable: bool = True, scope=None, reuse=None) -> Tensor:
    """[batch, length] ids -> [batch, length, embed_dim] rows of 'EmbedSequence/embeddings' [vocab_size, embed_dim]."""
    if not (reuse or (vocab_size and embed_dim)):
        raise ValueError(f"Must specify vocab size and embedding dimension when not reusing. Got vocab_size="
                         f"{vocab_size} and embed_dim={embed_dim}")
    ids = convert_to_tensor(ids)
    with scope_for(scope, "EmbedSequence", reuse):
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


def _chained(inputs, layer, arg_lists, kwargs: dict, default_scope: str, fallback: str) -> Tensor:
    """`layer` applied once per entry of arg_lists (its positional arguments), each on the last one's outputs, in
    scopes '<scope>/<scope>_1', '<scope>/<scope>_2', ... (slim's repeat and stack)."""
    scope = kwargs.pop("scope", None)
    with scope_for(scope, default_scope, None):
        outputs = convert_to_tensor(inputs)
        name = scope if scope is not None else _layer_name(layer, fallback)
        for i, layer_args in enumerate(arg_lists):
            kwargs["scope"] = f"{name}_{i + 1}"
            outputs = layer(outputs, *layer_args, **kwargs)
        return outputs


def repeat(inputs, repetitions: int, layer, *args, **kwargs) -> Tensor:
    """`layer` applied `repetitions` times, in scopes '<scope>/<scope>_1', '<scope>/<scope>_2', ... (slim's repeat:
    repeat(net, 2, conv2d, 64, [3, 3], scope='conv1') makes 'conv1/conv1_1/weights' and 'conv1/conv1_2/weights')."""
    return _chained(inputs, layer, [args] * repetitions, kwargs, "Repeat", "repeat")


def stack(inputs, layer, stack_args, **kwargs) -> Tensor:
    """`layer` applied once per entry of stack_args (its positional arguments), in scopes '<scope>/<scope>_<i>'."""
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple")
    arg_lists = [args if isinstance(args, (list, tuple)) else [args] for args in stack_args]
    return _chained(inputs, layer, arg_lists, kwargs, "Stack", "stack")


__all__ = ["OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES", "apply_regularization", "avg_pool2d", "batch_norm",
           "bias_add", "conv2d", "conv2d_transpose", "convolution2d", "convolution2d_transpose", "dropout",
           "embed_sequence", "flatten", "fully_connected", "group_norm", "instance_norm", "l1_l2_regularizer",
           "l1_regularizer", "l2_regularizer", "layer_norm", "max_pool2d", "one_hot_encoding", "optimize_loss",
           "repeat", "separable_conv2d", "separable_convolution2d", "softmax", "stack", "sum_regularizer",
           "variance_scaling_initializer", "xavier_initializer", "xavier_initializer_conv2d"]


# ---- the rest of TF 1.15's contrib.layers names ---------------------------------------------------


@add_arg_scope
def maxout(inputs, num_units: int, axis: int = -1, scope=None) -> Tensor:
    """The max over each group of num_channels / num_units channels: `axis` becomes num_units long and the
    groups a new last dim, which is reduced (contrib's reshape, groups of consecutive channels)."""
    x = convert_to_tensor(inputs)
    with scope_for(scope, "MaxOut", None):
        dims = x.shape.as_list()
        channels = dims[axis]
        if channels is None:
            raise ValueError(f"maxout: the size of axis {axis} of {x.name} must be known, got {x.shape}")
        if channels % num_units:
            raise ValueError(f"number of features({channels}) is not a multiple of num_units({num_units})")
        dims[axis] = num_units
        dims += [channels // num_units]
        dynamic = shape(x)
        target = [d if d is not None else dynamic[i] for i, d in enumerate(dims)]
        return reduce_max(reshape(x, target), -1, keepdims=False)


@add_arg_scope
def conv3d(inputs, num_outputs: int, kernel_size, stride=1, padding: str = "SAME", data_format=None, rate=1,
           activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None, weights_initializer=None,
           weights_regularizer=None, biases_initializer=ZEROS, biases_regularizer=None, reuse=None,
           variables_collections=None, outputs_collections=None, trainable: bool = True, scope=None) -> Tensor:
    """3-D convolution by 'Conv/weights' [kd, kh, kw, in, num_outputs] (+ 'Conv/biases'), then normalizer and
    activation, as contrib's convolution3d."""
    x = float_input(inputs, "conv3d")
    if x.shape.ndims != 5:
        raise ValueError(f"Convolution not supported for input with rank {x.shape.ndims} ({x.name})")
    if data_format not in (None, "NDHWC", "NCDHW"):
        raise ValueError(f"data_format has to be either NCDHW or NDHWC, got {data_format!r}")
    ncdhw = data_format == "NCDHW"
    kernel, strides, rates = (_triple(v, what) for v, what in ((kernel_size, "kernel_size"), (stride, "stride"),
                                                               (rate, "rate")))
    if max(rates) > 1 and max(strides) > 1:
        raise ValueError("Only one of rate or stride can be larger than one")
    channels = _known_channels(x, 1 if ncdhw else 4, "conv3d")
    with scope_for(scope, "Conv", reuse) as sc:
        weights = _weights("weights", [*kernel, channels, num_outputs], x.dtype, weights_initializer,
                           weights_regularizer, trainable, variables_collections)
        fmt = "NCDHW" if ncdhw else "NDHWC"
        full_strides = [1, 1, *strides] if ncdhw else [1, *strides, 1]
        dilations = [1, 1, *rates] if ncdhw else [1, *rates, 1]
        outputs = nn.conv3d(x, weights, full_strides, padding.upper(), data_format=fmt, dilations=dilations)
        outputs = _biased_and_finished(outputs, num_outputs, "NCHW" if ncdhw else "NHWC", normalizer_fn,
                                       normalizer_params, activation_fn, biases_initializer, biases_regularizer,
                                       trainable, variables_collections)
        return collect(outputs_collections, sc.name, outputs)


convolution3d = conv3d


def _triple(value, what: str) -> list[int]:
    values = [int(v) for v in np.atleast_1d(value)]
    if len(values) == 1:
        values *= 3
    if len(values) != 3:
        raise ValueError(f"{what} must be an int or 3 ints, got {value}")
    return values


def _pool3d(kind: str, default: str, inputs, kernel_size, stride, padding, data_format, outputs_collections, scope):
    x = convert_to_tensor(inputs)
    if data_format not in ("NDHWC", "NCDHW"):
        raise ValueError("data_format has to be either NCDHW or NDHWC.")
    kernel, strides = _triple(kernel_size, "kernel_size"), _triple(stride, "stride")
    ncdhw = data_format == "NCDHW"
    with name_scope(scope, default, [x]) as sc:
        ksize, full = ([1, 1, *kernel], [1, 1, *strides]) if ncdhw else ([1, *kernel, 1], [1, *strides, 1])
        pool = nn.max_pool3d if kind == "max" else nn.avg_pool3d
        outputs = pool(x, ksize, full, padding.upper(), data_format=data_format)
        return collect(outputs_collections, sc.rstrip("/"), outputs)


@add_arg_scope
def max_pool3d(inputs, kernel_size, stride=2, padding: str = "VALID", data_format: str = "NDHWC",
               outputs_collections=None, scope=None) -> Tensor:
    return _pool3d("max", "MaxPool3D", inputs, kernel_size, stride, padding, data_format, outputs_collections, scope)


@add_arg_scope
def avg_pool3d(inputs, kernel_size, stride=2, padding: str = "VALID", data_format: str = "NDHWC",
               outputs_collections=None, scope=None) -> Tensor:
    return _pool3d("avg", "AvgPool3D", inputs, kernel_size, stride, padding, data_format, outputs_collections, scope)


def _fully_connected_with(activation):
    return add_arg_scope(functools.partial(fully_connected, activation_fn=activation))


relu = _fully_connected_with(nn.relu)
relu6 = _fully_connected_with(nn.relu6)
elu = _fully_connected_with(nn.elu)
linear = _fully_connected_with(None)


@add_arg_scope
def unit_norm(inputs, dim: int, epsilon: float = 1e-7, scope=None) -> Tensor:
    """inputs / sqrt(epsilon + the sum of squares along `dim`)."""
    x = convert_to_tensor(inputs)
    with scope_for(scope, "UnitNorm", None):
        if x.shape.ndims is None:
            raise ValueError("The input rank must be known.")
        if dim < 0 or dim >= x.shape.ndims:
            raise ValueError("dim must be positive but smaller than the input rank.")
        return x / sqrt(epsilon + reduce_sum(square(x), dim, keepdims=True))


@add_arg_scope
def dense_to_sparse(tensor, eos_token=0, outputs_collections=None, scope=None):
    """The SparseTensor of `tensor`'s entries other than eos_token."""
    from ..gather_scatter_ops import gather_nd
    from ..math_ops import not_equal
    from ..sparse.tensor import SparseTensor
    x = convert_to_tensor(tensor)
    with scope_for(scope, "dense_to_sparse", None) as sc:
        indices = where(not_equal(x, convert_to_tensor(eos_token, dtype=x.dtype)))
        outputs = SparseTensor(indices, gather_nd(x, indices), cast(shape(x), i64))
        return collect(outputs_collections, sc.name, outputs)


def scale_gradient(inputs, gradient_multiplier):
    """inputs unchanged, its gradient multiplied by gradient_multiplier."""
    from ..custom_gradient_ops import custom_gradient
    multiplier = gradient_multiplier

    @custom_gradient
    def _scaled(x):
        from ..array_ops import identity

        def grad(dy):
            return dy * multiplier
        return identity(x), grad

    return _scaled(convert_to_tensor(inputs))


@add_arg_scope
def spatial_softmax(features, temperature=None, name=None, variables_collections=None, trainable: bool = True,
                    data_format: str = "NHWC") -> Tensor:
    """Each channel's expected (x, y) image position under a softmax over its pixels (positions in [-1, 1]):
    [batch, 2 * channels], x and y of each channel side by side, as contrib's."""
    from ..array_ops import concat, constant
    from ..init_ops import constant_initializer
    x = convert_to_tensor(features)
    with scope_for(name, "spatial_softmax", None):
        dims = x.shape.as_list()
        if len(dims) != 4:
            raise ValueError(f"spatial_softmax: features {x.name} must be 4-D, got {x.shape}")
        channels, height, width = (dims[1], dims[2], dims[3]) if data_format == "NCHW" else (dims[3], dims[1],
                                                                                              dims[2])
        if None in (height, width, channels):
            raise ValueError(f"spatial_softmax: the height, width and channels of {x.name} must be known")
        pos_x, pos_y = np.meshgrid(np.linspace(-1.0, 1.0, height), np.linspace(-1.0, 1.0, width), indexing="ij")
        pos_x = constant(pos_x.reshape(height * width).astype(np.float32))
        pos_y = constant(pos_y.reshape(height * width).astype(np.float32))
        temperature = variable("temperature", [], f32, constant_initializer(1.0 if temperature is None else
                                                                            temperature), None, trainable,
                               variables_collections, "temperature")
        flat = reshape(x if data_format == "NCHW" else transpose(x, [0, 3, 1, 2]), [-1, height * width])
        attention = nn.softmax(flat / temperature)
        expected_x = reduce_sum(pos_x * attention, 1, keepdims=True)
        expected_y = reduce_sum(pos_y * attention, 1, keepdims=True)
        return reshape(concat([expected_x, expected_y], 1), [-1, channels * 2])


def images_to_sequence(inputs, data_format: str = "NHWC", outputs_collections=None, scope=None) -> Tensor:
    """[batch, height, width, depth] -> [width, batch * height, depth]: each image row a sequence."""
    x = convert_to_tensor(inputs)
    with name_scope(scope, "ImagesToSequence", [x]) as sc:
        if data_format == "NCHW":
            x = transpose(x, [0, 2, 3, 1])
        dims = shape(x)
        outputs = reshape(transpose(x, [2, 0, 1, 3]), [dims[2], dims[0] * dims[1], dims[3]])
        return collect(outputs_collections, sc.rstrip("/"), outputs)


def sequence_to_images(inputs, height: int, output_data_format: str = "channels_last", outputs_collections=None,
                       scope=None) -> Tensor:
    """images_to_sequence's inverse: [width, batch * height, depth] -> [batch, height, width, depth]."""
    x = convert_to_tensor(inputs)
    with name_scope(scope, "SequenceToImages", [x]) as sc:
        dims = shape(x)
        batch = dims[1] // height
        outputs = transpose(reshape(x, [dims[0], batch, height, dims[2]]), [1, 2, 0, 3])
        if output_data_format == "channels_first":
            outputs = transpose(outputs, [0, 3, 1, 2])
        return collect(outputs_collections, sc.rstrip("/"), outputs)


# ---- contrib.layers' summaries (TF's contrib/layers/python/layers/summaries.py) ---------------------------
def _scalar(tensor, tag=None):
    from ..summary_ops import scalar
    return scalar(tag or tensor.op.name, tensor)


def _histogram(tensor, tag=None):
    from ..summary_ops import histogram
    return histogram(tag or tensor.op.name, tensor)


def summarize_activation(op):
    """A histogram '<name>/activation' of an activation, and for ReLUs the fraction '<name>/zeros' of inputs < 0."""
    kind = op.op.type
    if kind in ("Relu", "Softplus", "Relu6"):
        first = op.op.inputs[0]
        _scalar(reduce_mean(cast(first < cast(0.0, first.dtype), f32)), f"{op.op.name}/zeros")
    if kind == "Relu6":
        first = op.op.inputs[0]
        _scalar(reduce_mean(cast(first > cast(6.0, first.dtype), f32)), f"{op.op.name}/sixes")
    return _histogram(op, f"{op.op.name}/activation")


def summarize_tensor(tensor, tag=None):
    """A scalar summary of a scalar, else a histogram, tagged by the tensor's op name."""
    if tensor.shape.ndims == 0:
        return _scalar(tensor, tag)
    return _histogram(tensor, tag)


def summarize_tensors(tensors, summarizer=summarize_tensor) -> list:
    return [summarizer(t) for t in tensors]


def summarize_collection(collection, name_filter=None, summarizer=summarize_tensor) -> list:
    """Summaries of a collection's tensors whose op names match `name_filter` (a regex; all when None)."""
    tensors = [t for t in get_collection(collection) if name_filter is None or re.match(name_filter, t.op.name)]
    return summarize_tensors(tensors, summarizer)


summarize_variables = functools.partial(summarize_collection, GraphKeys.GLOBAL_VARIABLES)
summarize_weights = functools.partial(summarize_collection, GraphKeys.WEIGHTS)
summarize_biases = functools.partial(summarize_collection, GraphKeys.BIASES)


def summarize_activations(name_filter=None, summarizer=summarize_activation) -> list:
    return summarize_collection(GraphKeys.ACTIVATIONS, name_filter, summarizer)


__all__ += ["avg_pool3d", "conv3d", "convolution3d", "dense_to_sparse", "elu", "images_to_sequence", "linear",
           "max_pool3d", "maxout", "relu", "relu6", "scale_gradient", "sequence_to_images", "spatial_softmax",
           "summarize_activation", "summarize_activations", "summarize_biases", "summarize_collection",
           "summarize_tensor", "summarize_tensors", "summarize_variables", "summarize_weights", "unit_norm"]
