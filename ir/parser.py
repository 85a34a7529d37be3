"""Reads the IR's text form (MLIR generic syntax, as printer.py writes it) back into a Graph.

Besides our own dumps it takes what MLIR tools write for them: `//` comments,
`loc(unknown)` or no locations, attributes in any order, typed literals (`3 : i64`,
`1.000000e-05 : f64`, `0x7FF0000000000000 : f64`), `dense<...>` in list, splat or hex
form, and a `module { ... }` / `"builtin.module"` wrapper. Every problem is a
ParseError that points at the offending token's line:col.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .dtypes import DType, from_mlir
from .errors import ParseError, ShapeError
from .graph import Block, Graph, Location, Op, Value
from .ops import REGISTRY
from .types import CONTROL, TensorType, Type

__all__ = ["parse_graph"]

_WS_OR_COMMENT = re.compile(r"(?:\s+|//[^\n]*)*")
_BARE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_$.]*")
_SUFFIX_ID = re.compile(r"[A-Za-z0-9$._-]+")
_NUMBER = re.compile(r"[-+]?(?:0x[0-9A-Fa-f]+|[0-9]+(?:\.[0-9]*(?:[eE][-+]?[0-9]+)?)?)")
_DIMS = re.compile(r"((?:(?:[0-9]+|\?)x)*)([A-Za-z][A-Za-z0-9]*)")
_INT_TYPE = re.compile(r"[su]?i[0-9]+|index")

_FLOAT_BITS = {"f16": (np.uint16, np.float16), "f32": (np.uint32, np.float32), "f64": (np.uint64, np.float64)}


@dataclass
class _Attr:
    """An attribute value as written, before the op's declaration says which Python kind it becomes."""

    kind: str  # bool int float str list type dense unit
    value: Any
    pos: int


def _describe(kind: str) -> str:
    return {"bool": "a boolean", "int": "an integer", "float": "a float", "str": "a string", "list": "a list",
            "type": "a type", "dense": "a dense constant", "unit": "a unit attribute (no value)"}[kind]


class _Parser:
    def __init__(self, text: str, filename: str):
        self.text = text
        self.filename = filename
        self.pos = 0
        self._line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self.graph = Graph()
        self.scopes: list[dict[str, tuple[list[Value], int]]] = []
        self.all_names: set[str] = set()
        self.top_names_lower: set[str] = set()
        self.unnamed: list[tuple[Op, bool]] = []  # zero-result ops, named once every SSA name is known

    # ---- positions and errors ----------------------------------------------------------------
    def linecol(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, pos) - 1
        return line + 1, pos - self._line_starts[line] + 1

    def error(self, message: str, pos: int | None = None) -> ParseError:
        line, col = self.linecol(self.pos if pos is None else pos)
        return ParseError(message, self.filename, line, col)

    def _found(self) -> str:
        if self.pos >= len(self.text):
            return "end of input"
        m = _BARE_ID.match(self.text, self.pos) or _NUMBER.match(self.text, self.pos)
        return f"'{m.group(0) if m else self.text[self.pos]}'"

    # ---- characters and tokens ---------------------------------------------------------------
    def skip(self) -> int:
        self.pos = _WS_OR_COMMENT.match(self.text, self.pos).end()
        return self.pos

    def peek(self, s: str) -> bool:
        self.skip()
        return self.text.startswith(s, self.pos)

    def accept(self, s: str) -> bool:
        if self.peek(s):
            self.pos += len(s)
            return True
        return False

    def expect(self, s: str, context: str = "") -> int:
        start = self.skip()
        if not self.text.startswith(s, self.pos):
            where = f" {context}" if context else ""
            raise self.error(f"expected '{s}'{where}, found {self._found()}")
        self.pos += len(s)
        return start

    def peek_keyword(self, word: str) -> bool:
        self.skip()
        m = _BARE_ID.match(self.text, self.pos)
        return bool(m) and m.group(0) == word

    def accept_keyword(self, word: str) -> bool:
        if self.peek_keyword(word):
            self.pos += len(word)
            return True
        return False

    def bare_id(self, what: str) -> tuple[str, int]:
        start = self.skip()
        m = _BARE_ID.match(self.text, self.pos)
        if not m:
            raise self.error(f"expected {what}, found {self._found()}")
        self.pos = m.end()
        return m.group(0), start

    def integer(self, what: str = "an integer") -> int:
        self.skip()
        m = _NUMBER.match(self.text, self.pos)
        if not m or "." in m.group(0):
            raise self.error(f"expected {what}, found {self._found()}")
        self.pos = m.end()
        return _int_literal(m.group(0))

    def string(self) -> str:
        """A string literal with MLIR's escapes: \\\\ \\" \\n \\t and \\XX (two hex digits, one byte)."""
        start = self.skip()
        if not self.text.startswith('"', self.pos):
            raise self.error(f"expected a string literal, found {self._found()}")
        out = bytearray()
        i = self.pos + 1
        text = self.text
        while True:
            if i >= len(text) or text[i] == "\n":
                raise self.error("unterminated string literal", start)
            c = text[i]
            if c == '"':
                break
            if c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt in ('"', "\\"):
                    out += nxt.encode()
                    i += 2
                elif nxt == "n":
                    out += b"\n"
                    i += 2
                elif nxt == "t":
                    out += b"\t"
                    i += 2
                elif re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 1:i + 3]):
                    out.append(int(text[i + 1:i + 3], 16))
                    i += 3
                else:
                    raise self.error("bad escape in string literal (use \\\\, \\\", \\n, \\t or \\XX)", i)
            else:
                out += c.encode("utf-8", "surrogatepass")
                i += 1
        self.pos = i + 1
        try:
            return out.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            raise self.error("string literal is not valid UTF-8", start) from None

    # ---- types -------------------------------------------------------------------------------
    def type(self) -> Type | DType:
        """`tensor<4x?xf32>`, `!dfc.control`, or a bare element type (f32, i1) where attributes allow it."""
        start = self.skip()
        if self.accept("!"):
            name, _ = self.bare_id("a dialect type")
            if name != "dfc.control":
                raise self.error(f"unknown type '!{name}' (the IR knows tensor<...> and !dfc.control)", start)
            return CONTROL
        word, _ = self.bare_id("a type")
        if word != "tensor":
            return self.element_type(word, start)
        self.expect("<", "after 'tensor'")
        body = self.skip()
        if self.text.startswith("*", body):
            raise self.error("unranked tensors are not supported", body)
        m = _DIMS.match(self.text, body)
        if not m:
            raise self.error(f"expected tensor dims and an element type, found {self._found()}")
        dims = tuple(None if d == "?" else int(d) for d in m.group(1).split("x")[:-1])
        dtype = self.element_type(m.group(2), m.start(2))
        self.pos = m.end()
        self.expect(">", "to close the tensor type")
        return TensorType(dtype, dims)

    def element_type(self, word: str, pos: int) -> DType:
        try:
            return from_mlir(word)
        except ValueError:
            raise self.error(f"unknown element type '{word}' (expected one of f16 bf16 f32 f64 i8 i32 i64 i1)",
                             pos) from None

    def value_type(self) -> tuple[Type, int]:
        start = self.skip()
        t = self.type()
        if isinstance(t, DType):
            raise self.error(f"expected a tensor type or !dfc.control, found '{t.mlir}'", start)
        return t, start

    def type_list(self) -> list[tuple[Type, int]]:
        self.expect("(")
        out: list[tuple[Type, int]] = []
        if not self.accept(")"):
            while True:
                out.append(self.value_type())
                if self.accept(")"):
                    break
                self.expect(",", "or ')' in the type list")
        return out

    def function_type(self) -> tuple[list[tuple[Type, int]], list[tuple[Type, int]]]:
        inputs = self.type_list()
        self.expect("->", "between operand and result types")
        if self.peek("("):
            return inputs, self.type_list()
        return inputs, [self.value_type()]

    # ---- locations ---------------------------------------------------------------------------
    def location(self) -> Location | None:
        """The body of `loc(...)`, after the '('; only file:line:col locations are kept."""
        start = self.skip()
        if self.accept_keyword("unknown"):
            loc = None
        elif self.peek('"'):
            name = self.string()
            if self.accept(":"):
                line = self.integer("a line number")
                col = self.integer("a column number") if self.accept(":") else 0
                loc = Location(name, line, col)
            elif self.accept("("):
                loc = self.location()  # a named location wrapping a child: keep the child
            else:
                loc = None
        else:
            raise self.error(f"unsupported location, expected 'unknown' or \"file\":line:col, found {self._found()}",
                             start)
        self.expect(")", "to close the location")
        return loc

    def optional_trailing_loc(self) -> Location | None:
        if self.peek_keyword("loc"):
            self.accept_keyword("loc")
            self.expect("(", "after 'loc'")
            return self.location()
        return None

    # ---- values ------------------------------------------------------------------------------
    def ssa_def(self) -> tuple[str, int]:
        start = self.expect("%")
        m = _SUFFIX_ID.match(self.text, self.pos)
        if not m:
            raise self.error("expected a value name after '%'", start)
        self.pos = m.end()
        return m.group(0), start

    def define(self, name: str, values: list[Value], pos: int) -> None:
        for scope in self.scopes:
            if name in scope:
                line, col = self.linecol(scope[name][1])
                raise self.error(f"redefinition of %{name} (first defined at {line}:{col})", pos)
        self.scopes[-1][name] = (values, pos)
        self.all_names.add(name)

    def ssa_use(self) -> tuple[Value, int]:
        name, start = self.ssa_def()
        index = self.integer("a result number") if self.accept("#") else None
        for scope in reversed(self.scopes):
            if name in scope:
                values = scope[name][0]
                break
        else:
            raise self.error(f"use of undefined value %{name}", start)
        i = 0 if index is None else index
        if not 0 <= i < len(values):
            raise self.error(f"%{name} has {len(values)} result(s); #{i} is out of range", start)
        return values[i], start

    # ---- attributes --------------------------------------------------------------------------
    def attr_dict(self, closer: str = "}") -> list[tuple[str, int, _Attr]]:
        """`{name = value, ...}` after the '{'; a name alone is a unit attribute."""
        out: list[tuple[str, int, _Attr]] = []
        if self.accept(closer):
            return out
        while True:
            start = self.skip()
            name = self.string() if self.peek('"') else self.bare_id("an attribute name")[0]
            if self.accept("="):
                value = self.attr_value()
            else:
                value = _Attr("unit", True, start)
            out.append((name, start, value))
            if self.accept(closer):
                return out
            self.expect(",", f"or '{closer}' in the attribute dictionary")

    def attr_value(self) -> _Attr:
        start = self.skip()
        text = self.text
        if self.accept_keyword("true"):
            return _Attr("bool", True, start)
        if self.accept_keyword("false"):
            return _Attr("bool", False, start)
        if self.accept_keyword("unit"):
            return _Attr("unit", True, start)
        if self.peek('"'):
            return _Attr("str", self.string(), start)
        if self.accept("["):
            items: list[_Attr] = []
            if not self.accept("]"):
                while True:
                    items.append(self.attr_value())
                    if self.accept("]"):
                        break
                    self.expect(",", "or ']' in the list")
            return _Attr("list", items, start)
        if self.accept_keyword("array"):
            return self.dense_array(start)
        if self.accept_keyword("dense"):
            return _Attr("dense", self.dense_body(), start)
        m = _NUMBER.match(text, self.pos)
        if m:
            self.pos = m.end()
            return self.typed_number(m.group(0), start)
        if self.peek("!") or _BARE_ID.match(text, self.pos):
            return _Attr("type", self.type(), start)
        raise self.error(f"expected an attribute value, found {self._found()}")

    def typed_number(self, literal: str, start: int) -> _Attr:
        """A number with an optional `: type` suffix; hex bits with a float type are that float."""
        type_name, type_pos = None, None
        if self.accept(":"):
            type_name, type_pos = self.bare_id("the literal's type")
        is_float_literal = "." in literal
        if type_name is None or _INT_TYPE.fullmatch(type_name):
            if is_float_literal:
                if type_name is not None:
                    raise self.error(f"float literal {literal} cannot have integer type {type_name}", type_pos)
                return _Attr("float", float(literal), start)
            return _Attr("int", _int_literal(literal), start)
        dtype = self.element_type(type_name, type_pos)
        if not dtype.is_floating:
            raise self.error(f"a number cannot have type {type_name}", type_pos)
        if literal.lower().startswith("0x"):
            return _Attr("float", float(_float_from_bits(int(literal, 16), dtype, start, self)), start)
        return _Attr("float", float(literal), start)

    def dense_array(self, start: int) -> _Attr:
        """MLIR's `array<i64: 1, 2>`, read as a list of integers."""
        self.expect("<", "after 'array'")
        word, pos = self.bare_id("an element type")
        if not _INT_TYPE.fullmatch(word):
            raise self.error(f"array<{word}: ...> is not supported here, only integer arrays", pos)
        items: list[_Attr] = []
        if self.accept(":"):
            while True:
                item_pos = self.skip()
                items.append(_Attr("int", self.integer(), item_pos))
                if not self.accept(","):
                    break
        self.expect(">", "to close the array")
        return _Attr("list", items, start)

    # ---- dense constants ---------------------------------------------------------------------
    def dense_body(self) -> np.ndarray:
        """`<...> : tensor<...>` after `dense`: the array with the type's dtype and shape."""
        self.expect("<", "after 'dense'")
        hex_data: tuple[bytes, int] | None = None
        literal = None
        body_pos = self.skip()
        if self.peek('"'):
            s = self.string()
            if not re.fullmatch(r"0x([0-9A-Fa-f]{2})*", s):
                raise self.error("a dense string must be hex data \"0x...\" with whole bytes", body_pos)
            hex_data = (bytes.fromhex(s[2:]), body_pos)
        elif not self.peek(">"):
            literal = self.dense_literal()
        self.expect(">", "to close the dense literal")
        self.expect(":", "before the dense constant's type")
        type_pos = self.skip()
        t = self.type()
        if not isinstance(t, TensorType):
            raise self.error(f"a dense constant needs a tensor type, got {t}", type_pos)
        if not t.is_static:
            raise self.error(f"a dense constant needs a static shape, got {t}", type_pos)
        dtype, shape, n = t.dtype, t.shape, t.num_elements
        if hex_data is not None:
            return _from_hex(hex_data[0], dtype, shape, hex_data[1], self)
        if literal is None:
            if n != 0:
                raise self.error(f"dense<> is empty but {t} has {n} elements", body_pos)
            return np.zeros(shape, dtype=dtype.np)
        if not isinstance(literal[0], list):
            return np.full(shape, _element(literal, dtype, self), dtype=dtype.np)  # a splat
        found = _literal_shape(literal, self)
        if tuple(found) != shape:
            raise self.error(f"dense literal has shape {list(found)} but its type is {t}", body_pos)
        flat: list[Any] = []
        _flatten(literal, flat)
        out = np.empty(n, dtype=dtype.np)
        for i, item in enumerate(flat):
            out[i] = _element(item, dtype, self)
        return out.reshape(shape)

    def dense_literal(self) -> Any:
        """An element (kept as (text, pos)) or a nested list of them."""
        start = self.skip()
        if self.accept("["):
            items: list[Any] = []
            if not self.accept("]"):
                while True:
                    items.append(self.dense_literal())
                    if self.accept("]"):
                        break
                    self.expect(",", "or ']' in the dense literal")
            return (items, start)
        m = _BARE_ID.match(self.text, self.pos)
        if m and m.group(0) in ("true", "false"):
            self.pos = m.end()
            return (m.group(0), start)
        m = _NUMBER.match(self.text, self.pos)
        if not m:
            raise self.error(f"expected a number, true or false in the dense literal, found {self._found()}")
        self.pos = m.end()
        return (m.group(0), start)

    # ---- ops, regions, the graph -------------------------------------------------------------
    def op(self, block: Block, top: bool) -> Op:
        groups: list[tuple[str, int, int]] = []  # (name, result count, position)
        if self.peek("%"):
            while True:
                name, pos = self.ssa_def()
                count = self.integer("a result count") if self.accept(":") else 1
                if count < 1:
                    raise self.error("a result group needs at least one result", pos)
                groups.append((name, count, pos))
                if not self.accept(","):
                    break
            self.expect("=", "after the result names")
        op_pos = self.skip()
        if not self.peek('"'):
            raise self.error(f"expected an operation name in quotes (\"dfc.add\"), found {self._found()}")
        op_type = self.string()
        opdef = REGISTRY.get(op_type)
        if opdef is None:
            raise self.error(f"unknown op '{op_type}'", op_pos)
        operands: list[tuple[Value, int]] = []
        self.expect("(", "to open the operand list")
        if not self.accept(")"):
            while True:
                operands.append(self.ssa_use())
                if self.accept(")"):
                    break
                self.expect(",", "or ')' in the operand list")
        if self.peek("["):
            raise self.error("block successors are not supported in dfc graphs")
        raw_attrs: list[tuple[str, int, _Attr]] = []
        if self.accept("<{"):
            raw_attrs += self.attr_dict("}>")  # MLIR's properties: the same as attributes for us
        regions: list[Block] = []
        if self.accept("("):
            while True:
                regions.append(self.region())
                if self.accept(")"):
                    break
                self.expect(",", "or ')' after a region")
        if self.accept("{"):
            raw_attrs += self.attr_dict()
        self.expect(":", "before the op's type")
        sig_pos = self.skip()
        in_types, out_types = self.function_type()
        loc = self.optional_trailing_loc()

        if len(in_types) != len(operands):
            raise self.error(f"{op_type} has {len(operands)} operand(s) but its type lists {len(in_types)}", sig_pos)
        for (value, use_pos), (t, _) in zip(operands, in_types):
            if value.type != t:
                raise self.error(f"type mismatch: the value is used as {t} but defined as {value.type}", use_pos)
        n_results = sum(count for _, count, _ in groups)
        if len(out_types) != n_results:
            raise self.error(f"{op_type} defines {n_results} result(s) but its type lists {len(out_types)}",
                             sig_pos)
        attrs, device = self.convert_attrs(op_type, raw_attrs, op_pos)
        name = groups[0][0] if groups else ""
        op = Op(op_type, name, [v for v, _ in operands], attrs, [t for t, _ in out_types], device=device, loc=loc,
                regions=regions)
        for region in regions:
            region.parent = op
        first = 0
        for group_name, count, pos in groups:
            self.define(group_name, op.results[first:first + count], pos)
            first += count
        if top:
            if name:
                self.graph.reserve_name(name)
                self.top_names_lower.add(name.lower())
            self.graph.append(op)
        else:
            block.append(op)
        if not groups:
            self.unnamed.append((op, top))
        return op

    def convert_attrs(self, op_type: str, raw: list[tuple[str, int, _Attr]], op_pos: int
                      ) -> tuple[dict[str, Any], str | None]:
        opdef = REGISTRY[op_type]
        attrs: dict[str, Any] = {}
        device = None
        seen: set[str] = set()
        for key, pos, value in raw:
            if key in seen:
                raise self.error(f"attribute '{key}' is given twice", pos)
            seen.add(key)
            if key == "device":
                if value.kind != "str":
                    raise self.error(f"the device must be a string, got {_describe(value.kind)}", value.pos)
                device = value.value
                continue
            spec = opdef.attrs.get(key)
            if spec is None:
                known = ", ".join(sorted(opdef.attrs)) or "none"
                raise self.error(f"{op_type} has no attribute '{key}' (it has: {known})", pos)
            attrs[key] = self.convert(value, spec.kind, f"attribute '{key}' of {op_type}")
        try:
            return opdef.complete_attrs(attrs), device
        except ShapeError as e:
            raise self.error(str(e), op_pos) from None

    def convert(self, a: _Attr, kind: str, what: str) -> Any:
        """An attribute value as the Python object its declared kind asks for."""
        def fail(expected: str) -> ParseError:
            return self.error(f"{what} must be {expected}, got {_describe(a.kind)}", a.pos)

        if kind == "bool":
            if a.kind in ("bool", "unit"):
                return bool(a.value)
            raise fail("true or false")
        if kind == "int":
            if a.kind == "int":
                return a.value
            raise fail("an integer")
        if kind == "float":
            if a.kind in ("float", "int"):
                return float(a.value)
            raise fail("a float")
        if kind == "str":
            if a.kind == "str":
                return a.value
            raise fail("a string")
        if kind in ("ints", "strs"):
            item_kind = "int" if kind == "ints" else "str"
            if a.kind != "list":
                raise fail(f"a list of {item_kind}s")
            for item in a.value:
                if item.kind != item_kind:
                    raise self.error(f"{what} must be a list of {item_kind}s, but an item is {_describe(item.kind)}",
                                     item.pos)
            return tuple(item.value for item in a.value)
        if kind == "dtype":
            if a.kind == "type" and isinstance(a.value, DType):
                return a.value
            raise fail("an element type (f32, i64, i1, ...)")
        if kind == "type":
            if a.kind == "type":
                return a.value
            raise fail("a type")
        if kind == "dense":
            if a.kind == "dense":
                return a.value
            raise fail("a dense constant (dense<...> : tensor<...>)")
        raise self.error(f"{what} has a kind the parser does not know: {kind}", a.pos)

    def region(self, into: Block | None = None, top: bool = False) -> Block:
        """`{ [^bb0(args):] ops }`: one block; its values are visible to nested regions only."""
        self.expect("{", "to open a region")
        block = into if into is not None else Block()
        self.scopes.append({})
        if self.peek("^"):
            self.block_label(block)
        while not self.accept("}"):
            if self.pos >= len(self.text):
                raise self.error("expected '}' to close the region, found end of input")
            if self.peek("^"):
                raise self.error("regions of dfc ops hold a single block")
            self.op(block, top)
        self.scopes.pop()
        return block

    def block_label(self, block: Block) -> None:
        self.expect("^")
        m = _SUFFIX_ID.match(self.text, self.pos)
        if not m:
            raise self.error("expected a block name after '^'")
        self.pos = m.end()
        if self.accept("("):
            if not self.accept(")"):
                while True:
                    name, pos = self.ssa_def()
                    self.expect(":", "between the block argument and its type")
                    t, _ = self.value_type()
                    self.optional_trailing_loc()
                    self.define(name, [block.add_argument(t, name)], pos)
                    if self.accept(")"):
                        break
                    self.expect(",", "or ')' in the block arguments")
        self.expect(":", "after the block label")

    def graph_op(self) -> Graph:
        """`"dfc.graph"() ({...}) {sym_name = "main"} : () -> ()`."""
        start = self.skip()
        if not self.peek('"'):
            raise self.error(f"expected \"dfc.graph\", found {self._found()}")
        if self.string() != "dfc.graph":
            raise self.error("the top-level op must be \"dfc.graph\"", start)
        self.expect("(")
        self.expect(")", "(dfc.graph takes no operands)")
        self.expect("(", "to open the graph's region")
        self.region(self.graph.body, top=True)
        self.expect(")", "(dfc.graph has one region)")
        if self.accept("{"):
            for key, pos, value in self.attr_dict():
                if key != "sym_name":
                    raise self.error(f"dfc.graph has no attribute '{key}' (it has: sym_name)", pos)
                if value.kind != "str":
                    raise self.error(f"sym_name must be a string, got {_describe(value.kind)}", value.pos)
                self.graph.sym_name = value.value
        self.expect(":", "before the graph's type")
        sig_pos = self.skip()
        ins, outs = self.function_type()
        if ins or outs:
            raise self.error("dfc.graph's type must be () -> ()", sig_pos)
        self.optional_trailing_loc()
        return self.graph

    def module(self) -> Graph:
        """The graph, possibly wrapped in a module as MLIR tools write it."""
        self.skip()
        if self.accept_keyword("module"):
            if self.accept("@"):
                self.bare_id("the module's name")
            if self.accept_keyword("attributes"):
                self.expect("{")
                self.attr_dict()
            self.expect("{", "to open the module")
            graph = self.graph_op()
            self.expect("}", "to close the module")
            self.optional_trailing_loc()
        elif self.peek('"builtin.module"'):
            self.string()
            self.expect("(")
            self.expect(")")
            self.expect("(")
            self.expect("{")
            if self.peek("^"):
                self.block_label(Block())
            graph = self.graph_op()
            self.expect("}", "to close the module")
            self.expect(")")
            if self.accept("{"):
                self.attr_dict()
            self.expect(":")
            self.function_type()
            self.optional_trailing_loc()
        else:
            graph = self.graph_op()
        if self.skip() < len(self.text):
            raise self.error(f"expected end of input after the graph, found {self._found()}")
        self._name_unnamed()
        return graph

    def _name_unnamed(self) -> None:
        """Zero-result ops have no SSA name in the text: give them `fetch`, `group_1`, ..."""
        for op, top in self.unnamed:
            base = REGISTRY[op.type].short
            name, k = base, 0
            while name in self.all_names or name.lower() in self.top_names_lower:
                k += 1
                name = f"{base}_{k}"
            self.all_names.add(name)
            if top:
                self.top_names_lower.add(name.lower())
                name = self.graph.reserve_name(name)
            op.name = name


# ---- literal helpers -----------------------------------------------------------------------------
def _int_literal(text: str) -> int:
    neg = text.startswith("-")
    body = text.lstrip("+-")
    value = int(body, 16) if body.lower().startswith("0x") else int(body)
    return -value if neg else value


def _float_from_bits(bits: int, dtype: DType, pos: int, p: _Parser) -> Any:
    if dtype.mlir == "bf16":
        utype, ftype = np.uint16, dtype.np
    else:
        utype, ftype = _FLOAT_BITS[dtype.mlir]
    if bits >= 1 << (8 * np.dtype(utype).itemsize):
        raise p.error(f"hex literal 0x{bits:X} has more bits than {dtype.mlir}", pos)
    return np.array([bits], dtype=utype).view(ftype)[0]


def _literal_shape(node: Any, p: _Parser) -> list[int]:
    items, pos = node
    if not isinstance(items, list):
        return []
    if not items:
        return [0]
    shapes = [_literal_shape(item, p) for item in items]
    for item, shape in zip(items, shapes):
        if shape != shapes[0]:
            raise p.error("dense literal is not rectangular: this entry has a different shape from the first",
                          item[1])
    return [len(items)] + shapes[0]


def _flatten(node: Any, out: list[Any]) -> None:
    items, _ = node
    if isinstance(items, list):
        for item in items:
            _flatten(item, out)
    else:
        out.append(node)


def _element(node: tuple[str, int], dtype: DType, p: _Parser) -> Any:
    text, pos = node
    if isinstance(text, list):
        raise p.error("expected a single element here, found a list", pos)
    if dtype.is_bool:
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise p.error(f"expected true or false for an i1 element, found '{text}'", pos)
    if text in ("true", "false"):
        raise p.error(f"expected a number for a {dtype.mlir} element, found '{text}'", pos)
    if dtype.is_integer:
        if "." in text:
            raise p.error(f"expected an integer for a {dtype.mlir} element, found '{text}'", pos)
        value = _int_literal(text)
        info = np.iinfo(dtype.np)
        if not info.min <= value <= info.max:
            raise p.error(f"{value} does not fit in {dtype.mlir}", pos)
        return value
    if text.lower().lstrip("+-").startswith("0x"):
        return _float_from_bits(int(text.lstrip("+-"), 16), dtype, pos, p)  # the element's raw bits
    with np.errstate(over="ignore"):
        return np.array(float(text)).astype(dtype.np)[()]


def _from_hex(data: bytes, dtype: DType, shape: tuple[int, ...], pos: int, p: _Parser) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64))
    if dtype.is_bool:
        if len(data) == n:  # one byte per element
            flat = np.frombuffer(data, dtype=np.uint8) != 0
        elif len(data) == 1 and data in (b"\x00", b"\xff"):  # MLIR's i1 splat
            flat = np.full(n, data == b"\xff")
        elif len(data) == (n + 7) // 8:  # MLIR's packing: one bit each, least significant first
            flat = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")[:n].astype(bool)
        else:
            raise p.error(f"hex data has {len(data)} bytes; {n} i1 elements need {(n + 7) // 8} (packed) or {n}", pos)
        return flat.reshape(shape)
    itemsize = dtype.np.itemsize
    little = dtype.np.newbyteorder("<")
    if len(data) == itemsize * n:
        flat = np.frombuffer(data, dtype=little)
    elif len(data) == itemsize:  # one element's bytes: a splat
        flat = np.full(n, np.frombuffer(data, dtype=little)[0])
    else:
        raise p.error(f"hex data has {len(data)} bytes but {n} {dtype.mlir} elements need {itemsize * n}", pos)
    return flat.astype(dtype.np).reshape(shape)


def parse_graph(text: str, filename: str = "<string>") -> Graph:
    """The Graph that `text` (printer.print_graph's output, or MLIR generic syntax like it) describes."""
    p = _Parser(text, filename)
    try:
        return p.module()
    except ParseError:
        raise
    except (ValueError, TypeError, OverflowError, IndexError, KeyError, RecursionError) as e:
        # a gap in the checks above: still report it as a ParseError where the parser stood
        raise p.error(f"cannot parse: {e}") from None
