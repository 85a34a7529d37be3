"""The cpu backend against the interpreter, op by op: every elementwise op and dtype, reductions, scans,
matmul and its epilogues, shape ops, random draws (split parts: test_cpu_backend_*.py; .ci/run runs them all
for each pinned CPU)."""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dfc as tf
from dfc.compiler import compile_step
from dfc.compiler.codegen import reduce as reduce_codegen
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.errors import InvalidArgumentError
from dfc.ir.graph import Graph
from dfc.ir.interpreter import interpret
from dfc.ir.ops import REGISTRY
from dfc.ir.types import TensorType
from dfc.runtime import cpu as cpu_runtime
from dfc.runtime.cpu import CpuExecutable

from cpu_backend_support import FAST, Ctx, accepted, arg_graph, assert_same, broadcastable, run_both, shapes, values

pytestmark = pytest.mark.usefixtures("cpu_kernel_cache")


# ---- every elementwise op -------------------------------------------------------------------------

UNARY = sorted(n for n, d in REGISTRY.items() if d.elementwise and d.num_operands == 1 and n != "dfc.cast")
BINARY = sorted(n for n, d in REGISTRY.items() if d.elementwise and d.num_operands == 2)


@pytest.mark.parametrize("opname", UNARY)
@FAST
@given(data=st.data())
def test_unary_ops_match_the_interpreter(opname, data):
    dts = accepted(opname, lambda dt: [TensorType(dt, (2,))])
    dt = data.draw(st.sampled_from(dts), label="dtype")
    shape = shapes(data)
    g, (a,) = arg_graph([(dt, shape)])
    y = create_op(g, opname, [a]).result
    x = values(data, dt, shape)
    ref, got = run_both(g, [y], [a], [x])
    if ref is not None:
        assert_same(ref[0], got[0], y.type.dtype)


@pytest.mark.parametrize("opname", BINARY)
@FAST
@given(data=st.data())
def test_binary_ops_broadcast_and_match(opname, data):
    dts = accepted(opname, lambda dt: [TensorType(dt, (2,)), TensorType(dt, (2,))])
    dt = data.draw(st.sampled_from(dts), label="dtype")
    out = shapes(data)
    sa, sb = broadcastable(data, out), broadcastable(data, out)
    if data.draw(st.booleans(), label="swap"):
        sa, sb = sb, sa
    g, (a, b) = arg_graph([(dt, sa), (dt, sb)])
    y = create_op(g, opname, [a, b]).result
    small = opname == "dfc.pow"
    xa, xb = values(data, dt, sa, small=small), values(data, dt, sb, small=small)
    ref, got = run_both(g, [y], [a, b], [xa, xb])
    if ref is not None:
        assert_same(ref[0], got[0], y.type.dtype, scale=1e3 if opname == "dfc.pow" else 1.0)


@FAST
@given(data=st.data())
def test_select_and_cast(data):
    dt = data.draw(st.sampled_from(D.ALL), label="dtype")
    to = data.draw(st.sampled_from(D.ALL), label="to")
    shape = shapes(data)
    g, (c, a, b) = arg_graph([(D.bool_, broadcastable(data, shape)), (dt, shape), (dt, broadcastable(data, shape))])
    s = create_op(g, "dfc.select", [c, a, b]).result
    k = create_op(g, "dfc.cast", [a], {"dtype": to}).result
    arrays = [values(data, D.bool_, c.type.shape), values(data, dt, shape), values(data, dt, b.type.shape)]
    ref, got = run_both(g, [s, k], [c, a, b], arrays)
    assert_same(ref[0], got[0], dt)
    assert_same(ref[1], got[1], to)


# ---- reductions, softmax, matmul ------------------------------------------------------------------

#: the numeric reductions (dfc.reduce_join is a string op: it runs on the host, tested by tf1_op_cases_strings.py)
REDUCTIONS = sorted(n for n, d in REGISTRY.items() if n.startswith("dfc.reduce_") and d.family != "strings")


@pytest.mark.parametrize("opname", REDUCTIONS)
@FAST
@given(data=st.data())
def test_reductions_match(opname, data):
    dts = accepted(opname, lambda dt: [TensorType(dt, (2,))], {"axes": [0]})
    dt = data.draw(st.sampled_from(dts), label="dtype")
    shape = shapes(data, max_side=6)
    axes = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), max_size=3), label="axes") if shape else []
    check_reduction(data, opname, dt, shape, axes)


def check_reduction(data, opname: str, dt: D.DType, shape: tuple, axes: list[int]) -> None:
    keep = data.draw(st.booleans(), label="keepdims")
    g, (a,) = arg_graph([(dt, shape)])
    y = create_op(g, opname, [a], {"axes": axes, "keepdims": keep}).result
    x = values(data, dt, shape, special=data.draw(st.booleans()), small=opname == "dfc.reduce_prod")
    ref, got = run_both(g, [y], [a], [x])
    n = max(1, int(np.prod(shape)))
    mag = float(np.nanmax(np.abs(x.astype(np.float64)), initial=1.0)) if dt.is_floating else 1.0
    scale = n * mag if opname in ("dfc.reduce_sum", "dfc.reduce_mean") else 1.0
    if opname == "dfc.reduce_prod" and dt.is_floating:
        scale = float(np.nanmax(np.abs(ref[0].astype(np.float64)), initial=1.0)) * n
    assert_same(ref[0], got[0], dt, scale=scale if np.isfinite(scale) else 1.0)


@pytest.mark.parametrize("opname", REDUCTIONS)
@FAST
@given(data=st.data())
def test_reductions_over_leading_axes_match_in_tiles_and_blocks(opname, data, monkeypatch):
    """Reduced axes before the kept ones (bias gradients, batch means) run as rows of kept elements, cut
    into column tiles and blocks of rows whose partials are combined afterwards; the thresholds are
    lowered here so that small shapes take every path, across threads."""
    monkeypatch.setattr(reduce_codegen, "PARALLEL_MIN_ELEMENTS", data.draw(st.sampled_from([0, 1 << 20])))
    monkeypatch.setattr(reduce_codegen, "ROW_TILE_BYTES", data.draw(st.sampled_from([1, 8, 12, 4096])))
    monkeypatch.setattr(reduce_codegen, "ROWS_MIN", data.draw(st.sampled_from([0, 16])))
    monkeypatch.setattr(cpu_runtime, "NUM_THREADS", 3)
    dts = accepted(opname, lambda dt: [TensorType(dt, (2,))], {"axes": [0]})
    dt = data.draw(st.sampled_from(dts), label="dtype")
    lead = shapes(data, min_rank=1, max_rank=3, max_side=9)
    shape = lead + shapes(data, min_rank=1, max_rank=2, max_side=6)
    axes = [d - len(shape) if data.draw(st.booleans(), label="negative") else d for d in range(len(lead))]
    check_reduction(data, opname, dt, shape, axes)


def test_float32_sums_of_millions_of_elements_stay_accurate():
    """A float32 sum accumulates in double: a 4M-element sum (and a mean over 1M rows) within float32 rounding of
    the exact value, as TF's tree reductions give (float lanes alone drifted to 4e-5 and worse as n grows)."""
    rng = np.random.default_rng(0)
    values = (rng.random(1 << 22) * 1000).astype(np.float32)
    x = tf.placeholder(tf.float32, [None])
    rows = tf.placeholder(tf.float32, [None, 4])
    with tf.Session(backend="cpu") as sess:
        total, column_means = sess.run([tf.reduce_sum(x), tf.reduce_mean(rows, axis=0)],
                                       {x: values, rows: values.reshape(-1, 4)})
    exact = values.astype(np.float64).sum()
    assert abs(total - exact) / exact < 1e-7
    np.testing.assert_allclose(column_means, values.reshape(-1, 4).astype(np.float64).mean(0), rtol=1e-7)


@pytest.mark.parametrize("opname", ["dfc.argmax", "dfc.argmin"])
@FAST
@given(data=st.data())
def test_arg_reductions_match(opname, data):
    dt = data.draw(st.sampled_from(D.NUMERIC), label="dtype")
    shape = shapes(data, min_rank=1)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    out = data.draw(st.sampled_from([D.i32, D.i64]), label="out")
    g, (a,) = arg_graph([(dt, shape)])
    y = create_op(g, opname, [a], {"axis": axis, "output_type": out}).result
    x = values(data, dt, shape)
    ref, got = run_both(g, [y], [a], [x])  # an empty axis must fail the same way
    if ref is not None:
        assert_same(ref[0], got[0], out)


@pytest.mark.parametrize("opname", ["dfc.softmax", "dfc.log_softmax"])
@FAST
@given(data=st.data())
def test_softmax_matches(opname, data):
    dt = data.draw(st.sampled_from(D.FLOATS), label="dtype")
    shape = shapes(data, min_rank=1)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    g, (a,) = arg_graph([(dt, shape)])
    y = create_op(g, opname, [a], {"axis": axis}).result
    x = values(data, dt, shape, special=False)
    ref, got = run_both(g, [y], [a], [x])  # an empty axis must fail the same way
    if ref is not None:
        assert_same(ref[0], got[0], dt, scale=10.0 if dt in (D.f16, D.bf16) else 30.0)


@pytest.mark.parametrize("opname", ["dfc.cumsum", "dfc.cumprod"])
@FAST
@given(data=st.data())
def test_scans_match(opname, data):
    dt = data.draw(st.sampled_from(D.NUMERIC), label="dtype")
    shape = shapes(data, min_rank=1)
    attrs = {"axis": data.draw(st.integers(-len(shape), len(shape) - 1), label="axis"),
             "exclusive": data.draw(st.booleans(), label="exclusive"),
             "reverse": data.draw(st.booleans(), label="reverse")}
    g, (a,) = arg_graph([(dt, shape)])
    y = create_op(g, opname, [a], attrs).result
    x = values(data, dt, shape, small=opname == "dfc.cumprod")
    ref, got = run_both(g, [y], [a], [x])
    n = max(1, shape[attrs["axis"]])
    mag = float(np.nanmax(np.abs(ref[0].astype(np.float64)), initial=1.0)) if dt.is_floating else 1.0
    assert_same(ref[0], got[0], dt, scale=n * mag if np.isfinite(mag) else 1.0)


@FAST
@given(data=st.data())
def test_matmul_matches(data):
    dt = data.draw(st.sampled_from(D.FLOATS + (D.i32, D.i64)), label="dtype")
    m, k, n = (data.draw(st.integers(0, 7), label="mkn") for _ in range(3))
    ta, tb = data.draw(st.booleans(), label="ta"), data.draw(st.booleans(), label="tb")
    batch = shapes(data, 0, 2, 1, 3)
    sa = broadcastable(data, batch) + ((k, m) if ta else (m, k))
    sb = broadcastable(data, batch) + ((n, k) if tb else (k, n))
    g, (a, b) = arg_graph([(dt, sa), (dt, sb)])
    y = create_op(g, "dfc.matmul", [a, b], {"transpose_a": ta, "transpose_b": tb}).result
    xa, xb = values(data, dt, sa, special=False, small=True), values(data, dt, sb, special=False, small=True)
    ref, got = run_both(g, [y], [a, b], [xa, xb])
    assert_same(ref[0], got[0], dt, scale=10.0 * max(k, 1))


EPILOGUE_UNARY = ["dfc.relu", "dfc.tanh", "dfc.neg", "dfc.abs", "dfc.sigmoid"]
EPILOGUE_BINARY = ["dfc.add", "dfc.mul", "dfc.sub", "dfc.maximum"]


@FAST
@given(data=st.data())
def test_matmul_epilogues_run_fused_on_the_gemms_output_blocks(data, monkeypatch):
    """Random epilogues (broadcast operands, constants, several results, the product itself fetched)
    on batched and transposed matmuls of every dtype, with the row-block path forced on tiny sizes."""
    from dfc.compiler.codegen import matmul as codegen_matmul
    from dfc.compiler.plan import fused_matmul
    pooled = data.draw(st.booleans(), label="pooled")
    if pooled:
        monkeypatch.setattr(codegen_matmul, "PARALLEL_GEMM", 1)
        monkeypatch.setattr(codegen_matmul, "MIN_TILE_ROWS", 1)
        monkeypatch.setattr(cpu_runtime, "NUM_THREADS", 3)
    dt = data.draw(st.sampled_from((D.f32, D.f32, D.f64, D.f16, D.i32)), label="dtype")
    m, k, n = (data.draw(st.integers(1, 9), label="mkn") for _ in range(3))
    ta, tb = data.draw(st.booleans(), label="ta"), data.draw(st.booleans(), label="tb")
    batch = shapes(data, 0, 2, 1, 3)
    sa = broadcastable(data, batch) + ((k, m) if ta else (m, k))
    out = batch + (m, n)
    bias_shape = broadcastable(data, out)
    g, (a, b, bias) = arg_graph([(dt, sa), (dt, broadcastable(data, batch) + ((n, k) if tb else (k, n))),
                                 (dt, bias_shape)])
    y = create_op(g, "dfc.matmul", [a, b], {"transpose_a": ta, "transpose_b": tb}).result
    fetches = [y] if data.draw(st.booleans(), label="fetch product") else []
    for _ in range(data.draw(st.integers(1, 4), label="ops")):
        if data.draw(st.booleans(), label="unary") and dt.is_floating:
            y = create_op(g, data.draw(st.sampled_from(EPILOGUE_UNARY)), [y]).result
        else:
            other = data.draw(st.sampled_from(["bias", "const"]), label="other")
            z = bias if other == "bias" else create_op(g, "dfc.constant", [], {"value": np.asarray(2, dt.np)}).result
            y = create_op(g, data.draw(st.sampled_from(EPILOGUE_BINARY)), [y, z]).result
        if data.draw(st.booleans(), label="fetch"):
            fetches.append(y)
    fetches.append(y)
    arrays = [values(data, dt, v.type.shape, special=False, small=True) for v in (a, b, bias)]
    step = compile_step(g, fetches, [], [a, b, bias], [x.shape for x in arrays])
    ref = interpret(step, arrays, Ctx())
    exe = CpuExecutable(step)
    got = exe(arrays, Ctx())
    for r, o in zip(ref, got):
        assert_same(r, o, dt, scale=10.0 * k)
    fused = [op for op in step.ops if op.type == "dfc.fused" and op.attrs["kind"] == "matmul"]
    assert all(fused_matmul(op) is not None and op in exe.lowered.plan.items for op in fused)
    assert not any(op.type == "dfc.matmul" for op in exe.lowered.plan.items) or not fused


def test_the_relu_layer_runs_its_epilogue_inside_the_pooled_gemm_kernel(monkeypatch):
    monkeypatch.setattr(cpu_runtime, "NUM_THREADS", 3)
    rng = np.random.default_rng(4)
    w = (rng.standard_normal((784, 100)) * 0.05).astype(np.float32)
    bias = rng.standard_normal(100).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 784])
    h = tf.nn.relu(tf.matmul(x, tf.constant(w)) + tf.constant(bias))
    data = rng.standard_normal((100, 784)).astype(np.float32)
    with tf.Session(backend="cpu") as sess:
        for _ in range(20):  # the pool's threads take the row blocks in a different order each time
            np.testing.assert_allclose(sess.run(h, {x: data}), np.maximum(data @ w + bias, 0), rtol=1e-4, atol=1e-4)
        exe = next(iter(sess._cache.values()))
    assert [op.attrs.get("kind") for op in exe.lowered.plan.items if op.type == "dfc.fused"] == ["matmul"]
    (kernel,) = exe.lowered.kernels
    assert "@dfc_sgemm(" in kernel.text and "fcmp" in kernel.text  # the relu runs in the GEMM's kernel
    assert "@dfc_blas_set_threads(i32 1)" in exe.lowered.main and "@dfc_parallel_for(ptr @k1_w" in exe.lowered.main


def test_a_hand_written_fused_matmul_the_kernel_cannot_run_is_planned_op_by_op():
    from dfc.compiler.plan import fused_matmul
    from dfc.ir.parser import parse_graph
    text = """"dfc.graph"() ({
^bb0(%x: tensor<2x3xf32>, %w: tensor<3x3xf32>):
  %f = "dfc.fused"(%x, %w) ({
  ^bb0(%in0: tensor<2x3xf32>, %in1: tensor<3x3xf32>):
    %e = "dfc.exp"(%in0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %m = "dfc.matmul"(%e, %in1) {transpose_a = false, transpose_b = false} :
        (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    "dfc.yield"(%m) : (tensor<2x3xf32>) -> ()
  }) {kind = "matmul"} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  "dfc.fetch"(%f) : (tensor<2x3xf32>) -> ()
}) {sym_name = "main"} : () -> ()"""
    step = parse_graph(text)
    assert fused_matmul(step.ops[0]) is None  # the matmul reads a value computed inside the region
    arrays = [np.ones((2, 3), np.float32), np.eye(3, dtype=np.float32)]
    np.testing.assert_allclose(CpuExecutable(step)(arrays, Ctx())[0], np.exp(arrays[0]), rtol=1e-6)


# ---- shape ops ------------------------------------------------------------------------------------

@FAST
@given(data=st.data())
def test_shape_ops_match(data):
    dt = data.draw(st.sampled_from(D.ALL), label="dtype")
    shape = shapes(data, min_rank=1, max_side=4)
    rank = len(shape)
    g, (a,) = arg_graph([(dt, shape)])
    perm = data.draw(st.permutations(range(rank)), label="perm")
    fetches = [create_op(g, "dfc.transpose", [a], {"perm": perm}).result,
               create_op(g, "dfc.reshape", [a], {"shape": [-1]}).result,
               create_op(g, "dfc.expand_dims", [a], {"axis": data.draw(st.integers(-rank - 1, rank))}).result,
               create_op(g, "dfc.tile", [a], {"multiples": [data.draw(st.integers(0, 3)) for _ in shape]}).result,
               create_op(g, "dfc.identity", [a]).result, create_op(g, "dfc.stop_gradient", [a]).result,
               create_op(g, "dfc.shape_of", [a], {"dtype": D.i64}).result,
               create_op(g, "dfc.fill_like", [a], {"value": 2.5, "dtype": dt}).result]
    begin, end, strides = [], [], []
    for d in shape:
        s = data.draw(st.sampled_from([1, 2, -1, -2]), label="stride")
        begin.append(data.draw(st.integers(-d - 1, d + 1), label="b"))
        end.append(data.draw(st.sampled_from([data.draw(st.integers(-d - 1, d + 1)), 2**63 - 1, -(2**63)])))
        strides.append(s)
    fetches.append(create_op(g, "dfc.slice", [a], {"begin": begin, "end": end, "strides": strides}).result)
    axis = data.draw(st.integers(-rank, rank - 1), label="axis")
    other = g.body.add_argument(TensorType(dt, shape), "b")
    fetches.append(create_op(g, "dfc.concat", [a, other, a], {"axis": axis}).result)
    d = shape[axis]
    cut = data.draw(st.integers(0, d), label="cut")
    fetches += create_op(g, "dfc.split", [a], {"axis": axis, "sizes": [cut, d - cut]}).results
    ones = tuple(i for i, s in enumerate(shape) if s == 1)
    fetches.append(create_op(g, "dfc.squeeze", [a], {"axes": ones}).result)
    big = tuple(s if s != 1 else 3 for s in shape)
    like = g.body.add_argument(TensorType(dt, big), "like")
    fetches.append(create_op(g, "dfc.broadcast_like", [a, like]).result)
    arrays = [values(data, dt, shape), values(data, dt, shape), values(data, dt, big)]
    ref, got = run_both(g, fetches, [a, other, like], arrays)
    for r, o, v in zip(ref, got, fetches):
        assert_same(r, o, v.type.dtype)


@FAST
@given(data=st.data())
def test_gather_and_one_hot_match(data):
    dt = data.draw(st.sampled_from(D.ALL), label="dtype")
    it = data.draw(st.sampled_from([D.i32, D.i64]), label="itype")
    shape = shapes(data, min_rank=1, max_side=4)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    ishape = shapes(data, max_rank=2, max_side=3)
    g, (a, i) = arg_graph([(dt, shape), (it, ishape)])
    gathered = create_op(g, "dfc.gather", [a, i], {"axis": axis}).result
    depth = data.draw(st.integers(0, 4), label="depth")
    oh_axis = data.draw(st.integers(-1, len(ishape)), label="oh_axis")
    hot = create_op(g, "dfc.one_hot", [i], {"depth": depth, "axis": oh_axis, "dtype": dt, "on_value": 3.0,
                                            "off_value": -1.0}).result
    n = shape[axis]
    hi = n + (1 if data.draw(st.booleans(), label="bad") else 0)
    idx = np.random.default_rng(data.draw(st.integers(0, 99))).integers(-1 if hi > n else 0, max(hi, 1), ishape)
    idx = idx.astype(it.np)
    ref, got = run_both(g, [gathered, hot], [a, i], [values(data, dt, shape), idx])
    if ref is not None:
        assert_same(ref[0], got[0], dt)
        assert_same(ref[1], got[1], dt)


def test_gather_out_of_range_raises_the_interpreters_error():
    g, (a, i) = arg_graph([(D.f32, (3, 2)), (D.i32, (4,))])
    y = create_op(g, "dfc.gather", [a, i], {"axis": 0}, name="lookup").result
    step = compile_step(g, [y], [], [a, i], [(3, 2), (4,)])
    args = [np.zeros((3, 2), np.float32), np.array([0, 2, 7, 1], np.int32)]
    with pytest.raises(InvalidArgumentError) as ref:
        interpret(step, args)
    with pytest.raises(InvalidArgumentError) as got:
        CpuExecutable(step)(args, Ctx())
    assert str(got.value) == str(ref.value) and "lookup" in str(got.value) and "7" in str(got.value)
    exe = CpuExecutable(step)  # one executable, its pointer array reused: a failed run leaves nothing behind
    data = np.arange(6, dtype=np.float32).reshape(3, 2)
    for bad in (9, -5):
        np.testing.assert_array_equal(exe([data, np.array([2, 0, 1, 1], np.int32)], Ctx())[0], data[[2, 0, 1, 1]])
        with pytest.raises(InvalidArgumentError, match=str(bad)):
            exe([data, np.array([0, bad, 1, 1], np.int32)], Ctx())


# ---- random ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("opname", ["dfc.random_uniform", "dfc.random_normal", "dfc.truncated_normal"])
@pytest.mark.parametrize("dt", D.FLOATS)
def test_random_ops_reproduce_the_reference_bits(opname, dt):
    g = Graph()
    y = create_op(g, opname, [], {"seed": 7, "seed2": -3}, result_types=[TensorType(dt, (33, 5))]).result
    step = compile_step(g, [y], [], [], [])
    ref_ctx, got_ctx = Ctx(), Ctx()
    exe = CpuExecutable(step)
    for _ in range(3):  # successive runs draw new numbers, the same ones as the interpreter
        ref = interpret(step, [], ref_ctx)[0]
        got = exe([], got_ctx)[0]
        assert_same(ref, got, dt)
        if dt is D.f32 and opname == "dfc.random_uniform":
            np.testing.assert_array_equal(got, ref)
