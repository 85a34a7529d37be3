"""The prune pass: the step graph of one Session.run, holding only what the fetches need.

Fed tensors become the step graph's arguments and cut their producers off (partial
execution). Variable reads without control operands are scheduled first, so every such
read sees the variable as it was when the step began, whatever the step assigns; the exceptions
are TF1's aliasing of a ref variable's buffer: an op ordered after a write of the variable (by its
operands or control dependencies) reads it afresh after the write, and a variable fetched itself
shows the run's updates (TF1 fetches its ref tensor).
"""

from __future__ import annotations

from collections.abc import Sequence

from dfc.ir.errors import InvalidArgumentError
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.ops import get_op_def
from dfc.ir.rewrite import clone_op, free_values
from dfc.ir.types import CONTROL

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
    _reads_after_writes(step)
    fetch_values = _final_variable_reads(step, fetches, [value_map.get(v, v) for v in fetches], fed)
    step.append(Op("dfc.fetch", "fetch", fetch_values, {}, []))
    step.reserve_name("fetch")
    return step


def _written_variables(op: Op) -> set[str]:
    """The variables `op` assigns, in its regions too (a tf.cond branch or loop body that assigns)."""
    names = {op.attrs["variable"]} if get_op_def(op.type).writes_variable and "variable" in op.attrs else set()
    for region in op.regions:
        for inner in region.walk():
            if get_op_def(inner.type).writes_variable and "variable" in inner.attrs:
                names.add(inner.attrs["variable"])
    return names


def _reads_after_writes(step: Graph) -> None:
    """An op that runs after a write of a variable (through its operands or control dependencies) and reads that
    variable's step-start value reads it afresh, after the write.

    TF1's reads alias the variable's buffer, so `with tf.control_dependencies([v.assign_add(1)]):
    y = tf.identity(v)` sees the update; a read with no such order keeps the value at the start of the step.
    """
    no_writes: frozenset[str] = frozenset()
    before: dict[Op, frozenset[str]] = {}  # op -> the variables written by the ops it runs after
    after_writes: dict[Op, frozenset[str]] = {}  # the same, counting op's own writes
    fresh_reads: dict[tuple[str, tuple[Value, ...]], Value] = {}  # (variable, the writes waited on) -> its read
    for op in list(step.body.ops):
        written = no_writes
        for v in op.operands:
            owner = v.owner
            if isinstance(owner, Op):
                seen = after_writes.get(owner, no_writes)
                if seen and not seen <= written:
                    written = written | seen
        before[op] = written
        own = _written_variables(op) if op.regions or get_op_def(op.type).writes_variable else ()
        after_writes[op] = written | own if own else written
        if written and op.type != "dfc.grad":  # a gradient's operands name what to differentiate, not reads
            _reread_written(step, op, written, after_writes, fresh_reads)


def _reread_written(step: Graph, op: Op, written: frozenset[str], after_writes: dict[Op, frozenset[str]],
                    fresh_reads: dict[tuple[str, tuple[Value, ...]], Value]) -> None:
    """Point op's operands that are step-start reads of variables in `written` at fresh reads after the writes;
    ops that wait on the same writes share one read (it sits before the first of them)."""
    operands = list(op.operands)  # as they were: the waits are op's own operands, not the reads made here
    for index, v in enumerate(operands):
        read = v.owner
        if not (isinstance(read, Op) and read.type == "dfc.variable" and not read.operands
                and read.attrs["name"] in written):
            continue
        name = read.attrs["name"]
        waits = tuple(dict.fromkeys(u for u in operands
                                    if isinstance(u.owner, Op) and name in after_writes.get(u.owner, ())))
        fresh = fresh_reads.get((name, waits))
        if fresh is None or fresh.type != v.type:
            group = Op("dfc.group", step.reserve_name(f"{op.name}/after_writes"), list(waits), {}, [CONTROL],
                       device=read.device)
            reread = Op("dfc.variable", step.reserve_name(f"{read.name}/after_writes"), [group.results[0]],
                        dict(read.attrs), [v.type], device=read.device, loc=read.loc)
            for new in (group, reread):
                step.append(new)
                new.move_before(op)
            after_writes[group] = after_writes[reread] = written
            fresh = fresh_reads[(name, waits)] = reread.results[0]
        op.set_operand(index, fresh)


def _final_variable_reads(step: Graph, fetches: Sequence[Value], fetch_values: list[Value],
                          fed: set[Value]) -> list[Value]:
    """Fetches of a variable itself, in a step that also assigns it, read it after the assigns.

    TF1 fetches a variable through its ref tensor, whose buffer is the variable: `sess.run([train_op,
    global_step])` returns the step after train_op incremented it. Reads inside the computation (`v + 0`,
    `v.value()`) keep the value at the start of the step.
    """
    def fetched_variable(v: Value) -> str | None:
        op = v.op
        if op is None or op.type != "dfc.variable" or op.operands or v in fed:
            return None
        return op.attrs["name"]

    wanted = {name for name in map(fetched_variable, fetches) if name is not None}
    if not wanted:
        return fetch_values
    writers: dict[str, list[Op]] = {}
    for op in step.ops:
        for name in _written_variables(op) & wanted:
            writers.setdefault(name, []).append(op)
    late: dict[str, Value] = {}
    out = []
    for old, new in zip(fetches, fetch_values):
        name = fetched_variable(old)
        if name is None or name not in writers:
            out.append(new)
            continue
        if name not in late:
            controls = []
            for writer in writers[name]:
                done = next((r for r in writer.results if r.is_control), None)
                if done is None:  # wait for the writer's result, as a control dependency on it does
                    done = step.append(Op("dfc.group", step.reserve_name(f"{writer.name}/done"),
                                          [writer.results[0]], {}, [CONTROL], device=writer.device)).results[0]
                controls.append(done)
            read = Op("dfc.variable", step.reserve_name(f"{old.op.name}/after_run"), controls, dict(old.op.attrs),
                      [old.type], device=old.op.device, loc=old.op.loc)
            late[name] = step.append(read).results[0]
        out.append(late[name])
    return out
