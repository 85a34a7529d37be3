"""tf.losses: weighted losses reduced as TF1 does (mean over non-zero weights by default), and the LOSSES collection."""

from __future__ import annotations


from . import nn
from .array_ops import ones_like
from .framework import Tensor, convert_to_tensor, get_default_graph, name_scope
from .gradients_impl import stop_gradient
from .graph import get_collection
from .math_ops import (abs, add_n, cast, equal, multiply, not_equal, reduce_sum, squared_difference, truediv,
                       where)

LOSSES = "losses"
REGULARIZATION_LOSSES = "regularization_losses"


class Reduction:
    """How compute_weighted_loss turns per-element losses into the returned loss."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> tuple[str, ...]:
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_BY_NONZERO_WEIGHTS)


def _div_no_nan(num: Tensor, den: Tensor) -> Tensor:
    """num / den, and 0 where den is 0 (all weights zero means no loss, not NaN)."""
    zero = equal(den, 0.0)
    return where(zero, 0.0, truediv(num, where(zero, 1.0, den)))


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """losses * weights (weights broadcast to the losses' shape), reduced by `reduction`."""
    if reduction not in Reduction.all():
        raise ValueError(f"Invalid Reduction Key {reduction!r}")
    with name_scope(scope, "weighted_loss"):
        losses = convert_to_tensor(losses)
        weights = cast(convert_to_tensor(weights), losses.dtype)
        weighted = multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            total = reduce_sum(weighted)
            if reduction == Reduction.SUM:
                loss = total
            elif reduction == Reduction.MEAN:
                loss = _div_no_nan(total, reduce_sum(multiply(ones_like(losses), weights)))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                count = losses.shape.num_elements()
                size = reduce_sum(ones_like(losses)) if count is None else convert_to_tensor(float(count),
                                                                                            dtype=losses.dtype)
                loss = _div_no_nan(total, size)
            else:
                present = cast(not_equal(multiply(ones_like(losses), weights), 0.0), losses.dtype)
                loss = _div_no_nan(total, reduce_sum(present))
        if loss_collection is not None:
            get_default_graph().collections.setdefault(loss_collection, []).append(loss)
        return loss


def mean_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=LOSSES,
                       reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    with name_scope(scope, "mean_squared_error"):
        predictions = convert_to_tensor(predictions)
        labels = cast(convert_to_tensor(labels), predictions.dtype)
        return compute_weighted_loss(squared_difference(predictions, labels), weights, None, loss_collection,
                                     reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None, loss_collection=LOSSES,
                        reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    with name_scope(scope, "absolute_difference"):
        predictions = convert_to_tensor(predictions)
        labels = cast(convert_to_tensor(labels), predictions.dtype)
        return compute_weighted_loss(abs(predictions - labels), weights, None, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=LOSSES, reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Cross-entropy of softmax(logits) against one-hot labels, smoothed toward 1/num_classes."""
    with name_scope(scope, "softmax_cross_entropy_loss"):
        logits = convert_to_tensor(logits)
        labels = cast(convert_to_tensor(onehot_labels), logits.dtype)
        if label_smoothing:
            classes = logits.shape.as_list()[-1]
            labels = labels * (1.0 - label_smoothing) + label_smoothing / classes
        losses = nn.softmax_cross_entropy_with_logits_v2(labels=stop_gradient(labels), logits=logits,
                                                         name="xentropy")
        return compute_weighted_loss(losses, weights, None, loss_collection, reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=LOSSES,
                                 reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    with name_scope(scope, "sparse_softmax_cross_entropy_loss"):
        losses = nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, None, loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=LOSSES, reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Logistic loss per element; labels smoothed toward 1/2."""
    with name_scope(scope, "sigmoid_cross_entropy_loss"):
        logits = convert_to_tensor(logits)
        labels = cast(convert_to_tensor(multi_class_labels), logits.dtype)
        if label_smoothing:
            labels = labels * (1.0 - label_smoothing) + 0.5 * label_smoothing
        losses = nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
        return compute_weighted_loss(losses, weights, None, loss_collection, reduction)


def get_losses(scope: str | None = None, loss_collection: str = LOSSES) -> list[Tensor]:
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope: str | None = None) -> list[Tensor]:
    return get_collection(REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope: str | None = None, name: str = "total_regularization_loss") -> Tensor:
    """The sum of the regularization losses under `scope`, or 0.0 when there are none (TF1's)."""
    from .conversion import constant
    losses = get_regularization_losses(scope)
    return add_n(losses, name=name) if losses else constant(0.0, name=name)


def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss") -> Tensor:
    losses = get_losses() + (get_regularization_losses() if add_regularization_losses else [])
    if not losses:
        raise ValueError("No losses found: make one with tf.losses.* first")
    return add_n(losses, name=name)


def add_loss(loss, loss_collection: str = LOSSES) -> None:
    if loss_collection:
        get_default_graph().collections.setdefault(loss_collection, []).append(loss)
