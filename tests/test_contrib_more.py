"""The rest of TF 1.15's tf.contrib names TF1 scripts import: contrib.layers (maxout, conv3d and the 3-D pools, the
fully_connected shorthands, unit_norm, dense_to_sparse, scale_gradient, spatial_softmax, images_to_sequence,
summarize_*), contrib.nn, contrib.util and contrib.keras, checked against numpy forms of TF 1.15's code (TF 2.21
has no contrib)."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")

L = tf.contrib.layers
RNG = np.random.RandomState(7)


def test_maxout_groups_consecutive_channels():
    x = RNG.randn(3, 4, 6).astype(np.float32)
    inputs = tf.placeholder(tf.float32, [None, 4, 6])
    out = L.maxout(inputs, 2)
    assert out.shape.as_list() == [None, 4, 2]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out, {inputs: x}), x.reshape(3, 4, 2, 3).max(-1))
    with pytest.raises(ValueError, match="not a multiple of num_units"):
        L.maxout(inputs, 4)


def test_conv3d_pools_and_shorthands_make_contribs_variables():
    v = tf.constant(RNG.randn(2, 5, 6, 7, 3).astype(np.float32))
    conv = L.conv3d(v, 4, 3, weights_initializer=tf.ones_initializer())
    pooled, averaged = L.max_pool3d(v, 2), L.avg_pool3d(v, [1, 2, 2], stride=1)
    x = tf.constant(RNG.randn(2, 6).astype(np.float32))
    relu, linear = L.relu(x, 5), L.linear(x, 2)
    names = [t.op.name for t in tf.global_variables()]
    assert names == ["Conv/weights", "Conv/biases", "fully_connected/weights", "fully_connected/biases",
                     "fully_connected_1/weights", "fully_connected_1/biases"]
    assert pooled.op.name.startswith("MaxPool3D") and averaged.op.name.startswith("AvgPool3D")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run([conv, pooled, averaged, relu, linear, v])
    vv = got[5]
    want_conv = np.zeros((2, 5, 6, 7, 4), np.float32)  # all-ones 3x3x3 kernel, SAME: window sums over channels
    padded = np.pad(vv.sum(-1), [(0, 0), (1, 1), (1, 1), (1, 1)])
    for d in range(5):
        for h in range(6):
            for w in range(7):
                want_conv[:, d, h, w, :] = padded[:, d:d + 3, h:h + 3, w:w + 3].sum((1, 2, 3))[:, None]
    np.testing.assert_allclose(got[0], np.maximum(want_conv, 0), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(got[1], vv[:, :4, :6, :6].reshape(2, 2, 2, 3, 2, 3, 2, 3).max((2, 4, 6)))
    assert got[2].shape == (2, 5, 5, 6, 3) and (got[3] >= 0).all() and got[4].shape == (2, 2)


def test_unit_norm_dense_to_sparse_scale_gradient():
    x = RNG.randn(3, 4).astype(np.float32)
    t = tf.constant(x)
    normed = L.unit_norm(t, 1)
    sparse = L.dense_to_sparse(tf.constant([[1, 0, 2], [0, 0, 3]]))
    sparse_eos = L.dense_to_sparse(tf.constant([[1, 5, 2]]), eos_token=5)
    grad = tf.gradients(tf.reduce_sum(L.scale_gradient(t, 0.25) * 2.0), t)[0]
    with tf.Session() as sess:
        got_n, got_s, got_e, got_g = sess.run([normed, sparse, sparse_eos, grad])
    np.testing.assert_allclose(got_n, x / np.sqrt(1e-7 + (x ** 2).sum(1, keepdims=True)), rtol=1e-6)
    np.testing.assert_array_equal(got_s.indices, [[0, 0], [0, 2], [1, 2]])
    np.testing.assert_array_equal(got_s.values, [1, 2, 3])
    np.testing.assert_array_equal(got_s.dense_shape, [2, 3])
    np.testing.assert_array_equal(got_e.values, [1, 2])
    np.testing.assert_array_equal(got_g, np.full((3, 4), 0.5, np.float32))
    with pytest.raises(ValueError, match="dim"):
        L.unit_norm(t, 2)


def test_spatial_softmax_keypoints():
    f = RNG.randn(2, 4, 5, 3).astype(np.float32)
    keypoints = L.spatial_softmax(tf.constant(f), temperature=2.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(keypoints)
    pos_x, pos_y = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 5), indexing="ij")
    flat = f.transpose(0, 3, 1, 2).reshape(-1, 20) / 2.0
    att = np.exp(flat - flat.max(1, keepdims=True))
    att /= att.sum(1, keepdims=True)
    want = np.stack([(att * pos_x.reshape(20)).sum(1), (att * pos_y.reshape(20)).sum(1)], 1).reshape(2, 6)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert [v.op.name for v in tf.global_variables()] == ["spatial_softmax/temperature"]


def test_images_to_sequence_round_trip():
    x = RNG.randn(2, 3, 4, 5).astype(np.float32)
    seq = L.images_to_sequence(tf.constant(x))
    back = L.sequence_to_images(seq, 3)
    with tf.Session() as sess:
        got_seq, got_back = sess.run([seq, back])
    np.testing.assert_array_equal(got_seq, x.transpose(2, 0, 1, 3).reshape(4, 6, 5))
    np.testing.assert_array_equal(got_back, x)


def test_summarize_activation_and_collection():
    x = tf.constant([[-1.0, 2.0], [3.0, -4.0]])
    act = tf.nn.relu(x, name="act")
    L.summarize_activation(act)
    tf.add_to_collection(tf.GraphKeys.WEIGHTS, tf.constant([1.0, 2.0], name="w"))
    L.summarize_weights()
    with tf.Session() as sess:
        summary = tf.summary.Summary.FromString(sess.run(tf.summary.merge_all()))
    tags = {v.tag: v for v in summary.value}
    assert set(tags) == {"act/zeros", "act/activation", "w_1"}  # the summary's scope 'w' is taken by the op
    assert tags["act/zeros"].simple_value == 0.5


def test_contrib_nn():
    x = np.array([0.5, -1.0, 2.0, 30.0], np.float32)
    t = tf.constant(x)
    soft = tf.contrib.nn.scaled_softplus(t, 2.0)
    clipped = tf.contrib.nn.scaled_softplus(t, 2.0, clip=1.0)
    ones = tf.ones([20000])
    dropped = tf.contrib.nn.alpha_dropout(ones, 0.8, seed=3)
    logits, labels = tf.constant([[1.0, 2.0, 0.5]]), tf.constant([[0.0, 1.0, 0.0]])
    flipped = tf.contrib.nn.deprecated_flipped_softmax_cross_entropy_with_logits(logits, labels)
    straight = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert tf.contrib.nn.alpha_dropout(t, 1.0) is t
    with tf.Session() as sess:
        got_soft, got_clip, got_drop, a, b = sess.run([soft, clipped, dropped, flipped, straight])
    np.testing.assert_allclose(got_soft, 2.0 * np.log1p(np.exp(x / 2.0)), rtol=1e-5)
    np.testing.assert_allclose(got_clip, np.minimum(2.0 * np.log1p(np.exp(x / 2.0)), 1.0), rtol=1e-5)
    alpha, keep = -1.7580993408473766, 0.8
    scale = (keep + keep * (1 - keep) * alpha ** 2) ** -0.5
    kept, dropped_value = scale * 1.0 - scale * alpha * (1 - keep), scale * alpha - scale * alpha * (1 - keep)
    np.testing.assert_allclose(np.unique(got_drop), sorted([kept, dropped_value]), rtol=1e-5)
    assert abs(np.mean(np.isclose(got_drop, kept)) - keep) < 0.02
    np.testing.assert_allclose(a, b)


def test_contrib_util_and_keras():
    proto = tf.contrib.util.make_tensor_proto(np.arange(6, dtype=np.float32).reshape(2, 3))
    np.testing.assert_array_equal(tf.contrib.util.make_ndarray(proto), np.arange(6).reshape(2, 3))
    assert tf.contrib.util.constant_value(tf.constant(3)) == 3
    assert tf.contrib.util.constant_value(tf.placeholder(tf.int32, [])) is None
    assert tf.contrib.keras.layers.Dense is tf.keras.layers.Dense
    assert tf.contrib.keras.models.Sequential is tf.keras.models.Sequential
    from dfc.contrib.keras import backend
    assert backend is tf.keras.backend
