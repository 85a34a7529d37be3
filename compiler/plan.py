"""The plan pass: where every tensor of a step lives (inputs, outputs, variables, constants, one arena).

A step's values get storage in one of five places, each a slot of the native entry
function's pointer array: the fed inputs, the fetched outputs, the variables' live
buffers, the constants, and one arena for temporaries. Arena offsets come from the
values' lifetimes (first-fit, 64-byte aligned) with in-place reuse: an elementwise op
may write over an operand that dies at it. Shape ops that do not move data (reshape,
squeeze, identity ...) alias their operand. A variable read aliases the variable's
buffer unless the step assigns that variable while the read's value (or a view of it) is
still to be used: then the read is a copy taken where the read runs, which keeps the
interpreter's snapshot semantics. The other way round, a kernel whose result the step
assigns to a variable writes it straight into the variable's buffer when no read of the
old value is used after that kernel (see _find_direct_writes): an optimizer's update is
then one pass over its variables, with no temporary and no copy.

`dfc.fused` ops stay one kernel: the fuse pass forms only the kinds the target runs as
one (its fusion policy). A "matmul" one writes its GEMM into the buffer of the result
that yields the product, else of its first result of the product's dtype, else into a
temporary of its own, then runs its epilogue there. Only a fused op of a form the fuse
pass never makes (written by hand in IR text) is planned op by op, its region flattened.
"""

from __future__ import annotations

import bisect
from collections.abc import Container
from dataclasses import dataclass, field

import numpy as np

from dfc.ir.graph import Graph, Op, Value
from dfc.ir.ops import get_op_def, ops_with
from dfc.ir.types import TensorType

from .control_flow import CONTROL_OPS, ControlMark, flatten_control
from .passes import PassResult, register_pass

ALIGN = 64

#: ops whose result is their operand's bytes, read in place (OpDef.view)
ALIAS_OPS = ops_with("view")

#: ops that run no code (OpDef.no_code)
NO_CODE_OPS = ops_with("no_code")


@dataclass
class Storage:
    """Where a value's bytes are: `slot` kind, its index among that kind, and a byte offset."""

    slot: str  # input | output | variable | constant | arena
    index: int
    offset: int
    nbytes: int


@dataclass
class Plan:
    """The storage of every value of a step, the ops to run in order and the arena's size."""

    items: list[Op]
    inputs: list[Value]
    outputs: list[Value]
    variables: list[str]
    constants: list[np.ndarray]
    arena_size: int
    storage: dict[Value, Storage]
    fetch_copies: list[tuple[Value, int]]  # (value, output index) copied once every op ran
    snapshot_reads: set[Op] = field(default_factory=set)
    in_place: dict[Value, Value] = field(default_factory=dict)  # result -> the operand whose buffer it took
    canonical: dict[Value, Value] = field(default_factory=dict)

    def where(self, value: Value) -> Storage:
        return self.storage[self.canonical.get(value, value)]

    def report(self) -> str:
        """The plan as text: one line per buffer and the arena's peak size."""
        lines = [f"plan: {len(self.items)} ops, {len(self.inputs)} inputs, {len(self.outputs)} outputs, "
                 f"{len(self.variables)} variables, {len(self.constants)} constants, "
                 f"arena peak {self.arena_size} bytes"]
        for value, st in self.storage.items():
            if not isinstance(value.type, TensorType):
                continue
            name = value.op.name if value.op is not None and len(value.op.results) == 1 else value.name
            if st.slot == "variable":
                place = f"variable {self.variables[st.index]}"
            elif st.slot == "arena":
                place = f"arena [{st.offset}, {st.offset + st.nbytes})"
            else:
                place = f"{st.slot} #{st.index}" + (f" +{st.offset}" if st.offset else "")
            extra = f"  in place of %{self.in_place[value].name}" if value in self.in_place else ""
            lines.append(f"  %{name:<24} {str(value.type):<28} {st.nbytes:>10} B  {place}{extra}")
        return "\n".join(lines)


def nbytes(value: Value) -> int:
    t = value.type
    return int(t.num_elements) * t.dtype.itemsize if isinstance(t, TensorType) else 0


def is_elementwise_kernel(op: Op) -> bool:
    """An op lowered as one loop over its output that reads each operand at the same (broadcast) index."""
    if op.type == "dfc.fused":
        return fused_is_one_loop(op)
    if op.type in ALIAS_OPS:
        return False
    return get_op_def(op.type).elementwise


def _region_leaf(op: Op) -> bool:
    """A constant or a broadcast in a region: the kernel reads it at each index, it needs no loop of its own."""
    return op.type == "dfc.constant" or get_op_def(op.type).fusible_as == "broadcast"


def fused_is_one_loop(op: Op) -> bool:
    """Whether a fused op can run as ONE loop nest: elementwise body, every yield of one shape."""
    if op.attrs.get("kind") != "elementwise" or not op.regions:
        return False
    body = op.regions[0]
    term = body.terminator
    if term is None or not term.inputs:
        return False
    shape = term.inputs[0].type.shape
    if any(v.type.shape != shape for v in term.inputs) or any(r.type.shape != shape for r in op.results):
        return False
    for inner in body.ops[:-1]:
        if _region_leaf(inner):
            continue
        if inner.regions or not get_op_def(inner.type).elementwise:
            return False
    return all(isinstance(v.type, TensorType) for v in op.inputs)


def fused_is_one_reduction(op: Op) -> bool:
    """Whether a fused "reduction" is elementwise producers feeding one reduction that it yields alone."""
    if op.attrs.get("kind") != "reduction" or not op.regions:
        return False
    body = op.regions[0]
    if len(body.ops) < 2 or len(op.results) != 1:
        return False
    red, term = body.ops[-2], body.ops[-1]
    if not get_op_def(red.type).reduction or not get_op_def(term.type).terminator or term.inputs != [red.result]:
        return False
    for inner in body.ops[:-2]:
        if inner.regions or not (_region_leaf(inner) or get_op_def(inner.type).elementwise):
            return False
        if len(inner.results) != 1:
            return False
    shape = red.inputs[0].type.shape
    try:  # every operand and producer reads at the reduction input's (broadcast) index
        return all(np.broadcast_shapes(v.type.shape, shape) == tuple(shape) for v in op.inputs) and all(
            np.broadcast_shapes(i.result.type.shape, shape) == tuple(shape) for i in body.ops[:-2])
    except ValueError:
        return False


def fused_matmul(op: Op) -> Op | None:
    """The matmul of a fused "matmul" whose epilogue can run on its output blocks, else None.

    The region must be one matmul of block arguments (or constants) and elementwise ops whose
    results all have the product's shape: each output element is then the epilogue applied to
    the product's element at the same index, and any block of rows can finish on its own.
    """
    if op.attrs.get("kind") != "matmul" or not op.regions:
        return None
    body = op.regions[0]
    mms = [inner for inner in body.ops if inner.type == "dfc.matmul"]
    if len(mms) != 1 or body.terminator is None or not op.results:
        return None
    mm = mms[0]
    shape = mm.result.type.shape
    if len(shape) < 2 or any(v.op is not None and v.op.type != "dfc.constant" for v in mm.inputs) \
            or not all(isinstance(v.type, TensorType) for v in op.inputs):
        return None
    for inner in body.ops[:-1]:
        if inner is mm or inner.type == "dfc.constant":
            continue
        if (inner.regions or len(inner.results) != 1 or inner.result.type.shape != shape
                or not (inner.type in ("dfc.fill_like", "dfc.broadcast_like") or get_op_def(inner.type).elementwise)):
            return None
    epilogue_reads = {v for inner in body.ops[:-1] if inner is not mm for v in inner.inputs}
    try:
        if any(np.broadcast_shapes(v.type.shape, shape) != tuple(shape) for v in epilogue_reads
               if v.op is None or v.op.type == "dfc.constant"):
            return None
    except ValueError:
        return None
    return mm if all(r.type.shape == shape for r in op.results) else None


def gemm_destination(op: Op, mm: Op, avoid: Container[Value] = ()) -> Value | None:
    """The result of fused matmul `op` whose buffer the GEMM writes: the product's own, else one of its dtype.

    Results in `avoid` (written straight into a variable the epilogue still reads) are not taken.
    """
    yielded = op.regions[0].terminator.inputs
    if mm.result in yielded:
        return op.results[yielded.index(mm.result)]
    return next((r for r in op.results if r.type.dtype == mm.result.type.dtype and r not in avoid), None)


def _read_at_each_index(op: Op) -> list[Value]:
    """The operands a kernel reads at the index of each output element it writes (all of an elementwise one's;
    a fused matmul's epilogue operands, not its GEMM's)."""
    if op.type != "dfc.fused" or op.attrs.get("kind") != "matmul":
        return list(op.inputs)
    mm = fused_matmul(op)
    body = op.regions[0]
    gemm_args = set(mm.inputs) if mm is not None else set(body.arguments)
    return [outer for arg, outer in zip(body.arguments, op.inputs) if arg not in gemm_args]


def flatten(ops: list[Op], canonical: dict[Value, Value]) -> list[Op]:
    """The ops to run in order; a fused op of a form no kernel runs is replaced by its region's ops, a dfc.if or
    dfc.while by its regions' ops between control marks (control_flow.py)."""
    out: list[Op] = []
    for op in ops:
        if op.type == "dfc.fused" and not fused_is_one_loop(op) and not fused_is_one_reduction(op) \
                and fused_matmul(op) is None:
            body = op.regions[0]
            for arg, operand in zip(body.arguments, op.inputs):
                canonical[arg] = canonical.get(operand, operand)
            out.extend(flatten(body.ops[:-1], canonical))
            for result, yielded in zip(op.results, body.terminator.inputs):
                canonical[result] = canonical.get(yielded, yielded)
        elif op.type in CONTROL_OPS:
            out.extend(flatten_control(op, canonical, flatten))
        elif op.type not in NO_CODE_OPS:
            out.append(op)
    return out


def plan_step(graph: Graph) -> Plan:
    """Plan the storage of a specialized (all shapes static) step graph."""
    return _StepPlanner(graph).plan()


class _StepPlanner:
    """plan_step's work: liveness of the flattened ops, then each value's storage (input, output,
    constant, variable slot, in place of an operand, a view of its source), then arena offsets."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.canonical: dict[Value, Value] = {}
        self.items = flatten(graph.ops, self.canonical)
        fetch_op = graph.body.terminator
        self.fetched = [self.canon(v) for v in (fetch_op.inputs if fetch_op is not None else [])]
        self.end = len(self.items)
        self.last_use: dict[Value, int] = {}
        for i, op in enumerate(self.items):
            for v in op.inputs:
                self.last_use[self.canon(v)] = i
        for v in self.fetched:
            self.last_use[v] = self.end
        self.assigned: dict[str, int] = {}
        for op in self.items:
            if get_op_def(op.type).writes_variable:
                self.assigned[op.attrs["variable"]] = self.assigned.get(op.attrs["variable"], 0) + 1
        self._find_views_and_assigns()
        self.direct_writes = self._find_direct_writes()
        self.storage: dict[Value, Storage] = {}
        self.root: dict[Value, Value] = {}  # value -> the value owning its buffer
        self.root_last: dict[Value, int] = {}  # root -> the last use of any value sharing its buffer
        self.defined_at: dict[Value, int] = {}
        self.variables: list[str] = []
        self.constants: list[np.ndarray] = []
        self.outputs_taken: set[int] = set()
        self.in_place: dict[Value, Value] = {}
        self.snapshot_reads: set[Op] = set()

    def canon(self, v: Value) -> Value:
        return self.canonical.get(v, v)

    def _find_views_and_assigns(self) -> None:
        # a read whose value (and every view of it) is last used before the next assign of its variable
        # can alias the variable's buffer: nothing it feeds can see the assign, so no snapshot is needed
        self.view_last: dict[Value, int] = {}
        view_base: dict[Value, Value] = {}
        self.assign_at: dict[str, list[int]] = {}
        for i, op in enumerate(self.items):
            if op.type in ALIAS_OPS:
                base = view_base.get(self.canon(op.inputs[0]), self.canon(op.inputs[0]))
                view_base[op.result] = base
                self.view_last[base] = max(self.view_last.get(base, -1), self.last_use.get(op.result, -1))
            elif get_op_def(op.type).writes_variable:  # assign, assign_add/sub, assign_rows: all write in place
                self.assign_at.setdefault(op.attrs["variable"], []).append(i)

    def _find_direct_writes(self) -> dict[Value, str]:
        """Elementwise kernels' results that an assign copies into a variable and the kernel can write there itself.

        The kernel may overwrite the variable when the step assigns it once, the result is exactly the
        variable's type, and no read of the variable's old value is used after the kernel (the kernel
        itself may read it, at the same index it writes: a loop reads all its operands at an index
        before it stores any result there). An optimizer's update (Adam's m, v and variable, fused into
        one kernel of three results) then makes one pass over its variables instead of writing
        temporaries and copying them.
        """
        made_at = {r: i for i, op in enumerate(self.items) for r in op.results}
        reads: dict[str, list[Op]] = {}
        for op in self.items:
            if op.type == "dfc.variable":
                reads.setdefault(op.attrs["name"], []).append(op)
        direct: dict[Value, str] = {}
        for op in self.items:
            if op.type != "dfc.assign" or self.assigned.get(op.attrs["variable"]) != 1:
                continue
            name, value = op.attrs["variable"], self.canon(op.inputs[0])
            i = made_at.get(value)
            if (i is None or value in direct or value in self.fetched or value.type != op.results[0].type
                    or not (is_elementwise_kernel(self.items[i]) or self._epilogue_result(self.items[i], value))):
                continue
            same_index = {self.canon(u) for u in _read_at_each_index(self.items[i]) if u.type.shape == value.type.shape}
            if all(self._old_value_done(read, i, same_index) for read in reads.get(name, [])):
                direct[value] = name
        return direct

    @staticmethod
    def _epilogue_result(op: Op, value: Value) -> bool:
        """Whether `value` is a result a fused matmul's epilogue computes (not its GEMM's product itself)."""
        if op.type != "dfc.fused" or op.attrs.get("kind") != "matmul":
            return False
        mm = fused_matmul(op)
        if mm is None:
            return False
        yielded = op.regions[0].terminator.inputs[op.results.index(value)]
        return yielded is not mm.result

    def _old_value_done(self, read: Op, i: int, same_index: set[Value]) -> bool:
        """Whether a read of a variable is used no later than item i, and at i only as an operand read in place."""
        last = max(self.last_use.get(read.result, -1), self.view_last.get(read.result, -1))
        if last < i:
            return True
        if last > i or self.view_last.get(read.result, -1) >= i:
            return False
        return read.result in same_index

    def reads_before_assign(self, i: int, read: Op) -> bool:
        value = read.result
        last = max(self.last_use.get(value, -1), self.view_last.get(value, -1))
        following = [k for k in self.assign_at.get(read.attrs["name"], []) if k > i]
        return last < self.end and (not following or last < following[0])

    def variable_slot(self, name: str) -> int:
        if name not in self.variables:
            self.variables.append(name)
        return self.variables.index(name)

    def set_root(self, v: Value, r: Value) -> None:
        self.root[v] = r
        self.root_last[r] = max(self.root_last.get(r, -1), self.last_use.get(v, -1))

    def members_last_use(self, r: Value) -> int:
        return self.root_last.get(r, -1)

    def plan(self) -> Plan:
        for i, arg in enumerate(self.graph.arguments):
            self.storage[arg] = Storage("input", i, 0, nbytes(arg))
            self.set_root(arg, arg)
        for i, op in enumerate(self.items):
            if not self._place_special(i, op):
                self._place_results(i, op)
        peak = self._place_arena()
        storage, root = self.storage, self.root
        for v, r in root.items():
            if v not in storage and r in storage:
                st = storage[r]
                storage[v] = Storage(st.slot, st.index, st.offset, nbytes(v))
        fetch_copies = [(v, j) for j, v in enumerate(self.fetched) if j not in self.outputs_taken]
        return Plan(self.items, list(self.graph.arguments), self.fetched, self.variables, self.constants, peak,
                    storage, fetch_copies, self.snapshot_reads, self.in_place, self.canonical)

    def _own_slot(self, op: Op, slot: Storage) -> bool:
        self.storage[op.result] = slot
        self.set_root(op.result, op.result)
        return True

    def _place_special(self, i: int, op: Op) -> bool:
        """Storage for a view, constant, variable read or write, and a fused matmul's product;
        True when op's results need nothing more."""
        if op.type in ALIAS_OPS:
            self.set_root(op.result, self.root[self.canon(op.inputs[0])])
            return True
        if op.type == "dfc.constant":
            if op.result in self.last_use:
                self.constants.append(np.ascontiguousarray(op.attrs["value"], dtype=op.result.type.dtype.np))
                self.storage[op.result] = Storage("constant", len(self.constants) - 1, 0, nbytes(op.result))
            self.set_root(op.result, op.result)
            return True
        if op.type == "dfc.variable" and op.attrs["name"] not in self.assigned:
            return self._own_slot(op, Storage("variable", self.variable_slot(op.attrs["name"]), 0, nbytes(op.result)))
        if op.type == "dfc.fused" and op.attrs.get("kind") == "matmul":
            product = fused_matmul(op).result
            destination = gemm_destination(op, product.op, self.direct_writes)
            if destination is not None:
                self.canonical[product] = destination
            else:  # a temporary of its own, live only while the kernel runs
                self.set_root(product, product)
                self.defined_at[product] = i
                self.last_use[product] = i
                self.root_last[product] = i
        if op.type == "dfc.variable":
            if self.reads_before_assign(i, op):
                return self._own_slot(op, Storage("variable", self.variable_slot(op.attrs["name"]), 0,
                                                  nbytes(op.result)))
            self.snapshot_reads.add(op)
            self.variable_slot(op.attrs["name"])
        if get_op_def(op.type).writes_variable:
            slot = self.variable_slot(op.attrs["variable"])
            if self.assigned[op.attrs["variable"]] == 1:
                return self._own_slot(op, Storage("variable", slot, 0, nbytes(op.result)))
        return False

    def _place_results(self, i: int, op: Op) -> None:
        """Each tensor result: a fetched output's slot, an operand's buffer (in place), or the arena later."""
        for result in op.results:
            if not isinstance(result.type, TensorType):
                continue
            self.set_root(result, result)
            self.defined_at[result] = i
            if result in self.direct_writes:  # written straight into the variable its assign names
                self.storage[result] = Storage("variable", self.variable_slot(self.direct_writes[result]), 0,
                                               nbytes(result))
                continue
            j = next((k for k, v in enumerate(self.fetched) if v is result and k not in self.outputs_taken), None)
            if j is not None:
                self.outputs_taken.add(j)
                self.storage[result] = Storage("output", j, 0, nbytes(result))
                continue
            if op.type == "dfc.dynamic_update_slice" and self._update_in_place(i, op):
                continue
            if is_elementwise_kernel(op) and len(op.results) == 1:
                for u in op.inputs:
                    r = self.root.get(self.canon(u))
                    if (r is not None and r in self.defined_at and r not in self.storage
                            and nbytes(r) == nbytes(result) and self.canon(u).type.shape == result.type.shape
                            and self.members_last_use(r) == i):
                        self.set_root(result, r)
                        self.in_place[result] = self.canon(u)
                        break

    def _update_in_place(self, i: int, op: Op) -> bool:
        """Whether a dynamic_update_slice may write its rows into operand 0's buffer (and then does).

        It may when nothing reads the old contents later: operand 0 dies here, or operand 0 is a loop
        variable the body yields this result for and nothing after this op in the iteration reads the
        variable (or a view of it); the loop's end then copies nothing. Writing N rows in a loop costs
        O(N * row) instead of O(N * n * row).
        """
        u = self.canon(op.inputs[0])
        r = self.root.get(u)
        if r is None or nbytes(r) != nbytes(op.result) or self.root.get(self.canon(op.inputs[1])) is r:
            return False
        dies_here = r in self.defined_at and r not in self.storage and self.members_last_use(r) == i
        if not dies_here and not (r is u and self._loop_carried(i, u, op.result)):
            return False
        self.set_root(op.result, r)
        self.in_place[op.result] = u
        return True

    def _loop_carried(self, i: int, var: Value, result: Value) -> bool:
        """var is a dfc.while's loop variable whose next value the body yields as `result`, and no item between
        i and the loop's endwhile reads var's buffer."""
        loop = var.op
        if loop is None or loop.type != "dfc.while" or var not in loop.results:
            return False
        yields = [self.canon(v) for v in loop.regions[1].terminator.inputs]
        k = loop.results.index(var)
        if yields[k] is not result or yields.count(result) != 1 or any(self._base(v) is var for v in yields):
            return False
        for j in range(i + 1, self.end):
            item = self.items[j]
            if isinstance(item, ControlMark) and item.kind == "endwhile" and item.op is loop:
                return True
            if any(self._base(self.canon(v)) is var for v in item.inputs):
                return False
        return False

    def _base(self, v: Value) -> Value:
        """The value whose buffer v reads: v itself, or the source of the views it is."""
        while v.op is not None and not isinstance(v.op, ControlMark) and v.op.type in ALIAS_OPS and v.op.inputs:
            v = self.canon(v.op.inputs[0])
        return v

    def _place_arena(self) -> int:
        """Arena offsets: every root defined by an op and not placed yet, first-fit by lifetime; the peak."""
        arena_roots = [r for r in self.defined_at if r not in self.storage and self.root[r] is r]
        lifetime = {r: (self.defined_at[r], max(self.members_last_use(r), self.defined_at[r])) for r in arena_roots}
        arena = _FirstFit()
        offsets: dict[Value, int] = {}
        by_def: dict[int, list[Value]] = {}
        by_end: dict[int, list[Value]] = {}
        for r in arena_roots:
            by_def.setdefault(lifetime[r][0], []).append(r)
            by_end.setdefault(lifetime[r][1], []).append(r)
        for i in range(self.end + 1):
            for r in by_def.get(i, []):
                offsets[r] = arena.take((nbytes(r) + ALIGN - 1) // ALIGN * ALIGN)
            for r in by_end.get(i, []):
                arena.give(offsets[r], (nbytes(r) + ALIGN - 1) // ALIGN * ALIGN)
        for r in arena_roots:
            self.storage[r] = Storage("arena", 0, offsets[r], nbytes(r))
        return arena.peak


class _FirstFit:
    """First-fit placement in one arena: the lowest offset where a block fits between the live ones.

    Keeps the free gaps below the highest live block (sorted, merged), so placing and freeing a
    block costs O(gaps) instead of a sort of every live block: a training step keeps the whole
    forward pass's activations live, and planning grew quadratically with the graph.
    """

    def __init__(self):
        self.gaps: list[tuple[int, int]] = []  # [start, end) free intervals below `top`, sorted, disjoint
        self.top = 0
        self.peak = 0

    def take(self, size: int) -> int:
        for k, (lo, hi) in enumerate(self.gaps):
            if hi - lo >= size:
                if hi - lo == size:
                    del self.gaps[k]
                else:
                    self.gaps[k] = (lo + size, hi)
                return lo
        offset = self.top
        self.top += size
        self.peak = max(self.peak, self.top)
        return offset

    def give(self, offset: int, size: int) -> None:
        lo, hi = offset, offset + size
        k = bisect.bisect_left(self.gaps, (lo, hi))
        if k > 0 and self.gaps[k - 1][1] == lo:  # merge with the gap below
            k -= 1
            lo = self.gaps.pop(k)[0]
        if k < len(self.gaps) and self.gaps[k][0] == hi:  # and with the gap above
            hi = self.gaps.pop(k)[1]
        if hi == self.top:
            self.top = lo
        else:
            self.gaps.insert(k, (lo, hi))


@register_pass("plan")
def plan(graph: Graph) -> PassResult:
    """The step's buffer Plan, as the pass's analysis (its text form is `.analysis.report()`); the graph is kept."""
    return PassResult(graph, plan_step(graph))
