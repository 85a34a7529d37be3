"""tf.py_func / tf.numpy_function / tf.py_function: results, static shapes, gradients and TF1's errors.

Values against TensorFlow are in tests/tf1_op_cases_dyn.py (recorded); the error classes and texts
here are those TF 2.21 raises with tf.disable_v2_behavior().
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

BACKENDS = ["interpreter", "cpu"]


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


@pytest.mark.parametrize("backend", BACKENDS)
def test_outputs_feed_the_graph_and_chain(backend):
    x = tf.placeholder(tf.float32, [None], name="x")
    calls = []

    def double(a):
        calls.append(a.copy())
        return a * 2

    y = tf.py_func(double, [x * 3.0], tf.float32)
    assert y.shape.ndims is None and y.dtype == tf.float32 and y.op.name == "PyFunc"
    total, ints = tf.py_func(lambda a: [a.sum(), a.astype(np.int32)], [y + 1.0], [tf.float32, tf.int32],
                             name="stats")
    single = tf.py_func(lambda a: a, [x], [tf.float32])
    assert isinstance(single, list) and len(single) == 1
    with tf.Session(backend=backend) as sess:
        got = sess.run([y, total, ints, single[0]], {x: np.array([1.0, 2.0], np.float32)})
    np.testing.assert_array_equal(got[0], [6.0, 12.0])
    assert got[1] == np.float32(20.0) and np.shape(got[1]) == ()
    np.testing.assert_array_equal(got[2], [7, 13])
    assert len(calls) == 1  # once per run, though two outputs and a second py_func read it


def test_py_function_gets_arrays_with_numpy_and_python_numbers_take_tout():
    x = tf.constant([1.0, 2.0])
    y = tf.py_function(lambda a: float(a.numpy().sum()), [x], tf.float32)
    assert y.op.name == "EagerPyFunc"
    with tf.Session() as sess:
        assert sess.run(y) == np.float32(3.0)


def test_no_outputs_makes_an_op_that_calls_the_function():
    seen = []
    op = tf.py_func(lambda a: seen.append(float(a)), [tf.constant(4.0)], [])
    with tf.Session() as sess:
        assert sess.run(op) is None
    assert seen == [4.0]


def test_gradients_stop_at_a_py_func():
    w = tf.constant([1.0, 2.0])
    y = tf.py_func(lambda a: a * 2, [w], tf.float32)
    assert tf.gradients(tf.reduce_sum(y), w) == [None]
    grad = tf.gradients(tf.reduce_sum(y * w), w)[0]
    y.set_shape([2])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(grad), [2.0, 4.0])  # only the direct path, as TF1


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_results_fail_the_run_naming_the_op(backend):
    x = tf.constant([1.0, 2.0])
    cases = [
        (tf.py_func(lambda a: a.astype(np.float64), [x], tf.float32, name="widen"),
         r"widen.*0-th value returned by pyfunc is double, but expects float"),
        (tf.py_func(lambda a: 1.5, [x], tf.float32, name="pyfloat"), r"pyfloat.*is double, but expects float"),
        (tf.py_func(lambda a: [a, a], [x], tf.float32, name="many"),
         r"many.*returns 2 values, but expects to see 1 values"),
        (tf.py_func(lambda a: a, [x], [tf.float32, tf.float32], name="few"),
         r"few.*returns 1 values, but expects to see 2 values"),
    ]
    shaped = tf.py_func(lambda a: np.zeros(3, np.float32), [x], tf.float32, name="shaped")
    shaped.set_shape([2])
    cases.append((shaped, r"shaped.*has shape \[3\], but its shape was set to \(2,\)"))
    with tf.Session(backend=backend) as sess:
        for out, match in cases:
            with pytest.raises(tf.errors.InvalidArgumentError, match=match):
                sess.run(out)


def test_exceptions_of_the_function_keep_tf1s_classes_and_text():
    def raises(error):
        def fn(a):
            raise error("went wrong")
        return fn
    x = tf.constant(1.0)
    with tf.Session() as sess:
        for error, cls in ((ValueError, tf.errors.InvalidArgumentError), (TypeError, tf.errors.InvalidArgumentError),
                           (RuntimeError, tf.errors.UnknownError), (KeyError, tf.errors.UnknownError),
                           (StopIteration, tf.errors.OutOfRangeError),
                           (NotImplementedError, tf.errors.UnimplementedError)):
            out = tf.py_func(raises(error), [x], tf.float32, name=f"fails_{error.__name__}")
            with pytest.raises(cls, match=rf"(?s){error.__name__}: .*went wrong.*fails_{error.__name__}"):
                sess.run(out)


def test_a_py_func_inside_a_loop_is_refused_with_the_reason():
    with pytest.raises(NotImplementedError, match="calls a Python function.*tf.py_func"):
        tf.while_loop(lambda i: i < 3, lambda i: tf.py_func(lambda a: a + 1, [i], tf.int32), [0])
    with pytest.raises(NotImplementedError, match="calls a Python function"):
        tf.cond(tf.constant(True), lambda: tf.py_func(lambda: np.float32(1), [], tf.float32),
                lambda: tf.constant(2.0))


def test_a_training_loop_with_a_py_func_metric():
    """A TF1 script: a py_func computes a numpy metric of the model's output each step of a Session loop."""
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((16, 3)).astype(np.float32)
    ys = (xs @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)
    x, y = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 1])
    with tf.variable_scope("model"):
        pred = tf.layers.dense(x, 1, kernel_initializer=tf.zeros_initializer())
    loss = tf.reduce_mean(tf.square(pred - y))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    median_error = tf.py_func(lambda p, t: np.float32(np.median(np.abs(p - t))), [pred, y], tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        errors = []
        for _ in range(30):
            _, err = sess.run([train, median_error], {x: xs, y: ys})
            errors.append(err)
    assert errors[-1] < errors[0] * 0.2
