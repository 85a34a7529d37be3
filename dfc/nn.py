"""tf.nn: activations, softmax, bias_add (and the losses of dfc.losses_impl when present)."""

from __future__ import annotations

from .array_ops import one_hot, reshape
from .framework import Tensor, check_int, convert_to_tensor, make, name_scope
from .gradients_impl import stop_gradient
from .math_ops import abs, exp, log1p, maximum, minimum, negative, reduce_sum, relu, sigmoid, square, tanh
from .nn_conv import __all__ as _conv_names
from .nn_conv import (avg_pool, avg_pool2d, conv2d, conv2d_backprop_filter, conv2d_backprop_input,  # noqa: F401
                      conv2d_transpose, depthwise_conv2d, depthwise_conv2d_native, max_pool, max_pool2d)

__all__ = ["bias_add", "log_softmax", "relu", "relu6", "sigmoid", "softmax", "tanh", *_conv_names]


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
    shaped = reshape(bias, [-1] + [1] * (value.shape.ndims - 2))
    return make("dfc.add", [value, shaped], name=name or "BiasAdd")


# ---- losses (tf.nn.*_cross_entropy_with_logits, l2_loss): composed of differentiable ops ----------
__all__ += ["l2_loss", "sigmoid_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
            "softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits"]


def _labels_logits(fn: str, sentinel, labels, logits) -> tuple[Tensor, Tensor]:
    if sentinel is not None:
        raise ValueError(f"Only call `{fn}` with named arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError(f"{fn} needs both labels and logits")
    logits = convert_to_tensor(logits)
    return convert_to_tensor(labels, dtype=logits.dtype), logits


def softmax_cross_entropy_with_logits_v2(_sentinel=None, labels=None, logits=None, axis=None, name: str | None = None,
                                         dim=None) -> Tensor:
    """-sum(labels * log_softmax(logits)) along `axis` (last by default); gradients reach labels too."""
    labels, logits = _labels_logits("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    axis = dim if axis is None else axis
    axis = -1 if axis is None else check_int(axis, "axis")
    with name_scope(name, "softmax_cross_entropy_with_logits"):
        log_probs = log_softmax(logits, axis=axis)  # stable for large logits: no exp overflows, no log(0)
        return negative(reduce_sum(labels * log_probs, axis=axis), name="xentropy")


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name: str | None = None,
                                      axis=None) -> Tensor:
    """TF1's (deprecated) form: like _v2, but no gradient flows into labels."""
    labels, logits = _labels_logits("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    return softmax_cross_entropy_with_logits_v2(labels=stop_gradient(labels), logits=logits,
                                                axis=dim if axis is None else axis, name=name)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name: str | None = None) -> Tensor:
    """Cross-entropy against integer class labels of shape logits.shape[:-1]."""
    if _sentinel is not None:
        raise ValueError("Only call `sparse_softmax_cross_entropy_with_logits` with named arguments")
    logits, labels = convert_to_tensor(logits), convert_to_tensor(labels)
    if not labels.dtype.is_integer:
        raise ValueError(f"sparse labels {labels.name} must be int32 or int64, got {labels.dtype.name}")
    lrank, grank = labels.shape.ndims, logits.shape.ndims
    if lrank != grank - 1 or any(a is not None and b is not None and a != b
                                 for a, b in zip(labels.shape.as_list(), logits.shape.as_list()[:-1])):
        raise ValueError(f"labels {labels.name} of shape {labels.shape} must have the shape of logits {logits.name} "
                         f"{logits.shape} without its last dim")
    depth = logits.shape.as_list()[-1]
    if depth is None:
        raise ValueError(f"the number of classes (last dim of {logits.name}) must be known")
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits"):
        hot = one_hot(labels, depth, dtype=logits.dtype)
        return negative(reduce_sum(hot * log_softmax(logits), axis=-1), name="xentropy")


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name: str | None = None) -> Tensor:
    """Elementwise logistic loss, as max(x, 0) - x*z + log(1 + exp(-|x|)) so large |x| neither overflows nor rounds."""
    labels, logits = _labels_logits("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "logistic_loss"):
        return maximum(logits, 0.0) - logits * labels + log1p(exp(negative(abs(logits))))


def l2_loss(t, name: str | None = None) -> Tensor:
    """sum(t ** 2) / 2."""
    t = convert_to_tensor(t)
    return make("dfc.mul", [reduce_sum(square(t)), convert_to_tensor(0.5, dtype=t.dtype)], name=name or "L2Loss")
