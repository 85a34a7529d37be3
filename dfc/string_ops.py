"""TF1's string functions (tf.strings.*, tf.as_string, tf.string_to_number, tf.reduce_join, ...) over tf.string tensors.

Strings are host values (numpy object arrays of bytes); these ops run on the host and the rest of
a step stays compiled (runtime/host_strings.py). Arguments, defaults and errors follow TF1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, f32, f64, i32, i64, string, u32, u64

from .framework import Tensor, convert_to_tensor, make

__all__ = ["as_string", "decode_base64", "decode_raw", "encode_base64", "format", "join", "length", "lower",
           "read_file", "reduce_join", "regex_full_match", "regex_replace", "split", "string_join", "string_split",
           "string_strip", "string_to_number", "strip", "substr", "to_number", "upper"]

_NUMBER_TYPES = (f32, f64, i32, i64, u32, u64)


def string_tensor(value: Any, param: str, op: str) -> Tensor:
    """`value` as a tf.string tensor; another dtype is TF's TypeError naming the parameter and the op."""
    if isinstance(value, Tensor):
        if not value.dtype.is_string:
            raise TypeError(f"Value passed to parameter '{param}' has DataType {value.dtype.name} not in list of "
                            f"allowed values: string (op {op}, tensor {value.name})")
        return value
    try:
        return convert_to_tensor(value, string)
    except TypeError as e:
        raise TypeError(f"Value passed to parameter '{param}' of {op} must be strings: {e}") from None


def string_to_number(string_tensor_: Any = None, out_type: Any = f32, name: str | None = None,
                     input: Any = None) -> Tensor:  # noqa: A002 - TF's keyword
    """Each string as a number of out_type (float32, float64, int32, int64, uint32 or uint64), as TF's
    StringToNumber reads it."""
    value = string_tensor_ if string_tensor_ is not None else input
    dtype = as_dtype(out_type)
    if dtype not in _NUMBER_TYPES:
        raise TypeError(f"Value passed to parameter 'out_type' has DataType {dtype.name} not in list of allowed "
                        f"values: float32, float64, int32, int64, uint32, uint64")
    x = string_tensor(value, "string_tensor", "StringToNumber")
    return make("dfc.string_to_number", [x], {"out_type": dtype}, name=name or "StringToNumber")


def to_number(input: Any, out_type: Any = f32, name: str | None = None) -> Tensor:  # noqa: A002
    """tf.strings.to_number: string_to_number under its TF2 name."""
    return string_to_number(input, out_type, name)


def as_string(input: Any, precision: int = -1, scientific: bool = False, shortest: bool = False,  # noqa: A002
              width: int = -1, fill: str = "", name: str | None = None) -> Tensor:
    """Numbers and bools as strings, formatted as C's printf with TF's flags (floats: %f by default)."""
    x = convert_to_tensor(input)
    if x.dtype.is_string:
        raise TypeError(f"Value passed to parameter 'input' has DataType string not in list of allowed values: "
                        f"int8, int16, int32, int64, float32, float64, float16, bfloat16, bool (tensor {x.name})")
    if scientific and shortest:
        raise ValueError("Cannot select both scientific and shortest notation")
    if len(fill) > 1:
        raise ValueError(f"Fill string must be one or fewer characters, got '{fill}'")
    if precision > -1 and not x.dtype.is_floating:
        raise ValueError(f"precision not supported for datatype {x.dtype.name}")
    if (scientific or shortest) and not x.dtype.is_floating:
        raise ValueError(f"scientific and shortest format not supported for datatype {x.dtype.name}")
    if x.dtype.is_bool and (width > -1 or fill):
        raise ValueError("width and fill not supported for datatype bool")
    return make("dfc.as_string", [x], {"precision": int(precision), "scientific": bool(scientific),
                                       "shortest": bool(shortest), "width": int(width), "fill": fill},
                name=name or "AsString")


def _unit(unit: str) -> str:
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"unit must be 'BYTE' or 'UTF8_CHAR', got '{unit}'")
    return unit


def length(input: Any, name: str | None = None, unit: str = "BYTE") -> Tensor:  # noqa: A002
    """The length of each string, in bytes or (unit='UTF8_CHAR') UTF-8 characters, as int32."""
    x = string_tensor(input, "input", "StringLength")
    return make("dfc.string_length", [x], {"unit": _unit(unit)}, name=name or "StringLength")


def _elementwise(irop: str, default: str):
    def fn(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
        return make(irop, [string_tensor(input, "input", default)], name=name or default)
    fn.__name__ = default
    return fn


string_strip = _elementwise("dfc.string_strip", "StringStrip")
strip = string_strip


def lower(input: Any, encoding: str = "", name: str | None = None) -> Tensor:  # noqa: A002
    """ASCII letters in lower case (TF's default encoding '')."""
    return make("dfc.string_lower", [string_tensor(input, "input", "StringLower")], {"encoding": encoding},
                name=name or "StringLower")


def upper(input: Any, encoding: str = "", name: str | None = None) -> Tensor:  # noqa: A002
    """ASCII letters in upper case (TF's default encoding '')."""
    return make("dfc.string_upper", [string_tensor(input, "input", "StringUpper")], {"encoding": encoding},
                name=name or "StringUpper")


def regex_replace(input: Any, pattern: Any, rewrite: Any, replace_global: bool = True,  # noqa: A002
                  name: str | None = None) -> Tensor:
    """Matches of the RE2 `pattern` replaced by `rewrite` (\\1 its groups), all of them or the first."""
    x = string_tensor(input, "input", "RegexReplace")
    attrs = {"pattern": _static_text(pattern, "pattern"), "rewrite": _static_text(rewrite, "rewrite"),
             "replace_global": bool(replace_global)}
    return make("dfc.regex_replace", [x], attrs, name=name or "RegexReplace")


def _static_text(value: Any, what: str) -> str:
    from .conversion import constant_value
    if isinstance(value, Tensor):
        found = constant_value(value)
        if found is None:
            raise ValueError(f"{what} must be a constant string here, got the tensor {value.name}")
        value = found[()] if isinstance(found, np.ndarray) else found
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, got {value!r}")
    return value


def substr(input: Any, pos: Any, len: Any, name: str | None = None, unit: str = "BYTE") -> Tensor:  # noqa: A002
    """`len` bytes (or UTF-8 characters) of each string from `pos`; pos and len broadcast against the input."""
    x = string_tensor(input, "input", "Substr")
    pos_t = convert_to_tensor(pos)
    len_t = convert_to_tensor(len)
    for what, t in (("pos", pos_t), ("len", len_t)):
        if t.dtype not in (i32, i64):
            raise TypeError(f"Value passed to parameter '{what}' has DataType {t.dtype.name} not in list of allowed "
                            f"values: int32, int64")
    if pos_t.dtype != len_t.dtype:
        raise TypeError(f"Input 'len' of 'Substr' Op has type {len_t.dtype.name} that does not match type "
                        f"{pos_t.dtype.name} of argument 'pos'.")
    return make("dfc.substr", [x, pos_t, len_t], {"unit": _unit(unit)}, name=name or "Substr")


def string_join(inputs: Any, separator: str = "", name: str | None = None) -> Tensor:
    """The inputs joined element by element with `separator` (scalars join every element)."""
    if isinstance(inputs, Tensor) or not isinstance(inputs, (list, tuple)) or not inputs:
        raise TypeError(f"Expected list for 'inputs' argument to 'StringJoin' Op, not {inputs!r}.")
    xs = [string_tensor(x, f"inputs[{i}]", "StringJoin") for i, x in enumerate(inputs)]
    return make("dfc.string_join", xs, {"separator": separator}, name=name or "StringJoin")


join = string_join


def reduce_join(inputs: Any, axis: Any = None, keep_dims: Any = None, separator: str = "",
                name: str | None = None, reduction_indices: Any = None, keepdims: Any = None) -> Tensor:
    """The strings along `axis` (all axes when None) joined with `separator`, in row-major order."""
    from .math_ops import _axes
    x = string_tensor(inputs, "inputs", "ReduceJoin")
    keep = bool(keepdims if keepdims is not None else keep_dims or False)
    if x.shape.ndims is None and axis is None and reduction_indices is None:
        from .array_ops import reshape
        x = reshape(x, [-1])
    axes = _axes(x, axis, reduction_indices)
    if isinstance(axes, Tensor):
        raise ValueError(f"reduction axes of tf.strings.reduce_join must be constant, got the tensor {axes.name}")
    return make("dfc.reduce_join", [x], {"axes": axes, "keepdims": keep, "separator": separator},
                name=name or "ReduceJoin")


def format(template: str, inputs: Any, placeholder: str = "{}", summarize: int = 3,  # noqa: A001
           name: str | None = None) -> Tensor:
    """A scalar string: `template` with each placeholder replaced by the next input, printed as TF prints tensors
    (`summarize` first and last entries of each dim, '...' between)."""
    xs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    tensors = [convert_to_tensor(x) for x in xs]
    if template.count(placeholder) != len(tensors):
        raise ValueError(f"{len(tensors)} tensors were passed to the template but {template.count(placeholder)} "
                         f"placeholders '{placeholder}' were found in: {template}")
    return make("dfc.string_format", tensors, {"template": template, "placeholder": placeholder,
                                               "summarize": int(summarize)}, name=name or "StringFormat")


def _split(source: Any, delimiter: str, skip_empty: bool, mode: str, maxsplit: int, name: str | None,
           default: str):
    from .framework import make_op, name_scope, wrap
    from .sparse.tensor import SparseTensor
    with name_scope(name, default, [source]) as scope:
        x = string_tensor(source, "source", default)
        if x.shape.ndims is not None and x.shape.ndims != 1:
            raise ValueError(f"Shape must be rank 1 but is rank {x.shape.ndims} for '{scope[:-1]}' (input "
                             f"{x.name}: {default} splits a vector of strings)")
        attrs = {"delimiter": delimiter, "skip_empty": bool(skip_empty), "mode": mode, "maxsplit": int(maxsplit)}
        # the token count sizes the SparseTensor: dfc finds it before the step (compiler/specialize.py)
        count = make("dfc.string_split_count", [x], attrs, name="count")
        shape = make("dfc.string_split_shape", [x], attrs, name="shape")
        op = make_op("dfc.dynamic_string_split", [x, count], attrs, name=scope[:-1], exact_name=True)
        indices, values = (wrap(r) for r in op.results)
        return SparseTensor(indices, values, shape)


def string_split(source: Any, sep: Any = None, skip_empty: bool = True, delimiter: Any = None,
                 result_type: str = "SparseTensor", name: str | None = None):
    """Each string of the vector `source` split at every byte of `delimiter` (' ' by default; '' splits into
    bytes), empty tokens dropped with skip_empty: a SparseTensor [rows, longest] of the tokens."""
    if sep is not None and delimiter is not None:
        raise ValueError("Cannot specify both 'sep' and 'delimiter'.")
    if result_type != "SparseTensor":
        raise ValueError(f"result_type {result_type!r}: dfc's string_split returns a SparseTensor")
    text = _static_text(delimiter if delimiter is not None else sep if sep is not None else " ", "delimiter")
    return _split(source, text, skip_empty, "chars", -1, name, "StringSplit")


def split(input: Any = None, sep: Any = None, maxsplit: int = -1, result_type: str = "SparseTensor",  # noqa: A002
          source: Any = None, name: str | None = None):
    """tf.strings.split: each string split at `sep` (a whole separator; None: runs of whitespace), at most
    maxsplit times: a SparseTensor [rows, longest] of the tokens (TF's StringSplitV2)."""
    if input is None:
        input = source  # noqa: A001
    if result_type != "SparseTensor":
        raise ValueError(f"result_type {result_type!r}: dfc's strings.split returns a SparseTensor")
    text = "" if sep is None else _static_text(sep, "sep")
    return _split(input, text, False, "sep", maxsplit, name, "StringSplitV2")


def decode_raw(input_bytes: Any = None, out_type: Any = None, little_endian: bool = True,  # noqa: D417
               name: str | None = None, bytes: Any = None) -> Tensor:  # noqa: A002 - TF's keyword
    """The bytes of each string as out_type values: shape input's + [length / size of out_type]; every string must
    be as long (its width is learned before the step)."""
    from .framework import make_op, name_scope, wrap
    value = input_bytes if input_bytes is not None else bytes
    if out_type is None:
        raise TypeError("decode_raw() missing required argument: 'out_type'")
    dtype = as_dtype(out_type)
    with name_scope(name, "DecodeRaw", [value]) as scope:
        x = string_tensor(value, "bytes", "DecodeRaw")
        attrs = {"out_type": dtype, "little_endian": bool(little_endian)}
        width = make("dfc.decode_raw_width", [x], attrs, name="width")
        return wrap(make_op("dfc.dynamic_decode_raw", [x, width], attrs, name=scope[:-1], exact_name=True).results[0])


def encode_base64(input: Any, pad: bool = False, name: str | None = None) -> Tensor:  # noqa: A002
    """Each string in web-safe base64 ('-' and '_'), '=' padding only with pad."""
    return make("dfc.base64", [string_tensor(input, "input", "EncodeBase64")], {"encode": True, "pad": bool(pad)},
                name=name or "EncodeBase64")


def decode_base64(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Each web-safe base64 string decoded."""
    return make("dfc.base64", [string_tensor(input, "input", "DecodeBase64")], {"encode": False},
                name=name or "DecodeBase64")


def regex_full_match(input: Any, pattern: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Whether each whole string matches the RE2 `pattern` (bool)."""
    return make("dfc.regex_full_match", [string_tensor(input, "input", "RegexFullMatch")],
                {"pattern": _static_text(pattern, "pattern")}, name=name or "RegexFullMatch")


def read_file(filename: Any, name: str | None = None) -> Tensor:
    """The whole file named by the scalar string `filename`, read when the step runs."""
    return make("dfc.read_file", [string_tensor(filename, "filename", "ReadFile")], name=name or "ReadFile")
