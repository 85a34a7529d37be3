"""The state a script sets around the ops it makes: name scopes, devices, control dependencies, the graph seed."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import numpy as np

from dfc.ir.graph import Value

from .device_spec import merge_device
from .graph_builder import Graph, Operation, Tensor, current_graph, get_default_graph, make_op

#: the graph seed of ops given only an op seed (TF1's DEFAULT_GRAPH_SEED)
DEFAULT_GRAPH_SEED = 87654321
_VALID_SCOPE = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


@contextlib.contextmanager
def name_scope(name: str | None, default_name: str | None = None, values=None) -> Iterator[str]:
    """Prefix the names of ops made inside; yields the scope string ending in '/' (TF1 semantics)."""
    graph = current_graph(values or [])
    name = name if name is not None else default_name
    if name is None or name == "":
        graph.name_scope_stack.append("")
        try:
            yield ""
        finally:
            graph.name_scope_stack.pop()
        return
    if not _VALID_SCOPE.match(name):
        raise ValueError(f"'{name}' is not a valid scope name")
    if name.endswith("/"):
        full = name[:-1]  # an absolute scope, re-entered as is
    else:
        full = graph.unique_name(name)
    graph.name_scope_stack.append(full)
    try:
        yield full + "/"
    finally:
        graph.name_scope_stack.pop()


@contextlib.contextmanager
def device(spec: str | None) -> Iterator[None]:
    """Place ops made inside on `spec` (merged field by field with enclosing device scopes).

    `spec` may be a device function (op -> device string, e.g. tf.train.replica_device_setter),
    called with each op made inside, after the device strings of the scopes are applied.
    """
    graph = get_default_graph()
    if callable(spec):
        with _device_function(graph, spec):
            yield
        return
    outer = next((d for d in reversed(graph.device_stack) if d is not None), None)
    graph.device_stack.append(None if spec is None else merge_device(outer, spec))
    if spec is None:
        graph.device_stack[-1] = ""
    try:
        yield
    finally:
        graph.device_stack.pop()


@contextlib.contextmanager
def _device_function(graph: Graph, choose) -> Iterator[None]:
    """Inside, every op made in `graph` takes the device `choose(op)` names (the innermost function last)."""
    graph.device_functions.append(choose)
    try:
        yield
    finally:
        graph.device_functions.pop()


@contextlib.contextmanager
def control_dependencies(control_inputs) -> Iterator[None]:
    """Ops made inside run after `control_inputs` (ops or tensors); None clears enclosing ones."""
    graph = get_default_graph()
    if control_inputs is None:
        with without_control_dependencies(graph):
            yield
        return
    tokens = [control_token(c) for c in control_inputs]
    graph.control_stack.append(tokens)
    try:
        yield
    finally:
        graph.control_stack.pop()


def control_token(item) -> Value:
    """A `!dfc.control` value that `item`'s op produces or a group made once to wait on it."""
    if hasattr(item, "_as_tensor"):
        item = item._as_tensor()
    if isinstance(item, Tensor):
        item = item.op
    if not isinstance(item, Operation):
        raise TypeError(f"control inputs must be Operations or Tensors, got {item!r}")
    op = item._dfc_ir()
    if op.results and op.results[0].is_control:
        return op.results[0]
    graph = item.graph
    tokens = graph.collections.setdefault("__control_tokens", {})
    if op not in tokens:
        with without_control_dependencies(graph):
            tokens[op] = make_op("dfc.group", [op.results[0]], name=f"{op.name}/done", graph=graph).results[0]
    return tokens[op]


@contextlib.contextmanager
def init_scope(graph: Graph) -> Iterator[None]:
    """TF's init_scope: no name scope and no control dependencies (slots and steps belong to no step)."""
    names, controls = graph.name_scope_stack, graph.control_stack
    graph.name_scope_stack, graph.control_stack = [], []
    try:
        yield
    finally:
        graph.name_scope_stack, graph.control_stack = names, controls


@contextlib.contextmanager
def without_control_dependencies(graph: Graph) -> Iterator[None]:
    saved, graph.control_stack = graph.control_stack, []
    try:
        yield
    finally:
        graph.control_stack = saved


def set_random_seed(seed: int | None) -> None:
    """The graph-level seed; None clears it (TF1: ops without their own seed draw differently each time)."""
    get_default_graph().seed = None if seed is None else int(seed)


def get_seed(op_seed: int | None) -> tuple[int, int]:
    """TF1's (graph seed, op seed) rule: deterministic when either is set."""
    graph = get_default_graph()
    if graph.seed is not None:
        return graph.seed, (len(graph.ops) if op_seed is None else int(op_seed))
    if op_seed is not None:
        return DEFAULT_GRAPH_SEED, int(op_seed)
    seed, seed2 = np.random.SeedSequence().generate_state(2)
    return int(seed), int(seed2)
