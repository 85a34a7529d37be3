"""tf.feature_column.input_layer and linear_model: feature columns into a dense input or a linear prediction."""

from __future__ import annotations

from typing import Any

from ..array_ops import concat, expand_dims, reshape, shape
from ..framework import Tensor, convert_to_tensor
from ..graph import GraphKeys, get_collection
from ..math_ops import add_n, matmul
from ..nn import bias_add
from ..sparse import SparseTensor, sparse_tensor_to_dense
from ..variables import get_variable, variable_scope, zeros_initializer
from .columns import _CategoricalColumn, _DenseColumn, _FeatureColumn
from .embedding import combine_ids


class _LazyBuilder:
    """Each column's transformed tensor, computed once; raw features by key, rank 1 made [batch, 1]."""

    def __init__(self, features: dict):
        self._features = dict(features)
        self._cache: dict[Any, Tensor] = {}

    def is_sparse(self, key: str) -> bool:
        """Whether the raw feature `key` came as a SparseTensor (parse_example's VarLenFeature)."""
        return isinstance(self._features.get(key), SparseTensor)

    def get(self, key: Any) -> Tensor:
        if key in self._cache:
            return self._cache[key]
        if isinstance(key, str):
            if key not in self._features:
                raise ValueError(f"Feature {key} is not in features dictionary (keys: {sorted(self._features)}).")
            value = self._features[key]
            value = _densify(key, value) if isinstance(value, SparseTensor) else convert_to_tensor(value)
            rank = value.shape.ndims
            if rank == 0:
                raise ValueError(f"Feature (key: {key}) cannot have rank 0. Given: {value}")
            if rank == 1:
                value = expand_dims(value, -1)
        elif isinstance(key, _FeatureColumn):
            value = key._transform(self)
        else:
            raise TypeError(f"Key must be a string or a feature column, got {key!r}")
        self._cache[key] = value
        return value


def _densify(key: str, value: SparseTensor) -> Tensor:
    """A sparse feature as the dense [batch, width] ids the columns read: TF's ignore value ('' or -1) fills gaps.

    TF turns dense categorical input into sparse by dropping that value; filling with it is the inverse, so the
    columns see the same ids either way.
    """
    rank = value.dense_shape.shape.as_list()[0]
    if rank is not None and rank < 2:
        raise ValueError(f"Feature (key: {key}) cannot have rank {rank}. Given: {value}")
    fill = "" if value.dtype.is_string else -1
    dense = sparse_tensor_to_dense(value, default_value=fill)
    if rank is not None and rank > 2:
        dense = reshape(dense, [shape(dense)[0], -1])
    return dense


def _check_feature_columns(feature_columns: Any) -> list:
    if isinstance(feature_columns, dict):
        raise ValueError("Expected feature_columns to be iterable, found dict.")
    if isinstance(feature_columns, _FeatureColumn):
        feature_columns = [feature_columns]
    columns = list(feature_columns)
    if not columns:
        raise ValueError("feature_columns must not be empty.")
    names: dict[str, Any] = {}
    for column in columns:
        if not isinstance(column, _FeatureColumn):
            raise ValueError(f"Items of feature_columns must be a _FeatureColumn. Given (type {type(column)}): "
                             f"{column}.")
        if column.name in names:
            raise ValueError(f"Duplicate feature column name found for columns: {column} and {names[column.name]}. "
                             "This usually means that these columns refer to same base feature. Either one must be "
                             "discarded or a duplicated but renamed item must be inserted in features dict.")
        names[column.name] = column
    return columns


def _collections(weight_collections: Any) -> list[str]:
    collections = list(weight_collections or [])
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES):
        if key not in collections:
            collections.append(key)
    return collections


def _check_batch_sizes(tensors: list[Tensor], columns: list) -> None:
    seen: tuple[int, Any] | None = None
    for tensor, column in zip(tensors, columns):
        size = tensor.shape.as_list()[0] if tensor.shape.ndims else None
        if size is None:
            continue
        if seen is None:
            seen = (size, column)
        elif seen[0] != size:
            raise ValueError(f"Batch size (first dimension) of each feature must be same. Batch size of columns "
                             f"({seen[1].name}, {column.name}): ({seen[0]}, {size})")


def _flatten(tensor: Tensor, elements: int) -> Tensor:
    batch = tensor.shape.as_list()[0] if tensor.shape.ndims else None
    return reshape(tensor, [batch if batch is not None else shape(tensor)[0], elements])


def input_layer(features: dict, feature_columns: Any, weight_collections: Any = None, trainable: bool = True,
                cols_to_vars: dict | None = None) -> Tensor:
    """The dense columns' tensors, each flattened to [batch, elements], concatenated in column-name order."""
    columns = _check_feature_columns(feature_columns)
    for column in columns:
        if not isinstance(column, _DenseColumn):
            raise ValueError("Items of feature_columns must be a _DenseColumn. You can wrap a categorical column with "
                             f"an embedding_column or indicator_column. Given: {column}")
    collections = _collections(weight_collections)
    with variable_scope(None, default_name="input_layer", values=list(features.values())):
        builder = _LazyBuilder(features)
        outputs, ordered = [], []
        for column in sorted(columns, key=lambda c: c.name):
            ordered.append(column)
            with variable_scope(None, default_name=getattr(column, "_var_scope_name", column.name)) as scope:
                tensor = column._get_dense_tensor(builder, weight_collections=collections, trainable=trainable)
                outputs.append(_flatten(tensor, column._variable_shape.num_elements()))
                if cols_to_vars is not None:  # as TF's: the global variables under the column's scope
                    cols_to_vars[column] = get_collection(GraphKeys.GLOBAL_VARIABLES, scope=scope.name + "/")
        _check_batch_sizes(outputs, ordered)
        return concat(outputs, 1)


def linear_model(features: dict, feature_columns: Any, units: int = 1, sparse_combiner: str = "sum",
                 weight_collections: Any = None, trainable: bool = True, cols_to_vars: dict | None = None) -> Tensor:
    """sum over columns of (dense values @ weights, or the combined weights of categorical ids) + bias_weights."""
    columns = _check_feature_columns(feature_columns)
    for column in columns:
        if not isinstance(column, (_DenseColumn, _CategoricalColumn)):
            raise ValueError(f"Items of feature_columns must be either a _DenseColumn or _CategoricalColumn. "
                             f"Given: {column}")
    if sparse_combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError(f"sparse_combiner must be one of 'mean', 'sqrtn' or 'sum', got {sparse_combiner!r}")
    collections = _collections(weight_collections)
    with variable_scope(None, default_name="linear_model", values=list(features.values())):
        builder = _LazyBuilder(features)
        sums, ordered = [], []
        for column in sorted(columns, key=lambda c: c.name):
            ordered.append(column)
            with variable_scope(None, default_name=getattr(column, "_var_scope_name", column.name)):
                if isinstance(column, _CategoricalColumn):
                    weights = get_variable("weights", shape=[column._num_buckets, units], dtype="float32",
                                           initializer=zeros_initializer(), trainable=trainable,
                                           collections=collections)
                    sums.append(combine_ids(weights, column._get_ids(builder), sparse_combiner, name="weighted_sum",
                                            weights=column._get_weights(builder)))
                else:
                    elements = column._variable_shape.num_elements()
                    dense = _flatten(column._get_dense_tensor(builder, weight_collections=collections,
                                                              trainable=trainable), elements)
                    weights = get_variable("weights", shape=[elements, units], dtype="float32",
                                           initializer=zeros_initializer(), trainable=trainable,
                                           collections=collections)
                    sums.append(matmul(dense, weights, name="weighted_sum"))
            if cols_to_vars is not None:
                cols_to_vars[column] = [weights]
        _check_batch_sizes(sums, ordered)
        no_bias = add_n(sums, name="weighted_sum_no_bias")
        bias = get_variable("bias_weights", shape=[units], dtype="float32", initializer=zeros_initializer(),
                            trainable=trainable, collections=collections)
        if cols_to_vars is not None:
            cols_to_vars["bias"] = [bias]
        return bias_add(no_bias, bias, name="weighted_sum")


__all__ = ["input_layer", "linear_model"]


def make_parse_example_spec(feature_columns: Any) -> dict:
    """The tf.parse_example features dict that the columns read: each column's FixedLenFeature or VarLenFeature."""
    spec: dict = {}
    for column in feature_columns:
        if not isinstance(column, _FeatureColumn):
            raise ValueError(f"All feature_columns must be _FeatureColumn instances. Given: {column}")
        for key, feature in column._parse_example_spec.items():
            if key in spec and spec[key] != feature:
                raise ValueError(f"feature_columns contain different parse_spec for key {key}. Given {feature} and "
                                 f"{spec[key]}")
            spec[key] = feature
    return spec
