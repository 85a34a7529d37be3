"""TF1's fractional pooling (tf.nn.fractional_max_pool, fractional_avg_pool) and its pooling sequences.

Each output row i pools the input rows [rows[i], rows[i + 1]) (through rows[i + 1] itself when `overlapping`,
clipped to the last row), the same for columns; the sequences are TF's GeneratePoolingSequence: steps of
k = floor(in / out) or k + 1, the longer ones shuffled ("random") or at ceil(alpha * (i + u)) for one uniform u
("pseudo_random"), drawn from dfc's random ops (stateless when `deterministic`, so every run pools alike), not
from TF's Philox bits. Max and mean over a rectangle are separable, so the pool is a segment max (sum) over rows
then over columns, plus each window's shared boundary row or column when overlapping; the gradient is autodiff's
through those, TF's: a max window's gradient goes to its largest input, a mean's is spread over the window.
"""

from __future__ import annotations

import math

import numpy as np

from dfc.ir.dtypes import f64, i32, i64

from .array_ops import concat, constant, gather, reshape, transpose
from .framework import Tensor, convert_to_tensor, name_scope
from .math_ops import cast, cumsum, minimum, where


def _ratios(pooling_ratio, x: Tensor) -> list[float]:
    ratio = [float(r) for r in pooling_ratio]
    if len(ratio) != 4:
        raise ValueError(f"pooling_ratio must have 4 entries (one per dim of {x.name}), got {pooling_ratio}")
    if ratio[0] != 1.0 or ratio[3] != 1.0:
        raise ValueError("Only pooling on width and height is supported. Pooling ratio for batch and channel "
                         f"dims must be 1, got {pooling_ratio}")
    if min(ratio) < 1.0:
        raise ValueError(f"pooling_ratio cannot be smaller than 1, got {pooling_ratio}")
    return ratio


def _uniform(shape: list[int], deterministic: bool, seeds: tuple[int, int], name: str) -> Tensor:
    """Uniform float64 draws: the same every run when deterministic (TF's fixed pooling region), else new."""
    if deterministic:
        from .stateless_random import stateless_random_uniform
        return stateless_random_uniform(shape, seed=[seeds[0] % 2 ** 31, seeds[1] % 2 ** 31], dtype=f64, name=name)
    from .random_ops import random_uniform
    return random_uniform(shape, dtype=f64, seed=seeds[1], name=name)


def pooling_sequence(size: int, out: int, pseudo_random: bool, deterministic: bool, seeds: tuple[int, int],
                     name: str) -> Tensor:
    """TF's cumulative pooling sequence [out + 1] (int64, from 0 to size) of steps k or k + 1."""
    k, extra = divmod(size, out)
    if pseudo_random:
        alpha = size / out
        max_u = min((k + 2) / alpha - 1, (size + 1 - k) / alpha - (out - 1))
        u = _uniform([], deterministic, seeds, name) * max_u
        inner = cast(_ceil((cast(constant(np.arange(1, out, dtype=np.float64)), f64) + u) * alpha), i64) - 1
        return concat([constant(np.zeros(1, np.int64)), inner, constant(np.array([size], np.int64))], 0)
    steps = constant(np.array([k + 1] * extra + [k] * (out - extra), np.int64))
    from .sorting_ops import argsort
    order = argsort(_uniform([out], deterministic, seeds, name))  # a uniformly random permutation
    shuffled = gather(steps, order)
    return concat([constant(np.zeros(1, np.int64)), cumsum(shuffled)], 0)


def _ceil(x: Tensor) -> Tensor:
    from .math_ops import ceil
    return ceil(x)


def _pool_axis0(x: Tensor, seq: Tensor, size: int, out: int, overlapping: bool, kind: str) -> Tensor:
    """Pool x's axis 0 ([size, ...]) into `out` windows given by the cumulative sequence `seq`."""
    from .array_ops import range as range_
    from .counting_ops import searchsorted
    from .math_ops import unsorted_segment_sum
    from .segment_ops import unsorted_segment_max
    window = searchsorted(seq[1:], range_(0, size, dtype=i64), side="right", out_type=i32)  # each row's window
    reduce = unsorted_segment_max if kind == "max" else unsorted_segment_sum
    pooled = reduce(x, window, out)
    if kind == "max":
        if overlapping:  # window i also holds row seq[i + 1] (clipped to the last row)
            pooled = _maximum(pooled, gather(x, minimum(seq[1:], size - 1)))
        return pooled
    count = seq[1:] - seq[:-1]
    if overlapping:
        shared = seq[1:] < size  # the last window's end is clipped into it: nothing added
        boundary = gather(x, minimum(seq[1:], size - 1))
        mask = reshape(shared, [-1] + [1] * (x.shape.ndims - 1))
        pooled = pooled + where(mask, boundary, boundary * 0)
        count = count + cast(shared, i64)
    return pooled / reshape(cast(count, x.dtype), [-1] + [1] * (x.shape.ndims - 1))


def _maximum(a: Tensor, b: Tensor) -> Tensor:
    from .math_ops import maximum
    return maximum(a, b)


def fractional_pool(value: Tensor, rows: Tensor, cols: Tensor, out_rows: int, out_cols: int, overlapping: bool,
                    kind: str) -> Tensor:
    """value [batch, height, width, channels] pooled over the windows the row and column sequences give."""
    _, height, width, _ = value.shape.as_list()
    by_rows = _pool_axis0(transpose(value, [1, 0, 2, 3]), rows, height, out_rows, overlapping, kind)
    by_cols = _pool_axis0(transpose(by_rows, [2, 1, 0, 3]), cols, width, out_cols, overlapping, kind)
    return transpose(by_cols, [1, 2, 0, 3])


def _fractional(kind: str, value, pooling_ratio, pseudo_random: bool, overlapping: bool, deterministic: bool,
                seed: int, seed2: int, name):
    x = convert_to_tensor(value)
    op_name = "FractionalMaxPool" if kind == "max" else "FractionalAvgPool"
    if x.shape.ndims != 4:
        raise ValueError(f"{op_name}: input {x.name} must be 4-D [batch, height, width, channels], got {x.shape}")
    ratio = _ratios(pooling_ratio, x)
    _, height, width, _ = x.shape.as_list()
    if height is None or width is None:
        raise ValueError(f"{op_name}: the height and width of {x.name} must be known, got {x.shape}")
    out_rows, out_cols = (int(math.floor(size / r)) for size, r in ((height, ratio[1]), (width, ratio[2])))
    if out_rows <= 0 or out_cols <= 0:
        raise ValueError(f"{op_name}: pooling_ratio {pooling_ratio} leaves no output rows or columns of "
                         f"{x.name} {x.shape}: outputsize has to be positive")
    from .scopes import get_seed
    seeds = (int(seed), int(seed2)) if (seed or seed2) else get_seed(None)
    with name_scope(name, op_name, [x]):
        rows = pooling_sequence(height, out_rows, pseudo_random, deterministic, seeds, "row_pooling_sequence")
        cols = pooling_sequence(width, out_cols, pseudo_random, deterministic, (seeds[0], seeds[1] + 1),
                                "col_pooling_sequence")
        return fractional_pool(x, rows, cols, out_rows, out_cols, overlapping, kind), rows, cols


def fractional_max_pool(value, pooling_ratio, pseudo_random: bool = False, overlapping: bool = False,
                        deterministic: bool = False, seed: int = 0, seed2: int = 0, name=None):
    """(the max of each fractional window of value [batch, height, width, channels], row_pooling_sequence,
    col_pooling_sequence), output dims floor(input dim / ratio)."""
    return _fractional("max", value, pooling_ratio, pseudo_random, overlapping, deterministic, seed, seed2, name)


def fractional_avg_pool(value, pooling_ratio, pseudo_random: bool = False, overlapping: bool = False,
                        deterministic: bool = False, seed: int = 0, seed2: int = 0, name=None):
    """(the mean of each fractional window of value, row_pooling_sequence, col_pooling_sequence)."""
    return _fractional("avg", value, pooling_ratio, pseudo_random, overlapping, deterministic, seed, seed2, name)


__all__ = ["fractional_avg_pool", "fractional_max_pool"]
