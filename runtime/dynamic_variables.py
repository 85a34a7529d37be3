"""Variables of unknown shape (TF1's `validate_shape=False`): their values enter a step as feeds, leave as fetches.

dfc compiles each step for known shapes, and such a variable's shape is whatever it holds now, so a
Session.run that touches one feeds its reads with what the store holds and fetches the values assigned to
it; the store takes the new values, of any shape, when the run has finished. When other ops use what such
an assignment returns, the run takes two steps: the values assigned first, then the fetches with the
assignments' results fed. As for every variable in dfc, reads in a step see the value the variable had
when the step began.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dfc.compiler.prune import needed_ops
from dfc.ir.errors import InvalidArgumentError, UnimplementedError
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.ops import get_op_def

_COMBINE = {"dfc.assign": None, "dfc.assign_add": np.add, "dfc.assign_sub": np.subtract}


class DynamicVariableRun:
    """How one call's fetches touch variables of unknown shape: the reads to feed and the writes to apply."""

    def __init__(self, graph: Graph, names: set[str], fetches: Sequence[Value], targets: Sequence[Op],
                 feeds: Sequence[Value]):
        fed = set(feeds)
        ops = needed_ops(graph, fetches, targets, fed)
        ordered = [op for op in graph.ops if op in ops]
        self.reads = [op.results[0] for op in ordered if op.type == "dfc.variable" and op.attrs["name"] in names]
        self.writes = [op for op in ordered
                       if get_op_def(op.type).writes_variable and op.attrs.get("variable") in names]
        for op in self.writes:
            if op.type not in _COMBINE:
                raise UnimplementedError(f"op {op.describe()} updates variable {op.attrs['variable']} of unknown "
                                         f"shape (validate_shape=False); only assign, assign_add and assign_sub can",
                                         op)
        if self.writes:
            values = [op.operands[0] for op in self.writes]
            first = needed_ops(graph, values, [], fed | set(self.reads))
            other = [op for op in first if get_op_def(op.type).writes_variable]
            if other:
                raise UnimplementedError(
                    f"the value op {self.writes[0].describe()} assigns to variable "
                    f"{self.writes[0].attrs['variable']} (validate_shape=False) depends on op {other[0].describe()}, "
                    f"which updates a variable in the same step: run them in separate Session.run calls", other[0])
        written = {op.results[0]: k for k, op in enumerate(self.writes)}
        self.fetches = list(fetches)
        self.targets = [op for op in targets if op.results[0] not in written] if written else list(targets)
        # one run, when nothing but the fetches themselves uses what the writes return: the values assigned and
        # the other fetches come from the same step, so random ops draw once for both
        self.fetch_plan = [("write", written[v]) if v in written else ("value", v) for v in self.fetches]
        self.run_fetches = [op.operands[0] for op in self.writes] + [v for v in self.fetches if v not in written]
        one = needed_ops(graph, self.run_fetches, self.targets, fed | set(self.reads))
        self.single = not any(op in one for op in self.writes)

    @staticmethod
    def of(graph: Graph, front_end: Any, fetches: Sequence[Value], targets: Sequence[Op],
           feeds: Sequence[Value]) -> DynamicVariableRun | None:
        """The plan for a call, or None when the graph has no variable of unknown shape or the call touches none."""
        names = getattr(front_end, "dynamic_variables", None)
        if not names:
            return None
        run = DynamicVariableRun(graph, names, fetches, targets, feeds)
        return run if run.reads or run.writes else None

    def run(self, session: Any, feeds: Sequence[Value], arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
        """The fetched arrays (in `fetches` order); the store holds the assigned values afterwards."""
        store = session.store
        feed_dict: dict[Value, Any] = dict(zip(feeds, arrays))
        for read in self.reads:
            feed_dict[read] = store.read(read.op.attrs["name"], read.op)
        if self.single:
            values = session.run(self.run_fetches + self.targets, feed_dict)
            assigned, rest = values[:len(self.writes)], values[len(self.writes):]
        else:  # first the values assigned, then the fetches with the assignments' results fed
            assigned = session.run([op.operands[0] for op in self.writes], feed_dict) if self.writes else []
        updated: dict[str, np.ndarray] = {}
        new_values = []
        for op, value in zip(self.writes, assigned):
            name = op.attrs["variable"]
            updated[name] = self._combined(op, updated.get(name), store, np.asarray(value))
            new_values.append(updated[name])
            feed_dict[op.results[0]] = updated[name]
        if not self.single:
            wanted = [v for kind, v in self.fetch_plan if kind == "value"]
            rest = session.run(wanted + self.targets, feed_dict) if wanted or self.targets else []
        rest = iter(rest)
        results = [new_values[ref] if kind == "write" else np.asarray(next(rest)) for kind, ref in self.fetch_plan]
        for name, value in updated.items():
            store.write(name, value)
        return results

    @staticmethod
    def _combined(op: Op, current: np.ndarray | None, store: Any, value: np.ndarray) -> np.ndarray:
        combine = _COMBINE[op.type]
        if combine is None:
            return value.copy()
        name = op.attrs["variable"]
        old = current if current is not None else store.read(name, op)
        if old.shape != value.shape:
            raise InvalidArgumentError(f"op {op.describe()} updates variable {name} of shape {list(old.shape)} with "
                                       f"a value of shape {list(value.shape)}", op)
        return combine(old, value).astype(old.dtype)

