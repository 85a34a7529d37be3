"""The IR's objects: Location, Value, Op, Block and Graph (one SSA region of ops), with use-lists.

Every Value knows its uses: the (op, operand index) pairs of the ops that read it and are
in a graph (in a block that a Graph's body holds, directly or through regions). The
mutation APIs keep them exact: `Op.operands` (assigned or changed in place), `Block.ops`
(appended, inserted, removed, sliced), `Op.erase`, `Op.move_before`/`move_after` and
`Value.replace_all_uses_with`. An op built but not (yet) in a graph has no uses
registered, so ops a pass makes and drops leave nothing behind; inserting the op (or an
op whose regions hold it) registers them. `verify` checks the lists against the operands.
"""


from __future__ import annotations

import itertools
import re
from operator import attrgetter
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Iterable, Iterator

from .ops.registry import REGISTRY
from .types import ControlType, Type


@dataclass(frozen=True)
class Location:
    """Where the user's DSL call that made an op sits: file:line:col."""

    file: str
    line: int
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Value:
    """An SSA value: the result of an op or an argument of a block."""

    __slots__ = ("type", "owner", "index", "arg_name", "_uses", "__weakref__")

    def __init__(self, type: Type, owner: Op | Block, index: int, arg_name: str | None = None):
        self.type = type
        self.owner = owner
        self.index = index
        self.arg_name = arg_name
        self._uses: dict[tuple[Op, int], None] = {}  # insertion-ordered, so walks over uses are deterministic

    # ---- uses --------------------------------------------------------------------------------
    @property
    def uses(self) -> list[tuple[Op, int]]:
        """(op, operand index) of every read of this value by an op in a graph, in the order they were made."""
        return list(self._uses)

    @property
    def users(self) -> list[Op]:
        """The ops in a graph that read this value, each once, in the order of their first use."""
        return list(dict.fromkeys(op for op, _ in self._uses))

    @property
    def has_uses(self) -> bool:
        return bool(self._uses)

    def replace_all_uses_with(self, new: Value) -> None:
        """Point every use of this value (regions' uses included) at `new`; O(number of uses)."""
        if new is self:
            return
        for op, index in list(self._uses):
            op._operands._set(index, new)

    def replace_uses_where(self, new: Value, keep: Callable[[Op], bool]) -> None:
        """Point the uses of this value by the ops for which `keep(op)` is false at `new`."""
        for op, index in list(self._uses):
            if not keep(op):
                op._operands._set(index, new)

    @property
    def op(self) -> Op | None:
        return self.owner if isinstance(self.owner, Op) else None

    @property
    def is_control(self) -> bool:
        return isinstance(self.type, ControlType)

    @property
    def name(self) -> str:
        """TF's tensor name: `op_name:index` (block arguments use their own name)."""
        if isinstance(self.owner, Op):
            return f"{self.owner.name}:{self.index}"
        return self.arg_name or f"arg{self.index}"

    def describe(self) -> str:
        """The value for an error message: name, type and the source line that made it."""
        where = f" (defined at {self.owner.loc})" if isinstance(self.owner, Op) and self.owner.loc else ""
        return f"'{self.name}' of type {self.type}{where}"

    def __repr__(self) -> str:
        return f"<Value {self.name}: {self.type}>"


class Op:
    """One operation: type (`dfc.matmul`), operands, attributes, typed results, regions."""

    __slots__ = ("type", "name", "_operands", "attrs", "results", "device", "loc", "_regions", "block", "_live",
                 "__weakref__")

    def __init__(self, type: str, name: str, operands: list[Value], attrs: dict[str, Any],
                 result_types: list[Type], device: str | None = None, loc: Location | None = None,
                 regions: list[Block] | None = None):
        self.type = type
        self.name = name
        self._live = False  # in a graph: its operands are registered as uses
        self._operands = OperandList(self, operands)
        self.attrs = dict(attrs)
        self.results = [Value(t, self, i) for i, t in enumerate(result_types)]
        self.device = device
        self.loc = loc
        # most ops have none: one shared empty tuple instead of a list per op (a loud error if appended to)
        self._regions = list(regions) if regions else ()
        for region in self._regions:
            region.parent = self
        self.block: Block | None = None

    def _assign_regions(self, regions: Iterable[Block]) -> None:
        """Give the op new regions: their ops enter the graph with it (and the old ones' leave)."""
        regions = list(regions)
        if self._live:
            for region in self._regions:
                for inner in region._ops:
                    inner._set_live(False)
        self._regions = regions
        for region in regions:
            region.parent = self
            if self._live:
                for inner in region._ops:
                    inner._set_live(True)

    regions = property(attrgetter("_regions"), _assign_regions,
                       doc="The op's regions (blocks); assigning a new list links their ops.")

    def _assign_operands(self, values: Iterable[Value]) -> None:
        current = self._operands
        if values is current:
            return
        values = list(values)
        if len(values) != len(current):
            current[:] = values
            return
        for i, (old, new) in enumerate(zip(current, values)):
            if old is not new:  # passes reassign whole lists where one operand changed: touch only that use
                current._set(i, new)

    # a C-level getter: `op.operands` is read in every pass and lowering
    operands = property(attrgetter("_operands"), _assign_operands,
                        doc="The values this op reads: a list whose changes (item, slice, append, ...) keep the "
                            "use-lists exact.")

    def set_operand(self, index: int, value: Value) -> None:
        self._operands._set(index, value)

    @property
    def in_graph(self) -> bool:
        """Whether the op is in a graph (its block, or its parent op's, is): only such ops have uses registered."""
        return self._live

    def erase(self) -> None:
        """Remove this op from its block and drop its operands' uses; refused while its results have uses."""
        used = [r for r in self.results if r._uses]
        if used:
            users = ", ".join(u.describe() for u in dict.fromkeys(op for r in used for op, _ in r._uses))
            raise ValueError(f"cannot erase op {self.describe()}: its result(s) are still used by {users}")
        if self.block is not None:
            self.block.ops.remove(self)
        self._set_live(False)

    def drop_references(self) -> None:
        """Take this op's operands (and its regions' ops') out of their use-lists, ahead of removing the op.

        For sweeps that remove many ops and rebuild the block's list once (dce, the rewrite
        driver); the op counts as out of the graph from now on.
        """
        self._set_live(False)

    def move_before(self, anchor: Op) -> None:
        """Move this op (from wherever it is) to just before `anchor`, in anchor's block."""
        if anchor is self:
            return
        self._unlink()
        block = anchor.block
        block.ops.insert(block.ops.index(anchor), self)

    def move_after(self, anchor: Op) -> None:
        """Move this op (from wherever it is) to just after `anchor`, in anchor's block."""
        if anchor is self:
            return
        self._unlink()
        block = anchor.block
        block.ops.insert(block.ops.index(anchor) + 1, self)

    def _unlink(self) -> None:
        if self.block is not None and self in self.block.ops:
            self.block.ops.remove(self)

    def _set_live(self, live: bool) -> None:
        """Enter or leave the graph: register or drop the uses of this op and of its regions' ops."""
        if self._live is live:
            return
        self._live = live
        if live:
            self._operands._register()
        else:
            self._operands._unregister()
        if self._regions:
            for region in self._regions:
                for inner in region._ops:
                    inner._set_live(live)

    @property
    def short_type(self) -> str:
        return self.type.split(".", 1)[1] if "." in self.type else self.type

    @property
    def inputs(self) -> list[Value]:
        """Data operands (those that are not control tokens)."""
        return [v for v in self.operands if not v.is_control]

    @property
    def control_inputs(self) -> list[Value]:
        return [v for v in self.operands if v.is_control]

    @property
    def result(self) -> Value:
        if len(self.results) != 1:
            raise ValueError(f"op '{self.name}' ({self.type}) has {len(self.results)} results, not one")
        return self.results[0]

    def describe(self) -> str:
        where = f" at {self.loc}" if self.loc else ""
        return f"'{self.name}' ({self.type}){where}"

    def __repr__(self) -> str:
        return f"<Op {self.name} = {self.type}>"


def _tracking(base: Callable) -> Callable:
    """A list mutator of OperandList that drops the op's uses before and registers them after."""
    def mutate(self: OperandList, *args: Any) -> Any:
        live = self._op._live
        if live:
            self._unregister()
        try:
            return base(self, *args)
        finally:
            if live:
                self._register()
    mutate.__name__ = base.__name__
    return mutate


class OperandList(list):
    """An op's operands; every change keeps the operands' use-lists exact (while the op is in a graph)."""

    __slots__ = ("_op",)

    def __init__(self, op: Op, values: Iterable[Value] = ()):
        super().__init__(values)
        self._op = op

    def _register(self) -> None:
        op = self._op
        for i, v in enumerate(self):
            v._uses[(op, i)] = None

    def _unregister(self) -> None:
        op = self._op
        for i, v in enumerate(self):
            v._uses.pop((op, i), None)

    def _set(self, index: int, value: Value) -> None:
        """operands[index] = value in O(1)."""
        op = self._op
        if op._live:
            list.__getitem__(self, index)._uses.pop((op, index), None)
            value._uses[(op, index)] = None
        list.__setitem__(self, index, value)

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, int) and 0 <= index < len(self):
            self._set(index, value)
        else:
            _tracking(list.__setitem__)(self, index, value)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # copies (pickle, deepcopy) rebuild the list as it stands: the copied values carry their own uses
        return _rebuilt, (OperandList, self._op, list(self))

    __delitem__ = _tracking(list.__delitem__)
    __iadd__ = _tracking(list.__iadd__)
    __imul__ = _tracking(list.__imul__)
    append = _tracking(list.append)
    extend = _tracking(list.extend)
    insert = _tracking(list.insert)
    pop = _tracking(list.pop)
    remove = _tracking(list.remove)
    clear = _tracking(list.clear)
    reverse = _tracking(list.reverse)
    sort = _tracking(list.sort)


class OpList(list):
    """A block's ops; inserting an op links it to the block (and the graph), removing one unlinks it."""

    __slots__ = ("_block",)

    def __init__(self, block: Block):
        super().__init__()
        self._block = block

    def _attach(self, ops: Iterable[Op]) -> None:
        block = self._block
        live = block.in_graph
        for op in ops:
            op.block = block
            op._set_live(live)

    def _detach(self, ops: Iterable[Op]) -> None:
        block = self._block
        for op in ops:
            if op.block is block:  # an op moved to another block first keeps that link
                op.block = None
                op._set_live(False)

    def append(self, op: Op) -> None:  # the builders' hot path: _attach inlined
        list.append(self, op)
        block = self._block
        op.block = block
        parent = block.parent
        op._set_live(parent is not None and parent._live)

    def insert(self, index: int, op: Op) -> None:
        list.insert(self, index, op)
        self._attach((op,))

    def extend(self, ops: Iterable[Op]) -> None:
        ops = list(ops)
        list.extend(self, ops)
        self._attach(ops)

    def __iadd__(self, ops: Iterable[Op]) -> OpList:
        self.extend(ops)
        return self

    def remove(self, op: Op) -> None:
        for i, other in enumerate(self):
            if other is op:
                del self[i]
                return
        raise ValueError(f"op {op.describe()} is not in this block")

    def pop(self, index: int = -1) -> Op:
        op = list.pop(self, index)
        self._detach((op,))
        return op

    def clear(self) -> None:
        self[:] = []

    def __delitem__(self, index: Any) -> None:
        gone = list.__getitem__(self, index)
        list.__delitem__(self, index)
        self._detach(gone if isinstance(index, slice) else (gone,))

    def __setitem__(self, index: Any, value: Any) -> None:
        # an op may sit twice for a moment (swapping two ops by items): it is unlinked only once it is gone
        if not isinstance(index, slice):
            old = list.__getitem__(self, index)
            list.__setitem__(self, index, value)
            if old is not value:
                if old not in self:
                    self._detach((old,))
                self._attach((value,))
            return
        before = {id(op) for op in self}
        old, new = list.__getitem__(self, index), list(value)
        list.__setitem__(self, index, new)
        after = {id(op) for op in self}
        self._detach(op for op in old if id(op) not in after)
        self._attach(op for op in new if id(op) not in before)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return _rebuilt, (OpList, self._block, list(self))


def _rebuilt(cls: type, owner: Any, items: list) -> OperandList | OpList:
    new = list.__new__(cls)
    list.extend(new, items)
    if cls is OperandList:
        new._op = owner
    else:
        new._block = owner
    return new


class Block:
    """A list of ops in SSA order with typed arguments; the body of a graph or a region."""

    __slots__ = ("arguments", "_ops", "parent")

    def __init__(self, arg_types: Iterable[Type] = (), arg_names: Iterable[str | None] | None = None):
        arg_types = list(arg_types)
        names = list(arg_names) if arg_names is not None else [None] * len(arg_types)
        self.arguments = [Value(t, self, i, n) for i, (t, n) in enumerate(zip(arg_types, names))]
        self._ops = OpList(self)
        self.parent: Op | Graph | None = None

    def _assign_ops(self, ops: Iterable[Op]) -> None:
        if ops is not self._ops:
            self._ops[:] = list(ops)

    ops = property(attrgetter("_ops"), _assign_ops,
                   doc="The ops in order: a list whose changes link and unlink ops (and their uses).")

    @property
    def in_graph(self) -> bool:
        """Whether this block is a graph's body or a region of an op in a graph."""
        parent = self.parent
        return parent is not None and parent._live

    def add_argument(self, type: Type, name: str | None = None) -> Value:
        value = Value(type, self, len(self.arguments), name)
        self.arguments.append(value)
        return value

    def append(self, op: Op) -> Op:
        self._ops.append(op)
        return op

    def walk(self) -> Iterator[Op]:
        """Every op of this block and of the regions nested in it, producers first."""
        # one explicit stack of the blocks being walked: nested generators (`yield from`) would cost each op
        # one step per enclosing region, quadratic for deeply nested tf.cond/tf.while_loop graphs
        stack = [iter(self.ops)]
        while stack:
            for op in stack[-1]:
                yield op
                if op.regions:
                    stack.extend(iter(region.ops) for region in reversed(op.regions))
                    break
            else:
                stack.pop()

    @property
    def terminator(self) -> Op | None:
        last = self.ops[-1] if self.ops else None
        opdef = REGISTRY.get(last.type) if last is not None else None
        return last if opdef is not None and opdef.terminator else None


_NAME_SUFFIX = re.compile(r"^(.*)_(\d+)$")


class Graph:
    """A dataflow graph: one block of ops, unique op names and a version bumped on change.

    Front ends keep their build-time state (TF1's name scopes, device and control stacks,
    collections, seeds) in their own objects that wrap a Graph; the IR has none of it.
    """

    _ids = itertools.count()
    _live = True  # a graph's body is in the graph: see Block.in_graph

    def __init__(self):
        self.body = Block()
        self.body.parent = self
        self.version = 0
        self.id = next(Graph._ids)
        self._names: dict[str, int] = {}
        self.sym_name = "main"
        #: TF's Graph.prevent_feeding / prevent_fetching: values a run may not feed, ops it may not fetch
        self.unfeedable: set[Value] = set()
        self.unfetchable: set[Op] = set()

    # ---- contents --------------------------------------------------------------------
    @property
    def ops(self) -> list[Op]:
        return self.body.ops

    @property
    def arguments(self) -> list[Value]:
        return self.body.arguments

    def get_operations(self) -> list[Op]:
        return list(self.body.ops)

    def op_by_name(self, name: str) -> Op:
        for op in self.body.ops:
            if op.name == name:
                return op
        raise KeyError(f"the graph has no op named '{name}'")

    def walk(self) -> Iterator[Op]:
        return self.body.walk()

    # ---- names -----------------------------------------------------------------------
    def unique_name(self, full: str, mark_used: bool = True) -> str:
        """TF's uniquifier over full names (scope included): `add`, then `add_1`, `add_2` ..."""
        count = self._names.get(full.lower(), 0)
        candidate = full if count == 0 else f"{full}_{count}"
        while candidate.lower() in self._names:
            count += 1
            candidate = f"{full}_{count}"
        if mark_used:
            self._names[full.lower()] = count + 1
            self._names[candidate.lower()] = 1
        return candidate

    def reserve_name(self, name: str) -> str:
        """Claim an exact name (used by the parser and by passes that copy ops)."""
        if name.lower() in self._names:
            name = self.unique_name(name)
        self._names[name.lower()] = max(self._names.get(name.lower(), 0), 1)
        return name

    # ---- mutation --------------------------------------------------------------------
    def append(self, op: Op) -> Op:
        self.body.append(op)
        self.version += 1
        return op

    def mark_changed(self) -> None:
        self.version += 1

