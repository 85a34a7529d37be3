"""The simplify pass: algebraic identities that make an op's result a value the graph already has (or a simpler one).

Each row is one rule; x, y are any values, 0 and 1 are constants whose elements all
equal 0 or 1 (any shape that broadcasts). A rule fires only when the replacement has
exactly the op's result type, so `x + zeros(3, 4)` with x of shape (4,) stays: it
broadcasts, and removing it would change the shape.

    x * 1, 1 * x, x + 0, 0 + x, x - 0, x / 1, x ** 1  ->  x
    x * 0, 0 * x, x - x (integers only: 0 * inf is nan)  ->  zeros
    maximum(x, x), minimum(x, x), select(c, x, x)  ->  x
    select(true, x, y) -> x, select(false, x, y) -> y
    neg(neg(x)), logical_not(logical_not(x))  ->  x
    identity(x); stop_gradient(x) when the graph has no dfc.grad left  ->  x
    cast(x) to x's own dtype  ->  x
    transpose(transpose(x, p), q)  ->  transpose(x, p[q]); transpose by the identity perm  ->  x
    reshape(reshape(x))  ->  reshape(x); reshape of x to its own shape  ->  x
    squeeze(expand_dims(x, a), [a]), squeeze(x, []), tile(x, [1, ...])  ->  x
    broadcast_like(x, y) when x already has y's shape; slice of the whole of x  ->  x
    reduce_*(x, axes=[]), concat([x])  ->  x
    assign_sub(v, x), assign_add(v, x)  ->  assign(v, read(v) - x), assign(v, read(v) + x)

`x + 0 -> x` turns -0.0 + 0 (= +0.0) into -0.0; like XLA's simplifier we accept that.
Ops with control operands are left alone (the user asked for their ordering), and so
are the operands of a `dfc.grad` not yet expanded: d(x * v)/dx with x = identity(v)
is v, but d(v * v)/dv is 2v, so such a value must stay the node it is. The
replaced op is erased; producers it leaves unused are `dce`'s to remove. Each rule is a
pattern of the greedy driver (dfc.ir.pattern), filed under its op types; `dfc compile
--timing` counts its hits. The docs table of these rules is docs/passes.md.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dfc.ir.errors import ShapeError
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.ops import get_op_def, ops_with
from dfc.ir.ops.shape import SLICE_END
from dfc.ir.pattern import MAX_ROUNDS, PatternRewriter, PatternSet, apply_patterns_greedily
from dfc.ir.types import TensorType

from .fold import MAX_FOLDED_ELEMENTS, constant_value
from .passes import register_pass

#: fixpoint bound: a rule's new op (a composed transpose) may itself simplify in the next round
MAX_SWEEPS = MAX_ROUNDS

Rule = Callable[[Op, "Rewriter"], "Value | None"]
RULES: dict[str, list[Rule]] = {}
#: each rule once, with the op types it is declared for, in declaration order
_DECLARED: dict[Rule, list[str]] = {}


def rule(*op_types: str) -> Callable[[Rule], Rule]:
    """Register a rule for ops of the given types; it returns the replacement value or None."""
    def wrap(fn: Rule) -> Rule:
        for t in op_types:
            RULES.setdefault(t, []).append(fn)
        _DECLARED.setdefault(fn, []).extend(op_types)
        return fn
    return wrap


class Rewriter:
    """What a rule may do besides returning an existing value: make new ops before the op it rewrites."""

    def __init__(self, graph: Graph, op: Op, graph_has_grad: bool):
        self.graph = graph
        self.op = op
        self.graph_has_grad = graph_has_grad
        self.new_ops: list[Op] = []

    def create(self, type: str, operands: list[Value], attrs: dict) -> Value | None:
        """A new op with inferred types, placed before the rewritten op; None if it does not type-check."""
        opdef = get_op_def(type)
        try:
            attrs = opdef.complete_attrs(attrs)
            types = opdef.infer([v.type for v in operands], attrs)
        except ShapeError:
            return None
        new = Op(type, self.graph.reserve_name(self.op.name), operands, attrs, types, device=self.op.device,
                 loc=self.op.loc)
        self.new_ops.append(new)
        return new.results[0]

    def zeros(self, like: Value) -> Value | None:
        """Zeros of the rewritten op's result type: a constant when small and static, else fill_like(like)."""
        t = self.op.results[0].type
        if t.is_static and t.num_elements <= MAX_FOLDED_ELEMENTS:
            value = np.zeros(t.shape, t.dtype.np)
            new = Op("dfc.constant", self.graph.reserve_name(self.op.name), [], {"value": value}, [t],
                     device=self.op.device, loc=self.op.loc)
            self.new_ops.append(new)
            return new.results[0]
        if like.type == t:
            return self.create("dfc.fill_like", [like], {"value": 0.0, "dtype": t.dtype})
        return None


# ---- predicates --------------------------------------------------------------------------------
def grad_operands(graph: Graph) -> set[Value]:
    """Values a `dfc.grad` differentiates with respect to (or holds constant): rewriting them changes the gradient."""
    return {v for op in graph.walk() if op.type == "dfc.grad" for v in op.operands}


def is_splat(value: Value, scalar: float) -> bool:
    """Whether `value` is a constant whose elements all equal `scalar`."""
    array = constant_value(value)
    return array is not None and array.size > 0 and bool(np.all(array == scalar))


def producer(value: Value, type: str) -> Op | None:
    """The op of type `type` that makes `value`, if it is one (and has no control operands)."""
    op = value.op
    return op if op is not None and op.type == type and not op.control_inputs else None


def is_integer(op: Op) -> bool:
    return op.results[0].type.dtype.is_integer


# ---- the rules ---------------------------------------------------------------------------------
@rule("dfc.identity")
def _identity(op: Op, rw: Rewriter) -> Value | None:
    return op.inputs[0]


@rule("dfc.stop_gradient")
def _stop_gradient(op: Op, rw: Rewriter) -> Value | None:
    # before autodiff ran, stop_gradient still means something to the dfc.grad ops
    return None if rw.graph_has_grad else op.inputs[0]


@rule("dfc.cast")
def _cast(op: Op, rw: Rewriter) -> Value | None:
    x = op.inputs[0]
    return x if op.attrs["dtype"] is x.type.dtype else None


@rule("dfc.add")
def _add(op: Op, rw: Rewriter) -> Value | None:
    a, b = op.inputs
    return a if is_splat(b, 0) else b if is_splat(a, 0) else None


@rule("dfc.sub")
def _sub(op: Op, rw: Rewriter) -> Value | None:
    a, b = op.inputs
    if is_splat(b, 0):
        return a
    if a is b and is_integer(op):
        return rw.zeros(a)
    return None


@rule("dfc.mul")
def _mul(op: Op, rw: Rewriter) -> Value | None:
    a, b = op.inputs
    if is_splat(b, 1):
        return a
    if is_splat(a, 1):
        return b
    if is_integer(op) and (is_splat(a, 0) or is_splat(b, 0)):
        return rw.zeros(a if is_splat(b, 0) else b)
    return None


@rule("dfc.div", "dfc.pow")
def _by_one(op: Op, rw: Rewriter) -> Value | None:
    a, b = op.inputs
    return a if is_splat(b, 1) else None


@rule("dfc.maximum", "dfc.minimum")
def _same_operands(op: Op, rw: Rewriter) -> Value | None:
    a, b = op.inputs
    return a if a is b else None


@rule("dfc.select")
def _select(op: Op, rw: Rewriter) -> Value | None:
    cond, a, b = op.inputs
    if a is b:
        return a
    if is_splat(cond, True):
        return a
    if is_splat(cond, False):
        return b
    return None


@rule("dfc.neg", "dfc.logical_not")
def _involution(op: Op, rw: Rewriter) -> Value | None:
    inner = producer(op.inputs[0], op.type)
    return inner.inputs[0] if inner is not None else None


@rule("dfc.transpose")
def _transpose(op: Op, rw: Rewriter) -> Value | None:
    perm = tuple(op.attrs["perm"])
    if perm == tuple(range(len(perm))):
        return op.inputs[0]
    inner = producer(op.inputs[0], "dfc.transpose")
    if inner is None:
        return None
    # transpose(transpose(x, p), q)[i] reads dim q[i] of the inner result, which is dim p[q[i]] of x
    composed = tuple(inner.attrs["perm"][q] for q in perm)
    return rw.create("dfc.transpose", [inner.inputs[0]], {"perm": composed})


@rule("dfc.reshape")
def _reshape(op: Op, rw: Rewriter) -> Value | None:
    x = op.inputs[0]
    if x.type == op.results[0].type:
        return x
    inner = producer(x, "dfc.reshape")
    if inner is None:
        return None
    return rw.create("dfc.reshape", [inner.inputs[0]], {"shape": op.attrs["shape"]})


@rule("dfc.squeeze")
def _squeeze(op: Op, rw: Rewriter) -> Value | None:
    x = op.inputs[0]
    if not op.attrs["axes"]:
        return x
    inner = producer(x, "dfc.expand_dims")
    if inner is None:
        return None
    rank = x.type.rank
    if {a % rank for a in op.attrs["axes"]} == {inner.attrs["axis"] % rank}:
        return inner.inputs[0]
    return None


@rule("dfc.tile")
def _tile(op: Op, rw: Rewriter) -> Value | None:
    return op.inputs[0] if all(m == 1 for m in op.attrs["multiples"]) else None


@rule("dfc.broadcast_like")
def _broadcast_like(op: Op, rw: Rewriter) -> Value | None:
    return op.inputs[0]  # kept only when x already has the result type (checked for every rule)


@rule("dfc.slice")
def _slice(op: Op, rw: Rewriter) -> Value | None:
    x = op.inputs[0]
    for d, b, e, s in zip(x.type.shape, op.attrs["begin"], op.attrs["end"], op.attrs["strides"]):
        if b != 0 or s != 1 or not (e == SLICE_END or (d is not None and e >= d)):
            return None
    return x


@rule(*sorted(ops_with("reduction")))
def _reduce_nothing(op: Op, rw: Rewriter) -> Value | None:
    return op.inputs[0] if not op.attrs["axes"] else None


@rule("dfc.concat")
def _concat_one(op: Op, rw: Rewriter) -> Value | None:
    return op.inputs[0] if len(op.inputs) == 1 else None


@rule("dfc.assign_add", "dfc.assign_sub")
def _update_as_assign(op: Op, rw: Rewriter) -> Value | None:
    # assign_sub(v, x) -> assign(v, read(v) - x): the update then fuses with the ops that make x, and the
    # planner writes the fused kernel's result straight into the variable (an optimizer's update in one
    # pass over the variable instead of two). Under use_locking the read and the write stay one update.
    if op.attrs.get("use_locking"):
        return None
    name = op.attrs["variable"]
    old = Op("dfc.variable", rw.graph.reserve_name(f"{op.name}/read"), [], {"name": name}, [op.results[0].type],
             device=op.device, loc=op.loc)
    rw.new_ops.append(old)
    combined = rw.create("dfc.add" if op.type == "dfc.assign_add" else "dfc.sub", [old.results[0], op.inputs[0]], {})
    if combined is None or combined.type != op.results[0].type:
        return None
    return rw.create("dfc.assign", [combined], {"variable": name})


# ---- the pass ----------------------------------------------------------------------------------
@register_pass("simplify")
def simplify(graph: Graph, max_rounds: int = MAX_SWEEPS) -> Graph:
    """In place: apply the rules until none fires (at most `max_rounds` driver rounds); returns `graph`."""
    pinned = grad_operands(graph)
    patterns = PatternSet()
    for fn, op_types in _DECLARED.items():
        patterns.add(_as_pattern(fn, bool(pinned), pinned), op_types, name=fn.__name__.lstrip("_"))
    apply_patterns_greedily(graph, patterns, max_rounds, label="simplify")
    return graph


def _as_pattern(fn: Rule, graph_has_grad: bool, pinned: set[Value]) -> Callable[[Op, PatternRewriter], bool]:
    """The rule as a driver pattern: its value replaces the op's result; the ops it made go before the op."""
    def apply(op: Op, rewriter: PatternRewriter) -> bool:
        if not _rewritable(op, pinned):
            return False
        rw = Rewriter(rewriter.graph, op, graph_has_grad)
        value = fn(op, rw)
        # the replacement must be exactly what users were typed against
        if value is None or value.type != op.results[0].type:
            return False
        if rw.new_ops and value.op is rw.new_ops[-1]:
            rw.new_ops[-1].name = op.name  # the op that takes over keeps the name the user knows
        for new in rw.new_ops:
            rewriter.insert_before(op, new)
        rewriter.replace_op(op, [value])
        return True
    return apply


def _rewritable(op: Op, pinned: set[Value]) -> bool:
    return (len(op.results) == 1 and isinstance(op.results[0].type, TensorType) and not op.control_inputs
            and op.results[0] not in pinned)


def simplify_op(graph: Graph, op: Op, graph_has_grad: bool = False,
                pinned: set[Value] = frozenset()) -> tuple[Value, list[Op]] | None:
    """The value `op`'s result equals and the new ops it needs, by the first rule that fires.

    `pinned` values (operands of a dfc.grad) are never replaced.
    """
    if not _rewritable(op, pinned):
        return None
    for fn in RULES.get(op.type, ()):
        rw = Rewriter(graph, op, graph_has_grad)
        value = fn(op, rw)
        if value is not None and value.type == op.results[0].type:
            return value, rw.new_ops
    return None
