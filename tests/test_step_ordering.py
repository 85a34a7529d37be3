"""Reads ordered after writes, and value-dependent shapes after random draws and writes, in one Session.run.

The expected values are TF 2.21's (tf.compat.v1 with ref variables), whose reads alias the variable's
buffer: an op that runs after an assign (through a control dependency) sees the assigned value.
"""

import numpy as np
import pytest

import dfc as tf

BACKENDS = ["cpu", "interpreter"]


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_read_under_control_dependencies_sees_the_assign(backend):
    v = tf.Variable(tf.zeros([3]), name="v")
    inc = v.assign_add(tf.ones([3]))
    with tf.control_dependencies([inc]):
        through_identity = tf.identity(v)
        through_add = v + 0
        through_value = v.value() * 1
        summed = tf.reduce_sum(v)
        fresh = v.read_value()
    unordered = v * 1.0  # no order against the assign: the value the step started with
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        for step in (1, 2):
            got = sess.run([through_identity, through_add, through_value, summed, fresh])
            for value in got[:3] + got[4:]:
                np.testing.assert_array_equal(value, np.full(3, step, np.float32))
            assert got[3] == 3 * step
        assert sess.run(through_identity).tolist() == [3, 3, 3]
        np.testing.assert_array_equal(sess.run(unordered), np.full(3, 3, np.float32))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_count_under_control_dependencies_counts_after_the_assign(backend):
    v = tf.Variable(tf.zeros([3]))
    inc = v.assign_add(tf.ones([3]))
    with tf.control_dependencies([inc]):
        above = tf.reduce_sum(tf.cast(v > 1.5, tf.int64))
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        assert [int(sess.run(above)) for _ in range(3)] == [0, 3, 3]  # TF 2.21 gives 0, 3, 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_where_after_an_assign_in_the_same_step(backend):
    v = tf.Variable(tf.zeros([3]))
    inc = v.assign_add(tf.constant([1.0, 2.0, 0.5]))
    with tf.control_dependencies([inc]):
        positions = tf.where(v > 1.5)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        runs = [sess.run(positions).ravel().tolist() for _ in range(3)]
        assert runs == [[1], [0, 1], [0, 1]]
        np.testing.assert_array_equal(sess.run(v), [3.0, 6.0, 1.5])  # one increment per run


@pytest.mark.parametrize("backend", BACKENDS)
def test_boolean_mask_by_a_random_draw_uses_one_draw(backend):
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    keep = tf.random_uniform(tf.shape(x)[:1], seed=3) > 0.5
    kept = tf.boolean_mask(x, keep)
    total = tf.reduce_sum(kept)
    data = np.arange(24, dtype=np.float32).reshape(6, 4)
    seen = set()
    with tf.Session(backend=backend) as sess:
        for _ in range(6):
            mask, rows, s = sess.run([keep, kept, total], {x: data})
            np.testing.assert_array_equal(rows, data[mask])
            assert s == data[mask].sum()
            seen.add(tuple(mask))
    assert len(seen) > 1  # a fresh draw each run


@pytest.mark.parametrize("backend", BACKENDS)
def test_unique_and_sparse_retain_of_random_draws(backend):
    ids = tf.random_uniform([20], maxval=6, dtype=tf.int32, seed=1)
    values, index = tf.unique(ids)
    sp = tf.SparseTensor(indices=[[0, 0], [1, 2], [2, 1], [3, 3]], values=[1.0, 2.0, 3.0, 4.0], dense_shape=[4, 4])
    nonzero = tf.placeholder(tf.int32)  # GCN's sparse dropout: a noise shape fed without a static shape
    keep = tf.cast(tf.floor(0.5 + tf.random_uniform(nonzero, seed=2)), tf.bool)
    dropped = tf.sparse_retain(sp, keep)
    dense = tf.sparse_tensor_to_dense(dropped)
    with tf.Session(backend=backend) as sess:
        for _ in range(6):  # past the first counts, one step serves every count
            drawn, u, i, nnz, d = sess.run([ids, values, index, dropped.values, dense], {nonzero: [4]})
            np.testing.assert_array_equal(u[i], drawn)
            assert sorted(u.tolist()) == sorted(set(drawn.tolist()))
            assert d.sum() == nnz.sum() and np.count_nonzero(d) == len(nnz)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_mask_of_a_random_draw_inside_training(backend):
    x = tf.constant(np.linspace(-1, 1, 32, dtype=np.float32).reshape(8, 4))
    W = tf.Variable(tf.ones([4, 1]))
    rows = tf.boolean_mask(tf.matmul(x, W), tf.random_uniform([8], seed=5) < 0.75)
    loss = tf.reduce_mean(tf.square(rows - 1.0)) + 0.0 * tf.cast(tf.size(rows), tf.float32)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([loss, train])[0] for _ in range(8)]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_masked_loss_whose_count_changes_every_run_trains_as_numpy(backend):
    """A count that changes each run: the first runs compile a step per count, later ones one step for all counts
    (the masked ops on the host); every step's loss and the weights equal numpy's gradient descent."""
    rng = np.random.default_rng(7)
    xs = rng.normal(size=(10, 6, 3)).astype(np.float32)
    ys = rng.normal(size=(10, 6)).astype(np.float32)
    masks = [np.arange(6) < k for k in (1, 2, 3, 4, 5, 6, 2, 4, 6, 3)]
    x = tf.placeholder(tf.float32, [6, 3])
    y = tf.placeholder(tf.float32, [6])
    keep = tf.placeholder(tf.bool, [6])
    w0 = np.array([0.5, -0.25, 1.0], np.float32)
    W = tf.Variable(w0)
    residual = tf.boolean_mask(tf.reduce_sum(x * W, axis=1) - y, keep)
    loss = tf.reduce_mean(tf.square(residual))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    w = w0.astype(np.float64)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        for xb, yb, mb in zip(xs, ys, masks):
            got, _ = sess.run([loss, train], {x: xb, y: yb, keep: mb})
            r = (xb @ w - yb)[mb]
            np.testing.assert_allclose(got, np.mean(r ** 2), rtol=1e-5)
            w -= 0.1 * 2 * xb[mb].T @ r / mb.sum()
        np.testing.assert_allclose(sess.run(W), w, rtol=1e-5, atol=1e-6)
        compiled = len(sess._cache)  # the initializer, the first counts' steps, one for all counts, the fetch of W
    assert compiled <= 7, compiled


def test_reads_after_the_same_writes_share_one_read():
    """v * v and tf.identity(v) under one control dependency read v once, after the assign (TF: one buffer)."""
    from dfc.compiler.pipeline import compile_step

    v = tf.Variable(tf.fill([3], 2.0), name="v")
    inc = v.assign_add(tf.ones([3]))
    with tf.control_dependencies([inc]):
        square = v * v
        same = tf.identity(v)
    stages = {}
    compile_step(tf.get_default_graph(), [square._dfc_ir(), same._dfc_ir()],
                 on_stage=lambda name, graph: stages.setdefault(name, list(graph.ops)))
    rereads = [op for op in stages["prune"] if op.type == "dfc.variable" and op.operands]
    assert len(rereads) == 1
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_square, got_same = sess.run([square, same])
    np.testing.assert_array_equal(got_square, np.full(3, 9, np.float32))
    np.testing.assert_array_equal(got_same, np.full(3, 3, np.float32))
