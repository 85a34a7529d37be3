"""tf.contrib.slim.nets.resnet_v1: ResNet v1 (He et al. 2015; BN after each conv), with the scopes of the
published checkpoints ('resnet_v1_50/block1/unit_1/bottleneck_v1/conv1/weights', ...).

resnet_v1_50(images, num_classes=1000, is_training=False) under resnet_arg_scope() gives logits of shape
[batch, 1, 1, num_classes] and end_points keyed by scope names; num_classes=None gives the pooled features.
"""

from __future__ import annotations

from ... import nn
from ...math_ops import add
from ...variables import variable_scope
from ..framework import add_arg_scope
from ..layer_utils import collect
from ..layers import conv2d, max_pool2d
from . import _resnet_common
from .resnet_utils import conv2d_same, last_dimension, resnet_arg_scope, subsample

__all__ = ["bottleneck", "resnet_arg_scope", "resnet_v1", "resnet_v1_101", "resnet_v1_152", "resnet_v1_200",
           "resnet_v1_50", "resnet_v1_block"]


@add_arg_scope
def bottleneck(inputs, depth: int, depth_bottleneck: int, stride: int, rate: int = 1, outputs_collections=None,
               scope=None):
    """The bottleneck unit: 1x1 -> 3x3 (stride, atrous rate) -> 1x1 convs plus the shortcut (identity, subsampled,
    or a 1x1 projection when the depth changes), then ReLU."""
    with variable_scope(scope, "bottleneck_v1", [inputs]) as sc:
        depth_in = last_dimension(inputs.get_shape(), min_rank=4)
        if depth == depth_in:
            shortcut = subsample(inputs, stride, "shortcut")
        else:
            shortcut = conv2d(inputs, depth, [1, 1], stride=stride, activation_fn=None, scope="shortcut")
        residual = conv2d(inputs, depth_bottleneck, [1, 1], stride=1, scope="conv1")
        residual = conv2d_same(residual, depth_bottleneck, 3, stride, rate=rate, scope="conv2")
        residual = conv2d(residual, depth, [1, 1], stride=1, activation_fn=None, scope="conv3")
        output = nn.relu(add(shortcut, residual))
        return collect(outputs_collections, sc.name, output)


def _root(net):
    net = conv2d_same(net, 64, 7, stride=2, scope="conv1")
    return max_pool2d(net, [3, 3], stride=2, scope="pool1")


def resnet_v1(inputs, blocks, num_classes=None, is_training=None, global_pool: bool = True, output_stride=None,
              include_root_block: bool = True, reuse=None, scope=None):
    """The ResNet v1 network over `blocks`: (net, end_points). num_classes=None gives the last block's features
    (globally average-pooled when global_pool); is_training, when not None, sets batch_norm's through arg_scope;
    output_stride (a multiple of 4) keeps the features that dense with atrous convolution."""
    return _resnet_common.network(inputs, blocks, num_classes, is_training, global_pool, output_stride,
                                  include_root_block, reuse, scope, "resnet_v1", bottleneck, _root, False)


resnet_v1.default_image_size = 224


def resnet_v1_block(scope: str, base_depth: int, num_units: int, stride: int):
    """A Block of `num_units` bottleneck units of depth 4*base_depth; the last unit has `stride`."""
    return _resnet_common.block(bottleneck, scope, base_depth, num_units, stride)


def _named(depth: int):
    return _resnet_common.named_net("v1", resnet_v1, bottleneck, depth)


resnet_v1_50 = _named(50)
resnet_v1_101 = _named(101)
resnet_v1_152 = _named(152)
resnet_v1_200 = _named(200)
