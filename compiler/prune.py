"""The prune pass: the step graph of one Session.run, holding only what the fetches need.

Fed tensors become the step graph's arguments and cut their producers off (partial
execution). Variable reads without control operands are scheduled first, so every such
read sees the variable as it was when the step began, whatever the step assigns.
"""

from __future__ import annotations

from collections.abc import Sequence

from dfc.ir.errors import InvalidArgumentError
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.rewrite import clone_op, free_values

from .passes import register_pass


def needed_ops(graph: Graph, roots: Sequence[Value], targets: Sequence[Op], fed: set[Value]) -> set[Op]:
    """Ops that fetching `roots` and running `targets` needs, stopping at fed values."""
    needed: set[Op] = set()
    stack: list[Op] = [v.op for v in roots if v not in fed and v.op is not None] + list(targets)
    while stack:  # every step's cache lookup walks the graph here: plain attribute reads, no helper calls
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        for v in free_values(op) if op.regions else op.operands:
            owner = v.owner
            if isinstance(owner, Op) and owner not in needed and v not in fed:
                stack.append(owner)
    return needed


@register_pass("prune", needs=("fetches",))
def prune(graph: Graph, fetches: Sequence[Value], targets: Sequence[Op] = (),
          feeds: Sequence[Value] = ()) -> Graph:
    """A new graph: arguments for `feeds`, the ops needed, and `dfc.fetch` of `fetches`."""
    fed = set(feeds)
    for v in fetches:
        inner = v.op if v.op is not None else None
        if inner is not None and inner.block is not graph.body and inner.block is not None \
                and inner.block.parent is not graph:
            region_op = inner.block.parent
            raise InvalidArgumentError(
                f"cannot fetch {v.describe()}: it is made inside {region_op.describe()} (a tf.cond branch or "
                f"tf.while_loop body) and exists only while that runs; return it from the branch or body", inner)
    needed = needed_ops(graph, fetches, targets, fed)
    for op in graph.ops:
        if op in needed and op.type == "dfc.placeholder":
            raise InvalidArgumentError(
                f"You must feed a value for placeholder '{op.name}' of type {op.results[0].type}"
                + (f" (defined at {op.loc})" if op.loc else ""), op)
    step = Graph()
    value_map: dict[Value, Value] = {}
    for v in feeds:
        value_map[v] = step.body.add_argument(v.type, v.op.name if v.op is not None and v.index == 0 else
                                              v.name.replace(":", "_"))
    ordered = [op for op in graph.ops if op in needed]
    first = [op for op in ordered if op.type == "dfc.variable" and not op.operands]
    rest = [op for op in ordered if not (op.type == "dfc.variable" and not op.operands)]
    for op in first + rest:
        new = step.append(clone_op(op, value_map, name=step.reserve_name(op.name)))
        for region in new.regions:  # names stay unique across regions too: passes name new ops after old ones
            for inner in region.walk():
                inner.name = step.reserve_name(inner.name)
    fetch_values = [value_map.get(v, v) for v in fetches]
    step.append(Op("dfc.fetch", "fetch", fetch_values, {}, []))
    step.reserve_name("fetch")
    return step
