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


def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None, name: str | None = None):
    """(paddings [n, 2], crops [n, 2]) int32: base_paddings with each pad end grown so the padded size is a
    multiple of the block, and the crops that take that growth off again (TF's rule)."""
    from .array_ops import stack, zeros
    with name_scope(name, "required_space_to_batch_paddings"):
        shape_t = convert_to_tensor(input_shape, dtype="int32")
        block = convert_to_tensor(block_shape, dtype="int32")
        if block.shape.ndims != 1 or block.shape.as_list()[0] is None:
            raise ValueError(f"block_shape {block.name} must be 1-D with a known length, got {block.shape}")
        n = block.shape.as_list()[0]
        if shape_t.shape.ndims != 1 or shape_t.shape.as_list()[0] not in (None, n):
            raise ValueError(f"input_shape {shape_t.name} must be [{n}], got {shape_t.shape}")
        base = zeros([n, 2], "int32") if base_paddings is None else convert_to_tensor(base_paddings, dtype="int32")
        if base.shape.as_list() not in ([n, 2], [None, 2], [n, None], [None, None]):
            raise ValueError(f"base_paddings {base.name} must be [{n}, 2], got {base.shape}")
        start, end = base[:, 0], base[:, 1]
        extra = (block - (shape_t + start + end) % block) % block
        return (stack([stack([start[i], end[i] + extra[i]]) for i in builtins.range(n)], name="paddings"),
                stack([stack([extra[i] * 0, extra[i]]) for i in builtins.range(n)], name="crops"))


def _adjust(values: list, fill, spatial_dims: list[int]) -> list:
    """Per-dim values for the dims 1..max(spatial_dims), `fill` for those between that are not spatial."""
    out = [fill] * (max(spatial_dims) - min(spatial_dims) + 1)
    for value, dim in zip(values, spatial_dims):
        out[dim - min(spatial_dims)] = value
    return [fill] * (min(spatial_dims) - 1) + out


def with_space_to_batch(input, dilation_rate, padding: str, op, filter_shape=None, spatial_dims=None,  # noqa: A002
                        data_format=None):
    """op(input, num_spatial_dims, padding) done as a dilated op: space_to_batch_nd by dilation_rate (padded as
    `padding` needs for filter_shape), op with "VALID", batch_to_space_nd back, as TF's with_space_to_batch."""
    x = convert_to_tensor(input, name="input")
    rate = [int(r) for r in np.atleast_1d(static_ints(dilation_rate, "dilation_rate", "with_space_to_batch",
                                                      x.name))]
    n = len(rate)
    if any(r < 1 for r in rate):
        raise ValueError(f"dilation_rate must be positive, got {rate}")
    if spatial_dims is None:
        spatial_dims = list(builtins.range(2, n + 2) if data_format and data_format.startswith("NC")
                            else builtins.range(1, n + 1))
    spatial_dims = [int(d) for d in spatial_dims]
    if sorted(spatial_dims) != spatial_dims or len(set(spatial_dims)) != n or min(spatial_dims) < 1:
        raise ValueError(f"spatial_dims must be a strictly increasing list of positive dims, got {spatial_dims}")
    if all(r == 1 for r in rate):
        return op(x, n, padding)
    if padding == "SAME":
        if filter_shape is None:
            raise ValueError("filter_shape must be specified for SAME padding")
        filt = [int(f) for f in np.atleast_1d(static_ints(filter_shape, "filter_shape", "with_space_to_batch",
                                                          x.name))]
        total = [f + (f - 1) * (r - 1) - 1 for f, r in zip(filt, rate)]
        base = [[t // 2, t - t // 2] for t in total]
    elif padding == "VALID":
        base = [[0, 0]] * n
    else:
        raise ValueError(f"Invalid padding method {padding!r}")
    dims = x.shape.as_list()
    if any(dims[d] is None for d in spatial_dims):
        raise build_error("with_space_to_batch", x.name, f"the spatial dims {spatial_dims} of {x.name} must be known, "
                                                         f"got {x.shape}")
    paddings, crops = [], []
    for d, r, (start, end) in zip(spatial_dims, rate, base):
        extra = (r - (dims[d] + start + end) % r) % r
        paddings.append([start, end + extra])
        crops.append([0, extra])
    block = _adjust(rate, 1, spatial_dims)
    converted = space_to_batch_nd(x, block, _adjust(paddings, [0, 0], spatial_dims))
    result = op(converted, n, "VALID")
    return batch_to_space_nd(result, block, _adjust(crops, [0, 0], spatial_dims))


__all__ = ["batch_to_space", "batch_to_space_nd", "required_space_to_batch_paddings", "space_to_batch",
           "space_to_batch_nd", "with_space_to_batch"]
