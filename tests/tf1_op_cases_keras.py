"""TF1 programs over tf.keras's stateless functions (backend, activations, losses, metrics), for both TF and dfc.

Cases in the style of tests/tf1_op_cases.py (which adds them to its CASES): recorded with TF's legacy Keras
(TF_USE_LEGACY_KERAS=1, set by tests/tf_recording.py) by tests/record_tf1_ops.py, checked against dfc by
tests/test_tf1_ops_expectations.py.
"""

from __future__ import annotations

import numpy as np

from tf1_op_cases import F32, Case, _rng


def _probs(shape, seed: int) -> np.ndarray:
    p = _rng(seed).uniform(0.05, 1.0, shape).astype(F32)
    return (p / p.sum(axis=-1, keepdims=True)).astype(F32)


def _backend_math(tf, x, y, v):
    """Keras's own conventions (axes, keepdims, clamps, batch dots, relu's options, phases), not plain TF ops."""
    K = tf.keras.backend
    return {"mean": K.mean(x), "mean_ax": K.mean(x, axis=1, keepdims=True), "sum": K.sum(x, axis=-1),
            "max": K.max(x, axis=0), "min": K.min(x, axis=[0, 1]), "prod": K.prod(y, axis=1), "var": K.var(x, axis=1),
            "std": K.std(x, axis=0, keepdims=True), "sqrt": K.sqrt(x), "clip": K.clip(x, -0.5, 0.7),
            "concat": K.concatenate([x, x * 2.0]), "batch_flatten": K.batch_flatten(x),
            "dot2": K.dot(y, K.transpose(y)), "dot3": K.dot(x, K.transpose(y)),
            "batch_dot": K.batch_dot(x, x, axes=[2, 2]), "batch_dot_vec": K.batch_dot(y, y, axes=1),
            "l2n": K.l2_normalize(x, axis=-1), "repeat": K.repeat_elements(y, 2, axis=1), "argmax": K.argmax(x),
            "one_hot": K.one_hot(v, 4), "relu_leaky": K.relu(x, alpha=0.1), "relu_max": K.relu(x, max_value=0.5),
            "relu_thr": K.relu(x, threshold=0.2), "relu_all": K.relu(x, alpha=0.3, max_value=1.0, threshold=0.1),
            "elu": K.elu(x, 0.5), "hard_sigmoid": K.hard_sigmoid(x * 4.0),
            "train_phase": K.in_train_phase(x * 2.0, x, training=1), "test_phase": K.in_test_phase(x * 2.0, x, 1),
            "switch": K.switch(K.greater(K.sum(y), 0.0), y, -y),
            "bias_add": K.bias_add(x, K.constant([1.0, 2.0, 3.0, 4.0])), "cumsum": K.cumsum(y, axis=1),
            "temporal_padding": K.temporal_padding(x, (1, 2)),
            "spatial_padding": K.spatial_2d_padding(K.expand_dims(x), ((1, 0), (0, 2))),
            "resize": K.resize_images(K.expand_dims(x), 2, 3, "channels_last")}


def _activations(tf, x, m):
    A = tf.keras.activations
    return {"relu": A.relu(x), "relu_args": A.relu(x, alpha=0.2, max_value=3.0), "elu": A.elu(x),
            "elu_alpha": A.elu(x, alpha=2.0), "selu": A.selu(x), "softplus": A.softplus(x), "softsign": A.softsign(x),
            "tanh": A.tanh(x), "sigmoid": A.sigmoid(x), "hard_sigmoid": A.hard_sigmoid(x), "linear": A.linear(x) * 1.0,
            "exponential": A.exponential(x * 0.1), "softmax": A.softmax(m), "softmax0": A.softmax(m, axis=0),
            "get_relu": A.get("relu")(x), "get_none": A.get(None)(x) * 1.0}


def _losses(tf, t, p, w, lab, logits):
    L = tf.keras.losses
    return {"mse": L.mean_squared_error(t, p), "mae": L.mean_absolute_error(t, p),
            "mape": L.mean_absolute_percentage_error(t, p), "msle": L.mean_squared_logarithmic_error(t, p),
            "hinge": L.hinge(t, p), "squared_hinge": L.squared_hinge(t, p), "cat_hinge": L.categorical_hinge(t, p),
            "logcosh": L.logcosh(t, p), "kld": L.kullback_leibler_divergence(t, p), "poisson": L.poisson(t, p),
            "cosine": L.cosine_similarity(t, p), "huber": L.Huber(delta=0.3)(t, p),
            "cce": L.categorical_crossentropy(t, p),
            "cce_smooth": L.categorical_crossentropy(t, p, label_smoothing=0.1),
            "cce_logits": L.categorical_crossentropy(t, logits, from_logits=True),
            "bce": L.binary_crossentropy(t, p), "bce_logits": L.binary_crossentropy(t, logits, from_logits=True),
            "scce": L.sparse_categorical_crossentropy(lab, p),
            "scce_logits": L.sparse_categorical_crossentropy(lab, logits, from_logits=True),
            "MSE_w": L.MeanSquaredError()(t, p, sample_weight=w),
            "MAE_sum": L.MeanAbsoluteError(reduction="sum")(t, p, sample_weight=w),
            "MAE_none": L.MeanAbsoluteError(reduction="none")(t, p),
            "CCE": L.CategoricalCrossentropy(from_logits=True)(t, logits, sample_weight=w),
            "SCCE": L.SparseCategoricalCrossentropy()(lab, p)}


def _crossentropy_paths(tf, t, logits, lab):
    K = tf.keras.backend
    soft, sig = tf.nn.softmax(logits), tf.sigmoid(logits)
    return {"cce_softmax_op": K.categorical_crossentropy(t, soft),
            "cce_probs": K.categorical_crossentropy(t, soft * 1.0),
            "scce_softmax_op": K.sparse_categorical_crossentropy(lab, soft),
            "scce_probs": K.sparse_categorical_crossentropy(lab, soft * 1.0),
            "bce_sigmoid_op": K.binary_crossentropy(t, sig), "bce_probs": K.binary_crossentropy(t, sig * 1.0),
            "bce_logits": K.binary_crossentropy(t, logits, from_logits=True)}


def _metrics(tf, t, p, lab, bt, bp):
    M = tf.keras.metrics
    return {"binary": M.binary_accuracy(bt, bp), "binary_thr": M.binary_accuracy(bt, bp, threshold=0.7),
            "categorical": M.categorical_accuracy(t, p), "sparse": M.sparse_categorical_accuracy(lab, p),
            "sparse_2d": M.sparse_categorical_accuracy(tf.reshape(lab, [-1, 1]), p),
            "top2": M.top_k_categorical_accuracy(t, p, k=2),
            "sparse_top2": M.sparse_top_k_categorical_accuracy(lab, p, k=2), "mse": M.mse(t, p)}


CASES: list[Case] = [
    Case("keras_backend_math", {"x": _rng(60).standard_normal((2, 3, 4)).astype(F32),
                                "y": _rng(61).standard_normal((3, 4)).astype(F32),
                                "v": np.array([0, 2, 3, 1, 2], np.int32)},
         _backend_math, grad=("x", "y")),
    Case("keras_activations", {"x": np.linspace(-4, 4, 13).astype(F32),
                               "m": _rng(62).standard_normal((3, 5)).astype(F32)},
         _activations, grad=("x", "m")),
    Case("keras_losses", {"t": _probs((4, 5), 63), "p": _probs((4, 5), 64),
                          "w": np.array([1.0, 0.5, 0.0, 2.0], F32),
                          "lab": np.array([0, 3, 4, 1], np.int32),
                          "logits": _rng(65).standard_normal((4, 5)).astype(F32)},
         _losses, grad=("p", "logits")),
    Case("keras_crossentropy_paths", {"t": _probs((4, 5), 66), "logits": _rng(67).standard_normal((4, 5)).astype(F32),
                                      "lab": np.array([1, 0, 4, 2], np.int32)},
         _crossentropy_paths, grad=("logits",)),
    Case("keras_metrics", {"t": np.eye(4, dtype=F32)[[0, 2, 1, 3, 3]], "p": _probs((5, 4), 68),
                           "lab": np.array([0, 2, 1, 3, 3], np.int32),
                           "bt": np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]], F32),
                           "bp": np.array([[0.2, 0.8], [0.6, 0.4], [0.75, 0.1]], F32)},
         _metrics),
]
