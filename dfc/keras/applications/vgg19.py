"""tf.keras.applications.vgg19: VGG19 (vgg16.py's builder with 16 convolutions)."""

from __future__ import annotations

from .vgg16 import decode_predictions, preprocess_input, vgg

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"


def VGG19(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
          classes: int = 1000, classifier_activation="softmax"):
    """VGG19: 16 convolutions in 5 blocks, three dense layers."""
    return vgg((2, 2, 4, 4, 4), "vgg19", include_top, weights, input_tensor, input_shape, pooling, classes,
               classifier_activation, (".  Received: `weights={}.`", ".  Received: `classes={}.`"), WEIGHTS_BASE)
