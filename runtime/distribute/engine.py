"""Running partitioned steps: the client-side driver, the store facade, and the embedded (in-process) engine.

The driver (`DistributedExecutable`) is what a Session calls for one compiled step: it
submits every stage of the partition to the task that owns it, in stage order, passing
each stage handles to the values it receives; the engine moves the values (a thread hand-
off in the embedded engine, Ray's object store in the Ray engine) and starts a stage once
its inputs exist. Waiting is bounded by a deadline; a task that is gone is reported by name.

An engine offers: `put(array) -> handle`, `call(task, plan, stage, step_key, inputs, after,
n_outputs, stateful) -> result`, `output(result, i) -> handle`, `wait(results, fetches,
timeout) -> arrays`, and `store_call(task, method, *args)` for the variables of a task.
"""

from __future__ import annotations

import concurrent.futures as futures
import hashlib
import itertools
import os
import threading
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np

from dfc.compiler.partition import Partition, partition, task_key, variable_devices
from dfc.ir.errors import DeadlineExceededError, FailedPreconditionError
from dfc.ir.graph import Graph
from dfc.ir.printer import print_graph

from . import cluster as cluster_registry
from .cluster import ClusterSpec, task_name
from .task import TaskServer

#: seconds a step may wait for its tasks before DeadlineExceededError (DFC_STEP_TIMEOUT overrides)
STEP_TIMEOUT = float(os.environ.get("DFC_STEP_TIMEOUT", "300"))


class StepPlan:
    """One partitioned step as the tasks receive it: each task's stage texts, under a content hash."""

    def __init__(self, part: Partition):
        self.partition = part
        self.texts: dict[str, dict[int, str]] = {}
        for stage in part.stages:
            self.texts.setdefault(stage.part, {})[stage.index] = print_graph(stage.graph)
        digest = hashlib.sha256()
        for task in sorted(self.texts):
            for index, text in sorted(self.texts[task].items()):
                digest.update(f"{task}\0{index}\0{text}\0".encode())
        self.id = digest.hexdigest()


class DistributedExecutable:
    """A compiled step of a cluster session: called like any executable, it runs the stages on their tasks."""

    def __init__(self, step: Graph, cluster: Any, default_task: str, variables: dict[str, str | None],
                 client: str, counter: itertools.count, incarnations: dict[str, str] | None = None):
        self.step = step
        self.cluster = cluster
        part = partition(step, task_key(default_task), variables)
        for task in part.parts:
            cluster.check_task(task)
        self.plan = StepPlan(part)
        self._client = client
        self._counter = counter
        self._incarnations = incarnations or {}

    @property
    def tasks(self) -> list[str]:
        return list(self.plan.partition.parts)

    def __call__(self, args: Sequence[np.ndarray], ctx: Any = None) -> list[np.ndarray]:
        engine = self.cluster.engine
        part = self.plan.partition
        step_key = (self._client, next(self._counter))
        handles: dict[str, Any] = {key: engine.put(np.asarray(a)) for key, a in zip(part.feeds, args)}
        results = []
        for stage in part.stages:
            result = engine.call(stage.part, self.plan, stage.index, step_key, [handles[k] for k in stage.inputs],
                                 [results[i] for i in stage.after], len(stage.outputs), stage.stateful,
                                 self._incarnations.get(stage.part))
            results.append(result)
            for i, key in enumerate(stage.outputs):
                handles[key] = engine.output(result, i)
        tasks = [stage.part for stage in part.stages]
        return engine.wait(results, tasks, [handles[k] for k in part.fetches], STEP_TIMEOUT)


class ClusterStore:
    """A session's view of the variables on a cluster: each one read from and written to the task holding it.

    It offers what Saver and Variable.load use of a VariableStore; `buffer` returns a copy
    (the live buffer sits in the task's process).
    """

    def __init__(self, cluster: Any, graph: Graph, default_task: str):
        self._cluster = cluster
        self._graph = graph
        self._default = default_task
        self._homes: dict[str, str | None] = {}
        self._version = -1

    def _task(self, name: str) -> str:
        if self._version != self._graph.version:
            self._homes = variable_devices(self._graph)
            self._version = self._graph.version
        if name in self._homes:
            return task_key(self._default)(self._homes[name])
        for task in self._cluster.spec.task_names:
            if self._call(task, "is_initialized", name):
                return task
        return self._default

    def _call(self, task: str, method: str, *args: Any) -> Any:
        return self._cluster.engine.store_call(task, method, *args)

    def __contains__(self, name: str) -> bool:
        return self.is_initialized(name)

    def __iter__(self):
        return iter(self.snapshot())

    def __len__(self) -> int:
        return len(self.snapshot())

    def is_initialized(self, name: str) -> bool:
        return bool(self._call(self._task(name), "is_initialized", name))

    def buffer(self, name: str, op: Any = None) -> np.ndarray:
        return self.read(name, op)

    def read(self, name: str, op: Any = None) -> np.ndarray:
        task = self._task(name)
        if not self._call(task, "is_initialized", name):
            raise FailedPreconditionError(f"Attempting to use uninitialized value {name} (held by task {task}): run "
                                          f"its initializer first, e.g. sess.run(tf.global_variables_initializer())")
        return np.array(self._call(task, "read", name))

    def write(self, name: str, value: np.ndarray, op: Any = None) -> np.ndarray:
        value = np.asarray(value)
        self._call(self._task(name), "write", name, value)
        return value.copy()

    def snapshot(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for task in self._cluster.spec.task_names:
            out.update({k: np.array(v) for k, v in self._call(task, "snapshot").items()})
        return out

    def restore(self, values: dict[str, np.ndarray]) -> None:
        for name, value in values.items():
            self.write(name, value)

    def forget(self, name: str) -> None:
        self._call(self._task(name), "forget", name)


def new_client() -> tuple[str, itertools.count]:
    """A client id (unique across processes) and its step counter: the step keys of one session."""
    return uuid.uuid4().hex, itertools.count()


# ---- the embedded engine ----------------------------------------------------------------------------
class EmbeddedEngine:
    """Every task a thread of this process: stages run on their task's thread once their inputs exist."""

    def __init__(self, spec: ClusterSpec, backend: str | None = None, grow: bool = False):
        self.spec = spec
        self.backend = backend
        self.grow = grow  # a cluster implied by a graph's devices adds tasks it meets later
        self.servers: dict[str, TaskServer] = {}
        self._pools: dict[str, futures.ThreadPoolExecutor] = {}
        self._lock = threading.Lock()
        for task in spec.task_names:
            self._add(task)

    def _add(self, task: str) -> None:
        self.servers[task] = TaskServer(task, self.backend)
        self._pools[task] = futures.ThreadPoolExecutor(1, thread_name_prefix=f"dfc{task.replace('/', '_')}")

    def _pool(self, task: str) -> futures.ThreadPoolExecutor:
        with self._lock:
            if task not in self._pools:
                self._add(task)
            return self._pools[task]

    def put(self, array: np.ndarray) -> tuple[None, np.ndarray]:
        return (None, array)

    def output(self, result: futures.Future, index: int) -> tuple[futures.Future, int]:
        return (result, index)

    def call(self, task: str, plan: StepPlan, stage: int, step_key: tuple[str, int], inputs: list,
             after: list[futures.Future], n_outputs: int, stateful: bool, expect: str | None = None) -> futures.Future:
        result: futures.Future = futures.Future()
        pool = self._pool(task)
        pending = {f for f, _ in inputs if f is not None} | set(after)
        remaining = [len(pending)]
        lock = threading.Lock()

        def run() -> None:
            try:
                values = [v if f is None else f.result()[v] for f, v in inputs]
                result.set_result(self._run_stage(task, plan, stage, step_key, values, stateful, expect))
            except BaseException as e:  # noqa: BLE001 - the error belongs to whoever waits on the step
                result.set_exception(e)

        def ready(done: futures.Future) -> None:
            with lock:
                if result.done():
                    return
                if done.exception() is not None:  # a stage this one needs failed: so does this one, unrun
                    result.set_exception(done.exception())
                    return
                remaining[0] -= 1
                go = remaining[0] == 0
            if go:
                pool.submit(run)

        if not pending:
            pool.submit(run)
        for f in pending:
            f.add_done_callback(ready)
        return result

    def _run_stage(self, task: str, plan: StepPlan, stage: int, step_key: tuple[str, int], values: list,
                   stateful: bool, expect: str | None) -> list[np.ndarray]:
        """Run one stage on `task` once its inputs exist (on that task's thread)."""
        server = self.servers[task]
        if not server.has_plan(plan.id):
            server.load_plan(plan.id, plan.texts.get(task, {}))
        return server.run_stage(plan.id, stage, step_key, values, stateful)

    def wait(self, results: list[futures.Future], tasks: list[str], fetches: list, timeout: float) -> list[np.ndarray]:
        done, not_done = futures.wait(results, timeout=timeout)
        if not_done:
            late = sorted({t for r, t in zip(results, tasks) if r in not_done})
            raise DeadlineExceededError(f"the step did not finish in {timeout:g} s; still running on {', '.join(late)}")
        for r in results:
            if r.exception() is not None:
                raise r.exception()
        return [v if f is None else f.result()[v] for f, v in fetches]

    def store_call(self, task: str, method: str, *args: Any) -> Any:
        server = self.servers.get(task)
        if server is None:
            if method in ("is_initialized",):
                return False
            if method == "snapshot":
                return {}
            self._pool(task)
            server = self.servers[task]
        return self._pool(task).submit(server.store_call, method, *args).result(timeout=STEP_TIMEOUT)

    def shutdown(self) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)


class EmbeddedCluster:
    """A cluster whose tasks are threads of this process; its `target` is what tf.Session(target) takes."""

    def __init__(self, spec: ClusterSpec | dict, backend: str | None = None, *, implicit: bool = False):
        self.spec = ClusterSpec(spec)
        self.engine = EmbeddedEngine(self.spec, backend, grow=implicit)
        self.implicit = implicit
        self.stopped = threading.Event()
        self.target = "" if implicit else cluster_registry.register(self, "dfc")

    def default_task(self) -> str:
        return self.spec.default_task()

    def check_task(self, task: str) -> str:
        if self.implicit:
            return task
        return self.spec.check_task(task)

    def task_target(self, job: str, index: int) -> str:
        self.spec.check_task(task_name(job, index))
        return f"{self.target}/job:{job}/replica:0/task:{index}"

    def shutdown(self) -> None:
        cluster_registry.unregister(self.target)
        self.engine.shutdown()
        self.stopped.set()

    def __enter__(self) -> EmbeddedCluster:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        return f"<EmbeddedCluster {self.target or '(implicit)'} {self.spec.as_dict()}>"


_embedded_by_spec: dict[ClusterSpec, EmbeddedCluster] = {}
_embedded_lock = threading.Lock()


def embedded_cluster_for(spec: ClusterSpec) -> EmbeddedCluster:
    """The one embedded cluster of this process for `spec` (what tf.train.Server joins)."""
    with _embedded_lock:
        found = _embedded_by_spec.get(spec)
        if found is None or found.target not in cluster_registry._clusters:
            found = _embedded_by_spec[spec] = EmbeddedCluster(spec)
        return found
