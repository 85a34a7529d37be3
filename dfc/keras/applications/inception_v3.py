"""tf.keras.applications.inception_v3: InceptionV3 (mixed0..mixed10: parallel convolution branches concatenated),
each convolution a conv2d_bn (no bias, batch norm without scale, relu) with Keras's automatic layer names."""

from __future__ import annotations

from .. import layers
from . import _common
from .imagenet_utils import decode_predictions as _decode
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["InceptionV3", "decode_predictions", "preprocess_input"]

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"


def conv2d_bn(x, filters: int, num_row: int, num_col: int, padding: str = "same", strides=(1, 1), name=None):
    """Conv2D (no bias) -> BatchNormalization(scale=False) -> relu; `name`_conv, `name`_bn, `name` if named."""
    named = name is not None
    return _common.conv_bn(x, filters, (num_row, num_col), strides=strides, padding=padding,
                           name=name + "_conv" if named else None, bn_name=name + "_bn" if named else None,
                           act_name=name, scale=False)


def _avg_branch(x, filters: int):
    return conv2d_bn(layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x), filters, 1, 1)


def _chain(x, specs) -> object:
    """conv2d_bn layers one after another: specs of (filters, rows, cols)."""
    for filters, rows, cols in specs:
        x = conv2d_bn(x, filters, rows, cols)
    return x


def _block_35(x, pool_filters: int, name: str, axis: int):
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = _chain(x, ((48, 1, 1), (64, 5, 5)))
    b3 = _chain(x, ((64, 1, 1), (96, 3, 3), (96, 3, 3)))
    return layers.concatenate([b1, b5, b3, _avg_branch(x, pool_filters)], axis=axis, name=name)


def _block_17(x, mid: int, name: str, axis: int):
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = _chain(x, ((mid, 1, 1), (mid, 1, 7), (192, 7, 1)))
    b7dbl = _chain(x, ((mid, 1, 1), (mid, 7, 1), (mid, 1, 7), (mid, 7, 1), (192, 1, 7)))
    return layers.concatenate([b1, b7, b7dbl, _avg_branch(x, 192)], axis=axis, name=name)


def _block_8(x, i: int, axis: int):
    b1 = conv2d_bn(x, 320, 1, 1)
    b3 = conv2d_bn(x, 384, 1, 1)
    b3 = layers.concatenate([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)], axis=axis, name=f"mixed9_{i}")
    b3dbl = _chain(x, ((448, 1, 1), (384, 3, 3)))
    b3dbl = layers.concatenate([conv2d_bn(b3dbl, 384, 1, 3), conv2d_bn(b3dbl, 384, 3, 1)], axis=axis)
    return layers.concatenate([b1, b3, b3dbl, _avg_branch(x, 192)], axis=axis, name=f"mixed{9 + i}")


def InceptionV3(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes: int = 1000, classifier_activation="softmax"):
    """InceptionV3 for 299x299 inputs (at least 75x75)."""
    _common.check_arguments(weights, include_top, classes, "; Received: weights={}", "; Received classes={}")
    _, img_input = _common.image_input(input_tensor, input_shape, 299, 75, include_top, weights)
    file = f"inception_v3_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    path = _common.weights_path(weights, include_top, classifier_activation, file, WEIGHTS_BASE + file)
    axis = _common.channel_axis(3)
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    for i, pool_filters in enumerate((32, 64, 64)):
        x = _block_35(x, pool_filters, f"mixed{i}", axis)
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    b3dbl = _chain(x, ((64, 1, 1), (96, 3, 3)))
    b3dbl = conv2d_bn(b3dbl, 96, 3, 3, strides=(2, 2), padding="valid")
    x = layers.concatenate([b3, b3dbl, layers.MaxPooling2D((3, 3), strides=(2, 2))(x)], axis=axis, name="mixed3")
    for i, mid in enumerate((128, 160, 160, 192)):
        x = _block_17(x, mid, f"mixed{4 + i}", axis)
    b3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding="valid")
    b7x3 = _chain(x, ((192, 1, 1), (192, 1, 7), (192, 7, 1)))
    b7x3 = conv2d_bn(b7x3, 192, 3, 3, strides=(2, 2), padding="valid")
    x = layers.concatenate([b3, b7x3, layers.MaxPooling2D((3, 3), strides=(2, 2))(x)], axis=axis, name="mixed8")
    for i in range(2):
        x = _block_8(x, i, axis)
    x = _common.top(x, include_top, pooling, classes, classifier_activation, weights)
    return _common.finish(input_tensor, img_input, x, "inception_v3", path)


def preprocess_input(x, data_format=None):
    """'tf' mode: pixels scaled to [-1, 1]."""
    return _preprocess(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    return _decode(preds, top=top)
