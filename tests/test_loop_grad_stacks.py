"""Loop gradients from per-iteration stacks (compiler/autodiff_loops.py): against the recomputing gradient, both
backends, the masks a loop drew, and TF's recordings of an LSTM trained with dropout in its loop."""

from __future__ import annotations

import numpy as np
import pytest
from recordings import assert_matches_recording, load_recording
from tf1_scripts_loop_dropout import lstm_dropout_classifier

import dfc as tf
from dfc.compiler import autodiff_loops


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


def _loops(rng) -> tuple[list, dict]:
    """Loops whose trip counts constants decide (a TensorArray RNN, a loop holding a loop and a cond, a dynamic_rnn
    LSTM inside map_fn): one loss, its gradients for the inputs and variables, and the feeds."""
    seq = tf.placeholder(tf.float32, [5, 2, 3])
    w = tf.Variable((rng.standard_normal((3, 3)) * 0.5).astype(np.float32))
    ta = tf.TensorArray(tf.float32, size=5).unstack(seq)

    def rnn(t, h, out):
        h = tf.tanh(tf.matmul(ta.read(t) + h, w))
        return t + 1, h, out.write(t, h)
    _, last, outs = tf.while_loop(lambda t, *_: t < 5, rnn, [0, tf.zeros([2, 3]), tf.TensorArray(tf.float32, 5)])
    loss = tf.reduce_sum(outs.stack() ** 2) + tf.reduce_sum(last)

    def outer(i, acc):
        inner = tf.while_loop(lambda j, a: j < 3, lambda j, a: (j + 1, tf.sin(a * w[0, 1] + seq[i, 0])), [0, acc])[1]
        return i + 1, tf.cond(tf.equal(i % 2, 0), lambda: inner * 2.0, lambda: tf.tanh(inner) * w[1])
    loss += tf.reduce_sum(tf.while_loop(lambda i, a: i < 4, outer, [0, tf.ones([3])])[1])
    # a stop the data decides, bounded by maximum_iterations: stacks of the bound's rows, the backward loop from
    # the count the run made
    _, grown = tf.while_loop(lambda i, a: tf.reduce_sum(a) < 12.0, lambda i, a: (i + 1, a * 1.5 + seq[i, 1] * w[2]),
                             [0, tf.ones([3])], maximum_iterations=5)
    loss += tf.reduce_sum(grown)

    # a time dim unknown when the graph is built: dynamic_rnn loops over it (specialize then knows its length)
    batch_major = tf.placeholder(tf.float32, [2, None, 3])
    cell = tf.nn.rnn_cell.LSTMCell(4)

    def per_example(x):
        out, _ = tf.nn.dynamic_rnn(cell, x[None], dtype=tf.float32)
        return tf.reduce_sum(out * out)
    loss += tf.reduce_sum(tf.map_fn(per_example, batch_major))
    grads = tf.gradients(loss, [seq, batch_major] + tf.trainable_variables())
    x = rng.standard_normal((5, 2, 3)).astype(np.float32)
    return [loss] + grads, {seq: x, batch_major: x.transpose(1, 0, 2)}


def test_stacked_loop_gradients_equal_the_recomputing_ones_on_both_backends(monkeypatch):
    """Nested loops (a while and a cond in a while's body, a dynamic_rnn in map_fn's) keep working: each loop's
    forward run saves its stacks, and the gradients equal those of the recomputing gradient (no stacks)."""
    monkeypatch.setenv("DFC_STEP_CACHE", "0")
    fetches, feeds = _loops(np.random.default_rng(3))
    stacked_calls = []
    real = autodiff_loops._stacked_vjp
    monkeypatch.setattr(autodiff_loops, "_stacked_vjp", lambda *a: stacked_calls.append(a[0].name) or real(*a))
    results = {}
    for backend in ("cpu", "interpreter"):
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            results[backend] = sess.run(fetches, feeds)
    assert len(stacked_calls) >= 6  # the rnn, the outer and inner loops, the bounded one, map_fn's, dynamic_rnn's
    monkeypatch.setattr(autodiff_loops, "trip_bound", lambda op: None)
    with tf.Session(backend="cpu") as sess:
        sess.run(tf.global_variables_initializer())
        results["recomputed"] = sess.run(fetches, feeds)
    for other in ("interpreter", "recomputed"):
        for a, b in zip(results["cpu"], results[other]):
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def _dropout_rnn(masks_from):
    """A TensorArray RNN with dropout on its state: the keep masks come from masks_from(t) (drawn in the loop or
    read from a feed); returns the stacked masks, the gradients for the inputs and the weights."""
    seq = tf.placeholder(tf.float32, [6, 3, 4])
    w = tf.constant(np.random.default_rng(8).standard_normal((4, 4)).astype(np.float32) * 0.5)

    def body(t, h, masks):
        keep = masks_from(t)
        h = tf.tanh(tf.matmul(tf.gather(seq, t) + h * keep / 0.7, w))
        return t + 1, h, masks.write(t, keep)
    _, h, masks = tf.while_loop(lambda t, *_: t < 6, body, [0, tf.ones([3, 4]), tf.TensorArray(tf.float32, 6)])
    loss = tf.reduce_sum(h * h)
    return seq, masks.stack(), tf.gradients(loss, [seq, w])


def test_a_dropout_mask_drawn_in_the_loop_gets_the_gradient_of_the_mask_fed_to_the_same_loop():
    """The gradient through draws inside a loop reads the draws the forward loop made: it equals the gradient of
    the same loop reading those masks from a feed."""
    seq, drawn, grads = _dropout_rnn(lambda t: tf.floor(0.7 + tf.random_uniform([3, 4])))
    fed = tf.placeholder(tf.float32, [6, 3, 4])
    fed_seq, _, fed_grads = _dropout_rnn(lambda t: tf.gather(fed, t))
    x = np.random.default_rng(9).standard_normal((6, 3, 4)).astype(np.float32)
    for backend in ("cpu", "interpreter"):
        with tf.Session(backend=backend) as sess:
            masks, g = sess.run([drawn, grads], {seq: x})
            assert 0 < masks.mean() < 1  # some units dropped, some kept
            expected = sess.run(fed_grads, {fed_seq: x, fed: masks})
            for a, b in zip(g, expected):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_loop_that_assigns_gets_the_gradient_of_the_values_it_assigned():
    """TF1 differentiates s * assign_add(v, 1) through the assigned value: the loop saves it (and the variable
    reads in a loop that writes variables) instead of assigning again."""
    x = tf.placeholder(tf.float32, [2])
    v = tf.Variable(0.0)
    _, s = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * tf.assign_add(v, 1.0) + v.read_value()),
                         [0, x])
    g = tf.gradients(tf.reduce_sum(s), x)[0]
    for backend in ("cpu", "interpreter"):
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run(g, {x: [1.0, 2.0]}), [6.0, 6.0])
            assert sess.run(v) == 3.0


def test_an_lstm_with_dropout_wrapper_in_dynamic_rnn_trains_with_adam_as_in_tensorflow():
    """TF1 trains DropoutWrapper's draws through dynamic_rnn's loop (tests/tf1_scripts_loop_dropout.py). Without
    draws (keep_prob 1) the gradients and the 25 Adam losses equal TF's; with keep_prob 0.7 on input, output and
    state the draws differ from TF's, and training lowers the loss as it does in TF."""
    actual = lstm_dropout_classifier(tf, 1.0)
    assert_matches_recording(actual, "script_lstm_dropout_keep1", lambda key: {"rtol": 2e-4, "atol": 2e-6})
    tf.reset_default_graph()
    noisy = lstm_dropout_classifier(tf, 0.7)["losses"]
    recorded = load_recording("script_lstm_dropout_keep07")["losses"]
    for losses in (recorded, noisy):
        assert np.median(losses[-10:]) < 0.5 * losses[0], losses
    assert not np.allclose(noisy, actual["losses"], rtol=0.05)  # the draws did drop units


def test_two_gradients_of_one_loop_share_its_stacks_and_a_second_derivative_goes_through_them():
    """tf.gradients twice over one loop reuses the stacks the first made; the gradient of a gradient reaches the
    stacks (their rows depend on x) and equals finite differences."""
    x = tf.placeholder(tf.float32, [3])
    _, b = tf.while_loop(lambda i, b: i < 4, lambda i, b: (i + 1, tf.sin(b) * x), [0, x])
    g1 = tf.gradients(tf.reduce_sum(b), x)[0]
    g2 = tf.gradients(tf.reduce_sum(b * b), x)[0]
    hessian_rows = tf.gradients(g1, x)[0]
    x0 = np.array([0.3, -0.5, 1.2])

    def f(v, power):
        out = v.copy()
        for _ in range(4):
            out = np.sin(out) * v
        return np.sum(out ** power)

    def numeric(fn, v, eps=1e-5):
        return np.array([(fn(v + eps * e) - fn(v - eps * e)) / (2 * eps) for e in np.eye(3)])
    expected = [numeric(lambda v: f(v, 1), x0), numeric(lambda v: f(v, 2), x0),
                numeric(lambda v: numeric(lambda u: f(u, 1), v).sum(), x0, 1e-3)]
    with tf.Session(backend="interpreter") as sess:
        for got, want in zip(sess.run([g1, g2, hessian_rows], {x: x0.astype(np.float32)}), expected):
            np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)
