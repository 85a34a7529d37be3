"""Clipping and norms of the DSL: clip_by_value, clip_by_norm, clip_by_global_norm, global_norm, norm, l2_normalize.

Each is TF's own definition over the DSL's ops, so values, gradients and the handling of zero
and non-finite norms are TF's. As in TF, an IndexedSlices (an embedding's gradient) stays one:
the clips apply to its rows, and norms count its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .array_ops import identity, stack
from .conversion import _user_line
from .framework import Tensor, constant, constant_value, convert_to_tensor, is_tensor_like, name_scope
from .indexed_slices import IndexedSlices
from .math_ops import (_axes, abs, cast, maximum, minimum, multiply, pow, reduce_max, reduce_sum,
                       rsqrt, sqrt, square, truediv, where)


def _scalar_like(value, t: Tensor) -> Tensor:
    return convert_to_tensor(value) if is_tensor_like(value) else convert_to_tensor(value, dtype=t.dtype)


def _rows_of(t):
    """The tensor a clip works on: an IndexedSlices' rows, else t as a tensor."""
    return t.values if isinstance(t, IndexedSlices) else convert_to_tensor(t)


def _like(t, clipped: Tensor):
    """The clipped rows as an IndexedSlices when t was one."""
    return IndexedSlices(clipped, t.indices, t.dense_shape) if isinstance(t, IndexedSlices) else clipped


def clip_by_value(t, clip_value_min, clip_value_max, name: str | None = None) -> Tensor:
    """min(max(t, lo), hi). The gradient goes to t where lo <= t <= hi, else to the bound that won (TF's rule)."""
    if isinstance(t, IndexedSlices):
        return _like(t, clip_by_value(t.values, clip_value_min, clip_value_max, name))
    t = convert_to_tensor(t)
    with name_scope(name, "clip_by_value", [t]):
        lo, hi = _scalar_like(clip_value_min, t), _scalar_like(clip_value_max, t)
        clipped = maximum(minimum(t, hi), lo)
        if t.shape.ndims is not None and clipped.shape.ndims is not None and (
                clipped.shape.ndims != t.shape.ndims or
                any(a is not None and b is not None and a != b for a, b in zip(t.shape.as_list(),
                                                                              clipped.shape.as_list()))):
            raise ValueError(f"{_user_line()}clip_by_value: the bounds broadcast {t.name} of shape {t.shape} to "
                             f"{clipped.shape}; they must not change the shape of t")
        return identity(clipped, "clip_by_value")


def clip_by_norm(t, clip_norm, axes=None, name: str | None = None) -> Tensor:
    """t * clip_norm / max(||t||_2, clip_norm), the norm over `axes` (all when None); a zero t stays zero."""
    if isinstance(t, IndexedSlices):
        return _like(t, clip_by_norm(t.values, clip_norm, axes, name))
    t = convert_to_tensor(t)
    with name_scope(name, "clip_by_norm", [t]):
        clip_norm = _scalar_like(clip_norm, t)
        l2sum = reduce_sum(multiply(t, t), axis=axes, keepdims=True)
        positive = l2sum > 0
        safe = where(positive, l2sum, constant(1, dtype=t.dtype) + l2sum * 0)
        l2norm = where(positive, sqrt(safe), l2sum)
        return identity(truediv(multiply(t, clip_norm), maximum(l2norm, clip_norm)), "clip_by_norm")


def _flat_list(t_list, what: str) -> list:
    if isinstance(t_list, (str, bytes)) or not isinstance(t_list, Sequence) or is_tensor_like(t_list):
        raise TypeError(f"{_user_line()}{what} should be a sequence of tensors, got {t_list!r}")
    return list(t_list)


def global_norm(t_list, name: str | None = None) -> Tensor:
    """sqrt(sum of the squares of every entry of every tensor); None entries are skipped."""
    tensors = [_rows_of(t) for t in _flat_list(t_list, "t_list") if t is not None]
    if not tensors:
        return constant(0.0, name=name or "global_norm")
    with name_scope(name, "global_norm", tensors):
        halves = [truediv(reduce_sum(square(t)), constant(2, dtype=t.dtype), name="L2Loss") for t in tensors]
        half = reduce_sum(stack(halves) if len(halves) > 1 else halves[0])
        return sqrt(multiply(half, constant(2, dtype=half.dtype)), name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name: str | None = None) -> tuple[list, Tensor]:
    """(each t * clip_norm / max(global_norm, clip_norm), global_norm); None stays None; a non-finite norm
    makes every entry NaN, as in TF."""
    items = _flat_list(t_list, "t_list")
    present = [_rows_of(t) for t in items if t is not None]
    with name_scope(name, "clip_by_global_norm", present):
        norm = global_norm(present) if use_norm is None else convert_to_tensor(use_norm)
        one = constant(1.0, dtype=norm.dtype)
        clip = _scalar_like(clip_norm, norm)
        scale = multiply(clip, minimum(truediv(one, norm), truediv(one, clip)))
        scale = scale + (norm - norm)  # NaN when the norm is inf or NaN
        out = []
        for t in items:
            if t is None:
                out.append(None)
                continue
            rows = _rows_of(t)
            s = scale if scale.dtype is rows.dtype else cast(scale, rows.dtype)
            out.append(_like(t, identity(multiply(rows, s), "clip_by_global_norm")))
        return out, norm


def clip_by_average_norm(t, clip_norm, name: str | None = None) -> Tensor:
    """t * clip_norm / max(||t||_2 / size(t), clip_norm) (TF1's definition)."""
    t = convert_to_tensor(t)
    with name_scope(name, "clip_by_average_norm", [t]):
        clip = _scalar_like(clip_norm, t)
        from .array_ops import size
        n = cast(size(t), t.dtype)
        inv = rsqrt(reduce_sum(multiply(t, t)))
        return identity(multiply(multiply(t, clip), minimum(multiply(inv, n), truediv(constant(1.0, t.dtype), clip))),
                             "clip_by_average_norm")


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name: str | None = None, keep_dims=None) -> Tensor:
    """Vector norms (ord 'euclidean'/'fro'/2, 1, inf, any p > 0) over `axis`, or matrix norms over a pair of axes
    ('euclidean'/'fro', 1, inf), as tf.norm."""
    x = convert_to_tensor(tensor)
    keep = bool(keepdims if keepdims is not None else keep_dims or False)
    if isinstance(axis, Tensor) and constant_value(axis) is None:  # TF's norm needs its axes in Python
        raise ValueError(f"{_user_line()}'axis' must be None, an integer, or a tuple of 2 unique integers, got "
                         f"{axis}")
    axes = None if axis is None else [int(a) for a in np.atleast_1d(axis)]
    matrix = axes is not None and len(axes) == 2
    if axes is not None and len(axes) not in (1, 2):
        raise ValueError(f"{_user_line()}'axis' must be None, an integer, or a tuple of 2 unique integers, got "
                         f"{axis}")
    valid = ("fro", "euclidean", 1, np.inf) if matrix else ("fro", "euclidean", 1, 2, np.inf)
    if not (ord in valid or (not matrix and not isinstance(ord, str) and ord > 0)):
        raise ValueError(f"{_user_line()}'ord' must be a supported {'matrix' if matrix else 'vector'} norm, got "
                         f"{ord}")
    with name_scope(name, "norm", [x]):
        reduce_axes = _axes(x, axes, None) if axes is not None else list(range(x.shape.ndims))
        if ord in ("fro", "euclidean", 2):
            result = sqrt(reduce_sum(multiply(x, x), axis=reduce_axes, keepdims=True))
        elif matrix:
            rank = x.shape.ndims
            rows, cols = (a % rank for a in axes)
            if ord == 1:  # the largest column sum
                result = reduce_max(reduce_sum(abs(x), axis=rows, keepdims=True), axis=cols, keepdims=True)
            else:  # the largest row sum
                result = reduce_max(reduce_sum(abs(x), axis=cols, keepdims=True), axis=rows, keepdims=True)
        elif ord == 1:
            result = reduce_sum(abs(x), axis=reduce_axes, keepdims=True)
        elif ord == np.inf:
            result = reduce_max(abs(x), axis=reduce_axes, keepdims=True)
        else:
            p = constant(ord, dtype=x.dtype)
            result = pow(reduce_sum(pow(abs(x), p), axis=reduce_axes, keepdims=True),
                         truediv(constant(1.0, dtype=x.dtype), p))
        if not keep:
            from .array_ops import squeeze
            result = squeeze(result, reduce_axes)
        return result


def l2_normalize(x, axis=None, epsilon=1e-12, name: str | None = None, dim=None) -> Tensor:
    """x / sqrt(max(sum(x^2 over axis), epsilon))."""
    x = convert_to_tensor(x)
    axis = dim if axis is None else axis
    with name_scope(name, "l2_normalize", [x]):
        square_sum = reduce_sum(square(x), axis=axis, keepdims=True)
        inv = rsqrt(maximum(square_sum, constant(epsilon, dtype=x.dtype)))
        return multiply(x, inv, name="l2_normalize")


__all__ = ["clip_by_average_norm", "clip_by_global_norm", "clip_by_norm", "clip_by_value", "global_norm",
           "l2_normalize", "norm"]
