"""tf.nn's pooling over any spatial rank: max_pool_v2, avg_pool_v2 and pool pick the 1-, 2- or 3-D op (and
pool's dilated windows), over dfc/nn_conv.py and dfc/nn_conv3d.py."""

from __future__ import annotations

from typing import Any

import numpy as np

from .framework import Tensor, check_int, convert_to_tensor
from .nn_conv import avg_pool, avg_pool1d, max_pool, max_pool1d
from .nn_conv3d import avg_pool3d, max_pool3d

__all__ = ["avg_pool_v2", "max_pool_v2", "pool"]


def _spatial_rank(input, data_format: str | None, fn: str) -> int:
    x = convert_to_tensor(input)
    if x.shape.ndims is not None:
        return x.shape.ndims - 2
    if data_format is not None:
        return len(data_format) - 2
    raise ValueError(f"{fn}: the rank of {x.name} must be known, or data_format given")


def _pool_by_rank(fn: str, pools: tuple, input, ksize, strides, padding, data_format, name) -> Tensor:  # noqa: A002
    """The 1-D, 2-D or 3-D pool of `pools` that the input's rank (3, 4 or 5) asks for, in its default layout."""
    n = _spatial_rank(input, data_format, fn)
    if n not in (1, 2, 3):
        raise ValueError(f"{fn}: input must have rank 3, 4 or 5, got rank {n + 2}")
    layout = data_format or ("NWC", "NHWC", "NDHWC")[n - 1]
    return pools[n - 1](input, ksize, strides, padding, layout, name)


def max_pool_v2(input, ksize, strides, padding, data_format=None, name: str | None = None) -> Tensor:  # noqa: A002
    """max_pool1d, max_pool2d or max_pool3d by the input's rank (3, 4 or 5); ksize and strides: an int, N, or
    N + 2 values."""
    return _pool_by_rank("max_pool_v2", (max_pool1d, max_pool, max_pool3d), input, ksize, strides, padding,
                         data_format, name)


def avg_pool_v2(input, ksize, strides, padding, data_format=None, name: str | None = None) -> Tensor:  # noqa: A002
    """avg_pool1d, avg_pool2d or avg_pool3d by the input's rank (3, 4 or 5); ksize and strides: an int, N, or
    N + 2 values."""
    return _pool_by_rank("avg_pool_v2", (avg_pool1d, avg_pool, avg_pool3d), input, ksize, strides, padding,
                         data_format, name)


def _ints(values: Any, n: int, what: str, fn: str, default: int | None = None) -> list[int]:
    if values is None:
        return [default] * n
    if isinstance(values, Tensor) or np.ndim(values) == 0:
        values = [values] * n
    values = [check_int(v, f"{fn} {what}") for v in values]
    if len(values) != n:
        raise ValueError(f"{fn}: {what} must have {n} values (one per spatial dim), got {values}")
    return values


def pool(input, window_shape, pooling_type, padding, dilation_rate=None, strides=None,  # noqa: A002 - TF's names
         name: str | None = None, data_format=None, dilations=None) -> Tensor:
    """N-D ('MAX' or 'AVG') pooling of a 1-D, 2-D or 3-D input over window_shape, with strides or dilation_rate.

    A dilated window (VALID padding and stride 1 only, as TF) reads every dilation-th input: each tap is a slice.
    """
    from .framework import name_scope
    if dilation_rate is not None and dilations is not None:
        raise ValueError("pool: give dilation_rate or dilations, not both")
    dilation_rate = dilations if dilation_rate is None else dilation_rate
    window_shape = [check_int(v, "pool window_shape") for v in window_shape]
    n = len(window_shape)
    if n not in (1, 2, 3):
        raise ValueError(f"pool: len(window_shape) must be 1, 2, or 3, got window_shape {window_shape}")
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"pool: pooling_type must be 'MAX' or 'AVG', got {pooling_type!r}")
    if isinstance(padding, str) and padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"pool: padding must be 'SAME' or 'VALID', got {padding!r}")
    if any(k < 1 for k in window_shape):
        raise ValueError(f"pool: window_shape {window_shape} must be positive")
    dilation_rate = _ints(dilation_rate, n, "dilation_rate", "pool", default=1)
    strides = _ints(strides, n, "strides", "pool", default=1)
    if any(d < 1 for d in dilation_rate) or any(s < 1 for s in strides):
        raise ValueError(f"pool: strides {strides} and dilation_rate {dilation_rate} must be positive")
    if isinstance(padding, str) and padding.upper() == "SAME" and any(d > 1 for d in dilation_rate):
        raise ValueError(f"pool: pooling with 'SAME' padding is not implemented for dilation_rate > 1, got "
                         f"dilation_rate {dilation_rate}")
    if any(s > k for s, k in zip(strides, window_shape)):
        raise ValueError(f"pool: strides > window_shape not supported (as in TF), got strides {strides} and "
                         f"window_shape {window_shape}")
    if any(d > 1 for d in dilation_rate) and any(s > 1 for s in strides):
        raise ValueError("pool: strides > 1 not supported in conjunction with dilation_rate > 1")
    channels_first = data_format is not None and data_format.startswith("NC")
    if data_format not in (None, "NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW"):
        raise ValueError(f"pool: data_format must be one of NWC, NCW, NHWC, NCHW, NDHWC, NCDHW, got {data_format!r}")
    with name_scope(name, f"{pooling_type.lower()}_pool", [input]):
        x = convert_to_tensor(input)
        if x.shape.ndims is not None and x.shape.ndims != n + 2:
            raise ValueError(f"pool: input {x.name} must have rank {n + 2} for window_shape {window_shape}, "
                             f"got shape {x.shape}")
        if all(d == 1 for d in dilation_rate):
            if n == 1:
                fn = max_pool1d if pooling_type == "MAX" else avg_pool1d
                return fn(x, window_shape, strides, padding, "NCW" if channels_first else "NWC", name=None)
            if n == 3:
                fn = max_pool3d if pooling_type == "MAX" else avg_pool3d
                return fn(x, window_shape, strides, padding, "NCDHW" if channels_first else "NDHWC")
            fn = max_pool if pooling_type == "MAX" else avg_pool
            return fn(x, window_shape, strides, padding, "NCHW" if channels_first else "NHWC")
        return _dilated_pool(x, window_shape, pooling_type, dilation_rate, channels_first)


def _dilated_pool(x: Tensor, window: list[int], kind: str, dilation: list[int], channels_first: bool) -> Tensor:
    from .array_ops import stack
    from .math_ops import reduce_max, reduce_mean
    n = len(window)
    first = 2 if channels_first else 1
    dims = x.shape.as_list()
    if None in dims[first:first + n]:
        raise ValueError(f"pool: a dilated pool needs the spatial dims of {x.name} known, got {x.shape}")
    sizes = dims[first:first + n]
    out = [s - (k - 1) * d for s, k, d in zip(sizes, window, dilation)]
    if any(o < 1 for o in out):
        raise ValueError(f"pool: the dilated window {window} (dilation {dilation}) is larger than the input "
                         f"{x.name} {x.shape}")
    taps = []
    for offsets in np.ndindex(*window):
        index = [slice(None)] * (n + 2)
        for a in range(n):
            start = offsets[a] * dilation[a]
            index[first + a] = slice(start, start + out[a])
        taps.append(x[tuple(index)])
    stacked = stack(taps, axis=0)
    return reduce_max(stacked, axis=0) if kind == "MAX" else reduce_mean(stacked, axis=0)
