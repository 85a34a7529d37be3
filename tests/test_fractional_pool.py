"""tf.nn.fractional_max_pool / fractional_avg_pool: the pool and its gradient over TF 2.21's own pooling sequences
(recorded by tests/record_ctc_misc.py), the sequences' invariants (TF's GeneratePoolingSequence), seeding, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from recordings import load_recording

import dfc as tf
from dfc.nn_fractional import fractional_pool

pytestmark = pytest.mark.usefixtures("fresh_graph")

REC = load_recording("ctc_misc")
CASES = {"a": ([1, 1.5, 1.7, 1], False, False), "b": ([1, 2.0, 1.44, 1], True, False),
         "c": ([1, 1.5, 2.2, 1], True, True), "d": ([1, 1.3, 1.6, 1], False, True)}


def test_pool_and_gradient_over_tfs_sequences_are_tfs():
    """Max and mean pools, random and pseudo-random sequences, overlapping or not, in one step."""
    x = tf.constant(REC["fp_x"])
    fetches = {}
    for kind in ("max", "avg"):
        for tag, (_, _, overlapping) in CASES.items():
            rows, cols = REC[f"fp_{kind}_{tag}_rows"], REC[f"fp_{kind}_{tag}_cols"]
            y = fractional_pool(x, tf.constant(rows), tf.constant(cols), len(rows) - 1, len(cols) - 1, overlapping,
                                kind)
            fetches[kind, tag] = (y, tf.gradients(tf.reduce_sum(y * tf.cos(y)), x)[0])
    with tf.Session() as sess:
        got = sess.run(fetches)
    for (kind, tag), (got_y, got_g) in got.items():
        np.testing.assert_allclose(got_y, REC[f"fp_{kind}_{tag}_y"], atol=1e-6, err_msg=f"{kind} {tag}")
        np.testing.assert_allclose(got_g, REC[f"fp_{kind}_{tag}_g"], atol=1e-5, err_msg=f"{kind} {tag}")


def _check_sequence(seq: np.ndarray, size: int, out: int) -> None:
    k = size // out
    assert seq.dtype == np.int64 and seq.shape == (out + 1,)
    assert seq[0] == 0 and seq[-1] == size
    assert set(np.diff(seq)) <= {k, k + 1}


@pytest.mark.parametrize("tag", sorted(CASES))
def test_public_functions_shapes_sequences_and_determinism(tag):
    ratio, pseudo, overlapping = CASES[tag]
    x = tf.constant(REC["fp_x"])
    y, rows, cols = tf.nn.fractional_max_pool(x, ratio, pseudo_random=pseudo, overlapping=overlapping,
                                              deterministic=True, seed=7, seed2=3)
    assert y.shape.as_list() == list(REC[f"fp_max_{tag}_y"].shape)
    with tf.Session() as sess:
        first, again = sess.run([y, rows, cols]), sess.run([y, rows, cols])
    _check_sequence(first[1], 9, first[0].shape[1])
    _check_sequence(first[2], 11, first[0].shape[2])
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    # the pool is the windows' max over the sequences it returned
    want = fractional_pool(x, tf.constant(first[1]), tf.constant(first[2]), len(first[1]) - 1, len(first[2]) - 1,
                           overlapping, "max")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(want), first[0])


def test_non_deterministic_sequences_change_between_runs():
    _, rows, _ = tf.nn.fractional_avg_pool(tf.zeros([1, 200, 3, 1]), [1, 1.41, 1, 1])
    with tf.Session() as sess:
        seen = {tuple(sess.run(rows)) for _ in range(4)}
    assert len(seen) > 1


@settings(max_examples=10, deadline=None)
@given(st.integers(2, 40), st.floats(1.0, 3.5), st.booleans(), st.integers(0, 1000))
def test_sequences_hold_tfs_invariants(size, ratio, pseudo, seed):
    out = int(math.floor(size / ratio))
    if out < 1:
        return
    from dfc.nn_fractional import pooling_sequence
    with tf.Graph().as_default():
        seq = pooling_sequence(size, out, pseudo, True, (seed, 1), "seq")
        with tf.Session(backend="interpreter") as sess:
            got = sess.run(seq)
    _check_sequence(got, size, out)


def test_errors_are_tfs():
    x = tf.zeros([1, 4, 4, 1])
    with pytest.raises(ValueError, match="batch and channel"):
        tf.nn.fractional_max_pool(x, [2, 1.5, 1.5, 1])
    with pytest.raises(ValueError, match="smaller than 1"):
        tf.nn.fractional_avg_pool(x, [1, 0.5, 1.5, 1])
    with pytest.raises(ValueError, match="positive"):
        tf.nn.fractional_avg_pool(x, [1, 5.0, 1.5, 1])
