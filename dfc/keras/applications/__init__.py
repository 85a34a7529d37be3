"""tf.keras.applications: Keras's ImageNet models as TF 1.15 scripts use them (ResNet, VGG, MobileNet, Inception,
DenseNet, Xception, NASNet), with TF's layer names and weight shapes so that Keras's .h5 weight files load into
them, each module's preprocess_input and decode_predictions. ImageNet weights are read from ~/.keras/models/ under
TF's file names; dfc never downloads them.

Modules: one per family (resnet.py, vgg16.py, mobilenet.py, mobilenet_v2.py, inception_v3.py,
inception_resnet_v2.py, densenet.py, xception.py, nasnet.py) over _common.py (argument checks, input, top, weights,
conv + batch norm blocks) and imagenet_utils.py; resnet50, resnet_v2 and vgg19 are the other TF module names."""

from __future__ import annotations

from . import (densenet, imagenet_utils, inception_resnet_v2, inception_v3, mobilenet, mobilenet_v2, nasnet, resnet,
               resnet50, resnet_v2, vgg16, vgg19, xception)
from .densenet import DenseNet121, DenseNet169, DenseNet201
from .inception_resnet_v2 import InceptionResNetV2
from .inception_v3 import InceptionV3
from .mobilenet import MobileNet
from .mobilenet_v2 import MobileNetV2
from .nasnet import NASNetLarge, NASNetMobile
from .resnet import ResNet50, ResNet101, ResNet152
from .resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from .vgg16 import VGG16
from .vgg19 import VGG19
from .xception import Xception

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "InceptionResNetV2", "InceptionV3", "MobileNet", "MobileNetV2",
           "NASNetLarge", "NASNetMobile", "ResNet101", "ResNet101V2", "ResNet152", "ResNet152V2", "ResNet50",
           "ResNet50V2", "VGG16", "VGG19", "Xception", "densenet", "imagenet_utils", "inception_resnet_v2",
           "inception_v3", "mobilenet", "mobilenet_v2", "nasnet", "resnet", "resnet50", "resnet_v2", "vgg16", "vgg19",
           "xception"]

# error messages and reprs name them as TF does (tf.keras.applications.ResNet50)
for _name in __all__:
    _value = globals()[_name]
    if callable(_value):
        _value.__module__ = __name__
