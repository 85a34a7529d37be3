"""tf.estimator's model_fn contract: ModeKeys and EstimatorSpec, validated as TF 1.15 validates them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..framework import Operation, Tensor, get_default_graph
from ..session_run_hook import SessionRunHook
from ..variables import Variable


class ModeKeys:
    """The three modes a model_fn is called in (tf.estimator.ModeKeys)."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


_MODES = (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT)
_FOREIGN = ('{0} with "{1}" must be from the default graph. Possible causes of this error include: \n\n'
            "1) {0} was created outside the context of the default graph.\n\n"
            "2) The object passed through to EstimatorSpec was not created in the most recent call to "
            '"model_fn".')


def _check_graph(value: Any, what: str) -> None:
    if value.graph is not get_default_graph():
        raise ValueError(_FOREIGN.format(what, value.name))


def _as_tensor(value: Any, what: str) -> Tensor:
    if isinstance(value, Variable):
        value = value.value()
    if not isinstance(value, Tensor):
        raise TypeError(f"{what} must be Tensor, given: {value}")
    return value


def _validate_loss(loss: Any, mode: str) -> Tensor | None:
    if loss is None:
        if mode in (ModeKeys.TRAIN, ModeKeys.EVAL):
            raise ValueError("Missing loss.")
        return None
    loss = _as_tensor(loss, "loss")
    count = loss.shape.num_elements()
    if count not in (None, 1):
        raise ValueError(f"Loss must be scalar, given: {loss}")
    _check_graph(loss, "loss")
    if loss.shape.ndims != 0:
        from ..array_ops import reshape
        loss = reshape(loss, [])
    return loss


def _validate_train_op(train_op: Any, mode: str) -> Any:
    if train_op is None:
        if mode == ModeKeys.TRAIN:
            raise ValueError("Missing train_op.")
        return None
    if isinstance(train_op, Variable):
        train_op = train_op.op
    if not isinstance(train_op, (Operation, Tensor)):
        raise TypeError(f"train_op must be Operation or Tensor, given: {train_op}")
    _check_graph(train_op, "train_op")
    return train_op


def _validate_predictions(predictions: Any, mode: str) -> Any:
    if mode == ModeKeys.PREDICT and predictions is None:
        raise ValueError("Missing predictions.")
    predictions = {} if predictions is None else predictions
    items = predictions.items() if isinstance(predictions, Mapping) else [("predictions", predictions)]
    for key, value in items:
        value = _as_tensor(value, f"predictions[{key}]" if isinstance(predictions, Mapping) else "predictions")
        _check_graph(value, "prediction values")
    return dict(predictions) if isinstance(predictions, Mapping) else _as_tensor(predictions, "predictions")


def _validate_hooks(hooks: Any) -> tuple:
    hooks = tuple(hooks or [])
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError(f"All hooks must be SessionRunHook instances, given: {hook}")
    return hooks


def _validate_metrics(eval_metric_ops: Any) -> dict:
    if eval_metric_ops is None:
        return {}
    if not isinstance(eval_metric_ops, Mapping):
        raise TypeError(f"eval_metric_ops must be a dict, given: {eval_metric_ops}")
    for key, value in eval_metric_ops.items():
        if not isinstance(value, tuple) or len(value) != 2:
            raise TypeError(f"Values of eval_metric_ops must be (metric_value, update_op) tuples, given: {value} "
                            f"for key: {key}")
        for part in value:
            if isinstance(part, (Tensor, Operation)):
                _check_graph(part, "eval_metric_ops")
    return dict(eval_metric_ops)


class EstimatorSpec:
    """What a model_fn returns: the ops and objects an Estimator runs in one mode (tf.estimator.EstimatorSpec)."""

    _FIELDS = ("mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs",
               "training_chief_hooks", "training_hooks", "scaffold", "evaluation_hooks", "prediction_hooks")

    def __init__(self, mode: str, predictions: Any = None, loss: Any = None, train_op: Any = None,
                 eval_metric_ops: Any = None, export_outputs: Any = None, training_chief_hooks: Any = None,
                 training_hooks: Any = None, scaffold: Any = None, evaluation_hooks: Any = None,
                 prediction_hooks: Any = None):
        from ..train_cluster import Scaffold
        if mode not in _MODES:
            raise ValueError(f"mode={mode!r} is not one of ModeKeys: {list(_MODES)}")
        if scaffold is not None and not isinstance(scaffold, Scaffold):
            raise TypeError(f"scaffold must be tf.train.Scaffold. Given: {scaffold}")
        self.mode = mode
        self.predictions = _validate_predictions(predictions, mode)
        self.loss = _validate_loss(loss, mode)
        self.train_op = _validate_train_op(train_op, mode)
        self.eval_metric_ops = _validate_metrics(eval_metric_ops)
        if mode == ModeKeys.PREDICT:  # as TF's: a PredictOutput of the predictions unless the model_fn gives some
            from .export import get_export_outputs
            export_outputs = get_export_outputs(export_outputs, self.predictions)
        self.export_outputs = export_outputs
        self.training_chief_hooks = _validate_hooks(training_chief_hooks)
        self.training_hooks = _validate_hooks(training_hooks)
        self.evaluation_hooks = _validate_hooks(evaluation_hooks)
        self.prediction_hooks = _validate_hooks(prediction_hooks)
        self.scaffold = scaffold or Scaffold()

    def _replace(self, **changes: Any) -> EstimatorSpec:
        if "mode" in changes and changes["mode"] != self.mode:
            raise ValueError("mode of EstimatorSpec cannot be changed.")
        fields = {name: getattr(self, name) for name in self._FIELDS}
        fields.update(changes)
        return EstimatorSpec(**fields)

    def __iter__(self):
        return iter(getattr(self, name) for name in self._FIELDS)

    def __repr__(self) -> str:
        return f"EstimatorSpec(mode={self.mode!r}, loss={self.loss}, train_op={self.train_op})"


__all__ = ["EstimatorSpec", "ModeKeys"]
