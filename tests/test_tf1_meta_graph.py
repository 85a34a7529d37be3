"""tf.train.export_meta_graph / import_meta_graph and Saver's .meta files: save in one graph, rebuild in another."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 3)).astype(np.float32)
Y = X.sum(1, keepdims=True)


def _train_and_save(directory: str) -> tuple[np.ndarray, np.ndarray]:
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y_ = tf.placeholder(tf.float32, [None, 1], name="y_")
    with tf.variable_scope("net"):
        h = tf.layers.dense(x, 4, activation=tf.nn.relu, name="h")
        y = tf.layers.dense(h, 1, name="out")
    loss = tf.reduce_mean(tf.square(y - y_), name="loss")
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
    tf.add_to_collection("train_op", train)
    tf.add_to_collection("pred", y)
    tf.cond(tf.reduce_sum(x) > 0, lambda: y * 2.0, lambda: y, name="doubled")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            sess.run(train, {x: X, y_: Y})
        tf.train.Saver().save(sess, f"{directory}/model", global_step=step)
        before = sess.run(y, {x: X})
        sess.run(train, {x: X, y_: Y})
        return before, sess.run(y, {x: X})


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_import_meta_graph_restores_and_keeps_training(tmp_path, backend):
    before, after_one_more_step = _train_and_save(str(tmp_path))
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(str(tmp_path / "model-5.meta"))
    graph = tf.get_default_graph()
    x = graph.get_tensor_by_name("x:0")
    y = graph.get_tensor_by_name("net/out/BiasAdd:0")
    assert [v.name for v in tf.trainable_variables()] == ["net/h/kernel:0", "net/h/bias:0", "net/out/kernel:0",
                                                          "net/out/bias:0"]
    assert tf.train.get_global_step().name == "global_step:0"
    with tf.Session(backend=backend) as sess:
        saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
        np.testing.assert_allclose(sess.run(y, {x: X}), before, rtol=1e-6, atol=1e-7)  # backends round apart
        np.testing.assert_allclose(sess.run("doubled:0", {x: X}), before * (2 if X.sum() > 0 else 1), rtol=1e-6,
                                   atol=2e-7)  # backends round apart, as for y above
        np.testing.assert_allclose(sess.run("doubled:0", {x: -X}), sess.run(y, {x: -X}) * (2 if X.sum() < 0 else 1))
        sess.run(tf.get_collection("train_op")[0], {x: X, "y_:0": Y})  # Adam's slots came back too
        assert sess.run(tf.train.get_global_step()) == 6
        np.testing.assert_allclose(sess.run(tf.get_collection("pred")[0], {x: X}), after_one_more_step,
                                   rtol=1e-5, atol=1e-6)


def test_import_scope_input_map_and_return_elements(tmp_path):
    before, _ = _train_and_save(str(tmp_path))
    meta = tf.train.export_meta_graph(str(tmp_path / "g.pbtxt"), as_text=True)
    assert "dfc_ir" in meta.collection_def and meta.graph_def.node
    tf.reset_default_graph()
    feed = tf.placeholder(tf.float32, [None, 3], name="feed")
    saver, (y, loss_op) = tf.train.import_meta_graph(str(tmp_path / "g.pbtxt"), import_scope="copy",
                                                     input_map={"x:0": feed * 1.0},
                                                     return_elements=["net/out/BiasAdd:0", "loss"])
    assert y.name == "copy/net/out/BiasAdd:0" and loss_op.name == "copy/loss"
    assert tf.global_variables()[0].name == "copy/net/h/kernel:0"
    with tf.Session() as sess:
        saver.restore(sess, str(tmp_path / "model-5"))  # the checkpoint's names, without the scope
        np.testing.assert_allclose(sess.run(y, {feed: X}), before, rtol=1e-6)
    with pytest.raises(ValueError, match="not found"):
        tf.train.import_meta_graph(str(tmp_path / "g.pbtxt"), input_map={"nope:0": feed})


def test_meta_graph_errors(tmp_path):
    with pytest.raises(OSError, match="missing.meta"):  # TF1's IOError
        tf.train.import_meta_graph(str(tmp_path / "missing.meta"))
    (tmp_path / "bad.meta").write_bytes(b"\xff\x00 not a proto {{{")
    with pytest.raises(tf.errors.DataLossError, match="bad.meta"):
        tf.train.import_meta_graph(str(tmp_path / "bad.meta"))
    from tensorboard.compat.proto import meta_graph_pb2
    with pytest.raises(tf.errors.UnimplementedError, match="not written by dfc"):
        tf.train.import_meta_graph(meta_graph_pb2.MetaGraphDef())
    tf.reset_default_graph()
    assert tf.train.import_meta_graph(tf.train.export_meta_graph()) is None  # no variables: no saver, as TF


def test_saver_keeps_max_to_keep_checkpoints_with_their_meta_files(tmp_path):
    tf.reset_default_graph()
    v = tf.Variable(1.0, name="v")
    saver = tf.train.Saver({"renamed": v}, max_to_keep=2)
    with tf.Session() as sess:
        sess.run(v.initializer)
        for step in range(4):
            saver.save(sess, str(tmp_path / "m"), global_step=step)
    assert saver.last_checkpoints == [str(tmp_path / "m-2"), str(tmp_path / "m-3")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint", "m-2.meta", "m-2.safetensors", "m-3.meta",
                                                          "m-3.safetensors"]
    assert tf.train.list_variables(str(tmp_path)) == [("renamed", [])]
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver([])
    with pytest.raises(ValueError, match="not a valid checkpoint"):
        with tf.Session() as sess:
            saver.restore(sess, str(tmp_path / "m-0"))


def test_graph_util_on_plain_graph_defs_and_import_errors():
    from tensorboard.compat.proto import graph_pb2
    plain = graph_pb2.GraphDef()  # as TensorFlow writes one: nodes only, no dfc IR
    for name, op, inputs in [("a", "Placeholder", []), ("b", "Identity", ["a"]), ("c", "Neg", ["b", "^a"]),
                             ("d", "Neg", ["a"])]:
        node = plain.node.add()
        node.name, node.op = name, op
        node.input.extend(inputs)
    assert [n.name for n in tf.graph_util.extract_sub_graph(plain, ["c"]).node] == ["a", "b", "c"]
    slim = tf.graph_util.remove_training_nodes(plain, protected_nodes=[])
    assert [(n.name, list(n.input)) for n in slim.node] == [("a", []), ("c", ["a", "^a"]), ("d", ["a"])]
    with pytest.raises(tf.errors.UnimplementedError, match="not written by dfc"):
        tf.import_graph_def(plain)
    with pytest.raises(TypeError, match="GraphDef"):
        tf.import_graph_def("not a graph")
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [2], name="x")
    tf.negative(x, name="y")
    graph_def = tf.get_default_graph().as_graph_def()
    tf.reset_default_graph()
    assert tf.import_graph_def(graph_def) is None
    (y,) = tf.import_graph_def(graph_def, return_elements=["y:0"])
    assert y.name == "import_1/y:0"  # a second import takes a fresh scope, as TF's
    with pytest.raises(ValueError, match="'nope:0' not found"):
        tf.import_graph_def(graph_def, return_elements=["nope:0"])
    with tf.Session() as sess:
        assert sess.run(y, {"import_1/x:0": np.array([1.0, -2.0], np.float32)}).tolist() == [-1.0, 2.0]
    with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value v"):
        tf.reset_default_graph()
        v = tf.Variable(1.0, name="v")
        with tf.Session() as sess:
            tf.graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), [v.op.name])
