"""tf.nn and tf.losses losses: values against numpy, stability for large logits, reductions and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf


pytestmark = pytest.mark.usefixtures("fresh_graph")


def run(t, feeds=None):
    with tf.Session() as sess:
        return sess.run(t, feeds)


def log_softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


LOGITS = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]], np.float32)
ONEHOT = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]], np.float32)


def test_softmax_cross_entropy_with_logits_along_any_axis():
    expect = -(ONEHOT * log_softmax(LOGITS)).sum(-1)
    got = run(tf.nn.softmax_cross_entropy_with_logits_v2(labels=ONEHOT, logits=LOGITS))
    np.testing.assert_allclose(got, expect, rtol=1e-6)
    got0 = run(tf.nn.softmax_cross_entropy_with_logits(labels=ONEHOT.T, logits=LOGITS.T, dim=0))
    np.testing.assert_allclose(got0, expect, rtol=1e-6)
    with pytest.raises(ValueError, match="named arguments"):
        tf.nn.softmax_cross_entropy_with_logits(ONEHOT, LOGITS)


def test_sparse_softmax_cross_entropy_picks_the_label_column():
    labels = np.array([2, 0], np.int64)
    expect = -log_softmax(LOGITS)[np.arange(2), labels]
    np.testing.assert_allclose(run(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=LOGITS)),
                               expect, rtol=1e-6)
    with pytest.raises(ValueError, match="without its last dim"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=np.zeros((2, 3), np.int32), logits=LOGITS)


def test_sigmoid_cross_entropy_with_logits():
    x = np.array([-3.0, -0.5, 0.0, 0.7, 4.0], np.float64)
    z = np.array([0.0, 1.0, 0.5, 1.0, 0.2])
    expect = -(z * np.log(1 / (1 + np.exp(-x))) + (1 - z) * np.log(1 - 1 / (1 + np.exp(-x))))
    np.testing.assert_allclose(run(tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)), expect, rtol=1e-12)


def test_losses_stay_finite_and_exact_for_huge_logits():
    big = np.array([[1e4, -1e4, 0.0]], np.float32)
    xent = run(tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[0.0, 1.0, 0.0]], logits=big))
    np.testing.assert_allclose(xent, [2e4], rtol=1e-6)
    sig = run(tf.nn.sigmoid_cross_entropy_with_logits(labels=np.array([0.0, 1.0], np.float32),
                                                      logits=np.array([1e4, -1e4], np.float32)))
    np.testing.assert_allclose(sig, [1e4, 1e4], rtol=1e-6)
    logits = tf.placeholder(tf.float32, [1, 3])
    loss = tf.losses.sparse_softmax_cross_entropy(labels=[1], logits=logits)
    grad = tf.gradients(loss, logits)[0]
    value, g = run([loss, grad], {logits: big})
    assert np.isfinite(value) and np.all(np.isfinite(g))
    np.testing.assert_allclose(g, [[1.0, -1.0, 0.0]], atol=1e-6)  # softmax - onehot


def test_l2_loss():
    t = np.array([[1.0, 2.0], [3.0, -4.0]], np.float32)
    assert run(tf.nn.l2_loss(t)) == pytest.approx(15.0)


def test_mean_squared_error_reductions_and_weights():
    labels = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    preds = np.array([[1.5, 2.0], [2.0, 6.0]], np.float32)
    sq = (preds - labels) ** 2
    assert run(tf.losses.mean_squared_error(labels, preds)) == pytest.approx(sq.mean())
    weights = np.array([[0.0], [2.0]], np.float32)  # broadcast over each row; row 0 counts for nothing
    R = tf.losses.Reduction
    got = run([tf.losses.mean_squared_error(labels, preds, weights, reduction=r) for r in
               (R.NONE, R.SUM, R.MEAN, R.SUM_OVER_BATCH_SIZE, R.SUM_BY_NONZERO_WEIGHTS)])
    w = np.broadcast_to(weights, sq.shape)
    np.testing.assert_allclose(got[0], sq * w)
    assert got[1:] == pytest.approx([(sq * w).sum(), (sq * w).sum() / w.sum(), (sq * w).sum() / 4,
                                     (sq * w).sum() / 2])
    assert run(tf.losses.mean_squared_error(labels, preds, weights=0.0)) == 0.0  # no NaN from 0/0
    assert len(tf.losses.get_losses()) == 7
    with pytest.raises(ValueError, match="Invalid Reduction"):
        tf.losses.mean_squared_error(labels, preds, reduction="bogus")


def test_tf_losses_cross_entropies_with_smoothing():
    expect = -(ONEHOT * log_softmax(LOGITS)).sum(-1).mean()
    assert run(tf.losses.softmax_cross_entropy(ONEHOT, LOGITS)) == pytest.approx(expect, rel=1e-6)
    smooth = ONEHOT * 0.9 + 0.1 / 3
    assert run(tf.losses.softmax_cross_entropy(ONEHOT, LOGITS, label_smoothing=0.1)) == pytest.approx(
        -(smooth * log_softmax(LOGITS)).sum(-1).mean(), rel=1e-6)
    labels = np.array([1, 2], np.int32)
    assert run(tf.losses.sparse_softmax_cross_entropy(labels, LOGITS, weights=[1.0, 3.0])) == pytest.approx(
        (-log_softmax(LOGITS)[[0, 1], [1, 2]] * [1, 3]).sum() / 2, rel=1e-6)
    z = (LOGITS > 0).astype(np.float32)
    x = LOGITS.astype(np.float64)
    per = np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))
    assert run(tf.losses.sigmoid_cross_entropy(z, LOGITS)) == pytest.approx(per.mean(), rel=1e-6)
    assert run(tf.losses.get_total_loss()) == pytest.approx(run(tf.add_n(tf.losses.get_losses())), rel=1e-6)


@pytest.mark.parametrize("which", ["softmax_v2", "softmax_v1_labels_fixed", "sparse", "sigmoid", "l2", "mse"])
def test_loss_gradients_match_finite_differences(which):
    rng = np.random.default_rng(3)
    logits = tf.placeholder(tf.float64, [3, 4])
    labels = tf.placeholder(tf.float64, [3, 4])
    probs = rng.dirichlet(np.ones(4), 3)
    sparse = np.array([0, 3, 1], np.int64)
    build = {
        "softmax_v2": lambda: tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)),
        "softmax_v1_labels_fixed": lambda: tf.reduce_sum(
            tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)),
        "sparse": lambda: tf.losses.sparse_softmax_cross_entropy(sparse, logits),
        "sigmoid": lambda: tf.losses.sigmoid_cross_entropy(labels, logits),
        "l2": lambda: tf.nn.l2_loss(logits),
        "mse": lambda: tf.losses.mean_squared_error(labels, logits, weights=[[1.0], [0.0], [2.0]]),
    }
    y = build[which]()
    x0 = rng.normal(size=(3, 4)) * 3
    # tf.losses reduce in float32 whatever the input's dtype, as TF does: a float32-sized step and tolerance
    in_float32 = which in ("sparse", "sigmoid", "mse")
    delta, tolerance = (1e-2, 2e-3) if in_float32 else (1e-6, 1e-6)
    with tf.Session().as_default():
        err = tf.test.compute_gradient_error(logits, [3, 4], y, [], x0, delta=delta, extra_feed_dict={labels: probs})
        assert err < tolerance
        if which == "softmax_v2":  # labels get a gradient (-log_softmax)
            g = tf.gradients(y, labels)[0].eval({logits: x0, labels: probs})
            np.testing.assert_allclose(g, -log_softmax(x0), rtol=1e-10)
        if which == "softmax_v1_labels_fixed":
            assert tf.gradients(y, labels) == [None]


def test_sparse_softmax_xent_with_masked_logits_and_bad_labels_as_tf():
    """TF 2.21's values: a -inf logit other than the label's leaves the loss finite; a label out of range fails."""
    tf.reset_default_graph()
    labels = tf.placeholder(tf.int32, [None])
    logits = tf.placeholder(tf.float32, [None, 3])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    (grad,) = tf.gradients(loss, [logits])
    masked = [[1, -np.inf, 2], [0, 0, -np.inf]]
    with tf.Session() as sess:
        got, g = sess.run([loss, grad], {labels: [0, 1], logits: masked})
        np.testing.assert_allclose(got, [1.3132616, 0.6931472], rtol=1e-6)
        np.testing.assert_allclose(g, [[-0.7310586, 0, 0.7310586], [0.5, -0.5, 0]], rtol=1e-6)
        got, g = sess.run([loss, grad], {labels: [0, 2], logits: masked})
        assert got[1] == np.inf and g[1].tolist() == [0.5, 0.5, -1.0]
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"outside the valid range of \[0, 3\)"):
            sess.run(loss, {labels: [3, -1], logits: np.zeros((2, 3))})


def test_sparse_softmax_cross_entropy_takes_labels_of_unknown_rank_as_tf1():
    # handson-ml ch11: y = tf.placeholder(tf.int32, shape=(None)); values/gradients/errors are TF 2.21's
    y = tf.placeholder(tf.int32, shape=None, name="y")
    logits = tf.constant(np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4))
    xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    assert xent.shape.as_list() == [3]
    grad = tf.gradients(tf.reduce_mean(xent), logits)[0]
    with tf.Session() as sess:
        value, dlogits = sess.run([xent, grad], {y: [0, 3, 1]})
        np.testing.assert_allclose(value, [2.0128955841064453, 0.9219864010810852, 1.649259328842163], rtol=1e-6)
        np.testing.assert_allclose(dlogits[0], [-0.2888, 0.064064, 0.092159, 0.132576], atol=1e-6)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"labels must be 1-D, but got shape.*\[3 1\]"):
            sess.run(xent, {y: [[0], [3], [1]]})
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(xent, {y: [0, 1]})
    rank3 = tf.placeholder(tf.float32, [None, 2, 4])
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=rank3),
                                            {y: [[0, 1]], rank3: np.zeros((1, 2, 4))}), [[np.log(4.0)] * 2], rtol=1e-6)


def test_in_top_k_takes_targets_of_unknown_rank_as_tf1():
    # handson-ml ch11's accuracy: tf.nn.in_top_k(logits, y, 1) with y = tf.placeholder(tf.int32, shape=(None))
    y = tf.placeholder(tf.int32, shape=None, name="y")
    logits = tf.constant(np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4))
    correct = tf.nn.in_top_k(logits, y, 2)
    assert correct.shape.as_list() == [3] and correct.op.name.startswith("in_top_k/")
    with tf.Session() as sess:
        assert sess.run(correct, {y: [0, 3, 2]}).tolist() == [False, True, True]  # TF 2.21's
        with pytest.raises(tf.errors.InvalidArgumentError, match="targets must be 1-dimensional"):
            sess.run(correct, {y: [[0], [3], [1]]})
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(correct, {y: [0, 1]})
