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


def _decode_feature(data: bytes) -> tuple[int, list]:
    """A Feature's kind (1 bytes, 2 float, 3 int64; 0 when none is set) and values."""
    kind, values = 0, []
    for n, _, v in _fields(data):
        if n in _KINDS:
            kind, values = n, _values(n, v)
    return kind, values


def _map_entries(data: bytes):
    """(key, value bytes) of a proto map<string, Message> held in field 1 of `data`."""
    for entry_number, _, entry in _fields(data):
        if entry_number != 1:
            continue
        key, value = b"", b""
        for n, _, v in _fields(entry):
            if n == 1:
                key = v
            elif n == 2:
                value = v
        yield key, value


def _decode_features(data: bytes, into: dict) -> dict:
    for key, feature in _map_entries(data):
        into[key] = _decode_feature(feature)
    return into


def decode_example(data: bytes) -> dict[bytes, tuple[int, list]]:
    """An Example's features: name -> (kind 1/2/3, values)."""
    features: dict[bytes, tuple[int, list]] = {}
    for number, _, body in _fields(data):
        if number == 1:
            _decode_features(body, features)
    return features


def decode_sequence_example(data: bytes) -> tuple[dict, dict[bytes, list[tuple[int, list]]]]:
    """A SequenceExample's context features (as decode_example's) and feature lists: name -> one (kind, values)
    per step."""
    context: dict = {}
    lists: dict[bytes, list[tuple[int, list]]] = {}
    for number, _, body in _fields(data):
        if number == 1:
            _decode_features(body, context)
        elif number == 2:
            for key, feature_list in _map_entries(body):
                lists[key] = [_decode_feature(f) for n, _, f in _fields(feature_list) if n == 1]
    return context, lists


#: what a parsing op reads of each serialized record: an Example's features, a SequenceExample's context
#: features, or its feature lists
SOURCES = ("example", "context", "feature_list")
_DECODED: list[tuple[np.ndarray, tuple, bool, list]] = []  # the last serialized arrays, their decoded records


def decoded(serialized: np.ndarray, source: str = "example") -> list:
    """The decoded records of `serialized` (flattened), as `source` reads them."""
    sequence = source != "example"
    flat = serialized.reshape(-1)
    found = [records for array, items, is_sequence, records in _DECODED
             if array is serialized and is_sequence == sequence and len(items) == len(flat)
             and all(a is b for a, b in zip(items, flat))]  # the same bytes objects: not refilled in place
    if found:
        records = found[0]
    else:
        records = []
        for data in flat:
            try:
                records.append(decode_sequence_example(data) if sequence else decode_example(data))
            except (ValueError, struct.error, IndexError):
                shown = data[:40].decode("utf-8", "replace")
                raise InvalidArgumentError(f"Could not parse example input, value: '{shown}'") from None
        _DECODED.insert(0, (serialized, tuple(flat), sequence, records))
        del _DECODED[6:]
    if not sequence:
        return records
    return [r[0] if source == "context" else r[1] for r in records]


def _feature(example: dict, key: str, dtype, index: int) -> list | None:
    found = example.get(key.encode())
    if found is None or found[0] == 0:
        return None
    kind, values = found
    if _KINDS[kind] is not dtype:
        raise InvalidArgumentError(f"Name: <unknown>, Key: {key}, Index: {index}.  Data types don't match. Data type: "
                                   f"{_TF_NAMES[_KINDS[kind].name]} but expected type: {_TF_NAMES[dtype.name]}")
    return values


def feature_list(steps: list[tuple[int, list]] | None, key: str, dtype, index: int) -> list[list] | None:
    """The values of each step of a feature list (None when the record lacks it); a step of no kind has none."""
    if steps is None:
        return None
    out = []
    for kind, values in steps:
        if kind and _KINDS[kind] is not dtype:
            raise InvalidArgumentError(f"Name: <unknown>, Feature list: {key}, Index: {index}.  Data types don't "
                                       f"match. Expected type: {_TF_NAMES[dtype.name]}")
        out.append(values)
    return out


def value_dtype(name: str):
    """The IR dtype of a feature's values named `name` (float32, int64 or string)."""
    return {"float32": f32, "int64": i64, "string": string}[name]


def _serialized(types) -> TensorType:
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, (string,), "serialized")
    return t


def _source(attrs) -> str:
    if attrs.get("source", "example") not in SOURCES:
        raise ShapeError(f"source must be one of {', '.join(SOURCES)}, got {attrs['source']!r}")
    return attrs.get("source", "example")


def _dense_infer(types, attrs):
    t, default = _serialized(types), tensor_operand(types, 1)
    require_dtype(default.dtype, (f32, i64, string), "dense default")
    if _source(attrs) == "feature_list":
        raise ShapeError("a FixedLenFeature reads an Example's or a context's features, not a feature list")
    return [TensorType(default.dtype, None if t.shape is None else (*t.shape, *attrs["shape"]))]


def _parse_dense(serialized, default, key, shape, required, source="example"):
    dtype = {np.dtype(np.float32): f32, np.dtype(np.int64): i64}.get(default.dtype, string)
    size = int(np.prod(shape, dtype=np.int64))
    out = np.empty((serialized.size, size), dtype=default.dtype)
    for i, example in enumerate(decoded(serialized, source)):
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


_SOURCE = {"source": Attr("str", "example")}
register(OpDef("dfc.parse_example_dense", "strings", _dense_infer, _parse_dense, 2,
               {"key": Attr("str"), "shape": Attr("ints"), "required": Attr("bool"), **_SOURCE}, differentiable=False,
               fusible_as=None, doc="one FixedLenFeature of serialized tf.train.Examples (default: operand 1), or of "
                                    "SequenceExamples' contexts (source='context')"))


def _varlen_rows(serialized, key, dtype, source="example") -> list[list]:
    """Each record's values of a VarLenFeature; for a feature list, each record's list of steps' values."""
    want = value_dtype(dtype.name)
    if source == "feature_list":
        return [feature_list(steps.get(key.encode()), key, want, i) or []
                for i, steps in enumerate(decoded(serialized, source))]
    return [_feature(example, key, want, i) or [] for i, example in enumerate(decoded(serialized, source))]


def _varlen_count(serialized, key, dtype, source="example"):
    rows = _varlen_rows(serialized, key, dtype, source)
    if source == "feature_list":
        return np.array(sum(len(step) for row in rows for step in row), np.int64)
    return np.array(sum(map(len, rows)), np.int64)


def _count_infer(types, attrs):
    _serialized(types)
    _source(attrs)
    return [TensorType(i64, ())]


_VARLEN_ATTRS = {"key": Attr("str"), "dtype": Attr("dtype"), **_SOURCE}
register(OpDef("dfc.parse_example_varlen_count", "strings", _count_infer, _varlen_count, 1, dict(_VARLEN_ATTRS),
               differentiable=False, fusible_as=None,
               doc="how many values a VarLenFeature has in all the serialized Examples"))


def _varlen_types(t: TensorType, attrs, count: int | None) -> list[TensorType]:
    rank = 1 + (len(t.shape) if t.shape is not None else 0) + (_source(attrs) == "feature_list")
    return [TensorType(i64, (count, rank)), TensorType(attrs["dtype"], (count,))]


def _dynamic_varlen_infer(types, attrs):
    t = _serialized(types)
    if t.shape is None or len(t.shape) > 1:
        raise ShapeError(f"serialized must be a scalar or a vector, got {t}")
    return _varlen_types(t, attrs, None)


def _parse_varlen(serialized, *count, key, dtype, source="example", **_):
    rows = _varlen_rows(serialized, key, dtype, source)
    if source == "feature_list":  # [record,] step, value
        cells = [((r,) if serialized.ndim else ()) + (t, k) for r, row in enumerate(rows)
                 for t, step in enumerate(row) for k in range(len(step))]
        flat = [v for row in rows for step in row for v in step]
        rank = serialized.ndim + 2
    else:
        cells = [((r,) if serialized.ndim else ()) + (k,) for r, row in enumerate(rows) for k in range(len(row))]
        flat = [v for row in rows for v in row]
        rank = serialized.ndim + 1
    indices = np.array(cells, np.int64).reshape(-1, rank)
    values = np.empty(len(indices), dtype=dtype.np)
    values[:] = flat
    return indices, values


def _varlen_shape(serialized, key, dtype, source="example"):
    rows = _varlen_rows(serialized, key, dtype, source)
    if source == "feature_list":
        dims = [max(map(len, rows), default=0), max((len(step) for row in rows for step in row), default=0)]
    else:
        dims = [max(map(len, rows), default=0)]
    return np.array(dims if serialized.ndim == 0 else [len(rows), *dims], np.int64)


def _varlen_shape_infer(types, attrs):
    t = _serialized(types)
    rank = 1 + (len(t.shape) if t.shape is not None else 0) + (_source(attrs) == "feature_list")
    return [TensorType(i64, (rank,))]


register(OpDef("dfc.parse_example_varlen_shape", "strings", _varlen_shape_infer, _varlen_shape, 1,
               dict(_VARLEN_ATTRS), differentiable=False, fusible_as=None,
               doc="the dense shape of a VarLenFeature's SparseTensor ([longest] or [batch, longest]; a feature "
                   "list's with its longest list of steps before)"))


register(OpDef("dfc.dynamic_parse_example_varlen", "strings", _dynamic_varlen_infer, _parse_varlen, 2,
               dict(_VARLEN_ATTRS), differentiable=False, fusible_as=None,
               doc="one VarLenFeature's indices and values given their count; specialize makes it a "
                   "dfc.parse_example_varlen"))


def _varlen_infer(types, attrs):
    return _varlen_types(_serialized(types), attrs, attrs["count"])


register(OpDef("dfc.parse_example_varlen", "strings", _varlen_infer, _parse_varlen, 1,
               {**_VARLEN_ATTRS, "count": Attr("int")}, differentiable=False,
               fusible_as=None, doc="one VarLenFeature's indices and values, `count` of them"))
SHAPE_OPERAND["dfc.dynamic_parse_example_varlen"] = 1
COUNTED_OPS["dfc.dynamic_parse_example_varlen"] = "dfc.parse_example_varlen"
