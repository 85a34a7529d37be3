"""tf.contrib.slim.nets.resnet_utils: the blocks ResNet v1 and v2 are stacked from (TF1's scopes and names).

A network is a list of `Block`s, each a scope, a unit function and one argument set per unit;
stack_blocks_dense opens '<block>/unit_<i>' scopes and, when an output_stride is asked for, turns the
remaining strides into atrous rates so the features stay dense.
"""

from __future__ import annotations

import collections

from ... import nn
from ...graph import GraphKeys
from ...tensor_ops import pad
from ...variables import variable_scope
from ..framework import add_arg_scope, arg_scope
from ..layer_utils import collect
from ..layers import batch_norm, conv2d, l2_regularizer, max_pool2d, variance_scaling_initializer


class Block(collections.namedtuple("Block", ["scope", "unit_fn", "args"])):
    """One ResNet block: its scope, the unit function, and per unit its arguments (a dict of depth,
    depth_bottleneck, stride, or a (depth, depth_bottleneck, stride) tuple)."""


def subsample(inputs, factor: int, scope=None):
    """`inputs` kept every `factor`-th row and column (a 1x1 max pool), or as they are when factor is 1."""
    if factor == 1:
        return inputs
    return max_pool2d(inputs, [1, 1], stride=factor, scope=scope)


def conv2d_same(inputs, num_outputs: int, kernel_size: int, stride: int, rate: int = 1, scope=None):
    """A strided conv whose output aligns with the input whatever its parity: explicit zero padding of the
    effective kernel, then a VALID conv (a stride-1 conv is plain SAME)."""
    if stride == 1:
        return conv2d(inputs, num_outputs, kernel_size, stride=1, rate=rate, padding="SAME", scope=scope)
    effective = kernel_size + (kernel_size - 1) * (rate - 1)
    before = (effective - 1) // 2
    after = effective - 1 - before
    inputs = pad(inputs, [[0, 0], [before, after], [before, after], [0, 0]])
    return conv2d(inputs, num_outputs, kernel_size, stride=stride, rate=rate, padding="VALID", scope=scope)


def _unit_args(unit) -> dict:
    if isinstance(unit, dict):
        return dict(unit)
    depth, depth_bottleneck, stride = unit
    return {"depth": depth, "depth_bottleneck": depth_bottleneck, "stride": stride}


@add_arg_scope
def stack_blocks_dense(net, blocks, output_stride=None, outputs_collections=None):
    """The blocks applied in order under '<block.scope>/unit_<i>'; once the product of the strides so far reaches
    `output_stride`, later units run with stride 1 and a growing atrous rate instead."""
    current_stride = 1
    rate = 1
    for block in blocks:
        with variable_scope(block.scope, "block", [net]) as sc:
            for i, unit in enumerate(block.args):
                if output_stride is not None and current_stride > output_stride:
                    raise ValueError("The target output_stride cannot be reached.")
                args = _unit_args(unit)
                with variable_scope(f"unit_{i + 1}", values=[net]):
                    if output_stride is not None and current_stride == output_stride:
                        unit_stride = args.pop("stride", 1)
                        net = block.unit_fn(net, rate=rate, stride=1, **args)
                        rate *= unit_stride
                    else:
                        net = block.unit_fn(net, rate=1, **args)
                        current_stride *= args.get("stride", 1)
            net = collect(outputs_collections, sc.name, net)
    if output_stride is not None and current_stride != output_stride:
        raise ValueError("The target output_stride cannot be reached.")
    return net


def resnet_arg_scope(is_training: bool = True, weight_decay: float = 0.0001, batch_norm_decay: float = 0.997,
                     batch_norm_epsilon: float = 1e-5, batch_norm_scale: bool = True):
    """The arg_scope the published ResNet checkpoints were trained under: conv2d with He initialization, L2 weight
    decay, ReLU and batch_norm (scaled, decay 0.997, epsilon 1e-5); SAME max pooling."""
    batch_norm_params = {"decay": batch_norm_decay, "epsilon": batch_norm_epsilon, "scale": batch_norm_scale,
                         "updates_collections": GraphKeys.UPDATE_OPS}
    # is_training reaches batch_norm through arg_scope only (not the conv's normalizer_params), so the networks'
    # own is_training argument, an inner arg_scope, decides when given (TF1's deprecation of this one)
    with arg_scope([conv2d], weights_regularizer=l2_regularizer(weight_decay),
                   weights_initializer=variance_scaling_initializer(), activation_fn=nn.relu,
                   normalizer_fn=batch_norm, normalizer_params=batch_norm_params):
        with arg_scope([batch_norm], is_training=is_training, **batch_norm_params):
            with arg_scope([max_pool2d], padding="SAME") as arg_sc:
                return arg_sc


def last_dimension(shape, min_rank: int = 1) -> int:
    """The known last dimension of `shape` of rank >= min_rank (contrib's utils.last_dimension)."""
    dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    if shape is None or dims is None:
        raise ValueError("dims of shape must be known but is None")
    if len(dims) < min_rank:
        raise ValueError(f"rank of shape must be at least {min_rank} not: {len(dims)}")
    if dims[-1] is None:
        raise ValueError(f"last dimension shape must be known but is None (shape {shape})")
    return int(dims[-1])


__all__ = ["Block", "conv2d_same", "last_dimension", "resnet_arg_scope", "stack_blocks_dense", "subsample"]
