"""ClusterSpec (jobs and their tasks) and the registry that turns a session target string into a running cluster."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from dfc.compiler.partition import DeviceSpec
from dfc.ir.errors import InvalidArgumentError, NotFoundError


class ClusterSpec:
    """TF's tf.train.ClusterSpec: job name -> its tasks, given as a list of addresses, {index: address} or a count.

    Addresses matter only to engines that place tasks by machine; a count (`{"worker": 4}`)
    names tasks without addresses. Task names are `/job:NAME/replica:0/task:K`.
    """

    def __init__(self, cluster: Mapping[str, Any] | ClusterSpec):
        if isinstance(cluster, ClusterSpec):
            cluster = cluster.as_dict()
        elif hasattr(cluster, "job") and not isinstance(cluster, Mapping):  # a ClusterDef protocol buffer
            # an empty address (what as_cluster_def writes for a task count) is a task without one
            cluster = {job.name: {i: a or None for i, a in job.tasks.items()} for job in cluster.job}
        if not isinstance(cluster, Mapping):
            raise TypeError(f"`cluster` must be a dictionary mapping one or more job names to lists of network "
                            f"addresses, or a `ClusterDef` protocol buffer (dfc also takes a task count per job), "
                            f"got {cluster!r}")
        self._jobs: dict[str, dict[int, str | None]] = {}
        for job, tasks in cluster.items():
            if not isinstance(job, str) or not job or "/" in job or ":" in job:
                raise ValueError(f"job names are non-empty strings without '/' or ':', got {job!r}")
            if isinstance(tasks, bool):
                raise TypeError(f"The tasks for job '{job}' must be a list or a dictionary from integers to strings "
                                f"(or, in dfc, a task count), got {tasks!r}")
            if isinstance(tasks, int):
                if tasks < 1:
                    raise ValueError(f"job '{job}' must have at least one task, got {tasks}")
                entries = {i: None for i in range(tasks)}
            elif isinstance(tasks, Mapping):
                entries = {int(i): (None if a is None else str(a)) for i, a in tasks.items()}
            elif isinstance(tasks, (list, tuple)):
                entries = {i: str(a) for i, a in enumerate(tasks)}
            else:
                raise TypeError(f"The tasks for job '{job}' must be a list or a dictionary from integers to strings "
                                f"(or, in dfc, a task count), got {tasks!r}")
            if not entries:
                raise ValueError(f"job '{job}' has no tasks")
            self._jobs[job] = dict(sorted(entries.items()))

    @property
    def jobs(self) -> list[str]:
        return list(self._jobs)

    def num_tasks(self, job_name: str) -> int:
        return len(self._job(job_name))

    def task_indices(self, job_name: str) -> list[int]:
        return list(self._job(job_name))

    def task_address(self, job_name: str, task_index: int) -> str | None:
        tasks = self._job(job_name)
        if task_index not in tasks:
            raise ValueError(f"No task with index {task_index} in job '{job_name}' (it has {sorted(tasks)})")
        return tasks[task_index]

    def job_tasks(self, job_name: str) -> list[str | None]:
        """The job's addresses by task index, as TF's: None at the indices a sparse job ({1: a, 3: b}) leaves out."""
        tasks = self._job(job_name)
        return [tasks.get(i) for i in range(max(tasks) + 1)]

    def as_cluster_def(self) -> Any:
        """TF's ClusterDef protocol buffer of this spec (a job of task counts has empty addresses)."""
        from tensorboard.compat.proto.cluster_pb2 import ClusterDef
        proto = ClusterDef()
        for job, tasks in self._jobs.items():
            entry = proto.job.add(name=job)
            for index, address in tasks.items():
                entry.tasks[index] = address or ""
        return proto

    def __bool__(self) -> bool:
        return bool(self._jobs)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for job, tasks in self._jobs.items():
            if all(a is None for a in tasks.values()) and list(tasks) == list(range(len(tasks))):
                out[job] = len(tasks)
            elif list(tasks) == list(range(len(tasks))):
                out[job] = list(tasks.values())
            else:
                out[job] = dict(tasks)
        return out

    @property
    def task_names(self) -> list[str]:
        """Every task, `/job:NAME/replica:0/task:K`, jobs in the order given."""
        return [task_name(job, i) for job, tasks in self._jobs.items() for i in tasks]

    def default_task(self) -> str:
        """Where ops that name no job run: the chief, else worker 0, else the first task."""
        for job in ("chief", "master", "worker"):
            if job in self._jobs:
                return task_name(job, next(iter(self._jobs[job])))
        return self.task_names[0]

    def check_task(self, name: str) -> str:
        """The canonical name of a task of this cluster; one outside it is an error listing the jobs."""
        spec = DeviceSpec.parse(name)
        if spec.job not in self._jobs or (spec.task or 0) not in self._jobs[spec.job]:
            known = ", ".join(f"{j}: {len(t)} task{'s' if len(t) != 1 else ''}" for j, t in self._jobs.items())
            raise InvalidArgumentError(f"no task {spec.task_name} in the cluster (it has {known})")
        return spec.task_name

    def _job(self, job_name: str) -> dict[int, str | None]:
        try:
            return self._jobs[job_name]
        except KeyError:
            raise ValueError(f"No such job in cluster: '{job_name}' (jobs: {', '.join(self._jobs)})") from None

    def __eq__(self, other) -> bool:
        return isinstance(other, ClusterSpec) and other._jobs == self._jobs

    def __hash__(self) -> int:
        return hash(tuple((j, tuple(t.items())) for j, t in self._jobs.items()))

    def __repr__(self) -> str:
        return f"ClusterSpec({self.as_dict()!r})"


def task_name(job: str, index: int) -> str:
    return f"/job:{job}/replica:0/task:{index}"


def jobs_from_devices(devices: Iterable[str | None]) -> ClusterSpec:
    """The smallest cluster holding every task the device strings name (for a graph run without one)."""
    counts: dict[str, int] = {}
    for device in devices:
        spec = DeviceSpec.parse(device)
        if spec.job is not None:
            counts[spec.job] = max(counts.get(spec.job, 0), (spec.task or 0) + 1)
    return ClusterSpec(counts)


class Cluster(Protocol):
    """What a session needs of a running cluster (engine.EmbeddedCluster, tcp_engine.TcpCluster,
    ray_engine.RayCluster)."""

    spec: ClusterSpec
    engine: Any
    target: str

    def default_task(self) -> str: ...


_clusters: dict[str, Cluster] = {}
_default_tasks: dict[str, str] = {}  # a target naming one task (a server's grpc://host:port) -> that task
_connectors: dict[str, Callable[[str], tuple[Cluster, str]]] = {}
_ids = itertools.count()
_lock = threading.Lock()


def register(cluster: Cluster, scheme: str) -> str:
    """A new target string (`scheme://N`) that tf.Session(target) resolves to `cluster`."""
    with _lock:
        target = f"{scheme}://{next(_ids)}"
        _clusters[target] = cluster
    return target


def register_task_target(target: str, cluster: Cluster, task: str) -> None:
    """`target` (a served task's `grpc://host:port`) resolves to `cluster`, running ops that name no job on `task`."""
    with _lock:
        _clusters[target] = cluster
        _default_tasks[target] = task


def register_connector(scheme: str, connect: Callable[[str], tuple[Cluster, str]]) -> None:
    """How a target `scheme://...` that no cluster of this process registered is reached: connect(target) gives
    (cluster, default task) (the TCP engine joins the cluster of the task serving `grpc://host:port`)."""
    with _lock:
        _connectors[scheme] = connect


def unregister(target: str) -> None:
    with _lock:
        _clusters.pop(target, None)
        _default_tasks.pop(target, None)


def resolve(target: Any) -> tuple[Cluster, str]:
    """(cluster, the task that runs ops naming no job) for a target string, a cluster or a server handle."""
    if hasattr(target, "target") and not isinstance(target, str):
        target = target.target
    if not isinstance(target, str):
        raise TypeError(f"a session target is a string (a server's or a cluster's .target), got {target!r}")
    base, _, task = target.partition("/job:")
    with _lock:
        cluster = _clusters.get(base)
        default = _default_tasks.get(base)
        connect = _connectors.get(base.partition("://")[0]) if "://" in base else None
    if cluster is None and connect is not None:
        cluster, default = connect(base)
    if cluster is None:
        raise NotFoundError(f"no running cluster has target '{target}' (it was shut down, or it belongs to "
                            f"another process; known: {', '.join(sorted(_clusters)) or 'none'})")
    if task:
        return cluster, cluster.spec.check_task("/job:" + task)
    return cluster, default or cluster.default_task()
