"""tf.strings: TF's string namespace (the functions live in dfc/string_ops.py)."""

from __future__ import annotations

from .lookup_ops import string_to_hash_bucket_fast as to_hash_bucket_fast
from .string_hash_ops import string_to_hash_bucket as to_hash_bucket
from .string_hash_ops import string_to_hash_bucket_strong as to_hash_bucket_strong
from .string_ops import (as_string, format, join, length, lower, reduce_join, regex_full_match,  # noqa: F401
                         regex_replace, split, strip, substr, to_number, upper)

__all__ = ["as_string", "format", "join", "length", "lower", "reduce_join", "regex_full_match", "regex_replace",
           "split", "strip", "substr", "to_hash_bucket", "to_hash_bucket_fast", "to_hash_bucket_strong", "to_number",
           "upper"]
