"""tf.nn: activations, softmax, bias_add (and the losses of dfc.losses_impl when present)."""

from __future__ import annotations

from .framework import Tensor, check_int, convert_to_tensor, make
from .math_ops import relu, sigmoid, tanh

__all__ = ["bias_add", "log_softmax", "relu", "relu6", "sigmoid", "softmax", "tanh"]


def _softmax(irop: str, default: str, logits, axis, name, dim) -> Tensor:
    x = convert_to_tensor(logits)
    axis = dim if axis is None else axis
    return make(irop, [x], {"axis": -1 if axis is None else check_int(axis, "axis")}, name=name or default)


def softmax(logits, axis=None, name: str | None = None, dim=None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis` (last by default), computed stably."""
    return _softmax("dfc.softmax", "Softmax", logits, axis, name, dim)


def log_softmax(logits, axis=None, name: str | None = None, dim=None) -> Tensor:
    return _softmax("dfc.log_softmax", "LogSoftmax", logits, axis, name, dim)


def relu6(features, name: str | None = None) -> Tensor:
    from .math_ops import minimum
    return minimum(relu(features), 6.0, name=name)


def bias_add(value, bias, data_format=None, name: str | None = None) -> Tensor:
    """value + bias along the last dim (NHWC) or dim 1 (NCHW)."""
    value, bias = convert_to_tensor(value), convert_to_tensor(bias)
    if bias.shape.ndims != 1:
        raise ValueError(f"bias {bias.name} must be a vector, got shape {bias.shape}")
    if data_format in (None, "NHWC", "NWC", "NDHWC"):
        channels = value.shape.as_list()[-1]
        if channels is not None and bias.shape.as_list()[0] not in (None, channels):
            raise ValueError(f"bias_add: bias of size {bias.shape[0]} does not match the last dim ({channels}) "
                             f"of {value.name}")
        return make("dfc.add", [value, bias], name=name or "BiasAdd")
    from .array_ops import reshape
    shaped = reshape(bias, [-1] + [1] * (value.shape.ndims - 2))
    return make("dfc.add", [value, shaped], name=name or "BiasAdd")
