"""tf.keras.applications.vgg16: VGG16, and the VGG builder VGG19 shares (blocks of 3x3 relu convolutions, each
ending in a 2x2 max pooling; Flatten and two 4096-unit layers on top), with TF's layer names."""

from __future__ import annotations

from .. import layers
from . import _common
from .imagenet_utils import decode_predictions as _decode
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["VGG16", "decode_predictions", "preprocess_input"]

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"


def vgg(convs: tuple, name: str, include_top: bool, weights, input_tensor, input_shape, pooling, classes: int,
        classifier_activation, tails: tuple, origin_base: str):
    """A VGG with convs[i] convolutions in block i+1 (64, 128, 256, 512, 512 filters)."""
    _common.check_arguments(weights, include_top, classes, tails[0], tails[1])
    _, img_input = _common.image_input(input_tensor, input_shape, 224, 32, include_top, weights)
    file = f"{name}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    path = _common.weights_path(weights, include_top, classifier_activation, file, origin_base + file)
    x = img_input
    for b, (n, filters) in enumerate(zip(convs, (64, 128, 256, 512, 512)), start=1):
        for i in range(1, n + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same", name=f"block{b}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{b}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        _common.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _common.top(x, False, pooling, classes, classifier_activation, weights)
    return _common.finish(input_tensor, img_input, x, name, path)


def VGG16(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
          classes: int = 1000, classifier_activation="softmax"):
    """VGG16: 13 convolutions in 5 blocks, three dense layers."""
    return vgg((2, 2, 3, 3, 3), "vgg16", include_top, weights, input_tensor, input_shape, pooling, classes,
               classifier_activation, (".  Received: weights={}", ".  Received `classes={}`"), WEIGHTS_BASE)


def preprocess_input(x, data_format=None):
    """Caffe mode: RGB -> BGR, ImageNet's channel means subtracted."""
    return _preprocess(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5) -> list:
    return _decode(preds, top=top)
