"""The canned estimators' heads (TF 1.15's v1 heads): logits -> predictions, the loss, eval metrics, train_op.

Losses are reduced by SUM over the batch (TF 1.15's default for v1 canned estimators);
evaluate's `average_loss` is the per-example mean, `loss` the mean of the per-batch sums.
Labels are integers (class ids, or values of an integer label_vocabulary): dfc has no string
tensors, so the `classes` predictions TF gives as strings are made on the host by predict().
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import metrics as metrics_lib
from ..array_ops import concat, expand_dims, identity, ones_like, range as tf_range, zeros_like
from ..debugging import assert_less_equal, assert_non_negative
from ..framework import Tensor, control_dependencies, convert_to_tensor, name_scope
from ..graph import GraphKeys, get_collection
from ..losses import Reduction, compute_weighted_loss
from ..math_ops import add_n, argmax, cast, equal, maximum, reduce_sum, sigmoid, to_float
from ..nn import sigmoid_cross_entropy_with_logits, softmax, sparse_softmax_cross_entropy_with_logits
from ..summary_ops import scalar as summary_scalar
from ..training_util import get_global_step
from ..variables import group
from .model_fn import EstimatorSpec, ModeKeys


class LossSpec(tuple):
    """(training_loss, unreduced_loss, weights, processed_labels)."""

    def __new__(cls, training_loss, unreduced_loss, weights, processed_labels):
        return super().__new__(cls, (training_loss, unreduced_loss, weights, processed_labels))

    training_loss = property(lambda self: self[0])
    unreduced_loss = property(lambda self: self[1])
    weights = property(lambda self: self[2])
    processed_labels = property(lambda self: self[3])


def _check_labels(labels: Any, logits: Tensor, expected_dim: int) -> Tensor:
    """Labels shaped [D0, ..., DN, expected_dim] (a rank one less than the logits gets the last dim added)."""
    if labels is None:
        raise ValueError("You must provide a labels Tensor. Given: None. Suggested troubleshooting steps: Check that "
                         "your data contain your label feature. Check that your input_fn properly parses and returns "
                         "labels.")
    if isinstance(labels, dict):
        raise ValueError(f"labels must be a Tensor for this head, got a dict with keys {sorted(labels)}")
    with name_scope(None, "labels") as scope:
        labels = convert_to_tensor(labels)
        if labels.shape.ndims is not None and logits.shape.ndims is not None \
                and labels.shape.ndims == logits.shape.ndims - 1:
            labels = expand_dims(labels, -1)
        message = (f"labels shape must be [D0, D1, ... DN, {expected_dim}]. Suggested Fix: check your n_classes "
                   f"argument to the estimator and/or the shape of your label.")
        if labels.shape.ndims is not None and labels.shape.ndims < 2:
            raise ValueError(f"{message} Given labels {labels.name} of shape {labels.shape}")
        last = labels.shape.as_list()[-1] if labels.shape.ndims else None
        if last is not None and last != expected_dim:
            raise ValueError(f"Mismatched label shape. Expected labels dimension={expected_dim}.  Received {last}. "
                             "Suggested Fix:If your classifier expects one-hot encoding label,check your n_classes "
                             "argument to the estimator and/or the shape of your label. Otherwise, check the shape "
                             f"of your label ({labels.name}).")
        want, have = logits.shape.as_list()[:-1] if logits.shape.ndims else None, labels.shape.as_list()[:-1] \
            if labels.shape.ndims else None
        if want is not None and have is not None and len(want) == len(have):
            for a, b in zip(want, have):
                if a is not None and b is not None and a != b:
                    raise ValueError(f"{message} Given labels {labels.name} of shape {labels.shape} for logits "
                                     f"{logits.name} of shape {logits.shape}")
        return identity(labels, name=scope.rstrip("/") if scope else None)


def _weights(features: Any, weight_column: Any, logits: Tensor) -> Any:
    """The per-example weights of weight_column (a feature key or numeric_column), shaped as the loss; 1.0 without."""
    if weight_column is None:
        return 1.0
    key = weight_column if isinstance(weight_column, str) else getattr(weight_column, "key", None)
    if key is None:
        raise TypeError(f"Weight column must be either a string or _NumericColumn. Given type: {type(weight_column)}")
    if not isinstance(features, dict) or key not in features:
        raise ValueError(f"weight_column {key!r} is not among the features: "
                         f"{sorted(features) if isinstance(features, dict) else features}")
    with name_scope(None, "weights"):
        weights = convert_to_tensor(features[key])
        normalizer = getattr(weight_column, "normalizer_fn", None)
        if normalizer is not None:
            weights = normalizer(weights)
        if not weights.dtype.is_floating and not weights.dtype.is_integer:
            raise ValueError(f"Weight column should be castable to float. Given dtype: {weights.dtype}")
        weights = to_float(weights)
        if weights.shape.ndims is not None and logits.shape.ndims is not None \
                and weights.shape.ndims == logits.shape.ndims - 1:
            weights = expand_dims(weights, -1)
        return weights


def _assert_range(labels: Tensor, n_classes: int, message: str | None = None) -> Tensor:
    with name_scope(None, "assert_range"):
        less = assert_less_equal(labels, convert_to_tensor(n_classes - 1, dtype=labels.dtype),
                                 message=message or "Labels must <= n_classes - 1")
        greater = assert_non_negative(labels, message=message or "Labels must >= 0")
        with control_dependencies([less, greater]):
            return identity(labels)


def _vocabulary_ids(labels: Tensor, vocabulary: Sequence[int]) -> Tensor:
    """The index of each label in an integer vocabulary, -1 where absent (then refused by _assert_range)."""
    if not labels.dtype.is_integer:
        raise ValueError(f"Labels dtype should be integer if there is an integer vocabulary. Instead got "
                         f"{labels.dtype} ({labels.name})")
    with name_scope(None, "class_id_lookup"):
        table = convert_to_tensor(list(vocabulary), dtype=labels.dtype)
        hits = cast(equal(expand_dims(labels, -1), table), "int64")
        positions = convert_to_tensor(list(range(1, len(vocabulary) + 1)), dtype="int64")
        return reduce_sum(hits * positions, axis=-1) - 1


def check_label_vocabulary(label_vocabulary: Any, n_classes: int) -> tuple[int, ...] | None:
    if label_vocabulary is None:
        return None
    if not isinstance(label_vocabulary, (list, tuple)):
        raise ValueError(f"label_vocabulary should be a list or a tuple. Given type: {type(label_vocabulary)}")
    if any(isinstance(v, (str, bytes)) for v in label_vocabulary):
        raise TypeError(f"label_vocabulary {list(label_vocabulary)!r} holds strings: dfc has no string tensors; give "
                        "an integer label_vocabulary (the label values) or integer labels in [0, n_classes)")
    if len(label_vocabulary) != n_classes:
        raise ValueError(f"label_vocabulary length ({len(label_vocabulary)}) must equal n_classes ({n_classes})")
    if len(set(label_vocabulary)) != len(label_vocabulary):
        raise ValueError(f"label_vocabulary has duplicates: {list(label_vocabulary)}")
    return tuple(int(v) for v in label_vocabulary)


def _summary_key(head_name: str | None, key: str) -> str:
    return f"{key}/{head_name}" if head_name else key


class _Head:
    """What a canned model_fn hands its logits to."""

    def __init__(self, weight_column: Any = None, loss_reduction: str = Reduction.SUM, loss_fn: Any = None,
                 name: str | None = None):
        if loss_reduction not in Reduction.all() or loss_reduction == Reduction.NONE:
            raise ValueError(f"Invalid loss_reduction: {loss_reduction}")
        self._weight_column = weight_column
        self._loss_reduction = loss_reduction
        self._loss_fn = loss_fn
        self._name = name

    name = property(lambda self: self._name)

    def _unweighted_loss(self, labels: Tensor, logits: Tensor, features: Any) -> Tensor:
        raise NotImplementedError

    def _labels(self, labels: Tensor) -> Tensor:
        raise NotImplementedError

    def create_loss(self, features: Any, mode: str, logits: Any, labels: Any) -> LossSpec:
        logits = convert_to_tensor(logits)
        labels = self._labels(_check_labels(labels, logits, self._label_dimension()))
        if self._loss_fn is not None:
            unweighted = self._loss_fn(labels=labels, logits=logits, **({"features": features} if "features" in
                                       self._loss_fn.__code__.co_varnames else {}))
        else:
            unweighted = self._unweighted_loss(labels, logits, features)
        weights = _weights(features, self._weight_column, logits)
        training_loss = compute_weighted_loss(unweighted, weights=weights, reduction=self._loss_reduction)
        return LossSpec(training_loss, unweighted, weights, labels)

    def _label_dimension(self) -> int:
        return 1

    def _predictions(self, logits: Tensor) -> dict:
        raise NotImplementedError

    def _metrics(self, labels, predictions, logits, weights, unreduced_loss, regularization_loss) -> dict:
        raise NotImplementedError

    def create_estimator_spec(self, features: Any, mode: str, logits: Any, labels: Any = None, optimizer: Any = None,
                              train_op_fn: Any = None, regularization_losses: Any = None) -> EstimatorSpec:
        with name_scope(self._name, "head"):
            logits = convert_to_tensor(logits)
            last = logits.shape.as_list()[-1] if logits.shape.ndims else None
            if logits.shape.ndims is not None and logits.shape.ndims < 2:
                raise ValueError(f"logits shape must be [D0, D1, ... DN, logits_dimension], got {logits.shape} "
                                 f"({logits.name})")
            if last is not None and last != self.logits_dimension:
                raise ValueError(f"logits shape must be [D0, D1, ... DN, logits_dimension], got {logits.shape} "
                                 f"({logits.name}) for logits_dimension {self.logits_dimension}")
            with name_scope(None, "predictions"):
                predictions = self._predictions(logits)
            if mode == ModeKeys.PREDICT:
                # TF's heads add classify/regress outputs too, which need serialized tf.Example (string) inputs and
                # are left out of an export over raw tensors; the predict output is the one such an export serves
                from .export import PredictOutput
                return EstimatorSpec(mode=ModeKeys.PREDICT, predictions=predictions,
                                     export_outputs={"predict": PredictOutput(predictions)})
            training_loss, unreduced_loss, weights, labels = self.create_loss(features, mode, logits, labels)
            regularization_loss = add_n(list(regularization_losses)) if regularization_losses else None
            loss = add_n([training_loss, regularization_loss]) if regularization_loss is not None else training_loss
            if mode == ModeKeys.EVAL:
                with name_scope(None, "metrics"):
                    metric_ops = self._metrics(labels, predictions, logits, weights, unreduced_loss,
                                               regularization_loss)
                return EstimatorSpec(mode=ModeKeys.EVAL, predictions=predictions, loss=loss,
                                     eval_metric_ops=metric_ops)
            if optimizer is not None:
                if train_op_fn is not None:
                    raise ValueError("train_op_fn and optimizer cannot both be set.")
                train_op = optimizer.minimize(loss, global_step=get_global_step())
            elif train_op_fn is not None:
                train_op = train_op_fn(loss)
            else:
                raise ValueError("train_op_fn and optimizer cannot both be None.")
            update_ops = get_collection(GraphKeys.UPDATE_OPS)
            if update_ops:
                train_op = group(train_op, *update_ops)
            mean_loss = None
            if self._loss_reduction == Reduction.SUM:
                mean_loss = training_loss / reduce_sum(weights * ones_like(unreduced_loss))
        with name_scope(""):
            summary_scalar(_summary_key(self._name, "loss"), loss)
            if mean_loss is not None:
                summary_scalar(_summary_key(self._name, "average_loss"), mean_loss)
            if regularization_loss is not None:
                summary_scalar(_summary_key(self._name, "regularization_loss"), regularization_loss)
        return EstimatorSpec(mode=ModeKeys.TRAIN, predictions=predictions, loss=loss, train_op=train_op)

    def _loss_metrics(self, unreduced_loss, weights, regularization_loss) -> dict:
        ops = {_summary_key(self._name, "average_loss"): metrics_lib.mean(unreduced_loss, weights=weights,
                                                                         name="average_loss")}
        if regularization_loss is not None:
            ops[_summary_key(self._name, "regularization_loss")] = metrics_lib.mean(regularization_loss,
                                                                                   name="regularization_loss")
        return ops


def _all_class_ids(logits: Tensor, n_classes: int) -> Tensor:
    return cast(zeros_like(logits[..., :1]), "int32") + tf_range(n_classes)


class MultiClassHead(_Head):
    """Softmax cross entropy over n_classes logits."""

    def __init__(self, n_classes: int, weight_column: Any = None, label_vocabulary: Any = None,
                 loss_reduction: str = Reduction.SUM, loss_fn: Any = None, name: str | None = None):
        if n_classes is None:
            raise ValueError("n_classes cannot be None")
        if n_classes <= 2:
            raise ValueError(f"n_classes must be > 2: {n_classes}.")
        super().__init__(weight_column, loss_reduction, loss_fn, name)
        self._n_classes = n_classes
        self.label_vocabulary = check_label_vocabulary(label_vocabulary, n_classes)

    logits_dimension = property(lambda self: self._n_classes)

    def _labels(self, labels: Tensor) -> Tensor:
        if self.label_vocabulary is not None:
            labels = _vocabulary_ids(labels, self.label_vocabulary)
        elif not labels.dtype.is_integer:
            raise ValueError(f"Labels dtype should be integer. Instead got {labels.dtype}.")
        return _assert_range(labels, self._n_classes)

    def _unweighted_loss(self, labels, logits, features):
        from ..array_ops import squeeze
        return expand_dims(sparse_softmax_cross_entropy_with_logits(labels=squeeze(labels, [-1]), logits=logits), -1)

    def _predictions(self, logits: Tensor) -> dict:
        class_ids = expand_dims(argmax(logits, axis=-1, name="class_ids"), -1)
        return {"logits": logits, "probabilities": softmax(logits, name="probabilities"), "class_ids": class_ids,
                "all_class_ids": _all_class_ids(logits, self._n_classes)}

    def _metrics(self, labels, predictions, logits, weights, unreduced_loss, regularization_loss) -> dict:
        ops = self._loss_metrics(unreduced_loss, weights, regularization_loss)
        ops[_summary_key(self._name, "accuracy")] = metrics_lib.accuracy(labels, predictions["class_ids"],
                                                                         weights=weights, name="accuracy")
        return ops


class BinaryLogisticHead(_Head):
    """Sigmoid cross entropy over one logit: the head of 2-class classifiers."""

    def __init__(self, weight_column: Any = None, thresholds: Any = None, label_vocabulary: Any = None,
                 loss_reduction: str = Reduction.SUM, loss_fn: Any = None, name: str | None = None):
        super().__init__(weight_column, loss_reduction, loss_fn, name)
        self._thresholds = tuple(thresholds) if thresholds else ()
        for t in self._thresholds:
            if t <= 0.0 or t >= 1.0:
                raise ValueError(f"thresholds not in (0, 1): {self._thresholds}.")
        self.label_vocabulary = check_label_vocabulary(label_vocabulary, 2)

    logits_dimension = property(lambda self: 1)
    _n_classes = 2

    def _labels(self, labels: Tensor) -> Tensor:
        if self.label_vocabulary is not None:
            labels = _vocabulary_ids(labels, self.label_vocabulary)
        return _assert_range(to_float(labels), 2)

    def _unweighted_loss(self, labels, logits, features):
        return sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)

    def _predictions(self, logits: Tensor) -> dict:
        two_class = concat([zeros_like(logits), logits], axis=-1, name="two_class_logits")
        return {"logits": logits, "logistic": sigmoid(logits, name="logistic"),
                "probabilities": softmax(two_class, name="probabilities"),
                "class_ids": expand_dims(argmax(two_class, axis=-1, name="class_ids"), -1),
                "all_class_ids": _all_class_ids(logits, 2)}

    def _metrics(self, labels, predictions, logits, weights, unreduced_loss, regularization_loss) -> dict:
        key = lambda k: _summary_key(self._name, k)  # noqa: E731
        logistic, class_ids = predictions["logistic"], predictions["class_ids"]
        w = None if isinstance(weights, float) else weights
        ops = self._loss_metrics(unreduced_loss, weights, regularization_loss)
        ops[key("accuracy")] = metrics_lib.accuracy(labels, class_ids, weights=w, name="accuracy")
        ops[key("precision")] = metrics_lib.precision(labels, class_ids, weights=w, name="precision")
        ops[key("recall")] = metrics_lib.recall(labels, class_ids, weights=w, name="recall")
        ops[key("prediction/mean")] = metrics_lib.mean(logistic, weights=_broadcast(w, logistic),
                                                       name="prediction_mean")
        labels_mean = metrics_lib.mean(to_float(labels), weights=_broadcast(w, labels), name="label_mean")
        ops[key("label/mean")] = labels_mean
        with name_scope(None, "accuracy_baseline"):
            ops[key("accuracy_baseline")] = (maximum(labels_mean[0], 1.0 - labels_mean[0], name="value"),
                                             maximum(labels_mean[1], 1.0 - labels_mean[1], name="update_op"))
        ops[key("auc")] = metrics_lib.auc(labels, logistic, weights=_broadcast(w, logistic), name="auc")
        ops[key("auc_precision_recall")] = metrics_lib.auc(labels, logistic, weights=_broadcast(w, logistic),
                                                           curve="PR", name="auc_precision_recall")
        for t in self._thresholds:
            from ..math_ops import greater_equal
            ops[key(f"accuracy/positive_threshold_{t:g}")] = metrics_lib.accuracy(
                labels, to_float(greater_equal(logistic, t)), weights=w)
            p, up = metrics_lib.precision_at_thresholds(labels, logistic, [t], weights=w)
            ops[key(f"precision/positive_threshold_{t:g}")] = (p[0], up[0])
            r, ur = metrics_lib.recall_at_thresholds(labels, logistic, [t], weights=w)
            ops[key(f"recall/positive_threshold_{t:g}")] = (r[0], ur[0])
        return ops


def _broadcast(weights: Any, values: Tensor) -> Any:
    if weights is None:
        return None
    return weights * ones_like(values)


class RegressionHead(_Head):
    """Mean squared error over label_dimension outputs."""

    def __init__(self, label_dimension: int = 1, weight_column: Any = None, loss_reduction: str = Reduction.SUM,
                 loss_fn: Any = None, inverse_link_fn: Any = None, name: str | None = None):
        if label_dimension < 1:
            raise ValueError(f"Invalid label_dimension {label_dimension}.")
        super().__init__(weight_column, loss_reduction, loss_fn, name)
        self._dim = label_dimension
        self._inverse_link_fn = inverse_link_fn

    logits_dimension = property(lambda self: self._dim)

    def _label_dimension(self) -> int:
        return self._dim

    def _labels(self, labels: Tensor) -> Tensor:
        return to_float(labels)

    def _unweighted_loss(self, labels, logits, features):
        from ..math_ops import squared_difference
        return squared_difference(logits, labels)

    def _predictions(self, logits: Tensor) -> dict:
        if self._inverse_link_fn is None:
            return {"predictions": identity(logits, name="predictions")}
        return {"predictions": identity(self._inverse_link_fn(logits), name="predictions"), "logits": logits}

    def _metrics(self, labels, predictions, logits, weights, unreduced_loss, regularization_loss) -> dict:
        w = None if isinstance(weights, float) else weights
        ops = self._loss_metrics(unreduced_loss, weights, regularization_loss)
        value = predictions["predictions"]
        ops[_summary_key(self._name, "prediction/mean")] = metrics_lib.mean(value, weights=_broadcast(w, value),
                                                                            name="prediction_mean")
        ops[_summary_key(self._name, "label/mean")] = metrics_lib.mean(labels, weights=w, name="label_mean")
        return ops


def binary_or_multi_class_head(n_classes: int, weight_column: Any, label_vocabulary: Any,
                               loss_reduction: str) -> _Head:
    if n_classes == 2:
        return BinaryLogisticHead(weight_column, label_vocabulary=label_vocabulary, loss_reduction=loss_reduction)
    return MultiClassHead(n_classes, weight_column, label_vocabulary, loss_reduction)


__all__ = ["BinaryLogisticHead", "LossSpec", "MultiClassHead", "RegressionHead", "binary_or_multi_class_head"]
