"""The DSL's functions against numpy: each builds IR that the session evaluates to numpy's answer."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf


pytestmark = pytest.mark.usefixtures("fresh_graph")


def run(t, feed=None, **kwargs):
    with tf.Session(**kwargs) as sess:
        return sess.run(t, feed)


rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4)).astype(np.float32)
B = rng.standard_normal((3, 4)).astype(np.float32)
P = (rng.random((3, 4)) + 0.5).astype(np.float32)

UNARY = [
    (tf.exp, np.exp, A), (tf.log, np.log, P), (tf.sqrt, np.sqrt, P), (tf.rsqrt, lambda x: 1 / np.sqrt(x), P),
    (tf.square, np.square, A), (tf.sin, np.sin, A), (tf.cos, np.cos, A), (tf.tanh, np.tanh, A),
    (tf.sigmoid, lambda x: 1 / (1 + np.exp(-x)), A), (tf.abs, np.abs, A), (tf.negative, np.negative, A),
    (tf.nn.relu, lambda x: np.maximum(x, 0), A), (tf.nn.sigmoid, lambda x: 1 / (1 + np.exp(-x)), A),
    (tf.nn.tanh, np.tanh, A), (tf.sign, np.sign, A), (tf.floor, np.floor, A), (tf.ceil, np.ceil, A),
    (tf.reciprocal, np.reciprocal, P), (tf.log1p, np.log1p, P), (tf.expm1, np.expm1, A),
]


@pytest.mark.parametrize("fn,ref,x", UNARY, ids=[u[0].__name__ for u in UNARY])
def test_unary(fn, ref, x):
    np.testing.assert_allclose(run(fn(tf.constant(x))), ref(x), rtol=1e-6, atol=1e-6)


BINARY = [
    (tf.add, np.add), (tf.subtract, np.subtract), (tf.multiply, np.multiply), (tf.divide, np.divide),
    (tf.maximum, np.maximum), (tf.minimum, np.minimum), (tf.pow, lambda a, b: np.power(np.abs(a), b)),
    (lambda a, b: a + b, np.add), (lambda a, b: a - b, np.subtract), (lambda a, b: a * b, np.multiply),
    (lambda a, b: a / b, np.divide), (lambda a, b: a // b, np.floor_divide), (lambda a, b: a % b, np.mod),
]


@pytest.mark.parametrize("fn,ref", BINARY)
def test_binary_broadcasting(fn, ref):
    a, b = np.abs(A) + 0.5, B[0]  # (3, 4) with (4,): broadcasting as numpy
    if fn is tf.pow:
        a = np.abs(a)
    np.testing.assert_allclose(run(fn(tf.constant(a), tf.constant(b))), ref(a, b), rtol=1e-5, atol=1e-6)


def test_python_scalars_take_the_tensor_dtype():
    x = tf.constant(A)
    out = run([x * 2, 2 * x, x + 1, 1 - x, x / 2, 2 / (x * x + 1), -x, x ** 2, np.float32(3) * x])
    expected = [A * 2, 2 * A, A + 1, 1 - A, A / 2, 2 / (A * A + 1), -A, A ** 2, 3 * A]
    for got, want in zip(out, expected):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_integer_ops_follow_tf():
    a = tf.constant([7, -7, 8], dtype=tf.int32)
    b = tf.constant([2, 2, 3], dtype=tf.int32)
    q, fq, m, t = run([tf.div(a, b), a // b, a % b, a / b])
    np.testing.assert_array_equal(q, [3, -3, 2])  # TF1's div truncates for ints
    np.testing.assert_array_equal(fq, [3, -4, 2])
    np.testing.assert_array_equal(m, [1, 1, 2])
    assert t.dtype == np.float64  # int32 / int32 is float64 in TF
    np.testing.assert_allclose(t, [3.5, -3.5, 8 / 3])


def test_comparisons_and_logic():
    x, y = tf.constant(A), tf.constant(B)
    lt, ge, eq, ne, both, either, neg = run([x < y, x >= y, tf.equal(x, x), tf.not_equal(x, y),
                                             tf.logical_and(x < y, x > 0), tf.logical_or(x < y, x > 0),
                                             tf.logical_not(x < y)])
    np.testing.assert_array_equal(lt, A < B)
    np.testing.assert_array_equal(ge, A >= B)
    assert eq.all() and eq.dtype == np.bool_
    np.testing.assert_array_equal(ne, A != B)
    np.testing.assert_array_equal(both, (A < B) & (A > 0))
    np.testing.assert_array_equal(either, (A < B) | (A > 0))
    np.testing.assert_array_equal(neg, ~(A < B))


def test_where_and_cast():
    x = tf.constant(A)
    w, c, bc = run([tf.where(x > 0, x, tf.zeros_like(x)), tf.cast(x * 10, tf.int32), tf.cast(x > 0, tf.float32)])
    np.testing.assert_allclose(w, np.where(A > 0, A, 0))
    np.testing.assert_array_equal(c, np.trunc(A * 10).astype(np.int32))
    np.testing.assert_array_equal(bc, (A > 0).astype(np.float32))


@pytest.mark.parametrize("fn,ref", [(tf.reduce_sum, np.sum), (tf.reduce_mean, np.mean), (tf.reduce_max, np.max),
                                    (tf.reduce_min, np.min), (tf.reduce_prod, np.prod)])
def test_reductions(fn, ref):
    x = tf.constant(A)
    all_, ax1, keep, old = run([fn(x), fn(x, axis=1), fn(x, axis=[0], keepdims=True),
                                fn(x, reduction_indices=[1], keep_dims=True)])
    np.testing.assert_allclose(all_, ref(A), rtol=1e-5)
    np.testing.assert_allclose(ax1, ref(A, axis=1), rtol=1e-5)
    np.testing.assert_allclose(keep, ref(A, axis=0, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(old, ref(A, axis=1, keepdims=True), rtol=1e-5)
    assert np.ndim(all_) == 0


def test_argmax_argmin():
    x = tf.constant(A)
    amax, amin = run([tf.argmax(x, 1), tf.argmin(x, axis=0)])
    np.testing.assert_array_equal(amax, A.argmax(1))
    np.testing.assert_array_equal(amin, A.argmin(0))
    assert amax.dtype == np.int64


def test_matmul_with_transposes():
    a = rng.standard_normal((5, 3)).astype(np.float32)
    b = rng.standard_normal((4, 5)).astype(np.float32)
    x, y = tf.constant(a), tf.constant(b)
    r1, r2, r3 = run([tf.matmul(x, y, transpose_a=True, transpose_b=True), tf.matmul(y, x), y @ x])
    np.testing.assert_allclose(r1, a.T @ b.T, rtol=1e-5)
    np.testing.assert_allclose(r2, b @ a, rtol=1e-5)
    np.testing.assert_allclose(r3, b @ a, rtol=1e-5)


def test_shape_functions():
    x = tf.constant(A)
    out = run([tf.reshape(x, [2, -1]), tf.transpose(x), tf.transpose(tf.reshape(x, [3, 2, 2]), [2, 0, 1]),
               tf.expand_dims(x, 1), tf.squeeze(tf.expand_dims(x, 0)), tf.concat([x, x], 1), tf.stack([x, x], 1),
               tf.tile(x, [2, 1]), tf.shape(x), tf.size(x), tf.rank(x)])
    expected = [A.reshape(2, -1), A.T, A.reshape(3, 2, 2).transpose(2, 0, 1), A[:, None], A,
                np.concatenate([A, A], 1), np.stack([A, A], 1), np.tile(A, [2, 1]), [3, 4], 12, 2]
    for got, want in zip(out, expected):
        np.testing.assert_allclose(got, want)


def test_split_new_and_old_signatures():
    x = tf.constant(A)
    new = run(tf.split(x, 2, axis=1))
    sizes = run(tf.split(x, [1, 3], 1))
    old = run(tf.split(1, 2, x))  # TF < 1.0: split(split_dim, num_split, value)
    for got, want in zip(new + old, np.split(A, 2, axis=1) * 2):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(sizes[1], A[:, 1:])


@pytest.mark.parametrize("backend", ["cpu", "interpreter"])
def test_split_of_a_dim_known_only_when_fed(backend):
    """TF1 splits a placeholder's None dim into n equal pieces (the static rnn tutorials' time-major split) or
    sizes with -1, and fails the run whose fed size n does not divide."""
    x = tf.placeholder(tf.float32, [None, 4], name="rows")
    pieces = tf.split(x, 3, 0)
    head, rest = tf.split(x, [1, -1], 0)
    assert pieces[0].shape.as_list() == [None, 4] and rest.shape.as_list() == [None, 4]
    grad = tf.gradients(tf.reduce_sum(pieces[0]) + 2 * tf.reduce_sum(pieces[2]) + tf.reduce_sum(rest), x)[0]
    fed = np.arange(24, dtype=np.float32).reshape(6, 4)
    with tf.Session(backend=backend) as sess:
        got = sess.run(pieces + [head, rest, grad], {x: fed})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"'split'.*evenly divide.*size 7 and num_split 3"):
            sess.run(pieces[0], {x: np.zeros((7, 4), np.float32)})
    for piece, want in zip(got[:3], np.split(fed, 3)):
        np.testing.assert_array_equal(piece, want)
    np.testing.assert_array_equal(got[3], fed[:1])
    np.testing.assert_array_equal(got[4], fed[1:])
    np.testing.assert_array_equal(got[5], np.repeat([1, 2, 1, 1, 3, 3], 4).reshape(6, 4))


def test_unstack_and_old_concat():
    x = tf.constant(A)
    parts = run(tf.unstack(x))
    assert len(parts) == 3
    np.testing.assert_array_equal(parts[2], A[2])
    np.testing.assert_array_equal(run(tf.concat(0, [x, x])), np.concatenate([A, A]))


@pytest.mark.parametrize("key", [
    (slice(1, 3), slice(None)), 1, -1, (Ellipsis, 2), (slice(None, None, -1),), (slice(None), None, 1),
    (slice(0, 3, 2), slice(1, None)), (-2, slice(-3, -1)),
])
def test_slicing_matches_numpy(key):
    x = tf.constant(A)
    np.testing.assert_array_equal(run(x[key]), A[key])


def test_slicing_out_of_range_is_a_build_error():
    x = tf.constant(A)
    with pytest.raises(ValueError, match="out of bounds"):
        x[3]


def test_gather_one_hot():
    x = tf.constant(A)
    g, g1, oh = run([tf.gather(x, [2, 0]), tf.gather(x, tf.constant([1, 3]), axis=1),
                     tf.one_hot([0, 2, 1], 3)])
    np.testing.assert_array_equal(g, A[[2, 0]])
    np.testing.assert_array_equal(g1, A[:, [1, 3]])
    np.testing.assert_array_equal(oh, np.eye(3, dtype=np.float32)[[0, 2, 1]])


def test_softmax_log_softmax_bias_add():
    x = tf.constant(A)
    b = tf.constant(B[0])
    sm, lsm, ba = run([tf.nn.softmax(x), tf.nn.log_softmax(x), tf.nn.bias_add(x, b)])
    e = np.exp(A - A.max(1, keepdims=True))
    np.testing.assert_allclose(sm, e / e.sum(1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(lsm, np.log(e / e.sum(1, keepdims=True)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ba, A + B[0])


def test_softmax_is_stable_for_large_logits():
    sm = run(tf.nn.softmax(tf.constant([[1000.0, 0.0], [-1000.0, 0.0]])))
    np.testing.assert_allclose(sm, [[1, 0], [0, 1]])


def test_fills():
    x = tf.placeholder(tf.float32, [None, 2])
    z, o, f, zs, os_ = run([tf.zeros_like(x), tf.ones_like(x), tf.fill([2, 3], 7.0), tf.zeros((2,), tf.int32),
                            tf.ones([1, 2])], {x: np.ones((4, 2))})
    np.testing.assert_array_equal(z, np.zeros((4, 2)))
    np.testing.assert_array_equal(o, np.ones((4, 2)))
    np.testing.assert_array_equal(f, np.full((2, 3), 7.0))
    assert zs.dtype == np.int32 and os_.shape == (1, 2)


def test_random_ops_are_seeded_and_reproducible():
    tf.set_random_seed(42)
    u = tf.random_uniform((1000,), -2, 3)
    n = tf.random_normal((1000,), mean=1.0, stddev=2.0)
    t = tf.truncated_normal((1000,))
    with tf.Session() as s1:
        a1, b1, c1 = s1.run([u, n, t])
        a2 = s1.run(u)
    with tf.Session() as s2:
        a3 = s2.run(u)
    assert -2 <= a1.min() and a1.max() < 3
    assert abs(b1.mean() - 1.0) < 0.2 and abs(b1.std() - 2.0) < 0.2
    assert np.abs(c1).max() < 2.0
    assert not np.array_equal(a1, a2)  # a stateful op: a re-run draws again
    np.testing.assert_array_equal(a1, a3)  # a new session replays the sequence


def test_op_seed_without_graph_seed_is_reproducible_across_graphs():
    values = []
    for _ in range(2):
        tf.reset_default_graph()
        values.append(run(tf.random_normal((5,), seed=7)))
    np.testing.assert_array_equal(*values)


def test_name_scopes_and_unique_names():
    with tf.name_scope("layer"):
        a = tf.constant(1.0, name="c")
        b = tf.constant(1.0, name="c")
    with tf.name_scope("layer"):
        c = tf.constant(1.0, name="c")
    assert (a.name, b.name, c.name) == ("layer/c:0", "layer/c_1:0", "layer_1/c:0")
    assert a.op.name == "layer/c"


def test_identity_group_no_op_and_control_dependencies():
    v = tf.Variable(1.0)
    inc = tf.assign_add(v, 1.0)
    with tf.control_dependencies([inc]):
        after = v.read_value()
        noop = tf.no_op()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(after) == 2.0
        assert sess.run(noop) is None
        assert sess.run(v) == 3.0
        assert sess.run(tf.identity(v)) == 3.0
        assert sess.run(tf.group(inc, inc)) is None
        assert sess.run(v) == 4.0


def test_dtypes_have_tf_names():
    assert tf.float32.name == "float32" and tf.as_dtype(np.float64) is tf.float64
    assert tf.constant(1).dtype is tf.int32 and tf.constant(1.0).dtype is tf.float32
    assert tf.constant(np.float64(1.0)).dtype is tf.float64
    assert tf.constant([True]).dtype is tf.bool
    assert tf.constant(1, dtype=tf.bfloat16).dtype is tf.bfloat16


def test_graph_as_default_and_lookup_by_name():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(5.0, name="five")
        assert tf.get_default_graph() is g
    assert c.graph is g
    assert g.get_tensor_by_name("five:0") is c
    assert g.get_operation_by_name("five") is c.op
    assert tf.get_default_graph() is not g
    with tf.Session(graph=g) as sess:
        assert sess.run("five:0") == 5.0


def test_lists_holding_tensors_are_packed_as_in_tf1():
    """TF's auto-packing: an op given a (nested) list with tensors in it gets their stack, the other entries
    constants of the first tensor's dtype; mixed dtypes and ranks fail as in TF."""
    a, labels = tf.constant(1.5), tf.placeholder(tf.float32, [None, 3], name="labels")
    packed = tf.convert_to_tensor([[a, 2.0], [3, a]])
    assert packed.shape.as_list() == [2, 2] and packed.name.startswith("packed")
    kept = tf.stop_gradient([labels])
    assert kept.shape.as_list() == [1, None, 3]
    total = tf.reduce_sum([a, a])
    fed = np.ones((2, 3), np.float32)
    got = run([packed, kept, total], {labels: fed})
    np.testing.assert_array_equal(got[0], [[1.5, 2.0], [3.0, 1.5]])
    np.testing.assert_array_equal(got[1], fed[None])
    assert got[2] == 3.0
    with pytest.raises(TypeError, match="Cannot convert a list containing a tensor of dtype tf.int32 to tf.float32"):
        tf.convert_to_tensor([a, tf.constant(2)])
    with pytest.raises(ValueError, match="rank"):
        tf.convert_to_tensor([a, tf.zeros([2])])
    with pytest.raises(TypeError, match="Expected int32, got 2.5"):
        tf.convert_to_tensor([tf.constant(2), 2.5])
