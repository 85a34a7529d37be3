"""dfc's tf.contrib.rnn research cells and tf.contrib.cudnn_rnn against TensorFlow: the models of
tests/tf1_scripts_contrib_rnn_cells.py compared with the recording of tests/record_contrib_rnn_cells.py, and TF1's
errors for bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_contrib_rnn_cells import cells_model, cudnn_layer_runner, cudnn_model


def test_contrib_cells_match_tensorflow():
    """Every cell's variable names, its outputs and final states over padded sequences (a loop for an unknown
    time), and the losses of two plain-descent steps through all of them."""
    tf.reset_default_graph()
    actual = cells_model(tf, tf.contrib.rnn, tf.contrib.cudnn_rnn, lambda: tf.Session(backend="cpu"))
    assert_matches_recording(actual, "script_contrib_rnn_cells", lambda key: {"rtol": 2e-4, "atol": 2e-5})


def test_cudnn_layers_match_the_compatible_cells():
    """CudnnLSTM, a bidirectional two-layer CudnnGRU, CudnnRNNTanh and a bidirectional CudnnRNNRelu from canonical
    weights: outputs, final states [layers * dirs, batch, units] and the inputs' gradient equal TF's
    cuDNN-compatible cells on the same weights (TF's documented equivalence)."""
    tf.reset_default_graph()
    actual = cudnn_model(tf, cudnn_layer_runner(tf), lambda: tf.Session(backend="cpu"))
    assert_matches_recording(actual, "script_contrib_cudnn_rnn", lambda key: {"rtol": 2e-4, "atol": 2e-5})


def test_cudnn_layer_trains_and_reports_its_shapes():
    """An LSTM layer of TF1's defaults (glorot-initialized weights, zero biases) batch-major without lengths:
    one opaque variable named 'cudnn_lstm/opaque_kernel' of cuDNN's parameter count, states (h, c), and a loss
    that Adam lowers."""
    tf.reset_default_graph()
    layer = tf.contrib.cudnn_rnn.CudnnLSTM(2, 5, dropout=0.3, seed=1)
    x = tf.placeholder(tf.float32, [3, 4, 2])
    outputs, (h, c) = layer(x, time_major=False, training=True)
    loss = tf.reduce_mean(tf.square(outputs - 0.5))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    assert layer.kernel.name == "cudnn_lstm/opaque_kernel:0"
    assert layer.kernel.shape.as_list() == [4 * 5 * (2 + 5) + 4 * 5 * (5 + 5) + 2 * 8 * 5]
    assert outputs.shape.as_list() == [3, 4, 5] and h.shape.as_list() == c.shape.as_list() == [2, 3, 5]
    assert layer.state_shape(3) == ([2, 3, 5], [2, 3, 5]) and layer.num_dirs == 1 and layer.rnn_mode == "lstm"
    feed = {x: np.random.default_rng(0).standard_normal((3, 4, 2)).astype(np.float32)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        opaque = sess.run(layer.kernel)
        first = sess.run(loss, feed)
        for _ in range(30):
            sess.run(train, feed)
        assert sess.run(loss, feed) < first
    assert np.all(opaque[-2 * 8 * 5:] == 0) and np.abs(opaque).max() <= np.sqrt(6 / (5 + 2)) + 1e-6


ERRORS = [
    (lambda r, c: r.IntersectionRNNCell(4), "Intersection RNN", ValueError),
    (lambda r, c: r.GLSTMCell(5, number_of_groups=2), "divisible", ValueError),
    (lambda r, c: r.ConvLSTMCell(2, [4, 2], 3, [3]), "input_shape", ValueError),
    (lambda r, c: c.CudnnLSTM(1, 3, direction="both"), "direction", ValueError),
    (lambda r, c: c.CudnnGRU(1, 3, input_mode="skip_input")(tf.zeros([2, 2, 3])), "input_mode", ValueError),
    (lambda r, c: c.CudnnGRU(1, 3, input_mode="no_input"), "input_mode", ValueError),
    (lambda r, c: c.CudnnRNNTanh(1, 3)(tf.zeros([2, 3]), None), "rank 3", ValueError),
    (lambda r, c: c.CudnnLSTM(1, 3)(tf.zeros([2, 2, 3]), initial_state=[tf.zeros([1, 2, 3])] * 2), "tuple",
     TypeError),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_arguments_raise_tf1s_errors(index):
    build, word, error = ERRORS[index]
    tf.reset_default_graph()
    with pytest.raises(error, match=word):
        cell = build(tf.contrib.rnn, tf.contrib.cudnn_rnn)
        if isinstance(cell, tf.contrib.rnn.RNNCell):
            x = tf.zeros([2, 3, 3])
            tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
