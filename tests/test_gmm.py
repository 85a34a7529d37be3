"""tf.contrib.factorization's GMM: the EM graph (gmm) against numpy's EM, and the GMM Estimator.

TF 2.x has no GMM to record; numpy's EM below follows TF1's gmm_ops: covariances regularized by 1e-3 I, the
M-step's covariances from the new means, the loss the log of the summed likelihoods.
"""

from __future__ import annotations

import numpy as np
import pytest
from tf1_scripts_kmeans import blobs

import dfc as tf
from dfc.contrib.factorization import GMM, gmm

pytestmark = pytest.mark.usefixtures("fresh_graph")
EPS = np.finfo(float).eps


def _logsumexp(a, axis=None, keepdims=False):
    top = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(a - top), axis=axis, keepdims=True)) + top
    return out if keepdims else np.squeeze(out, axis=axis)


def numpy_em(x, means, covariance_type: str, steps: int):
    """(alphas, means, covariances, [(loss, assignments, scores) per step])."""
    x = x.astype(np.float64)
    k, d = means.shape
    reg = np.eye(d) * 1e-3
    centered = x - x.mean(0)
    cov = centered.T @ centered / (len(x) - 1) + reg
    covs = np.tile(cov, (k, 1, 1)) if covariance_type == "full" else np.tile(np.diag(cov), (k, 1))
    alphas, out = np.full(k, 1.0 / k), []
    for _ in range(steps):
        if covariance_type == "full":
            probs = np.stack([-0.5 * (np.einsum("ij,jk,ik->i", x - means[j], np.linalg.inv(covs[j] + reg), x - means[j])
                                      + d * np.log(2 * np.pi) + np.linalg.slogdet(covs[j] + reg)[1])
                              for j in range(k)], 1)
        else:
            probs = -0.5 * (d * np.log(2 * np.pi) + np.log(covs + 1e-3).sum(1)[None]
                            + ((x[:, None] - means[None]) ** 2 / (covs[None] + 1e-3)).sum(2))
        probs += np.log(alphas)
        prior = _logsumexp(probs, 1, keepdims=True)
        w = np.exp(probs - prior)
        points = w.sum(0)
        out.append((_logsumexp(prior), w.argmax(1), prior))
        alphas = points / (points.sum() + EPS)
        means = (w.T @ x) / (points[:, None] + EPS)
        full = (np.einsum("ik,ij,il->kjl", w, x, x) / (points[:, None, None] + EPS)
                - np.einsum("kj,kl->kjl", means, means) + reg)
        covs = full if covariance_type == "full" else np.stack([np.diag(c) for c in full])
    return alphas, means, covs, out


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_gmm_em_steps_match_numpy(covariance_type):
    data, _ = blobs(4, 200, 3, 3, spread=3.0)
    x = tf.placeholder(tf.float32, [None, 3])
    loss, scores, assignments, train, init, initialized = gmm(x, data[:3], 3, 0, covariance_type)
    names = {v.op.name: v for v in tf.global_variables()}
    with tf.Session(backend="interpreter") as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(init, {x: data})
        assert sess.run(initialized)
        got = [sess.run([loss, assignments[0][0], scores, train], {x: data})[:3] for _ in range(3)]
        alphas, means, covs = sess.run([names["alphas"], names["clusters"], names["clusters_covs"]])
    want_alphas, want_means, want_covs, want = numpy_em(data, data[:3], covariance_type, 3)
    for (loss_value, assigned, score), (want_loss, want_assigned, want_score) in zip(got, want):
        assert loss_value == pytest.approx(want_loss, abs=1e-4)
        np.testing.assert_array_equal(assigned, want_assigned)
        np.testing.assert_allclose(score, want_score, atol=1e-4)
    np.testing.assert_allclose(alphas, want_alphas, atol=1e-5)
    np.testing.assert_allclose(means[:, 0], want_means, atol=1e-4)
    np.testing.assert_allclose(covs, want_covs, atol=1e-4)


def test_gmm_estimator(tmp_path):
    """GMM.train: the init hook reads the first batch (its covariance), each later batch one EM step."""
    data, _ = blobs(6, 150, 2, 3, spread=5.0)

    def input_fn(epochs):
        return lambda: tf.train.limit_epochs(tf.convert_to_tensor(data), num_epochs=epochs)
    model = GMM(3, model_dir=str(tmp_path), initial_clusters=data[:3], covariance_type="diag")
    model.train(input_fn(3))
    want_alphas, want_means, want_covs, _ = numpy_em(data, data[:3], "diag", 2)
    np.testing.assert_allclose(model.weights(), want_alphas, atol=1e-5)
    np.testing.assert_allclose(model.clusters(), want_means, atol=1e-4)
    np.testing.assert_allclose(model.covariances(), want_covs, atol=1e-4)
