"""The cpu backend against the interpreter on whole graphs: random multi-op graphs through the pipeline,
fused kernels, libm-grade math, buffer planning, every op's lowering, LAPACK ops, dynamic_update_slice."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dfc as tf
from dfc.compiler import compile_step
from dfc.compiler.codegen import reduce as reduce_codegen
from dfc.compiler.plan import plan_step
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.errors import InvalidArgumentError
from dfc.ir.graph import Graph
from dfc.ir.interpreter import StatelessContext, interpret
from dfc.ir.ops import REGISTRY, get_op_def
from dfc.ir.types import TensorType
from dfc.runtime import cpu as cpu_runtime
from dfc.runtime.cpu import CpuExecutable

from cpu_backend_support import FAST, Ctx, arg_graph, assert_same, random_graph, run_both, shapes, values

pytestmark = pytest.mark.usefixtures("cpu_kernel_cache")


# ---- random multi-op graphs -----------------------------------------------------------------------

@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_graphs_match_through_the_whole_pipeline(data):
    g, args, fetches = random_graph(data)
    arrays = [values(data, D.f32, a.type.shape, special=False, small=True) for a in args]
    ref, got = run_both(g, fetches, args, arrays)
    for r, o in zip(ref, got):
        scale = float(np.max(np.abs(r), initial=1.0))
        np.testing.assert_allclose(o, r, rtol=1e-4, atol=1e-5 * scale)


def test_fused_elementwise_chain_is_one_kernel():
    x = tf.placeholder(tf.float32, [None])
    y = tf.nn.relu(x * 1.5 + 0.25) * 0.5 - 0.125
    data = np.linspace(-3, 3, 1001, dtype=np.float32)
    with tf.Session(backend="cpu") as sess:
        got = sess.run(y, {x: data})
        step = next(iter(sess._cache.values())).step
    kinds = [op.type for op in step.ops]
    if "dfc.fused" in kinds:  # the fuse pass ran: one fused op, one loop nest in the module
        assert kinds.count("dfc.fused") == 1
        lowered = CpuExecutable(step).lowered
        assert len(lowered.kernels) == 1 and lowered.main.count(f"call void @{lowered.kernels[0].symbol}(") == 1
    np.testing.assert_allclose(got, np.maximum(data * 1.5 + 0.25, 0) * 0.5 - 0.125, rtol=1e-6)


@pytest.mark.parametrize("name", ["exp", "log", "expm1", "log1p", "tanh", "sigmoid", "sin", "cos"])
def test_float32_math_is_within_4_ulp_of_numpy(name):
    """docs/cpu_math.md's figures, re-measured on every 4099th float32 (whole range, inf and nan included)."""
    x = np.arange(0, 2**32, 4099, dtype=np.uint64).astype(np.uint32).view(np.float32)
    g, (a,) = arg_graph([(D.f32, x.shape)])
    y = create_op(g, f"dfc.{name}", [a]).result
    got = CpuExecutable(compile_step(g, [y], [], [a], [x.shape], pipeline=[]))([x], Ctx())[0]
    with np.errstate(all="ignore"):
        ref = get_op_def(f"dfc.{name}").reference(x)
        same = (got == ref) | (np.isnan(got) & np.isnan(ref))
        ulps = np.abs(got.astype(np.float64) - ref) / np.spacing(np.abs(ref)).astype(np.float64)
    assert np.all(same | (ulps <= 4)), (name, x[~(same | (ulps <= 4))][:5])


@pytest.mark.parametrize("name", ["exp", "log", "expm1", "log1p", "tanh", "sigmoid"])
def test_float64_math_is_within_4_ulp_of_numpy(name):
    """docs/cpu_math.md's float64 figures, re-measured on 2**20 float64 bit patterns spread over the whole
    range, special values and dense samples of the ranges where the functions bend; inf, nan and the sign
    of zero must match exactly."""
    x = (np.arange(1 << 20, dtype=np.uint64) * np.uint64((1 << 44) + 4097)).view(np.float64)
    rng = np.random.default_rng(7)
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 2.2250738585072014e-308, 1.0, -1.0,
               709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412, 1e-300, 1.7e308]
    x = np.concatenate([x, special, rng.uniform(-1, 1, 1 << 16), rng.uniform(-40, 40, 1 << 16),
                        rng.uniform(-750, 750, 1 << 16), rng.uniform(-1e-5, 1e-5, 1 << 14)])
    g, (a,) = arg_graph([(D.f64, x.shape)])
    y = create_op(g, f"dfc.{name}", [a]).result
    got = CpuExecutable(compile_step(g, [y], [], [a], [x.shape], pipeline=[]))([x], Ctx())[0]
    with np.errstate(all="ignore"):
        ref = get_op_def(f"dfc.{name}").reference(x)
        same = ((got == ref) & (np.signbit(got) == np.signbit(ref))) | (np.isnan(got) & np.isnan(ref))
        ulps = np.abs(got - ref) / np.spacing(np.abs(ref))
    ok = same | (ulps <= 4)
    assert np.all(ok), (name, x[~ok][:5], got[~ok][:5], ref[~ok][:5])


def test_fused_regions_with_small_constant_vectors_run_as_one_loop():
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.tanh(x * tf.constant([1.0, 2.0, 3.0, 4.0]) + tf.constant([0.5, 0.25, 0.0, -1.0]))
    data = np.random.default_rng(3).standard_normal((50, 4)).astype(np.float32)
    with tf.Session(backend="cpu") as sess:
        got = sess.run(y, {x: data})
    np.testing.assert_allclose(got, np.tanh(data * [1, 2, 3, 4] + [0.5, 0.25, 0, -1]), rtol=1e-6, atol=1e-7)


def test_fused_reductions_run_their_producers_inside_the_reduction_loop():
    logits = tf.placeholder(tf.float32, [None, 10])
    labels = tf.placeholder(tf.float32, [None, 10])
    xent = -tf.reduce_sum(labels * tf.nn.log_softmax(logits), axis=1)
    weighted = tf.reduce_max(tf.square(logits - 1.0) * tf.constant(np.arange(10, dtype=np.float32)), axis=0)
    rng = np.random.default_rng(0)
    feed = {logits: rng.standard_normal((7, 10)).astype(np.float32),
            labels: np.eye(10, dtype=np.float32)[rng.integers(0, 10, 7)]}
    with tf.Session(backend="interpreter") as sess:
        expected = sess.run([xent, weighted], feed)
    with tf.Session(backend="cpu") as sess:
        got = sess.run([xent, weighted], feed)
        exe = next(iter(sess._cache.values()))
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
    fused = [op for op in exe.step.ops if op.type == "dfc.fused" and op.attrs["kind"] == "reduction"]
    if fused:  # the fuse pass made reductions: each is one kernel, none is flattened into the plan
        assert not any(op in exe.lowered.plan.items for op in fused[0].regions[0].ops)
        assert all(op in exe.lowered.plan.items for op in fused)


@pytest.mark.parametrize("split", [False, True])
def test_fused_reductions_over_leading_axes_read_broadcast_operands(split, monkeypatch):
    """A bias gradient's shape with producers whose operands broadcast along the rows, the kept elements or
    a middle axis (so the rows are not one flat run); split: in column tiles and row blocks across threads."""
    if split:
        monkeypatch.setattr(reduce_codegen, "PARALLEL_MIN_ELEMENTS", 0)
        monkeypatch.setattr(reduce_codegen, "ROW_TILE_BYTES", 12)
        monkeypatch.setattr(reduce_codegen, "ROWS_MIN", 0)
        monkeypatch.setattr(cpu_runtime, "NUM_THREADS", 3)
    x = tf.placeholder(tf.float32, [6, 5, 7])
    w = tf.placeholder(tf.float32, [7])
    v = tf.placeholder(tf.float32, [6, 1, 7])
    total = tf.reduce_sum(tf.tanh(x) * w + v, axis=[0, 1])
    top = tf.reduce_max(x * w - v, axis=[0, 1], keepdims=True)
    mean = tf.reduce_mean(tf.exp(-x) + v, axis=0)
    rng = np.random.default_rng(3)
    feed = {x: rng.standard_normal((6, 5, 7)).astype(np.float32), w: rng.standard_normal(7).astype(np.float32),
            v: rng.standard_normal((6, 1, 7)).astype(np.float32)}
    with tf.Session(backend="interpreter") as sess:
        expected = sess.run([total, top, mean], feed)
    with tf.Session(backend="cpu") as sess:
        got = sess.run([total, top, mean], feed)
        exe = next(iter(sess._cache.values()))
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)
    assert any(op.type == "dfc.fused" and op.attrs["kind"] == "reduction" for op in exe.step.ops)
    assert ("@dfc_parallel_for" in exe.lowered.text) == split




def test_plan_reuses_buffers_in_place_and_reports_the_arena():
    g, (a,) = arg_graph([(D.f32, (1024,))])
    t = a
    for name in ("dfc.exp", "dfc.neg", "dfc.tanh", "dfc.abs"):
        t = create_op(g, name, [t]).result
    step = compile_step(g, [t], [], [a], [(1024,)], pipeline=[])
    plan = plan_step(step)
    report = plan.report()
    assert "arena peak 4096 bytes" in report  # three temporaries, one buffer
    assert "in place of" in report
    assert plan.where(step.body.terminator.inputs[0]).slot == "output"


def test_every_registered_op_has_a_lowering():
    from dfc.compiler.codegen.cpu import LOWERINGS
    from dfc.ir.ops.value_attrs import TWINS
    special = {"dfc.dynamic_reshape", "dfc.dynamic_fill", "dfc.dynamic_range", "dfc.dynamic_nonzero",
               "dfc.dynamic_slice", "dfc.dynamic_segment_sum", "dfc.dynamic_tile",  # specialize makes these static
               *TWINS,  # and the ops whose attributes fed values give (ir/ops/value_attrs.py)
               "dfc.send", "dfc.recv",  # a task's stages get them as arguments and fetches (compiler/partition.py)
               "dfc.if", "dfc.while"}  # the planner's control marks: branches and loops (codegen/control.py)
    missing = [n for n, d in REGISTRY.items()
               if n not in LOWERINGS and n not in special and not d.elementwise and not d.no_code
               and not d.writes_variable and d.family not in ("strings", "complex")]
    # string and complex ops run on the host (runtime/host_strings.py)
    assert not missing


if os.environ.get("DFC_SKIP_SLOW"):  # pragma: no cover - local convenience
    pytest.skip("slow tests skipped", allow_module_level=True)


def test_arguments_are_read_where_they_lie_or_converted_and_counted():
    """dfc_enter reads each array's data pointer natively: views, non-contiguous and other-dtype arguments
    still run (converted first), extra arguments are ignored and a missing one is an error."""
    g = Graph()
    x = g.body.add_argument(TensorType(D.f32, (3, 4)), "x")
    y = g.body.add_argument(TensorType(D.f32, (4,)), "y")
    z = create_op(g, "dfc.add", [x, y]).result
    exe = CpuExecutable(compile_step(g, [z], [], [x, y], [(3, 4), (4,)]))
    base = np.arange(24, dtype=np.float32).reshape(6, 4)
    b = np.arange(4, dtype=np.float32)
    for a in (base[:3], base[::2], base[1:4].astype(np.float64), np.asfortranarray(base[:3])):
        (got,) = exe([a, b], StatelessContext())
        np.testing.assert_array_equal(got, a.astype(np.float32) + b)
    (got,) = exe([base[:3], b, np.zeros(2)], StatelessContext())
    np.testing.assert_array_equal(got, base[:3] + b)
    with pytest.raises(InvalidArgumentError, match="takes 2 arguments"):
        exe([base[:3]], StatelessContext())


@pytest.mark.parametrize("op_type,attrs,shapes,kind", [
    ("dfc.matrix_inverse", {"adjoint": True}, [(2, 3, 3)], "square"),
    ("dfc.matrix_determinant", {}, [(4, 4)], "square"),
    ("dfc.log_matrix_determinant", {}, [(2, 2, 3, 3)], "square"),
    ("dfc.cholesky", {}, [(2, 4, 4)], "spd"),
    ("dfc.matrix_solve", {"adjoint": False}, [(3, 3), (2, 3, 2)], "square"),
    ("dfc.matrix_triangular_solve", {"lower": False, "adjoint": True}, [(2, 3, 3), (3, 4)], "square"),
    ("dfc.qr", {"full_matrices": True}, [(2, 5, 3)], "any"),
    ("dfc.svd", {"compute_uv": True, "full_matrices": False}, [(3, 5)], "any"),
    ("dfc.self_adjoint_eig", {"compute_v": True}, [(2, 4, 4)], "spd"),
    ("dfc.matrix_inverse", {"adjoint": False}, [(0, 2, 2)], "any"),
])
@pytest.mark.parametrize("dtype", [D.f32, D.f64])
def test_lapack_ops_match_the_interpreter(op_type, attrs, shapes, kind, dtype):
    """The CPU's host call into LAPACK gives the reference's results; a singular matrix fails both alike."""
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(s).astype(dtype.np) for s in shapes]
    if kind == "square":
        arrays[0] += 3 * np.eye(shapes[0][-1], dtype=dtype.np)
    elif kind == "spd":
        arrays[0] = arrays[0] @ np.swapaxes(arrays[0], -1, -2) + np.eye(shapes[0][-1], dtype=dtype.np)
    g, args = arg_graph([(dtype, s) for s in shapes])
    outs = create_op(g, op_type, list(args), attrs).results
    ref, got = run_both(g, list(outs), list(args), arrays)
    for r, o in zip(ref, got):
        assert_same(r, o, dtype)
    if kind != "any":
        singular = [np.zeros_like(arrays[0])] + arrays[1:]
        run_both(g, list(outs), list(args), singular)  # both fail with the same error, or both give the value


@FAST
@given(data=st.data())
def test_dynamic_update_slice_matches_the_interpreter(data):
    dt = data.draw(st.sampled_from(D.ALL), label="dtype")
    it = data.draw(st.sampled_from([D.i32, D.i64]), label="itype")
    shape = shapes(data, min_rank=1, max_side=4)
    k = data.draw(st.integers(0, shape[0]), label="rows")
    start = data.draw(st.integers(-1, shape[0] - k + 1), label="start")  # one past either end fails
    g, (a, u, s, rows) = arg_graph([(dt, shape), (dt, (k,) + shape[1:]), (it, ()), (it, (shape[0],))])
    # a's rows gathered die at the update, so the planner writes the rows in place; a itself (fed) is copied first
    copied = create_op(g, "dfc.dynamic_update_slice", [a, u, s]).result
    fresh = create_op(g, "dfc.gather", [a, rows], {"axis": 0}).result
    in_place = create_op(g, "dfc.dynamic_update_slice", [fresh, u, s]).result
    ref, got = run_both(g, [copied, in_place], [a, u, s, rows],
                        [values(data, dt, shape), values(data, dt, (k,) + shape[1:]), np.array(start, it.np),
                         np.arange(shape[0]).astype(it.np)])
    if ref is not None:
        assert_same(ref[0], got[0], dt)
        assert_same(ref[1], got[1], dt)
    else:
        assert not 0 <= start <= shape[0] - k


def test_dynamic_update_slice_out_of_range_names_the_op_and_the_row():
    g, (a, u, s) = arg_graph([(D.f32, (3, 2)), (D.f32, (1, 2)), (D.i32, ())])
    y = create_op(g, "dfc.dynamic_update_slice", [a, u, s], name="write_row").result
    step = compile_step(g, [y], [], [a, u, s], [(3, 2), (1, 2), ()])
    args = [np.zeros((3, 2), np.float32), np.ones((1, 2), np.float32), np.array(7, np.int32)]
    with pytest.raises(InvalidArgumentError) as ref:
        interpret(step, args)
    with pytest.raises(InvalidArgumentError) as got:
        CpuExecutable(step)(args, Ctx())
    assert str(got.value) == str(ref.value)
    assert "write_row" in str(got.value) and "row index 7 is out of range [0, 3)" in str(got.value)


def test_dynamic_update_slice_in_a_loop_writes_into_the_loop_variable():
    """The body's row write takes the loop variable's buffer: the plan copies no [n, row] buffer per iteration."""
    x = tf.placeholder(tf.float32, [6, 4], name="x")

    def body(i, acc):
        row = tf.expand_dims(tf.gather(x, i) * 2.0, 0)
        return i + 1, _write(acc, row, i)
    _, out = tf.while_loop(lambda i, acc: i < 6, body, [tf.constant(0), tf.zeros([6, 4])])
    step = compile_step(tf.get_default_graph()._dfc_ir(), [out._dfc_ir()], [], [x._dfc_ir()], [(6, 4)])
    plan = plan_step(step)
    writes = [op for op in plan.items if getattr(op, "type", "") == "dfc.dynamic_update_slice"]
    assert writes and all(op.result in plan.in_place for op in writes)
    xs = np.arange(24, dtype=np.float32).reshape(6, 4)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out, {x: xs}), xs * 2)


def _write(acc, row, i):
    from dfc.framework import make_op, wrap
    return wrap(make_op("dfc.dynamic_update_slice", [acc, row, i], name="write").results[0])
