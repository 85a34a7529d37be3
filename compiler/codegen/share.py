"""Kernels of one step that differ only in shape constants become one kernel taking those constants as arguments.

A big graph repeats the same layer at several sizes (ResNet's units at four depths): its kernels' texts
are equal but for loop bounds, strides, offsets and a mean's divisor, and LLVM spent most of a cold
first run compiling each copy. `share_kernels` groups a lowered step's kernels by their text with such
literals blanked out; in a group of two or more, each literal that differs between members becomes a
leading parameter of one shared kernel (equal ones stay literals, so LLVM still sees a 3x3 window as
3), and every call passes its own kernel's values. Singletons are left as they were, text and symbol.

Only literals where LLVM accepts any value are blanked: i64, float and double operands of integer and
float arithmetic, compares, selects, stores, getelementptr indices, ret, and calls (of kernels' helpers,
the runtime, and the smin/smax/memset/memcpy/memmove intrinsics), in the kernel's own function. Divisors
and shift amounts stay literals (a division by a constant is a multiply), as does everything in helper
functions, allocas, vectors and metadata. A kernel whose text carries a fast-math flag (a reduction's
`reassoc` accumulator) is never shared: with a loop bound unknown LLVM may vectorize its sum in another
order, and the values must not move. Without such flags LLVM only makes value-preserving changes, so a
shared kernel computes bit for bit what each copy did. `DFC_SHARE_KERNELS=0` turns sharing off.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace

from ..target import Target, has_fast_math
from .module import KernelUnit, Lowered

#: `%x = OP [flags] TYPE A, B`: a binary op or compare whose two operands may be literals
_BINARY = re.compile(r"^(\s*%[\w.]+ = (?:add|sub|mul|icmp \w+|fadd|fsub|fmul|fdiv|fcmp \w+)(?: nuw| nsw)*"
                     r" (i64|float|double) )([^,]+), (.+)$")
#: a typed literal operand elsewhere: `i64 42`, `double 0x3FF0000000000000`
_TYPED = re.compile(r"\b(i64|float|double) (-?\d+|0x[0-9A-F]{16})(?=[,)\s]|$)")
_OPCODE = re.compile(r"^\s*(?:%[\w.]+ = )?(\w+)")
#: instructions whose typed literal operands may be any value
_TYPED_OK = {"select", "store", "getelementptr", "ret", "call"}
#: intrinsics (and only these) whose i64 operands are not immediate arguments
_INTRINSICS_OK = re.compile(r"@llvm\.(?:smin|smax|umin|umax)\.i64\(|@llvm\.mem(?:set|cpy|move)\.p0")
_LITERAL = {"i64": re.compile(r"-?\d+"), "float": re.compile(r"0x[0-9A-F]{16}"),
            "double": re.compile(r"0x[0-9A-F]{16}")}
_KERNEL_REF = re.compile(r"@(dfc_k_[0-9a-f]+)\(")
_PART_REF = re.compile(r"@(dfc_part_[0-9a-f]+)\(")
#: the shared kernel's parameters are named %shape0, %shape1, ...
_PARAM = "%shape"


def enabled() -> bool:
    return os.environ.get("DFC_SHARE_KERNELS", "1") != "0"


@dataclass
class _Parsed:
    """A kernel's text as a template: `pieces` around each blankable literal `(type, literal)`."""

    unit: KernelUnit
    pieces: list[str]
    literals: list[tuple[str, str]]
    define_at: int  # the index in `pieces[0]` of the symbol's `@name(` in its define line

    def key(self) -> tuple:
        return (self.unit.declaration.replace(self.unit.symbol, ""),
                "\0".join(p.replace(self.unit.symbol, "@") for p in self.pieces),
                tuple(t for t, _ in self.literals))


def _line_literals(line: str) -> list[tuple[int, int, str]]:
    """(start, end, type) of each blankable literal of one instruction line."""
    if "<" in line or "!" in line or "[" in line:
        return []
    m = _BINARY.match(line)
    if m:
        ty = m.group(2)
        out = []
        for g in (3, 4):
            if _LITERAL[ty].fullmatch(m.group(g)):
                out.append((m.start(g), m.end(g), ty))
        return out
    op = _OPCODE.match(line)
    if op is None or op.group(1) not in _TYPED_OK:
        return []
    if op.group(1) == "call" and "@llvm." in line and not _INTRINSICS_OK.search(line):
        return []
    return [(m.start(2), m.end(2), m.group(1)) for m in _TYPED.finditer(line)]


def _parse(unit: KernelUnit) -> _Parsed | None:
    text = unit.text
    if has_fast_math(text) or _PARAM in text:
        return None
    define = text.find(f"@{unit.symbol}(")
    start = text.rfind("\n", 0, define) + 1
    if define < 0 or not text.startswith("define ", start):
        return None
    end = text.find("\n}", define)
    if end < 0:
        return None
    pieces, literals, last = [], [], 0
    at = text.index("\n", define) + 1  # the first body line
    while at < end:
        nl = text.find("\n", at)
        nl = end if nl < 0 or nl > end else nl
        for s, e, ty in _line_literals(text[at:nl]):
            pieces.append(text[last:at + s])
            literals.append((ty, text[at + s:at + e]))
            last = at + e
        at = nl + 1
    pieces.append(text[last:])
    return _Parsed(unit, pieces, literals, define)


def _with_params(head: str, at: int, symbol: str, new_symbol: str, params: str) -> str:
    """`head` with `@symbol(` at `at` renamed and `params` put first in its list."""
    rest = head[at + len(symbol) + 2:]
    sep = "" if rest.startswith(")") else ", "
    return f"{head[:at]}@{new_symbol}({params}{sep}{rest}"


def share_kernels(lowered: Lowered, target: Target) -> Lowered:
    """The step with each group of kernels that differ only in blankable literals replaced by one kernel."""
    if not enabled() or len(lowered.kernels) < 2:
        return lowered
    groups: dict[tuple, list[_Parsed]] = {}
    for unit in lowered.kernels:
        parsed = _parse(unit)
        if parsed is not None:
            groups.setdefault(parsed.key(), []).append(parsed)
    calls: dict[str, tuple[str, str, str]] = {}  # old symbol -> (new symbol, call arguments, parameter types)
    shared: dict[str, KernelUnit] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        new_unit, args, types = _merge(members, target)
        shared[new_unit.symbol] = new_unit
        for m, a in zip(members, args):
            calls[m.unit.symbol] = (new_unit.symbol, a, types)
    if not calls:
        return lowered
    kernels, seen = [], set()
    for unit in lowered.kernels:
        if unit.symbol in calls:
            unit = shared[calls[unit.symbol][0]]
        if unit.symbol not in seen:
            seen.add(unit.symbol)
            kernels.append(unit)
    parts, renamed = [], {}
    for part in lowered.parts:
        text = _rewrite_calls(part.text, calls)
        symbol = "dfc_part_" + hashlib.sha256((text.replace(part.symbol, "dfc_part") + "\0" + target.identity)
                                              .encode()).hexdigest()[:32]
        renamed[part.symbol] = symbol
        parts.append(KernelUnit(symbol, part.declaration.replace(part.symbol, symbol),
                                text.replace(f"@{part.symbol}(", f"@{symbol}(")))
    main = _rewrite_calls(lowered.main, calls)
    if renamed:
        main = _PART_REF.sub(lambda m: f"@{renamed.get(m.group(1), m.group(1))}(", main)
    return replace(lowered, main=main, kernels=kernels, parts=parts)


def _merge(members: list[_Parsed], target: Target) -> tuple[KernelUnit, list[str], str]:
    """(the shared kernel, each member's leading call arguments, the new parameters' types)."""
    first = members[0]
    params: dict[tuple, int] = {}  # (type, each member's literal) -> parameter number
    text = []
    for i, (ty, lit) in enumerate(first.literals):
        text.append(first.pieces[i])
        values = (ty,) + tuple(m.literals[i][1] for m in members)
        if all(v == lit for v in values[1:]):
            text.append(lit)
        else:
            text.append(f"{_PARAM}{params.setdefault(values, len(params))}")
    text.append(first.pieces[-1])
    body = "".join(text)
    order = sorted(params.items(), key=lambda kv: kv[1])
    decl = ", ".join(f"{values[0]} {_PARAM}{n}" for values, n in order)
    types = ", ".join(values[0] for values, _ in order)
    placeholder = _with_params(body, first.define_at, first.unit.symbol, "dfc_kernel", decl)
    digest = hashlib.sha256((placeholder + "\0" + target.identity).encode()).hexdigest()[:32]
    symbol = f"dfc_k_{digest}"
    text = placeholder.replace("@dfc_kernel(", f"@{symbol}(", 1)
    declaration = _with_params(first.unit.declaration, first.unit.declaration.index(f"@{first.unit.symbol}("),
                               first.unit.symbol, symbol, types)
    args = [", ".join(f"{values[0]} {values[1 + k]}" for values, _ in order) for k in range(len(members))]
    return KernelUnit(symbol, declaration, text), args, types


def _rewrite_calls(text: str, calls: dict[str, tuple[str, str, str]]) -> str:
    """An entry's text calling the shared kernels: declarations take the new types, calls pass the values."""
    out, declared = [], set()
    for line in text.split("\n"):
        m = _KERNEL_REF.search(line)
        if m is not None and m.group(1) in calls:
            new, args, types = calls[m.group(1)]
            is_declaration = line.startswith("declare ")
            line = _with_params(line, m.start(), m.group(1), new, types if is_declaration else args)
            if is_declaration:
                if line in declared:
                    continue
                declared.add(line)
        out.append(line)
    return "\n".join(out)
