"""tf.contrib.losses: the older argument order of TF1's first losses API, and metric_learning's losses against
numpy references written from their definitions."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf


def _triplet_semihard(labels: np.ndarray, emb: np.ndarray, margin: float) -> float:
    d = ((emb[:, None, :] - emb[None, :, :]) ** 2).sum(-1)
    total, count = 0.0, 0
    for a in range(len(labels)):
        negatives = d[a][labels != labels[a]]
        for p in range(len(labels)):
            if p == a or labels[p] != labels[a]:
                continue
            farther = negatives[negatives > d[a, p]]
            negative = farther.min() if farther.size else negatives.max()
            total += max(margin + d[a, p] - negative, 0.0)
            count += 1
    return total / count


@pytest.mark.parametrize("backend", ["interpreter", None])
def test_metric_learning_losses_match_their_definitions(backend):
    rng = np.random.default_rng(0)
    labels = np.array([0, 1, 0, 2, 1, 2, 0, 1])
    emb = rng.standard_normal((8, 5)).astype(np.float32)
    pos = rng.standard_normal((8, 5)).astype(np.float32)
    y = tf.placeholder(tf.int32, [None])
    e = tf.placeholder(tf.float32, [None, 5])
    p = tf.placeholder(tf.float32, [None, 5])
    ml = tf.contrib.losses.metric_learning
    fetches = {"triplet": ml.triplet_semihard_loss(y, e, margin=1.5),
               "contrastive": ml.contrastive_loss(tf.cast(y > 0, tf.float32), e, p, margin=2.0),
               "npairs": ml.npairs_loss(y, e, p, reg_lambda=0.01),
               "distance": ml.pairwise_distance(e)}
    grad = tf.gradients(fetches["triplet"], e)[0]
    got = tf.Session(backend=backend).run({**fetches, "grad": grad}, {y: labels, e: emb, p: pos})
    np.testing.assert_allclose(got["triplet"], _triplet_semihard(labels, emb.astype(np.float64), 1.5), rtol=1e-4)
    dist = np.sqrt(((emb - pos) ** 2).sum(1))
    same = (labels > 0).astype(np.float64)
    np.testing.assert_allclose(got["contrastive"], np.mean(same * dist ** 2 + (1 - same) *
                                                           np.maximum(2.0 - dist, 0) ** 2), rtol=1e-5)
    sim = emb.astype(np.float64) @ pos.T
    targets = (labels[:, None] == labels[None, :]).astype(np.float64)
    targets /= targets.sum(1, keepdims=True)
    log_softmax = sim - sim.max(1, keepdims=True)
    log_softmax -= np.log(np.exp(log_softmax).sum(1, keepdims=True))
    penalty = 0.0025 * ((emb ** 2).sum(1).mean() + (pos ** 2).sum(1).mean())
    want_npairs = -(targets * log_softmax).sum(1).mean() + penalty
    np.testing.assert_allclose(got["npairs"], want_npairs, rtol=1e-4)
    np.testing.assert_allclose(got["distance"], np.sqrt(((emb[:, None] - emb[None]) ** 2).sum(-1)), atol=1e-5)
    assert np.all(np.isfinite(got["grad"])) and np.any(got["grad"] != 0)


def test_contrib_losses_take_predictions_or_logits_first():
    logits = tf.constant([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]])
    onehot = tf.constant([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    pred, lab = tf.constant([1.0, 2.0, 4.0]), tf.constant([1.5, 2.0, 3.0])
    pairs = {
        "softmax": (tf.contrib.losses.softmax_cross_entropy(logits, onehot), tf.losses.softmax_cross_entropy(onehot,
                                                                                                             logits)),
        "sparse": (tf.contrib.losses.sparse_softmax_cross_entropy(logits, [0, 2]),
                   tf.losses.sparse_softmax_cross_entropy([0, 2], logits)),
        "sigmoid": (tf.contrib.losses.sigmoid_cross_entropy(logits, onehot), tf.losses.sigmoid_cross_entropy(onehot,
                                                                                                             logits)),
        "mse": (tf.contrib.losses.mean_squared_error(pred, lab, weights=2.0),
                tf.losses.mean_squared_error(lab, pred, weights=2.0)),
        "absolute": (tf.contrib.losses.absolute_difference(pred, lab), tf.losses.absolute_difference(lab, pred)),
    }
    hinge = tf.contrib.losses.hinge_loss(tf.constant([0.5, -2.0]), tf.constant([1.0, 0.0]))
    with tf.Session() as sess:
        got = sess.run({k: v for k, v in pairs.items()})
        for name, (old, new) in got.items():
            np.testing.assert_allclose(old, new, err_msg=name)
        np.testing.assert_allclose(sess.run(hinge), [0.5, 0.0])
