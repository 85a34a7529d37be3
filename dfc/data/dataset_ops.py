"""tf.data.Dataset: TF1's input pipelines, run on the host and fed to the graph through its iterators.

A Dataset describes a stream of elements (a tuple, dict or single tensor of arrays) with static
dtypes and shapes. Nothing runs until an iterator is initialized in a Session: then sources that
are graph tensors (`from_tensor_slices(placeholder)`) are evaluated by that session with the
initializer's feed_dict, and elements are produced on demand in numpy. `map` and `filter` build
their function once, on placeholders of the element's dtypes and shapes, in a graph of their own,
and run it per element through a session on the caller's backend (its ops compile once per
element shape), so any DSL function works, random ops and all.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from dfc.ir.dtypes import DType, as_dtype
from dfc.ir.errors import InvalidArgumentError, OpError

from ..framework import Tensor, TensorShape, constant_array, constant_value, get_seed, infer_constant_dtype
from .sparse_components import (SparseTensor, SparseTensorValue, as_value, component_spec, is_sparse,
                                placeholder_for, sparse_leaf_spec, sparse_row)
from .sparse_components import batch as batch_sparse

__all__ = ["Dataset", "FedElements", "flatten", "pack"]

AUTOTUNE = -1


# ---- element structures: tuples, namedtuples and dicts nest; anything else is one component ------------
def flatten(structure: Any) -> tuple[list[Any], Any]:
    """The components of `structure` in order, and a template with their indices at the leaves."""
    leaves: list[Any] = []

    def walk(node):
        if isinstance(node, dict):
            return {k: walk(node[k]) for k in sorted(node)}
        if isinstance(node, tuple) and not isinstance(node, SparseTensorValue):  # a SparseTensorValue is one leaf
            items = [walk(x) for x in node]
            return type(node)(*items) if hasattr(node, "_fields") else tuple(items)
        leaves.append(node)
        return len(leaves) - 1
    return leaves, walk(structure)


def pack(template: Any, leaves: list[Any]) -> Any:
    """`template` with each index replaced by its component."""
    if isinstance(template, dict):
        return {k: pack(v, leaves) for k, v in template.items()}
    if isinstance(template, tuple):
        items = [pack(x, leaves) for x in template]
        return type(template)(*items) if hasattr(template, "_fields") else tuple(items)
    return leaves[template]


def _structure_of_outputs(value: Any) -> Any:
    """A map function's result as a structure: lists become tuples, as tf.data reads them."""
    if isinstance(value, list):
        return tuple(_structure_of_outputs(x) for x in value)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_structure_of_outputs(x) for x in value)
    if isinstance(value, dict):
        return {k: _structure_of_outputs(v) for k, v in value.items()}
    return value


class _Context:
    """What producing elements needs from the session that initialized the iterator."""

    def __init__(self, session: Any, feed_dict: Any):
        self.session, self.feed_dict = session, dict(feed_dict or {})
        self._epochs: dict[int, int] = {}
        self.captured: dict[int, list[np.ndarray]] = {}  # a dataset function's id -> its captures' values
        self.windows: dict[int, list] = {}  # a function's dataset argument's id -> the elements it holds now
        self.ignoring_errors = 0  # how many ignore_errors() datasets are pulling an element now

    def next_epoch(self, dataset: Dataset) -> int:
        """How many times `dataset` has started over since the iterator was initialized (shuffle's reseeding)."""
        n = self._epochs.get(id(dataset), 0)
        self._epochs[id(dataset)] = n + 1
        return n

    def evaluate(self, tensors: list[Tensor]) -> list[np.ndarray]:
        return [as_value(a) for a in self.session.run(list(tensors), self.feed_dict)] if tensors else []


class ElementStructure:
    """The structure of a dataset's elements (and of an iterator's get_next): TF1's output_types, output_shapes and
    output_classes, from the nested template, dtypes and shapes the object holds."""

    _template: Any
    _dtypes: list[DType]
    _shapes: list

    @property
    def output_types(self) -> Any:
        return pack(self._template, self._dtypes)

    @property
    def output_shapes(self) -> Any:
        return pack(self._template, [TensorShape(s) for s in self._shapes])

    @property
    def output_classes(self) -> Any:
        from .sparse_components import SparseTensor, is_sparse
        return pack(self._template, [SparseTensor if is_sparse(s) else Tensor for s in self._shapes])


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
        bounds = [int(a) for a in args]
        if len(bounds) == 3 and bounds[2] == 0:
            raise InvalidArgumentError("step must be a non-zero integer.")
        return _Range(range(*bounds), as_dtype(output_type))

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
        return _Batch(self, batch_size, drop_remainder)

    def shuffle(self, buffer_size: int, seed: int | None = None, reshuffle_each_iteration: bool = True) -> Dataset:
        return _Shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def repeat(self, count: int | None = None) -> Dataset:
        return _Repeat(self, count)

    def take(self, count: int) -> Dataset:
        return _Slice(self, 0, count)

    def skip(self, count: int) -> Dataset:
        return _Slice(self, count, -1)

    def map(self, map_func: Callable, num_parallel_calls=None, deterministic=None) -> Dataset:
        return _Map(self, map_func)

    def filter(self, predicate: Callable) -> Dataset:
        return _Filter(self, predicate)

    def flat_map(self, map_func: Callable) -> Dataset:
        """The elements of the dataset map_func returns for each element, one dataset after the other."""
        return _FlatMap(self, map_func)

    def interleave(self, map_func: Callable, cycle_length=None, block_length: int = 1, num_parallel_calls=None,
                   deterministic=None) -> Dataset:
        """map_func's datasets for cycle_length elements at a time, block_length elements from each in turn."""
        return _Interleave(self, map_func, cycle_length, block_length)

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
        return _PaddedBatch(self, batch_size, padded_shapes, padding_values, drop_remainder)

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
    def __init__(self, span: range, dtype: DType):
        super().__init__(0, [dtype], [[]])
        self._span = span

    def _elements(self, context):
        dtype = self._dtypes[0].np
        for i in self._span:
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

    def _elements(self, context):
        for value in self._generator(*self._args):
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


def _generator_argument(value: Any) -> Any:
    """An argument of from_generator's generator as TF passes it: a tensor's numpy value (strings as bytes)."""
    if isinstance(value, Tensor):
        known = constant_value(value)
        if known is None:
            raise TypeError(f"from_generator's args must be known when the graph is built; {value.name} is not")
        return known
    array = np.asarray(value)
    if array.dtype.kind == "U":
        encoded = np.array([s.encode("utf-8") for s in array.reshape(-1)], dtype=object).reshape(array.shape)
        return encoded[()] if encoded.ndim == 0 else encoded
    return array[()] if array.ndim == 0 else array


def _flatten_up_to(template: Any, value: Any) -> list | None:
    """The components of `value` read with `template`'s structure (a list where a component is expected is one
    component); None when the value does not have that structure."""
    if isinstance(template, dict):
        if not isinstance(value, dict) or set(value) != set(template):
            return None
        parts = [_flatten_up_to(template[k], value[k]) for k in template]
    elif isinstance(template, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(template):
            return None
        parts = [_flatten_up_to(t, v) for t, v in zip(template, value)]
    else:
        return [value]
    return None if any(p is None for p in parts) else [x for p in parts for x in p]


# ---- combinations ------------------------------------------------------------------------------------
def _combined_template(structure: Any, offsets: list[int]) -> Any:
    """The zip's template: each dataset's template with its indices moved past the previous ones'."""
    def shift(template, by):
        if isinstance(template, dict):
            return {k: shift(v, by) for k, v in template.items()}
        if isinstance(template, tuple):
            items = [shift(x, by) for x in template]
            return type(template)(*items) if hasattr(template, "_fields") else tuple(items)
        return template + by
    datasets, inner = flatten(structure)
    return pack(inner, [shift(d._template, off) for d, off in zip(datasets, offsets)])


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
class _Batch(Dataset):
    def __init__(self, source: Dataset, batch_size: int, drop_remainder: bool):
        batch_size = _batch_size_argument(batch_size, "batch")
        lead = batch_size if drop_remainder and isinstance(batch_size, int) else None
        super().__init__(source._template, source._dtypes,
                         [type(s)([lead] + s) if s is not None else None for s in source._shapes])
        self._source, self._size, self._drop = source, batch_size, drop_remainder

    def _elements(self, context):
        stream = self._source._elements(context)
        size = _batch_size_value(self._size, context)
        while True:
            chunk = list(itertools.islice(stream, size))
            if not chunk or (self._drop and len(chunk) < size):
                return
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


class _Function:
    """A DSL function of one element, built once on placeholders in a graph of its own and run per element.

    `arguments`, when given, makes the arguments in the function's graph instead of one placeholder per component:
    it returns the structure passed to `func` and its flat slots, placeholders (fed an array) or FedElements
    (given a list of elements)."""

    def __init__(self, source: Dataset, func: Callable, what: str, returns_dataset: bool = False,
                 arguments: Callable[[], tuple[Any, list]] | None = None):
        from ..framework import Graph, convert_to_tensor
        self.graph = Graph()
        self._captures: dict[int, tuple[Any, Any]] = {}  # id(outer tensor) -> (outer tensor, its placeholder here)
        self.graph.capture_outer = self._capture
        with self.graph.as_default():
            if arguments is None and getattr(source, "components_are_datasets", False):
                if not returns_dataset:
                    raise TypeError(f"{what}: the elements of {source!r} are datasets (Dataset.window); use "
                                    f"flat_map or interleave to make one dataset of them")
                inputs = [FedElements(0, [dtype], [shape]) for dtype, shape in zip(source._dtypes, source._shapes)]
                args = pack(source._template, inputs)
            elif arguments is None:
                inputs = [placeholder_for(dtype, shape, f"arg{i}")
                          for i, (dtype, shape) in enumerate(zip(source._dtypes, source._shapes))]
                args = pack(source._template, inputs)
            else:
                args, inputs = arguments()
            self.inputs = inputs
            try:
                result = func(*args) if isinstance(args, tuple) and not hasattr(args, "_fields") else func(args)
            except ValueError as e:
                if "graph" in str(e).lower():
                    raise ValueError(f"{what}: the function uses a tensor of the outer graph ({e}); dfc builds "
                                     f"dataset functions in a graph of their own, so pass such values through "
                                     f"the dataset (Dataset.zip) or as numpy values") from e
                raise
            if returns_dataset:
                if not isinstance(result, Dataset):
                    raise TypeError(f"{what}: the function must return a Dataset, got {result!r}")
                self.dataset, leaves, template = result, [], None
            else:
                leaves, template = flatten(_structure_of_outputs(result))
            outputs = [x if isinstance(x, SparseTensor) else convert_to_tensor(x) for x in leaves]
            # a result that is an outer tensor itself (`lambda x: (key, x)`) is returned through its capture
            self.outputs = [self._capture(t) if isinstance(t, Tensor) and t._graph is not self.graph else t
                            for t in outputs]
        self.template = template
        self._sessions: dict[str, Any] = {}

    def _capture(self, outer: Any) -> Any:
        """A placeholder standing for `outer`, a tensor of the graph the dataset was built in: its value is read
        once per iterator initialization (TF captures a table or constant the same way; a variable is read then)."""
        from ..array_ops import placeholder
        if id(outer) not in self._captures:
            with self.graph.as_default():
                inner = placeholder(outer.dtype, outer.shape, name=f"capture{len(self._captures)}")
            self._captures[id(outer)] = (outer, inner)
        return self._captures[id(outer)][1]

    def _feeds(self, context: _Context, element: list[np.ndarray]) -> dict:
        feeds = {slot: value for slot, value in zip(self.inputs, element) if not isinstance(slot, FedElements)}
        if self._captures:
            values = context.captured.get(id(self))
            if values is None:
                values = context.captured[id(self)] = context.evaluate([o for o, _ in self._captures.values()])
            feeds.update(zip([inner for _, inner in self._captures.values()], values))
        return feeds

    def _session(self, context: _Context) -> Any:
        from ..session import Session
        backend = getattr(context.session, "backend", "cpu")
        if any(op.type == "dfc.dynamic_decode_image" for op in self.graph._ir.walk()):
            # each new image size would compile a step of its own (a second each, where the interpreter
            # decodes and resizes an element in milliseconds): the outer step stays native
            backend = "interpreter"
        session = self._sessions.get(backend)
        if session is None:
            session = self._sessions[backend] = Session(graph=self.graph, backend=backend)
        return session

    def context(self, context: _Context, element: list[np.ndarray]) -> _Context:
        """Where the function's own dataset (flat_map) evaluates its tensors: this element fed."""
        inner = _Context(self._session(context), self._feeds(context, element))
        inner.windows.update({id(slot): value for slot, value in zip(self.inputs, element)
                              if isinstance(slot, FedElements)})
        return inner

    def __call__(self, context: _Context, element: list[np.ndarray]) -> list[np.ndarray]:
        session = self._session(context)
        return [as_value(a) for a in session.run(self.outputs, self._feeds(context, element))]


class _Map(Dataset):
    def __init__(self, source: Dataset, func: Callable):
        self._source = source
        self._function = _Function(source, func, "Dataset.map")
        outputs = self._function.outputs
        super().__init__(self._function.template, [t.dtype for t in outputs],
                         [component_spec(t, "Dataset.map")[1] for t in outputs])

    def _elements(self, context):
        for element in self._source._elements(context):
            try:
                result = self._function(context, element)
            except OpError:
                if context.ignoring_errors:  # under ignore_errors(): the element is dropped, as in TF
                    continue
                raise
            yield result


class _Interleave(Dataset):
    def __init__(self, source: Dataset, func: Callable, cycle_length, block_length: int):
        self._source, self._cycle, self._block = source, int(cycle_length or 8), int(block_length)
        if self._cycle < 1 or self._block < 1:
            raise InvalidArgumentError(f"cycle_length ({self._cycle}) and block_length ({self._block}) must be "
                                       f"positive")
        self._function = _Function(source, func, "Dataset.interleave", returns_dataset=True)
        inner = self._function.dataset
        super().__init__(inner._template, inner._dtypes, inner._shapes)

    def _elements(self, context):
        # TF's interleave kernel: an empty slot takes the next input element when the cycle reaches it, an
        # exhausted one is emptied and the cycle moves on
        inputs = iter(self._source._elements(context))
        slots: list[Iterator | None] = [None] * self._cycle
        index = produced = opened = 0
        more = True
        while more or opened:
            current = slots[index]
            if current is not None:
                got = next(current, None)
                if got is not None:
                    yield got
                    produced += 1
                    if produced < self._block:
                        continue
                else:
                    slots[index], opened = None, opened - 1
            elif more:
                element = next(inputs, None)
                more = element is not None
                if more:
                    slots[index] = iter(self._function.dataset._elements(self._function.context(context, element)))
                    opened += 1
                continue
            index, produced = (index + 1) % self._cycle, 0


class _Shard(Dataset):
    def __init__(self, source: Dataset, num_shards: int, index: int):
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source, self._num_shards, self._index = source, num_shards, index

    def _elements(self, context):
        yield from itertools.islice(self._source._elements(context), self._index, None, self._num_shards)


class _FlatMap(Dataset):
    def __init__(self, source: Dataset, func: Callable):
        self._source = source
        self._function = _Function(source, func, "Dataset.flat_map", returns_dataset=True)
        inner = self._function.dataset
        super().__init__(inner._template, inner._dtypes, inner._shapes)

    def _elements(self, context):
        for element in self._source._elements(context):
            inner_context = self._function.context(context, element)
            yield from self._function.dataset._elements(inner_context)


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
            values = [_padding_value(v, t) for v, t in zip(value_leaves, source._dtypes)]
        lead = batch_size if drop_remainder and isinstance(batch_size, int) else None
        super().__init__(source._template, source._dtypes, [[lead] + s for s in shapes])
        self._source, self._size, self._drop = source, batch_size, drop_remainder
        self._padded, self._values = shapes, values

    def _elements(self, context):
        stream = self._source._elements(context)
        size = _batch_size_value(self._size, context)
        values = [_padding_value(context.evaluate([v])[0], t) if isinstance(v, Tensor) else v
                  for v, t in zip(self._values, self._dtypes)]
        while True:
            chunk = list(itertools.islice(stream, size))
            if not chunk or (self._drop and len(chunk) < size):
                return
            batched = []
            for c, (want, value) in enumerate(zip(self._padded, values)):
                longest = [max(e[c].shape[d] for e in chunk) for d in range(len(want))]
                target = [w if w is not None else m for w, m in zip(want, longest)]
                out = np.full([len(chunk)] + target, value, self._dtypes[c].np)
                for i, e in enumerate(chunk):
                    if any(h > t for h, t in zip(e[c].shape, target)):
                        raise InvalidArgumentError(f"Attempted to pad to a smaller size than the input element: "
                                                   f"component {c} of shape {list(e[c].shape)} into {target}")
                    # a scalar goes in as its item: an object array would keep a 0-d array (a string) whole
                    out[(i,) + tuple(slice(0, h) for h in e[c].shape)] = e[c] if e[c].ndim else e[c][()]
                batched.append(out)
            yield batched


class _Filter(Dataset):
    def __init__(self, source: Dataset, predicate: Callable):
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source = source
        self._function = _Function(source, predicate, "Dataset.filter")
        outs = self._function.outputs
        if len(outs) != 1 or not outs[0].dtype.is_bool or outs[0].shape.as_list() not in ([], None):
            raise ValueError(f"`predicate` return type must be convertible to a scalar boolean tensor. Was "
                             f"{[(t.dtype.name, t.shape) for t in outs]}.")

    def _elements(self, context):
        for element in self._source._elements(context):
            try:
                keep = bool(self._function(context, element)[0])
            except OpError:
                if context.ignoring_errors:
                    continue
                raise
            if keep:
                yield element
