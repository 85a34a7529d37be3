"""tf.nn's normalization statistics: moments, weighted_moments, sufficient_statistics, normalize_moments,
batch_normalization (TF's definitions over the DSL's ops, gradients included)."""

from __future__ import annotations

from dfc.ir.dtypes import f16, f32

from .framework import Tensor, convert_to_tensor, name_scope
from .gradients_impl import stop_gradient
from .math_ops import (add, cast, multiply, reduce_mean, reduce_sum, rsqrt, squared_difference, subtract, truediv)


def moments(x, axes, shift=None, name: str | None = None, keep_dims=None, keepdims=None) -> tuple[Tensor, Tensor]:
    """(mean, variance) of x over `axes`; float16 is computed in float32, as TF does."""
    x = convert_to_tensor(x)
    keep = bool(keepdims if keepdims is not None else keep_dims or False)
    axes = [int(a) for a in axes]
    with name_scope(name, "moments", [x]):
        y = cast(x, f32) if x.dtype is f16 else x
        mean = reduce_mean(y, axis=axes, keepdims=True, name="mean")
        variance = reduce_mean(squared_difference(y, stop_gradient(mean)), axis=axes, keepdims=True,
                               name="variance")
        if not keep:
            from .array_ops import squeeze
            mean, variance = squeeze(mean, axes), squeeze(variance, axes)
        if x.dtype is f16:
            return cast(mean, f16), cast(variance, f16)
        return mean, variance


def weighted_moments(x, axes, frequency_weights, name: str | None = None, keep_dims=None,
                     keepdims=None) -> tuple[Tensor, Tensor]:
    """The frequency-weighted mean and variance of x over `axes`."""
    x = convert_to_tensor(x)
    keep = bool(keepdims if keepdims is not None else keep_dims or False)
    axes = [int(a) for a in axes]
    with name_scope(name, "weighted_moments", [x]):
        w = convert_to_tensor(frequency_weights, dtype=x.dtype) if not isinstance(frequency_weights, Tensor) \
            else frequency_weights
        weighted_sum = reduce_sum(multiply(w, x), axis=axes, keepdims=True)
        from .array_ops import zeros_like
        weight_sum = reduce_sum(add(w, zeros_like(x)), axis=axes, keepdims=True)
        from .math_ops import div_no_nan
        mean = div_no_nan(weighted_sum, weight_sum)
        variance = div_no_nan(reduce_sum(multiply(w, squared_difference(x, mean)), axis=axes, keepdims=True),
                              weight_sum)
        if not keep:
            from .array_ops import squeeze
            mean, variance = squeeze(mean, axes), squeeze(variance, axes)
        return mean, variance


def sufficient_statistics(x, axes, shift=None, keep_dims=None, name: str | None = None, keepdims=None):
    """(count, sum of x - shift, sum of squares of x - shift, shift) over `axes`."""
    x = convert_to_tensor(x)
    keep = bool(keepdims if keepdims is not None else keep_dims or False)
    axes = [int(a) for a in axes]
    dims = x.shape.as_list()
    with name_scope(name, "sufficient_statistics", [x]):
        if None in [dims[a] for a in axes]:
            raise ValueError(f"sufficient_statistics needs the sizes of axes {axes} of {x.name}, got {x.shape}")
        count = 1
        for a in axes:
            count *= dims[a]
        counts = convert_to_tensor(float(count), dtype=x.dtype)
        if shift is not None:
            shift = convert_to_tensor(shift, dtype=x.dtype) if not isinstance(shift, Tensor) else shift
            m_ss = subtract(x, shift)
            v_ss = squared_difference(x, shift)
        else:
            m_ss, v_ss = x, multiply(x, x)
        return (counts, reduce_sum(m_ss, axis=axes, keepdims=keep, name="mean_ss"),
                reduce_sum(v_ss, axis=axes, keepdims=keep, name="var_ss"), shift)


def normalize_moments(counts, mean_ss, variance_ss, shift, name: str | None = None) -> tuple[Tensor, Tensor]:
    """(mean, variance) from sufficient statistics."""
    with name_scope(name, "normalize", [mean_ss, variance_ss]):
        divisor = truediv(1.0, counts) if isinstance(counts, Tensor) else 1.0 / counts
        shifted_mean = multiply(mean_ss, divisor)
        mean = add(shifted_mean, shift) if shift is not None else shifted_mean
        variance = subtract(multiply(variance_ss, divisor), multiply(shifted_mean, shifted_mean))
        return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name: str | None = None) -> Tensor:
    """(x - mean) * scale / sqrt(variance + epsilon) + offset, computed as TF does: x * inv + (offset - mean * inv)."""
    x = convert_to_tensor(x)
    with name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        inv = rsqrt(add(variance, variance_epsilon))
        if scale is not None:
            inv = multiply(inv, scale)
        shift = subtract(offset, multiply(mean, inv)) if offset is not None else multiply(mean, inv) * -1.0
        inv, shift = (cast(t, x.dtype) if t.dtype is not x.dtype else t for t in (inv, shift))
        return add(multiply(x, inv), shift)


__all__ = ["batch_normalization", "moments", "normalize_moments", "sufficient_statistics", "weighted_moments"]
