"""tf.contrib.slim.nets: the import paths TF1 scripts use, the variable names, shapes and end_points of the
published checkpoints (written from TF1's definitions, with parameter counts the papers and Keras' equivalent
models state), thin ResNets against TF's own ops, a training step, and a by-name restore.

TF 2.x has no contrib or tf_slim, so names and counts are written here; values are recorded from TF's ops by
tests/record_slim_nets.py."""

from __future__ import annotations

import os

import numpy as np
import pytest

import dfc as tf
from slim_nets_weights import images as make_images
from slim_nets_weights import weight_value
from dfc.contrib.slim.nets import alexnet, inception, overfeat, resnet_utils, resnet_v1, resnet_v2, vgg

pytestmark = pytest.mark.usefixtures("fresh_graph")
slim = tf.contrib.slim
DATA = os.path.join(os.path.dirname(__file__), "data", "slim_nets")


def _count(variables) -> int:
    return sum(int(np.prod(v.shape.as_list())) for v in variables)


def _shapes(variables) -> dict[str, list[int]]:
    return {v.op.name: v.shape.as_list() for v in variables}


def test_import_paths_are_tf1s():
    import importlib

    from dfc.contrib.slim.nets import inception_v3
    assert slim.nets.resnet_v1 is resnet_v1 and slim.nets.inception is inception
    assert importlib.import_module("dfc.contrib.slim.nets.vgg") is vgg
    assert inception.inception_v3 is inception_v3.inception_v3
    assert tf.contrib.slim.conv2d is tf.contrib.layers.conv2d  # slim's own names are still there
    # slim.utils, with which slim-style nets of one's own collect their end_points
    collection = "my_end_points"
    x = tf.placeholder(tf.float32, [1, 4, 4, 2])
    net = slim.conv2d(x, 3, 1, scope="a", outputs_collections=collection)
    slim.utils.collect_named_outputs(collection, "block/", net)
    pooled = slim.max_pool2d(net, 2, outputs_collections=collection)
    assert slim.utils.get_tensor_aliases(net) == ["a", "block"]
    assert slim.utils.convert_collection_to_dict(collection) == {"a": net, "block": net, "MaxPool2D": pooled}
    assert slim.utils.convert_collection_to_dict(collection, clear_collection=True) and not tf.get_collection(
        collection)
    assert slim.utils.last_dimension(pooled.shape, min_rank=4) == 3
    assert [resnet_v1.resnet_v1_50.default_image_size, vgg.vgg_16.default_image_size,
            inception.inception_v3.default_image_size, overfeat.overfeat.default_image_size] == [224, 224, 299, 231]


# name -> (builder, arg_scope, input size, global variables, trainable parameters, all parameters, a few
# variables with their shapes, a few end_points with their shapes)
# ResNet-50: Keras' ResNet50 (25,636,712 parameters) less its 26,560 conv biases slim's convs do not have;
# ResNet-50 v2: Keras' ResNet50V2 exactly; VGG: the paper's 133M/138M/144M; Inception v3 without its auxiliary
# head: Keras' InceptionV3 (23,851,784, of which 23,817,352 trainable), the head adding 3,327,592.
NETS = {
    "resnet_v1_50": (resnet_v1.resnet_v1_50, resnet_v1.resnet_arg_scope, 224, 267, 25_557_032, 25_610_152, {
        "resnet_v1_50/conv1/weights": [7, 7, 3, 64],
        "resnet_v1_50/conv1/BatchNorm/gamma": [64],
        "resnet_v1_50/block1/unit_1/bottleneck_v1/shortcut/weights": [1, 1, 64, 256],
        "resnet_v1_50/block1/unit_1/bottleneck_v1/shortcut/BatchNorm/moving_mean": [256],
        "resnet_v1_50/block2/unit_4/bottleneck_v1/conv2/weights": [3, 3, 128, 128],
        "resnet_v1_50/block3/unit_6/bottleneck_v1/conv1/weights": [1, 1, 1024, 256],
        "resnet_v1_50/block4/unit_3/bottleneck_v1/conv3/BatchNorm/moving_variance": [2048],
        "resnet_v1_50/logits/weights": [1, 1, 2048, 1000], "resnet_v1_50/logits/biases": [1000]}, {
        "resnet_v1_50/conv1": [1, 112, 112, 64],
        "resnet_v1_50/block1/unit_1/bottleneck_v1/conv2": [1, 56, 56, 64],
        "resnet_v1_50/block1/unit_3/bottleneck_v1": [1, 28, 28, 256], "resnet_v1_50/block1": [1, 28, 28, 256],
        "resnet_v1_50/block3": [1, 7, 7, 1024], "resnet_v1_50/block4": [1, 7, 7, 2048],
        "resnet_v1_50/logits": [1, 1, 1, 1000], "predictions": [1, 1, 1, 1000]}),
    "resnet_v2_50": (resnet_v2.resnet_v2_50, resnet_v2.resnet_arg_scope, 224, 272, 25_568_360, 25_613_800, {
        "resnet_v2_50/conv1/weights": [7, 7, 3, 64], "resnet_v2_50/conv1/biases": [64],
        "resnet_v2_50/block1/unit_1/bottleneck_v2/preact/gamma": [64],
        "resnet_v2_50/block1/unit_1/bottleneck_v2/shortcut/biases": [256],
        "resnet_v2_50/block1/unit_1/bottleneck_v2/conv1/BatchNorm/beta": [64],
        "resnet_v2_50/block4/unit_3/bottleneck_v2/conv3/biases": [2048],
        "resnet_v2_50/postnorm/moving_mean": [2048], "resnet_v2_50/logits/weights": [1, 1, 2048, 1000]}, {
        "resnet_v2_50/block2": [1, 14, 14, 512], "resnet_v2_50/logits": [1, 1, 1, 1000]}),
    "vgg_16": (vgg.vgg_16, vgg.vgg_arg_scope, 224, 32, 138_357_544, 138_357_544, {
        "vgg_16/conv1/conv1_1/weights": [3, 3, 3, 64], "vgg_16/conv1/conv1_1/biases": [64],
        "vgg_16/conv5/conv5_3/weights": [3, 3, 512, 512], "vgg_16/fc6/weights": [7, 7, 512, 4096],
        "vgg_16/fc7/weights": [1, 1, 4096, 4096], "vgg_16/fc8/biases": [1000]}, {
        "vgg_16/conv1/conv1_2": [1, 224, 224, 64], "vgg_16/pool1": [1, 112, 112, 64],
        "vgg_16/conv4/conv4_3": [1, 28, 28, 512], "vgg_16/pool5": [1, 7, 7, 512], "vgg_16/fc7": [1, 1, 1, 4096],
        "vgg_16/fc8": [1, 1000]}),
    "vgg_19": (vgg.vgg_19, vgg.vgg_arg_scope, 224, 38, 143_667_240, 143_667_240, {
        "vgg_19/conv3/conv3_4/weights": [3, 3, 256, 256]}, {"vgg_19/conv5/conv5_4": [1, 14, 14, 512]}),
    "vgg_a": (vgg.vgg_a, vgg.vgg_arg_scope, 224, 22, 132_863_336, 132_863_336, {
        "vgg_a/conv3/conv3_2/weights": [3, 3, 256, 256]}, {"vgg_a/conv1/conv1_1": [1, 224, 224, 64]}),
    "inception_v1": (inception.inception_v1, inception.inception_v1_arg_scope, 224, 230, 6_617_624, 6_632_184, {
        "InceptionV1/Conv2d_1a_7x7/weights": [7, 7, 3, 64],
        "InceptionV1/Conv2d_1a_7x7/BatchNorm/beta": [64],
        "InceptionV1/Mixed_3b/Branch_1/Conv2d_0b_3x3/weights": [3, 3, 96, 128],
        "InceptionV1/Mixed_4f/Branch_3/Conv2d_0b_1x1/BatchNorm/moving_mean": [128],
        "InceptionV1/Mixed_5b/Branch_2/Conv2d_0a_3x3/weights": [3, 3, 32, 128],
        "InceptionV1/Logits/Conv2d_0c_1x1/weights": [1, 1, 1024, 1000]}, {
        "MaxPool_3a_3x3": [1, 28, 28, 192], "Mixed_3c": [1, 28, 28, 480], "Mixed_4f": [1, 14, 14, 832],
        "Mixed_5c": [1, 7, 7, 1024], "Logits": [1, 1000], "Predictions": [1, 1000]}),
    "inception_v2": (inception.inception_v2, inception.inception_v2_arg_scope, 224, 277, 11_178_336, 11_198_112, {
        "InceptionV2/Conv2d_1a_7x7/depthwise_weights": [7, 7, 3, 8],
        "InceptionV2/Conv2d_1a_7x7/pointwise_weights": [1, 1, 24, 64],
        "InceptionV2/Mixed_4a/Branch_1/Conv2d_1a_3x3/weights": [3, 3, 96, 96],
        "InceptionV2/Mixed_5c/Branch_2/Conv2d_0c_3x3/BatchNorm/moving_variance": [224],
        "InceptionV2/Logits/Conv2d_1c_1x1/biases": [1000]}, {
        "Mixed_4a": [1, 14, 14, 576], "Mixed_5a": [1, 7, 7, 1024], "Mixed_5c": [1, 7, 7, 1024]}),
    "inception_v3": (inception.inception_v3, inception.inception_v3_arg_scope, 299, 388, 27_143_152, 27_179_376, {
        "InceptionV3/Conv2d_1a_3x3/weights": [3, 3, 3, 32],
        "InceptionV3/Mixed_5b/Branch_1/Conv2d_0b_5x5/BatchNorm/moving_mean": [64],
        "InceptionV3/Mixed_5c/Branch_1/Conv_1_0c_5x5/weights": [5, 5, 48, 64],
        "InceptionV3/Mixed_6a/Branch_0/Conv2d_1a_1x1/weights": [3, 3, 288, 384],
        "InceptionV3/Mixed_6e/Branch_2/Conv2d_0e_1x7/weights": [1, 7, 192, 192],
        "InceptionV3/Mixed_7b/Branch_1/Conv2d_0b_3x1/weights": [3, 1, 384, 384],
        "InceptionV3/Mixed_7c/Branch_1/Conv2d_0c_3x1/weights": [3, 1, 384, 384],
        "InceptionV3/AuxLogits/Conv2d_2a_5x5/weights": [5, 5, 128, 768],
        "InceptionV3/AuxLogits/Conv2d_2b_1x1/weights": [1, 1, 768, 1000],
        "InceptionV3/Logits/Conv2d_1c_1x1/weights": [1, 1, 2048, 1000]}, {
        "Conv2d_4a_3x3": [1, 71, 71, 192], "Mixed_5d": [1, 35, 35, 288], "Mixed_6e": [1, 17, 17, 768],
        "Mixed_7c": [1, 8, 8, 2048], "AuxLogits": [1, 1000], "PreLogits": [1, 1, 1, 2048], "Logits": [1, 1000]}),
    "alexnet_v2": (alexnet.alexnet_v2, alexnet.alexnet_v2_arg_scope, 224, 16, 50_303_912, 50_303_912, {
        "alexnet_v2/conv1/weights": [11, 11, 3, 64], "alexnet_v2/fc6/weights": [5, 5, 256, 4096]}, {
        "alexnet_v2/pool5": [1, 5, 5, 256], "alexnet_v2/fc8": [1, 1000]}),
    "overfeat": (overfeat.overfeat, overfeat.overfeat_arg_scope, 231, 16, 145_704_424, 145_704_424, {
        "overfeat/conv5/weights": [3, 3, 1024, 1024], "overfeat/fc6/weights": [6, 6, 1024, 3072]}, {
        "overfeat/pool5": [1, 6, 6, 1024], "overfeat/fc8": [1, 1000]}),
}


@pytest.mark.parametrize("name", list(NETS))
def test_variables_and_end_points_are_the_published_checkpoints(name):
    build, scope_fn, size, n_vars, trainable, total, variables, end_points = NETS[name]
    images = tf.placeholder(tf.float32, [1, size, size, 3])
    with slim.arg_scope(scope_fn()):
        logits, got = build(images, num_classes=1000)
    shapes = _shapes(tf.global_variables())
    assert {key: shapes.get(key) for key in variables} == variables
    assert (len(shapes), _count(tf.trainable_variables()), _count(tf.global_variables())) == (n_vars, trainable, total)
    assert {key: got[key].shape.as_list() if key in got else None for key in end_points} == end_points
    assert tf.get_collection(tf.GraphKeys.MODEL_VARIABLES) == tf.global_variables()
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == sum(
        1 for v in tf.trainable_variables() if v.op.name.endswith("/weights"))


def test_features_is_training_and_errors_follow_tf1():
    images = tf.placeholder(tf.float32, [None, 64, 64, 3])
    with slim.arg_scope(resnet_v1.resnet_arg_scope()):
        features, ends = resnet_v1.resnet_v1_50(images, is_training=False)
        dense, _ = resnet_v2.resnet_v2_50(images, global_pool=False, output_stride=16, scope="dense")
    assert features.shape.as_list() == [None, 1, 1, 2048] and "predictions" not in ends
    assert dense.shape.as_list() == [None, 4, 4, 2048]  # 64 / 16: block3's stride became an atrous rate
    # is_training=False reaches every batch_norm: none of resnet_v1_50's moving averages is updated
    assert not [op for op in tf.get_collection(tf.GraphKeys.UPDATE_OPS) if op.name.startswith("resnet_v1_50/")]
    with pytest.raises(ValueError, match="multiple of 4"):
        resnet_v1.resnet_v1_50(images, output_stride=6, scope="bad")
    with pytest.raises(ValueError, match="cannot be reached"):
        resnet_v1.resnet_v1_50(images, output_stride=64, scope="bad2")
    with pytest.raises(ValueError, match="Unknown final endpoint Mixed_9z"):
        inception.inception_v3_base(images, final_endpoint="Mixed_9z")
    with pytest.raises(ValueError, match="depth_multiplier is not greater than zero"):
        inception.inception_v2(images, depth_multiplier=0)
    with slim.arg_scope(vgg.vgg_arg_scope()):
        fcn, _ = vgg.vgg_16(tf.placeholder(tf.float32, [1, 256, 256, 3]), spatial_squeeze=False)
    assert fcn.shape.as_list() == [1, 2, 2, 1000]  # fc layers are convolutions: a map of scores
    base, base_ends = inception.inception_v3_base(tf.placeholder(tf.float32, [2, 299, 299, 3]),
                                                  final_endpoint="Mixed_6a", depth_multiplier=0.5, scope="thin")
    assert base.shape.as_list() == [2, 17, 17, 384] and list(base_ends)[-1] == "Mixed_6a"
    # num_classes=0 (research/slim's spelling) gives the pooled features and builds no head
    pooled, pooled_ends = inception.inception_v3(tf.placeholder(tf.float32, [2, 299, 299, 3]), num_classes=0,
                                                 depth_multiplier=0.5, scope="Features")
    assert pooled.shape.as_list() == [2, 1, 1, 1024] and "AuxLogits" not in pooled_ends
    assert not [v for v in tf.global_variables() if "Features/AuxLogits" in v.op.name or "Features/Logits" in
                v.op.name]
    fc7, _ = vgg.vgg_a(tf.placeholder(tf.float32, [1, 224, 224, 3]), num_classes=None)
    assert fc7.shape.as_list() == [1, 1, 1, 4096] and not [v for v in tf.global_variables() if "vgg_a/fc8" in v.op.name]


def _thin_resnet(images, output_stride=None, reuse=None, num_classes=None, is_training=False, scope="thin"):
    """resnet_v1 over small blocks: identity, subsampled and projected shortcuts, strided and atrous units."""
    blocks = [resnet_v1.resnet_v1_block("block1", base_depth=2, num_units=2, stride=2),
              resnet_v1.resnet_v1_block("block2", base_depth=2, num_units=1, stride=1)]
    with slim.arg_scope(resnet_v1.resnet_arg_scope()):
        return resnet_v1.resnet_v1(images, blocks, num_classes, is_training=is_training, global_pool=False,
                                   output_stride=output_stride, reuse=reuse, scope=scope)


def test_thin_resnets_compute_what_tfs_ops_compute_and_conv2d_same_aligns():
    """Thin ResNet v1 and v2 (inference batch norm) against TF's ops with the same weights, loaded by the TF1
    variable names (tests/record_slim_nets.py), at the nominal stride and at output_stride=4 (atrous)."""
    recorded = np.load(os.path.join(DATA, "thin_nets.npz"))
    images = tf.constant(make_images((2, 33, 33, 3), 7))
    nets = {}
    for version, module in ((1, resnet_v1), (2, resnet_v2)):
        block = module.resnet_v1_block if version == 1 else module.resnet_v2_block
        blocks = [block("block1", base_depth=2, num_units=2, stride=2), block("block2", base_depth=2, num_units=1,
                                                                            stride=1)]
        build = module.resnet_v1 if version == 1 else module.resnet_v2
        with slim.arg_scope(module.resnet_arg_scope()):
            nets[f"v{version}/logits"] = build(images, blocks, 5, is_training=False, scope=f"thin_v{version}")[0]
            nets[f"v{version}/dense"] = build(images, blocks, is_training=False, global_pool=False, output_stride=4,
                                              reuse=True, scope=f"thin_v{version}")[0]
    # TF1's resnet_utils test: conv2d_same with stride 2 is a stride-1 SAME conv subsampled, on even inputs too
    even = tf.constant(np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1))
    with slim.arg_scope([slim.conv2d], activation_fn=None, weights_initializer=tf.ones_initializer()):
        same = resnet_utils.conv2d_same(even, 1, 3, stride=2, scope="Same")
        full = resnet_utils.subsample(slim.conv2d(even, 1, 3, stride=1, scope="Full"), 2)
        strided = slim.conv2d(even, 1, 3, stride=2, scope="Strided")
    thin = [v for v in tf.global_variables() if v.op.name.startswith("thin")]
    assert sorted(v.op.name for v in thin) == sorted([*recorded["v1/variables"], *recorded["v2/variables"]])
    with tf.Session() as sess:
        sess.run(tf.variables_initializer([v for v in tf.global_variables() if v not in thin]))
        _load_by_name(sess, thin)
        got = sess.run({"nets": nets, "same": same, "full": full, "strided": strided})
    for key, value in got["nets"].items():
        np.testing.assert_allclose(value, recorded[key], rtol=1e-4, atol=1e-4, err_msg=key)
    np.testing.assert_allclose(got["same"], got["full"], rtol=1e-5)
    assert not np.allclose(got["strided"], got["full"])  # a plain strided SAME conv is offset on even inputs


def _load_by_name(sess, variables) -> None:
    for variable in variables:
        variable.load(weight_value(variable.op.name, variable.shape.as_list()), sess)


def test_inception_v3_base_computes_what_tfs_ops_compute():
    """Every Inception v3 module (at depth_multiplier 0.1, on 75x75 images) against TF's ops with the same weights,
    on the reference interpreter (the CPU backend's compile of ~100 convs would cost the suite seconds)."""
    recorded = np.load(os.path.join(DATA, "thin_nets.npz"))
    images = tf.constant(make_images((2, 75, 75, 3), 8))
    with slim.arg_scope(inception.inception_v3_arg_scope()), slim.arg_scope([slim.batch_norm], is_training=False):
        _, end_points = inception.inception_v3_base(images, depth_multiplier=0.1)
    assert sorted(v.op.name for v in tf.global_variables()) == sorted(recorded["v3/variables"])
    wanted = [key.split("/", 1)[1] for key in recorded.files if key.startswith("v3/Mixed")]
    with tf.session.Session(backend="interpreter") as sess:
        _load_by_name(sess, tf.global_variables())
        got = sess.run({key: end_points[key] for key in wanted})
    for key in wanted:
        np.testing.assert_allclose(got[key], recorded[f"v3/{key}"], rtol=1e-4, atol=1e-4, err_msg=key)


def test_resnet_v1_50_gradients_reach_every_trainable_variable():
    images = tf.placeholder(tf.float32, [2, 64, 64, 3])
    with slim.arg_scope(resnet_v1.resnet_arg_scope()):
        logits, _ = resnet_v1.resnet_v1_50(images, num_classes=10, is_training=True)
    loss = tf.losses.sparse_softmax_cross_entropy([1, 7], tf.squeeze(logits, [1, 2]))
    grads = tf.gradients(loss, tf.trainable_variables())
    assert len(grads) == 161 and all(g is not None for g in grads)
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2 * 53  # each batch_norm's two moving averages


def test_training_step_and_restore_by_name_into_a_new_head(tmp_path, monkeypatch):
    # the reference interpreter: the CPU backend's compile of a training step of even a thin ResNet would cost
    # the suite tens of seconds (the forward passes above run on it)
    monkeypatch.setattr(tf, "Session", lambda *a, **k: tf.session.Session(*a, backend="interpreter", **k))
    rng = np.random.default_rng(1)
    feed_images = rng.standard_normal((4, 32, 32, 3)).astype(np.float32)
    images = tf.placeholder(tf.float32, [4, 32, 32, 3])
    logits, _ = _thin_resnet(images, num_classes=10, is_training=True)
    loss = tf.losses.sparse_softmax_cross_entropy([1, 7, 3, 0], tf.reduce_mean(logits, [1, 2]))
    total = tf.add(loss, tf.add_n(tf.losses.get_regularization_losses()))
    trainables = tf.trainable_variables()
    grads = tf.gradients(total, trainables)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.GradientDescentOptimizer(0.01).apply_gradients(zip(grads, trainables))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before, grad_values, _ = sess.run([total, grads, train], {images: feed_images})
        trained = {v.op.name: value for v, value in zip(tf.global_variables(), sess.run(tf.global_variables()))}
        path = tf.train.Saver().save(sess, str(tmp_path / "thin"))
    assert np.isfinite(before)
    assert all(np.isfinite(g).all() and np.abs(g).sum() > 0 for g in grad_values)
    assert not np.allclose(trained["thin/conv1/BatchNorm/moving_mean"], 0)  # the update ops ran

    # fine-tuning: the same body with a 3-class head, everything but the head restored from the checkpoint
    tf.reset_default_graph()
    images = tf.placeholder(tf.float32, [4, 32, 32, 3])
    logits, _ = _thin_resnet(images, num_classes=3)
    assert logits.shape.as_list() == [4, 4, 4, 3]
    restore = slim.get_variables_to_restore(exclude=["thin/logits"])
    assert sorted(v.op.name for v in restore) == sorted(k for k in trained if not k.startswith("thin/logits"))
    init_fn = slim.assign_from_checkpoint_fn(path, restore)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        init_fn(sess)
        restored = dict(zip((v.op.name for v in restore), sess.run(restore)))
        sess.run(tf.global_variables_initializer())
        tf.train.Saver(restore).restore(sess, path)  # the other spelling TF1 scripts use
        saver_restored = dict(zip((v.op.name for v in restore), sess.run(restore)))
    for name, value in restored.items():
        np.testing.assert_array_equal(value, trained[name])
        np.testing.assert_array_equal(saver_restored[name], trained[name])
