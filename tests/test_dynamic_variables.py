"""Variables made with validate_shape=False: unknown static shape, any shape held, on both backends."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

BACKENDS = ["cpu", "interpreter"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_variable_grows_by_concat_as_in_tf(backend: str) -> None:
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 2])
    acc = tf.Variable(tf.zeros([0, 2]), validate_shape=False, name="acc")
    assert str(acc.shape) == "<unknown>" and acc.shape.ndims is None
    grow = tf.assign(acc, tf.concat([acc, x], 0), validate_shape=False)
    total = tf.reduce_sum(acc)
    expected = np.zeros((0, 2), np.float32)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(acc).shape == (0, 2)
        for rows in (1, 2, 3):
            batch = np.full((rows, 2), rows, np.float32)
            expected = np.concatenate([expected, batch])
            np.testing.assert_array_equal(sess.run(grow, {x: batch}), expected)
            assert sess.run(total) == expected.sum()  # a read in a later run sees the new shape


@pytest.mark.parametrize("backend", BACKENDS)
def test_updates_and_reads_within_one_step(backend: str) -> None:
    tf.reset_default_graph()
    w = tf.Variable(np.arange(3.0), validate_shape=False)
    bumped = tf.assign_add(w, [1.0, 1.0, 1.0])
    doubled = w * 2.0
    with tf.Session(backend=backend) as sess:
        sess.run(w.initializer)
        new, read = sess.run([bumped, doubled])
        np.testing.assert_array_equal(new, [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(read, [0.0, 2.0, 4.0])  # reads see the value the step began with
        np.testing.assert_array_equal(sess.run(w), [1.0, 2.0, 3.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="AssignAdd.*shape \\[3\\].*shape \\[2\\]"):
            sess.run(tf.assign_add(w, [1.0, 1.0]))
        np.testing.assert_array_equal(sess.run(w), [1.0, 2.0, 3.0])  # a refused update changes nothing


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradient_descent_on_a_variable_of_unknown_shape(backend: str) -> None:
    tf.reset_default_graph()
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    steps = []
    for validate in (True, False):
        w = tf.Variable([[0.5], [-0.5]], validate_shape=validate)
        loss = tf.reduce_sum(tf.square(tf.matmul(x, w) - 1.0))
        steps.append((w, tf.train.GradientDescentOptimizer(0.01).minimize(loss)))
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run([train for _, train in steps])
        static, dynamic = (sess.run(w) for w, _ in steps)
    np.testing.assert_allclose(dynamic, static, rtol=1e-6)


def test_uninitialized_and_unsupported_uses_name_the_variable() -> None:
    tf.reset_default_graph()
    u = tf.Variable(np.ones(2, np.float32), validate_shape=False, name="u")
    other = tf.Variable(1.0, name="other")
    tangled = tf.assign(u, tf.fill([3], other.assign_add(1.0)), validate_shape=False)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value u"):
            sess.run(u)
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.UnimplementedError, match="variable u .*separate Session.run"):
            sess.run(tangled)
        assert sess.run(other) == 1.0


def test_validate_shape_true_still_needs_a_known_shape() -> None:
    tf.reset_default_graph()
    p = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="fully defined shape"):
        tf.Variable(p)
    v = tf.Variable(p, validate_shape=False)
    with tf.Session() as sess:
        sess.run(v.initializer, {p: np.arange(4, dtype=np.float32)})
        np.testing.assert_array_equal(sess.run(v), np.arange(4))


@pytest.mark.parametrize("backend", BACKENDS)
def test_ops_that_use_an_assignments_result_and_one_random_draw(backend: str) -> None:
    tf.reset_default_graph()
    v = tf.Variable(tf.zeros([2]), validate_shape=False)
    noise = tf.random_uniform([3], seed=1)
    replaced = tf.assign(v, noise, validate_shape=False)
    doubled = tf.identity(replaced) * 2.0  # uses what the assignment returns: a second step
    with tf.Session(backend=backend) as sess:
        sess.run(v.initializer)
        new, drawn = sess.run([replaced, noise])  # one step: the value stored is the value fetched
        np.testing.assert_array_equal(new, drawn)
        np.testing.assert_array_equal(sess.run(v), drawn)
        twice = sess.run(doubled)
        np.testing.assert_allclose(twice, 2.0 * sess.run(v))
