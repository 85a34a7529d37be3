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


def name_scope(name: str | None, default_name: str | None = None,
               values=None) -> contextlib.AbstractContextManager[str]:
    """Prefix the names of ops made inside; yields the scope string ending in '/' (TF1 semantics)."""
    return scope_in(current_graph(values or []), name if name is not None else default_name)


@contextlib.contextmanager
def scope_in(graph: Graph, name: str | None) -> Iterator[str]:
    """`graph`'s name scope `name` (tf.Graph.name_scope): a new unique scope, or with a trailing '/' the
    absolute scope re-entered as is; None or '' resets to the top."""
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


def device(spec: str | None) -> contextlib.AbstractContextManager[None]:
    """Place ops made inside on `spec` (merged field by field with enclosing device scopes).

    `spec` may be a device function (op -> device string, e.g. tf.train.replica_device_setter),
    called with each op made inside, after the device strings of the scopes are applied.
    """
    return device_in(get_default_graph(), spec)


@contextlib.contextmanager
def device_in(graph: Graph, spec) -> Iterator[None]:
    """tf.Graph.device: `spec` (a device string, a DeviceSpec, a function or None) for ops made in `graph`."""
    if callable(spec):
        with _device_function(graph, spec):
            yield
        return
    if spec is not None and not isinstance(spec, str):
        spec = spec.to_string()  # a DeviceSpec
    outer = next((d for d in reversed(graph.device_stack) if d is not None), None)
    graph.device_stack.append(None if spec is None else merge_device(outer, spec))
    if spec is None:
        graph.device_stack[-1] = ""
    try:
        yield
    finally:
        graph.device_stack.pop()


@contextlib.contextmanager
def colocate_with_in(graph: Graph, op, ignore_existing: bool = False) -> Iterator[None]:
    """TF1's colocate_with: ops made inside go where `op` (an Operation, Tensor or Variable) is placed; the
    device scopes and device functions around are set aside meanwhile, as TF1 does. None with
    ignore_existing=True sets aside enclosing colocations only."""
    if op is None:
        if not ignore_existing:
            raise ValueError("Trying to reset colocation (op is None) but ignore_existing is not True")
        stack, graph.colocation_stack = graph.colocation_stack, []
        devices = graph.device_stack
        if stack:  # TF's: inside colocate_with the device scopes are set aside, and now the colocation too
            graph.device_stack = [""]
        try:
            yield
        finally:
            graph.colocation_stack, graph.device_stack = stack, devices
        return
    target = op
    for attribute in ("op", "_as_tensor"):  # a Variable or Tensor: its op
        if not isinstance(target, Operation) and hasattr(target, attribute):
            target = getattr(target, attribute)
            target = target() if callable(target) and attribute == "_as_tensor" else target
    if isinstance(target, Tensor):
        target = target.op
    if not isinstance(target, Operation):
        raise TypeError(f"colocate_with needs an Operation, Tensor or Variable, got {op!r}")
    devices, functions, stack = graph.device_stack, graph.device_functions, graph.colocation_stack
    graph.device_stack, graph.device_functions = [target.device or ""], []
    graph.colocation_stack = [*([] if ignore_existing else stack), target.name]
    try:
        yield
    finally:
        graph.device_stack, graph.device_functions, graph.colocation_stack = devices, functions, stack


def colocate_with(op, ignore_existing: bool = False) -> contextlib.AbstractContextManager[None]:
    """tf.colocate_with on the default graph."""
    return colocate_with_in(get_default_graph(), op, ignore_existing)


@contextlib.contextmanager
def _device_function(graph: Graph, choose) -> Iterator[None]:
    """Inside, every op made in `graph` takes the device `choose(op)` names (the innermost function last)."""
    graph.device_functions.append(choose)
    try:
        yield
    finally:
        graph.device_functions.pop()


def control_dependencies(control_inputs) -> contextlib.AbstractContextManager[None]:
    """Ops made inside run after `control_inputs` (ops or tensors); None clears enclosing ones."""
    return control_dependencies_in(get_default_graph(), control_inputs)


@contextlib.contextmanager
def control_dependencies_in(graph: Graph, control_inputs) -> Iterator[None]:
    """tf.Graph.control_dependencies: ops made in `graph` inside run after `control_inputs`."""
    if control_inputs is None:
        with without_control_dependencies(graph):
            yield
        return
    tokens = [control_token(c, graph) for c in control_inputs]
    graph.control_stack.append(tokens)
    try:
        yield
    finally:
        graph.control_stack.pop()


def control_token(item, waiting: Graph | None = None) -> Value:
    """A `!dfc.control` value that `item`'s op produces or a group made once to wait on it (in `waiting`, the
    graph whose ops will wait, when given)."""
    if hasattr(item, "_as_tensor"):
        item = item._as_tensor()
    given = item
    if isinstance(item, Tensor):
        item = item.op
    if not isinstance(item, Operation):
        raise TypeError(f"control inputs must be Operations or Tensors, got {item!r}")
    if waiting is not None and item.graph is not waiting:  # TF's Graph.control_dependencies -> as_graph_element
        raise ValueError(f"{type(given).__name__} {given!r} is not an element of this graph.")
    op = item._dfc_ir()
    if op.results and op.results[0].is_control:
        return op.results[0]
    graph = item.graph
    tokens = graph.collections.setdefault("__control_tokens", {})
    if op not in tokens:
        with init_scope(graph):  # the token belongs to the op, not to the scope it is first waited on in
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


# TF1's Graph methods: the scopes above on that graph (tf.name_scope and friends act on the default graph)
def _graph_name_scope(self: Graph, name: str | None):
    return scope_in(self, name)


def _graph_device(self: Graph, device_name_or_function):
    return device_in(self, device_name_or_function)


def _graph_control_dependencies(self: Graph, control_inputs):
    return control_dependencies_in(self, control_inputs)


def _graph_colocate_with(self: Graph, op, ignore_existing: bool = False):
    return colocate_with_in(self, op, ignore_existing)


Graph.name_scope = _graph_name_scope
Graph.device = _graph_device
Graph.control_dependencies = _graph_control_dependencies
Graph.colocate_with = _graph_colocate_with
