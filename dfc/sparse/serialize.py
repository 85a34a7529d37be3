"""SparseTensors as strings: tf.serialize_sparse, tf.serialize_many_sparse and tf.deserialize_many_sparse.

Each SparseTensor becomes three serialized TensorProtos (indices, values, dense_shape), the bytes TF
writes, so a queue or a TFRecord can carry it; deserialize_many_sparse joins a [N, 3] batch of them back
into one SparseTensor of rank R + 1. Like tf.io.serialize_tensor (file_ops.py) they are host calls, their
results' sizes known only once their values are.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype
from dfc.ir.errors import InvalidArgumentError

from ..framework import Tensor
from .tensor import SparseTensor, as_sparse

_TF_NAMES = {"float32": "float", "float64": "double", "string": "string"}


def _tf_name(dtype_name: str) -> str:
    return _TF_NAMES.get(dtype_name, dtype_name)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _proto_bytes(array: np.ndarray) -> bytes:
    """A TensorProto's bytes as TF's SerializeSparse writes them: strings too as tensor_content (every length as a
    varint, then the bytes)."""
    from ..summary_encoding import tensor_proto
    proto = tensor_proto(array)
    if proto.dtype == 7:
        strings = list(proto.string_val)
        del proto.string_val[:]
        proto.tensor_content = b"".join(_varint(len(x)) for x in strings) + b"".join(strings)
    return proto.SerializeToString()


def _strings_of_content(content: bytes, count: int) -> list[bytes]:
    sizes, pos = [], 0
    for _ in range(count):
        size = shift = 0
        while True:
            byte = content[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        sizes.append(size)
    out = []
    for size in sizes:
        out.append(content[pos:pos + size])
        pos += size
    if pos != len(content):
        raise ValueError("string tensor_content of the wrong size")
    return out


def _serialized_triple(indices: np.ndarray, values: np.ndarray, shape: np.ndarray) -> list[bytes]:
    values = np.asarray(values)
    if values.dtype == object:
        values = np.array([v if isinstance(v, bytes) else str(v).encode() for v in values.ravel()], dtype=object)
    return [_proto_bytes(np.asarray(indices, np.int64)), _proto_bytes(values),
            _proto_bytes(np.asarray(shape, np.int64))]


def _out_type(out_type: Any, op: str) -> None:
    if as_dtype(out_type).name != "string":
        raise TypeError(f"{op}: out_type must be tf.string (dfc has no tf.variant tensors), got "
                        f"{as_dtype(out_type).name}")


def _py(fn, inputs: list, tout, name: str):
    from ..script_ops import py_func
    return py_func(fn, inputs, tout, stateful=False, name=name)


def serialize_sparse(sp_input: Any, name: str | None = None, out_type: Any = "string") -> Tensor:
    """A [3] string vector: the SparseTensor's indices, values and dense_shape as serialized TensorProtos."""
    _out_type(out_type, "SerializeSparse")
    sp = as_sparse(sp_input, "SerializeSparse")
    out = _py(lambda i, v, s: np.array(_serialized_triple(i, v, s), dtype=object),
              [sp.indices, sp.values, sp.dense_shape], "string", name or "SerializeSparse")
    out.set_shape([3])
    return out


def serialize_many_sparse(sp_input: Any, name: str | None = None, out_type: Any = "string") -> Tensor:
    """A [N, 3] string matrix: row i serializes the SparseTensor's minibatch entry i (its first dim dropped)."""
    _out_type(out_type, "SerializeManySparse")
    sp = as_sparse(sp_input, "SerializeManySparse")
    label = name or "SerializeManySparse"

    def serialize(indices, values, shape):
        indices, values, shape = np.asarray(indices, np.int64), np.asarray(values), np.asarray(shape, np.int64)
        if shape.size < 2:
            raise InvalidArgumentError(f"Rank of input SparseTensor should be > 1, but saw rank: {shape.size} "
                                       f"({label})")
        rows = indices[:, 0] if len(indices) else np.zeros(0, np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= shape[0]):
            raise InvalidArgumentError(f"Index out of range in the minibatch dimension of the SparseTensor ({label}): "
                                       f"{rows.min() if rows.min() < 0 else rows.max()} not in [0, {shape[0]})")
        out = np.empty((int(shape[0]), 3), dtype=object)
        for b in range(int(shape[0])):
            mine = rows == b
            out[b] = _serialized_triple(indices[mine, 1:], values[mine], shape[1:])
        return out

    out = _py(serialize, [sp.indices, sp.values, sp.dense_shape], "string", label)
    out.set_shape([None, 3])
    return out


def _parse_proto(data: bytes, label: str) -> np.ndarray:
    from tensorboard.compat.proto import tensor_pb2

    from ..tf_behavior import make_ndarray
    proto = tensor_pb2.TensorProto()
    try:
        proto.ParseFromString(data)
    except Exception:  # noqa: BLE001 - protobuf's DecodeError: not a TensorProto
        raise InvalidArgumentError(f"Could not parse serialized proto ({label})") from None
    if proto.dtype == 7:  # DT_STRING
        shape = [d.size for d in proto.tensor_shape.dim]
        count = int(np.prod(shape, dtype=np.int64))
        try:
            strings = _strings_of_content(proto.tensor_content, count) if proto.tensor_content else \
                list(proto.string_val)
        except (IndexError, ValueError):
            raise InvalidArgumentError(f"Could not parse serialized proto ({label})") from None
        out = np.empty(len(strings), dtype=object)
        out[:] = strings
        return out.reshape(shape)
    return make_ndarray(proto)


def deserialize_many_sparse(serialized_sparse: Any, dtype: Any, rank: int | None = None,
                            name: str | None = None) -> SparseTensor:
    """One SparseTensor of rank R + 1 from a [N, 3] batch of serialized SparseTensors of rank R (each of dtype
    `dtype`): row i's entries get i as their first index; the dense shape is [N, the largest of each dim]."""
    from ..file_ops import _string
    dtype = as_dtype(dtype)
    serialized = _string(serialized_sparse, "serialized_sparse", "DeserializeManySparse")
    if serialized.shape.ndims is not None and serialized.shape.ndims != 2:
        raise ValueError(f"Shape must be rank 2 but is rank {serialized.shape.ndims} for 'DeserializeManySparse' "
                         f"with input shapes: {serialized.shape}: serialized_sparse {serialized.name} must be [N, 3]")
    if serialized.shape.ndims == 2 and serialized.shape[1] is not None and serialized.shape[1] != 3:
        raise ValueError(f"Dimension must be 3 but is {serialized.shape[1]}: serialized_sparse {serialized.name} of "
                         f"DeserializeManySparse must be [N, 3]")
    label = name or "DeserializeManySparse"

    def deserialize(data):
        data = np.asarray(data, dtype=object)
        if data.ndim != 2 or data.shape[1] != 3:
            raise InvalidArgumentError(f"Serialized sparse should be a matrix [N, 3], got {list(data.shape)} ({label})")
        all_indices, all_values, shapes = [], [], []
        for i, (ind, val, shp) in enumerate(data):
            indices, values, shape = (_parse_proto(bytes(x), label) for x in (ind, val, shp))
            got = "string" if values.dtype == object else as_dtype(values.dtype).name
            if got != dtype.name:
                raise InvalidArgumentError(f"Requested SparseTensor of type {_tf_name(dtype.name)} but "
                                           f"SparseTensor[{i}].values.dtype() == {_tf_name(got)} ({label})")
            if shapes and len(shape) != len(shapes[0]):
                raise InvalidArgumentError(f"Inconsistent shape across SparseTensors: rank prior to SparseTensor[{i}] "
                                           f"was: {len(shapes[0])} but rank of SparseTensor[{i}] is: {len(shape)} "
                                           f"({label})")
            indices = indices.reshape(-1, len(shape))
            all_indices.append(np.concatenate([np.full((len(indices), 1), i, np.int64), indices], 1))
            all_values.append(values.reshape(-1))
            shapes.append(shape.astype(np.int64))
        width = len(shapes[0]) + 1 if shapes else (rank or 1)
        indices = np.concatenate(all_indices) if all_indices else np.zeros((0, width), np.int64)
        values = np.concatenate(all_values) if all_values else np.zeros(0, dtype.np)
        if dtype.is_string:
            values = values.astype(object)
        dense = np.concatenate([[len(data)], np.max(shapes, axis=0)]) if shapes else np.zeros(width, np.int64)
        return indices.astype(np.int64), values, dense.astype(np.int64)

    indices, values, dense_shape = _py(deserialize, [serialized], ["int64", dtype, "int64"], label)
    indices.set_shape([None, rank])
    values.set_shape([None])
    dense_shape.set_shape([rank])
    return SparseTensor(indices, values, dense_shape)


__all__ = ["deserialize_many_sparse", "serialize_many_sparse", "serialize_sparse"]
