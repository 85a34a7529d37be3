"""tf.contrib.slim.nets: TF1's model zoo (ResNet v1/v2, VGG, Inception v1-v3, AlexNet, OverFeat) with the
variable names and end_points keys of the published ImageNet checkpoints, so they restore by name."""

from . import (alexnet, inception, inception_utils, inception_v1, inception_v2, inception_v3, overfeat, resnet_utils,
               resnet_v1, resnet_v2, vgg)

__all__ = ["alexnet", "inception", "inception_utils", "inception_v1", "inception_v2", "inception_v3", "overfeat",
           "resnet_utils", "resnet_v1", "resnet_v2", "vgg"]
