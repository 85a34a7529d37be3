"""TF 1.15's canned estimators: DNN, linear and DNN-linear combined classifiers and regressors.

Their variables are named as TF's (`dnn/hiddenlayer_0/kernel`, `dnn/logits/bias`,
`linear/linear_model/<column>/weights`, `linear/linear_model/bias_weights`, the input layer's
`dnn/input_from_feature_columns/input_layer/<column>/...`), so checkpoints carry over; their
optimizers and learning rates are TF's defaults (DNN: Adagrad 0.05; linear: Ftrl 0.2, or
min(0.2, 1/sqrt(#columns)) for optimizer=None; combined: Adagrad 0.001 and Ftrl min(0.005, 1/sqrt(#columns))).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..feature_column import input_layer, linear_model
from ..framework import control_dependencies
from ..graph import GraphKeys, get_collection
from ..initializers import glorot_uniform_initializer
from ..losses import Reduction
from ..nn import relu, zero_fraction
from ..optimizer import Optimizer
from ..variables import assign_add
from ..summary_ops import histogram, scalar
from ..training_util import get_global_step
from ..variables import group, variable_scope
from .estimator import Estimator
from .head import RegressionHead, binary_or_multi_class_head
from .model_fn import ModeKeys

_NAMES = ("Adagrad", "Adam", "Ftrl", "RMSProp", "SGD")


def get_optimizer_instance(opt: Any, learning_rate: float | None = None) -> Optimizer:
    """An optimizer from TF's names ('Adagrad', 'Adam', 'Ftrl', 'RMSProp', 'SGD'), a callable or an instance."""
    from .. import train
    if isinstance(opt, str):
        if opt in _NAMES:
            if not learning_rate:
                raise ValueError("learning_rate must be specified when opt is string.")
            cls = {"Adagrad": train.AdagradOptimizer, "Adam": train.AdamOptimizer, "Ftrl": train.FtrlOptimizer,
                   "RMSProp": train.RMSPropOptimizer, "SGD": train.GradientDescentOptimizer}[opt]
            return cls(learning_rate=learning_rate)
        raise ValueError(f"Unsupported optimizer name: {opt}. Supported names are: {tuple(sorted(_NAMES))}")
    if callable(opt) and not isinstance(opt, Optimizer):
        opt = opt()
    if not isinstance(opt, Optimizer):
        raise ValueError(f"The given object is not an Optimizer instance. Given: {opt}")
    return opt


def _layer_summary(value: Any, tag: str) -> None:
    scalar(f"{tag}/fraction_of_zero_values", zero_fraction(value))
    histogram(f"{tag}/activation", value)


def _check_features(features: Any) -> None:
    if not isinstance(features, dict):
        raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: {type(features)}")


def dnn_logits(features: dict, mode: str, units: int, hidden_units: Any, feature_columns: Any, activation_fn: Any,
               dropout: float | None, batch_norm: bool, input_layer_partitioner: Any = None) -> Any:
    """The DNN's logits, built in the current variable scope (TF's `dnn`)."""
    from ..layers import batch_normalization, dense
    from ..layers import dropout as dropout_layer
    if not isinstance(units, int):
        raise ValueError(f"units must be an int.  Given type: {type(units)}")
    training = mode == ModeKeys.TRAIN
    with variable_scope("input_from_feature_columns", partitioner=input_layer_partitioner):
        net = input_layer(features, feature_columns)
    for i, width in enumerate(hidden_units):
        net = dense(net, width, activation=activation_fn, kernel_initializer=glorot_uniform_initializer(),
                    name=f"hiddenlayer_{i}")
        if dropout is not None and training:
            net = dropout_layer(net, rate=dropout, training=True)
        if batch_norm:
            with variable_scope(f"hiddenlayer_{i}"):
                net = batch_normalization(net, momentum=0.999, training=training, name=f"batchnorm_{i}")
        _layer_summary(net, f"dnn/hiddenlayer_{i}")
    logits = dense(net, units, activation=None, kernel_initializer=glorot_uniform_initializer(), name="logits")
    _layer_summary(logits, "dnn/logits")
    return logits


def _dnn_model_fn(features, labels, mode, head, hidden_units, feature_columns, optimizer, activation_fn, dropout,
                  batch_norm, input_layer_partitioner, config):
    optimizer = get_optimizer_instance(optimizer, learning_rate=0.05)
    _check_features(features)
    with variable_scope("dnn", values=list(features.values())):
        logits = dnn_logits(features, mode, head.logits_dimension, hidden_units, feature_columns, activation_fn,
                            dropout, batch_norm, input_layer_partitioner)
    return head.create_estimator_spec(features=features, mode=mode, labels=labels, optimizer=optimizer,
                                      logits=logits)


def _linear_model_fn(features, labels, mode, head, feature_columns, optimizer, sparse_combiner, partitioner, config):
    _check_features(features)
    with variable_scope("linear", values=list(features.values()), partitioner=partitioner):
        logits = linear_model(features, feature_columns, units=head.logits_dimension,
                              sparse_combiner=sparse_combiner)
    if not optimizer:  # TF's default for None; the default 'Ftrl' itself gets the learning rate 0.2
        from ..train import FtrlOptimizer
        optimizer = FtrlOptimizer(min(0.2, 1.0 / math.sqrt(len(list(feature_columns)))))
    optimizer = get_optimizer_instance(optimizer, learning_rate=0.2)
    return head.create_estimator_spec(features=features, mode=mode, labels=labels, optimizer=optimizer,
                                      logits=logits)


def _combined_model_fn(features, labels, mode, head, linear_feature_columns, linear_optimizer, dnn_feature_columns,
                       dnn_optimizer, dnn_hidden_units, dnn_activation_fn, dnn_dropout, batch_norm,
                       linear_sparse_combiner, input_layer_partitioner, config):
    _check_features(features)
    if not linear_feature_columns and not dnn_feature_columns:
        raise ValueError("Either linear_feature_columns or dnn_feature_columns must be defined.")
    parts, train_parts = [], []
    if dnn_feature_columns:
        dnn_opt = get_optimizer_instance(dnn_optimizer, learning_rate=0.001)
        if not dnn_hidden_units:
            raise ValueError("dnn_hidden_units must be defined when dnn_feature_columns is specified.")
        with variable_scope("dnn", values=list(features.values())) as scope:
            parts.append(dnn_logits(features, mode, head.logits_dimension, dnn_hidden_units, dnn_feature_columns,
                                    dnn_activation_fn, dnn_dropout, batch_norm, input_layer_partitioner))
            train_parts.append((dnn_opt, scope.name))
    if linear_feature_columns:
        rate = min(0.005, 1.0 / math.sqrt(len(list(linear_feature_columns))))
        linear_opt = get_optimizer_instance(linear_optimizer, learning_rate=rate)
        with variable_scope("linear", values=list(features.values()), partitioner=input_layer_partitioner) as scope:
            logits = linear_model(features, linear_feature_columns, units=head.logits_dimension,
                                  sparse_combiner=linear_sparse_combiner)
            _layer_summary(logits, scope.name)
            parts.append(logits)
            train_parts.append((linear_opt, scope.name))
    logits = parts[0] + parts[1] if len(parts) == 2 else parts[0]

    def train_op_fn(loss):
        ops = [opt.minimize(loss, var_list=get_collection(GraphKeys.TRAINABLE_VARIABLES, scope=name))
               for opt, name in train_parts]
        with control_dependencies([group(*ops)]):
            return assign_add(get_global_step(), 1).op

    return head.create_estimator_spec(features=features, mode=mode, labels=labels, train_op_fn=train_op_fn,
                                      logits=logits)


class _Canned(Estimator):
    """A canned estimator: predict() adds TF's string predictions (classes, all_classes) on the host."""

    _head: Any = None

    def _use_model_fn(self, head: Any, model_fn: Callable, *args: Any, model_dir: Any, config: Any,
                      warm_start_from: Any = None) -> None:
        """Be an Estimator whose model is model_fn(features, labels, mode, head, *args, config) under `head`."""
        self._head = head

        def _model_fn(features, labels, mode, config):
            return model_fn(features, labels, mode, head, *args, config)
        super().__init__(_model_fn, model_dir=model_dir, config=config, warm_start_from=warm_start_from)

    def _graph_keys(self, predict_keys: Any) -> Any:
        if not predict_keys:
            return predict_keys
        keys = list(predict_keys)
        keys += ["class_ids"] if "classes" in keys else []
        keys += ["all_class_ids"] if "all_classes" in keys else []
        return keys

    def _host_predictions(self, values: Any) -> Any:
        vocabulary = getattr(self._head, "label_vocabulary", None)
        if not isinstance(values, dict) or "class_ids" not in values:
            return values
        names = np.array([str(v).encode() for v in (vocabulary or range(self._head._n_classes))], dtype=object)
        values = dict(values)
        values["classes"] = names[np.asarray(values["class_ids"])]
        if "all_class_ids" in values:
            values["all_classes"] = names[np.asarray(values["all_class_ids"])]
        return values


class DNNClassifier(_Canned):
    """A feed-forward classifier over feature columns (tf.estimator.DNNClassifier, TF 1.15)."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Adagrad", activation_fn=relu, dropout=None,
                 input_layer_partitioner=None, config=None, warm_start_from=None,
                 loss_reduction=Reduction.SUM, batch_norm=False):
        head = binary_or_multi_class_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        self._use_model_fn(head, _dnn_model_fn, hidden_units, tuple(feature_columns or []), optimizer, activation_fn,
                           dropout, batch_norm, input_layer_partitioner, model_dir=model_dir, config=config,
                           warm_start_from=warm_start_from)


class DNNRegressor(_Canned):
    """A feed-forward regressor over feature columns (tf.estimator.DNNRegressor, TF 1.15)."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Adagrad", activation_fn=relu, dropout=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=Reduction.SUM, batch_norm=False):
        head = RegressionHead(label_dimension, weight_column, loss_reduction)
        self._use_model_fn(head, _dnn_model_fn, hidden_units, tuple(feature_columns or []), optimizer, activation_fn,
                           dropout, batch_norm, input_layer_partitioner, model_dir=model_dir, config=config,
                           warm_start_from=warm_start_from)


class LinearClassifier(_Canned):
    """A linear classifier over feature columns (tf.estimator.LinearClassifier, TF 1.15; Ftrl by default)."""

    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column=None, label_vocabulary=None,
                 optimizer="Ftrl", config=None, partitioner=None, warm_start_from=None,
                 loss_reduction=Reduction.SUM, sparse_combiner="sum"):
        head = binary_or_multi_class_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        self._use_model_fn(head, _linear_model_fn, tuple(feature_columns or []), optimizer, sparse_combiner,
                           partitioner, model_dir=model_dir, config=config, warm_start_from=warm_start_from)


class LinearRegressor(_Canned):
    """A linear regressor over feature columns (tf.estimator.LinearRegressor, TF 1.15; Ftrl by default)."""

    def __init__(self, feature_columns, model_dir=None, label_dimension=1, weight_column=None, optimizer="Ftrl",
                 config=None, partitioner=None, warm_start_from=None, loss_reduction=Reduction.SUM,
                 sparse_combiner="sum"):
        head = RegressionHead(label_dimension, weight_column, loss_reduction)
        self._use_model_fn(head, _linear_model_fn, tuple(feature_columns or []), optimizer, sparse_combiner,
                           partitioner, model_dir=model_dir, config=config, warm_start_from=warm_start_from)


def _combined(linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
              dnn_activation_fn, dnn_dropout, batch_norm, linear_sparse_combiner, input_layer_partitioner) -> tuple:
    """_combined_model_fn's arguments after the head, the two column lists checked."""
    linear = tuple(linear_feature_columns or [])
    dnn = tuple(dnn_feature_columns or [])
    if not linear and not dnn:
        raise ValueError("Either linear_feature_columns or dnn_feature_columns must be defined.")
    return (linear, linear_optimizer, dnn, dnn_optimizer, dnn_hidden_units, dnn_activation_fn, dnn_dropout, batch_norm,
            linear_sparse_combiner, input_layer_partitioner)


class DNNLinearCombinedClassifier(_Canned):
    """Wide-and-deep classification (tf.estimator.DNNLinearCombinedClassifier, TF 1.15)."""

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl",
                 dnn_feature_columns=None, dnn_optimizer="Adagrad", dnn_hidden_units=None, dnn_activation_fn=relu,
                 dnn_dropout=None, n_classes=2, weight_column=None, label_vocabulary=None,
                 input_layer_partitioner=None, config=None, warm_start_from=None, loss_reduction=Reduction.SUM,
                 batch_norm=False, linear_sparse_combiner="sum"):
        head = binary_or_multi_class_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        self._use_model_fn(head, _combined_model_fn, *_combined(
            linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
            dnn_activation_fn, dnn_dropout, batch_norm, linear_sparse_combiner, input_layer_partitioner),
            model_dir=model_dir, config=config, warm_start_from=warm_start_from)


class DNNLinearCombinedRegressor(_Canned):
    """Wide-and-deep regression (tf.estimator.DNNLinearCombinedRegressor, TF 1.15)."""

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl",
                 dnn_feature_columns=None, dnn_optimizer="Adagrad", dnn_hidden_units=None, dnn_activation_fn=relu,
                 dnn_dropout=None, label_dimension=1, weight_column=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=Reduction.SUM, batch_norm=False, linear_sparse_combiner="sum"):
        head = RegressionHead(label_dimension, weight_column, loss_reduction)
        self._use_model_fn(head, _combined_model_fn, *_combined(
            linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
            dnn_activation_fn, dnn_dropout, batch_norm, linear_sparse_combiner, input_layer_partitioner),
            model_dir=model_dir, config=config, warm_start_from=warm_start_from)


def _baseline_model_fn(features, labels, mode, head, optimizer, config):
    """Logits that are a learned bias alone (variable baseline/bias), for every example of the batch."""
    from ..array_ops import reshape, shape, zeros_like
    from ..framework import convert_to_tensor
    from ..math_ops import to_float
    from ..variables import get_variable, zeros_initializer
    if isinstance(features, dict):
        if not features:
            raise ValueError("features should be a non-empty dictionary of `Tensor`s.")
        first = convert_to_tensor(features[sorted(features)[0]])
    else:
        first = convert_to_tensor(features)
    column = reshape(first, [shape(first)[0], -1])[:, :1]
    ones = zeros_like(to_float(column)) + 1.0
    with variable_scope("baseline"):
        bias = get_variable("bias", shape=[head.logits_dimension], initializer=zeros_initializer())
        logits = bias * ones

    def train_op_fn(loss):
        opt = get_optimizer_instance(optimizer, learning_rate=0.3)
        return opt.minimize(loss, global_step=get_global_step())
    return head.create_estimator_spec(features=features, mode=mode, logits=logits, labels=labels,
                                      train_op_fn=train_op_fn)


class BaselineClassifier(_Canned):
    """Predicts the classes' prior from the labels alone (tf.estimator.BaselineClassifier, TF 1.15; Ftrl 0.3)."""

    def __init__(self, model_dir=None, n_classes=2, weight_column=None, label_vocabulary=None, optimizer="Ftrl",
                 config=None, loss_reduction=Reduction.SUM):
        head = binary_or_multi_class_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        self._use_model_fn(head, _baseline_model_fn, optimizer, model_dir=model_dir, config=config)


class BaselineRegressor(_Canned):
    """Predicts the labels' mean (tf.estimator.BaselineRegressor, TF 1.15; Ftrl 0.3)."""

    def __init__(self, model_dir=None, label_dimension=1, weight_column=None, optimizer="Ftrl", config=None,
                 loss_reduction=Reduction.SUM):
        head = RegressionHead(label_dimension, weight_column, loss_reduction)
        self._use_model_fn(head, _baseline_model_fn, optimizer, model_dir=model_dir, config=config)


__all__ = ["BaselineClassifier", "BaselineRegressor", "DNNClassifier", "DNNLinearCombinedClassifier",
           "DNNLinearCombinedRegressor", "DNNRegressor", "LinearClassifier", "LinearRegressor",
           "get_optimizer_instance"]
