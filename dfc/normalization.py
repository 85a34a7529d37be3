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
    if not isinstance(axes, Tensor):  # a tensor is read when the step runs; TF then squeezes only with keep_dims
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


# ---- fused batch norm, local response normalization, the old global-normalization form --------------
__all__ += ["batch_norm_with_global_normalization", "fused_batch_norm", "local_response_normalization", "lrn"]

_FUSED_FORMATS = {"NHWC": 4, "NCHW": 4, "NDHWC": 5, "NCDHW": 5}


def _channel_vector(t, what: str, channels: int | None, fn: str) -> Tensor:
    t = convert_to_tensor(t)
    if t.shape.ndims is not None and t.shape.ndims != 1:
        raise ValueError(f"{fn}: {what} {t.name} must be a 1-D tensor (one entry per channel), got shape {t.shape}")
    size = t.shape.as_list()[0] if t.shape.ndims == 1 else None
    if channels is not None and size is not None and size != channels:
        raise ValueError(f"{fn}: {what} {t.name} has {size} entries but the input has {channels} channels")
    if not t.dtype.is_floating:
        raise TypeError(f"{fn}: {what} {t.name} must be float32, got {t.dtype.name}")
    return t


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon: float = 0.001, data_format: str = "NHWC",
                     is_training: bool = True, name: str | None = None,
                     exponential_avg_factor: float = 1.0) -> tuple[Tensor, Tensor, Tensor]:
    """(y, mean, variance) of TF's FusedBatchNorm over every dim but the channels.

    Training normalizes by the batch's mean and biased variance and returns the batch mean and the
    *unbiased* variance (n / (n - 1), n the count per channel), blended into the given running mean and
    variance when exponential_avg_factor != 1; inference normalizes by the given mean and variance and
    returns them. float16 input is computed in float32 (mean and variance come back float32). As in TF,
    no gradient flows into mean and variance, nor out of the returned statistics.
    """
    from .array_ops import reshape
    from .math_ops import subtract
    if (not is_training or exponential_avg_factor != 1.0) and (mean is None or variance is None):
        raise ValueError("fused_batch_norm: both mean and variance must be 1-D tensors when is_training is False or "
                         f"exponential_avg_factor != 1.0, got mean {mean!r} and variance {variance!r}")
    if data_format not in _FUSED_FORMATS:
        raise ValueError(f"fused_batch_norm: data_format must be one of {sorted(_FUSED_FORMATS)}, got "
                         f"{data_format!r}")
    with name_scope(name, "FusedBatchNormV3", [x, scale, offset]) as scope:
        x = convert_to_tensor(x, name="input")
        rank = _FUSED_FORMATS[data_format]
        if x.shape.ndims is not None and x.shape.ndims != rank:
            raise ValueError(f"fused_batch_norm: input {x.name} must be {rank}-D for data_format {data_format}, "
                             f"got shape {x.shape}")
        if not x.dtype.is_floating:
            raise TypeError(f"fused_batch_norm: input {x.name} must be float16, bfloat16 or float32, got "
                            f"{x.dtype.name}")
        channel_axis = 1 if data_format.startswith("NC") else rank - 1
        channels = x.shape.as_list()[channel_axis] if x.shape.ndims is not None else None
        scale = _channel_vector(scale, "scale", channels, "fused_batch_norm")
        offset = _channel_vector(offset, "offset", channels, "fused_batch_norm")
        axes = [a for a in range(rank) if a != channel_axis]
        compute = f32 if x.dtype is f16 else x.dtype
        xc = cast(x, compute) if x.dtype is not compute else x
        shape = [-1 if a == channel_axis else 1 for a in range(rank)]

        def per_channel(v: Tensor) -> Tensor:
            return reshape(cast(v, compute) if v.dtype is not compute else v, shape)

        if is_training:
            batch_mean = reduce_mean(xc, axis=axes, name="mean")
            centered = subtract(xc, reshape(batch_mean, shape))
            biased = reduce_mean(multiply(centered, centered), axis=axes, name="variance")
            count = _count(x, axes)
            unbiased = multiply(biased, count / max(count - 1.0, 1.0)) if isinstance(count, float) else \
                multiply(biased, truediv(count, _maximum(count - 1.0, 1.0)))
            y = multiply(centered, rsqrt(add(reshape(biased, shape), epsilon)))
            out_mean, out_var = batch_mean, unbiased
            if exponential_avg_factor != 1.0:
                factor = float(exponential_avg_factor)
                mean, variance = _channel_vector(mean, "mean", channels, "fused_batch_norm"), \
                    _channel_vector(variance, "variance", channels, "fused_batch_norm")
                out_mean = add(multiply(stop_gradient(mean), 1.0 - factor), multiply(batch_mean, factor))
                out_var = add(multiply(stop_gradient(variance), 1.0 - factor), multiply(unbiased, factor))
        else:
            mean = _channel_vector(mean, "mean", channels, "fused_batch_norm")
            variance = _channel_vector(variance, "variance", channels, "fused_batch_norm")
            mean, variance = stop_gradient(mean), stop_gradient(variance)
            y = multiply(subtract(xc, per_channel(mean)), rsqrt(add(per_channel(variance), epsilon)))
            out_mean, out_var = mean, variance
        from .nn_activations import _scope_op  # y is named as TF names it: FusedBatchNormV3:0
        if compute is x.dtype:
            y = _scope_op("dfc.add", [multiply(y, per_channel(scale)), per_channel(offset)], scope)
        else:
            y = _scope_op("dfc.cast", [add(multiply(y, per_channel(scale)), per_channel(offset))], scope,
                          {"dtype": x.dtype})
        return y, stop_gradient(out_mean), stop_gradient(out_var)


def _count(x: Tensor, axes: list[int]):
    """The number of elements per channel: a float when the dims are known, else a scalar tensor."""
    dims = [x.shape.as_list()[a] for a in axes]
    if None not in dims:
        count = 1.0
        for d in dims:
            count *= d
        return count
    from .array_ops import gather, shape
    from .math_ops import reduce_prod
    return cast(reduce_prod(gather(shape(x), axes)), f32)


def _maximum(a, b):
    from .math_ops import maximum
    return maximum(a, b)


def local_response_normalization(input, depth_radius: int = 5, bias: float = 1.0, alpha: float = 1.0,  # noqa: A002
                                 beta: float = 0.5, name: str | None = None) -> Tensor:
    """input / (bias + alpha * sqr_sum) ** beta, sqr_sum the sum of squares over the channels within
    depth_radius of each channel (AlexNet's LRN, TF's definition: alpha is not divided by the window size).

    The window sum is one matmul by a constant band matrix over the channels, so its gradient is autodiff's."""
    import numpy as np

    from .array_ops import constant, reshape, shape
    from .math_ops import matmul, pow
    x = convert_to_tensor(input)
    if x.shape.ndims is not None and x.shape.ndims != 4:
        raise ValueError(f"local_response_normalization: input {x.name} must be 4-D, got shape {x.shape}")
    if x.dtype.name not in ("float16", "bfloat16", "float32"):
        raise TypeError(f"local_response_normalization: input {x.name} must be float16, bfloat16 or float32, got "
                        f"{x.dtype.name}")
    channels = x.shape.as_list()[3] if x.shape.ndims == 4 else None
    if channels is None:
        raise ValueError(f"local_response_normalization needs the channel dim (3) of {x.name} known, got {x.shape}")
    depth_radius = int(depth_radius)
    if depth_radius < 0:
        raise ValueError(f"local_response_normalization: depth_radius must be >= 0, got {depth_radius}")
    with name_scope(name, "LRN", [x]) as scope:
        from .nn_activations import _scope_op
        index = np.arange(channels)
        band = (np.abs(index[:, None] - index[None, :]) <= depth_radius).astype(x.dtype.np)
        squares = reshape(multiply(x, x), [-1, channels])
        window = reshape(matmul(squares, constant(band)), shape(x))
        denominator = add(multiply(window, convert_to_tensor(alpha, dtype=x.dtype)),
                          convert_to_tensor(bias, dtype=x.dtype))
        return _scope_op("dfc.mul", [x, pow(denominator, convert_to_tensor(-float(beta), dtype=x.dtype))], scope)


lrn = local_response_normalization


def batch_norm_with_global_normalization(t=None, m=None, v=None, beta=None, gamma=None, variance_epsilon=None,
                                         scale_after_normalization=None, name: str | None = None,
                                         input=None, mean=None, variance=None) -> Tensor:  # noqa: A002 - TF's names
    """TF1's older batch norm over given statistics: batch_normalization with gamma used only when
    scale_after_normalization."""
    t = input if t is None else t
    m = mean if m is None else m
    v = variance if v is None else v
    for given, what in ((t, "t"), (m, "m"), (v, "v"), (beta, "beta"), (gamma, "gamma"),
                        (variance_epsilon, "variance_epsilon"),
                        (scale_after_normalization, "scale_after_normalization")):
        if given is None:
            raise TypeError(f"batch_norm_with_global_normalization() missing argument {what!r}")
    return batch_normalization(t, m, v, beta, gamma if scale_after_normalization else None, variance_epsilon,
                               name or "BatchNormWithGlobalNormalization")
