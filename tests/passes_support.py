"""Shared by the pass tests: running a step graph twice with state, comparing results, cloning, round trips."""

from __future__ import annotations

import numpy as np

from dfc.ir.graph import Graph, Op, Value
from dfc.ir.interpreter import interpret
from dfc.ir.parser import parse_graph
from dfc.ir.printer import print_graph
from dfc.ir.rewrite import clone_op


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
