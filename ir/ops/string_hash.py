"""TF's other string hashes on the host: tf.string_to_hash_bucket (Hash64) and tf.string_to_hash_bucket_strong.

string_to_hash_bucket is TF's legacy Hash64 (MurmurHash64A with TF's seed 0xDECAFCAFFE) modulo the
bucket count; the strong variant is SipHash-2-4 keyed by two uint64s, what TF computes for inputs an
adversary may choose. (string_to_hash_bucket_fast, FarmHash's Fingerprint64, is in lookup.py.)
"""

from __future__ import annotations

import struct

import numpy as np

from ..dtypes import i64, string
from ..errors import ShapeError
from .registry import Attr, OpDef, register, require_dtype, tensor_operand

_MASK = (1 << 64) - 1
_SEED = 0xDECAFCAFFE
_M = 0xC6A4A7935BD1E995


def hash64(data: bytes, seed: int = _SEED) -> int:
    """TF's Hash64 (tensorflow/core/lib/hash): MurmurHash64A of little-endian 8-byte words."""
    n = len(data)
    h = (seed ^ (n * _M)) & _MASK
    whole = n - n % 8
    for (k,) in struct.iter_unpack("<Q", data[:whole]):
        k = (k * _M) & _MASK
        k ^= k >> 47
        k = (k * _M) & _MASK
        h = ((h ^ k) * _M) & _MASK
    tail = data[whole:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    return h ^ (h >> 47)


def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & _MASK


def siphash24(k0: int, k1: int, data: bytes) -> int:
    """SipHash-2-4 of data under the key (k0, k1)."""
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573

    def rounds(count: int) -> None:
        nonlocal v0, v1, v2, v3
        for _ in range(count):
            v0 = (v0 + v1) & _MASK
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _MASK
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _MASK
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _MASK
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)

    n = len(data)
    whole = n - n % 8
    for (m,) in struct.iter_unpack("<Q", data[:whole]):
        v3 ^= m
        rounds(2)
        v0 ^= m
    last = ((n & 0xFF) << 56) | int.from_bytes(data[whole:], "little")
    v3 ^= last
    rounds(2)
    v0 ^= last
    v2 ^= 0xFF
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3


def _buckets(x: np.ndarray, hash_fn, num_buckets: int) -> np.ndarray:
    flat = np.asarray(x, dtype=object).reshape(-1)
    out = np.fromiter((hash_fn(bytes(s)) % num_buckets for s in flat), dtype=np.int64, count=flat.size)
    return out.reshape(np.shape(x))


def _infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, (string,), "input")
    if attrs["num_buckets"] < 1:
        raise ShapeError(f"num_buckets must be >= 1, got {attrs['num_buckets']}")
    if "key" in attrs and len(attrs["key"]) != 2:
        raise ShapeError(f"Key must have 2 elements, got {len(attrs['key'])}")
    return [t.with_dtype(i64)]


register(OpDef("dfc.string_to_hash_bucket", "strings", _infer,
               lambda x, num_buckets: _buckets(x, hash64, num_buckets), 1, {"num_buckets": Attr("int")},
               differentiable=False, fusible_as=None, doc="TF's Hash64 of each string modulo num_buckets"))
register(OpDef("dfc.string_to_hash_bucket_strong", "strings", _infer,
               lambda x, num_buckets, key: _buckets(x, lambda s: siphash24(key[0] & _MASK, key[1] & _MASK, s),
                                                    num_buckets),
               1, {"num_buckets": Attr("int"), "key": Attr("ints")}, differentiable=False, fusible_as=None,
               doc="SipHash-2-4 under `key` of each string modulo num_buckets"))
