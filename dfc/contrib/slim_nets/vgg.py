"""tf.contrib.slim.nets.vgg: VGG A/16/19 (Simonyan & Zisserman 2014) with the published checkpoints' names.

The fully connected layers are convolutions ('fc6' 7x7 VALID, 'fc7' and 'fc8' 1x1), so variables are
'vgg_16/conv1/conv1_1/weights' ... 'vgg_16/fc8/biases' and larger inputs give a map of class scores.
"""

from __future__ import annotations

from ... import nn
from ...array_ops import squeeze
from ...init_ops import zeros_initializer
from ...variables import variable_scope
from ..framework import arg_scope
from ..layer_utils import convert_collection_to_dict
from ..layers import conv2d, dropout, fully_connected, l2_regularizer, max_pool2d, repeat

__all__ = ["vgg_a", "vgg_arg_scope", "vgg_16", "vgg_19", "vgg_d", "vgg_e"]

#: convs per stage (64, 128, 256, 512, 512 channels) of each configuration
_STAGES = {"vgg_a": (1, 1, 2, 2, 2), "vgg_16": (2, 2, 3, 3, 3), "vgg_19": (2, 2, 4, 4, 4)}


def vgg_arg_scope(weight_decay: float = 0.0005):
    """ReLU, L2 weight decay and zero biases for conv2d and fully_connected; SAME padding for conv2d."""
    with arg_scope([conv2d, fully_connected], activation_fn=nn.relu,
                   weights_regularizer=l2_regularizer(weight_decay), biases_initializer=zeros_initializer()):
        with arg_scope([conv2d], padding="SAME") as arg_sc:
            return arg_sc


def _vgg(kind: str, inputs, num_classes: int, is_training, dropout_keep_prob: float, spatial_squeeze: bool, scope,
         collected: list):
    with variable_scope(scope, kind, [inputs]) as sc:
        # vgg_19 keys its collection by the scope's name, the others by its name scope (as TF1 does)
        end_points_collection = (sc.name if kind == "vgg_19" else sc.original_name_scope) + "_end_points"
        with arg_scope(collected, outputs_collections=end_points_collection):
            net = inputs
            for stage, (convs, depth) in enumerate(zip(_STAGES[kind], (64, 128, 256, 512, 512)), start=1):
                net = repeat(net, convs, conv2d, depth, [3, 3], scope=f"conv{stage}")
                net = max_pool2d(net, [2, 2], scope=f"pool{stage}")
            net = conv2d(net, 4096, [7, 7], padding="VALID", scope="fc6")
            net = dropout(net, dropout_keep_prob, is_training=is_training, scope="dropout6")
            net = conv2d(net, 4096, [1, 1], scope="fc7")
            if not num_classes:  # research/slim's extension: fc7's features, for transfer learning
                return net, convert_collection_to_dict(end_points_collection)
            net = dropout(net, dropout_keep_prob, is_training=is_training, scope="dropout7")
            net = conv2d(net, num_classes, [1, 1], activation_fn=None, normalizer_fn=None, scope="fc8")
            end_points = convert_collection_to_dict(end_points_collection)
            if spatial_squeeze:
                net = squeeze(net, [1, 2], name="fc8/squeezed")
                end_points[sc.name + "/fc8"] = net
            return net, end_points


def vgg_a(inputs, num_classes: int = 1000, is_training=True, dropout_keep_prob: float = 0.5,
          spatial_squeeze: bool = True, scope: str = "vgg_a"):
    """VGG 11 layers (configuration A): (logits, end_points); logits [batch, num_classes] for 224x224 inputs
    when spatial_squeeze, else [batch, h, w, num_classes]."""
    return _vgg("vgg_a", inputs, num_classes, is_training, dropout_keep_prob, spatial_squeeze, scope,
                [conv2d, max_pool2d])


def vgg_16(inputs, num_classes: int = 1000, is_training=True, dropout_keep_prob: float = 0.5,
           spatial_squeeze: bool = True, scope: str = "vgg_16"):
    """VGG 16 layers (configuration D); see vgg_a."""
    return _vgg("vgg_16", inputs, num_classes, is_training, dropout_keep_prob, spatial_squeeze, scope,
                [conv2d, fully_connected, max_pool2d])


def vgg_19(inputs, num_classes: int = 1000, is_training=True, dropout_keep_prob: float = 0.5,
           spatial_squeeze: bool = True, scope: str = "vgg_19"):
    """VGG 19 layers (configuration E); see vgg_a."""
    return _vgg("vgg_19", inputs, num_classes, is_training, dropout_keep_prob, spatial_squeeze, scope,
                [conv2d, fully_connected, max_pool2d])


vgg_a.default_image_size = vgg_16.default_image_size = vgg_19.default_image_size = 224
vgg_d = vgg_16
vgg_e = vgg_19
