"""tf.layers' convolution and pooling layers: TF1's variable names and shapes, tf.nn's arithmetic on their variables."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf


@pytest.fixture(autouse=True)
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    tf.reset_default_graph()
    yield


def test_layers_name_their_variables_as_tf1_does():
    x = tf.placeholder(tf.float32, [None, 12, 12, 3])
    with tf.variable_scope("net"):
        a = tf.layers.conv2d(x, 8, 3)
        b = tf.layers.conv2d(a, 4, [3, 3], use_bias=False, name="last")
        c = tf.layers.conv2d(b, 2, 1)
    assert [v.name for v in tf.trainable_variables()] == [
        "net/conv2d/kernel:0", "net/conv2d/bias:0", "net/last/kernel:0", "net/conv2d_1/kernel:0",
        "net/conv2d_1/bias:0"]
    assert a.shape.as_list() == [None, 10, 10, 8] and c.shape.as_list() == [None, 8, 8, 2]
    with pytest.raises(ValueError, match="already exists|reuse"):
        with tf.variable_scope("net"):
            tf.layers.conv2d(x, 8, 3, name="conv2d")


def test_conv_layer_is_nn_conv2d_with_its_variables_then_bias_and_activation():
    rng = np.random.default_rng(0)
    xv = rng.standard_normal((2, 9, 9, 3)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 9, 9, 3])
    layer = tf.layers.Conv2D(5, (3, 2), strides=2, padding="same", activation=tf.nn.relu,
                             bias_initializer=tf.constant_initializer(0.25))
    y = layer(x)
    pooled = tf.layers.max_pooling2d(y, 2, 1, padding="same")
    mean = tf.layers.average_pooling2d(y, [2, 3], [1, 2])
    up = tf.layers.conv2d_transpose(y, 2, 3, strides=2, padding="valid")
    assert up.shape.as_list() == [None, 11, 11, 2]
    assert layer.kernel.shape.as_list() == [3, 2, 3, 5] and len(layer.trainable_variables) == 2
    expected = tf.nn.relu(tf.nn.conv2d(x, layer.kernel, [1, 2, 2, 1], "SAME") + layer.bias)
    grads = tf.gradients(tf.reduce_sum(up) + tf.reduce_sum(pooled) + tf.reduce_sum(mean), layer.trainable_variables)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, want, p, m, g = sess.run([y, expected, pooled, mean, grads], {x: xv})
    np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_allclose(p, tf.Session().run(tf.nn.max_pool(got, 2, 1, "SAME")), rtol=1e-6)
    np.testing.assert_allclose(m, tf.Session().run(tf.nn.avg_pool(got, [2, 3], [1, 2], "VALID")), rtol=1e-6)
    assert all(np.all(np.isfinite(v)) for v in g)


def test_layer_arguments_are_checked():
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        tf.layers.conv2d(x, 4, 3, padding="full")
    with pytest.raises(ValueError, match="kernel_size must be a positive int"):
        tf.layers.conv2d(x, 4, 0)
    with pytest.raises(ValueError, match=r"layer conv2d at .*test_layers_conv.py:[\d:]+ is incompatible with the "
                                         r"layer: expected ndim=4, found ndim=2"):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 8]), 4, 3)
