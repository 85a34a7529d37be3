"""Session semantics: fetch structures, feeds, partial execution, variables across runs and sessions, errors."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import dfc as tf


pytestmark = pytest.mark.usefixtures("fresh_graph")


def test_fetch_structures_come_back_in_shape():
    a, b = tf.constant(1.0), tf.constant(2.0)
    Pair = collections.namedtuple("Pair", "x y")
    with tf.Session() as sess:
        out = sess.run({"a": a, "nested": [b, (a, b)], "pair": Pair(a, b), "op": tf.no_op()})
    assert out["a"] == 1.0 and out["nested"][0] == 2.0 and out["nested"][1] == (1.0, 2.0)
    assert out["pair"] == Pair(1.0, 2.0) and out["op"] is None
    assert isinstance(out["nested"][1], tuple)


def test_scalar_fetches_are_numpy_scalars():
    with tf.Session() as sess:
        value = sess.run(tf.constant(3.0) + tf.constant(4.0))
    assert value == 7.0 and isinstance(value, np.float32)


def test_feeding_an_intermediate_cuts_the_graph():
    x = tf.placeholder(tf.float32, [2])
    y = x * 2.0
    z = y + 1.0
    with tf.Session() as sess:
        # x is not fed: its producer is cut off because y is fed
        np.testing.assert_array_equal(sess.run(z, {y: [10.0, 20.0]}), [11.0, 21.0])


def test_only_what_the_fetches_need_runs():
    x = tf.placeholder(tf.float32, [2])
    bad = tf.gather(tf.constant([1.0, 2.0]), tf.constant([5]))  # would fail if it ran
    v = tf.Variable(0.0)
    never = tf.assign_add(v, 100.0)
    good = tf.constant(1.0) + 1.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(good) == 2.0
        assert sess.run(v) == 0.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
            sess.run(bad)
    del x, never


def test_variables_persist_across_runs():
    v = tf.Variable(tf.zeros([2]))
    inc = v.assign_add([1.0, 2.0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(inc)
        np.testing.assert_array_equal(sess.run(v), [3.0, 6.0])


def test_reads_in_a_step_see_the_value_at_step_start():
    v = tf.Variable(1.0)
    update = v.assign(v * 10.0)
    doubled = v * 2.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        _, d = sess.run([update, doubled])
        assert d == 2.0
        assert sess.run(v) == 10.0


def test_new_session_has_its_own_store_and_can_attach_to_another():
    v = tf.Variable(5.0, name="v")
    with tf.Session() as first:
        first.run(tf.global_variables_initializer())
        first.run(v.assign(6.0))
        shared = tf.Session(store=first.store)
        assert shared.run(v) == 6.0  # no re-initialization needed
        shared.run(v.assign_add(1.0))
        assert first.run(v) == 7.0
    with tf.Session() as fresh:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value v"):
            fresh.run(v)


def test_unfed_placeholder_is_named():
    x = tf.placeholder(tf.float32, [None, 3], name="images")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match=r"placeholder 'images'.*tensor<\?x3xf32>.*test_session.py"):
        sess.run(x * 2.0)


def test_feed_of_wrong_shape_names_expected_and_given():
    x = tf.placeholder(tf.float32, [None, 3], name="images")
    expected = r"shape \(2, 4\) for placeholder 'images', which has shape \(\?, 3\)"
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match=expected):
        sess.run(x, {x: np.zeros((2, 4))})


def test_feeds_convert_as_tfs_numpy_casts_and_unconvertible_ones_name_the_placeholder():
    x = tf.placeholder(tf.int32, [2], name="ids")
    f = tf.placeholder(tf.float32, [2], name="values")
    flags = tf.placeholder(tf.bool, [2], name="flags")
    with tf.Session() as sess:
        assert sess.run(x, {x: np.array([1.5, 2.0])}).tolist() == [1, 2]  # TF truncates, as numpy does
        assert sess.run(f, {f: np.array([1.5, 2.0])}).dtype == np.float32
        assert sess.run(f, {f: [True, False]}).tolist() == [1.0, 0.0]
        assert sess.run(flags, {flags: [2.0, 0.0]}).tolist() == [True, False]
        assert sess.run(f, {f: ["1", "2.5"]}).tolist() == [1.0, 2.5]
        with pytest.raises(ValueError, match="'values'.*could not convert string"):  # TF's class: numpy's error
            sess.run(f, {f: ["a", "b"]})


def test_fed_shapes_that_break_an_op_name_it():
    x = tf.placeholder(tf.float32, [None, None], name="x")
    w = tf.constant(np.ones((3, 2), np.float32))
    y = tf.matmul(x, w, name="project")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match=r"'project'.*test_session.py"):
        sess.run(y, {x: np.ones((2, 5))})


def test_build_time_shape_mismatch_names_the_source_line():
    a = tf.constant(np.ones((2, 3), np.float32))
    b = tf.constant(np.ones((4, 5), np.float32))
    with pytest.raises(ValueError, match=r"dfc.matmul 'MatMul' at .*test_session.py:\d+.*3 != 4"):
        tf.matmul(a, b)
    with pytest.raises(ValueError, match="cannot be broadcast"):
        a + tf.constant(np.ones((5,), np.float32))


def test_fetching_a_tensor_of_another_graph():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0)
    mine = tf.Graph()
    with mine.as_default():
        tf.constant(0.0)  # a session's graph with no ops is TF's RuntimeError before the fetches are looked at
    with tf.Session(graph=mine) as sess, pytest.raises(ValueError, match="not an element of this session's graph"):
        sess.run(c)


def test_mixing_graphs_in_one_op_is_an_error():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0)
    d = tf.constant(2.0)
    with pytest.raises(ValueError, match="same graph"):
        c + d


def test_closed_session():
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(tf.constant(1.0))


def test_eval_and_run_use_the_default_session():
    v = tf.Variable(2.0)
    with tf.Session():
        tf.global_variables_initializer().run()
        assert (v * 3.0).eval() == 6.0
        assert v.eval() == 2.0
    with pytest.raises(ValueError, match="no default session"):
        v.eval()


def test_tensor_as_bool_is_an_error():
    with pytest.raises(TypeError, match="bool"):
        if tf.constant(1.0) > 0:
            pass


def test_variable_scope_and_get_variable_reuse():
    with tf.variable_scope("linear-regression"):
        w = tf.get_variable("weights", (1, 1), initializer=tf.random_normal_initializer())
    assert w.name == "linear-regression/weights:0"
    with pytest.raises(ValueError, match="already exists"):
        with tf.variable_scope("linear-regression"):
            tf.get_variable("weights", (1, 1))
    with tf.variable_scope("linear-regression", reuse=True):
        assert tf.get_variable("weights", (1, 1)) is w
        with pytest.raises(ValueError, match="does not exist"):
            tf.get_variable("missing", (1,))
    with tf.variable_scope("linear-regression", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("weights") is w
    assert tf.global_variables() == [w] and tf.trainable_variables() == [w]


@pytest.mark.parametrize("init,check", [
    (tf.zeros_initializer(), lambda a: (a == 0).all()),
    (tf.ones_initializer(), lambda a: (a == 1).all()),
    (tf.constant_initializer(0.5), lambda a: (a == 0.5).all()),
    (tf.random_uniform_initializer(-0.1, 0.1, seed=1), lambda a: (abs(a) <= 0.1).all() and a.std() > 0),
    (tf.random_normal_initializer(0.0, 0.01, seed=1), lambda a: abs(a.std() - 0.01) < 0.003),
    (tf.glorot_uniform_initializer(seed=1), lambda a: (abs(a) <= np.sqrt(6 / 50)).all()),
    (tf.truncated_normal_initializer(stddev=1.0, seed=1), lambda a: (abs(a) < 2).all()),
])
def test_initializers(init, check):
    v = tf.get_variable("v", (20, 30), initializer=init)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert check(sess.run(v))


def test_variables_initializer_and_trainable_flags():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0, trainable=False)
    assert tf.trainable_variables() == [a] and tf.global_variables() == [a, b]
    with tf.Session() as sess:
        sess.run(tf.variables_initializer([b]))
        assert sess.run(b) == 2.0
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(a)


def test_devices_are_recorded_and_printed():
    with tf.device("/job:ps/task:0/cpu:0"):
        w = tf.Variable(1.0)
        with tf.device("/gpu:1"):
            y = w * 2.0
    assert w.device == "/job:ps/task:0/device:CPU:0"
    assert y.device == "/job:ps/task:0/device:GPU:1"
    with pytest.raises(ValueError, match="did you mean 'job'"):
        with tf.device("/jobs:ps/task:0"):
            pass


def test_threads_share_a_session():
    from concurrent.futures import ThreadPoolExecutor
    x = tf.placeholder(tf.float32, [None])
    y = tf.reduce_sum(x * 2.0)
    with tf.Session() as sess:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: sess.run(y, {x: np.full(10, float(i))}), range(32)))
    assert results == [20.0 * i for i in range(32)]


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
@pytest.mark.parametrize("given", [3.0, -0.0, 1e300, float("nan"), 7, -(1 << 63), (1 << 63) - 1, 1 << 63, 1 << 80,
                                   True, np.float64(2.5), np.array(1.5), "x", [1.0], None])
def test_python_numbers_fed_to_float_scalars_convert_as_any_feed_does(dtype, given):
    from dfc.runtime.feeds import convert_feed, feed_checker
    target = tf.placeholder(dtype, [])._dfc_ir()
    fast = feed_checker(target)
    try:
        expected = convert_feed(target, given)
    except Exception as e:  # noqa: BLE001 - the fast path must refuse the same way
        with pytest.raises(type(e), match=None) as info:
            fast(given)
        assert str(info.value) == str(e)
        return
    got = fast(given)
    assert got.dtype == expected.dtype and got.shape == expected.shape == ()
    np.testing.assert_array_equal(got, expected)


def test_feeds_and_fetches_by_name_as_tf1():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.reduce_sum(x, name="y")
    with tf.Session() as sess:
        assert sess.run("y:0", feed_dict={"x:0": [[1, 2]]}) == 3.0
        assert sess.run(y, {x: [[1, 1]]}) == 2.0
        with pytest.raises(TypeError, match="The name 'x' refers to an Operation, not a Tensor"):
            sess.run(y, {"x": [[1, 2]]})


def test_running_an_empty_graph_is_tf1s_runtime_error():
    graph = tf.Graph()
    with tf.Session(graph=graph) as sess:
        for fetches in ([], {}):
            with pytest.raises(RuntimeError, match="The Session graph is empty"):
                sess.run(fetches)
    with graph.as_default():
        tf.constant(1.0)
    with tf.Session(graph=graph) as sess:
        assert sess.run([]) == [] and sess.run({}) == {}


def test_a_tuple_of_placeholders_is_fed_a_value_of_its_structure():
    """TF1 scripts feed an RNN's state back: feed_dict={cell_state_tuple: state_fetched_last_run}."""
    with tf.Graph().as_default():
        cell = tf.nn.rnn_cell.BasicLSTMCell(2)
        state = cell.zero_state(1, tf.float32)
        c_in = tf.placeholder(tf.float32, [1, 2])
        total = tf.reduce_sum(state.c) + 10 * tf.reduce_sum(state.h) + tf.reduce_sum(c_in)
        fed = tf.nn.rnn_cell.LSTMStateTuple(np.ones((1, 2), np.float32), np.full((1, 2), 2, np.float32))
        with tf.Session() as sess:
            assert sess.run(total, {state: fed, c_in: np.zeros((1, 2))}) == 42.0
            assert sess.run(total, {(state, c_in): (fed, np.ones((1, 2)))}) == 44.0
            with pytest.raises(ValueError, match="Key had 2 elements, but value had 3"):
                sess.run(total, {state: (1, 2, 3)})
