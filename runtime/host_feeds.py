"""Host-fed sources and host actions: graph values the Session fills on the host before a step runs.

An input pipeline (tf.data's iterators) produces its elements in Python, not in compiled code.
Its `get_next()` tensors are placeholders registered here as a *source* with a `pull(session)`
that returns the next element's arrays; its initializer is an op registered as an *action*
with a `run(session, feed_dict)`. When a Session.run needs a source (the fetches depend on it
and it is not fed), the Session pulls once from it for that run and feeds the arrays; when it
needs an action, the action runs first. A *sink* (a queue's enqueue op) is an op whose operands
the step computes and hands to `push(session, arrays)` after it ran: the Session fetches them
along with the call's own fetches. Sources, actions and sinks are per graph; what they hold per
session (an iterator's position, a queue's elements) is theirs to keep.

Host work may wait (a dequeue from an empty queue); `run_deadline()` is when the current
Session.run must give up (RunOptions.timeout_in_ms), or None.
"""

from __future__ import annotations

import contextvars
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dfc.ir.graph import Graph, Op, Value


@dataclass
class _HostWork:
    sources: dict[Op, tuple[tuple[Value, ...], Callable[..., Sequence[np.ndarray]], bool]] = field(default_factory=dict)
    actions: dict[Op, Callable[[Any, Mapping], None]] = field(default_factory=dict)
    sinks: dict[Op, tuple[tuple[Value, ...], Callable[[Any, list[np.ndarray]], None]]] = field(default_factory=dict)
    #: (graph version, fetches, targets, feeds) -> the plan: calls whose fetches Session.run cannot key
    #: (nested structures, MonitoredSession's) would otherwise walk the graph on every run
    plans: dict[tuple, HostPlan | None] = field(default_factory=dict)


_REGISTRY: weakref.WeakKeyDictionary[Graph, _HostWork] = weakref.WeakKeyDictionary()


def register_source(graph: Graph, values: Sequence[Value], pull: Callable[..., Sequence[np.ndarray]],
                    with_feeds: bool = False) -> None:
    """`values` (results of placeholder ops) are filled together by `pull(session)`, once per run needing any.

    `with_feeds`: `pull(session, feed_dict)` computes them from graph values (tf.py_func runs its inputs with
    the run's feeds, those of the sources pulled before it included); such sources are pulled after the others,
    in the order they were registered (a py_func after those it reads).
    """
    work = _REGISTRY.setdefault(graph, _HostWork())
    entry = (tuple(values), pull, with_feeds)
    for v in values:
        work.sources[v.op] = entry


def register_action(graph: Graph, op: Op, run: Callable[[Any, Mapping], None]) -> None:
    """`run(session, feed_dict)` happens before each step that needs `op`."""
    _REGISTRY.setdefault(graph, _HostWork()).actions[op] = run


def register_sink(graph: Graph, op: Op, values: Sequence[Value], push: Callable[[Any, list[np.ndarray]], None]) -> None:
    """After each step that needs `op`, `push(session, arrays of values)` (the step computes `values` too)."""
    _REGISTRY.setdefault(graph, _HostWork()).sinks[op] = (tuple(values), push)


#: the monotonic time by which the current Session.run must end (its RunOptions.timeout_in_ms), else None
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("dfc_run_deadline", default=None)


def run_deadline() -> float | None:
    """When the Session.run in progress in this thread must give up waiting (time.monotonic()), or None."""
    return _DEADLINE.get()


def set_run_deadline(deadline: float | None) -> contextvars.Token:
    return _DEADLINE.set(deadline)


def reset_run_deadline(token: contextvars.Token) -> None:
    _DEADLINE.reset(token)


class HostPlan:
    """The sources, actions and sinks one Session.run call needs, in the order it meets them."""

    def __init__(self, actions: list[Callable[[Any, Mapping], None]],
                 sources: list[tuple[tuple[Value, ...], Callable[..., Sequence[np.ndarray]], bool]],
                 sinks: list[tuple[tuple[Value, ...], Callable[[Any, list[np.ndarray]], None]]] | None = None):
        self.actions, self.sources, self.sinks = actions, sources, sinks or []

    def fill(self, session: Any, feed_dict: Mapping) -> dict:
        """Run the actions, pull each source once, and return feed_dict with the pulled arrays added."""
        for action in self.actions:
            action(session, feed_dict)
        filled = dict(feed_dict)
        for values, pull, with_feeds in sorted(self.sources, key=lambda entry: entry[2]):
            if with_feeds and all(v in filled for v in values):
                continue
            for value, array in zip(values, pull(session, filled) if with_feeds else pull(session)):
                filled[value] = array
        return filled


def host_plan(graph: Graph, fetches: Sequence[Value], targets: Sequence[Op], fed: Sequence[Value]) -> HostPlan | None:
    """What of `graph`'s host work a call with these fetches, targets and feeds needs; None when nothing."""
    work = _REGISTRY.get(graph)
    if work is None or not (work.sources or work.actions or work.sinks):
        return None
    key = (graph.version, tuple(map(id, fetches)), tuple(map(id, targets)), frozenset(map(id, fed)))
    if key in work.plans:
        return work.plans[key]
    from dfc.compiler.prune import needed_ops
    needed = needed_ops(graph, list(fetches), list(targets), set(fed))
    actions = [run for op, run in work.actions.items() if op in needed]
    sources, seen = [], set()
    for op, entry in work.sources.items():
        if op in needed and id(entry) not in seen:
            seen.add(id(entry))
            sources.append(entry)
    sinks = [entry for op, entry in work.sinks.items() if op in needed]
    plan = HostPlan(actions, sources, sinks) if actions or sources or sinks else None
    if len(work.plans) >= 256:
        work.plans.clear()
    work.plans[key] = plan
    return plan
