"""tf.train.Example parsing ops (tf.parse_example, tf.parse_single_example) on the host.

Serialized Examples are tf.string tensors; each op reads one feature of them: a FixedLenFeature as a
dense tensor [batch..., *shape], a VarLenFeature as a SparseTensor whose size (the number of values)
is learned before the step, as tf.string_split's is. The protobuf wire format of example.proto is
decoded here directly (the IR imports no protobuf), and the decoded Examples of one serialized
array are shared by the ops that read its features.
"""

from __future__ import annotations

import struct

import numpy as np

from ..dtypes import f32, i64, string
from ..errors import InvalidArgumentError, ShapeError
from ..types import TensorType
from .dynamic import SHAPE_OPERAND
from .registry import Attr, OpDef, register, require_dtype, tensor_operand
from .strings import COUNTED_OPS

_KINDS = {1: string, 2: f32, 3: i64}  # Feature's oneof field numbers: bytes_list, float_list, int64_list
_TF_NAMES = {"float32": "float", "int64": "int64", "string": "string"}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes):
    """(field number, wire type, value) of a message: ints for varints, bytes for length-delimited and fixed."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise ValueError("truncated field")
            value, pos = data[pos:pos + size], pos + size
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, pos = data[pos:pos + size], pos + size
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value


def _values(kind: int, data: bytes) -> list:
    out: list = []
    for number, wire, value in _fields(data):
        if number != 1:
            continue
        if kind == 1:
            out.append(value)
        elif kind == 2:
            out += list(struct.unpack(f"<{len(value) // 4}f", value)) if wire == 2 else [struct.unpack("<f", value)[0]]
        elif wire == 2:
            pos = 0
            while pos < len(value):
                v, pos = _varint(value, pos)
                out.append(v - (1 << 64) if v >= 1 << 63 else v)
        else:
            out.append(value - (1 << 64) if value >= 1 << 63 else value)
    return out


def decode_example(data: bytes) -> dict[bytes, tuple[int, list]]:
    """An Example's features: name -> (kind 1/2/3, values)."""
    features: dict[bytes, tuple[int, list]] = {}
    for number, _, body in _fields(data):
        if number != 1:
            continue
        for entry_number, _, entry in _fields(body):
            if entry_number != 1:
                continue
            key, feature = b"", b""
            for n, _, v in _fields(entry):
                if n == 1:
                    key = v
                elif n == 2:
                    feature = v
            kind, values = 0, []
            for n, _, v in _fields(feature):
                if n in _KINDS:
                    kind, values = n, _values(n, v)
            features[key] = (kind, values)
    return features


_DECODED: list[tuple[np.ndarray, list]] = []  # the last few serialized arrays and their decoded Examples


def _decoded(serialized: np.ndarray) -> list[dict]:
    for array, examples in _DECODED:
        if array is serialized:
            return examples
    examples = []
    for data in serialized.reshape(-1):
        try:
            examples.append(decode_example(data))
        except (ValueError, struct.error):
            shown = data[:40].decode("utf-8", "replace")
            raise InvalidArgumentError(f"Could not parse example input, value: '{shown}'") from None
    _DECODED.insert(0, (serialized, examples))
    del _DECODED[4:]
    return examples


def _feature(example: dict, key: str, dtype, index: int) -> list | None:
    found = example.get(key.encode())
    if found is None or found[0] == 0:
        return None
    kind, values = found
    if _KINDS[kind] is not dtype:
        raise InvalidArgumentError(f"Name: <unknown>, Key: {key}, Index: {index}.  Data types don't match. Data type: "
                                   f"{_TF_NAMES[_KINDS[kind].name]} but expected type: {_TF_NAMES[dtype.name]}")
    return values


def _serialized(types) -> TensorType:
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, (string,), "serialized")
    return t


def _dense_infer(types, attrs):
    t, default = _serialized(types), tensor_operand(types, 1)
    require_dtype(default.dtype, (f32, i64, string), "dense default")
    return [TensorType(default.dtype, None if t.shape is None else (*t.shape, *attrs["shape"]))]


def _parse_dense(serialized, default, key, shape, required):
    dtype = {np.dtype(np.float32): f32, np.dtype(np.int64): i64}.get(default.dtype, string)
    size = int(np.prod(shape, dtype=np.int64))
    out = np.empty((serialized.size, size), dtype=default.dtype)
    for i, example in enumerate(_decoded(serialized)):
        values = _feature(example, key, dtype, i)
        if values is None:
            if required:
                raise InvalidArgumentError(f"Name: <unknown>, Feature: {key} (data type: {_TF_NAMES[dtype.name]}) is "
                                           f"required but could not be found.")
            out[i] = np.broadcast_to(default, shape).reshape(-1)
            continue
        if len(values) != size:
            raise InvalidArgumentError(f"Name: <unknown>, Key: {key}, Index: {i}.  Number of {_TF_NAMES[dtype.name]} "
                                       f"values != expected.  Values size: {len(values)} but output shape: "
                                       f"{list(shape)}")
        out[i] = values
    return out.reshape((*serialized.shape, *shape))


register(OpDef("dfc.parse_example_dense", "strings", _dense_infer, _parse_dense, 2,
               {"key": Attr("str"), "shape": Attr("ints"), "required": Attr("bool")}, differentiable=False,
               fusible_as=None, doc="one FixedLenFeature of serialized tf.train.Examples (default: operand 1)"))


def _varlen_rows(serialized, key, dtype) -> list[list]:
    want = {"float32": f32, "int64": i64, "string": string}[dtype.name]
    return [_feature(example, key, want, i) or [] for i, example in enumerate(_decoded(serialized))]


def _count_infer(types, attrs):
    _serialized(types)
    return [TensorType(i64, ())]


register(OpDef("dfc.parse_example_varlen_count", "strings", _count_infer,
               lambda serialized, key, dtype: np.array(sum(map(len, _varlen_rows(serialized, key, dtype))), np.int64),
               1, {"key": Attr("str"), "dtype": Attr("dtype")}, differentiable=False, fusible_as=None,
               doc="how many values a VarLenFeature has in all the serialized Examples"))


def _varlen_types(t: TensorType, dtype, count: int | None) -> list[TensorType]:
    rank = 1 + (len(t.shape) if t.shape is not None else 0)
    return [TensorType(i64, (count, rank)), TensorType(dtype, (count,))]


def _dynamic_varlen_infer(types, attrs):
    t = _serialized(types)
    if t.shape is None or len(t.shape) > 1:
        raise ShapeError(f"serialized must be a scalar or a vector, got {t}")
    return _varlen_types(t, attrs["dtype"], None)


def _parse_varlen(serialized, *count, key, dtype, **_):
    rows = _varlen_rows(serialized, key, dtype)
    if serialized.ndim == 0:
        indices = np.arange(len(rows[0]), dtype=np.int64).reshape(-1, 1)
    else:
        indices = np.array([[r, k] for r, row in enumerate(rows) for k in range(len(row))], np.int64).reshape(-1, 2)
    values = np.empty(len(indices), dtype=dtype.np)
    values[:] = [v for row in rows for v in row]
    return indices, values


def _varlen_shape(serialized, key, dtype):
    rows = _varlen_rows(serialized, key, dtype)
    longest = max(map(len, rows), default=0)
    return np.array([longest] if serialized.ndim == 0 else [len(rows), longest], np.int64)


def _varlen_shape_infer(types, attrs):
    t = _serialized(types)
    return [TensorType(i64, (1 + (len(t.shape) if t.shape is not None else 0),))]


register(OpDef("dfc.parse_example_varlen_shape", "strings", _varlen_shape_infer, _varlen_shape, 1,
               {"key": Attr("str"), "dtype": Attr("dtype")}, differentiable=False, fusible_as=None,
               doc="the dense shape of a VarLenFeature's SparseTensor ([longest] or [batch, longest])"))


register(OpDef("dfc.dynamic_parse_example_varlen", "strings", _dynamic_varlen_infer, _parse_varlen, 2,
               {"key": Attr("str"), "dtype": Attr("dtype")}, differentiable=False, fusible_as=None,
               doc="one VarLenFeature's indices and values given their count; specialize makes it a "
                   "dfc.parse_example_varlen"))


def _varlen_infer(types, attrs):
    return _varlen_types(_serialized(types), attrs["dtype"], attrs["count"])


register(OpDef("dfc.parse_example_varlen", "strings", _varlen_infer, _parse_varlen, 1,
               {"key": Attr("str"), "dtype": Attr("dtype"), "count": Attr("int")}, differentiable=False,
               fusible_as=None, doc="one VarLenFeature's indices and values, `count` of them"))
SHAPE_OPERAND["dfc.dynamic_parse_example_varlen"] = 1
COUNTED_OPS["dfc.dynamic_parse_example_varlen"] = "dfc.parse_example_varlen"
