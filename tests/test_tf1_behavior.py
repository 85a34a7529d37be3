"""TF1's behaviour switches, TensorShape/Dimension semantics and the small framework helpers, as TF 2.21's compat.v1.

The expected values were read off TensorFlow 2.21 (`import tensorflow.compat.v1 as tf;
tf.disable_v2_behavior()`) for the same calls.
"""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest

import dfc as tf

S, D = tf.TensorShape, tf.Dimension


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()
    yield
    tf.disable_v2_tensorshape()


def test_dimensions_compare_as_unknown_when_either_is_unknown():
    assert (D(None) == 3) is None
    assert (D(None) == None) is None  # noqa: E711 - TF1 scripts write this comparison
    assert (D(3) != None) is None  # noqa: E711
    assert (D(None) < 3) is None and (D(3) > D(None)) is None
    assert (D(3) == 3) is True and (D(3) == D(3)) is True and (D(3) != 4) is True
    assert D(3) < D(4) and D(3) >= 2


def test_dimension_arithmetic():
    assert [D(7) % 3, D(7) - 3, 8 - D(3), 8 // D(3), 8 % D(3), D(4) // 2] == [1, 4, 5, 2, 2, 2]
    assert (D(None) - 1).value is None and (D(3) * D(None)).value is None and (D(3) + None).value is None
    assert int(D(3)) == 3 and str(D(None)) == "?" and repr(D(None)) == "Dimension(None)"
    assert D(3).is_compatible_with(None) and D(3).merge_with(None) == 3
    with pytest.raises(TypeError, match="please use // instead"):
        D(3) / 2
    with pytest.raises(ValueError, match="Dimensions 3 and 4 are not compatible"):
        D(3).merge_with(4)
    with pytest.raises(ValueError, match="Dimension -1 must be >= 0"):
        D(-1)
    with pytest.raises(TypeError):
        int(D(None))


def test_tensor_shape_methods():
    assert S([None, 3]).merge_with([2, None]) == [2, 3]
    assert S([1]).concatenate([2]) == [1, 2] and S([1, 2]) + S([3]) == [1, 2, 3] and [1] + S([2]) == [1, 2]
    assert S([1, 2]).is_compatible_with([None, 2]) and S([1, 2]).is_compatible_with(S(None))
    assert not S([1, 2]).is_compatible_with([1, 3]) and not S([1]).is_compatible_with([1, 2])
    assert S(None).with_rank(2).as_list() == [None, None]
    assert S(None).rank is None and S([]).num_elements() == 1 and S([None, 2]).num_elements() is None
    assert S([None, 3]).most_specific_compatible_shape(S([2, 3])).as_list() == [None, 3]
    assert S([None, 3]) == S([None, 3]) and S(None) == S(None) and S(None) != S([1])
    assert S([2, 3]) == [2, 3] and S([2, 3]) != [2, 4]
    assert bool(S([])) and not bool(S(None)) and len(S([1, 2])) == 2
    assert str(S([1, 2, 3])[1:]) == "(2, 3)" and str(S(None)[1:]) == "<unknown>" and S(None)[0].value is None
    assert str(S([None])) == "(?,)" and repr(S([1, 2])) == "TensorShape([Dimension(1), Dimension(2)])"
    assert np.zeros(S([2, 3])).shape == (2, 3) and tuple(S([1, 2])) == (D(1), D(2))
    assert S(3).as_list() == [3] and S([D(1), None, np.int64(2)]).as_list() == [1, None, 2]
    assert pickle.loads(pickle.dumps(S([None, 4]))) == [None, 4]
    proto = S([1, None]).as_proto()
    assert [d.size for d in proto.dim] == [1, -1] and S(proto) == [1, None]


@pytest.mark.parametrize("call, message", [
    (lambda: S([1, 2]).merge_with([3, 2]), "Shapes (1, 2) and (3, 2) are not compatible"),
    (lambda: S([1, 2]).with_rank(3), "Shape (1, 2) must have rank 3"),
    (lambda: S([1, 2]).assert_is_compatible_with([1, 3]), "Shapes (1, 2) and [1, 3] are incompatible"),
    (lambda: S([1, 2]).assert_has_rank(3), "Shape (1, 2) must have rank 3"),
    (lambda: S([None]).assert_is_fully_defined(), r"Shape \(\?,\) is not fully defined"),
    (lambda: len(S(None)), "Cannot take the length of shape with unknown rank"),
    (lambda: S([1]).with_rank_at_least(2), r"Shape \(1,\) must have rank at least 2"),
    (lambda: S([1, 2]).with_rank_at_most(1), "Shape (1, 2) must have rank at most 1"),
    (lambda: S([1]).assert_same_rank([1, 2]), r"Shapes \(1,\) and \(1, 2\) must have the same rank"),
    (lambda: S(None).as_list(), "as_list"),
])
def test_tensor_shape_errors_are_tfs(call, message):
    with pytest.raises(ValueError, match=message if "\\" in message else re.escape(message)):
        call()


def test_v2_tensorshape_switch():
    x = tf.placeholder(tf.float32, [None, 3])
    assert isinstance(x.shape[1], D) and x.shape[0].value is None
    tf.enable_v2_tensorshape()
    assert x.shape[1] == 3 and type(x.shape[1]) is int and x.shape[0] is None and list(x.shape) == [None, 3]
    tf.disable_v2_behavior()
    assert isinstance(x.shape[1], D)


def test_behavior_switches_keep_graph_mode():
    tf.disable_v2_behavior()
    tf.compat.v1.disable_eager_execution()
    assert tf.executing_eagerly() is False and tf.executing_eagerly_outside_functions() is False
    tf.enable_resource_variables()
    assert tf.resource_variables_enabled()
    tf.disable_resource_variables()
    assert not tf.resource_variables_enabled() and not tf.control_flow_v2_enabled()
    a = tf.constant(1.0)
    tf.enable_tensor_equality()  # TF compares tensors elementwise only when executing eagerly
    assert (a == a) is True and {a: 1}[a] == 1
    tf.disable_tensor_equality()
    for call in (tf.enable_eager_execution, tf.enable_v2_behavior):
        with pytest.raises(NotImplementedError, match="eager execution"):
            call()
    assert tf.VERSION.startswith("1.") and isinstance(tf.GRAPH_DEF_VERSION, int)
    assert tf.__version__ == tf.VERSION  # scripts compare either to pick TF1's code paths
    assert tf.get_logger() is __import__("logging").getLogger("dfc")


def test_hessians_match_the_analytic_ones():
    x = tf.placeholder(tf.float32, [3])
    w = tf.placeholder(tf.float32, [2, 2])
    y = tf.reduce_sum(x ** 3) * 2 + tf.reduce_sum(tf.matmul(w, w))
    hx, hw = tf.hessians(y, [x, w])
    assert hx.shape.as_list() == [3, 3] and hw.shape.as_list() == [2, 2, 2, 2]
    wv = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    with tf.Session() as sess:
        got_x, got_w = sess.run([hx, hw], {x: [1, 2, 3], w: wv})
    np.testing.assert_allclose(got_x, np.diag([12.0, 24.0, 36.0]))
    # d2/dw_ij dw_kl of sum(W @ W) = [j == k] + [l == i]
    want = np.zeros((2, 2, 2, 2), np.float32)
    for i, j, k, m in np.ndindex(2, 2, 2, 2):
        want[i, j, k, m] = (j == k) + (m == i)
    np.testing.assert_allclose(got_w, want)
    z = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="fully defined"):
        tf.hessians(tf.reduce_sum(z ** 2), z)


def test_function_inlines_and_checks_its_signature():
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def double(a):
        return a * 2.0

    x = tf.placeholder(tf.float32, [None, 2])
    with tf.Session() as sess:
        assert sess.run(double(x), {x: [[1, 2]]}).tolist() == [[2.0, 4.0]]
    with pytest.raises(ValueError, match="input_signature"):
        double(tf.placeholder(tf.float32, [3]))
    with pytest.raises(TypeError, match="input_signature says float32"):
        double(tf.placeholder(tf.int32, [1, 2]))


def test_grad_pass_through_and_vectorized_map():
    x = tf.placeholder(tf.float32, [4])
    y = tf.grad_pass_through(tf.round)(x * 3.0)
    (g,) = tf.gradients(tf.reduce_sum(y), [x])
    squares = tf.vectorized_map(lambda row: row * row, tf.reshape(x, [2, 2]))
    with tf.Session() as sess:
        yv, gv, sv = sess.run([y, g, squares], {x: [0.1, 0.4, 1.2, 2.0]})
    np.testing.assert_allclose(yv, [0.0, 1.0, 4.0, 6.0])
    np.testing.assert_allclose(gv, [3.0] * 4)
    np.testing.assert_allclose(sv, [[0.01, 0.16], [1.44, 4.0]], rtol=1e-6)


def test_check_numerics_ops_name_the_tensor():
    x = tf.placeholder(tf.float32, [2])
    y = tf.log(x)
    check = tf.add_check_numerics_ops()
    with tf.Session() as sess:
        sess.run([y, check], {x: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Log"):
            sess.run([y, check], {x: [-1.0, 2.0]})


def test_tensor_protos_round_trip():
    for value in (np.arange(6, dtype=np.float32).reshape(2, 3), np.array([True, False]), np.int64(7)):
        back = tf.make_ndarray(tf.make_tensor_proto(value))
        assert back.dtype == value.dtype and np.array_equal(back, value)
    assert tf.make_ndarray(tf.make_tensor_proto(1.5, shape=[2, 2])).tolist() == [[1.5, 1.5], [1.5, 1.5]]
    assert tf.make_tensor_proto([1.0]).dtype == 1  # Python floats are float32, as TF converts them
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        tf.make_tensor_proto([1, 2], shape=[3], verify_shape=True)


def test_scopes_and_compat_helpers():
    with tf.op_scope([], "outer", "default") as scope:
        assert scope == "outer/"
    with tf.variable_op_scope([], None, default_name="vs"):
        v = tf.get_variable("w", [1])
    assert v.name == "vs/w:0"
    with tf.control_dependencies([tf.no_op(name="first")]):
        with tf.init_scope():
            free = tf.constant(1.0, name="free")
    assert not free.op.control_inputs
    with tf.container("experiment"):
        pass
    assert tf.no_regularizer(v) is None
    assert tf.compat.as_bytes("é") == "é".encode() and tf.compat.as_text(b"a") == "a"
    with pytest.raises(TypeError, match="Expected binary or unicode string"):
        tf.compat.as_bytes(3)
    assert tf.UnconnectedGradients.ZERO.value == "zero" and tf.AggregationMethod.DEFAULT == 0
    z = tf.gradients(tf.constant(1.0), [v], unconnected_gradients=tf.UnconnectedGradients.ZERO)[0]
    with tf.Session() as sess:
        assert sess.run(z).tolist() == [0.0]


def test_constant_fills_out_with_its_last_value_as_tf1():
    v = tf.get_variable("v", [2, 3], initializer=tf.constant_initializer([1, 2, 3, 4]))
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(tf.constant([1, 2], shape=[4])).tolist() == [1, 2, 2, 2]
        assert sess.run(tf.constant([[1, 2], [3, 4]], shape=[3, 2])).tolist() == [[1, 2], [3, 4], [4, 4]]
        assert sess.run(v).tolist() == [[1, 2, 3], [4, 4, 4]]
    with pytest.raises(ValueError, match="Too many elements provided. Takes at most 2, but got 3"):
        tf.constant([1, 2, 3], shape=[2])
    with pytest.raises(ValueError, match="Too many elements provided. Takes at most 2, but got 3"):
        tf.get_variable("w", [2], initializer=tf.constant_initializer([1, 2, 3]))
    with pytest.raises(TypeError, match=r"Expected Tensor's shape: \(4,\), got \(2,\)"):
        tf.constant([1, 2], shape=[4], verify_shape=True)


def test_dtypes_compare_print_and_convert_as_tfs():
    x = tf.placeholder(tf.float32, [2])
    assert str(x.dtype) == "<dtype: 'float32'>" and repr(x.dtype) == "tf.float32"
    assert x.dtype == np.float32 and x.dtype == "float32" and x.dtype == np.dtype("float32")
    assert x.dtype != tf.int32 and x.dtype != "int32" and x.dtype != tf.uint32 and not x.dtype == None  # noqa: E711
    assert tf.int32.as_datatype_enum == 3 and tf.float32.size == 4 and tf.int8.limits == (-128, 127)
    assert len({tf.float32, tf.as_dtype("float32"), tf.float64}) == 2


def test_operators_are_bitwise_on_integers_and_logical_on_bools():
    a = tf.constant([[1, 2], [3, 4]])
    flags = tf.constant([True, False])
    with tf.Session() as sess:
        got = sess.run([a & 1, ~a | 8, 6 ^ a, flags & [True, True], ~flags, flags ^ True])
    assert got[0].tolist() == [[1, 0], [1, 0]] and got[1].tolist() == [[-2, -3], [-4, -5]]
    assert got[2].tolist() == [[7, 4], [5, 2]]
    assert [g.tolist() for g in got[3:]] == [[True, False], [False, True], [False, True]]
    with pytest.raises(TypeError):
        tf.constant([1.5]) & tf.constant([2.5])


def test_where_picks_rows_by_a_vector_condition_and_unstack_takes_num_for_a_fed_dim():
    """TF1's tf.where (v1) selects rows when the condition is a vector beside matrices; where_v2 broadcasts."""
    x = tf.constant([[1, 2, 3], [4, 5, 6]])
    fed = tf.placeholder(tf.float32, [None, 3])
    rows = tf.unstack(fed, num=2)
    with tf.Session() as sess:
        assert sess.run(tf.where(tf.constant([True, False]), x, -x)).tolist() == [[1, 2, 3], [-4, -5, -6]]
        assert sess.run(tf.where_v2(tf.constant([True, False, True]), x, -x)).tolist() == [[1, -2, 3], [4, -5, 6]]
        assert [r.tolist() for r in sess.run(rows, {fed: [[1, 2, 3], [4, 5, 6]]})] == [[1, 2, 3], [4, 5, 6]]
        with pytest.raises(tf.errors.InvalidArgumentError, match="num_rows"):
            sess.run(rows, {fed: np.ones((3, 3))})
    with pytest.raises(ValueError, match="has 3 entries, but x and y have 2 rows"):
        tf.where(tf.constant([True, False, True]), x, -x)
