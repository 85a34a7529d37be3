"""Padded sequences of serialized records on the host: FixedLenSequenceFeature and tf.io.decode_json_example.

A FixedLenSequenceFeature is a dense [batch..., steps, *shape] tensor whose number of steps is
learned before the step, as a VarLenFeature's count is (`dfc.parse_example_seq_shape` gives the
whole shape, specialize turns `dfc.dynamic_parse_example_seq` into `dfc.parse_example_seq`). In an
Example its values are cut into steps of prod(shape) values; in a SequenceExample's feature list
each Feature is one step. Records with fewer steps are padded with the default operand.
"""

from __future__ import annotations

import base64
import json
import math
import struct

import numpy as np

from ..dtypes import f32, i64, string
from ..errors import InvalidArgumentError, ShapeError
from ..types import TensorType
from .dynamic import SHAPE_OPERAND
from .parsing import _TF_NAMES, _feature, _serialized, decoded, feature_list, value_dtype
from .registry import Attr, OpDef, register, require_dtype, tensor_operand
from .strings import COUNTED_OPS


def _steps(serialized, key, dtype, source, elem_shape, allow_missing) -> list[list[list]]:
    """Each record's steps of a FixedLenSequenceFeature, each step prod(elem_shape) values."""
    want = value_dtype(dtype.name)
    size = math.prod(elem_shape)
    out: list[list[list]] = []
    for i, record in enumerate(decoded(serialized, source)):
        if source == "feature_list":
            steps = feature_list(record.get(key.encode()), key, want, i)
            if steps is None:
                if not allow_missing:
                    raise InvalidArgumentError(
                        f"Name: <unknown>, Feature list '{key}' is required but could not be found.  Did you mean to "
                        f"include it in feature_list_dense_missing_assumed_empty or feature_list_dense_defaults?")
                steps = []
            for step in steps:
                if len(step) != size:
                    raise InvalidArgumentError(f"Name: <unknown>, Key: {key}, Index: {i}.  Number of values != "
                                               f"expected.  values size: {len(step)} but output shape: "
                                               f"{list(elem_shape)}")
            out.append(steps)
            continue
        values = _feature(record, key, want, i) or []
        if size == 0 or len(values) % size:
            if size == 0 and not values:
                out.append([])
                continue
            shown = ",".join(str(d) for d in elem_shape)
            raise InvalidArgumentError(f"Name: <unknown>, Key: {key}, Index: {i}.  Number of {_TF_NAMES[dtype.name]} "
                                       f"values is not a multiple of stride length. Saw {len(values)} values but "
                                       f"output shape is: [?{',' if shown else ''}{shown}]")
        out.append([values[k:k + size] for k in range(0, len(values), size)])
    return out


def _seq_shape(serialized, key, dtype, source, elem_shape, allow_missing):
    rows = _steps(serialized, key, dtype, source, elem_shape, allow_missing)
    longest = max(map(len, rows), default=0)
    return np.array([*serialized.shape, longest, *elem_shape], np.int64)


def _seq_lengths(serialized, key, dtype, source, elem_shape, allow_missing):
    rows = _steps(serialized, key, dtype, source, elem_shape, allow_missing)
    return np.array([len(r) for r in rows], np.int64).reshape(serialized.shape)


def _parse_seq(serialized, default, *shape_operand, key, dtype, source, elem_shape, allow_missing, shape=None):
    rows = _steps(serialized, key, dtype, source, elem_shape, allow_missing)
    longest = max(map(len, rows), default=0)
    size = math.prod(elem_shape)
    out = np.empty((len(rows), longest, size), dtype=default.dtype)
    out[...] = default
    for r, steps in enumerate(rows):
        if steps:
            out[r, :len(steps)] = steps
    return out.reshape((*serialized.shape, longest, *elem_shape))


def _check(types, attrs) -> TensorType:
    t = _serialized(types)
    if attrs["source"] not in ("example", "feature_list"):
        raise ShapeError(f"a FixedLenSequenceFeature reads an Example or a feature list, not {attrs['source']!r}")
    require_dtype(attrs["dtype"], (f32, i64, string), "feature dtype")
    if t.shape is not None and len(t.shape) > 1:
        raise ShapeError(f"serialized must be a scalar or a vector, got {t}")
    return t


def _shape_infer(types, attrs):
    t = _check(types, attrs)
    return [TensorType(i64, (None if t.shape is None else len(t.shape) + 1 + len(attrs["elem_shape"]),))]


def _lengths_infer(types, attrs):
    t = _check(types, attrs)
    return [TensorType(i64, t.shape)]


def _seq_infer(types, attrs, steps=None):
    t = _check(types, attrs)
    default = tensor_operand(types, 1)
    if default.dtype is not attrs["dtype"]:
        raise ShapeError(f"the padding value must be {attrs['dtype'].name}, got {default}")
    if default.shape is not None and default.shape != ():
        raise ShapeError(f"the padding value must be a scalar, got {default}")
    shape = None if t.shape is None else (*t.shape, None, *attrs["elem_shape"])
    return [TensorType(attrs["dtype"], shape if steps is None else tuple(steps))]


_SEQ_ATTRS = {"key": Attr("str"), "dtype": Attr("dtype"), "source": Attr("str", "example"),
              "elem_shape": Attr("ints"), "allow_missing": Attr("bool", True)}
register(OpDef("dfc.parse_example_seq_shape", "strings", _shape_infer, _seq_shape, 1, dict(_SEQ_ATTRS),
               differentiable=False, fusible_as=None,
               doc="the shape [batch..., longest, *elem_shape] of a FixedLenSequenceFeature's padded tensor"))
register(OpDef("dfc.parse_example_seq_lengths", "strings", _lengths_infer, _seq_lengths, 1, dict(_SEQ_ATTRS),
               differentiable=False, fusible_as=None,
               doc="how many steps each record's FixedLenSequenceFeature has (parse_sequence_example's lengths)"))
register(OpDef("dfc.dynamic_parse_example_seq", "strings", _seq_infer, _parse_seq, 3, dict(_SEQ_ATTRS),
               differentiable=False, fusible_as=None,
               doc="a FixedLenSequenceFeature padded with operand 1, given its shape; specialize makes it a "
                   "dfc.parse_example_seq"))
register(OpDef("dfc.parse_example_seq", "strings", lambda types, attrs: _seq_infer(types, attrs, attrs["shape"]),
               _parse_seq, 2, {**_SEQ_ATTRS, "shape": Attr("ints")}, differentiable=False, fusible_as=None,
               doc="a FixedLenSequenceFeature padded with operand 1 to `shape`"))
SHAPE_OPERAND["dfc.dynamic_parse_example_seq"] = 2
COUNTED_OPS["dfc.dynamic_parse_example_seq"] = "dfc.parse_example_seq"


# ---- tf.io.decode_json_example ----------------------------------------------------------------------
def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, body: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(body)) + body


class _JsonError(ValueError):
    pass


def _object(value, what: str, fields: tuple[str, ...]) -> dict:
    """A JSON object standing for a proto message of `fields` (JSON and original names): none other allowed."""
    if not isinstance(value, dict):
        raise _JsonError(f"{what}: expected an object, got {json.dumps(value)[:40]}")
    for name in value:
        if name not in fields:
            raise _JsonError(f"{what}: no such field: '{name}'")
    return value


def _json_float(v) -> float:
    if isinstance(v, str):
        if v in ("NaN", "Infinity", "-Infinity"):
            return float(v.replace("Infinity", "inf"))
        return float(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _JsonError(f"invalid value {json.dumps(v)} for a float")
    return float(v)


def _json_int(v) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise _JsonError(f"invalid value {json.dumps(v)} for an int64")
    if isinstance(v, float) and not v.is_integer():
        raise _JsonError(f"expected integer, but JSON number had fractional part: {v}")
    n = int(v) if not isinstance(v, str) else int(v, 10)
    if not -(1 << 63) <= n < (1 << 63):
        raise _JsonError(f"invalid value {json.dumps(v)} for an int64")
    return n


_KIND_FIELDS = (("bytesList", "bytes_list"), ("floatList", "float_list"), ("int64List", "int64_list"))


def _feature_bytes(key: str, feature) -> bytes:
    """A Feature's bytes as protobuf's JSON parser writes them: repeated values one field each (not packed)."""
    feature = _object(feature, f"features.feature[{key}]", sum(_KIND_FIELDS, ()))
    body = b""
    for number, names in enumerate(_KIND_FIELDS, 1):
        given = [feature[n] for n in names if n in feature]
        if not given:
            continue
        values = _object(given[-1], names[0], ("value",)).get("value") or []
        if not isinstance(values, list):
            raise _JsonError(f"{names[0]}.value: expected an array")
        if number == 1:
            inner = b"".join(_field(1, base64.b64decode(v, validate=False)) for v in values)
        elif number == 2:
            inner = b"".join(b"\x0d" + struct.pack("<f", _json_float(v)) for v in values)
        else:
            inner = b"".join(b"\x08" + _varint(_json_int(v)) for v in values)
        body += _field(number, inner)
    return body


def json_to_example(text: bytes) -> bytes:
    """The binary tf.train.Example of its JSON form (proto3's JSON mapping), bytes as protobuf writes them."""
    example = _object(json.loads(text), "Example", ("features",))
    if "features" not in example:
        return b""
    features = _object(example["features"], "features", ("feature",))
    entries = b""
    feature_map = features.get("feature") or {}
    if not isinstance(feature_map, dict):
        raise _JsonError(f"features.feature: expected an object, got {json.dumps(feature_map)[:40]}")
    for key, feature in feature_map.items():
        entry = _field(1, key.encode()) + _field(2, _feature_bytes(key, feature))
        entries += _field(1, entry)
    return _field(1, entries)


def _decode_json(x):
    out = np.empty(x.shape, dtype=object)
    flat = out.reshape(-1)
    for i, text in enumerate(x.reshape(-1)):
        try:
            flat[i] = json_to_example(text)
        except (ValueError, TypeError, AttributeError, OverflowError, struct.error) as e:
            raise InvalidArgumentError(f"Error while parsing JSON: {e}") from None
    return out


def _json_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, (string,), "json_examples")
    return [TensorType(string, t.shape)]


register(OpDef("dfc.decode_json_example", "strings", _json_infer, _decode_json, 1, {}, differentiable=False,
               fusible_as=None, doc="JSON-encoded tf.train.Examples as their binary protos"))
