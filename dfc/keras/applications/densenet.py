"""tf.keras.applications.densenet: DenseNet121/169/201: dense blocks (each layer's 32 new channels concatenated to
its input) joined by transition blocks (1x1 convolution halving the channels, 2x2 average pooling)."""

from __future__ import annotations

from .. import backend as K
from .. import layers
from . import _common
from .imagenet_utils import decode_predictions as _decode
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
_EPS = 1.001e-5
_NAMES = {(6, 12, 24, 16): "densenet121", (6, 12, 32, 32): "densenet169", (6, 12, 48, 32): "densenet201"}


def conv_block(x, growth_rate: int, name: str):
    """BN-relu-1x1 (4*growth_rate) BN-relu-3x3 (growth_rate), concatenated to the input."""
    axis = _common.channel_axis(3)
    x1 = _common.bn_relu(x, name, bn_suffix="_0_bn", relu_suffix="_0_relu", epsilon=_EPS)
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=name + "_1_conv")(x1)
    x1 = _common.bn_relu(x1, name, bn_suffix="_1_bn", relu_suffix="_1_relu", epsilon=_EPS)
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=name + "_2_conv")(x1)
    return layers.Concatenate(axis=axis, name=name + "_concat")([x, x1])


def dense_block(x, blocks: int, name: str):
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction: float, name: str):
    axis = _common.channel_axis(3)
    x = _common.bn_relu(x, name, epsilon=_EPS)
    x = layers.Conv2D(int(K.int_shape(x)[axis] * reduction), 1, use_bias=False, name=name + "_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=name + "_pool")(x)


def DenseNet(blocks, include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes: int = 1000, classifier_activation="softmax"):
    """A DenseNet with blocks[i] layers in dense block i+1."""
    _common.check_arguments(weights, include_top, classes)
    _, img_input = _common.image_input(input_tensor, input_shape, 224, 32, include_top, weights)
    name = _NAMES.get(tuple(blocks), "densenet")
    file = f"{name}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    path = _common.weights_path(weights, include_top, classifier_activation, file if name != "densenet" else None,
                                BASE_WEIGHTS_PATH + file)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1/conv")(x)
    x = _common.bn_relu(x, "conv1", bn_suffix="/bn", relu_suffix="/relu", epsilon=_EPS)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for i, n in enumerate(blocks):
        x = dense_block(x, n, name=f"conv{i + 2}")
        if i < len(blocks) - 1:
            x = transition_block(x, 0.5, name=f"pool{i + 2}")
    x = layers.BatchNormalization(axis=_common.channel_axis(3), epsilon=_EPS, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = _common.top(x, include_top, pooling, classes, classifier_activation, weights, ("avg_pool", "max_pool"))
    return _common.finish(input_tensor, img_input, x, name, path)


def DenseNet121(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes: int = 1000, classifier_activation="softmax"):
    """DenseNet121: 6, 12, 24 and 16 layers in its dense blocks."""
    return DenseNet([6, 12, 24, 16], include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation)


def DenseNet169(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes: int = 1000, classifier_activation="softmax"):
    """DenseNet169: 6, 12, 32 and 32 layers in its dense blocks."""
    return DenseNet([6, 12, 32, 32], include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation)


def DenseNet201(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes: int = 1000, classifier_activation="softmax"):
    """DenseNet201: 6, 12, 48 and 32 layers in its dense blocks."""
    return DenseNet([6, 12, 48, 32], include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation)


def preprocess_input(x, data_format=None):
    """'torch' mode: pixels scaled to [0, 1], then each channel normalized by ImageNet's mean and deviation."""
    return _preprocess(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top: int = 5) -> list:
    return _decode(preds, top=top)
