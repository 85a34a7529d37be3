"""tf.contrib.util: TF 1.15's tensor-proto helpers (make_tensor_proto, make_ndarray) and constant_value."""

from __future__ import annotations

from ..shape_ops import get_static_value as constant_value
from ..tf_behavior import make_ndarray, make_tensor_proto

__all__ = ["constant_value", "make_ndarray", "make_tensor_proto"]
