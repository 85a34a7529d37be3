"""Sparse updates: unsorted_segment_sum, the gradient of gather and embedding_lookup without a dense one-hot."""

from __future__ import annotations

import numpy as np

from ..dtypes import NUMERIC, UNSIGNED, i32, i64
from ..errors import ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, register, require_dtype, tensor_operand


def _segment_sum_infer(types, attrs):
    data, ids = tensor_operand(types, 0), tensor_operand(types, 1)
    require_dtype(data.dtype, NUMERIC + UNSIGNED, "data")  # a sum's bits do not depend on signedness
    require_dtype(ids.dtype, (i32, i64), "segment_ids")
    n = attrs["num_segments"]
    if n < 0:
        raise ShapeError(f"num_segments must be >= 0, got {n}")
    if ids.rank > data.rank or any(a is not None and b is not None and a != b
                                   for a, b in zip(ids.shape, data.shape)):
        raise ShapeError(f"segment_ids {ids} must be a prefix of the shape of data {data}")
    return [TensorType(data.dtype, (n,) + data.shape[ids.rank:])]


def _segment_sum(data, ids, num_segments):
    bad = ids[ids >= num_segments]
    if bad.size:
        raise IndexError(f"segment id {bad.flat[0]} is out of range [0, {num_segments})")
    rows = data.reshape((ids.size,) + data.shape[ids.ndim:])
    flat = ids.reshape(-1)
    keep = flat >= 0  # TF drops rows whose segment id is negative
    out = np.zeros((num_segments,) + data.shape[ids.ndim:], dtype=data.dtype)
    np.add.at(out, flat[keep], rows[keep])
    return out


register(OpDef("dfc.unsorted_segment_sum", "sparse", _segment_sum_infer, _segment_sum, 2,
               {"num_segments": Attr("int")},
               doc="out[s] = sum of data[i] over the i with segment_ids[i] == s (tf.unsorted_segment_sum); rows "
                   "with a negative id are dropped",
               fusible_as=None))
