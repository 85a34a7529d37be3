"""What every tf.keras.applications model shares: the argument checks (in each family's words, as TF words
them), the image input, the classifier or pooling top, the Model, ImageNet or file weights; and the small block
builders (convolution + batch norm + activation) the families are made of."""

from __future__ import annotations

import os

from .. import activations
from .. import backend as K
from .. import layers
from ..network import Model
from ..utils import get_file
from .imagenet_utils import obtain_input_shape

WEIGHTS_MESSAGE = ("The `weights` argument should be either `None` (random initialization), `imagenet` "
                   "(pre-training on ImageNet), or the path to the weights file to be loaded")
CLASSES_MESSAGE = 'If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be 1000'


def check_arguments(weights, include_top: bool, classes: int, weights_tail: str = ".", classes_tail: str = "",
                    kwargs: dict | None = None, kwargs_shown=None) -> None:
    """TF's first checks: no unknown keyword arguments, weights None, 'imagenet' or an existing file, 1000
    classes for an ImageNet top. The tails are the family's own ending of TF's messages ('{}' takes the value)."""
    if kwargs:
        raise ValueError(f"Unknown argument(s): {kwargs if kwargs_shown is None else kwargs_shown}")
    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ValueError(WEIGHTS_MESSAGE + weights_tail.format(weights))
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(CLASSES_MESSAGE + classes_tail.format(classes))


def channel_axis(last: int = 3) -> int:
    """The batch-norm / concatenation axis: `last` (3 or -1, as the family writes it) for channels_last, else 1."""
    return last if K.image_data_format() == "channels_last" else 1


def image_input(input_tensor, input_shape, default_size: int, min_size: int, include_top: bool, weights):
    """(checked input shape, the model's image tensor): a new Input, an Input over a plain tensor, or the Keras
    tensor given."""
    input_shape = obtain_input_shape(input_shape, default_size=default_size, min_size=min_size,
                                     data_format=K.image_data_format(), require_flatten=include_top, weights=weights)
    if input_tensor is None:
        return input_shape, layers.Input(shape=input_shape)
    if not K.is_keras_tensor(input_tensor):
        return input_shape, layers.Input(tensor=input_tensor, shape=input_shape)
    return input_shape, input_tensor


def source_inputs(tensor) -> list:
    """The Input tensors a Keras tensor was computed from (what the model takes when built on `input_tensor`)."""
    layer, node_index, _ = tensor._keras_history
    node = layer._inbound_nodes[node_index]
    if not node.input_tensors:
        return [tensor]
    found: list = []
    for t in node.input_tensors:
        for s in source_inputs(t):
            if not any(s is f for f in found):
                found.append(s)
    return found


def validate_activation(classifier_activation, weights) -> None:
    """Pretrained weights fit a softmax (or linear) top only."""
    if weights is None:
        return
    fn = activations.get(classifier_activation)
    if fn not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the `classifier_activation` argument "
                         "when using pretrained weights, with `include_top=True`; Received: "
                         f"classifier_activation={fn}")


def top(x, include_top: bool, pooling, classes: int, classifier_activation, weights, pool_names=(None, None),
        top_pool: str | None = "avg_pool"):
    """The classifier (global average pooling `top_pool`, Dense 'predictions') or, without it, the pooling asked
    for (`pool_names`: the avg and max layers' names, None for Keras's own)."""
    if include_top:
        x = layers.GlobalAveragePooling2D(name=top_pool)(x)
        validate_activation(classifier_activation, weights)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=pool_names[0])(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=pool_names[1])(x)
    return x


def weights_path(weights, include_top: bool, classifier_activation, weight_file: str | None,
                 origin: str | None = None) -> str | None:
    """The weights file to load once the model is built: ImageNet's from the Keras cache (`weight_file` at
    ~/.keras/models/, TF's name; never downloaded), the path given, or None. Looked up before the graph is built,
    so that a missing file is reported at once; the top's activation is checked first, as TF checks it before
    fetching the file."""
    if include_top:
        validate_activation(classifier_activation, weights)
    if weights == "imagenet":
        return None if weight_file is None else get_file(weight_file, origin, cache_subdir="models")
    return weights


def finish(input_tensor, img_input, x, name: str, path: str | None, load=None) -> Model:
    """The Model from the image input (or `input_tensor`'s sources) to `x`, with the weights at `path` read by
    `load(model, path)` (model.load_weights unless the family reads older files too)."""
    inputs = source_inputs(input_tensor) if input_tensor is not None and hasattr(input_tensor, "_keras_history") \
        else img_input
    model = Model(inputs, x, name=name)
    if path is not None:
        (load or (lambda m, p: m.load_weights(p)))(model, path)
    return model


def conv_bn(x, filters: int, kernel, strides=1, padding: str = "valid", use_bias: bool = False, name=None,
            bn_name=None, act_name=None, activation="relu", axis: int = 3, **bn_args):
    """Conv2D -> BatchNormalization -> Activation (no activation when `activation` is None); names as given."""
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=use_bias, name=name)(x)
    x = layers.BatchNormalization(axis=channel_axis(axis), name=bn_name, **bn_args)(x)
    if activation is None:
        return x
    return layers.Activation(activation, name=act_name)(x)


def bn_relu(x, name: str, axis: int = 3, bn_suffix: str = "_bn", relu_suffix: str = "_relu", **bn_args):
    """BatchNormalization `name+bn_suffix` then ReLU activation `name+relu_suffix`."""
    x = layers.BatchNormalization(axis=channel_axis(axis), name=name + bn_suffix, **bn_args)(x)
    return layers.Activation("relu", name=name + relu_suffix)(x)


def rows_cols(input_shape) -> tuple:
    """(rows, cols) of an input shape without the batch dim, in the image data format."""
    if K.image_data_format() == "channels_first":
        return input_shape[1], input_shape[2]
    return input_shape[0], input_shape[1]


def pretrained_size(input_shape, sizes: tuple) -> int:
    """The default input size of the MobileNets: a square input of a size with ImageNet weights, else 224."""
    if input_shape is None:
        return 224
    rows, cols = rows_cols(input_shape)
    return rows if rows == cols and rows in sizes else 224
