"""tf.manip: TF1's array-manipulation namespace."""

from __future__ import annotations

from .array_ops import reshape, tile  # noqa: F401 - re-exported TF1 names
from .batch_space_ops import batch_to_space_nd, space_to_batch_nd  # noqa: F401
from .tensor_ops import gather_nd, reverse, roll, scatter_nd  # noqa: F401
