"""tf.data's transformations that run a user function per element: map, filter, flat_map and interleave, and the
function itself, built once in a graph of its own and run through a session on the caller's backend.

They are attached to Dataset when tf.data is imported (dfc/data/__init__.py), as transformations.py's are, so
dataset_ops.py need not import this module back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from dfc.ir.errors import InvalidArgumentError, OpError

from ..framework import Tensor
from .dataset_ops import Dataset, FedElements, _callable
from .sparse_components import SparseTensor, as_value, component_spec, placeholder_for
from .structure import _Context, _structure_of_outputs, flatten, pack

__all__ = ["filter", "flat_map", "interleave", "map"]


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

    def check_predicate(self, message: str) -> None:
        """ValueError(message + the outputs' dtypes and shapes) unless the function returns one scalar bool (a
        filter or take_while predicate)."""
        outs = self.outputs
        if len(outs) != 1 or not outs[0].dtype.is_bool or outs[0].shape.as_list() not in ([], None):
            raise ValueError(message.format([(t.dtype.name, t.shape) for t in outs]))

    def over(self, source: Dataset, context: _Context) -> Iterator[tuple[list[np.ndarray], list[np.ndarray]]]:
        """(element, the function's result) for each of source's elements; under ignore_errors() an element
        whose function fails is dropped, as in TF."""
        for element in source._elements(context):
            try:
                result = self(context, element)
            except OpError:
                if context.ignoring_errors:
                    continue
                raise
            yield element, result


class _Map(Dataset):
    def __init__(self, source: Dataset, func: Callable):
        self._source = source
        self._function = _Function(source, func, "Dataset.map")
        outputs = self._function.outputs
        super().__init__(self._function.template, [t.dtype for t in outputs],
                         [component_spec(t, "Dataset.map")[1] for t in outputs])

    def _elements(self, context):
        for _, result in self._function.over(self._source, context):
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


class _Filter(Dataset):
    def __init__(self, source: Dataset, predicate: Callable):
        super().__init__(source._template, source._dtypes, source._shapes)
        self._source = source
        self._function = _Function(source, predicate, "Dataset.filter")
        self._function.check_predicate("`predicate` return type must be convertible to a scalar boolean tensor. "
                                       "Was {}.")

    def _elements(self, context):
        for element, keep in self._function.over(self._source, context):
            if bool(keep[0]):
                yield element


# ---- the Dataset methods ------------------------------------------------------------------------------------
def map(self: Dataset, map_func: Callable, num_parallel_calls=None, deterministic=None) -> Dataset:  # noqa: A001
    """map_func applied to each element (its components as arguments when the element is a tuple)."""
    return _Map(self, _callable(map_func))


def filter(self: Dataset, predicate: Callable) -> Dataset:  # noqa: A001 - TF's name
    """The elements for which predicate returns a scalar True."""
    return _Filter(self, _callable(predicate, "predicate"))


def flat_map(self: Dataset, map_func: Callable) -> Dataset:
    """The elements of the dataset map_func returns for each element, one dataset after the other."""
    return _FlatMap(self, _callable(map_func))


def interleave(self: Dataset, map_func: Callable, cycle_length=None, block_length: int = 1, num_parallel_calls=None,
               deterministic=None) -> Dataset:
    """map_func's datasets for cycle_length elements at a time, block_length elements from each in turn."""
    return _Interleave(self, _callable(map_func), cycle_length, block_length)


Dataset.map, Dataset.filter, Dataset.flat_map, Dataset.interleave = map, filter, flat_map, interleave
