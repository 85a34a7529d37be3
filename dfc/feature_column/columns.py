"""tf.feature_column's columns (TF 1.15's v1 columns): the base classes, numeric, bucketized, weighted, crossed.

Categorical features reach the columns as dense [batch] or [batch, n] tensors where TF's ignore value (-1 for
integers, '' for strings) marks a missing value, so a row may hold several ids or none; a SparseTensor feature
(parse_example's VarLenFeature) is made dense with that value first (layers.py), which gives the same ids.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from dfc.ir.dtypes import as_dtype, string

from ..array_ops import one_hot, reshape
from ..framework import Tensor, convert_to_tensor, make
from ..parsing_ops import FixedLenFeature, VarLenFeature
from ..math_ops import add_n, cast, greater_equal, less, not_equal, to_float, where
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

    def _get_weights(self, builder: Any) -> Tensor | None:
        """Each id's weight (a weighted_categorical_column's), or None: every id counts once."""
        return None


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
        return {self.key: FixedLenFeature(self.shape, self.dtype, self.default_value)}

    def _transform(self, builder: Any) -> Tensor:
        if builder.is_sparse(self.key):
            raise ValueError("The corresponding Tensor of numerical column must be a Tensor. SparseTensor is not "
                             f"supported. key: {self.key}")
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


class _WeightedCategoricalColumn(_CategoricalColumn):
    def __init__(self, categorical_column: _CategoricalColumn, weight_feature_key: str, dtype: Any):
        self.categorical_column, self.weight_feature_key, self.dtype = categorical_column, weight_feature_key, dtype

    name = property(lambda self: f"{self.categorical_column.name}_weighted_by_{self.weight_feature_key}")
    _num_buckets = property(lambda self: self.categorical_column._num_buckets)

    @property
    def _parse_example_spec(self) -> dict:
        spec = dict(self.categorical_column._parse_example_spec)
        if self.weight_feature_key in spec:
            raise ValueError(f"Parse config {spec[self.weight_feature_key]} already exists for "
                             f"{self.weight_feature_key}.")
        spec[self.weight_feature_key] = VarLenFeature(self.dtype)
        return spec

    def _transform(self, builder: Any) -> Tensor:
        return self.categorical_column._get_ids(builder)

    def _get_weights(self, builder: Any) -> Tensor:
        try:
            weights = builder.get(self.weight_feature_key)
        except ValueError:
            raise ValueError(f"Missing weights {self.weight_feature_key} (column {self.name}).") from None
        if weights.dtype is not self.dtype:
            raise ValueError(f"Bad dtype, expected {self.dtype.name}, but got {weights.dtype.name} ({weights.name}, "
                             f"column {self.name}).")
        return to_float(weights)


def weighted_categorical_column(categorical_column: Any, weight_feature_key: str, dtype: Any = "float32"
                                ) -> _WeightedCategoricalColumn:
    """A categorical column whose ids carry the weights of feature `weight_feature_key` (same shape as the ids)."""
    dtype = as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"dtype {dtype.name} is not convertible to float (column {weight_feature_key}).")
    if not isinstance(categorical_column, _CategoricalColumn):
        raise ValueError(f"categorical_column must be a _CategoricalColumn, given: {categorical_column}")
    return _WeightedCategoricalColumn(categorical_column, weight_feature_key, dtype)


_DEFAULT_HASH_KEY = 0xDECAFCAFFE
_K_MUL = 0xC6A4A7935BD1E995 - (1 << 64)  # TF's FingerprintCat64 multiplier, as an int64


def _shift_mix(value: Tensor) -> Tensor:
    from ..bitwise import bitwise_and, bitwise_xor, right_shift
    return bitwise_xor(value, bitwise_and(right_shift(value, 47), (1 << 17) - 1))  # a logical >> 47


def _fingerprint_cat64(first: Tensor, second: Tensor) -> Tensor:
    """TF's FingerprintCat64 on uint64 bits held in int64 (multiplications wrap as uint64's do)."""
    from ..bitwise import bitwise_xor
    result = bitwise_xor(first, _K_MUL)
    result = bitwise_xor(result, _shift_mix(second * _K_MUL) * _K_MUL)
    result = result * _K_MUL
    result = _shift_mix(result) * _K_MUL
    return _shift_mix(result)


def _unsigned_mod(value: Tensor, divisor: int) -> Tensor:
    """value's bits read as a uint64, modulo divisor."""
    from ..math_ops import floormod
    wrap = (1 << 64) % divisor
    low = floormod(value, divisor)
    return floormod(low + where(less(value, 0), value * 0 + wrap, value * 0), divisor)


class _CrossedColumn(_CategoricalColumn):
    def __init__(self, keys: tuple, hash_bucket_size: int, hash_key: int | None):
        self.keys, self.hash_bucket_size, self.hash_key = keys, hash_bucket_size, hash_key

    name = property(lambda self: "_X_".join(sorted(k if isinstance(k, str) else k.name for k in self.keys)))
    _num_buckets = property(lambda self: self.hash_bucket_size)

    @property
    def _parse_example_spec(self) -> dict:
        spec: dict = {}
        for key in self._leaves():
            spec.update({key: VarLenFeature(string)} if isinstance(key, str) else key._parse_example_spec)
        return spec

    def _leaves(self) -> list:
        leaves = []
        for key in self.keys:
            leaves += key._leaves() if isinstance(key, _CrossedColumn) else [key]
        return leaves

    def _transform(self, builder: Any) -> Tensor:
        """Every combination of one value per leaf, hashed as TF's sparse_cross_hashed; -1 where a leaf has none."""
        from ..array_ops import shape as tf_shape
        from ..math_ops import logical_and
        leaves = []
        for key in self._leaves():
            if isinstance(key, str):
                raw = builder.get(key)
                if raw.dtype.is_string:  # TF crosses a string by its Fingerprint64, an integer by itself
                    present = not_equal(raw, "")
                    leaves.append((make("dfc.string_fingerprint64", [raw], {}, name=f"{key}_fingerprint"),
                                   present if builder.is_sparse(key) else None))
                    continue
                if not raw.dtype.is_integer:
                    raise ValueError(f"crossed_column {self.name}: feature {key} ({raw.name}) has dtype "
                                     f"{raw.dtype.name}; TF crosses integer and string features only")
                present = not_equal(raw, -1) if builder.is_sparse(key) else None
                leaves.append((cast(raw, "int64"), present))
            else:
                ids = key._get_ids(builder)
                leaves.append((ids, greater_equal(ids, 0)))
        # TF's sparse_cross puts its sparse inputs (the columns' ids) before its dense ones (raw features)
        leaves = [leaf for leaf in leaves if leaf[1] is not None] + [leaf for leaf in leaves if leaf[1] is None]
        count = len(leaves)
        hashed: Any = convert_to_tensor(self.hash_key if self.hash_key is not None else _DEFAULT_HASH_KEY,
                                        dtype="int64")
        valid: Any = None
        batch = tf_shape(leaves[0][0])[0]
        for i, (values, present) in enumerate(leaves):
            width = values.shape.as_list()[-1]
            layout = [batch] + [1] * i + [width if width is not None else tf_shape(values)[1]] + [1] * (count - 1 - i)
            hashed = _fingerprint_cat64(hashed, reshape(values, layout))
            if present is not None:
                mask = reshape(present, layout)
                valid = mask if valid is None else logical_and(valid, mask)
        widths = [v.shape.as_list()[-1] for v, _ in leaves]
        total = math.prod(widths) if None not in widths else -1
        ids = _unsigned_mod(hashed, self.hash_bucket_size)
        if valid is None:
            return reshape(ids, [batch, total])
        keep = cast(valid, "int64") * (ids * 0 + 1)  # the validity broadcast to every combination
        ids = where(greater_equal(keep, 1), ids, ids * 0 - 1)
        return reshape(ids, [batch, total])


def crossed_column(keys: Sequence[Any], hash_bucket_size: int, hash_key: int | None = None) -> _CrossedColumn:
    """Hashed crosses of integer features and categorical columns (TF's crossed_column, over integers only)."""
    if not hash_bucket_size or hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be > 1. hash_bucket_size: {hash_bucket_size}")
    if not keys or len(keys) < 2:
        raise ValueError(f"keys must be a list with length > 1. Given: {keys}")
    for key in keys:
        if not isinstance(key, (str, _CategoricalColumn)):
            raise ValueError(f"Unsupported key type. All keys must be either string, or categorical column except "
                             f"_HashedCategoricalColumn. Given: {key}")
    return _CrossedColumn(tuple(keys), int(hash_bucket_size), hash_key)


__all__ = ["bucketized_column", "crossed_column", "numeric_column", "weighted_categorical_column"]
