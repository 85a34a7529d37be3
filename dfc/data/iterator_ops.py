"""tf.data iterators: get_next() tensors that the Session fills with the next element on the host.

`get_next()` makes placeholders of the dataset's dtypes and static shapes and registers them as a
host-fed source (runtime/host_feeds.py): each Session.run that needs them pulls one element for
them all, so they work anywhere in the graph, and an exhausted iterator raises
tf.errors.OutOfRangeError as TF's IteratorGetNext does. An iterator's position is per session.
The initializer (and make_initializer's op) is a host action: it starts the dataset over,
evaluating its graph-tensor sources with that run's feed_dict.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from typing import Any

from dfc.ir.errors import FailedPreconditionError, InvalidArgumentError, OutOfRangeError
from dfc.runtime.host_feeds import register_action, register_source

from ..framework import Operation, TensorShape, constant, convert_to_tensor, get_default_graph, name_scope
from .dataset_ops import Dataset
from .structure import ElementStructure, _Context, _flatten_up_to, flatten, pack
from .sparse_components import arrays, graph_values, placeholder_for

__all__ = ["Iterator", "get_output_classes", "get_output_shapes", "get_output_types", "make_initializable_iterator",
           "make_one_shot_iterator"]


class Iterator(ElementStructure):
    """TF1's tf.data.Iterator: one-shot, initializable, or reinitializable (from_structure + make_initializer)."""

    def __init__(self, dataset: Dataset | None, template: Any, dtypes: list, shapes: list, one_shot: bool):
        self._dataset = dataset
        self._template, self._dtypes, self._shapes = template, list(dtypes), list(shapes)
        self._one_shot = one_shot
        self._graph = get_default_graph()
        self._streams: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._initializer: Operation | None = None
        self._handle = None  # from_string_handle's string tensor
        self._handle_value: bytes | None = None  # string_handle()'s value

    # ---- construction --------------------------------------------------------------------------
    @classmethod
    def _one_shot(cls, dataset: Dataset) -> Iterator:
        _refuse_nested(dataset)
        _refuse_placeholders(dataset)
        return cls(dataset, dataset._template, dataset._dtypes, dataset._shapes, one_shot=True)

    @classmethod
    def _initializable(cls, dataset: Dataset) -> Iterator:
        iterator = cls(dataset, dataset._template, dataset._dtypes, dataset._shapes, one_shot=False)
        iterator._initializer = iterator.make_initializer(dataset, name="MakeIterator")
        return iterator

    @classmethod
    def from_structure(cls, output_types, output_shapes=None, shared_name=None, output_classes=None) -> Iterator:
        """An iterator without a dataset: make_initializer(dataset) points it at one (of this structure)."""
        types, template = flatten(output_types)
        if output_shapes is None:
            shapes: list = [None] * len(types)
        else:
            shape_leaves = _flatten_up_to(template, output_shapes)
            if shape_leaves is None:
                raise TypeError(f"output_shapes {output_shapes!r} must have the structure of output_types "
                                f"{output_types!r}")
            shapes = [(s if isinstance(s, TensorShape) else TensorShape(s)).as_list() for s in shape_leaves]
        from dfc.ir.dtypes import as_dtype
        return cls(None, template, [as_dtype(t) for t in types], shapes, one_shot=False)

    @classmethod
    def from_string_handle(cls, string_handle, output_types, output_shapes=None, output_classes=None) -> Iterator:
        """An iterator that, in each run, gets its next element from the iterator whose string_handle() the string
        tensor `string_handle` holds in that run (typically a fed placeholder: one graph, many input pipelines)."""
        iterator = cls.from_structure(output_types, output_shapes)
        iterator._handle = convert_to_tensor(string_handle)
        if iterator._handle.dtype.name != "string" or iterator._handle.shape.ndims not in (None, 0):
            raise TypeError(f"string_handle must be a string scalar, got {iterator._handle.name} of "
                            f"{iterator._handle.dtype.name}{iterator._handle.shape}")
        return iterator

    def string_handle(self, name: str | None = None) -> Any:
        """A string tensor naming this iterator: feed it to an iterator from_string_handle to read from this one."""
        if self._handle_value is None:
            self._handle_value = f"dfc-iterator-{next(_HANDLE_NUMBERS)}".encode()
            self._graph.string_handles[self._handle_value] = self
        with self._graph.as_default():
            return constant(self._handle_value, name=name or "IteratorToStringHandle")

    # ---- TF's attributes -------------------------------------------------------------------------
    @property
    def initializer(self) -> Operation:
        if self._initializer is None:
            raise ValueError("The iterator does not have an initializer. This means it was likely created using "
                             "`tf.data.Dataset.make_one_shot_iterator()`. For an initializable iterator, use "
                             "`tf.data.Dataset.make_initializable_iterator()` instead.")
        return self._initializer

    def make_initializer(self, dataset: Dataset, name: str | None = None) -> Operation:
        """An op that (re)starts this iterator on `dataset` in the session that runs it."""
        _refuse_nested(dataset)
        if dataset._dtypes != self._dtypes or flatten(dataset._template)[1] != flatten(self._template)[1]:
            raise TypeError(f"Expected output types {self.output_types} but got dataset with output types "
                            f"{dataset.output_types}.")
        for mine, theirs in zip(self._shapes, dataset._shapes):
            if mine is not None and theirs is not None and (len(mine) != len(theirs) or any(
                    a is not None and b is not None and a != b for a, b in zip(mine, theirs))):
                raise TypeError(f"Expected output shapes compatible with {self.output_shapes} but got dataset with "
                                f"output shapes {dataset.output_shapes}.")
        from ..variables import no_op
        op = no_op(name=name or "make_initializer")
        graph = get_default_graph()

        def start(session, feed_dict) -> None:
            stream = dataset._elements(_Context(session, feed_dict))
            with self._lock:
                self._streams[session] = stream
        register_action(graph._dfc_ir(), op._dfc_ir(), start)
        return op

    def get_next(self, name: str | None = None) -> Any:
        """The next element's tensors: each Session.run that needs them advances the iterator once."""
        with name_scope(name, "IteratorGetNext"):
            tensors = [placeholder_for(dtype, shape, f"component_{i}")
                       for i, (dtype, shape) in enumerate(zip(self._dtypes, self._shapes))]
        values = [t._dfc_ir() for t in graph_values(tensors)]
        if self._handle is None:
            register_source(self._graph._dfc_ir(), values, lambda session: arrays(self._pull(session)))
        else:
            register_source(self._graph._dfc_ir(), values,
                            lambda session, feed_dict: arrays(self._pull_by_handle(session, feed_dict)),
                            with_feeds=True)
        return pack(self._template, tensors)

    def _pull_by_handle(self, session, feed_dict) -> list:
        """The next element of the iterator this run's string handle names (TF's IteratorFromStringHandle)."""
        handle = session.run(self._handle, feed_dict)
        handle = handle.item() if hasattr(handle, "item") else handle
        target = self._graph.string_handles.get(handle if isinstance(handle, bytes) else str(handle).encode())
        if target is None:
            raise InvalidArgumentError(f"Could not parse string_handle as a valid ResourceHandle: {handle!r} (the "
                                       f"value of {self._handle.name}) is no iterator's string_handle()")
        if target._dtypes != self._dtypes:
            raise InvalidArgumentError(f"The iterator of string handle {handle!r} yields "
                                       f"{[t.name for t in target._dtypes]}, but the iterator from "
                                       f"{self._handle.name} expects {[t.name for t in self._dtypes]}")
        return target._pull(session)

    def _pull(self, session) -> list:
        with self._lock:
            stream = self._streams.get(session)
            if stream is None:
                if not self._one_shot:
                    raise FailedPreconditionError(
                        "GetNext() failed because the iterator has not been initialized. Ensure that you have run "
                        "the initializer operation for this iterator before getting the next element.")
                stream = self._streams[session] = self._dataset._elements(_Context(session, {}))
            try:
                return next(stream)
            except StopIteration:
                self._streams[session] = iter(())
                raise OutOfRangeError("End of sequence") from None


_HANDLE_NUMBERS = itertools.count()


def _refuse_nested(dataset: Dataset) -> None:
    if getattr(dataset, "components_are_datasets", False):
        raise TypeError(f"An iterator cannot yield datasets ({dataset!r}, made by Dataset.window): flat_map them "
                        f"into one dataset first, e.g. dataset.window(n).flat_map(lambda w: w.batch(n))")


def _refuse_placeholders(dataset: Dataset) -> None:
    """A one-shot iterator has no initializer to feed: TF refuses datasets that read placeholders."""
    from dfc.compiler.prune import needed_ops
    tensors = dataset._graph_tensors()
    if not tensors:
        return
    graph = get_default_graph()._dfc_ir()
    for op in needed_ops(graph, [t._dfc_ir() for t in graph_values(tensors)], [], set()):
        if op.type == "dfc.placeholder":
            name = op.name
            raise ValueError(f"Cannot capture a placeholder (name:{name}, type:Placeholder) by value: a one-shot "
                             f"iterator cannot be fed; use dataset.make_initializable_iterator() and feed the "
                             f"placeholder when running its initializer")


def make_one_shot_iterator(dataset: Dataset) -> Iterator:
    return dataset.make_one_shot_iterator()


def make_initializable_iterator(dataset: Dataset, shared_name=None) -> Iterator:
    return dataset.make_initializable_iterator(shared_name)


def get_output_types(dataset_or_iterator) -> Any:
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator) -> Any:
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator) -> Any:
    return dataset_or_iterator.output_classes
