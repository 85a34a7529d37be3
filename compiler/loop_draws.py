"""Random draws in a loop whose trip count only the run knows, made repeatable so the loop's gradient can recompute.

TF1 differentiates tf.while_loop by pushing each iteration's values (random draws included) on
stacks. dfc's stacks (autodiff_loops.py) need a trip count, or a bound of it, that constants
decide; for any other loop the gradient recomputes iterations (autodiff_control.py), which would
draw again and differ from the draws the forward loop made (dropout in tensorflow/nmt's decoder,
a tf.while_loop over a fed count). This pass makes such a loop's draws pure functions of
the run: before the loop, one draw from the op's own seeds gives a key (new every run, the same
sequence for a seeded graph in a new session, as TF1's draws); each loop from this one down to a
draw (the loop, loops and conds in its body) gets a counter loop variable, and each draw becomes
the counter-based hash of ir/ops/random.py written in int32 ops: of the key, the counters of the
loops around it (mixed at the start of each body), its place and the element's index. The forward
loop and every recomputation of an iteration then compute the same numbers, on every backend,
from the same ops. Uniform, normal and truncated-normal draws of static shape are made so; a loop
with other effects (assigns, other draws) is left as it is (autodiff_loops.py says why it cannot
be differentiated).
"""

from __future__ import annotations

import numpy as np

from dfc.ir import dtypes
from dfc.ir.graph import Block, Graph, Op, Value
from dfc.ir.ops import get_op_def
from dfc.ir.ops.random import TRUNCATED_TRIES, fmix32
from dfc.ir.types import TensorType

from .autodiff_control import REPEATABLE, SILENCED, _BlockEmitter, append_loop_vars, constant_before

#: the draws this pass rewrites, and how many streams of bits each takes per element
STREAMS = {"dfc.random_uniform": 1, "dfc.random_normal": 2, "dfc.truncated_normal": 2 * TRUNCATED_TRIES}
_M1, _M2, _GOLDEN, _STEP, _STREAM = 0x85EBCA6B, 0xC2B2AE35, 0x9E3779B9, 0x27D4EB2F, 0x165667B1


def _s32(x: int) -> int:
    """The int32 whose bits are x's low 32 bits."""
    return ((x + (1 << 31)) % (1 << 32)) - (1 << 31)


def _draws(loop: Op) -> list[Op] | None:
    """The draws inside loop, when they are all this pass's kind, of static shape, reached through loop bodies and
    cond branches only, and the loop has no other effect; else None."""
    draws = []
    for region in loop.regions:
        for inner in region.walk():
            opdef = get_op_def(inner.type)
            if not opdef.stateful or inner.type in REPEATABLE or inner.type in SILENCED:
                continue
            if inner.type not in STREAMS or inner.inputs or not inner.results[0].type.is_static:
                return None
            draws.append(inner)
    for draw in draws:
        block = draw.block
        while block.parent is not loop:
            holder = block.parent
            if not isinstance(holder, Op) or holder.type not in ("dfc.while", "dfc.if") or \
                    (holder.type == "dfc.while" and block is not holder.regions[1]):
                return None
            block = holder.block
        if block is not loop.regions[1]:
            return None  # a draw in the cond: recomputing the trip count would need it too
    return draws


def key_draws(loop: Op, graph: Graph) -> bool:
    """Rewrite loop's draws as described above; False (and nothing changed) when some effect cannot be."""
    draws = _draws(loop)
    if not draws:
        return False
    first = draws[0]
    key_op = Op("dfc.random_uniform", graph.reserve_name(f"{loop.name}/draw_key"), [],
                {"seed": first.attrs["seed"], "seed2": first.attrs["seed2"]}, [TensorType(dtypes.f32, (2,))],
                device=loop.device, loc=loop.loc)
    staging = Block()
    at = _BlockEmitter(graph, staging, f"{loop.name}/draw_key", loop)
    at.append(key_op)
    words = at("cast", at("mul", key_op.results[0], float(1 << 24)), dtype=dtypes.i32)  # two 24-bit words
    low = at("gather", words, at.const(0, dtypes.i32), axis=0)
    high = at("gather", words, at.const(1, dtypes.i32), axis=0)
    key = at("bitwise_xor", low, at("left_shift", high, 8))
    _move_before(staging, loop)
    _thread(loop, key, graph, set(draws), [0])
    return True


def _move_before(staging: Block, op: Op) -> None:
    """Move staging's ops into op's block, just before op."""
    ops = list(staging.ops)
    staging.ops.clear()
    where = op.block.ops.index(op)
    op.block.ops[where:where] = ops


def _holds(op: Op, draws: set[Op]) -> bool:
    return any(inner in draws for region in op.regions for inner in region.walk())


def _thread(holder: Op, tag: Value, graph: Graph, draws: set[Op], places: list[int]) -> None:
    """Give holder (a dfc.while or dfc.if holding draws) tag as an operand, a counter when it is a loop, and rewrite
    the draws in its regions from the tag (mixed with the counter in a loop body)."""
    if holder.type == "dfc.if":
        holder.operands = holder.inputs + [tag] + holder.control_inputs
        for region in holder.regions:
            _rewrite(region, region.add_argument(tag.type), graph, draws, places)
        return
    holder.operands = holder.inputs + [tag] + holder.control_inputs
    cond, body = holder.regions
    cond.add_argument(tag.type)
    body_tag = body.add_argument(tag.type)
    n = holder.attrs["num_vars"]
    start = constant_before(holder, graph, np.zeros((), np.int32), "draw_counter")
    append_loop_vars(holder, graph, [start], [lambda at, arg, counter: at("add", arg, 1)], n)
    counter = body.arguments[n]
    staging = Block()
    at = _BlockEmitter(graph, staging, f"{holder.name}/draw_key", holder)
    mixed = _fmix(at, at("bitwise_xor", body_tag, at("add", at("mul", counter, _s32(_STEP)), _s32(_GOLDEN))))
    ops = list(staging.ops)
    staging.ops.clear()
    body.ops[0:0] = ops
    _rewrite(body, mixed, graph, draws, places)


def _rewrite(block: Block, tag: Value, graph: Graph, draws: set[Op], places: list[int]) -> None:
    for inner in list(block.ops):
        if inner in draws:
            _replace_draw(inner, tag, graph, places[0])
            places[0] += 1
        elif inner.regions and _holds(inner, draws):
            _thread(inner, tag, graph, draws, places)


def _fmix(at: _BlockEmitter, h: Value) -> Value:
    """ir/ops/random.py's fmix32 in int32 ops (wrapping multiplies; a masked arithmetic shift is a logical one)."""
    for shift, mul in ((16, _M1), (13, _M2), (16, None)):
        h = at("bitwise_xor", h, at("bitwise_and", at("right_shift", h, shift), (1 << (32 - shift)) - 1))
        if mul is not None:
            h = at("mul", h, _s32(mul))
    return h


def _replace_draw(draw: Op, tag: Value, graph: Graph, place: int) -> None:
    """Put draw's values as a hash of (tag, its seeds and place, element index) in its place, in int32 ops."""
    rtype = draw.results[0].type
    n = rtype.num_elements
    with np.errstate(over="ignore"):
        seeds = int(fmix32(np.uint32(draw.attrs["seed"] & 0xFFFFFFFF) ^ fmix32(np.uint32(
            (draw.attrs["seed2"] + _GOLDEN) & 0xFFFFFFFF))))
    staging = Block()
    at = _BlockEmitter(graph, staging, draw.name, draw)
    key = _fmix(at, at("bitwise_xor", tag, _s32(seeds ^ (place * _STEP))))
    index = at.append(Op("dfc.constant", graph.reserve_name(f"{draw.name}/index"), [],
                         {"value": np.arange(n, dtype=np.int32) * np.int32(_s32(_GOLDEN))},
                         [TensorType(dtypes.i32, (n,))], device=draw.device, loc=draw.loc)).results[0]

    def uniform(stream: int) -> Value:
        stream_key = _fmix(at, at("bitwise_xor", key, _s32(stream * _STREAM)))
        bits = _fmix(at, at("bitwise_xor", index, stream_key))
        top = at("bitwise_and", at("right_shift", bits, 8), (1 << 24) - 1)
        return at("mul", at("cast", top, dtype=dtypes.f64), 1.0 / (1 << 24))

    def normal(stream: int) -> Value:
        u1 = at("sub", at.const(1.0, dtypes.f64), uniform(2 * stream))  # (0, 1]: log is finite
        u2 = uniform(2 * stream + 1)
        radius = at("sqrt", at("mul", at("log", u1), -2.0))
        return at("mul", radius, at("cos", at("mul", u2, 2.0 * np.pi)))

    if draw.type == "dfc.random_uniform":
        flat = uniform(0)
    elif draw.type == "dfc.random_normal":
        flat = normal(0)
    else:  # each element takes its first normal draw within two standard deviations (0 if none: p ~ 1e-11)
        flat, todo = at.zeros(index), None
        flat = at("cast", flat, dtype=dtypes.f64)
        for attempt in range(TRUNCATED_TRIES):
            z = normal(attempt)
            fits = at("less", at("abs", z), 2.0)
            take = fits if todo is None else at("logical_and", todo, fits)
            flat = at("select", take, z, flat)
            todo = at("logical_not", fits) if todo is None else at("logical_and", todo, at("logical_not", fits))
    values = at("reshape", at("cast", flat, dtype=rtype.dtype), shape=list(rtype.shape))
    _move_before(staging, draw)
    draw.results[0].replace_all_uses_with(values)
    draw.block.ops.remove(draw)
