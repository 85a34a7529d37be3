"""tf.contrib.slim.nets.inception_v1: GoogLeNet (Szegedy et al. 2014) with batch norm, as the published
'InceptionV1/...' checkpoint names it ('InceptionV1/Mixed_3b/Branch_1/Conv2d_0b_3x3/weights', ...)."""

from __future__ import annotations

from ...array_ops import squeeze
from ...variables import variable_scope
from ..framework import arg_scope
from ..layers import avg_pool2d, batch_norm, conv2d, dropout, fully_connected, max_pool2d, softmax
from .inception_utils import check_endpoint, inception_arg_scope, mixed, trunc_normal

__all__ = ["inception_v1", "inception_v1_arg_scope", "inception_v1_base"]

#: module: (1x1, 3x3 reduce, 3x3, second reduce, its 3x3, pool projection) output depths
_MODULES = {
    "Mixed_3b": (64, 96, 128, 16, 32, 32), "Mixed_3c": (128, 128, 192, 32, 96, 64),
    "Mixed_4b": (192, 96, 208, 16, 48, 64), "Mixed_4c": (160, 112, 224, 24, 64, 64),
    "Mixed_4d": (128, 128, 256, 24, 64, 64), "Mixed_4e": (112, 144, 288, 32, 64, 64),
    "Mixed_4f": (256, 160, 320, 32, 128, 128), "Mixed_5b": (256, 160, 320, 32, 128, 128),
    "Mixed_5c": (384, 192, 384, 48, 128, 128)}
_ENDPOINTS = ["Conv2d_1a_7x7", "MaxPool_2a_3x3", "Conv2d_2b_1x1", "Conv2d_2c_3x3", "MaxPool_3a_3x3", "Mixed_3b",
              "Mixed_3c", "MaxPool_4a_3x3", "Mixed_4b", "Mixed_4c", "Mixed_4d", "Mixed_4e", "Mixed_4f",
              "MaxPool_5a_2x2", "Mixed_5b", "Mixed_5c"]


def _module(net, name: str):
    d0, d1a, d1b, d2a, d2b, d3 = _MODULES[name]
    # the published checkpoint names Mixed_5b's second 3x3 'Conv2d_0a_3x3'
    second = "Conv2d_0a_3x3" if name == "Mixed_5b" else "Conv2d_0b_3x3"
    return mixed(net, name, [
        lambda x: conv2d(x, d0, [1, 1], scope="Conv2d_0a_1x1"),
        lambda x: conv2d(conv2d(x, d1a, [1, 1], scope="Conv2d_0a_1x1"), d1b, [3, 3], scope="Conv2d_0b_3x3"),
        lambda x: conv2d(conv2d(x, d2a, [1, 1], scope="Conv2d_0a_1x1"), d2b, [3, 3], scope=second),
        lambda x: conv2d(max_pool2d(x, [3, 3], scope="MaxPool_0a_3x3"), d3, [1, 1], scope="Conv2d_0b_1x1")])


def inception_v1_base(inputs, final_endpoint: str = "Mixed_5c", scope="InceptionV1"):
    """The convolutional body up to `final_endpoint` (one of Conv2d_1a_7x7 ... Mixed_5c): (net, end_points)."""
    check_endpoint(final_endpoint, _ENDPOINTS)
    end_points = {}
    with variable_scope(scope, "InceptionV1", [inputs]):
        with arg_scope([conv2d, fully_connected], weights_initializer=trunc_normal(0.01)):
            with arg_scope([conv2d, max_pool2d], stride=1, padding="SAME"):
                layers = {
                    "Conv2d_1a_7x7": lambda x: conv2d(x, 64, [7, 7], stride=2, scope="Conv2d_1a_7x7"),
                    "MaxPool_2a_3x3": lambda x: max_pool2d(x, [3, 3], stride=2, scope="MaxPool_2a_3x3"),
                    "Conv2d_2b_1x1": lambda x: conv2d(x, 64, [1, 1], scope="Conv2d_2b_1x1"),
                    "Conv2d_2c_3x3": lambda x: conv2d(x, 192, [3, 3], scope="Conv2d_2c_3x3"),
                    "MaxPool_3a_3x3": lambda x: max_pool2d(x, [3, 3], stride=2, scope="MaxPool_3a_3x3"),
                    "MaxPool_4a_3x3": lambda x: max_pool2d(x, [3, 3], stride=2, scope="MaxPool_4a_3x3"),
                    "MaxPool_5a_2x2": lambda x: max_pool2d(x, [2, 2], stride=2, scope="MaxPool_5a_2x2")}
                net = inputs
                for end_point in _ENDPOINTS:
                    net = layers[end_point](net) if end_point in layers else _module(net, end_point)
                    end_points[end_point] = net
                    if end_point == final_endpoint:
                        return net, end_points
    raise ValueError(f"Unknown final endpoint {final_endpoint}")


def inception_v1(inputs, num_classes: int = 1000, is_training=True, dropout_keep_prob: float = 0.8,
                 prediction_fn=softmax, spatial_squeeze: bool = True, reuse=None, scope="InceptionV1"):
    """Inception V1 for classification: (logits, end_points); logits [batch, num_classes] when spatial_squeeze
    (224x224 inputs), is_training setting batch_norm and dropout."""
    with variable_scope(scope, "InceptionV1", [inputs, num_classes], reuse=reuse) as sc:
        with arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = inception_v1_base(inputs, scope=sc)
            with variable_scope("Logits"):
                net = avg_pool2d(net, [7, 7], stride=1, scope="MaxPool_0a_7x7")
                if not num_classes:  # research/slim's extension: the pooled features, for transfer learning
                    return net, end_points
                net = dropout(net, dropout_keep_prob, scope="Dropout_0b")
                logits = conv2d(net, num_classes, [1, 1], activation_fn=None, normalizer_fn=None,
                                scope="Conv2d_0c_1x1")
                if spatial_squeeze:
                    logits = squeeze(logits, [1, 2], name="SpatialSqueeze")
                end_points["Logits"] = logits
                end_points["Predictions"] = prediction_fn(logits, scope="Predictions")
    return logits, end_points


inception_v1.default_image_size = 224


def inception_v1_arg_scope(weight_decay: float = 0.00004, use_batch_norm: bool = True,
                           batch_norm_var_collection: str = "moving_vars"):
    """The published checkpoint's scope: L2 decay, variance-scaling init, ReLU, batch_norm (decay 0.9997,
    epsilon 0.001, unscaled) after each conv."""
    return inception_arg_scope(weight_decay, use_batch_norm, batch_norm_var_collection=batch_norm_var_collection)
