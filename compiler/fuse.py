"""The fuse pass: group ops into `dfc.fused` kernels whose body region holds them.

The graph's body and each region of a `dfc.if` or `dfc.while` are grouped on their own.

Three kinds of group, each becoming one op with `kind = "..."`:

- "elementwise": a connected set of elementwise ops (`OpDef.elementwise`, plus the
  broadcasts `dfc.broadcast_like` and `dfc.fill_like`) whose results all have one
  static shape. Their operands may be smaller and broadcast. One loop computes them all.
- "reduction": one reduction (`dfc.reduce_*`) with the elementwise group that feeds
  it, when nothing else uses that group: the producers run inside the reduction loop.
- "matmul": one `dfc.matmul` with the elementwise group of its result's shape that
  consumes it (bias add, activation): the epilogue runs on the matmul's output tile.

A group's values that ops outside it use become the fused op's results (in the
order the ops ran); values it uses from outside become its operands, passed to the
region's block arguments, except small constants, which are cloned into the region
so the kernel sees their values (unless `SHARED_KERNELS` or more groups of the block are
alike but for those values, `x * c_i` for many c_i as generated code makes them: those keep
their constants as operands, so that one kernel, compiled once, serves them all). The region
ends in `dfc.yield` of the results:

    %fusion = "dfc.fused"(%x) ({
    ^bb0(%in0: tensor<4xf32>):
      %c = "dfc.constant"() {value = dense<1.5> : tensor<f32>} : () -> tensor<f32>
      %m = "dfc.mul"(%in0, %c) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
      %r = "dfc.relu"(%m) : (tensor<4xf32>) -> tensor<4xf32>
      "dfc.yield"(%r) : (tensor<4xf32>) -> ()
    }) {kind = "elementwise"} : (tensor<4xf32>) -> tensor<4xf32>

Which kinds are formed is the target's fusion policy (`FusionPolicy`): the fuse pass forms
only groups the target's code generator runs as one kernel, so no later stage takes a
fusion apart again. `fusion_policy()` is the CPU backend's (every kind).

Ops are grouped only when they share a device and have no control operands, and a
group only when the fused op, placed where its last op was, comes after every value
it uses and before every op that uses its results: no op of the group may have a
user outside the group before the group's last op. So no op moves and the order of
state-changing ops is kept. A lone op stays as it is.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from dfc.ir.graph import Block, Graph, Op, Value
from dfc.ir.ops import REGISTRY, get_op_def
from dfc.ir.rewrite import free_values
from dfc.ir.types import TensorType

from .cse import _attr_key
from .passes import register_pass

#: constants with at most this many elements are cloned into the regions that use them
CLONE_CONSTANT_ELEMENTS = 16
#: groups alike but for the values of their small constants: from this many on, they read those constants as
#: operands (a kernel each would be compiled each: 200 `tf.reduce_sum(x * i)` took 15 s to compile, not 0.3 s)
SHARED_KERNELS = 4

#: the ops each kind of group may take, as their declarations say (OpDef.fusible_as)
BROADCASTS = frozenset(n for n, d in REGISTRY.items() if d.fusible_as == "broadcast")
REDUCTIONS = frozenset(n for n, d in REGISTRY.items() if d.fusible_as == "reduction")


def _plain(op: Op) -> bool:
    """One static tensor result, no regions, no control operands: an op a kernel can hold."""
    return (len(op.results) == 1 and isinstance(op.results[0].type, TensorType) and op.results[0].type.is_static
            and not op.regions and not op.control_inputs)


def is_elementwise(op: Op) -> bool:
    """Whether `op` can join an elementwise group: one loop over its result computes it."""
    opdef = get_op_def(op.type)
    return opdef.fusible_as in ("elementwise", "broadcast") and not opdef.stateful and _plain(op)


@dataclass(frozen=True)
class FusionPolicy:
    """The kinds of group a target's code generator runs as one kernel (and so the kinds fuse forms)."""

    elementwise: bool = True
    #: a reduction with the elementwise producers that feed only it, inside its loop
    reduction: bool = True
    #: a matmul with the elementwise consumers of its result's shape, run on each block of its output
    matmul_epilogue: bool = True
    #: ops per group at most: LLVM's time for one kernel grows faster than the kernel (a chain of 3000 sin
    #: and its gradient as one kernel did not compile in ten minutes; as groups of 16 its kernels repeat,
    #: and each distinct one compiles once), and growing one group costs a pass over its ops
    max_ops: int = 16


CPU_POLICY = FusionPolicy()


def fusion_policy() -> FusionPolicy:
    """The policy of the target the step compiles for (the CPU backend's until a Target provides its own)."""
    return CPU_POLICY


@dataclass(eq=False)
class Group:
    """Ops to fuse: their kind, the shape of their elementwise part and their device."""

    kind: str
    shape: tuple[int, ...]
    device: str | None
    ops: set[Op] = field(default_factory=set)


class _Planner:
    """Decides the groups of one block; the IR changes only when `_Fuser` builds them."""

    def __init__(self, block: Block, policy: FusionPolicy):
        self.block = block
        self.policy = policy
        self.pos = {op: i for i, op in enumerate(block.ops)}
        self.users: dict[Value, list[Op]] = {}
        for op in block.ops:
            for v in free_values(op):
                self.users.setdefault(v, []).append(op)
        self.group_of: dict[Op, Group] = {}

    def external_users(self, ops: set[Op]) -> list[Op]:
        return [u for op in ops for r in op.results for u in self.users.get(r, ()) if u not in ops]

    def placeable(self, ops: set[Op]) -> bool:
        """Whether the fused op can stand where the last op is: no outside use of a member before it."""
        last = max(self.pos[op] for op in ops)
        return all(self.pos[u] > last for u in self.external_users(ops))

    def merge(self, a: Group, b: Group, kind: str | None = None) -> bool:
        if a is b:
            return True
        if len(a.ops) + len(b.ops) > self.policy.max_ops:
            return False
        ops = a.ops | b.ops
        if a.device != b.device or not self.placeable(ops):
            return False
        a.ops = ops
        a.kind = kind or a.kind
        for op in b.ops:
            self.group_of[op] = a
        return True

    def producer_group(self, value: Value) -> Group | None:
        op = value.op
        return self.group_of.get(op) if op is not None and op.block is self.block else None

    def plan(self) -> list[Group]:
        ops = self.block.ops
        # 1. elementwise chains of one shape, grown in program order from producers to consumers (the
        # building blocks of the other kinds too: kept on their own only where the policy says so)
        for op in ops:
            if not is_elementwise(op):
                continue
            group = Group("elementwise", op.results[0].type.shape, op.device, {op})
            self.group_of[op] = group
            for v in op.inputs:
                producer = self.producer_group(v)
                if producer is not None and producer.kind == "elementwise" and producer.shape == group.shape:
                    if self.merge(producer, group):
                        group = producer
        # 2. a matmul takes the elementwise group of its shape that consumes it as its epilogue
        for op in ops if self.policy.matmul_epilogue else ():
            if get_op_def(op.type).fusible_as != "matmul" or not _plain(op):
                continue
            consumers = {self.group_of.get(u) for u in self.users.get(op.results[0], ())}
            consumers = [g for g in consumers if g is not None and g.kind == "elementwise"
                         and g.shape == op.results[0].type.shape]
            if len(consumers) == 1:
                mm = Group("matmul", consumers[0].shape, op.device, {op})
                self.group_of[op] = mm
                if not self.merge(consumers[0], mm, kind="matmul"):
                    del self.group_of[op]
        # 3. a reduction takes the elementwise group that feeds only it
        for op in ops if self.policy.reduction else ():
            if op.type not in REDUCTIONS or not _plain(op):
                continue
            producer = self.producer_group(op.inputs[0])
            if producer is None or producer.kind != "elementwise":
                continue
            if any(u is not op for u in self.external_users(producer.ops)):
                continue
            red = Group("reduction", producer.shape, op.device, {op})
            self.group_of[op] = red
            if not self.merge(producer, red, kind="reduction"):
                del self.group_of[op]
        groups = list(dict.fromkeys(self.group_of.values()))
        return [g for g in groups if len(g.ops) > 1 and self.external_users(g.ops)
                and (g.kind != "elementwise" or self.policy.elementwise)]


class _Fuser:
    """Builds the `dfc.fused` op of each planned group and splices it into the block."""

    def __init__(self, graph: Graph, block: Block, planner: _Planner):
        self.graph = graph
        self.block = block
        self.planner = planner
        self.clones: dict[Op, list[Op]] = {}

    def _shape_of(self, group: Group) -> tuple[Hashable, tuple]:
        """(what the group's kernel is but for its small constants' values, those values)."""
        members = sorted(group.ops, key=self.planner.pos.__getitem__)
        where = {r: (i, j) for i, op in enumerate(members) for j, r in enumerate(op.results)}
        parts, values = [], []
        for op in members:
            operands = []
            for v in op.operands:
                if v in where:
                    operands.append(where[v])
                elif _clonable(v):
                    operands.append(("constant", v.type))
                    values.append(_attr_key(v.op.attrs["value"]))
                else:
                    operands.append(("input", v.type))
            attrs = tuple(sorted((k, _attr_key(a)) for k, a in op.attrs.items()))
            parts.append((op.type, tuple(operands), attrs, tuple(r.type for r in op.results)))
        return (group.kind, group.device, tuple(parts)), tuple(values)

    def _shared(self, groups: list[Group]) -> set[int]:
        """The ids of groups whose kernel SHARED_KERNELS or more groups share but for their constants' values."""
        alike: dict[Hashable, list[tuple[int, tuple]]] = {}
        for g in groups:
            shape, values = self._shape_of(g)
            if values:
                alike.setdefault(shape, []).append((id(g), values))
        return {gid for same in alike.values() if len(same) >= SHARED_KERNELS and len({v for _, v in same}) > 1
                for gid, _ in same}

    def build(self, group: Group, clone: bool = True) -> tuple[Op, dict[Value, Value]]:
        """The fused op (not yet in the block) and the map from members' results to its results (`clone`: small
        constants cloned into its region, else its operands)."""
        members = sorted(group.ops, key=self.planner.pos.__getitem__)
        inside = set(group.ops)
        inputs: list[Value] = []
        cloned: dict[Value, Value] = {}
        for op in members:
            for v in op.operands:
                if v.op in inside or v in inputs or v in cloned:
                    continue
                if clone and _clonable(v):
                    cloned[v] = v  # filled in below, once the region exists
                else:
                    inputs.append(v)
        region = Block([v.type for v in inputs], [f"in{i}" for i in range(len(inputs))])
        inner = dict(zip(inputs, region.arguments))
        for const in cloned:
            source = const.op
            copy = Op(source.type, self.graph.reserve_name(source.name), [], source.attrs, [const.type],
                      device=source.device, loc=source.loc)
            region.append(copy)
            inner[const] = copy.results[0]
            self.clones.setdefault(source, []).append(copy)
        for op in members:
            region.append(op)  # first: out of the graph, its operands change without use-list traffic
            op.operands = [inner.get(v, v) for v in op.operands]
        outputs = [r for op in members for r in op.results
                   if any(u not in inside for u in self.planner.users.get(r, ()))]
        region.append(Op("dfc.yield", self.graph.reserve_name("yield"), outputs, {}, []))
        root = members[-1]
        fused = Op("dfc.fused", self.graph.reserve_name("fusion"), inputs, {"kind": group.kind},
                   [r.type for r in outputs], device=group.device, loc=root.loc, regions=[region])
        region.parent = fused
        return fused, dict(zip(outputs, fused.results))

    def run(self, groups: list[Group]) -> None:
        by_root = {max(g.ops, key=self.planner.pos.__getitem__): g for g in groups}
        members = {op for g in groups for op in g.ops}
        shared = self._shared(groups) if len(groups) >= SHARED_KERNELS else set()
        replaced: dict[Value, Value] = {}
        new_ops: list[Op] = []
        for op in self.block.ops:
            if op in by_root:
                fused, results = self.build(by_root[op], clone=id(by_root[op]) not in shared)
                fused.block = self.block
                fused.operands = [replaced.get(v, v) for v in fused.operands]
                replaced.update(results)
                new_ops.append(fused)
            elif op not in members:
                if replaced:  # rewritten only where a use changes: each assignment re-links use-lists
                    _replace_operands(op, replaced)
                    for region in op.regions:
                        for inner in region.walk():
                            _replace_operands(inner, replaced)
                new_ops.append(op)
        # constants now used only inside regions (as clones) are dropped; their first clone takes their name
        used = {v for op in new_ops for v in free_values(op)}
        kept = []
        for op in new_ops:
            if op in self.clones and op.results[0] not in used:
                self.clones[op][0].name = op.name
            else:
                kept.append(op)
        self.block.ops[:] = kept


def _replace_operands(op: Op, replaced: dict[Value, Value]) -> None:
    if any(v in replaced for v in op.operands):
        op.operands = [replaced.get(v, v) for v in op.operands]


def _clonable(value: Value) -> bool:
    op = value.op
    return (op is not None and op.type == "dfc.constant" and not op.control_inputs
            and value.type.num_elements is not None and value.type.num_elements <= CLONE_CONSTANT_ELEMENTS)


@register_pass("fuse")
def fuse(graph: Graph, policy: FusionPolicy | None = None) -> Graph:
    """In place: replace each group of the body (the kinds `policy` allows) by one `dfc.fused` op; returns `graph`."""
    policy = policy or fusion_policy()
    # the body, and the regions of branches and loops (each on its own: nothing is fused across a region's edge)
    blocks = [graph.body] + [region for op in graph.walk() if op.type in ("dfc.if", "dfc.while")
                             for region in op.regions]
    for block in blocks:
        planner = _Planner(block, policy)
        groups = planner.plan()
        if groups:
            _Fuser(graph, block, planner).run(groups)
            graph.mark_changed()
    return graph
