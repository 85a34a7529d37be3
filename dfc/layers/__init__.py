"""tf.layers: TF1's functional layers and their classes."""

from .convolutional import (AveragePooling2D, Conv2D, Conv2DTranspose, MaxPooling2D, average_pooling2d, conv2d,
                            conv2d_transpose, max_pooling2d)

__all__ = ["AveragePooling2D", "Conv2D", "Conv2DTranspose", "MaxPooling2D", "average_pooling2d", "conv2d",
           "conv2d_transpose", "max_pooling2d"]
