"""Attributes in the IR's text form: attribute dictionaries, typed literals, dense constants and their kinds.

A mixin of the parser (ir/parser.py): it reads attribute values as written (`_Attr`), and
converts each to the Python kind that the op's declaration names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .dtypes import DType
from .errors import ParseError, ShapeError
from .ops import REGISTRY
from .types import TensorType

if TYPE_CHECKING:
    from .parser import _Parser

_BARE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_$.]*")
_NUMBER = re.compile(r"[-+]?(?:0x[0-9A-Fa-f]+|[0-9]+(?:\.[0-9]*(?:[eE][-+]?[0-9]+)?)?)")
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


class AttributeParsing:
    """The parser's attribute half: reads `{name = value, ...}` and converts values by declared kind."""

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
            raw = self.string_bytes()
            literal = ((raw, "string"), body_pos)  # a tf.string splat, or hex data: the type says which
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
        if literal is not None and isinstance(literal[0], tuple) and not dtype.is_string:
            s = literal[0][0].decode("latin-1")
            if not re.fullmatch(r"0x([0-9A-Fa-f]{2})*", s):
                raise self.error("a dense string must be hex data \"0x...\" with whole bytes", body_pos)
            hex_data, literal = (bytes.fromhex(s[2:]), body_pos), None
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
        if self.peek('"'):
            return ((self.string_bytes(), "string"), start)
        m = _BARE_ID.match(self.text, self.pos)
        if m and m.group(0) in ("true", "false"):
            self.pos = m.end()
            return (m.group(0), start)
        m = _NUMBER.match(self.text, self.pos)
        if not m:
            raise self.error(f"expected a number, true or false in the dense literal, found {self._found()}")
        self.pos = m.end()
        return (m.group(0), start)

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
    if dtype.is_string != isinstance(text, tuple):
        raise p.error(f"expected {'a string' if dtype.is_string else 'a number'} for a {dtype.mlir} element", pos)
    if dtype.is_string:
        return text[0]
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
