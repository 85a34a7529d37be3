"""TensorFlow's own checkpoints (tensor bundles: `<prefix>.index` + `<prefix>.data-0000i-of-0000n`), read.

The index is a LevelDB-format table (data blocks of prefix-compressed keys, an index block,
a 48-byte footer) mapping each tensor's name to a BundleEntryProto (dtype, shape, shard,
offset, size, masked CRC-32C of the bytes); the empty key holds the BundleHeaderProto. The
protos are declared here (a private descriptor pool), so TensorFlow is not needed to read them.
Anything that does not fit is a DataLossError naming the file.
"""

from __future__ import annotations

import os
import struct
from typing import Any

import ml_dtypes
import numpy as np

from dfc.ir.errors import DataLossError, UnimplementedError

_MAGIC = 0xDB4775248B80FB57
_FOOTER = 48

#: TF's DataType enum -> numpy dtype (the fixed-size ones a bundle stores as raw bytes)
_DTYPES = {1: np.dtype(np.float32), 2: np.dtype(np.float64), 3: np.dtype(np.int32), 4: np.dtype(np.uint8),
           5: np.dtype(np.int16), 6: np.dtype(np.int8), 9: np.dtype(np.int64), 10: np.dtype(np.bool_),
           14: np.dtype(ml_dtypes.bfloat16), 17: np.dtype(np.uint16), 19: np.dtype(np.float16),
           22: np.dtype(np.uint32), 23: np.dtype(np.uint64)}


_DT_STRING = 7


def _checksummed(raw: bytes, count: int) -> bytes:
    """The bytes TF's checksum of a string tensor covers: each length as 4 bytes (not its varint), then the rest."""
    lengths, pos = [], 0
    for _ in range(count):
        length, pos = _varint(raw, pos, "string tensor")
        lengths.append(length)
    return np.asarray(lengths, dtype="<u4").tobytes() + raw[pos:]


def _strings(raw: bytes, count: int, name: str, prefix: str) -> np.ndarray:
    """A string tensor as TF's bundle writes it: each length as a varint64, a 4-byte checksum, then the bytes."""
    lengths, pos = [], 0
    for _ in range(count):
        length, pos = _varint(raw, pos, f"{prefix}: string tensor '{name}'")
        lengths.append(length)
    pos += 4
    out = np.empty(count, dtype=object)
    for i, length in enumerate(lengths):
        out[i] = raw[pos:pos + length]
        pos += length
    if pos != len(raw):
        raise DataLossError(f"{prefix}: string tensor '{name}' holds {len(raw)} bytes, its lengths say {pos}")
    return out


def _messages() -> dict[str, Any]:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    f = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(name="dfc/tensor_bundle.proto", package="dfc_tf_bundle",
                                              syntax="proto3")

    def message(name: str, fields: list[tuple]) -> None:
        m = file.message_type.add(name=name)
        for fname, number, ftype, label, type_name in fields:
            fd = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                fd.type_name = type_name

    opt, rep = f.LABEL_OPTIONAL, f.LABEL_REPEATED
    message("Dim", [("size", 1, f.TYPE_INT64, opt, ""), ("name", 2, f.TYPE_STRING, opt, "")])
    message("TensorShapeProto", [("dim", 2, f.TYPE_MESSAGE, rep, ".dfc_tf_bundle.Dim"),
                                 ("unknown_rank", 3, f.TYPE_BOOL, opt, "")])
    message("Extent", [("start", 1, f.TYPE_INT64, opt, ""), ("length", 2, f.TYPE_INT64, opt, "")])
    message("TensorSliceProto", [("extent", 1, f.TYPE_MESSAGE, rep, ".dfc_tf_bundle.Extent")])
    message("BundleHeaderProto", [("num_shards", 1, f.TYPE_INT32, opt, ""), ("endianness", 2, f.TYPE_INT32, opt, "")])
    message("BundleEntryProto", [("dtype", 1, f.TYPE_INT32, opt, ""),
                                 ("shape", 2, f.TYPE_MESSAGE, opt, ".dfc_tf_bundle.TensorShapeProto"),
                                 ("shard_id", 3, f.TYPE_INT32, opt, ""), ("offset", 4, f.TYPE_INT64, opt, ""),
                                 ("size", 5, f.TYPE_INT64, opt, ""), ("crc32c", 6, f.TYPE_FIXED32, opt, ""),
                                 ("slices", 7, f.TYPE_MESSAGE, rep, ".dfc_tf_bundle.TensorSliceProto")])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"dfc_tf_bundle.{name}"))
            for name in ("BundleHeaderProto", "BundleEntryProto")}


def _varint(data: bytes, pos: int, where: str) -> tuple[int, int]:
    result, shift = 0, 0
    while True:
        if pos >= len(data) or shift > 63:
            raise DataLossError(f"{where}: truncated or damaged table (varint)")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _block(data: bytes, offset: int, size: int, where: str) -> bytes:
    if offset < 0 or size < 0 or offset + size + 5 > len(data):
        raise DataLossError(f"{where}: a block handle points outside the file")
    kind = data[offset + size]
    if kind != 0:
        raise UnimplementedError(f"{where}: compressed index blocks (type {kind}) are not supported")
    return data[offset:offset + size]


def _entries(block: bytes, where: str) -> list[tuple[bytes, bytes]]:
    if len(block) < 4:
        raise DataLossError(f"{where}: block too short")
    (restarts,) = struct.unpack("<I", block[-4:])
    end = len(block) - 4 - 4 * restarts
    if end < 0:
        raise DataLossError(f"{where}: bad restart count")
    out, pos, key = [], 0, b""
    while pos < end:
        shared, pos = _varint(block, pos, where)
        unshared, pos = _varint(block, pos, where)
        length, pos = _varint(block, pos, where)
        if shared > len(key) or pos + unshared + length > end:
            raise DataLossError(f"{where}: damaged block entry")
        key = key[:shared] + block[pos:pos + unshared]
        pos += unshared
        out.append((key, block[pos:pos + length]))
        pos += length
    return out


def read_index(index_path: str) -> dict[str, Any]:
    """{tensor name: BundleEntryProto} of a bundle's .index file (the header under '')."""
    try:
        with open(index_path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"no TensorFlow checkpoint index at {index_path}") from None
    if len(data) < _FOOTER:
        raise DataLossError(f"{index_path}: not a TensorFlow checkpoint index (file of {len(data)} bytes)")
    footer = data[-_FOOTER:]
    (magic,) = struct.unpack("<Q", footer[-8:])
    if magic != _MAGIC:
        raise DataLossError(f"{index_path}: not a TensorFlow checkpoint index (bad magic number)")
    _, pos = _varint(footer, 0, index_path)
    _, pos = _varint(footer, pos, index_path)
    index_offset, pos = _varint(footer, pos, index_path)
    index_size, pos = _varint(footer, pos, index_path)
    messages = _messages()
    entries: dict[str, Any] = {}
    for _, handle in _entries(_block(data, index_offset, index_size, index_path), index_path):
        offset, p = _varint(handle, 0, index_path)
        size, _ = _varint(handle, p, index_path)
        for key, value in _entries(_block(data, offset, size, index_path), index_path):
            proto = messages["BundleHeaderProto" if key == b"" else "BundleEntryProto"]()
            try:
                proto.ParseFromString(value)
            except Exception as e:  # noqa: BLE001 - protobuf's DecodeError and friends: damage
                raise DataLossError(f"{index_path}: damaged entry for '{key.decode(errors='replace')}': {e}") from None
            entries[key.decode("utf-8", errors="surrogateescape")] = proto  # a slice's binary key stays whole
    return entries


def is_bundle(prefix: str) -> bool:
    return os.path.isfile(prefix + ".index")


def load_bundle(prefix: str) -> dict[str, np.ndarray]:
    """Every tensor of the TensorFlow checkpoint at `prefix`, checked against its CRC."""
    from .crc32c import PYTHON_CRC_LIMIT, fast, masked_crc32c

    entries = read_index(prefix + ".index")
    header = entries.pop("", None)
    num_shards = header.num_shards if header is not None and header.num_shards else 1
    if header is not None and header.endianness != 0:
        raise UnimplementedError(f"{prefix}: big-endian TensorFlow checkpoints are not supported")
    shards: dict[int, bytes] = {}
    tensors = {}

    def read(name: str, entry: Any, dtype: np.dtype) -> np.ndarray:
        shape = tuple(int(d.size) for d in entry.shape.dim)
        shard = entry.shard_id
        if shard not in shards:
            path = f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"
            try:
                with open(path, "rb") as f:
                    shards[shard] = f.read()
            except FileNotFoundError:
                raise DataLossError(f"{prefix}: the data file {path} is missing") from None
        data = shards[shard]
        start, size = int(entry.offset), int(entry.size)
        count = int(np.prod(shape, dtype=np.int64))
        expected = size if dtype.kind == "O" else dtype.itemsize * count
        if start < 0 or start + size > len(data) or size != expected:
            raise DataLossError(f"{prefix}: tensor '{name}' claims bytes {start}..{start + size} that do not fit")
        raw = data[start:start + size]
        checked = fast() or len(raw) <= PYTHON_CRC_LIMIT  # a pure-Python CRC of a huge tensor would take minutes
        if entry.crc32c and checked and masked_crc32c(_checksummed(raw, count) if dtype.kind == "O" else raw) \
                != entry.crc32c:
            raise DataLossError(f"{prefix}: checksum mismatch for tensor '{name}': the data file is damaged")
        if dtype.kind == "O":
            return _strings(raw, count, name, prefix).reshape(shape)
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()

    for name, entry in sorted(entries.items()):
        if name.startswith("\x00"):
            continue  # one slice of a partitioned variable: read with its whole, below
        dtype = np.dtype(object) if entry.dtype == _DT_STRING else _DTYPES.get(entry.dtype)
        if dtype is None:
            continue  # resources and variants: not variables dfc can hold
        if not entry.slices:
            tensors[name] = read(name, entry, dtype)
            continue
        # a partitioned variable (TF's save_slice_info): the whole, assembled from its slices' entries
        whole = np.zeros(tuple(int(d.size) for d in entry.shape.dim), dtype=dtype)
        for piece in entry.slices:
            extents = [(int(e.start), int(e.length) if e.length else -1) for e in piece.extent]
            part = entries.get(slice_key(name, extents))
            if part is None:
                raise DataLossError(f"{prefix}: slice {extents} of partitioned tensor '{name}' is missing")
            where = tuple(slice(start, None if length < 0 else start + length) for start, length in extents)
            whole[where] = read(name, part, dtype)
        tensors[name] = whole
    return tensors


def _num_increasing(value: int) -> bytes:
    """OrderedCode's WriteNumIncreasing: the byte count, then the big-endian bytes."""
    body = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
    return bytes([len(body)]) + body


def _signed_num_increasing(value: int) -> bytes:
    """OrderedCode's WriteSignedNumIncreasing: a unary length header in the leading bits, then the value."""
    x = ~value if value < 0 else value
    length = 1
    while x >= 1 << (7 * length - 1):
        length += 1
    raw = bytearray((value & ((1 << (8 * length)) - 1)).to_bytes(length, "big"))
    header = ((1 << length) - 1) << max(0, 8 * length - length) if length <= 8 else 0
    header_bytes = bytearray(header.to_bytes(length, "big")) if length <= 8 else bytearray(b"\xff" + bytes(
        [(0xff << (8 - (length - 8))) & 0xff]) + bytes(length - 2))
    for i in range(length):
        raw[i] ^= header_bytes[i]
    return bytes(raw)


def slice_key(name: str, extents: list[tuple[int, int]]) -> str:
    """The index key of one slice of tensor `name` (TF's checkpoint::EncodeTensorNameSlice), as read_index
    decodes keys."""
    encoded = name.encode("utf-8").replace(b"\x00", b"\x00\xff").replace(b"\xff", b"\xff\x00")
    key = _num_increasing(0) + encoded + b"\x00\x01" + _num_increasing(len(extents))
    for start, length in extents:
        key += _signed_num_increasing(start) + _signed_num_increasing(length)
    return key.decode("utf-8", errors="surrogateescape")
