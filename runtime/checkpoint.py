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
import struct
import tempfile

import ml_dtypes
import numpy as np

from dfc.ir.errors import DfcError

#: numpy dtype -> safetensors dtype name
_TO_ST = {np.dtype(np.float16): "F16", np.dtype(ml_dtypes.bfloat16): "BF16", np.dtype(np.float32): "F32",
          np.dtype(np.float64): "F64", np.dtype(np.int8): "I8", np.dtype(np.int32): "I32",
          np.dtype(np.int64): "I64", np.dtype(np.bool_): "BOOL", np.dtype(np.uint8): "U8",
          np.dtype(np.int16): "I16", np.dtype(np.uint16): "U16", np.dtype(np.uint32): "U32"}
_FROM_ST = {v: k for k, v in _TO_ST.items()}
_MAX_HEADER = 100 * 1024 * 1024
_CHECKSUM_KEY = "dfc.sha256"


class DataLossError(DfcError):
    """A checkpoint file that is truncated, damaged or not a checkpoint at all."""


def save_tensors(path: str, tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> None:
    """Write `tensors` to `path` atomically: readers see the old file or the whole new one."""
    header: dict[str, object] = {}
    chunks: list[bytes] = []
    offset = 0
    for name in sorted(tensors):
        array = np.asarray(tensors[name])
        if array.dtype not in _TO_ST:
            raise TypeError(f"cannot checkpoint '{name}' of dtype {array.dtype}")
        data = np.require(array, requirements="C").tobytes()
        header[name] = {"dtype": _TO_ST[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    body = b"".join(chunks)
    meta = dict(metadata or {})
    meta[_CHECKSUM_KEY] = _digest(header, body)
    header["__metadata__"] = meta
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the format pads the header to 8-byte alignment
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    remove_leftovers(directory)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".tmp-{os.getpid()}-", suffix=".safetensors")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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


def load_tensors(path: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The tensors and metadata of a checkpoint file; any damage raises DataLossError naming the file."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"no checkpoint file at {path}") from None
    if len(raw) < 8:
        raise DataLossError(f"{path}: not a checkpoint (file of {len(raw)} bytes)")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > min(_MAX_HEADER, len(raw) - 8):
        raise DataLossError(f"{path}: header length {n} does not fit the file ({len(raw)} bytes)")
    try:
        header = json.loads(raw[8:8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataLossError(f"{path}: damaged header ({e})") from None
    if not isinstance(header, dict):
        raise DataLossError(f"{path}: the header is not a table of tensors")
    body = raw[8 + n:]
    metadata = header.pop("__metadata__", {}) or {}
    expected = metadata.get(_CHECKSUM_KEY)
    if expected is not None and _digest(header, body) != expected:
        raise DataLossError(f"{path}: checksum mismatch: the file is damaged")
    tensors = {}
    for name, info in header.items():
        try:
            dtype = _FROM_ST[info["dtype"]]
            shape = tuple(int(d) for d in info["shape"])
            start, end = (int(x) for x in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise DataLossError(f"{path}: bad entry for tensor '{name}': {info!r}") from None
        if not 0 <= start <= end <= len(body) or end - start != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            raise DataLossError(f"{path}: tensor '{name}' claims bytes {start}..{end} of a {len(body)}-byte section")
        tensors[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(shape).copy()
    return tensors, {k: v for k, v in metadata.items() if k != _CHECKSUM_KEY}
