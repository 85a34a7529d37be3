"""tf.estimator.add_metrics: an Estimator whose evaluation also reports the metrics of a metric_fn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .estimator import Estimator, _fn_args
from .model_fn import ModeKeys

_METRIC_FN_ARGS = {"features", "labels", "predictions", "config"}


def add_metrics(estimator: Estimator, metric_fn: Callable) -> Estimator:
    """A new Estimator over the same model_dir; in EVAL mode metric_fn's metrics join (and override) the model's.

    metric_fn takes any of features, labels, predictions, config and returns {name: (value, update_op)}.
    """
    unexpected = sorted(_fn_args(metric_fn) - _METRIC_FN_ARGS)
    if unexpected:
        raise ValueError(f"metric_fn ({metric_fn}) has following not expected args: {unexpected}")
    if not isinstance(estimator, Estimator):
        raise TypeError(f"estimator must be a tf.estimator.Estimator, given {type(estimator)}")

    def new_model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
        spec = estimator.model_fn(features, labels, mode, config)
        if mode != ModeKeys.EVAL:
            return spec
        given = {"features": features, "labels": labels, "predictions": spec.predictions, "config": config}
        args = _fn_args(metric_fn)
        new_metrics = metric_fn(**{k: v for k, v in given.items() if k in args})
        metrics = dict(spec.eval_metric_ops or {})
        metrics.update(new_metrics)
        return spec._replace(eval_metric_ops=metrics)

    extended = Estimator(new_model_fn, model_dir=estimator.model_dir, config=estimator.config,
                         warm_start_from=estimator._warm_start_settings)
    extended._host_predictions = estimator._host_predictions  # a canned estimator's string predictions
    extended._graph_keys = estimator._graph_keys
    return extended


__all__ = ["add_metrics"]
