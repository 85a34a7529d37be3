"""tf.keras.applications.resnet_v2: the pre-activation ResNets (defined in resnet.py) and their 'tf'-mode
preprocess_input."""

from .resnet import ResNet50V2, ResNet101V2, ResNet152V2, decode_predictions
from .resnet import preprocess_input_v2 as preprocess_input

__all__ = ["ResNet101V2", "ResNet152V2", "ResNet50V2", "decode_predictions", "preprocess_input"]
