"""The Ray engine: each task of a cluster is a Ray actor running its stages; tensors move through the object store.

Stage calls are submitted by the client in stage order with ObjectRefs for the values they
receive, so Ray starts each one when its inputs exist and moves the data between actors
directly. Workers are restartable: killed, Ray restarts the actor and retries the call in
flight (the step plan travels by reference, so a fresh process can compile it again).
Parameter servers (job "ps") hold state that a restart loses, so a call in flight on a
dead one fails: the session raises UnavailableError naming the task, and a training loop
recovers by restoring its last checkpoint (see dfc.train.MonitoredTrainingSession).
Every wait has a deadline.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

import numpy as np

from dfc.ir.errors import AbortedError, DeadlineExceededError, DfcError, UnavailableError

from . import cluster as cluster_registry
from .cluster import ClusterSpec, task_name
from .engine import STEP_TIMEOUT, StepPlan
from .task import TaskServer

#: the jobs whose tasks hold state a restart would lose: a call in flight on one is not retried
STATEFUL_JOBS = ("ps",)


class TaskActor:
    """The body of one task's Ray actor (wrapped by ray.remote in `RayCluster`)."""

    def __init__(self, name: str, backend: str | None, plan_timeout: float):
        self.name = name
        self.server = TaskServer(name, backend)
        self.plan_timeout = plan_timeout
        self.incarnation = uuid.uuid4().hex  # a restarted actor is a new incarnation with no variables

    def ready(self) -> tuple[str, str]:
        import ray
        return ray.get_runtime_context().get_node_id(), self.incarnation

    def pid(self) -> int:
        return os.getpid()

    def run_stage(self, plan_id: str, plan_box: list, stage: int, step_key: tuple[str, int], n_after: int,
                  stateful: bool, n_outputs: int, expect: str | None, *inputs: Any) -> Any:
        if expect is not None and expect != self.incarnation:
            raise AbortedError(f"task {self.name} restarted since this session began: the variables it held are "
                               f"gone; make a new session and restore them (MonitoredTrainingSession does)")
        if not self.server.has_plan(plan_id):
            import ray
            texts = ray.get(plan_box[0], timeout=self.plan_timeout)  # a list keeps Ray from resolving it per call
            self.server.load_plan(plan_id, texts.get(self.name, {}))
        values = list(inputs[:len(inputs) - n_after])
        outputs = self.server.run_stage(plan_id, stage, step_key, values, stateful)
        return tuple(outputs) + (True,) if n_outputs else True

    def store_call(self, method: str, *args: Any) -> Any:
        return self.server.store_call(method, *args)

    def resource_call(self, key: Any, kind: str, args: tuple, method: str, *call_args: Any) -> Any:
        return self.server.resource_call(key, kind, args, method, *call_args)

    def stats(self) -> dict[str, int]:
        return self.server.stats()


def _job(task: str) -> str:
    return task.split("/")[1].split(":", 1)[1]


def _own_error(e: Exception) -> Exception:
    """dfc's error raised in a task (naming the op and its source line), without Ray's wrapping; else Ray's."""
    cause = getattr(e, "cause", None)
    return cause if isinstance(cause, DfcError) else e


def _actor_error(e: Exception, task: str) -> UnavailableError:
    return UnavailableError(f"task {task} is unavailable: its process died or its node left the cluster "
                            f"({type(e).__name__}); variables it held are lost until restored from a checkpoint")


class RayEngine:
    """Stage calls as Ray actor calls."""

    def __init__(self, actors: dict[str, Any], timeout: float):
        self.actors = actors
        self.timeout = timeout
        self._boxes: dict[str, list] = {}
        self._lock = threading.Lock()

    def put(self, array: np.ndarray) -> Any:
        import ray
        return ray.put(array) if array.nbytes > 64 * 1024 else array

    def output(self, result: list, index: int) -> Any:
        return result[index]

    def _box(self, plan: StepPlan) -> list:
        import ray
        with self._lock:
            box = self._boxes.get(plan.id)
            if box is None:
                box = self._boxes[plan.id] = [ray.put(plan.texts)]
            return box

    def call(self, task: str, plan: StepPlan, stage: int, step_key: tuple[str, int], inputs: list, after: list,
             n_outputs: int, stateful: bool, expect: str | None = None) -> list:
        done = [r[-1] for r in after]
        method = self.actors[task].run_stage.options(num_returns=n_outputs + 1)
        refs = method.remote(plan.id, self._box(plan), stage, step_key, len(done), stateful, n_outputs, expect,
                             *inputs, *done)
        return list(refs) if n_outputs else [refs]

    def wait(self, results: list[list], tasks: list[str], fetches: list, timeout: float) -> list[np.ndarray]:
        import ray
        deadline = time.monotonic() + min(timeout, self.timeout)
        try:
            ray.get([r[-1] for r in results], timeout=max(0.0, deadline - time.monotonic()))
        except ray.exceptions.RayTaskError as e:
            raise _own_error(e) from None
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
            for refs, task in zip(results, tasks):  # which task: the first stage, in step order, that failed
                self._get(refs[-1], task, deadline)
            raise
        refs = [f for f in fetches if isinstance(f, ray.ObjectRef)]
        got = iter(self._get(refs, "the client", deadline) if refs else [])
        return [np.asarray(next(got)) if isinstance(f, ray.ObjectRef) else f for f in fetches]

    def _get(self, refs: Any, task: str, deadline: float) -> Any:
        import ray
        left = max(0.0, deadline - time.monotonic())
        try:
            return ray.get(refs, timeout=left)
        except ray.exceptions.GetTimeoutError:
            raise DeadlineExceededError(f"the step did not finish in time; still waiting on task {task}") from None
        except ray.exceptions.RayActorError as e:
            raise _actor_error(e, task) from None
        except ray.exceptions.RayTaskError as e:
            raise _own_error(e) from None

    def store_call(self, task: str, method: str, *args: Any) -> Any:
        return self._get(self.actors[task].store_call.remote(method, *args), task, time.monotonic() + self.timeout)

    def resource_call(self, task: str, key: Any, kind: str, args: tuple, method: str, *call_args: Any) -> Any:
        """A queue's or accumulator's method on the task that keeps it (TaskServer.resource_call)."""
        return self._get(self.actors[task].resource_call.remote(key, kind, args, method, *call_args), task,
                         time.monotonic() + self.timeout)


class RayCluster:
    """A cluster of Ray actors, one per task; `target` is what tf.Session(target) takes.

    `address=None` starts a local Ray (or uses the one this process already joined);
    otherwise it joins the Ray cluster at `address`. `task_options` maps a job name (or a
    task name) to Ray actor options (`resources`, `num_cpus`, `scheduling_strategy`, ...),
    which is how tasks are pinned to machines. With `name`, the actors are detached and
    named, so a second driver process calling ray_cluster with the same name and spec finds
    the same tasks (and their variables).
    """

    def __init__(self, spec: ClusterSpec | Mapping, address: str | None = None, *, name: str | None = None,
                 namespace: str = "dfc", task_options: Mapping[str, Mapping[str, Any]] | None = None,
                 backend: str | None = None, timeout: float | None = None, init_options: Mapping | None = None):
        import ray
        self.spec = ClusterSpec(spec)
        self.timeout = STEP_TIMEOUT if timeout is None else float(timeout)
        self.started_ray = False
        if not ray.is_initialized():
            options = {"include_dashboard": False, "logging_level": "WARNING", "log_to_driver": False}
            options.update(init_options or {})
            ray.init(address=address or "local", namespace=namespace, **options)
            self.started_ray = True
        self.name = name or f"anon-{uuid.uuid4().hex[:8]}"
        remote = ray.remote(TaskActor)
        self.actors: dict[str, Any] = {}
        for task in self.spec.task_names:
            job = _job(task)
            options: dict[str, Any] = {"num_cpus": 0, "max_restarts": -1,
                                       "max_task_retries": 0 if job in STATEFUL_JOBS else -1,
                                       "name": f"dfc:{self.name}:{task}", "namespace": namespace}
            if name is not None:
                options.update(lifetime="detached", get_if_exists=True)
            for key in (job, task):
                options.update((task_options or {}).get(key, {}))
            self.actors[task] = remote.options(**options).remote(task, backend, self.timeout)
        self.engine = RayEngine(self.actors, self.timeout)
        self.nodes = {task: node for task, (node, _) in self._ready().items()}
        self.target = cluster_registry.register(self, "dfc+ray")

    def _ready(self) -> dict[str, tuple[str, str]]:
        """(node, incarnation) of every task, waiting for restarting ones."""
        deadline = time.monotonic() + self.timeout
        out = {}
        for task, actor in self.actors.items():
            while True:
                try:
                    out[task] = self.engine._get(actor.ready.remote(), task, deadline)
                    break
                except UnavailableError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        return out

    def incarnations(self) -> dict[str, str]:
        """What a new session expects of the stateful tasks: a restart in between aborts its steps."""
        ready = self._ready()
        return {task: inc for task, (_, inc) in ready.items() if _job(task) in STATEFUL_JOBS}

    def default_task(self) -> str:
        return self.spec.default_task()

    def check_task(self, task: str) -> str:
        return self.spec.check_task(task)

    def task_target(self, job: str, index: int) -> str:
        self.spec.check_task(task_name(job, index))
        return f"{self.target}/job:{job}/replica:0/task:{index}"

    def task_pid(self, task: str) -> int:
        task = self.spec.check_task(task)
        return self.engine._get(self.actors[task].pid.remote(), task, time.monotonic() + self.timeout)

    def kill_task(self, task: str) -> int:
        """SIGKILL the process of `task` (for fault drills); Ray restarts it. Returns the killed pid."""
        pid = self.task_pid(task)
        os.kill(pid, signal.SIGKILL)
        return pid

    def stats(self, task: str) -> dict[str, int]:
        task = self.spec.check_task(task)
        return self.engine._get(self.actors[task].stats.remote(), task, time.monotonic() + self.timeout)

    def shutdown(self) -> None:
        import ray
        cluster_registry.unregister(self.target)
        for actor in self.actors.values():
            try:
                ray.kill(actor, no_restart=True)
            except Exception:  # noqa: BLE001 - an actor already gone is what shutdown wants
                pass
        if self.started_ray:
            ray.shutdown()

    def __enter__(self) -> RayCluster:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        return f"<RayCluster {self.target} {self.spec.as_dict()}>"
