"""The IR's text form: prints a Graph in MLIR's generic operation syntax.

The output is what `mlir-opt --allow-unregistered-dialect` parses and what
`parser.parse_graph` reads back; print -> parse -> print is the identity. SSA names
come from op names, so a dump reads like the user's script:

    %mm = "dfc.matmul"(%x, %W) {transpose_b = false} : (tensor<?x784xf32>, ...) -> ... loc("model.py":5:8)
"""

from __future__ import annotations

import math
import re
import struct
from typing import Any

import numpy as np

from .dtypes import DType, as_dtype
from .graph import Block, Graph, Location, Op, Value
from .types import ControlType, TensorType

__all__ = ["HEX_THRESHOLD", "Namer", "format_attr", "format_dense", "format_float", "format_loc", "format_string",
           "format_type", "print_graph", "print_op", "sanitize_name"]

#: dense constants with more elements than this print as MLIR's hex blob
HEX_THRESHOLD = 16

_INDENT = "  "
_BAD_SUFFIX_CHAR = re.compile(r"[^A-Za-z0-9$._-]")
_BARE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_$.]*\Z")


# ---- names ---------------------------------------------------------------------------------------
def sanitize_name(name: str) -> str:
    """An op or argument name made into an MLIR suffix-id: `dense/MatMul` -> `dense.MatMul`."""
    name = _BAD_SUFFIX_CHAR.sub("_", name.replace("/", "."))
    if not name or name[0].isdigit():
        name = "_" + name
    return name


class Namer:
    """Gives every value one SSA name, unique across the whole printed text (regions included).

    Names are handed out in print order, so the same graph always prints the same way;
    a value used before it was named (only in broken IR) is named at its first use.
    """

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.values: dict[Value, str] = {}
        self.ops: dict[Op, str] = {}

    def _claim(self, base: str) -> str:
        name, k = base, 0
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name

    def define_op(self, op: Op) -> str:
        """The base name of op's results (`g` in `%g:2`), claimed on first call."""
        if op in self.ops:
            return self.ops[op]
        base = self._claim(sanitize_name(op.name))
        self.ops[op] = base
        if len(op.results) == 1:
            self.values[op.results[0]] = base
        else:
            for i, r in enumerate(op.results):
                self.values[r] = f"{base}#{i}"
        return base

    def define_arg(self, value: Value) -> str:
        if value not in self.values:
            self.values[value] = self._claim(sanitize_name(value.arg_name or f"arg{value.index}"))
        return self.values[value]

    def __getitem__(self, value: Value) -> str:
        """The SSA name of value without the `%`."""
        if value not in self.values:
            if isinstance(value.owner, Op):
                self.define_op(value.owner)
            else:
                self.define_arg(value)
        return self.values[value]


# ---- literals ------------------------------------------------------------------------------------
def format_string(s: str) -> str:
    """A string literal as MLIR's lexer reads it: \\\\ \\" \\n \\t and \\XX for other bytes."""
    out = ['"']
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            # non-printable or non-ASCII: its UTF-8 bytes (surrogatepass keeps any Python str printable)
            out.extend(f"\\{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
    out.append('"')
    return "".join(out)


def _with_point(text: str) -> str:
    """MLIR's float literals need a '.': `1e-05` -> `1.0e-05`, `3` -> `3.0`."""
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + e + exponent


def format_float(value: float) -> str:
    """A finite float as the shortest MLIR float literal that reads back to the same double."""
    return _with_point(repr(float(value)))


def _f64_hex(value: float) -> str:
    bits = struct.unpack("<Q", struct.pack("<d", value))[0]
    return f"0x{bits:016X}"


def format_type(t: Any) -> str:
    if isinstance(t, DType):
        return t.mlir
    if isinstance(t, (TensorType, ControlType)):
        return str(t)
    raise TypeError(f"{t!r} is not an IR type")


def _dense_dtype(arr: np.ndarray) -> DType:
    return as_dtype(arr.dtype)


def _element_literal(v: Any, dtype: DType) -> str:
    if dtype.is_bool:
        return "true" if v else "false"
    if dtype.is_integer:
        return str(int(v))
    # shortest repr in the element's own precision, unless our reader would not get the same bits back
    # from it (it reads through float64); the float64 repr always does
    text = _with_point(str(v) if dtype.np != np.float64 else repr(float(v)))
    if np.asarray(float(text), dtype=dtype.np).tobytes() != np.asarray(v, dtype=dtype.np).tobytes():
        text = _with_point(repr(float(v)))
    return text


def _nested(arr: np.ndarray, dtype: DType) -> str:
    if arr.ndim == 0:
        return _element_literal(arr[()], dtype)
    return "[" + ", ".join(_nested(sub, dtype) for sub in arr) + "]"


def _raw_bytes(arr: np.ndarray, dtype: DType) -> bytes:
    if dtype.is_bool:
        # MLIR stores i1 elements one bit each, least significant bit first (its hex form does too)
        return np.packbits(arr.reshape(-1).astype(np.uint8), bitorder="little").tobytes()
    return np.ascontiguousarray(arr, dtype=dtype.np.newbyteorder("<")).tobytes()


def format_bytes(data: bytes) -> str:
    """A tf.string element as an MLIR string literal of its bytes (printable ASCII as is, others as \\XX)."""
    escapes = {0x5C: "\\\\", 0x22: '\\"', 0x0A: "\\n", 0x09: "\\t"}
    return '"' + "".join(escapes.get(b) or (chr(b) if 0x20 <= b <= 0x7E else f"\\{b:02X}") for b in data) + '"'


def _string_nested(arr: np.ndarray) -> str:
    if arr.ndim == 0:
        v = arr[()]
        return format_bytes(v if isinstance(v, bytes) else str(v).encode())
    return "[" + ", ".join(_string_nested(arr[i, ...]) for i in range(len(arr))) + "]"


def format_dense(value: Any) -> str:
    """A numpy array as `dense<...> : tensor<...>`: plain literals when small, hex otherwise."""
    arr = np.asarray(value)
    dtype = _dense_dtype(arr)
    ttype = TensorType(dtype, arr.shape)
    if arr.size == 0:
        return f"dense<> : {ttype}"
    if dtype.is_string:  # MLIR's string elements: one literal per element, a splat when all are equal
        flat = arr.reshape(-1)
        if arr.size > 1 and all(v == flat[0] for v in flat):
            return f"dense<{_string_nested(flat[:1].reshape(()))}> : {ttype}"
        return f"dense<{_string_nested(arr)}> : {ttype}"
    flat = arr.reshape(-1)
    itemsize = dtype.np.itemsize
    raw = np.ascontiguousarray(flat, dtype=dtype.np).view(np.uint8).reshape(arr.size, itemsize)
    # a splat needs equal bits, not just equal values (0.0 vs -0.0, NaN payloads)
    splat = arr.size > 1 and bool((raw == raw[0]).all())
    non_finite = dtype.is_floating and not bool(np.isfinite(flat.astype(np.float64)).all())
    if dtype.is_complex or (dtype.is_floating and (non_finite or dtype.bits == 16)):
        # decimal is not exact enough for 16-bit floats and has no inf/nan spelling; complex elements are MLIR's
        # hex pairs (real, imaginary), which the reader takes as it takes any other hex data
        hex_form = True
    else:
        hex_form = arr.size > HEX_THRESHOLD and not splat
    if hex_form:
        # one element's bytes stand for a splat in MLIR's hex form
        data = _raw_bytes(flat[:1] if splat else flat, dtype)
        return f'dense<"0x{data.hex().upper()}"> : {ttype}'
    if splat:
        return f"dense<{_element_literal(flat[0], dtype)}> : {ttype}"
    return f"dense<{_nested(arr, dtype)}> : {ttype}"


def format_attr(value: Any) -> str:
    """One attribute value in MLIR syntax, chosen by its Python type."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isfinite(value):
            return format_float(value)
        return f"{_f64_hex(value)} : f64"  # MLIR spells inf and nan only as hex bits
    if isinstance(value, str):
        return format_string(value)
    if isinstance(value, np.ndarray):
        return format_dense(value)
    if isinstance(value, (DType, TensorType, ControlType)):
        return format_type(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(format_attr(v) for v in value) + "]"
    raise TypeError(f"cannot print attribute value {value!r} of type {type(value).__name__}")


def format_loc(loc: Location | None) -> str:
    if loc is None:
        return "loc(unknown)"
    return f"loc({format_string(loc.file)}:{int(loc.line)}:{int(loc.col)})"


def _attr_name(key: str) -> str:
    return key if _BARE_ID.match(key) else format_string(key)


def _attr_dict(attrs: dict[str, Any]) -> str:
    items = [(k, v) for k, v in attrs.items() if v is not None]
    if not items:
        return ""
    return " {" + ", ".join(f"{_attr_name(k)} = {format_attr(v)}" for k, v in sorted(items)) + "}"


# ---- ops, blocks, graphs -------------------------------------------------------------------------
def _print_block(block: Block, names: Namer, indent: int, with_locs: bool, lines: list[str]) -> None:
    pad = _INDENT * indent
    if block.arguments:
        args = ", ".join(f"%{names.define_arg(a)}: {format_type(a.type)}" for a in block.arguments)
        lines.append(f"{pad}^bb0({args}):")
    for op in block.ops:
        _print_op(op, names, indent + 1, with_locs, lines)


def _print_op(op: Op, names: Namer, indent: int, with_locs: bool, lines: list[str]) -> None:
    pad = _INDENT * indent
    head = pad
    # operands first: in broken IR an operand may be the op's own result, and it must not steal the name
    operands = ", ".join(f"%{names[v]}" for v in op.operands)
    if op.results:
        base = names.define_op(op)
        head += f"%{base}" + (f":{len(op.results)}" if len(op.results) > 1 else "") + " = "
    head += f'"{op.type}"({operands})'
    attrs = dict(op.attrs)
    if op.device is not None:
        attrs["device"] = op.device
    results = [format_type(r.type) for r in op.results]
    result_text = results[0] if len(results) == 1 else "(" + ", ".join(results) + ")"
    tail = f"{_attr_dict(attrs)} : ({', '.join(format_type(v.type) for v in op.operands)}) -> {result_text}"
    if with_locs and op.loc is not None:
        tail += " " + format_loc(op.loc)
    if not op.regions:
        lines.append(head + tail)
        return
    lines.append(head + " ({")
    for i, region in enumerate(op.regions):
        if i:
            lines.append(pad + "}, {")
        _print_block(region, names, indent, with_locs, lines)
    lines.append(pad + "})" + tail)


def print_op(op: Op, names: Namer | None = None, *, with_locs: bool = True, indent: int = 0) -> str:
    """One op (with its regions) as text; pass the graph's Namer to keep names consistent."""
    lines: list[str] = []
    _print_op(op, names if names is not None else Namer(), indent, with_locs, lines)
    return "\n".join(lines)


def print_graph(graph: Graph, *, with_locs: bool = True) -> str:
    """The whole graph as one `"dfc.graph"() ({...}) {sym_name = ...}` op, newline-terminated."""
    names = Namer()
    lines = ['"dfc.graph"() ({']
    _print_block(graph.body, names, 0, with_locs, lines)
    sym_name = getattr(graph, "sym_name", "main")
    lines.append(f"}}) {{sym_name = {format_string(sym_name)}}} : () -> ()")
    return "\n".join(lines) + "\n"

