"""TF1's space_to_batch_nd / batch_to_space_nd (and the 4-D space_to_batch / batch_to_space): blocks of the
spatial dims moved into the batch dim and back, as atrous convolutions use them; pads, reshapes and transposes,
so the gradients are those ops' own."""

from __future__ import annotations

import builtins

import numpy as np

from dfc.ir.ops.shape import SLICE_END

from .array_argument_checks import known_rank, static_ints
from .array_ops import reshape, transpose
from .framework import Tensor, build_error, check_int, convert_to_tensor, make, name_scope
from .tensor_ops import pad


def _block_args(block_shape, pairs, what: str, op: str, label: str, x: Tensor) -> tuple[list[int], np.ndarray, int]:
    block = [int(b) for b in np.atleast_1d(static_ints(block_shape, "block_shape", op, label))]
    pads = static_ints(pairs, what, op, label).reshape(-1, 2) if np.size(pairs) else np.zeros((0, 2), np.int64)
    m = len(block)
    rank = known_rank(x, op, label)
    if pads.shape != (m, 2):
        raise build_error(op, label, f"{what} should have shape [{m}, 2] (one pair per block dim), got "
                                     f"{list(pads.shape)}")
    if any(b < 1 for b in block) or np.any(pads < 0):
        raise build_error(op, label, f"block_shape {block} must be >= 1 and {what} {pads.tolist()} non-negative")
    if rank < m + 1:
        raise build_error(op, label, f"input {x.name} of shape {x.shape} needs rank >= {m + 1} for {m} block dims")
    return block, pads, rank


def space_to_batch_nd(input, block_shape, paddings, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """Zero-pad the M spatial dims after the batch dim, split each into blocks of block_shape, and move the
    blocks into the batch dim: [B, d1, ..., dM, rest] -> [B * prod(block), (d1 + pad) / b1, ..., rest]."""
    x = convert_to_tensor(input)
    label = name or "SpaceToBatchND"
    block, pads, rank = _block_args(block_shape, paddings, "paddings", "SpaceToBatchND", label, x)
    m = len(block)
    dims = x.shape.as_list()
    spatial = [dims[1 + i] + int(pads[i].sum()) if dims[1 + i] is not None else None for i in builtins.range(m)]
    for i, (d, b) in enumerate(zip(spatial, block)):
        if d is None:
            raise build_error("SpaceToBatchND", label, f"space_to_batch_nd needs spatial dim {i + 1} of {x.name}")
        if d % b:
            raise build_error("SpaceToBatchND", label, f"padded shape[{i}]={d} is not divisible by "
                                                       f"block_shape[{i}]={b}")
    rest = dims[1 + m:]
    if None in rest:
        raise build_error("SpaceToBatchND", label, f"space_to_batch_nd needs the dims of {x.name} past the spatial "
                                                   f"ones known, got {x.shape}")
    batch = -1 if dims[0] is None else dims[0]
    with name_scope(name, "SpaceToBatchND", [x]):
        full = [[0, 0]] + pads.tolist() + [[0, 0]] * len(rest)
        padded = pad(x, full) if np.any(pads) else x
        split = [batch] + [v for d, b in zip(spatial, block) for v in (d // b, b)] + rest
        y = reshape(padded, split)
        perm = [2 + 2 * i for i in builtins.range(m)] + [0] + [1 + 2 * i for i in builtins.range(m)] + \
            [1 + 2 * m + i for i in builtins.range(len(rest))]
        y = transpose(y, perm)
        total = int(np.prod(block))
        return reshape(y, [-1 if dims[0] is None else batch * total] + [d // b for d, b in zip(spatial, block)] +
                       rest, name="SpaceToBatchND")


def batch_to_space_nd(input, block_shape, crops, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """The inverse of space_to_batch_nd: blocks move from the batch dim back into the spatial dims, then `crops`
    are cut from each spatial dim's two ends."""
    x = convert_to_tensor(input)
    label = name or "BatchToSpaceND"
    block, crop, rank = _block_args(block_shape, crops, "crops", "BatchToSpaceND", label, x)
    m = len(block)
    dims = x.shape.as_list()
    total = int(np.prod(block))
    if None in dims[1:]:
        raise build_error("BatchToSpaceND", label, f"batch_to_space_nd needs the dims of {x.name} but the batch "
                                                   f"known, got {x.shape}")
    if dims[0] is not None and dims[0] % total:
        raise build_error("BatchToSpaceND", label, f"Input batch dimension ({dims[0]}) is not divisible by product "
                                                   f"of block sizes ({total})")
    spatial, rest = dims[1:1 + m], dims[1 + m:]
    full = [d * b for d, b in zip(spatial, block)]
    for i, (f, (lo, hi)) in enumerate(zip(full, crop)):
        if lo + hi > f:
            raise build_error("BatchToSpaceND", label, f"crops must be less than or equal to the block-expanded "
                                                       f"dim {i + 1} ({f}), got {crop[i].tolist()}")
    batch = -1 if dims[0] is None else dims[0] // total
    with name_scope(name, "BatchToSpaceND", [x]):
        y = reshape(x, block + [batch] + spatial + rest)
        perm = [m] + [v for i in builtins.range(m) for v in (m + 1 + i, i)] + \
            [2 * m + 1 + i for i in builtins.range(len(rest))]
        y = reshape(transpose(y, perm), [batch] + full + rest)
        if not np.any(crop):
            return make("dfc.identity", [y], name="BatchToSpaceND")
        begin = [0] + [int(c[0]) for c in crop] + [0] * len(rest)
        end = [SLICE_END] + [f - int(c[1]) for f, c in zip(full, crop)] + [SLICE_END] * len(rest)
        return make("dfc.slice", [y], {"begin": begin, "end": end, "strides": [1] * rank}, name="BatchToSpaceND")


def space_to_batch(input, paddings, block_size=None, name: str | None = None, block_shape=None) -> Tensor:  # noqa
    """TF1's 4-D space_to_batch: space_to_batch_nd over H and W with a square block."""
    size = block_shape if block_size is None else block_size
    if size is None:
        raise TypeError("space_to_batch needs block_size")
    b = check_int(size, "block_size")
    return space_to_batch_nd(input, [b, b], paddings, name=name or "SpaceToBatch")


def batch_to_space(input, crops, block_size, name: str | None = None, block_shape=None) -> Tensor:  # noqa: A002
    """TF1's 4-D batch_to_space: batch_to_space_nd over H and W with a square block."""
    b = check_int(block_size if block_size is not None else block_shape, "block_size")
    return batch_to_space_nd(input, [b, b], crops, name=name or "BatchToSpace")


__all__ = ["batch_to_space", "batch_to_space_nd", "space_to_batch", "space_to_batch_nd"]
