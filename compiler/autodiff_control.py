"""VJP rules of dfc.if and dfc.while: gradients through branches and loops, built as branches and loops.

dfc.if: a dfc.if on the same predicate whose branch k recomputes branch k's forward ops from
the operands and runs their reverse walk (the untaken branch gives nothing: its operands get
zero gradient, as in TF).

dfc.while: autodiff_loops.py differentiates a loop whose trip count constants decide in O(N),
from per-iteration stacks the forward loop saves. The rule here (`recompute_while_vjp`) is for
a trip count only the run knows: the loop is run again with a counter to find its trip count
N; then a backward loop runs k = N-1 .. 0: it recomputes the loop variables after k iterations
(an inner loop from the initial values), runs the reverse walk of one body iteration there,
carries the loop variables' cotangents to the previous iteration and sums the captured values'
cotangents. Nothing is stored per iteration, so the memory is that of the forward loop, and the
work O(N^2) body runs: correct for any trip count the forward loop reaches, cheap for short
loops; a body that assigns is refused (autodiff_loops.py says so), as recomputing it would assign
again, and a body's random draws are first made pure functions of a key and the iteration
counters (loop_draws.py), so recomputing an iteration draws what it drew.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from dfc.ir import dtypes
from dfc.ir.builder import graph_of
from dfc.ir.graph import Block, Graph, Op, Value
from dfc.ir.ops import get_op_def
from dfc.ir.rewrite import clone_op, replace_uses
from dfc.ir.types import TensorType

from .control_flow import join_types

if TYPE_CHECKING:
    from .autodiff import Emitter

SCALAR_I32 = TensorType(dtypes.i32, ())

#: stateful ops a recomputed iteration may run again: they read state or check values, and change nothing
REPEATABLE = frozenset({"dfc.variable", "dfc.assert", "dfc.check_numerics"})
#: stateful ops the recomputing gradient drops from its copies of the loop (tf.Print writes once per forward
#: iteration, as in TF, whose gradient does not run the forward body again)
SILENCED = frozenset({"dfc.print"})


def _float(v: Value) -> bool:
    return isinstance(v.type, TensorType) and v.type.dtype.is_floating


class _BlockEmitter:
    """Appends typed ops to a block, named uniquely in the graph under a prefix."""

    def __init__(self, graph: Graph, block: Block, prefix: str, like: Op):
        self.graph, self.block, self.prefix = graph, block, prefix
        self.loc, self.device = like.loc, like.device

    def name(self, short: str) -> str:
        return self.graph.reserve_name(f"{self.prefix}/{short}")

    def __call__(self, type: str, *operands, **attrs) -> Value:
        type = type if "." in type else f"dfc.{type}"
        dtype = next(v.type.dtype for v in operands if isinstance(v, Value))
        values = [v if isinstance(v, Value) else self.const(v, dtype) for v in operands]
        opdef = get_op_def(type)
        full = opdef.complete_attrs(attrs)
        op = Op(type, self.name(opdef.short), values, full, opdef.infer([v.type for v in values], full),
                device=self.device, loc=self.loc)
        self.block.append(op)
        return op.results[0]

    def const(self, value, dtype) -> Value:
        op = Op("dfc.constant", self.name("Const"), [], {"value": np.array(value, dtype=dtype.np)},
                [TensorType(dtype, ())], device=self.device, loc=self.loc)
        self.block.append(op)
        return op.results[0]

    def zeros(self, like: Value) -> Value:
        return self("fill_like", like, value=0.0, dtype=like.type.dtype)

    def append(self, op: Op) -> Op:
        self.block.append(op)
        return op

    def finish(self, values: Sequence[Value]) -> None:
        self.block.append(Op("dfc.yield", self.name("yield"), list(values), {}, []))


def _rename(op: Op, graph: Graph) -> None:
    """Give a copied op, and every op of its regions, a name unused in the graph."""
    op.name = graph.reserve_name(op.name)
    for region in op.regions:
        for inner in region.walk():
            inner.name = graph.reserve_name(inner.name)


def clone_region_into(at: _BlockEmitter, region: Block, args: Sequence[Value]) -> list[Value]:
    """Copy region's ops (its terminator aside) into at's block with its arguments bound to args; its yields."""
    mapping = dict(zip(region.arguments, args))
    for op in region.ops[:-1]:
        new = clone_op(op, mapping)
        _rename(new, at.graph)
        at.append(new)
    return [mapping.get(v, v) for v in region.terminator.inputs]


def vjp_into(at: _BlockEmitter, region: Block, args: Sequence[Value], seeds: dict[int, Value],
             wanted: Sequence[int], saved: dict[Value, Value] | None = None) -> dict[int, Value | None]:
    """The reverse walk of region at args, in at's block: the cotangent of each wanted argument.

    seeds maps the index of a yielded value to its cotangent. `saved` maps values the region
    computed to where the forward run left them (a branch's intermediates): the walk reads those
    instead of running their ops again, so random draws and assigns are never repeated. Other
    values are recomputed from args.
    """
    from .autodiff import expand_grad  # the walk is autodiff's; this module is imported by it
    saved = saved or {}
    scratch = Graph()
    mapping = dict(zip(region.arguments, args))
    copies: dict[Op, Op] = {}
    for op in region.ops[:-1]:
        copies[op] = scratch.append(clone_op(op, mapping))
    yielded = [mapping.get(v, v) for v in region.terminator.inputs]
    ys = [(yielded[k], s) for k, s in seeds.items() if _float(yielded[k])]
    xs = [args[k] for k in wanted]
    out: dict[int, Value | None] = dict.fromkeys(wanted)
    if ys and xs:
        grad = Op("dfc.grad", f"{at.prefix}/gradients", [y for y, _ in ys] + xs + [s for _, s in ys],
                  {"num_ys": len(ys), "num_xs": len(xs)}, [x.type for x in xs], device=at.device, loc=at.loc)
        scratch.append(grad)
        fetch = scratch.append(Op("dfc.fetch", "fetch", list(grad.results), {}, []))
        expand_grad(scratch, grad)
        for k, g in zip(wanted, fetch.operands):
            out[k] = g
        scratch.body.ops.remove(fetch)
    # the forward copies whose results the forward run saved go: their uses read the saved values
    for original, copy in copies.items():
        if original.results and all(r in saved for r in original.results):
            scratch.body.ops.remove(copy)
            for old, new in zip(copy.results, original.results):
                replace_uses(scratch.ops, old, saved[new])
                out = {k: (saved[new] if g is old else g) for k, g in out.items()}
    for op in scratch.ops:
        _rename(op, at.graph)
        at.append(op)
    return out


# ---- dfc.if --------------------------------------------------------------------------------------
def _zeros_before_yield(graph: Graph, region: Block, t: TensorType, like: Op) -> Value:
    """A zero tensor of static type t made in region just before its yield (a tile of a scalar)."""
    ops = [Op("dfc.constant", graph.reserve_name(f"{like.name}/zeros"), [], {"value": np.zeros((), t.dtype.np)},
              [TensorType(t.dtype, ())], device=like.device, loc=like.loc)]
    if t.shape:
        ones = (1,) * len(t.shape)
        ops.append(Op("dfc.reshape", graph.reserve_name(f"{like.name}/zeros"), [ops[-1].results[0]],
                      {"shape": ones}, [TensorType(t.dtype, ones)], device=like.device, loc=like.loc))
        ops.append(Op("dfc.tile", graph.reserve_name(f"{like.name}/zeros"), [ops[-1].results[0]],
                      {"multiples": tuple(t.shape)}, [t], device=like.device, loc=like.loc))
    for new in ops:
        new.block = region
    region.ops[-1:-1] = ops
    return ops[-1].results[0]


def _save_intermediates(op: Op, graph: Graph) -> list[list[Value]]:
    """Make a dfc.if also return each branch's intermediates (zeros from the other branch); per region, the new
    results' region values, in the order of the results appended."""
    saved = [[r for inner in region.ops[:-1] if inner.type != "dfc.constant" and not inner.regions
              for r in inner.results if isinstance(r.type, TensorType) and r.type.is_static]
             for region in op.regions]
    for k, (region, values) in enumerate(zip(op.regions, saved)):
        other = op.regions[1 - k]
        for v in values:
            region.terminator.operands.append(v)
            other.terminator.operands.append(_zeros_before_yield(graph, other, v.type, op))
            op.results.append(Value(v.type, op, len(op.results)))
    return saved


def _drop_unread_saves(forward: Op, backward: Op, first_saved: int, first_arg: int) -> None:
    """Remove the saved intermediates that no branch of the backward dfc.if reads (a matmul's VJP needs its
    operands, not its product): the forward branch then neither yields them nor keeps their buffers."""
    count = len(forward.results) - first_saved
    read = [any(region.arguments[first_arg + i] in free for region in backward.regions
                for free in [{v for inner in region.walk() for v in inner.operands}]) for i in range(count)]
    keep_results = forward.results[:first_saved] + [r for r, used in zip(forward.results[first_saved:], read) if used]
    for region in forward.regions:
        term = region.terminator
        term.operands = term.operands[:first_saved] + [v for v, used in zip(term.operands[first_saved:], read) if used]
    forward.results = keep_results
    for i, r in enumerate(forward.results):
        r.index = i
    backward.operands = backward.operands[:first_arg] + [v for v, used in zip(backward.operands[first_arg:], read)
                                                          if used]
    for region in backward.regions:
        region.arguments = region.arguments[:first_arg] + [a for a, used in zip(region.arguments[first_arg:], read)
                                                           if used]
        for i, a in enumerate(region.arguments):
            a.index = i


def if_vjp(op: Op, gs: list[Value | None], b: Emitter) -> list[Value | None]:
    graph = graph_of(b.grad_op)
    inputs = op.inputs
    wanted = [k for k in range(1, len(inputs)) if _float(inputs[k])]
    float_out = [k for k, r in enumerate(op.results) if _float(r) and k < len(gs) and gs[k] is not None]
    if not wanted or not float_out:
        return [None] * len(inputs)
    seeds = [gs[k] for k in float_out]
    first_saved = len(op.results)
    saved_values = _save_intermediates(op, graph)
    saved_results = op.results[first_saved:]
    operands = list(inputs) + seeds + saved_results
    prefix = f"{b.prefix}/{op.name}_grad"
    regions = []
    for k, region in enumerate(op.regions):
        block = Block([v.type for v in operands])
        at = _BlockEmitter(graph, block, prefix, op)
        args = block.arguments
        start = len(inputs) + len(seeds) + sum(len(v) for v in saved_values[:k])
        saved = dict(zip(saved_values[k], args[start:start + len(saved_values[k])]))
        grads = vjp_into(at, region, args[:len(inputs)],
                         {j: args[len(inputs) + i] for i, j in enumerate(float_out)}, wanted, saved)
        at.finish([grads[j] if grads[j] is not None else at.zeros(args[j]) for j in wanted])
        regions.append(block)
    new = Op("dfc.if", graph.reserve_name(f"{prefix}/cond"), operands, {}, [inputs[j].type for j in wanted],
             device=op.device, loc=op.loc, regions=regions)
    _drop_unread_saves(op, new, first_saved, len(inputs) + len(seeds))
    b.ops.append(new)
    out: list[Value | None] = [None] * len(inputs)
    for i, j in enumerate(wanted):
        out[j] = new.results[i]
    return out


# ---- dfc.while -----------------------------------------------------------------------------------
def _counting_loop(op: Op, at: _BlockEmitter, inits: Sequence[Value], captured: Sequence[Value],
                   limit: Value | None) -> Op:
    """A copy of loop `op` that also counts its iterations; with `limit`, it runs exactly `limit` iterations."""
    n = op.attrs["num_vars"]
    cond, body = op.regions
    state_types = [r.type for r in op.results] + [SCALAR_I32]
    extra = [limit] if limit is not None else []
    arg_types = state_types + [v.type for v in captured] + [v.type for v in extra]
    regions = []
    for k in range(2):
        block = Block(arg_types)
        inner = _BlockEmitter(at.graph, block, at.prefix, op)
        args = block.arguments
        state, count, caps = args[:n], args[n], args[n + 1:n + 1 + len(captured)]
        if k == 0:
            go = inner("less", count, args[-1]) if limit is not None else clone_region_into(inner, cond,
                                                                                            state + caps)[0]
            inner.finish([go])
        else:
            nxt = clone_region_into(inner, body, state + caps)
            inner.finish(nxt + [inner("add", count, 1)])
        regions.append(block)
    zero = at.const(0, dtypes.i32)
    loop = Op("dfc.while", at.name("counted_loop"), list(inits) + [zero] + list(captured) + extra,
              {"num_vars": n + 1}, state_types, device=op.device, loc=op.loc, regions=regions)
    return at.append(loop)


def accumulate(at: _BlockEmitter, acc: Value, contribution: Value) -> Value:
    """acc + contribution; when the contribution is one row scattered into zeros (the gradient of reading row t of a
    captured tensor, a TensorArray's or dynamic_rnn's input), only that row of acc is updated (in place: acc is a
    loop variable), not every row every iteration."""
    op = contribution.op
    scatter = op.inputs[0].op if op is not None and op.type == "dfc.reshape" and op.inputs[0].op is not None else op
    if scatter is None or scatter.type != "dfc.unsorted_segment_sum" or not acc.type.is_static or not acc.type.shape:
        return at("add", acc, contribution)
    rows, ids = scatter.inputs
    shape = acc.type.shape
    if ids.type.shape != (1,) or scatter.results[0].type.shape[0] != shape[0] or \
            rows.type.num_elements * shape[0] != acc.type.num_elements:
        return at("add", acc, contribution)
    row = at("reshape", rows, shape=[1] + list(shape[1:]))
    updated = at("add", at("gather", acc, ids, axis=0), row)
    return at("dynamic_update_slice", acc, updated, at("reshape", ids, shape=[]))


class _Sink(_BlockEmitter):
    """A _BlockEmitter over the autodiff Emitter's op list (top level of the step)."""

    def __init__(self, graph: Graph, b, prefix: str, like: Op):
        super().__init__(graph, Block(), prefix, like)
        self.emitter = b

    def append(self, op: Op) -> Op:
        self.emitter.ops.append(op)
        return op

    def __call__(self, type: str, *operands, **attrs) -> Value:
        return self.emitter(type, *operands, **attrs)

    def const(self, value, dtype) -> Value:
        op = Op("dfc.constant", self.name("Const"), [], {"value": np.array(value, dtype=dtype.np)},
                [TensorType(dtype, ())], device=self.device, loc=self.loc)
        return self.append(op).results[0]


def recompute_while_vjp(op: Op, gs: list[Value | None], b: Emitter) -> list[Value | None]:
    """The VJP of a loop whose trip count only the run knows (its draws made repeatable by loop_draws.py: autodiff_loops
    checks; its prints are dropped from the copies)."""
    graph = graph_of(b.grad_op)
    n = op.attrs["num_vars"]
    inputs = op.inputs
    inits, captured = inputs[:n], inputs[n:]
    float_vars = [k for k in range(n) if _float(op.results[k])]
    float_caps = [j for j, v in enumerate(captured) if _float(v)]
    if not any(gs[k] is not None for k in float_vars):
        return [None] * len(inputs)
    prefix = f"{b.prefix}/{op.name}_grad"
    top = _Sink(graph, b, prefix, op)
    trips = _counting_loop(op, top, inits, captured, None).results[n]
    last = top("sub", trips, 1)
    seeds = [gs[k] if gs[k] is not None else b.zeros(op.results[k]) for k in float_vars]
    sums = [b.zeros(captured[j]) for j in float_caps]
    carried = [last] + seeds + sums
    # a loop variable whose shape changes across iterations (a growing TensorArray) has cotangents of each
    # iteration's shape: they are carried at the loop variable's type, not the final one the seed has
    carried_types = [v.type for v in carried]
    for i, var in enumerate(float_vars):
        carried_types[1 + i] = join_types(carried_types[1 + i], op.results[var].type)
    outer = list(inits) + list(captured)
    arg_types = carried_types + [v.type for v in outer]
    nv, nc = len(float_vars), len(float_caps)

    cond_block = Block(arg_types)
    at = _BlockEmitter(graph, cond_block, prefix, op)
    at.finish([at("greater_equal", cond_block.arguments[0], 0)])

    body_block = Block(arg_types)
    at = _BlockEmitter(graph, body_block, prefix, op)
    args = body_block.arguments
    k, gv, gc = args[0], args[1:1 + nv], args[1 + nv:1 + nv + nc]
    inits_in, caps_in = args[1 + nv + nc:1 + nv + nc + n], args[1 + nv + nc + n:]
    state = _counting_loop(op, at, inits_in, caps_in, k).results[:n]
    wanted = float_vars + [n + j for j in float_caps]
    grads = vjp_into(at, op.regions[1], list(state) + list(caps_in),
                     {var: g for var, g in zip(float_vars, gv)}, wanted)
    new_gv = [grads[var] if grads[var] is not None else at.zeros(state[var]) for var in float_vars]
    new_gc = [accumulate(at, acc, grads[n + j]) if grads[n + j] is not None else acc for acc, j in zip(gc, float_caps)]
    at.finish([at("sub", k, 1)] + new_gv + new_gc)

    back = Op("dfc.while", graph.reserve_name(f"{prefix}/backward_loop"), carried + outer, {"num_vars": len(carried)},
              carried_types, device=op.device, loc=op.loc, regions=[cond_block, body_block])
    b.ops.append(back)
    _silence([trips.op, back])
    out: list[Value | None] = [None] * len(inputs)
    for i, var in enumerate(float_vars):
        out[var] = back.results[1 + i]
    for i, j in enumerate(float_caps):
        out[n + j] = back.results[1 + nv + i]
    return out


def _silence(loops: Sequence[Op]) -> None:
    """Drop the SILENCED ops of these new loops' regions: each passes its first operand on."""
    for loop in loops:
        for inner in [inner for region in loop.regions for inner in region.walk() if inner.type in SILENCED]:
            replace_uses([loop], inner.results[0], inner.inputs[0])
            inner.block.ops.remove(inner)


def constant_before(op: Op, graph: Graph, value: np.ndarray, name: str) -> Value:
    """A constant put just before op in its block (the initial value of a loop variable autodiff adds)."""
    const = Op("dfc.constant", graph.reserve_name(f"{op.name}/{name}"), [], {"value": value},
               [TensorType(dtypes.as_dtype(value.dtype), value.shape)], device=op.device, loc=op.loc)
    op.block.ops.insert(op.block.ops.index(op), const)
    return const.results[0]


def append_loop_vars(op: Op, graph: Graph, inits: list[Value], makers: list, counter: int) -> None:
    """Add loop variables to op after its last one: inits, and the body's next values makers[j](at, arg, counter)."""
    n = op.attrs["num_vars"]
    data, control = op.inputs, op.control_inputs
    op.operands = data[:n] + inits + data[n:] + control
    for region in op.regions:
        region.arguments[n:n] = [Value(v.type, region, 0) for v in inits]
        for i, a in enumerate(region.arguments):
            a.index = i
    body = op.regions[1]
    staging = Block()
    at = _BlockEmitter(graph, staging, op.name, op)
    args = body.arguments[n:n + len(inits)]
    nexts = [make(at, arg, body.arguments[counter]) for make, arg in zip(makers, args)]
    ops = list(staging.ops)
    staging.ops.clear()
    body.ops[-1:-1] = ops
    body.terminator.operands.extend(nexts)
    op.results.extend(Value(v.type, op, n + i) for i, v in enumerate(inits))
    op.attrs["num_vars"] = n + len(inits)


# ---- dfc.custom_gradient -----------------------------------------------------------------------------
def custom_gradient_vjp(op: Op, gs: list[Value | None], b: Emitter) -> list[Value | None]:
    """The region's yields, from the ys' cotangents (zeros for those without), for the xs; nothing for the ys'
    own operands, so nothing flows through the forward ops that made them."""
    n, m = op.attrs["num_ys"], op.attrs["num_xs"]
    inputs = op.inputs
    if not any(g is not None for g in gs[:n]):
        return [None] * len(inputs)
    sink = _Sink(graph_of(b.grad_op), b, f"{b.prefix}/{op.name}_grad", op)
    seeds = [g if g is not None else b.zeros(y) for g, y in zip(gs[:n], inputs[:n])]
    dxs = clone_region_into(sink, op.regions[0], seeds + list(inputs[n:]))
    return [None] * n + [dx if _float(x) else None for dx, x in zip(dxs, inputs[n:n + m])] + \
        [None] * (len(inputs) - n - m)


def strip_custom_gradients(graph: Graph) -> None:
    """After autodiff: each dfc.custom_gradient's results are its ys (its gradient region has served)."""
    for op in [op for op in graph.walk() if op.type == "dfc.custom_gradient"]:
        for result, y in zip(op.results, op.inputs):
            result.replace_all_uses_with(y)
        op.erase()
    graph.mark_changed()


CONTROL_VJP = {"dfc.if": if_vjp, "dfc.custom_gradient": custom_gradient_vjp}
