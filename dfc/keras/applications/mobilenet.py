"""tf.keras.applications.mobilenet: MobileNet (v1): depthwise-separable blocks with relu6, width `alpha`,
depthwise `depth_multiplier`; TF's layer names, ImageNet files per alpha and input size."""

from __future__ import annotations

import logging

from .. import layers
from . import _common
from .imagenet_utils import decode_predictions as _decode
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
_SIZES = (128, 160, 192, 224)
# (pointwise filters, stride) of blocks 1..13
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1),
           (512, 1), (1024, 2), (1024, 1))


def _conv_block(inputs, filters: int, alpha: float, kernel=(3, 3), strides=(1, 1)):
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False, strides=strides,
                      name="conv1")(inputs)
    x = layers.BatchNormalization(axis=_common.channel_axis(-1), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs, pointwise_filters: int, alpha: float, depth_multiplier: int = 1,
                          strides=(1, 1), block_id: int = 1):
    """3x3 depthwise (padded bottom/right by one when strided) and 1x1 pointwise, each batch norm + relu6."""
    axis = _common.channel_axis(-1)
    x = inputs
    if strides != (1, 1):
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(inputs)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides, use_bias=False,
                               name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_filters * alpha), (1, 1), padding="same", use_bias=False, strides=(1, 1),
                      name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def MobileNet(input_shape=None, alpha: float = 1.0, depth_multiplier: int = 1, dropout: float = 1e-3,
              include_top: bool = True, weights="imagenet", input_tensor=None, pooling=None, classes: int = 1000,
              classifier_activation="softmax", **kwargs):
    """MobileNet: a strided 3x3 convolution, 13 depthwise-separable blocks; the top is a 1x1 convolution."""
    _common.check_arguments(weights, include_top, classes, ".  Received weights={}", ".  Received classes={}",
                            kwargs=kwargs, kwargs_shown=(kwargs,))
    default_size = _common.pretrained_size(input_shape, _SIZES)
    input_shape, img_input = _common.image_input(input_tensor, input_shape, default_size, 32, include_top, weights)
    rows, cols = _common.rows_cols(input_shape)
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError("If imagenet weights are being loaded, depth multiplier must be 1.  "
                             f"Received depth_multiplier={depth_multiplier}")
        if alpha not in [0.25, 0.5, 0.75, 1.0]:
            raise ValueError("If imagenet weights are being loaded, alpha can be one of`0.25`, `0.50`, `0.75` or "
                             f"`1.0` only.  Received alpha={alpha}")
        if rows != cols or rows not in _SIZES:
            rows = 224
            logging.warning("`input_shape` is undefined or non-square, or `rows` is not in [128, 160, 192, 224]. "
                            "Weights for input shape (224, 224) will be loaded as the default.")
    alpha_text = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0"}.get(alpha, "2_5")
    file = f"mobilenet_{alpha_text}_{rows}_tf{'' if include_top else '_no_top'}.h5"
    path = _common.weights_path(weights, include_top, classifier_activation, file, BASE_WEIGHT_PATH + file)
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, strides=(stride, stride), block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        _common.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = _common.top(x, False, pooling, classes, classifier_activation, weights)
    return _common.finish(input_tensor, img_input, x, f"mobilenet_{alpha:0.2f}_{rows}", path)


def preprocess_input(x, data_format=None):
    """'tf' mode: pixels scaled to [-1, 1]."""
    return _preprocess(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    return _decode(preds, top=top)
