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


from .dtypes import DType, from_mlir
from .errors import ParseError
from .graph import Block, Graph, Location, Op, Value
from .ops import REGISTRY
from .parser_attrs import _BARE_ID, _NUMBER, AttributeParsing, _Attr, _describe, _int_literal
from .types import CONTROL, TensorType, Type

__all__ = ["parse_graph"]

_WS_OR_COMMENT = re.compile(r"(?:\s+|//[^\n]*)*")
_SUFFIX_ID = re.compile(r"[A-Za-z0-9$._-]+")
_DIMS = re.compile(r"((?:(?:[0-9]+|\?)x)*)(complex<[A-Za-z0-9]+>|[A-Za-z][A-Za-z0-9]*|!tf_type\.string)")


class _Parser(AttributeParsing):
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
        out = self.string_bytes()
        try:
            return out.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            raise self.error("string literal is not valid UTF-8", start) from None

    def string_bytes(self) -> bytes:
        """A string literal's bytes (a tf.string element need not be UTF-8)."""
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
        return bytes(out)

    # ---- types -------------------------------------------------------------------------------
    def type(self) -> Type | DType:
        """`tensor<4x?xf32>`, `!dfc.control`, or a bare element type (f32, i1) where attributes allow it."""
        start = self.skip()
        if self.accept("!"):
            name, _ = self.bare_id("a dialect type")
            if name == "tf_type.string":
                return from_mlir("!tf_type.string")
            if name != "dfc.control":
                raise self.error(f"unknown type '!{name}' (the IR knows tensor<...> and !dfc.control)", start)
            return CONTROL
        word, _ = self.bare_id("a type")
        if word == "complex":
            word = self.complex_word()
        if word != "tensor":
            return self.element_type(word, start)
        self.expect("<", "after 'tensor'")
        body = self.skip()
        if self.text.startswith("*x", body):
            self.pos = body + 2
            wpos = self.pos
            word = "!" + self.bare_id("an element type")[0] if self.accept("!") else self.bare_id("an element type")[0]
            word = self.complex_word() if word == "complex" else word
            dtype = self.element_type(word, wpos)
            self.expect(">", "to close the tensor type")
            return TensorType(dtype, None)
        m = _DIMS.match(self.text, body)
        if not m:
            raise self.error(f"expected tensor dims and an element type, found {self._found()}")
        dims = tuple(None if d == "?" else int(d) for d in m.group(1).split("x")[:-1])
        dtype = self.element_type(m.group(2), m.start(2))
        self.pos = m.end()
        self.expect(">", "to close the tensor type")
        return TensorType(dtype, dims)

    def complex_word(self) -> str:
        """The `<f32>` after `complex`, read into the whole spelling `complex<f32>`."""
        self.expect("<", "after 'complex'")
        inner, _ = self.bare_id("a float type")
        self.expect(">", "to close the complex type")
        return f"complex<{inner}>"

    def element_type(self, word: str, pos: int) -> DType:
        try:
            return from_mlir(word)
        except ValueError:
            raise self.error(f"unknown element type '{word}' (expected one of f16 bf16 f32 f64 i8 i16 i32 i64 ui8 "
                             "ui16 ui32 ui64 i1 complex<f32> complex<f64>)",
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
