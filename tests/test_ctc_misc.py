"""tf.nn's CTC extras against TF 2.21's recorded answers (tests/record_ctc_misc.py): the beam search decoder's
paths exactly (ties included) and log probabilities to 1e-5, ctc_loss_v2's loss and gradient for dense and sparse
labels and any blank, collapse_repeated and ctc_unique_labels; the search against an exhaustive sum over
alignments; errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from recordings import load_recording

import dfc as tf
from dfc.ir.ops.ctc import beam_search

pytestmark = pytest.mark.usefixtures("fresh_graph")

REC = load_recording("ctc_misc")
BEAMS = sorted(k[5:-4] for k in REC if k.startswith("beam_") and k.endswith("_cfg"))


def _decoder(name: str):
    width, paths, merge = (int(v) for v in REC[f"beam_{name}_cfg"])
    decoded, log_probs = tf.nn.ctc_beam_search_decoder(tf.constant(REC[f"beam_{name}_x"]), REC[f"beam_{name}_len"],
                                                       beam_width=width, top_paths=paths, merge_repeated=bool(merge))
    assert len(decoded) == paths and log_probs.shape.as_list() == [REC[f"beam_{name}_x"].shape[1], paths]
    return [tf.sparse.to_dense(d, default_value=-1) for d in decoded], log_probs, decoded[0]


def test_beam_search_paths_and_log_probs_are_tfs():
    """Every recorded case in one step: random, peaked, float64, and tied (zero and integer) logits."""
    fetches = {name: _decoder(name) for name in BEAMS}
    with tf.Session() as sess:
        got = sess.run(fetches)
    for name, (dense, log_probs, first) in got.items():
        for p, path in enumerate(dense):
            np.testing.assert_array_equal(path, REC[f"beam_{name}_path{p}"], err_msg=f"{name} path {p}")
        np.testing.assert_allclose(log_probs, REC[f"beam_{name}_logp"], rtol=0, atol=1e-5, err_msg=name)
        assert first.values.dtype == np.int64 and first.indices.dtype == np.int64
        assert list(first.dense_shape) == list(REC[f"beam_{name}_path0"].shape)


def test_beam_search_on_the_interpreter_agrees():
    fetches = _decoder("ints")
    with tf.Session(backend="interpreter") as sess:
        dense, log_probs, _ = sess.run(fetches)
    np.testing.assert_array_equal(dense[3], REC["beam_ints_path3"])
    np.testing.assert_allclose(log_probs, REC["beam_ints_logp"], atol=1e-5)


def test_beam_search_v2_keeps_repeats():
    decoded, log_probs = tf.nn.ctc_beam_search_decoder_v2(tf.constant(REC["beam_v2_x"]), [6, 4], beam_width=4,
                                                          top_paths=2)
    with tf.Session() as sess:
        dense, lp = sess.run([[tf.sparse.to_dense(d, default_value=-1) for d in decoded], log_probs])
    np.testing.assert_array_equal(dense[0], REC["beam_v2_path0"])
    np.testing.assert_array_equal(dense[1], REC["beam_v2_path1"])
    np.testing.assert_allclose(lp, REC["beam_v2_logp"], atol=1e-5)


def _labelings(frames: np.ndarray) -> dict:
    """log p(labeling) of every labeling, summed over all alignments (the last class the blank)."""
    log_soft = frames - np.log(np.exp(frames).sum(1, keepdims=True))
    blank = frames.shape[1] - 1
    out: dict = {}
    for path in itertools.product(range(frames.shape[1]), repeat=len(frames)):
        labels = tuple(c for i, c in enumerate(path) if c != blank and (i == 0 or c != path[i - 1]))
        out[labels] = np.logaddexp(out.get(labels, -math.inf), sum(log_soft[t, c] for t, c in enumerate(path)))
    return out


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 4), st.integers(2, 4), st.integers(0, 2 ** 31 - 1))
def test_a_wide_beam_finds_the_exact_labeling_probabilities(time, classes, seed):
    """With room for every prefix the search is exact: its paths are the most probable labelings."""
    frames = np.random.default_rng(seed).normal(size=(time, classes)) * 2
    exact = _labelings(frames)
    paths, scores = beam_search(frames, 400, 3 if len(exact) >= 3 else 1, merge_repeated=False)
    best = sorted(exact.values(), reverse=True)
    np.testing.assert_allclose(scores, best[:len(scores)], atol=1e-9)
    for path, score in zip(paths, scores):
        np.testing.assert_allclose(exact[tuple(path)], score, atol=1e-9)


def test_beam_search_errors_are_tfs():
    x = tf.constant(np.zeros((3, 1, 4), np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="top_paths"):
        tf.nn.ctc_beam_search_decoder(x, [3], beam_width=2, top_paths=3)
    with pytest.raises(ValueError, match="3-D"):
        tf.nn.ctc_beam_search_decoder(tf.zeros([3, 4]), [3])
    lengths = tf.placeholder(tf.int32, [1])
    decoded, _ = tf.nn.ctc_beam_search_decoder(x, lengths, beam_width=2)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(decoded[0].values, {lengths: [5]})
        # one frame of two classes leaves one prefix besides the root's: two paths, not three
        decoded, _ = tf.nn.ctc_beam_search_decoder(tf.zeros([1, 1, 2]), [1], beam_width=3, top_paths=3)
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(decoded[0].values)


@pytest.mark.parametrize("blank,tag", [(0, "b0"), (4, "b4"), (-1, "bm1")])
def test_ctc_loss_v2_dense_labels_loss_and_gradient_are_tfs(blank, tag):
    x = tf.constant(REC["v2_x"])
    labels = REC["v2_labels"] if blank != 0 else REC["v2_labels"] + 1
    loss = tf.nn.ctc_loss_v2(labels, x, REC["v2_label_len"], REC["v2_logit_len"], blank_index=blank)
    grad = tf.gradients(tf.reduce_sum(loss), x)[0]
    with tf.Session() as sess:
        got_loss, got_grad = sess.run([loss, grad])
    np.testing.assert_allclose(got_loss, REC[f"v2_loss_{tag}"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got_grad, REC[f"v2_grad_{tag}"], atol=1e-5)


def test_ctc_loss_v2_sparse_labels_batch_major():
    x = tf.constant(REC["v2_x"])
    sparse = tf.sparse.from_dense(tf.constant(REC["v2_labels"] + 1) * tf.sequence_mask(REC["v2_label_len"], 4,
                                                                                         tf.int32))
    loss = tf.nn.ctc_loss_v2(sparse, tf.transpose(x, [1, 0, 2]), None, REC["v2_logit_len"], logits_time_major=False,
                             blank_index=0)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(loss), REC["v2_loss_sparse"], rtol=1e-5)
    with pytest.raises(ValueError, match="blank_index must be given"):
        tf.nn.ctc_loss_v2(sparse, x, None, REC["v2_logit_len"])


@pytest.mark.parametrize("tag,lengths", [("full", [7, 7, 7]), ("short", [5, 2, 4])])
def test_collapse_repeated_is_tfs(tag, lengths):
    collapsed, new_len = tf.nn.collapse_repeated(tf.constant(REC["cr_in"]), tf.constant(lengths))
    with tf.Session() as sess:
        got, got_len = sess.run([collapsed, new_len])
    np.testing.assert_array_equal(got, REC[f"cr_{tag}_out"])
    np.testing.assert_array_equal(got_len, REC[f"cr_{tag}_len"])


def test_ctc_unique_labels_is_tfs():
    ids, idx = tf.nn.ctc_unique_labels(tf.constant(REC["cr_in"]))
    with tf.Session() as sess:
        got_ids, got_idx = sess.run([ids, idx])
    assert got_ids.dtype == np.int64 and got_idx.dtype == np.int32
    np.testing.assert_array_equal(got_ids, REC["uniq_ids"])
    np.testing.assert_array_equal(got_idx, REC["uniq_idx"])
