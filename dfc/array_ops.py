"""Tensor-making and shape functions of the DSL: constant, placeholder, fills, reshape, concat, slicing, ...

The functions live in array_creation.py (placeholders, fills, range, one_hot), array_shape_ops.py (shape
functions, concat/split, stack, tile, gather) and array_slicing.py (slice, strided_slice, x[...]); this module
gathers them under the name TF1 scripts and dfc's own modules import them by, and gives tensors their x[...]."""

from __future__ import annotations

from .array_creation import (fill, one_hot, ones, ones_like, placeholder, placeholder_with_default, range,
                             zeros, zeros_like)
from .array_shape_ops import (concat, expand_dims, gather, identity, mark_row_gather, pack, rank, reshape, shape,
                              shape_argument, size, split, squeeze, stack, tile, transpose, unstack)
from .array_slicing import slice, slice_tensor, strided_slice
from .framework import constant, constant_value, define_tensor_operators

__all__ = ["concat", "constant", "constant_value", "expand_dims", "fill", "gather", "identity", "mark_row_gather",
           "one_hot", "ones", "ones_like", "pack", "placeholder", "placeholder_with_default", "range", "rank",
           "reshape", "shape", "shape_argument", "size", "slice", "slice_tensor", "split", "squeeze", "stack",
           "strided_slice", "tile", "transpose", "unstack", "zeros", "zeros_like"]

define_tensor_operators(getitem=slice_tensor)
