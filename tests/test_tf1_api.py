"""TF1's names and rules for dtypes, sessions, variables, flags, files and logging, as scripts use them."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest

import dfc as tf


pytestmark = pytest.mark.usefixtures("fresh_graph")


@pytest.mark.parametrize("name,expected", [("float", "float32"), ("double", "float64"), ("half", "float16"),
                                           ("float32", "float32"), ("int16", "int16"), ("int8", "int8"),
                                           ("int64", "int64"), ("bool", "bool"), ("bfloat16", "bfloat16")])
def test_string_dtypes_follow_tf(name, expected):
    assert tf.as_dtype(name).name == expected
    assert tf.placeholder(name, [2]).dtype.name == expected


def test_unsupported_dtype_names_are_named_in_the_error():
    with pytest.raises(TypeError, match="qint8 is not supported"):
        tf.as_dtype("qint8")
    with pytest.raises(TypeError, match="cannot interpret 'floaty'"):
        tf.as_dtype("floaty")


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_int16_arithmetic_and_casts(backend):
    x = tf.placeholder(tf.int16, [3])
    y = x * 2 + tf.cast(tf.constant([1.7, 2.0, -3.2]), tf.int16)
    out = tf.Session(backend=backend).run([y, tf.cast(y, tf.float32), tf.reduce_max(y)], {x: [1, -2, 30000]})
    np.testing.assert_array_equal(out[0], np.array([3, -2, -5539], np.int16))
    assert out[0].dtype == np.int16 and out[2] == 3


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_uint8_images_are_fed_cast_and_compared(backend):
    x = tf.placeholder(tf.uint8, [None, 4])
    assert tf.as_dtype("uint8") is tf.uint8 and x.dtype.name == "uint8"
    scaled = tf.cast(x, tf.float32) / 255.0
    wide = tf.cast(x, tf.int32)
    same = tf.equal(x, tf.constant(np.array([200, 1, 2, 255], np.uint8)))
    back = tf.cast(tf.constant([3.0, 200.0, 255.0]), tf.uint8)
    feed = np.array([[200, 1, 2, 255]], np.uint8)
    out = tf.Session(backend=backend).run([scaled, wide, same, back, tf.transpose(x)], {x: feed})
    np.testing.assert_allclose(out[0], feed / 255.0, rtol=1e-6)
    assert out[1].tolist() == [[200, 1, 2, 255]] and out[2].all()
    assert out[3].dtype == np.uint8 and out[3].tolist() == [3, 200, 255]
    assert out[4].tolist() == [[200], [1], [2], [255]]
    doubled = tf.Session(backend=backend).run(x + x, {x: feed})  # TF's uint8 arithmetic wraps modulo 256
    assert doubled.dtype == np.uint8 and doubled.tolist() == [[144, 2, 4, 254]]


def test_logistic_regression_with_float_placeholders_matches_float32():
    x = tf.placeholder("float", [None, 2])
    y = tf.placeholder("float", [None, 1])
    w = tf.Variable(tf.zeros([2, 1]))
    pred = tf.sigmoid(tf.matmul(x, w))
    loss = tf.reduce_mean(-y * tf.log(pred) - (1 - y) * tf.log(1 - pred))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(20):
            sess.run(train, {x: [[1, 0], [0, 1]], y: [[1], [0]]})
        assert pred.dtype == tf.float32
        assert sess.run(loss, {x: [[1, 0], [0, 1]], y: [[1], [0]]}) < 0.3


def test_interactive_session_is_the_default_until_closed():
    v = tf.Variable(3.0)
    sess = tf.InteractiveSession()
    tf.global_variables_initializer().run()
    assert v.eval() == 3.0 and tf.get_default_session() is sess
    sess.close()
    assert tf.get_default_session() is None


def test_get_variable_after_a_variable_of_that_name_uniquifies():
    a = tf.Variable(1.0, name="x")
    b = tf.get_variable("x", [2])
    assert (a.name, b.name) == ("x:0", "x_1:0")
    with tf.variable_scope("", reuse=True):
        assert tf.get_variable("x") is b


def test_int_labels_in_softmax_cross_entropy_are_cast():
    logits = tf.constant([[1.0, 2.0, 0.5]])
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=tf.constant([[0, 1, 0]]), logits=logits)
    expected = -np.log(np.exp(2.0) / np.exp([1.0, 2.0, 0.5]).sum())
    assert tf.Session().run(loss)[0] == pytest.approx(expected, rel=1e-6)


def test_arg_min_arg_max_and_graph_keys():
    t = tf.constant([[1, 5, 2], [7, 0, 3]])
    sess = tf.Session()
    assert sess.run(tf.arg_max(t, 1)).tolist() == [1, 0]
    assert sess.run(tf.arg_min(t, dimension=0)).tolist() == [0, 1, 0]
    v = tf.Variable(1.0)
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES) == [v]
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES) == [v]


def test_config_proto_accepts_tf_options():
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False)
    config.gpu_options.allow_growth = True
    config.gpu_options.per_process_gpu_memory_fraction = 0.4
    with tf.Session(config=config) as sess:
        assert sess.run(tf.constant(2.0) * 3) == 6.0
    with pytest.raises(AttributeError, match="no field 'allow_soft'"):
        tf.ConfigProto(allow_soft=True)


def test_get_checkpoint_state(tmp_path):
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None
    v = tf.Variable(1.0)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, str(tmp_path / "model"), global_step=1)
        saver.save(sess, str(tmp_path / "model"), global_step=2)
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == str(tmp_path / "model-2")
    assert state.all_model_checkpoint_paths == [str(tmp_path / "model-1"), str(tmp_path / "model-2")]
    with tf.Session() as sess:
        saver.restore(sess, state.model_checkpoint_path)
        assert sess.run(v) == 1.0


def test_app_run_parses_flags_and_calls_main(monkeypatch):
    flags = tf.app.flags
    assert flags is tf.flags and flags.FLAGS is tf.flags.FLAGS
    names = ["batch_size", "learning_rate", "fake_data", "data_dir"]
    flags.DEFINE_integer("batch_size", 32, "batch")
    flags.DEFINE_float("learning_rate", 0.1, "lr")
    flags.DEFINE_boolean("fake_data", False, "fake")
    flags.DEFINE_string("data_dir", "/tmp/data", "dir")
    seen = {}

    def main(argv):
        values = flags.FLAGS.flag_values_dict()
        seen.update({k: values[k] for k in names}, argv=argv)
        return 0
    monkeypatch.setattr("sys.argv", ["prog", "--batch_size=8", "--fake_data", "--learning_rate", "0.5", "extra"])
    try:
        with pytest.raises(SystemExit) as info:
            tf.app.run(main)
        assert info.value.code == 0
        assert seen == {"batch_size": 8, "learning_rate": 0.5, "fake_data": True, "data_dir": "/tmp/data",
                        "argv": ["prog", "extra"]}
        # absl's Flag objects, which TF1 scripts log flags with: FLAGS.__flags and FLAGS['name']
        logged = {name: flag.value for name, flag in getattr(flags.FLAGS, "__flags").items() if name in names}
        assert logged == {"batch_size": 8, "learning_rate": 0.5, "fake_data": True, "data_dir": "/tmp/data"}
        assert flags.FLAGS["data_dir"].default == "/tmp/data" and str(flags.FLAGS["batch_size"].value) == "8"
        # DCGAN-tensorflow's main: {k: FLAGS[k].value for k in FLAGS} (iterating FLAGS gives the flags' names)
        assert {k: flags.FLAGS[k].value for k in flags.FLAGS if k in names} == logged
        assert [k for k in flags.FLAGS if k in names] == names
        with pytest.raises(flags.IllegalFlagValueError, match="batch_size"):
            flags.FLAGS(["prog", "--batch_size=many"])
    finally:  # absl's FLAGS is the process's: leave it as it was
        for name in names:
            delattr(flags.FLAGS, name)
        flags.FLAGS.unparse_flags()


def test_gfile(tmp_path):
    d = str(tmp_path / "a" / "b")
    tf.gfile.MakeDirs(d)
    assert tf.gfile.Exists(d) and tf.gfile.IsDirectory(d)
    with tf.gfile.GFile(os.path.join(d, "f.txt"), "w") as f:
        f.write("hello\n")
    with tf.gfile.Open(os.path.join(d, "f.txt")) as f:
        assert f.read() == "hello\n"
    assert tf.gfile.ListDirectory(d) == ["f.txt"]
    assert tf.gfile.Glob(os.path.join(d, "*.txt")) == [os.path.join(d, "f.txt")]
    tf.gfile.DeleteRecursively(str(tmp_path / "a"))
    assert not tf.gfile.Exists(d)
    with pytest.raises(tf.gfile.NotFoundError):
        tf.gfile.GFile(os.path.join(d, "missing"))


def test_logging_levels(caplog):
    tf.logging.set_verbosity(tf.logging.INFO)
    assert tf.logging.get_verbosity() == logging.INFO
    logger = logging.getLogger("dfc")
    logger.propagate = True
    try:
        with caplog.at_level(logging.INFO, logger="dfc"):
            tf.logging.info("step %d", 3)
            tf.logging.debug("hidden")
        assert "step 3" in caplog.text and "hidden" not in caplog.text
    finally:
        logger.propagate = False
        tf.logging.set_verbosity(tf.logging.WARN)
