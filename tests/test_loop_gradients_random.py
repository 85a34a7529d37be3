"""Gradients through loops that draw random numbers, as TF1 programs write them (dropout in dynamic_rnn and
dynamic_decode, tf.while_loop bodies calling tf.random_*), above all loops whose trip count only the run knows
(a fed count, a data-dependent stop): the backward pass must use the draws the forward pass made
(compiler/loop_draws.py). Gradients are checked against finite differences of the same seeded forward (a new
Session of a seeded graph draws the same numbers), on both backends."""

from __future__ import annotations

import numpy as np
import pytest
from recordings import assert_matches_recording
from tf1_scripts_loop_dropout import variational_dropout_rnn

import dfc as tf
from dfc.compiler import autodiff_loops
from dfc.ir.errors import VerificationError


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


def _check_grads_agree_and_training_lowers_the_loss(grads, loss, train, feeds, steps: int) -> None:
    """The first run's gradients are finite and equal on both backends; `steps` of training cut the loss by 30%."""
    first = {backend: _first_run(grads, feeds, backend) for backend in ("cpu", "interpreter")}
    for a, b in zip(first["cpu"], first["interpreter"]):
        assert np.isfinite(a).all()
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([loss, train], feeds)[0] for _ in range(steps)]
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:3]), losses


def _first_run(fetches, feeds: dict, backend: str = "interpreter") -> list:
    """fetches in the first run of a new Session: a seeded graph's first draws."""
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feeds)


def _check_against_finite_differences(loss, x, x0: np.ndarray, feeds: dict, eps: float = 1e-6) -> np.ndarray:
    """d loss / d x at x0 equals central differences of the same draws, and both backends agree; the gradient."""
    grad = tf.gradients(loss, x)[0]
    fetches = [loss, grad]  # one step for every evaluation: its draws are the same for a new session
    value, g = _first_run(fetches, {**feeds, x: x0})
    cpu_value, cpu_g = _first_run(fetches, {**feeds, x: x0}, "cpu")
    np.testing.assert_allclose(cpu_value, value, rtol=1e-9)
    np.testing.assert_allclose(cpu_g, g, rtol=1e-9, atol=1e-12)
    numeric = np.zeros_like(x0)
    for i in np.ndindex(x0.shape):
        step = np.zeros_like(x0)
        step[i] = eps
        up = _first_run(fetches, {**feeds, x: x0 + step})[0]
        down = _first_run(fetches, {**feeds, x: x0 - step})[0]
        numeric[i] = (up - down) / (2 * eps)
    np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-7)
    assert np.abs(g).max() > 0
    return g


@pytest.mark.parametrize("draw", ["dropout", pytest.param("uniform_normal_truncated", marks=pytest.mark.slow)])
def test_a_loop_over_a_fed_count_that_draws_gets_the_gradient_of_its_own_draws(draw):
    """tf.while_loop(i < n) with n fed, its body drawing (tf.nn.dropout, tf.random_uniform/normal,
    tf.truncated_normal): dfc refused the gradient (it recomputes iterations); now it equals finite differences."""
    tf.set_random_seed(7)
    n = tf.placeholder(tf.int32, [])
    x = tf.placeholder(tf.float64, [2])

    def draws(a):
        if draw == "dropout":
            return tf.nn.dropout(a, keep_prob=0.6)
        a = a * tf.random_uniform([2], 0.5, 1.5, dtype=tf.float64)
        a = a + 0.3 * tf.random_normal([2], dtype=tf.float64) * a
        return a * tf.truncated_normal([2], 1.0, 0.5, dtype=tf.float64)

    def body(i, a):
        return i + 1, draws(tf.sin(a * x) + x)
    _, a = tf.while_loop(lambda i, a: i < n, body, [0, tf.ones([2], tf.float64)])
    _check_against_finite_differences(tf.reduce_sum(a * a), x, np.array([0.4, -0.7]), {n: 4})


@pytest.mark.slow
def test_a_stop_the_draws_decide_nested_loops_and_a_cond_that_draw():
    """A data-dependent stop (the sum passing a threshold), an inner loop over a fed count and a tf.cond in the
    body, all drawing: gradients equal finite differences."""
    tf.set_random_seed(3)
    n = tf.placeholder(tf.int32, [])
    x = tf.placeholder(tf.float64, [3])

    def inner(j, b):
        return j + 1, tf.nn.dropout(tf.tanh(b * x + 0.5), keep_prob=0.7)

    def outer(i, a):
        b = tf.while_loop(lambda j, b: j < n, inner, [0, a])[1]
        b = tf.cond(tf.equal(i % 2, 0), lambda: b * tf.random_uniform([3], 1.0, 2.0, dtype=tf.float64),
                    lambda: b + x)
        return i + 1, a + b
    _, a = tf.while_loop(lambda i, a: tf.reduce_sum(a) < 12.0, outer, [0, tf.ones([3], tf.float64)],
                         maximum_iterations=20)
    _check_against_finite_differences(tf.reduce_sum(a ** 2), x, np.array([0.3, 0.8, -0.2]), {n: 2})


@pytest.mark.slow
def test_tensor_array_reads_writes_gathers_and_scatters_in_a_loop_that_drops_out():
    """TensorArrays sized by a fed count (scatter before the loop, read and write in it, gather and stack after)
    with dropout in the body: gradients equal finite differences."""
    tf.set_random_seed(11)
    n = tf.placeholder(tf.int32, [])
    x = tf.placeholder(tf.float64, [2, 3])
    source = tf.TensorArray(tf.float64, size=n).scatter(tf.range(n), tf.tile(x, [3, 1])[:n])

    def body(i, acc, out):
        v = tf.nn.dropout(source.read(i) * acc + x[0], keep_prob=0.6)
        return i + 1, tf.tanh(acc + v), out.write(i, v * x[1])
    _, acc, out = tf.while_loop(lambda i, *_: i < n, body,
                                [0, tf.ones([3], tf.float64), tf.TensorArray(tf.float64, size=n)])
    loss = tf.reduce_sum(out.gather(tf.range(0, n, 2)) ** 2) + tf.reduce_sum(out.stack()) + tf.reduce_sum(acc)
    _check_against_finite_differences(loss, x, np.array([[0.2, -0.4, 0.9], [1.1, 0.3, -0.6]]), {n: 5})


def test_draws_in_a_differentiated_loop_are_new_each_iteration_and_run_and_repeat_in_a_new_seeded_session():
    """TF1's draws: each iteration and each run draw anew, a new session of a seeded graph repeats the sequence;
    dropout keeps about keep_prob of the units, normal draws have mean 0 and variance 1, truncated ones stay
    within two standard deviations."""
    tf.set_random_seed(5)
    n = tf.placeholder(tf.int32, [])
    x = tf.placeholder(tf.float32, [400])

    def body(i, a, masks, normals, truncated):
        kept = tf.nn.dropout(a * x, keep_prob=0.75)
        return (i + 1, kept, masks.write(i, tf.cast(tf.not_equal(kept, 0.0), tf.float32)),
                normals.write(i, tf.random_normal([400])), truncated.write(i, tf.truncated_normal([400])))
    arrays = [tf.TensorArray(tf.float32, size=n) for _ in range(3)]
    _, a, *arrays = tf.while_loop(lambda i, *_: i < n, body, [0, tf.ones([400])] + arrays)
    grad = tf.gradients(tf.reduce_sum(a), x)[0]
    fetches = [grad] + [t.stack() for t in arrays]
    feeds = {n: 3, x: np.ones(400, np.float32)}
    with tf.Session() as sess:
        first, second = sess.run(fetches, feeds), sess.run(fetches, feeds)
    masks, normals, truncated = first[1:]
    assert abs(masks[0].mean() - 0.75) < 0.06
    assert not np.array_equal(masks[0], masks[1]) and not np.array_equal(normals[0], normals[1])
    assert not np.array_equal(first[1], second[1])
    assert abs(normals.mean()) < 0.1 and abs(normals.std() - 1.0) < 0.1
    assert np.abs(truncated).max() < 2.0 and truncated.std() > 0.7
    # a = x^3 m1 m2 m3 / 0.75^3 (masks[-1] is where all three kept the unit): its derivative at x = 1
    np.testing.assert_allclose(first[0], 3 * masks[-1] / 0.75 ** 3, rtol=1e-5)
    with tf.Session(backend="cpu") as sess:
        again = sess.run(fetches, feeds)
    for got, want in zip(again, first):
        np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.slow
def test_dynamic_decode_with_dropout_wrapper_trains_with_adam():
    """tensorflow/nmt's training decoder: dynamic_decode over a TrainingHelper (its loop stops when every sequence
    of the fed lengths is done) with DropoutWrapper cells, AdamOptimizer.minimize: dfc refused the gradient; now
    the gradients are finite, equal on both backends, and the loss falls."""
    tf.set_random_seed(2)
    batch, steps, hidden = 3, 6, 8
    inputs = tf.placeholder(tf.float32, [batch, None, hidden])
    lengths = tf.placeholder(tf.int32, [batch])
    cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.LSTMCell(hidden),
                                                                      input_keep_prob=0.8, output_keep_prob=0.8)
                                        for _ in range(2)])
    helper = tf.contrib.seq2seq.TrainingHelper(inputs, lengths)
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, cell.zero_state(batch, tf.float32),
                                              output_layer=tf.layers.Dense(hidden))
    outputs, _, _ = tf.contrib.seq2seq.dynamic_decode(decoder)
    target = tf.reverse(inputs[:, :tf.shape(outputs.rnn_output)[1]], [2])
    mask = tf.sequence_mask(lengths, tf.shape(outputs.rnn_output)[1], dtype=tf.float32)[:, :, None]
    loss = tf.reduce_sum((outputs.rnn_output - target) ** 2 * mask) / tf.reduce_sum(mask)
    grads = tf.gradients(loss, tf.trainable_variables())
    train = tf.train.AdamOptimizer(0.03).minimize(loss)
    rng = np.random.default_rng(4)
    feeds = {inputs: rng.standard_normal((batch, steps, hidden)).astype(np.float32), lengths: [6, 4, 2]}
    _check_grads_agree_and_training_lowers_the_loss(grads, loss, train, feeds, steps=30)


def test_variational_dropout_wrapper_in_dynamic_rnn_equals_tensorflow():
    """DropoutWrapper(variational_recurrent=True) (dfc refused it) on two LSTM layers in dynamic_rnn with fed
    sequence lengths: with the wrappers' noise fed, outputs, states and gradients equal TF 2.21's."""
    assert_matches_recording(variational_dropout_rnn(tf), "script_variational_dropout_rnn",
                             lambda key: {"rtol": 1e-5, "atol": 1e-6})


def test_variational_noise_is_drawn_once_per_run_and_bad_arguments_raise_tf1s_errors():
    """Every time step of one run uses the same variational mask (a unit dropped once is dropped throughout);
    TF1's ValueErrors for a missing dtype or input_size and a keep probability outside [0, 1]."""
    tf.set_random_seed(1)
    cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicRNNCell(50), output_keep_prob=0.5,
                                         variational_recurrent=True, dtype=tf.float32)
    outputs, _ = tf.nn.dynamic_rnn(cell, tf.ones([2, 4, 3]), dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(outputs)
    dropped = out == 0.0
    assert dropped.any() and (dropped == dropped[:1, :1]).all()
    with pytest.raises(ValueError, match="dtype must be provided"):
        tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicRNNCell(2), variational_recurrent=True)
    with pytest.raises(ValueError, match="input_size must be provided"):
        tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicRNNCell(2), input_keep_prob=0.5,
                                      variational_recurrent=True, dtype=tf.float32)
    with pytest.raises(ValueError, match="Parameter output_keep_prob must be between 0 and 1: 2"):
        tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicRNNCell(2), output_keep_prob=2.0)


def test_a_print_in_a_loop_over_a_fed_count_prints_once_per_iteration_and_does_not_stop_the_gradient(capfd):
    """tf.Print in the body (dfc refused the gradient): it prints in the forward loop only, as in TF, and the
    gradient equals the same loop's without the Print."""
    n = tf.placeholder(tf.int32, [])
    x = tf.placeholder(tf.float32, [3])

    def loop(printing: bool):
        def body(i, a):
            a = tf.Print(a, [i], "iteration ") if printing else a
            return i + 1, tf.sin(a) * x
        return tf.gradients(tf.reduce_sum(tf.while_loop(lambda i, a: i < n, body, [0, x])[1]), x)[0]
    printed, plain = loop(True), loop(False)
    with tf.Session() as sess:
        got, want = sess.run([printed, plain], {n: 3, x: [0.5, -1.0, 2.0]})
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert capfd.readouterr().err.count("iteration ") == 3


def test_a_loop_over_a_fed_count_that_assigns_is_refused_naming_the_assign():
    """Recomputing an iteration would assign again: the gradient is refused, naming the loop and the assign (a gap:
    TF1 pushes the assigned values on stacks)."""
    n = tf.placeholder(tf.int32, [])
    x = tf.placeholder(tf.float32, [2])
    v = tf.Variable(0.0)
    _, s = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s * tf.assign_add(v, 1.0)), [0, x])
    with pytest.raises(VerificationError, match=r"(?s)cannot differentiate through the loop 'while'.*AssignAdd"):
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(tf.gradients(tf.reduce_sum(s), x)[0], {n: 3, x: [1.0, 2.0]})


def test_a_loop_of_constant_count_holding_a_drawing_loop_over_a_fed_count_keeps_its_stacks(monkeypatch):
    """Draws in a nested loop over a fed count and in a tf.cond, inside a loop of 4 iterations: once the draws are
    repeatable the outer loop still saves stacks (O(N)) and the gradients equal finite differences."""
    stacked = []
    real = autodiff_loops._stacked_vjp
    monkeypatch.setattr(autodiff_loops, "_stacked_vjp", lambda *a: stacked.append(a[0].name) or real(*a))
    tf.set_random_seed(1)
    n = tf.placeholder(tf.int32, [])
    x = tf.placeholder(tf.float64, [3])

    def outer(i, a):
        b = tf.while_loop(lambda j, b: j < n, lambda j, b: (j + 1, tf.nn.dropout(tf.sin(b * x), 0.8)), [0, a])[1]
        b = tf.cond(i > 1, lambda: b * tf.random_uniform([3], dtype=tf.float64), lambda: b)
        return i + 1, b + x
    _, a = tf.while_loop(lambda i, a: i < 4, outer, [0, tf.ones([3], tf.float64)])
    _check_against_finite_differences(tf.reduce_sum(a ** 2), x, np.array([0.3, 0.7, -0.4]), {n: 2})
    assert set(stacked) == {"while"}  # the inner loop over n recomputes


@pytest.mark.slow
def test_bidirectional_dynamic_rnn_and_raw_rnn_with_dropout_train_with_adam():
    """bidirectional_dynamic_rnn with DropoutWrapper cells and fed sequence lengths, and raw_rnn whose loop_fn
    stops at the fed lengths (a data-dependent stop) under input dropout: the gradients are finite and equal on
    both backends, and Adam lowers the loss."""
    tf.set_random_seed(6)
    batch, steps, features, hidden = 4, 6, 3, 6
    inputs = tf.placeholder(tf.float32, [batch, None, features])
    lengths = tf.placeholder(tf.int32, [batch])

    def cell():
        return tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.LSTMCell(hidden), input_keep_prob=0.8,
                                             output_keep_prob=0.8, state_keep_prob=0.9)
    with tf.variable_scope("bidi"):
        (forward, backward), _ = tf.nn.bidirectional_dynamic_rnn(cell(), cell(), inputs, sequence_length=lengths,
                                                                 dtype=tf.float32)
    time_major = tf.TensorArray(tf.float32, size=tf.shape(inputs)[1]).unstack(tf.transpose(inputs, [1, 0, 2]))
    raw_cell = cell()

    def loop_fn(time, output, state, loop_state):
        done = time >= lengths
        step_input = tf.cond(tf.reduce_all(done), lambda: tf.zeros([batch, features]),
                             lambda: time_major.read(time))
        return done, step_input, raw_cell.zero_state(batch, tf.float32) if output is None else state, output, None
    with tf.variable_scope("raw"):
        raw_outputs, _, _ = tf.nn.raw_rnn(raw_cell, loop_fn)
    target = inputs[:, :, :1]
    raw = tf.transpose(raw_outputs.stack(), [1, 0, 2])  # as many steps as the longest sequence: all of them here
    mask = tf.sequence_mask(lengths, tf.shape(inputs)[1], dtype=tf.float32)[:, :, None]  # padding outputs zeros
    loss = tf.reduce_sum(((forward + backward - target) ** 2 + (raw - target) ** 2) * mask) / tf.reduce_sum(mask)
    grads = tf.gradients(loss, tf.trainable_variables())
    train = tf.train.AdamOptimizer(0.1).minimize(loss)
    feeds = {inputs: np.random.default_rng(1).standard_normal((batch, steps, features)).astype(np.float32),
             lengths: [6, 2, 4, 5]}
    _check_grads_agree_and_training_lowers_the_loss(grads, loss, train, feeds, steps=25)


@pytest.mark.slow
def test_scan_map_fn_and_foldl_that_draw_get_the_gradient_of_their_draws():
    """tf.scan, tf.map_fn and tf.foldl over a fed tensor of unknown length, their functions drawing (dropout, a
    normal draw): gradients equal finite differences."""
    tf.set_random_seed(9)
    x = tf.placeholder(tf.float64, [None, 2])
    scanned = tf.scan(lambda a, row: tf.nn.dropout(tf.tanh(a * row + row), keep_prob=0.7), x,
                      initializer=tf.ones([2], tf.float64))
    mapped = tf.map_fn(lambda row: row * row * (1.0 + 0.2 * tf.random_normal([2], dtype=tf.float64)), x)
    folded = tf.foldl(lambda a, row: a * 0.5 + tf.nn.dropout(tf.sin(row) * a, keep_prob=0.8), x,
                      initializer=tf.ones([2], tf.float64))
    loss = tf.reduce_sum(scanned ** 2) + tf.reduce_sum(mapped) + tf.reduce_sum(folded)
    _check_against_finite_differences(loss, x, np.array([[0.5, -0.3], [1.2, 0.4], [-0.8, 0.9]]), {})


@pytest.mark.slow
def test_an_attention_seq2seq_with_dropout_everywhere_gets_the_gradient_of_its_own_draws():
    """tensorflow/nmt's model in small: a bidirectional_dynamic_rnn encoder and a two-layer AttentionWrapper
    (scaled Luong) decoder in dynamic_decode over a TrainingHelper, every cell under DropoutWrapper; gradients for
    the scales of the encoder's and the decoder's embeddings equal finite differences, on both backends."""
    tf.set_random_seed(4)
    batch, steps, hidden, vocab = 3, 5, 6, 9
    source, target = tf.placeholder(tf.int32, [batch, None]), tf.placeholder(tf.int32, [batch, None])
    source_lengths, target_lengths = tf.placeholder(tf.int32, [batch]), tf.placeholder(tf.int32, [batch])
    scales = tf.placeholder(tf.float64, [2])
    embedding = tf.get_variable("embedding", [vocab, hidden], dtype=tf.float64)

    def cell():
        return tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(hidden), input_keep_prob=0.7)
    (forward, backward), _ = tf.nn.bidirectional_dynamic_rnn(
        cell(), cell(), tf.nn.embedding_lookup(embedding, source) * scales[0], sequence_length=source_lengths,
        dtype=tf.float64)
    attention = tf.contrib.seq2seq.LuongAttention(hidden, tf.concat([forward, backward], -1),
                                                  memory_sequence_length=source_lengths, scale=True,
                                                  dtype=tf.float64)
    decoder_cell = tf.contrib.seq2seq.AttentionWrapper(tf.nn.rnn_cell.MultiRNNCell([cell(), cell()]), attention,
                                                       attention_layer_size=hidden)
    helper = tf.contrib.seq2seq.TrainingHelper(tf.nn.embedding_lookup(embedding, target) * scales[1],
                                               target_lengths)
    decoder = tf.contrib.seq2seq.BasicDecoder(decoder_cell, helper, decoder_cell.zero_state(batch, tf.float64),
                                              output_layer=tf.layers.Dense(vocab, dtype=tf.float64))
    outputs, _, _ = tf.contrib.seq2seq.dynamic_decode(decoder)
    rng = np.random.default_rng(0)
    feeds = {source: rng.integers(0, vocab, (batch, steps)), target: rng.integers(0, vocab, (batch, steps)),
             source_lengths: [5, 3, 4], target_lengths: [4, 5, 2]}
    _check_against_finite_differences(tf.reduce_sum(outputs.rnn_output ** 2), scales, np.array([0.9, 1.1]), feeds)
