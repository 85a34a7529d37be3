"""Building graphs: the default-graph stack, source locations of user calls, and create_op."""

from __future__ import annotations

import builtins
import contextlib
import os
import sys
import threading
from typing import Any
from collections.abc import Iterator, Sequence

from .errors import ShapeError
from .graph import Graph, Location, Op, Value
from .ops import get_op_def
from .ops.registry import infer_types
from .types import Type

_INTERNAL_DIRS: set[str] = {os.path.dirname(os.path.abspath(__file__))}


def register_internal_dir(path: str) -> None:
    """Mark a package directory as ours: source locations skip its frames."""
    _INTERNAL_DIRS.add(os.path.dirname(os.path.abspath(path)) if os.path.isfile(path) else os.path.abspath(path))


def _is_internal(filename: str) -> bool:
    filename = os.path.abspath(filename)
    return any(filename.startswith(d + os.sep) for d in _INTERNAL_DIRS) or filename.startswith("<frozen")


def _display_path(filename: str) -> str:
    try:
        rel = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if rel.startswith("..") else rel


def capture_location() -> Location | None:
    """file:line:col of the innermost call from user code (outside dfc's packages)."""
    frame = sys._getframe(1)
    while frame is not None and _is_internal(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None
    col = 0
    try:
        positions = next(p for i, p in enumerate(frame.f_code.co_positions()) if i * 2 == frame.f_lasti)
        col = (positions[2] or 0) + 1
    except (StopIteration, AttributeError):
        pass
    return Location(_display_path(frame.f_code.co_filename), frame.f_lineno, col)


# ---- the default graph -----------------------------------------------------------------------
class _DefaultGraphStack(threading.local):
    def __init__(self):
        self.stack: list[Graph] = []


_stack = _DefaultGraphStack()
_graph_class: list[type[Graph]] = [Graph]
_global_default: list[Graph] = [Graph()]


def set_graph_class(cls: type[Graph]) -> None:
    """The class new default graphs get (the front end's Graph subclass)."""
    _graph_class[0] = cls
    if not _global_default[0].ops:
        _global_default[0] = cls()


def get_default_graph() -> Graph:
    return _stack.stack[-1] if _stack.stack else _global_default[0]


def reset_default_graph() -> None:
    if _stack.stack:
        raise AssertionError("reset_default_graph called inside a `with graph.as_default()` block")
    _global_default[0] = _graph_class[0]()


@contextlib.contextmanager
def as_default(graph: Graph) -> Iterator[Graph]:
    _stack.stack.append(graph)
    try:
        yield graph
    finally:
        _stack.stack.pop()


# ---- making ops ------------------------------------------------------------------------------
def create_op(graph: Graph, type: str, operands: Sequence[Value] = (), attrs: dict[str, Any] | None = None,
              name: str | None = None, result_types: Sequence[Type] | None = None,
              loc: Location | None = None, device: str | None = None, regions=None,
              control_inputs: Sequence[Value] = (), exact_name: bool = False) -> Op:
    """Declare-checked construction of one op, appended to `graph`.

    Result types come from the op's inference (or `result_types` for source ops); a
    mismatch raises ShapeError naming the op and the user's source line. Control inputs
    come from `control_inputs` and the graph's control-dependency stack. With `exact_name`
    the op takes `name` as is (the caller made it unique, as TF does for a variable and its scope).
    """
    opdef = get_op_def(type)
    attrs = dict(attrs or {})
    device = attrs.pop("device", device)
    loc = loc if loc is not None else capture_location()
    op_name = name if exact_name and name else graph.unique_name(name or opdef.short)
    where = f" at {loc}" if loc else ""
    try:
        for v in operands:
            if not isinstance(v, Value):
                raise ShapeError(f"operand {v!r} is not an IR value")
        problem = opdef.check_arity(len(operands))
        if problem:
            raise ShapeError(problem)
        full_attrs = opdef.complete_attrs(attrs or {})
        if opdef.infer is None:
            if result_types is None:
                raise ShapeError("this op needs its result types stated")
            types = list(result_types)
        else:
            types = infer_types(opdef, [v.type for v in operands], full_attrs)
            if result_types is not None and list(result_types) != types:
                raise ShapeError(f"stated result types {[str(t) for t in result_types]} differ from inferred "
                                 f"{[str(t) for t in types]}")
    except ShapeError as e:
        raise ShapeError(f"{type} '{op_name}'{where}: {e}") from None
    except (IndexError, KeyError, TypeError, ValueError, ArithmeticError) as e:
        # an inference rule meeting operands it did not foresee: still the user's op and line, never a bare error
        raise ShapeError(f"{type} '{op_name}'{where}: invalid operands or attributes "
                         f"({builtins.type(e).__name__}: {e})") from None
    for operand in operands:
        if graph_of(operand) is not graph:
            raise ValueError(f"{type} '{op_name}'{where}: operand {operand.describe()} belongs to another graph")
    controls = [c for frame in graph.control_stack for c in frame] + list(control_inputs)
    controls = list(dict.fromkeys(c for c in controls if c not in operands))
    if device is None:
        device = next((d for d in reversed(graph.device_stack) if d), None) if graph.device_stack else None
    op = Op(type, op_name, list(operands) + controls, full_attrs, types, device=device, loc=loc, regions=regions)
    return graph.append(op)


def graph_of(item: Value | Op) -> Graph | None:
    """The graph a value or op belongs to (None for one in no graph)."""
    block = item.block if isinstance(item, Op) else (item.owner.block if isinstance(item.owner, Op) else item.owner)
    while block is not None:
        parent = block.parent
        if isinstance(parent, Graph):
            return parent
        block = parent.block if parent is not None else None
    return None
