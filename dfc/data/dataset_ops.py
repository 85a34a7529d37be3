"""tf.data.Dataset: TF1's input pipelines, run on the host and fed to the graph through its iterators.

A Dataset describes a stream of elements (a tuple, dict or single tensor of arrays) with static
dtypes and shapes. Nothing runs until an iterator is initialized in a Session: then sources that
are graph tensors (`from_tensor_slices(placeholder)`) are evaluated by that session with the
initializer's feed_dict, and elements are produced on demand in numpy. This module holds the sources and
the transformations that need no user function; `map`, `filter`, `flat_map` and `interleave` are in
dataset_functions.py, the element structures in structure.py (flatten, pack and ElementStructure stay
importable from here).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from dfc.ir.dtypes import DType, as_dtype
from dfc.ir.builder import capture_location
from dfc.ir.errors import DataLossError, InvalidArgumentError, OpError, UnknownError

from ..script_ops import PY_FUNC_ERRORS
from ..framework import Tensor, TensorShape, constant_array, constant_value, get_seed, infer_constant_dtype
from .sparse_components import SparseTensor, SparseTensorValue, as_value, is_sparse, sparse_leaf_spec, sparse_row
from .sparse_components import batch as batch_sparse
from .structure import ElementStructure, _combined_template, _Context, _flatten_up_to, flatten, pack

__all__ = ["Dataset", "ElementStructure", "FedElements", "flatten", "pack"]

AUTOTUNE = -1


class Dataset(ElementStructure):
    """A stream of elements of fixed structure, dtypes and (partly known) shapes."""

    def __init__(self, template: Any, dtypes: list[DType], shapes: list[list[int | None] | None]):
        self._template, self._dtypes, self._shapes = template, list(dtypes), list(shapes)

    # ---- what each dataset defines -----------------------------------------------------------
    def _elements(self, context: _Context) -> Iterator[list[np.ndarray]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _graph_tensors(self) -> list[Tensor]:
        """The graph tensors this dataset (and those it reads) evaluates when an iterator starts it."""
        found = list(getattr(self, "_tensors", []))
        for name in ("_source", "_first", "_second"):
            child = getattr(self, name, None)
            if isinstance(child, Dataset):
                found += child._graph_tensors()
        for child in getattr(self, "_members", []):
            found += child._graph_tensors()
        return [t for t in found if t is not None]

    # ---- static description ------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<{type(self).__name__} shapes: {self.output_shapes}, types: {self.output_types}>"

    def __iter__(self):
        raise RuntimeError("dataset.__iter__() is only supported when eager execution is enabled: use "
                           "dataset.make_one_shot_iterator().get_next() in a Session")

    # ---- sources -----------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors) -> Dataset:
        """One element per index of the components' first dimension (which they must share)."""
        return _Source(tensors, sliced=True)

    @staticmethod
    def from_tensors(tensors) -> Dataset:
        """One element: the components themselves."""
        return _Source(tensors, sliced=False)

    @staticmethod
    def range(*args, output_type="int64") -> Dataset:
        """range(stop), range(start, stop) or range(start, stop, step) as int64 scalars."""
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Dataset.range takes 1 to 3 arguments (start, stop, step), got {len(args)}")
        bounds = [a if isinstance(a, Tensor) else int(_int64(a)) for a in args]
        if len(bounds) == 3 and not isinstance(bounds[2], Tensor) and bounds[2] == 0:
            raise InvalidArgumentError("step must be a non-zero integer.")
        return _Range(bounds, as_dtype(output_type))

    @staticmethod
    def list_files(file_pattern, shuffle: bool | None = None, seed: int | None = None) -> Dataset:
        """The file names matching the pattern(s), as strings: sorted, then shuffled each epoch unless shuffle=False."""
        import glob
        patterns = [file_pattern] if isinstance(file_pattern, (str, bytes)) else list(file_pattern)
        patterns = [p.decode() if isinstance(p, bytes) else p for p in patterns]
        names = sorted({name for p in patterns for name in glob.glob(p)})
        if not names:
            raise InvalidArgumentError(f"Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized "
                                       f"data: b'No files matched pattern: {', '.join(patterns)}'")
        files = Dataset.from_tensor_slices(np.array([n.encode() for n in names], dtype=object))
        return files if shuffle is False else files.shuffle(len(names), seed=seed)

    @staticmethod
    def zip(datasets) -> Dataset:
        """Elements of the datasets side by side (in their structure), until the shortest ends."""
        return _Zip(datasets)

    @staticmethod
    def from_generator(generator: Callable, output_types, output_shapes=None, args=None) -> Dataset:
        """The elements a Python generator yields, converted to output_types (and checked against output_shapes)."""
        return _Generator(generator, output_types, output_shapes, args)

    # ---- transformations ---------------------------------------------------------------------
    def batch(self, batch_size: int, drop_remainder: bool = False) -> Dataset:
        return _Batch(self, _int64(batch_size), drop_remainder)

    def shuffle(self, buffer_size: int, seed: int | None = None, reshuffle_each_iteration: bool = True) -> Dataset:
        return _Shuffle(self, _int64(buffer_size), seed, reshuffle_each_iteration)

    def repeat(self, count: int | None = None) -> Dataset:
        return _Repeat(self, count if count is None else _int64(count))

    def take(self, count: int) -> Dataset:
        return _Slice(self, 0, _int64(count))

    def skip(self, count: int) -> Dataset:
        return _Slice(self, _int64(count), -1)

    # map, filter, flat_map and interleave: dataset_functions.py; window, scan, reduce, ...: transformations.py

    def shard(self, num_shards: int, index: int) -> Dataset:
        """Every num_shards-th element, starting at index (one worker's part of the input)."""
        if not 0 <= int(index) < int(num_shards):
            raise InvalidArgumentError(f"Index must be in [0, num_shards), got index {index} and num_shards "
                                       f"{num_shards}")
        return _Shard(self, int(num_shards), int(index))

    def padded_batch(self, batch_size: int, padded_shapes=None, padding_values=None,
                     drop_remainder: bool = False) -> Dataset:
        """Batches whose components are padded (with padding_values, default 0) to padded_shapes, a None
        dimension padding to the longest element of the batch."""
        return _PaddedBatch(self, _int64(batch_size), padded_shapes, padding_values, drop_remainder)

    def prefetch(self, buffer_size) -> Dataset:
        """Elements are made on demand in the session's thread: prefetching changes nothing observable."""
        return self

    def cache(self, filename: str = "") -> Dataset:
        return self

    def apply(self, transformation_func: Callable[[Dataset], Dataset]) -> Dataset:
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError("`transformation_func` must return a Dataset.")
        return result

    def concatenate(self, dataset: Dataset) -> Dataset:
        return _Concatenate(self, dataset)

    def enumerate(self, start: int = 0) -> Dataset:
        return Dataset.zip((Dataset.range(start, np.iinfo(np.int64).max), self))

    def unbatch(self) -> Dataset:
        return _Unbatch(self)

    # ---- iterators ---------------------------------------------------------------------------
    def make_one_shot_iterator(self):
        from .iterator_ops import Iterator as _Iterator
        return _Iterator._one_shot(self)

    def make_initializable_iterator(self, shared_name=None):
        from .iterator_ops import Iterator as _Iterator
        return _Iterator._initializable(self)


# ---- sources ------------------------------------------------------------------------------------------
class _Source(Dataset):
    def __init__(self, tensors, sliced: bool):
        from ..framework import convert_to_tensor
        leaves, template = flatten(tensors)
        self._arrays: list[np.ndarray | None] = []
        self._tensors: list[Tensor | None] = []
        dtypes, shapes = [], []
        for leaf in leaves:
            if isinstance(leaf, (SparseTensor, SparseTensorValue)):
                dtype, shape = sparse_leaf_spec(leaf)
                self._tensors.append(leaf if isinstance(leaf, SparseTensor) else None)
                self._arrays.append(None if isinstance(leaf, SparseTensor) else as_value(leaf))
                dtypes.append(dtype)
                shapes.append(shape)
            elif isinstance(leaf, Tensor) or hasattr(leaf, "_as_tensor"):
                tensor = convert_to_tensor(leaf)
                self._tensors.append(tensor)
                self._arrays.append(None)
                dtypes.append(tensor.dtype)
                shapes.append(tensor.shape.as_list() if tensor.shape.ndims is not None else None)
            else:
                dtype = infer_constant_dtype(leaf)
                array = constant_array(leaf, dtype)
                self._tensors.append(None)
                self._arrays.append(array)
                dtypes.append(dtype)
                shapes.append(list(array.shape))
        self._sliced = sliced
        if sliced:
            for shape, leaf in zip(shapes, leaves):
                if shape is not None and len(shape) == 0:
                    raise ValueError(f"Unbatching a tensor is only supported for rank >= 1: {leaf!r}")
            firsts = {s[0] for s in shapes if s is not None and s[0] is not None}
            if len(firsts) > 1:
                a, b = sorted(firsts)[:2]
                raise ValueError(f"Dimensions {a} and {b} are not compatible")
            shapes = [type(s)(s[1:]) if s is not None else None for s in shapes]
        super().__init__(template, dtypes, shapes)

    def _elements(self, context):
        pending = [t for t in self._tensors if t is not None]
        evaluated = iter(context.evaluate(pending))
        arrays = [a if a is not None else next(evaluated) for a in self._arrays]
        if not self._sliced:
            yield arrays
            return
        lengths = {int(a.dense_shape[0]) if isinstance(a, SparseTensorValue) else len(a) for a in arrays}
        if len(lengths) > 1:
            raise InvalidArgumentError(f"Dimensions of the sliced components do not match: {sorted(lengths)}")
        for i in range(lengths.pop() if lengths else 0):
            # arrays, also for strings (a[i] of bytes is bytes); a SparseTensor's row i as a SparseTensor
            yield [sparse_row(a, i) if isinstance(a, SparseTensorValue) else a[i, ...] for a in arrays]


class _Range(Dataset):
    """range(*bounds); a bound may be a graph tensor (a fed count), read when an iterator starts the dataset."""

    def __init__(self, bounds: list, dtype: DType):
        super().__init__(0, [dtype], [[]])
        self._bounds = bounds
        self._tensors = [b for b in bounds if isinstance(b, Tensor)]
        for t in self._tensors:
            if not t.dtype.is_integer or t.shape.ndims not in (None, 0):
                raise TypeError(f"Dataset.range's bounds are integer scalars; {t.name} is {t.dtype.name}{t.shape}")

    def _elements(self, context):
        evaluated = iter(context.evaluate(self._tensors))
        bounds = [int(next(evaluated)) if isinstance(b, Tensor) else b for b in self._bounds]
        if len(bounds) == 3 and bounds[2] == 0:
            raise InvalidArgumentError("step must be a non-zero integer.")
        dtype = self._dtypes[0].np
        for i in range(*bounds):
            yield [np.asarray(i, dtype)]


class _Generator(Dataset):
    def __init__(self, generator, output_types, output_shapes, args):
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        type_leaves, template = flatten(output_types)
        dtypes = [as_dtype(t) for t in type_leaves]
        if output_shapes is None:
            shapes: list = [None] * len(dtypes)
        else:
            # read up to output_types' structure: a list or () there is one shape ([None], a scalar's ())
            shape_leaves = _flatten_up_to(template, output_shapes)
            if shape_leaves is None or len(shape_leaves) != len(dtypes):
                raise TypeError("The `output_shapes` must have the same structure as `output_types`.")
            shapes = [TensorShape(s).as_list() if not isinstance(s, TensorShape) else s.as_list()
                      for s in shape_leaves]
        super().__init__(template, dtypes, shapes)
        self._generator, self._args = generator, tuple(_generator_argument(a) for a in (args or ()))
        self._where = capture_location()

    def _elements(self, context):
        values = iter(())
        try:
            values = iter(self._generator(*self._args))
        except Exception as e:  # noqa: BLE001 - the generator's own exception fails the run, as TF's py_func
            raise self._failure(e) from e
        while True:
            try:
                value = next(values)
            except StopIteration:
                return
            except Exception as e:  # noqa: BLE001 - as above
                raise self._failure(e) from e
            leaves = _flatten_up_to(self._template, value)
            if leaves is None or len(leaves) != len(self._dtypes):
                raise InvalidArgumentError(f"`generator` yielded an element that did not match the expected "
                                           f"structure: {len(self._dtypes)} components expected, got {value!r}")
            arrays = []
            for leaf, dtype, shape in zip(leaves, self._dtypes, self._shapes):
                array = np.asarray(leaf)
                try:
                    array = (constant_array(leaf, dtype, python_strict=False)
                             if dtype.is_string or array.dtype != dtype.np else array)
                except (TypeError, ValueError) as e:
                    raise InvalidArgumentError(f"`generator` yielded an element of type {array.dtype} where an "
                                               f"element of type {dtype.name} was expected: {e}") from None
                if shape is not None and (len(shape) != array.ndim or any(
                        d is not None and d != n for d, n in zip(shape, array.shape))):
                    raise InvalidArgumentError(f"`generator` yielded an element of shape {list(array.shape)} where "
                                               f"an element of shape {shape} was expected.")
                arrays.append(array)
            yield arrays


    def _failure(self, e: Exception) -> OpError:
        """TF's OpError for an exception of the generator (its py_func's mapping: ValueError is
        InvalidArgumentError, others UnknownError ...), naming the generator and where the dataset was made."""
        cls = next((err for py, err in PY_FUNC_ERRORS if isinstance(e, py)), UnknownError)
        name = getattr(self._generator, "__qualname__", repr(self._generator))
        where = f" at {self._where}" if self._where is not None else ""
        return cls(f"{type(e).__name__}: {e} (raised by generator {name} of Dataset.from_generator{where})")


def _known_now(value: Tensor, error: Exception) -> Any:
    """The value of a tensor known when the graph is built (a constant), else `error` raised."""
    known = constant_value(value)
    if known is None:
        raise error
    return known


def _int64(value: Any) -> Any:
    """A count or size argument as TF converts it to int64: a number or an integer tensor, not a str or float."""
    if isinstance(value, (Tensor, int, np.integer)) or (isinstance(value, np.ndarray) and value.dtype.kind in "iu"):
        return value
    raise TypeError(f"Expected int64, but got {value!r} of type '{type(value).__name__}'.")


def _callable(func: Any, name: str = "func") -> Callable:
    if not callable(func):
        raise ValueError(f"Argument `{name}` must be a callable. Received {name}={func!r} (of type {type(func)})")
    return func


def _generator_argument(value: Any) -> Any:
    """An argument of from_generator's generator as TF passes it: a tensor's numpy value (strings as bytes)."""
    if isinstance(value, Tensor):
        return _known_now(value, TypeError(f"from_generator's args must be known when the graph is built; "
                                           f"{value.name} is not"))
    array = np.asarray(value)
    if array.dtype.kind == "U":
        encoded = np.array([s.encode("utf-8") for s in array.reshape(-1)], dtype=object).reshape(array.shape)
        return encoded[()] if encoded.ndim == 0 else encoded
    return array[()] if array.ndim == 0 else array


# ---- combinations ------------------------------------------------------------------------------------
class _Zip(Dataset):
    def __init__(self, datasets):
        members, _ = flatten(datasets)
        for d in members:
            if not isinstance(d, Dataset):
                raise TypeError(f"The argument to `Dataset.zip()` must be a (nested) structure of `Dataset` "
                                f"objects, got {d!r}")
        offsets = list(itertools.accumulate([0] + [len(d._dtypes) for d in members]))[:-1]
        super().__init__(_combined_template(datasets, offsets), [t for d in members for t in d._dtypes],
                         [s for d in members for s in d._shapes])
        self._members = members

    def _elements(self, context):
        streams = [d._elements(context) for d in self._members]
        for parts in zip(*streams):
            yield [a for part in parts for a in part]


class _Concatenate(Dataset):
    def __init__(self, first: Dataset, second: Dataset):
        if first._dtypes != second._dtypes or flatten(first._template)[1] != flatten(second._template)[1]:
            raise TypeError(f"Incompatible dataset elements: {first.output_types} and {second.output_types}")
        shapes = [a if a == b else (None if a is None or b is None or len(a) != len(b)
                                    else [x if x == y else None for x, y in zip(a, b)])
                  for a, b in zip(first._shapes, second._shapes)]
        super().__init__(first._template, first._dtypes, shapes)
        self._first, self._second = first, second

    def _elements(self, context):
        yield from self._first._elements(context)
        yield from self._second._elements(context)


# ---- transformations -----------------------------------------------------------------------------------
def _chunks(stream: Iterator[list[np.ndarray]], size: int, drop_remainder: bool) -> Iterator[list[list[np.ndarray]]]:
    """Consecutive lists of `size` elements of stream, the last one shorter unless drop_remainder drops it."""
    while True:
        chunk = list(itertools.islice(stream, size))
        if not chunk or (drop_remainder and len(chunk) < size):
            return
        yield chunk


class _Batch(Dataset):
    def __init__(self, source: Dataset, batch_size: int, drop_remainder: bool):
        batch_size = _batch_size_argument(batch_size, "batch")
        lead = batch_size if drop_remainder and isinstance(batch_size, int) else None
        super().__init__(source._template, source._dtypes,
                         [type(s)([lead] + s) if s is not None else None for s in source._shapes])
        self._source, self._size, self._drop = source, batch_size, drop_remainder

    def _elements(self, context):
        size = _batch_size_value(self._size, context)
        for chunk in _chunks(self._source._elements(context), size, self._drop):
            batched = []
            for c in range(len(self._dtypes)):
                if is_sparse(self._shapes[c]):
                    batched.append(batch_sparse([element[c] for element in chunk], c))
                    continue
                first = chunk[0][c].shape
                for i, element in enumerate(chunk[1:], 1):
                    if element[c].shape != first:
                        raise InvalidArgumentError(
                            f"Cannot batch tensors with different shapes in component {c}. First element had "
                            f"shape {list(first)} and element {i} had shape {list(element[c].shape)}.")
                batched.append(np.stack([element[c] for element in chunk]))
            yield batched


class _Unbatch(Dataset):
    def __init__(self, source: Dataset):
        _refuse_sparse(source, "unbatch")
        for s in source._shapes:
            if s is not None and len(s) == 0:
                raise ValueError("Cannot unbatch an input with scalar components.")
        super().__init__(source._template, source._dtypes, [s[1:] if s is not None else None for s in source._shapes])
        self._source = source

    def _elements(self, context):
        for element in self._source._elements(context):
            for i in range(len(element[0]) if element else 0):
                yield [a[i] for a in element]


class _Shuffle(Dataset):
    """A buffer of buffer_size elements; each output is a uniformly drawn buffer entry, refilled from the input."""

    def __init__(self, source: Dataset, buffer_size: int, seed, reshuffle: bool):
        buffer_size = int(buffer_size)
        if buffer_size <= 0:
            raise InvalidArgumentError(f"buffer_size must be greater than zero, got {buffer_size}")
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source, self._buffer_size, self._reshuffle = source, buffer_size, reshuffle
        self._seeds = get_seed(seed)

    def _elements(self, context):
        epoch = context.next_epoch(self) if self._reshuffle else 0
        rng = np.random.default_rng([self._seeds[0] & 0xFFFFFFFF, self._seeds[1] & 0xFFFFFFFF, epoch])
        buffer: list = []
        for element in self._source._elements(context):
            if len(buffer) < self._buffer_size:
                buffer.append(element)
                continue
            i = int(rng.integers(len(buffer)))
            yield buffer[i]
            buffer[i] = element
        while buffer:
            i = int(rng.integers(len(buffer)))
            buffer[i], buffer[-1] = buffer[-1], buffer[i]
            yield buffer.pop()


class _Repeat(Dataset):
    def __init__(self, source: Dataset, count):
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source = source
        self._count = -1 if count is None else _count_argument(count, "count", "repeat")

    def _elements(self, context):
        count = _count_value(self._count, context)
        epochs = itertools.count() if count < 0 else range(count)
        for _ in epochs:
            empty = True
            for element in self._source._elements(context):
                empty = False
                yield element
            if empty:
                return


def _count_argument(value: Any, argument: str, method: str) -> int | Tensor:
    """An int, or the int64 scalar tensor TF1 also takes (a placeholder fed when the iterator is initialized:
    nmt's skip(skip_count)); a tensor whose value is known now is read now."""
    if isinstance(value, Tensor):
        known = constant_value(value)
        if known is None:
            if value.shape.ndims not in (None, 0) or not value.dtype.is_integer:
                raise InvalidArgumentError(f"Dataset.{method}: {argument} {value.name} must be an integer scalar, "
                                           f"got {value.dtype.name} of shape {value.shape}")
            return value
        value = known
    return int(value)


def _count_value(count: int | Tensor, context) -> int:
    """The count's value for this initialization: a tensor is evaluated with the initializer's feed_dict."""
    if isinstance(count, Tensor):
        return int(context.evaluate([count])[0])
    return count


class _Slice(Dataset):
    def __init__(self, source: Dataset, start: int, count: int):
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source = source
        self._start = _count_argument(start, "count", "skip")
        self._count = _count_argument(count, "count", "take")

    def _elements(self, context):
        stream = self._source._elements(context)
        start, count = _count_value(self._start, context), _count_value(self._count, context)
        if start < 0:  # skip(-1) skips everything
            return
        stop = None if count < 0 else start + count
        yield from itertools.islice(stream, start, stop)


class FedElements(Dataset):
    """A dataset argument of a dataset function (a window, a group of group_by_window): its elements are the ones
    the caller puts in the context for this call."""

    def _elements(self, context):
        yield from context.windows[id(self)]


class _Shard(Dataset):
    def __init__(self, source: Dataset, num_shards: int, index: int):
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source, self._num_shards, self._index = source, num_shards, index

    def _elements(self, context):
        yield from itertools.islice(self._source._elements(context), self._index, None, self._num_shards)


def _padding_value(value: Any, dtype: DType) -> Any:
    """A padding value as an array of the component's dtype; a scalar tensor whose value the graph decides (nmt's
    eos id from a vocabulary table) stays a tensor, evaluated when the iterator is initialized, as in TF1."""
    if isinstance(value, Tensor):
        known = constant_value(value)
        if known is None:
            if value.shape.ndims not in (None, 0):
                raise ValueError(f"padding value {value.name} must be a scalar, got shape {value.shape}")
            from ..array_ops import identity
            # built in the graph the dataset is built in: inside a dataset function (group_by_window's
            # reduce_func) an outer tensor becomes that function's capture, fed when it runs
            return identity(value)
        value = known
    return constant_array(value, dtype) if dtype.is_string else np.asarray(value, dtype.np)


def _batch_size_argument(batch_size: Any, method: str) -> int | Tensor:
    batch_size = _count_argument(batch_size, "batch_size", method)
    if isinstance(batch_size, int) and batch_size <= 0:
        raise InvalidArgumentError(f"Batch size must be greater than zero, got {batch_size}")
    return batch_size


def _batch_size_value(batch_size: int | Tensor, context) -> int:
    size = _count_value(batch_size, context)
    if size <= 0:
        raise InvalidArgumentError(f"Batch size must be greater than zero, got {size}")
    return size


def _refuse_sparse(source: Dataset, what: str) -> None:
    if any(is_sparse(s) for s in source._shapes):
        raise TypeError(f"Dataset.{what} does not take SparseTensor components ({source.output_classes}); "
                        f"batch them with Dataset.batch")


class _PaddedBatch(Dataset):
    def __init__(self, source: Dataset, batch_size: int, padded_shapes, padding_values, drop_remainder: bool):
        _refuse_sparse(source, "padded_batch")
        batch_size = _batch_size_argument(batch_size, "padded_batch")
        if padded_shapes is None:
            shapes = [s for s in source._shapes]
            if any(s is None for s in shapes):
                raise ValueError("You must provide `padded_shapes` for components of unknown rank")
            shapes = [[None] * len(s) for s in shapes]
        else:
            leaves = _flatten_up_to(source._template, padded_shapes)
            if leaves is None:
                raise ValueError(f"padded_shapes {padded_shapes!r} does not match the structure of the dataset "
                                 f"{source.output_shapes}")
            shapes = [(s if isinstance(s, TensorShape) else TensorShape(s)).as_list() for s in leaves]
        for i, (want, have) in enumerate(zip(shapes, source._shapes)):
            if have is not None and (len(want) != len(have) or any(
                    w is not None and h is not None and w < h for w, h in zip(want, have))):
                raise ValueError(f"The padded shape {want} is not compatible with the shape {have} of component "
                                 f"{i} of the input")
        if padding_values is None:
            values = [np.zeros((), t.np) for t in source._dtypes]
        else:
            value_leaves = _flatten_up_to(source._template, padding_values)
            if value_leaves is None:
                raise ValueError("padding_values does not match the structure of the dataset")
            for v, t in zip(value_leaves, source._dtypes):
                if isinstance(v, Tensor) and v.dtype != t:
                    raise TypeError(f"Invalid `padding_values`. `padding_values` values type {v.dtype.name} ({v.name}) "
                                    f"does not match type {t.name} of the corresponding input component.")
            values = [_padding_value(v, t) for v, t in zip(value_leaves, source._dtypes)]
        lead = batch_size if drop_remainder and isinstance(batch_size, int) else None
        super().__init__(source._template, source._dtypes, [[lead] + s for s in shapes])
        self._source, self._size, self._drop = source, batch_size, drop_remainder
        self._padded, self._values = shapes, values

    def _elements(self, context):
        size = _batch_size_value(self._size, context)
        values = [_padding_value(context.evaluate([v])[0], t) if isinstance(v, Tensor) else v
                  for v, t in zip(self._values, self._dtypes)]
        for chunk in _chunks(self._source._elements(context), size, self._drop):
            batched = []
            for c, (want, value) in enumerate(zip(self._padded, values)):
                longest = [max(e[c].shape[d] for e in chunk) for d in range(len(want))]
                target = [w if w is not None else m for w, m in zip(want, longest)]
                out = np.full([len(chunk)] + target, value, self._dtypes[c].np)
                for i, e in enumerate(chunk):
                    if any(h > t for h, t in zip(e[c].shape, target)):
                        raise DataLossError(f"Attempted to pad to a smaller size than the input element: "
                                            f"component {c} of shape {list(e[c].shape)} into {target}")
                    # a scalar goes in as its item: an object array would keep a 0-d array (a string) whole
                    out[(i,) + tuple(slice(0, h) for h in e[c].shape)] = e[c] if e[c].ndim else e[c][()]
                batched.append(out)
            yield batched

