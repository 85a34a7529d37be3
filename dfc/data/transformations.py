"""tf.data's windowing, grouping, stateful and sampling transformations, as Dataset methods and experimental functions.

window, group_by_window, bucket_by_sequence_length, scan, reduce, get_single_element, unique, take_while,
ignore_errors, sample_from_datasets, choose_from_datasets, Counter and tf.data.Options. They live here, not in
dataset_ops.py, and are attached to Dataset when tf.data is imported (dfc/data/__init__.py), so dataset_ops.py
need not import this module back.

A function that receives datasets (window's elements, group_by_window's groups) gets FedElements: datasets whose
elements the caller hands over per call, so `window(n).flat_map(lambda w: w.batch(n))` runs as in TF.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype
from dfc.ir.dtypes import i64 as int64
from dfc.ir.errors import InvalidArgumentError, OpError
from dfc.runtime.host_feeds import register_source

from ..framework import Tensor, TensorShape, get_default_graph, get_seed, name_scope
from .dataset_functions import _Function
from .dataset_ops import Dataset, FedElements, _PaddedBatch
from .structure import _Context, _flatten_up_to, _structure_of_outputs, flatten, pack

INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


# ---- window ----------------------------------------------------------------------------------------------
class _Window(Dataset):
    """Elements that are datasets: `size` elements (every `stride`-th) starting every `shift` elements."""

    components_are_datasets = True

    def __init__(self, source: Dataset, size: int, shift: int | None, stride: int, drop_remainder: bool):
        size, shift, stride = int(size), int(size if shift is None else shift), int(stride)
        for name, value in (("size", size), ("shift", shift), ("stride", stride)):
            if value <= 0:
                raise InvalidArgumentError(f"Window {name} must be greater than zero, but got {value}.")
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source, self._size, self._shift, self._stride, self._drop = source, size, shift, stride, drop_remainder

    def _elements(self, context):
        stream = self._source._elements(context)
        span = (self._size - 1) * self._stride + 1
        buffer: list = []  # the source's elements from index `base` on
        base = start = 0
        exhausted = False
        while True:
            while not exhausted and base + len(buffer) < start + span:
                element = next(stream, None)
                exhausted = element is None
                if not exhausted:
                    buffer.append(element)
            items = buffer[start - base:start - base + span:self._stride]
            if not items or (self._drop and len(items) < self._size):
                return
            # a dataset per component, whose elements have that one component
            yield [[[item[c]] for item in items] for c in range(len(self._dtypes))]
            start += self._shift
            skip = start - base
            if skip > len(buffer):  # the next window starts past what is buffered
                for _ in itertools.islice(stream, skip - len(buffer)):
                    pass
            del buffer[:skip]
            base = start


def window(self: Dataset, size: int, shift: int | None = None, stride: int = 1,
           drop_remainder: bool = False) -> Dataset:
    """A dataset of windows, each a dataset (a dataset per component): flat_map or interleave them."""
    return _Window(self, size, shift, stride, drop_remainder)


# ---- functions with a state: scan, reduce ------------------------------------------------------------------
class _StateFunction:
    """func(state, element) built once on placeholders of the state's and the element's components."""

    def __init__(self, source: Dataset, initial_state: Any, func: Callable, what: str):
        from ..array_ops import placeholder
        from ..framework import convert_to_tensor
        leaves, self.state_template = flatten(_structure_of_outputs(initial_state))
        self._initial = leaves
        static = [None if isinstance(v, Tensor) else np.asarray(v) for v in leaves]
        self.state_dtypes = [v.dtype if isinstance(v, Tensor) else convert_to_tensor(v).dtype for v in leaves]
        self.state_shapes = [v.shape.as_list() if isinstance(v, Tensor) and v.shape.ndims is not None else
                             (list(s.shape) if s is not None else None) for v, s in zip(leaves, static)]

        def arguments() -> tuple[Any, list]:
            state = [placeholder(d, s, name=f"state{i}")
                     for i, (d, s) in enumerate(zip(self.state_dtypes, self.state_shapes))]
            inputs = [placeholder(d, s, name=f"arg{i}") for i, (d, s) in enumerate(zip(source._dtypes,
                                                                                         source._shapes))]
            return (pack(self.state_template, state), pack(source._template, inputs)), state + inputs

        self.function = _Function(source, func, what, arguments=arguments)
        self.width = len(leaves)

    def initial(self, context: _Context) -> list[np.ndarray]:
        tensors = [v for v in self._initial if isinstance(v, Tensor)]
        evaluated = iter(context.evaluate(tensors))
        return [next(evaluated) if isinstance(v, Tensor) else np.asarray(v, d.np if not d.is_string else object)
                for v, d in zip(self._initial, self.state_dtypes)]

    def check_state(self, outputs: list[Tensor], what: str) -> None:
        for i, (t, dtype) in enumerate(zip(outputs, self.state_dtypes)):
            if t.dtype != dtype:
                raise TypeError(f"{what}: the new state's component {i} has dtype {t.dtype.name}, but the initial "
                                f"state's has {dtype.name}")


class _Scan(Dataset):
    def __init__(self, source: Dataset, initial_state: Any, scan_func: Callable):
        self._source = source
        self._state = _StateFunction(source, initial_state, scan_func, "Dataset.scan")
        function = self._state.function
        result = function.template
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError("The scan function must return a pair comprising the new state and the output value.")
        width = self._state.width
        if flatten(result[0])[1] != self._state.state_template:
            raise TypeError("The element structure for the new state must match the initial state.")
        outputs = function.outputs[width:]
        self._state.check_state(function.outputs[:width], "Dataset.scan")
        shifted = pack(result[1], [i - width for i in range(len(function.outputs))])  # indices of `outputs`
        super().__init__(shifted, [t.dtype for t in outputs],
                         [t.shape.as_list() if t.shape.ndims is not None else None for t in outputs])

    def _elements(self, context):
        state = self._state.initial(context)
        width = self._state.width
        for element in self._source._elements(context):
            values = self._state.function(context, state + element)
            state = values[:width]
            yield values[width:]


def scan(initial_state: Any, scan_func: Callable) -> Callable[[Dataset], Dataset]:
    """Each element through scan_func(state, element) -> (new_state, output): a running state, as TF's scan."""
    return lambda dataset: _Scan(dataset, initial_state, scan_func)


def _host_result(tensors_of: Callable[[], tuple[Any, list]], pull: Callable[[Any], list], name: str) -> Any:
    """Tensors each Session.run fills by `pull(session)` (the whole dataset run on the host)."""
    from ..array_ops import placeholder
    template, specs = tensors_of()
    with name_scope(name):
        tensors = [placeholder(dtype, shape, name=f"component_{i}") for i, (dtype, shape) in enumerate(specs)]
    graph = get_default_graph()
    register_source(graph._dfc_ir(), [t._dfc_ir() for t in tensors], pull)
    return pack(template, tensors)


def reduce(self: Dataset, initial_state: Any, reduce_func: Callable) -> Any:
    """The state after reduce_func(state, element) over every element, computed when a run needs it."""
    state = _StateFunction(self, initial_state, reduce_func, "Dataset.reduce")
    function = state.function
    if flatten(function.template)[1] != state.state_template:
        raise TypeError("The element structure for the new state must match the initial state.")
    state.check_state(function.outputs, "Dataset.reduce")

    def pull(session) -> list:
        context = _Context(session, {})
        values = state.initial(context)
        for element in self._elements(context):
            values = function(context, values + element)
        return values

    specs = [(t.dtype, s if s is not None else (t.shape.as_list() if t.shape.ndims is not None else None))
             for t, s in zip(function.outputs, _common_shapes(function.outputs, state.state_shapes))]
    return _host_result(lambda: (state.state_template, specs), pull, "ReduceDataset")


def _common_shapes(outputs: list[Tensor], initial: list) -> list:
    """The state's shape where the initial state and the function's result agree on it, else unknown dims."""
    shapes = []
    for t, first in zip(outputs, initial):
        after = t.shape.as_list() if t.shape.ndims is not None else None
        if first is None or after is None or len(first) != len(after):
            shapes.append(None)
        else:
            shapes.append([a if a == b else None for a, b in zip(first, after)])
    return shapes


def get_single_element(dataset: Dataset) -> Any:
    """The only element of `dataset`; InvalidArgumentError when it has none or more than one."""
    def pull(session) -> list:
        stream = dataset._elements(_Context(session, {}))
        first = next(stream, None)
        if first is None:
            raise InvalidArgumentError("Dataset was empty.")
        if next(stream, None) is not None:
            raise InvalidArgumentError("Dataset had more than one element.")
        return first
    return _host_result(lambda: (dataset._template, list(zip(dataset._dtypes, dataset._shapes))), pull,
                        "DatasetToSingleElement")


# ---- grouping ------------------------------------------------------------------------------------------
class _GroupByWindow(Dataset):
    """Elements grouped by key_func's int64 key; each full group (and each group left at the end, by key) goes
    through reduce_func(key, group_dataset), whose elements are the output."""

    def __init__(self, source: Dataset, key_func: Callable, reduce_func: Callable, window_size: Any,
                 window_size_func: Callable | None):
        from ..array_ops import placeholder
        if (window_size is None) == (window_size_func is None):
            raise ValueError("Either the `window_size` argument or the `window_size_func` argument must be "
                             "specified.")
        self._source = source
        self._key = _Function(source, key_func, "group_by_window key_func")
        _require_int64_scalar(self._key.outputs, "key_func")
        self._window_size = None if window_size is None else int(window_size)
        self._size_function = None
        if window_size_func is not None:
            def key_argument() -> tuple[Any, list]:
                key = placeholder(int64, [], name="key")
                return key, [key]
            self._size_function = _Function(source, window_size_func, "group_by_window window_size_func",
                                            arguments=key_argument)
            _require_int64_scalar(self._size_function.outputs, "window_size_func")

        def group_arguments() -> tuple[Any, list]:
            key = placeholder(int64, [], name="key")
            group = FedElements(source._template, source._dtypes, source._shapes)
            return (key, group), [key, group]
        self._reduce = _Function(source, reduce_func, "group_by_window reduce_func", returns_dataset=True,
                                 arguments=group_arguments)
        inner = self._reduce.dataset
        super().__init__(inner._template, inner._dtypes, inner._shapes)

    def _size(self, context, key: int, sizes: dict) -> int:
        if self._window_size is not None:
            return self._window_size
        if key not in sizes:
            sizes[key] = int(self._size_function(context, [np.int64(key)])[0])
            if sizes[key] <= 0:
                raise InvalidArgumentError(f"Window size must be greater than zero, but got {sizes[key]}.")
        return sizes[key]

    def _elements(self, context):
        groups: dict[int, list] = {}
        sizes: dict[int, int] = {}
        for element in self._source._elements(context):
            key = int(self._key(context, element)[0])
            group = groups.setdefault(key, [])
            group.append(element)
            if len(group) == self._size(context, key, sizes):
                del groups[key]
                yield from self._reduced(context, key, group)
        for key in sorted(groups):  # TF flushes what is left in key order
            yield from self._reduced(context, key, groups[key])

    def _reduced(self, context, key: int, group: list):
        yield from self._reduce.dataset._elements(self._reduce.context(context, [np.int64(key), group]))


def _require_int64_scalar(outputs: list[Tensor], what: str) -> None:
    if len(outputs) != 1 or outputs[0].dtype != int64 or outputs[0].shape.as_list() not in ([], None):
        raise ValueError(f"`{what}` must return a single tf.int64 scalar tensor, but its return type is "
                         f"{[(t.dtype.name, t.shape) for t in outputs]}.")


def group_by_window(key_func: Callable, reduce_func: Callable, window_size: Any = None,
                    window_size_func: Callable | None = None) -> Callable[[Dataset], Dataset]:
    """tf.data.experimental.group_by_window, for dataset.apply."""
    return lambda dataset: _GroupByWindow(dataset, key_func, reduce_func, window_size, window_size_func)


class _BucketBySequenceLength(Dataset):
    """Elements into buckets by element_length_func's length; a bucket full of its batch size is padded and
    batched (TF's bucket_by_sequence_length: buckets [min, b0), [b0, b1), ..., [b_last, max))."""

    def __init__(self, source: Dataset, length_func: Callable, boundaries: list[int], batch_sizes: list[int],
                 padded_shapes: Any, padding_values: Any, pad_to_bucket_boundary: bool, no_padding: bool,
                 drop_remainder: bool):
        if len(batch_sizes) != len(boundaries) + 1:
            raise ValueError("len(bucket_batch_sizes) must equal len(bucket_boundaries) + 1")
        if list(boundaries) != sorted(boundaries):
            raise ValueError("bucket_boundaries must be sorted")
        self._source, self._boundaries, self._batch_sizes = source, list(boundaries), [int(b) for b in batch_sizes]
        self._length = _Function(source, length_func, "bucket_by_sequence_length element_length_func")
        outs = self._length.outputs
        if len(outs) != 1 or not outs[0].dtype.is_integer or outs[0].shape.as_list() not in ([], None):
            raise ValueError("element_length_func must return an integer scalar")
        self._pad_to_boundary, self._drop = pad_to_bucket_boundary, drop_remainder
        self._fed = FedElements(source._template, source._dtypes, source._shapes)
        self._batchers = [self._batcher(bucket, padded_shapes, padding_values, no_padding)
                          for bucket in range(len(batch_sizes))]
        first = self._batchers[0]
        super().__init__(first._template, first._dtypes, _merged_shapes(self._batchers))

    def _batcher(self, bucket: int, padded_shapes: Any, padding_values: Any, no_padding: bool) -> Dataset:
        size = self._batch_sizes[bucket]
        if no_padding:
            return self._fed.batch(size, drop_remainder=self._drop)
        filler = None
        if self._pad_to_boundary and bucket < len(self._boundaries):
            filler = self._boundaries[bucket] - 1
        if padded_shapes is None:
            shapes = [None if s is None else [filler if d is None else d for d in s] for s in self._source._shapes]
        else:
            leaves = _flatten_up_to(self._source._template, padded_shapes)
            if leaves is None:
                raise ValueError("padded_shapes does not match the structure of the dataset")
            shapes = [[filler if d is None else d for d in (s if isinstance(s, TensorShape) else TensorShape(s))
                       .as_list()] for s in leaves]
        return _PaddedBatch(self._fed, size, pack(self._source._template, [TensorShape(s) for s in shapes]),
                            padding_values, self._drop)

    def _bucket(self, length: int) -> int:
        for bucket, boundary in enumerate(self._boundaries):
            if length < boundary:
                return bucket
        if self._pad_to_boundary:
            raise InvalidArgumentError("When pad_to_bucket_boundary=True, elements must have length < "
                                       "max(bucket_boundaries).")
        return len(self._boundaries)

    def _elements(self, context):
        buckets: dict[int, list] = {}
        for element in self._source._elements(context):
            bucket = self._bucket(int(self._length(context, element)[0]))
            group = buckets.setdefault(bucket, [])
            group.append(element)
            if len(group) == self._batch_sizes[bucket]:
                del buckets[bucket]
                yield from self._batched(context, bucket, group)
        for bucket in sorted(buckets):
            yield from self._batched(context, bucket, buckets[bucket])

    def _batched(self, context, bucket: int, group: list):
        inner = _Context(context.session, {})
        inner.windows[id(self._fed)] = group
        yield from self._batchers[bucket]._elements(inner)


def bucket_by_sequence_length(element_length_func: Callable, bucket_boundaries: list[int],
                              bucket_batch_sizes: list[int], padded_shapes: Any = None, padding_values: Any = None,
                              pad_to_bucket_boundary: bool = False, no_padding: bool = False,
                              drop_remainder: bool = False) -> Callable[[Dataset], Dataset]:
    """tf.data.experimental.bucket_by_sequence_length, for dataset.apply."""
    return lambda dataset: _BucketBySequenceLength(dataset, element_length_func, bucket_boundaries,
                                                   bucket_batch_sizes, padded_shapes, padding_values,
                                                   pad_to_bucket_boundary, no_padding, drop_remainder)


# ---- filtering ---------------------------------------------------------------------------------------------
class _Unique(Dataset):
    def __init__(self, source: Dataset):
        if len(source._dtypes) != 1 or not (source._dtypes[0].is_integer or source._dtypes[0].is_string) or \
                source._shapes[0] not in ([], None):
            raise TypeError(f"`unique()` only supports datasets of integer or string scalars, got "
                            f"{source.output_types} of shape {source.output_shapes}")
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source = source

    def _elements(self, context):
        seen: set = set()
        for element in self._source._elements(context):
            key = element[0].item() if isinstance(element[0], np.ndarray) else element[0]
            if key not in seen:
                seen.add(key)
                yield element


class _TakeWhile(Dataset):
    def __init__(self, source: Dataset, predicate: Callable):
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source = source
        self._function = _Function(source, predicate, "take_while")
        self._function.check_predicate("`predicate` must return a scalar boolean tensor.")

    def _elements(self, context):
        for element in self._source._elements(context):
            if not bool(self._function(context, element)[0]):
                return
            yield element


class _IgnoreErrors(Dataset):
    """The input's elements, dropping each one whose map or filter function failed (TF's ignore_errors)."""

    def __init__(self, source: Dataset):
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source = source

    def _elements(self, context):
        stream = self._source._elements(context)
        while True:
            context.ignoring_errors += 1
            try:
                element = next(stream, None)
            except OpError:  # a source's own error ends its stream: nothing more can come from it
                return
            finally:
                context.ignoring_errors -= 1
            if element is None:
                return
            yield element


def unique() -> Callable[[Dataset], Dataset]:
    return _Unique


def take_while(predicate: Callable) -> Callable[[Dataset], Dataset]:
    return lambda dataset: _TakeWhile(dataset, predicate)


def ignore_errors(log_warning: bool = False) -> Callable[[Dataset], Dataset]:
    return _IgnoreErrors


# ---- several inputs ------------------------------------------------------------------------------------
def _same_structure(datasets: list[Dataset], what: str) -> None:
    first = datasets[0]
    for d in datasets[1:]:
        if d._dtypes != first._dtypes or flatten(d._template)[1] != flatten(first._template)[1]:
            raise TypeError(f"Invalid `datasets`. `datasets` must have compatible structures ({what}): "
                            f"{first.output_types} and {d.output_types}")


def _merged_shapes(datasets: list[Dataset]) -> list:
    """Each component's shape as all the datasets agree on it (unknown where they differ)."""
    shapes = []
    for component in zip(*[d._shapes for d in datasets]):
        if any(s is None for s in component) or len({len(s) for s in component}) != 1:
            shapes.append(None)
        else:
            shapes.append([dims[0] if len(set(dims)) == 1 else None for dims in zip(*component)])
    return shapes


class _Choose(Dataset):
    def __init__(self, datasets: list[Dataset], choice: Dataset, stop_on_empty_dataset: bool):
        datasets = list(datasets)
        if not datasets:
            raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
        _same_structure(datasets, "choose_from_datasets")
        if choice._dtypes != [int64] or choice._shapes[0] not in ([], None):
            raise TypeError(f"Invalid `choice_dataset`. Elements of `choice_dataset` must be scalar of `tf.int64` "
                            f"dtype, but got {choice.output_types}.")
        super().__init__(datasets[0]._template, datasets[0]._dtypes, _merged_shapes(datasets))
        self._members, self._choice, self._stop = datasets, choice, stop_on_empty_dataset

    def _elements(self, context):
        streams = [d._elements(context) for d in self._members]
        for (index,) in self._choice._elements(context):
            i = int(index)
            if not 0 <= i < len(streams):
                raise InvalidArgumentError(f"Selector index out of range: {i} >= {len(streams)}")
            element = next(streams[i], None)
            if element is None:
                if self._stop:
                    return
                continue
            yield element


def choose_from_datasets(datasets: list[Dataset], choice_dataset: Dataset,
                         stop_on_empty_dataset: bool = True) -> Dataset:
    """The next element of datasets[i] for each i of choice_dataset."""
    return _Choose(datasets, choice_dataset, stop_on_empty_dataset)


class _Sample(Dataset):
    def __init__(self, datasets: list[Dataset], weights: Any, seed: int | None, stop_on_empty_dataset: bool):
        datasets = list(datasets)
        if not datasets:
            raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
        _same_structure(datasets, "sample_from_datasets")
        if weights is None:
            weights = [1.0 / len(datasets)] * len(datasets)
        weights = np.asarray(weights, np.float64)
        if weights.shape != (len(datasets),):
            raise ValueError(f"Invalid `weights`. The shape of `weights` should be compatible with "
                             f"`[len(datasets)]` but is {list(weights.shape)}")
        super().__init__(datasets[0]._template, datasets[0]._dtypes, _merged_shapes(datasets))
        self._members, self._weights, self._stop = datasets, weights, stop_on_empty_dataset
        graph_seed, op_seed = get_seed(seed)
        self._seed = None if graph_seed is None else (graph_seed, op_seed)

    def _elements(self, context):
        rng = np.random.default_rng(None if self._seed is None else [*self._seed, context.next_epoch(self)])
        streams = [d._elements(context) for d in self._members]
        live = [w > 0 for w in self._weights]
        while any(live):
            weights = np.where(live, self._weights, 0.0)
            i = int(rng.choice(len(streams), p=weights / weights.sum()))
            element = next(streams[i], None)
            if element is None:
                if self._stop:
                    return
                live[i] = False
                continue
            yield element


def sample_from_datasets(datasets: list[Dataset], weights: Any = None, seed: int | None = None,
                         stop_on_empty_dataset: bool = False) -> Dataset:
    """Elements drawn from the datasets at random with probabilities `weights` (seeded as tf's random ops)."""
    if isinstance(weights, (Tensor, Dataset)):
        raise TypeError("dfc's sample_from_datasets takes weights as a list of numbers")
    return _Sample(datasets, weights, seed, stop_on_empty_dataset)


class _Counter(Dataset):
    def __init__(self, start: int, step: int, dtype: Any):
        dtype = as_dtype(dtype)
        super().__init__(0, [dtype], [[]])
        self._start, self._step = int(start), int(step)

    def _elements(self, context):
        for value in itertools.count(self._start, self._step):
            yield [np.asarray(value, self._dtypes[0].np)]


def Counter(start: int = 0, step: int = 1, dtype: Any = int64) -> Dataset:  # noqa: N802 - TF's name
    """start, start + step, ... without end."""
    return _Counter(start, step, dtype)


def enumerate_dataset(start: int = 0) -> Callable[[Dataset], Dataset]:
    return lambda dataset: dataset.enumerate(start)


# ---- options: dfc's pipelines run in order on the host, so options are kept and reported, never needed ------
class _OptionGroup:
    """A group of tf.data options: only the names TF defines may be set (others raise AttributeError, as in TF)."""

    _names: tuple[str, ...] = ()
    _groups: dict[str, type] = {}

    def __init__(self):
        for name in self._names:
            object.__setattr__(self, name, None)
        for name, group in self._groups.items():
            object.__setattr__(self, name, group())

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._names and name not in self._groups:
            raise AttributeError(f"Cannot set the property {name} on {type(self).__name__}.")
        object.__setattr__(self, name, value)

    def __eq__(self, other: Any) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def _merged(self, other: _OptionGroup) -> _OptionGroup:
        merged = type(self)()
        for name in self._names:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine is not None and theirs is not None and mine != theirs:
                raise ValueError(f"Cannot merge incompatible values ({mine!r} and {theirs!r}) of option: {name}")
            object.__setattr__(merged, name, theirs if theirs is not None else mine)
        for name in self._groups:
            object.__setattr__(merged, name, getattr(self, name)._merged(getattr(other, name)))
        return merged


class ThreadingOptions(_OptionGroup):
    _names = ("max_intra_op_parallelism", "private_threadpool_size")


class OptimizationOptions(_OptionGroup):
    _names = ("apply_default_optimizations", "autotune", "autotune_buffers", "autotune_cpu_budget",
              "autotune_ram_budget", "filter_fusion", "filter_with_random_uniform_fusion", "hoist_random_uniform",
              "map_and_batch_fusion", "map_and_filter_fusion", "map_fusion", "map_parallelization",
              "map_vectorization", "noop_elimination", "parallel_batch", "shuffle_and_repeat_fusion")


class DistributeOptions(_OptionGroup):
    _names = ("auto_shard", "auto_shard_policy", "num_devices")


class Options(_OptionGroup):
    """tf.data.Options."""

    _names = ("deterministic", "experimental_deterministic", "experimental_slack", "experimental_stats",
              "experimental_external_state_policy", "experimental_warm_start", "experimental_symbolic_checkpoint")
    _groups = {"experimental_distribute": DistributeOptions, "experimental_optimization": OptimizationOptions,
               "experimental_threading": ThreadingOptions, "threading": ThreadingOptions}

    def merge(self, options: Options) -> Options:
        return self._merged(options)


def with_options(self: Dataset, options: Options) -> Dataset:
    """This dataset with `options` merged into its own (they change nothing dfc does: its pipelines run in order)."""
    if not isinstance(options, Options):
        raise TypeError(f"options must be a tf.data.Options, got {options!r}")
    return _WithOptions(self, self.options().merge(options))


class _WithOptions(Dataset):
    def __init__(self, source: Dataset, options: Options):
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source, self._options = source, options

    def _elements(self, context):
        return self._source._elements(context)


def options(self: Dataset) -> Options:
    """The options of this dataset and those it reads."""
    found = getattr(self, "_options", None)
    if found is not None:
        return found
    merged = Options()
    for name in ("_source", "_first", "_second"):
        child = getattr(self, name, None)
        if isinstance(child, Dataset):
            merged = merged.merge(child.options())
    return merged


def _attach() -> None:
    """TF's Dataset methods defined here."""
    Dataset.window = window
    Dataset.scan = lambda self, initial_state, scan_func: _Scan(self, initial_state, scan_func)
    Dataset.reduce = reduce
    Dataset.unique = lambda self: _Unique(self)
    Dataset.take_while = lambda self, predicate: _TakeWhile(self, predicate)
    Dataset.ignore_errors = lambda self, log_warning=False: _IgnoreErrors(self)
    Dataset.group_by_window = lambda self, key_func, reduce_func, window_size=None, window_size_func=None: \
        _GroupByWindow(self, key_func, reduce_func, window_size, window_size_func)
    Dataset.bucket_by_sequence_length = lambda self, *args, **kwargs: bucket_by_sequence_length(*args, **kwargs)(self)
    Dataset.get_single_element = lambda self: get_single_element(self)
    Dataset.choose_from_datasets = staticmethod(choose_from_datasets)
    Dataset.sample_from_datasets = staticmethod(sample_from_datasets)
    Dataset.counter = staticmethod(Counter)
    Dataset.with_options = with_options
    Dataset.options = options


_attach()
