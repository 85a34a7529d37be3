"""tf.estimator (TF 1.15): Estimator, EstimatorSpec, RunConfig, train_and_evaluate, numpy inputs, canned models."""

from __future__ import annotations

from . import inputs
from .canned import (BaselineClassifier, BaselineRegressor, DNNClassifier, DNNLinearCombinedClassifier,
                     DNNLinearCombinedRegressor, DNNRegressor, LinearClassifier, LinearRegressor)
from .estimator import Estimator, WarmStartSettings
from .model_fn import EstimatorSpec, ModeKeys
from .run_config import RunConfig
from .training import EvalSpec, TrainSpec, train_and_evaluate

__all__ = ["BaselineClassifier", "BaselineRegressor", "DNNClassifier", "DNNLinearCombinedClassifier",
           "DNNLinearCombinedRegressor", "DNNRegressor", "Estimator", "EstimatorSpec", "EvalSpec", "LinearClassifier",
           "LinearRegressor", "ModeKeys", "RunConfig", "TrainSpec", "WarmStartSettings", "inputs",
           "train_and_evaluate"]
