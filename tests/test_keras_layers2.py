"""tf.keras.layers' LayerNormalization, Attention, AdditiveAttention, CuDNNLSTM, CuDNNGRU and ConvLSTM2D
against TF 2.21's tf_keras (tests/tf1_scripts_keras_layers2.py, recorded by
record_tf1_scripts_keras_layers2.py): values, gradients, training steps, variable names, configs; and
their config round trips and errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from recordings import assert_matches_recording
from tf1_scripts_keras_layers2 import SCRIPTS

import dfc as tf


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_matches_tensorflow(name):
    from dfc.keras import backend
    tf.reset_default_graph()
    backend._config["session_factory"] = lambda: tf.Session(backend="interpreter")
    try:
        actual = SCRIPTS[name](tf, lambda: tf.Session(backend="interpreter"))
    finally:
        del backend._config["session_factory"]
    assert_matches_recording(actual, f"script_keras2_{name}", lambda key: {"rtol": 2e-4, "atol": 2e-5})


@pytest.mark.parametrize("make", [
    lambda L: L.LayerNormalization(axis=[1, 2], epsilon=1e-5, center=False),
    lambda L: L.Attention(use_scale=True, dropout=0.1),
    lambda L: L.AdditiveAttention(use_scale=False, causal=True),
    lambda L: L.CuDNNLSTM(3, return_sequences=True, unit_forget_bias=False),
    lambda L: L.CuDNNGRU(2, go_backwards=True, kernel_regularizer="l1"),
    lambda L: L.ConvLSTM2D(2, 3, padding="same", dropout=0.2, return_state=True),
])
def test_config_round_trip(make):
    layer = make(tf.keras.layers)
    config = layer.get_config()
    again = type(layer).from_config(json.loads(json.dumps(config)))
    assert again.get_config() == config


def test_causal_argument_equals_causal_mask():
    """TF1's Attention(causal=True) masks as TF 2's call(use_causal_mask=True): the first step sees only the
    first value."""
    tf.reset_default_graph()
    L = tf.keras.layers
    values = np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32)
    q = tf.constant(values)
    a = L.Attention(causal=True)([q, q])
    b = L.Attention()([q, q], use_causal_mask=True)
    with tf.Session(backend="interpreter") as sess:
        got_a, got_b = sess.run([a, b])
    np.testing.assert_allclose(got_a, got_b)
    np.testing.assert_allclose(got_a[:, 0], values[:, 0], rtol=1e-6)


def test_errors_as_keras():
    L = tf.keras.layers
    tf.reset_default_graph()
    q = tf.placeholder(tf.float32, [None, 3, 4])
    with pytest.raises(ValueError, match="must be called on a list of inputs"):
        L.Attention()(q)
    with pytest.raises(ValueError, match="accepts inputs list of length 2 or 3"):
        L.AdditiveAttention()([q])
    with pytest.raises(ValueError, match="score_mode=bogus"):
        L.Attention(score_mode="bogus")
    with pytest.raises(TypeError, match="Expected an int or a list/tuple of ints"):
        L.LayerNormalization(axis="x")
    with pytest.raises(ValueError, match="Invalid value for `axis`"):
        L.LayerNormalization(axis=5)(q)
    ids = tf.placeholder(tf.int32, [None, 3])
    with pytest.raises(ValueError, match="Masking is not supported for CuDNN RNNs"):
        L.CuDNNLSTM(2)(L.Embedding(5, 4, mask_zero=True)(ids))


def test_tf_h5_models_load_and_predict():
    """TF's .h5 files of models with the new layers load (configs and weights by TF's names and shapes) and
    predict as TF does (the CuDNN model as its LSTM/GRU twin in TF)."""
    from recordings import EXPECTATIONS_DIR, load_recording
    from tf1_scripts_keras_layers2 import h5_inputs

    from dfc.keras import backend
    want, inputs = load_recording("script_keras2_h5"), h5_inputs()
    tf.reset_default_graph()
    tf.keras.backend.clear_session()
    backend._config["session_factory"] = lambda: tf.Session(backend="interpreter")
    try:
        _check_h5_models(want, inputs, EXPECTATIONS_DIR)
    finally:
        del backend._config["session_factory"]


def _check_h5_models(want: dict, inputs: dict, folder) -> None:
    model_a = tf.keras.models.load_model(str(folder / "keras2_model_a.h5"), compile=False)
    got = model_a.predict(inputs["a"])
    np.testing.assert_allclose(got[0], want["a0"], rtol=2e-4, atol=2e-5)
    np.testing.assert_allclose(got[1], want["a1"], rtol=2e-4, atol=2e-5)
    model_b = tf.keras.models.load_model(str(folder / "keras2_model_b.h5"), compile=False)
    assert [type(layer).__name__ for layer in model_b.layers] == ["CuDNNLSTM", "CuDNNGRU"]
    np.testing.assert_allclose(model_b.predict(inputs["b"]), want["b"], rtol=2e-4, atol=2e-5)


def test_cudnn_weights_load_into_lstm_and_gru_and_back(tmp_path):
    """As TF's Keras: CuDNNLSTM/CuDNNGRU weights from TF's .h5 load into LSTM and GRU(reset_after) for CPUs
    (converted; TF's predictions of that twin recorded), and such weights load back into the CuDNN layers."""
    from recordings import EXPECTATIONS_DIR, load_recording
    from tf1_scripts_keras_layers2 import h5_inputs

    from dfc.keras import backend
    L = tf.keras.layers
    want, x = load_recording("script_keras2_h5")["b"], h5_inputs()["b"]
    tf.reset_default_graph()
    tf.keras.backend.clear_session()
    backend._config["session_factory"] = lambda: tf.Session(backend="interpreter")
    try:
        twin = tf.keras.Sequential([L.LSTM(3, recurrent_activation="sigmoid", return_sequences=True,
                                           input_shape=(4, 3)),
                                    L.GRU(2, recurrent_activation="sigmoid", reset_after=True)])
        twin.load_weights(str(EXPECTATIONS_DIR / "keras2_model_b.h5"))
        np.testing.assert_allclose(twin.predict(x), want, rtol=2e-4, atol=2e-5)
        twin.save_weights(str(tmp_path / "twin.h5"))
        cudnn = tf.keras.Sequential([L.CuDNNLSTM(3, return_sequences=True, input_shape=(4, 3)), L.CuDNNGRU(2)])
        cudnn.load_weights(str(tmp_path / "twin.h5"))
        np.testing.assert_allclose(cudnn.predict(x), want, rtol=2e-4, atol=2e-5)
        cudnn.save_weights(str(tmp_path / "cudnn.h5"))
        plain = tf.keras.Sequential([L.LSTM(3, return_sequences=True, input_shape=(4, 3)), L.GRU(2)])
        with pytest.raises(ValueError, match=r"CuDNNGRU is not compatible with GRU\(reset_after=False\)"):
            plain.load_weights(str(tmp_path / "cudnn.h5"))
    finally:
        del backend._config["session_factory"]
