"""tf.keras.applications.inception_resnet_v2: InceptionResNetV2: an Inception stem, then 10 block35, 20 block17 and
10 block8 residual Inception blocks (the branches' 1x1 projection scaled and added to the input)."""

from __future__ import annotations

from .. import backend as K
from .. import layers
from ..engine import Layer
from . import _common
from .imagenet_utils import decode_predictions as _decode
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["InceptionResNetV2", "decode_predictions", "preprocess_input"]

BASE_WEIGHT_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
# each block type's branches: lists of (filters, kernel) convolutions applied one after another
_BRANCHES = {
    "block35": (((32, 1),), ((32, 1), (32, 3)), ((32, 1), (48, 3), (64, 3))),
    "block17": (((192, 1),), ((128, 1), (160, (1, 7)), (192, (7, 1)))),
    "block8": (((192, 1),), ((192, 1), (224, (1, 3)), (256, (3, 1)))),
}


class CustomScaleLayer(Layer):
    """inputs[0] + inputs[1] * scale: the residual connection of an Inception-ResNet block."""

    def __init__(self, scale: float, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"scale": self.scale})
        return config

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale


def conv2d_bn(x, filters: int, kernel_size, strides=1, padding: str = "same", activation="relu",
              use_bias: bool = False, name=None):
    """Conv2D, then (without a bias) BatchNormalization(scale=False), then the activation; `name`_bn, `name`_ac."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=_common.channel_axis(3), scale=False,
                                      name=None if name is None else name + "_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else name + "_ac")(x)
    return x


def _branch(x, convs):
    for filters, kernel in convs:
        x = conv2d_bn(x, filters, kernel)
    return x


def inception_resnet_block(x, scale: float, block_type: str, block_idx: int, activation="relu"):
    if block_type not in _BRANCHES:
        raise ValueError('Unknown Inception-ResNet block type. Expects "block35", "block17" or "block8", but got: '
                         + str(block_type))
    axis = _common.channel_axis(3)
    branches = [_branch(x, convs) for convs in _BRANCHES[block_type]]
    name = f"{block_type}_{block_idx}"
    mixed = layers.Concatenate(axis=axis, name=name + "_mixed")(branches)
    up = conv2d_bn(mixed, K.int_shape(x)[axis], 1, activation=None, use_bias=True, name=name + "_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=name + "_ac")(x)
    return x


def _reduction(x, branches, name: str, axis: int):
    """Strided branches (their last convolution 3x3/2 valid) and a 3x3/2 max pooling, concatenated."""
    outs = []
    for convs in branches:
        y = _branch(x, convs[:-1])
        outs.append(conv2d_bn(y, convs[-1][0], convs[-1][1], strides=2, padding="valid"))
    outs.append(layers.MaxPooling2D(3, strides=2, padding="valid")(x))
    return layers.Concatenate(axis=axis, name=name)(outs)


def InceptionResNetV2(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
                      pooling=None, classes: int = 1000, classifier_activation="softmax", **kwargs):
    """InceptionResNetV2 for 299x299 inputs (at least 75x75)."""
    _common.check_arguments(weights, include_top, classes, kwargs=kwargs)
    _, img_input = _common.image_input(input_tensor, input_shape, 299, 75, include_top, weights)
    file = f"inception_resnet_v2_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    path = _common.weights_path(weights, include_top, classifier_activation, file, BASE_WEIGHT_URL + file)
    axis = _common.channel_axis(3)
    x = conv2d_bn(img_input, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    branches = [_branch(x, convs) for convs in (((96, 1),), ((48, 1), (64, 5)), ((64, 1), (96, 3), (96, 3)))]
    branches.append(conv2d_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), 64, 1))
    x = layers.Concatenate(axis=axis, name="mixed_5b")(branches)
    for i in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=i)
    x = _reduction(x, (((384, 3),), ((256, 1), (256, 3), (384, 3))), "mixed_6a", axis)
    for i in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=i)
    x = _reduction(x, (((256, 1), (384, 3)), ((256, 1), (288, 3)), ((256, 1), (288, 3), (320, 3))), "mixed_7a",
                   axis)
    for i in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=i)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8", block_idx=10)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")
    x = _common.top(x, include_top, pooling, classes, classifier_activation, weights)
    return _common.finish(input_tensor, img_input, x, "inception_resnet_v2", path)


def preprocess_input(x, data_format=None):
    """'tf' mode: pixels scaled to [-1, 1]."""
    return _preprocess(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    return _decode(preds, top=top)
