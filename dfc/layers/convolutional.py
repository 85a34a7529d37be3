"""tf.layers' convolution and pooling layers (conv2d, max_pooling2d, average_pooling2d)."""

from __future__ import annotations

__all__: list[str] = []
