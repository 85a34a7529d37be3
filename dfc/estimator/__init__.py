"""tf.estimator (TF 1.15): Estimator, EstimatorSpec, RunConfig, train_and_evaluate, numpy inputs, canned models."""

from __future__ import annotations

from ..basic_session_run_hooks import (CheckpointSaverListener, FeedFnHook, FinalOpsHook, GlobalStepWaiterHook,
                                       LoggingTensorHook, NanLossDuringTrainingError, NanTensorHook,
                                       ProfilerHook, SecondOrStepTimer, StepCounterHook, SummarySaverHook)
from ..session_run_hook import SessionRunArgs, SessionRunContext, SessionRunHook, SessionRunValues
from ..train_cluster import CheckpointSaverHook, StopAtStepHook
from . import export, inputs
from .canned import (BaselineClassifier, BaselineRegressor, DNNClassifier, DNNLinearCombinedClassifier,
                     DNNLinearCombinedRegressor, DNNRegressor, LinearClassifier, LinearRegressor)
from .estimator import Estimator, WarmStartSettings
from .exporters import BestExporter, Exporter, FinalExporter, LatestExporter
from .extenders import add_metrics
from .model_fn import EstimatorSpec, ModeKeys
from .run_config import RunConfig
from .training import EvalSpec, TrainSpec, train_and_evaluate
from . import experimental  # noqa: E402 - tf.estimator.experimental: the early-stopping hooks

__all__ = ["BaselineClassifier", "BaselineRegressor", "BestExporter", "CheckpointSaverHook",
           "CheckpointSaverListener", "DNNClassifier", "DNNLinearCombinedClassifier", "DNNLinearCombinedRegressor",
           "DNNRegressor", "Estimator", "EstimatorSpec", "EvalSpec", "Exporter", "FeedFnHook", "FinalExporter",
           "FinalOpsHook", "GlobalStepWaiterHook", "LatestExporter", "LinearClassifier", "LinearRegressor",
           "LoggingTensorHook", "ModeKeys", "NanLossDuringTrainingError", "NanTensorHook", "RunConfig",
           "ProfilerHook", "SecondOrStepTimer", "SessionRunArgs", "SessionRunContext", "SessionRunHook",
           "SessionRunValues",
           "StepCounterHook", "StopAtStepHook", "SummarySaverHook", "TrainSpec", "WarmStartSettings", "add_metrics",
           "experimental", "export", "inputs", "train_and_evaluate"]
