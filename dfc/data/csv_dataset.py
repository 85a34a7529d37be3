"""tf.data.experimental.make_csv_dataset (and tf.contrib.data's): batches of (features dict, label) from CSV files,
the column names read from the header and the column types inferred from the first rows as TF infers them
(int32, int64, float32, float64, then string; a missing value defaults to 0 or '')."""

from __future__ import annotations

import csv
import glob
import io
from collections import OrderedDict
from typing import Any

import numpy as np

from dfc.ir.dtypes import DType, as_dtype

from .dataset_ops import Dataset
from .readers import CsvDataset

_TYPES = ("int32", "int64", "float32", "float64", "string")


def _valid(text: str, kind: str) -> bool:
    try:
        if kind in ("int32", "int64"):
            value = int(text)
            info = np.iinfo(kind)
            return info.min <= value <= info.max
        if kind in ("float32", "float64"):
            return bool(np.dtype(kind).type(text) < np.finfo(kind).max)
    except (ValueError, OverflowError):
        return False
    return True


def _infer_type(text: str, na_value: str, previous: str | None) -> str | None:
    """TF's _infer_type: the first of int32, int64, float32, float64, string that holds `text` and every earlier
    value of the column."""
    if text in ("", na_value):
        return previous
    for i, kind in enumerate(_TYPES):
        if _valid(text, kind) and (previous is None or previous in _TYPES[:i + 1]):
            return kind
    return "string"


def _rows(filenames: list[str], field_delim: str, use_quote_delim: bool, header: bool):
    from ..gfile import GFile
    for name in filenames:
        with GFile(name) as f:
            reader = csv.reader(io.StringIO(f.read()), delimiter=field_delim,
                                quoting=csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE)
            for i, row in enumerate(reader):
                if i == 0 and header:
                    continue
                yield row


def _files(file_pattern: Any) -> list[str]:
    patterns = [file_pattern] if isinstance(file_pattern, (str, bytes)) else list(file_pattern)
    names: list[str] = []
    for pattern in patterns:
        pattern = pattern.decode() if isinstance(pattern, bytes) else str(pattern)
        names += sorted(glob.glob(pattern))
    if not names:
        raise ValueError(f"No files match `file_pattern` {file_pattern}.")
    return names


def _default(kind: str) -> Any:
    return "" if kind == "string" else np.dtype(kind).type(0)


def make_csv_dataset(file_pattern, batch_size: int, column_names=None, column_defaults=None, label_name=None,
                     select_columns=None, field_delim: str = ",", use_quote_delim: bool = True, na_value: str = "",
                     header: bool = True, num_epochs=None, shuffle: bool = True, shuffle_buffer_size: int = 10000,
                     shuffle_seed=None, prefetch_buffer_size=None, num_parallel_reads=None, sloppy: bool = False,
                     num_rows_for_inference: int | None = 100, compression_type=None, ignore_errors: bool = False,
                     encoding: str = "utf-8") -> Dataset:
    """A dataset of (OrderedDict of column batches, label batch) (just the dict without label_name) from the CSV
    files matching file_pattern, repeated num_epochs times (None: forever, whole batches only), shuffled unless
    shuffle=False."""
    del prefetch_buffer_size, num_parallel_reads, sloppy, encoding  # reading order and speed only
    if ignore_errors:
        raise ValueError("make_csv_dataset: ignore_errors=True is not supported")
    filenames = _files(file_pattern)
    if column_names is None:
        if not header:
            raise ValueError("Cannot infer column names without a header line.")
        column_names = next(_rows(filenames[:1], field_delim, use_quote_delim, False), [])
    column_names = list(column_names)
    if len(set(column_names)) != len(column_names):
        raise ValueError("Cannot have duplicate column names.")
    if select_columns is not None:
        if all(isinstance(c, int) for c in select_columns):
            indices = sorted(select_columns)
        elif all(isinstance(c, str) for c in select_columns):
            missing = [c for c in select_columns if c not in column_names]
            if missing:
                raise ValueError(f"Column {missing[0]} in select_columns not in column_names.")
            indices = sorted(column_names.index(c) for c in select_columns)
        else:
            raise ValueError("`select_columns` must be a list of column names or of column indices.")
        if column_defaults is not None and len(column_defaults) != len(indices):
            raise ValueError("If specified, column_defaults and select_columns must have same length.")
        names = [column_names[i] for i in indices]
    else:
        indices, names = None, column_names
    if label_name is not None and label_name not in names:
        raise ValueError(f"`label_name` provided must be one of the columns: {names}. Received: {label_name}.")
    if column_defaults is None:
        kinds: list[str | None] = [None] * len(names)
        for i, row in enumerate(_rows(filenames, field_delim, use_quote_delim, header)):
            if num_rows_for_inference is not None and i >= num_rows_for_inference:
                break
            for j, col in enumerate(indices if indices is not None else range(len(names))):
                kinds[j] = _infer_type(row[col] if col < len(row) else "", na_value, kinds[j])
        column_defaults = [_default(k or "string") for k in kinds]
    else:
        column_defaults = [as_dtype(d) if isinstance(d, DType) else d for d in column_defaults]
    dataset = CsvDataset(filenames, list(column_defaults), compression_type=compression_type, header=header,
                         field_delim=field_delim, use_quote_delim=use_quote_delim, na_value=na_value,
                         select_cols=indices)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, shuffle_seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    dataset = dataset.batch(batch_size, drop_remainder=num_epochs is None)

    def to_features(*columns):
        features = OrderedDict(zip(names, columns))
        if label_name is None:
            return features
        label = features.pop(label_name)
        return features, label

    return dataset.map(to_features)


__all__ = ["make_csv_dataset"]
