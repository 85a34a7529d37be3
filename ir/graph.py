"""The IR's objects: Location, Value, Op, Block and Graph (one SSA region of ops)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any
from collections.abc import Iterable, Iterator

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

    __slots__ = ("type", "owner", "index", "arg_name", "__weakref__")

    def __init__(self, type: Type, owner: Op | Block, index: int, arg_name: str | None = None):
        self.type = type
        self.owner = owner
        self.index = index
        self.arg_name = arg_name

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

    __slots__ = ("type", "name", "operands", "attrs", "results", "device", "loc", "regions", "block", "__weakref__")

    def __init__(self, type: str, name: str, operands: list[Value], attrs: dict[str, Any],
                 result_types: list[Type], device: str | None = None, loc: Location | None = None,
                 regions: list[Block] | None = None):
        self.type = type
        self.name = name
        self.operands = list(operands)
        self.attrs = dict(attrs)
        self.results = [Value(t, self, i) for i, t in enumerate(result_types)]
        self.device = device
        self.loc = loc
        self.regions = list(regions or [])
        for region in self.regions:
            region.parent = self
        self.block: Block | None = None

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


class Block:
    """A list of ops in SSA order with typed arguments; the body of a graph or a region."""

    __slots__ = ("arguments", "ops", "parent")

    def __init__(self, arg_types: Iterable[Type] = (), arg_names: Iterable[str | None] | None = None):
        arg_types = list(arg_types)
        names = list(arg_names) if arg_names is not None else [None] * len(arg_types)
        self.arguments = [Value(t, self, i, n) for i, (t, n) in enumerate(zip(arg_types, names))]
        self.ops: list[Op] = []
        self.parent: Op | Graph | None = None

    def add_argument(self, type: Type, name: str | None = None) -> Value:
        value = Value(type, self, len(self.arguments), name)
        self.arguments.append(value)
        return value

    def append(self, op: Op) -> Op:
        op.block = self
        self.ops.append(op)
        return op

    def walk(self) -> Iterator[Op]:
        """Every op of this block and of the regions nested in it, producers first."""
        for op in self.ops:
            yield op
            for region in op.regions:
                yield from region.walk()

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

    def __init__(self):
        self.body = Block()
        self.body.parent = self
        self.version = 0
        self.id = next(Graph._ids)
        self._names: dict[str, int] = {}
        self.sym_name = "main"

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

