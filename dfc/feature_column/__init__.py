"""tf.feature_column (TF 1.15's v1 columns): numeric, bucketized, integer categorical, embedding, indicator."""

from __future__ import annotations

from .categorical import (categorical_column_with_hash_bucket, categorical_column_with_identity,
                          categorical_column_with_vocabulary_file, categorical_column_with_vocabulary_list)
from .columns import bucketized_column, crossed_column, numeric_column, weighted_categorical_column
from .embedding import embedding_column, indicator_column, shared_embedding_columns
from .layers import input_layer, linear_model, make_parse_example_spec

__all__ = ["bucketized_column", "categorical_column_with_hash_bucket", "categorical_column_with_identity",
           "categorical_column_with_vocabulary_file", "categorical_column_with_vocabulary_list", "embedding_column",
           "indicator_column", "input_layer", "linear_model", "make_parse_example_spec", "numeric_column",
           "crossed_column", "shared_embedding_columns", "weighted_categorical_column"]
