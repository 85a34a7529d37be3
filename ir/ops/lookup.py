"""Lookup and hashing ops: vocabulary tables (tf.lookup, tf.contrib.lookup) and TF's string hash buckets.

A table here is its keys and values as operands (the initializer's tensors, usually constants) plus
a `ready` flag that is the read of a variable the table's initializer sets, so a lookup before
tf.tables_initializer() fails as TF's does. They run on the host (family "strings": see
runtime/host_strings.py), whatever the keys' dtype.
"""

from __future__ import annotations

import numpy as np

from ..dtypes import bool_, i64, string
from ..errors import FailedPreconditionError, InvalidArgumentError, ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, register, require_dtype, tensor_operand

_MASK = (1 << 64) - 1
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F


def _rotr(value: int, shift: int) -> int:
    return value if shift == 0 else ((value >> shift) | (value << (64 - shift))) & _MASK


def _shift_mix(value: int) -> int:
    return value ^ (value >> 47)


def _u64(data: bytes, at: int) -> int:
    return int.from_bytes(data[at:at + 8], "little")


def _u32(data: bytes, at: int) -> int:
    return int.from_bytes(data[at:at + 4], "little")


def _mix16(u: int, v: int, mul: int) -> int:
    a = _shift_mix(((u ^ v) * mul) & _MASK)
    b = _shift_mix(((v ^ a) * mul) & _MASK)
    return (b * mul) & _MASK


def _short(data: bytes) -> int:
    size = len(data)
    mul = (_K2 + 2 * size) & _MASK
    if size > 16:
        a = (_u64(data, 0) * _K1) & _MASK
        b = _u64(data, 8)
        c = (_u64(data, size - 8) * mul) & _MASK
        d = (_u64(data, size - 16) * _K2) & _MASK
        return _mix16((_rotr((a + b) & _MASK, 43) + _rotr(c, 30) + d) & _MASK,
                      (a + _rotr((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    if size >= 8:
        a = (_u64(data, 0) + _K2) & _MASK
        b = _u64(data, size - 8)
        c = (_rotr(b, 37) * mul + a) & _MASK
        d = ((_rotr(a, 25) + b) * mul) & _MASK
        return _mix16(c, d, mul)
    if size >= 4:
        return _mix16((size + (_u32(data, 0) << 3)) & _MASK, _u32(data, size - 4), mul)
    if size > 0:
        y = data[0] + (data[size >> 1] << 8)
        z = size + (data[size - 1] << 2)
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK) * _K2) & _MASK
    return _K2


def _medium(data: bytes) -> int:
    size = len(data)
    mul = (_K2 + 2 * size) & _MASK
    a = (_u64(data, 0) * _K2) & _MASK
    b = _u64(data, 8)
    c = (_u64(data, size - 8) * mul) & _MASK
    d = (_u64(data, size - 16) * _K2) & _MASK
    y = (_rotr((a + b) & _MASK, 43) + _rotr(c, 30) + d) & _MASK
    z = _mix16(y, (a + _rotr((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_u64(data, 16) * mul) & _MASK
    f = _u64(data, 24)
    g = ((y + _u64(data, size - 32)) * mul) & _MASK
    h = ((z + _u64(data, size - 24)) * mul) & _MASK
    return _mix16((_rotr((e + f) & _MASK, 43) + _rotr(g, 30) + h) & _MASK,
                  (e + _rotr((f + a) & _MASK, 18) + g) & _MASK, mul)


def _weak32(data: bytes, at: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = (_u64(data, at + k) for k in (0, 8, 16, 24))
    a = (a + w) & _MASK
    b = _rotr((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rotr(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def fingerprint64(data: bytes) -> int:
    """FarmHash's Fingerprint64 (farmhashna::Hash64), the hash of TF's StringToHashBucketFast."""
    size = len(data)
    if size <= 32:
        return _short(data)
    if size <= 64:
        return _medium(data)
    seed = 81
    x, y = seed, (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v, w = (0, 0), (0, 0)
    x = (x * _K2 + _u64(data, 0)) & _MASK
    end = ((size - 1) // 64) * 64
    last64 = end + ((size - 1) & 63) - 63
    s = 0
    while True:
        x = (_rotr((x + y + v[0] + _u64(data, s + 8)) & _MASK, 37) * _K1) & _MASK
        y = (_rotr((y + v[1] + _u64(data, s + 48)) & _MASK, 42) * _K1) & _MASK
        x ^= w[1]
        y = (y + v[0] + _u64(data, s + 40)) & _MASK
        z = (_rotr((z + w[0]) & _MASK, 33) * _K1) & _MASK
        v = _weak32(data, s, (v[1] * _K1) & _MASK, (x + w[0]) & _MASK)
        w = _weak32(data, s + 32, (z + w[1]) & _MASK, (y + _u64(data, s + 16)) & _MASK)
        z, x = x, z
        s += 64
        if s == end:
            break
    mul = (_K1 + ((z & 0xFF) << 1)) & _MASK
    s = last64
    w0 = (w[0] + ((size - 1) & 63)) & _MASK
    v0 = (v[0] + w0) & _MASK
    w0 = (w0 + v0) & _MASK
    v, w = (v0, v[1]), (w0, w[1])
    x = (_rotr((x + y + v[0] + _u64(data, s + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rotr((y + v[1] + _u64(data, s + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w[1] * 9) & _MASK
    y = (y + v[0] * 9 + _u64(data, s + 40)) & _MASK
    z = (_rotr((z + w[0]) & _MASK, 33) * mul) & _MASK
    v = _weak32(data, s, (v[1] * mul) & _MASK, (x + w[0]) & _MASK)
    w = _weak32(data, s + 32, (z + w[1]) & _MASK, (y + _u64(data, s + 16)) & _MASK)
    z, x = x, z
    return _mix16((_mix16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _MASK,
                  (_mix16(v[1], w[1], mul) + x) & _MASK, mul)


def _as_key_bytes(value) -> bytes:
    """A key as the bytes TF hashes: strings as they are, integers as their decimal text (TF's as_string)."""
    return value if isinstance(value, bytes) else str(int(value)).encode()


def hash_buckets(values: np.ndarray, buckets: int) -> np.ndarray:
    """TF's string_to_hash_bucket_fast of each string (or integer's decimal text), as int64."""
    flat = np.asarray(values).reshape(-1)
    out = np.fromiter((fingerprint64(_as_key_bytes(v)) % buckets for v in flat), dtype=np.int64, count=flat.size)
    return out.reshape(np.shape(values))


def _hash_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, (string,), "input")
    if attrs["num_buckets"] < 1:
        raise ShapeError(f"num_buckets must be >= 1, got {attrs['num_buckets']}")
    return [t.with_dtype(i64)]


register(OpDef("dfc.string_to_hash_bucket_fast", "strings", _hash_infer,
               lambda x, num_buckets: hash_buckets(x, num_buckets), 1, {"num_buckets": Attr("int")},
               differentiable=False, fusible_as=None, doc="Fingerprint64 of each string modulo num_buckets"))


def fingerprints(values: np.ndarray) -> np.ndarray:
    """Each string's FarmHash Fingerprint64, its 64 bits as an int64 (how TF's sparse_cross hashes strings)."""
    flat = np.asarray(values).reshape(-1)
    unsigned = np.fromiter((fingerprint64(_as_key_bytes(v)) for v in flat), dtype=np.uint64, count=flat.size)
    return unsigned.view(np.int64).reshape(np.shape(values))


def _fingerprint_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, (string,), "input")
    return [t.with_dtype(i64)]


register(OpDef("dfc.string_fingerprint64", "strings", _fingerprint_infer, fingerprints, 1, {},
               differentiable=False, fusible_as=None, doc="Fingerprint64 of each string, its bits as int64"))


# ---- tables ------------------------------------------------------------------------------------
def _lookup_infer(types, attrs):
    keys, table_keys, table_values, default, ready = (tensor_operand(types, i) for i in range(5))
    if keys.dtype != table_keys.dtype:
        raise ShapeError(f"Table '{attrs['table']}': the keys looked up are {keys.dtype.name}, but the table's keys "
                         f"are {table_keys.dtype.name}")
    if default.dtype != table_values.dtype:
        raise ShapeError(f"Table '{attrs['table']}': the default value is {default.dtype.name}, but the table's "
                         f"values are {table_values.dtype.name}")
    require_dtype(ready.dtype, (bool_,), "ready")
    return [TensorType(table_values.dtype, keys.shape)]


_TABLES: list[tuple[np.ndarray, np.ndarray, dict]] = []  # the last few tables built, by their arrays' identity


def _table(keys: np.ndarray, values: np.ndarray, name: str) -> dict:
    for k, v, table in _TABLES:
        if k is keys and v is values:
            return table
    if keys.shape != values.shape:
        raise InvalidArgumentError(f"Table '{name}': the initializer's keys and values must have one shape, got "
                                   f"{list(keys.shape)} and {list(values.shape)}")
    table: dict = {}
    for k, v in zip(keys.reshape(-1).tolist(), values.reshape(-1).tolist()):
        if k in table and table[k] != v:
            raise InvalidArgumentError(f"HashTable has different value for same key. Key {_show(k)} has "
                                       f"{_show(table[k])} and trying to add value {_show(v)} (table '{name}')")
        table[k] = v
    _TABLES.insert(0, (keys, values, table))
    del _TABLES[8:]
    return table


def _show(v) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def _lookup(keys, table_keys, table_values, default, ready, table, num_oov_buckets):
    if not bool(ready):
        raise FailedPreconditionError(f"Table not initialized. (table '{table}': run tf.tables_initializer() first)")
    found = _table(table_keys, table_values, table)
    fallback = np.asarray(default).reshape(-1)[0].item() if np.asarray(default).dtype != object else \
        np.asarray(default).reshape(-1)[0]
    flat = keys.reshape(-1).tolist()
    if num_oov_buckets:
        size = len(found)
        out = [found[k] if k in found else size + fingerprint64(_as_key_bytes(k)) % num_oov_buckets for k in flat]
    else:
        out = [found.get(k, fallback) for k in flat]
    result = np.empty(len(out), dtype=table_values.dtype)
    result[:] = out
    return result.reshape(keys.shape)


register(OpDef("dfc.table_lookup", "strings", _lookup_infer, _lookup, 5,
               {"table": Attr("str"), "num_oov_buckets": Attr("int", 0)}, differentiable=False, fusible_as=None,
               doc="each key's value in the table of (table_keys, table_values), else default (or, with "
                   "num_oov_buckets, size + its hash bucket); fails while `ready` is false"))

__all__ = ["fingerprint64", "hash_buckets"]
