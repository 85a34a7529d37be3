"""The dce pass: dead-code elimination, removing ops whose results nothing uses.

Kept whatever their uses: stateful ops (assigns must happen; variable reads may fail
and random draws advance their counters), terminators (`dfc.fetch`, `dfc.yield`), and
every op whose results are used by a kept op, control tokens included. Ops are only
removed, never moved, so state-changing ops keep their order. Regions are cleaned too.
"""

from __future__ import annotations

from dfc.ir.graph import Block, Graph, Op
from dfc.ir.ops import get_op_def

from .passes import register_pass


def has_effect(op: Op) -> bool:
    """Whether `op` must stay even when no one uses its results."""
    opdef = get_op_def(op.type)
    if opdef.terminator or opdef.stateful:
        return True
    # a branch or loop that assigns a variable (or draws random numbers) must run for that effect
    return any(get_op_def(inner.type).stateful for region in op.regions for inner in region.walk())


@register_pass("dce")
def dce(graph: Graph) -> Graph:
    """In place: remove dead ops; returns `graph`."""
    if _dce_block(graph.body):
        graph.mark_changed()
    return graph


def _dce_block(block: Block) -> bool:
    """Sweep from the terminator back: an op lives if it has an effect or its results have uses.

    Unlinking a dead op drops its uses at once, so the producers only it read are found
    dead when the sweep reaches them; the block's list is rebuilt once.
    """
    changed = False
    alive: list[Op] = []
    for op in reversed(block.ops):
        if not has_effect(op) and not any(r.has_uses for r in op.results):
            op._set_live(False)
            changed = True
            continue
        for region in op.regions:
            changed |= _dce_block(region)
        alive.append(op)
    if changed:
        alive.reverse()
        block.ops[:] = alive
    return changed
