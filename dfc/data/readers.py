"""tf.data's file readers: TextLineDataset (a text file's lines) and TFRecordDataset (a TFRecord file's records).

Their elements are scalar tf.string values (bytes), read on the host when an iterator reaches them;
`filenames` may be a graph tensor (a placeholder fed at the iterator's initializer), evaluated then.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from dfc.ir.dtypes import string
from dfc.ir.errors import InvalidArgumentError

from ..framework import Tensor, convert_to_tensor
from ..tfrecord import TFRecordOptions, _read_all, tf_record_iterator
from .dataset_ops import Dataset

__all__ = ["CsvDataset", "FixedLengthRecordDataset", "TFRecordDataset", "TextLineDataset"]


class _FileDataset(Dataset):
    """Elements read from each of `filenames` in turn; a file that cannot be read fails the run that reaches it."""

    def __init__(self, filenames: Any, compression_type: Any, what: str):
        self._what = what
        if isinstance(filenames, Tensor) or hasattr(filenames, "_as_tensor"):
            tensor = convert_to_tensor(filenames)
            if not tensor.dtype.is_string:
                raise TypeError(f"`filenames` must be a `tf.Tensor` of `tf.string` elements, got {tensor.dtype.name} "
                                f"({tensor.name})")
            if tensor.shape.ndims is not None and tensor.shape.ndims > 1:
                raise TypeError(f"`filenames` must be a scalar or vector, got shape {tensor.shape}")
            self._tensors: list[Tensor | None] = [tensor]
            self._names: list[str] | None = None
        else:
            names = [filenames] if isinstance(filenames, (str, bytes, os.PathLike)) else list(filenames)
            if not names:
                raise ValueError(f"{what}: `filenames` must have at least one element")
            self._tensors = []
            self._names = [_as_path(n) for n in names]
        self._compression = TFRecordOptions.get_compression_type_string(compression_type or None)
        super().__init__(0, [string], [[]])

    def _files(self, context) -> list[str]:
        if self._names is not None:
            return self._names
        (value,) = context.evaluate(self._tensors)
        return [_as_path(v) for v in np.asarray(value, dtype=object).reshape(-1)]

    def _elements(self, context) -> Iterator[list[np.ndarray]]:
        for path in self._files(context):
            for record in self._records(path):
                yield [np.array(record, dtype=object)]

    def _records(self, path: str) -> Iterator[bytes]:  # pragma: no cover - abstract
        raise NotImplementedError


def _as_path(name: Any) -> str:
    if isinstance(name, bytes):
        return name.decode("utf-8")
    if isinstance(name, (str, os.PathLike)):
        return os.fspath(name)
    raise InvalidArgumentError(f"a file name must be a string, got {name!r}")


class TextLineDataset(_FileDataset):
    """The lines of text files, without their line endings ("\\n" or "\\r\\n"), as TF1's TextLineDataset."""

    def __init__(self, filenames: Any, compression_type: Any = None, buffer_size: Any = None,
                 num_parallel_reads: Any = None):
        super().__init__(filenames, compression_type, "TextLineDataset")

    def _records(self, path: str) -> Iterator[bytes]:
        data = _read_all(path, self._compression)
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()  # the newline ending the last line starts no line of its own
        for line in lines:
            yield line[:-1] if line.endswith(b"\r") else line


class TFRecordDataset(_FileDataset):
    """The records of TFRecord files (tf.python_io.TFRecordWriter's), as TF1's TFRecordDataset."""

    def __init__(self, filenames: Any, compression_type: Any = None, buffer_size: Any = None,
                 num_parallel_reads: Any = None):
        super().__init__(filenames, compression_type, "TFRecordDataset")

    def _records(self, path: str) -> Iterator[bytes]:
        yield from tf_record_iterator(path, self._compression)


class FixedLengthRecordDataset(_FileDataset):
    """Records of record_bytes bytes each from binary files (after header_bytes, before footer_bytes)."""

    def __init__(self, filenames: Any, record_bytes: int, header_bytes: int | None = None,
                 footer_bytes: int | None = None, buffer_size: Any = None, compression_type: Any = None,
                 num_parallel_reads: Any = None):
        if int(record_bytes) <= 0:
            raise ValueError(f"record_bytes must be > 0, got {record_bytes}")
        super().__init__(filenames, compression_type, "FixedLengthRecordDataset")
        self._layout = (int(record_bytes), int(header_bytes or 0), int(footer_bytes or 0), 0)

    def _records(self, path: str) -> Iterator[bytes]:
        from ..io_readers import fixed_length_records
        data = _read_all(path, self._compression)
        record, header, footer, _ = self._layout
        body = len(data) - header - footer
        if body % record:
            raise InvalidArgumentError(f'Excluding the header ({header} bytes) and footer ({footer} bytes), input file '
                                       f'"{path}" has body length {body} bytes, which is not an exact multiple of the '
                                       f'record length ({record} bytes).')
        yield from fixed_length_records(data, *self._layout)


class CsvDataset(Dataset):
    """tf.data.experimental.CsvDataset: each CSV line of the files as a tuple of its columns, parsed as
    tf.decode_csv parses them (record_defaults: a dtype for a required column, or a default value)."""

    def __init__(self, filenames: Any, record_defaults: Any, compression_type: Any = None, buffer_size: Any = None,
                 header: bool = False, field_delim: str = ",", use_quote_delim: bool = True, na_value: str = "",
                 select_cols: Any = None):
        from dfc.ir.dtypes import DType, as_dtype

        from ..parsing_ops import decode_csv
        if not isinstance(record_defaults, (list, tuple)) or not record_defaults:
            raise ValueError("record_defaults must be a non-empty list of dtypes or default values")
        self._lines = TextLineDataset(filenames, compression_type)
        self._header = bool(header)
        defaults = []
        for d in record_defaults:
            if isinstance(d, DType) or (isinstance(d, str) and d in ("float32", "float64", "int32", "int64", "string")):
                defaults.append(np.zeros((0,), as_dtype(d).np) if not as_dtype(d).is_string else
                                np.array([], dtype=object))
            else:
                defaults.append(d)
        from ..framework import Graph
        self._graph = Graph()
        with self._graph.as_default():
            from ..array_ops import placeholder
            self._line = placeholder(string, [], name="line")
            self._columns = decode_csv(self._line, [d if not isinstance(d, np.ndarray) else
                                                    convert_to_tensor(d) for d in defaults],
                                       field_delim=field_delim, use_quote_delim=use_quote_delim, na_value=na_value,
                                       select_cols=select_cols)
        self._tensors = self._lines._tensors
        super().__init__(tuple(range(len(self._columns))), [c.dtype for c in self._columns],
                         [[] for _ in self._columns])
        self._sessions: dict = {}

    def _elements(self, context) -> Iterator[list[np.ndarray]]:
        from ..session import Session
        backend = getattr(context.session, "backend", "cpu")
        session = self._sessions.get(backend)
        if session is None:
            session = self._sessions[backend] = Session(graph=self._graph, backend=backend)
        for path in self._lines._files(context):
            for k, line in enumerate(self._lines._records(path)):
                if k == 0 and self._header:
                    continue
                yield [np.asarray(v) for v in session.run(self._columns, {self._line: line})]
