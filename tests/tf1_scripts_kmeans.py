"""TF1 k-means scripts (tf.contrib.factorization.KMeans), written once for both real TensorFlow and dfc.

`kmeans` is the module holding KMeans: TF's tensorflow.python.ops.clustering_ops (what contrib.factorization
re-exported) or dfc.contrib.factorization. Initial centers are given (a tensor or a callable), since TF's
random draws are its own. TF's mini-batch step reads the cluster counts racing with its own update of them
(its gather of the counts has no dependency on its scatter_add), so its mini-batch values vary from run to
run; only what its initialization chose is recorded for those scripts (MINI_BATCH_RECORDED), the training
is checked against the rule TF's source states. tests/record_kmeans_scripts.py records TF's answers
(tests/data/tf_expectations/script_kmeans_<name>.npz), tests/test_kmeans.py compares dfc with them.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32


def blobs(seed: int, n: int, features: int, clusters: int, spread: float = 4.0):
    """n points around `clusters` random centers, with their blob labels."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((clusters, features)) * spread
    labels = rng.integers(0, clusters, n)
    return (centers[labels] + rng.standard_normal((n, features))).astype(F32), labels


def _centers_var(tf):
    return next(v for v in tf.global_variables() if v.op.name.endswith("clusters"))


def full_batch_script(tf, Session, kmeans, metric: str) -> dict[str, np.ndarray]:
    """Lloyd iterations from given centers (one of them far from every point, so its cluster empties)."""
    data, _ = blobs(7, 60, 3, 3)
    start = np.concatenate([data[:3], np.full((1, 3), 50.0, F32)])
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    km = kmeans.KMeans(inputs=x, num_clusters=4, initial_clusters=start, distance_metric=metric)
    all_scores, cluster_idx, scores, initialized, init_op, train_op = km.training_graph()
    avg = tf.reduce_mean(scores)
    out: dict[str, list] = {"avg": [], "idx": []}
    with Session() as sess:
        sess.run(tf.global_variables_initializer(), {x: data})
        out["initialized_before"] = sess.run(initialized)
        sess.run(init_op, {x: data})
        out["initialized_after"] = sess.run(initialized)
        for _ in range(4):
            _, d, idx = sess.run([train_op, avg, cluster_idx[0]], {x: data})
            out["avg"].append(d)
            out["idx"].append(idx)
        out["all_scores"], out["scores"] = sess.run([all_scores[0], scores[0]], {x: data[:7]})
        out["centers"] = sess.run(_centers_var(tf))
    return {k: np.asarray(v) for k, v in out.items()}


def mini_batch_script(tf, Session, kmeans, metric: str, steps_per_iteration: int) -> dict[str, np.ndarray]:
    """Mini-batch k-means over a stream of batches, centers from a callable, filled over several init runs."""
    data, _ = blobs(11, 96, 4, 4)
    x = tf.placeholder(tf.float32, [None, 4], name="x")

    def first_two(inputs, remaining):
        return inputs[0][:2]
    km = kmeans.KMeans(inputs=[x], num_clusters=6, initial_clusters=first_two, distance_metric=metric,
                       use_mini_batch=True, mini_batch_steps_per_iteration=steps_per_iteration)
    all_scores, cluster_idx, scores, initialized, init_op, train_op = km.training_graph()
    avg = tf.reduce_mean(scores)
    out: dict[str, list] = {"initialized": [], "avg": [], "idx": []}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(4):  # 2 + 2 + 2 centers, then a run that only checks
            sess.run(init_op, {x: data[8 * step + 1:]})
            out["initialized"].append(sess.run(initialized))
        out["init_centers"] = sess.run(_centers_var(tf))
        for step in range(8):
            batch = data[12 * step: 12 * step + 12]
            _, d, idx = sess.run([train_op, avg, cluster_idx[0]], {x: batch})
            out["avg"].append(d)
            out["idx"].append(idx)
        out["scores"] = sess.run(scores[0], {x: data[:10]})
        out["centers"] = sess.run(_centers_var(tf))
    return {k: np.asarray(v) for k, v in out.items()}


SCRIPTS = {
    "lloyd_euclidean": lambda tf, S, m: full_batch_script(tf, S, m, "squared_euclidean"),
    "lloyd_cosine": lambda tf, S, m: full_batch_script(tf, S, m, "cosine"),
    "mini_batch_euclidean": lambda tf, S, m: mini_batch_script(tf, S, m, "squared_euclidean", 1),
    "mini_batch_cosine": lambda tf, S, m: mini_batch_script(tf, S, m, "cosine", 1),
    "mini_batch_sync_euclidean": lambda tf, S, m: mini_batch_script(tf, S, m, "squared_euclidean", 3),
    "mini_batch_sync_cosine": lambda tf, S, m: mini_batch_script(tf, S, m, "cosine", 3),
}

MINI_BATCH_RECORDED = ("initialized", "init_centers")
