"""The global step: TF1's training_util (get_global_step, create_global_step, get_or_create_global_step)."""

from __future__ import annotations

from dfc.ir.dtypes import i64

from .framework import Graph, get_default_graph, init_scope
from .variables import GLOBAL_VARIABLES, Variable, zeros_initializer

GLOBAL_STEP = "global_step"


def get_global_step(graph: Graph | None = None) -> Variable | None:
    """The graph's global step variable, or None."""
    graph = graph or get_default_graph()
    found = graph.collections.get(GLOBAL_STEP, [])
    if len(found) > 1:
        raise TypeError("There are multiple items in collection global_step; there should be only one.")
    named = found or [v for v in graph.collections.get(GLOBAL_VARIABLES, []) if v.op.name == "global_step"]
    if not named:
        return None
    assert_global_step(named[0])  # TF1: a float or non-scalar global step is a TypeError when asked for
    return named[0]


def create_global_step(graph: Graph | None = None) -> Variable:
    """A new int64 scalar variable `global_step` (non-trainable, starting at 0)."""
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), init_scope(graph):
        return Variable(lambda: zeros_initializer(i64)([], dtype=i64), trainable=False, name="global_step",
                        dtype=i64, collections=[GLOBAL_VARIABLES, GLOBAL_STEP])


def get_or_create_global_step(graph: Graph | None = None) -> Variable:
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    return step if step is not None else create_global_step(graph)


def global_step(sess, global_step_tensor) -> int:
    """The global step's value in `sess`, as a Python int."""
    return int(sess.run(global_step_tensor))


def assert_global_step(global_step_tensor) -> None:
    """TypeError unless `global_step_tensor` is an integer scalar variable or tensor (TF1's check)."""
    from .framework import Tensor
    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError(f"Existing \"global_step\" must be a Variable or Tensor: {global_step_tensor}.")
    if not global_step_tensor.dtype.is_integer:
        raise TypeError(f"Existing \"global_step\" does not have integer type: {global_step_tensor.dtype.name} "
                        f"({global_step_tensor.name})")
    shape = global_step_tensor.get_shape()
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError(f"Existing \"global_step\" is not scalar: {shape}")
