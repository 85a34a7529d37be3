"""tf.Graph and the default-graph functions of TF1's module level (get_collection, add_to_collection)."""

from __future__ import annotations

from typing import Any

from .framework import Graph, get_default_graph, reset_default_graph

__all__ = ["Graph", "GraphKeys", "add_to_collection", "add_to_collections", "get_collection", "get_collection_ref",
           "get_default_graph", "reset_default_graph"]


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
    return get_default_graph().get_collection(key, scope)


def add_to_collection(key: str, value: Any) -> None:
    get_default_graph().add_to_collection(key, value)


def add_to_collections(names, value: Any) -> None:
    for key in [names] if isinstance(names, str) else names:
        add_to_collection(key, value)


def get_collection_ref(key: str) -> list[Any]:
    return get_default_graph().collections.setdefault(key, [])
