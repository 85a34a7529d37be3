"""dfc's tf.contrib.rnn research cells and tf.contrib.cudnn_rnn against TensorFlow: the models of
tests/tf1_scripts_contrib_rnn_cells.py compared with the recording of tests/record_contrib_rnn_cells.py, and TF1's
errors for bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_contrib_rnn_cells import cells_model, cudnn_layer_runner, cudnn_model, grid_model, time_freq_model


def test_contrib_cells_match_tensorflow():
    """Every cell's variable names, its outputs and final states over padded sequences, and the losses of two
    plain-descent steps through all of them."""
    tf.reset_default_graph()
    actual = cells_model(tf, tf.contrib.rnn, tf.contrib.cudnn_rnn, lambda: tf.Session(backend="cpu"))
    assert_matches_recording(actual, "script_contrib_rnn_cells", lambda key: {"rtol": 2e-4, "atol": 2e-5})


def test_time_freq_lstm_matches_tensorflow():
    """TimeFreqLSTMCell's windows, peepholes and clipping: names, outputs, state and two descent steps' losses."""
    tf.reset_default_graph()
    actual = time_freq_model(tf, tf.contrib.rnn, lambda: tf.Session(backend="cpu"))
    assert_matches_recording(actual, "script_contrib_time_freq_lstm", lambda key: {"rtol": 2e-4, "atol": 2e-5})


def test_grid_lstm_cells_match_tensorflow():
    """GridLSTMCell (two blocks by index lists; a coupled, weight-sharing one) and BidirectionalGridLSTMCell (a
    backward slice offset) over padded sequences: names, outputs, every state part, two descent steps."""
    tf.reset_default_graph()
    actual = grid_model(tf, tf.contrib.rnn, lambda: tf.Session(backend="cpu"))
    assert_matches_recording(actual, "script_contrib_grid_lstm", lambda key: {"rtol": 2e-4, "atol": 2e-5})


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
    (lambda r, c: r.GridLSTMCell(2, feature_size=2, frequency_skip=1), "num_frequency_blocks", ValueError),
    (lambda r, c: r.GridLSTMCell(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[3]),
     "requires 2 but gets 3", ValueError),
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


def test_loop_over_an_unknown_time_matches_the_unrolled_cells():
    """dynamic_rnn over a time known only when run (a while loop) gives the unrolled answer (checked against TF
    above) for the rank-5 states of a Conv2DLSTMCell and for an IndyLSTMCell, with padded rows."""
    rng = np.random.default_rng(3)
    tf.reset_default_graph()
    lengths = tf.constant([3, 1])
    results = []
    for cell, shape in ((tf.contrib.rnn.Conv2DLSTMCell(input_shape=[3, 3, 2], output_channels=2, kernel_shape=[2, 2]),
                         [2, 3, 3, 3, 2]), (tf.contrib.rnn.IndyLSTMCell(3), [2, 3, 4])):
        value = rng.standard_normal(shape).astype(np.float32)
        known = tf.constant(value)
        loose = tf.placeholder_with_default(value, [None, None] + shape[2:])
        with tf.variable_scope("rnn") as scope:
            unrolled = tf.nn.dynamic_rnn(cell, known, sequence_length=lengths, dtype=tf.float32, scope=scope)
        with tf.variable_scope(scope, reuse=True):
            looped = tf.nn.dynamic_rnn(cell, loose, sequence_length=lengths, dtype=tf.float32, scope=scope)
        results.append((unrolled, looped))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for unrolled, looped in sess.run(results):
            np.testing.assert_allclose(looped[0], unrolled[0], rtol=1e-5, atol=1e-6)
            for a, b in zip(looped[1], unrolled[1]):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
            assert np.all(unrolled[0][1, 1:] == 0)  # past the row's length: zeros


@pytest.mark.parametrize("kind,direction", [("CudnnLSTM", "unidirectional"), ("CudnnGRU", "bidirectional")])
def test_cudnn_checkpoint_restores_into_compatible_cells_and_back(tmp_path, kind, direction):
    """A Saver of a cuDNN layer writes TF's canonical names beside the opaque vector: the compatible cells (in
    MultiRNNCell, or stack_bidirectional_dynamic_rnn when bidirectional, under the layer's scope) restore them and
    compute the same outputs; a cuDNN layer restores from the cells' checkpoint."""
    c = tf.contrib.cudnn_rnn
    value = np.random.default_rng(1).standard_normal((4, 2, 3)).astype(np.float32)

    def layer_outputs():
        layer = getattr(c, kind)(2, 3, direction=direction)
        return layer, layer(tf.constant(value))[0]
    tf.reset_default_graph()
    layer, out = layer_outputs()
    with tf.Session() as sess:
        sess.run(layer.kernel.assign(np.random.default_rng(2).standard_normal(layer.kernel.shape.as_list())
                                     .astype(np.float32)))
        want = sess.run(out)
        tf.train.Saver().save(sess, str(tmp_path / "cudnn"))
    tf.reset_default_graph()
    cell = c.CudnnCompatibleLSTMCell if kind == "CudnnLSTM" else c.CudnnCompatibleGRUCell
    with tf.variable_scope(layer.name):
        if direction == "unidirectional":
            got, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell([cell(3), cell(3)]), tf.constant(value),
                                       dtype=tf.float32, time_major=True)
        else:
            got, _, _ = tf.contrib.rnn.stack_bidirectional_dynamic_rnn(
                [cell(3), cell(3)], [cell(3), cell(3)], tf.constant(value), dtype=tf.float32, time_major=True)
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, str(tmp_path / "cudnn"))
        np.testing.assert_allclose(sess.run(got), want, rtol=1e-5, atol=1e-6)
        tf.train.Saver().save(sess, str(tmp_path / "cells"))
    tf.reset_default_graph()
    layer, out = layer_outputs()
    with tf.Session() as sess:
        tf.train.Saver([layer.saveable]).restore(sess, str(tmp_path / "cells"))
        np.testing.assert_allclose(sess.run(out), want, rtol=1e-5, atol=1e-6)


def test_fused_adaptors_run_a_cell_over_time_major_sequences():
    """FusedRNNCellAdaptor (static and dynamic) gives dynamic_rnn's time-major answer with the same variables;
    TimeReversedFusedRNN gives it over each row's reversed steps, reversed back; the batch helpers answer as TF."""
    r = tf.contrib.rnn
    tf.reset_default_graph()
    value = np.random.default_rng(4).standard_normal((3, 2, 2)).astype(np.float32)
    x, lengths = tf.constant(value), tf.constant([3, 2])
    cell = tf.nn.rnn_cell.GRUCell(3)
    with tf.variable_scope("gru") as scope:
        plain, _ = tf.nn.dynamic_rnn(cell, x, lengths, dtype=tf.float32, time_major=True)
    with tf.variable_scope(scope, reuse=True):
        static, _ = r.FusedRNNCellAdaptor(cell)(x, dtype=tf.float32, sequence_length=lengths)
        listed, _ = r.FusedRNNCellAdaptor(cell, use_dynamic_rnn=True)(tf.unstack(x), dtype=tf.float32,
                                                                      sequence_length=lengths)
        backward, _ = r.TimeReversedFusedRNN(r.FusedRNNCellAdaptor(cell))(x, dtype=tf.float32,
                                                                          sequence_length=lengths)
        rev = tf.reverse_sequence(x, lengths, 0, 1)
        manual, _ = tf.nn.dynamic_rnn(cell, rev, lengths, dtype=tf.float32, time_major=True)
    assert isinstance(listed, list) and len(listed) == 3
    assert r.best_effort_input_batch_size([x]) == 2
    assert r.transpose_batch_time(tf.zeros([3, 2, 5])).shape.as_list() == [2, 3, 5]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        plain, static, listed, backward, manual = sess.run([plain, static, tf.stack(listed), backward,
                                                            tf.reverse_sequence(manual, lengths, 0, 1)])
    np.testing.assert_allclose(static, plain, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(listed, plain, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(backward, manual, rtol=1e-6, atol=1e-6)
    assert np.all(backward[2, 1] == 0)


def test_saveable_of_an_opaque_variable_writes_the_canonical_names(tmp_path):
    """CudnnLSTMSaveable over a plain opaque vector (TF1's op-level API) saves the compatible cells' kernel and bias
    under its scope (TF's gate order i, j, f, o; the two biases summed), and restores them; a vector of the wrong
    size is refused."""
    c = tf.contrib.cudnn_rnn
    tf.reset_default_graph()
    size = 4 * 3 * (2 + 3) + 8 * 3
    values = np.arange(size, dtype=np.float32)
    opaque = tf.get_variable("opaque", initializer=tf.constant(values))
    saveable = c.CudnnLSTMSaveable(opaque, 1, 3, 2, scope="enc")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver([saveable]).save(sess, str(tmp_path / "ckpt"))
    saved = dict(tf.train.list_variables(str(tmp_path / "ckpt")))
    cell = "enc/rnn/multi_rnn_cell/cell_0/cudnn_compatible_lstm_cell"
    assert saved == {f"{cell}/kernel": [5, 12], f"{cell}/bias": [12]}
    reader = tf.train.load_checkpoint(str(tmp_path / "ckpt"))
    w_input_gate = values[:6].reshape(3, 2)  # cuDNN's first weight: the input gate on the inputs, [units, depth]
    np.testing.assert_array_equal(reader.get_tensor(f"{cell}/kernel")[:2, :3], w_input_gate.T)
    biases = values[-24:].reshape(8, 3)
    np.testing.assert_array_equal(reader.get_tensor(f"{cell}/bias")[3:6], biases[2] + biases[6])  # j: cuDNN's c
    tf.reset_default_graph()
    opaque = tf.get_variable("opaque", [size])
    saveable = c.CudnnLSTMSaveable(opaque, 1, 3, 2, scope="enc")
    with tf.Session() as sess:
        tf.train.Saver([saveable]).restore(sess, str(tmp_path / "ckpt"))
        restored = sess.run(opaque)
    np.testing.assert_array_equal(restored[:-24], values[:-24])  # the weights exactly, each bias pair as halves
    np.testing.assert_allclose(restored[-24:-12] + restored[-12:], values[-24:-12] + values[-12:])
    with pytest.raises(ValueError, match="opaque_params"):
        c.CudnnGRUSaveable(opaque, 1, 3, 2)


def test_lstm_block_wrapper_masks_and_picks_the_final_state():
    """A subclass of LSTMBlockWrapper giving _call_cell (here: running sums as cell states, their doubles as
    outputs): outputs past each length are zeroed, the final state is the one at each length (the initial state
    for length 0), a list in gives a list out, and no dtype or state is TF's error."""
    class Summing(tf.contrib.rnn.LSTMBlockWrapper):
        num_units = 2

        def _call_cell(self, inputs, initial_cell_state, initial_output, dtype, sequence_length):
            states = tf.cumsum(inputs, axis=0) + initial_cell_state
            return states, 2 * states
    tf.reset_default_graph()
    value = np.arange(12, dtype=np.float32).reshape(3, 2, 2)
    outputs, state = Summing()(tf.constant(value), dtype=tf.float32, sequence_length=[2, 0])
    listed, _ = Summing()(tf.unstack(tf.constant(value)), initial_state=(tf.ones([2, 2]), tf.ones([2, 2])))
    with tf.Session() as sess:
        outputs, (c, h), listed = sess.run([outputs, state, listed])
    sums = np.cumsum(value, 0)
    np.testing.assert_array_equal(outputs[:, 0], 2 * sums[:, 0] * np.array([[1], [1], [0]]))
    assert np.all(outputs[:, 1] == 0)
    np.testing.assert_array_equal(c, [sums[1, 0], [0, 0]])
    np.testing.assert_array_equal(h, [2 * sums[1, 0], [0, 0]])
    assert len(listed) == 3 and np.array_equal(listed[-1], 2 * (sums[-1] + 1))
    with pytest.raises(ValueError, match="initial_state or dtype"):
        Summing()(tf.constant(value))
