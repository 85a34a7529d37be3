"""tf.contrib.tensor_forest: the tree-growing op against a sequential numpy model of TF's V4 trees, the
TensorFlow-Examples random_forest.py script, accuracy against a numpy extra-trees forest, checkpoints, resources
and errors. (TF 2.x has no tensor_forest to record; TF's candidates come from its own C++ generator.)
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.contrib.tensor_forest.python import tensor_forest
from dfc.ir.ops.forest import STATE, _grow, smoothed_gini, traverse
from dfc.python.ops import resources

pytestmark = pytest.mark.usefixtures("fresh_graph")


def empty_tree(nodes: int, slots: int, classes: int) -> list[np.ndarray]:
    return [np.int32(1), np.full(nodes, -1, np.int32), np.full(nodes, -1, np.int32), np.zeros(nodes, np.float32),
            np.zeros((nodes, classes), np.float32), np.zeros((nodes, slots), np.int32),
            np.zeros((nodes, slots), np.float32), np.zeros(nodes, np.int32), np.zeros((nodes, slots, classes),
                                                                                      np.float32),
            np.zeros((nodes, classes), np.float32)]


def sequential_grow(data, labels, uniforms, state: list, split_after: int) -> list:
    """TF's V4 training step one example at a time: the leaf model, then (while the tree has room for two more
    nodes) a candidate per new example until the leaf has S, the example counted into the candidates made so far,
    the leaf finished once it has split_after_samples examples of two classes; then the finished leaves split."""
    s = dict(zip(STATE, (np.array(a, copy=True) for a in state)))
    nodes, slots = s["split_features"].shape
    finished: list[int] = []
    for x, y, u in zip(data, labels, uniforms):
        leaf = int(traverse(x[None], s["children"], s["features"], s["thresholds"])[0])
        s["leaf_counts"][leaf, y] += 1
        if int(s["node_count"]) + 2 > nodes or leaf in finished:
            continue
        k = int(s["split_count"][leaf])
        if k < slots:
            f = min(int(u * len(x)), len(x) - 1)
            s["split_features"][leaf, k], s["split_thresholds"][leaf, k] = f, x[f]
            s["split_count"][leaf] = k + 1
        for c in range(int(s["split_count"][leaf])):
            if x[s["split_features"][leaf, c]] <= s["split_thresholds"][leaf, c]:
                s["left_counts"][leaf, c, y] += 1
        s["total_counts"][leaf, y] += 1
        if s["total_counts"][leaf].sum() >= split_after and (s["total_counts"][leaf] > 0).sum() >= 2:
            finished.append(leaf)
    for leaf in sorted(finished):
        if int(s["node_count"]) + 2 > nodes:
            break
        k = int(s["split_count"][leaf])
        left = s["left_counts"][leaf, :k].astype(np.float64)
        right = s["total_counts"][leaf] - left
        scores = [smoothed_gini(left[c]) + smoothed_gini(right[c]) if left[c].sum() > 0 and right[c].sum() > 0
                  else np.inf for c in range(k)]
        if np.isfinite(min(scores)):
            best, child = int(np.argmin(scores)), int(s["node_count"])
            s["children"][leaf], s["features"][leaf] = child, s["split_features"][leaf, best]
            s["thresholds"][leaf] = s["split_thresholds"][leaf, best]
            s["leaf_counts"][child], s["leaf_counts"][child + 1] = left[best], right[best]
            s["node_count"] = np.int32(child + 2)
        for name in STATE[5:]:
            s[name][leaf] = 0
    return [s[name] for name in STATE]


def blob_batch(rng, n: int, centers: np.ndarray):
    y = rng.integers(0, len(centers), n)
    return (centers[y] + rng.standard_normal((n, centers.shape[1]))).astype(np.float32), y.astype(np.int32)


def test_the_grow_op_follows_tf_v4_trees_example_by_example():
    rng = np.random.default_rng(3)
    centers = rng.standard_normal((3, 5)) * 1.5
    state, expected = empty_tree(15, 4, 3), empty_tree(15, 4, 3)
    for _ in range(12):
        x, y = blob_batch(rng, 40, centers)
        u = rng.random(40).astype(np.float32)
        state = list(_grow(x, y, np.ones(40, np.float32), u, *state, split_after_samples=20))
        expected = sequential_grow(x, y, u, expected, 20)
        for name, got, want in zip(STATE, state, expected):
            np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=name)
    assert int(state[0]) == 15  # grown until no room for two more nodes
    leaves = traverse(x, state[1], state[2], state[3])
    assert (state[1][leaves] == -1).all()


def _numpy_extra_trees(x, y, classes: int, trees: int, max_nodes: int, tries: int, min_split: int, rng):
    """A batch extremely randomized forest: each node tries `tries` random (feature, uniform threshold) splits
    and keeps the lowest Gini, breadth first until max_nodes; predicts the mean of the leaves' class frequencies."""
    forest = []
    for _ in range(trees):
        nodes = [{"rows": np.arange(len(y))}]
        queue = [0]
        while queue and len(nodes) + 2 <= max_nodes:
            node = nodes[queue.pop(0)]
            rows = node["rows"]
            if len(rows) < min_split or len(np.unique(y[rows])) < 2:
                continue
            best = None
            for f in rng.integers(0, x.shape[1], tries):
                lo, hi = x[rows, f].min(), x[rows, f].max()
                t = rng.uniform(lo, hi)
                go = x[rows, f] <= t
                if go.all() or not go.any():
                    continue
                score = sum(smoothed_gini(np.bincount(y[rows][m], minlength=classes).astype(float))
                            for m in (go, ~go))
                if best is None or score < best[0]:
                    best = (score, f, t, go)
            if best is None:
                continue
            node["split"] = (best[1], best[2], len(nodes))
            nodes += [{"rows": rows[best[3]]}, {"rows": rows[~best[3]]}]
            queue += [len(nodes) - 2, len(nodes) - 1]
        forest.append(nodes)

    def predict(xs):
        total = np.zeros((len(xs), classes))
        for nodes in forest:
            for i, row in enumerate(xs):
                node = nodes[0]
                while "split" in node:
                    f, t, child = node["split"]
                    node = nodes[child if row[f] <= t else child + 1]
                total[i] += np.bincount(y[node["rows"]], minlength=classes) / max(len(node["rows"]), 1)
        return total.argmax(1)
    return predict


def digits_like(rng, n: int):
    """8x8 'digits': ten fixed stroke patterns, each sample with random intensity, a one-pixel jitter and noise."""
    templates = np.random.default_rng(99).random((10, 8, 8)) > 0.62
    y = rng.integers(0, 10, n)
    images = templates[y] * rng.uniform(0.6, 1.0, (n, 1, 1))
    shift = rng.integers(-1, 2, n)
    images = np.stack([np.roll(im, s, axis=1) for im, s in zip(images, shift)])
    images = images + rng.normal(0, 0.25, images.shape)
    return images.reshape(n, 64).astype(np.float32), y.astype(np.int32)


def random_forest_script(train, test, classes: int, features: int, steps: int, batch: int, backend: str = "cpu",
                         **hparams):
    """TensorFlow-Examples' random_forest.py: the forest graph, TF's init of variables and resources, a Session
    loop over batches printing loss and accuracy; returns (losses, test accuracy, the session's tensors)."""
    X = tf.placeholder(tf.float32, shape=[None, features])
    Y = tf.placeholder(tf.int32, shape=[None])
    params = tensor_forest.ForestHParams(num_classes=classes, num_features=features, **hparams).fill()
    forest_graph = tensor_forest.RandomForestGraphs(params)
    train_op = forest_graph.training_graph(X, Y)
    loss_op = forest_graph.training_loss(X, Y)
    infer_op, _, _ = forest_graph.inference_graph(X)
    correct_prediction = tf.equal(tf.argmax(infer_op, 1), tf.cast(Y, tf.int64))
    accuracy_op = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
    init_vars = tf.group(tf.global_variables_initializer(),
                         resources.initialize_resources(resources.shared_resources()))
    sess = tf.Session(backend=backend)
    sess.run(init_vars)
    losses = []
    for i in range(steps):
        rows = slice((i * batch) % len(train[1]), (i * batch) % len(train[1]) + batch)
        _, loss = sess.run([train_op, loss_op], feed_dict={X: train[0][rows], Y: train[1][rows]})
        losses.append(loss)
    accuracy = sess.run(accuracy_op, feed_dict={X: test[0], Y: test[1]})
    return losses, accuracy, (sess, X, Y, infer_op, forest_graph)


def test_random_forest_script_learns_separable_and_digits_like_data_as_a_numpy_forest_does():
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((4, 12)) * 2.5
    train, test = blob_batch(rng, 1200, centers), blob_batch(rng, 400, centers)
    losses, accuracy, _ = random_forest_script(train, test, 4, 12, steps=6, batch=200, backend="interpreter",
                                               num_trees=3, max_nodes=40, split_after_samples=40, base_random_seed=5)
    assert losses[0] == -1.0 and losses[-1] < -5 and sorted(losses, reverse=True) == losses
    assert accuracy > 0.95, accuracy

    tf.reset_default_graph()
    train, test = digits_like(rng, 1200), digits_like(rng, 400)
    # five passes over the data: an online tree decides each split on split_after_samples examples
    losses, accuracy, _ = random_forest_script(train, test, 10, 64, steps=30, batch=200, backend="interpreter",
                                               num_trees=4, max_nodes=120, split_after_samples=50, base_random_seed=9)
    reference = _numpy_extra_trees(train[0], train[1], 10, trees=4, max_nodes=120, tries=10, min_split=50, rng=rng)
    reference_accuracy = (reference(test[0]) == test[1]).mean()
    assert accuracy > 0.8 and accuracy > reference_accuracy - 0.08, (accuracy, reference_accuracy)


def test_inference_walks_the_trees_the_grow_op_built_and_a_checkpoint_restores_them(tmp_path):
    rng = np.random.default_rng(1)
    centers = rng.standard_normal((3, 6)) * 2
    train, test = blob_batch(rng, 600, centers), blob_batch(rng, 50, centers)
    _, _, (sess, X, Y, infer_op, forest) = random_forest_script(train, test, 3, 6, steps=6, batch=100,
                                                                backend="interpreter", num_trees=3, max_nodes=31,
                                                                split_after_samples=25)
    probs, variance = sess.run([infer_op, forest.inference_graph(X)[2]], {X: test[0]})
    per_tree = []
    for tree in forest.variables:
        state = sess.run([tree.variables[name] for name in STATE])
        counts = state[4][traverse(test[0], state[1], state[2], state[3])]
        per_tree.append(counts / np.maximum(counts.sum(1, keepdims=True), 1e-30))
        assert int(state[0]) > 1
    np.testing.assert_allclose(probs, np.mean(per_tree, 0), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(variance, np.maximum(np.mean(np.square(per_tree), 0) - probs ** 2, 0), atol=1e-6)
    path = tf.train.Saver().save(sess, str(tmp_path / "forest"))

    tf.reset_default_graph()
    X = tf.placeholder(tf.float32, shape=[None, 6])
    params = tensor_forest.ForestHParams(num_classes=3, num_features=6, num_trees=3, max_nodes=31,
                                         split_after_samples=25).fill()
    restored = tensor_forest.RandomForestGraphs(params)
    with tf.Session(backend="interpreter") as sess:
        assert sess.run(resources.report_uninitialized_resources()).tolist() == [b"tree-0/node_count",
                                                                                  b"tree-1/node_count",
                                                                                  b"tree-2/node_count"]
        with pytest.raises(tf.errors.FailedPreconditionError, match="tree-0"):
            sess.run(restored.inference_graph(X)[0], {X: test[0]})
        tf.train.Saver().restore(sess, path)
        assert sess.run(resources.report_uninitialized_resources()).size == 0
        np.testing.assert_allclose(sess.run(restored.inference_graph(X)[0], {X: test[0]}), probs)


def test_hparams_resources_and_bad_input():
    """Also the one test on the CPU backend, where dfc.forest_grow is a host call."""
    with pytest.raises(AttributeError):
        tensor_forest.ForestHParams(num_features=3).fill()
    params = tensor_forest.ForestHParams(num_classes=3, num_features=9, num_trees=2, max_nodes=7,
                                         feature_bagging_fraction=0.5, split_after_samples=20).fill()
    assert params.num_splits_to_consider == 10 and params.bagged_num_features == 4
    assert [len(f) for f in params.bagged_features] == [4, 4]
    with pytest.raises(NotImplementedError, match="regression"):
        tensor_forest.RandomForestGraphs(tensor_forest.ForestHParams(num_classes=2, num_features=3,
                                                                     regression=True).fill())
    assert resources.initialize_resources([]).type == "NoOp"
    forest = tensor_forest.RandomForestGraphs(params)
    assert len(resources.shared_resources()) == 2
    x, y = tf.placeholder(tf.float32, [None, 9]), tf.placeholder(tf.int32, [None], name="labels")
    train = forest.training_graph(x, y)
    size = forest.average_size()
    importances = forest.feature_importances()
    with tf.Session() as sess:
        sess.run(resources.initialize_resources(resources.shared_resources()))
        with pytest.raises(tf.errors.InvalidArgumentError, match="labels.*class indices in \\[0, 3\\)"):
            sess.run(train, {x: np.zeros((2, 9), np.float32), y: [0, 3]})
        rng = np.random.default_rng(4)
        for _ in range(3):
            sess.run(train, {x: rng.random((60, 9)).astype(np.float32), y: rng.integers(0, 3, 60)})
        assert sess.run(size) == 7.0
        assert sess.run(importances).sum() == pytest.approx(1.0)
