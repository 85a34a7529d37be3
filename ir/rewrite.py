"""Helpers for passes that copy or rewrite IR: cloning ops and blocks, replacing uses, free values."""

from __future__ import annotations

from collections.abc import Iterable

from .graph import Block, Graph, Op, Value


def clone_block(block: Block, value_map: dict[Value, Value]) -> Block:
    """A copy of `block` whose uses of outer values go through `value_map`."""
    new = Block([a.type for a in block.arguments], [a.arg_name for a in block.arguments])
    inner = dict(value_map)
    for old_arg, new_arg in zip(block.arguments, new.arguments):
        inner[old_arg] = new_arg
    for op in block.ops:
        new.append(clone_op(op, inner))
    return new


def clone_op(op: Op, value_map: dict[Value, Value], name: str | None = None) -> Op:
    """A copy of `op` (not yet in any block) with operands mapped; records its results in value_map."""
    operands = [value_map.get(v, v) for v in op.operands]
    regions = [clone_block(r, value_map) for r in op.regions]
    new = Op(op.type, name or op.name, operands, op.attrs, [r.type for r in op.results], device=op.device,
             loc=op.loc, regions=regions)
    for region in regions:
        region.parent = new
    for old, fresh in zip(op.results, new.results):
        value_map[old] = fresh
    return new


def free_values(op: Op) -> list[Value]:
    """Operands of `op` plus values its regions use from outside them."""
    seen: dict[Value, None] = dict.fromkeys(op.operands)
    for region in op.regions:
        defined = set(region.arguments)
        for inner in region.walk():
            defined.update(inner.results)
        for inner in region.walk():
            for v in inner.operands:
                if v not in defined:
                    seen.setdefault(v)
    return list(seen)


def replace_uses(ops: Iterable[Op], old: Value, new: Value) -> None:
    """Point every use of `old` among `ops` (and their regions) at `new`."""
    for op in ops:
        op.operands = [new if v is old else v for v in op.operands]
        for region in op.regions:
            replace_uses(region.ops, old, new)


def users(graph: Graph) -> dict[Value, list[Op]]:
    """For each value, the ops of the top-level block that use it."""
    out: dict[Value, list[Op]] = {}
    for op in graph.ops:
        for v in free_values(op):
            out.setdefault(v, []).append(op)
    return out
