"""tf.strings: TF's string namespace (the functions live in dfc/string_ops.py)."""

from __future__ import annotations

from .string_ops import (as_string, format, join, length, lower, reduce_join, regex_replace, strip, substr,  # noqa: F401
                         to_number, upper)
from .string_ops import string_to_number as _string_to_number  # noqa: F401

__all__ = ["as_string", "format", "join", "length", "lower", "reduce_join", "regex_replace", "strip", "substr",
           "to_number", "upper"]
