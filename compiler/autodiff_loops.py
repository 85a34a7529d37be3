"""The VJP of dfc.while in O(N): the forward loop saves per-iteration values in stacks the backward loop reads back.

When constants decide the loop's trip count N (loop_trips.py: a dynamic_rnn's time steps, a
scan's length), autodiff makes the forward dfc.while carry more loop variables: a counter and
stacks of shape [N, ...], written in place at the counter (dfc.dynamic_update_slice), holding
each loop variable the backward walk reads as it was at the start of each iteration, and the
results of every random draw in the body. The backward loop runs k = N-1 .. 0: it reads row k
of the stacks (dfc.gather), runs the reverse walk of one body iteration there (its forward ops
again, from row k, but the draws read from their stack: the masks the forward loop drew), carries
the loop variables' cotangents to the previous iteration and sums the captured values'. That is
2N body runs and N rows of memory per saved value, as TF's while-loop gradients (which push each
iteration's values on stacks). Only what the backward body reads is stacked: a TensorArray's buffer
that the body writes a row of is not (its gradient needs the index alone), nor its element
states (the backward body does not repeat the forward loop's checks).

A loop whose stop the data decides but whose cond also tests a counter against constants
(tf.while_loop's maximum_iterations) gets stacks of that bound's rows, and its backward loop
starts from the counter's final value. A captured tensor read one row per iteration (a
TensorArray's, dynamic_rnn's input) gets that row's cotangent added to its sum in place
(autodiff_control.accumulate). A trip count only the run knows and nothing bounds (a loop over a
fed length, a data-dependent stop), or stacks over MAX_STACK_BYTES, keep autodiff_control's
recomputing gradient; its random draws are first made repeatable (loop_draws.py: hashes of a key
drawn before the loop and the iteration counters), and a loop that assigns is refused.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from dfc.ir import dtypes
from dfc.ir.builder import graph_of
from dfc.ir.errors import VerificationError
from dfc.ir.graph import Block, Graph, Op, Value
from dfc.ir.ops import get_op_def
from dfc.ir.types import TensorType

from .autodiff_control import (REPEATABLE, SCALAR_I32, SILENCED, _BlockEmitter, _float, accumulate,
                               append_loop_vars, constant_before, recompute_while_vjp, vjp_into)
from .control_flow import join_types
from .dce import has_effect
from .loop_draws import key_draws
from .loop_trips import trip_bound

if TYPE_CHECKING:
    from .autodiff import Emitter


@dataclass
class _Stacks:
    """What autodiff added to a forward loop: its own loop variables come first, then the counter and the stacks."""
    num_vars: int
    trips: int  # the stacks' rows: the trip count, or a bound of it when not exact
    exact: bool = True  # else the backward loop starts from the counter's final value
    counter: int | None = None  # the index of the counter among the loop's variables
    #: a body value (a loop variable's region argument or a draw's result) -> the index of the loop variable stacking it
    rows: dict[Value, int] = field(default_factory=dict)


#: the most bytes a loop's stacks may take (the trip count, or its bound, times a row of every loop variable and
#: draw): a longer loop keeps the recomputing gradient
MAX_STACK_BYTES = 1 << 30

#: the forward loops that carry stacks (a second dfc.grad over the same loop reads the same ones)
_STACKED: weakref.WeakKeyDictionary[Op, _Stacks] = weakref.WeakKeyDictionary()


def _effects(op: Op) -> list[Op]:
    """The ops of the loop that change state or draw: running them again is a different loop than the one that ran
    (reading a variable is safe: a write of it in the loop is listed; so is checking again what the loop checked)."""
    return [inner for region in op.regions for inner in region.walk()
            if get_op_def(inner.type).stateful and inner.type not in REPEATABLE]


def _saved_ops(op: Op) -> list[Op]:
    """The ops whose results the forward loop stacks: its draws and writes, and its variable reads when it writes
    variables (a read in the backward walk would see the last write, not the one the iteration saw)."""
    effects = _effects(op)
    if any(get_op_def(e.type).writes_variable for e in effects):
        effects += [inner for region in op.regions for inner in region.walk() if inner.type == "dfc.variable"]
    return effects


def while_vjp(op: Op, gs: list[Value | None], b: Emitter) -> list[Value | None]:
    info = _STACKED.get(op)
    if info is not None and any(g is not None for g in gs[info.num_vars:]):
        info = None  # a second derivative reaches the stacks: they are loop variables like the others
    n = info.num_vars if info is not None else op.attrs["num_vars"]
    float_vars = [k for k in range(n) if _float(op.results[k])]
    if not any(k < len(gs) and gs[k] is not None for k in float_vars):
        return [None] * len(op.inputs)
    if info is None:
        info = _plan(op)
        if info is None and _effects(op) and key_draws(op, graph_of(b.grad_op)):
            info = _plan(op)  # its draws (a nested loop's, a branch's) are pure now: stacks may hold the rest
        if info is None:
            _refuse_stateful(op)
            return recompute_while_vjp(op, gs, b)  # the draws repeat in every recomputed iteration
        _STACKED[op] = info
    return _stacked_vjp(op, info, gs, b)


def _plan(op: Op) -> _Stacks | None:
    """The stacks' bookkeeping for a loop whose trip count constants decide, or None (no stacks: recompute)."""
    body = op.regions[1]
    types = [r.type for r in op.results]
    effects = _saved_ops(op)
    if any(e.block is not body or not e.results for e in effects):
        return None  # a draw in a nested branch or loop has no one row per iteration
    draws = [r for e in effects for r in e.results]
    if any(not isinstance(t, TensorType) or not t.is_static for t in types + [r.type for r in draws]):
        return None
    trips = trip_bound(op)
    if trips is None:
        return None
    rows = sum(t.num_elements * t.dtype.np.itemsize for t in types + [r.type for r in draws])
    if trips[0] * rows > MAX_STACK_BYTES:
        return None
    return _Stacks(op.attrs["num_vars"], *trips)


def _refuse_stateful(op: Op) -> None:
    effects = [e for e in _effects(op) if e.type not in SILENCED]
    if effects:
        raise VerificationError(
            f"autodiff cannot differentiate through the loop {op.describe()}: its body has stateful ops "
            f"({', '.join(e.describe() for e in effects[:3])}) and its trip count is known only when the step runs, "
            f"so dfc's loop gradient recomputes iterations and would run them again (it repeats the same numbers "
            f"for uniform, normal and truncated-normal draws of a static shape, not assigns or draws of a shape "
            f"the iteration decides). Give the loop a trip count that constants decide or bound (a constant bound, "
            f"a tensor's static length, maximum_iterations: then each iteration's results are saved for the "
            f"gradient), or make the assigns or draws before the loop and read them inside it")


def _stacked_vjp(op: Op, info: _Stacks, gs: list[Value | None], b: Emitter) -> list[Value | None]:
    graph = graph_of(b.grad_op)
    n = info.num_vars
    inputs = op.inputs
    total = op.attrs["num_vars"]
    captured = inputs[total:]
    float_vars = [k for k in range(n) if _float(op.results[k])]
    float_caps = [j for j, v in enumerate(captured) if _float(v)]
    seeds = [gs[k] if k < len(gs) and gs[k] is not None else b.zeros(op.results[k]) for k in float_vars]
    out: list[Value | None] = [None] * len(inputs)
    if info.trips == 0:
        for k, seed in zip(float_vars, seeds):
            out[k] = seed
        return out
    body = op.regions[1]
    prefix = f"{b.prefix}/{op.name}_grad"
    saved = list(body.arguments[:n]) + [r for e in _saved_ops(op) for r in e.results]
    step = _backward_body(op, info, graph, prefix, saved, float_vars, float_caps, captured)
    missing = [v for v in step.stacked if v not in info.rows]
    if missing or (not info.exact and info.counter is None):
        _add_stacks(op, info, graph, missing)
    total = op.attrs["num_vars"]
    last = b.const(info.trips - 1, dtypes.i32) if info.exact else b("sub", op.results[info.counter], 1)
    sums = [b.zeros(captured[j]) for j in float_caps]
    carried = [last] + seeds + sums
    carried_types = [v.type for v in carried]
    for i, var in enumerate(float_vars):
        carried_types[1 + i] = join_types(carried_types[1 + i], op.results[var].type)
    outer = [op.results[info.rows[v]] for v in step.stacked] + list(captured)
    for arg, t in zip(step.block.arguments, carried_types):
        arg.type = t
    cond = Block(carried_types + [v.type for v in outer])
    at = _BlockEmitter(graph, cond, prefix, op)
    at.finish([at("greater_equal", cond.arguments[0], 0)])
    back = Op("dfc.while", graph.reserve_name(f"{prefix}/backward_loop"), carried + outer,
              {"num_vars": len(carried)}, carried_types, device=op.device, loc=op.loc, regions=[cond, step.block])
    b.ops.append(back)
    out = [None] * len(op.inputs)  # the loop has more operands now: its stacks' initial values
    for i, var in enumerate(float_vars):
        out[var] = back.results[1 + i]
    for i, j in enumerate(float_caps):
        out[total + j] = back.results[1 + len(float_vars) + i]
    return out


@dataclass
class _Step:
    block: Block
    stacked: list[Value]  # the body values whose stacks the block reads, in the order of its stack arguments


def _backward_body(op: Op, info: _Stacks, graph: Graph, prefix: str, saved: Sequence[Value],
                   float_vars: list[int], float_caps: list[int], captured: Sequence[Value]) -> _Step:
    """One backward iteration at row k: [k, the loop variables' cotangents, the captured values' sums, the stacks
    of `saved` (those it reads are kept), the captured values] -> [k - 1, cotangents, sums]."""
    n = info.num_vars
    body = op.regions[1]
    nv, nc = len(float_vars), len(float_caps)
    head = [SCALAR_I32] + [op.results[k].type for k in float_vars] + [captured[j].type for j in float_caps]
    stack_types = [TensorType(v.type.dtype, (info.trips,) + tuple(v.type.shape)) for v in saved]
    block = Block(head + stack_types + [v.type for v in captured])
    at = _BlockEmitter(graph, block, prefix, op)
    args = block.arguments
    k, gv, gc = args[0], args[1:1 + nv], args[1 + nv:1 + nv + nc]
    stacks, caps = args[len(head):len(head) + len(saved)], args[len(head) + len(saved):]
    rows = [at("gather", stack, k, axis=0) for stack in stacks]
    state, draws = rows[:n], dict(zip(saved[n:], rows[n:]))
    first_cap = len(body.arguments) - len(captured)  # after the counter and stacks of an earlier gradient
    wanted = float_vars + [first_cap + j for j in float_caps]
    # the counter and stacks of an earlier gradient are only written by the forward body: the ops that write them
    # are copied with them unbound and go with the ops the backward body does not read
    body_args = list(state) + list(body.arguments[n:len(body.arguments) - len(captured)]) + list(caps)
    grads = vjp_into(at, body, body_args, dict(zip(float_vars, gv)), wanted, draws)
    new_gv = [grads[var] if grads[var] is not None else at.zeros(state[var]) for var in float_vars]
    new_gc = [accumulate(at, acc, grads[first_cap + j]) if grads[first_cap + j] is not None else acc
              for acc, j in zip(gc, float_caps)]
    at.finish([at("sub", k, 1)] + new_gv + new_gc)
    _drop_rechecks(block)
    used = _sweep(block)
    keep = [i for i, stack in enumerate(stacks) if stack in used]
    _drop_arguments(block, [len(head) + i for i in range(len(saved)) if i not in keep])
    return _Step(block, [saved[i] for i in keep])


def _drop_rechecks(block: Block) -> None:
    """Remove the copied checks (dfc.assert, dfc.check_numerics): the forward loop made them on the same values."""
    checks = [inner for inner in block.walk() if inner.type in ("dfc.assert", "dfc.check_numerics")]
    if not checks:
        return
    gone = {inner.results[0] for inner in checks if inner.type == "dfc.assert"}
    passed = {inner.results[0]: inner.inputs[0] for inner in checks if inner.type == "dfc.check_numerics"}
    for inner in block.walk():
        if any(v in gone or v in passed for v in inner.operands):
            inner.operands = [passed.get(v, v) for v in inner.operands if v not in gone]
    for inner in checks:
        inner.block.ops.remove(inner)


def _sweep(block: Block) -> set[Value]:
    """Remove block's ops (top level) that neither the terminator nor an effect needs; the values the rest read."""
    used: set[Value] = set()
    alive = []
    for inner in reversed(block.ops):
        if has_effect(inner) or any(r in used for r in inner.results):
            used.update(inner.operands)
            alive.append(inner)
    alive.reverse()
    block.ops[:] = alive
    return used


def _drop_arguments(block: Block, indices: Sequence[int]) -> None:
    gone = set(indices)
    block.arguments = [a for i, a in enumerate(block.arguments) if i not in gone]
    for i, a in enumerate(block.arguments):
        a.index = i


def _add_stacks(op: Op, info: _Stacks, graph: Graph, values: Sequence[Value]) -> None:
    """Make loop `op` also carry a stack of each body value in `values` (and the counter that indexes them), written
    at row i in iteration i; their loop variables' indices go in info.rows."""
    new_inits, makers = [], []
    if info.counter is None:
        info.counter = op.attrs["num_vars"]
        new_inits.append(constant_before(op, graph, np.zeros((), np.int32), "iteration"))
        makers.append(lambda at, args, counter: at("add", counter, 1))
    first = op.attrs["num_vars"] + len(new_inits)
    for i, v in enumerate(values):
        shape = (info.trips,) + tuple(v.type.shape)
        new_inits.append(constant_before(op, graph, np.zeros(shape, v.type.dtype.np), "stack"))
        info.rows[v] = first + i
        makers.append(_stack_writer(v))
    append_loop_vars(op, graph, new_inits, makers, info.counter)


def _stack_writer(v: Value):
    def write(at: _BlockEmitter, arg: Value, counter: Value) -> Value:
        row = at("reshape", v, shape=[1] + list(v.type.shape))
        return at("dynamic_update_slice", arg, row, counter)
    return write
