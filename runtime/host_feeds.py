"""Host-fed sources and host actions: graph values the Session fills on the host before a step runs.

An input pipeline (tf.data's iterators) produces its elements in Python, not in compiled code.
Its `get_next()` tensors are placeholders registered here as a *source* with a `pull(session)`
that returns the next element's arrays; its initializer is an op registered as an *action*
with a `run(session, feed_dict)`. When a Session.run needs a source (the fetches depend on it
and it is not fed), the Session pulls once from it for that run and feeds the arrays; when it
needs an action, the action runs first. Sources and actions are per graph; what they hold per
session (an iterator's position) is theirs to keep.
"""

from __future__ import annotations

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


class HostPlan:
    """The sources and actions one Session.run call needs, in the order it meets them."""

    def __init__(self, actions: list[Callable[[Any, Mapping], None]],
                 sources: list[tuple[tuple[Value, ...], Callable[..., Sequence[np.ndarray]], bool]]):
        self.actions, self.sources = actions, sources

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
    if work is None or not (work.sources or work.actions):
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
    plan = HostPlan(actions, sources) if actions or sources else None
    if len(work.plans) >= 256:
        work.plans.clear()
    work.plans[key] = plan
    return plan
