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

from dfc.ir.dtypes import bool_, i64

from .. import nn
from ..array_ops import one_hot, reshape, shape
from ..array_ops import stack as stack_tensors
from ..framework import Tensor, convert_to_tensor, name_scope
from ..graph import GraphKeys, add_to_collection
from ..math_ops import cast, matmul, where
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
