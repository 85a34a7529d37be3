"""tf.keras.estimator.model_to_estimator: a compiled Keras model trains, evaluates and predicts as an Estimator."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((256, 4)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int32)


def _functional():
    inputs = tf.keras.layers.Input(shape=(4,), name="feats")
    hidden = tf.keras.layers.Dense(16, activation="relu")(inputs)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(2, activation="softmax", name="probs")(hidden))
    model.compile(tf.keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_functional_model_starts_from_its_weights_and_trains(tmp_path):
    model = _functional()
    before = model.predict(X[:4])
    estimator = tf.keras.estimator.model_to_estimator(keras_model=model, model_dir=str(tmp_path))
    predicted = [p["probs"] for p in estimator.predict(
        lambda: tf.data.Dataset.from_tensor_slices({"feats": X[:4]}).batch(4))]
    np.testing.assert_allclose(np.stack(predicted), before, rtol=1e-5, atol=1e-6)

    def evaluation():
        return tf.data.Dataset.from_tensor_slices(({"feats": X}, Y)).batch(64)
    first = estimator.evaluate(evaluation)
    estimator.train(lambda: tf.data.Dataset.from_tensor_slices(({"feats": X}, Y)).repeat().batch(32), steps=150)
    trained = estimator.evaluate(evaluation)
    assert set(first) == {"acc", "loss", "global_step"} and trained["global_step"] == 150
    assert trained["loss"] < first["loss"] / 3 and trained["acc"] > 0.95


def test_sequential_model_from_a_file_and_the_errors(tmp_path):
    # a fixed start: from a random one, 20 steps sometimes fell just short of halving the loss
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(4,), kernel_initializer="zeros")])
    model.compile("sgd", "mse")
    path = str(tmp_path / "model.h5")
    model.save(path)
    estimator = tf.keras.estimator.model_to_estimator(keras_model_path=path, model_dir=str(tmp_path / "est"))
    targets = X @ np.array([1.0, 2.0, -1.0, 0.5], np.float32)[:, None]
    def evaluation():
        return tf.data.Dataset.from_tensor_slices((X, targets)).batch(64)
    before = estimator.evaluate(evaluation)["loss"]
    estimator.train(lambda: tf.data.Dataset.from_tensor_slices((X, targets)).repeat().batch(32), steps=20)
    assert estimator.evaluate(evaluation)["loss"] < before / 2
    with pytest.raises(ValueError, match="Either `keras_model` or `keras_model_path`"):
        tf.keras.estimator.model_to_estimator()
    uncompiled = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(4,))])
    with pytest.raises(ValueError, match="has not been compiled yet"):
        tf.keras.estimator.model_to_estimator(keras_model=uncompiled)
