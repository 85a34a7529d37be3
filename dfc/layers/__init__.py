"""tf.layers: TF1's functional layers and their classes (core.py: dense, flatten, dropout, batch_normalization;
convolutional.py: convolution and pooling)."""

from .convolutional import (AveragePooling2D, Conv2D, Conv2DTranspose, MaxPooling2D, average_pooling2d, conv2d,
                            conv2d_transpose, max_pooling2d)
from .core import batch_normalization, dense, dropout, flatten

__all__ = ["AveragePooling2D", "Conv2D", "Conv2DTranspose", "MaxPooling2D", "average_pooling2d",
           "batch_normalization", "conv2d", "conv2d_transpose", "dense", "dropout", "flatten", "max_pooling2d"]
