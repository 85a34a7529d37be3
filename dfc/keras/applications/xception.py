"""tf.keras.applications.xception: Xception: separable convolutions in residual blocks (entry flow with strided 1x1
projections, eight middle-flow blocks of 728 channels, exit flow), TF's layer names."""

from __future__ import annotations

from .. import layers
from . import _common
from .imagenet_utils import decode_predictions as _decode
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["Xception", "decode_predictions", "preprocess_input"]

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"


def _sep_bn(x, filters: int, name: str, axis: int):
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=axis, name=name + "_bn")(x)


def _projection(x, filters: int, axis: int):
    """The strided 1x1 convolution + batch norm of a downsampling block's shortcut (automatic names)."""
    x = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    return layers.BatchNormalization(axis=axis)(x)


def _down_block(x, filters: tuple, block: int, axis: int, first_relu: bool = True):
    """relu-sepconv-bn, relu-sepconv-bn, 3x3/2 max pooling, plus the projected shortcut."""
    residual = _projection(x, filters[1], axis)
    if first_relu:
        x = layers.Activation("relu", name=f"block{block}_sepconv1_act")(x)
    x = _sep_bn(x, filters[0], f"block{block}_sepconv1", axis)
    x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _sep_bn(x, filters[1], f"block{block}_sepconv2", axis)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.add([x, residual])


def Xception(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
             classes: int = 1000, classifier_activation="softmax"):
    """Xception for 299x299 inputs (at least 71x71)."""
    _common.check_arguments(weights, include_top, classes)
    _, img_input = _common.image_input(input_tensor, input_shape, 299, 71, include_top, weights)
    file = f"xception_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    path = _common.weights_path(weights, include_top, classifier_activation, file, WEIGHTS_BASE + file)
    axis = _common.channel_axis(-1)
    x = _common.conv_bn(img_input, 32, (3, 3), strides=(2, 2), name="block1_conv1", bn_name="block1_conv1_bn",
                        act_name="block1_conv1_act", axis=-1)
    x = _common.conv_bn(x, 64, (3, 3), name="block1_conv2", bn_name="block1_conv2_bn", act_name="block1_conv2_act",
                        axis=-1)
    # block 2 starts without a relu: block1's output already went through one
    x = _down_block(x, (128, 128), 2, axis, first_relu=False)
    x = _down_block(x, (256, 256), 3, axis)
    x = _down_block(x, (728, 728), 4, axis)
    for i in range(5, 13):
        residual = x
        for j in (1, 2, 3):
            x = layers.Activation("relu", name=f"block{i}_sepconv{j}_act")(x)
            x = _sep_bn(x, 728, f"block{i}_sepconv{j}", axis)
        x = layers.add([x, residual])
    x = _down_block(x, (728, 1024), 13, axis)
    for j, filters in ((1, 1536), (2, 2048)):
        x = _sep_bn(x, filters, f"block14_sepconv{j}", axis)
        x = layers.Activation("relu", name=f"block14_sepconv{j}_act")(x)
    x = _common.top(x, include_top, pooling, classes, classifier_activation, weights)
    return _common.finish(input_tensor, img_input, x, "xception", path)


def preprocess_input(x, data_format=None):
    """'tf' mode: pixels scaled to [-1, 1]."""
    return _preprocess(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    return _decode(preds, top=top)
