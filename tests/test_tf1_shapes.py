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


def test_a_shape_that_depends_on_values_of_a_random_draw_uses_that_draw():
    n = tf.placeholder(tf.int32, [2])
    assert tf.Session().run(tf.zeros(n), {n: [2, 3]}).shape == (2, 3)  # a fed shape: computed first
    drawn = tf.cast(tf.random_uniform([2], 1, 4), tf.int32)
    with tf.Session() as sess:
        for _ in range(6):  # specialized for the first values, then one step for all of them
            zeros, dims = sess.run([tf.zeros(drawn), drawn])
            assert zeros.shape == tuple(dims) and not zeros.any()


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


@pytest.mark.parametrize("backend", BACKENDS)
def test_shapes_set_by_fed_or_computed_values_are_computed_first(backend):
    """tf.range(n), tf.zeros([n, 2]) and tf.reshape(x, dims) with n and dims fed or computed: the step is compiled
    for their values (the session computes them first), a new value compiles again."""
    n = tf.placeholder(tf.int32, [], name="n")
    dims = tf.placeholder(tf.int32, [2], name="dims")
    x = tf.placeholder(tf.float32, [None])
    steps = tf.range(n, name="steps") * 2
    grid = tf.zeros(tf.stack([n, 2]))
    folded = tf.reshape(x, dims)
    positives = tf.range(tf.reduce_sum(tf.cast(x > 0, tf.int32)))
    with tf.Session(backend=backend) as sess:
        assert list(sess.run(steps, {n: 3})) == [0, 2, 4]
        assert list(sess.run(steps, {n: 5})) == [0, 2, 4, 6, 8]
        assert sess.run(grid, {n: 4}).shape == (4, 2)
        data = np.arange(6, dtype=np.float32)
        assert sess.run(folded, {x: data, dims: [2, 3]}).shape == (2, 3)
        assert sess.run(folded, {x: data, dims: [3, -1]}).shape == (3, 2)
        got, again = sess.run([positives, steps], {x: [1.0, -1.0, 2.0, 3.0], n: 1})
        assert list(got) == [0, 1, 2] and list(again) == [0]
        with pytest.raises(tf.errors.InvalidArgumentError, match="Requires start <= limit"):
            sess.run(steps, {n: -1})


@pytest.mark.parametrize("backend", BACKENDS)
def test_boolean_mask_and_where_with_masks_known_only_when_the_step_runs(backend):
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None])
    picked = tf.boolean_mask(x, y > 0)
    assert picked.shape.as_list() == [None, 3]
    (grad,) = tf.gradients(tf.reduce_sum(picked ** 2), x)
    elementwise = tf.boolean_mask(x, x > 0.5)
    coordinates = tf.where(x > 0.5)
    nonzero = tf.where(y)
    along_axis = tf.boolean_mask(x, tf.reduce_sum(x, 0) > 1.0, axis=1)
    data = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    signs = np.array([1, -1, 2, 0], np.float32)
    with tf.Session(backend=backend) as sess:
        got = sess.run([picked, grad, elementwise, coordinates, nonzero, along_axis], {x: data, y: signs})
        np.testing.assert_array_equal(got[0], data[signs > 0])
        np.testing.assert_allclose(got[1], 2 * data * (signs > 0)[:, None])
        np.testing.assert_array_equal(got[2], data[data > 0.5])
        np.testing.assert_array_equal(got[3], np.argwhere(data > 0.5))
        assert got[3].dtype == np.int64 and got[4].tolist() == [[0], [1], [2]]
        np.testing.assert_array_equal(got[5], data[:, data.sum(0) > 1.0])
        none = sess.run(picked, {x: data[:2], y: [-1.0, -1.0]})  # no true entry: an empty [0, 3]
        assert none.shape == (0, 3)
        assert sess.run(picked, {x: data, y: -signs}).shape == (1, 3)


def test_a_mask_drawn_at_random_picks_by_the_draw_the_run_returns():
    x = tf.placeholder(tf.float32, [4])
    draw = tf.random_uniform([4])
    picked = tf.boolean_mask(x, draw > 0.5)
    with tf.Session() as sess:
        for _ in range(6):
            got, drawn = sess.run([picked, draw], {x: np.arange(4, dtype=np.float32)})
            np.testing.assert_array_equal(got, np.arange(4)[drawn > 0.5])
    with tf.Session() as sess:  # a numeric mask picks its non-zero entries, as TF 2.21 does ([2. 3.] here)
        np.testing.assert_array_equal(sess.run(tf.boolean_mask(tf.constant([1., 2., 3.]), [0., 2., 0.5])), [2., 3.])
    with pytest.raises(ValueError, match="Number of mask dimensions must be specified"):
        tf.boolean_mask(x, tf.placeholder(tf.bool))


def test_range_bounds_are_checked_when_they_are_known():
    x = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="must be a scalar"):
        tf.range(tf.shape(x))
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="Requires delta != 0"):
        sess.run(tf.range(0, tf.shape(x)[0], tf.shape(x)[0] * 0), {x: [1.0]})


@pytest.mark.parametrize("backend", BACKENDS)
def test_indexing_and_slicing_with_tensors(backend):
    """x[:, :tf.shape(y)[1]], x[n], x[:, n, None], x[..., n:] and tf.slice with tensor begin/size, against numpy
    (bounds from shapes fold with the fed shapes; a fed index is a gather, any value one compiled step)."""
    x = tf.placeholder(tf.float32, [None, None, 4])
    y = tf.placeholder(tf.float32, [None, 3])
    n = tf.placeholder(tf.int32, [])
    cropped = x[:, :tf.shape(y)[1]]
    tail = x[:, -tf.shape(y)[0]:, 1:3]
    row = x[n]
    column = x[:, n, None]
    rest = x[..., n:]
    window = tf.slice(x, [0, n, 0], [-1, 2, tf.shape(y)[1]])
    assert window.shape.as_list() == [None, 2, 3] and column.shape.as_list() == [None, 1, 4]
    assert x[None, 1, :, None].shape.as_list() == [1, None, 1, 4]  # numpy puts a new axis after an index
    (grad,) = tf.gradients(tf.reduce_sum(cropped * 2.0) + tf.reduce_sum(window) + tf.reduce_sum(column), x)
    data = np.arange(40, dtype=np.float32).reshape(2, 5, 4)
    feeds = {x: data, y: np.zeros((2, 3), np.float32), n: 1}
    with tf.Session(backend=backend) as sess:
        got = sess.run([cropped, tail, row, column, rest, window, grad], feeds)
        expected = [data[:, :3], data[:, -2:, 1:3], data[1], data[:, 1, None], data[..., 1:], data[:, 1:3, :3]]
        for g, e in zip(got, expected):
            np.testing.assert_array_equal(g, e)
        want = np.zeros_like(data)
        want[:, :3] += 2
        want[:, 1:3, :3] += 1
        want[:, 1] += 1
        np.testing.assert_array_equal(got[-1], want)
        np.testing.assert_array_equal(sess.run(row, {**feeds, n: -1}), data[-1])
        np.testing.assert_array_equal(sess.run(rest, {**feeds, n: 3}), data[..., 3:])
        with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
            sess.run(column, {**feeds, n: 5})
        with pytest.raises(tf.errors.InvalidArgumentError):  # tf.slice's bounds are checked, as TF's Slice
            sess.run(window, {**feeds, n: 4})
    with pytest.raises(TypeError, match="valid indices"):
        x[tf.constant(1.5)]
