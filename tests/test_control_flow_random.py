"""Random draws inside tf.while_loop, map_fn, scan and foldl bodies: each iteration draws anew (as TF1's stateful
random ops do), the native CPU backend gives the interpreter's bits, a seeded graph repeats its sequence in a new
session, and successive Session.run calls keep drawing new values."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

BACKENDS = ("interpreter", "cpu")


pytestmark = pytest.mark.usefixtures("fresh_graph")


def _rows_by_while(draw, trips: int, width: int) -> tf.Tensor:
    """A [trips, width] tensor whose row i is draw() made in iteration i of a tf.while_loop body."""
    def body(i, acc):
        row = tf.reshape(tf.one_hot(i, trips), [trips, 1])
        return i + 1, acc + row * tf.reshape(draw(), [1, width])
    return tf.while_loop(lambda i, acc: i < trips, body, [tf.constant(0), tf.zeros([trips, width])])[1]


def _runs(fetch, backend: str, runs: int = 2, feed=None) -> list:
    with tf.Session(backend=backend) as sess:
        return [sess.run(fetch, feed) for _ in range(runs)]


def _seeded(build, backend: str, runs: int = 2, seed: int = 7) -> list:
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(seed)
        fetch = build()
        with tf.Session(backend=backend) as sess:
            return [sess.run(fetch) for _ in range(runs)]


def _all_rows_differ(rows: np.ndarray) -> None:
    flat = rows.reshape(rows.shape[0], -1)
    assert len({r.tobytes() for r in flat}) == len(flat), "two iterations drew the same values"


DRAWS = {
    "uniform": lambda: tf.random_uniform([5]),
    "normal": lambda: tf.random_normal([5], mean=1.0, stddev=2.0),
    "truncated": lambda: tf.truncated_normal([5]),
    "dropout": lambda: tf.nn.dropout(tf.ones([5]), keep_prob=0.5),
}


@pytest.mark.parametrize("kind", sorted(DRAWS))
def test_each_iteration_of_a_while_loop_draws_anew_and_the_backends_agree_bit_for_bit(kind):
    got = {b: _seeded(lambda: _rows_by_while(DRAWS[kind], 6, 5), b, runs=3) for b in BACKENDS}
    for first, second in zip(got["interpreter"], got["cpu"]):
        np.testing.assert_array_equal(first, second)
    runs = got["cpu"]
    if kind == "dropout":  # a mask of 0 or 1/keep_prob per element, a different one per iteration (p = 2^-5 each)
        assert set(np.unique(np.concatenate(runs))) <= {0.0, 2.0}
        assert len({r.tobytes() for run in runs for r in run}) >= 12
    else:
        for rows in runs:
            _all_rows_differ(rows)
    assert not np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[1], runs[2]), "a new run drew the same"
    np.testing.assert_array_equal(_seeded(lambda: _rows_by_while(DRAWS[kind], 6, 5), "cpu", runs=3), runs)


@pytest.mark.parametrize("backend", BACKENDS)
def test_map_fn_scan_and_foldl_bodies_draw_anew_per_element(backend):
    def build():
        elems = tf.range(6)
        mapped = tf.map_fn(lambda e: tf.random_uniform([3]) + tf.cast(e, tf.float32) * 0.0, elems,
                           dtype=tf.float32)
        scanned = tf.scan(lambda acc, e: tf.random_normal([3]), elems, initializer=tf.zeros([3]))
        folded = tf.foldl(lambda acc, e: tf.concat([acc[1:], tf.random_uniform([1])], 0), elems,
                          initializer=tf.zeros([6]))
        return mapped, scanned, folded
    runs = _seeded(build, backend)
    for mapped, scanned, folded in runs:
        _all_rows_differ(mapped)
        _all_rows_differ(scanned)
        assert len(set(folded.tolist())) == 6, folded  # each step of the fold drew its own last element
    assert not np.array_equal(runs[0][0], runs[1][0])
    other = _seeded(build, "interpreter" if backend == "cpu" else "cpu")
    for mine, theirs in zip(runs, other):
        for a, b in zip(mine, theirs):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("backend", BACKENDS)
def test_nested_loops_draw_anew_in_every_inner_iteration(backend):
    def build():
        def outer_body(i, acc):
            def inner_body(j, inner):
                row = tf.reshape(tf.one_hot(i * 3 + j, 12), [12, 1])
                return j + 1, inner + row * tf.reshape(tf.random_uniform([4]), [1, 4])
            return i + 1, tf.while_loop(lambda j, inner: j < 3, inner_body, [tf.constant(0), acc])[1]
        return tf.while_loop(lambda i, acc: i < 4, outer_body, [tf.constant(0), tf.zeros([12, 4])])[1]
    got = {b: _seeded(build, b) for b in BACKENDS}
    for rows in got[backend]:
        _all_rows_differ(rows)
    for a, b in zip(got["interpreter"], got["cpu"]):
        np.testing.assert_array_equal(a, b)


def test_a_draw_in_a_branch_inside_a_loop_keeps_the_backends_in_step_when_the_branch_is_not_taken():
    def build():
        pred = tf.placeholder(tf.bool, [])
        rows = _rows_by_while(lambda: tf.cond(pred, lambda: tf.random_uniform([3]), lambda: tf.zeros([3])), 5, 3)
        return pred, rows
    got = {}
    for backend in BACKENDS:
        g = tf.Graph()
        with g.as_default():
            tf.set_random_seed(3)
            pred, rows = build()
            with tf.Session(backend=backend) as sess:
                got[backend] = [sess.run(rows, {pred: p}) for p in (False, True, False, True)]
    for a, b in zip(got["interpreter"], got["cpu"]):
        np.testing.assert_array_equal(a, b)
    assert not got["cpu"][0].any() and not np.array_equal(got["cpu"][1], got["cpu"][3])
    _all_rows_differ(got["cpu"][1])


def test_op_seeds_alone_repeat_and_differ_from_other_op_seeds():
    def build(seed):
        return lambda: _rows_by_while(lambda: tf.random_uniform([4], seed=seed), 4, 4)
    a = _seeded(build(11), "cpu", seed=None)
    np.testing.assert_array_equal(a, _seeded(build(11), "interpreter", seed=None))
    assert not np.array_equal(a[0], _seeded(build(12), "cpu", seed=None)[0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_draws_across_iterations_have_the_distributions_asked_for(backend):
    trips, width = 200, 250

    def build():
        return (_rows_by_while(lambda: tf.random_uniform([width], minval=-1.0, maxval=3.0), trips, width),
                _rows_by_while(lambda: tf.random_normal([width], mean=0.5, stddev=2.0), trips, width),
                _rows_by_while(lambda: tf.truncated_normal([width]), trips, width))
    (uniform, normal, truncated), = _seeded(build, backend, runs=1)
    n = trips * width
    assert -1.0 <= uniform.min() and uniform.max() < 3.0
    assert abs(uniform.mean() - 1.0) < 0.03 and abs(uniform.var() - 16 / 12) < 0.03
    assert abs(normal.mean() - 0.5) < 0.05 and abs(normal.var() - 4.0) < 0.1
    assert np.abs(truncated).max() < 2.0 and abs(truncated.mean()) < 0.02 and abs(truncated.var() - 0.7737) < 0.02
    for draws in (uniform, normal, truncated):
        # iteration i and i + 1 are independent: the correlation of consecutive rows is near zero
        a, b = draws[:-1].ravel() - draws.mean(), draws[1:].ravel() - draws.mean()
        assert abs(float(np.dot(a, b)) / float(np.dot(a, a))) < 5 / np.sqrt(n)
        # every iteration's own mean is near the overall one (no iteration repeats a skewed draw)
        assert np.abs(draws.mean(axis=1) - draws.mean()).max() < 6 * draws.std() / np.sqrt(width)


def test_a_loop_gradient_through_a_draw_uses_the_draws_the_loop_made_also_for_a_fed_trip_count():
    """Three iterations (constants decide it): the forward loop saves each draw, so d out / d x is the product of
    the draws that made out, from the same run. A fed trip count recomputes iterations, and its draws repeat the
    forward loop's (compiler/loop_draws.py): the same product."""
    x = tf.Variable(2.0)
    out = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * tf.random_uniform([])), [tf.constant(0), x],
                        name="noisy")[1]
    grad = tf.gradients(out, [x])[0]
    n = tf.placeholder(tf.int32, [])
    fed = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s * tf.random_uniform([])), [tf.constant(0), x],
                        name="fed_noisy")[1]
    fed_grad = tf.gradients(fed, [x])[0]
    for backend in ("interpreter", "cpu"):
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            value, g = sess.run([out, grad])
            np.testing.assert_allclose(g, value / 2.0, rtol=1e-6)
            value, g = sess.run([fed, fed_grad], {n: 3})
            np.testing.assert_allclose(g, value / 2.0, rtol=1e-6)
            assert 0 < value < 2.0


def test_the_gpu_code_generator_advances_a_draws_counter_inside_the_loop():
    """On the GPU the loop is host Branch/Jump steps, and a one-thread kernel after the draw advances its
    counter in params as the CPU's loop code does (tests/test_gpu_ops.py runs such a loop on a device)."""
    from dfc.compiler import compile_step
    from dfc.compiler.codegen import gpu
    g = tf.get_default_graph()
    rows = _rows_by_while(lambda: tf.random_uniform([3]), 4, 3)
    steps = gpu.lower(compile_step(g, [rows._dfc_ir()])).steps
    (test,) = [k for k, s in enumerate(steps) if isinstance(s, gpu.Branch)]
    (back,) = [k for k, s in enumerate(steps) if isinstance(s, gpu.Jump)]
    advances = [k for k, s in enumerate(steps) if isinstance(s, gpu.Launch) and s.args == ("params:0:0",)]
    assert len(advances) == 1 and test < advances[0] < back and steps[back].target <= test
