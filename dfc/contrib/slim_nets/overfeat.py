"""tf.contrib.slim.nets.overfeat: OverFeat (Sermanet et al. 2014, the fast model), fully connected layers as
convolutions: 'overfeat/conv1/weights' ... 'overfeat/fc8/biases'."""

from __future__ import annotations

from ..layers import conv2d, max_pool2d
from .alexnet import classic_arg_scope, classic_net

__all__ = ["overfeat", "overfeat_arg_scope"]


def overfeat_arg_scope(weight_decay: float = 0.0005):
    """ReLU, biases initialized to 0.1 and L2 weight decay on conv2d and fully_connected; SAME convs, VALID pools."""
    return classic_arg_scope(weight_decay)


def _features(net):
    net = conv2d(net, 64, [11, 11], 4, padding="VALID", scope="conv1")
    net = max_pool2d(net, [2, 2], scope="pool1")
    net = conv2d(net, 256, [5, 5], padding="VALID", scope="conv2")
    net = max_pool2d(net, [2, 2], scope="pool2")
    net = conv2d(net, 512, [3, 3], scope="conv3")
    net = conv2d(net, 1024, [3, 3], scope="conv4")
    net = conv2d(net, 1024, [3, 3], scope="conv5")
    return max_pool2d(net, [2, 2], scope="pool5")


def overfeat(inputs, num_classes: int = 1000, is_training=True, dropout_keep_prob: float = 0.5,
             spatial_squeeze: bool = True, scope: str = "overfeat"):
    """OverFeat: (logits, end_points); logits [batch, num_classes] for 231x231 inputs when spatial_squeeze."""
    return classic_net(inputs, "overfeat", scope, _features, (3072, 6), is_training, dropout_keep_prob, num_classes,
                       spatial_squeeze)


overfeat.default_image_size = 231
