"""tf.layers: TF1's functional layers. Core layers live in core.py, convolution and pooling in convolutional.py."""

from .convolutional import *  # noqa: F403 - the convolution and pooling layers, as that module lists them
from .convolutional import __all__ as _convolutional_all
from .core import batch_normalization, dense, dropout, flatten

__all__ = ["batch_normalization", "dense", "dropout", "flatten", *_convolutional_all]
