"""The structure of tf.data elements: nesting and flattening components (tuples, namedtuples, dicts), the
output_types / output_shapes / output_classes a dataset or iterator reports, and the session context elements
are produced in."""

from __future__ import annotations

from typing import Any

import numpy as np

from dfc.ir.dtypes import DType

from ..framework import Tensor, TensorShape
from .sparse_components import SparseTensor, SparseTensorValue, as_value, is_sparse

__all__ = ["ElementStructure", "flatten", "pack"]


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

    def next_epoch(self, dataset: object) -> int:
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
        return pack(self._template, [SparseTensor if is_sparse(s) else Tensor for s in self._shapes])


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
