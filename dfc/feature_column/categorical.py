"""tf.feature_column's categorical columns over integer or string features: identity, vocabulary list or file, hashes.

Features are dense tensors where -1 (integers) or '' (strings) means 'no value' (TF's ignore values).
String vocabularies are host table lookups (ir/ops/lookup.py).
Out-of-vocabulary buckets and hash buckets use TF's own hash of the values' decimal strings, so
the ids equal TF's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dfc.ir.dtypes import as_dtype, string

from ..array_ops import expand_dims
from ..framework import Tensor, convert_to_tensor
from ..math_ops import cast, equal, greater_equal, less, logical_or, where
from ..parsing_ops import VarLenFeature
from .columns import _CategoricalColumn


def _integer_ids(builder: Any, key: str, column: str, dtype: Any = None) -> Tensor:
    """The feature as int64 (strings stay strings: a column of dtype string looks them up or hashes them)."""
    value = builder.get(key)
    if (str(dtype) == "string") != value.dtype.is_string and dtype is not None:
        raise ValueError(f"Column dtype and SparseTensors dtype must be compatible. key: {key}, column dtype: "
                         f"{as_dtype(dtype) if str(dtype) != 'string' else string}, tensor dtype: {value.dtype} "
                         f"(feature {value.name} of column {column})")
    if value.dtype.is_string:
        return value
    if not value.dtype.is_integer:
        raise ValueError(f"Invalid input, not integer. key: {key} dtype: {value.dtype} (feature {value.name} of "
                         f"column {column})")
    return cast(value, "int64")


class _IdentityCategoricalColumn(_CategoricalColumn):
    def __init__(self, key: str, num_buckets: int, default_value: int | None):
        self.key, self.number_buckets, self.default_value = key, num_buckets, default_value

    name = property(lambda self: self.key)
    _num_buckets = property(lambda self: self.number_buckets)
    num_buckets = _num_buckets
    _parse_example_spec = property(lambda self: {self.key: VarLenFeature(as_dtype("int64"))})

    def _transform(self, builder: Any) -> Tensor:
        """The ids themselves; out of [0, num_buckets) they get default_value, or fail the run as TF's (-1: none)."""
        ids = _integer_ids(builder, self.key, self.name)
        missing = equal(ids, -1)
        outside = logical_or(less(ids, 0), greater_equal(ids, self.number_buckets))
        if self.default_value is None:
            from ..array_ops import identity
            from ..debugging import assert_less, assert_non_negative
            from ..framework import control_dependencies
            kept = where(missing, ids * 0, ids)
            message = f"Returned id out of range for column {self.name!r} (num_buckets {self.number_buckets})"
            checks = [assert_non_negative(kept, message=message),
                      assert_less(kept, convert_to_tensor(self.number_buckets, dtype="int64"), message=message)]
            with control_dependencies(checks):
                return identity(ids)
        replaced = where(outside, ids * 0 + self.default_value, ids)
        return where(missing, ids, replaced)


def categorical_column_with_identity(key: str, num_buckets: int, default_value: int | None = None
                                     ) -> _IdentityCategoricalColumn:
    """Integer features that are their own ids in [0, num_buckets); others get default_value (or fail)."""
    if num_buckets < 1:
        raise ValueError(f"num_buckets {num_buckets} < 1, column_name {key}")
    if default_value is not None and (default_value < 0 or default_value >= num_buckets):
        raise ValueError(f"default_value {default_value} not in range [0, {num_buckets}), column_name {key}")
    return _IdentityCategoricalColumn(key, int(num_buckets), default_value)


class _VocabularyListCategoricalColumn(_CategoricalColumn):
    def __init__(self, key: str, vocabulary_list: tuple[int, ...], dtype: Any, default_value: int,
                 num_oov_buckets: int):
        self.key, self.vocabulary_list, self.dtype, self.default_value = key, vocabulary_list, dtype, default_value
        self.num_oov_buckets = num_oov_buckets

    _parse_example_spec = property(lambda self: {self.key: VarLenFeature(as_dtype(self.dtype))})

    name = property(lambda self: self.key)
    _num_buckets = property(lambda self: len(self.vocabulary_list) + self.num_oov_buckets)

    def _vocabulary(self) -> tuple[int, ...]:
        return self.vocabulary_list

    def _transform(self, builder: Any) -> Tensor:
        """Each value's position in the vocabulary; others get an OOV bucket (TF's hash), else default_value."""
        from ..math_ops import reduce_sum
        ids = _integer_ids(builder, self.key, self.name, self.dtype)
        vocabulary = self._vocabulary()
        if ids.dtype.is_string:
            return _string_ids(ids, vocabulary, self.default_value, self.num_oov_buckets, self.name)
        table = convert_to_tensor(list(vocabulary), dtype="int64")
        hits = cast(equal(expand_dims(ids, -1), table), "int64")
        positions = convert_to_tensor(list(range(1, len(vocabulary) + 1)), dtype="int64")
        found = reduce_sum(hits * positions, axis=-1) - 1
        if self.num_oov_buckets:
            other = _hashed(ids, self.num_oov_buckets, self.name) + len(vocabulary)
        else:
            other = found * 0 + self.default_value
        looked_up = where(less(found, 0), other, found)
        return where(equal(ids, -1), ids, looked_up)


def _string_ids(values: Tensor, vocabulary: Sequence[Any], default_value: int, num_oov_buckets: int,
                column: str) -> Tensor:
    """Each string's position in the vocabulary (a host table lookup), an OOV bucket or default_value; '' (TF's
    missing string) is -1."""
    import numpy as np

    from ..framework import constant, make, name_scope
    with name_scope(f"{column}_lookup"):
        keys = constant(list(vocabulary), dtype=string, name="vocabulary")
        ids = constant(np.arange(len(vocabulary), dtype=np.int64), name="ids")
        found = make("dfc.table_lookup", [values, keys, ids, constant(int(default_value), dtype="int64"),
                                          constant(True)], {"table": f"{column}_lookup",
                                                            "num_oov_buckets": int(num_oov_buckets)})
        return where(equal(values, ""), found * 0 - 1, found)


def _check_oov(key: str, num_oov_buckets: int, default_value: Any) -> None:
    if num_oov_buckets < 0:
        raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {key}.")
    if num_oov_buckets and default_value is not None and default_value != -1:
        raise ValueError(f"Can't specify both num_oov_buckets and default_value in {key}.")


def categorical_column_with_vocabulary_list(key: str, vocabulary_list: Sequence[Any], dtype: Any = None,
                                            default_value: int = -1, num_oov_buckets: int = 0
                                            ) -> _VocabularyListCategoricalColumn:
    """Integer features looked up in vocabulary_list: the position is the id; others an OOV bucket or default_value."""
    if vocabulary_list is None or len(vocabulary_list) < 1:
        raise ValueError(f"vocabulary_list {vocabulary_list} must be non-empty, column_name: {key}")
    if len(set(vocabulary_list)) != len(vocabulary_list):
        raise ValueError(f"Duplicate keys in vocabulary_list {vocabulary_list}, column_name: {key}")
    _check_oov(key, num_oov_buckets, default_value)
    if any(isinstance(v, (str, bytes)) for v in vocabulary_list):
        if not all(isinstance(v, (str, bytes)) for v in vocabulary_list):
            raise ValueError(f"vocabulary dtype must be string or integer. dtype: mixed, column_name: {key}")
        if dtype is not None and str(dtype) != "string":
            raise ValueError(f"dtype {as_dtype(dtype)} and vocabulary dtype {string} do not match, column_name: "
                             f"{key}")
        words = tuple(v.encode() if isinstance(v, str) else v for v in vocabulary_list)
        return _VocabularyListCategoricalColumn(key, words, "string", int(default_value), int(num_oov_buckets))
    if dtype is not None and str(dtype) == "string":
        raise ValueError(f"dtype {string} and vocabulary dtype {as_dtype('int64')} do not match, column_name: {key}")
    if dtype is not None and not as_dtype(dtype).is_integer:
        raise ValueError(f"dtype {dtype} and vocabulary dtype int64 do not match, column_name: {key}")
    for v in vocabulary_list:
        if not isinstance(v, int) and not hasattr(v, "__index__"):
            raise ValueError(f"vocabulary dtype must be string or integer, got {type(v).__name__} in {key}")
    return _VocabularyListCategoricalColumn(key, tuple(int(v) for v in vocabulary_list), as_dtype(dtype or "int64"),
                                            int(default_value), int(num_oov_buckets))


class _VocabularyFileCategoricalColumn(_VocabularyListCategoricalColumn):
    """The vocabulary is the file's first vocabulary_size lines, read as integers when the graph is built."""

    def __init__(self, key: str, vocabulary_file: str, vocabulary_size: int, dtype: Any, default_value: int,
                 num_oov_buckets: int):
        super().__init__(key, (), dtype, default_value, num_oov_buckets)
        self.vocabulary_file, self.vocabulary_size = vocabulary_file, vocabulary_size

    _num_buckets = property(lambda self: self.vocabulary_size + self.num_oov_buckets)

    def _vocabulary(self) -> tuple[int, ...]:
        with open(self.vocabulary_file) as f:
            lines = [line.rstrip("\n") for line in f][:self.vocabulary_size]
        if str(self.dtype) == "string":
            return tuple(line.encode() for line in lines)
        try:
            return tuple(int(line) for line in lines)
        except ValueError:
            raise ValueError(f"vocabulary_file {self.vocabulary_file} of column {self.key} holds lines that are not "
                             f"integers; dfc has no string tensors, so its vocabularies are integers") from None


def categorical_column_with_vocabulary_file(key: str, vocabulary_file: str, vocabulary_size: int | None = None,
                                            num_oov_buckets: int = 0, default_value: Any = None,
                                            dtype: Any = "string") -> _VocabularyFileCategoricalColumn:
    """Integer features looked up in a file of integers, one per line (the line number is the id)."""
    import os
    if not vocabulary_file:
        raise ValueError(f"Missing vocabulary_file in {key}.")
    if str(dtype) != "string" and not as_dtype(dtype).is_integer:
        raise ValueError(f"Invalid dtype {dtype} for column {key}: a vocabulary file holds strings or integers")
    if vocabulary_size is None:
        if not os.path.exists(vocabulary_file):
            raise ValueError(f"vocabulary_file in {key} does not exist.")
        with open(vocabulary_file) as f:
            vocabulary_size = sum(1 for _ in f)
    if vocabulary_size < 1:
        raise ValueError(f"Invalid vocabulary_size in {key}.")
    _check_oov(key, num_oov_buckets, default_value)
    return _VocabularyFileCategoricalColumn(key, vocabulary_file, int(vocabulary_size),
                                            "string" if str(dtype) == "string" else as_dtype(dtype),
                                            -1 if default_value is None else int(default_value), int(num_oov_buckets))


def _hashed(ids: Tensor, buckets: int, column: str) -> Tensor:
    """TF's string_to_hash_bucket_fast(ids, buckets) of strings, of integers' decimal text (as_string) otherwise."""
    from ..lookup_ops import string_to_hash_bucket_fast
    from ..string_ops import as_string
    from ..framework import name_scope
    with name_scope(f"{column}_hash"):
        return string_to_hash_bucket_fast(ids if ids.dtype.is_string else as_string(ids), buckets)


class _HashedCategoricalColumn(_CategoricalColumn):
    def __init__(self, key: str, hash_bucket_size: int, dtype: Any):
        self.key, self.hash_bucket_size, self.dtype = key, hash_bucket_size, dtype

    _parse_example_spec = property(lambda self: {self.key: VarLenFeature(as_dtype(self.dtype))})

    name = property(lambda self: self.key)
    _num_buckets = property(lambda self: self.hash_bucket_size)

    def _transform(self, builder: Any) -> Tensor:
        ids = _integer_ids(builder, self.key, self.name, self.dtype)
        hashed = _hashed(ids, self.hash_bucket_size, self.name)
        return where(equal(ids, "" if ids.dtype.is_string else -1), hashed * 0 - 1, hashed)


def categorical_column_with_hash_bucket(key: str, hash_bucket_size: int, dtype: Any = "string"
                                        ) -> _HashedCategoricalColumn:
    """Integer features hashed into hash_bucket_size ids as TF does (FarmHash of their decimal digits)."""
    if hash_bucket_size is None:
        raise ValueError(f"hash_bucket_size must be set. key: {key}")
    if hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be at least 1. hash_bucket_size: {hash_bucket_size}, key: {key}")
    if str(dtype) != "string" and not as_dtype(dtype).is_integer:
        raise ValueError(f"column_name: {key} dtype must be string or integer. dtype: {dtype}.")
    return _HashedCategoricalColumn(key, int(hash_bucket_size), "string" if str(dtype) == "string" else
                                    as_dtype(dtype))


__all__ = ["categorical_column_with_hash_bucket", "categorical_column_with_identity",
           "categorical_column_with_vocabulary_file", "categorical_column_with_vocabulary_list"]
