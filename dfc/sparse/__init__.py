"""tf.sparse: TF1's sparse namespace (SparseTensor and the ops over it), and where the tf.sparse_* names live."""

from __future__ import annotations

from .ops import (from_dense, sparse_add, sparse_maximum, sparse_minimum, sparse_reduce_max, sparse_reduce_max_sparse,
                  sparse_reduce_sum, sparse_reduce_sum_sparse, sparse_softmax, sparse_tensor_dense_matmul,
                  sparse_tensor_to_dense, sparse_to_dense, sparse_to_indicator)
from .tensor import SparseTensor, SparseTensorValue, sparse_placeholder

add = sparse_add
matmul = sparse_dense_matmul = sparse_tensor_dense_matmul
maximum, minimum = sparse_maximum, sparse_minimum
placeholder = sparse_placeholder
reduce_max, reduce_max_sparse = sparse_reduce_max, sparse_reduce_max_sparse
reduce_sum, reduce_sum_sparse = sparse_reduce_sum, sparse_reduce_sum_sparse
softmax = sparse_softmax
to_dense = sparse_tensor_to_dense
to_indicator = sparse_to_indicator

__all__ = ["SparseTensor", "add", "from_dense", "matmul", "maximum", "minimum", "placeholder", "reduce_max",
           "reduce_max_sparse", "reduce_sum", "reduce_sum_sparse", "softmax", "sparse_dense_matmul", "to_dense",
           "to_indicator"]
_ = SparseTensorValue
