"""What the cpu backend's differential tests share: the interpreter-vs-native runner, tolerances, value and shape
generators (the parts' fixture, `cpu_kernel_cache`, is in conftest.py)."""

from __future__ import annotations


import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from dfc.compiler import compile_step
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.errors import InvalidArgumentError, ShapeError
from dfc.ir.graph import Graph
from dfc.ir.interpreter import StatelessContext, interpret
from dfc.ir.ops import get_op_def
from dfc.ir.types import TensorType
from dfc.runtime.cpu import CpuExecutable

FAST = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))

#: relative / absolute tolerance per float dtype (absolute is scaled by the magnitude the op sums over)
RTOL = {D.f16: 4e-3, D.bf16: 3e-2, D.f32: 2e-5, D.f64: 1e-11}
ATOL = {D.f16: 4e-3, D.bf16: 3e-2, D.f32: 2e-6, D.f64: 1e-12}


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
            wide = dtype.np if dtype.is_unsigned else np.int64  # uint64's top half is past int64
            v = rng.integers(info.min, info.max, shape, endpoint=True, dtype=wide)
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


def _broadcasts(a, b) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return np.broadcast_shapes(a, b) == tuple(b) or len(a) <= len(b)
    except ValueError:
        return False
