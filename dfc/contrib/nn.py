"""tf.contrib.nn: alpha_dropout, scaled_softplus, the deprecated_flipped_* losses (logits before labels) and
conv1d_transpose, as TF 1.15's contrib.nn has them."""

from __future__ import annotations

from .. import nn
from ..framework import Tensor, constant_value, convert_to_tensor, name_scope


def alpha_dropout(x, keep_prob, noise_shape=None, seed=None, name=None) -> Tensor:
    """SELU's dropout: dropped units set to SELU's negative saturation -1.758..., then an affine map that keeps
    the mean and variance (TF 1.15's contrib.nn.alpha_dropout)."""
    from ..array_ops import shape
    from ..math_ops import cast, greater_equal
    from ..random_ops import random_uniform
    with name_scope(name, "alpha_dropout", [x]):
        x = convert_to_tensor(x)
        if isinstance(keep_prob, float) and not 0 < keep_prob <= 1:
            raise ValueError(f"keep_prob must be a scalar tensor or a float in the range (0, 1], got {keep_prob}")
        keep = convert_to_tensor(keep_prob, dtype=x.dtype)
        if constant_value(keep) == 1:
            return x
        alpha = -1.7580993408473766
        noise_shape = noise_shape if noise_shape is not None else shape(x)
        kept = cast(greater_equal(random_uniform(noise_shape, seed=seed, dtype=x.dtype), 1 - keep), x.dtype)
        x = x * kept + alpha * (1 - kept)
        a = (keep + keep * (1 - keep) * alpha ** 2) ** -0.5
        b = -a * alpha * (1 - keep)
        return a * x + b


def scaled_softplus(x, alpha, clip=None, name=None) -> Tensor:
    """alpha * softplus(x / alpha), capped at `clip` when given."""
    from ..math_ops import minimum
    with name_scope(name, "scaled_softplus", [x, alpha]):
        x = convert_to_tensor(x)
        alpha = convert_to_tensor(alpha, dtype=x.dtype)
        y = alpha * nn.softplus(x / alpha)
        if clip is not None:
            y = minimum(y, convert_to_tensor(clip, dtype=x.dtype))
        return y


def deprecated_flipped_softmax_cross_entropy_with_logits(logits, labels, dim=-1, name=None) -> Tensor:
    return nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, dim=dim, name=name)


def deprecated_flipped_sparse_softmax_cross_entropy_with_logits(logits, labels, name=None) -> Tensor:
    return nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name=name)


def deprecated_flipped_sigmoid_cross_entropy_with_logits(logits, targets, name=None) -> Tensor:
    return nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits, name=name)


conv1d_transpose = nn.conv1d_transpose

__all__ = ["alpha_dropout", "conv1d_transpose", "deprecated_flipped_sigmoid_cross_entropy_with_logits",
           "deprecated_flipped_softmax_cross_entropy_with_logits",
           "deprecated_flipped_sparse_softmax_cross_entropy_with_logits", "scaled_softplus"]
