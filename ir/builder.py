"""Building graphs: source locations of user calls and create_op, the checked way to make an op."""

from __future__ import annotations

import builtins
import itertools
import os
import sys
from typing import Any
from collections.abc import Sequence

from .errors import ShapeError
from .graph import Block, Graph, Location, Op, Value
from .ops import get_op_def
from .ops.registry import infer_types
from .types import Type

_INTERNAL_DIRS: set[str] = {os.path.dirname(os.path.abspath(__file__))}


#: answers of _is_internal and _display_path by file name (every op asks them; a graph has thousands of ops)
_internal: dict[str, bool] = {}
_display: dict[tuple[str, str], str] = {}
#: (working directory, Location) of each call site seen, by (code object, its file, instruction offset): a loop
#: makes ops from one site (the file is shown relative to the working directory, so a chdir makes a new
#: Location). The file is part of the key because code objects compare equal across files: two copies of one
#: script must not share locations.
_sites: dict[tuple[Any, str, int], tuple[str, Location]] = {}


def register_internal_dir(path: str) -> None:
    """Mark a package directory as ours: source locations skip its frames."""
    _INTERNAL_DIRS.add(os.path.dirname(os.path.abspath(path)) if os.path.isfile(path) else os.path.abspath(path))
    _internal.clear()


def _is_internal(filename: str) -> bool:
    known = _internal.get(filename)
    if known is None:
        path = os.path.abspath(filename)
        known = _internal[filename] = (any(path.startswith(d + os.sep) for d in _INTERNAL_DIRS)
                                       or path.startswith("<frozen"))
    return known


def _display_path(filename: str, cwd: str) -> str:
    key = (cwd, filename)
    shown = _display.get(key)
    if shown is None:
        try:
            rel = os.path.relpath(filename, cwd)
        except ValueError:
            rel = ".."
        shown = _display[key] = filename if rel.startswith("..") else rel
    return shown


def capture_location() -> Location | None:
    """file:line:col of the innermost call from user code (outside dfc's packages)."""
    frame = sys._getframe(1)
    while frame is not None and _is_internal(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None
    site = (frame.f_code, frame.f_code.co_filename, frame.f_lasti)
    cwd = os.getcwd()
    known = _sites.get(site)
    if known is not None and known[0] == cwd:
        return known[1]  # one Location per call site: a loop making thousands of ops allocates one
    col = 0
    try:
        # one entry per 2-byte code unit; islice skips to f_lasti's in C
        positions = next(itertools.islice(frame.f_code.co_positions(), frame.f_lasti // 2, None))
        col = (positions[2] or 0) + 1
    except (StopIteration, AttributeError):
        pass
    if len(_sites) >= 4096:
        _sites.clear()
    loc = Location(_display_path(frame.f_code.co_filename, cwd), frame.f_lineno, col)
    _sites[site] = (cwd, loc)
    return loc


# ---- making ops ------------------------------------------------------------------------------
def create_op(graph: Graph, type: str, operands: Sequence[Value] = (), attrs: dict[str, Any] | None = None,
              name: str | None = None, result_types: Sequence[Type] | None = None,
              loc: Location | None = None, device: str | None = None, regions: list[Block] | None = None,
              control_inputs: Sequence[Value] = (), exact_name: bool = False) -> Op:
    """Declare-checked construction of one op, appended to `graph`.

    Result types come from the op's inference (or `result_types` for source ops); a
    mismatch raises ShapeError naming the op and the user's source line. `control_inputs`
    become extra operands (those that are operands already are dropped). With `exact_name`
    the op takes `name` as is (the caller made it unique, as TF does for a variable and its scope).
    """
    opdef = get_op_def(type)
    if attrs and "device" in attrs:
        attrs = dict(attrs)
        device = attrs.pop("device")
    loc = loc if loc is not None else capture_location()
    op_name = name if exact_name and name else graph.unique_name(name or opdef.short)
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
    except ShapeError as e:  # the same class (a DTypeError stays a TypeError too), with the op and its line
        raise builtins.type(e)(f"{type} '{op_name}'{_at(loc)}: {e}") from None
    except (IndexError, KeyError, TypeError, ValueError, ArithmeticError) as e:
        # an inference rule meeting operands it did not foresee: still the user's op and line, never a bare error
        raise ShapeError(f"{type} '{op_name}'{_at(loc)}: invalid operands or attributes "
                         f"({builtins.type(e).__name__}: {e})") from None
    for operand in operands:
        if graph_of(operand) is not graph:
            raise ValueError(f"{type} '{op_name}'{_at(loc)}: operand {operand.describe()} belongs to another graph")
    operands = list(operands)
    if control_inputs:
        operands += dict.fromkeys(c for c in control_inputs if c not in operands)
    op = Op(type, op_name, operands, full_attrs, types, device=device, loc=loc, regions=regions)
    return graph.append(op)


def _at(loc: Location | None) -> str:
    return f" at {loc}" if loc else ""


def graph_of(item: Value | Op) -> Graph | None:
    """The graph a value or op belongs to (None for one in no graph)."""
    block = item.block if isinstance(item, Op) else (item.owner.block if isinstance(item.owner, Op) else item.owner)
    while block is not None:
        parent = block.parent
        if isinstance(parent, Graph):
            return parent
        block = parent.block if parent is not None else None
    return None
