"""Where a queue's (or accumulator's) state lives for a session: its container, and TF's checks of components.

TF keeps resources per session; in a cluster, per task, where every session of every process
reaches them (by shared_name). A plain session's resources live with it; sessions on an
embedded cluster (one process) share the cluster's; on a Ray cluster the task the resource's
op is placed on (else the first parameter server, else the cluster's first task, the same in
every process) keeps it and serves it (runtime/queue_state.py's RemoteResource).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np

from dfc.ir.errors import InvalidArgumentError
from dfc.runtime.queue_state import (POLL_SECONDS, AccumulatorState, QueueState, RemoteResource,  # noqa: F401
                                     cancel_waits_when, wait_on)

#: per container (a session, or the cluster its sessions share): resource key -> state
_CONTAINERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CONTAINERS_LOCK = threading.Lock()


def container_of(session: Any) -> Any:
    """What a session's resources live in: its cluster when it runs on one, else the session itself."""
    binding = getattr(session, "_cluster", None)
    return binding.cluster if binding is not None else session


def _owner(cluster: Any, device: str | None) -> str:
    """The task that keeps a resource placed on `device` (the same answer in every process of the cluster)."""
    from dfc.runtime.distribute.cluster import task_name

    from ..device_spec import parse_device
    fields = parse_device(device) if device else {}
    if "job" in fields:
        return cluster.check_task(task_name(fields["job"], int(fields.get("task", 0))))
    names = list(cluster.spec.task_names)
    parameter_servers = [t for t in names if "/job:ps/" in t]
    return (parameter_servers or names)[0]


def resource(session: Any, key: Any, kind: str, args: tuple, device: str | None = None) -> Any:
    """The resource `key` of the session's container, made as RESOURCE_KINDS[kind](*args) on first use."""
    from dfc.runtime.queue_state import RESOURCE_KINDS
    container = container_of(session)
    engine = getattr(container, "engine", None)
    if engine is not None and hasattr(engine, "resource_call"):  # a cluster of other processes: its task keeps it
        task = _owner(container, device)
        label = args[1] if kind == "accumulator" else f"{args[0]} '{args[1]}'"
        return RemoteResource(label, lambda method, *call_args: engine.resource_call(task, key, kind, args, method,
                                                                                     *call_args))
    with _CONTAINERS_LOCK:
        table = _CONTAINERS.get(container)
        if table is None:
            table = _CONTAINERS[container] = {}
        found = table.get(key)
        if found is None:
            found = table[key] = RESOURCE_KINDS[kind](*args)
        return found


def local_resource(session: Any, key: Any, make: Any) -> Any:
    """A resource of this process only (what one process's threads coordinate on), made by make()."""
    container = container_of(session)
    with _CONTAINERS_LOCK:
        table = _CONTAINERS.setdefault(container, {})
        if key not in table:
            table[key] = make()
        return table[key]


def check_component(label: str, index: int, array: np.ndarray, shape: Any, op_name: str) -> None:
    """TF's run-time check of an enqueued component against the queue's shape for it."""
    if shape is None or shape.ndims is None:
        return
    dims = shape.as_list()
    if array.ndim != len(dims) or any(d is not None and d != s for d, s in zip(dims, array.shape)):
        expected = "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"
        got = "[" + ",".join(str(s) for s in array.shape) + "]"
        raise InvalidArgumentError(f"Shape mismatch in tuple component {index}. Expected {expected}, got {got} "
                                   f"(enqueueing to {label}) [[node {op_name}]]")
