"""tf.keras.applications.resnet50: ResNet50 and its caffe-mode preprocess_input (defined in resnet.py)."""

from .resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
