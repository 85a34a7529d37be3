"""The cpu backend against the interpreter: every op and dtype, random graphs, state, errors, threads, cache."""

from __future__ import annotations

import os
import threading

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
from dfc.ir.errors import InvalidArgumentError, ShapeError
from dfc.ir.graph import Graph
from dfc.ir.interpreter import StatelessContext, interpret
from dfc.ir.ops import REGISTRY, get_op_def
from dfc.ir.types import TensorType
from dfc.runtime import cpu as cpu_runtime
from dfc.runtime import kernel_cache
from dfc.runtime.cpu import CpuExecutable

FAST = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))

#: relative / absolute tolerance per float dtype (absolute is scaled by the magnitude the op sums over)
RTOL = {D.f16: 4e-3, D.bf16: 3e-2, D.f32: 2e-5, D.f64: 1e-11}
ATOL = {D.f16: 4e-3, D.bf16: 3e-2, D.f32: 2e-6, D.f64: 1e-12}


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "dfc-cache"))
    tf.reset_default_graph()
    yield


class Ctx(StatelessContext):
    """A context with per-op random counters, as a Session has."""

    def __init__(self):
        self.steps = {}

    def random_step(self, op):
        step = self.steps.get(op.name, 0)
        self.steps[op.name] = step + 1
        return step


def run_both(graph: Graph, fetches, feeds, arrays, pipeline=None):
    step = compile_step(graph, fetches, [], feeds, [a.shape for a in arrays], pipeline=pipeline)
    ref_exc = got_exc = None
    try:
        ref = interpret(step, arrays, Ctx())
    except InvalidArgumentError as e:
        ref_exc = e
    try:
        got = CpuExecutable(step)(arrays, Ctx())
    except InvalidArgumentError as e:
        got_exc = e
    if ref_exc is not None or got_exc is not None:
        assert type(ref_exc) is type(got_exc), (ref_exc, got_exc)
        assert str(ref_exc) == str(got_exc)
        return None, None
    return ref, got


def assert_same(ref, got, dtype: D.DType, scale: float = 1.0):
    assert got.shape == ref.shape and got.dtype == ref.dtype
    if dtype.is_floating:
        r = ref.astype(np.float64)
        g = got.astype(np.float64)
        np.testing.assert_allclose(g, r, rtol=RTOL[dtype], atol=ATOL[dtype] * scale, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, ref)


# ---- value generators -----------------------------------------------------------------------------

SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, 1e-3, 30.0, -30.0]


def values(data, dtype: D.DType, shape, special=True, positive=False, small=False):
    n = int(np.prod(shape, dtype=np.int64))
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed")
    rng = np.random.default_rng(seed)
    if dtype.is_bool:
        return rng.integers(0, 2, shape).astype(np.bool_)
    if dtype.is_integer:
        info = np.iinfo(dtype.np)
        if small:
            v = rng.integers(-5, 6, shape)
        elif rng.random() < 0.3:
            v = rng.integers(info.min, info.max, shape, endpoint=True, dtype=np.int64)
        else:
            v = rng.integers(-100, 101, shape)
        if positive:
            v = np.abs(v) % 7
        return np.asarray(v).astype(dtype.np)
    scale = 3.0 if small else 10.0
    v = rng.standard_normal(n) * scale
    if special and n and rng.random() < 0.5:
        k = rng.integers(0, n + 1)
        v[rng.integers(0, n, k)] = rng.choice(SPECIAL, k)
    if positive:
        v = np.abs(v)
    return v.reshape(shape).astype(dtype.np)


def shapes(data, min_rank=0, max_rank=3, min_side=0, max_side=5):
    rank = data.draw(st.integers(min_rank, max_rank), label="rank")
    return tuple(data.draw(st.integers(min_side, max_side), label="dim") for _ in range(rank))


def broadcastable(data, shape):
    """A shape that broadcasts to `shape`: some leading dims dropped, some dims set to 1."""
    drop = data.draw(st.integers(0, len(shape)), label="drop")
    return tuple(1 if data.draw(st.booleans(), label="one") else d for d in shape[drop:])


def accepted(opname: str, make_types, attrs=None) -> list[D.DType]:
    """The dtypes an op's declaration accepts (tried through its type inference)."""
    opdef = get_op_def(opname)
    out = []
    for dt in D.ALL:
        try:
            opdef.infer(make_types(dt), opdef.complete_attrs(attrs or {}))
            out.append(dt)
        except (ShapeError, KeyError):
            pass
    return out


def arg_graph(types):
    g = Graph()
    args = [g.body.add_argument(TensorType(dt, shape), f"a{i}") for i, (dt, shape) in enumerate(types)]
    return g, args


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

REDUCTIONS = sorted(n for n in REGISTRY if n.startswith("dfc.reduce_"))


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


# ---- random multi-op graphs -----------------------------------------------------------------------

UNARY_SAFE = ["dfc.neg", "dfc.abs", "dfc.relu", "dfc.tanh", "dfc.sigmoid", "dfc.sin", "dfc.cos", "dfc.square"]
BINARY_SAFE = ["dfc.add", "dfc.sub", "dfc.mul", "dfc.maximum", "dfc.minimum"]


def random_graph(data):
    """A random graph of elementwise, broadcast, reduce, matmul and transpose ops on three f32 arguments:
    (graph, arguments, fetches)."""
    shape = shapes(data, 1, 3, 1, 5)
    g, args = arg_graph([(D.f32, shape), (D.f32, broadcastable(data, shape)), (D.f32, shape[-1:])])
    pool = list(args)
    for _ in range(data.draw(st.integers(1, 10), label="n_ops")):
        kind = data.draw(st.sampled_from(["u", "b", "b", "c", "r", "mm", "t"]), label="kind")
        x = data.draw(st.sampled_from(pool), label="x")
        if kind == "u":
            pool.append(create_op(g, data.draw(st.sampled_from(UNARY_SAFE)), [x]).result)
        elif kind == "b":
            y = data.draw(st.sampled_from([p for p in pool if _broadcasts(p.type.shape, x.type.shape)]))
            pool.append(create_op(g, data.draw(st.sampled_from(BINARY_SAFE)), [x, y]).result)
        elif kind == "c":
            c = create_op(g, "dfc.constant", [], {"value": np.float32(data.draw(st.floats(-2, 2)))}).result
            pool.append(create_op(g, "dfc.mul", [x, c]).result)
        elif kind == "r" and x.type.rank:
            pool.append(create_op(g, "dfc.reduce_sum", [x], {"axes": [-1], "keepdims": True}).result)
        elif kind == "mm" and x.type.rank == 2:
            w = create_op(g, "dfc.constant", [], {"value": np.ones((x.type.shape[1], 3), np.float32) * 0.1}).result
            pool.append(create_op(g, "dfc.matmul", [x, w]).result)
        elif kind == "t" and x.type.rank >= 2:
            pool.append(create_op(g, "dfc.transpose", [x], {"perm": list(range(x.type.rank))[::-1]}).result)
    fetches = list(dict.fromkeys(pool[-3:]))
    return g, args, fetches


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_graphs_match_through_the_whole_pipeline(data):
    g, args, fetches = random_graph(data)
    arrays = [values(data, D.f32, a.type.shape, special=False, small=True) for a in args]
    ref, got = run_both(g, fetches, args, arrays)
    for r, o in zip(ref, got):
        scale = float(np.max(np.abs(r), initial=1.0))
        np.testing.assert_allclose(o, r, rtol=1e-4, atol=1e-5 * scale)


def _broadcasts(a, b) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return np.broadcast_shapes(a, b) == tuple(b) or len(a) <= len(b)
    except ValueError:
        return False


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


# ---- sessions: variables, snapshots, threads, cache ----------------------------------------------

def test_variables_update_in_place_and_reads_snapshot_the_step_start():
    v = tf.Variable(np.arange(4, dtype=np.float32), name="v")
    before = v + 0.0
    with tf.control_dependencies([before]):
        bump = tf.assign_add(v, tf.ones([4]))
    with tf.Session(backend="cpu") as sess:
        sess.run(tf.global_variables_initializer())
        address = sess.store.buffer("v").ctypes.data
        old, new = sess.run([before, bump])
        np.testing.assert_array_equal(old, np.arange(4))
        np.testing.assert_array_equal(new, np.arange(4) + 1)
        # a fetch of the variable itself shows the run's assign (TF1's ref tensor; checked with tf.compat.v1),
        # a computation on it the value the step started with
        a, b, c = sess.run([v.value(), v * 1.0, tf.assign(v, tf.zeros([4]))])
        np.testing.assert_array_equal(a, np.zeros(4))
        np.testing.assert_array_equal(b, np.arange(4) + 1)
        np.testing.assert_array_equal(sess.run(v), np.zeros(4))
        assert sess.store.buffer("v").ctypes.data == address


def test_uninitialized_variable_raises_like_the_interpreter():
    v = tf.Variable(tf.zeros([2]), name="w")
    errors = []
    for backend in ("interpreter", "cpu"):
        with tf.Session(backend=backend) as sess:
            with pytest.raises(tf.errors.FailedPreconditionError) as e:
                sess.run(v * 2.0)
            errors.append(str(e.value))
    assert errors[0] == errors[1]


def test_training_step_matches_the_interpreter():
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((32, 8)).astype(np.float32)
    ys = rng.standard_normal((32, 1)).astype(np.float32)
    results = []
    for backend in ("interpreter", "cpu"):
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [None, 8])
        y = tf.placeholder(tf.float32, [None, 1])
        w = tf.Variable(np.full((8, 1), 0.1, np.float32))
        b = tf.Variable(np.zeros(1, np.float32))
        pred = tf.matmul(x, w) + b
        loss = tf.reduce_mean(tf.square(pred - y))
        gw, gb = tf.gradients(loss, [w, b])
        train = tf.group(tf.assign_sub(w, 0.1 * gw), tf.assign_sub(b, 0.1 * gb))
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([loss, train], {x: xs, y: ys})[0] for _ in range(5)]
            results.append((losses, sess.run(w)))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-5, atol=1e-6)


def test_concurrent_runs_never_share_temporaries():
    x = tf.placeholder(tf.float32, [None])
    y = tf.reduce_sum(tf.tanh(x * 2.0) + tf.exp(-x) * x, axis=[0], keepdims=True) + x
    inputs = [np.random.default_rng(i).standard_normal(5000).astype(np.float32) for i in range(8)]
    with tf.Session(backend="cpu") as sess:
        expected = [sess.run(y, {x: a}) for a in inputs]
        failures = []

        def worker(k):
            for _ in range(30):
                out = sess.run(y, {x: inputs[k]})
                if not np.array_equal(out, expected[k]):
                    failures.append(k)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not failures


def test_big_elementwise_kernels_run_across_threads(monkeypatch):
    monkeypatch.setattr(cpu_runtime, "NUM_THREADS", 4)
    x = tf.placeholder(tf.float32, [None])
    y = tf.sigmoid(x) * 3.0 + x
    data = np.random.default_rng(1).standard_normal(1 << 20).astype(np.float32)
    with tf.Session(backend="cpu") as sess:
        got = sess.run(y, {x: data})
        step = next(iter(sess._cache.values())).step
    assert "@dfc_parallel_for" in CpuExecutable(step).lowered.text
    with tf.Session(backend="interpreter") as sess:
        ref = sess.run(y, {x: data})
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
@pytest.mark.parametrize("offset", [0, 1, 3])
def test_streaming_stores_cover_every_element_whatever_the_alignment(dtype, offset, monkeypatch):
    monkeypatch.setattr(cpu_runtime, "NUM_THREADS", 3)
    n = (1 << 20) + 37  # not a whole number of 64-byte lines; 3 threads' chunks split lines too
    x = tf.placeholder({np.float32: tf.float32, np.float64: tf.float64, np.int32: tf.int32}[dtype], [None])
    y = tf.maximum(x * 3 + 1, 2)
    data = (np.random.default_rng(2).standard_normal(n + offset) * 100).astype(dtype)[offset:]
    with tf.Session(backend="cpu") as sess:
        got = sess.run(y, {x: data})
    np.testing.assert_array_equal(got, np.maximum(data * dtype(3) + dtype(1), dtype(2)))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_the_thread_pool_serves_concurrent_callers_and_a_forked_child(monkeypatch):
    monkeypatch.setattr(cpu_runtime, "NUM_THREADS", 2)
    x = tf.placeholder(tf.float32, [None])
    y = tf.nn.relu(x * 2.0 + 1.0)
    data = np.random.default_rng(3).standard_normal(1 << 20).astype(np.float32)
    want = np.maximum(data * np.float32(2) + np.float32(1), 0)
    with tf.Session(backend="cpu") as sess:
        np.testing.assert_array_equal(sess.run(y, {x: data}), want)  # the pool has started
        pid = os.fork()
        if pid == 0:  # the child has none of the parent's workers: the pool starts them again
            os._exit(0 if np.array_equal(sess.run(y, {x: data}), want) else 1)
        assert os.waitpid(pid, 0)[1] == 0
        wrong = []

        def work():
            for _ in range(30):
                if not np.array_equal(sess.run(y, {x: data}), want):
                    wrong.append(1)

        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not wrong


def test_big_outputs_are_reused_only_once_the_caller_dropped_them():
    x = tf.placeholder(tf.float32, [None])
    y = x * 2.0
    a = np.ones(1 << 19, np.float32)
    with tf.Session(backend="cpu") as sess:
        first = sess.run(y, {x: a})
        second = sess.run(y, {x: a + 1})
        assert first is not second and np.all(first == 2.0) and np.all(second == 4.0)
        view = second[:10]
        del second
        third = sess.run(y, {x: a + 2})
        assert np.all(view == 4.0) and np.all(third == 6.0)  # a view keeps its base alive
        address = third.ctypes.data
        del third
        assert sess.run(y, {x: a}).ctypes.data == address  # dropped: its pages are written again


def test_disk_cache_hits_and_rejects_corrupt_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    g, (a,) = arg_graph([(D.f32, (3,))])
    y = create_op(g, "dfc.exp", [a]).result
    step = compile_step(g, [y], [], [a], [(3,)])
    kernel_cache.clear_memory()  # what is asked of the disk cache must not come from memory
    first = CpuExecutable(step)
    assert not first.from_cache
    entries = sorted(tmp_path.glob("*.o"))
    assert len(entries) == 2  # the exp kernel and the entry module
    kernel_cache.clear_memory()
    assert CpuExecutable(step).from_cache
    for entry in entries:
        raw = bytearray(entry.read_bytes())
        raw[-10] ^= 0xFF
        entry.write_bytes(bytes(raw))
        kernel_cache.clear_memory()
        again = CpuExecutable(step)
        assert not again.from_cache  # the checksum caught it: recompiled, not loaded
        out = again([np.array([0.0, 1.0, 2.0], np.float32)], Ctx())[0]
        np.testing.assert_allclose(out, np.exp([0.0, 1.0, 2.0]), rtol=1e-6)
        entry.write_bytes(entry.read_bytes()[:20])  # truncated
        kernel_cache.clear_memory()
        assert not CpuExecutable(step).from_cache


def test_cache_pruning_drops_the_least_recently_used(tmp_path):
    for k in range(4):
        (tmp_path / f"{k}.o").write_bytes(b"x" * 1000)
        os.utime(tmp_path / f"{k}.o", (k, k))
    cpu_runtime.prune_cache(tmp_path, max_bytes=2500)
    assert sorted(p.name for p in tmp_path.glob("*.o")) == ["2.o", "3.o"]


def test_default_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("DFC_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cpu_runtime.cache_dir() == tmp_path / "dfc"


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
    special = {"dfc.dynamic_reshape", "dfc.dynamic_fill", "dfc.dynamic_range", "dfc.dynamic_nonzero",
               "dfc.dynamic_slice", "dfc.dynamic_segment_sum",  # specialize makes these static
               "dfc.send", "dfc.recv",  # a task's stages get them as arguments and fetches (compiler/partition.py)
               "dfc.if", "dfc.while"}  # the planner's control marks: branches and loops (codegen/control.py)
    missing = [n for n, d in REGISTRY.items()
               if n not in LOWERINGS and n not in special and not d.elementwise and not d.no_code
               and not d.writes_variable and d.family != "strings"]  # string ops run on the host (host_strings.py)
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
