"""Checkpoint files: variables in the safetensors format, written atomically and verified on read.

The format (an 8-byte little-endian header length, a JSON header naming each tensor's
dtype, shape and byte range, then the raw bytes) is read and written here rather than
through the safetensors package, whose numpy API has no bfloat16; the files are plain
safetensors files all the same (a test reads them back with the package). A SHA-256 of the
data section and of the tensor table is kept in the header's metadata so a damaged file is refused, never loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import reprlib
import struct
import tempfile

import ml_dtypes
import numpy as np

from dfc.ir.errors import DataLossError  # a file truncated, damaged or not a checkpoint at all
from dfc.ir.errors import FailedPreconditionError, PermissionDeniedError, UnknownError

#: numpy dtype -> safetensors dtype name
_TO_ST = {np.dtype(np.float16): "F16", np.dtype(ml_dtypes.bfloat16): "BF16", np.dtype(np.float32): "F32",
          np.dtype(np.float64): "F64", np.dtype(np.int8): "I8", np.dtype(np.int32): "I32",
          np.dtype(np.int64): "I64", np.dtype(np.bool_): "BOOL", np.dtype(np.uint8): "U8",
          np.dtype(np.int16): "I16", np.dtype(np.uint16): "U16", np.dtype(np.uint32): "U32",
          np.dtype(np.uint64): "U64"}
_FROM_ST = {v: k for k, v in _TO_ST.items()}
_MAX_HEADER = 100 * 1024 * 1024
_CHECKSUM_KEY = "dfc.sha256"
#: metadata naming the tf.string tensors (safetensors has no string dtype) and their shapes: each is stored as
#: U8 bytes, its elements' lengths (little-endian uint64s) then the elements one after another
_STRINGS_KEY = "dfc.strings"
#: metadata naming the complex64/complex128 tensors (safetensors has no complex dtype): each is stored as its
#: float32/float64 pairs (real, imaginary), a last axis of 2, numpy's own layout of a complex array
_COMPLEX_KEY = "dfc.complex"


def _pack_strings(name: str, array: np.ndarray) -> np.ndarray:
    items = array.reshape(-1).tolist()
    if not all(isinstance(v, bytes) for v in items):
        raise TypeError(f"cannot checkpoint '{name}': a string tensor holds bytes, got {reprlib.repr(items)}")
    lengths = np.array([len(v) for v in items], dtype="<u8").tobytes()
    return np.frombuffer(lengths + b"".join(items), dtype=np.uint8)


def _unpack_strings(path: str, name: str, blob: np.ndarray, shape: list) -> np.ndarray:
    count = int(np.prod(shape, dtype=np.int64))
    raw = blob.tobytes()
    if len(raw) < 8 * count:
        raise DataLossError(f"{path}: string tensor '{name}' is damaged")
    lengths = np.frombuffer(raw[:8 * count], dtype="<u8").tolist()
    if 8 * count + sum(lengths) != len(raw):
        raise DataLossError(f"{path}: string tensor '{name}' is damaged")
    out = np.empty(count, dtype=object)
    pos = 8 * count
    for i, n in enumerate(lengths):
        out[i] = raw[pos:pos + n]
        pos += n
    return out.reshape(shape)


def save_tensors(path: str, tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> None:
    """Write `tensors` to `path` atomically: readers see the old file or the whole new one."""
    header: dict[str, object] = {}
    chunks: list[bytes] = []
    offset = 0
    strings: dict[str, list[int]] = {}
    complexes: list[str] = []
    for name in sorted(tensors):
        array = np.asarray(tensors[name])
        if array.dtype == object:  # tf.string: its elements' lengths then their bytes, as U8 (see _STRINGS_KEY)
            strings[name] = list(array.shape)
            array = _pack_strings(name, array)
        elif array.dtype.kind == "c":  # (real, imaginary) pairs (see _COMPLEX_KEY)
            complexes.append(name)
            array = np.ascontiguousarray(array).view(array.real.dtype).reshape(*array.shape, 2)
        if array.dtype not in _TO_ST:
            raise TypeError(f"cannot checkpoint '{name}' of dtype {array.dtype}")
        data = np.require(array, requirements="C").tobytes()
        header[name] = {"dtype": _TO_ST[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    body = b"".join(chunks)
    meta = dict(metadata or {})
    if strings:
        meta[_STRINGS_KEY] = json.dumps(strings, sort_keys=True)
    if complexes:
        meta[_COMPLEX_KEY] = json.dumps(complexes)
    meta[_CHECKSUM_KEY] = _digest(header, body)
    header["__metadata__"] = meta
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the format pads the header to 8-byte alignment
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    remove_leftovers(directory)
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".tmp-{os.getpid()}-", suffix=".safetensors")
    except OSError as e:  # a folder we may not write to
        raise _save_error(path, e) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError):  # TF's SaveV2 fails with the file system's error as an OpError
            raise _save_error(path, e) from None
        raise


def _save_error(path: str, e: OSError) -> Exception:
    what = f"cannot save a checkpoint to {path}: {e.strerror or e}"
    if isinstance(e, (IsADirectoryError, NotADirectoryError)):
        return FailedPreconditionError(what)
    if isinstance(e, PermissionError):
        return PermissionDeniedError(what)
    return UnknownError(what)


_LEFTOVER = re.compile(r"^\.tmp-(\d+)-.*\.safetensors$")


def remove_leftovers(directory: str) -> list[str]:
    """Delete the temporary files of saves whose process died mid-write (the checkpoints themselves are whole)."""
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = _LEFTOVER.match(name)
        if match is None or _alive(int(match.group(1))):
            continue
        try:
            os.unlink(os.path.join(directory, name))
            removed.append(name)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _digest(entries: dict, body: bytes) -> str:
    """SHA-256 over the tensor table (canonical JSON) and the data: a flipped name is caught too."""
    table = json.dumps(entries, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(table + body).hexdigest()


def _exact_int(x: object) -> int:
    """An int from the header; floats, bools and strings are damage, not sizes."""
    if type(x) is not int:
        raise TypeError(x)
    return x


def load_tensors(path: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The tensors and metadata of a checkpoint file; any damage raises DataLossError naming the file."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"no checkpoint file at {path}") from None
    except OSError as e:  # a directory, a file we may not read
        raise DataLossError(f"{path}: cannot read a checkpoint here: {e.strerror or e}") from None
    if len(raw) < 8:
        raise DataLossError(f"{path}: not a checkpoint (file of {len(raw)} bytes)")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > min(_MAX_HEADER, len(raw) - 8):
        raise DataLossError(f"{path}: header length {n} does not fit the file ({len(raw)} bytes)")
    try:
        header = json.loads(raw[8:8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataLossError(f"{path}: damaged header ({e})") from None
    except RecursionError:
        raise DataLossError(f"{path}: damaged header (nested too deeply)") from None
    if not isinstance(header, dict):
        raise DataLossError(f"{path}: the header is not a table of tensors")
    body = raw[8 + n:]
    metadata = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise DataLossError(f"{path}: the header's __metadata__ is not a table of strings")
    expected = metadata.get(_CHECKSUM_KEY)
    if expected is not None and _digest(header, body) != expected:
        raise DataLossError(f"{path}: checksum mismatch: the file is damaged")
    tensors = {}
    for name, info in header.items():
        try:
            dtype = _FROM_ST[info["dtype"]]
            shape = tuple(_exact_int(d) for d in info["shape"])
            start, end = (_exact_int(x) for x in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise DataLossError(f"{path}: bad entry for tensor '{name}': {reprlib.repr(info)}") from None
        if any(d < 0 for d in shape):
            raise DataLossError(f"{path}: tensor '{name}' has a negative dim in its shape {list(shape)}")
        count = 1
        for d in shape:  # Python ints: a crafted shape cannot wrap around
            count *= d
        if not 0 <= start <= end <= len(body) or end - start != count * dtype.itemsize:
            raise DataLossError(f"{path}: tensor '{name}' claims bytes {start}..{end} of a {len(body)}-byte section")
        tensors[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(shape).copy()
    try:
        strings = json.loads(metadata.get(_STRINGS_KEY, "{}"))
    except json.JSONDecodeError:
        raise DataLossError(f"{path}: damaged string table") from None
    for name, shape in strings.items():
        if name not in tensors or tensors[name].dtype != np.uint8:
            raise DataLossError(f"{path}: string tensor '{name}' is missing")
        tensors[name] = _unpack_strings(path, name, tensors[name], shape)
    try:
        complexes = json.loads(metadata.get(_COMPLEX_KEY, "[]"))
    except json.JSONDecodeError:
        raise DataLossError(f"{path}: damaged complex table") from None
    for name in complexes:
        pairs = tensors.get(name)
        if pairs is None or pairs.dtype not in (np.float32, np.float64) or pairs.shape[-1:] != (2,):
            raise DataLossError(f"{path}: complex tensor '{name}' is missing")
        kind = np.complex64 if pairs.dtype == np.float32 else np.complex128
        tensors[name] = np.ascontiguousarray(pairs).view(kind).reshape(pairs.shape[:-1])
    return tensors, {k: v for k, v in metadata.items() if k not in (_CHECKSUM_KEY, _STRINGS_KEY, _COMPLEX_KEY)}
