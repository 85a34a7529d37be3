"""The cse pass: common-subexpression elimination, merging identical pure ops.

Two ops are identical when they have the same type, operands (in order; either order
for commutative ops), attributes (constants compared by dtype, shape and bits, so 0.0
and -0.0 stay apart), device and result types. The first one stays, with its name and
location; uses of the later one move to it. Never merged: stateful ops (two draws of
one random op, two reads of a variable around an assign differ), ops reading the
run's context (placeholders), ops with regions, control-only ops and terminators, and
ops whose results a `dfc.grad` not yet expanded differentiates with respect to (the
gradient with respect to one of two equal tensors is not that of their merger).
Each region is handled on its own. One pattern run by the greedy driver
(dfc.ir.pattern), visiting ops in program order, so the first of equals is met first.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from dfc.ir.graph import Block, Graph, Op, Value
from dfc.ir.ops import REGISTRY, get_op_def, ops_with
from dfc.ir.pattern import MAX_ROUNDS, PatternRewriter, PatternSet, apply_patterns_greedily

from .passes import register_pass
from .simplify import grad_operands

COMMUTATIVE = ops_with("commutative")


def mergeable(op: Op) -> bool:
    """Whether two copies of `op` with equal operands and attributes may become one."""
    return not op.regions and get_op_def(op.type).pure


def _attr_key(value: Any) -> Hashable:
    if isinstance(value, np.ndarray):
        return ("dense", value.dtype.str, value.shape, np.ascontiguousarray(value).tobytes())
    if isinstance(value, (float, np.floating)):
        return ("float", float(value).hex())  # keeps -0.0 apart from 0.0; nan equals itself
    if isinstance(value, (tuple, list)):
        return tuple(_attr_key(v) for v in value)
    return (type(value).__name__, value)


def op_key(op: Op, position: dict[Value, int], commutative: bool | None = None) -> Hashable:
    """What identifies `op`'s results: equal keys mean equal values (`commutative`: the op's trait, if known)."""
    operands = op.operands
    if commutative is None:
        commutative = get_op_def(op.type).commutative
    if commutative and len(operands) == 2 and not any(v.is_control for v in operands):
        operands = sorted(operands, key=lambda v: position.get(v, -1))
    attrs = op.attrs
    if not attrs:
        attr_key: tuple = ()
    elif len(attrs) == 1:
        attr_key = tuple([(k, _attr_key(v)) for k, v in attrs.items()])
    else:
        attr_key = tuple(sorted([(k, _attr_key(v)) for k, v in attrs.items()]))
    return (op.type, tuple(map(id, operands)), attr_key, op.device, tuple([r.type for r in op.results]))


class _Merger:
    """The cse pattern's state for one run: the first op of each key, per block."""

    def __init__(self, graph: Graph):
        self.pinned = grad_operands(graph)
        self.first: dict[Hashable, Op] = {}
        self.position: dict[Value, int] = {}  # a value's rank in its block: block arguments, then results
        for block in _blocks(graph):
            for i, v in enumerate(block.arguments):
                self.position[v] = i
            rank = len(block.arguments)
            for op in block.ops:
                for r in op.results:
                    self.position[r] = rank
                    rank += 1

    def __call__(self, op: Op, rewriter: PatternRewriter) -> bool:
        # the pattern is filed under pure ops only (see cse()), so mergeable(op) is down to its regions
        if op.regions or (self.pinned and any(r in self.pinned for r in op.results)):
            return False
        block = op.block
        local = self.position
        commutative = op.type in COMMUTATIVE
        if commutative and len(op.operands) == 2:
            # values of enclosing blocks rank -1, as the per-block walk this replaces had it
            local = {v: self.position[v] for v in op.operands if v in self.position and _block_of(v) is block}
        key = (id(block), op_key(op, local, commutative))
        first = self.first.get(key)
        if first is None or not first.in_graph or first is op:
            self.first[key] = op
            return False
        rewriter.replace_op(op, first.results)
        return True


def _block_of(value: Value) -> Block | None:
    owner = value.owner
    return owner if isinstance(owner, Block) else owner.block


def _blocks(graph: Graph) -> list[Block]:
    return [graph.body] + [region for op in graph.walk() for region in op.regions]


@register_pass("cse")
def cse(graph: Graph, max_rounds: int = MAX_ROUNDS) -> Graph:
    """In place: merge identical pure ops; returns `graph`."""
    patterns = PatternSet()
    patterns.add(_Merger(graph), [name for name, opdef in REGISTRY.items() if opdef.pure], name="cse")
    apply_patterns_greedily(graph, patterns, max_rounds, label="cse")
    return graph
