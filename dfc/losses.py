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
    """num / den, and 0 where den is 0 (all weights zero means no loss, not NaN); named `value`, as TF's."""
    zero = equal(den, 0.0)
    return where(zero, 0.0, truediv(num, where(zero, 1.0, den)), name="value")


def _check_broadcastable(weights: Tensor, losses: Tensor) -> None:
    """TF's static weights_broadcast_ops.assert_broadcastable: a scalar, or the losses' rank with each dim 1 or
    the losses' own."""
    w_rank, l_rank = weights.shape.ndims, losses.shape.ndims
    if w_rank is None or l_rank is None or w_rank == 0:
        return
    if w_rank != l_rank:
        raise ValueError(f"weights can not be broadcast to values. values.rank={l_rank}. weights.rank={w_rank}. "
                         f"values.shape={losses.shape}. weights.shape={weights.shape} (weights {weights.name}, "
                         f"losses {losses.name})")
    w_dims, l_dims = weights.shape.as_list(), losses.shape.as_list()
    if None in w_dims or None in l_dims:
        return
    for i, (w, v) in enumerate(zip(w_dims, l_dims)):
        if w not in (1, v):
            raise ValueError(f"weights can not be broadcast to values. Mismatch at dim {i}. "
                             f"values.shape={losses.shape} weights.shape={weights.shape} (weights {weights.name}, "
                             f"losses {losses.name})")


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """losses * weights (weights broadcast to the losses' shape), reduced by `reduction`; computed in float32
    and returned in the losses' dtype, as TF does."""
    from dfc.ir.dtypes import f32
    if reduction not in Reduction.all():
        raise ValueError(f"Invalid Reduction Key {reduction!r}. Key should be one of {Reduction.all()}.")
    if weights is None:
        raise ValueError("compute_weighted_loss: weights must not be None (use 1.0)")
    with name_scope(scope, "weighted_loss"):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype
        weights = convert_to_tensor(weights)
        _check_broadcastable(weights, losses)
        losses = cast(losses, f32) if losses.dtype is not f32 else losses
        weights = cast(weights, f32) if weights.dtype is not f32 else weights
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
        if loss.dtype is not input_dtype:
            loss = cast(loss, input_dtype)
        if loss_collection is not None:
            get_default_graph().collections.setdefault(loss_collection, []).append(loss)
        return loss


def mean_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=LOSSES,
                       reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    with name_scope(scope, "mean_squared_error", (predictions, labels, weights)) as name:
        labels, predictions = _pair("mean_squared_error", labels, predictions)
        return compute_weighted_loss(squared_difference(predictions, labels), weights, name, loss_collection,
                                     reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None, loss_collection=LOSSES,
                        reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    with name_scope(scope, "absolute_difference", (predictions, labels, weights)) as name:
        labels, predictions = _pair("absolute_difference", labels, predictions)
        return compute_weighted_loss(abs(predictions - labels), weights, name, loss_collection, reduction)


def _compatible(fn: str, logits: Tensor, labels: Tensor) -> None:
    from .nn_activations import shapes_compatible
    if not shapes_compatible(logits.shape, labels.shape):
        raise ValueError(f"{fn}: shapes {logits.shape} and {labels.shape} are incompatible (logits {logits.name}, "
                         f"labels {labels.name})")


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=LOSSES, reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Cross-entropy of softmax(logits) against one-hot labels, smoothed toward 1/num_classes."""
    if onehot_labels is None or logits is None:
        raise ValueError("softmax_cross_entropy: argument `onehot_labels` and `logits` must not be None.")
    with name_scope(scope, "softmax_cross_entropy_loss", (logits, onehot_labels, weights)) as name:
        logits = convert_to_tensor(logits)
        labels = cast(convert_to_tensor(onehot_labels), logits.dtype)
        _compatible("softmax_cross_entropy", logits, labels)
        if label_smoothing:
            classes = logits.shape.as_list()[-1]
            labels = labels * (1.0 - label_smoothing) + label_smoothing / classes
        losses = nn.softmax_cross_entropy_with_logits_v2(labels=stop_gradient(labels), logits=logits,
                                                         name="xentropy")
        return compute_weighted_loss(losses, weights, name, loss_collection, reduction)


def _squeeze_last(t: Tensor) -> Tensor:
    from .array_ops import squeeze
    return squeeze(t, [-1])


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=LOSSES,
                                 reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Cross-entropy against integer labels; labels of shape [batch, 1] (and weights of one more dim than
    the labels) lose their last dim first, as TF's _remove_squeezable_dimensions does."""
    if labels is None or logits is None:
        raise ValueError("sparse_softmax_cross_entropy: argument `labels` and `logits` must not be None.")
    with name_scope(scope, "sparse_softmax_cross_entropy_loss", (logits, labels, weights)) as name:
        labels, logits = convert_to_tensor(labels), convert_to_tensor(logits)
        if labels.shape.ndims is not None and logits.shape.ndims is not None and \
                logits.shape.ndims == labels.shape.ndims and labels.shape.as_list()[-1] in (1, None):
            labels = _squeeze_last(labels)
        weights = convert_to_tensor(weights)
        if weights.shape.ndims and labels.shape.ndims is not None and \
                weights.shape.ndims - labels.shape.ndims == 1:
            weights = _squeeze_last(weights)
        losses = nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, name, loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=LOSSES, reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Logistic loss per element; labels smoothed toward 1/2."""
    if multi_class_labels is None or logits is None:
        raise ValueError("sigmoid_cross_entropy: argument `multi_class_labels` and `logits` must not be None.")
    with name_scope(scope, "sigmoid_cross_entropy_loss", (logits, multi_class_labels, weights)) as name:
        logits = convert_to_tensor(logits)
        labels = cast(convert_to_tensor(multi_class_labels), logits.dtype)
        _compatible("sigmoid_cross_entropy", logits, labels)
        if label_smoothing:
            labels = labels * (1.0 - label_smoothing) + 0.5 * label_smoothing
        losses = nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
        return compute_weighted_loss(losses, weights, name, loss_collection, reduction)


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


# ---- the other losses of TF1's tf.losses: computed in float32, as TF casts them ----------------------
def _pair(fn: str, labels, predictions, what: str = "predictions") -> tuple[Tensor, Tensor]:
    """(labels, predictions) as float32 tensors of compatible shapes, with TF's errors for None and a mismatch."""
    from dfc.ir.dtypes import f32

    from .nn_activations import shapes_compatible
    if labels is None:
        raise ValueError(f"{fn}: argument `labels` must not be None.")
    if predictions is None:
        raise ValueError(f"{fn}: argument `{what}` must not be None.")
    predictions, labels = cast(convert_to_tensor(predictions), f32), cast(convert_to_tensor(labels), f32)
    if not shapes_compatible(predictions.shape, labels.shape):
        raise ValueError(f"{fn}: shapes {predictions.shape} and {labels.shape} are incompatible ({what} "
                         f"{predictions.name}, labels {labels.name})")
    return labels, predictions


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None, loss_collection=LOSSES,
               reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """0.5 * e^2 where |e| <= delta, else 0.5 * delta^2 + delta * (|e| - delta), e = predictions - labels;
    at |e| == delta the gradient is delta (the linear term's is 0 there, as TF builds it)."""
    from .math_ops import minimum, subtract
    with name_scope(scope, "huber_loss", (predictions, labels, weights)) as name:
        labels, predictions = _pair("huber_loss", labels, predictions)
        error = abs(subtract(predictions, labels))
        quadratic = minimum(error, delta)
        linear = subtract(error, quadratic)
        losses = 0.5 * multiply(quadratic, quadratic) + multiply(delta, linear)
        return compute_weighted_loss(losses, weights, name, loss_collection, reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=LOSSES,
               reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """relu(1 - (2 * labels - 1) * logits): labels in {0, 1} become -1/+1."""
    from .math_ops import relu, subtract
    with name_scope(scope, "hinge_loss", (logits, labels, weights)) as name:
        labels, logits = _pair("hinge_loss", labels, logits, "logits")
        all_ones = ones_like(labels)
        signs = subtract(2 * labels, all_ones)
        losses = relu(subtract(all_ones, multiply(signs, logits)))
        return compute_weighted_loss(losses, weights, name, loss_collection, reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None, loss_collection=LOSSES,
             reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """-labels * log(predictions + epsilon) - (1 - labels) * log(1 - predictions + epsilon)."""
    from .math_ops import log
    with name_scope(scope, "log_loss", (predictions, labels, weights)) as name:
        labels, predictions = _pair("log_loss", labels, predictions)
        losses = -multiply(labels, log(predictions + epsilon)) - multiply(1 - labels, log(1 - predictions + epsilon))
        return compute_weighted_loss(losses, weights, name, loss_collection, reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None, loss_collection=LOSSES,
                    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None) -> Tensor:
    """1 - sum(labels * predictions) along `axis` (kept as a dim of 1): the inputs are assumed unit-normalized."""
    if axis is not None and dim is not None:
        raise ValueError("cosine_distance: cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("cosine_distance: you must specify argument `axis`.")
    with name_scope(scope, "cosine_distance_loss", (predictions, labels, weights)) as name:
        labels, predictions = _pair("cosine_distance", labels, predictions)
        losses = 1 - reduce_sum(multiply(predictions, labels), axis=(int(axis),), keepdims=True)
        return compute_weighted_loss(losses, weights, name, loss_collection, reduction)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=LOSSES) -> Tensor:
    """The mean over each example's pairs of elements (i, j) of ((p_i - p_j) - (l_i - l_j))^2, weighted per
    example and summed: 2 * sum(d^2) / (n - 1) - 2 * sum(d)^2 / (n * (n - 1)), d = predictions - labels and n the
    example's count of elements with non-zero weight."""
    from dfc.ir.dtypes import f32

    from .array_ops import zeros_like
    from .math_ops import div_no_nan, greater, maximum, square, subtract
    with name_scope(scope, "mean_pairwise_squared_error", (predictions, labels, weights)):
        labels, predictions = _pair("mean_pairwise_squared_error", labels, predictions)
        weights = cast(convert_to_tensor(weights), f32)
        diffs = subtract(predictions, labels)
        rank = diffs.shape.ndims
        if rank is None:
            raise ValueError(f"mean_pairwise_squared_error needs the rank of {predictions.name} known")
        axis = list(builtins_range(1, rank))
        sum_squares = reduce_sum(square(diffs), axis=axis, keepdims=True)
        present = _present_per_batch(diffs, weights, axis)
        term1 = 2.0 * div_no_nan(sum_squares, maximum(present - 1, 0.0), name="value")
        sum_diff = reduce_sum(diffs, axis=axis, keepdims=True)
        term2 = 2.0 * div_no_nan(square(sum_diff), maximum(multiply(present, present - 1), 0.0), name="value")
        loss = reduce_sum(multiply(term1 - term2, weights))
        mean_loss = where(greater(reduce_sum(present), 0.0), loss, zeros_like(loss), name="value")
        add_loss(mean_loss, loss_collection)
        return mean_loss


builtins_range = range


def _present_per_batch(losses: Tensor, weights: Tensor, axis: list[int]) -> Tensor:
    """Per example (dim 0), how many elements of `losses` have a non-zero weight (weights broadcast), kept dims."""
    from .array_ops import zeros_like
    with name_scope(None, "num_present"):
        present = where(equal(weights, 0.0), zeros_like(weights), ones_like(weights))
        present = multiply(present, ones_like(losses))
        return reduce_sum(present, axis=axis, keepdims=True)

