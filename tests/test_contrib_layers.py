"""tf.contrib.layers and tf.contrib.framework: a slim-style training script against TF's recording of the same
formulas, TF1's variable names and collections (what a TF1 checkpoint restores by), initializers' statistics,
regularizers, arg_scope, batch_norm's update modes, and TF1's errors."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_image import SCRIPTS

pytestmark = pytest.mark.usefixtures("fresh_graph")
layers, framework = tf.contrib.layers, tf.contrib.framework


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_slim_style_script_trains_as_tf1s_formulas(backend, monkeypatch):
    monkeypatch.setattr(tf, "Session", lambda *a, **k: tf.session.Session(*a, backend=backend, **k))
    actual = SCRIPTS["contrib_layers_train"](tf)
    assert_matches_recording(actual, "script_contrib_layers_train", lambda key: {"rtol": 1e-5, "atol": 1e-5})


def _names(variables) -> list[str]:
    return [v.op.name for v in variables]


def test_variable_names_and_collections_are_tf1_contribs():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    h = layers.conv2d(x, 4, 3)
    h = layers.conv2d(h, 4, 3, normalizer_fn=layers.batch_norm, normalizer_params={"scale": True})
    h = layers.flatten(layers.max_pool2d(h, 2))
    h = layers.fully_connected(h, 5, variables_collections={"weights": ["my_weights"]})
    h = layers.layer_norm(h)
    with tf.variable_scope("head"):
        layers.fully_connected(h, 2, activation_fn=None)
    layers.conv2d_transpose(x, 2, 3)
    layers.embed_sequence(tf.constant([[1, 2]]), vocab_size=4, embed_dim=3)
    expected = ["Conv/weights", "Conv/biases", "Conv_1/weights", "Conv_1/BatchNorm/beta", "Conv_1/BatchNorm/gamma",
                "Conv_1/BatchNorm/moving_mean", "Conv_1/BatchNorm/moving_variance", "fully_connected/weights",
                "fully_connected/biases", "LayerNorm/beta", "LayerNorm/gamma", "head/fully_connected/weights",
                "head/fully_connected/biases", "Conv2d_transpose/weights", "Conv2d_transpose/biases",
                "EmbedSequence/embeddings"]
    assert _names(tf.global_variables()) == expected
    assert _names(framework.get_model_variables()) == expected
    assert _names(tf.trainable_variables()) == [n for n in expected if "moving" not in n]
    assert _names(tf.get_collection("my_weights")) == ["fully_connected/weights"]
    assert _names(framework.get_variables("Conv_1")) == expected[2:7]
    assert _names(framework.get_variables(suffix="weights")) == [n for n in expected if n.endswith("weights")]
    assert _names(framework.get_variables_by_name("gamma")) == ["Conv_1/BatchNorm/gamma", "LayerNorm/gamma"]
    assert _names(framework.get_trainable_variables("head")) == expected[11:13]
    assert framework.get_unique_variable("LayerNorm/beta").op.name == "LayerNorm/beta"
    assert _names(framework.get_variables_to_restore(exclude=["Conv_1", "head"])) == \
        [n for n in expected if not n.startswith(("Conv_1", "head"))]
    assert tf.global_variables()[2].shape.as_list() == [3, 3, 4, 4]
    assert tf.global_variables()[13].shape.as_list() == [3, 3, 2, 3]  # [kh, kw, out, in]
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2


def test_reuse_shares_the_variables_by_scope():
    x = tf.placeholder(tf.float32, [2, 4])
    a = layers.fully_connected(x, 3, scope="fc")
    b = layers.fully_connected(x, 3, scope="fc", reuse=True)
    assert len(tf.global_variables()) == 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        va, vb = sess.run([a, b], {x: np.ones((2, 4), np.float32)})
    np.testing.assert_array_equal(va, vb)
    with pytest.raises(ValueError, match="fc/weights already exists"):
        layers.fully_connected(x, 3, scope="fc")


def test_fully_connected_and_convolutions_compute_their_formulas():
    rng = np.random.default_rng(0)
    xv = rng.standard_normal((2, 3, 4)).astype(np.float32)
    w = rng.standard_normal((4, 5)).astype(np.float32)
    x = tf.constant(xv)
    fc = layers.fully_connected(x, 5, weights_initializer=tf.constant_initializer(w),
                                biases_initializer=tf.constant_initializer(0.5))
    img = tf.constant(rng.standard_normal((1, 5, 5, 2)).astype(np.float32))
    up_same = layers.conv2d_transpose(img, 3, 3, stride=2)
    up_valid = layers.conv2d_transpose(img, 3, [3, 2], stride=2, padding="VALID")
    atrous = layers.conv2d(img, 2, 3, rate=2, padding="VALID", activation_fn=None)
    pooled = layers.avg_pool2d(img, [2, 2], stride=1, padding="SAME")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(fc)
    np.testing.assert_allclose(out, np.maximum(xv @ w + 0.5, 0), rtol=1e-5, atol=1e-6)
    assert up_same.shape.as_list() == [1, 10, 10, 3] and up_valid.shape.as_list() == [1, 11, 10, 3]
    assert atrous.shape.as_list() == [1, 1, 1, 2] and pooled.shape.as_list() == [1, 5, 5, 2]


def test_batch_norm_modes():
    rng = np.random.default_rng(1)
    xv = (rng.standard_normal((6, 3)) * 2 + 1).astype(np.float32)
    x = tf.constant(xv)
    y = layers.batch_norm(x, decay=0.5, updates_collections=None, scope="bn")
    mean, var = xv.mean(0), xv.var(0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y)
        moving = sess.run(framework.get_variables("bn/moving"))
    np.testing.assert_allclose(out, (xv - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(moving[0], 0.5 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(moving[1], 0.5 + 0.5 * var * 6 / 5, rtol=1e-5)  # fused: Bessel-corrected
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []

    training = tf.placeholder(tf.bool, [])
    z = layers.batch_norm(x, is_training=training, center=False, scope="bn2", fused=False)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        step = tf.identity(z)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(z, {training: False}), xv / np.sqrt(1 + 1e-3), rtol=1e-5)
        sess.run(step, {training: True})
        mm, mv = sess.run(framework.get_variables("bn2/moving"))
    np.testing.assert_allclose(mm, 0.001 * mean, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(mv, 0.999 + 0.001 * var, rtol=1e-5)  # not fused: the batch variance as is


def test_initializers_follow_contribs_variance_formulas():
    tf.set_random_seed(0)
    shape = [3, 3, 64, 128]
    draws = {
        "xavier": layers.xavier_initializer()(shape),
        "xavier_normal": layers.xavier_initializer(uniform=False)(shape),
        "he": layers.variance_scaling_initializer()(shape),
        "fan_out_uniform": layers.variance_scaling_initializer(1.0, "FAN_OUT", True)(shape),
    }
    with tf.Session() as sess:
        values = sess.run(draws)
    fan_in, fan_out = 9 * 64, 9 * 128
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    assert np.abs(values["xavier"]).max() <= limit and np.abs(values["xavier"]).max() > 0.99 * limit
    np.testing.assert_allclose(values["xavier"].std(), limit / np.sqrt(3), rtol=0.02)
    # a normal truncated at 2 sigma keeps 0.7737 of the variance of its sqrt(1.3 factor / n)
    np.testing.assert_allclose(values["he"].std(), np.sqrt(1.3 * 2.0 / fan_in) * np.sqrt(0.7737), rtol=0.02)
    assert np.abs(values["he"]).max() <= 2 * np.sqrt(1.3 * 2.0 / fan_in) + 1e-6
    np.testing.assert_allclose(values["xavier_normal"].std(),
                               np.sqrt(1.3 * 2.0 / (fan_in + fan_out)) * np.sqrt(0.7737), rtol=0.02)
    assert np.abs(values["fan_out_uniform"]).max() <= np.sqrt(3.0 / fan_out)
    with pytest.raises(TypeError, match="Unknown mode"):
        layers.variance_scaling_initializer(mode="fan_in")
    with pytest.raises(TypeError, match="non-floating"):
        layers.xavier_initializer(dtype=tf.int32)


def test_regularizers_values_errors_and_collections():
    w = tf.constant([[1.0, -2.0], [3.0, -4.0]])
    penalties = {"l1": layers.l1_regularizer(0.5)(w), "l2": layers.l2_regularizer(0.1)(w),
                 "l1_l2": layers.l1_l2_regularizer(0.5, 0.1)(w),
                 "sum": layers.sum_regularizer([layers.l1_regularizer(1.0), None, layers.l2_regularizer(1.0)])(w)}
    assert layers.l2_regularizer(0.0)(w) is None and layers.sum_regularizer([None]) is None
    total = layers.apply_regularization(layers.l1_regularizer(1.0), [w, w * 2.0])
    v = tf.get_variable("v", [2], initializer=tf.ones_initializer(), regularizer=layers.l2_regularizer(2.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(penalties)
        assert sess.run(total) == pytest.approx(30.0)
        assert sess.run(tf.losses.get_regularization_loss()) == pytest.approx(30.0 + 2.0)
    assert values == pytest.approx({"l1": 5.0, "l2": 1.5, "l1_l2": 6.5, "sum": 25.0})
    assert v.op.name == "v" and tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)[1].name.startswith(
        "v/Regularizer/")
    with pytest.raises(ValueError, match="scale cannot be an integer: 1"):
        layers.l2_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        layers.l1_regularizer(-0.1)
    with pytest.raises(ValueError, match="scale_l1 cannot be an integer"):
        layers.l1_l2_regularizer(1, 0.5)
    with pytest.raises(ValueError, match="No weights to regularize"):
        layers.apply_regularization(layers.l1_regularizer(0.1))


def test_arg_scope_nests_merges_and_reenters():
    @framework.add_arg_scope
    def op(a, b=1, c=2):
        return a, b, c

    with framework.arg_scope([op], b=10) as outer:
        assert op(0) == (0, 10, 2)
        with framework.arg_scope([op], c=20):
            assert op(0) == (0, 10, 20) and op(0, b=5) == (0, 5, 20)
        assert op(0) == (0, 10, 2)
    assert op(0) == (0, 1, 2)
    with framework.arg_scope(outer):
        assert op(0) == (0, 10, 2)
    assert framework.has_arg_scope(layers.conv2d) and "stride" in framework.arg_scoped_arguments(layers.conv2d)
    with pytest.raises(ValueError, match="not decorated with @add_arg_scope"):
        with framework.arg_scope([lambda x: x], b=1):
            pass
    with pytest.raises(TypeError, match="list/tuple or reused scope"):
        with framework.arg_scope(op, b=1):
            pass
    with pytest.raises(ValueError, match="kwargs must be empty"):
        with framework.arg_scope(outer, b=1):
            pass


def test_small_layers_and_global_step():
    x = tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4))
    kept = layers.dropout(x, 0.5, is_training=False)
    dropped = layers.dropout(x, 0.5, seed=1)
    hot = layers.one_hot_encoding(tf.constant([2, 0]), 3)
    step = framework.get_or_create_global_step()
    assert framework.get_or_create_global_step() is step and step.op.name == "global_step"
    with tf.Session() as sess:
        out_kept, out_dropped, out_hot = sess.run([kept, dropped, hot])
    np.testing.assert_array_equal(out_kept, np.arange(12).reshape(3, 4))
    assert set(np.unique(out_dropped[out_dropped != 0] / np.arange(12).reshape(3, 4)[out_dropped != 0])) <= {2.0}
    np.testing.assert_array_equal(out_hot, [[0, 0, 1], [1, 0, 0]])
    assert out_hot.dtype == np.float32


def test_bad_inputs_raise_tf1s_errors():
    with pytest.raises(ValueError, match="num_outputs should be int"):
        layers.fully_connected(tf.zeros([2, 3]), 2.5)
    with pytest.raises(ValueError, match="Convolution not supported for input with rank 2"):
        layers.conv2d(tf.zeros([2, 3]), 2, 3)
    with pytest.raises(ValueError, match="Only one of rate or stride"):
        layers.conv2d(tf.zeros([1, 5, 5, 1]), 2, 3, stride=2, rate=2)
    with pytest.raises(ValueError, match="Must specify vocab size"):
        layers.embed_sequence(tf.constant([[1]]))
    unknown = tf.placeholder(tf.float32, [None, None], name="features")
    with pytest.raises(ValueError, match="features"):
        layers.fully_connected(unknown, 3)


def test_optimize_loss_clips_decays_and_steps_the_global_step():
    x = tf.constant(np.ones((4, 3), np.float32))
    pred = layers.fully_connected(x, 1, activation_fn=None, weights_initializer=tf.constant_initializer(0.1))
    loss = tf.losses.mean_squared_error(tf.constant(np.full((4, 1), 2.0, np.float32)), pred)
    step = tf.train.get_or_create_global_step()
    train = layers.optimize_loss(loss, step, 0.1, "SGD", clip_gradients=1.0,
                                 learning_rate_decay_fn=lambda lr, s: tf.train.exponential_decay(lr, s, 1, 0.5))
    assert "OptimizeLoss/learning_rate" in _names(tf.global_variables())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run(train) for _ in range(3)]
        assert sess.run(step) == 3
    # gradients of norm 6.8 then 6.0 are clipped to norm 1, with learning rates 0.1 then 0.05
    np.testing.assert_allclose(losses, [2.89, 2.25, 1.96], rtol=1e-5)
    with pytest.raises(ValueError, match="Optimizer name should be one of"):
        layers.optimize_loss(loss, step, 0.1, "Sgd")
    with pytest.raises(ValueError, match="Learning rate is None"):
        layers.optimize_loss(loss, step, None, "Adam")


def test_slim_repeat_and_stack_name_variables_as_slims_checkpoints():
    slim = tf.contrib.slim
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    with slim.arg_scope([slim.conv2d], padding="SAME", weights_regularizer=slim.l2_regularizer(0.0005)):
        net = slim.repeat(x, 2, slim.conv2d, 4, [3, 3], scope="conv1")
        net = slim.max_pool2d(net, [2, 2], scope="pool1")
        net = slim.stack(net, slim.conv2d, [(5, [3, 3]), (6, [1, 1])], scope="conv2")
        net = slim.repeat(net, 2, slim.fully_connected, 3)
    assert _names(slim.get_model_variables()) == [
        "conv1/conv1_1/weights", "conv1/conv1_1/biases", "conv1/conv1_2/weights", "conv1/conv1_2/biases",
        "conv2/conv2_1/weights", "conv2/conv2_1/biases", "conv2/conv2_2/weights", "conv2/conv2_2/biases",
        "Repeat/fully_connected_1/weights", "Repeat/fully_connected_1/biases",
        "Repeat/fully_connected_2/weights", "Repeat/fully_connected_2/biases"]
    assert net.shape.as_list() == [None, 4, 4, 3]
    assert len(slim.losses.get_regularization_losses()) == 4
    assert slim.conv2d is layers.conv2d and slim.arg_scope is framework.arg_scope


def test_separable_conv2d_bias_add_and_softmax():
    rng = np.random.default_rng(3)
    xv = rng.standard_normal((1, 5, 5, 2)).astype(np.float32)
    dw = rng.standard_normal((3, 3, 2, 2)).astype(np.float32)
    pw = rng.standard_normal((1, 1, 4, 3)).astype(np.float32)
    x = tf.constant(xv)
    sep = layers.separable_conv2d(x, 3, 3, depth_multiplier=2, activation_fn=None,
                                  weights_initializer=tf.constant_initializer(dw),
                                  pointwise_initializer=tf.constant_initializer(pw))
    depthwise_only = layers.separable_conv2d(x, None, [3, 3], depth_multiplier=2, stride=2)
    biased = layers.bias_add(x, initializer=tf.constant_initializer(0.5))
    probs = layers.softmax(tf.constant([[1.0, 2.0, 3.0]]))
    reference = tf.nn.separable_conv2d(x, tf.constant(dw), tf.constant(pw), [1, 1, 1, 1], "SAME")
    assert _names(tf.global_variables()) == [
        "SeparableConv2d/depthwise_weights", "SeparableConv2d/pointwise_weights", "SeparableConv2d/biases",
        "SeparableConv2d_1/depthwise_weights", "SeparableConv2d_1/biases", "BiasAdd/biases"]
    assert depthwise_only.shape.as_list() == [1, 3, 3, 4]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, want, b, p = sess.run([sep, reference, biased, probs])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(b, xv + 0.5, rtol=1e-6)
    np.testing.assert_allclose(p, np.exp([[1, 2, 3]]) / np.exp([1, 2, 3]).sum(), rtol=1e-6)


def test_assign_from_checkpoint_fn_restores_a_pretrained_body_by_name(tmp_path):
    x = tf.placeholder(tf.float32, [None, 4])
    layers.fully_connected(layers.fully_connected(x, 3, scope="body"), 2, scope="head")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saved = sess.run(framework.get_variables("body"))
        path = tf.train.Saver(framework.get_variables("body")).save(sess, str(tmp_path / "pretrained"))
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 4])
    layers.fully_connected(layers.fully_connected(x, 3, scope="body"), 5, scope="new_head")
    with pytest.raises(ValueError, match="var_list cannot be empty"):
        framework.assign_from_checkpoint_fn(path, [])
    init_fn = framework.assign_from_checkpoint_fn(path, framework.get_variables_to_restore(), ignore_missing_vars=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        init_fn(sess)
        for got, want in zip(sess.run(framework.get_variables("body")), saved):
            np.testing.assert_array_equal(got, want)


def test_instance_norm_normalizes_each_example_and_channel_over_space():
    rng = np.random.default_rng(4)
    xv = (rng.standard_normal((2, 4, 5, 3)) * 3 + 2).astype(np.float32)
    y = layers.instance_norm(tf.constant(xv), param_initializers={"gamma": tf.constant_initializer(2.0)})
    nchw = layers.instance_norm(tf.constant(xv.transpose(0, 3, 1, 2)), data_format="NCHW", center=False)
    assert _names(tf.global_variables()) == ["InstanceNorm/beta", "InstanceNorm/gamma", "InstanceNorm_1/gamma"]
    mean, var = xv.mean((1, 2), keepdims=True), xv.var((1, 2), keepdims=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, out_nchw = sess.run([y, nchw])
    np.testing.assert_allclose(out, 2 * (xv - mean) / np.sqrt(var + 1e-6), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out_nchw.transpose(0, 2, 3, 1), (xv - mean) / np.sqrt(var + 1e-6), rtol=1e-4,
                               atol=1e-5)


def test_group_norm_normalizes_each_group_of_channels():
    rng = np.random.default_rng(5)
    xv = (rng.standard_normal((2, 3, 4, 6)) * 2 + 1).astype(np.float32)
    y = layers.group_norm(tf.constant(xv), groups=3, param_initializers={"beta": tf.constant_initializer(0.5)})
    grouped = xv.reshape(2, 3, 4, 3, 2)
    mean, var = grouped.mean((1, 2, 4), keepdims=True), grouped.var((1, 2, 4), keepdims=True)
    want = ((grouped - mean) / np.sqrt(var + 1e-6)).reshape(xv.shape) + 0.5
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y), want, rtol=1e-4, atol=1e-5)
    assert _names(tf.global_variables()) == ["GroupNorm/beta", "GroupNorm/gamma"]
    with pytest.raises(ValueError, match="not commensurate"):
        layers.group_norm(tf.zeros([1, 2, 2, 6]), groups=4)


def test_conv1d_convolves_sequences_with_contribs_weights():
    rng = np.random.default_rng(6)
    xv = rng.standard_normal((2, 7, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 4)).astype(np.float32)
    y = layers.conv1d(tf.constant(xv), 4, 3, padding="VALID", activation_fn=None,
                      weights_initializer=tf.constant_initializer(w))
    strided = layers.conv1d(tf.constant(xv), 2, 2, stride=2)
    assert _names(tf.global_variables())[:2] == ["Conv/weights", "Conv/biases"]
    assert tf.global_variables()[0].shape.as_list() == [3, 3, 4] and strided.shape.as_list() == [2, 4, 2]
    want = np.stack([np.einsum("nkc,kco->no", xv[:, i:i + 3], w) for i in range(5)], axis=1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y), want, rtol=1e-5, atol=1e-5)


def test_checkpoint_inspection_and_plain_variables(tmp_path):
    layers.fully_connected(tf.zeros([1, 2]), 3, scope="fc")
    counter = framework.local_variable(0, name="counter")
    frozen = framework.global_variable(np.ones(2, np.float32), name="frozen")
    assert counter in tf.local_variables() and counter not in tf.trainable_variables()
    assert frozen in tf.global_variables() and frozen not in tf.trainable_variables()
    with tf.name_scope("outer"):
        assert framework.get_name_scope() == "outer"
    assert framework.get_variable_full_name(frozen) == "frozen"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        weights = sess.run(framework.get_unique_variable("fc/weights"))
        tf.train.Saver().save(sess, str(tmp_path / "model"), global_step=3)
    assert framework.list_variables(str(tmp_path)) == [("fc/biases", [3]), ("fc/weights", [2, 3]), ("frozen", [2])]
    np.testing.assert_array_equal(framework.load_variable(str(tmp_path), "fc/weights:0"), weights)
    with pytest.raises(tf.errors.NotFoundError, match="fc/kernel"):
        framework.load_variable(str(tmp_path), "fc/kernel")
