"""The optimizing passes (fold, simplify, cse, dce, fuse) on random graphs, against the reference interpreter.

Hypothesis builds DAGs of elementwise, broadcast, reduce, matmul, shape and stateful ops
over constants and arguments; each pass alone and the whole pipeline must keep what the
interpreter computes, together with the property that makes the pass worth running (no
foldable op left after fold, and so on). tests/test_pass_rules.py states each rule on small IR.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dfc.compiler import default_pipeline, get_pass
from dfc.compiler.cse import mergeable, op_key
from dfc.compiler.dce import has_effect
from dfc.compiler.fold import fold_op
from dfc.compiler.fuse import CPU_POLICY, REDUCTIONS, is_elementwise
from dfc.compiler.simplify import simplify_op
from dfc.ir import dtypes as dt
from dfc.ir.builder import create_op
from dfc.ir.errors import OpError, ShapeError
from dfc.ir.graph import Graph, Location, Op, Value
from dfc.ir.rewrite import free_values
from dfc.ir.types import TensorType
from dfc.ir.verifier import verify

from passes_support import assert_same, clone_graph, round_trip, run

OPTIMIZING = ["fold", "simplify", "cse", "dce", "fuse"]

# ---- random graphs -----------------------------------------------------------------------------
SHAPES = [(), (3,), (1, 3), (2, 1), (2, 3), (2, 2, 3), (4, 2, 3), (2, 2, 2)]
FLOAT_VALUES = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 3.0, np.inf, -np.inf, np.nan], np.float32)
#: inf and nan are rare, so most values stay finite, but identities that do not hold for them get caught
FLOAT_WEIGHTS = np.array([1, 1, 1, 1, 1, 1, 1, 1, 0.1, 0.1, 0.1]) / 8.3
UNARY = {dt.f32: ["neg", "abs", "relu", "square", "exp", "tanh", "sigmoid", "floor", "sin", "identity",
                  "stop_gradient"],
         dt.i32: ["neg", "abs", "square", "sign", "relu", "identity"],
         dt.bool_: ["logical_not", "identity"]}
BINARY = {dt.f32: ["add", "sub", "mul", "div", "maximum", "minimum", "pow", "less", "equal"],
          dt.i32: ["add", "sub", "mul", "div", "floordiv", "mod", "maximum", "greater_equal"],
          dt.bool_: ["logical_and", "logical_or", "not_equal"]}
REDUCE = {dt.f32: ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod"],
          dt.i32: ["reduce_sum", "reduce_max", "reduce_mean"], dt.bool_: ["reduce_any", "reduce_all"]}


class RandomGraph:
    """Builds one random step graph from hypothesis draws: arguments, constants, ops, a fetch."""

    def __init__(self, data: st.DataObject, stateful: bool):
        self.data = data
        self.graph = Graph()
        self.values: list[Value] = []
        self.args: list[np.ndarray] = []
        self.variables: dict[str, np.ndarray] = {}
        self.stateful = stateful
        self.rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
        self.line = 0

    def draw(self, strategy, label=None):
        return self.data.draw(strategy, label=label)

    def array(self, dtype, shape, kind: str = "random") -> np.ndarray:
        if kind == "zeros":
            return np.zeros(shape, dtype.np)
        if kind == "ones":
            return np.ones(shape, dtype.np)
        if dtype is dt.f32:
            return self.rng.choice(FLOAT_VALUES, size=shape, p=FLOAT_WEIGHTS).astype(np.float32)
        if dtype is dt.i32:
            return self.rng.integers(-3, 4, size=shape).astype(np.int32)
        return self.rng.random(shape) < 0.5

    def op(self, type: str, operands, attrs=None, result_types=None) -> Op | None:
        self.line += 1
        try:
            op = create_op(self.graph, type, list(operands), attrs or {}, result_types=result_types,
                           loc=Location("random.py", self.line, 1))
        except ShapeError:
            return None  # a draw that does not type-check is simply skipped
        self.values.extend(r for r in op.results if not r.is_control)
        return op

    def pick(self, where=None, label="operand") -> Value | None:
        pool = [v for v in self.values if where is None or where(v)]
        if not pool:
            return None
        # favour recent values, so chains (neg of neg, transpose of transpose) are common
        if self.draw(st.booleans(), label=f"{label}-recent"):
            return pool[-1 - self.draw(st.integers(0, min(2, len(pool) - 1)), label=label)]
        return pool[self.draw(st.integers(0, len(pool) - 1), label=label)]

    def constant(self, dtype=None, shape=None) -> Value:
        dtype = dtype or self.draw(st.sampled_from([dt.f32, dt.f32, dt.i32, dt.bool_]), label="dtype")
        shape = shape if shape is not None else self.draw(st.sampled_from(SHAPES), label="shape")
        kind = self.draw(st.sampled_from(["random", "random", "zeros", "ones"]), label="splat")
        return self.op("dfc.constant", [], {"value": self.array(dtype, shape, kind)}).results[0]

    def build(self) -> RandomGraph:
        for i in range(self.draw(st.sampled_from([0, 1, 2, 2, 3]), label="num_args")):
            dtype = self.draw(st.sampled_from([dt.f32, dt.f32, dt.i32]), label="arg dtype")
            shape = self.draw(st.sampled_from(SHAPES), label="arg shape")
            self.values.append(self.graph.body.add_argument(TensorType(dtype, shape), f"arg{i}"))
            self.args.append(self.array(dtype, shape))
        for _ in range(self.draw(st.integers(1, 3), label="num_constants")):
            self.constant()
        steps = ["unary", "binary", "binary", "reduce", "matmul", "shape", "shape", "dup", "constant", "chain",
                 "chain", "control"]
        if self.stateful:
            steps += ["variable", "assign", "random", "read_assign_read"]
        for _ in range(self.draw(st.integers(1, 14), label="num_ops")):
            getattr(self, "_" + self.draw(st.sampled_from(steps), label="step"))()
        fetched = self.draw(st.lists(st.integers(0, len(self.values) - 1), min_size=1, max_size=4, unique=True),
                            label="fetches")
        self.graph.append(Op("dfc.fetch", "fetch", [self.values[i] for i in fetched], {}, []))
        return self

    # ---- one step each ---------------------------------------------------------------------
    def _constant(self) -> None:
        self.constant()

    def _unary(self) -> None:
        x = self.pick()
        name = self.draw(st.sampled_from(UNARY[x.type.dtype] + ["cast"]), label="unary")
        if name == "cast":
            self.op("dfc.cast", [x], {"dtype": self.draw(st.sampled_from([dt.f32, dt.i32, dt.bool_, x.type.dtype]))})
        else:
            self.op(f"dfc.{name}", [x])

    def _binary(self) -> None:
        a = self.pick()
        dtype = a.type.dtype
        if self.draw(st.booleans(), label="fresh constant"):
            shape = self.draw(st.sampled_from([(), a.type.shape, a.type.shape[1:], (1,) + a.type.shape]))
            b = self.constant(dtype, shape)
        else:
            b = self.pick(lambda v: v.type.dtype is dtype, label="second")
        if self.draw(st.booleans(), label="swap"):
            a, b = b, a
        if dtype is not dt.bool_ and self.draw(st.integers(0, 5), label="select?") == 0:
            cond = self.pick(lambda v: v.type.dtype is dt.bool_, label="cond")
            if cond is not None:
                self.op("dfc.select", [cond, a, b])
                return
        self.op(f"dfc.{self.draw(st.sampled_from(BINARY[dtype]), label='binary')}", [a, b])

    def _chain(self) -> None:
        # what models are made of: elementwise ops of one shape, with scalars and same-shape values
        x = self.pick(lambda v: v.type.dtype is dt.f32 and v.type.rank > 0, label="chain start")
        for _ in range(self.draw(st.integers(1, 4), label="chain length") if x is not None else 0):
            if self.draw(st.booleans(), label="chain unary"):
                op = self.op(f"dfc.{self.draw(st.sampled_from(['relu', 'neg', 'tanh', 'exp']))}", [x])
            else:
                other = self.pick(lambda v, t=x.type: v.type == t, label="same shape")
                if self.draw(st.booleans(), label="scalar") or other is None:
                    other = self.constant(dt.f32, ())
                op = self.op(f"dfc.{self.draw(st.sampled_from(['add', 'mul', 'sub', 'maximum']))}", [x, other])
            x = op.results[0]
        if x is not None and self.draw(st.booleans(), label="then reduce"):
            self.op("dfc.reduce_sum", [x], {"axes": [x.type.rank - 1], "keepdims": False})

    def _control(self) -> None:
        # an op ordered after a dfc.group by a control operand: kept, unfolded and unfused with its token
        waited = self.pick(label="waited for")
        group = self.op("dfc.group", [waited])
        x = self.pick(lambda v: v.type.dtype is dt.f32, label="controlled")
        if x is not None:
            self.line += 1
            op = create_op(self.graph, self.draw(st.sampled_from(["dfc.neg", "dfc.identity"]), label="controlled op"),
                           [x], control_inputs=[group.results[0]], loc=Location("random.py", self.line, 1))
            self.values.append(op.results[0])

    def _reduce(self) -> None:
        x = self.pick()
        axes = self.draw(st.lists(st.integers(-x.type.rank, max(x.type.rank - 1, 0)), max_size=x.type.rank,
                                  unique=True), label="axes") if x.type.rank else []
        name = self.draw(st.sampled_from(REDUCE[x.type.dtype]), label="reduction")
        self.op(f"dfc.{name}", [x], {"axes": axes, "keepdims": self.draw(st.booleans(), label="keepdims")})

    def _matmul(self) -> None:
        a = self.pick(lambda v: v.type.rank >= 2 and v.type.dtype is dt.f32, label="lhs")
        if a is None:
            return
        ta, tb = self.draw(st.booleans(), label="transpose_a"), self.draw(st.booleans(), label="transpose_b")
        k = a.type.shape[-2] if ta else a.type.shape[-1]
        n = self.draw(st.integers(1, 3), label="n")
        b = self.pick(lambda v: v.type.rank == 2 and v.type.dtype is dt.f32 and v.type.shape[1 if tb else 0] == k,
                      label="rhs")
        if b is None or self.draw(st.booleans(), label="fresh rhs"):
            b = self.constant(dt.f32, (n, k) if tb else (k, n))
        self.op("dfc.matmul", [a, b], {"transpose_a": ta, "transpose_b": tb})

    def _shape(self) -> None:
        x = self.pick()
        kind = self.draw(st.sampled_from(["reshape", "transpose", "expand_dims", "squeeze", "broadcast_like",
                                          "fill_like", "shape_of", "tile", "slice", "concat", "update_rows"]),
                         label="shape op")
        shape, rank = x.type.shape, x.type.rank
        if kind == "reshape":
            size = int(np.prod(shape, dtype=np.int64))
            target = self.draw(st.sampled_from([list(shape), [-1], [size, 1], [1, -1], [-1] + list(shape[1:])]))
            self.op("dfc.reshape", [x], {"shape": target})
        elif kind == "transpose":
            for _ in range(self.draw(st.integers(1, 2), label="transposes")):
                x = self.op("dfc.transpose", [x], {"perm": self.draw(st.permutations(range(rank)), label="perm")})
                x = x.results[0]
        elif kind == "expand_dims":
            self.op("dfc.expand_dims", [x], {"axis": self.draw(st.integers(-rank - 1, rank), label="axis")})
        elif kind == "squeeze":
            ones = [i for i, d in enumerate(shape) if d == 1]
            self.op("dfc.squeeze", [x], {"axes": self.draw(st.lists(st.sampled_from(ones), unique=True)) if ones
                                         else []})
        elif kind == "broadcast_like":
            # rank >= x's: dfc.broadcast_like's inference does not yet reject a like of lower rank
            like = self.pick(lambda v: v.type.rank >= rank, label="like")
            self.op("dfc.broadcast_like", [x, like])
        elif kind == "fill_like":
            self.op("dfc.fill_like", [x], {"value": self.draw(st.sampled_from([0.0, 1.0, -2.5])),
                                           "dtype": self.draw(st.sampled_from([dt.f32, dt.i32]))})
        elif kind == "shape_of":
            self.op("dfc.shape_of", [x])
        elif kind == "tile":
            self.op("dfc.tile", [x], {"multiples": [self.draw(st.integers(1, 2), label="multiple") for _ in shape]})
        elif kind == "slice" and rank:
            full = self.draw(st.booleans(), label="full slice")
            begin = [0 if full else self.draw(st.integers(0, 1)) for _ in shape]
            end = [2**63 - 1 if full else self.draw(st.integers(1, 3)) for _ in shape]
            self.op("dfc.slice", [x], {"begin": begin, "end": end, "strides": [1] * rank})
        elif kind == "update_rows" and rank and shape[0]:
            # rows written at a start computed in the graph (in range), in place when x dies there
            k = self.draw(st.integers(0, shape[0]), label="rows")
            rows = self.pick(lambda v: v.type.dtype is x.type.dtype and v.type.shape == (k,) + shape[1:],
                             label="rows value")
            if rows is None:
                rows = self.constant(x.type.dtype, (k,) + shape[1:])
            bound = self.op("dfc.constant", [], {"value": np.array(shape[0] - k + 1, np.int32)}).results[0]
            start = self.op("dfc.mod", [self.constant(dt.i32, ()), bound])  # floor mod: in [0, bound)
            self.op("dfc.dynamic_update_slice", [x, rows, start.results[0]])
        elif kind == "concat" and rank:
            other = self.pick(lambda v: v.type.dtype is x.type.dtype and v.type.rank == rank, label="other")
            operands = [x] if self.draw(st.booleans(), label="single") else [x, other]
            self.op("dfc.concat", operands, {"axis": self.draw(st.integers(0, rank - 1), label="axis")})

    def _dup(self) -> None:
        # the same computation again: a chance for cse
        ops = [op for op in self.graph.ops if op.type not in ("dfc.fetch",)]
        if ops:
            op = ops[self.draw(st.integers(0, len(ops) - 1), label="dup")]
            stated = [r.type for r in op.results] if op.type in ("dfc.variable", "dfc.random_uniform") else None
            self.op(op.type, op.operands, op.attrs, result_types=stated)

    def _variable(self) -> None:
        name = f"v{self.draw(st.integers(0, 1), label='variable')}"
        if name not in self.variables:
            self.variables[name] = self.array(dt.f32, (2, 3))
        self.op("dfc.variable", [], {"name": name}, result_types=[TensorType(dt.f32, (2, 3))])

    def _assign(self) -> None:
        value = self.pick(lambda v: v.type == TensorType(dt.f32, (2, 3)), label="assigned")
        if value is not None and self.variables:
            name = self.draw(st.sampled_from(sorted(self.variables)), label="target")
            kind = self.draw(st.sampled_from(["dfc.assign", "dfc.assign_add", "dfc.assign_rows"]), label="write")
            if kind != "dfc.assign_rows":
                self.op(kind, [value], {"variable": name})
                return
            # both rows of the variable from `value`'s rows in a drawn order (a row may come twice)
            rows = self.draw(st.lists(st.integers(0, 1), min_size=2, max_size=2), label="rows")
            indices = self.op("dfc.constant", [], {"value": np.array(rows, np.int32).reshape(2, 1)}).results[0]
            mode = self.draw(st.sampled_from(["update", "add", "sub"]), label="mode")
            self.op(kind, [indices, value], {"variable": name, "mode": mode, "type": TensorType(dt.f32, (2, 3))})

    def _read_assign_read(self) -> None:
        # two reads of one variable around an update: equal ops that must not be merged
        self._variable()
        read = self.values[-1]
        self.op("dfc.assign_add", [read], {"variable": read.op.attrs["name"]})
        self.op("dfc.variable", [], dict(read.op.attrs), result_types=[read.type])

    def _random(self) -> None:
        self.op("dfc.random_uniform", [], {"seed": 1, "seed2": self.draw(st.integers(0, 1), label="seed2")},
                result_types=[TensorType(dt.f32, (2, 3))])


# ---- what each pass promises beyond preserving semantics --------------------------------------
def check_fold(graph: Graph) -> None:
    for op in graph.ops:
        assert fold_op(op) is None, f"{op.describe()} is still foldable after fold"


def check_simplify(graph: Graph) -> None:
    for op in graph.ops:
        assert simplify_op(graph, op) is None, f"{op.describe()} still simplifies after simplify"


def check_cse(graph: Graph) -> None:
    position = {v: i for i, v in enumerate(graph.arguments)}
    seen = {}
    for op in graph.ops:
        if mergeable(op):
            key = op_key(op, position)
            assert key not in seen, f"{op.describe()} duplicates {seen[key].describe()} after cse"
            seen[key] = op
        for r in op.results:
            position[r] = len(position)


def check_dce(graph: Graph) -> None:
    used = {v for op in graph.ops for v in free_values(op)}
    for op in graph.ops:
        assert has_effect(op) or any(r in used for r in op.results), f"{op.describe()} is dead after dce"


def check_fuse(graph: Graph) -> None:
    users: dict[Value, list[Op]] = {}
    for op in graph.ops:
        for v in op.inputs:
            users.setdefault(v, []).append(op)
    live: set[Value] = set()  # values the fetch or a stateful op needs: dead groups are not fused
    for op in reversed(graph.ops):
        if has_effect(op) or any(r in live for r in op.results):
            live.update(free_values(op))
    for op in graph.ops:
        if op.type == "dfc.fused":
            assert op.attrs["kind"] in ("elementwise", "reduction", "matmul")
            inner = [o for o in op.regions[0].ops if o.type not in ("dfc.constant", "dfc.yield")]
            assert len(inner) >= 2, f"{op.describe()} fuses a single op"
            assert len(inner) <= CPU_POLICY.max_ops, f"{op.describe()} fuses {len(inner)} ops, over the bound"
            kinds = [o.type for o in inner if not is_elementwise(o)]
            if op.attrs["kind"] == "elementwise":
                assert not kinds and len({o.results[0].type.shape for o in inner}) == 1
            elif op.attrs["kind"] == "reduction":
                assert len(kinds) == 1 and len(op.results) == 1 and inner[-1].results[0] in op.regions[0].ops[-1].inputs
            else:
                assert kinds == ["dfc.matmul"]
        # a used matmul and the elementwise op of its shape that alone uses it always fuse, and so do a
        # reduction and the elementwise op that alone feeds it
        if op.type == "dfc.matmul" and op.results[0] in live and len(users[op.results[0]]) == 1:
            user = users[op.results[0]][0]
            assert not (is_elementwise(user) and user.results[0].type == op.results[0].type), \
                f"{op.describe()} and its epilogue {user.describe()} were not fused"
        if op.type in REDUCTIONS and op.results[0] in live and op.inputs[0].op is not None:
            p = op.inputs[0].op
            assert not (is_elementwise(p) and users[p.results[0]] == [op]), \
                f"{op.describe()} and its producer {p.describe()} were not fused"
        # a used elementwise op and the elementwise producer that feeds only it always fuse
        if is_elementwise(op) and op.results[0] in live:
            for v in op.inputs:
                p = v.op
                if p is not None and is_elementwise(p) and users[v] == [op] and \
                        p.results[0].type.shape == op.results[0].type.shape:
                    raise AssertionError(f"{p.describe()} and {op.describe()} were not fused")


POSTCONDITIONS = {"fold": check_fold, "simplify": check_simplify, "cse": check_cse, "dce": check_dce,
                  "fuse": check_fuse}


def check_passes(rg: RandomGraph, passes: list[str]) -> None:
    graph = rg.graph
    verify(graph)
    failure = dead_failure = None
    try:
        expected, expected_vars = run(clone_graph(graph), rg.args, rg.variables)
    except OpError as e:
        # e.g. an integer division by zero, which TF fails. Only what the fetches need runs (TF prunes the
        # rest), so the answer is that of the graph without dead ops; if that fails too, the passes must fail.
        # A pass that keeps the dead failing op may fail as the original did.
        dead_failure = type(e)
        try:
            expected, expected_vars = run(get_pass("dce")(clone_graph(graph)), rg.args, rg.variables)
        except OpError:
            failure = type(e)
    for name in passes:
        graph = get_pass(name)(graph)
        verify(graph)
        if name in POSTCONDITIONS and len(passes) == 1:
            POSTCONDITIONS[name](graph)
    round_trip(graph)
    if failure is not None:
        with pytest.raises(failure):
            run(graph, rg.args, rg.variables)
        return
    try:
        got, got_vars = run(graph, rg.args, rg.variables)
    except OpError as e:
        if dead_failure is None or not isinstance(e, dead_failure):
            raise
        return
    assert len(got) == len(expected)
    for i, (e, g) in enumerate(zip(expected, got)):
        assert_same(e, g, f"fetch #{i}")
    for name in expected_vars:
        assert_same(expected_vars[name], got_vars[name], f"variable {name}")


#: DFC_PASS_EXAMPLES=5000 pytest tests/test_passes.py searches harder than the default run
PASS_SETTINGS = settings(max_examples=int(os.environ.get("DFC_PASS_EXAMPLES", "120")), deadline=None,
                         suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", OPTIMIZING)
@PASS_SETTINGS
@given(data=st.data())
def test_pass_alone_preserves_semantics(name, data):
    check_passes(RandomGraph(data, stateful=False).build(), [name])


@pytest.mark.parametrize("name", OPTIMIZING)
@PASS_SETTINGS
@given(data=st.data())
def test_pass_alone_keeps_state_changes(name, data):
    check_passes(RandomGraph(data, stateful=True).build(), [name])


@PASS_SETTINGS
@given(data=st.data(), stateful=st.booleans())
def test_whole_pipeline_preserves_semantics(data, stateful):
    check_passes(RandomGraph(data, stateful=stateful).build(), default_pipeline())


def test_fuse_splits_a_long_chain_into_bounded_groups():
    """A chain far longer than CPU_POLICY.max_ops becomes several fused ops of at most that many ops each."""
    g = Graph()
    x = g.body.add_argument(TensorType(dt.f32, (8,)), "x")
    y = x
    n = 5 * CPU_POLICY.max_ops + 3
    for _ in range(n):
        y = create_op(g, "dfc.sin", [y]).result
    g.append(Op("dfc.fetch", "fetch", [y], {}, []))
    want, _ = run(clone_graph(g), [np.linspace(-2, 2, 8, dtype=np.float32)], {})
    step = get_pass("fuse")(g)
    verify(step)
    got, _ = run(step, [np.linspace(-2, 2, 8, dtype=np.float32)], {})
    assert_same(want[0], got[0], "the fused chain")
    fused = [op for op in step.ops if op.type == "dfc.fused"]
    sizes = [len([o for o in op.regions[0].ops if o.type != "dfc.yield"]) for op in fused]
    assert sum(sizes) == n and max(sizes) <= CPU_POLICY.max_ops and len(fused) >= 5, sizes
