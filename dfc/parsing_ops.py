"""TF1's parsing ops over tf.string records: tf.decode_csv (tf.io.decode_csv), and tf.train.Example protos."""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype

from .framework import Tensor, TensorShape, convert_to_tensor, make, make_op, name_scope, wrap
from .string_ops import string_tensor

__all__ = ["FixedLenFeature", "VarLenFeature", "decode_csv", "parse_example", "parse_single_example"]

_CSV_DTYPES = ("float32", "float64", "int32", "int64", "string")


def decode_csv(records: Any, record_defaults: Any, field_delim: str = ",", use_quote_delim: bool = True,
               name: str | None = None, na_value: str = "", select_cols: Any = None) -> list[Tensor]:
    """One tensor per column of the CSV `records` (any shape): each column takes its default's dtype, and its
    default where a field is empty or `na_value`; a column whose default is empty is required."""
    if not isinstance(record_defaults, (list, tuple)):
        raise TypeError(f"Expected list for 'record_defaults' argument to 'DecodeCSV' Op, not {record_defaults!r}.")
    if select_cols is not None:
        cols = [int(c) for c in select_cols]
        if any(b <= a for a, b in zip(cols, cols[1:])):
            raise ValueError("select_cols is not strictly increasing.")
        if cols and cols[0] < 0:
            raise ValueError("select_cols contains negative values.")
        if len(cols) != len(record_defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
    else:
        cols = []
    with name_scope(name, "DecodeCSV", [records]) as scope:
        x = string_tensor(records, "records", "DecodeCSV")
        defaults = []
        for i, d in enumerate(record_defaults):
            t = convert_to_tensor(d, name=f"record_defaults_{i}")
            if t.dtype.name not in _CSV_DTYPES:
                raise TypeError(f"Value passed to parameter 'record_defaults' has DataType {t.dtype.name} not in "
                                f"list of allowed values: {', '.join(_CSV_DTYPES)}")
            shape = t.shape.as_list() if t.shape.ndims is not None else None
            if shape is not None and (len(shape) > 1 or (shape and shape[0] is not None and shape[0] > 1)):
                raise ValueError(f"Shape of a default must be a length-0 or length-1 vector, or a scalar: "
                                 f"record_defaults[{i}] of DecodeCSV '{scope[:-1]}' has shape {shape}")
            defaults.append(t)
        op = make_op("dfc.decode_csv", [x, *defaults], {"field_delim": field_delim,
                                                         "use_quote_delim": bool(use_quote_delim),
                                                         "na_value": na_value, "select_cols": cols},
                     name=scope[:-1], exact_name=True)
    return [wrap(r) for r in op.results]


# ---- tf.train.Example ------------------------------------------------------------------------------
class FixedLenFeature(collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A feature of `shape` values in every Example (default_value where one lacks it; None: required)."""

    __slots__ = ()

    def __new__(cls, shape: Any, dtype: Any, default_value: Any = None):
        return super().__new__(cls, shape, dtype, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature of any number of values per Example, parsed into a SparseTensor."""

    __slots__ = ()


_EXAMPLE_DTYPES = ("float32", "int64", "string")


def _parse(serialized: Any, features: dict, name: str | None, default: str) -> dict:
    from .sparse.tensor import SparseTensor
    if not isinstance(features, dict) or not features:
        raise ValueError("Missing: features was empty." if isinstance(features, dict) else
                         f"features must be a dict of FixedLenFeature / VarLenFeature, got {features!r}")
    out: dict = {}
    with name_scope(name, default, [serialized]):
        x = string_tensor(serialized, "serialized", default)
        for key in sorted(features):
            spec = features[key]
            dtype = as_dtype(spec.dtype)
            if dtype.name not in _EXAMPLE_DTYPES:
                raise ValueError(f"Unsupported dtype {dtype.name} for feature '{key}': an Example holds float32, "
                                 f"int64 or string values")
            if isinstance(spec, VarLenFeature):
                attrs = {"key": key, "dtype": dtype}
                count = make("dfc.parse_example_varlen_count", [x], attrs, name=f"{key}_count")
                shape = make("dfc.parse_example_varlen_shape", [x], attrs, name=f"{key}_shape")
                op = make_op("dfc.dynamic_parse_example_varlen", [x, count], attrs, name=key)
                out[key] = SparseTensor(*(wrap(r) for r in op.results), shape)
            elif isinstance(spec, FixedLenFeature):
                shape = [int(d) for d in (spec.shape if isinstance(spec.shape, (list, tuple)) else
                                          TensorShape(spec.shape).as_list())]
                required = spec.default_value is None
                value = np.zeros((), dtype.np) if required and not dtype.is_string else \
                    (b"" if required else spec.default_value)
                default_t = convert_to_tensor(value, dtype=dtype, name=f"{key}_default")
                known = default_t.shape.as_list() if default_t.shape.ndims is not None else None
                if not required and known not in ([], shape) and int(np.prod(known)) != int(np.prod(shape)):
                    raise ValueError(f"default_value of feature '{key}' has shape {known}, the feature {shape}")
                if not required and known not in ([], shape):
                    from .array_ops import reshape
                    default_t = reshape(default_t, shape)
                out[key] = make("dfc.parse_example_dense", [x, default_t], {"key": key, "shape": shape,
                                                                              "required": required}, name=key)
            else:
                raise ValueError(f"Unsupported feature spec for '{key}': {spec!r} (FixedLenFeature or VarLenFeature)")
    return out


def parse_example(serialized: Any, features: dict, name: str | None = None, example_names: Any = None) -> dict:
    """A vector of serialized tf.train.Examples parsed into a dict: FixedLenFeature -> [batch, *shape] tensors,
    VarLenFeature -> SparseTensors [batch, longest]."""
    x = string_tensor(serialized, "serialized", "ParseExample")
    if x.shape.ndims is not None and x.shape.ndims != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {x.shape.ndims}: parse_example's serialized {x.name} "
                         f"must be a vector")
    return _parse(x, features, name, "ParseExample")


def parse_single_example(serialized: Any, features: dict, name: str | None = None,
                         example_names: Any = None) -> dict:
    """One serialized tf.train.Example parsed into a dict: FixedLenFeature -> tensors of its shape,
    VarLenFeature -> 1-D SparseTensors."""
    x = string_tensor(serialized, "serialized", "ParseSingleExample")
    if x.shape.ndims is not None and x.shape.ndims != 0:
        raise ValueError(f"Shape must be rank 0 but is rank {x.shape.ndims}: parse_single_example's serialized "
                         f"{x.name} must be a scalar")
    return _parse(x, features, name, "ParseSingleExample")
