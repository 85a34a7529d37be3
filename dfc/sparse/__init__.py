"""tf.sparse: TF1's sparse namespace (SparseTensor and the ops over it), and where the tf.sparse_* names live."""

from __future__ import annotations

from .embedding import sparse_segment_mean, sparse_segment_sqrt_n, sparse_segment_sum
from .indexed_slices import sparse_mask
from .ops import (from_dense, sparse_add, sparse_maximum, sparse_minimum, sparse_reduce_max, sparse_reduce_max_sparse,
                  sparse_reduce_sum, sparse_reduce_sum_sparse, sparse_softmax, sparse_tensor_dense_matmul,
                  sparse_tensor_to_dense, sparse_to_indicator)
from .structure import (sparse_concat, sparse_expand_dims, sparse_eye, sparse_fill_empty_rows, sparse_merge,
                        sparse_reorder, sparse_reset_shape, sparse_reshape, sparse_retain, sparse_slice, sparse_split,
                        sparse_transpose)
from .tensor import SparseTensor, sparse_placeholder

add = sparse_add
concat = sparse_concat
expand_dims = sparse_expand_dims
eye = sparse_eye
fill_empty_rows = sparse_fill_empty_rows
mask = sparse_mask
matmul = sparse_dense_matmul = sparse_tensor_dense_matmul
maximum, minimum = sparse_maximum, sparse_minimum
merge = sparse_merge
placeholder = sparse_placeholder
reduce_max, reduce_max_sparse = sparse_reduce_max, sparse_reduce_max_sparse
reduce_sum, reduce_sum_sparse = sparse_reduce_sum, sparse_reduce_sum_sparse
reorder = sparse_reorder
reset_shape = sparse_reset_shape
reshape = sparse_reshape
retain = sparse_retain
segment_mean, segment_sqrt_n, segment_sum = sparse_segment_mean, sparse_segment_sqrt_n, sparse_segment_sum
slice = sparse_slice  # noqa: A001 - TF's name
softmax = sparse_softmax
split = sparse_split
to_dense = sparse_tensor_to_dense
to_indicator = sparse_to_indicator
transpose = sparse_transpose

__all__ = ["SparseTensor", "add", "concat", "expand_dims", "eye", "fill_empty_rows", "from_dense", "mask", "matmul",
           "maximum", "merge", "minimum", "placeholder", "reduce_max", "reduce_max_sparse", "reduce_sum",
           "reduce_sum_sparse", "reorder", "reset_shape", "reshape", "retain", "segment_mean", "segment_sqrt_n",
           "segment_sum", "slice", "softmax", "sparse_dense_matmul", "split", "to_dense", "to_indicator", "transpose"]
from .edit_distance import edit_distance  # noqa: E402,F401 - tf.edit_distance
