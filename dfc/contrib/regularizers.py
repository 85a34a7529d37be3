"""tf.contrib.layers' regularizers: l1, l2, l1_l2, sum_regularizer and apply_regularization (TF1's checks and names).

A regularizer is a function weights -> scalar penalty tensor (or None when disabled); l2's penalty is
scale * sum(w^2) / 2 (tf.nn.l2_loss). apply_regularization sums the penalties of a list of weights
(tf.GraphKeys.WEIGHTS by default) and files the sum under tf.GraphKeys.REGULARIZATION_LOSSES.
"""

from __future__ import annotations

import logging
import numbers

from collections.abc import Callable

from ..framework import Tensor, constant, convert_to_tensor, name_scope
from ..graph import GraphKeys, add_to_collection, get_collection
from ..math_ops import abs, add_n, multiply, reduce_sum

_log = logging.getLogger("dfc")


def _checked_scale(scale, what: str = "scale"):
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"{what} cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale:g}")
        if scale == 0.0:
            _log.info("Scale of 0 disables regularizer.")
            return None
    return scale


def l1_regularizer(scale: float, scope: str | None = None) -> Callable[[Tensor], Tensor | None]:
    """weights -> scale * sum(|weights|)."""
    if _checked_scale(scale) is None:
        return lambda _: None

    def l1(weights, name: str | None = None):
        weights = convert_to_tensor(weights)
        with name_scope(scope, "l1_regularizer", [weights]):
            my_scale = convert_to_tensor(scale, dtype=weights.dtype, name="scale")
            return multiply(my_scale, reduce_sum(abs(weights)))

    return l1


def l2_regularizer(scale: float, scope: str | None = None) -> Callable[[Tensor], Tensor | None]:
    """weights -> scale * sum(weights ** 2) / 2."""
    from ..nn import l2_loss
    if _checked_scale(scale) is None:
        return lambda _: None

    def l2(weights, name: str | None = None):
        weights = convert_to_tensor(weights)
        with name_scope(scope, "l2_regularizer", [weights]):
            my_scale = convert_to_tensor(scale, dtype=weights.dtype, name="scale")
            return multiply(my_scale, l2_loss(weights))

    return l2


def sum_regularizer(regularizer_list, scope: str | None = None) -> Callable[[Tensor], Tensor | None]:
    """The sum of the given regularizers' penalties (None ones skipped; None if nothing is left)."""
    regularizers = [r for r in regularizer_list if r is not None]
    if not regularizers:
        return None

    def sum_reg(weights):
        with name_scope(scope, "sum_regularizer", [weights]):
            penalties = [p for p in (r(weights) for r in regularizers) if p is not None]
            return add_n(penalties) if penalties else None

    return sum_reg


def l1_l2_regularizer(scale_l1: float = 1.0, scale_l2: float = 1.0,
                      scope: str | None = None) -> Callable[[Tensor], Tensor | None]:
    """weights -> scale_l1 * sum(|w|) + scale_l2 * sum(w^2) / 2."""
    if isinstance(scale_l1, numbers.Integral):
        raise ValueError(f"scale_l1 cannot be an integer: {scale_l1}")
    if isinstance(scale_l2, numbers.Integral):
        raise ValueError(f"scale_l2 cannot be an integer: {scale_l2}")
    scope = scope or "l1_l2_regularizer"
    if scale_l1 == 0.0:
        return l2_regularizer(scale_l2, scope)
    if scale_l2 == 0.0:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer, weights_list=None) -> Tensor:
    """The summed penalty of `regularizer` over weights_list (default: tf.GraphKeys.WEIGHTS), also filed under
    tf.GraphKeys.REGULARIZATION_LOSSES."""
    if not weights_list:
        weights_list = get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with name_scope("get_regularization_penalty", values=weights_list):
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else constant(0.0) for p in penalties]
        for p in penalties:
            rank = convert_to_tensor(p).shape.ndims
            if rank != 0:
                raise ValueError(f"regularizer must return a scalar Tensor instead of a Tensor with rank {rank}.")
        summed = add_n(penalties)
    add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed)
    return summed


__all__ = ["apply_regularization", "l1_l2_regularizer", "l1_regularizer", "l2_regularizer", "sum_regularizer"]
