"""TF1's file and tensor-serialization ops: tf.io.matching_files, tf.io.write_file, tf.train.match_filenames_once,
tf.io.serialize_tensor and tf.io.parse_tensor.

They are host work (the file system, protobuf bytes) whose results' shapes only their values decide, so each
runs as a host call before the step, the way tf.py_func does (script_ops.py): a run that needs one computes
its inputs, calls it, and feeds the step its result.
"""

from __future__ import annotations

import glob
import os
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype
from dfc.ir.errors import InvalidArgumentError

from .framework import Tensor, convert_to_tensor, name_scope


def _string(value: Any, what: str, op: str) -> Tensor:
    t = convert_to_tensor(value, dtype="string") if not isinstance(value, Tensor) else value
    if not t.dtype.is_string:
        raise TypeError(f"{op}: {what} {t.name} must be a string tensor, got {t.dtype.name}")
    return t


def _py(fn, inputs: list, tout, name: str):
    from .script_ops import py_func
    return py_func(fn, inputs, tout, stateful=True, name=name)


def _text(x: Any) -> str:
    return x.decode("utf-8") if isinstance(x, bytes) else str(x)


def _has_magic(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def _match(patterns: np.ndarray) -> np.ndarray:
    """TF's MatchingFiles: every file matching any of the glob patterns, sorted."""
    found: list[bytes] = []
    for pattern in np.asarray(patterns, dtype=object).reshape(-1):
        pattern = _text(pattern)
        if _has_magic(pattern):
            found += [p.encode() for p in sorted(glob.glob(pattern))]
        elif os.path.exists(pattern):
            found.append(pattern.encode())
    return np.array(sorted(found), dtype=object)


def matching_files(pattern, name: str | None = None) -> Tensor:
    """A 1-D string tensor of the files matching the glob pattern (or any of a 1-D tensor of patterns), computed
    when the step runs; empty when none matches."""
    pattern = _string(pattern, "pattern", "MatchingFiles")
    if pattern.shape.ndims is not None and pattern.shape.ndims > 1:
        raise ValueError(f"MatchingFiles: pattern {pattern.name} must be a scalar or a vector, got shape "
                         f"{pattern.shape}")
    out = _py(_match, [pattern], "string", name or "MatchingFiles")
    out.set_shape([None])
    return out


def write_file(filename, contents, name: str | None = None):
    """An op that writes the scalar string `contents` to the file `filename` when run (making its directory)."""
    filename = _string(filename, "filename", "WriteFile")
    contents = _string(contents, "contents", "WriteFile")
    for what, t in (("filename", filename), ("contents", contents)):
        if t.shape.ndims is not None and t.shape.ndims != 0:
            raise ValueError(f"WriteFile: {what} {t.name} must be a scalar, got shape {t.shape}")

    def write(path, data) -> None:
        path = _text(np.asarray(path, dtype=object).reshape(()).item())
        data = np.asarray(data, dtype=object).reshape(()).item()
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if os.path.isdir(path):
            raise InvalidArgumentError(f"{path}; Is a directory (WriteFile)")
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else str(data).encode())
    return _py(write, [filename, contents], [], name or "WriteFile")


def match_filenames_once(pattern, name: str | None = None):
    """A local variable holding the files matching `pattern`, computed once, when local variables are
    initialized (tf.train.match_filenames_once)."""
    from .variables import Variable
    with name_scope(name, "matching_filenames", [pattern]) as scope:
        files = matching_files(pattern)
        return Variable(files, trainable=False, collections=["local_variables"], name=scope, validate_shape=False)


# ---- tensors as TensorProto bytes ---------------------------------------------------------------------
def _serialize(array: np.ndarray) -> np.ndarray:
    from .summary_encoding import tensor_proto
    array = np.asarray(array)
    return np.array(tensor_proto(array).SerializeToString(), dtype=object)


def serialize_tensor(tensor, name: str | None = None) -> Tensor:
    """A scalar string: the tensor's TensorProto bytes (what tf.io.parse_tensor reads back)."""
    tensor = convert_to_tensor(tensor)
    out = _py(_serialize, [tensor], "string", name or "SerializeTensor")
    out.set_shape([])
    return out


def parse_tensor(serialized, out_type, name: str | None = None) -> Tensor:
    """The tensor of a serialized TensorProto; InvalidArgumentError when its dtype is not out_type."""
    from .tf_behavior import make_ndarray
    serialized = _string(serialized, "serialized", "ParseTensor")
    out_type = as_dtype(out_type)
    label = name or "ParseTensor"

    def parse(data):
        from tensorboard.compat.proto import tensor_pb2
        data = np.asarray(data, dtype=object)
        if data.ndim != 0:
            raise InvalidArgumentError(f"Expected `serialized` to be a scalar, got shape: {list(data.shape)} "
                                       f"(ParseTensor '{label}')")
        proto = tensor_pb2.TensorProto()
        try:
            proto.ParseFromString(data.item())
        except Exception:  # noqa: BLE001 - protobuf's DecodeError: not a TensorProto
            raise InvalidArgumentError(f"Could not parse `serialized` as TensorProto: '{data.item()[:40]!r}' "
                                       f"(ParseTensor '{label}')") from None
        if proto.dtype == 7:  # DT_STRING
            shape = [d.size for d in proto.tensor_shape.dim]
            value, got = np.array(list(proto.string_val), dtype=object).reshape(shape), "string"
        else:
            value = make_ndarray(proto)
            got = as_dtype(value.dtype).name
        if got != out_type.name:
            tf_names = {"float32": "float", "float64": "double"}  # TF's DataTypeString
            raise InvalidArgumentError(f"Type mismatch between parsed tensor ({tf_names.get(got, got)}) and dtype "
                                       f"({tf_names.get(out_type.name, out_type.name)}) "
                                       f"(ParseTensor '{label}')")
        return value
    return _py(parse, [serialized], out_type, label)


__all__ = ["match_filenames_once", "matching_files", "parse_tensor", "serialize_tensor", "write_file"]
