"""Autodiff: tf.gradients builds one dfc.grad; the pass expands it (minimal, ordered, named); the gradient checker.
(Every rule against central differences: test_autodiff_rules.py.)"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.compiler import compile_step
from dfc.compiler import autodiff as ad
from dfc.ir.errors import VerificationError
from dfc.ir.ops import REGISTRY
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


def test_tower_gradients_in_one_step_do_not_differentiate_each_other():
    """The multi-GPU tutorials: one loss per tower, compute_gradients per tower, the averages applied in one step.
    Tower 0's gradient ops (max_pool_grad has no second derivative) are reachable from the shared variables but
    not needed by tower 1's loss: autodiff must not refuse them."""
    import dfc as tf

    with tf.Graph().as_default():
        x = tf.constant(np.arange(32, dtype=np.float32).reshape(2, 4, 4, 1) / 10)
        opt = tf.train.GradientDescentOptimizer(0.1)
        tower_grads = []
        with tf.variable_scope(tf.get_variable_scope()):
            for i in range(2):
                with tf.name_scope(f"tower_{i}"):
                    w = tf.get_variable("w", [2, 2, 1, 1], initializer=tf.ones_initializer())
                    pooled = tf.nn.max_pool(tf.nn.conv2d(x * (i + 1), w, [1, 1, 1, 1], "SAME"), [1, 2, 2, 1],
                                            [1, 2, 2, 1], "SAME")
                    tf.get_variable_scope().reuse_variables()
                    tower_grads.append(opt.compute_gradients(tf.reduce_sum(pooled)))
        mean = tf.add_n([g for g, _ in (grads[0] for grads in tower_grads)]) / 2.0
        train = opt.apply_gradients([(mean, tower_grads[0][0][1])])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            alone = [sess.run(grads[0][0]) for grads in tower_grads]  # each in a step of its own
            got = sess.run([mean, train])[0]
    np.testing.assert_allclose(got, (alone[0] + alone[1]) / 2, rtol=1e-6)
    np.testing.assert_allclose(alone[1], 2 * alone[0], rtol=1e-6)
