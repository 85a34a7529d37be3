"""TaskServer: one task of a cluster, holding its variables and running the stages of steps placed on it.

A task receives each partitioned step once, as the IR text of its stages, and compiles each
stage with the usual pass pipeline and backend the first time it runs. Every call carries a
step key (client, step number); the outputs of a stage that touches state are remembered
under it, so a retried call (a worker restarted mid-step, a message delivered twice) returns
them again instead of applying the update a second time. Random ops count their draws per
client session, as TF's per-session kernels do.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from dfc.compiler.passes import PassManager
from dfc.compiler.pipeline import default_pipeline
from dfc.ir.errors import InvalidArgumentError, NotFoundError
from dfc.ir.graph import Graph, Op
from dfc.ir.parser import parse_graph

from .. import executors
from ..store import VariableStore

#: stage results kept per client for answering retries; a client never has more steps in flight than this
APPLIED_WINDOW = 64


class TaskContext:
    """What a stage reaches outside itself on its task: the task's variables and random counters."""

    def __init__(self, server: TaskServer):
        self.session = server  # the CPU backend binds the variable buffers of `session.store`
        self._server = server

    def feed(self, op: Op) -> np.ndarray:
        raise InvalidArgumentError(f"You must feed a value for placeholder {op.describe()}", op)

    def read_variable(self, name: str, op: Op) -> np.ndarray:
        return self._server.store.read(name, op)

    def write_variable(self, name: str, value: np.ndarray, op: Op) -> np.ndarray:
        return self._server.store.write(name, value, op)

    def random_step(self, op: Op) -> int:
        return self._server.next_random_step(op.name, self._server.current_client)


class TaskServer:
    """A task's variables, compiled stages and log of applied steps; calls must come one at a time."""

    def __init__(self, name: str, backend: str | None = None):
        self.name = name
        self.backend = backend or executors.DEFAULT_BACKEND
        self.store = VariableStore()
        self._plans: dict[str, dict[int, str]] = {}
        self._compiled: dict[tuple[str, int], Any] = {}
        self._applied: dict[str, OrderedDict] = {}
        self._random_steps: dict[tuple[str, str], int] = {}
        self.current_client = ""
        self._context = TaskContext(self)
        self._lock = threading.Lock()
        self.resources: dict[Any, Any] = {}  # queues and accumulators placed on this task, by resource key
        self.stages_run = 0
        self.retries_answered = 0

    # ---- steps ---------------------------------------------------------------------------------
    def has_plan(self, plan_id: str) -> bool:
        return plan_id in self._plans

    def load_plan(self, plan_id: str, stage_texts: dict[int, str]) -> None:
        """The IR text of this task's stages of one partitioned step, by stage index."""
        self._plans[plan_id] = dict(stage_texts)

    def run_stage(self, plan_id: str, stage: int, step_key: tuple[str, int], inputs: Sequence[np.ndarray],
                  stateful: bool = True) -> list[np.ndarray]:
        """Run one stage of step `step_key`; a stage with state that already ran for that step is not run again."""
        client, number = step_key
        log = self._applied.setdefault(client, OrderedDict())
        key = (number, plan_id, stage)
        if key in log:
            self.retries_answered += 1
            return log[key]
        executable = self._executable(plan_id, stage)
        self.current_client = client
        outputs = [np.asarray(o) for o in executable(list(inputs), self._context)]
        self.stages_run += 1
        if stateful:
            log[key] = outputs
            while len(log) > APPLIED_WINDOW:
                log.popitem(last=False)
        return outputs

    def _executable(self, plan_id: str, stage: int):
        found = self._compiled.get((plan_id, stage))
        if found is None:
            try:
                text = self._plans[plan_id][stage]
            except KeyError:
                raise NotFoundError(f"task {self.name} has no stage {stage} of step plan {plan_id[:12]}") from None
            found = executors.BACKENDS[self.backend](compile_stage(parse_graph(text, f"<{self.name} stage {stage}>")),
                                                     self)
            self._compiled[(plan_id, stage)] = found
        return found

    def next_random_step(self, op_name: str, client: str = "") -> int:
        """How many times `client`'s session ran random op `op_name` here: each session draws its own sequence,
        as a TF session's random kernels do, so a seeded graph draws the same numbers in every new session."""
        with self._lock:
            step = self._random_steps.get((client, op_name), 0)
            self._random_steps[(client, op_name)] = step + 1
        return step

    # ---- variables, for the client's store and checkpoints --------------------------------------
    def variables(self) -> list[str]:
        return list(self.store)

    def store_call(self, method: str, *args: Any) -> Any:
        if method not in ("is_initialized", "read", "write", "snapshot", "restore", "forget"):
            raise ValueError(f"unknown store method '{method}'")
        result = getattr(self.store, method)(*args)
        return None if method in ("write", "restore", "forget") else result

    # ---- queues and accumulators, for clients in other processes ---------------------------------
    def resource_call(self, key: Any, kind: str, args: tuple, method: str, *call_args: Any) -> Any:
        """`method` of the resource `key` (made as RESOURCE_KINDS[kind](*args) on first use); never waits: a
        client polls (runtime/queue_state.py)."""
        from ..queue_state import RESOURCE_KINDS, SERVED_METHODS
        if method not in SERVED_METHODS:
            raise ValueError(f"unknown resource method '{method}'")
        with self._lock:
            found = self.resources.get(key)
            if found is None:
                found = self.resources[key] = RESOURCE_KINDS[kind](*args)
        return getattr(found, method)(*call_args)

    def stats(self) -> dict[str, int]:
        return {"stages_run": self.stages_run, "retries_answered": self.retries_answered,
                "variables": len(self.store)}


def compile_stage(stage: Graph) -> Graph:
    """A stage step graph through the usual optimizing pipeline (its shapes are already concrete)."""
    return PassManager(default_pipeline()).run(stage)
