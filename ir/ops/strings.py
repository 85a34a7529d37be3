"""String ops: tf.string values (object arrays of bytes) parsed, formatted, joined and split on the host.

Every op here reads or makes tf.string tensors, so none is compiled: the runtime runs them on
its interpreter (runtime/host_strings.py) and hands numeric results to compiled code. They are
not differentiable (TF1 declares none of them so) and never fused.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..dtypes import DType, bool_, f32, f64, i32, i64, string
from ..errors import DTypeError, InvalidArgumentError, ShapeError
from ..types import TensorType
from .dynamic import SHAPE_OPERAND
from .registry import Attr, OpDef, broadcast_shapes, register, require_dtype, tensor_operand


def bytes_array(value: Any) -> np.ndarray:
    """`value` (str, bytes, nested lists of them, numpy str/bytes/object arrays) as an object array of bytes.

    str becomes its UTF-8 bytes, as TF converts Python strings; anything else raises TypeError.
    """
    array = np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value
    if array.dtype.kind not in "OSU":
        raise TypeError(f"Expected string, got {value!r} of type '{type(value).__name__}' instead.")
    out = np.empty(array.shape, dtype=object)
    flat_in, flat_out = array.reshape(-1), out.reshape(-1)
    for i, v in enumerate(flat_in):
        if isinstance(v, bytes):
            flat_out[i] = v if type(v) is bytes else bytes(v)  # numpy's bytes_ elements as plain bytes
        elif isinstance(v, str):
            flat_out[i] = v.encode("utf-8")
        else:
            raise TypeError(f"Expected string, got {v!r} of type '{type(v).__name__}' instead.")
    return out


def _strings(x: np.ndarray) -> np.ndarray:
    return x if x.dtype == object else bytes_array(x)


def _map(fn, x: np.ndarray) -> np.ndarray:
    """fn on every element of an object array, keeping its shape (np.vectorize misreads empty and 0-d arrays)."""
    out = np.empty(x.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(x.reshape(-1)):
        flat[i] = fn(v)
    return out


def _require_string(t: TensorType, what: str = "input") -> None:
    require_dtype(t.dtype, (string,), what)


def _string_in(result_dtype: DType | None = None):
    """Type inference of an op mapping each string element to one element of `result_dtype` (a string)."""
    def infer(types, attrs):
        t = tensor_operand(types, 0)
        _require_string(t)
        return [t.with_dtype(result_dtype or attrs.get("out_type", string))]
    return infer


def _op(name: str, infer, reference, operands: Any = 1, attrs: dict | None = None, doc: str = "") -> OpDef:
    return register(OpDef(f"dfc.{name}", "strings", infer, reference, operands, attrs or {}, differentiable=False,
                          fusible_as=None, doc=doc))


# ---- numbers <-> strings -----------------------------------------------------------------------
_FLOAT_TEXT = re.compile(rb"\s*[+-]?(inf|infinity|nan|(\d+\.?\d*|\.\d+)(e[+-]?\d+)?|0x[0-9a-f]+)\s*", re.IGNORECASE)
_INT_TEXT = re.compile(rb"\s*[+-]?\d+\s*")


def _parse_number(s: bytes, dtype: DType) -> Any:
    """TF's safe_strto*: surrounding whitespace is allowed, anything else must be the number; None if not one."""
    if dtype.is_integer:
        if not _INT_TEXT.fullmatch(s):
            return None
        value = int(s)
        info = np.iinfo(dtype.np)
        return value if info.min <= value <= info.max else None
    if not _FLOAT_TEXT.fullmatch(s):
        return None
    text = s.strip().lower()
    if b"0x" in text:
        return float(int(text, 16))
    with np.errstate(over="ignore"):
        return float(text)


def _string_to_number(x, out_type):
    out = np.empty(x.shape, dtype=out_type.np)
    flat = out.reshape(-1)
    for i, s in enumerate(_strings(x).reshape(-1)):
        value = _parse_number(s, out_type)
        if value is None:
            text = s.decode("utf-8", "replace")
            raise InvalidArgumentError(f"StringToNumberOp could not correctly convert string: {text}")
        flat[i] = value
    return out


_op("string_to_number", _string_in(), _string_to_number, 1,
    {"out_type": Attr("dtype", f32)}, doc="each string read as a number of out_type (TF's StringToNumber)")


def _as_string_infer(types, attrs):
    t = tensor_operand(types, 0)
    if t.dtype.is_string:
        raise ShapeError("as_string: Value passed to parameter 'input' has DataType string not in list of allowed "
                         "values: int8, int16, int32, int64, float32, float64, float16, bfloat16, bool")
    return [t.with_dtype(string)]


def _as_string(x, precision, scientific, shortest, width, fill):
    if x.dtype == np.bool_:
        return _map(lambda v: b"true" if v else b"false", x)
    pad = "0" if fill == "0" else ("-" if fill == "-" else "")
    spec = "%" + pad + (str(width) if width > -1 else "")
    if x.dtype.kind in "iu":
        fmt = spec + "d"
        return _map(lambda v: (fmt % int(v)).encode(), x)
    if precision > -1:
        spec += f".{precision}"
    fmt = spec + ("e" if scientific else "g" if shortest else "f")
    return _map(lambda v: (fmt % float(v)).encode(), x)


_op("as_string", _as_string_infer, _as_string, 1,
    {"precision": Attr("int", -1), "scientific": Attr("bool", False), "shortest": Attr("bool", False),
     "width": Attr("int", -1), "fill": Attr("str", "")}, doc="numbers and bools formatted as C's printf does")


# ---- per-element string functions --------------------------------------------------------------
def _utf8_chars(s: bytes) -> int:
    return sum(1 for b in s if b & 0xC0 != 0x80)


def _length(x, unit):
    count = len if unit == "BYTE" else _utf8_chars
    return np.array([count(s) for s in _strings(x).reshape(-1)], dtype=np.int32).reshape(x.shape)


_op("string_length", _string_in(i32), _length, 1, {"unit": Attr("str", "BYTE")},
    doc="bytes (unit BYTE) or UTF-8 characters (UTF8_CHAR) of each string")

_WHITESPACE = b" \t\n\v\f\r"
_op("string_strip", _string_in(), lambda x: _map(lambda s: s.strip(_WHITESPACE), _strings(x)), 1,
    doc="leading and trailing ASCII whitespace removed")
_op("string_lower", _string_in(), lambda x, encoding="": _map(bytes.lower, _strings(x)), 1,
    {"encoding": Attr("str", "")}, doc="ASCII letters in lower case")
_op("string_upper", _string_in(), lambda x, encoding="": _map(bytes.upper, _strings(x)), 1,
    {"encoding": Attr("str", "")}, doc="ASCII letters in upper case")


def _rewrite_template(rewrite: bytes) -> bytes:
    r"""RE2's rewrite string (\0 the match, \1..\9 groups, \\ a backslash) in Python's re syntax."""
    return re.sub(rb"\\(\d)", rb"\\g<\1>", rewrite)


def _regex_replace(x, pattern, rewrite, replace_global):
    try:
        compiled = re.compile(pattern.encode("utf-8"))
    except re.error as e:
        raise InvalidArgumentError(f"Invalid pattern: {pattern}, error: {e}") from None
    template = _rewrite_template(rewrite.encode("utf-8"))
    count = 0 if replace_global else 1
    return _map(lambda s: compiled.sub(template, s, count=count), _strings(x))


_op("regex_replace", _string_in(), _regex_replace, 1,
    {"pattern": Attr("str"), "rewrite": Attr("str"), "replace_global": Attr("bool", True)},
    doc="matches of an RE2 pattern replaced by rewrite (its groups as \\1)")


def _substr_infer(types, attrs):
    t, pos, length = (tensor_operand(types, i) for i in range(3))
    _require_string(t)
    for what, u in (("pos", pos), ("len", length)):
        require_dtype(u.dtype, (i32, i64), what)
    if pos.dtype != length.dtype:
        raise ShapeError(f"pos and len must have one dtype, got {pos.dtype.name} and {length.dtype.name}")
    return [TensorType(string, broadcast_shapes(t.shape, pos.shape, length.shape))]


def _substr(x, pos, length, unit):
    x, pos, length = np.broadcast_arrays(_strings(x), pos, length)
    out = np.empty(x.shape, dtype=object)
    flat = out.reshape(-1)
    for i, (s, p, n) in enumerate(zip(x.reshape(-1), pos.reshape(-1), length.reshape(-1))):
        chars: Any = s if unit == "BYTE" else s.decode("utf-8", "replace")
        size, p, n = len(chars), int(p), int(n)
        start = p + size if p < 0 else p
        if not 0 <= start <= size:
            raise InvalidArgumentError(f"pos {p} out of range for string b'{s.decode('utf-8', 'replace')}' at "
                                       f"index {i}")
        piece = chars[start:start + max(n, 0)]
        flat[i] = piece if unit == "BYTE" else piece.encode("utf-8")
    return out


_op("substr", _substr_infer, _substr, 3, {"unit": Attr("str", "BYTE")},
    doc="len bytes (or UTF-8 characters) of each string from pos (negative: from the end)")


# ---- joining -----------------------------------------------------------------------------------
def _join_infer(types, attrs):
    shape: tuple | None = ()
    for i in range(len(types)):
        t = tensor_operand(types, i)
        _require_string(t, f"inputs[{i}]")
        if t.shape is None or shape is None:
            shape = None
        elif t.shape != () and shape != () and len(t.shape) == len(shape) and \
                all(a is None or b is None or a == b for a, b in zip(t.shape, shape)):
            shape = tuple(a if a is not None else b for a, b in zip(t.shape, shape))
        elif t.shape != () and shape != ():
            raise ShapeError(f"Input shapes do not match: {list(shape)} vs. {list(t.shape)}")
        elif t.shape != ():
            shape = t.shape
    return [TensorType(string, shape)]


def _join(*xs, separator):
    arrays = [_strings(x) for x in xs]
    shapes = {a.shape for a in arrays if a.ndim}
    if len(shapes) > 1:
        a, b = sorted(shapes, key=str)[:2]
        raise InvalidArgumentError(f"Input shapes do not match: {list(a)} vs. {list(b)}")
    shape = shapes.pop() if shapes else ()
    sep = separator.encode("utf-8")
    columns = [np.broadcast_to(a, shape).reshape(-1) for a in arrays]
    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for i in range(flat.size):
        flat[i] = sep.join(c[i] for c in columns)
    return out


_op("string_join", _join_infer, _join, (1, None), {"separator": Attr("str", "")},
    doc="the inputs joined element by element (scalars repeat), separator between them")


def _reduce_join_infer(types, attrs):
    t = tensor_operand(types, 0)
    _require_string(t)
    if t.shape is None:
        return [TensorType(string, None)]
    axes = _norm_axes(attrs["axes"], len(t.shape))
    keep = attrs["keepdims"]
    shape = tuple((1 if keep else None) if i in axes else d for i, d in enumerate(t.shape))
    return [TensorType(string, tuple(d for i, d in enumerate(shape) if keep or i not in axes))]


def _norm_axes(axes, rank: int) -> tuple[int, ...]:
    out = []
    for a in axes:
        if not -max(rank, 1) <= a < max(rank, 1):
            raise ShapeError(f"Invalid reduction dimension {a} for input with {rank} dimensions.")
        out.append(a % max(rank, 1))
    return tuple(sorted(set(out)))


def _reduce_join(x, axes, keepdims, separator):
    x = _strings(x)
    axes = _norm_axes(axes, x.ndim)
    kept = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, kept + list(axes)).reshape([x.shape[i] for i in kept] + [-1])
    sep = separator.encode("utf-8")
    out = np.empty(moved.shape[:-1], dtype=object)
    flat = out.reshape(-1)
    rows = moved.reshape(flat.size, -1)
    for i in range(flat.size):
        flat[i] = sep.join(rows[i])
    if keepdims:
        out = out.reshape([1 if i in axes else d for i, d in enumerate(x.shape)])
    return out


_op("reduce_join", _reduce_join_infer, _reduce_join, 1,
    {"axes": Attr("ints"), "keepdims": Attr("bool", False), "separator": Attr("str", "")},
    doc="the strings along axes joined, in row-major order")


__all__ = ["bytes_array", "string"]


# ---- formatting tensors ------------------------------------------------------------------------
def _format_scalar(v: Any) -> str:
    if isinstance(v, bytes):
        return '"' + v.decode("utf-8", "replace") + '"'
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (np.floating, float)):
        digits = 6 if np.asarray(v).dtype.itemsize <= 4 else 15
        text = f"{float(v):.{digits}g}"
        if np.asarray(v).dtype.type(float(text)) != v and np.isfinite(v):
            text = f"{float(v):.{digits + 3}g}"
        return text
    return str(v)


def format_tensor(x: np.ndarray, summarize: int) -> str:
    """A tensor as TF's SummarizeValue prints it: nested brackets, at most `summarize` entries at each end of a dim."""
    if x.ndim == 0:
        return _format_scalar(x[()])

    def rows(a: np.ndarray, depth: int) -> str:
        n = a.shape[0]
        cut = 0 <= summarize < n and 2 * summarize < n
        idx = list(range(summarize)) + [-1] + list(range(n - summarize, n)) if cut else list(range(n))
        if a.ndim == 1:
            return "[" + " ".join("..." if i == -1 else _format_scalar(a[i]) for i in idx) + "]"
        sep = "\n" + " " * (depth + 1)
        return "[" + sep.join("..." if i == -1 else rows(a[i, ...], depth + 1) for i in idx) + "]"
    return rows(x, 0)


def _format_infer(types, attrs):
    return [TensorType(string, ())]


def _string_format(*xs, template, placeholder, summarize):
    pieces = template.split(placeholder)
    out = [pieces[0]]
    for x, piece in zip(xs, pieces[1:]):
        out += [format_tensor(np.asarray(x), summarize), piece]
    return np.array("".join(out).encode("utf-8"), dtype=object)


_op("string_format", _format_infer, _string_format, (0, None),
    {"template": Attr("str"), "placeholder": Attr("str", "{}"), "summarize": Attr("int", 3)},
    doc="a scalar string: template with its placeholders replaced by the inputs as TF prints them")


# ---- CSV ---------------------------------------------------------------------------------------
_CSV_TYPES = ("float32", "float64", "int32", "int64", "string")
_TF_TYPE_NAMES = {"float32": "float", "float64": "double"}


def _decode_csv_infer(types, attrs):
    records = tensor_operand(types, 0)
    _require_string(records, "records")
    out = []
    for i in range(1, len(types)):
        default = tensor_operand(types, i)
        if default.dtype.name not in _CSV_TYPES:
            raise ShapeError(f"Value passed to parameter 'record_defaults' has DataType {default.dtype.name} not in "
                             f"list of allowed values: {', '.join(_CSV_TYPES)}")
        if default.shape is not None and (len(default.shape) > 1 or (default.shape and default.shape[0] not in
                                                                     (0, 1, None))):
            raise ShapeError(f"Shape of a default must be a length-0 or length-1 vector, or a scalar; record_defaults"
                             f"[{i - 1}] has shape {list(default.shape)}")
        out.append(TensorType(default.dtype, records.shape))
    return out


def _csv_fields(record: bytes, delim: int, quotes: bool, index: int) -> list[bytes]:
    """The fields of one record as TF's DecodeCSV splits it (RFC 4180 quotes when `quotes`)."""
    fields, i, n = [], 0, len(record)
    while True:
        if quotes and i < n and record[i] == 0x22:
            field = bytearray()
            i += 1
            while True:
                if i >= n:
                    raise InvalidArgumentError(f"Quoted field has to end with quote followed by delim or end "
                                               f"(record {index})")
                if record[i] == 0x22:
                    if i + 1 < n and record[i + 1] == 0x22:
                        field.append(0x22)
                        i += 2
                        continue
                    i += 1
                    break
                field.append(record[i])
                i += 1
            if i < n and record[i] != delim:
                raise InvalidArgumentError(f"Quote inside a string has to be escaped by another quote "
                                           f"(record {index})")
            fields.append(bytes(field))
        else:
            end = record.find(bytes([delim]), i)
            end = n if end < 0 else end
            field = record[i:end]
            if quotes and (b'"' in field or b"\n" in field or b"\r" in field):
                raise InvalidArgumentError(f"Unquoted fields cannot have quotes/CRLFs inside (record {index})")
            fields.append(field)
            i = end
        if i >= n:
            return fields
        i += 1  # the delimiter
        if i == n:
            fields.append(b"")
            return fields


def _decode_csv(records, *defaults, field_delim, use_quote_delim, na_value, select_cols):
    records = _strings(records)
    if len(field_delim.encode("utf-8")) != 1:
        raise InvalidArgumentError("field_delim should be only 1 char")
    delim, na = field_delim.encode("utf-8")[0], na_value.encode("utf-8")
    outs = [np.empty(records.shape, dtype=d.dtype if d.dtype != object else object) for d in defaults]
    flats = [o.reshape(-1) for o in outs]
    wanted = list(select_cols) if select_cols else list(range(len(defaults)))
    for r, record in enumerate(records.reshape(-1)):
        fields = _csv_fields(record, delim, use_quote_delim, r)
        if (not select_cols and len(fields) != len(defaults)) or (select_cols and len(fields) <= wanted[-1]):
            raise InvalidArgumentError(f"Expect {len(defaults)} fields but have {len(fields)} in record {r}")
        for k, (col, default) in enumerate(zip(wanted, defaults)):
            field = fields[col]
            if field == b"" or field == na:
                if default.size == 0:
                    raise InvalidArgumentError(f"Field {k} is required but missing in record {r}!")
                flats[k][r] = default.reshape(-1)[0]
                continue
            if default.dtype == object:
                flats[k][r] = field
                continue
            dtype = _NP_DTYPES[default.dtype]
            value = _parse_number(field, dtype)
            if value is None:
                name = _TF_TYPE_NAMES.get(dtype.name, dtype.name)
                raise InvalidArgumentError(f"Field {k} in record {r} is not a valid {name}: "
                                           f"{field.decode('utf-8', 'replace')}")
            flats[k][r] = value
    return tuple(outs)


_NP_DTYPES = {np.dtype(d.np): d for d in (f32, f64, i32, i64)}

_op("decode_csv", _decode_csv_infer, _decode_csv, (2, None),
    {"field_delim": Attr("str", ","), "use_quote_delim": Attr("bool", True), "na_value": Attr("str", ""),
     "select_cols": Attr("ints", ())}, doc="each CSV record split into one tensor per column (TF's DecodeCSV)")


# ---- splitting ---------------------------------------------------------------------------------
_SPLIT_ATTRS = {"delimiter": Attr("str", " "), "skip_empty": Attr("bool", True), "mode": Attr("str", "chars"),
                "maxsplit": Attr("int", -1)}


def _tokens(s: bytes, delimiter: str, skip_empty: bool, mode: str, maxsplit: int) -> list[bytes]:
    """TF1's string_split (mode 'chars': every byte of delimiter splits, '' splits into bytes) or StringSplitV2
    (mode 'sep': delimiter is one separator, '' means runs of whitespace; at most maxsplit splits)."""
    sep = delimiter.encode("utf-8")
    if mode == "sep":
        if not sep:
            return s.split(None, maxsplit) if maxsplit >= 0 else s.split()
        return s.split(sep, maxsplit)
    if not sep or not s:  # TF1's string_split makes no token of an empty string, even with skip_empty False
        return [s[i:i + 1] for i in range(len(s))]
    parts = re.split(b"[" + re.escape(sep) + b"]", s)
    return [p for p in parts if p] if skip_empty else parts


def _split_rows(x, delimiter, skip_empty, mode, maxsplit) -> list[list[bytes]]:
    if x.ndim != 1:
        raise InvalidArgumentError(f"input must be a vector, got shape: {list(x.shape)}")
    return [_tokens(s, delimiter, skip_empty, mode, maxsplit) for s in _strings(x)]


def _split_input(types, attrs) -> TensorType:
    t = tensor_operand(types, 0)
    _require_string(t)
    if t.shape is not None and len(t.shape) != 1:
        raise ShapeError(f"input must be a vector, got shape: {list(t.shape)}")
    if attrs["mode"] not in ("chars", "sep"):
        raise ShapeError(f"mode must be 'chars' or 'sep', got '{attrs['mode']}'")
    return t


def _split_count_infer(types, attrs):
    _split_input(types, attrs)
    return [TensorType(i64, ())]


_op("string_split_count", _split_count_infer,
    lambda x, **attrs: np.array(sum(len(r) for r in _split_rows(x, **attrs)), dtype=np.int64), 1, dict(_SPLIT_ATTRS),
    doc="how many tokens string_split makes of x (the size of its SparseTensor, found before the step)")


def _split_types(count: int | None) -> list[TensorType]:
    return [TensorType(i64, (count, 2)), TensorType(string, (count,))]


def _dynamic_split_infer(types, attrs):
    _split_input(types, attrs)
    require_dtype(tensor_operand(types, 1).dtype, (i64,), "count")
    return _split_types(None)


def _split(x, *count, delimiter, skip_empty, mode, maxsplit, **_):
    rows = _split_rows(x, delimiter, skip_empty, mode, maxsplit)
    indices = np.array([[r, k] for r, row in enumerate(rows) for k in range(len(row))], dtype=np.int64).reshape(-1, 2)
    values = np.empty(len(indices), dtype=object)
    values[:] = [token for row in rows for token in row]
    return indices, values


def _split_shape(x, delimiter, skip_empty, mode, maxsplit):
    rows = _split_rows(x, delimiter, skip_empty, mode, maxsplit)
    return np.array([len(rows), max((len(row) for row in rows), default=0)], dtype=np.int64)


def _split_shape_infer(types, attrs):
    _split_input(types, attrs)
    return [TensorType(i64, (2,))]


# the dense shape is an op of its own: a value that sizes later ops is learned by a run of its own
_op("string_split_shape", _split_shape_infer, _split_shape, 1, dict(_SPLIT_ATTRS),
    doc="the dense shape [rows, most tokens in a row] of string_split's SparseTensor")


_op("dynamic_string_split", _dynamic_split_infer, _split, 2, dict(_SPLIT_ATTRS),
    doc="tf.string_split's SparseTensor's indices and values given its token count; specialize makes it a "
        "dfc.string_split once the count is known")


def _split_infer(types, attrs):
    _split_input(types, attrs)
    return _split_types(attrs["count"])


_op("string_split", _split_infer, _split, 1, {**_SPLIT_ATTRS, "count": Attr("int")},
    doc="tf.string_split's SparseTensor's indices and values, `count` tokens")
SHAPE_OPERAND["dfc.dynamic_string_split"] = 1
#: host ops sized by a count operand -> their static twin, which takes the count as its `count` attribute
COUNTED_OPS = {"dfc.dynamic_string_split": "dfc.string_split"}


# ---- raw bytes, base64, regex match ------------------------------------------------------------
_RAW_TYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "bool")


def _raw_width(x, out_type) -> int:
    """How many out_type values each string of x holds (all strings must be as long)."""
    size = np.dtype(out_type.np).itemsize
    flat = _strings(x).reshape(-1)
    if flat.size == 0:
        return 0
    first = len(flat[0])
    for i, s in enumerate(flat):
        if len(s) != first:
            raise InvalidArgumentError(f"DecodeRaw requires input strings to all be the same size, but element {i} "
                                       f"has size {first} != {len(s)}")  # TF's order of the two sizes
    if first % size:
        raise InvalidArgumentError(f"Input to DecodeRaw has length {first} that is not a multiple of {size}, the "
                                   f"size of {out_type.name}")
    return first // size


def _raw_infer(types, attrs, count=None):
    t = tensor_operand(types, 0)
    _require_string(t, "bytes")
    if attrs["out_type"].name not in _RAW_TYPES:  # TF's TypeError
        raise DTypeError(f"Value passed to parameter 'out_type' has DataType {attrs['out_type'].name} not in list of "
                         f"allowed values: {', '.join(_RAW_TYPES)}")
    return [TensorType(attrs["out_type"], None if t.shape is None else (*t.shape, count))]


def _decode_raw(x, *count, out_type, little_endian, **_):
    width = _raw_width(x, out_type)
    dtype = np.dtype(out_type.np).newbyteorder("<" if little_endian else ">")
    flat = _strings(x).reshape(-1)
    out = np.frombuffer(b"".join(flat), dtype=dtype).astype(out_type.np) if flat.size else np.empty(0, out_type.np)
    return out.reshape((*x.shape, width))


_RAW_ATTRS = {"out_type": Attr("dtype"), "little_endian": Attr("bool", True)}
def _raw_width_infer(types, attrs):
    _raw_infer(types, attrs)
    return [TensorType(i64, ())]


_op("decode_raw_width", _raw_width_infer,
    lambda x, out_type, little_endian: np.array(_raw_width(x, out_type), np.int64), 1, dict(_RAW_ATTRS),
    doc="how many out_type values each string holds (decode_raw's last dim, found before the step)")
_op("dynamic_decode_raw", lambda types, attrs: _raw_infer(types, attrs), _decode_raw, 2, dict(_RAW_ATTRS),
    doc="the bytes of each string as out_type values, given how many; specialize makes it a dfc.decode_raw")
_op("decode_raw", lambda types, attrs: _raw_infer(types, attrs, attrs["count"]), _decode_raw, 1,
    {**_RAW_ATTRS, "count": Attr("int")}, doc="the bytes of each string as `count` out_type values")
SHAPE_OPERAND["dfc.dynamic_decode_raw"] = 1
COUNTED_OPS["dfc.dynamic_decode_raw"] = "dfc.decode_raw"


def _base64(x, encode, pad):
    import base64
    if encode:
        return _map(lambda s: base64.urlsafe_b64encode(s) if pad else base64.urlsafe_b64encode(s).rstrip(b"="),
                    _strings(x))

    def decode(s: bytes) -> bytes:
        try:
            return base64.urlsafe_b64decode(s + b"=" * (-len(s) % 4))
        except ValueError as e:
            raise InvalidArgumentError(f"Invalid character found in base64: {e}") from None
    return _map(decode, _strings(x))


_op("base64", _string_in(), _base64, 1, {"encode": Attr("bool"), "pad": Attr("bool", False)},
    doc="web-safe base64 of each string (encode) or its decoding, as TF's EncodeBase64/DecodeBase64")


def _regex_full_match(x, pattern):
    try:
        compiled = re.compile(pattern.encode("utf-8"))
    except re.error as e:
        raise InvalidArgumentError(f"Invalid pattern: {pattern}, error: {e}") from None
    flat = _strings(x).reshape(-1)
    return np.array([compiled.fullmatch(s) is not None for s in flat], dtype=np.bool_).reshape(x.shape)


_op("regex_full_match", _string_in(bool_), _regex_full_match, 1, {"pattern": Attr("str")},
    doc="whether each whole string matches the RE2 pattern")


def _read_file(filename):
    path = _strings(filename).reshape(-1)[0].decode("utf-8")
    try:
        with open(path, "rb") as f:
            return np.array(f.read(), dtype=object)
    except FileNotFoundError:
        from ..errors import NotFoundError
        raise NotFoundError(f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise InvalidArgumentError(f"{path}; Is a directory") from None


def _read_file_infer(types, attrs):
    t = tensor_operand(types, 0)
    _require_string(t, "filename")
    if t.shape not in (None, ()):
        raise ShapeError(f"filename must be a scalar, got {t}")
    return [TensorType(string, ())]


# stateful: a file is read when the step runs (never folded into a constant while compiling)
register(OpDef("dfc.read_file", "strings", _read_file_infer, _read_file, 1, differentiable=False, stateful=True,
               fusible_as=None, doc="the bytes of the file named by a scalar string"))
