"""tf.keras.estimator.model_to_estimator: a compiled Keras model as a tf.estimator.Estimator.

The Estimator's model_fn rebuilds the model on the input_fn's features (clone_model, keyed by the model's input
names), compiles the clone with the model's loss, metrics and a fresh optimizer of the same configuration over the
labels, and starts from the Keras model's current weights when model_dir has no checkpoint yet (TF warm-starts
from the same weights). Evaluation reports the loss and the Keras metrics as streaming means.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np


def _as_inputs(model: Any, features: Any) -> list:
    names = list(model.input_names)
    if isinstance(features, dict):
        missing = [n for n in names if n not in features]
        if missing:
            raise KeyError(f"The dictionary passed into features does not have the expected inputs keys defined in "
                           f"the keras model. Expected keys: {set(names)}, features' keys: {set(features)}, missing "
                           f"keys: {set(missing)}")
        return [features[n] for n in names]
    features = list(features) if isinstance(features, (list, tuple)) else [features]
    if len(features) != len(names):
        raise ValueError(f"The model has {len(names)} inputs ({names}); the input_fn gave {len(features)}")
    return features


def _as_targets(model: Any, labels: Any) -> list | None:
    if labels is None:
        return None
    if isinstance(labels, dict):
        missing = [n for n in model.output_names if n not in labels]
        if missing:
            raise KeyError(f"The dictionary passed into labels does not have the expected output keys defined in the "
                           f"keras model: {set(model.output_names)}, labels' keys: {set(labels)}")
        return [labels[n] for n in model.output_names]
    return list(labels) if isinstance(labels, (list, tuple)) else [labels]


def _model_fn(keras_model: Any, weights: list[np.ndarray], optimizer_config: dict):
    from ..array_ops import constant
    from ..estimator import EstimatorSpec, ModeKeys
    from ..estimator.export import PredictOutput
    from ..math_ops import cast
    from ..metrics import mean
    from ..training_util import get_or_create_global_step
    from ..variables import assign, assign_add, group
    from . import optimizers
    from .models import clone_model

    def model_fn(features, labels, mode):
        inputs = _as_inputs(keras_model, features)
        model = clone_model(keras_model, input_tensors=inputs)
        outputs = model.outputs
        predictions = {name: out for name, out in zip(model.output_names, outputs)}
        start = group(*[assign(v, constant(w)) for v, w in zip(model.weights, weights)], name="keras_weights")
        scaffold = _scaffold(start)
        if mode == ModeKeys.PREDICT:
            return EstimatorSpec(mode, predictions=predictions, scaffold=scaffold,
                                 export_outputs={"serving_default": PredictOutput(predictions)})
        targets = [cast(t, o.dtype) if t.dtype != o.dtype else t
                   for t, o in zip(_as_targets(keras_model, labels), outputs)]
        args = keras_model._compile_args
        optimizer = optimizers.deserialize(optimizer_config)
        model.compile(optimizer, loss=args["loss"], metrics=args["metrics"], loss_weights=args["loss_weights"],
                      weighted_metrics=args["weighted_metrics"], target_tensors=targets)
        loss = model.total_loss
        if mode == ModeKeys.TRAIN:
            train_op = group(model._train_op, assign_add(get_or_create_global_step(), 1))
            return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op, scaffold=scaffold)
        metrics = {name: mean(value) for name, value in zip(model.metrics_names[1:], model._metric_tensors)}
        return EstimatorSpec(mode, predictions=predictions, loss=loss, eval_metric_ops=metrics, scaffold=scaffold)
    return model_fn


def _scaffold(start: Any) -> Any:
    from ..train_cluster import Scaffold
    return Scaffold(init_fn=lambda scaffold, session: session.run(start))


def model_to_estimator(keras_model: Any = None, keras_model_path: str | None = None, custom_objects: Any = None,
                       model_dir: str | None = None, config: Any = None, checkpoint_format: str = "saver") -> Any:
    """An Estimator that trains, evaluates and predicts with a compiled Keras model's graph, loss and metrics."""
    from ..estimator import Estimator, RunConfig
    from .models import load_model
    if (keras_model is None) == (keras_model_path is None):
        raise ValueError("Either `keras_model` or `keras_model_path` needs to be provided.")
    if keras_model_path is not None:
        keras_model = load_model(keras_model_path, custom_objects=custom_objects)
    if getattr(keras_model, "optimizer", None) is None or not getattr(keras_model, "_compiled", False):
        raise ValueError("The given keras model has not been compiled yet. Please compile the model with "
                         "`model.compile()` before calling `model_to_estimator()`.")
    if not getattr(keras_model, "_is_graph_network", False) and not hasattr(keras_model, "_stack"):
        raise NotImplementedError("model_to_estimator takes functional or Sequential Keras models (a subclassed "
                                  "model has no graph to rebuild), as TF 1.15's does")
    if checkpoint_format not in ("saver", "checkpoint"):
        raise ValueError(f"Unknown checkpoint format: {checkpoint_format!r}")
    config = config if config is not None else RunConfig()
    if model_dir is not None and config.model_dir is not None and model_dir != config.model_dir:
        raise ValueError(f"`model_dir` are set both in constructor and `RunConfig`, but with different values. In "
                         f"constructor: '{model_dir}', in `RunConfig`: '{config.model_dir}'.")
    model_dir = model_dir or config.model_dir or tempfile.mkdtemp()
    os.makedirs(model_dir, exist_ok=True)
    from . import optimizers
    weights = [np.array(w) for w in keras_model.get_weights()]
    optimizer_config = optimizers.serialize(keras_model.optimizer)  # read now, in the Keras model's session
    return Estimator(_model_fn(keras_model, weights, optimizer_config), model_dir=model_dir, config=config)


__all__ = ["model_to_estimator"]
