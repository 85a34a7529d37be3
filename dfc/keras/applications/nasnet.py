"""tf.keras.applications.nasnet: NASNetMobile and NASNetLarge: cells found by architecture search (separable
convolutions and poolings combined pairwise), normal cells between reduction cells; channels_last only."""

from __future__ import annotations

import logging

from .. import backend as K
from .. import layers
from . import _common
from .imagenet_utils import correct_pad
from .imagenet_utils import decode_predictions as _decode
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["NASNetLarge", "NASNetMobile", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
_BN = {"momentum": 0.9997, "epsilon": 1e-3}


def _bn(x, name=None):
    return layers.BatchNormalization(axis=_common.channel_axis(-1), name=name, **_BN)(x)


def _separable_conv_block(ip, filters: int, kernel_size=(3, 3), strides=(1, 1), block_id=None):
    """relu, separable convolution (padded first when strided), batch norm; then again at stride 1."""
    with K.name_scope(f"separable_conv_block_{block_id}"):
        x = layers.Activation("relu")(ip)
        if strides == (2, 2):
            x = layers.ZeroPadding2D(padding=correct_pad(x, kernel_size), name=f"separable_conv_1_pad_{block_id}")(x)
        x = layers.SeparableConv2D(filters, kernel_size, strides=strides, name=f"separable_conv_1_{block_id}",
                                   padding="valid" if strides == (2, 2) else "same", use_bias=False,
                                   kernel_initializer="he_normal")(x)
        x = _bn(x, f"separable_conv_1_bn_{block_id}")
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, kernel_size, name=f"separable_conv_2_{block_id}", padding="same",
                                   use_bias=False, kernel_initializer="he_normal")(x)
        return _bn(x, f"separable_conv_2_bn_{block_id}")


def _adjust_block(p, ip, filters: int, block_id=None):
    """The previous cell's output `p` brought to `ip`'s size (two offset strided 1x1 paths) or width (1x1)."""
    channel_dim = _common.channel_axis(-1)
    img_dim = 2 if K.image_data_format() == "channels_first" else -2
    with K.name_scope("adjust_block"):
        if p is None:
            return ip
        if K.int_shape(p)[img_dim] != K.int_shape(ip)[img_dim]:
            with K.name_scope(f"adjust_reduction_block_{block_id}"):
                p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
                p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                             name=f"adjust_avg_pool_1_{block_id}")(p)
                p1 = layers.Conv2D(filters // 2, (1, 1), padding="same", use_bias=False,
                                   name=f"adjust_conv_1_{block_id}", kernel_initializer="he_normal")(p1)
                p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
                p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
                p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                             name=f"adjust_avg_pool_2_{block_id}")(p2)
                p2 = layers.Conv2D(filters // 2, (1, 1), padding="same", use_bias=False,
                                   name=f"adjust_conv_2_{block_id}", kernel_initializer="he_normal")(p2)
                p = layers.concatenate([p1, p2], axis=channel_dim)
                return _bn(p, f"adjust_bn_{block_id}")
        if K.int_shape(p)[channel_dim] != filters:
            with K.name_scope(f"adjust_projection_block_{block_id}"):
                p = layers.Activation("relu")(p)
                p = layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same",
                                  name=f"adjust_conv_projection_{block_id}", use_bias=False,
                                  kernel_initializer="he_normal")(p)
                return _bn(p, f"adjust_bn_{block_id}")
    return p


def _squeeze(ip, filters: int, kind: str, block_id):
    """relu, 1x1 convolution, batch norm: the cell's view of its input."""
    h = layers.Activation("relu")(ip)
    h = layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same", name=f"{kind}_conv_1_{block_id}",
                      use_bias=False, kernel_initializer="he_normal")(h)
    return _bn(h, f"{kind}_bn_1_{block_id}")


def _avg3(x, name: str, strides=(1, 1), padding: str = "same"):
    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding, name=name)(x)


def _normal_a_cell(ip, p, filters: int, block_id=None):
    with K.name_scope(f"normal_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = _squeeze(ip, filters, "normal", block_id)
        with K.name_scope("block_1"):
            x1 = layers.add([_separable_conv_block(h, filters, kernel_size=(5, 5), block_id=f"normal_left1_{block_id}"),
                             _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")],
                            name=f"normal_add_1_{block_id}")
        with K.name_scope("block_2"):
            x2 = layers.add([_separable_conv_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}"),
                             _separable_conv_block(p, filters, (3, 3), block_id=f"normal_right2_{block_id}")],
                            name=f"normal_add_2_{block_id}")
        with K.name_scope("block_3"):
            x3 = layers.add([_avg3(h, f"normal_left3_{block_id}"), p], name=f"normal_add_3_{block_id}")
        with K.name_scope("block_4"):
            x4 = layers.add([_avg3(p, f"normal_left4_{block_id}"), _avg3(p, f"normal_right4_{block_id}")],
                            name=f"normal_add_4_{block_id}")
        with K.name_scope("block_5"):
            x5 = layers.add([_separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}"), h],
                            name=f"normal_add_5_{block_id}")
        x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=_common.channel_axis(-1),
                               name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_a_cell(ip, p, filters: int, block_id=None):
    with K.name_scope(f"reduction_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = _squeeze(ip, filters, "reduction", block_id)
        h3 = layers.ZeroPadding2D(padding=correct_pad(h, 3), name=f"reduction_pad_1_{block_id}")(h)
        with K.name_scope("block_1"):
            x1 = layers.add([
                _separable_conv_block(h, filters, (5, 5), strides=(2, 2), block_id=f"reduction_left1_{block_id}"),
                _separable_conv_block(p, filters, (7, 7), strides=(2, 2), block_id=f"reduction_right1_{block_id}")],
                name=f"reduction_add_1_{block_id}")
        with K.name_scope("block_2"):
            x2 = layers.add([
                layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid", name=f"reduction_left2_{block_id}")(h3),
                _separable_conv_block(p, filters, (7, 7), strides=(2, 2), block_id=f"reduction_right2_{block_id}")],
                name=f"reduction_add_2_{block_id}")
        with K.name_scope("block_3"):
            x3 = layers.add([
                _avg3(h3, f"reduction_left3_{block_id}", strides=(2, 2), padding="valid"),
                _separable_conv_block(p, filters, (5, 5), strides=(2, 2), block_id=f"reduction_right3_{block_id}")],
                name=f"reduction_add3_{block_id}")
        with K.name_scope("block_4"):
            x4 = layers.add([x2, _avg3(x1, f"reduction_left4_{block_id}")])
        with K.name_scope("block_5"):
            x5 = layers.add([
                _separable_conv_block(x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}"),
                layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid", name=f"reduction_right5_{block_id}")(h3)],
                name=f"reduction_add4_{block_id}")
        x = layers.concatenate([x2, x3, x4, x5], axis=_common.channel_axis(-1), name=f"reduction_concat_{block_id}")
    return x, ip


def NASNet(input_shape=None, penultimate_filters: int = 4032, num_blocks: int = 6, stem_block_filters: int = 96,
           skip_reduction: bool = True, filter_multiplier: int = 2, include_top: bool = True, weights="imagenet",
           input_tensor=None, pooling=None, classes: int = 1000, default_size=None,
           classifier_activation="softmax"):
    """A NASNet-A: a strided stem, two reduction cells, then three stacks of `num_blocks` normal cells with a
    reduction cell between them."""
    _common.check_arguments(weights, include_top, classes)
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError("When specifying the input shape of a NASNet and loading `ImageNet` weights, the "
                         f"input_shape argument must be static (no None entries). Got: `input_shape={input_shape}`.")
    default_size = 331 if default_size is None else default_size
    old_data_format = None
    if K.image_data_format() != "channels_last":
        logging.warning("The NASNet family of models is only available for the input data format \"channels_last\" "
                        "(width, height, channels). The model being returned right now will expect inputs to follow "
                        "the \"channels_last\" data format.")
        K.set_image_data_format("channels_last")
        old_data_format = "channels_first"
    try:
        _, img_input = _common.image_input(input_tensor, input_shape, default_size, 32, include_top, weights)
        if penultimate_filters % (24 * filter_multiplier ** 2) != 0:
            raise ValueError("For NASNet-A models, the `penultimate_filters` must be a multiple of 24 * "
                             f"(`filter_multiplier` ** 2). Current value: {penultimate_filters}")
        filters = penultimate_filters // 24
        if weights == "imagenet" and default_size not in (224, 331):
            raise ValueError("ImageNet weights can only be loaded with NASNetLarge or NASNetMobile")
        size = "mobile" if default_size == 224 else "large"
        file = f"nasnet_{size}{'' if include_top else '_no_top'}.h5"
        path = _common.weights_path(weights, include_top, classifier_activation, file,
                                    BASE_WEIGHTS_PATH + f"NASNet-{size}{'' if include_top else '-no-top'}.h5")
        x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding="valid", use_bias=False,
                          name="stem_conv1", kernel_initializer="he_normal")(img_input)
        x = _bn(x, "stem_bn1")
        x, p = _reduction_a_cell(x, None, filters // filter_multiplier ** 2, block_id="stem_1")
        x, p = _reduction_a_cell(x, p, filters // filter_multiplier, block_id="stem_2")
        for stage in range(3):
            if stage:
                x, p0 = _reduction_a_cell(x, p, filters * filter_multiplier ** stage,
                                          block_id=f"reduce_{stage * num_blocks}")
                p = p if skip_reduction else p0
            for i in range(num_blocks):
                x, p = _normal_a_cell(x, p, filters * filter_multiplier ** stage,
                                      block_id=str(stage * num_blocks + i + 1 if stage else i))
        x = layers.Activation("relu")(x)
        x = _common.top(x, include_top, pooling, classes, classifier_activation, weights, top_pool=None)
        return _common.finish(input_tensor, img_input, x, "NASNet", path)
    finally:
        if old_data_format:
            K.set_image_data_format(old_data_format)


def NASNetMobile(input_shape=None, include_top: bool = True, weights="imagenet", input_tensor=None, pooling=None,
                 classes: int = 1000, classifier_activation="softmax"):
    """NASNet-A (4 @ 1056) for 224x224 inputs."""
    return NASNet(input_shape, penultimate_filters=1056, num_blocks=4, stem_block_filters=32, skip_reduction=False,
                  filter_multiplier=2, include_top=include_top, weights=weights, input_tensor=input_tensor,
                  pooling=pooling, classes=classes, default_size=224, classifier_activation=classifier_activation)


def NASNetLarge(input_shape=None, include_top: bool = True, weights="imagenet", input_tensor=None, pooling=None,
                classes: int = 1000, classifier_activation="softmax"):
    """NASNet-A (6 @ 4032) for 331x331 inputs."""
    return NASNet(input_shape, penultimate_filters=4032, num_blocks=6, stem_block_filters=96, skip_reduction=True,
                  filter_multiplier=2, include_top=include_top, weights=weights, input_tensor=input_tensor,
                  pooling=pooling, classes=classes, default_size=331, classifier_activation=classifier_activation)


def preprocess_input(x, data_format=None):
    """'tf' mode: pixels scaled to [-1, 1]."""
    return _preprocess(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    return _decode(preds, top=top)
