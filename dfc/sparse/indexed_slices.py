"""tf.sparse_mask over IndexedSlices, and where the tf.sparse namespace finds TF1's IndexedSlices names."""

from __future__ import annotations

from ..array_ops import gather
from ..framework import convert_to_tensor, name_scope
from ..indexed_slices import IndexedSlices, IndexedSlicesValue, convert_to_tensor_or_indexed_slices


def sparse_mask(a, mask_indices, name: str | None = None) -> IndexedSlices:
    """The slices of a whose indices are not in mask_indices."""
    from ..math_ops import logical_not, reduce_any
    from .core import nonzero_positions
    if not isinstance(a, IndexedSlices):
        raise TypeError(f"sparse_mask: a must be IndexedSlices, got {type(a).__name__}")
    mask = convert_to_tensor(mask_indices)
    with name_scope(name, "sparse_mask", [a.values, a.indices, mask]):
        from ..array_ops import reshape
        from ..framework import make
        hit = reduce_any(make("dfc.equal", [reshape(a.indices, [-1, 1]), reshape(mask, [1, -1])]), axis=1)
        keep = nonzero_positions(logical_not(hit))
        return IndexedSlices(gather(a.values, keep), gather(a.indices, keep), a.dense_shape)


__all__ = ["IndexedSlices", "IndexedSlicesValue", "convert_to_tensor_or_indexed_slices", "sparse_mask"]
