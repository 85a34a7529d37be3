"""tf.feature_column's columns (TF 1.15's v1 columns) over dense integer and float features.

dfc has neither string tensors nor SparseTensor: categorical features are dense integer
tensors, [batch] or [batch, n], where -1 marks a missing value (TF's ignore value for
integer features), so a row may hold several ids or none. String vocabularies, hash buckets
and vocabulary files are refused with a TypeError/NotImplementedError saying why.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from dfc.ir.dtypes import as_dtype

from ..array_ops import expand_dims, one_hot, reshape
from ..framework import Tensor, convert_to_tensor
from ..initializers import truncated_normal_initializer
from ..math_ops import add_n, cast, equal, greater_equal, less, logical_or, to_float, where
from ..tensor_shape import TensorShape


class _FeatureColumn:
    """A feature column: a name, the feature keys it reads and how it turns them into tensors."""

    name: str

    def _transform(self, builder: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def _parse_example_spec(self) -> dict:
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__.lstrip('_')}(name={self.name!r})"


class _DenseColumn(_FeatureColumn):
    """A column giving a dense float tensor [batch] + _variable_shape."""

    @property
    def _variable_shape(self) -> TensorShape:  # pragma: no cover - abstract
        raise NotImplementedError

    def _get_dense_tensor(self, builder: Any, weight_collections: Any = None, trainable: bool = True) -> Tensor:
        return builder.get(self)


class _CategoricalColumn(_FeatureColumn):
    """A column giving integer ids in [0, _num_buckets): a dense [batch, n] tensor, -1 where a row has no id."""

    @property
    def _num_buckets(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _get_ids(self, builder: Any) -> Tensor:
        return builder.get(self)


def _check_shape(shape: Any, key: str) -> tuple[int, ...]:
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    for d in dims:
        if not isinstance(d, int) or isinstance(d, bool):
            raise TypeError(f"shape dimensions must be integer. shape: {shape}, key: {key}")
        if d < 1:
            raise ValueError(f"shape dimensions must be greater than 0. shape: {shape}, key: {key}")
    return dims


class _NumericColumn(_DenseColumn):
    def __init__(self, key: str, shape: tuple[int, ...], default_value: Any, dtype: Any, normalizer_fn: Any):
        self.key, self.shape, self.default_value, self.dtype, self.normalizer_fn = (key, shape, default_value, dtype,
                                                                                    normalizer_fn)

    name = property(lambda self: self.key)
    _variable_shape = property(lambda self: TensorShape(self.shape))

    @property
    def _parse_example_spec(self) -> dict:
        return {self.key: ("FixedLenFeature", self.shape, self.dtype, self.default_value)}

    def _transform(self, builder: Any) -> Tensor:
        value = builder.get(self.key)
        if self.normalizer_fn is not None:
            value = self.normalizer_fn(value)
        return to_float(value)


def numeric_column(key: str, shape: Any = (1,), default_value: Any = None, dtype: Any = "float32",
                   normalizer_fn: Callable | None = None) -> _NumericColumn:
    """Real-valued features of `shape` per example, cast to float32 after normalizer_fn."""
    shape = _check_shape(shape, key)
    dtype = as_dtype(dtype)
    if not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype}, key: {key}")
    if default_value is not None:
        import numpy as np
        array = np.asarray(default_value)
        if array.ndim and array.shape != shape and array.size != math.prod(shape):
            raise ValueError(f"The shape of default_value must be equal to given shape. default_value: "
                             f"{default_value}, shape: {shape}, key: {key}")
        if dtype.is_integer and array.dtype.kind == "f":
            raise TypeError(f"The default_value must be compatible with dtype. default_value: {default_value}, "
                            f"dtype: {dtype}, key: {key}")
        default_value = tuple(np.broadcast_to(array, shape).ravel().tolist()) if array.ndim else array.item()
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    return _NumericColumn(key, shape, default_value, dtype, normalizer_fn)


class _BucketizedColumn(_DenseColumn, _CategoricalColumn):
    def __init__(self, source_column: _NumericColumn, boundaries: tuple[float, ...]):
        self.source_column, self.boundaries = source_column, boundaries

    name = property(lambda self: f"{self.source_column.name}_bucketized")
    _variable_shape = property(lambda self: TensorShape(tuple(self.source_column.shape) + (len(self.boundaries) + 1,)))
    _num_buckets = property(lambda self: math.prod(self.source_column.shape) * (len(self.boundaries) + 1))
    _parse_example_spec = property(lambda self: self.source_column._parse_example_spec)

    def _transform(self, builder: Any) -> Tensor:
        """Bucket ids: how many boundaries each value reaches (buckets hold their left boundary)."""
        value = builder.get(self.source_column)
        hits = [cast(greater_equal(value, float(b)), "int32") for b in self.boundaries]
        return add_n(hits) if len(hits) > 1 else hits[0]

    def _get_dense_tensor(self, builder: Any, weight_collections: Any = None, trainable: bool = True) -> Tensor:
        return one_hot(builder.get(self), len(self.boundaries) + 1, on_value=1.0, off_value=0.0)

    def _get_ids(self, builder: Any) -> Tensor:
        from ..array_ops import range as tf_range
        from ..array_ops import shape as tf_shape
        buckets = builder.get(self)
        width = math.prod(self.source_column.shape)
        flat = reshape(buckets, [tf_shape(buckets)[0], width])
        offsets = tf_range(width) * (len(self.boundaries) + 1)
        return cast(flat + offsets, "int64")


def bucketized_column(source_column: Any, boundaries: Sequence[float]) -> _BucketizedColumn:
    """A numeric column's values as bucket ids (one-hot in input_layer, categorical in linear_model)."""
    if not isinstance(source_column, _NumericColumn):
        raise ValueError(f"source_column must be a column generated with numeric_column(). Given: {source_column}")
    if len(source_column.shape) > 1:
        raise ValueError(f"source_column must be one-dimensional column. Given: {source_column}")
    if not boundaries or not isinstance(boundaries, (list, tuple)):
        raise ValueError("boundaries must be a sorted list.")
    for i in range(len(boundaries) - 1):
        if boundaries[i] >= boundaries[i + 1]:
            raise ValueError("boundaries must be a sorted list.")
    return _BucketizedColumn(source_column, tuple(float(b) for b in boundaries))


def _integer_ids(builder: Any, key: str, column: str) -> Tensor:
    value = builder.get(key)
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

    def _transform(self, builder: Any) -> Tensor:
        ids = _integer_ids(builder, self.key, self.name)
        missing = equal(ids, -1)
        outside = logical_or(less(ids, 0), greater_equal(ids, self.number_buckets))
        if self.default_value is None:
            from ..debugging import assert_less
            from ..framework import control_dependencies
            from ..array_ops import identity
            kept = where(missing, ids * 0, ids)
            check_low = _assert_all(where(missing, ids * 0, ids), self.name, self.number_buckets)
            check_high = assert_less(kept, convert_to_tensor(self.number_buckets, dtype="int64"),
                                     message=f"Returned id out of range for column {self.name!r} "
                                             f"(num_buckets {self.number_buckets})")
            with control_dependencies([check_low, check_high]):
                return identity(ids)
        replaced = where(outside, ids * 0 + self.default_value, ids)
        return where(missing, ids, replaced)


def _assert_all(ids: Tensor, name: str, buckets: int) -> Any:
    from ..debugging import assert_non_negative
    return assert_non_negative(ids, message=f"Returned id out of range for column {name!r} (num_buckets {buckets})")


def categorical_column_with_identity(key: str, num_buckets: int, default_value: int | None = None
                                     ) -> _IdentityCategoricalColumn:
    """Integer features that are their own ids in [0, num_buckets); others get default_value (or fail)."""
    if num_buckets < 1:
        raise ValueError(f"num_buckets {num_buckets} < 1, column_name {key}")
    if default_value is not None and (default_value < 0 or default_value >= num_buckets):
        raise ValueError(f"default_value {default_value} not in range [0, {num_buckets}), column_name {key}")
    return _IdentityCategoricalColumn(key, int(num_buckets), default_value)


class _VocabularyListCategoricalColumn(_CategoricalColumn):
    def __init__(self, key: str, vocabulary_list: tuple[int, ...], dtype: Any, default_value: int):
        self.key, self.vocabulary_list, self.dtype, self.default_value = key, vocabulary_list, dtype, default_value

    name = property(lambda self: self.key)
    _num_buckets = property(lambda self: len(self.vocabulary_list))
    num_oov_buckets = 0

    def _transform(self, builder: Any) -> Tensor:
        from ..math_ops import reduce_sum
        ids = _integer_ids(builder, self.key, self.name)
        table = convert_to_tensor(list(self.vocabulary_list), dtype="int64")
        hits = cast(equal(expand_dims(ids, -1), table), "int64")
        positions = convert_to_tensor(list(range(1, len(self.vocabulary_list) + 1)), dtype="int64")
        found = reduce_sum(hits * positions, axis=-1) - 1
        absent = less(found, 0)
        looked_up = where(absent, found * 0 + self.default_value, found)
        return where(equal(ids, -1), ids, looked_up)


def categorical_column_with_vocabulary_list(key: str, vocabulary_list: Sequence[Any], dtype: Any = None,
                                            default_value: int = -1, num_oov_buckets: int = 0
                                            ) -> _VocabularyListCategoricalColumn:
    """Integer features looked up in vocabulary_list: the position is the id; others get default_value (-1: none)."""
    if vocabulary_list is None or len(vocabulary_list) < 1:
        raise ValueError(f"vocabulary_list {vocabulary_list} must be non-empty, column_name: {key}")
    if any(isinstance(v, (str, bytes)) for v in vocabulary_list) or (dtype is not None and str(dtype) == "string"):
        raise TypeError(f"categorical_column_with_vocabulary_list({key!r}): the vocabulary {list(vocabulary_list)!r} "
                        "holds strings, and dfc has no string tensors; map the strings to integers in numpy and "
                        "give an integer vocabulary (or use categorical_column_with_identity)")
    if len(set(vocabulary_list)) != len(vocabulary_list):
        raise ValueError(f"Duplicate keys in vocabulary_list {vocabulary_list}, column_name: {key}")
    if num_oov_buckets:
        if num_oov_buckets < 0:
            raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {key}.")
        if default_value != -1:
            raise ValueError(f"Can't specify both num_oov_buckets and default_value in {key}.")
        raise NotImplementedError(f"categorical_column_with_vocabulary_list({key!r}, num_oov_buckets="
                                  f"{num_oov_buckets}): TF hashes out-of-vocabulary values with FarmHash, which dfc "
                                  "does not provide; use default_value instead")
    if dtype is not None and not as_dtype(dtype).is_integer:
        raise ValueError(f"dtype {dtype} and vocabulary dtype int64 do not match, column_name: {key}")
    for v in vocabulary_list:
        if not isinstance(v, int) and not hasattr(v, "__index__"):
            raise ValueError(f"vocabulary dtype must be string or integer, got {type(v).__name__} in {key}")
    return _VocabularyListCategoricalColumn(key, tuple(int(v) for v in vocabulary_list), as_dtype(dtype or "int64"),
                                            int(default_value))


def categorical_column_with_hash_bucket(key: str, hash_bucket_size: int, dtype: Any = "string") -> Any:
    raise NotImplementedError(f"categorical_column_with_hash_bucket({key!r}): TF hashes the values' strings with "
                              "FarmHash, which dfc does not provide; use categorical_column_with_identity")


def categorical_column_with_vocabulary_file(key: str, vocabulary_file: str, vocabulary_size: int | None = None,
                                            num_oov_buckets: int = 0, default_value: Any = None,
                                            dtype: Any = "string") -> Any:
    raise TypeError(f"categorical_column_with_vocabulary_file({key!r}): vocabulary files hold strings and dfc has no "
                    "string tensors; map them to integers in numpy and use categorical_column_with_identity")


class _EmbeddingColumn(_DenseColumn):
    def __init__(self, categorical_column: _CategoricalColumn, dimension: int, combiner: str, initializer: Any,
                 ckpt_to_load_from: Any, tensor_name_in_ckpt: Any, max_norm: Any, trainable: bool):
        self.categorical_column, self.dimension, self.combiner = categorical_column, dimension, combiner
        self.initializer, self.ckpt_to_load_from, self.tensor_name_in_ckpt = (initializer, ckpt_to_load_from,
                                                                              tensor_name_in_ckpt)
        self.max_norm, self.trainable = max_norm, trainable

    name = property(lambda self: f"{self.categorical_column.name}_embedding")
    _variable_shape = property(lambda self: TensorShape([self.dimension]))
    _parse_example_spec = property(lambda self: self.categorical_column._parse_example_spec)

    def _transform(self, builder: Any) -> Tensor:
        return self.categorical_column._get_ids(builder)

    def _get_dense_tensor(self, builder: Any, weight_collections: Any = None, trainable: bool = True) -> Tensor:
        from ..variables import get_variable
        ids = builder.get(self)
        weights = get_variable("embedding_weights", shape=[self.categorical_column._num_buckets, self.dimension],
                               dtype="float32", initializer=self.initializer, trainable=self.trainable and trainable,
                               collections=weight_collections)
        if self.ckpt_to_load_from is not None:
            from ..checkpoint_utils import init_from_checkpoint
            init_from_checkpoint(self.ckpt_to_load_from, {self.tensor_name_in_ckpt: weights})
        return combine_ids(weights, ids, self.combiner, self.max_norm, f"{self.name}_weights")


def combine_ids(params: Any, ids: Tensor, combiner: str, max_norm: Any = None, name: str | None = None) -> Tensor:
    """Each row's embeddings of its ids (>= 0) combined by sum, mean or sqrtn; rows without ids give zeros."""
    from ..array_ops import gather
    from ..framework import name_scope
    from ..math_ops import maximum, reduce_sum, sqrt
    with name_scope(name, "embedding_lookup"):
        if ids.shape.ndims == 1:
            ids = expand_dims(ids, -1)
        present = greater_equal(ids, 0)
        rows = gather(params, where(present, ids, ids * 0))
        if max_norm is not None:
            from ..clip_ops import clip_by_norm
            rows = clip_by_norm(rows, max_norm, axes=[-1])
        mask = expand_dims(cast(present, "float32"), -1)
        total = reduce_sum(rows * mask, axis=-2)
        if combiner == "sum":
            return total
        count = maximum(reduce_sum(mask, axis=-2), 1.0)
        return total / count if combiner == "mean" else total / sqrt(count)


def embedding_column(categorical_column: Any, dimension: int, combiner: str = "mean", initializer: Any = None,
                     ckpt_to_load_from: str | None = None, tensor_name_in_ckpt: str | None = None,
                     max_norm: float | None = None, trainable: bool = True) -> _EmbeddingColumn:
    """A categorical column's ids as a learned dense embedding (variable `embedding_weights`)."""
    if dimension is None or dimension < 1:
        raise ValueError(f"Invalid dimension {dimension}.")
    if (ckpt_to_load_from is None) != (tensor_name_in_ckpt is None):
        raise ValueError("Must specify both `ckpt_to_load_from` and `tensor_name_in_ckpt` or none of them.")
    if not isinstance(categorical_column, _CategoricalColumn):
        raise ValueError(f"categorical_column must be a _CategoricalColumn, given: {categorical_column}")
    if initializer is not None and not callable(initializer):
        raise ValueError(f"initializer must be callable if specified. Embedding of column_name: "
                         f"{categorical_column.name}")
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner!r} "
                         f"(column {categorical_column.name})")
    if initializer is None:
        initializer = truncated_normal_initializer(mean=0.0, stddev=1 / math.sqrt(dimension))
    return _EmbeddingColumn(categorical_column, int(dimension), combiner, initializer, ckpt_to_load_from,
                            tensor_name_in_ckpt, max_norm, trainable)


class _IndicatorColumn(_DenseColumn):
    def __init__(self, categorical_column: _CategoricalColumn):
        self.categorical_column = categorical_column

    name = property(lambda self: f"{self.categorical_column.name}_indicator")
    _variable_shape = property(lambda self: TensorShape([self.categorical_column._num_buckets]))
    _parse_example_spec = property(lambda self: self.categorical_column._parse_example_spec)

    def _transform(self, builder: Any) -> Tensor:
        """How often each id occurs in each row (a multi-hot count; -1s count nowhere)."""
        from ..math_ops import reduce_sum
        ids = self.categorical_column._get_ids(builder)
        if ids.shape.ndims == 1:
            ids = expand_dims(ids, -1)
        return reduce_sum(one_hot(ids, self.categorical_column._num_buckets, on_value=1.0, off_value=0.0), axis=-2)


def indicator_column(categorical_column: Any) -> _IndicatorColumn:
    """A categorical column as a multi-hot dense vector of its num_buckets."""
    if not isinstance(categorical_column, _CategoricalColumn):
        raise ValueError(f"categorical_column must be a _CategoricalColumn, given: {categorical_column}")
    return _IndicatorColumn(categorical_column)


__all__ = ["bucketized_column", "categorical_column_with_hash_bucket", "categorical_column_with_identity",
           "categorical_column_with_vocabulary_file", "categorical_column_with_vocabulary_list", "embedding_column",
           "indicator_column", "numeric_column"]
