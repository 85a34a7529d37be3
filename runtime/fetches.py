"""Fetch and feed keys: the IR object behind each one, and the nested structure of a run's fetches."""

from __future__ import annotations

import collections
import functools
import reprlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dfc.ir.errors import InvalidArgumentError
from dfc.ir.graph import Graph, Op, Value


def as_ir(obj: Any, graph: Graph) -> Value | Op:
    """The IR object behind a fetch or feed key: a Value, an Op, a front-end handle or a name."""
    if isinstance(obj, (Value, Op)):
        return obj
    to_ir = getattr(obj, "_dfc_ir", None)
    if to_ir is not None:
        ir = to_ir()
        if isinstance(ir, (Value, Op)):
            return ir
        kind = type(obj).__name__  # a graph, a function: IR objects that are no tensor or op
        raise TypeError(f"Argument `fetch` = {reprlib.repr(obj)} has invalid type \"{kind}\" must be a string or "
                        f"Tensor. (Can not convert a {kind} into a Tensor or Operation.)")
    if isinstance(obj, bytes):  # TF takes a name as bytes too
        obj = obj.decode("utf-8", "replace")
    if isinstance(obj, str):
        name, colon, index = obj.partition(":")
        try:
            op = graph.op_by_name(name)
        except KeyError:
            op = _variable_read(graph, name)
            if op is None:
                what = f"The name '{obj}' refers to a Tensor which does not exist" if colon else \
                    f"The name '{obj}' refers to an Operation not in the graph"
                raise InvalidArgumentError(f"{what}. The operation, '{name}', does not exist in the graph.") from None
        if not colon:
            return op
        if not index.isdigit():
            raise InvalidArgumentError(f"The name '{obj}' looks like a Tensor name, but is not a valid one: Tensor "
                                       f"names have the form '<op_name>:<output_index>'", op)
        outputs = [r for r in op.results if not r.is_control]
        if int(index) >= len(outputs):
            raise InvalidArgumentError(f"The name '{obj}' refers to a Tensor which does not exist. The operation, "
                                       f"'{name}', exists but only has {len(outputs)} outputs (it is "
                                       f"{op.describe()})", op)
        return outputs[int(index)]
    kind = type(obj).__name__
    raise TypeError(f"Argument `fetch` = {reprlib.repr(obj)} has invalid type \"{kind}\" must be a string or Tensor. "
                    f"(Can not convert a {kind} into a Tensor or Operation.)")


def _variable_read(graph: Graph, name: str) -> Op | None:
    """TF1's `<variable>/read`, the identity every reference variable reads through: dfc's variable op itself."""
    if not name.endswith("/read"):
        return None
    try:
        op = graph.op_by_name(name[:-len("/read")])
    except KeyError:
        return None
    return op if op.type == "dfc.variable" else None


class FetchStructure:
    """The nested list/tuple/dict structure of `fetches`, flattened to IR leaves and rebuilt."""

    def __init__(self, fetches: Any, graph: Graph):
        self.leaves: list[Value | Op] = []
        self.template = self._flatten(fetches, graph)

    def _flatten(self, obj: Any, graph: Graph) -> Any:
        host_fetch = getattr(obj, "_dfc_host_fetch", None)
        if host_fetch is not None:
            inputs, compute = host_fetch()
            return _HostNode(compute, self._flatten(inputs, graph))
        if isinstance(obj, Mapping):
            if isinstance(obj, collections.defaultdict):  # rebuilt with its factory, as TF's fetch mapper does
                return (functools.partial(_defaultdict_like, type(obj), obj.default_factory),
                        [(k, self._flatten(v, graph)) for k, v in obj.items()])
            return (type(obj), [(k, self._flatten(v, graph)) for k, v in obj.items()])
        fields = getattr(type(obj), "__attrs_attrs__", None)
        if fields is not None and not hasattr(obj, "_dfc_ir"):  # an attrs class: TF fetches its fields
            return (_AttrsClass(type(obj)), [self._flatten(getattr(obj, f.name), graph) for f in fields])
        if isinstance(obj, (list, tuple)) and not hasattr(obj, "_dfc_ir"):
            kind = type(obj)
            return (kind, [self._flatten(v, graph) for v in obj])
        self.leaves.append(as_ir(obj, graph))
        return len(self.leaves) - 1

    def build(self, values: list) -> Any:
        return self._build(self.template, values)

    def _build(self, node: Any, values: list) -> Any:
        if isinstance(node, int):
            return values[node]
        if isinstance(node, _HostNode):
            return node.compute(self._build(node.inputs, values))
        kind, items = node
        if isinstance(kind, functools.partial):
            return kind({k: self._build(v, values) for k, v in items})
        if isinstance(kind, _AttrsClass):
            return kind.kind(*[self._build(v, values) for v in items])  # positionally, as TF's fetch mapper
        if issubclass(kind, Mapping):
            out = {k: self._build(v, values) for k, v in items}
            return out if kind is dict else kind(out)
        built = [self._build(v, values) for v in items]
        if kind is list or kind is tuple:
            return kind(built)
        return kind(*built) if hasattr(kind, "_fields") else kind(built)


class _AttrsClass:
    """An attrs class of a fetch structure, rebuilt from its fields' fetched values."""

    __slots__ = ("kind",)

    def __init__(self, kind: type):
        self.kind = kind


def _defaultdict_like(kind: type, factory: Any, items: dict) -> Any:
    out = kind(factory)
    out.update(items)
    return out


class _HostNode:
    """A fetch computed in Python from other fetches after the step (a summary's serialized proto).

    Objects with `_dfc_host_fetch() -> (inputs, compute)` are fetched this way: `inputs` (any
    fetch structure) run in the same step, then `compute(fetched inputs)` is the fetched value.
    """

    __slots__ = ("compute", "inputs")

    def __init__(self, compute: Callable[[Any], Any], inputs: Any):
        self.compute = compute
        self.inputs = inputs


def as_fetched(array: np.ndarray) -> np.ndarray | np.generic:
    """A fetched array as Session.run returns it: a numpy scalar for a 0-d array."""
    return array[()] if array.ndim == 0 else array
