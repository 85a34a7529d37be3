"""tf.layers' classes (Layer, Dense, Conv1D, pooling 1-D, SeparableConv2D, ...) against TensorFlow's recorded
values and names (tests/train_cases.py), on both backends; the function forms run through the same classes."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
import train_cases


pytestmark = pytest.mark.usefixtures("fresh_graph")


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_layer_classes_match_tensorflow(backend):
    train_cases.check_against_tensorflow("layers_classes", backend, rtol=1e-4, atol=1e-5)


def test_batch_normalization_class_tracks_weights_and_updates():
    x = tf.placeholder(tf.float32, [4, 3])
    bn = tf.layers.BatchNormalization(momentum=0.5)
    y = bn(x, training=True)
    assert [v.name for v in bn.trainable_weights] == ["batch_normalization/gamma:0", "batch_normalization/beta:0"]
    assert [v.name for v in bn.non_trainable_weights] == ["batch_normalization/moving_mean:0",
                                                          "batch_normalization/moving_variance:0"]
    assert len(bn.updates) == 2 and tf.get_collection(tf.GraphKeys.UPDATE_OPS) == bn.updates
    bn(x, training=False)  # a second call reuses the variables
    assert len(tf.global_variables()) == 4
    xv = np.arange(12, dtype=np.float32).reshape(4, 3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([y, bn.updates], {x: xv})
        mean, variance = sess.run(bn.non_trainable_weights)
    np.testing.assert_allclose(mean, 0.5 * xv.mean(0), rtol=1e-6)
    np.testing.assert_allclose(variance, 0.5 + 0.5 * xv.var(0), rtol=1e-6)


def test_function_form_reuses_the_class_variables_by_name():
    x = tf.placeholder(tf.float32, [2, 5, 3])
    a = tf.layers.conv1d(x, 4, 2, name="c")
    b = tf.layers.conv1d(x, 4, 2, name="c", reuse=True)
    assert [v.name for v in tf.global_variables()] == ["c/kernel:0", "c/bias:0"]
    assert a.shape.as_list() == b.shape.as_list() == [2, 4, 4]
    with pytest.raises(ValueError, match="Variable c/kernel already exists"):
        tf.layers.conv1d(x, 4, 2, name="c")


def test_layer_input_errors_name_the_layer_and_the_line():
    dense = tf.layers.Dense(3, name="fc")
    dense(tf.placeholder(tf.float32, [None, 4]))
    with pytest.raises(ValueError, match=r"layer fc at .*test_layers_classes.py:[\d:]+ is incompatible with the "
                                         r"layer: expected axis -1 of input shape to have value 4"):
        dense(tf.placeholder(tf.float32, [None, 5], name="wide"))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        tf.layers.MaxPooling1D(2, 2)(tf.placeholder(tf.float32, [3, 4]))
    with pytest.raises(ValueError, match="has not been used yet"):
        _ = tf.layers.Dense(2).scope_name


def test_a_model_built_twice_in_one_scope_reuses_its_unnamed_layers():
    """The TF1 GAN pattern: default layer names restart when a variable scope is entered again."""
    x = tf.placeholder(tf.float32, [None, 4])

    def discriminator(inputs, reuse=False):
        with tf.variable_scope("disc", reuse=reuse):
            return tf.layers.dense(tf.layers.dense(inputs, 8, activation=tf.nn.relu), 1)
    discriminator(x)
    discriminator(x * 2.0, reuse=True)
    assert [v.name for v in tf.global_variables()] == ["disc/dense/kernel:0", "disc/dense/bias:0",
                                                       "disc/dense_1/kernel:0", "disc/dense_1/bias:0"]
    with tf.variable_scope("gen"):
        tf.layers.dense(x, 3)
    with pytest.raises(ValueError, match="Variable gen/dense/kernel already exists"):
        with tf.variable_scope("gen"):
            tf.layers.dense(x, 3)
