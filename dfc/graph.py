"""tf.Graph and the default-graph functions of TF1's module level (get_collection, add_to_collection)."""

from __future__ import annotations

from typing import Any

from .framework import Graph, get_default_graph, reset_default_graph

__all__ = ["Graph", "add_to_collection", "get_collection", "get_default_graph", "reset_default_graph"]


def get_collection(key: str, scope: str | None = None) -> list[Any]:
    return get_default_graph().get_collection(key, scope)


def add_to_collection(key: str, value: Any) -> None:
    get_default_graph().add_to_collection(key, value)
