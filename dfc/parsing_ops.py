"""TF1's parsing ops over tf.string records: tf.decode_csv (tf.io.decode_csv), and tf.train.Example protos."""

from __future__ import annotations

from typing import Any

from .framework import Tensor, convert_to_tensor, make_op, name_scope, wrap
from .string_ops import string_tensor

__all__ = ["decode_csv"]

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
