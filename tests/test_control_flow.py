"""TF1 control flow (tf.cond, tf.case, tf.while_loop, map_fn, scan, foldl, foldr, dynamic_rnn over an unknown time
dim): values and gradients against numpy and against what real TensorFlow recorded
(tests/record_tf_control_flow.py), on the reference interpreter and the native CPU backend; TF1's errors;
and the IR of dfc.if/dfc.while through every pass, the printer and the parser."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import dfc as tf
from dfc.compiler.pipeline import compile_step
from dfc.ir.parser import parse_graph
from dfc.ir.printer import print_graph
from dfc.ir.verifier import verify
import control_flow_cases

BACKENDS = ["interpreter", "cpu"]
TOL = {"rtol": 2e-5, "atol": 2e-5}


def close(actual, expected, **tol):
    np.testing.assert_allclose(np.asarray(actual), expected, **(tol or TOL))


pytestmark = pytest.mark.usefixtures("fresh_graph")


# ---- against real TensorFlow -----------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", sorted(control_flow_cases.CASES))
def test_control_flow_program_matches_tf(case, backend):
    """Each program of tests/control_flow_cases.py gives TF's values and gradients (its docstring says what it is)."""
    control_flow_cases.check_against_tensorflow(case, backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_exclusive_case_fails_the_run_when_two_predicates_hold_naming_the_case_and_its_line(backend):
    k = tf.placeholder(tf.int32, [])
    w = tf.Variable([1.0, 2.0])
    c = tf.case([(tf.less(k, 3), lambda: w * 3.0), (tf.less(k, 5), lambda: w * w)], default=lambda: w + 100.0,
                exclusive=True, name="pick")
    dw = tf.gradients(tf.reduce_sum(c), w)[0]
    loose = tf.case([(tf.less(k, 3), lambda: w * 3.0), (tf.less(k, 5), lambda: w * w)], default=lambda: w)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        for kv, value, grad in ((4, [1.0, 4.0], [2.0, 4.0]), (9, [101.0, 102.0], [1.0, 1.0])):
            got, g = sess.run([c, dw], {k: kv})
            close(got, value)
            close(g, grad)
        close(sess.run(loose, {k: 1}), [3.0, 6.0])  # exclusive=False: the first that holds
        for fetch in (c, dw):
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"'pick/Assert' \(dfc.assert\) at .*test_control_flow.py:\d+.*Input error: "
                                     r"exclusive=True: more than 1 conditions \(Less(_\d)?:0, Less_\d:0\) "
                                     r"evaluated as True"):
                sess.run(fetch, {k: 1})


@pytest.mark.parametrize("backend", BACKENDS)
def test_exclusive_case_in_a_loop_body_and_a_case_without_default_check_at_run_time(backend):
    k = tf.placeholder(tf.int32, [])

    def body(i, acc):
        return i + 1, tf.case({tf.equal(i, 2): lambda: acc * 2.0, tf.greater(i, k): lambda: acc + 1.0},
                              default=lambda: acc, exclusive=True)
    loop = tf.while_loop(lambda i, a: i < 5, body, [tf.constant(0), tf.constant(1.0)])[1]
    # no default: the last fn runs only when its own predicate holds (TF1), else the run fails
    last = tf.case([(tf.equal(k, 1), lambda: tf.constant(10.0)), (tf.equal(k, 2), lambda: tf.constant(20.0))])
    # constant predicates are still checked when the run reaches them, never when the graph is built
    fixed = tf.case([(tf.constant(True), lambda: tf.constant(1.0)), (tf.constant(False), lambda: tf.constant(2.0))])
    both = tf.case([(tf.constant(True), lambda: tf.constant(1.0)), (tf.constant(True), lambda: tf.constant(2.0))],
                   default=lambda: tf.constant(3.0), exclusive=True)
    with tf.Session(backend=backend) as sess:
        assert sess.run(loop, {k: 3}) == 3.0  # *2 at i == 2, +1 at i == 4
        assert sess.run(last, {k: 1}) == 10.0 and sess.run(last, {k: 2}) == 20.0
        assert sess.run(fixed) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"'while/case/Assert'.*exclusive=True.*"
                                                                 r"\(while/Equal:0, while/Greater:0\)"):
            sess.run(loop, {k: 1})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Assert' \(dfc.assert\) at .*test_control_flow.py"
                                                                 r":\d+.*None of conditions evaluated as True"):
            sess.run(last, {k: 3})
        with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive=True"):
            sess.run(both)


# ---- semantics against numpy --------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_error_in_the_untaken_branch_does_not_fire(backend):
    table = tf.constant([1.0, 2.0, 3.0])
    idx, p = tf.placeholder(tf.int32, []), tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: tf.gather(table, idx), lambda: tf.constant(-1.0))
    with tf.Session(backend=backend) as sess:
        assert sess.run(y, {idx: 7, p: False}) == -1.0
        assert sess.run(y, {idx: 2, p: True}) == 3.0
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = 7 is not in \[0, 3\)"):
            sess.run(y, {idx: 7, p: True})


@pytest.mark.parametrize("backend", BACKENDS)
def test_cond_nested_structures_old_keywords_strict_and_nesting(backend):
    Pair = collections.namedtuple("Pair", "a b")
    x, p, q = tf.placeholder(tf.float32, [2]), tf.placeholder(tf.bool, []), tf.placeholder(tf.bool, [])
    both = tf.cond(p, fn1=lambda: {"s": Pair(x, x * 2.0), "n": tf.constant(1)},
                   fn2=lambda: {"s": Pair(x - 1.0, tf.cond(q, lambda: x * 10.0, lambda: x * 20.0)),
                                "n": tf.constant(2)})
    single = tf.cond(p, lambda: [x], lambda: [x + 1.0])
    strict = tf.cond(p, lambda: [x], lambda: [x + 1.0], strict=True)
    assert isinstance(both["s"], Pair) and isinstance(single, tf.Tensor) and isinstance(strict, list)
    xv = np.array([1.0, 2.0], np.float32)
    with tf.Session(backend=backend) as sess:
        out = sess.run([both, single], {x: xv, p: False, q: False})
        close(out[0]["s"].a, xv - 1)
        close(out[0]["s"].b, xv * 20)
        assert out[0]["n"] == 2
        close(out[1], xv + 1)
        out = sess.run(both, {x: xv, p: True, q: False})
        close(out["s"].b, xv * 2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_while_loop_nested_vars_invariants_maximum_iterations_and_nesting(backend):
    x = tf.placeholder(tf.float32, [None])
    # a loop variable whose shape changes: concatenation with a shape invariant (interpreter-style growth)
    state = {"acc": tf.zeros([3]), "n": tf.constant(0)}
    out = tf.while_loop(lambda s: s["n"] < 100, lambda s: {"acc": s["acc"] + tf.reduce_sum(x), "n": s["n"] + 1},
                        [state], maximum_iterations=4)
    # a loop inside a loop: the inner trip count depends on the outer counter
    outer = tf.while_loop(
        lambda i, total: i < 4,
        lambda i, total: (i + 1, tf.while_loop(lambda j, t: j < i, lambda j, t: (j + 1, t + 1.0), [0, total])[1]),
        [tf.constant(0), tf.constant(0.0)])
    with tf.Session(backend=backend) as sess:
        res, (iv, tv) = sess.run([out, outer], {x: [1.0, 2.0]})
    assert res[0]["n"] == 4 if isinstance(res, list) else res["n"] == 4
    acc = res[0]["acc"] if isinstance(res, list) else res["acc"]
    close(acc, np.full(3, 12.0))
    assert iv == 4 and tv == 0 + 1 + 2 + 3


def test_a_growing_loop_variable_needs_a_shape_invariant_and_runs_with_one():
    x = tf.zeros([1])
    with pytest.raises(ValueError, match=r"while_loop 'grow' at .*test_control_flow.py:\d+.*shape.*shape_invariants"):
        tf.while_loop(lambda v: tf.size(v) < 5, lambda v: tf.concat([v, v], 0), [x], name="grow")
    out = tf.while_loop(lambda v: tf.size(v) < 5, lambda v: tf.concat([v, v + 1.0], 0), [x],
                        shape_invariants=[tf.TensorShape([None])])
    assert out.shape.as_list() == [None]
    with tf.Session(backend="interpreter") as sess:
        close(sess.run(out), [0, 1, 1, 2, 1, 2, 2, 3])


@pytest.mark.parametrize("backend", BACKENDS)
def test_dynamic_rnn_over_an_unknown_time_dim_equals_the_unrolled_one(backend):
    x = tf.placeholder(tf.float32, [None, None, 4])
    lengths = tf.placeholder(tf.int32, [None])
    cell = tf.nn.rnn_cell.GRUCell(3)
    out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
    assert out.shape.as_list() == [None, None, 3]
    loss = tf.reduce_sum(out * out) + tf.reduce_sum(state)
    grads = tf.gradients(loss, tf.trainable_variables())
    xv = np.random.default_rng(3).standard_normal((2, 5, 4)).astype(np.float32)
    feeds = {x: xv, lengths: [5, 3]}
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        weights = sess.run(tf.trainable_variables())
        got = sess.run([out, state, grads], feeds)
    with tf.Graph().as_default():
        x2, l2 = tf.placeholder(tf.float32, [2, 5, 4]), tf.placeholder(tf.int32, [None])
        out2, state2 = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(3), x2, sequence_length=l2, dtype=tf.float32)
        loss2 = tf.reduce_sum(out2 * out2) + tf.reduce_sum(state2)
        grads2 = tf.gradients(loss2, tf.trainable_variables())
        with tf.Session(backend="interpreter") as sess:
            for v, w in zip(tf.trainable_variables(), weights):
                v.load(w, sess)
            want = sess.run([out2, state2, grads2], {x2: xv, l2: [5, 3]})
    close(got[0], want[0])
    close(got[1], want[1])
    for a, b in zip(got[2], want[2]):
        close(a, b, rtol=1e-4, atol=1e-5)
    assert np.all(got[0][1, 3:] == 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_loop_that_swaps_its_variables(backend):
    a, b = tf.placeholder(tf.float32, [2]), tf.placeholder(tf.float32, [2])
    _, x, y = tf.while_loop(lambda i, x, y: i < 3, lambda i, x, y: (i + 1, y, x), [0, a, b])
    with tf.Session(backend=backend) as sess:
        xv, yv = sess.run([x, y], {a: [1, 2], b: [3, 4]})
    close(xv, [3, 4])
    close(yv, [1, 2])


# ---- TF1's errors ------------------------------------------------------------------------------------
def test_cond_errors_name_the_user_op():
    x = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="Python bool"):
        tf.cond(True, lambda: x, lambda: x)
    with pytest.raises(ValueError, match="must be a bool tensor"):
        tf.cond(tf.constant(1.0), lambda: x, lambda: x)
    with pytest.raises(ValueError, match=r"dfc.if .cond_2. at .*test_control_flow.py:\d+.*must be a scalar"):
        tf.cond(tf.constant([True, False]), lambda: x, lambda: x)
    with pytest.raises(ValueError, match="same type of return values"):
        tf.cond(tf.constant(True), lambda: (x, x), lambda: x)
    with pytest.raises(ValueError, match="float32 but false_fn's is int32"):
        tf.cond(tf.constant(True), lambda: x, lambda: tf.constant([1, 2]))
    with pytest.raises(TypeError, match="true_fn must be callable"):
        tf.cond(tf.constant(True), x, lambda: x)


def test_while_loop_errors():
    with pytest.raises(ValueError, match=r"while_loop 'counting' at .*control_flow.py:\d+:\d+: the shape of loop var"):
        tf.while_loop(lambda v: tf.reduce_sum(v) < 3, lambda v: tf.concat([v, v], 0), [tf.ones([2])],
                      name="counting")
    with pytest.raises(ValueError, match="cond must return a scalar bool"):
        tf.while_loop(lambda v: v, lambda v: v + 1.0, [tf.ones([])])
    with pytest.raises(ValueError, match="body must return the structure"):
        tf.while_loop(lambda a, b: a < 3, lambda a, b: a + 1, [tf.constant(0), tf.constant(1)])
    with pytest.raises(ValueError, match="enters as int32 but the body returns float32"):
        tf.while_loop(lambda a: a < 3, lambda a: tf.cast(a, tf.float32), [tf.constant(0)])


# ---- the IR -----------------------------------------------------------------------------------------
def test_region_ops_survive_every_pass_and_print_and_reparse():
    x = tf.placeholder(tf.float32, [None, 3])
    p = tf.placeholder(tf.bool, [])
    w = tf.Variable(np.ones((3, 3), np.float32))
    y = tf.cond(p, lambda: tf.matmul(x, w) * 2.0 + 1.0, lambda: tf.nn.relu(x))
    _, z = tf.while_loop(lambda i, z: i < 3, lambda i, z: (i + 1, tf.tanh(z) + y), [0, y])
    loss = tf.reduce_sum(z)
    g = tf.gradients(loss, [w])[0]
    stages = []
    graph = tf.get_default_graph()._dfc_ir()
    fetches = [z._dfc_ir(), g._dfc_ir()]
    feeds = [x._dfc_ir(), p._dfc_ir()]
    step = compile_step(graph, fetches, feeds=feeds, feed_shapes=[(2, 3), ()], verify_each=True,
                        on_stage=lambda name, gr: stages.append((name, print_graph(gr))))
    for name, text in stages:
        again = parse_graph(text, f"{name}.mlir")
        verify(again)
        assert print_graph(again) == text, name
    assert '"dfc.if"' in stages[-1][1] and '"dfc.while"' in stages[-1][1]
    assert step.body.terminator is not None


def test_a_tensor_made_inside_a_branch_cannot_be_used_outside():
    x = tf.constant(1.0)
    inner = []

    def branch():
        inner.append(x * 2.0)
        return inner[0]
    tf.cond(tf.constant(True), branch, lambda: x)
    with pytest.raises(ValueError, match=r"Cannot use 'cond/mul:0'.*inside dfc.if 'cond'"):
        inner[0] + 1.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_map_fn_whose_fn_makes_a_variable(backend):
    e = tf.placeholder(tf.float32, [None, 3])

    def scale(row):
        with tf.variable_scope("scale"):
            w = tf.get_variable("w", [3], initializer=tf.constant_initializer([1.0, 2.0, 3.0]))
        return row * w
    m = tf.map_fn(scale, e)
    assert [v.name for v in tf.global_variables()] == ["scale/w:0"]
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        close(sess.run(m, {e: np.ones((2, 3), np.float32)}), [[1, 2, 3], [1, 2, 3]])


def test_a_loop_variable_of_changing_shape_runs_on_the_interpreter_and_is_refused_natively():
    from dfc.compiler.control_flow import LoopShapesVary
    from dfc.runtime.cpu import CpuExecutable
    x = tf.placeholder(tf.float32, [None])
    out = tf.while_loop(lambda v: tf.size(v) < 8, lambda v: tf.concat([v, v], 0), [x],
                        shape_invariants=[tf.TensorShape([None])])
    for backend in ("interpreter", "cpu"):  # the CPU backend hands such a step to the interpreter
        with tf.Session(backend=backend) as sess:
            close(sess.run(out, {x: [1.0, 2.0]}), [1, 2] * 4)
    graph = tf.get_default_graph()._dfc_ir()
    step = compile_step(graph, [out._dfc_ir()], [], [x._dfc_ir()], [(2,)])
    with pytest.raises(LoopShapesVary, match=r"loop 'while'.*loop variable #0"):
        CpuExecutable(step)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_predicate_fed_with_a_vector_is_refused(backend):
    p = tf.placeholder(tf.bool)
    y = tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    with tf.Session(backend=backend) as sess:
        assert sess.run(y, {p: True}) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"'cond'.*predicate must be a scalar"):
            sess.run(y, {p: [True, False]})


# ---- random graphs inside branches and loops: the native backend against the interpreter ------------------
def _emit(graph, block, type, operands, **attrs):
    from dfc.ir.graph import Op
    from dfc.ir.ops import get_op_def
    opdef = get_op_def(type)
    full = opdef.complete_attrs(attrs)
    op = Op(type, graph.reserve_name(opdef.short), list(operands), full, opdef.infer([v.type for v in operands], full))
    block.append(op)
    return op.results[0]


def _region_of(graph, source, arg_types, inputs_of, tail):
    """A region over arg_types holding a copy of graph `source` (its arguments bound by inputs_of) and tail's ops."""
    from dfc.ir.graph import Block, Op
    from dfc.ir.rewrite import clone_op
    block = Block(arg_types)
    mapping = dict(zip(source.arguments, inputs_of(block.arguments)))
    for op in source.ops:
        if op.type != "dfc.fetch":
            block.append(clone_op(op, mapping, name=graph.reserve_name(op.name)))
    outs = tail(block, mapping)
    block.append(Op("dfc.yield", graph.reserve_name("yield"), outs, {}, []))
    return block


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_random_graphs_in_a_branch_and_a_loop_match_the_interpreter():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from dfc.ir import dtypes as D
    from dfc.ir.graph import Graph, Op
    from dfc.ir.types import TensorType
    from cpu_backend_support import random_graph, run_both, values

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(data):
        source, args, fetches = random_graph(data)
        g = Graph()
        outer = [g.body.add_argument(a.type, f"x{i}") for i, a in enumerate(args)]
        pred = g.body.add_argument(TensorType(D.bool_, ()), "pred")
        trips = g.body.add_argument(TensorType(D.i32, ()), "trips")
        operands = [pred] + outer
        types = [v.type for v in operands]
        then = _region_of(g, source, types, lambda a: a[1:], lambda b, m: [m[f] for f in fetches])
        other = _region_of(g, source, types, lambda a: a[1:],
                           lambda b, m: [_emit(g, b, "dfc.neg", [m[f]]) for f in fetches])
        branch = g.append(Op("dfc.if", "branch", operands, {}, [f.type for f in fetches], regions=[then, other]))
        n = len(fetches)
        carried = list(branch.results) + [_emit(g, g.body, "dfc.constant", [], value=np.int32(0))]
        loop_types = [v.type for v in carried] + [trips.type]
        cond = _region_of(g, Graph(), loop_types, lambda a: [],
                          lambda b, m: [_emit(g, b, "dfc.less", [b.arguments[n], b.arguments[n + 1]])])
        body = _region_of(g, Graph(), loop_types, lambda a: [], lambda b, m: [
            _emit(g, b, "dfc.add", [_emit(g, b, "dfc.tanh", [v]), v]) for v in b.arguments[:n]] + [
            _emit(g, b, "dfc.add", [b.arguments[n], _emit(g, b, "dfc.constant", [], value=np.int32(1))])])
        loop = g.append(Op("dfc.while", "loop", carried + [trips], {"num_vars": n + 1}, [v.type for v in carried],
                           regions=[cond, body]))
        # one branch result is fetched: the others die at the loop, yet the branch writes them all
        fetched = list(loop.results[:n]) + list(branch.results[:1])
        g.append(Op("dfc.fetch", "fetch", fetched, {}, []))
        arrays = [values(data, D.f32, a.type.shape, special=False, small=True) for a in args]
        arrays += [np.array(data.draw(st.booleans())), np.array(data.draw(st.integers(0, 3)), np.int32)]
        ref, got = run_both(g, fetched, list(g.arguments), arrays)
        for r, o in zip(ref, got):
            scale = float(np.max(np.abs(r), initial=1.0))
            np.testing.assert_allclose(o, r, rtol=1e-4, atol=1e-5 * scale)
    check()


@pytest.mark.parametrize("backend", BACKENDS)
def test_branches_that_return_operations(backend):
    p = tf.placeholder(tf.bool, [])
    v = tf.Variable(0.0)
    step = tf.cond(p, lambda: tf.group(tf.assign_add(v, 1.0)), lambda: tf.no_op())
    assert isinstance(step, tf.Operation)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        for flag in (True, False, True):
            sess.run(step, {p: flag})
        assert sess.run(v) == 2.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_dropout_in_a_cond_gets_the_gradient_of_the_mask_it_drew(backend):
    h, training = tf.placeholder(tf.float32, [500]), tf.placeholder(tf.bool, [])
    y = tf.cond(training, lambda: tf.nn.dropout(h, keep_prob=0.5), lambda: h)
    g = tf.gradients(tf.reduce_sum(y), h)[0]
    with tf.Session(backend=backend) as sess:
        for flag in (True, False):
            yv, gv = sess.run([y, g], {h: np.ones(500, np.float32), training: flag})
            np.testing.assert_array_equal(yv, gv)  # y = mask * h / keep, dy/dh = mask / keep
            assert (0 < np.count_nonzero(yv) < 500) == flag


def test_the_gradient_of_a_loop_that_assigns_is_refused_with_the_loop_named():
    """A trip count only the run knows: the gradient would recompute iterations (and assign again). With a trip
    count constants decide, the forward loop saves what it assigned (tests/test_loop_grad_stacks.py)."""
    x = tf.placeholder(tf.float32, [2])
    n = tf.placeholder(tf.int32, [])
    v = tf.Variable(0.0)
    _, s = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s * tf.assign_add(v, 1.0)), [0, x])
    g = tf.gradients(tf.reduce_sum(s), x)[0]
    with tf.Session(backend="interpreter") as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(Exception, match=r"loop 'while' \(dfc.while\) at .*test_control_flow.py:\d+.*stateful"
                                            r".*trip count"):
            sess.run(g, {x: [1.0, 2.0], n: 3})


def test_a_tensor_inside_a_branch_cannot_be_fetched():
    inner = []

    def branch():
        inner.append(tf.constant(2.0) * 3.0)
        return inner[0]
    tf.cond(tf.constant(True), branch, lambda: tf.constant(0.0))
    with tf.Session(backend="interpreter") as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"cannot fetch 'cond/mul:0'.*inside 'cond'"):
            sess.run(inner[0])


def test_loop_variable_growing_under_its_shape_invariant_runs_on_the_interpreter(caplog):
    """TF1's concat-in-a-loop idiom: native code needs one shape per loop variable, so the Session runs the
    step on the interpreter (with a warning) and gives TF's values instead of refusing it."""
    tf.reset_default_graph()
    n = tf.placeholder(tf.int32, [])
    i0, m0 = tf.constant(0), tf.zeros([0, 2])
    _, rows = tf.while_loop(lambda i, m: i < n,
                            lambda i, m: [i + 1, tf.concat([m, tf.ones([1, 2]) * tf.cast(i, tf.float32)], 0)],
                            [i0, m0], shape_invariants=[i0.get_shape(), tf.TensorShape([None, 2])])
    with tf.Session() as sess, caplog.at_level("WARNING", logger="dfc"):
        assert sess.run(rows, {n: 3}).tolist() == [[0, 0], [1, 1], [2, 2]]
        assert sess.run(tf.reduce_sum(rows), {n: 5}) == 20.0
    assert "loops whose shapes vary on its interpreter, the rest natively" in caplog.text


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cond_of_operations_can_be_waited_on(backend):
    """tf.cond whose branches return Operations (an assign's op, tf.group, tf.no_op) is an Operation that
    control dependencies wait on, as in TF1: the taken branch's updates happen before the dependent read."""
    v = tf.Variable(0.0)
    p = tf.placeholder(tf.bool, [])
    update = tf.cond(p, lambda: tf.assign_add(v, 1.0).op, lambda: tf.no_op())
    grouped = tf.cond(p, lambda: tf.group(tf.assign_add(v, 2.0)), lambda: tf.group(tf.assign_sub(v, 1.0)))
    with tf.control_dependencies([update]):
        after = tf.identity(v.read_value())
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(after, {p: True}) == 1.0 and sess.run(after, {p: False}) == 1.0
        assert sess.run(update, {p: True}) is None
        sess.run(grouped, {p: True})
        sess.run(grouped, {p: False})
        assert sess.run(v) == 3.0
