"""tf.quantization.fake_quant_*: quantize-dequantize in float32, as TF's FakeQuant kernels compute it, with their
straight-through gradients (the gradient passes where the input is inside the nudged range, and to min/max for the
inputs clamped at either end).

TF nudges [min, max] so that 0.0 is exactly representable: scale = (max - min) / (quant_max - quant_min), the zero
point min's quantized value rounded (half away from zero) into [quant_min, quant_max]; then each input is clamped to
the nudged range and rounded to a multiple of scale. Everything is composed of dfc's float32 ops in TF's order.
"""

from __future__ import annotations

import collections
from typing import Any

from dfc.ir.dtypes import f32
from dfc.ir.errors import InvalidArgumentError

from .array_ops import reshape
from .framework import Tensor, convert_to_tensor, name_scope
from .gradients_impl import stop_gradient
from .math_ops import (abs, cast, floor, greater, greater_equal, less, less_equal, logical_and, maximum, minimum,
                       reduce_sum, sign, where)

__all__ = ["fake_quant_with_min_max_args", "fake_quant_with_min_max_args_gradient", "fake_quant_with_min_max_vars",
           "fake_quant_with_min_max_vars_gradient", "fake_quant_with_min_max_vars_per_channel",
           "fake_quant_with_min_max_vars_per_channel_gradient"]

VarsGradient = collections.namedtuple("FakeQuantWithMinMaxVarsGradient",
                                      ["backprops_wrt_input", "backprop_wrt_min", "backprop_wrt_max"])
PerChannelGradient = collections.namedtuple("FakeQuantWithMinMaxVarsPerChannelGradient",
                                            ["backprops_wrt_input", "backprop_wrt_min", "backprop_wrt_max"])


def _float_input(x: Any, op: str, arg: str = "inputs") -> Tensor:
    x = convert_to_tensor(x)
    if x.dtype is not f32:
        raise TypeError(f"Input '{arg}' of '{op}' Op has type {x.dtype.name} that does not match expected type of "
                        f"float32.")
    return x


def _quant_range(num_bits: int, narrow_range: bool) -> tuple[float, float]:
    if not 2 <= num_bits <= 16:
        raise InvalidArgumentError("num_bits must be between 2 and 16, inclusive")
    return (1.0 if narrow_range else 0.0), float((1 << num_bits) - 1)


def _nudged(lo: Any, hi: Any, quant_min: float, quant_max: float) -> tuple[Tensor, Tensor, Tensor]:
    """TF's Nudge: (nudged_min, nudged_max, scale) of float32 `lo` and `hi` (tensors: scalars or per channel)."""
    scale = (hi - lo) / (quant_max - quant_min)
    zero_point_from_min = quant_min - lo / scale
    rounded = sign(zero_point_from_min) * floor(abs(zero_point_from_min) + 0.5)  # std::round
    nudged_zero_point = minimum(maximum(rounded, quant_min), quant_max)
    return (quant_min - nudged_zero_point) * scale, (quant_max - nudged_zero_point) * scale, scale


def _quantized(x: Tensor, nudged_min: Tensor, nudged_max: Tensor, scale: Tensor) -> Tensor:
    clamped = minimum(maximum(x, nudged_min), nudged_max)
    inv_scale = 1.0 / scale
    return floor((clamped - nudged_min) * inv_scale + 0.5) * scale + nudged_min


def _inside(x: Tensor, nudged_min: Tensor, nudged_max: Tensor) -> Tensor:
    return cast(logical_and(greater_equal(x, nudged_min), less_equal(x, nudged_max)), f32)


def _straight_through(x: Tensor, quantized: Tensor, nudged_min: Tensor, nudged_max: Tensor,
                      lo: Tensor | None = None, hi: Tensor | None = None) -> Tensor:
    """`quantized`'s values with TF's gradients: to x inside the nudged range, to lo below it, to hi above it."""
    out = stop_gradient(quantized) + (x - stop_gradient(x)) * _inside(x, nudged_min, nudged_max)
    if lo is not None:
        out = out + (lo - stop_gradient(lo)) * cast(less(x, nudged_min), f32)
        out = out + (hi - stop_gradient(hi)) * cast(greater(x, nudged_max), f32)
    return out


def _args_range(op: str, min: float, max: float, num_bits: int, narrow_range: bool):
    if not min < max:
        raise InvalidArgumentError(f"min has to be smaller than max, was: {min:g} >= {max:g}")
    quant_min, quant_max = _quant_range(num_bits, narrow_range)
    lo, hi = convert_to_tensor(float(min), dtype=f32), convert_to_tensor(float(max), dtype=f32)
    return _nudged(lo, hi, quant_min, quant_max)


def fake_quant_with_min_max_args(inputs: Any, min: float = -6.0, max: float = 6.0,  # noqa: A002 - TF's names
                                 num_bits: int = 8, narrow_range: bool = False, name: str | None = None) -> Tensor:
    """Fake-quantize float32 `inputs` into [min, max] (Python floats) with 2**num_bits levels."""
    with name_scope(name, "FakeQuantWithMinMaxArgs"):
        x = _float_input(inputs, "FakeQuantWithMinMaxArgs")
        nudged_min, nudged_max, scale = _args_range("FakeQuantWithMinMaxArgs", min, max, num_bits, narrow_range)
        return _straight_through(x, _quantized(x, nudged_min, nudged_max, scale), nudged_min, nudged_max)


def fake_quant_with_min_max_args_gradient(gradients: Any, inputs: Any, min: float = -6.0,  # noqa: A002
                                          max: float = 6.0, num_bits: int = 8,  # noqa: A002
                                          narrow_range: bool = False, name: str | None = None) -> Tensor:
    """The gradient of fake_quant_with_min_max_args: `gradients` where `inputs` is inside the nudged range."""
    with name_scope(name, "FakeQuantWithMinMaxArgsGradient"):
        g = _float_input(gradients, "FakeQuantWithMinMaxArgsGradient", "gradients")
        x = _float_input(inputs, "FakeQuantWithMinMaxArgsGradient")
        nudged_min, nudged_max, _ = _args_range("FakeQuantWithMinMaxArgsGradient", min, max, num_bits, narrow_range)
        return g * _inside(x, nudged_min, nudged_max)


def _vars(op: str, inputs: Any, min: Any, max: Any, num_bits: int, narrow_range: bool, per_channel: bool):
    x = _float_input(inputs, op)
    lo, hi = _float_input(min, op, "min"), _float_input(max, op, "max")
    if not per_channel:
        for arg, t in (("min", lo), ("max", hi)):
            if t.shape.ndims not in (None, 0):
                raise ValueError(f"Shape must be rank 0 but is rank {t.shape.ndims} for '{op}' (its {arg}) with "
                                 f"input shapes: {x.shape}, {lo.shape}, {hi.shape}.")
    else:
        depth = x.shape.as_list()[-1] if x.shape.ndims else None
        for t in (lo, hi):
            d = t.shape.as_list()[0] if t.shape.ndims == 1 else None
            if t.shape.ndims not in (None, 1) or (depth is not None and d is not None and d != depth):
                raise ValueError(f"Dimensions must be equal, but are {depth} and {d} for '{op}' with input shapes: "
                                 f"{x.shape}, {lo.shape}, {hi.shape}.")
    quant_min, quant_max = _quant_range(num_bits, narrow_range)
    return x, lo, hi, _nudged(lo, hi, quant_min, quant_max)


def fake_quant_with_min_max_vars(inputs: Any, min: Any, max: Any, num_bits: int = 8,  # noqa: A002
                                 narrow_range: bool = False, name: str | None = None) -> Tensor:
    """Fake-quantize float32 `inputs` into [min, max] (scalar tensors, usually variables); min and max get the
    gradients of the inputs clamped below and above."""
    with name_scope(name, "FakeQuantWithMinMaxVars"):
        x, lo, hi, (nudged_min, nudged_max, scale) = _vars("FakeQuantWithMinMaxVars", inputs, min, max, num_bits,
                                                           narrow_range, per_channel=False)
        return _straight_through(x, _quantized(x, nudged_min, nudged_max, scale), nudged_min, nudged_max, lo, hi)


def fake_quant_with_min_max_vars_per_channel(inputs: Any, min: Any, max: Any, num_bits: int = 8,  # noqa: A002
                                             narrow_range: bool = False, name: str | None = None) -> Tensor:
    """fake_quant_with_min_max_vars with a [min, max] per channel (the inputs' last dimension)."""
    with name_scope(name, "FakeQuantWithMinMaxVarsPerChannel"):
        x, lo, hi, (nudged_min, nudged_max, scale) = _vars("FakeQuantWithMinMaxVarsPerChannel", inputs, min, max,
                                                           num_bits, narrow_range, per_channel=True)
        return _straight_through(x, _quantized(x, nudged_min, nudged_max, scale), nudged_min, nudged_max, lo, hi)


def _vars_gradient(op: str, gradients: Any, inputs: Any, min: Any, max: Any, num_bits: int, narrow_range: bool,
                   per_channel: bool) -> tuple[Tensor, Tensor, Tensor]:
    g = _float_input(gradients, op, "gradients")
    x, _, _, (nudged_min, nudged_max, _) = _vars(op, inputs, min, max, num_bits, narrow_range, per_channel)
    axes = list(range(x.shape.ndims - 1)) if per_channel else None
    zeros = g * 0.0
    below = reduce_sum(where(less(x, nudged_min), g, zeros), axis=axes)
    above = reduce_sum(where(greater(x, nudged_max), g, zeros), axis=axes)
    if per_channel:
        below, above = reshape(below, [-1]), reshape(above, [-1])
    return g * _inside(x, nudged_min, nudged_max), below, above


def fake_quant_with_min_max_vars_gradient(gradients: Any, inputs: Any, min: Any, max: Any,  # noqa: A002
                                          num_bits: int = 8, narrow_range: bool = False,
                                          name: str | None = None) -> VarsGradient:
    """The gradients of fake_quant_with_min_max_vars: to the inputs, to min and to max."""
    with name_scope(name, "FakeQuantWithMinMaxVarsGradient"):
        return VarsGradient(*_vars_gradient("FakeQuantWithMinMaxVarsGradient", gradients, inputs, min, max,
                                            num_bits, narrow_range, per_channel=False))


def fake_quant_with_min_max_vars_per_channel_gradient(gradients: Any, inputs: Any, min: Any,  # noqa: A002
                                                      max: Any, num_bits: int = 8,  # noqa: A002
                                                      narrow_range: bool = False,
                                                      name: str | None = None) -> PerChannelGradient:
    """The gradients of fake_quant_with_min_max_vars_per_channel: to the inputs, and per channel to min and max."""
    with name_scope(name, "FakeQuantWithMinMaxVarsPerChannelGradient"):
        return PerChannelGradient(*_vars_gradient("FakeQuantWithMinMaxVarsPerChannelGradient", gradients, inputs,
                                                  min, max, num_bits, narrow_range, per_channel=True))
