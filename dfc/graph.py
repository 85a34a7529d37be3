"""tf.Graph: the IR graph with TF1's front-end methods (as_default, lookups by name, collections)."""

from __future__ import annotations

import contextlib
from typing import Any
from collections.abc import Iterator

from dfc.ir import builder
from dfc.ir.graph import Graph as IRGraph

from .framework import Operation, Tensor, wrap, wrap_op


class Graph(IRGraph):
    """A dataflow graph; `with g.as_default():` makes new ops go to it."""

    @contextlib.contextmanager
    def as_default(self) -> Iterator[Graph]:
        with builder.as_default(self):
            yield self

    def get_operations(self) -> list[Operation]:  # type: ignore[override]
        return [wrap_op(op) for op in self.ops]

    def get_operation_by_name(self, name: str) -> Operation:
        return wrap_op(self.op_by_name(name))

    def get_tensor_by_name(self, name: str) -> Tensor:
        op_name, sep, index = name.rpartition(":")
        if not sep:
            raise ValueError(f"tensor names look like 'op:0', got '{name}'")
        op = self.op_by_name(op_name)
        try:
            return wrap(op.results[int(index)])
        except (IndexError, ValueError):
            raise KeyError(f"op '{op_name}' has no output {index}") from None

    def get_collection(self, key: str, scope: str | None = None) -> list[Any]:
        items = self.collections.get(key, [])
        return [x for x in items if scope is None or getattr(x, "name", "").startswith(scope)]

    def add_to_collection(self, key: str, value: Any) -> None:
        self.collections.setdefault(key, []).append(value)

    def finalize(self) -> None:
        self.finalized = True

    def as_graph_def(self, from_version: int | None = None, add_shapes: bool = False) -> Any:
        """This graph as TF's GraphDef proto (see dfc.graph_def); `_output_shapes` attrs with add_shapes."""
        from .graph_def import graph_to_graph_def
        return graph_to_graph_def(self, add_shapes=add_shapes)

    @property
    def graph_def_versions(self) -> int:
        return self.version


builder.set_graph_class(Graph)


class GraphKeys:
    """TF1's standard collection names (tf.GraphKeys), with TF's string values."""

    GLOBAL_VARIABLES = "variables"
    VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


def get_collection(key: str, scope: str | None = None) -> list[Any]:
    return builder.get_default_graph().get_collection(key, scope)


def add_to_collection(key: str, value: Any) -> None:
    builder.get_default_graph().add_to_collection(key, value)


def add_to_collections(names, value: Any) -> None:
    for key in [names] if isinstance(names, str) else names:
        add_to_collection(key, value)


def get_collection_ref(key: str) -> list[Any]:
    return builder.get_default_graph().collections.setdefault(key, [])
