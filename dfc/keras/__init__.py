"""tf.keras for TF1 graph-mode scripts: layers over placeholders in a tf.Session, Sequential and functional or
subclassed Models, compile/fit/evaluate/predict on numpy data, and Keras's backend, losses, metrics,
optimizers, initializers, regularizers, constraints, activations, callbacks, utils, datasets and
preprocessing (sequence, text and image data utilities in numpy).

Modules: engine.py (Layer, Input), layers_core/conv/merge/rnn.py (the layers), network.py (Model,
Sequential), training.py (compile/fit), backend.py (tf.keras.backend), layer_config.py and model_config.py
(get_config/from_config), hdf5_format.py (TF's .h5 model and weight files).
"""

from __future__ import annotations

from . import (activations, applications, backend, callbacks, constraints, datasets, estimator, initializers, layers,
               losses, metrics, models, optimizers, preprocessing, regularizers, utils)
from .engine import Input
from .network import Model, Sequential

Input.__module__ = Model.__module__ = Sequential.__module__ = __name__
# the modules that define the API are not part of it: tf.keras's own names are the ones located for errors
for _internal in ("engine", "network", "training", "summary", "backend_ops", "backend_config", "layers_core",
                  "layers_conv", "layers_merge", "layers_rnn",
                  "layers_attention", "layers_conv_lstm", "layers_cudnn", "layer_config", "model_config"):
    globals().pop(_internal, None)

__all__ = ["Input", "Model", "Sequential", "activations", "applications", "backend", "callbacks", "constraints",
           "datasets", "estimator",
           "initializers",
           "layers", "losses", "metrics", "models", "optimizers", "preprocessing", "regularizers", "utils"]
