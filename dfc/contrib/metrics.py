"""tf.contrib.metrics: TF 1.x's streaming_* names for tf.metrics (predictions before labels), and aggregation."""

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


__all__ = ["aggregate_metric_map", "aggregate_metrics", "streaming_accuracy", "streaming_auc",
           "streaming_false_negatives", "streaming_false_positives", "streaming_mean", "streaming_mean_absolute_error",
           "streaming_mean_iou", "streaming_mean_squared_error", "streaming_mean_tensor", "streaming_precision",
           "streaming_recall", "streaming_root_mean_squared_error", "streaming_true_negatives",
           "streaming_true_positives"]
