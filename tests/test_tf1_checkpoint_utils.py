"""tf.train's checkpoint utilities (readers, state files, init_from_checkpoint) and TF1's variable utilities."""

from __future__ import annotations

import os

import numpy as np
import pytest

import dfc as tf


def _save(directory, step=3):
    tf.reset_default_graph()
    with tf.variable_scope("s"):
        a = tf.get_variable("a", [2, 3])
        b = tf.get_variable("b", [], tf.int64)  # TF1: integers start at zero
    tf.train.get_or_create_global_step()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, os.path.join(directory, "model"), global_step=step)
        return prefix, sess.run(a), sess.run(b)


def test_checkpoint_reader_and_listing(tmp_path):
    prefix, a, b = _save(str(tmp_path))
    reader = tf.train.NewCheckpointReader(prefix)
    assert reader.get_variable_to_shape_map() == {"global_step": [], "s/a": [2, 3], "s/b": []}
    assert reader.get_variable_to_dtype_map() == {"global_step": tf.int64, "s/a": tf.float32, "s/b": tf.int64}
    assert reader.has_tensor("s/a") and not reader.has_tensor("s/c")
    np.testing.assert_array_equal(reader.get_tensor("s/a"), a)
    assert reader.get_tensor("s/b") == 0 and b == 0
    assert reader.debug_string() == b"global_step (DT_INT64) []\ns/a (DT_FLOAT) [2,3]\ns/b (DT_INT64) []\n"
    with pytest.raises(tf.errors.NotFoundError, match="Key s/c not found"):
        reader.get_tensor("s/c")
    assert tf.train.list_variables(str(tmp_path)) == [("global_step", []), ("s/a", [2, 3]), ("s/b", [])]
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path), "s/a:0"), a)
    np.testing.assert_array_equal(tf.train.load_checkpoint(prefix).get_tensor("s/a"), a)
    with pytest.raises(tf.errors.NotFoundError, match="nope"):
        tf.train.NewCheckpointReader(str(tmp_path / "nope"))
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
        tf.train.load_checkpoint(str(tmp_path / "empty_dir") if os.mkdir(tmp_path / "empty_dir") is None else "")
    assert tf.train.checkpoint_exists(prefix) and not tf.train.checkpoint_exists(prefix + "0")
    assert len(tf.train.get_checkpoint_mtimes([prefix, prefix + "0"])) == 1


def test_checkpoint_state_files(tmp_path):
    prefix, _, _ = _save(str(tmp_path))
    state = tf.train.generate_checkpoint_state_proto(str(tmp_path), "model-3", ["model-1", "/x/model-2"])
    assert state.model_checkpoint_path == "model-3"
    assert state.all_model_checkpoint_paths == ["model-1", "/x/model-2", "model-3"]
    tf.train.update_checkpoint_state(str(tmp_path), "model-3", ["model-1"])
    assert (tmp_path / "checkpoint").read_text() == ('model_checkpoint_path: "model-3"\n'
                                                     'all_model_checkpoint_paths: "model-1"\n'
                                                     'all_model_checkpoint_paths: "model-3"\n')
    read = tf.train.get_checkpoint_state(str(tmp_path))
    assert read.model_checkpoint_path == prefix
    assert read.all_model_checkpoint_paths == [str(tmp_path / "model-1"), prefix]
    assert list(tf.train.checkpoints_iterator(str(tmp_path), timeout=0)) == [prefix]
    tf.train.remove_checkpoint(prefix)
    assert not tf.train.checkpoint_exists(prefix) and tf.train.latest_checkpoint(str(tmp_path)) is None


def test_init_from_checkpoint_assignment_maps(tmp_path):
    prefix, a, _ = _save(str(tmp_path))
    tf.reset_default_graph()
    with tf.variable_scope("new"):
        a2 = tf.get_variable("a", [2, 3])
        b2 = tf.get_variable("b", [], tf.int64)
    c = tf.get_variable("c", [2, 3])
    d = tf.Variable(tf.zeros([2, 3]), name="d")
    tf.train.init_from_checkpoint(str(tmp_path), {"s/": "new/"})
    tf.train.init_from_checkpoint(prefix, {"s/a": "c"})
    tf.train.init_from_checkpoint(prefix, {"s/a": d})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for var in (a2, c, d):
            np.testing.assert_array_equal(sess.run(var), a)
        assert sess.run(b2) == 0
    with pytest.raises(ValueError, match="Shape of variable new/b"):
        tf.train.init_from_checkpoint(prefix, {"s/a": "new/b"})
    with pytest.raises(ValueError, match="Tensor s/zz is not found"):
        tf.train.init_from_checkpoint(prefix, {"s/zz": "c"})
    with pytest.raises(ValueError, match="scope only"):
        tf.train.init_from_checkpoint(prefix, {"x": "y"})


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_variable_utilities(backend):
    tf.reset_default_graph()
    v = tf.Variable(3, name="v")
    w = tf.Variable(tf.zeros([2, 3]), name="w")
    loc = tf.get_local_variable("loc", [2], initializer=tf.zeros_initializer())
    assert loc in tf.local_variables() and loc not in tf.global_variables() and not loc.trainable
    counter = tf.count_up_to(v, 5)
    flag = tf.is_variable_initialized(w)
    report = tf.report_uninitialized_variables()
    check = tf.assert_variables_initialized([v, w])
    with tf.Session(backend=backend) as sess:
        assert list(sess.run(report)) == [b"v", b"w", b"loc"] and not sess.run(flag)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value v"):
            sess.run(check)
        sess.run([v.initializer, tf.initialize_local_variables()])
        assert list(sess.run(report)) == [b"w"]
        assert [sess.run(counter) for _ in range(2)] == [3, 4] and sess.run(v.count_up_to(6)) == 5
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 5"):
            sess.run(counter)
        assert sess.run(v) == 6
        sess.run(tf.initialize_variables([w]))
        assert sess.run(flag) and list(sess.run(check)) == [0, 2]
    with pytest.raises(TypeError, match="int32, int64"):
        tf.count_up_to(w, 3)


def test_make_template_shares_variables():
    tf.reset_default_graph()

    def linear(x, n=2):
        return tf.matmul(x, tf.get_variable("w", [3, n]))
    first = tf.make_template("lin", linear, n=4)
    x = tf.placeholder(tf.float32, [None, 3])
    y1, y2 = first(x), first(x)
    second = tf.make_template("lin", linear)
    second(x)
    assert [v.name for v in tf.global_variables()] == ["lin/w:0", "lin_1/w:0"]
    assert first.variable_scope_name == "lin/" and [v.name for v in first.trainable_variables] == ["lin/w:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b = sess.run([y1, y2], {x: np.ones((2, 3), np.float32)})
    np.testing.assert_array_equal(a, b)
    bad = tf.make_template("bad", lambda: tf.Variable(1.0))
    bad()
    with pytest.raises(ValueError, match="Trainable variable created"):
        bad()


TF_CHECKPOINT = os.path.join(os.path.dirname(__file__), "data", "tf_checkpoint")
#: what TensorFlow saved in tests/data/tf_checkpoint (model.ckpt-3.index + .data-00000-of-00001)
TF_SAVED = {"net/w": np.arange(6, dtype=np.float32).reshape(2, 3) / 7, "net/b": np.array([1.5, -2.5]),
            "count": np.int64(42), "flags": np.array([True, False, True]),
            "half": np.array([0.5, 2.0], np.float16), "ints": np.array([[1, -2], [3, 4]], np.int32),
            "global_step": np.int64(3)}


def test_checkpoints_tensorflow_wrote_are_read(tmp_path):
    prefix = tf.train.latest_checkpoint(TF_CHECKPOINT)
    assert prefix == os.path.join(TF_CHECKPOINT, "model.ckpt-3") and tf.train.checkpoint_exists(prefix)
    assert tf.train.list_variables(TF_CHECKPOINT) == sorted((k, list(np.shape(v))) for k, v in TF_SAVED.items())
    reader = tf.train.NewCheckpointReader(prefix)
    for name, value in TF_SAVED.items():
        got = reader.get_tensor(name)
        assert np.asarray(got).dtype == np.asarray(value).dtype
        np.testing.assert_array_equal(got, value)
    tf.reset_default_graph()
    with tf.variable_scope("net"):
        w = tf.get_variable("w", [2, 3])
        b = tf.get_variable("b", [2], tf.float64)
    flags = tf.get_variable("flags", [3], tf.bool)
    with tf.Session() as sess:
        tf.train.Saver([w, b, flags]).restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(w), TF_SAVED["net/w"])
        assert sess.run(flags).tolist() == [True, False, True]
    tf.reset_default_graph()
    with tf.variable_scope("fine_tuned"):
        w2 = tf.get_variable("w", [2, 3])
    tf.train.init_from_checkpoint(TF_CHECKPOINT, {"net/w": "fine_tuned/w"})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(w2), TF_SAVED["net/w"])


def test_damaged_tensorflow_checkpoints_are_data_loss(tmp_path):
    import shutil
    for name in os.listdir(TF_CHECKPOINT):
        shutil.copy(os.path.join(TF_CHECKPOINT, name), tmp_path / name)
    data = tmp_path / "model.ckpt-3.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[3] ^= 0xFF
    data.write_bytes(bytes(raw))
    with pytest.raises(tf.errors.DataLossError, match="checksum mismatch"):
        tf.train.NewCheckpointReader(str(tmp_path / "model.ckpt-3"))
    index = tmp_path / "model.ckpt-3.index"
    index.write_bytes(index.read_bytes()[:-5])
    with pytest.raises(tf.errors.DataLossError, match="model.ckpt-3.index"):
        tf.train.list_variables(str(tmp_path / "model.ckpt-3"))
