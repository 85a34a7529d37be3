"""tf.keras.applications.mobilenet_v2: MobileNetV2: inverted residual blocks (1x1 expansion, 3x3 depthwise, linear
1x1 projection) with relu6, width `alpha`; TF's layer names, ImageNet files per alpha and input size."""

from __future__ import annotations

import logging

from .. import backend as K
from .. import layers
from . import _common
from .imagenet_utils import correct_pad
from .imagenet_utils import decode_predictions as _decode
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["MobileNetV2", "decode_predictions", "preprocess_input"]

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
_SIZES = (96, 128, 160, 192, 224)
# (filters, stride, expansion) of blocks 0..16
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6),
           (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6),
           (320, 1, 6))


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """`v` rounded to a multiple of `divisor`, never more than 10% below `v`."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _bn(x, name: str):
    return layers.BatchNormalization(axis=_common.channel_axis(-1), epsilon=1e-3, momentum=0.999, name=name)(x)


def _inverted_res_block(inputs, expansion: int, stride: int, alpha: float, filters: int, block_id: int):
    in_channels = K.int_shape(inputs)[_common.channel_axis(-1)]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same", use_bias=False, activation=None,
                          name=prefix + "expand")(x)
        x = layers.ReLU(6.0, name=prefix + "expand_relu")(_bn(x, prefix + "expand_BN"))
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, 3), name=prefix + "pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid", name=prefix + "depthwise")(x)
    x = layers.ReLU(6.0, name=prefix + "depthwise_relu")(_bn(x, prefix + "depthwise_BN"))
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False, activation=None,
                      name=prefix + "project")(x)
    x = _bn(x, prefix + "project_BN")
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=prefix + "add")([inputs, x])
    return x


def _check_input_tensor(input_tensor, input_shape):
    """TF's checks of an input_tensor given with an input_shape (their widths must agree)."""
    if not K.is_keras_tensor(input_tensor):
        raise ValueError(f"input_tensor is not a TF-Keras tensor; Received `input_tensor={input_tensor}`")
    if K.image_data_format() == "channels_first":
        if K.int_shape(input_tensor)[1] != input_shape[1]:
            raise ValueError("input_shape[1] must equal shape(input_tensor)[1] when `image_data_format` is "
                             f"`channels_first`; Received `input_tensor.shape={input_tensor.shape}`, "
                             f"`input_shape={input_shape}`")
    elif K.int_shape(input_tensor)[2] != input_shape[1]:
        raise ValueError("input_tensor.shape[2] must equal input_shape[1]; Received "
                         f"`input_tensor.shape={input_tensor.shape}`, `input_shape={input_shape}`")


def _default_size(input_tensor, input_shape) -> int:
    if input_shape is not None and input_tensor is not None:
        _check_input_tensor(input_tensor, input_shape)
    if input_shape is None and input_tensor is not None:
        if not K.is_keras_tensor(input_tensor):
            return 224
        shape = K.int_shape(input_tensor)
        return _common.pretrained_size(shape[1:], _SIZES)
    return _common.pretrained_size(input_shape, _SIZES)


def MobileNetV2(input_shape=None, alpha: float = 1.0, include_top: bool = True, weights="imagenet",
                input_tensor=None, pooling=None, classes: int = 1000, classifier_activation="softmax", **kwargs):
    """MobileNetV2: a strided 3x3 convolution, 17 inverted residual blocks, a 1x1 convolution to 1280 channels."""
    _common.check_arguments(weights, include_top, classes, ".  Received `weights={}`", ". Received `classes={}`",
                            kwargs=kwargs)
    default_size = _default_size(input_tensor, input_shape)
    input_shape, img_input = _common.image_input(input_tensor, input_shape, default_size, 32, include_top, weights)
    rows, cols = _common.rows_cols(input_shape)
    if weights == "imagenet":
        if alpha not in [0.35, 0.5, 0.75, 1.0, 1.3, 1.4]:
            raise ValueError("If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, `0.75`, "
                             f"`1.0`, `1.3` or `1.4` only; Received `alpha={alpha}`")
        if rows != cols or rows not in _SIZES:
            rows = 224
            logging.warning("`input_shape` is undefined or non-square, or `rows` is not in [96, 128, 160, 192, "
                            "224]. Weights for input shape (224, 224) will be loaded as the default.")
    file = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
            f"{'' if include_top else '_no_top'}.h5")
    path = _common.weights_path(weights, include_top, classifier_activation, file, BASE_WEIGHT_PATH + file)
    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="Conv1")(img_input)
    x = layers.ReLU(6.0, name="Conv1_relu")(_bn(x, "bn_Conv1"))
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride, expansion=expansion,
                                block_id=block_id)
    last = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.ReLU(6.0, name="out_relu")(_bn(x, "Conv_1_bn"))
    x = _common.top(x, include_top, pooling, classes, classifier_activation, weights, top_pool=None)
    return _common.finish(input_tensor, img_input, x, f"mobilenetv2_{alpha:0.2f}_{rows}", path)


def preprocess_input(x, data_format=None):
    """'tf' mode: pixels scaled to [-1, 1]."""
    return _preprocess(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    return _decode(preds, top=top)
