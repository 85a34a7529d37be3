"""tf.feature_column's dense views of categorical columns: embedding, shared embedding and indicator columns."""

from __future__ import annotations

import math
from typing import Any

from ..array_ops import expand_dims, one_hot
from ..framework import Tensor
from ..graph import add_to_collection, get_collection
from ..initializers import truncated_normal_initializer
from ..math_ops import cast, greater, greater_equal, logical_and, where
from ..tensor_shape import TensorShape
from .columns import _CategoricalColumn, _DenseColumn


def combine_ids(params: Any, ids: Tensor, combiner: str, max_norm: Any = None, name: str | None = None,
                weights: Tensor | None = None) -> Tensor:
    """Each row's embeddings of its ids combined by sum, mean or sqrtn (TF's safe_embedding_lookup_sparse).

    An entry counts when its id is >= 0 and, with weights, its weight is > 0; a row without
    any gives zeros. mean divides by the row's weight sum, sqrtn by the root of its squared weights.
    """
    from ..array_ops import gather
    from ..framework import name_scope
    from ..math_ops import reduce_sum, sqrt
    with name_scope(name, "embedding_lookup"):
        if ids.shape.ndims == 1:
            ids = expand_dims(ids, -1)
        present = greater_equal(ids, 0)
        if weights is not None:
            if weights.shape.ndims == 1:
                weights = expand_dims(weights, -1)
            present = logical_and(present, greater(weights, 0.0))
        if hasattr(params, "_get_variable_list") and ids.shape.ndims == 2:
            return _combine_partitioned(params, ids, present, weights, combiner, max_norm)
        rows = gather(params, where(present, ids, ids * 0))
        if max_norm is not None:
            from ..clip_ops import clip_by_norm
            rows = clip_by_norm(rows, max_norm, axes=[-1])
        mask = cast(present, "float32")
        if weights is not None:
            mask = mask * weights
        mask = expand_dims(mask, -1)
        total = reduce_sum(rows * mask, axis=-2)
        if combiner == "sum":
            return total
        if combiner == "mean":
            norm = reduce_sum(mask, axis=-2)
        else:
            norm = sqrt(reduce_sum(mask * mask, axis=-2))
        return total / where(greater(norm, 0.0), norm, norm * 0 + 1.0)


def _combine_partitioned(params: Any, ids: Tensor, present: Tensor, weights: Tensor | None, combiner: str,
                         max_norm: Any) -> Tensor:
    """combine_ids over a partitioned table as TF's safe_embedding_lookup_sparse: only the present ids are looked up
    (by 'div', each shard's gradient an IndexedSlices of its ids), so no other row of a shard is updated."""
    from ..array_ops import gather, reshape, shape
    from ..math_ops import floordiv, reduce_sum, sqrt
    from ..nn import embedding_lookup
    from ..sparse.core import nonzero_positions, segment_sum
    width = cast(shape(ids, out_type="int64")[1], "int64")
    batch = shape(ids, out_type="int64")[0]
    kept = nonzero_positions(reshape(present, [-1]))
    rows = embedding_lookup(params, gather(reshape(ids, [-1]), kept), partition_strategy="div")
    if max_norm is not None:
        from ..clip_ops import clip_by_norm
        rows = clip_by_norm(rows, max_norm, axes=[-1])
    scale = gather(reshape(weights, [-1]), kept) if weights is not None else None
    example = floordiv(kept, width)
    total = segment_sum(rows * expand_dims(scale, -1) if scale is not None else rows, example, batch)
    if combiner == "sum":
        return total
    mask = cast(present, "float32") * (weights if weights is not None else 1.0)
    norm = reduce_sum(mask, axis=-1) if combiner == "mean" else sqrt(reduce_sum(mask * mask, axis=-1))
    norm = expand_dims(norm, -1)
    return total / where(greater(norm, 0.0), norm, norm * 0 + 1.0)


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

    def _embedding_weights(self, weight_collections: Any, trainable: bool) -> Any:
        from ..variables import get_variable
        weights = get_variable("embedding_weights", shape=[self.categorical_column._num_buckets, self.dimension],
                               dtype="float32", initializer=self.initializer, trainable=self.trainable and trainable,
                               collections=weight_collections)
        if self.ckpt_to_load_from is not None:
            from ..checkpoint_utils import init_from_checkpoint
            init_from_checkpoint(self.ckpt_to_load_from, {self.tensor_name_in_ckpt: weights})
        return weights

    def _get_dense_tensor(self, builder: Any, weight_collections: Any = None, trainable: bool = True) -> Tensor:
        table = self._embedding_weights(weight_collections, trainable)
        return combine_ids(table, self.categorical_column._get_ids(builder), self.combiner, self.max_norm,
                           f"{self.name}_weights", self.categorical_column._get_weights(builder))


def _check_embedding_args(categorical_column: Any, dimension: Any, combiner: str, initializer: Any,
                          ckpt_to_load_from: Any, tensor_name_in_ckpt: Any) -> None:
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


def embedding_column(categorical_column: Any, dimension: int, combiner: str = "mean", initializer: Any = None,
                     ckpt_to_load_from: str | None = None, tensor_name_in_ckpt: str | None = None,
                     max_norm: float | None = None, trainable: bool = True) -> _EmbeddingColumn:
    """A categorical column's ids as a learned dense embedding (variable `embedding_weights`)."""
    _check_embedding_args(categorical_column, dimension, combiner, initializer, ckpt_to_load_from,
                          tensor_name_in_ckpt)
    if initializer is None:
        initializer = truncated_normal_initializer(mean=0.0, stddev=1 / math.sqrt(dimension))
    return _EmbeddingColumn(categorical_column, int(dimension), combiner, initializer, ckpt_to_load_from,
                            tensor_name_in_ckpt, max_norm, trainable)


class _SharedEmbeddingColumn(_EmbeddingColumn):
    """An embedding column whose table is one variable shared with other columns (found by collection name)."""

    def __init__(self, categorical_column: _CategoricalColumn, collection: str, *args: Any):
        super().__init__(categorical_column, *args)
        self.shared_embedding_collection_name = collection

    name = property(lambda self: f"{self.categorical_column.name}_shared_embedding")
    _var_scope_name = property(lambda self: self.shared_embedding_collection_name)

    def _embedding_weights(self, weight_collections: Any, trainable: bool) -> Any:
        shape = [self.categorical_column._num_buckets, self.dimension]
        shared = get_collection(self.shared_embedding_collection_name)
        if shared:
            if len(shared) > 1:
                raise ValueError(f"Collection {self.shared_embedding_collection_name} can only contain one variable. "
                                 f"Suggested fix A: Choose a unique name for this collection. Suggested fix B: "
                                 f"remove all other variables from this collection.")
            table = shared[0]
            if table.shape.as_list() != shape:
                raise ValueError(f"Shared embedding collection {self.shared_embedding_collection_name} contains "
                                 f"variable {table.name} of unexpected shape {table.shape}. Expected shape is "
                                 f"{shape}.")
            return table
        table = super()._embedding_weights(weight_collections, trainable)
        add_to_collection(self.shared_embedding_collection_name, table)
        return table


def shared_embedding_columns(categorical_columns: Any, dimension: int, combiner: str = "mean",
                             initializer: Any = None, shared_embedding_collection_name: str | None = None,
                             ckpt_to_load_from: str | None = None, tensor_name_in_ckpt: str | None = None,
                             max_norm: float | None = None, trainable: bool = True) -> list[_SharedEmbeddingColumn]:
    """One embedding column per categorical column, all looking up one table (their num_buckets must agree)."""
    columns = list(categorical_columns)
    if not columns:
        raise ValueError("categorical_columns must not be empty.")
    for column in columns:
        _check_embedding_args(column, dimension, combiner, initializer, ckpt_to_load_from, tensor_name_in_ckpt)
    first = columns[0]
    for column in columns[1:]:
        if column._num_buckets != first._num_buckets:
            raise ValueError(f"To use shared_embedding_column, all categorical_columns must have the same number of "
                             f"buckets. Given column: {first} with buckets: {first._num_buckets} does not match "
                             f"column: {column} with buckets: {column._num_buckets}")
    ordered = sorted(columns, key=lambda c: c.name)
    collection = shared_embedding_collection_name or "_".join(c.name for c in ordered) + "_shared_embedding"
    if initializer is None:
        initializer = truncated_normal_initializer(mean=0.0, stddev=1 / math.sqrt(dimension))
    return [_SharedEmbeddingColumn(c, collection, int(dimension), combiner, initializer, ckpt_to_load_from,
                                   tensor_name_in_ckpt, max_norm, trainable) for c in columns]


class _IndicatorColumn(_DenseColumn):
    def __init__(self, categorical_column: _CategoricalColumn):
        self.categorical_column = categorical_column

    name = property(lambda self: f"{self.categorical_column.name}_indicator")
    _variable_shape = property(lambda self: TensorShape([self.categorical_column._num_buckets]))
    _parse_example_spec = property(lambda self: self.categorical_column._parse_example_spec)

    def _transform(self, builder: Any) -> Tensor:
        """How often each id occurs in each row (a multi-hot count, or the weights' sum; -1s count nowhere)."""
        from ..math_ops import reduce_sum
        ids = self.categorical_column._get_ids(builder)
        weights = self.categorical_column._get_weights(builder)
        if ids.shape.ndims == 1:
            ids = expand_dims(ids, -1)
        hot = one_hot(ids, self.categorical_column._num_buckets, on_value=1.0, off_value=0.0)
        if weights is not None:
            hot = hot * expand_dims(weights if weights.shape.ndims > 1 else expand_dims(weights, -1), -1)
        return reduce_sum(hot, axis=-2)


def indicator_column(categorical_column: Any) -> _IndicatorColumn:
    """A categorical column as a multi-hot dense vector of its num_buckets."""
    if not isinstance(categorical_column, _CategoricalColumn):
        raise ValueError(f"categorical_column must be a _CategoricalColumn, given: {categorical_column}")
    return _IndicatorColumn(categorical_column)


__all__ = ["embedding_column", "indicator_column", "shared_embedding_columns"]
