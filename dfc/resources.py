"""TF1's resource registry (tensorflow.python.ops.resources): what initialize_resources(shared_resources()) runs.

A resource here is the state behind an object that is not a tf.Variable (a tensor_forest tree): a handle
tensor that names it, the op that creates (initializes) it and a bool tensor saying whether it is initialized,
filed under the graph's "resources" collection (or "local_resources").
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from .array_ops import stack
from .conversion import constant
from .graph import add_to_collection, get_collection
from .math_ops import logical_not
from .scopes import name_scope
from .sorting_ops import boolean_mask
from .variables import group, no_op

RESOURCES = "resources"
LOCAL_RESOURCES = "local_resources"

_Resource = collections.namedtuple("_Resource", ["handle", "create", "is_initialized"])


def register_resource(handle: Any, create_op: Any, is_initialized_op: Any, is_shared: bool = True) -> None:
    """Files a resource under "resources" (shared) or "local_resources"."""
    add_to_collection(RESOURCES if is_shared else LOCAL_RESOURCES, _Resource(handle, create_op, is_initialized_op))


def shared_resources() -> list:
    """The resources shared between sessions (the "resources" collection)."""
    return get_collection(RESOURCES)


def local_resources() -> list:
    """The resources local to a session (the "local_resources" collection)."""
    return get_collection(LOCAL_RESOURCES)


def initialize_resources(resource_list, name: str = "init"):
    """One op that creates every resource of the list (a no-op for an empty one)."""
    resource_list = list(resource_list)
    if resource_list:
        return group(*[r.create for r in resource_list], name=name)
    return no_op(name=name)


def report_uninitialized_resources(resource_list=None, name: str | None = None):
    """The names of the resources of the list (shared and local ones by default) not initialized yet."""
    if resource_list is None:
        resource_list = shared_resources() + local_resources()
    with name_scope(name, "report_uninitialized_resources"):
        if not resource_list:
            return constant(np.array([], dtype=object))
        uninitialized = logical_not(stack([r.is_initialized for r in resource_list]))
        names = constant(np.array([r.handle.op.name.encode() for r in resource_list], dtype=object))
        return boolean_mask(names, uninitialized)


__all__ = ["register_resource", "shared_resources", "local_resources", "initialize_resources",
           "report_uninitialized_resources"]
