"""tf.TensorArray's errors as TF1 raises them (class, and a message naming the array), and its costs in loops.

Values and gradients against TensorFlow are in tests/tf1_op_cases_dyn.py (recorded); here: the run-time
errors TF1's TensorArrayV3 kernels raise (the messages TF 2.21 prints with tf.disable_v2_behavior()),
checked on both backends, and the build-time ones.
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.compiler import compile_step
from dfc.compiler.plan import plan_step

BACKENDS = ["interpreter", "cpu"]


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


def _fails(backend, build, match, feeds=None):
    out = build()
    with tf.Session(backend=backend) as sess, pytest.raises(tf.errors.InvalidArgumentError, match=match):
        sess.run(out, feeds or {})


@pytest.mark.parametrize("backend", BACKENDS)
def test_writing_an_index_twice_fails_the_run(backend):
    _fails(backend, lambda: tf.TensorArray(tf.float32, 3, name="steps").write(0, [1.0, 2.0]).write(0, [3.0, 4.0])
           .stack(), r"steps: Could not write to TensorArray index.*because it has already been written to")


@pytest.mark.parametrize("backend", BACKENDS)
def test_reading_an_element_twice_fails_unless_clear_after_read_is_false(backend):
    def twice(clear):
        ta = tf.TensorArray(tf.float32, 3, clear_after_read=clear, name="memory").write(0, [1.0, 2.0])
        first = ta.read(0)
        with tf.control_dependencies([first]):
            return [first, ta.read(0)]
    _fails(backend, lambda: twice(True), r"memory: Could not read index.*twice because it was cleared after a "
                                         r"previous read \(perhaps try setting clear_after_read = false\?\)")
    with tf.Session(backend=backend) as sess:
        a, b = sess.run(twice(False))
    np.testing.assert_array_equal(a, [1.0, 2.0])
    np.testing.assert_array_equal(b, [1.0, 2.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_stacking_twice_fails_as_in_tf1(backend):
    def build():
        ta = tf.TensorArray(tf.float32, 2, name="rows").unstack(np.ones((2, 2), np.float32))
        first = ta.stack()
        with tf.control_dependencies([first]):
            return ta.stack()
    _fails(backend, build, r"rows: Could not read an element twice because it was cleared")


@pytest.mark.parametrize("backend", BACKENDS)
def test_indices_out_of_range_fail_the_run(backend):
    i = tf.placeholder(tf.int32, [])
    _fails(backend, lambda: tf.TensorArray(tf.float32, 3, name="fixed").write(i, [1.0]).stack(),
           r"fixed: Tried to write to index.*but array is not resizeable and size is:", {i: 5})
    _fails(backend, lambda: tf.TensorArray(tf.float32, 3, element_shape=[1]).read(i), r"Tried to read from index",
           {i: -1})
    _fails(backend, lambda: tf.TensorArray(tf.float32, 2, element_shape=[1]).gather([0, 3]),
           r"Tried to read from index")
    rows = tf.placeholder(tf.float32, [None, 1])
    # three fed rows into two: the fed shapes already fail the unstack's write, which the error names
    _fails(backend, lambda: tf.TensorArray(tf.float32, 2, name="short").unstack(rows).stack(),
           r"TensorArrayUnstack/write.*writes 3 rows into a tensor of 2", {rows: np.ones((3, 1), np.float32)})


def test_a_write_out_of_range_in_a_loop_names_the_array():
    ta = tf.TensorArray(tf.float32, 3, name="out")
    _, ta = tf.while_loop(lambda t, ta: t < 4, lambda t, ta: (t + 1, ta.write(t, tf.cast(t, tf.float32))), [0, ta])
    out = ta.stack()
    for backend in BACKENDS:
        with tf.Session(backend=backend) as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                                match=r"out: Tried to write to index"):
            sess.run(out)


def test_build_time_errors():
    ta = tf.TensorArray(tf.float32, 3, name="shaped").write(0, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"Inconsistent shapes: saw \(3,\) but expected \(2,\)"):
        ta.write(1, [1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"TensorArray dtype is float32 but Op is trying to "
                                                             r"write dtype int32"):
        ta.write(1, tf.constant([1, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"short: Max scatter index must be < array size "
                                                             r"\(2 vs. 2\)"):
        tf.TensorArray(tf.float32, 2, name="short").unstack(np.ones((3, 1), np.float32))
    with pytest.raises(ValueError, match="Argument `size` must be provided"):
        tf.TensorArray(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="element shape is not fully defined"):
        tf.TensorArray(tf.float32, 3).read(1)
    with pytest.raises(tf.errors.UnimplementedError, match="TensorArray has size zero, but element shape"):
        tf.TensorArray(tf.float32, 0).stack()


def test_static_shapes_follow_tf1():
    ta = tf.TensorArray(tf.float32, size=4)
    assert ta.element_shape.ndims is None
    written = ta.write(0, tf.zeros([2, 3]))
    assert ta.element_shape.as_list() == [2, 3]  # shared with every array derived from it, as in TF1
    assert written.stack().shape.as_list() == [4, 2, 3]
    assert written.concat().shape.as_list() == [8, 3]
    assert written.size().dtype == tf.int32


def test_an_rnn_over_tensor_arrays_writes_its_rows_in_place():
    """The loop's writes take the loop variable's buffer: no [steps, batch, units] copy per iteration."""
    x = tf.placeholder(tf.float32, [None, None, 8])
    steps = tf.shape(x)[0]
    inputs = tf.TensorArray(tf.float32, size=steps).unstack(x)
    w = tf.constant(np.eye(8, dtype=np.float32))

    def body(t, h, out):
        h = tf.tanh(tf.matmul(inputs.read(t), w) + h)
        return t + 1, h, out.write(t, h)
    _, _, out = tf.while_loop(lambda t, *_: t < steps, body,
                              [0, tf.zeros_like(x[0]), tf.TensorArray(tf.float32, size=steps)])
    stacked = out.stack()
    step = compile_step(tf.get_default_graph()._dfc_ir(), [stacked._dfc_ir()], [], [x._dfc_ir()], [(50, 4, 8)])
    plan = plan_step(step)
    writes = [op for op in plan.items if getattr(op, "type", "") == "dfc.dynamic_update_slice"
              and op.result.type.shape == (50, 4, 8) and op.name.startswith("while/")]
    assert writes and all(op.result in plan.in_place for op in writes)
    xs = np.random.default_rng(0).standard_normal((50, 4, 8)).astype(np.float32)
    with tf.Session() as sess:
        got = sess.run(stacked, {x: xs})
    h, want = np.zeros((4, 8), np.float32), []
    for t in range(50):
        h = np.tanh(xs[t] + h)
        want.append(h)
    np.testing.assert_allclose(got, np.stack(want), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_hand_written_rnn_classifier_script_trains_as_in_tensorflow(backend):
    from recordings import assert_matches_recording
    from tf1_scripts_dyn import rnn_classifier_script
    actual = rnn_classifier_script(tf, lambda: tf.Session(backend=backend))
    assert_matches_recording(actual, "script_rnn_classifier", lambda key: {"rtol": 1e-4, "atol": 1e-5})


def test_a_tensor_array_first_written_in_a_branch_of_a_loop():
    """Its element shape is fixed by the branch's value: known when built, else the error asks for it."""
    def loop(x, **kw):
        ta = tf.TensorArray(tf.float32, size=4, **kw)

        def body(t, ta):
            return t + 1, tf.cond(tf.equal(t % 2, 0), lambda: ta.write(t, tf.gather(x, t) * 2.0),
                                  lambda: ta.write(t, tf.gather(x, t) - 1.0))
        return tf.while_loop(lambda t, ta: t < 4, body, [0, ta])[1].stack()
    xs = np.arange(8, dtype=np.float32).reshape(4, 2)
    known = loop(tf.placeholder(tf.float32, [None, 2]))
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(known, {known.graph.get_tensor_by_name("Placeholder:0"): xs}),
                                      [[0, 2], [1, 2], [8, 10], [5, 6]])
    unknown = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(ValueError, match="inside a tf.cond.*give the TensorArray a fully defined element_shape"):
        loop(unknown)
    shaped = loop(unknown, element_shape=[2])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(shaped, {unknown: xs}), [[0, 2], [1, 2], [8, 10], [5, 6]])


def test_tensor_arrays_returned_by_cond_branches():
    p = tf.placeholder(tf.bool, [])
    ta = tf.TensorArray(tf.float32, size=2, element_shape=[2])  # unwritten in one branch: zeros of its shape
    out = tf.cond(p, lambda: ta.write(0, [1.0, 2.0]), lambda: ta).stack()
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out, {p: True}), [[1, 2], [0, 0]])
        np.testing.assert_array_equal(sess.run(out, {p: False}), [[0, 0], [0, 0]])
    with pytest.raises(ValueError, match="false_fn returns TensorArray .* unwritten, and its element shape is not "
                                         "known"):
        tf.cond(p, lambda: tf.TensorArray(tf.float32, size=2).write(0, [1.0]),
                lambda: tf.TensorArray(tf.float32, size=2))
