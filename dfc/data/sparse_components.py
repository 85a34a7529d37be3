"""SparseTensor components of tf.data elements (parse_single_example's VarLenFeatures, parse_example after batch).

A sparse component is one component of the flat element: its value is a SparseTensorValue and its entry in the
dataset's shapes is a SparseShape, the dense shape marked sparse. Transformations that only move elements need
nothing more; batch stacks the components' entries under a new leading dimension, as TF's batch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfc.ir.dtypes import DType

from ..framework import Tensor
from ..sparse.tensor import SparseTensor, SparseTensorValue, sparse_placeholder


class SparseShape(list):
    """The dense shape of a sparse component (a list of sizes, None where unknown)."""


def is_sparse(shape: Any) -> bool:
    return isinstance(shape, SparseShape)


def component_spec(value: Any, what: str) -> tuple[DType, Any]:
    """(dtype, shape entry) of a function's result: a Tensor's static shape, or a SparseTensor's SparseShape."""
    if isinstance(value, SparseTensor):
        if value.shape.ndims is None:
            raise TypeError(f"{what}: the SparseTensor {value} needs a known rank to be a dataset component")
        return value.dtype, SparseShape(value.shape.as_list())
    return value.dtype, (value.shape.as_list() if value.shape.ndims is not None else None)


def sparse_leaf_spec(value: SparseTensor | SparseTensorValue) -> tuple[DType, SparseShape]:
    """(dtype, SparseShape) of a SparseTensor or SparseTensorValue given to from_tensors/from_tensor_slices."""
    if isinstance(value, SparseTensor):
        return component_spec(value, "Dataset.from_tensor_slices")
    from ..conversion import infer_constant_dtype
    values = np.asarray(value.values)
    dtype = infer_constant_dtype(values) if values.size else infer_constant_dtype(values.astype(np.float32))
    return dtype, SparseShape([int(d) for d in np.asarray(value.dense_shape)])


def sparse_row(value: SparseTensorValue, row: int) -> SparseTensorValue:
    """Row `row` of a SparseTensor (its first dimension dropped), as from_tensor_slices gives it."""
    indices = np.asarray(value.indices, np.int64)
    keep = indices[:, 0] == row
    return SparseTensorValue(indices[keep, 1:], np.asarray(value.values)[keep],
                             np.asarray(value.dense_shape, np.int64)[1:])


def placeholder_for(dtype: DType, shape: Any, name: str) -> Any:
    """What stands for a component in a function's graph or at get_next: a placeholder, or a sparse one."""
    from ..array_ops import placeholder
    if is_sparse(shape):
        return sparse_placeholder(dtype, list(shape), name=name)
    return placeholder(dtype, shape, name=name)


def graph_values(stand_ins: list[Any]) -> list[Tensor]:
    """The graph tensors behind the stand-ins, a sparse one's three in order."""
    out: list[Tensor] = []
    for s in stand_ins:
        out += [s.indices, s.values, s.dense_shape] if isinstance(s, SparseTensor) else [s]
    return out


def arrays(element: list[Any]) -> list[np.ndarray]:
    """An element's values for graph_values' tensors."""
    out: list[np.ndarray] = []
    for v in element:
        out += [v.indices, v.values, v.dense_shape] if isinstance(v, SparseTensorValue) else [v]
    return out


def as_value(fetched: Any) -> Any:
    """A fetched component as the dataset keeps it."""
    if isinstance(fetched, SparseTensorValue):
        return SparseTensorValue(np.asarray(fetched.indices, np.int64), np.asarray(fetched.values),
                                 np.asarray(fetched.dense_shape, np.int64))
    return np.asarray(fetched)


def batch(values: list[SparseTensorValue], component: int) -> SparseTensorValue:
    """SparseTensors of one rank batched: row i's entries get index i first; the dense shape is the largest."""
    ranks = {len(v.dense_shape) for v in values}
    if len(ranks) != 1:
        from dfc.ir.errors import InvalidArgumentError
        raise InvalidArgumentError(f"Cannot batch SparseTensors of different ranks in component {component}: "
                                   f"{sorted(ranks)}")
    rank = ranks.pop()
    indices = [np.concatenate([np.full((len(v.indices), 1), i, np.int64), np.asarray(v.indices, np.int64)
                               .reshape(-1, rank)], axis=1) for i, v in enumerate(values)]
    dense = np.max(np.stack([np.asarray(v.dense_shape, np.int64) for v in values]), axis=0) if rank else \
        np.zeros(0, np.int64)
    return SparseTensorValue(np.concatenate(indices).reshape(-1, rank + 1),
                             np.concatenate([np.asarray(v.values) for v in values]),
                             np.concatenate([[len(values)], dense]).astype(np.int64))
