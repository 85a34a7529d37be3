"""TF1's matrix functions beyond values: their errors name the user's tensors and ops, and on a GPU machine
they run on the CPU (no GPU kernel: TF1's soft placement) beside the GPU's ops."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.errors import InvalidArgumentError


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_singular_and_indefinite_matrices_fail_the_run_naming_the_op(backend):
    a = tf.placeholder(tf.float32, [2, 2], name="a")
    inv = tf.matrix_inverse(a, name="my_inverse")
    chol = tf.cholesky(a, name="my_cholesky")
    solve = tf.matrix_solve(a, tf.ones([2, 1]), name="my_solve")
    det = tf.matrix_determinant(a)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)
    with tf.Session(backend=backend) as sess:
        with pytest.raises(InvalidArgumentError, match="my_inverse.*not invertible"):
            sess.run(inv, {a: singular})
        with pytest.raises(InvalidArgumentError, match="my_solve.*not invertible"):
            sess.run(solve, {a: singular})
        with pytest.raises(InvalidArgumentError, match="my_cholesky.*Cholesky decomposition was not successful"):
            sess.run(chol, {a: -np.eye(2, dtype=np.float32)})
        assert sess.run(det, {a: singular}) == 0.0


def test_bad_inputs_are_refused_while_building():
    rect = tf.placeholder(tf.float32, [3, 4], name="rect")
    ints = tf.placeholder(tf.int32, [3, 3], name="ints")
    with pytest.raises(ValueError, match="rect"):
        tf.matrix_inverse(rect)
    with pytest.raises(ValueError, match="rect"):
        tf.cholesky(rect)
    with pytest.raises(TypeError, match="ints"):
        tf.matrix_determinant(ints)
    with pytest.raises(ValueError, match="same number of rows"):
        tf.matrix_solve(tf.eye(3), tf.ones([4, 2]))
    with pytest.raises(ValueError, match="inner dimension"):
        tf.cross(rect, rect)
    assert tf.svd(rect, compute_uv=False).shape.as_list() == [3]
    s, u, v = tf.svd(rect, full_matrices=True)
    assert (u.shape.as_list(), v.shape.as_list()) == ([3, 3], [4, 4])
    q, r = tf.qr(tf.placeholder(tf.float64, [None, 5, 2]))
    assert (q.shape.as_list(), r.shape.as_list()) == ([None, 5, 2], [None, 2, 2])


def test_on_a_gpu_machine_the_lapack_ops_run_on_the_cpu(emulated_gpu):
    rng = np.random.default_rng(3)
    a_value = rng.standard_normal((3, 3)).astype(np.float32) + 3 * np.eye(3, dtype=np.float32)
    a = tf.placeholder(tf.float32, [3, 3], name="a")
    y = tf.matmul(tf.matrix_inverse(a, name="inverse"), a, name="product")
    grad = tf.gradients(tf.reduce_sum(tf.matrix_determinant(a * 2.0) * 3.0), a)[0]
    with tf.Session() as sess:
        got, got_grad = sess.run([y, grad], {a: a_value})
        from dfc.runtime.gpu_placement import PlacedExecutable
        placed = [e for e in sess._cache.values() if isinstance(e, PlacedExecutable)][-1]
    np.testing.assert_allclose(got, np.eye(3), atol=1e-5)
    want = 3.0 * 2.0 * np.linalg.det(2.0 * a_value) * np.linalg.inv(2.0 * a_value).T
    np.testing.assert_allclose(got_grad, want, rtol=1e-4)
    devices = placed.devices
    assert devices["inverse"].endswith("CPU:0"), devices
    assert any(d.endswith("GPU:0") for d in devices.values()), devices
