"""tf.contrib.slim.nets.resnet_v2: ResNet v2 (He et al. 2016, pre-activation units), with the scopes of the
published checkpoints ('resnet_v2_50/block1/unit_1/bottleneck_v2/preact/gamma', ..., 'resnet_v2_50/postnorm/beta').
"""

from __future__ import annotations

from ... import nn
from ...math_ops import add
from ...variables import variable_scope
from ..framework import add_arg_scope, arg_scope
from ..layer_utils import collect
from ..layers import batch_norm, conv2d, max_pool2d
from . import _resnet_common
from .resnet_utils import conv2d_same, last_dimension, resnet_arg_scope, subsample

__all__ = ["bottleneck", "resnet_arg_scope", "resnet_v2", "resnet_v2_101", "resnet_v2_152", "resnet_v2_200",
           "resnet_v2_50", "resnet_v2_block"]


@add_arg_scope
def bottleneck(inputs, depth: int, depth_bottleneck: int, stride: int, rate: int = 1, outputs_collections=None,
               scope=None):
    """The pre-activation bottleneck unit: BN+ReLU ('preact'), then 1x1 -> 3x3 -> 1x1 convs (the last without
    BN or ReLU) plus the shortcut (identity, subsampled, or a 1x1 projection of the preactivation)."""
    with variable_scope(scope, "bottleneck_v2", [inputs]) as sc:
        depth_in = last_dimension(inputs.get_shape(), min_rank=4)
        preact = batch_norm(inputs, activation_fn=nn.relu, scope="preact")
        if depth == depth_in:
            shortcut = subsample(inputs, stride, "shortcut")
        else:
            shortcut = conv2d(preact, depth, [1, 1], stride=stride, normalizer_fn=None, activation_fn=None,
                              scope="shortcut")
        residual = conv2d(preact, depth_bottleneck, [1, 1], stride=1, scope="conv1")
        residual = conv2d_same(residual, depth_bottleneck, 3, stride, rate=rate, scope="conv2")
        residual = conv2d(residual, depth, [1, 1], stride=1, normalizer_fn=None, activation_fn=None, scope="conv3")
        output = add(shortcut, residual)
        return collect(outputs_collections, sc.name, output)


def _root(net):
    # conv1 has no BN or ReLU: the first unit's preact normalizes it (the paper's appendix)
    with arg_scope([conv2d], activation_fn=None, normalizer_fn=None):
        net = conv2d_same(net, 64, 7, stride=2, scope="conv1")
    return max_pool2d(net, [3, 3], stride=2, scope="pool1")


def resnet_v2(inputs, blocks, num_classes=None, is_training=None, global_pool: bool = True, output_stride=None,
              include_root_block: bool = True, reuse=None, scope=None):
    """The ResNet v2 network over `blocks`: (net, end_points). num_classes=None gives the last block's features
    (globally average-pooled when global_pool); is_training, when not None, sets batch_norm's through arg_scope;
    output_stride (a multiple of 4) keeps the features that dense with atrous convolution."""
    return _resnet_common.network(inputs, blocks, num_classes, is_training, global_pool, output_stride,
                                  include_root_block, reuse, scope, "resnet_v2", bottleneck, _root, True)


resnet_v2.default_image_size = 224


def resnet_v2_block(scope: str, base_depth: int, num_units: int, stride: int):
    """A Block of `num_units` bottleneck units of depth 4*base_depth; the last unit has `stride`."""
    return _resnet_common.block(bottleneck, scope, base_depth, num_units, stride)


def _named(depth: int):
    return _resnet_common.named_net("v2", resnet_v2, bottleneck, depth)


resnet_v2_50 = _named(50)


def resnet_v2_101(inputs, num_classes=None, global_pool: bool = True, is_training=None, output_stride=None,
                  reuse=None, scope="resnet_v2_101"):
    """ResNet-101 v2 (blocks of (3, 4, 23, 3) units); see resnet_v2. TF1 takes global_pool before is_training
    here, unlike its siblings."""
    return resnet_v2(inputs, _resnet_common.standard_blocks(bottleneck, 101), num_classes, is_training, global_pool,
                     output_stride, include_root_block=True, reuse=reuse, scope=scope)


resnet_v2_101.default_image_size = 224
resnet_v2_152 = _named(152)
resnet_v2_200 = _named(200)
