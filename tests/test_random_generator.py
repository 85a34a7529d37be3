"""tf.random's generator API and seed utilities in TF1 graph mode: Generator draws advance with each run and repeat
from the same seed in a new session; split/fold_in give independent seeds; the parameterized truncated normal
stays in its interval with the truncated distribution's mean."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf


def _generator_graph():
    tf.reset_default_graph()
    g = tf.random.Generator.from_seed(3)
    fetches = [g.normal([4]), g.uniform([5], maxval=10, dtype=tf.int32), g.uniform_full_int([2], tf.int64),
               g.truncated_normal([50]), g.split(2)[1].normal([3]), g.binomial([6], counts=5.0, probs=0.5)]
    return g, fetches


def test_a_generator_advances_each_run_and_repeats_from_its_seed():
    g, fetches = _generator_graph()
    assert g.state.shape.as_list() == [3] and g.algorithm == tf.random.Algorithm.PHILOX
    with tf.Session(backend="interpreter") as sess:
        sess.run(tf.global_variables_initializer())
        first, second = sess.run(fetches), sess.run(fetches)
    _, fetches = _generator_graph()
    with tf.Session(backend="interpreter") as sess:
        sess.run(tf.global_variables_initializer())
        again = sess.run(fetches)
    for a, b, c in zip(first, second, again):
        np.testing.assert_array_equal(a, c)
        assert not np.array_equal(a, b)
    assert first[1].dtype == np.int32 and np.all((first[1] >= 0) & (first[1] < 10))
    assert np.all(np.abs(first[3]) < 2.0)


def test_seed_utilities_and_the_parameterized_truncated_normal():
    tf.reset_default_graph()
    seeds = tf.random.split(tf.constant([1, 2], tf.int64), 3)
    folded = [tf.random.fold_in([1, 2], d) for d in (7, 8)]
    truncated = tf.random.stateless_parameterized_truncated_normal([20000], [4, 5], means=1.0, stddevs=2.0,
                                                                    minvals=2.0, maxvals=4.0)
    far = tf.random.stateless_parameterized_truncated_normal([5], [4, 5], means=tf.zeros([5], tf.float64),
                                                              minvals=10.0, maxvals=11.0)
    assert seeds.shape.as_list() == [3, 2] and seeds.dtype == tf.int64 and folded[0].dtype == tf.int32
    assert tf.random.create_rng_state(5, "philox").shape.as_list() == [3]
    with tf.Session(backend="interpreter") as sess:
        s, f, t, x = sess.run([seeds, folded, truncated, far])
    assert len({tuple(r) for r in s}) == 3 and not np.array_equal(f[0], f[1])
    assert t.min() >= 2.0 and t.max() <= 4.0
    # E[X] for N(1, 2) truncated to [2, 4]: 1 + 2 (phi(0.5) - phi(1.5)) / (Phi(1.5) - Phi(0.5))
    phi = lambda z: np.exp(-z * z / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    want = 1 + 2 * (phi(0.5) - phi(1.5)) / (0.9331927987311419 - 0.6914624612740131)
    assert abs(t.mean() - want) < 6 * t.std() / np.sqrt(t.size)
    assert x.dtype == np.float64 and np.all((x >= 10.0) & (x <= 11.0))


def test_generator_errors_name_the_argument():
    with pytest.raises(ValueError, match="algorithm"):
        tf.random.create_rng_state(1, "mersenne")
    with pytest.raises(TypeError, match="Generator"):
        tf.random.set_global_generator(3)
    with pytest.raises(TypeError, match="seed"):
        tf.random.split(tf.constant([1.0, 2.0]))
