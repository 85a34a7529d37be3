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
            for nested in inner.regions:  # a nested tf.cond's or loop's own arguments are not free either
                defined.update(nested.arguments)
        for inner in region.walk():
            for v in inner.operands:
                if v not in defined:
                    seen.setdefault(v)
    return list(seen)


def replace_uses(ops: Iterable[Op], old: Value, new: Value) -> None:
    """Point every use of `old` among `ops` (and their regions) at `new`.

    Uses by ops in a graph come from `old`'s use-list; ops of `ops` not in a graph are scanned.
    """
    replace_all_uses(ops, {old: new})


def replace_all_uses(ops: Iterable[Op], replacements: dict[Value, Value]) -> None:
    """replace_uses for each old -> new pair, looking at `ops` once for all of them."""
    ops = list(ops)
    scope = set(ops)
    for old, new in replacements.items():
        for user, index in old.uses:
            if _enclosing(user, scope):
                user.set_operand(index, new)
    for op in ops:
        if not op.in_graph:
            for old, new in replacements.items():
                _scan_replace(op, old, new)


def _enclosing(op: Op, scope: set[Op]) -> bool:
    """Whether `op` or an op whose regions hold it is in `scope`."""
    while op is not None:
        if op in scope:
            return True
        parent = op.block.parent if op.block is not None else None
        op = parent if isinstance(parent, Op) else None
    return False


def _scan_replace(op: Op, old: Value, new: Value) -> None:
    op.operands = [new if v is old else v for v in op.operands]
    for region in op.regions:
        for inner in region.ops:
            _scan_replace(inner, old, new)


def users(graph: Graph) -> dict[Value, list[Op]]:
    """For each value, the ops of the top-level block that use it."""
    out: dict[Value, list[Op]] = {}
    for op in graph.ops:
        for v in free_values(op):
            out.setdefault(v, []).append(op)
    return out
