"""What ResNet v1 and v2 share: the block helper and the network body around the blocks (root, pooling, logits)."""

from __future__ import annotations

from ... import nn
from ...math_ops import reduce_mean
from ...variables import variable_scope
from ..framework import arg_scope
from ..layer_utils import convert_collection_to_dict
from ..layers import batch_norm, conv2d, softmax
from .resnet_utils import Block, stack_blocks_dense

#: resnet_v*_<depth>: (units in block1..block4) as the papers define them
DEPTHS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3), 200: (3, 24, 36, 3)}


def block(unit_fn, scope: str, base_depth: int, num_units: int, stride: int) -> Block:
    """`num_units` bottleneck units of depth 4*base_depth, the last one with `stride`."""
    unit = {"depth": base_depth * 4, "depth_bottleneck": base_depth}
    return Block(scope, unit_fn, [dict(unit, stride=1)] * (num_units - 1) + [dict(unit, stride=stride)])


def standard_blocks(unit_fn, depth: int) -> list[Block]:
    units = DEPTHS[depth]
    return [block(unit_fn, "block1", 64, units[0], 2), block(unit_fn, "block2", 128, units[1], 2),
            block(unit_fn, "block3", 256, units[2], 2), block(unit_fn, "block4", 512, units[3], 1)]


def network(inputs, blocks, num_classes, is_training, global_pool: bool, output_stride, include_root_block: bool,
            reuse, scope, default_scope: str, bottleneck, root, postnorm: bool):
    """The body of resnet_v1/resnet_v2: root conv+pool, the blocks, [postnorm], global pool, 1x1 'logits' conv and
    'predictions'; end_points keyed by the layers' scope names."""
    with variable_scope(scope, default_scope, [inputs], reuse=reuse) as sc:
        end_points_collection = sc.original_name_scope + "_end_points"
        with arg_scope([conv2d, bottleneck, stack_blocks_dense], outputs_collections=end_points_collection):
            with arg_scope([batch_norm], is_training=is_training) if is_training is not None else arg_scope([]):
                net = inputs
                if include_root_block:
                    if output_stride is not None:
                        if output_stride % 4 != 0:
                            raise ValueError("The output_stride needs to be a multiple of 4.")
                        output_stride //= 4
                    net = root(net)
                net = stack_blocks_dense(net, blocks, output_stride)
                if postnorm:  # v2's units end without normalization: the network does it once
                    net = batch_norm(net, activation_fn=nn.relu, scope="postnorm")
                if global_pool:
                    net = reduce_mean(net, [1, 2], name="pool5", keepdims=True)
                if num_classes:  # None (TF1's contrib) or 0 (research/slim's): the features
                    net = conv2d(net, num_classes, [1, 1], activation_fn=None, normalizer_fn=None, scope="logits")
                end_points = convert_collection_to_dict(end_points_collection)
                if num_classes:
                    end_points["predictions"] = softmax(net, scope="predictions")
                return net, end_points


def named_net(version: str, network_fn, unit_fn, depth: int):
    """resnet_{version}_{depth}: `network_fn` (resnet_v1 or resnet_v2) over the standard blocks of that depth,
    with TF1's signature and default scope."""
    name = f"resnet_{version}_{depth}"

    def net(inputs, num_classes=None, is_training=None, global_pool: bool = True, output_stride=None, reuse=None,
            scope=name):
        return network_fn(inputs, standard_blocks(unit_fn, depth), num_classes, is_training, global_pool,
                          output_stride, include_root_block=True, reuse=reuse, scope=scope)
    net.__name__ = net.__qualname__ = name
    net.__doc__ = f"ResNet-{depth} {version} (blocks of {DEPTHS[depth]} units); see resnet_{version}."
    net.default_image_size = 224
    return net
