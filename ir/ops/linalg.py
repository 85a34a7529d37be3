"""Linear algebra: matmul with optional transposes and broadcast batch dimensions."""

from __future__ import annotations

import numpy as np

from ..dtypes import FLOATS, i32, i64
from ..errors import ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, broadcast_shapes, register, require_dtype, same_dtype, tensor_operand


def _matmul_infer(types, attrs):
    a, b = tensor_operand(types, 0), tensor_operand(types, 1)
    dtype = same_dtype([a, b])
    require_dtype(dtype, FLOATS + (i32, i64))
    if a.rank < 2 or b.rank < 2:
        raise ShapeError(f"matmul needs operands of rank >= 2, got {a} and {b}")
    m, ka = (a.shape[-1], a.shape[-2]) if attrs["transpose_a"] else (a.shape[-2], a.shape[-1])
    kb, n = (b.shape[-1], b.shape[-2]) if attrs["transpose_b"] else (b.shape[-2], b.shape[-1])
    if ka is not None and kb is not None and ka != kb:
        raise ShapeError(f"matmul inner dimensions differ: {a} x {b} "
                         f"(transpose_a={attrs['transpose_a']}, transpose_b={attrs['transpose_b']}): {ka} != {kb}")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return [TensorType(dtype, batch + (m, n))]


def _matmul(a, b, transpose_a, transpose_b):
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


register(OpDef("dfc.matmul", "linalg", _matmul_infer, _matmul, 2,
               {"transpose_a": Attr("bool", False), "transpose_b": Attr("bool", False)}, fusible_as="matmul"))
