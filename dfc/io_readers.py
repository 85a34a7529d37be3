"""TF1's queue-based file readers: tf.train.string_input_producer, tf.TextLineReader, WholeFileReader, TFRecordReader.

A producer of file names is a host-fed queue (dfc/input_queues.py); a reader's read(queue) is a pair of
host-filled string tensors (key, value), one record per Session.run: it dequeues the next file name
when the current file is done (through the queue's own tensor, so num_epochs and shuffling are the
producer's) and the run after the last record of the last epoch fails with TF's OutOfRangeError.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from dfc.ir.dtypes import string
from dfc.ir.errors import OutOfRangeError

from .framework import Tensor, convert_to_tensor, get_default_graph, name_scope
from .input_queues import _dequeue, input_producer

__all__ = ["FixedLengthRecordReader", "ReaderBase", "TFRecordReader", "TextLineReader", "WholeFileReader",
           "fixed_length_records", "string_input_producer"]


def string_input_producer(string_tensor: Any, num_epochs: int | None = None, shuffle: bool = True,
                          seed: int | None = None, capacity: int = 32, shared_name: str | None = None,
                          name: str | None = None, cancel_op: Any = None):
    """A queue of the strings (file names) of a 1-D string tensor, shuffled per epoch if asked, num_epochs
    times (None: forever); readers dequeue from it."""
    names = convert_to_tensor(string_tensor, dtype=string) if not isinstance(string_tensor, Tensor) else string_tensor
    if not names.dtype.is_string:
        raise TypeError(f"string_input_producer takes strings, got {names.dtype.name} ({names.name})")
    from .framework import constant_value
    known = constant_value(names)
    if known is not None and np.asarray(known).size == 0:
        raise ValueError("string_input_producer requires a non-null input tensor")
    return input_producer(names, num_epochs=num_epochs, shuffle=shuffle, seed=seed, capacity=capacity,
                          shared_name=shared_name, name=name or "input_producer")


class ReaderBase:
    """A reader of records from the files a queue hands out; its state (the open file) is per session."""

    _default_name = "ReaderBase"

    def __init__(self, name: str | None = None):
        with name_scope(name, self._default_name) as scope:
            self._name = scope[:-1]
        self._state: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.RLock()

    @property
    def name(self) -> str:
        return self._name

    def _records(self, path: str) -> Iterator[tuple[bytes, bytes]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _next(self, session: Any, queue: Any) -> tuple[bytes, bytes]:
        with self._lock:
            state = self._state.setdefault(session, {"records": None, "produced": 0})
            while True:
                if state["records"] is not None:
                    record = next(state["records"], None)
                    if record is not None:
                        state["produced"] += 1
                        return record
                try:
                    path = session.run(queue.dequeue())
                except OutOfRangeError:
                    state["records"] = None
                    raise OutOfRangeError(f"FIFOQueue '{queue.name}' is closed and has insufficient elements "
                                          f"(requested 1, current size 0) [reader {self._name}]") from None
                path = path.decode("utf-8") if isinstance(path, bytes) else str(path)
                state["records"] = iter(self._records(path))

    def read(self, queue: Any, name: str | None = None) -> tuple[Tensor, Tensor]:
        """The next record (key, value) of the files `queue` names: one per Session.run that needs them."""
        graph = get_default_graph()
        with name_scope(name, f"{self._name}_Read"):
            key, value = _dequeue(graph, [string, string], [[], []],
                                  lambda session: [np.array(v, dtype=object) for v in self._next(session, queue)])
        return key, value

    def read_up_to(self, queue: Any, num_records: int, name: str | None = None) -> tuple[Tensor, Tensor]:
        """Up to num_records records per run (fewer at the very end), as 1-D key and value tensors."""
        graph = get_default_graph()

        def pull(session: Any) -> list[np.ndarray]:
            keys, values = [], []
            for _ in range(int(num_records)):
                try:
                    k, v = self._next(session, queue)
                except OutOfRangeError:
                    if not keys:
                        raise
                    break
                keys.append(k)
                values.append(v)
            return [np.array(keys + [b""], dtype=object)[:-1], np.array(values + [b""], dtype=object)[:-1]]
        with name_scope(name, f"{self._name}_ReadUpTo"):
            return tuple(_dequeue(graph, [string, string], [[None], [None]], pull))

    def num_records_produced(self, name: str | None = None) -> Tensor:
        raise NotImplementedError("ReaderBase.num_records_produced is not provided by dfc")

    @property
    def supports_serialize(self) -> bool:
        return False


class TextLineReader(ReaderBase):
    """Each line of a text file (without its line ending), keyed 'file:line_number'; skip_header_lines first."""

    _default_name = "TextLineReader"

    def __init__(self, skip_header_lines: int | None = None, name: str | None = None):
        super().__init__(name)
        self._skip = int(skip_header_lines or 0)

    def _records(self, path: str) -> Iterator[tuple[bytes, bytes]]:
        from .data.readers import TextLineDataset
        lines = TextLineDataset(path)._records(path)
        for number, line in enumerate(lines, start=1):
            if number > self._skip:
                yield f"{path}:{number}".encode(), line


class WholeFileReader(ReaderBase):
    """Each file whole: key its name, value its bytes."""

    _default_name = "WholeFileReader"

    def _records(self, path: str) -> Iterator[tuple[bytes, bytes]]:
        from .tfrecord import _read_all
        yield path.encode(), _read_all(path, "")


class TFRecordReader(ReaderBase):
    """Each record of a TFRecord file, keyed 'file:index'."""

    _default_name = "TFRecordReader"

    def __init__(self, name: str | None = None, options: Any = None):
        super().__init__(name)
        self._options = options

    def _records(self, path: str) -> Iterator[tuple[bytes, bytes]]:
        from .tfrecord import tf_record_iterator
        for index, record in enumerate(tf_record_iterator(path, self._options)):
            yield f"{path}:{index}".encode(), record


def fixed_length_records(data: bytes, record_bytes: int, header_bytes: int, footer_bytes: int,
                         hop_bytes: int) -> Iterator[bytes]:
    """A file's records of record_bytes each after header_bytes and before footer_bytes (every hop_bytes when
    given); a shorter tail is no record, as TF's reader and dataset read them."""
    body = data[header_bytes:len(data) - footer_bytes if footer_bytes else len(data)]
    step = hop_bytes or record_bytes
    for start in range(0, len(body) - record_bytes + 1, step):
        yield body[start:start + record_bytes]


class FixedLengthRecordReader(ReaderBase):
    """Records of record_bytes bytes each (CIFAR-10's binary files), keyed 'file:index'."""

    _default_name = "FixedLengthRecordReader"

    def __init__(self, record_bytes: int, header_bytes: int | None = None, footer_bytes: int | None = None,
                 hop_bytes: int | None = None, name: str | None = None, encoding: Any = None):
        if int(record_bytes) <= 0:
            raise ValueError(f"record_bytes must be > 0, got {record_bytes}")
        super().__init__(name)
        self._layout = (int(record_bytes), int(header_bytes or 0), int(footer_bytes or 0), int(hop_bytes or 0))

    def _records(self, path: str) -> Iterator[tuple[bytes, bytes]]:
        from .tfrecord import _read_all
        for index, record in enumerate(fixed_length_records(_read_all(path, ""), *self._layout)):
            yield f"{path}:{index}".encode(), record
