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


def test_kmeans_scripts_match_tensorflow():
    """On the reference interpreter (the estimator test below runs KMeans on the CPU backend)."""
    data, _ = blobs(11, 96, 4, 4)
    for name, script in SCRIPTS.items():
        tf.reset_default_graph()
        actual = script(tf, lambda: tf.Session(backend="interpreter"), factorization)
        if name.startswith("mini_batch"):
            metric = "cosine" if name.endswith("cosine") else "squared_euclidean"
            avg, idx, centers = numpy_mini_batch(data, metric, 3 if "sync" in name else 1)
            np.testing.assert_array_equal(actual["idx"], idx, err_msg=name)
            np.testing.assert_allclose(actual["avg"], avg, rtol=1e-5, atol=1e-5, err_msg=name)
            np.testing.assert_allclose(actual["centers"], centers, rtol=1e-5, atol=1e-5, err_msg=name)
            actual = {key: actual[key] for key in MINI_BATCH_RECORDED}
        assert_matches_recording(actual, f"script_kmeans_{name}", lambda key: {"rtol": 2e-5, "atol": 2e-5})


def _is_data_row(data, rows) -> bool:
    return all((np.abs(data - r).sum(1) < 1e-5).any() for r in rows)


def test_a_tensorflow_examples_kmeans_script_clusters_separated_blobs():
    """TensorFlow-Examples' kmeans.py: KMeans on a placeholder, init_op and train_op fed the data, clusters
    labelled by the majority of their points; every initialization and metric reaches a high accuracy."""
    data, labels = blobs(3, 1500, 8, 5, spread=5.0)
    one_hot = np.eye(5, dtype=np.float32)[labels]
    # on the interpreter: the estimator test below runs KMeans on the CPU backend
    for init, metric, mini, backend in [("random", "squared_euclidean", True, "interpreter"),
                                        ("kmeans_plus_plus", "cosine", True, "interpreter"),
                                        ("kmc2", "squared_euclidean", True, "interpreter"),
                                        ("random", "cosine", False, "interpreter")]:
        tf.reset_default_graph()
        X = tf.placeholder(tf.float32, shape=[None, 8])
        Y = tf.placeholder(tf.float32, shape=[None, 5])
        kmeans = tf.contrib.factorization.KMeans(inputs=X, num_clusters=12, initial_clusters=init,
                                                 distance_metric=metric, use_mini_batch=mini, kmc2_chain_length=100)
        (all_scores, cluster_idx, scores, cluster_centers_initialized, init_op,
         train_op) = kmeans.training_graph()
        cluster_idx = cluster_idx[0]
        avg_distance = tf.reduce_mean(scores)
        sess = tf.Session(backend=backend)
        sess.run(tf.global_variables_initializer(), feed_dict={X: data})
        while not sess.run(cluster_centers_initialized):  # kmc2 chooses its first center alone
            sess.run(init_op, feed_dict={X: data})
        centers = sess.run(tf.global_variables()[0])
        assert _is_data_row(data if metric != "cosine" else data / np.linalg.norm(data, axis=1, keepdims=True),
                            centers), init
        distances = []
        for _ in range(10):
            _, d, idx = sess.run([train_op, avg_distance, cluster_idx], feed_dict={X: data})
            distances.append(d)
        assert distances[-1] <= distances[0] + 1e-6, (init, distances)
        counts = np.zeros((12, 5))
        for i in range(len(idx)):
            counts[idx[i]] += one_hot[i]
        labels_map = tf.convert_to_tensor([np.argmax(c) for c in counts])
        cluster_label = tf.nn.embedding_lookup(labels_map, cluster_idx)
        correct_prediction = tf.equal(cluster_label, tf.cast(tf.argmax(Y, 1), tf.int32))
        accuracy = sess.run(tf.reduce_mean(tf.cast(correct_prediction, tf.float32)), feed_dict={X: data, Y: one_hot})
        assert accuracy > 0.97, (init, metric, accuracy)


def test_random_initialization_takes_a_whole_batch_no_bigger_than_the_centers_it_needs():
    data, _ = blobs(5, 20, 3, 2)
    x = tf.placeholder(tf.float32, [None, 3])
    *_, initialized, init_op, train_op = factorization.KMeans(x, 6, use_mini_batch=True).training_graph()
    with tf.Session(backend="interpreter") as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match="'clusters' are not initialized"):
            sess.run(train_op, {x: data})
        sess.run(init_op, {x: data[:4]})  # 4 <= 6 centers needed: all 4 rows, in order
        assert not sess.run(initialized)
        sess.run(init_op, {x: data[4:]})  # 2 more, drawn from 16 rows
        assert sess.run(initialized)
        centers = sess.run(tf.global_variables()[0])
        np.testing.assert_array_equal(centers[:4], data[:4])
        assert _is_data_row(data[4:], centers[4:])
        sess.run(init_op, {x: data})  # all chosen: only checks
        np.testing.assert_array_equal(sess.run(tf.global_variables()[0]), centers)
        sess.run(train_op, {x: data})


def test_tf1_import_paths():
    from dfc.python.ops import clustering_ops
    assert clustering_ops.KMeans is factorization.KMeans is tf.contrib.factorization.KMeans
    assert clustering_ops.COSINE_DISTANCE == "cosine" and clustering_ops.KMC2_INIT == "kmc2"


def test_bad_arguments_fail_as_in_tensorflow():
    x = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(ValueError, match="Unsupported initialization algorithm `kmeans`"):
        factorization.KMeans(x, 3, initial_clusters="kmeans")
    with pytest.raises(ValueError, match="Unsupported distance metric `manhattan`"):
        factorization.KMeans(x, 3, distance_metric="manhattan")
    with pytest.raises(ValueError, match="number of features.*'Placeholder_1:0'"):
        factorization.KMeans(tf.placeholder(tf.float32, [None, None]), 3).training_graph()
    given = tf.placeholder(tf.float32, [2, 3])
    *_, init_op, _ = factorization.KMeans(x, 2, initial_clusters=given).training_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(init_op, {x: np.ones((5, 3), np.float32), given: np.zeros((2, 3), np.float32)})


def test_kmeans_clustering_estimator_runs_lloyd_from_given_centers(tmp_path):
    """tf.contrib.factorization.KMeansClustering: train() initializes the centers (a hook, before the first step),
    then steps; from given centers its iterations are numpy's Lloyd's."""
    points, _ = blobs(2, 120, 2, 3, spread=6.0)
    start = points[:3].copy()

    def input_fn():
        return tf.train.limit_epochs(tf.convert_to_tensor(points), num_epochs=3)
    kmeans = tf.contrib.factorization.KMeansClustering(num_clusters=3, initial_clusters=start, use_mini_batch=False,
                                                       model_dir=str(tmp_path))
    kmeans.train(input_fn)  # given centers read no batch: three epochs, three Lloyd steps
    centers = start.astype(np.float64)
    for _ in range(3):
        idx = ((points[:, None] - centers[None]) ** 2).sum(-1).argmin(1)
        centers = np.stack([points[idx == c].sum(0) / ((idx == c).sum() + 1e-6) for c in range(3)])
    np.testing.assert_allclose(kmeans.cluster_centers(), centers, rtol=1e-5, atol=1e-5)
    distances = ((points[:, None] - centers[None]) ** 2).sum(-1)
    one_epoch = lambda: tf.train.limit_epochs(tf.convert_to_tensor(points), num_epochs=1)  # noqa: E731
    np.testing.assert_array_equal(list(kmeans.predict_cluster_index(one_epoch)), distances.argmin(1))
    assert kmeans.score(one_epoch) == pytest.approx(distances.min(1).sum(), rel=1e-4)
    np.testing.assert_allclose(next(kmeans.transform(one_epoch)), distances[0], rtol=1e-4, atol=1e-3)
