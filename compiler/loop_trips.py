"""A dfc.while's trip count when constants alone decide it: the loop's counting slice run by the reference interpreter.

The loop variables the cond reads, closed under the body (a dynamic_rnn's time counter, a
tf.range's index), start from values that constants decide (constants and pure ops of them,
shapes of statically shaped tensors) and read captured values that constants decide too: then
every run of the step makes the same number of iterations, and autodiff may size per-iteration
stacks by it. Anything a feed, a variable, a random draw or a loop variable outside the slice
decides gives None (the trip count is known only when the step runs). A cond that is such a
test and'ed with one the run decides (tf.while_loop's maximum_iterations) gives a bound.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.errors import DfcError
from dfc.ir.graph import Block, Op, Value
from dfc.ir.interpreter import StatelessContext, evaluate_op
from dfc.ir.ops import get_op_def
from dfc.ir.types import TensorType

#: the most iterations the counting slice is run for at compile time: a longer loop keeps the recomputing gradient
MAX_STATIC_TRIPS = 1 << 16
#: how deep a chain of pure ops of constants is followed back from a loop's operand
MAX_DEPTH = 64
_REGION_OPS = frozenset({"dfc.if", "dfc.while", "dfc.yield"})


def _evaluable(op: Op) -> bool:
    """Whether op's results follow from its operands' values alone (no state, draws, feeds or run context)."""
    opdef = get_op_def(op.type)
    if opdef.terminator or opdef.meta or opdef.reference is None:
        return False
    if op.regions:
        return all(not get_op_def(inner.type).stateful and (not get_op_def(inner.type).uses_context
                                                            or inner.type in _REGION_OPS)
                   for region in op.regions for inner in region.walk())
    return opdef.pure


def value_of(v: Value, env: dict[Value, np.ndarray | None], depth: int = 0) -> np.ndarray | None:
    """v's value when constants and the values bound in env decide it, else None (memoized in env)."""
    if v in env:
        return env[v]
    op = v.op
    result = None
    if op is not None and depth < MAX_DEPTH:
        if op.type == "dfc.constant":
            result = op.attrs["value"]
        elif _evaluable(op):
            inputs = _inputs(op, env, depth)
            if inputs is not None:
                try:
                    with np.errstate(all="ignore"):
                        result = evaluate_op(op, inputs, StatelessContext())[v.index]
                except (DfcError, ArithmeticError, ValueError, TypeError, IndexError):
                    result = None
    env[v] = result
    return result


def _inputs(op: Op, env: dict, depth: int) -> list[np.ndarray] | None:
    shape_only = get_op_def(op.type).shape_only_operands
    inputs = []
    for i, v in enumerate(op.inputs):
        array = value_of(v, env, depth + 1)
        if array is None and i in shape_only and isinstance(v.type, TensorType) and v.type.is_static:
            array = np.broadcast_to(np.zeros((), v.type.dtype.np), v.type.shape)
        if array is None:
            return None
        inputs.append(array)
    return inputs


def _args_read(values: list[Value], region: Block) -> set[int]:
    """The indices of region's arguments that values depend on (through data operands)."""
    seen: set[Value] = set()
    todo = list(values)
    read: set[int] = set()
    while todo:
        v = todo.pop()
        if v in seen:
            continue
        seen.add(v)
        if v.owner is region:
            read.add(v.index)
        elif v.op is not None:
            todo.extend(v.op.inputs)
    return read


def counting_slice(op: Op, go: Value) -> set[int]:
    """The indices of op's operands (loop variables and captured values) that decide go, a value of its cond."""
    n = op.attrs["num_vars"]
    cond, body = op.regions
    needed = _args_read([go], cond)
    while True:
        more = _args_read([body.terminator.inputs[j] for j in needed if j < n], body) - needed
        if not more:
            return needed
        needed |= more


def trip_bound(op: Op) -> tuple[int, bool] | None:
    """How many iterations dfc.while `op` makes on every run, and True, when constants decide it; else at most how
    many, and False, when constants decide one conjunct of its cond (maximum_iterations); else None."""
    go = op.regions[0].terminator.inputs[0]
    exact = static_trip_count(op, go)
    if exact is not None:
        return exact, True
    if go.op is not None and go.op.type == "dfc.logical_and":
        bounds = [b for b in (static_trip_count(op, v) for v in go.op.inputs) if b is not None]
        if bounds:
            return min(bounds), False
    return None


def static_trip_count(op: Op, go: Value) -> int | None:
    """How many iterations dfc.while `op` would make on every run if go (a value of its cond) were its cond, when
    constants decide it (else None)."""
    n = op.attrs["num_vars"]
    inputs = op.inputs
    needed = sorted(counting_slice(op, go))
    outer: dict[Value, np.ndarray | None] = {}
    values = {j: value_of(inputs[j], outer) for j in needed}
    if any(v is None for v in values.values()):
        return None
    cond, body = op.regions
    state = {j: v for j, v in values.items() if j < n}
    captured = {j: v for j, v in values.items() if j >= n}
    for trips in range(MAX_STATIC_TRIPS + 1):
        env = {cond.arguments[j]: v for j, v in {**state, **captured}.items()}
        going = value_of(go, env)
        if going is None:
            return None
        if not bool(going):
            return trips
        env = {body.arguments[j]: v for j, v in {**state, **captured}.items()}
        state = {j: value_of(body.terminator.inputs[j], env) for j in state}
        if any(v is None for v in state.values()):
            return None
    return None
