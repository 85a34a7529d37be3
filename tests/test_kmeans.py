"""tf.contrib.factorization.KMeans against TensorFlow's recordings, numpy references, a kmeans.py script, errors.

TF's KMeans (tensorflow.python.ops.clustering_ops in TF 2.x) is recorded on the scripts of
tests/tf1_scripts_kmeans.py by tests/record_kmeans_scripts.py. Mini-batch training is checked against the rule
TF's source states, in numpy (TF's own run races on its counts); random initializations draw TF's own numbers,
so they are checked by what they must give (centers taken from the data, accuracy on separated blobs).
"""

from __future__ import annotations

import numpy as np
import pytest
from recordings import assert_matches_recording
from tf1_scripts_kmeans import MINI_BATCH_RECORDED, SCRIPTS, blobs

import dfc as tf
from dfc.contrib import factorization

pytestmark = pytest.mark.usefixtures("fresh_graph")


def _normalize(x):
    return x / np.sqrt(np.maximum((x * x).sum(1, keepdims=True), 1e-12))


def numpy_mini_batch(data, metric: str, spi: int):
    """TF's mini-batch k-means rule, as tests/tf1_scripts_kmeans.mini_batch_script drives it: per step the
    batch's assignment to the synced centers, then x += (sum d_i - m x) / (n + m) on the updated copy."""
    cosine = metric == "cosine"
    start = np.concatenate([data[1:3], data[9:11], data[17:19]]).astype(np.float64)
    start = _normalize(start) if cosine else start
    synced, updated = start.copy(), start.copy()
    counts, steps = (np.ones(6) if spi == 1 else np.zeros(6)), spi
    avgs, idxs = [], []
    for step in range(8):
        batch = data[12 * step: 12 * step + 12].astype(np.float64)
        batch = _normalize(batch) if cosine else batch
        centers = (updated if spi == 1 else synced)
        centers = _normalize(centers) if cosine and spi == 1 else centers
        if spi > 1:
            if steps <= 0:
                steps, synced, counts = spi - 1, (_normalize(updated) if cosine else updated.copy()), counts * 0
            else:
                steps -= 1
        d2 = np.maximum(((batch[:, None, :] - centers[None]) ** 2).sum(-1), 0)
        idx = d2.argmin(1)
        avgs.append(d2.min(1).mean() * (0.5 if cosine else 1.0))
        idxs.append(idx)
        for c in np.unique(idx):
            m = (idx == c).sum()
            updated[c] += (batch[idx == c].sum(0) - m * updated[c]) / (counts[c] + m)
            counts[c] += m
    return np.array(avgs), np.array(idxs), (updated if spi == 1 else synced)


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_kmeans_scripts_match_tensorflow(backend):
    data, _ = blobs(11, 96, 4, 4)
    for name, script in SCRIPTS.items():
        tf.reset_default_graph()
        actual = script(tf, lambda: tf.Session(backend=backend), factorization)
        if name.startswith("mini_batch"):
            metric = "cosine" if name.endswith("cosine") else "squared_euclidean"
            avg, idx, centers = numpy_mini_batch(data, metric, 3 if "sync" in name else 1)
            np.testing.assert_array_equal(actual["idx"], idx, err_msg=name)
            np.testing.assert_allclose(actual["avg"], avg, rtol=1e-5, atol=1e-5, err_msg=name)
            np.testing.assert_allclose(actual["centers"], centers, rtol=1e-5, atol=1e-5, err_msg=name)
            actual = {key: actual[key] for key in MINI_BATCH_RECORDED}
        assert_matches_recording(actual, f"script_kmeans_{name}", lambda key: {"rtol": 2e-5, "atol": 2e-5})
