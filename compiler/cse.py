"""The cse pass: common-subexpression elimination, merging identical pure ops.

Two ops are identical when they have the same type, operands (in order; either order
for commutative ops), attributes (constants compared by dtype, shape and bits, so 0.0
and -0.0 stay apart), device and result types. The first one stays, with its name and
location; uses of the later one move to it. Never merged: stateful ops (two draws of
one random op, two reads of a variable around an assign differ), ops reading the
run's context (placeholders), ops with regions, control-only ops and terminators, and
ops whose results a `dfc.grad` not yet expanded differentiates with respect to (the
gradient with respect to one of two equal tensors is not that of their merger).
Each region is handled on its own.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from dfc.ir.graph import Block, Graph, Op, Value
from dfc.ir.ops import get_op_def

from .fold import remap_operands
from .passes import register_pass
from .simplify import grad_operands

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


def op_key(op: Op, position: dict[Value, int]) -> Hashable:
    """What identifies `op`'s results: equal keys mean equal values."""
    operands = list(op.operands)
    if get_op_def(op.type).commutative and len(operands) == 2 and not any(v.is_control for v in operands):
        operands.sort(key=lambda v: position.get(v, -1))
    attrs = tuple(sorted((k, _attr_key(v)) for k, v in op.attrs.items()))
    return (op.type, tuple(map(id, operands)), attrs, op.device, tuple(r.type for r in op.results))


@register_pass("cse")
def cse(graph: Graph) -> Graph:
    """In place: merge identical pure ops; returns `graph`."""
    if _cse_block(graph.body, {}, grad_operands(graph)):
        graph.mark_changed()
    return graph


def _cse_block(block: Block, replaced: dict[Value, Value], pinned: set[Value]) -> bool:
    changed = False
    seen: dict[Hashable, Op] = {}
    position: dict[Value, int] = {v: i for i, v in enumerate(block.arguments)}
    kept: list[Op] = []
    for op in block.ops:
        remap_operands(op, replaced)
        for region in op.regions:
            changed |= _cse_block(region, replaced, pinned)
        if mergeable(op) and not any(r in pinned for r in op.results):
            key = op_key(op, position)
            first = seen.get(key)
            if first is not None:
                for old, new in zip(op.results, first.results):
                    replaced[old] = new
                changed = True
                continue
            seen[key] = op
        for r in op.results:
            position[r] = len(position)
        kept.append(op)
    block.ops[:] = kept
    return changed
