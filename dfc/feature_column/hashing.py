"""TF's string hash for hash buckets (StringToHashBucketFast: FarmHash's 64-bit fingerprint), on the host.

TF hashes an integer feature by the fingerprint of its decimal string; dfc has no string tensors,
so categorical_column_with_hash_bucket and vocabulary lookups with OOV buckets call this through
tf.py_func. Only the short-input branches of FarmHash are needed (an int64 prints in at most 20 bytes).
"""

from __future__ import annotations

import numpy as np

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


def fingerprint64(data: bytes) -> int:
    """FarmHash Fingerprint64 of up to 32 bytes (the branches TF's integer hashing reaches)."""
    size = len(data)
    if size > 32:
        raise ValueError(f"fingerprint64 handles up to 32 bytes, got {size}")
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


def hash_buckets(values: np.ndarray, buckets: int) -> np.ndarray:
    """TF's string_to_hash_bucket_fast(as_string(values), buckets) for integer values, as int64."""
    flat = np.asarray(values).reshape(-1)
    out = np.fromiter((fingerprint64(str(int(v)).encode()) % buckets for v in flat), dtype=np.int64,
                      count=flat.size)
    return out.reshape(np.shape(values))


__all__ = ["fingerprint64", "hash_buckets"]
