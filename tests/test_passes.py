"""The optimizing passes (fold, simplify, cse, dce, fuse) and the pass manager.

Each pass is checked differentially against the reference interpreter on random graphs
(hypothesis builds DAGs of elementwise, broadcast, reduce, matmul, shape and stateful
ops over constants and arguments), alone and as the whole pipeline, together with the
property that makes the pass worth running (no foldable op left after fold, and so on).
The small IR cases below them state what each rule does.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dfc.compiler import PassManager, default_pipeline, get_pass
from dfc.compiler.cse import mergeable, op_key
from dfc.compiler.dce import has_effect
from dfc.compiler.fold import MAX_FOLDED_ELEMENTS, fold_op
from dfc.compiler.fuse import REDUCTIONS, is_elementwise
from dfc.compiler.simplify import simplify_op
from dfc.ir import dtypes as dt
from dfc.ir.builder import create_op
from dfc.ir.errors import ShapeError
from dfc.ir.graph import Graph, Location, Op, Value
from dfc.ir.interpreter import interpret
from dfc.ir.parser import parse_graph
from dfc.ir.printer import print_graph
from dfc.ir.rewrite import clone_op, free_values
from dfc.ir.types import TensorType
from dfc.ir.verifier import verify

OPTIMIZING = ["fold", "simplify", "cse", "dce", "fuse"]


# ---- running graphs ----------------------------------------------------------------------------
class Context:
    """Variables in a dict and per-op random counters: the state a step graph touches."""

    def __init__(self, variables: dict[str, np.ndarray]):
        self.variables = {k: v.copy() for k, v in variables.items()}
        self.steps: dict[str, int] = {}

    def feed(self, op: Op) -> np.ndarray:
        raise AssertionError(f"unexpected placeholder {op.name}")

    def read_variable(self, name: str, op: Op) -> np.ndarray:
        return self.variables[name].copy()

    def write_variable(self, name: str, value: np.ndarray, op: Op) -> np.ndarray:
        self.variables[name] = np.asarray(value, self.variables[name].dtype).copy()
        return self.variables[name]

    def random_step(self, op: Op) -> int:
        step = self.steps.get(op.name, 0)
        self.steps[op.name] = step + 1
        return step


def run(graph: Graph, args: list[np.ndarray], variables: dict[str, np.ndarray]) -> tuple[list, dict]:
    """Two steps in a row, as a session runs a training step: the second sees the first's state."""
    ctx = Context(variables)
    outputs = []
    with np.errstate(all="ignore"):
        for _ in range(2):
            outputs += [np.asarray(o) for o in interpret(graph, args, ctx)]
    return outputs, ctx.variables


def assert_same(expected: np.ndarray, got: np.ndarray, what: str) -> None:
    assert got.dtype == expected.dtype, f"{what}: dtype {got.dtype} != {expected.dtype}"
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    if expected.dtype.kind == "f":
        # folding and fusing run the same numpy functions, but a folded constant is contiguous where the
        # original was a view, and numpy may sum a view in another order: allow the last bits to differ
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=what)


def clone_graph(graph: Graph) -> Graph:
    new = Graph()
    value_map: dict[Value, Value] = {}
    for arg in graph.arguments:
        value_map[arg] = new.body.add_argument(arg.type, arg.arg_name)
    for op in graph.ops:
        new.append(clone_op(op, value_map, name=new.reserve_name(op.name)))
    return new


def round_trip(graph: Graph) -> None:
    text = print_graph(graph)
    again = print_graph(parse_graph(text, "after-pass.mlir"))
    assert again == text, "print -> parse -> print changed the text"


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
                                          "fill_like", "shape_of", "tile", "slice", "concat"]), label="shape op")
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
            self.op(self.draw(st.sampled_from(["dfc.assign", "dfc.assign_add"])), [value], {"variable": name})

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
    expected, expected_vars = run(clone_graph(graph), rg.args, rg.variables)
    for name in passes:
        graph = get_pass(name)(graph)
        verify(graph)
        if name in POSTCONDITIONS and len(passes) == 1:
            POSTCONDITIONS[name](graph)
    round_trip(graph)
    got, got_vars = run(graph, rg.args, rg.variables)
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


# ---- each rule on small IR ---------------------------------------------------------------------
def graph_text(args: str, body: str) -> str:
    head = f"^bb0({args}):\n" if args else ""
    return f'"dfc.graph"() ({{\n{head}{body.strip()}\n}}) {{sym_name = "main"}} : () -> ()\n'


def apply(passes: list[str], args: str, body: str) -> Graph:
    graph = parse_graph(graph_text(args, body), "case.mlir")
    verify(graph)
    graph = PassManager(passes, verify_each=True).run(graph)
    round_trip(graph)
    return graph


def normalized(args: str, body: str) -> str:
    return print_graph(parse_graph(graph_text(args, body)), with_locs=False)


X = "%x: tensor<2x3xf32>"
XI = "%x: tensor<2x3xi32>"
F23 = "tensor<2x3xf32>"
I23 = "tensor<2x3xi32>"


def const(name: str, value: str, type: str) -> str:
    return f'%{name} = "dfc.constant"() {{value = dense<{value}> : {type}}} : () -> {type}'


def binary(name: str, op: str, a: str, b: str, ta: str, tb: str, tr: str) -> str:
    return f'%{name} = "dfc.{op}"(%{a}, %{b}) : ({ta}, {tb}) -> {tr}'


def fetch(name: str, type: str) -> str:
    return f'"dfc.fetch"(%{name}) : ({type}) -> ()'


IDENTITIES = {
    # name: (args, body, the value fetched afterwards)
    "x*1": (X, f"{const('one', '1.0', 'tensor<f32>')}\n{binary('y', 'mul', 'x', 'one', F23, 'tensor<f32>', F23)}",
            "x"),
    "1*x": (X, f"{const('one', '1.0', F23)}\n{binary('y', 'mul', 'one', 'x', F23, F23, F23)}", "x"),
    "x+0": (X, f"{const('z', '0.0', 'tensor<3xf32>')}\n{binary('y', 'add', 'x', 'z', F23, 'tensor<3xf32>', F23)}",
            "x"),
    "0+x": (X, f"{const('z', '0.0', 'tensor<f32>')}\n{binary('y', 'add', 'z', 'x', 'tensor<f32>', F23, F23)}", "x"),
    "x-0": (X, f"{const('z', '0.0', 'tensor<f32>')}\n{binary('y', 'sub', 'x', 'z', F23, 'tensor<f32>', F23)}", "x"),
    "x/1": (X, f"{const('one', '1.0', 'tensor<f32>')}\n{binary('y', 'div', 'x', 'one', F23, 'tensor<f32>', F23)}",
            "x"),
    "x**1": (X, f"{const('one', '1.0', 'tensor<f32>')}\n{binary('y', 'pow', 'x', 'one', F23, 'tensor<f32>', F23)}",
             "x"),
    "max(x,x)": (X, binary("y", "maximum", "x", "x", F23, F23, F23), "x"),
    "neg(neg x)": (X, f'%n = "dfc.neg"(%x) : ({F23}) -> {F23}\n%y = "dfc.neg"(%n) : ({F23}) -> {F23}', "x"),
    "identity": (X, f'%y = "dfc.identity"(%x) : ({F23}) -> {F23}', "x"),
    "stop_gradient": (X, f'%y = "dfc.stop_gradient"(%x) : ({F23}) -> {F23}', "x"),
    "cast to own dtype": (X, f'%y = "dfc.cast"(%x) {{dtype = f32}} : ({F23}) -> {F23}', "x"),
    "transpose back": (X, f'%t = "dfc.transpose"(%x) {{perm = [1, 0]}} : ({F23}) -> tensor<3x2xf32>\n'
                          f'%y = "dfc.transpose"(%t) {{perm = [1, 0]}} : (tensor<3x2xf32>) -> {F23}', "x"),
    "reshape to own shape": (X, f'%y = "dfc.reshape"(%x) {{shape = [2, -1]}} : ({F23}) -> {F23}', "x"),
    "reshape there and back": (X, f'%r = "dfc.reshape"(%x) {{shape = [6]}} : ({F23}) -> tensor<6xf32>\n'
                                  f'%y = "dfc.reshape"(%r) {{shape = [2, 3]}} : (tensor<6xf32>) -> {F23}', "x"),
    "squeeze(expand_dims)": (X, f'%e = "dfc.expand_dims"(%x) {{axis = 1}} : ({F23}) -> tensor<2x1x3xf32>\n'
                                f'%y = "dfc.squeeze"(%e) {{axes = [-2]}} : (tensor<2x1x3xf32>) -> {F23}', "x"),
    "tile by ones": (X, f'%y = "dfc.tile"(%x) {{multiples = [1, 1]}} : ({F23}) -> {F23}', "x"),
    "whole slice": (X, f'%y = "dfc.slice"(%x) {{begin = [0, 0], end = [9223372036854775807, 3], strides = [1, 1]}}'
                       f' : ({F23}) -> {F23}', "x"),
    "reduce over no axes": (X, f'%y = "dfc.reduce_sum"(%x) {{axes = [], keepdims = false}} : ({F23}) -> {F23}', "x"),
    "concat of one": (X, f'%y = "dfc.concat"(%x) {{axis = 0}} : ({F23}) -> {F23}', "x"),
    "broadcast_like to own shape": (X, f'%y = "dfc.broadcast_like"(%x, %x) : ({F23}, {F23}) -> {F23}', "x"),
    "select(true)": (f"{X}, %w: {F23}", f"{const('c', 'true', 'tensor<i1>')}\n"
                     f'%y = "dfc.select"(%c, %x, %w) : (tensor<i1>, {F23}, {F23}) -> {F23}', "x"),
    "select(false)": (f"%w: {F23}, {X}", f"{const('c', 'false', 'tensor<2x3xi1>')}\n"
                      f'%y = "dfc.select"(%c, %w, %x) : (tensor<2x3xi1>, {F23}, {F23}) -> {F23}', "x"),
}


@pytest.mark.parametrize("case", sorted(IDENTITIES))
def test_simplify_identity(case):
    args, body, result = IDENTITIES[case]
    graph = apply(["simplify", "dce"], args, f"{body}\n{fetch('y', F23)}")
    assert print_graph(graph, with_locs=False) == normalized(args, fetch(result, F23))


@pytest.mark.parametrize("op", ["mul", "sub"])
def test_simplify_integer_zeros(op):
    zero = const("z", "0", "tensor<i32>")
    body = f"{zero}\n{binary('y', 'mul', 'z', 'x', 'tensor<i32>', I23, I23)}" if op == "mul" else \
        binary("y", "sub", "x", "x", I23, I23, I23)
    graph = apply(["simplify", "dce"], XI, f"{body}\n{fetch('y', I23)}")
    assert print_graph(graph, with_locs=False) == normalized(XI, f"{const('y', '0', I23)}\n{fetch('y', I23)}")


KEPT = {
    # identities that do not hold, or would change a type
    "x*0 for floats (inf*0 is nan)": (X, f"{const('z', '0.0', 'tensor<f32>')}\n"
                                         f"{binary('y', 'mul', 'x', 'z', F23, 'tensor<f32>', F23)}"),
    "x-x for floats (inf-inf is nan)": (X, binary("y", "sub", "x", "x", F23, F23, F23)),
    "x+0 that broadcasts x": ("%x: tensor<3xf32>", f"{const('z', '0.0', F23)}\n"
                                                   f"{binary('y', 'add', 'x', 'z', 'tensor<3xf32>', F23, F23)}"),
    "x*1 that broadcasts x": ("%x: tensor<3xf32>", f"{const('one', '1.0', F23)}\n"
                                                   f"{binary('y', 'mul', 'one', 'x', F23, 'tensor<3xf32>', F23)}"),
    "x*c, c not all ones": (X, f"{const('c', '[1.0, 1.0, 2.0]', 'tensor<3xf32>')}\n"
                               f"{binary('y', 'mul', 'x', 'c', F23, 'tensor<3xf32>', F23)}"),
    "stop_gradient before autodiff": (
        X, f'%s = "dfc.stop_gradient"(%x) : ({F23}) -> {F23}\n'
           f'%y = "dfc.grad"(%s, %x) {{num_xs = 1, num_ys = 1}} : ({F23}, {F23}) -> {F23}'),
    "reversing slice": (X, f'%y = "dfc.slice"(%x) {{begin = [0, 9223372036854775807], end = [2, '
                           f'-9223372036854775808], strides = [1, -1]}} : ({F23}) -> {F23}'),
    "cast to another dtype": (X, f'%c = "dfc.cast"(%x) {{dtype = i32}} : ({F23}) -> {I23}\n'
                                 f'%y = "dfc.cast"(%c) {{dtype = f32}} : ({I23}) -> {F23}'),
}


@pytest.mark.parametrize("case", sorted(KEPT))
def test_simplify_keeps(case):
    args, body = KEPT[case]
    text = f"{body}\n{fetch('y', F23)}"
    graph = apply(["simplify"], args, text)
    assert print_graph(graph, with_locs=False) == normalized(args, text)


@pytest.mark.parametrize("rank", [2, 3, 4])
def test_simplify_composes_transposes(rank):
    import itertools
    shape = tuple(range(2, 2 + rank))
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    for p, q in itertools.product(itertools.permutations(range(rank)), repeat=2):
        g = Graph()
        arg = g.body.add_argument(TensorType(dt.f32, shape), "x")
        t1 = create_op(g, "dfc.transpose", [arg], {"perm": p}).results[0]
        t2 = create_op(g, "dfc.transpose", [t1], {"perm": q}).results[0]
        g.append(Op("dfc.fetch", "fetch", [t2], {}, []))
        get_pass("simplify")(g)
        get_pass("dce")(g)
        transposes = [op for op in g.ops if op.type == "dfc.transpose"]
        assert len(transposes) <= 1
        np.testing.assert_array_equal(interpret(g, [x])[0], np.transpose(np.transpose(x, p), q))


# ---- fold --------------------------------------------------------------------------------------
def test_fold_computes_through_the_reference():
    graph = apply(["fold", "dce"], "", f"""
        {const('a', '[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]', F23)}
        {const('b', '2.0', 'tensor<f32>')}
        {binary('m', 'mul', 'a', 'b', F23, 'tensor<f32>', F23)}
        %y = "dfc.reduce_sum"(%m) {{axes = [1], keepdims = false}} : ({F23}) -> tensor<2xf32>
        {fetch('y', 'tensor<2xf32>')}""")
    assert print_graph(graph, with_locs=False) == normalized("", f"""
        {const('y', '[12.0, 30.0]', 'tensor<2xf32>')}
        {fetch('y', 'tensor<2xf32>')}""")


def test_fold_shape_only_ops_of_non_constants():
    graph = apply(["fold", "dce"], X, f"""
        %s = "dfc.shape_of"(%x) {{dtype = i32}} : ({F23}) -> tensor<2xi32>
        %f = "dfc.fill_like"(%x) {{dtype = f32, value = 0.5}} : ({F23}) -> {F23}
        "dfc.fetch"(%s, %f) : (tensor<2xi32>, {F23}) -> ()""")
    assert print_graph(graph, with_locs=False) == normalized(X, f"""
        {const('s', '[2, 3]', 'tensor<2xi32>')}
        {const('f', '0.5', F23)}
        "dfc.fetch"(%s, %f) : (tensor<2xi32>, {F23}) -> ()""")


FOLD_KEPT = {
    "random draw": f"""
        %r = "dfc.random_uniform"() {{seed = 1, seed2 = 2}} : () -> {F23}
        %y = "dfc.neg"(%r) : ({F23}) -> {F23}""",
    "variable read and assign": f"""
        {const('c', '1.0', F23)}
        %a = "dfc.assign"(%c) {{variable = "v"}} : ({F23}) -> {F23}
        %y = "dfc.variable"() {{name = "v"}} : () -> {F23}""",
    "control operand": f"""
        {const('c', '1.0', F23)}
        %g = "dfc.no_op"() : () -> !dfc.control
        %y = "dfc.neg"(%c, %g) : ({F23}, !dfc.control) -> {F23}""",
    "gather out of range": f"""
        {const('c', '1.0', 'tensor<2xf32>')}
        {const('i', '[[0, 1, 5], [0, 0, 0]]', 'tensor<2x3xi32>')}
        %y = "dfc.gather"(%c, %i) {{axis = 0}} : (tensor<2xf32>, tensor<2x3xi32>) -> {F23}""",
}


@pytest.mark.parametrize("case", sorted(FOLD_KEPT))
def test_fold_keeps(case):
    text = f"{FOLD_KEPT[case]}\n{fetch('y', F23)}"
    graph = apply(["fold"], "", text)
    assert print_graph(graph, with_locs=False) == normalized("", text)


def test_fold_size_cap():
    n = MAX_FOLDED_ELEMENTS + 1
    text = f"""
        {const('c', '1.0', f'tensor<{n}xf32>')}
        %y = "dfc.neg"(%c) : (tensor<{n}xf32>) -> tensor<{n}xf32>
        {fetch('y', f'tensor<{n}xf32>')}"""
    graph = apply(["fold"], "", text)
    assert [op.type for op in graph.ops] == ["dfc.constant", "dfc.neg", "dfc.fetch"]
    small = text.replace(str(n), str(MAX_FOLDED_ELEMENTS))
    assert [op.type for op in apply(["fold"], "", small).ops] == ["dfc.constant", "dfc.constant", "dfc.fetch"]


def test_fold_multi_result_op():
    graph = apply(["fold", "dce"], "", f"""
        {const('c', '[1.0, 2.0, 3.0]', 'tensor<3xf32>')}
        %s:2 = "dfc.split"(%c) {{axis = 0, sizes = [1, 2]}} : (tensor<3xf32>) -> (tensor<1xf32>, tensor<2xf32>)
        "dfc.fetch"(%s#1, %s#0) : (tensor<2xf32>, tensor<1xf32>) -> ()""")
    outs = interpret(graph)
    assert [o.tolist() for o in outs] == [[2.0, 3.0], [1.0]]
    assert [op.type for op in graph.ops] == ["dfc.constant", "dfc.constant", "dfc.fetch"]


# ---- cse ---------------------------------------------------------------------------------------
def test_cse_merges_identical_pure_ops_commutatively():
    graph = apply(["cse", "dce"], f"{X}, %w: {F23}", f"""
        {binary('a', 'add', 'x', 'w', F23, F23, F23)}
        {binary('b', 'add', 'w', 'x', F23, F23, F23)}
        {binary('c', 'sub', 'x', 'w', F23, F23, F23)}
        {binary('d', 'sub', 'w', 'x', F23, F23, F23)}
        "dfc.fetch"(%a, %b, %c, %d) : ({F23}, {F23}, {F23}, {F23}) -> ()""")
    fetched = [v.op.name for v in graph.ops[-1].operands]
    assert fetched == ["a", "a", "c", "d"]


def test_cse_keeps_different_constants_and_state():
    graph = apply(["cse"], "", f"""
        {const('p', '0.0', F23)}
        {const('n', '-0.0', F23)}
        {const('p2', '0.0', F23)}
        %r1 = "dfc.random_uniform"() {{seed = 1, seed2 = 2}} : () -> {F23}
        %r2 = "dfc.random_uniform"() {{seed = 1, seed2 = 2}} : () -> {F23}
        %v1 = "dfc.variable"() {{name = "v"}} : () -> {F23}
        %a = "dfc.assign_add"(%p) {{variable = "v"}} : ({F23}) -> {F23}
        %v2 = "dfc.variable"() {{name = "v"}} : () -> {F23}
        "dfc.fetch"(%p, %n, %p2, %r1, %r2, %v1, %v2) : ({", ".join([F23] * 7)}) -> ()""")
    fetched = [v.op.name for v in graph.ops[-1].operands]
    assert fetched == ["p", "n", "p", "r1", "r2", "v1", "v2"]


# ---- dce ---------------------------------------------------------------------------------------
def test_dce_keeps_effects_and_what_they_use():
    graph = apply(["dce"], X, f"""
        %dead = "dfc.neg"(%x) : ({F23}) -> {F23}
        %e = "dfc.exp"(%x) : ({F23}) -> {F23}
        %a = "dfc.assign"(%e) {{variable = "v"}} : ({F23}) -> {F23}
        %r = "dfc.random_uniform"() {{seed = 1, seed2 = 2}} : () -> {F23}
        %g = "dfc.no_op"() : () -> !dfc.control
        %t = "dfc.tanh"(%x, %g) : ({F23}, !dfc.control) -> {F23}
        %unused_group = "dfc.group"(%a) : ({F23}) -> !dfc.control
        {fetch('t', F23)}""")
    assert [op.name for op in graph.ops] == ["e", "a", "r", "g", "t", "fetch"]


# ---- fuse --------------------------------------------------------------------------------------
def test_fuse_makes_one_kernel_of_the_4m_chain():
    n = 1 << 22
    T = f"tensor<{n}xf32>"
    text = f"""
        {const('c1', '1.5', 'tensor<f32>')}
        {const('c2', '0.25', 'tensor<f32>')}
        {const('c3', '0.5', 'tensor<f32>')}
        {const('c4', '0.125', 'tensor<f32>')}
        {binary('m', 'mul', 'x', 'c1', T, 'tensor<f32>', T)}
        {binary('a', 'add', 'm', 'c2', T, 'tensor<f32>', T)}
        %r = "dfc.relu"(%a) : ({T}) -> {T}
        {binary('h', 'mul', 'r', 'c3', T, 'tensor<f32>', T)}
        {binary('y', 'sub', 'h', 'c4', T, 'tensor<f32>', T)}
        {fetch('y', T)}"""
    graph = apply(PassManager(default_pipeline()).pipeline, f"%x: {T}", text)
    assert [op.type for op in graph.ops] == ["dfc.fused", "dfc.fetch"]
    fused = graph.ops[0]
    assert fused.attrs["kind"] == "elementwise" and len(fused.results) == 1
    x = np.linspace(-2, 2, n, dtype=np.float32)
    np.testing.assert_array_equal(interpret(graph, [x])[0], np.maximum(x * 1.5 + 0.25, 0) * 0.5 - 0.125)


def test_fuse_matmul_epilogue_and_reduction_prologue():
    graph = apply(["fuse"], "%x: tensor<4x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>", f"""
        %mm = "dfc.matmul"(%x, %w) {{transpose_a = false, transpose_b = false}} :
            (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
        {binary('h', 'add', 'mm', 'b', 'tensor<4x2xf32>', 'tensor<2xf32>', 'tensor<4x2xf32>')}
        %r = "dfc.relu"(%h) : (tensor<4x2xf32>) -> tensor<4x2xf32>
        %e = "dfc.exp"(%x) : (tensor<4x3xf32>) -> tensor<4x3xf32>
        %s = "dfc.reduce_sum"(%e) {{axes = [1], keepdims = false}} : (tensor<4x3xf32>) -> tensor<4xf32>
        "dfc.fetch"(%r, %s) : (tensor<4x2xf32>, tensor<4xf32>) -> ()""")
    kernels = [(op.attrs["kind"], [o.type for o in op.regions[0].ops]) for op in graph.ops if op.type == "dfc.fused"]
    assert kernels == [("matmul", ["dfc.matmul", "dfc.add", "dfc.relu", "dfc.yield"]),
                       ("reduction", ["dfc.exp", "dfc.reduce_sum", "dfc.yield"])]


def test_fuse_results_are_the_values_used_outside():
    graph = apply(["fuse"], X, f"""
        %a = "dfc.exp"(%x) : ({F23}) -> {F23}
        %b = "dfc.neg"(%a) : ({F23}) -> {F23}
        %c = "dfc.tanh"(%b) : ({F23}) -> {F23}
        "dfc.fetch"(%c, %a) : ({F23}, {F23}) -> ()""")
    fused = graph.ops[0]
    assert fused.type == "dfc.fused" and [v.op.name for v in fused.regions[0].ops[-1].operands] == ["a", "c"]
    assert graph.ops[-1].operands == [fused.results[1], fused.results[0]]


def test_fuse_never_moves_an_op_past_a_use():
    # %a's value is assigned between %a and %b: fusing them would run the assign before its operand existed
    text = f"""
        %a = "dfc.exp"(%x) : ({F23}) -> {F23}
        %s = "dfc.assign"(%a) {{variable = "v"}} : ({F23}) -> {F23}
        %b = "dfc.neg"(%a) : ({F23}) -> {F23}
        {fetch('b', F23)}"""
    graph = apply(["fuse"], X, text)
    assert print_graph(graph, with_locs=False) == normalized(X, text)


def test_fuse_keeps_shapes_devices_and_controls_apart():
    text = f"""
        %a = "dfc.exp"(%x) : ({F23}) -> {F23}
        %b = "dfc.reduce_max"(%a) {{axes = [0], keepdims = false}} : ({F23}) -> tensor<3xf32>
        {binary('c', 'add', 'a', 'b', F23, 'tensor<3xf32>', F23)}
        %d = "dfc.neg"(%c) {{device = "/gpu:0"}} : ({F23}) -> {F23}
        %g = "dfc.no_op"() : () -> !dfc.control
        %e = "dfc.tanh"(%d, %g) {{device = "/gpu:0"}} : ({F23}, !dfc.control) -> {F23}
        {fetch('e', F23)}"""
    graph = apply(["fuse"], X, text)
    assert print_graph(graph, with_locs=False) == normalized(X, text)


def test_fuse_design_example_runs():
    text = """"dfc.graph"() ({
^bb0(%a: tensor<4xf32>):
  %y = "dfc.fused"(%a) ({
  ^bb0(%x: tensor<4xf32>):
    %c = "dfc.constant"() {value = dense<1.5> : tensor<f32>} : () -> tensor<f32>
    %m = "dfc.mul"(%x, %c) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %r = "dfc.relu"(%m) : (tensor<4xf32>) -> tensor<4xf32>
    "dfc.yield"(%r) : (tensor<4xf32>) -> ()
  }) {kind = "elementwise"} : (tensor<4xf32>) -> tensor<4xf32>
  "dfc.fetch"(%y) : (tensor<4xf32>) -> ()
}) {sym_name = "main"} : () -> ()
"""
    graph = parse_graph(text)
    for name in OPTIMIZING:
        graph = get_pass(name)(graph)
        verify(graph)
    assert interpret(graph, [np.array([-1, 0, 1, 2], np.float32)])[0].tolist() == [0, 0, 1.5, 3]


# ---- the pass manager --------------------------------------------------------------------------
def test_pass_manager_verifies_times_and_reports_each_pass():
    from dfc.compiler.passes import PASSES, register_pass
    from dfc.ir.errors import VerificationError

    @register_pass("test-break-types")
    def breaker(graph: Graph) -> Graph:
        graph.ops[0].results[0].type = TensorType(dt.f64, (2, 3))
        return graph

    try:
        with pytest.raises(ValueError, match="registered twice"):
            register_pass("test-break-types")(breaker)
        seen = []
        text = f'%y = "dfc.neg"(%x) : ({F23}) -> {F23}\n{fetch("y", F23)}'
        manager = PassManager(["fold", "cse", "test-break-types"], verify_each=True,
                              on_stage=lambda name, g: seen.append(name))
        with pytest.raises(VerificationError, match="'y'"):
            manager.run(parse_graph(graph_text(X, text)))
        assert seen == ["fold", "cse"]
        assert [name for name, _ in manager.timings] == ["fold", "cse", "test-break-types"]
        report = manager.timing_report()
        assert "fold" in report and "total" in report
        unchecked = PassManager(["test-break-types"]).run(parse_graph(graph_text(X, text)))
        assert unchecked.ops[0].results[0].type.dtype is dt.f64  # no verify_each: no check
        with pytest.raises(KeyError, match="unknown pass 'nope'"):
            PassManager(["nope"]).run(parse_graph(graph_text(X, text)))
    finally:
        del PASSES["test-break-types"]


# ---- passes that run before autodiff leave dfc.grad's meaning alone ----------------------------
@pytest.mark.parametrize("name", ["fold", "simplify", "cse", "dce"])
def test_passes_before_autodiff_keep_what_grad_differentiates(name):
    # d(a * x)/da with a = identity(x) is x; replacing a by x would make it d(x*x)/dx = 2x, and merging
    # b (= x + 1) with c (= x + 1) would add c's uses to d(b * c)/db
    text = f"""
        %a = "dfc.identity"(%x) : ({F23}) -> {F23}
        {binary('y', 'mul', 'a', 'x', F23, F23, F23)}
        {const('one', '1.0', 'tensor<f32>')}
        {binary('b', 'add', 'x', 'one', F23, 'tensor<f32>', F23)}
        {binary('c', 'add', 'x', 'one', F23, 'tensor<f32>', F23)}
        {binary('z', 'mul', 'b', 'c', F23, F23, F23)}
        %g:2 = "dfc.grad"(%y, %z, %a, %b) {{num_xs = 2, num_ys = 2}} : ({F23}, {F23}, {F23}, {F23}) -> ({F23}, {F23})
        "dfc.fetch"(%g#0, %g#1) : ({F23}, {F23}) -> ()"""
    x = np.array([[1, 2, 3], [-1, -2, 0.5]], np.float32)
    expected = interpret(apply(["autodiff"], X, text), [x])
    got = interpret(apply([name, "autodiff"], X, text), [x])
    np.testing.assert_array_equal(expected[0], x)
    np.testing.assert_array_equal(expected[1], x + 1)
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(g, e)
