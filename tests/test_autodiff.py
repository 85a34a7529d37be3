"""Autodiff: tf.gradients builds one dfc.grad; the pass expands it (minimal, ordered, named); every rule is checked."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dfc as tf
from dfc.compiler import compile_step
from dfc.compiler import autodiff as ad
from dfc.framework import make, make_op, wrap
from dfc.ir.errors import VerificationError
from dfc.ir.ops import REGISTRY
from dfc.ir.ops.shape import SLICE_END, SLICE_START_REVERSED
from dfc.ir.verifier import verify


pytestmark = pytest.mark.usefixtures("fresh_graph")


def expanded(fetches, feeds=(), shapes=None):
    """The step graph for `fetches` after prune, specialize and autodiff only."""
    graph = tf.get_default_graph()
    values = [f._dfc_ir() for f in fetches]
    step = compile_step(graph, values, feeds=[f._dfc_ir() for f in feeds],
                        feed_shapes=shapes, pipeline=["autodiff"])
    verify(step)
    return step


# ---- the table is complete ------------------------------------------------------------------------
def test_every_differentiable_op_has_a_rule():
    missing = [name for name, opdef in REGISTRY.items()
               if opdef.differentiable and name not in ad.VJP and name not in ad.NO_RULE]
    assert not missing, f"differentiable ops without a VJP rule: {missing}"
    assert not [name for name in ad.VJP if name not in REGISTRY], "a rule for an op that is not declared"


def test_a_differentiable_op_without_a_rule_is_an_error_naming_it(monkeypatch):
    monkeypatch.delitem(ad.VJP, "dfc.sin")
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.sin(x, name="MySin")
    g = tf.gradients(y, x)[0]
    with pytest.raises(VerificationError, match=r"'MySin' \(dfc.sin\) at .*test_autodiff.py:\d+"):
        expanded([g], [x], [(2,)])


def test_autodiff_after_fuse_names_the_fused_op():
    x = tf.placeholder(tf.float32, [4], name="x")
    g = tf.gradients(tf.reduce_sum(tf.exp(tf.sin(x) * 2.0)), x)[0]
    with pytest.raises(VerificationError, match=r"\(dfc.fused\) at .*: the fuse pass runs after autodiff"):
        compile_step(tf.get_default_graph(), [g._dfc_ir()], feeds=[x._dfc_ir()], feed_shapes=[(4,)],
                     pipeline=["fuse", "autodiff"])


# ---- what tf.gradients builds ---------------------------------------------------------------------
def test_one_grad_op_for_many_ys_and_xs_and_none_for_unconnected():
    a = tf.placeholder(tf.float32, [3], name="a")
    b = tf.placeholder(tf.float32, [3], name="b")
    c = tf.placeholder(tf.float32, [3], name="c")
    ys = [a * b, tf.reduce_sum(a)]
    before = len(tf.get_default_graph().ops)
    grads = tf.gradients(ys, [a, b, c])
    new_ops = tf.get_default_graph().ops[before:]
    assert [op.type for op in new_ops] == ["dfc.grad"]
    grad_op = new_ops[0]
    assert grad_op.attrs["num_ys"] == 2 and grad_op.attrs["num_xs"] == 2  # c is not an operand
    assert grads[2] is None and grads[0].shape.as_list() == [3]
    with tf.Session() as sess:
        ga, gb = sess.run(grads[:2], {a: [1.0, 2.0, 3.0], b: [4.0, 5.0, 6.0]})
    np.testing.assert_allclose(ga, [5.0, 6.0, 7.0])  # b + 1
    np.testing.assert_allclose(gb, [1.0, 2.0, 3.0])


def test_nothing_connected_adds_no_op_and_zero_mode_gives_zeros():
    x = tf.placeholder(tf.float32, [2])
    y = tf.stop_gradient(x) * 3.0
    n = len(tf.get_default_graph().ops)
    assert tf.gradients(y, x) == [None]
    assert len(tf.get_default_graph().ops) == n
    (z,) = tf.gradients(y, x, unconnected_gradients="zero")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(z, {x: [1.0, 2.0]}), [0.0, 0.0])


def test_integer_paths_carry_no_gradient_and_integer_xs_and_ys_get_none():
    x = tf.placeholder(tf.float32, [2])
    y = tf.cast(tf.cast(x, tf.int32), tf.float32) + 0.0
    assert tf.gradients(y, x) == [None]
    # TF1 (checked with tf.compat.v1): gradients with respect to an integer tensor are None, as are those of
    # an integer y, and a minimize over an int32 counter left trainable skips it
    counter = tf.Variable(0, name="counter")
    w = tf.Variable([1.0, 2.0], name="w")
    loss = tf.reduce_sum(w * w) + tf.cast(counter, tf.float32)
    grad_w, grad_counter = tf.gradients(loss, [w, counter])
    assert grad_w is not None and grad_counter is None
    assert tf.gradients(counter * 2, [counter]) == [None]
    (zeros,) = tf.gradients(counter * 2, [counter], unconnected_gradients="zero")
    train = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [0.5, 1.0])
        assert sess.run(zeros) == 0
    with pytest.raises(ValueError, match="No gradients provided"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.cast(counter, tf.float32))


def test_variables_use_their_read_value():
    w = tf.Variable([1.0, 2.0], name="w")
    (g,) = tf.gradients(tf.reduce_sum(w * w), w)
    assert g.op.inputs[1]._dfc_ir() is w._as_tensor()._dfc_ir()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(g), [2.0, 4.0])


def test_grad_ys_seed_the_ys():
    x = tf.placeholder(tf.float32, [2])
    y1, y2 = x * 2.0, x * x
    g = tf.gradients([y1, y2], x, grad_ys=[tf.constant([1.0, 10.0]), None])[0]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: [3.0, 4.0]}), [2 + 6.0, 20 + 8.0])


def test_stop_gradient_and_stop_gradients_hold_values_constant():
    x = tf.placeholder(tf.float32, [], name="x")
    a = x * x
    b = a * x  # x^3
    held_op = tf.gradients(b, x, stop_gradients=[a])[0]  # a held constant: d(a*x)/dx = a
    held_fn = tf.gradients(tf.stop_gradient(a) * x, x)[0]
    full = tf.gradients(b, x)[0]
    with tf.Session() as sess:
        assert sess.run([held_op, held_fn, full], {x: 2.0}) == [4.0, 4.0, 12.0]


def test_an_x_that_is_a_y_and_contributions_are_summed():
    x = tf.placeholder(tf.float64, [2])
    y = tf.sin(x) + x * 3.0 + tf.exp(x) * x
    g = tf.gradients([y, x], x)[0]
    v = np.array([0.5, -1.0])
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: v}), np.cos(v) + 3 + np.exp(v) * (1 + v) + 1)


def test_feeding_an_intermediate_cuts_the_gradient_path():
    x = tf.placeholder(tf.float32, [2])
    h = x * 2.0
    y = tf.reduce_sum(h * x)
    g = tf.gradients(y, x)[0]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: [1.0, 2.0]}), [4.0, 8.0])
        # with h fed, y = sum(h * x) with h constant
        np.testing.assert_allclose(sess.run(g, {x: [1.0, 2.0], h: [5.0, 7.0]}), [5.0, 7.0])


# ---- the expansion ------------------------------------------------------------------------------
def test_expansion_is_ordered_located_and_named_after_the_forward_ops():
    x = tf.placeholder(tf.float32, [4, 3], name="x")
    W = tf.Variable(np.ones((3, 2), np.float32), name="W")
    loss = tf.reduce_mean(tf.matmul(x, W, name="MatMul"), name="Mean")
    g = tf.gradients(loss, W)[0]
    grad_loc = g.op._dfc_ir().loc
    step = expanded([g], [x], [(4, 3)])
    assert not [op for op in step.ops if op.type == "dfc.grad"]
    new = [op for op in step.ops if op.name.startswith("gradients/")]
    assert {op.loc for op in new} == {grad_loc}
    names = [op.name for op in new]
    assert any(n.startswith("gradients/MatMul_grad/") for n in names)
    assert any(n.startswith("gradients/Mean_grad/") for n in names)
    matmuls = [op for op in new if op.type == "dfc.matmul"]
    assert len(matmuls) == 1 and matmuls[0].attrs["transpose_a"]  # dW = x^T g; dx is never emitted


def test_dead_gradient_branches_are_not_emitted():
    x = tf.placeholder(tf.float32, [3], name="x")
    c = tf.placeholder(tf.float32, [3], name="c")
    side = tf.exp(c, name="SideExp")  # on no path from x
    y = tf.reduce_sum(tf.sin(x, name="Sin") * side, name="y")
    g = tf.gradients(y, x)[0]
    step = expanded([g], [x, c], [(3,), (3,)])
    names = [op.name for op in step.ops]
    assert not [n for n in names if "SideExp_grad" in n]
    grads = [op for op in step.ops if op.name.startswith("gradients/")]
    # the seed, its broadcast, the mul rule's one needed half, and cos * g
    assert sorted(op.type for op in grads) == sorted(["dfc.fill_like", "dfc.broadcast_like", "dfc.mul",
                                                      "dfc.cos", "dfc.mul"])


def test_unfetched_gradients_are_not_computed():
    x = tf.placeholder(tf.float32, [2], name="x")
    z = tf.placeholder(tf.float32, [2], name="z")
    gx, gz = tf.gradients(tf.reduce_sum(tf.tanh(x) + tf.log(z, name="Log")), [x, z])
    step = expanded([gx], [x, z], [(2,), (2,)])
    assert not [op for op in step.ops if "Log_grad" in op.name]


def test_second_order_expands_the_inner_grad_first():
    x = tf.placeholder(tf.float64, [3], name="x")
    y = tf.reduce_sum(tf.tanh(x) * x)
    g = tf.gradients(y, x)[0]
    h = tf.gradients(g, x)[0]
    v = np.array([0.3, -0.7, 1.2])
    t = np.tanh(v)
    with tf.Session() as sess:
        gv, hv = sess.run([g, h], {x: v})
    np.testing.assert_allclose(gv, t + v * (1 - t * t))
    np.testing.assert_allclose(hv, 2 * (1 - t * t) - 2 * v * t * (1 - t * t))
    step = expanded([h], [x], [(3,)])
    assert any(op.name.startswith("gradients_1/gradients/") for op in step.ops)


def test_third_order_of_a_power():
    x = tf.placeholder(tf.float64, [2])
    d1 = tf.gradients(tf.reduce_sum(x ** 4.0), x)[0]
    d2 = tf.gradients(d1, x)[0]
    d3 = tf.gradients(d2, x)[0]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(d3, {x: [1.0, 2.0]}), [24.0, 48.0])


def test_slice_gradient_scatters_with_strides_and_reversal():
    x = tf.placeholder(tf.float64, [7, 3])
    y = x[5:0:-2, ::2]
    w = np.arange(6.0).reshape(3, 2) + 1
    g = tf.gradients(tf.reduce_sum(y * w), x)[0]
    expect = np.zeros((7, 3))
    expect[5:0:-2, ::2] = w
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(g, {x: np.zeros((7, 3))}), expect)


def test_gather_gradient_sums_duplicate_indices():
    p = tf.placeholder(tf.float64, [4, 2])
    y = tf.gather(p, tf.constant([[1, 3], [1, 1]]))
    g = tf.gradients(tf.reduce_sum(y), p)[0]
    assert isinstance(g, tf.IndexedSlices)  # TF1's gradient of a gather: the rows and their indices
    with tf.Session() as sess:
        sliced = sess.run(g, {p: np.zeros((4, 2))})
        np.testing.assert_array_equal(sliced.indices, [1, 3, 1, 1])
        np.testing.assert_array_equal(sliced.dense_shape, [4, 2])
        dense = sess.run(tf.convert_to_tensor(g), {p: np.zeros((4, 2))})
        np.testing.assert_array_equal(dense, [[0, 0], [3, 3], [0, 0], [1, 1]])


def test_reduce_prod_gradient_is_exact_at_zeros():
    x = tf.placeholder(tf.float64, [2, 3])
    g = tf.gradients(tf.reduce_prod(x, axis=1), x)[0]
    v = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0]])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(g, {x: v}), [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0]])


def test_reduce_max_shares_the_gradient_among_ties():
    x = tf.placeholder(tf.float32, [4])
    g = tf.gradients(tf.reduce_max(x), x)[0]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: [1.0, 3.0, 3.0, 2.0]}), [0, 0.5, 0.5, 0])


def test_gradient_ops_keep_the_control_dependencies_of_the_call():
    x = tf.placeholder(tf.float32, [2], name="x")
    v = tf.Variable(0.0, name="counter")
    bump = v.assign_add(1.0)
    with tf.control_dependencies([bump]):
        g = tf.gradients(tf.reduce_sum(x * x), x)[0]
    step = expanded([g], [x], [(2,)])
    assert all(op.control_inputs for op in step.ops if op.name.startswith("gradients/"))
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_allclose(sess.run(g, {x: [1.0, 3.0]}), [2.0, 6.0])
        assert sess.run(v) == 1.0


def test_unknown_dims_without_specialize():
    from dfc.ir.interpreter import interpret
    x = tf.placeholder(tf.float64, [None, 3], name="x")
    y = tf.reduce_mean(tf.reshape(x, [-1]) * 2.0)
    g = tf.gradients(y, x)[0]
    step = compile_step(tf.get_default_graph(), [g._dfc_ir()], feeds=[x._dfc_ir()], pipeline=["autodiff"])
    verify(step)
    (out,) = interpret(step, [np.ones((4, 3))])
    np.testing.assert_allclose(out, np.full((4, 3), 2.0 / 12))


# ---- the gradient checker -----------------------------------------------------------------------
def test_compute_gradient_gives_tf1_shaped_jacobians():
    A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    x = tf.placeholder(tf.float64, [3])
    y = tf.reshape(tf.matmul(tf.constant(A), tf.reshape(x, [3, 1])), [2])
    theoretical, numeric = tf.test.compute_gradient(x, [3], y, [2], x_init_value=np.array([1.0, -1.0, 2.0]))
    assert theoretical.shape == numeric.shape == (3, 2)
    np.testing.assert_allclose(theoretical, A.T)
    np.testing.assert_allclose(numeric, A.T, rtol=1e-6)
    assert tf.test.compute_gradient_error(x, [3], y, [2]) < 1e-6


def test_the_checker_finds_a_wrong_rule(monkeypatch):
    monkeypatch.setitem(ad.VJP, "dfc.sin", lambda op, g, b: [b("mul", g, b("sin", op.inputs[0]))])
    x = tf.placeholder(tf.float64, [3])
    assert tf.test.compute_gradient_error(x, [3], tf.sin(x), [3]) > 0.1


def test_the_checker_uses_the_default_session_for_variables():
    w = tf.Variable([1.0, 2.0], dtype=tf.float64)
    x = tf.placeholder(tf.float64, [2])
    y = tf.reduce_sum(w * x * x)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert tf.test.compute_gradient_error(x, [2], y, [], delta=1e-6) < 1e-6


# ---- property: every rule against central differences in float64 -----------------------------------
def _values(rng, shape, kind="any"):
    if kind == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if kind == "unit":  # inside (-1, 1), away from its ends (asin, acos)
        return rng.uniform(-0.8, 0.8, shape)
    if kind == "away":  # away from the kinks of abs, relu, sign
        return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return rng.uniform(-2.0, 2.0, shape)


shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)
nonscalar = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: b drops leading dims of a and turns some dims into 1."""
    a = draw(shapes)
    drop = draw(st.integers(0, len(a)))
    b = tuple(1 if draw(st.booleans()) else d for d in a[drop:])
    return (a, b) if draw(st.booleans()) else (b, a)


def _unary(name, kind="any"):
    def case(draw, rng):
        return [_values(rng, draw(shapes), kind)], lambda x: make(name, [x])
    return case


def _binary(name, kind_b="any", kind_a="any"):
    def case(draw, rng):
        sa, sb = draw(broadcast_pair())
        return [_values(rng, sa, kind_a), _values(rng, sb, kind_b)], lambda a, b: make(name, [a, b])
    return case


def _separated(name):
    def case(draw, rng):
        sa, sb = draw(broadcast_pair())
        a, b = _values(rng, sa), _values(rng, sb)
        out = np.broadcast_shapes(sa, sb)
        if np.any(np.abs(np.broadcast_to(a, out) - np.broadcast_to(b, out)) < 0.2):
            b = b + 5.0  # no tie within reach of the finite difference
        return [a, b], lambda x, y: make(name, [x, y])
    return case


def _matmul(draw, rng):
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    ta, tb = draw(st.booleans()), draw(st.booleans())
    batch_a, batch_b = draw(st.sampled_from([((), ()), ((2,), ()), ((), (2,)), ((2,), (2,)), ((1,), (2,))]))
    sa = batch_a + ((k, m) if ta else (m, k))
    sb = batch_b + ((n, k) if tb else (k, n))
    return [_values(rng, sa), _values(rng, sb)], \
        lambda a, b: make("dfc.matmul", [a, b], {"transpose_a": ta, "transpose_b": tb})


def _reduction(name, kind="any"):
    def case(draw, rng):
        shape = draw(nonscalar)
        axes = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=len(shape)))
        keep = draw(st.booleans())
        if kind == "distinct":  # a permutation of well-spaced values: no ties
            x = rng.permutation(np.arange(int(np.prod(shape))) * 0.5 - 1.0).reshape(shape)
        else:
            x = _values(rng, shape, kind)
        return [x], lambda t: make(name, [t], {"axes": axes, "keepdims": keep})
    return case


def _axis_op(name):
    def case(draw, rng):
        shape = draw(nonscalar)
        axis = draw(st.integers(-len(shape), len(shape) - 1))
        return [_values(rng, shape)], lambda t: make(name, [t], {"axis": axis})
    return case


def _reshape(draw, rng):
    shape = draw(nonscalar)
    target = list(reversed(shape))
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return [_values(rng, shape)], lambda t: make("dfc.reshape", [t], {"shape": target})


def _dynamic_reshape(draw, rng):
    shape = draw(nonscalar)
    target = list(reversed(shape))

    return [_values(rng, shape)], lambda t: make("dfc.dynamic_reshape", [t, tf.constant(target, tf.int32)],
                                                   {"hint": target})


def _dynamic_fill(draw, rng):
    shape = draw(shapes)
    return [_values(rng, ())], lambda t: make("dfc.dynamic_fill", [tf.constant(list(shape), tf.int32), t],
                                                {"hint": shape})


def _transpose(draw, rng):
    shape = draw(nonscalar)
    perm = draw(st.permutations(range(len(shape))))
    return [_values(rng, shape)], lambda t: make("dfc.transpose", [t], {"perm": perm})


def _expand_dims(draw, rng):
    shape = draw(shapes)
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return [_values(rng, shape)], lambda t: make("dfc.expand_dims", [t], {"axis": axis})


def _squeeze(draw, rng):
    shape = draw(nonscalar)
    with_ones = tuple(d for s in shape for d in ((s, 1) if draw(st.booleans()) else (s,)))
    axes = [i for i, d in enumerate(with_ones) if d == 1]
    axes = axes or [0]
    with_ones = with_ones if 1 in with_ones else (1,) + with_ones
    return [_values(rng, with_ones)], lambda t: make("dfc.squeeze", [t], {"axes": axes})


def _concat(draw, rng):
    shape = draw(nonscalar)
    axis = draw(st.integers(0, len(shape) - 1))
    count = draw(st.integers(1, 3))
    parts = [_values(rng, shape[:axis] + (draw(st.integers(1, 3)),) + shape[axis + 1:]) for _ in range(count)]
    return parts, lambda *ts: make("dfc.concat", list(ts), {"axis": axis})


def _split(draw, rng):
    shape = draw(nonscalar)
    axis = draw(st.integers(0, len(shape) - 1))
    sizes = draw(st.lists(st.integers(1, 2), min_size=1, max_size=3))
    shape = shape[:axis] + (sum(sizes),) + shape[axis + 1:]
    used = draw(st.lists(st.booleans(), min_size=len(sizes), max_size=len(sizes)))
    used[0] = True

    def build(t):
        pieces = make_op("dfc.split", [t], {"axis": axis, "sizes": sizes}).results
        picked = [wrap(p) for p, u in zip(pieces, used) if u]  # unused pieces get zero cotangents
        return tf.concat(picked, axis) if len(picked) > 1 else picked[0]
    return [_values(rng, shape)], build


def _tile(draw, rng):
    shape = draw(nonscalar)
    multiples = [draw(st.integers(1, 3)) for _ in shape]
    return [_values(rng, shape)], lambda t: make("dfc.tile", [t], {"multiples": multiples})


def _slice(draw, rng):
    shape = draw(nonscalar)
    begin, end, strides = [], [], []
    for d in shape:
        step = draw(st.sampled_from([1, 2, -1, -2]))
        start, stop = (draw(st.one_of(st.none(), st.integers(-d - 1, d + 1))) for _ in range(2))
        begin.append((0 if step > 0 else SLICE_END) if start is None else start)
        end.append((SLICE_END if step > 0 else SLICE_START_REVERSED) if stop is None else stop)
        strides.append(step)
    return [_values(rng, shape)], lambda t: make("dfc.slice", [t], {"begin": begin, "end": end,
                                                                     "strides": strides})


def _gather(draw, rng):
    shape = draw(nonscalar)
    axis = draw(st.integers(0, len(shape) - 1))
    ishape = draw(shapes)
    indices = rng.integers(0, shape[axis], ishape).astype(np.int32)
    return [_values(rng, shape)], lambda t: make("dfc.gather", [t, tf.constant(indices)], {"axis": axis})


def _segment_sum(draw, rng):
    shape = draw(nonscalar)
    n = draw(st.integers(1, 4))
    ids = rng.integers(-1, n, shape[:1]).astype(np.int32)  # -1: a dropped row
    return [_values(rng, shape)], lambda t: make("dfc.unsorted_segment_sum", [t, tf.constant(ids)],
                                                 {"num_segments": n})


def _dynamic_update_slice(draw, rng):
    shape = draw(nonscalar)
    k = draw(st.integers(0, shape[0]))
    start = int(rng.integers(0, shape[0] - k + 1))
    return [_values(rng, shape), _values(rng, (k,) + shape[1:])], lambda t, u: make(
        "dfc.dynamic_update_slice", [t, u, tf.constant(np.int32(start))], {})


def _select(draw, rng):
    sa, sb = draw(broadcast_pair())
    cond = rng.random(np.broadcast_shapes(sa, sb)) < 0.5
    return [_values(rng, sa), _values(rng, sb)], lambda a, b: make("dfc.select", [tf.constant(cond), a, b])


def _cast(draw, rng):
    return [_values(rng, draw(shapes))], \
        lambda t: make("dfc.cast", [make("dfc.cast", [t], {"dtype": tf.float32})], {"dtype": tf.float64})


def _broadcast_like(draw, rng):
    sa, sb = draw(broadcast_pair())
    out = np.broadcast_shapes(sa, sb)
    return [_values(rng, sa)], lambda t: make("dfc.broadcast_like", [t, tf.zeros(out, tf.float64)])


def _scan(opname):
    def case(draw, rng):
        shape = draw(nonscalar)
        attrs = {"axis": draw(st.integers(-len(shape), len(shape) - 1)), "exclusive": draw(st.booleans()),
                 "reverse": draw(st.booleans())}
        return [_values(rng, shape, "away") if opname == "dfc.cumprod" else _values(rng, shape)], \
            lambda t: make(opname, [t], attrs)
    return case


CASES = {
    "dfc.identity": _unary("dfc.identity"), "dfc.neg": _unary("dfc.neg"), "dfc.abs": _unary("dfc.abs", "away"),
    "dfc.sign": _unary("dfc.sign", "away"), "dfc.square": _unary("dfc.square"), "dfc.exp": _unary("dfc.exp"),
    "dfc.expm1": _unary("dfc.expm1"), "dfc.log": _unary("dfc.log", "pos"), "dfc.log1p": _unary("dfc.log1p", "pos"),
    "dfc.sqrt": _unary("dfc.sqrt", "pos"), "dfc.rsqrt": _unary("dfc.rsqrt", "pos"),
    "dfc.reciprocal": _unary("dfc.reciprocal", "pos"), "dfc.sin": _unary("dfc.sin"), "dfc.cos": _unary("dfc.cos"),
    "dfc.tanh": _unary("dfc.tanh"), "dfc.sigmoid": _unary("dfc.sigmoid"), "dfc.relu": _unary("dfc.relu", "away"),
    "dfc.add": _binary("dfc.add"), "dfc.sub": _binary("dfc.sub"), "dfc.mul": _binary("dfc.mul"),
    "dfc.div": _binary("dfc.div", "pos"), "dfc.pow": _binary("dfc.pow", "any", "pos"),
    "dfc.maximum": _separated("dfc.maximum"), "dfc.minimum": _separated("dfc.minimum"),
    "dfc.select": _select, "dfc.cast": _cast, "dfc.matmul": _matmul,
    "dfc.reduce_sum": _reduction("dfc.reduce_sum"), "dfc.reduce_mean": _reduction("dfc.reduce_mean"),
    "dfc.reduce_max": _reduction("dfc.reduce_max", "distinct"),
    "dfc.reduce_min": _reduction("dfc.reduce_min", "distinct"),
    "dfc.reduce_prod": _reduction("dfc.reduce_prod", "away"),
    "dfc.softmax": _axis_op("dfc.softmax"), "dfc.log_softmax": _axis_op("dfc.log_softmax"),
    "dfc.reshape": _reshape, "dfc.transpose": _transpose, "dfc.expand_dims": _expand_dims, "dfc.squeeze": _squeeze,
    "dfc.concat": _concat, "dfc.split": _split, "dfc.tile": _tile, "dfc.slice": _slice, "dfc.gather": _gather,
    "dfc.broadcast_like": _broadcast_like, "dfc.dynamic_reshape": _dynamic_reshape, "dfc.dynamic_fill": _dynamic_fill,
    "dfc.unsorted_segment_sum": _segment_sum, "dfc.dynamic_update_slice": _dynamic_update_slice,
    "dfc.cumsum": _scan("dfc.cumsum"), "dfc.cumprod": _scan("dfc.cumprod"),
    "dfc.atan": _unary("dfc.atan"), "dfc.erf": _unary("dfc.erf"), "dfc.erfc": _unary("dfc.erfc"),
    "dfc.asin": _unary("dfc.asin", "unit"), "dfc.acos": _unary("dfc.acos", "unit"),
    "dfc.atan2": _binary("dfc.atan2", "away", "away"),
    "dfc.print": lambda draw, rng: ([_values(rng, draw(shapes))],
                                    lambda t: make("dfc.print", [t], {"first_n": 0})),
    "dfc.check_numerics": lambda draw, rng: ([_values(rng, draw(shapes))],
                                             lambda t: make("dfc.check_numerics", [t], {"message": "x"})),
}


# ---- convolutions and pooling (ir/ops/nn.py): small random windows, strides, dilations and paddings ----
def _window_attrs(draw, conv: bool) -> tuple[dict, tuple[int, int]]:
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    attrs = {"strides": [draw(st.integers(1, 2)), draw(st.integers(1, 2))],
             "padding": draw(st.sampled_from(["SAME", "VALID", "EXPLICIT"]))}
    if attrs["padding"] == "EXPLICIT":
        attrs["explicit_paddings"] = [draw(st.integers(0, k[i // 2] - 1)) for i in range(4)]
    if conv:
        attrs["dilations"] = [draw(st.integers(1, 2)), draw(st.integers(1, 2))]
    return attrs, k


def _conv_case(draw, rng):
    attrs, (kh, kw) = _window_attrs(draw, True)
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    hw = [(kh - 1) * attrs["dilations"][0] + draw(st.integers(1, 3)),
          (kw - 1) * attrs["dilations"][1] + draw(st.integers(1, 3))]
    x, w = _values(rng, (draw(st.integers(1, 2)), *hw, cin)), _values(rng, (kh, kw, cin // groups, cout))
    return x, w, {**attrs, "groups": groups}


def _conv2d_case(draw, rng):
    x, w, attrs = _conv_case(draw, rng)
    return [x, w], lambda a, b: make("dfc.conv2d", [a, b], attrs)


def _conv2d_backprop_input_case(draw, rng):
    x, w, attrs = _conv_case(draw, rng)
    with tf.Graph().as_default():
        dy_shape = make("dfc.conv2d", [tf.constant(x), tf.constant(w)], attrs).shape.as_list()
    return [_values(rng, dy_shape), w], \
        lambda g, b: make("dfc.conv2d_backprop_input", [g, b], {"input_shape": list(x.shape), **attrs})


def _conv2d_backprop_filter_case(draw, rng):
    x, w, attrs = _conv_case(draw, rng)
    with tf.Graph().as_default():
        dy_shape = make("dfc.conv2d", [tf.constant(x), tf.constant(w)], attrs).shape.as_list()
    return [x, _values(rng, dy_shape)], \
        lambda a, g: make("dfc.conv2d_backprop_filter", [a, g], {"filter_shape": list(w.shape), **attrs})


def _pool_case(op: str, distinct: bool = False):
    def case(draw, rng):
        attrs, k = _window_attrs(draw, False)
        shape = (draw(st.integers(1, 2)), k[0] + draw(st.integers(0, 3)), k[1] + draw(st.integers(0, 3)),
                 draw(st.integers(1, 3)))
        # max_pool: values far apart, so a central difference never changes which one is the maximum
        x = rng.permutation(np.arange(np.prod(shape), dtype=np.float64)).reshape(shape) * 0.1 if distinct \
            else _values(rng, shape)
        return [x], lambda t: make(op, [t], {"ksize": list(k), **attrs})
    return case


def _avg_pool_grad_case(draw, rng):
    attrs, k = _window_attrs(draw, False)
    shape = (draw(st.integers(1, 2)), k[0] + draw(st.integers(0, 3)), k[1] + draw(st.integers(0, 3)),
             draw(st.integers(1, 3)))
    with tf.Graph().as_default():
        dy_shape = make("dfc.avg_pool", [tf.zeros(shape, tf.float64)], {"ksize": list(k), **attrs}).shape.as_list()
    return [_values(rng, dy_shape)], \
        lambda g: make("dfc.avg_pool_grad", [g], {"ksize": list(k), "input_shape": list(shape), **attrs})


CASES.update({
    "dfc.conv2d": _conv2d_case, "dfc.conv2d_backprop_input": _conv2d_backprop_input_case,
    "dfc.conv2d_backprop_filter": _conv2d_backprop_filter_case,
    "dfc.max_pool": _pool_case("dfc.max_pool", distinct=True), "dfc.avg_pool": _pool_case("dfc.avg_pool"),
    "dfc.avg_pool_grad": _avg_pool_grad_case,
})


# ---- linear algebra (ir/ops/linalg.py): well-conditioned batches; multi-result ops flattened into one ----
def _square_values(draw, rng):
    n, batch = draw(st.integers(1, 4)), draw(st.lists(st.integers(1, 2), max_size=2).map(tuple))
    a = rng.uniform(-1.0, 1.0, batch + (n, n)) + 3.0 * np.eye(n)
    return a, n, batch


def _flat(*ts):
    return tf.concat([tf.reshape(t, [-1]) for t in ts], 0)


def _linalg_unary(op, attrs=None, spd=False, symmetric=False):
    def case(draw, rng):
        a, n, _ = _square_values(draw, rng)
        extra = dict(attrs or {})
        for k in ("adjoint", "full_matrices", "compute_uv", "compute_v"):
            if k in extra and extra[k] is None:
                extra[k] = draw(st.booleans())

        def build(t):
            if spd:
                t = tf.matmul(t, t, transpose_b=True)
            if symmetric:
                t = t + tf.linalg.transpose(t)
            out = make_op(op, [t], extra)
            return _flat(*(wrap(r) for r in out.results))
        return [a], build
    return case


def _solve_case(op):
    def case(draw, rng):
        a, n, batch = _square_values(draw, rng)
        rhs = rng.uniform(-1.0, 1.0, batch + (n, draw(st.integers(1, 3))))
        attrs = {"adjoint": draw(st.booleans())}
        if op == "dfc.matrix_triangular_solve":
            attrs["lower"] = draw(st.booleans())
        return [a, rhs], lambda x, y: make(op, [x, y], attrs)
    return case


def _rect_case(op, attrs):
    def case(draw, rng):
        m, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        full = draw(st.booleans()) if op == "dfc.qr" else False
        if op == "dfc.qr" and full and m > n:
            full = False  # TF's QR gradient is not defined there either
        # distinct singular values, far from 0: the decomposition is smooth around the input
        u, _ = np.linalg.qr(rng.standard_normal((m, m)))
        v, _ = np.linalg.qr(rng.standard_normal((n, n)))
        s = np.zeros((m, n))
        k = min(m, n)
        s[np.arange(k), np.arange(k)] = 1.0 + np.arange(k)[::-1] + rng.uniform(0, 0.5, k)
        a = u @ s @ v.T
        extra = {**attrs, "full_matrices": full} if op == "dfc.qr" else dict(attrs)
        if op == "dfc.svd":
            extra["compute_uv"] = draw(st.booleans())

        def build(t):
            outs = [wrap(r) for r in make_op(op, [t], extra).results]
            if op == "dfc.svd" and len(outs) == 3:  # u and v up to a shared sign: project on u s v^T parts
                s_, u_, v_ = outs
                return _flat(s_, tf.matmul(u_ * tf.expand_dims(s_, -2), v_, transpose_b=True),
                             u_[..., :1] * v_[..., :1, :1])
            return _flat(*outs)
        return [a], build
    return case


CASES.update({
    "dfc.matrix_inverse": _linalg_unary("dfc.matrix_inverse", {"adjoint": None}),
    "dfc.matrix_determinant": _linalg_unary("dfc.matrix_determinant"),
    "dfc.log_matrix_determinant": _linalg_unary("dfc.log_matrix_determinant"),
    "dfc.cholesky": _linalg_unary("dfc.cholesky", spd=True),
    "dfc.self_adjoint_eig": _linalg_unary("dfc.self_adjoint_eig", {"compute_v": None}, symmetric=True),
    "dfc.matrix_solve": _solve_case("dfc.matrix_solve"),
    "dfc.matrix_triangular_solve": _solve_case("dfc.matrix_triangular_solve"),
    "dfc.qr": _rect_case("dfc.qr", {}),
    "dfc.svd": _rect_case("dfc.svd", {}),
})


def _if_case(draw, rng):
    taken, shape = draw(st.booleans()), (draw(st.integers(1, 3)), 2)
    return [rng.uniform(-1, 1, shape), rng.uniform(-1, 1, (2,))], lambda x, y: tf.cond(
        tf.constant(taken), lambda: tf.sin(x) * y, lambda: x * x - y)


def _while_case(draw, rng):
    trips, shape = draw(st.integers(0, 3)), (draw(st.integers(1, 3)), 2)
    return [rng.uniform(-1, 1, shape), rng.uniform(-1, 1, (2,))], lambda x, y: tf.while_loop(
        lambda i, s: i < trips, lambda i, s: (i + 1, s * tf.cos(x) + y), [tf.constant(0), x])[1]


def _custom_gradient_case(draw, rng):
    """A custom gradient that is the true one (sin(x) * y), so central differences check the region's use."""
    shape = (draw(st.integers(1, 3)), 2)

    @tf.custom_gradient
    def f(x, y):
        return tf.sin(x) * y, lambda dy: (dy * tf.cos(x) * y, tf.reduce_sum(dy * tf.sin(x), axis=0))
    return [rng.uniform(-1, 1, shape), rng.uniform(-1, 1, (2,))], f


CASES.update({"dfc.if": _if_case, "dfc.while": _while_case, "dfc.custom_gradient": _custom_gradient_case})


def test_every_rule_has_a_property_case():
    assert sorted(CASES) == sorted(ad.VJP)


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_rule_matches_central_differences(name, data, seed):
    rng = np.random.default_rng(seed)
    arrays, build = CASES[name](data.draw, rng)
    with tf.Graph().as_default():
        xs = [tf.placeholder(tf.float64, a.shape) for a in arrays]
        out = build(*xs)
        # a random projection to a scalar checks the whole Jacobian in one backward run
        weights = rng.uniform(-1.0, 1.0, out.shape.as_list())
        y = tf.reduce_sum(out * tf.constant(weights))
        # the cast case goes through float32: a wider step keeps its rounding out of the difference
        delta, atol = (1e-2, 1e-4) if name == "dfc.cast" else (1e-6, 1e-6)
        pairs = tf.test.compute_gradient(xs, [a.shape for a in arrays], y, [], x_init_value=arrays, delta=delta)
    for theoretical, numeric in pairs:
        np.testing.assert_allclose(theoretical, numeric, rtol=1e-5, atol=atol)
