"""tf.string_to_hash_bucket (tf.strings.to_hash_bucket) and tf.string_to_hash_bucket_strong: TF's keyed and legacy
string hashes into buckets (the FarmHash one, string_to_hash_bucket_fast, is in lookup_ops.py)."""

from __future__ import annotations

from typing import Any

from .framework import Tensor, make
from .string_ops import string_tensor as _strings

__all__ = ["string_to_hash_bucket", "string_to_hash_bucket_strong"]


def _num_buckets(num_buckets: Any, op: str) -> int:
    value = int(num_buckets)
    if value < 1:
        raise ValueError(f"num_buckets must be >= 1, got {value} ({op})")
    return value


def string_to_hash_bucket(string_tensor: Any = None, num_buckets: int | None = None, name: str | None = None,
                          input: Any = None) -> Tensor:  # noqa: A002 - TF's keyword
    """Each string's TF Hash64 modulo num_buckets (int64), as TF's StringToHashBucket."""
    if (string_tensor is None) == (input is None):
        raise ValueError("Cannot specify both 'input' and 'string_tensor'" if input is not None else
                         "string_to_hash_bucket needs its strings (string_tensor)")
    if num_buckets is None:
        raise TypeError("string_to_hash_bucket() missing required argument 'num_buckets'")
    x = _strings(input if string_tensor is None else string_tensor, "string_tensor", "StringToHashBucket")
    return make("dfc.string_to_hash_bucket", [x], {"num_buckets": _num_buckets(num_buckets, "StringToHashBucket")},
                name=name or "StringToHashBucket")


def string_to_hash_bucket_strong(input: Any, num_buckets: int, key: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Each string's SipHash-2-4 under `key` (two ints) modulo num_buckets (int64), as TF's StringToHashBucketStrong."""
    x = _strings(input, "input", "StringToHashBucketStrong")
    key = [int(k) for k in key]
    if len(key) != 2:
        raise ValueError(f"Key must have 2 elements, got {len(key)} (StringToHashBucketStrong)")
    return make("dfc.string_to_hash_bucket_strong", [x],
                {"num_buckets": _num_buckets(num_buckets, "StringToHashBucketStrong"), "key": key},
                name=name or "StringToHashBucketStrong")
