"""tf.contrib.slim.nets.alexnet: AlexNet v2 (Krizhevsky 2014, 'one weird trick'; no LRN), its fully connected
layers as convolutions: 'alexnet_v2/conv1/weights' ... 'alexnet_v2/fc8/biases'."""

from __future__ import annotations

from ... import nn
from ...array_ops import squeeze
from ...init_ops import constant_initializer, zeros_initializer
from ...variables import variable_scope
from ..framework import arg_scope
from ..layer_utils import convert_collection_to_dict
from ..layers import conv2d, dropout, fully_connected, l2_regularizer, max_pool2d
from .inception_utils import trunc_normal

__all__ = ["alexnet_v2", "alexnet_v2_arg_scope"]


def alexnet_v2_arg_scope(weight_decay: float = 0.0005):
    """ReLU, biases initialized to 0.1 and L2 weight decay on conv2d and fully_connected; SAME convs, VALID pools."""
    return classic_arg_scope(weight_decay)


def classic_arg_scope(weight_decay: float):
    with arg_scope([conv2d, fully_connected], activation_fn=nn.relu, biases_initializer=constant_initializer(0.1),
                   weights_regularizer=l2_regularizer(weight_decay)):
        with arg_scope([conv2d], padding="SAME"):
            with arg_scope([max_pool2d], padding="VALID") as arg_sc:
                return arg_sc


def classic_net(inputs, default_scope: str, scope, features, fc6, is_training, dropout_keep_prob: float,
                num_classes: int, spatial_squeeze: bool):
    """AlexNet/OverFeat: `features` (the conv and pool stack), then fc6 (kernel `fc6` = (depth, size), VALID),
    fc7 and fc8 as convolutions with dropout between; end_points keyed by the layers' scope names."""
    with variable_scope(scope, default_scope, [inputs]) as sc:
        end_points_collection = sc.original_name_scope + "_end_points"
        with arg_scope([conv2d, fully_connected, max_pool2d], outputs_collections=[end_points_collection]):
            net = features(inputs)
            with arg_scope([conv2d], weights_initializer=trunc_normal(0.005),
                           biases_initializer=constant_initializer(0.1)):
                net = conv2d(net, fc6[0], [fc6[1], fc6[1]], padding="VALID", scope="fc6")
                net = dropout(net, dropout_keep_prob, is_training=is_training, scope="dropout6")
                net = conv2d(net, 4096, [1, 1], scope="fc7")
                if not num_classes:  # research/slim's extension: fc7's features, for transfer learning
                    return net, convert_collection_to_dict(end_points_collection)
                net = dropout(net, dropout_keep_prob, is_training=is_training, scope="dropout7")
                net = conv2d(net, num_classes, [1, 1], activation_fn=None, normalizer_fn=None,
                             biases_initializer=zeros_initializer(), scope="fc8")
            end_points = convert_collection_to_dict(end_points_collection)
            if spatial_squeeze:
                net = squeeze(net, [1, 2], name="fc8/squeezed")
                end_points[sc.name + "/fc8"] = net
            return net, end_points


def _alexnet_features(net):
    net = conv2d(net, 64, [11, 11], 4, padding="VALID", scope="conv1")
    net = max_pool2d(net, [3, 3], 2, scope="pool1")
    net = conv2d(net, 192, [5, 5], scope="conv2")
    net = max_pool2d(net, [3, 3], 2, scope="pool2")
    net = conv2d(net, 384, [3, 3], scope="conv3")
    net = conv2d(net, 384, [3, 3], scope="conv4")
    net = conv2d(net, 256, [3, 3], scope="conv5")
    return max_pool2d(net, [3, 3], 2, scope="pool5")


def alexnet_v2(inputs, num_classes: int = 1000, is_training=True, dropout_keep_prob: float = 0.5,
               spatial_squeeze: bool = True, scope: str = "alexnet_v2"):
    """AlexNet v2: (logits, end_points); logits [batch, num_classes] for 224x224 inputs when spatial_squeeze."""
    return classic_net(inputs, "alexnet_v2", scope, _alexnet_features, (4096, 5), is_training, dropout_keep_prob,
                       num_classes, spatial_squeeze)


alexnet_v2.default_image_size = 224
