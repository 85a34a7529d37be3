"""tf.contrib.slim.nets.inception_v3: Inception v3 (Szegedy et al. 2015) with its auxiliary head, named as the
published 'InceptionV3/...' checkpoint, down to its quirks ('Mixed_5c/Branch_1/Conv_1_0c_5x5',
'Mixed_6a/Branch_0/Conv2d_1a_1x1' for a 3x3 conv)."""

from __future__ import annotations

from ...array_ops import concat, squeeze
from ...variables import variable_scope
from ..framework import arg_scope
from ..layers import avg_pool2d, batch_norm, conv2d, dropout, max_pool2d, softmax
from .inception_utils import check_endpoint, inception_arg_scope, mixed, trunc_normal
from .inception_v2 import reduced_kernel_size_for_small_input

__all__ = ["inception_v3", "inception_v3_arg_scope", "inception_v3_base"]

_STEM = [("Conv2d_1a_3x3", 32, 3, 2, "VALID"), ("Conv2d_2a_3x3", 32, 3, 1, "VALID"),
         ("Conv2d_2b_3x3", 64, 3, 1, "SAME"), ("MaxPool_3a_3x3", None, 3, 2, "VALID"),
         ("Conv2d_3b_1x1", 80, 1, 1, "VALID"), ("Conv2d_4a_3x3", 192, 3, 1, "VALID"),
         ("MaxPool_5a_3x3", None, 3, 2, "VALID")]
_ENDPOINTS = [name for name, *_ in _STEM] + ["Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b",
                                              "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b",
                                              "Mixed_7c"]
#: 35x35 modules: (pool projection depth, Branch_1's scope names)
_MIXED_5 = {"Mixed_5b": (32, ("Conv2d_0a_1x1", "Conv2d_0b_5x5")), "Mixed_5c": (64, ("Conv2d_0b_1x1", "Conv_1_0c_5x5")),
            "Mixed_5d": (64, ("Conv2d_0a_1x1", "Conv2d_0b_5x5"))}
#: 17x17 modules: the depth of their factorized 7x7 convs
_MIXED_6 = {"Mixed_6b": 128, "Mixed_6c": 160, "Mixed_6d": 160, "Mixed_6e": 192}


def _conv(depth: int, kernel, scope: str, **kwargs):
    return lambda x: conv2d(x, depth, kernel, scope=scope, **kwargs)


def _chain(*layers):
    def apply(x):
        for layer in layers:
            x = layer(x)
        return x
    return apply


def _split(x, first, second):
    """Two convs of `x` side by side (the 1x3 and 3x1 halves of Mixed_7's expanded branches)."""
    return concat([first(x), second(x)], 3)


def _module(net, name: str, depth):
    pool_depth = 192
    if name in _MIXED_5:
        pool_depth, (b1a, b1b) = _MIXED_5[name]
        branches = [_conv(depth(64), [1, 1], "Conv2d_0a_1x1"),
                    _chain(_conv(depth(48), [1, 1], b1a), _conv(depth(64), [5, 5], b1b)),
                    _chain(_conv(depth(64), [1, 1], "Conv2d_0a_1x1"), _conv(depth(96), [3, 3], "Conv2d_0b_3x3"),
                           _conv(depth(96), [3, 3], "Conv2d_0c_3x3"))]
    elif name == "Mixed_6a":
        return mixed(net, name, [
            _conv(depth(384), [3, 3], "Conv2d_1a_1x1", stride=2, padding="VALID"),
            _chain(_conv(depth(64), [1, 1], "Conv2d_0a_1x1"), _conv(depth(96), [3, 3], "Conv2d_0b_3x3"),
                   _conv(depth(96), [3, 3], "Conv2d_1a_1x1", stride=2, padding="VALID")),
            lambda x: max_pool2d(x, [3, 3], stride=2, padding="VALID", scope="MaxPool_1a_3x3")])
    elif name in _MIXED_6:
        c7 = depth(_MIXED_6[name])
        branches = [_conv(depth(192), [1, 1], "Conv2d_0a_1x1"),
                    _chain(_conv(c7, [1, 1], "Conv2d_0a_1x1"), _conv(c7, [1, 7], "Conv2d_0b_1x7"),
                           _conv(depth(192), [7, 1], "Conv2d_0c_7x1")),
                    _chain(_conv(c7, [1, 1], "Conv2d_0a_1x1"), _conv(c7, [7, 1], "Conv2d_0b_7x1"),
                           _conv(c7, [1, 7], "Conv2d_0c_1x7"), _conv(c7, [7, 1], "Conv2d_0d_7x1"),
                           _conv(depth(192), [1, 7], "Conv2d_0e_1x7"))]
    elif name == "Mixed_7a":
        return mixed(net, name, [
            _chain(_conv(depth(192), [1, 1], "Conv2d_0a_1x1"),
                   _conv(depth(320), [3, 3], "Conv2d_1a_3x3", stride=2, padding="VALID")),
            _chain(_conv(depth(192), [1, 1], "Conv2d_0a_1x1"), _conv(depth(192), [1, 7], "Conv2d_0b_1x7"),
                   _conv(depth(192), [7, 1], "Conv2d_0c_7x1"),
                   _conv(depth(192), [3, 3], "Conv2d_1a_3x3", stride=2, padding="VALID")),
            lambda x: max_pool2d(x, [3, 3], stride=2, padding="VALID", scope="MaxPool_1a_3x3")])
    else:  # Mixed_7b, Mixed_7c: expanded filter banks
        second = "Conv2d_0b_3x1" if name == "Mixed_7b" else "Conv2d_0c_3x1"
        branches = [_conv(depth(320), [1, 1], "Conv2d_0a_1x1"),
                    _chain(_conv(depth(384), [1, 1], "Conv2d_0a_1x1"),
                           lambda x: _split(x, _conv(depth(384), [1, 3], "Conv2d_0b_1x3"),
                                            _conv(depth(384), [3, 1], second))),
                    _chain(_conv(depth(448), [1, 1], "Conv2d_0a_1x1"), _conv(depth(384), [3, 3], "Conv2d_0b_3x3"),
                           lambda x: _split(x, _conv(depth(384), [1, 3], "Conv2d_0c_1x3"),
                                            _conv(depth(384), [3, 1], "Conv2d_0d_3x1")))]
    branches.append(lambda x: conv2d(avg_pool2d(x, [3, 3], scope="AvgPool_0a_3x3"), depth(pool_depth), [1, 1],
                                     scope="Conv2d_0b_1x1"))
    return mixed(net, name, branches)


def _depth_fn(min_depth: int, depth_multiplier: float):
    if depth_multiplier <= 0:
        raise ValueError("depth_multiplier is not greater than zero.")
    return lambda d: max(int(d * depth_multiplier), min_depth)


def inception_v3_base(inputs, final_endpoint: str = "Mixed_7c", min_depth: int = 16, depth_multiplier: float = 1.0,
                      scope=None):
    """The convolutional body up to `final_endpoint` (Conv2d_1a_3x3 ... Mixed_7c): (net, end_points)."""
    check_endpoint(final_endpoint, _ENDPOINTS)
    depth = _depth_fn(min_depth, depth_multiplier)
    end_points = {}
    with variable_scope(scope, "InceptionV3", [inputs]):
        net = inputs
        with arg_scope([conv2d, max_pool2d, avg_pool2d], stride=1, padding="VALID"):
            for name, channels, size, stride, padding in _STEM:
                if channels is None:
                    net = max_pool2d(net, [size, size], stride=stride, scope=name)
                else:
                    net = conv2d(net, depth(channels), [size, size], stride=stride, padding=padding, scope=name)
                end_points[name] = net
                if name == final_endpoint:
                    return net, end_points
        with arg_scope([conv2d, max_pool2d, avg_pool2d], stride=1, padding="SAME"):
            for name in _ENDPOINTS[len(_STEM):]:
                net = _module(net, name, depth)
                end_points[name] = net
                if name == final_endpoint:
                    return net, end_points
    raise ValueError(f"Unknown final endpoint {final_endpoint}")


def _aux_logits(net, num_classes: int, depth, spatial_squeeze: bool):
    """The auxiliary classifier on Mixed_6e (scope 'AuxLogits')."""
    with arg_scope([conv2d, max_pool2d, avg_pool2d], stride=1, padding="SAME"), variable_scope("AuxLogits"):
        aux = avg_pool2d(net, [5, 5], stride=3, padding="VALID", scope="AvgPool_1a_5x5")
        aux = conv2d(aux, depth(128), [1, 1], scope="Conv2d_1b_1x1")
        kernel_size = reduced_kernel_size_for_small_input(aux, [5, 5])
        aux = conv2d(aux, depth(768), kernel_size, weights_initializer=trunc_normal(0.01), padding="VALID",
                     scope="Conv2d_2a_{}x{}".format(*kernel_size))
        aux = conv2d(aux, num_classes, [1, 1], activation_fn=None, normalizer_fn=None,
                     weights_initializer=trunc_normal(0.001), scope="Conv2d_2b_1x1")
        return squeeze(aux, [1, 2], name="SpatialSqueeze") if spatial_squeeze else aux


def inception_v3(inputs, num_classes: int = 1000, is_training=True, dropout_keep_prob: float = 0.8,
                 min_depth: int = 16, depth_multiplier: float = 1.0, prediction_fn=softmax,
                 spatial_squeeze: bool = True, reuse=None, scope="InceptionV3"):
    """Inception V3 for classification (299x299 inputs): (logits, end_points) with 'AuxLogits' from Mixed_6e,
    'PreLogits', 'Logits' and 'Predictions'."""
    depth = _depth_fn(min_depth, depth_multiplier)
    with variable_scope(scope, "InceptionV3", [inputs, num_classes], reuse=reuse) as sc:
        with arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = inception_v3_base(inputs, scope=sc, min_depth=min_depth,
                                                depth_multiplier=depth_multiplier)
            if num_classes:  # research/slim's extension: no head (nor its variables) for the features alone
                end_points["AuxLogits"] = _aux_logits(end_points["Mixed_6e"], num_classes, depth, spatial_squeeze)
            with variable_scope("Logits"):
                kernel_size = reduced_kernel_size_for_small_input(net, [8, 8])
                net = avg_pool2d(net, kernel_size, padding="VALID", scope="AvgPool_1a_{}x{}".format(*kernel_size))
                if not num_classes:  # research/slim's extension: the pooled features, for transfer learning
                    return net, end_points
                net = dropout(net, keep_prob=dropout_keep_prob, scope="Dropout_1b")
                end_points["PreLogits"] = net
                logits = conv2d(net, num_classes, [1, 1], activation_fn=None, normalizer_fn=None,
                                scope="Conv2d_1c_1x1")
                if spatial_squeeze:
                    logits = squeeze(logits, [1, 2], name="SpatialSqueeze")
            end_points["Logits"] = logits
            end_points["Predictions"] = prediction_fn(logits, scope="Predictions")
    return logits, end_points


inception_v3.default_image_size = 299


def inception_v3_arg_scope(weight_decay: float = 0.00004, batch_norm_var_collection: str = "moving_vars",
                           use_fused_batchnorm: bool = True):
    """The published checkpoint's scope (as inception_v1_arg_scope, with `fused` passed to batch_norm)."""
    return inception_arg_scope(weight_decay, True, batch_norm_var_collection=batch_norm_var_collection,
                               use_fused_batchnorm=use_fused_batchnorm)
