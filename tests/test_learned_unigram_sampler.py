"""tf.nn.learned_unigram_candidate_sampler: the expected counts TF 2.21 gave over three runs that teach it
(tests/record_ctc_misc.py; unique=False, so they depend on the learned counts alone), counts per session,
rejection of repeats with unique=True, and errors."""

from __future__ import annotations

import numpy as np
import pytest
from recordings import load_recording

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")

REC = load_recording("ctc_misc")
RUNS = [[[3], [3], [1]], [[3], [5], [0]], [[2], [3], [3]]]


def test_expected_counts_follow_the_learned_counts_as_tfs():
    true = tf.placeholder(tf.int64, [None, 1])
    sampled, true_expected, sampled_expected = tf.nn.learned_unigram_candidate_sampler(true, 1, 4, False, 6, seed=5)
    with tf.Session() as sess:
        counts = np.ones(6)
        for run, classes in enumerate(RUNS):
            got_ids, got_true, got_sampled = sess.run([sampled, true_expected, sampled_expected], {true: classes})
            np.testing.assert_allclose(got_true, REC[f"lus_true{run}"], rtol=1e-6)
            # the sampled ids' own expected counts from the same counts (TF's ids came from its own draws)
            np.testing.assert_allclose(got_sampled, counts[got_ids] / counts.sum() * 4, rtol=1e-6)
            np.testing.assert_allclose(REC[f"lus_sampled_expected{run}"],
                                       counts[REC[f"lus_sampled{run}"]] / counts.sum() * 4, rtol=1e-6)
            np.add.at(counts, np.ravel(classes), 1)
    with tf.Session() as sess:  # a new session starts from uniform counts, as a new TF kernel does
        np.testing.assert_allclose(sess.run(true_expected, {true: [[3]]}), [[4 / 6]], rtol=1e-6)


def test_unique_draws_are_distinct_and_learn_the_frequent_class():
    true = tf.placeholder(tf.int64, [None, 1])
    sampled, _, sampled_expected = tf.nn.learned_unigram_candidate_sampler(true, 1, 3, True, 8, seed=2)
    with tf.Session() as sess:
        draws = [sess.run([sampled, sampled_expected], {true: [[6]] * 40}) for _ in range(12)]
    for ids, expected in draws:
        assert len(set(ids.tolist())) == 3 and ((expected > 0) & (expected <= 1)).all()
    assert all(6 in ids for ids, _ in draws[4:])  # by then 6 holds most of the counts


def test_errors():
    with pytest.raises(ValueError, match="exceeds range_max"):
        tf.nn.learned_unigram_candidate_sampler(tf.zeros([2, 1], tf.int64), 1, 5, True, 4)
    sampled, true_expected, _ = tf.nn.learned_unigram_candidate_sampler(tf.constant([[9]], tf.int64), 1, 2, False, 4)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
            sess.run(true_expected)
