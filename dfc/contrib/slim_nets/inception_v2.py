"""tf.contrib.slim.nets.inception_v2: Inception with batch normalization (Ioffe & Szegedy 2015), named as the
published 'InceptionV2/...' checkpoint; depth_multiplier thins every conv (not below min_depth)."""

from __future__ import annotations

from ...array_ops import squeeze
from ...variables import variable_scope
from ..framework import arg_scope
from ..layers import avg_pool2d, batch_norm, conv2d, dropout, max_pool2d, separable_conv2d, softmax
from .inception_utils import check_endpoint, inception_arg_scope, mixed, trunc_normal

__all__ = ["inception_v2", "inception_v2_arg_scope", "inception_v2_base"]

#: module: (1x1, 3x3 reduce, 3x3, double-3x3 reduce, double 3x3, pool kind, pool projection)
_MODULES = {
    "Mixed_3b": (64, 64, 64, 64, 96, "Avg", 32), "Mixed_3c": (64, 64, 96, 64, 96, "Avg", 64),
    "Mixed_4b": (224, 64, 96, 96, 128, "Avg", 128), "Mixed_4c": (192, 96, 128, 96, 128, "Avg", 128),
    "Mixed_4d": (160, 128, 160, 128, 160, "Avg", 96), "Mixed_4e": (96, 128, 192, 160, 192, "Avg", 96),
    "Mixed_5b": (352, 192, 320, 160, 224, "Avg", 128), "Mixed_5c": (352, 192, 320, 192, 224, "Max", 128)}
#: grid reductions: (reduce, strided 3x3, double-3x3 reduce, double 3x3)
_REDUCTIONS = {"Mixed_4a": (128, 160, 64, 96), "Mixed_5a": (128, 192, 192, 256)}
_ENDPOINTS = ["Conv2d_1a_7x7", "MaxPool_2a_3x3", "Conv2d_2b_1x1", "Conv2d_2c_3x3", "MaxPool_3a_3x3", "Mixed_3b",
              "Mixed_3c", "Mixed_4a", "Mixed_4b", "Mixed_4c", "Mixed_4d", "Mixed_4e", "Mixed_5a", "Mixed_5b",
              "Mixed_5c"]


def _reduce(x, depth: int):
    return conv2d(x, depth, [1, 1], weights_initializer=trunc_normal(0.09), scope="Conv2d_0a_1x1")


def _module(net, name: str, depth):
    d0, d1a, d1b, d2a, d2b, pool, d3 = _MODULES[name]
    pool_fn = avg_pool2d if pool == "Avg" else max_pool2d

    def double(x):
        x = conv2d(_reduce(x, depth(d2a)), depth(d2b), [3, 3], scope="Conv2d_0b_3x3")
        return conv2d(x, depth(d2b), [3, 3], scope="Conv2d_0c_3x3")
    return mixed(net, name, [
        lambda x: conv2d(x, depth(d0), [1, 1], scope="Conv2d_0a_1x1"),
        lambda x: conv2d(_reduce(x, depth(d1a)), depth(d1b), [3, 3], scope="Conv2d_0b_3x3"),
        double,
        lambda x: conv2d(pool_fn(x, [3, 3], scope=f"{pool}Pool_0a_3x3"), depth(d3), [1, 1],
                         weights_initializer=trunc_normal(0.1), scope="Conv2d_0b_1x1")])


def _reduction(net, name: str, depth):
    d0a, d0b, d1a, d1b = _REDUCTIONS[name]

    def double(x):
        x = conv2d(_reduce(x, depth(d1a)), depth(d1b), [3, 3], scope="Conv2d_0b_3x3")
        return conv2d(x, depth(d1b), [3, 3], stride=2, scope="Conv2d_1a_3x3")
    return mixed(net, name, [
        lambda x: conv2d(_reduce(x, depth(d0a)), depth(d0b), [3, 3], stride=2, scope="Conv2d_1a_3x3"),
        double,
        lambda x: max_pool2d(x, [3, 3], stride=2, scope="MaxPool_1a_3x3")])


def inception_v2_base(inputs, final_endpoint: str = "Mixed_5c", min_depth: int = 16,
                      depth_multiplier: float = 1.0, scope=None):
    """The convolutional body up to `final_endpoint` (Conv2d_1a_7x7 ... Mixed_5c): (net, end_points)."""
    check_endpoint(final_endpoint, _ENDPOINTS)
    if depth_multiplier <= 0:
        raise ValueError("depth_multiplier is not greater than zero.")

    def depth(d: int) -> int:
        return max(int(d * depth_multiplier), min_depth)
    end_points = {}
    with variable_scope(scope, "InceptionV2", [inputs]):
        with arg_scope([conv2d, max_pool2d, avg_pool2d, separable_conv2d], stride=1, padding="SAME"):
            # a separable stem: its depthwise multiplier keeps in_channels * multiplier <= out_channels
            stem = {
                "Conv2d_1a_7x7": lambda x: separable_conv2d(
                    x, depth(64), [7, 7], depth_multiplier=min(int(depth(64) / 3), 8), stride=2,
                    weights_initializer=trunc_normal(1.0), scope="Conv2d_1a_7x7"),
                "MaxPool_2a_3x3": lambda x: max_pool2d(x, [3, 3], stride=2, scope="MaxPool_2a_3x3"),
                "Conv2d_2b_1x1": lambda x: conv2d(x, depth(64), [1, 1], weights_initializer=trunc_normal(0.1),
                                                  scope="Conv2d_2b_1x1"),
                "Conv2d_2c_3x3": lambda x: conv2d(x, depth(192), [3, 3], scope="Conv2d_2c_3x3"),
                "MaxPool_3a_3x3": lambda x: max_pool2d(x, [3, 3], stride=2, scope="MaxPool_3a_3x3")}
            net = inputs
            for end_point in _ENDPOINTS:
                if end_point in stem:
                    net = stem[end_point](net)
                elif end_point in _REDUCTIONS:
                    net = _reduction(net, end_point, depth)
                else:
                    net = _module(net, end_point, depth)
                end_points[end_point] = net
                if end_point == final_endpoint:
                    return net, end_points
    raise ValueError(f"Unknown final endpoint {final_endpoint}")


def reduced_kernel_size_for_small_input(input_tensor, kernel_size):
    """`kernel_size` capped by the input's known height and width (unknown ones leave it as it is)."""
    shape = input_tensor.get_shape().as_list()
    if shape[1] is None or shape[2] is None:
        return kernel_size
    return [min(shape[1], kernel_size[0]), min(shape[2], kernel_size[1])]


def inception_v2(inputs, num_classes: int = 1000, is_training=True, dropout_keep_prob: float = 0.8,
                 min_depth: int = 16, depth_multiplier: float = 1.0, prediction_fn=softmax,
                 spatial_squeeze: bool = True, reuse=None, scope="InceptionV2"):
    """Inception V2 for classification: (logits, end_points), logits [batch, num_classes] when spatial_squeeze."""
    if depth_multiplier <= 0:
        raise ValueError("depth_multiplier is not greater than zero.")
    with variable_scope(scope, "InceptionV2", [inputs, num_classes], reuse=reuse) as sc:
        with arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = inception_v2_base(inputs, scope=sc, min_depth=min_depth,
                                                depth_multiplier=depth_multiplier)
            with variable_scope("Logits"):
                kernel_size = reduced_kernel_size_for_small_input(net, [7, 7])
                net = avg_pool2d(net, kernel_size, padding="VALID", scope="AvgPool_1a_{}x{}".format(*kernel_size))
                if not num_classes:  # research/slim's extension: the pooled features, for transfer learning
                    return net, end_points
                net = dropout(net, keep_prob=dropout_keep_prob, scope="Dropout_1b")
                logits = conv2d(net, num_classes, [1, 1], activation_fn=None, normalizer_fn=None,
                                scope="Conv2d_1c_1x1")
                if spatial_squeeze:
                    logits = squeeze(logits, [1, 2], name="SpatialSqueeze")
            end_points["Logits"] = logits
            end_points["Predictions"] = prediction_fn(logits, scope="Predictions")
    return logits, end_points


inception_v2.default_image_size = 224


def inception_v2_arg_scope(weight_decay: float = 0.00004, batch_norm_var_collection: str = "moving_vars"):
    """The published checkpoint's scope (as inception_v1_arg_scope, batch norm always on)."""
    return inception_arg_scope(weight_decay, True, batch_norm_var_collection=batch_norm_var_collection)
