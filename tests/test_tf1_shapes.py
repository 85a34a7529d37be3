"""TF1's dynamic shapes: unknown-rank placeholders, shape tensors resolved per fed shape, on both backends."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

BACKENDS = ["interpreter", "cpu"]


pytestmark = pytest.mark.usefixtures("fresh_graph")


def test_placeholder_without_shape_has_unknown_rank():
    x = tf.placeholder("float")
    assert x.dtype == tf.float32
    assert x.get_shape().ndims is None and str(x.get_shape()) == "<unknown>"
    with pytest.raises(ValueError):
        x.get_shape().as_list()
    y = tf.placeholder(tf.float32, [None, 3])
    assert (x * y).get_shape().ndims is None
    assert tf.reshape(x, [-1, 4]).get_shape().as_list() == [None, 4]
    assert tf.shape(x).get_shape().as_list() == [None]
    assert tf.shape(y).get_shape().as_list() == [2]


@pytest.mark.parametrize("backend", BACKENDS)
def test_scalar_keep_prob_and_any_rank_batch(backend):
    x = tf.placeholder(tf.float32)
    k = tf.placeholder(tf.float32)
    y = tf.reduce_sum(x * k)
    sess = tf.Session(backend=backend)
    assert sess.run(y, {x: np.ones((2, 3)), k: 0.5}) == pytest.approx(3.0)
    assert sess.run(y, {x: np.ones((4,)), k: 2.0}) == pytest.approx(8.0)  # another rank: another step
    assert sess.run(tf.reduce_mean(x), {x: np.arange(6.0).reshape(1, 2, 3)}) == pytest.approx(2.5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_shape_tensors_resolve_per_fed_shape(backend):
    x = tf.placeholder(tf.float32, [None, None])
    t = tf.placeholder(tf.float32)
    sess = tf.Session(backend=backend)
    feeds = {x: np.arange(12, dtype=np.float32).reshape(3, 4), t: np.zeros((2, 5, 1), np.float32)}
    shape, size, rank, trank = sess.run([tf.shape(x), tf.size(x), tf.rank(x), tf.rank(t)], feeds)
    assert shape.tolist() == [3, 4] and size == 12 and rank == 2 and trank == 3
    zeros = sess.run(tf.zeros(tf.shape(x)), feeds)
    assert zeros.shape == (3, 4) and not zeros.any()
    ones = sess.run(tf.ones(tf.shape(t), tf.int32), feeds)
    assert ones.shape == (2, 5, 1) and ones.dtype == np.int32 and (ones == 1).all()
    filled = sess.run(tf.fill(tf.shape(x), 7.0), feeds)
    assert (filled == 7.0).all() and filled.shape == (3, 4)
    draws = sess.run(tf.random_normal(tf.shape(t)), feeds)
    assert draws.shape == (2, 5, 1)
    reshaped = sess.run(tf.reshape(x, tf.shape(tf.transpose(x))), feeds)
    np.testing.assert_array_equal(reshaped, np.arange(12).reshape(4, 3))
    mixed = tf.reshape(x, [tf.shape(x)[0] * 2, -1])
    assert mixed.get_shape().as_list() == [None, None]
    np.testing.assert_array_equal(sess.run(mixed, feeds), np.arange(12).reshape(6, 2))
    stacked = sess.run(tf.stack([tf.shape(x)[1], tf.size(t)]), feeds)
    assert stacked.tolist() == [4, 10]


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradient_through_a_dynamic_reshape(backend):
    x = tf.placeholder(tf.float32, [None, 4])
    w = tf.Variable(np.arange(4, dtype=np.float32))
    y = tf.reshape(x * w, [-1, tf.shape(x)[0] * 2])
    loss = tf.reduce_sum(y * y)
    gw, = tf.gradients(loss, [w])
    sess = tf.Session(backend=backend)
    sess.run(tf.global_variables_initializer())
    xv = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(sess.run(gw, {x: xv}), 2 * np.arange(4) * 2)


def test_a_shape_that_depends_on_values_is_a_clear_error():
    n = tf.placeholder(tf.int32, [2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="depends on the values of tensors"):
        tf.Session().run(tf.zeros(n), {n: [2, 3]})


def test_unranked_feed_shape_error_names_the_placeholder():
    x = tf.placeholder(tf.float32, name="images")
    y = tf.matmul(x, tf.ones([3, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="MatMul"):
        tf.Session().run(y, {x: np.ones((2, 4))})


@pytest.mark.parametrize("backend", BACKENDS)
def test_range_of_a_batch_size_and_gather_nd_over_an_unknown_batch(backend):
    """tf.range(tf.shape(x)[0]) and gather_nd over [batch, time, units] with the batch fed: the last valid step of
    each sequence, the classic dynamic_rnn idiom (values checked against numpy; TF1 gives the same)."""
    x = tf.placeholder(tf.float32, [None, 5, 3])
    lengths = tf.placeholder(tf.int32, [None])
    rows = tf.range(tf.shape(x)[0])
    assert rows.dtype == tf.int32 and rows.shape.as_list() == [None]
    last = tf.gather_nd(x, tf.stack([rows, lengths - 1], axis=1))
    assert last.shape.as_list() == [None, 3]
    halves = tf.range(0.0, tf.cast(tf.shape(x)[1], tf.float32), 0.5)
    assert halves.dtype == tf.float32
    down = tf.range(tf.shape(x)[0], 0, -2, dtype=tf.int64)
    with tf.Session(backend=backend) as sess:
        for batch in (4, 2):
            data = np.random.default_rng(batch).standard_normal((batch, 5, 3)).astype(np.float32)
            ends = np.arange(batch, dtype=np.int32) % 5 + 1
            got_rows, got_last, got_halves, got_down = sess.run([rows, last, halves, down],
                                                                {x: data, lengths: ends})
            np.testing.assert_array_equal(got_rows, np.arange(batch))
            np.testing.assert_array_equal(got_last, data[np.arange(batch), ends - 1])
            np.testing.assert_array_equal(got_halves, np.arange(0.0, 5.0, 0.5, dtype=np.float32))
            assert got_down.dtype == np.int64 and list(got_down) == list(range(batch, 0, -2))
        with pytest.raises(tf.errors.InvalidArgumentError):  # an index past the fed batch
            sess.run(last, {x: np.zeros((2, 5, 3), np.float32), lengths: [1, 6]})


def test_range_of_fed_values_names_the_range_and_its_bound():
    n = tf.placeholder(tf.int32, [], name="n")
    r = tf.range(n, name="steps")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="range 'steps'.*bounds 'n'"):
        sess.run(r, {n: 3})
    x = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="must be a scalar"):
        tf.range(tf.shape(x))
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="Requires delta != 0"):
        sess.run(tf.range(0, tf.shape(x)[0], tf.shape(x)[0] * 0), {x: [1.0]})
