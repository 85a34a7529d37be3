"""tf.strings: TF's string namespace (the functions live in dfc/string_ops.py)."""

from __future__ import annotations

from .string_ops import (as_string, format, join, length, lower, reduce_join, regex_replace, split,  # noqa: F401
                         strip, substr, to_number, upper)
from .lookup_ops import string_to_hash_bucket_fast as to_hash_bucket_fast

__all__ = ["as_string", "format", "join", "length", "lower", "reduce_join", "regex_replace", "split", "strip", "substr",
           "to_hash_bucket_fast", "to_number", "upper"]
