"""TF1's lookup tables (tf.lookup, tf.contrib.lookup): HashTable and its initializers, vocabulary index tables.

A table holds its initializer's keys and values (graph tensors, usually constants; a vocabulary
file is read when the table is built) and a hidden flag variable that its initializer sets, which
tf.tables_initializer() (and a Scaffold's local_init_op) runs: a lookup before that fails with
TF's FailedPreconditionError ("Table not initialized."). Lookups run on the host (ir/ops/lookup.py);
keys may be strings or ints, dense tensors or SparseTensors.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, i64, string
from dfc.ir.errors import InvalidArgumentError, NotFoundError

from .framework import Tensor, constant, convert_to_tensor, get_default_graph, make, name_scope

__all__ = ["HashTable", "IdTableWithHashBuckets", "KeyValueTensorInitializer", "StaticHashTable",
           "StaticVocabularyTable", "TextFileIdTableInitializer", "TextFileIndex", "TextFileInitializer",
           "TextFileStringTableInitializer", "index_table_from_file", "index_table_from_tensor",
           "index_to_string_table_from_file", "index_to_string_table_from_tensor", "string_to_hash_bucket_fast",
           "tables_initializer"]

TABLE_INITIALIZERS = "table_initializer"


class TextFileIndex:
    """Which part of a vocabulary file's line is a key or value: the whole line, or its line number."""

    WHOLE_LINE = -2
    LINE_NUMBER = -1


class KeyValueTensorInitializer:
    """A table's contents from two tensors of equal shape: keys and values."""

    def __init__(self, keys: Any, values: Any, key_dtype: Any = None, value_dtype: Any = None,
                 name: str | None = None):
        with name_scope(name, "key_value_init", [keys, values]):
            self._keys = convert_to_tensor(keys, dtype=key_dtype, name="keys") if not isinstance(keys, Tensor) \
                else keys
            self._values = convert_to_tensor(values, dtype=value_dtype, name="values") \
                if not isinstance(values, Tensor) else values
        for what, t, want in (("keys", self._keys, key_dtype), ("values", self._values, value_dtype)):
            if want is not None and t.dtype != as_dtype(want):
                raise TypeError(f"Invalid {what} type: expected {as_dtype(want).name}, got {t.dtype.name} ({t.name})")
        if self._keys.shape.is_fully_defined() and self._values.shape.is_fully_defined() and \
                self._keys.shape.as_list() != self._values.shape.as_list():
            raise ValueError(f"keys {self._keys.shape} and values {self._values.shape} of the table initializer must "
                             f"have one shape")
        self.key_dtype, self.value_dtype = self._keys.dtype, self._values.dtype

    def _tensors(self) -> tuple[Tensor, Tensor]:
        return self._keys, self._values


def _read_vocabulary(filename: Any, key_index: int, value_index: int, delimiter: str, vocab_size: int | None,
                     key_dtype: Any, value_dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(filename, Tensor):
        from .conversion import constant_value
        found = constant_value(filename)
        if found is None:
            raise ValueError(f"the vocabulary file name must be a constant here, got the tensor {filename.name}")
        filename = found[()] if isinstance(found, np.ndarray) else found
    path = filename.decode() if isinstance(filename, bytes) else os.fspath(filename)
    if not path:
        raise ValueError("vocabulary_file must be specified and must not be empty.")
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
    except FileNotFoundError:
        raise NotFoundError(f"{path}; No such file or directory") from None
    if lines and lines[-1] == b"":
        lines.pop()
    lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    if vocab_size is not None:
        if len(lines) < vocab_size:
            raise InvalidArgumentError(f"Invalid vocab_size in {path}: expected {vocab_size} lines, the file has "
                                       f"{len(lines)}")
        lines = lines[:vocab_size]

    def column(index: int, dtype) -> np.ndarray:
        if index == TextFileIndex.LINE_NUMBER:
            return np.arange(len(lines), dtype=as_dtype(dtype).np)
        parts = lines if index == TextFileIndex.WHOLE_LINE else [_field(line, index, delimiter, path, n)
                                                               for n, line in enumerate(lines)]
        if as_dtype(dtype).is_string:
            return np.array(parts + [b""], dtype=object)[:-1]
        try:
            return np.array([int(p) if as_dtype(dtype).is_integer else float(p) for p in parts],
                            dtype=as_dtype(dtype).np)
        except ValueError as e:
            raise InvalidArgumentError(f"a column of {path} is not {as_dtype(dtype).name}: {e}") from None
    return column(key_index, key_dtype), column(value_index, value_dtype)


def _field(line: bytes, index: int, delimiter: str, path: str, n: int) -> bytes:
    parts = line.split(delimiter.encode()) if delimiter else line.split()
    if index >= len(parts):
        raise InvalidArgumentError(f"Invalid number of columns in {path} line {n} ({line!r}) : expected at least "
                                   f"{index + 1} columns")
    return parts[index]


class TextFileInitializer(KeyValueTensorInitializer):
    """A table's contents from a text file: keys and values are columns of its lines (or line numbers)."""

    def __init__(self, filename: Any, key_dtype: Any, key_index: int, value_dtype: Any, value_index: int,
                 vocab_size: int | None = None, delimiter: str = "\t", name: str | None = None,
                 value_index_offset: int = 0):
        keys, values = _read_vocabulary(filename, key_index, value_index, delimiter, vocab_size, key_dtype,
                                        value_dtype)
        super().__init__(keys, values, key_dtype, value_dtype, name=name or "text_file_init")


class TextFileIdTableInitializer(TextFileInitializer):
    """Each line (or a column of it) to its line number, int64."""

    def __init__(self, filename: Any, key_column_index: int = TextFileIndex.WHOLE_LINE,
                 value_column_index: int = TextFileIndex.LINE_NUMBER, vocab_size: int | None = None,
                 delimiter: str = "\t", name: str = "text_file_id_table_init", key_dtype: Any = string):
        super().__init__(filename, key_dtype, key_column_index, i64, value_column_index, vocab_size, delimiter, name)


class TextFileStringTableInitializer(TextFileInitializer):
    """Each line number to its line (or a column of it)."""

    def __init__(self, filename: Any, key_column_index: int = TextFileIndex.LINE_NUMBER,
                 value_column_index: int = TextFileIndex.WHOLE_LINE, vocab_size: int | None = None,
                 delimiter: str = "\t", name: str = "text_file_string_table_init"):
        super().__init__(filename, i64, key_column_index, string, value_column_index, vocab_size, delimiter, name)


class HashTable:
    """An immutable table from its initializer's keys to its values, `default_value` for a key it lacks."""

    def __init__(self, initializer: KeyValueTensorInitializer, default_value: Any, shared_name: str | None = None,
                 name: str | None = None, experimental_is_anonymous: bool = False):
        if not isinstance(initializer, KeyValueTensorInitializer):
            raise TypeError(f"initializer must be a table initializer (KeyValueTensorInitializer, "
                            f"TextFileInitializer), got {initializer!r}")
        self._initializer_def = initializer
        self.key_dtype, self.value_dtype = initializer.key_dtype, initializer.value_dtype
        graph = get_default_graph()
        with name_scope(name, "hash_table") as scope:
            self._name = scope[:-1]
            self.default_value = convert_to_tensor(default_value, dtype=self.value_dtype, name="default_value") \
                if not isinstance(default_value, Tensor) else default_value
            if self.default_value.dtype != self.value_dtype:
                raise TypeError(f"default_value of table '{self._name}' is {self.default_value.dtype.name}, its "
                                f"values are {self.value_dtype.name}")
            from .variables import Variable, _initialized_flag
            self._ready = Variable(True, trainable=False, collections=[], name="initialized")
            self._init_op = self._ready.initializer
            self._ready_flag = _initialized_flag(self._ready)  # filled per run: lookups check it
        graph.collections.setdefault(TABLE_INITIALIZERS, []).append(self._init_op)
        self._num_oov_buckets = 0

    @property
    def name(self) -> str:
        return self._name

    @property
    def initializer(self):
        """The op that fills the table (tf.tables_initializer() runs every table's)."""
        return self._init_op

    init = initializer

    @property
    def resource_handle(self):
        return self._ready

    def size(self, name: str | None = None) -> Tensor:
        """How many entries the table holds (int64), its out-of-vocabulary buckets included."""
        keys, _ = self._initializer_def._tensors()
        from .array_ops import size as array_size
        with name_scope(name, f"{self._name}_Size"):
            return array_size(keys, out_type=i64) + self._num_oov_buckets

    def lookup(self, keys: Any, name: str | None = None) -> Any:
        """The value of each key (a tensor or SparseTensor of the table's key dtype), default_value where absent."""
        from .sparse.tensor import SparseTensor, is_sparse
        sparse = keys if is_sparse(keys) else None
        with name_scope(name, f"{self._name}_Lookup"):
            if sparse is not None:
                values = self.lookup(sparse.values)
                return SparseTensor(sparse.indices, values, sparse.dense_shape)
            x = convert_to_tensor(keys, dtype=self.key_dtype) if not isinstance(keys, Tensor) else keys
            if x.dtype != self.key_dtype and not (x.dtype.is_integer and self.key_dtype.is_integer):
                raise TypeError(f"Signature mismatch. Keys must be dtype {self.key_dtype.name}, got "
                                f"{x.dtype.name} ({x.name}, table '{self._name}').")
            if x.dtype != self.key_dtype:
                from .math_ops import cast
                x = cast(x, self.key_dtype)
            table_keys, table_values = self._initializer_def._tensors()
            return make("dfc.table_lookup", [x, table_keys, table_values, self.default_value, self._ready_flag],
                        {"table": self._name, "num_oov_buckets": self._num_oov_buckets}, name="hash_table_Lookup")


StaticHashTable = HashTable


class IdTableWithHashBuckets(HashTable):
    """A string (or int) to id table whose missing keys go to `num_oov_buckets` hash buckets after the vocabulary."""

    def __init__(self, table: HashTable | None, num_oov_buckets: int, hasher_spec: Any = None,
                 name: str | None = None, key_dtype: Any = None):
        if table is None:
            raise ValueError("IdTableWithHashBuckets needs a table here (a bare hash bucket table: use "
                             "tf.strings.to_hash_bucket_fast)")
        if num_oov_buckets < 0:
            raise ValueError(f"oov_buckets must be > 0; got {num_oov_buckets}.")
        self.__dict__.update(table.__dict__)
        self._num_oov_buckets = int(num_oov_buckets)


class StaticVocabularyTable(IdTableWithHashBuckets):
    """tf.lookup.StaticVocabularyTable: an initializer's vocabulary plus num_oov_buckets hash buckets."""

    def __init__(self, initializer: KeyValueTensorInitializer, num_oov_buckets: int, lookup_key_dtype: Any = None,
                 name: str | None = None, experimental_is_anonymous: bool = False):
        if num_oov_buckets <= 0:
            raise ValueError(f"oov_buckets must be > 0; got {num_oov_buckets}.")
        super().__init__(HashTable(initializer, -1, name=name or "hash_table"), num_oov_buckets)


def _vocabulary_tensor(vocabulary_list: Any, dtype: Any) -> Tensor:
    if isinstance(vocabulary_list, Tensor):
        return vocabulary_list
    if vocabulary_list is None:
        raise ValueError("vocabulary_list must be specified.")
    return constant(vocabulary_list, dtype=dtype, name="vocabulary_list")


def index_table_from_tensor(vocabulary_list: Any, num_oov_buckets: int = 0, default_value: int = -1,
                            hasher_spec: Any = None, dtype: Any = string, name: str | None = None) -> HashTable:
    """Each vocabulary entry to its position (int64); others to default_value, or to one of num_oov_buckets."""
    if num_oov_buckets < 0:
        raise ValueError(f"num_oov_buckets must be greater or equal than 0, got {num_oov_buckets}.")
    dtype = as_dtype(dtype)
    if not (dtype.is_string or dtype.is_integer):
        raise TypeError(f"Only integer and string keys are supported, got {dtype.name}")
    with name_scope(name, "string_to_index"):
        keys = _vocabulary_tensor(vocabulary_list, dtype)
        if keys.shape.ndims is not None and keys.shape.ndims != 1:
            raise ValueError(f"vocabulary_list must be a 1-D tensor, got shape {keys.shape}")
        from .array_ops import range as _range
        from .array_ops import size as array_size
        ids = _range(array_size(keys, out_type=i64), dtype=i64) if not keys.shape.is_fully_defined() \
            else constant(np.arange(keys.shape.as_list()[0], dtype=np.int64), name="ids")
        table = HashTable(KeyValueTensorInitializer(keys, ids), default_value, name="hash_table")
    return IdTableWithHashBuckets(table, num_oov_buckets) if num_oov_buckets else table


def index_table_from_file(vocabulary_file: Any = None, num_oov_buckets: int = 0, vocab_size: int | None = None,
                          default_value: int = -1, hasher_spec: Any = None, key_dtype: Any = string,
                          name: str | None = None, key_column_index: int = TextFileIndex.WHOLE_LINE,
                          value_column_index: int = TextFileIndex.LINE_NUMBER, delimiter: str = "\t") -> HashTable:
    """Each line of vocabulary_file (or a column of it) to its line number (int64), as index_table_from_tensor."""
    if vocabulary_file is None or (isinstance(vocabulary_file, str) and not vocabulary_file):
        raise ValueError("vocabulary_file must be specified and must not be empty.")
    if num_oov_buckets < 0:
        raise ValueError(f"num_oov_buckets must be greater or equal than 0, got {num_oov_buckets}.")
    if vocab_size is not None and vocab_size < 1:
        raise ValueError(f"vocab_size must be greater than 0, got {vocab_size}.")
    with name_scope(name, "string_to_index"):
        init = TextFileInitializer(vocabulary_file, key_dtype, key_column_index, i64, value_column_index, vocab_size,
                                   delimiter)
        table = HashTable(init, default_value, name="hash_table")
    return IdTableWithHashBuckets(table, num_oov_buckets) if num_oov_buckets else table


def index_to_string_table_from_tensor(vocabulary_list: Any, default_value: Any = "UNK",
                                      name: str | None = None) -> HashTable:
    """Each id (int64) to its vocabulary entry; ids outside the vocabulary to default_value."""
    with name_scope(name, "index_to_string"):
        values = _vocabulary_tensor(vocabulary_list, string)
        if values.shape.ndims is not None and values.shape.ndims != 1:
            raise ValueError(f"vocabulary_list must be a 1-D tensor, got shape {values.shape}")
        n = values.shape.as_list()[0]
        if n is None:
            raise ValueError("index_to_string_table_from_tensor needs a vocabulary of known length here")
        keys = constant(np.arange(n, dtype=np.int64), name="ids")
        return HashTable(KeyValueTensorInitializer(keys, values), default_value, name="hash_table")


def index_to_string_table_from_file(vocabulary_file: Any, vocab_size: int | None = None,
                                    default_value: Any = "UNK", name: str | None = None,
                                    key_column_index: int = TextFileIndex.LINE_NUMBER,
                                    value_column_index: int = TextFileIndex.WHOLE_LINE,
                                    delimiter: str = "\t") -> HashTable:
    """Each line number (int64) to its line of vocabulary_file (or a column of it)."""
    with name_scope(name, "index_to_string"):
        init = TextFileInitializer(vocabulary_file, i64, key_column_index, string, value_column_index, vocab_size,
                                   delimiter)
        return HashTable(init, default_value, name="hash_table")


def string_to_hash_bucket_fast(input: Any, num_buckets: int, name: str | None = None) -> Tensor:  # noqa: A002
    """Each string's FarmHash Fingerprint64 modulo num_buckets (int64), as TF's StringToHashBucketFast."""
    from .string_ops import string_tensor
    x = string_tensor(input, "input", "StringToHashBucketFast")
    return make("dfc.string_to_hash_bucket_fast", [x], {"num_buckets": int(num_buckets)},
                name=name or "StringToHashBucketFast")


def tables_initializer(name: str = "init_all_tables"):
    """One op that initializes every table of the default graph (a no-op without tables)."""
    from .variables import group, no_op
    ops = get_default_graph().collections.get(TABLE_INITIALIZERS, [])
    return group(*ops, name=name) if ops else no_op(name=name)
