"""tf.contrib.opt: its optimizers against TF's recording (dense and sparse paths, slot names), and
ScipyOptimizerInterface driving a session the way TF1 scripts do."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize

import dfc as tf
from recordings import load_recording
from tf1_scripts_contrib import moving_average_training, train_contrib_optimizers


def test_contrib_optimizers_match_tensorflow():
    recorded = load_recording("script_contrib_opt_train")
    got = train_contrib_optimizers(tf, tf.contrib.opt)
    assert sorted(got) == sorted(recorded)  # the same variables, slots named as TF1 names them
    for key, value in got.items():
        np.testing.assert_allclose(value, recorded[key], rtol=2e-5, atol=2e-6, err_msg=key)


def test_lazy_adam_moves_only_the_named_rows():
    tf.reset_default_graph()
    emb = tf.Variable(np.ones((5, 2), np.float32), name="emb")
    loss = tf.reduce_sum(tf.gather(emb, [3, 1, 3]) ** 2)
    lazy = tf.contrib.opt.LazyAdamOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(lazy)
        sess.run(tf.assign(emb, emb))  # a dense Adam would keep moving rows 1 and 3 (and decay m elsewhere)
        value = sess.run(emb)
    np.testing.assert_array_equal(value[[0, 2, 4]], 1.0)
    np.testing.assert_allclose(value[[1, 3]], 0.9, rtol=1e-5)


def test_scipy_optimizer_interface_as_style_transfer_scripts_use_it():
    tf.reset_default_graph()
    target = np.array([[0.5, -2.0, 3.0], [1.0, 4.0, -1.0]], np.float32)
    scale = tf.placeholder(tf.float32, [], name="scale")
    image = tf.Variable(np.zeros((2, 3), np.float32), name="image")
    other = tf.Variable(np.float32(2.0), name="other")
    loss = scale * tf.reduce_sum(tf.square(image - target)) + tf.square(other - 1.0) + 0.1 * tf.reduce_sum(image ** 4)
    optimizer = tf.contrib.opt.ScipyOptimizerInterface(
        loss, method="L-BFGS-B", options={"maxiter": 50}, var_list=[image, other],
        var_to_bounds={image: (-1.0, [2.0, 2.0, 2.5])})
    seen, steps = [], []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        optimizer.minimize(sess, feed_dict={scale: 2.0}, fetches=[loss, image],
                           loss_callback=lambda value, img: seen.append((value, img.copy())),
                           step_callback=steps.append)
        got_image, got_other = sess.run([image, other])

    def reference(x):  # the same loss in float32, as the session computes it
        img, oth = x[:6].astype(np.float32).reshape(2, 3), np.float32(x[6])
        diff = img - target
        value = 2.0 * np.sum(diff ** 2) + (oth - 1) ** 2 + np.float32(0.1) * np.sum(img ** 4)
        grad = np.concatenate([(4.0 * diff + np.float32(0.4) * img ** 3).ravel(), [2 * (oth - 1)]])
        return np.float32(value), grad.astype(np.float64)
    bounds = [(-1.0, 2.0), (-1.0, 2.0), (-1.0, 2.5)] * 2 + [(-np.inf, np.inf)]
    expected = scipy.optimize.minimize(reference, np.array([0.0] * 6 + [2.0]), jac=True, method="L-BFGS-B",
                                       bounds=bounds, options={"maxiter": 50})
    np.testing.assert_allclose(got_image.ravel(), expected.x[:6], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got_other, expected.x[6], rtol=1e-4, atol=1e-4)
    assert np.all(got_image >= -1.0) and got_image[0, 2] <= 2.5 and got_image[1, 1] <= 2.0
    # one loss_callback per evaluation (with the fetches), one step_callback per iteration; float32 rounding
    # may cost scipy an evaluation more or less than the float64-gradient reference
    assert abs(len(seen) - expected.nfev) <= 2 and abs(len(steps) - expected.nit) <= 2 and len(steps) > 3
    assert min(value for value, _ in seen) == pytest.approx(expected.fun, rel=1e-5)
    assert seen[0][0] == pytest.approx(reference(np.array([0.0] * 6 + [2.0]))[0])


def test_scipy_optimizer_interface_constraints_and_its_errors():
    tf.reset_default_graph()
    vector = tf.Variable([7.0, 7.0], name="vector")
    loss = tf.reduce_sum(tf.square(vector))
    optimizer = tf.contrib.opt.ScipyOptimizerInterface(loss, equalities=[vector[1] - 1.0],
                                                       inequalities=[vector[0] - 1.0], method="SLSQP")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        optimizer.minimize(sess)
        np.testing.assert_allclose(sess.run(vector), [1.0, 1.0], atol=1e-4)
        with pytest.raises(ValueError, match="Bounds must be set using the var_to_bounds argument"):
            tf.contrib.opt.ScipyOptimizerInterface(loss, bounds=[(0, 1)] * 2).minimize(sess)
        with pytest.raises(ValueError, match="'jac' is set automatically"):
            tf.contrib.opt.ScipyOptimizerInterface(loss, jac=False).minimize(sess)


def test_moving_average_optimizer_and_its_swapping_saver(tmp_path):
    recorded = load_recording("script_contrib_opt_moving_average")
    got = moving_average_training(tf, tf.contrib.opt, str(tmp_path))
    assert sorted(got) == sorted(recorded)
    for key, value in got.items():
        np.testing.assert_allclose(value, recorded[key], rtol=2e-5, atol=2e-6, err_msg=key)
    np.testing.assert_array_equal(got["restored/w"], got["model/w/ExponentialMovingAverage"])
    tf.reset_default_graph()
    wrapped = tf.contrib.opt.MovingAverageOptimizer(tf.train.GradientDescentOptimizer(0.1))
    with pytest.raises(RuntimeError, match="Must call apply_gradients or minimize"):
        wrapped.swapping_saver()


def test_clip_gradients_by_global_norm_and_wrapper_errors():
    tf.reset_default_graph()
    a, b = tf.Variable([3.0, 0.0]), tf.Variable([[0.0, 4.0]])
    c = tf.Variable([0.0])
    loss = tf.reduce_sum(a * [1.0, 0.0]) * 3.0 + tf.reduce_sum(b * [[0.0, 4.0]]) + tf.reduce_sum(c * 0.0)
    pairs = tf.train.GradientDescentOptimizer(0.1).compute_gradients(loss)
    clipped, norm = tf.contrib.opt.clip_gradients_by_global_norm(pairs, 2.5)
    assert [v for _, v in clipped] == [a, b, c]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values, total = sess.run([[g for g, _ in clipped], norm])
    assert total == pytest.approx(5.0)  # the all-zero gradient of c adds nothing
    np.testing.assert_allclose(values[0], [1.5, 0.0])
    np.testing.assert_allclose(values[1], [[0.0, 2.0]])
    np.testing.assert_allclose(values[2], [0.0])
    with pytest.raises(TypeError, match="must be an instance of tf.train.Optimizer"):
        tf.contrib.opt.MultitaskOptimizerWrapper("adam")
    with pytest.raises(ValueError, match="momentum should be positive"):
        tf.contrib.opt.LARSOptimizer(0.1, momentum=-0.5)
