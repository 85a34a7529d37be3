"""TF1's tf.IndexedSlices: rows `values` at `indices` of a tensor of dense_shape (the gradient of a gather).

convert_to_tensor of IndexedSlices gives the dense tensor (duplicate indices add up); a Session
fetch gives an IndexedSlicesValue of the three arrays.
"""

from __future__ import annotations

from .framework import Tensor, convert_to_tensor, name_scope


class IndexedSlices:
    """values[i] is row indices[i] of a tensor of shape dense_shape (TF's gradient of a gather)."""

    def __init__(self, values, indices, dense_shape=None):
        self._values = convert_to_tensor(values)
        self._indices = convert_to_tensor(indices)
        self._dense_shape = None if dense_shape is None else convert_to_tensor(dense_shape)

    values = property(lambda self: self._values)
    indices = property(lambda self: self._indices)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)
    graph = property(lambda self: self._values.graph)
    op = property(lambda self: self._values.op)
    name = property(lambda self: self._values.name)
    device = property(lambda self: self._values.device)

    @property
    def shape(self):
        from .framework import TensorShape, constant_value
        if self._dense_shape is not None:
            known = constant_value(self._dense_shape)
            if known is not None:
                return TensorShape([int(d) for d in known])
        return self._values.shape

    def _as_tensor(self) -> Tensor:
        """The dense tensor: each row of values added at its index (tf.convert_to_tensor of IndexedSlices)."""
        from .sparse.core import segment_sum
        if self._dense_shape is None:
            raise ValueError(f"Tensor conversion requested for IndexedSlices {self.name} without dense_shape")
        with name_scope(None, "IndexedSlicesToTensor", [self._values, self._indices]):
            from .framework import constant_value
            known = constant_value(self._dense_shape)
            rows = int(known[0]) if known is not None else self._dense_shape[0]
            return segment_sum(self._values, self._indices, rows)

    def _dfc_host_fetch(self):
        parts = (self._values, self._indices) + ((self._dense_shape,) if self._dense_shape is not None else ())
        return parts, lambda arrays: IndexedSlicesValue(*arrays, *([None] if len(arrays) == 2 else []))

    def __neg__(self) -> IndexedSlices:
        return IndexedSlices(-self._values, self._indices, self._dense_shape)

    def __repr__(self) -> str:
        return f"IndexedSlices(indices={self._indices!r}, values={self._values!r}, dense_shape={self._dense_shape!r})"


class IndexedSlicesValue(tuple):
    """The arrays of a fetched IndexedSlices."""

    def __new__(cls, values, indices, dense_shape):
        return super().__new__(cls, (values, indices, dense_shape))

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])
    dense_shape = property(lambda self: self[2])


def convert_to_tensor_or_indexed_slices(value, dtype=None, name: str | None = None):
    """IndexedSlices as they are (their dtype checked), anything else through tf.convert_to_tensor."""
    if isinstance(value, IndexedSlices):
        from dfc.ir.dtypes import as_dtype
        if dtype is not None and as_dtype(dtype) is not value.dtype:
            raise ValueError(f"Tensor conversion requested dtype {as_dtype(dtype).name} for IndexedSlices "
                             f"{value.name} with dtype {value.dtype.name}")
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)



__all__ = ["IndexedSlices", "IndexedSlicesValue", "convert_to_tensor_or_indexed_slices"]
