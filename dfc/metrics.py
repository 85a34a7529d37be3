"""tf.metrics: TF1's streaming metrics, each a (value, update_op) pair over local metric variables.

A metric keeps its running state in non-trainable variables in the LOCAL_VARIABLES and
METRIC_VARIABLES collections (so `tf.local_variables_initializer()` resets it), named as TF1
names them (`accuracy/total`, `auc/true_positives`). `update_op` adds one batch and returns the
metric over everything seen so far, computed from the results of its assign ops; `value` reads
the variables. Formulas, epsilons, thresholds and variable dtypes are those of TF1's
metrics_impl, so a script's numbers match TF1's.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import as_dtype

from .array_ops import (constant, expand_dims, gather, ones_like, reshape, squeeze, tile, zeros_like)
from .framework import Tensor, TensorShape, build_error, control_dependencies, convert_to_tensor, name_scope
from .graph import GraphKeys, add_to_collections
from .math_ops import (abs, argmax, argmin, cast, equal, greater, greater_equal, less, logical_and, logical_not,
                       maximum, minimum, multiply, not_equal, reduce_mean, reduce_min,
                       reduce_sum, sqrt, squared_difference, subtract, truediv,
                       unsorted_segment_sum, where)
from .variables import Variable

__all__ = ["accuracy", "auc", "average_precision_at_k", "false_negatives", "false_negatives_at_thresholds",
           "false_positives", "false_positives_at_thresholds", "mean", "mean_absolute_error",
           "mean_cosine_distance", "mean_iou", "mean_per_class_accuracy", "mean_relative_error",
           "mean_squared_error", "mean_tensor", "metric_variable", "percentage_below", "precision",
           "precision_at_k", "precision_at_thresholds", "precision_at_top_k", "recall", "recall_at_k",
           "recall_at_thresholds", "recall_at_top_k", "root_mean_squared_error",
           "sensitivity_at_specificity", "sparse_average_precision_at_k", "sparse_precision_at_k",
           "specificity_at_sensitivity", "true_negatives", "true_negatives_at_thresholds", "true_positives",
           "true_positives_at_thresholds"]

_F32 = "float32"


def metric_variable(shape, dtype, validate_shape: bool = True, name: str | None = None) -> Variable:
    """A zero-initialized, non-trainable variable in LOCAL_VARIABLES and METRIC_VARIABLES."""
    dims = shape.as_list() if isinstance(shape, TensorShape) else list(shape)
    if any(d is None for d in dims):
        raise ValueError(f"metric variable {name!r} needs a fully defined shape, got {dims}")
    dtype = as_dtype(dtype)
    return Variable(lambda: constant(np.zeros(dims, dtype.np)), trainable=False,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES],
                    validate_shape=validate_shape, name=name, dtype=dtype)


# ---- shared helpers ----------------------------------------------------------------------------------
def _publish(value, update_op, metrics_collections, updates_collections):
    if metrics_collections:
        add_to_collections(metrics_collections, value)
    if updates_collections:
        add_to_collections(updates_collections, update_op)
    return value, update_op


def _div_no_nan(x, y, name: str | None = None) -> Tensor:
    zero = equal(y, 0.0)
    return where(zero, zeros_like(x * y), truediv(x, where(zero, ones_like(y), y)), name=name)


def _check_compatible(a: Tensor, b: Tensor, what: str) -> None:
    x, y = a.shape.as_list() if a.shape.ndims is not None else None, b.shape.as_list() if b.shape.ndims is not None \
        else None
    if x is None or y is None:
        return
    if len(x) != len(y) or any(p is not None and q is not None and p != q for p, q in zip(x, y)):
        raise build_error(what, what, f"shapes of {a.name} {a.shape} and {b.name} {b.shape} are incompatible")


def _remove_squeezable_dimensions(predictions, labels, weights, what: str = "metric"):
    """Squeeze a trailing 1 off predictions or labels when their ranks differ by one; fit weights to the result."""
    predictions = convert_to_tensor(predictions)
    if labels is not None:
        labels = convert_to_tensor(labels)
        p_rank, l_rank = predictions.shape.ndims, labels.shape.ndims
        if p_rank is not None and l_rank is not None:
            if p_rank - l_rank == 1 and predictions.shape.as_list()[-1] in (None, 1):
                predictions = squeeze(predictions, [-1])
            elif l_rank - p_rank == 1 and labels.shape.as_list()[-1] in (None, 1):
                labels = squeeze(labels, [-1])
        _check_compatible(predictions, labels, what)
    if weights is None:
        return predictions, labels, None
    weights = convert_to_tensor(weights)
    w_rank, p_rank = weights.shape.ndims, predictions.shape.ndims
    if w_rank == 0 or w_rank is None or p_rank is None:
        return predictions, labels, weights
    if w_rank - p_rank == 1:
        weights = squeeze(weights, [-1])
    elif p_rank - w_rank == 1:
        weights = expand_dims(weights, -1)
    return predictions, labels, weights


def _broadcast_weights(weights: Tensor, values: Tensor) -> Tensor:
    """weights * ones_like(values), refused as TF refuses it when weights cannot broadcast to values."""
    w_shape, v_shape = weights.shape.as_list(), values.shape.as_list()
    if weights.shape.ndims not in (0, None) and values.shape.ndims is not None:
        fits = len(w_shape) == len(v_shape) and all(w in (1, None) or v in (None, w)
                                                     for w, v in zip(w_shape, v_shape))
        if not fits:
            raise build_error("broadcast_weights", weights.name,
                              f"weights can not be broadcast to values. values.rank={len(v_shape)}. "
                              f"weights.rank={len(w_shape)}. values.shape={values.shape}. "
                              f"weights.shape={weights.shape}.")
    if w_shape == v_shape and None not in w_shape:
        return weights
    return multiply(weights, ones_like(values))


# ---- means ------------------------------------------------------------------------------------------
def mean(values, weights=None, metrics_collections=None, updates_collections=None,
         name: str | None = None) -> tuple[Tensor, Tensor]:
    """The (weighted) mean of every value seen: variables total and count."""
    with name_scope(name, "mean"):
        values = cast(convert_to_tensor(values), _F32)
        total = metric_variable([], _F32, name="total")
        count = metric_variable([], _F32, name="count")
        if weights is None:
            num_values = cast(reduce_sum(ones_like(values)), _F32)
        else:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights, "mean")
            weights = _broadcast_weights(cast(weights, _F32), values)
            values = multiply(values, weights)
            num_values = reduce_sum(weights)
        update_total = total.assign_add(reduce_sum(values))
        with control_dependencies([values]):
            update_count = count.assign_add(num_values)
        value = _div_no_nan(total, maximum(count, 0.0), name="value")
        update_op = _div_no_nan(update_total, maximum(update_count, 0.0), name="update_op")
        return _publish(value, update_op, metrics_collections, updates_collections)


def mean_tensor(values, weights=None, metrics_collections=None, updates_collections=None,
                name: str | None = None) -> tuple[Tensor, Tensor]:
    """The element-wise (weighted) mean of every tensor seen: variables total_tensor and count_tensor."""
    with name_scope(name, "mean"):
        values = cast(convert_to_tensor(values), _F32)
        total = metric_variable(values.shape, _F32, name="total_tensor")
        count = metric_variable(values.shape, _F32, name="count_tensor")
        num_values = ones_like(values)
        if weights is not None:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights, "mean_tensor")
            weights = _broadcast_weights(cast(weights, _F32), values)
            values = multiply(values, weights)
            num_values = multiply(num_values, weights)
        update_total = total.assign_add(values)
        with control_dependencies([values]):
            update_count = count.assign_add(num_values)
        value = _div_no_nan(total, maximum(count, 0.0), name="value")
        update_op = _div_no_nan(update_total, maximum(update_count, 0.0), name="update_op")
        return _publish(value, update_op, metrics_collections, updates_collections)


def accuracy(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
             name: str | None = None) -> tuple[Tensor, Tensor]:
    """The fraction of predictions equal to labels (predictions cast to the labels' dtype)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights, "accuracy")
    if labels.dtype is not predictions.dtype:
        predictions = cast(predictions, labels.dtype)
    is_correct = cast(equal(predictions, labels), _F32)
    return mean(is_correct, weights, metrics_collections, updates_collections, name or "accuracy")


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                        name: str | None = None) -> tuple[Tensor, Tensor]:
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights,
                                                                 "mean_absolute_error")
    return mean(abs(predictions - labels), weights, metrics_collections, updates_collections,
                name or "mean_absolute_error")


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                       name: str | None = None) -> tuple[Tensor, Tensor]:
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights,
                                                                 "mean_squared_error")
    return mean(squared_difference(labels, predictions), weights, metrics_collections, updates_collections,
                name or "mean_squared_error")


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                            name: str | None = None) -> tuple[Tensor, Tensor]:
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights,
                                                                 "root_mean_squared_error")
    mse, update_mse = mean_squared_error(labels, predictions, weights, None, None, name or "root_mean_squared_error")
    return _publish(sqrt(mse), sqrt(update_mse), metrics_collections, updates_collections)


def mean_relative_error(labels, predictions, normalizer, weights=None, metrics_collections=None,
                        updates_collections=None, name: str | None = None) -> tuple[Tensor, Tensor]:
    """The mean of |labels - predictions| / normalizer (0 where the normalizer is 0)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights,
                                                                 "mean_relative_error")
    predictions, normalizer, _ = _remove_squeezable_dimensions(predictions, normalizer, None, "mean_relative_error")
    relative = where(equal(normalizer, 0.0), zeros_like(labels), truediv(abs(labels - predictions), normalizer))
    return mean(relative, weights, metrics_collections, updates_collections, name or "mean_relative_error")


def mean_cosine_distance(labels, predictions, dim, weights=None, metrics_collections=None, updates_collections=None,
                         name: str | None = None) -> tuple[Tensor, Tensor]:
    """1 - the mean of sum(labels * predictions) over `dim` (the inputs are expected unit-normalized)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights,
                                                                 "mean_cosine_distance")
    radial = reduce_sum(multiply(predictions, labels), axis=[dim], keepdims=True)
    distance, update_op = mean(radial, weights, None, None, name or "mean_cosine_distance")
    return _publish(subtract(1.0, distance, name="Sub"), subtract(1.0, update_op, name="Sub"), metrics_collections,
                    updates_collections)


def percentage_below(values, threshold, weights=None, metrics_collections=None, updates_collections=None,
                     name: str | None = None) -> tuple[Tensor, Tensor]:
    below = cast(less(values, threshold), _F32)
    return mean(below, weights, metrics_collections, updates_collections, name or "percentage_below_threshold")


# ---- counts -----------------------------------------------------------------------------------------
def _count_condition(values: Tensor, weights, metrics_collections, updates_collections):
    count = metric_variable([], _F32, name="count")
    values = cast(values, _F32)
    if weights is not None:
        weights = convert_to_tensor(weights)
        if weights.shape.ndims not in (None, 0, values.shape.ndims):
            raise build_error("metric", weights.name, f"weights {weights.name} of shape {weights.shape} must be a "
                                                      f"scalar or have the rank of the values {values.shape}")
        values = multiply(values, cast(weights, _F32))
    update_op = count.assign_add(reduce_sum(values))
    return _publish(count._as_tensor(), update_op, metrics_collections, updates_collections)


def _counter(default: str, label_value: bool, prediction_value: bool):
    def metric(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
               name: str | None = None):
        with name_scope(name, default):
            predictions, labels, weights = _remove_squeezable_dimensions(
                cast(convert_to_tensor(predictions), "bool"), cast(convert_to_tensor(labels), "bool"), weights,
                default)
            label_is = labels if label_value else logical_not(labels)
            prediction_is = predictions if prediction_value else logical_not(predictions)
            return _count_condition(logical_and(label_is, prediction_is), weights, metrics_collections,
                                    updates_collections)
    metric.__name__ = metric.__qualname__ = default
    metric.__doc__ = f"The (weighted) number of {default.replace('_', ' ')} seen: variable {default}/count."
    return metric


true_positives = _counter("true_positives", True, True)
false_positives = _counter("false_positives", False, True)
true_negatives = _counter("true_negatives", False, False)
false_negatives = _counter("false_negatives", True, False)


def _ratio_metric(default: str, first, second):
    def metric(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
               name: str | None = None):
        with name_scope(name, default):
            predictions, labels, weights = _remove_squeezable_dimensions(
                cast(convert_to_tensor(predictions), "bool"), cast(convert_to_tensor(labels), "bool"), weights,
                default)
            a, update_a = first(labels, predictions, weights)
            b, update_b = second(labels, predictions, weights)

            def ratio(x, y, name):
                return where(greater(x + y, 0.0), truediv(x, x + y), 0.0, name=name)
            return _publish(ratio(a, b, "value"), ratio(update_a, update_b, "update_op"), metrics_collections,
                            updates_collections)
    metric.__name__ = metric.__qualname__ = default
    return metric


precision = _ratio_metric("precision", true_positives, false_positives)
precision.__doc__ = "true_positives / (true_positives + false_positives) over every batch seen (0 before any)."
recall = _ratio_metric("recall", true_positives, false_negatives)
recall.__doc__ = "true_positives / (true_positives + false_negatives) over every batch seen (0 before any)."


# ---- curves over thresholds ---------------------------------------------------------------------------
_CONFUSION_NAMES = {"tp": "true_positives", "fn": "false_negatives", "tn": "true_negatives", "fp": "false_positives"}


def _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights=None, includes=None):
    """Per threshold t, the (weighted) counts of prediction > t against the boolean labels: variables and updates."""
    includes = tuple(includes or ("tp", "fn", "tn", "fp"))
    for key in includes:
        if key not in _CONFUSION_NAMES:
            raise ValueError(f"Invalid key: {key}")
    predictions, labels, weights = _remove_squeezable_dimensions(
        cast(convert_to_tensor(predictions), _F32), cast(convert_to_tensor(labels), "bool"), weights,
        "confusion_matrix_at_thresholds")
    n = len(thresholds)
    flat_predictions = reshape(predictions, [1, -1])
    flat_labels = reshape(labels, [1, -1])
    thresholds_column = constant(np.asarray(thresholds, np.float32).reshape(n, 1))
    pred_is_pos = greater(tile(flat_predictions, [n, 1]), thresholds_column)
    label_is_pos = tile(flat_labels, [n, 1])
    weights_tiled = None
    if weights is not None:
        weights = _broadcast_weights(cast(weights, _F32), predictions)
        weights_tiled = tile(reshape(weights, [1, -1]), [n, 1])
    values, updates = {}, {}
    for key in ("tp", "fn", "tn", "fp"):
        if key not in includes:
            continue
        variable = metric_variable([n], _F32, name=_CONFUSION_NAMES[key])
        label_side = label_is_pos if key in ("tp", "fn") else logical_not(label_is_pos)
        pred_side = pred_is_pos if key in ("tp", "fp") else logical_not(pred_is_pos)
        hits = cast(logical_and(label_side, pred_side), _F32)
        if weights_tiled is not None:
            hits = hits * weights_tiled
        updates[key] = variable.assign_add(reduce_sum(hits, 1))
        values[key] = variable._as_tensor()
    return values, updates


def _at_thresholds(key: str, default: str):
    def metric(labels, predictions, thresholds, weights=None, metrics_collections=None, updates_collections=None,
               name: str | None = None):
        with name_scope(name, default):
            values, updates = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights, (key,))
            return _publish(values[key], updates[key], metrics_collections, updates_collections)
    metric.__name__ = metric.__qualname__ = f"{default}_at_thresholds"
    metric.__doc__ = f"The (weighted) {default.replace('_', ' ')} for each threshold (prediction > threshold)."
    return metric


true_positives_at_thresholds = _at_thresholds("tp", "true_positives")
false_negatives_at_thresholds = _at_thresholds("fn", "false_negatives")
true_negatives_at_thresholds = _at_thresholds("tn", "true_negatives")
false_positives_at_thresholds = _at_thresholds("fp", "false_positives")


def _share_of_tp_at_thresholds(other: str, kind: str, labels, predictions, thresholds, weights,
                               metrics_collections, updates_collections, name: str | None):
    """tp / (tp + `other`) at each threshold: precision (other = fp) or recall (other = fn)."""
    with name_scope(name, f"{kind}_at_thresholds"):
        values, updates = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights, ("tp", other))

        def compute(counts, suffix):
            tp = counts["tp"]
            return truediv(tp, 1e-7 + tp + counts[other], name=f"{kind}_{suffix}")
        return _publish(compute(values, "value"), compute(updates, "update_op"), metrics_collections,
                        updates_collections)


def precision_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                            updates_collections=None, name: str | None = None) -> tuple[Tensor, Tensor]:
    return _share_of_tp_at_thresholds("fp", "precision", labels, predictions, thresholds, weights,
                                      metrics_collections, updates_collections, name)


def recall_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                         updates_collections=None, name: str | None = None) -> tuple[Tensor, Tensor]:
    return _share_of_tp_at_thresholds("fn", "recall", labels, predictions, thresholds, weights,
                                      metrics_collections, updates_collections, name)


def _even_thresholds(num_thresholds: int) -> list[float]:
    return [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]


def auc(labels, predictions, weights=None, num_thresholds: int = 200, metrics_collections=None,
        updates_collections=None, curve: str = "ROC", name: str | None = None,
        summation_method: str = "trapezoidal", thresholds=None) -> tuple[Tensor, Tensor]:
    """The area under the ROC or PR curve by a Riemann sum over thresholds in [0, 1], as TF1 computes it.

    Thresholds: num_thresholds - 2 evenly spaced in (0, 1), or the given ones sorted, plus one just below
    0 and one just above 1. Variables true_positives, false_negatives, true_negatives, false_positives.
    """
    if curve not in ("ROC", "PR"):
        raise ValueError(f"curve must be either ROC or PR, {curve} unknown")
    if summation_method not in ("trapezoidal", "careful_interpolation", "minoring", "majoring"):
        raise ValueError(f"Invalid summation_method: {summation_method}")
    with name_scope(name, "auc"):
        kepsilon = 1e-7
        if thresholds is not None:
            thresholds = sorted(float(t) for t in thresholds)
            num_thresholds = len(thresholds) + 2
        else:
            if num_thresholds < 2:
                raise ValueError(f"num_thresholds must be > 1, got {num_thresholds}")
            thresholds = _even_thresholds(num_thresholds)
        thresholds = [0.0 - kepsilon] + thresholds + [1.0 + kepsilon]
        values, updates = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights)
        epsilon = 1.0e-6
        m = num_thresholds - 1

        def interpolate_pr_auc(tp, fp, fn):
            dtp = tp[:m] - tp[1:]
            p = tp + fp
            prec_slope = _div_no_nan(dtp, maximum(p[:m] - p[1:], 0.0))
            intercept = tp[1:] - multiply(prec_slope, p[1:])
            from .math_ops import log
            safe_p_ratio = where(logical_and(greater(p[:m], 0.0), greater(p[1:], 0.0)),
                                 _div_no_nan(p[:m], maximum(p[1:], 0.0)), ones_like(p[1:]))
            increment = _div_no_nan(prec_slope * (dtp + intercept * log(safe_p_ratio)), maximum(tp[1:] + fn[1:], 0.0))
            return reduce_sum(increment, name="interpolate_pr_auc")

        def compute_auc(tp, fn, tn, fp, suffix):
            if curve == "PR" and summation_method == "careful_interpolation":
                return interpolate_pr_auc(tp, fp, fn)
            rec = truediv(tp + epsilon, tp + fn + epsilon)
            if curve == "ROC":
                x, y = truediv(fp, fp + tn + epsilon), rec
            else:
                x, y = rec, truediv(tp + epsilon, tp + fp + epsilon)
            if summation_method in ("trapezoidal", "careful_interpolation"):
                heights = (y[:m] + y[1:]) / 2.0
            elif summation_method == "minoring":
                from .math_ops import minimum
                heights = minimum(y[:m], y[1:])
            else:
                heights = maximum(y[:m], y[1:])
            return reduce_sum(multiply(x[:m] - x[1:], heights), name=suffix)

        value = compute_auc(values["tp"], values["fn"], values["tn"], values["fp"], "value")
        update_op = compute_auc(updates["tp"], updates["fn"], updates["tn"], updates["fp"], "update_op")
        return _publish(value, update_op, metrics_collections, updates_collections)


def sensitivity_at_specificity(labels, predictions, specificity, weights=None, num_thresholds: int = 200,
                               metrics_collections=None, updates_collections=None,
                               name: str | None = None) -> tuple[Tensor, Tensor]:
    """The recall at the threshold whose specificity is closest to `specificity`."""
    if specificity < 0 or specificity > 1:
        raise ValueError(f"`specificity` must be in the range [0, 1]. Currently, `specificity` got {specificity}.")
    with name_scope(name, "sensitivity_at_specificity"):
        kepsilon = 1e-7
        thresholds = [0.0 - kepsilon] + _even_thresholds(num_thresholds) + [1.0 + kepsilon]
        values, updates = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights)

        def compute(tp, tn, fp, fn, suffix):
            specificities = truediv(tn, tn + fp + kepsilon)
            index = cast(argmin(abs(specificities - specificity), 0), "int32")
            tp_at, fn_at = gather(tp, index), gather(fn, index)
            return truediv(tp_at, tp_at + fn_at + kepsilon, name=suffix)
        return _publish(compute(values["tp"], values["tn"], values["fp"], values["fn"], "value"),
                        compute(updates["tp"], updates["tn"], updates["fp"], updates["fn"], "update_op"),
                        metrics_collections, updates_collections)


def specificity_at_sensitivity(labels, predictions, sensitivity, weights=None, num_thresholds: int = 200,
                               metrics_collections=None, updates_collections=None,
                               name: str | None = None) -> tuple[Tensor, Tensor]:
    """The specificity at the last threshold whose sensitivity is closest to `sensitivity`."""
    if sensitivity < 0 or sensitivity > 1:
        raise ValueError(f"`sensitivity` must be in the range [0, 1]. Currently, `sensitivity` is {sensitivity}.")
    with name_scope(name, "specificity_at_sensitivity"):
        kepsilon = 1e-7
        thresholds = [0.0 - kepsilon] + _even_thresholds(num_thresholds) + [1.0 - kepsilon]
        values, updates = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights)
        positions = constant(np.arange(len(thresholds), dtype=np.float32))

        def compute(tp, tn, fp, fn, suffix):
            distance = abs(truediv(tp, tp + fn + kepsilon) - sensitivity)
            at_min = cast(equal(distance, reduce_min(distance)), _F32)
            # TF takes argmax(cumsum(at_min)): the last index at the minimum
            index = cast(argmax(at_min * positions, 0), "int32")
            tn_at, fp_at = gather(tn, index), gather(fp, index)
            return truediv(tn_at, tn_at + fp_at + kepsilon, name=suffix)
        return _publish(compute(values["tp"], values["tn"], values["fp"], values["fn"], "value"),
                        compute(updates["tp"], updates["tn"], updates["fp"], updates["fn"], "update_op"),
                        metrics_collections, updates_collections)


# ---- classes ------------------------------------------------------------------------------------------
def _flat_int64(x: Tensor) -> Tensor:
    x = cast(convert_to_tensor(x), "int64")
    return reshape(x, [-1]) if (x.shape.ndims or 0) > 1 else x


def _confusion_counts(labels: Tensor, predictions: Tensor, num_classes: int, weights) -> Tensor:
    """[num_classes, num_classes] float64 counts, rows the labels and columns the predictions."""
    cells = labels * num_classes + predictions
    w = ones_like(cast(cells, "float64")) if weights is None else cast(weights, "float64") * ones_like(
        cast(cells, "float64"))
    return reshape(unsorted_segment_sum(w, cells, num_classes * num_classes), [num_classes, num_classes])


def mean_iou(labels, predictions, num_classes: int, weights=None, metrics_collections=None,
             updates_collections=None, name: str | None = None) -> tuple[Tensor, Tensor]:
    """The mean over classes of intersection / union; update_op returns the updated confusion matrix (float64)."""
    num_classes = int(num_classes)
    with name_scope(name, "mean_iou"):
        labels, predictions = convert_to_tensor(labels), convert_to_tensor(predictions)
        _check_compatible(predictions, labels, "mean_iou")
        total_cm = metric_variable([num_classes, num_classes], "float64", name="total_confusion_matrix")
        if weights is not None:
            weights = convert_to_tensor(weights)
            if (weights.shape.ndims or 0) > 1:
                weights = reshape(weights, [-1])
        update_op = total_cm.assign_add(_confusion_counts(_flat_int64(labels), _flat_int64(predictions),
                                                          num_classes, weights))
        cm = total_cm._as_tensor()
        sum_over_row = cast(reduce_sum(cm, 0), _F32)
        sum_over_col = cast(reduce_sum(cm, 1), _F32)
        cm_diag = cast(reduce_sum(cm * constant(np.eye(num_classes)), 1), _F32)
        denominator = sum_over_row + sum_over_col - cm_diag
        num_valid = reduce_sum(cast(not_equal(denominator, 0.0), _F32))
        denominator = where(greater(denominator, 0.0), denominator, ones_like(denominator))
        iou = truediv(cm_diag, denominator)
        value = where(greater(num_valid, 0.0), reduce_sum(iou, name="mean_iou") / num_valid, 0.0)
        return _publish(value, update_op, metrics_collections, updates_collections)


def mean_per_class_accuracy(labels, predictions, num_classes: int, weights=None, metrics_collections=None,
                            updates_collections=None, name: str | None = None) -> tuple[Tensor, Tensor]:
    """The mean over classes of each class's accuracy; update_op returns the per-class accuracies."""
    num_classes = int(num_classes)
    with name_scope(name, "mean_accuracy"):
        labels, predictions = _flat_int64(labels), convert_to_tensor(predictions)
        if (predictions.shape.ndims or 0) > 1:
            predictions = reshape(predictions, [-1])
        _check_compatible(predictions, labels, "mean_per_class_accuracy")
        total = metric_variable([num_classes], _F32, name="total")
        count = metric_variable([num_classes], _F32, name="count")
        ones = cast(ones_like(labels), _F32)
        if predictions.dtype is not labels.dtype:
            predictions = cast(predictions, labels.dtype)
        is_correct = cast(equal(predictions, labels), _F32)
        if weights is not None:
            weights = convert_to_tensor(weights)
            if (weights.shape.ndims or 0) > 1:
                weights = reshape(weights, [-1])
            weights = cast(weights, _F32)
            is_correct, ones = is_correct * weights, ones * weights
        update_total = total.assign_add(unsorted_segment_sum(ones, labels, num_classes))
        update_count = count.assign_add(unsorted_segment_sum(is_correct, labels, num_classes))
        value = reduce_mean(_div_no_nan(count, maximum(total, 0.0)), name="mean_accuracy")
        update_op = _div_no_nan(update_count, maximum(update_total, 0.0), name="update_op")
        if updates_collections:
            add_to_collections(updates_collections, update_op)
        if metrics_collections:
            add_to_collections(metrics_collections, value)
        return value, update_op


# ---- top-k over classes -------------------------------------------------------------------------------
def _at_k_name(base: str, k, class_id) -> str:
    name = f"{base}_at_{k}" if k is not None else f"{base}_at_k"
    return name if class_id is None else f"{name}_class{class_id}"


def _set_counts(labels, predictions_idx, class_id, weights) -> tuple[Tensor, Tensor, Tensor]:
    """Per row, |P & L|, |P - L| and |L - P| of the predicted ids P and the label ids L as sets (TF's set ops)."""
    from .math_ops import reduce_any
    predictions_idx = cast(convert_to_tensor(predictions_idx), "int64")
    labels = cast(convert_to_tensor(labels), "int64")
    if labels.shape.ndims == predictions_idx.shape.ndims - 1:
        labels = expand_dims(labels, -1)
    elif labels.shape.ndims != predictions_idx.shape.ndims:
        raise ValueError(f"Unexpected labels shape {labels.shape} for predictions shape {predictions_idx.shape}. "
                         f"Predictions rank should be the same rank as labels rank or labels rank plus one .")
    if class_id is not None:
        in_p = reduce_any(equal(predictions_idx, class_id), -1)
        in_l = reduce_any(equal(labels, class_id), -1)
        counts = [logical_and(in_p, in_l), logical_and(in_p, logical_not(in_l)), logical_and(in_l, logical_not(in_p))]
        counts = [cast(c, "float64") for c in counts]
    else:
        def distinct(ids: Tensor) -> Tensor:
            """1.0 at the first occurrence of each id along the last axis."""
            n = ids.shape.as_list()[-1]
            if n is None:
                raise ValueError(f"the last dim of {ids.name} must be known")
            earlier = constant(np.tril(np.ones((n, n), bool), -1))
            seen = reduce_any(logical_and(equal(expand_dims(ids, -1), expand_dims(ids, -2)), earlier), -1)
            return cast(logical_not(seen), "float64")
        first_p = distinct(predictions_idx)
        hit = cast(reduce_any(equal(expand_dims(predictions_idx, -1), expand_dims(labels, -2)), -1), "float64")
        tp = reduce_sum(first_p * hit, -1)
        counts = [tp, reduce_sum(first_p, -1) - tp, reduce_sum(distinct(labels), -1) - tp]
    if weights is not None:
        w = cast(convert_to_tensor(weights), "float64")
        if w.shape.ndims == counts[0].shape.ndims + 1:
            w = squeeze(w, [-1])
        counts = [c * w for c in counts]
    tp, fp, fn = (reduce_sum(c) for c in counts)
    return tp, fp, fn


def _top_k_indices(predictions, k: int) -> Tensor:
    from .nn import top_k
    return top_k(convert_to_tensor(predictions), k)[1]


def _counted(name: str, amount: Tensor) -> tuple[Tensor, Tensor]:
    with name_scope(name) as scope:
        variable = metric_variable([], "float64", name=scope)  # TF names the variable as its scope
        return variable._as_tensor(), variable.assign_add(amount, name="update")


def _share_of_tp_at_top_k(kind: str, other: str, labels, predictions_idx, k, class_id, weights,
                          metrics_collections, updates_collections, name: str | None):
    """tp / (tp + `other`) over the top-k class ids: precision (other = false_positive) or recall
    (other = false_negative); the counts are float64 variables."""
    with name_scope(name, _at_k_name(kind, k, class_id)) as scope:
        tp_amount, fp_amount, fn_amount = _set_counts(labels, predictions_idx, class_id, weights)
        other_amount = fp_amount if other == "false_positive" else fn_amount
        tp, update_tp = _counted(_at_k_name("true_positive", k, class_id), tp_amount)
        rest, update_rest = _counted(_at_k_name(other, k, class_id), other_amount)
        value = truediv(tp, tp + rest, name=scope[:-1].rsplit("/", 1)[-1])
        update_op = truediv(update_tp, update_tp + update_rest, name="update")
        return _publish(value, update_op, metrics_collections, updates_collections)


def precision_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None, metrics_collections=None,
                       updates_collections=None, name: str | None = None) -> tuple[Tensor, Tensor]:
    """Of the predicted class ids (top-k indices), the fraction among the labels; variables float64 counts."""
    return _share_of_tp_at_top_k("precision", "false_positive", labels, predictions_idx, k, class_id, weights,
                                 metrics_collections, updates_collections, name)


def recall_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None, metrics_collections=None,
                    updates_collections=None, name: str | None = None) -> tuple[Tensor, Tensor]:
    """Of the label ids, the fraction among the predicted class ids (top-k indices); variables float64 counts."""
    return _share_of_tp_at_top_k("recall", "false_negative", labels, predictions_idx, k, class_id, weights,
                                 metrics_collections, updates_collections, name)


def precision_at_k(labels, predictions, k: int, class_id=None, weights=None, metrics_collections=None,
                   updates_collections=None, name: str | None = None) -> tuple[Tensor, Tensor]:
    """Of the top-k predicted classes, the fraction in the labels (dense labels: [batch] or [batch, n])."""
    with name_scope(name, _at_k_name("precision", k, class_id)) as scope:
        return precision_at_top_k(labels, _top_k_indices(predictions, k), k, class_id, weights, metrics_collections,
                                  updates_collections, name=scope)


def recall_at_k(labels, predictions, k: int, class_id=None, weights=None, metrics_collections=None,
                updates_collections=None, name: str | None = None) -> tuple[Tensor, Tensor]:
    """Of the label classes, the fraction among the top-k predictions (dense labels: [batch] or [batch, n])."""
    with name_scope(name, _at_k_name("recall", k, class_id)) as scope:
        return recall_at_top_k(labels, _top_k_indices(predictions, k), k, class_id, weights, metrics_collections,
                               updates_collections, name=scope)


sparse_precision_at_k = precision_at_k


def _average_precision(labels: Tensor, predictions_idx: Tensor) -> Tensor:
    """Per row, the mean over the label count (at most k) of the precision at each relevant top-k position."""
    from .math_ops import reduce_any
    k = predictions_idx.shape.as_list()[-1]
    if labels.shape.ndims == predictions_idx.shape.ndims - 1:
        labels = expand_dims(labels, -1)
    relevant = cast(reduce_any(equal(expand_dims(predictions_idx, -1), expand_dims(labels, -2)), -1), "float64")
    precision_sum = None
    for i in range(k):
        hits = reduce_sum(relevant[..., :i + 1], -1)
        term = hits / float(i + 1) * relevant[..., i]
        precision_sum = term if precision_sum is None else precision_sum + term
    num_relevant = minimum(reduce_sum(cast(greater_equal(labels, 0), "float64"), -1), float(k))
    return truediv(precision_sum, num_relevant)


def average_precision_at_k(labels, predictions, k: int, weights=None, metrics_collections=None,
                           updates_collections=None, name: str | None = None) -> tuple[Tensor, Tensor]:
    """The mean average precision of the top-k predictions against the labels (ids >= num_classes ignored)."""
    if k < 1:
        raise ValueError(f"Invalid k={k}. `k` should be >= 1.")
    with name_scope(name, _at_k_name("average_precision", k, None)) as scope:
        predictions = convert_to_tensor(predictions)
        num_classes = predictions.shape.as_list()[-1]
        if num_classes is None:
            raise ValueError(f"the number of classes (the last dim of {predictions.name}) must be known")
        indices = cast(_top_k_indices(predictions, k), "int64")
        labels = cast(convert_to_tensor(labels), "int64")
        labels = where(greater_equal(labels, num_classes), -ones_like(labels), labels)
        average = _average_precision(labels, indices)
        if weights is not None:
            weights = _broadcast_weights(cast(convert_to_tensor(weights), "float64"), average)
            average = average * weights
        with name_scope("max") as max_scope:
            max_var = metric_variable([], "float64", name=max_scope)
            batch_max = reduce_sum(ones_like(average)) if weights is None else reduce_sum(weights)
            max_update = max_var.assign_add(batch_max, name="update")
        with name_scope("total") as total_scope:
            total_var = metric_variable([], "float64", name=total_scope)
            total_update = total_var.assign_add(reduce_sum(average), name="update")
        value = _div_no_nan(total_var._as_tensor(), max_var._as_tensor(), name="mean")
        update_op = _div_no_nan(total_update, max_update, name=scope[:-1].rsplit("/", 1)[-1])
        return _publish(value, update_op, metrics_collections, updates_collections)


sparse_average_precision_at_k = average_precision_at_k
