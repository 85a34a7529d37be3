"""tf.keras.applications.resnet (and resnet50, resnet_v2): ResNet50/101/152 (bottleneck blocks, batch norm after
each convolution) and ResNet50V2/101V2/152V2 (pre-activation blocks), with TF's layer names, so that Keras's
ImageNet .h5 files load into them."""

from __future__ import annotations

import os
import re

from .. import backend as K
from .. import hdf5_format, layers
from . import _common
from .imagenet_utils import decode_predictions as _decode
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["ResNet101", "ResNet152", "ResNet50", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
_EPS = 1.001e-5


def _bn(x, name: str):
    return layers.BatchNormalization(axis=_common.channel_axis(3), epsilon=_EPS, name=name)(x)


def block1(x, filters: int, kernel_size: int = 3, stride: int = 1, conv_shortcut: bool = True, name: str = ""):
    """The bottleneck block: 1x1 (strided), kxk, 1x1 to 4*filters, each batch-normalized, added to the
    (projected) input, then relu."""
    if conv_shortcut:
        shortcut = _bn(layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x), name + "_0_bn")
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(_bn(x, name + "_1_bn"))
    x = layers.Conv2D(filters, kernel_size, padding="SAME", name=name + "_2_conv")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(_bn(x, name + "_2_bn"))
    x = _bn(layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x), name + "_3_bn")
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def stack1(x, filters: int, blocks: int, stride1: int = 2, name: str = ""):
    x = block1(x, filters, stride=stride1, name=name + "_block1")
    for i in range(2, blocks + 1):
        x = block1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def block2(x, filters: int, kernel_size: int = 3, stride: int = 1, conv_shortcut: bool = False, name: str = ""):
    """The pre-activation block: batch norm and relu first; the stride is on the 3x3 convolution, and an
    identity shortcut is subsampled by a 1x1 max pooling."""
    preact = layers.Activation("relu", name=name + "_preact_relu")(_bn(x, name + "_preact_bn"))
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=name + "_1_conv")(preact)
    x = layers.Activation("relu", name=name + "_1_relu")(_bn(x, name + "_1_bn"))
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=name + "_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False, name=name + "_2_conv")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(_bn(x, name + "_2_bn"))
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    return layers.Add(name=name + "_out")([shortcut, x])


def stack2(x, filters: int, blocks: int, stride1: int = 2, name: str = ""):
    x = block2(x, filters, conv_shortcut=True, name=name + "_block1")
    for i in range(2, blocks):
        x = block2(x, filters, name=f"{name}_block{i}")
    return block2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def ResNet(stack_fn, preact: bool, use_bias: bool, model_name: str = "resnet", include_top: bool = True,
           weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes: int = 1000,
           classifier_activation="softmax", **kwargs):
    """The ResNet stem (7x7/2 convolution, 3x3/2 max pooling), `stack_fn`'s stages, the top."""
    _common.check_arguments(weights, include_top, classes, kwargs=kwargs)
    _, img_input = _common.image_input(input_tensor, input_shape, 224, 32, include_top, weights)
    file = f"{model_name}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    path = _common.weights_path(weights, include_top, classifier_activation, file, BASE_WEIGHTS_PATH + file)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = layers.Activation("relu", name="conv1_relu")(_bn(x, "conv1_bn"))
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.Activation("relu", name="post_relu")(_bn(x, "post_bn"))
    x = _common.top(x, include_top, pooling, classes, classifier_activation, weights, ("avg_pool", "max_pool"))
    return _common.finish(input_tensor, img_input, x, model_name, path,
                          load=_load_weights if model_name == "resnet50" else None)


_LEGACY_BRANCH = {"2a": 1, "2b": 2, "2c": 3, "1": 0}


def legacy_layer_name(name: str) -> str | None:
    """The layer of this ResNet50 that a layer of TF 1.15's ResNet50 (keras_applications.resnet50: conv1,
    bn_conv1, res2a_branch2a, bn2a_branch1, fc1000, ...) corresponds to; their weights have the same shapes."""
    fixed = {"conv1": "conv1_conv", "bn_conv1": "conv1_bn", "fc1000": "predictions"}
    if name in fixed:
        return fixed[name]
    m = re.fullmatch(r"(res|bn)(\d)([a-z])_branch(2a|2b|2c|1)", name)
    if m is None:
        return None
    kind = "conv" if m.group(1) == "res" else "bn"
    return f"conv{m.group(2)}_block{ord(m.group(3)) - 96}_{_LEGACY_BRANCH[m.group(4)]}_{kind}"


def _load_weights(model, path: str) -> None:
    """model.load_weights, but a ResNet50 file written by TF 1.15's Keras (the cached
    resnet50_weights_tf_dim_ordering_tf_kernels*.h5 of a TF1 setup, with keras_applications' layer names) is read
    layer by layer into the layers of the same role."""
    if not (os.path.isfile(path) and hdf5_format._h5py().is_hdf5(path)):
        model.load_weights(path)   # a TensorFlow-format checkpoint
        return
    with hdf5_format._open(path, "r") as f:
        group = f["model_weights"] if "layer_names" not in f.attrs and "model_weights" in f else f
        saved = hdf5_format._saved_layers(group)
    if not any(name == "res2a_branch2a" for name, _ in saved):
        model.load_weights(path)
        return
    pairs = []
    for name, values in saved:
        target = legacy_layer_name(name)
        if target is None:
            raise ValueError(f"Layer {name!r} of the ResNet50 weights file {path} has no counterpart in {model.name}.")
        layer = model.get_layer(target)
        for variable, value in zip(layer.weights, values):
            if tuple(variable.shape.as_list()) != value.shape:
                raise ValueError(f"Layer {name!r} of {path} (loaded into {target!r}): weight {variable.name} has "
                                 f"shape {tuple(variable.shape.as_list())}, but the saved weight has shape "
                                 f"{value.shape}.")
            pairs.append((variable, value))
    K.batch_set_value(pairs)


def _v1(depths: tuple, name: str):
    def stack_fn(x):
        x = stack1(x, 64, depths[0], stride1=1, name="conv2")
        x = stack1(x, 128, depths[1], name="conv3")
        x = stack1(x, 256, depths[2], name="conv4")
        return stack1(x, 512, depths[3], name="conv5")

    def build(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes: int = 1000, **kwargs):
        return ResNet(stack_fn, False, True, name.lower(), include_top, weights, input_tensor, input_shape,
                      pooling, classes, **kwargs)
    build.__name__ = build.__qualname__ = name
    build.__doc__ = f"{name}: ResNet with {'-'.join(map(str, depths))} bottleneck blocks per stage."
    return build


def _v2(depths: tuple, name: str):
    def stack_fn(x):
        x = stack2(x, 64, depths[0], name="conv2")
        x = stack2(x, 128, depths[1], name="conv3")
        x = stack2(x, 256, depths[2], name="conv4")
        return stack2(x, 512, depths[3], stride1=1, name="conv5")

    def build(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes: int = 1000, classifier_activation="softmax"):
        return ResNet(stack_fn, True, True, name.lower(), include_top, weights, input_tensor, input_shape,
                      pooling, classes, classifier_activation=classifier_activation)
    build.__name__ = build.__qualname__ = name
    build.__doc__ = f"{name}: pre-activation ResNet with {'-'.join(map(str, depths))} blocks per stage."
    return build


ResNet50 = _v1((3, 4, 6, 3), "ResNet50")
ResNet101 = _v1((3, 4, 23, 3), "ResNet101")
ResNet152 = _v1((3, 8, 36, 3), "ResNet152")
ResNet50V2 = _v2((3, 4, 6, 3), "ResNet50V2")
ResNet101V2 = _v2((3, 4, 23, 3), "ResNet101V2")
ResNet152V2 = _v2((3, 8, 36, 3), "ResNet152V2")


def preprocess_input(x, data_format=None):
    """Caffe mode: RGB -> BGR, ImageNet's channel means subtracted."""
    return _preprocess(x, data_format=data_format, mode="caffe")


def preprocess_input_v2(x, data_format=None):
    """ResNetV2's inputs: scaled to [-1, 1] ('tf' mode)."""
    return _preprocess(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    return _decode(preds, top=top)

