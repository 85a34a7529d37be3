"""TF1 features built from the registry's ops after the GPU backend landed, in a default Session on the emulated
GPU (tests/gpu_emulator.py) against the interpreter: tf.linalg.lu/lu_solve/tridiagonal_solve, KMeans,
tensor_forest, dynamic_rnn with DropoutWrapper trained through the loop's gradient stacks, tf.tile of fed
multiples. Each must run placed as TF1 places it: its GPU ops on the device, the host-only ones on the CPU."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.runtime.gpu_placement import PlacedExecutable


def _run_both(build, emulated_gpu):
    """build() -> run(sess) -> [arrays]: the values in a default Session (placed on the emulated GPU) and on the
    interpreter, and the devices the placed session's ops ran on."""
    results, devices = [], {}
    for backend in (None, "interpreter"):
        g = tf.Graph()
        with g.as_default():
            run = build()
            with tf.Session(graph=g, backend=backend) as sess:
                results.append(run(sess))
                if backend is None:
                    for executable in sess._cache.values():
                        if isinstance(executable, PlacedExecutable):
                            devices.update(executable.devices)
    assert not emulated_gpu.faults
    return results[0], results[1], devices


def _close(got, want, rtol=1e-4, atol=1e-5):
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g, np.float64), np.asarray(w, np.float64), rtol=rtol, atol=atol)


def _on_gpu(devices, *names):
    assert devices, "the default session placed nothing"
    for name in names:
        placed = [d for op, d in devices.items() if name in op]
        assert placed and all(d.endswith("GPU:0") for d in placed), (name, placed)


def test_lu_lu_solve_and_tridiagonal_solve_with_their_gradient(emulated_gpu):
    rng = np.random.default_rng(0)
    a_value = rng.standard_normal((4, 4)).astype(np.float32) + 4 * np.eye(4, dtype=np.float32)
    rhs = rng.standard_normal((4, 2)).astype(np.float32)
    diags = rng.standard_normal((3, 4)).astype(np.float32) + np.array([[0], [4], [0]], np.float32)

    def build():
        a = tf.placeholder(tf.float32, [4, 4])
        lu, perm = tf.linalg.lu(a, name="lu")
        x = tf.linalg.lu_solve(lu, perm, rhs, name="lu_solve")
        t = tf.linalg.tridiagonal_solve(diags, rhs, name="tridiagonal_solve")
        grad = tf.gradients(tf.reduce_sum(x * x), a, name="grad")[0]
        return lambda sess: sess.run([lu, perm, x, t, grad], {a: a_value})

    got, want, devices = _run_both(build, emulated_gpu)
    _close(got, want)
    np.testing.assert_allclose(got[2], np.linalg.solve(a_value, rhs), rtol=1e-4, atol=1e-5)
    _on_gpu(devices, "lu/")


def test_kmeans_lloyd_steps(emulated_gpu):
    rng = np.random.default_rng(1)
    data = np.concatenate([rng.normal(c, 0.3, (20, 3)) for c in (-2.0, 0.0, 2.0)]).astype(np.float32)

    def build():
        from dfc.contrib import factorization

        x = tf.placeholder(tf.float32, [None, 3])
        kmeans = factorization.KMeans(x, 3, initial_clusters=data[[0, 25, 50]])
        _, idx, scores, _, init_op, train_op = kmeans.training_graph()

        def run(sess):
            sess.run(tf.global_variables_initializer(), {x: data})
            sess.run(init_op, {x: data})
            for _ in range(2):
                sess.run(train_op, {x: data})
            return sess.run([idx[0], scores[0], tf.global_variables()[0]], {x: data})
        return run

    got, want, devices = _run_both(build, emulated_gpu)
    np.testing.assert_array_equal(got[0], want[0])
    _close(got[1:], want[1:])
    assert any(d.endswith("GPU:0") for d in devices.values())


def test_tensor_forest_grows_on_the_host_and_infers_on_the_gpu(emulated_gpu):
    from dfc.contrib.tensor_forest.python import tensor_forest
    from dfc.python.ops import resources

    rng = np.random.default_rng(2)
    features = rng.normal(size=(40, 4)).astype(np.float32)
    labels = (features[:, 0] + features[:, 1] > 0).astype(np.int32)

    def build():
        x = tf.placeholder(tf.float32, [None, 4])
        y = tf.placeholder(tf.int32, [None])
        # seeded: an unseeded forest draws other candidates in every session, as TF1's does
        params = tensor_forest.ForestHParams(num_classes=2, num_features=4, num_trees=1, max_nodes=15,
                                             split_after_samples=10, base_random_seed=7).fill()
        forest = tensor_forest.RandomForestGraphs(params)
        train_op = forest.training_graph(x, y)
        probs, _, _ = forest.inference_graph(x)
        init = tf.group(tf.global_variables_initializer(), resources.initialize_resources(resources.shared_resources()))

        def run(sess):
            sess.run(init)
            for k in range(2):
                sess.run(train_op, {x: features[k * 20:(k + 1) * 20], y: labels[k * 20:(k + 1) * 20]})
            return [sess.run(probs, {x: features})]
        return run

    got, want, devices = _run_both(build, emulated_gpu)
    _close(got, want, rtol=1e-6, atol=1e-7)
    on_cpu = [op for op, d in devices.items() if d.endswith("CPU:0")]
    assert on_cpu == ["tree_0_train/GrowTree"], "only the host op (dfc.forest_grow) stays on the CPU"
    assert any(d.endswith("GPU:0") for d in devices.values())


def test_dynamic_rnn_with_dropout_trains_through_the_loops_gradient_stacks(emulated_gpu):
    rng = np.random.default_rng(3)
    inputs = rng.standard_normal((2, 4, 3)).astype(np.float32)

    def build():
        tf.set_random_seed(5)
        x = tf.placeholder(tf.float32, [2, None, 3])
        cell = tf.contrib.rnn.DropoutWrapper(tf.contrib.rnn.BasicLSTMCell(5), output_keep_prob=0.7, seed=9)
        outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        loss = tf.reduce_mean(tf.square(outputs))
        train = tf.train.AdamOptimizer(0.1).minimize(loss)

        def run(sess):
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([train, loss], {x: inputs})[1] for _ in range(2)]
            return [losses, *sess.run(tf.trainable_variables())]
        return run

    got, want, devices = _run_both(build, emulated_gpu)
    _close(got, want, rtol=1e-4, atol=1e-5)
    _on_gpu(devices, "rnn/while")


@pytest.mark.parametrize("multiples", [[2, 3], [1, 1]])
def test_tile_by_fed_multiples(emulated_gpu, multiples):
    x_value = np.arange(6, dtype=np.float32).reshape(2, 3)

    def build():
        x = tf.placeholder(tf.float32, [2, 3])
        m = tf.placeholder(tf.int32, [2])
        tiled = tf.tile(x, m, name="tiled")
        return lambda sess: sess.run([tiled, tf.reduce_sum(tiled * tiled, 1)], {x: x_value, m: multiples})

    got, want, devices = _run_both(build, emulated_gpu)
    _close(got, want)
    np.testing.assert_array_equal(got[0], np.tile(x_value, multiples))
    _on_gpu(devices, "tiled", "Sum")  # the fed multiples make the tile static before placement
