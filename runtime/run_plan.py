"""Run plans: what Session.run derives from one call's fetches and feed keys, kept for identical calls."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from dfc.compiler.specialize import ShapeValuesNeeded
from dfc.ir import builder
from dfc.ir.errors import InvalidArgumentError
from dfc.ir.graph import Op, Value
from dfc.ir.ops.image_codecs import CODEC_OPS

from .dynamic_variables import DynamicVariableRun
from .feeds import feed_checker, feed_target
from .fetches import FetchStructure, as_fetched
from .host_feeds import host_plan

if TYPE_CHECKING:
    from .session import Session


def plan_key(fetches: Any, feed_dict: Mapping, version: int) -> tuple | None:
    """A key for the plan cache, or None when the fetches are too nested to key cheaply.

    Keys use object ids; the plan holds the objects themselves, so an id cannot be
    reused by another object while its plan is cached.
    """
    kind = type(fetches)
    if kind in _LEAF_TYPES:  # one tensor or op: the commonest fetch, keyed without the isinstance checks
        return version, id(fetches), *map(id, feed_dict)
    if isinstance(fetches, (list, tuple)):
        if any(isinstance(f, (list, tuple, Mapping)) for f in fetches):
            return None
        fetch_key = (kind, *map(id, fetches))
    elif isinstance(fetches, Mapping):
        return None
    else:
        _LEAF_TYPES.add(kind)
        fetch_key = id(fetches)
    return version, fetch_key, *map(id, feed_dict)


#: fetch types seen to be neither sequences nor mappings (tensor and op handles)
_LEAF_TYPES: set[type] = set()


class RunPlan:
    """Everything Session.run derives from one call's fetches and feed keys, kept for identical calls."""

    def __init__(self, session: Session, fetches: Any, feed_dict: Mapping):
        graph = session.ir_graph
        self.anchors = (fetches, list(feed_dict))  # keeps the keyed objects (and so their ids) alive
        self.structure = FetchStructure(fetches, graph)
        self.fetch_values: list[Value] = []
        self.targets: list[Op] = []
        for leaf in self.structure.leaves:
            if builder.graph_of(leaf) is not graph:
                raise ValueError(f"Fetch argument {leaf.describe()} is not an element of this session's graph.")
            if (leaf.op if isinstance(leaf, Value) else leaf) in graph.unfetchable:
                op = leaf.op if isinstance(leaf, Value) else leaf
                raise ValueError(f"Operation {op.name} has been marked as not fetchable ({op.describe()}).")
            if isinstance(leaf, Value) and not leaf.is_control:
                if leaf not in self.fetch_values:
                    self.fetch_values.append(leaf)
            else:
                self.targets.append(leaf.op if isinstance(leaf, Value) else leaf)
        self.feed_values = [feed_target(key, graph) for key in feed_dict]
        self.feed_checks = [feed_checker(v) for v in self.feed_values]
        self.one_feed = self.feed_checks[0] if len(self.feed_checks) == 1 else None
        position = {v: i for i, v in enumerate(self.fetch_values)}
        self.slots = [position[leaf] if isinstance(leaf, Value) and not leaf.is_control else None
                      for leaf in self.structure.leaves]
        self.single = len(self.slots) == 1 and isinstance(self.structure.template, int)
        self.single_slot = self.slots[0] if self.single else None
        self.executables: dict[tuple, weakref.ref] = {}  # feed shapes -> the session's compiled step
        #: values whose arrays decide shapes in the step (a range's bound, a mask's count of true entries): the
        #: ones not fed are computed by a run of their own first; value_args index them in feeds + probe_values
        self.probe_values: list[Value] = []
        self.value_args: tuple[int, ...] = ()
        #: how many steps were compiled for values of value_args; past _VALUES_TO_SPECIALIZE, values_vary: the
        #: session compiles one step in which the value-dependent ops run on the host, whatever the values
        self.value_compiles = 0
        self.values_vary = False
        self.dynamic_refused = False  # no step for every value could be built: the plan compiles per value
        self.host = host_plan(graph, self.fetch_values, self.targets, self.feed_values)
        #: the sinks (queues' enqueues) the step feeds: (their values' positions among the fetches, push)
        self.sinks: list[tuple[list[int], Callable]] = []
        for values, push in (self.host.sinks if self.host is not None else ()):
            for v in values:
                if v not in self.fetch_values:
                    self.fetch_values.append(v)
            self.sinks.append(([self.fetch_values.index(v) for v in values], push))
        self.dynamic = DynamicVariableRun.of(graph, session.graph, self.fetch_values, self.targets, self.feed_values)

    def learn(self, session: Session, need: ShapeValuesNeeded) -> None:
        """Note the values a compile found its shapes depend on; raise `need` when they cannot be computed
        apart (they are made by ops that draw random numbers or change state: a second run would differ)."""
        added = False
        for value in need.values:
            if value.op is None:  # a step argument: a fed tensor or a value probed already
                index = value.index
                if index >= len(self.feed_values) + len(self.probe_values) or index in self.value_args:
                    raise need
                self.value_args = (*self.value_args, index)
                added = True
                continue
            try:
                source = session.ir_graph.op_by_name(value.op.name).results[value.index]
            except (KeyError, IndexError):
                raise need from None
            if source in self.probe_values:
                if self.probe_values.index(source) + len(self.feed_values) in self.value_args:
                    raise need
            else:
                self._split_ahead(session, source, need)
                self.probe_values.append(source)
            self.value_args = (*self.value_args, len(self.feed_values) + self.probe_values.index(source))
            added = True
        if not added:
            raise need

    def _split_ahead(self, session: Session, source: Value, need: ShapeValuesNeeded) -> None:
        """Make the probe run compute, along with `source`, the results of the ops in its cone that draw random
        numbers or change state, and feed them to the step: the step then uses the draws and writes the probe
        made (as TF, which runs each op once per step) instead of making its own. Raises `need`'s error when the
        step would still run such an op again (a control dependency on it)."""
        from dfc.compiler.prune import needed_ops

        fed = set(self.feed_values) | set(self.probe_values)
        once = [op for op in needed_ops(session.ir_graph, [source], [], fed) if not _repeatable(op)]
        if not once:
            return
        split = [v for op in once for v in op.results if not v.is_control and v not in self.probe_values]
        fed |= set(split) | {source}
        rerun = needed_ops(session.ir_graph, self.fetch_values, self.targets, fed) & set(once)
        if rerun:
            op = min(rerun, key=lambda o: o.name)
            raise InvalidArgumentError(
                f"{need.message}; its value comes from {op.describe()}, which draws random numbers or changes "
                f"state, and the step also runs that op through a control dependency, so it cannot be computed "
                f"ahead of the step", need.op) from None
        self.probe_values.extend(split)

    def compiled_for_values(self, keep_dynamic: bool) -> None:
        """Count a step compiled for this plan's value_args (a mask's count, a fed bound): a plan whose values
        keep changing compiles once more, without them (RunPlan.values_vary), instead of once per value."""
        if self.value_args and not keep_dynamic:
            self.value_compiles += 1
            self.values_vary = not self.dynamic_refused and self.value_compiles >= _VALUES_TO_SPECIALIZE

    def pushed(self, session: Session, results: list[np.ndarray]) -> list[np.ndarray]:
        """Hand each sink its values of `results` (in the order the sinks were met); returns `results`."""
        for slots, push in self.sinks:
            push(session, [results[i] for i in slots])
        return results

    def outputs(self, results: list[np.ndarray]) -> Any:
        if self.single_slot is not None:  # one tensor fetched: the commonest call, kept short
            result = results[self.single_slot]
            return result[()] if result.ndim == 0 else result
        values = [None if slot is None else as_fetched(results[slot]) for slot in self.slots]
        return values[0] if self.single else self.structure.build(values)


#: the values a plan's steps are compiled for before it compiles one step for all values (host-run dynamic ops)
_VALUES_TO_SPECIALIZE = 4

_REPEATABLE = ("dfc.placeholder", "dfc.variable", "dfc.assert", "dfc.check_numerics", "dfc.read_file",
               *CODEC_OPS)  # the image codecs take their op only to name it in errors


def _repeatable(op) -> bool:
    """Whether running op ahead of the step gives what the step will compute: no random draws, no writes; a
    tf.cond or tf.while_loop (a decoding loop whose trip count sizes its outputs) when every op inside is."""
    from dfc.ir.ops import get_op_def

    if op.regions:
        return all(inner.regions or _repeatable(inner) for region in op.regions for inner in region.walk())
    opdef = get_op_def(op.type)
    return not (opdef.stateful or opdef.uses_context) or op.type in _REPEATABLE
