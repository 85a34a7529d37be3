"""TF1 scripts over tf.keras's LayerNormalization, Attention, AdditiveAttention, CuDNNLSTM/CuDNNGRU and
ConvLSTM2D in graph mode, written once for real TF (TF1's Keras, tf_keras 2.21) and for dfc.

Each script returns named arrays: variable names, outputs, gradients, losses over training steps and each
layer's get_config as JSON. tests/record_tf1_scripts_keras_layers2.py records them with TensorFlow;
tests/test_keras_layers2.py runs them with dfc and compares.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np

SCRIPTS: dict[str, Callable] = {}
F32 = np.float32


def script(fn: Callable) -> Callable:
    SCRIPTS[fn.__name__] = fn
    return fn


def _values(seed: int, weights) -> list:
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(w.shape.as_list()) * 0.4).astype(F32) for w in weights]


def _configs(layers) -> np.ndarray:
    return np.array([json.dumps(layer.get_config()) for layer in layers])


def _run(tf, Session, loss, fetches: dict, feed: dict, layers, seed: int, steps: int = 3) -> dict:
    """Fixed weights, then the fetches, d loss / d each fed float input, and `steps` SGD losses."""
    K = tf.keras.backend
    inputs = [p for p in feed if p.dtype == tf.float32]
    grads = tf.gradients(loss, inputs)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    result = {"names": np.array(sorted(v.name for v in tf.global_variables())), "configs": _configs(layers)}
    with Session() as sess:
        K.set_session(sess)
        sess.run(tf.global_variables_initializer())
        weights = sorted(tf.trainable_variables(), key=lambda w: w.name)
        K.batch_set_value(list(zip(weights, _values(seed, weights))))
        result.update(sess.run(fetches, feed))
        for i, g in enumerate(sess.run(grads, feed)):
            result[f"grad_{i}"] = g
        result["losses"] = np.array([sess.run([loss, train], feed)[0] for _ in range(steps)])
    K.clear_session()
    return result


@script
def layer_norm(tf, Session):
    """LayerNormalization over the last axis, over two axes without beta, over a middle axis without gamma."""
    L = tf.keras.layers
    x = tf.placeholder(tf.float32, [None, 3, 4], name="x")
    layers = [L.LayerNormalization(), L.LayerNormalization(axis=[1, 2], epsilon=1e-5, center=False),
              L.LayerNormalization(axis=1, scale=False, gamma_initializer="zeros")]
    outs = [layer(x) for layer in layers]
    dense = L.Dense(2)(outs[0])
    loss = sum(tf.reduce_sum(tf.square(o - 0.3)) for o in outs) + tf.reduce_sum(dense)
    feed = {x: np.random.default_rng(1).standard_normal((2, 3, 4)).astype(F32) * 2 + 1}
    return _run(tf, Session, loss, {f"out{i}": o for i, o in enumerate(outs)}, feed, layers, 2)


@script
def attention(tf, Session):
    """Attention and AdditiveAttention on [query, value(, key)], with masks, causal masking, a learnt scale,
    score_mode='concat', and the attention scores returned."""
    L = tf.keras.layers
    q = tf.placeholder(tf.float32, [None, 3, 4], name="q")
    v = tf.placeholder(tf.float32, [None, 3, 4], name="v")
    k = tf.placeholder(tf.float32, [None, 3, 4], name="k")
    q_mask = tf.placeholder(tf.bool, [None, 3], name="q_mask")
    v_mask = tf.placeholder(tf.bool, [None, 3], name="v_mask")
    layers = [L.Attention(), L.Attention(use_scale=True), L.Attention(score_mode="concat", use_scale=True),
              L.AdditiveAttention(), L.AdditiveAttention(use_scale=False)]
    fetches = {"dot": layers[0]([q, v])}
    fetches["scaled"], fetches["scaled_scores"] = layers[1]([q, v, k], mask=[q_mask, v_mask],
                                                            return_attention_scores=True)
    fetches["concat"] = layers[2]([q, v], use_causal_mask=True)
    fetches["additive"], fetches["additive_scores"] = layers[3]([q, v, k], mask=[q_mask, v_mask],
                                                                return_attention_scores=True)
    fetches["additive_plain"] = layers[4]([q, v], use_causal_mask=True, mask=[None, v_mask])
    # masks from an Embedding(mask_zero=True) reach the attention and, through it, the pool after
    ids = tf.placeholder(tf.int32, [None, 3], name="ids")
    emb = L.Embedding(6, 4, mask_zero=True)(ids)
    fetches["embedded"] = L.GlobalAveragePooling1D()(L.Attention()([emb, emb]))
    loss = sum(tf.reduce_sum(tf.square(t - 0.1)) for t in fetches.values())
    rng = np.random.default_rng(3)
    feed = {q: rng.standard_normal((2, 3, 4)).astype(F32), v: rng.standard_normal((2, 3, 4)).astype(F32),
            k: rng.standard_normal((2, 3, 4)).astype(F32),
            q_mask: np.array([[True, True, False], [True, True, True]]),
            v_mask: np.array([[True, False, True], [True, True, False]]), ids: np.array([[1, 2, 0], [3, 0, 0]])}
    return _run(tf, Session, loss, fetches, feed, layers, 4)


def tf_cudnn_to_keras(layer, values: list) -> list:
    """CuDNN weights as the LSTM/GRU `layer` takes them, converted by TF's own code (tf_keras's loading of
    CuDNN weights into LSTM and GRU: kernel blocks re-laid, the LSTM's biases added)."""
    from tf_keras.src.saving.legacy.hdf5_format import _convert_rnn_weights
    return _convert_rnn_weights(layer, values)


def _cudnn_equivalents(tf, x, units: int):
    """TF's CuDNN layers run only on a GPU: under TF, the LSTM and GRU that compute what they compute (sigmoid
    gates, reset after), their weights converted by TF; under dfc the CuDNN layers themselves."""
    L = tf.keras.layers
    rng = np.random.default_rng(7)
    dim = x.shape.as_list()[-1]
    lstm_w = [rng.standard_normal(s).astype(F32) * 0.4 for s in ((dim, 4 * units), (units, 4 * units), (8 * units,))]
    gru_w = [rng.standard_normal(s).astype(F32) * 0.4 for s in ((dim, 3 * units), (units, 3 * units), (6 * units,))]
    if tf.__name__.startswith("dfc"):
        lstm = L.CuDNNLSTM(units, return_sequences=True)
        gru = L.CuDNNGRU(units, return_state=True, go_backwards=True)
    else:
        lstm = L.LSTM(units, recurrent_activation="sigmoid", return_sequences=True)
        gru = L.GRU(units, recurrent_activation="sigmoid", reset_after=True, return_state=True, go_backwards=True)
        lstm_w, gru_w = tf_cudnn_to_keras(lstm, lstm_w), tf_cudnn_to_keras(gru, gru_w)
    return lstm(x), gru(x), [(lstm, lstm_w), (gru, gru_w)]


@script
def cudnn(tf, Session):
    """CuDNNLSTM and CuDNNGRU (also in a Bidirectional): TF's variable names, shapes and configs, and their
    values and gradients (TF's from the equivalent LSTM and GRU, see _cudnn_equivalents)."""
    L = tf.keras.layers
    x = tf.placeholder(tf.float32, [2, 4, 3], name="x")
    penalty = tf.keras.regularizers.L1L2(l2=0.5)
    built = [L.CuDNNLSTM(5, return_state=True, unit_forget_bias=True, kernel_regularizer=penalty),
             L.CuDNNGRU(2, go_backwards=True, bias_initializer="ones"),
             L.Bidirectional(L.CuDNNLSTM(2, return_sequences=True), merge_mode="sum")]
    for layer in built:
        layer(tf.placeholder(tf.float32, [None, 6, 3]))
    result = {"cudnn_names": np.array([w.name for layer in built for w in layer.weights]),
              "cudnn_shapes": np.array([w.shape.as_list() for w in built[0].weights[:2]]),
              "cudnn_bias_shapes": np.array([layer.weights[2].shape.as_list() for layer in built[:2]]),
              "cudnn_configs": _configs(built)}
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, None, 3], name="x")  # the steps as a while loop (h5 test: unrolled)
    lstm_seq, (gru_out, gru_state), weights = _cudnn_equivalents(tf, x, 3)
    loss = tf.reduce_sum(tf.square(lstm_seq)) + tf.reduce_sum(gru_out * 0.5) + tf.reduce_sum(gru_state)
    grads = tf.gradients(loss, [x])
    feed = {x: np.random.default_rng(8).standard_normal((2, 4, 3)).astype(F32)}
    with Session() as sess:
        tf.keras.backend.set_session(sess)
        sess.run(tf.global_variables_initializer())
        for layer, values in weights:
            layer.set_weights(values)
        result.update(sess.run({"lstm_seq": lstm_seq, "gru_out": gru_out, "grad_x": grads[0]}, feed))
    tf.keras.backend.clear_session()
    return result


@script
def conv_lstm(tf, Session):
    """ConvLSTM2D: 'same' padding returning every step; 'valid' with strides, backwards, returning its
    states; both also over a number of steps known only when the graph runs (a while loop)."""
    L = tf.keras.layers
    x = tf.placeholder(tf.float32, [None, 3, 6, 5, 2], name="x")
    layers = [L.ConvLSTM2D(3, (3, 3), padding="same", return_sequences=True),
              L.ConvLSTM2D(2, (2, 3), strides=(2, 1), padding="valid", go_backwards=True, return_state=True,
                           recurrent_activation="sigmoid")]
    seq = layers[0](x)
    last, h, c = layers[1](x)
    x_steps = tf.placeholder(tf.float32, [None, None, 6, 5, 2], name="x_steps")  # steps known when run
    dyn_seq, (dyn_last, _, _) = layers[0](x_steps), layers[1](x_steps)
    loss = tf.reduce_sum(tf.square(seq)) + tf.reduce_sum(last) + tf.reduce_sum(c * 0.3) + \
        tf.reduce_sum(dyn_seq * dyn_seq[:, :1]) + tf.reduce_sum(dyn_last * 0.2)
    values = np.random.default_rng(5).standard_normal((2, 3, 6, 5, 2)).astype(F32)
    feed = {x: values, x_steps: values[:, ::-1] * 0.5}
    result = _run(tf, Session, loss, {"seq": seq, "last": last, "h": h, "c": c, "dyn_seq": dyn_seq,
                                      "dyn_last": dyn_last}, feed, layers, 6)
    # TF1 named the layer conv_lst_m2d (as dfc does); tf_keras 2's conv_lstm2d
    result["names"] = np.array([n.replace("conv_lstm2d", "conv_lst_m2d") for n in result["names"].tolist()])
    result["configs"] = np.array([s.replace("conv_lstm2d", "conv_lst_m2d") for s in result["configs"].tolist()])
    return result




def h5_model_a(tf):
    """A model for HDF5 files: LayerNormalization into Attention and AdditiveAttention, and ConvLSTM2D (two
    inputs and outputs); (model, weight values to set)."""
    L = tf.keras.layers
    x1, x2 = L.Input((5, 4)), L.Input((3, 4, 4, 2))
    norm = L.LayerNormalization()(x1)
    attended = L.AdditiveAttention()([L.Attention(use_scale=True)([norm, norm]), norm])
    model = tf.keras.Model([x1, x2], [attended, L.ConvLSTM2D(2, 3, padding="same")(x2)])
    return model, _values(20, model.weights)


def h5_model_b(tf):
    """A model for HDF5 files: CuDNNLSTM into CuDNNGRU; (model, weight values to set)."""
    L = tf.keras.layers
    model = tf.keras.Sequential([L.CuDNNLSTM(3, return_sequences=True, input_shape=(4, 3), name="cu_dnnlstm"),
                                 L.CuDNNGRU(2, name="cu_dnngru")])
    return model, _values(21, model.weights)


def h5_inputs() -> dict:
    rng = np.random.default_rng(22)
    return {"a": [rng.standard_normal((2, 5, 4)).astype(F32), rng.standard_normal((2, 3, 4, 4, 2)).astype(F32)],
            "b": rng.standard_normal((2, 4, 3)).astype(F32)}

