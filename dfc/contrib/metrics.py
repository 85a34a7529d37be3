"""tf.contrib.metrics: TF 1.x's streaming_* names for tf.metrics (predictions before labels), contrib's own rates
and f1_score, the set ops, and aggregation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import metrics as _metrics


def _streaming(metric: Callable, name: str) -> Callable:
    """contrib's streaming_<metric>(predictions, labels, ...) over tf.metrics.<metric>(labels, predictions, ...)."""
    def streaming(predictions, labels, *args: Any, **kwargs: Any):
        return metric(labels, predictions, *args, **kwargs)
    streaming.__name__ = streaming.__qualname__ = name
    streaming.__doc__ = f"tf.metrics.{metric.__name__} with predictions first (TF 1.x contrib's argument order)."
    return streaming


streaming_accuracy = _streaming(_metrics.accuracy, "streaming_accuracy")
streaming_precision = _streaming(_metrics.precision, "streaming_precision")
streaming_recall = _streaming(_metrics.recall, "streaming_recall")
streaming_auc = _streaming(_metrics.auc, "streaming_auc")
streaming_mean_absolute_error = _streaming(_metrics.mean_absolute_error, "streaming_mean_absolute_error")
streaming_mean_squared_error = _streaming(_metrics.mean_squared_error, "streaming_mean_squared_error")
streaming_root_mean_squared_error = _streaming(_metrics.root_mean_squared_error,
                                               "streaming_root_mean_squared_error")
streaming_mean_iou = _streaming(_metrics.mean_iou, "streaming_mean_iou")
streaming_true_positives = _streaming(_metrics.true_positives, "streaming_true_positives")
streaming_false_positives = _streaming(_metrics.false_positives, "streaming_false_positives")
streaming_true_negatives = _streaming(_metrics.true_negatives, "streaming_true_negatives")
streaming_false_negatives = _streaming(_metrics.false_negatives, "streaming_false_negatives")
streaming_mean = _metrics.mean
streaming_mean_tensor = _metrics.mean_tensor
streaming_mean_relative_error = _streaming(_metrics.mean_relative_error, "streaming_mean_relative_error")
streaming_mean_cosine_distance = _streaming(_metrics.mean_cosine_distance, "streaming_mean_cosine_distance")
streaming_percentage_less = _metrics.percentage_below
streaming_precision_at_thresholds = _streaming(_metrics.precision_at_thresholds, "streaming_precision_at_thresholds")
streaming_recall_at_thresholds = _streaming(_metrics.recall_at_thresholds, "streaming_recall_at_thresholds")
streaming_true_positives_at_thresholds = _streaming(_metrics.true_positives_at_thresholds,
                                                    "streaming_true_positives_at_thresholds")
streaming_false_positives_at_thresholds = _streaming(_metrics.false_positives_at_thresholds,
                                                     "streaming_false_positives_at_thresholds")
streaming_true_negatives_at_thresholds = _streaming(_metrics.true_negatives_at_thresholds,
                                                    "streaming_true_negatives_at_thresholds")
streaming_false_negatives_at_thresholds = _streaming(_metrics.false_negatives_at_thresholds,
                                                     "streaming_false_negatives_at_thresholds")
streaming_sensitivity_at_specificity = _streaming(_metrics.sensitivity_at_specificity,
                                                  "streaming_sensitivity_at_specificity")
streaming_specificity_at_sensitivity = _streaming(_metrics.specificity_at_sensitivity,
                                                  "streaming_specificity_at_sensitivity")
streaming_sparse_precision_at_k = _streaming(_metrics.precision_at_k, "streaming_sparse_precision_at_k")
streaming_sparse_recall_at_k = _streaming(_metrics.recall_at_k, "streaming_sparse_recall_at_k")
streaming_sparse_average_precision_at_k = _streaming(_metrics.average_precision_at_k,
                                                     "streaming_sparse_average_precision_at_k")


def streaming_sparse_precision_at_top_k(top_k_predictions, labels, class_id=None, weights=None,
                                        metrics_collections=None, updates_collections=None, name=None):
    """tf.metrics.precision_at_top_k with the top-k predicted ids first."""
    return _metrics.precision_at_top_k(labels, top_k_predictions, class_id=class_id, weights=weights,
                                       metrics_collections=metrics_collections,
                                       updates_collections=updates_collections, name=name)


def sparse_recall_at_top_k(labels, top_k_predictions, class_id=None, weights=None, metrics_collections=None,
                           updates_collections=None, name=None):
    """tf.metrics.recall_at_top_k (labels first, as contrib's)."""
    return _metrics.recall_at_top_k(labels, top_k_predictions, class_id=class_id, weights=weights,
                                    metrics_collections=metrics_collections,
                                    updates_collections=updates_collections, name=name)


def streaming_recall_at_k(predictions, labels, k, weights=None, metrics_collections=None, updates_collections=None,
                          name=None):
    """The streaming mean of in_top_k(predictions, labels, k): how often the label is among the k best."""
    from ..math_ops import cast
    from ..nn import in_top_k
    hits = cast(in_top_k(predictions, labels, k), "float32")
    return _metrics.mean(hits, weights, metrics_collections, updates_collections, name or "recall_at_k")


def _rate(numerator_metric, other_metric, scope: str, predictions, labels, weights, metrics_collections,
          updates_collections, name):
    """a / (a + b) of two counting metrics (0 while both are 0), for the value and for the update."""
    from ..framework import name_scope
    from ..graph import add_to_collections
    from ..math_ops import cast, greater, where
    with name_scope(name, scope, [predictions, labels]):
        predictions, labels = cast(predictions, "bool"), cast(labels, "bool")
        a, a_update = numerator_metric(labels, predictions, weights)
        b, b_update = other_metric(labels, predictions, weights)

        def ratio(x, y, op_name):
            return where(greater(x + y, 0), _div(x, x + y), 0 * x, name=op_name)
        value, update = ratio(a, b, "value"), ratio(a_update, b_update, "update_op")
        if metrics_collections:
            add_to_collections(metrics_collections, value)
        if updates_collections:
            add_to_collections(updates_collections, update)
        return value, update


def _div(x, y):
    from ..math_ops import div_no_nan
    return div_no_nan(x, y)


def streaming_false_positive_rate(predictions, labels, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """false positives / (false positives + true negatives), streamed."""
    return _rate(_metrics.false_positives, _metrics.true_negatives, "false_positive_rate", predictions, labels,
                 weights, metrics_collections, updates_collections, name)


def streaming_false_negative_rate(predictions, labels, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """false negatives / (false negatives + true positives), streamed."""
    return _rate(_metrics.false_negatives, _metrics.true_positives, "false_negative_rate", predictions, labels,
                 weights, metrics_collections, updates_collections, name)


def f1_score(labels, predictions, weights=None, num_thresholds: int = 200, metrics_collections=None,
             updates_collections=None, name=None):
    """The best F1 score over num_thresholds thresholds spread over [0, 1] (and just outside it), streamed:
    TF 1.15's contrib.metrics.f1_score."""
    from ..framework import name_scope
    from ..graph import add_to_collections
    from ..math_ops import reduce_max
    epsilon = 1e-7
    thresholds = [0.0 - epsilon] + [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [
        1.0 + epsilon]
    with name_scope(name, "f1", [labels, predictions]):
        counts = [metric(labels, predictions, thresholds, weights) for metric in (
            _metrics.true_positives_at_thresholds, _metrics.false_positives_at_thresholds,
            _metrics.false_negatives_at_thresholds)]

        def best(tp, fp, fn, op_name):
            precision = tp / (epsilon + tp + fp)
            recall = tp / (epsilon + tp + fn)
            return reduce_max(2.0 * precision * recall / (precision + recall + epsilon), name=op_name)
        value = best(*(c[0] for c in counts), "value")
        update = best(*(c[1] for c in counts), "update_op")
        if metrics_collections:
            add_to_collections(metrics_collections, value)
        if updates_collections:
            add_to_collections(updates_collections, update)
        return value, update


def _sets():
    from .. import sets
    return sets


def set_difference(a, b, aminusb: bool = True, validate_indices: bool = True):
    return _sets().set_difference(a, b, aminusb, validate_indices)


def set_intersection(a, b, validate_indices: bool = True):
    return _sets().set_intersection(a, b, validate_indices)


def set_size(a, validate_indices: bool = True):
    return _sets().set_size(a, validate_indices)


def set_union(a, b, validate_indices: bool = True):
    return _sets().set_union(a, b, validate_indices)


def aggregate_metrics(*value_update_tuples: tuple) -> tuple[list, list]:
    """[(value, update), ...] -> ([values], [updates])."""
    if not value_update_tuples:
        raise ValueError("Expected at least one value_tensor/update_op pair")
    values, updates = zip(*value_update_tuples)
    return list(values), list(updates)


def aggregate_metric_map(names_to_tuples: dict) -> tuple[dict, dict]:
    """{name: (value, update)} -> ({name: value}, {name: update})."""
    return ({name: pair[0] for name, pair in names_to_tuples.items()},
            {name: pair[1] for name, pair in names_to_tuples.items()})


__all__ = ["aggregate_metric_map", "aggregate_metrics", "f1_score", "set_difference", "set_intersection", "set_size",
           "set_union", "sparse_recall_at_top_k", "streaming_false_negative_rate",
           "streaming_false_negatives_at_thresholds", "streaming_false_positive_rate",
           "streaming_false_positives_at_thresholds", "streaming_mean_cosine_distance",
           "streaming_mean_relative_error", "streaming_percentage_less", "streaming_precision_at_thresholds",
           "streaming_recall_at_k", "streaming_recall_at_thresholds", "streaming_sensitivity_at_specificity",
           "streaming_sparse_average_precision_at_k", "streaming_sparse_precision_at_k",
           "streaming_sparse_precision_at_top_k", "streaming_sparse_recall_at_k",
           "streaming_specificity_at_sensitivity", "streaming_true_negatives_at_thresholds",
           "streaming_true_positives_at_thresholds", "streaming_accuracy", "streaming_auc",
           "streaming_false_negatives", "streaming_false_positives", "streaming_mean", "streaming_mean_absolute_error",
           "streaming_mean_iou", "streaming_mean_squared_error", "streaming_mean_tensor", "streaming_precision",
           "streaming_recall", "streaming_root_mean_squared_error", "streaming_true_negatives",
           "streaming_true_positives"]
