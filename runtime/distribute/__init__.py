"""Distributed execution: a Session whose graph names jobs and tasks runs each task's part on a cluster.

`attach` decides, when a Session is made, whether it runs on a cluster: its target names
one (a server's or a cluster's `.target`; `grpc://host:port` of a task another process
serves joins that task's cluster over TCP, see tcp_engine.py), or its graph places ops on `/job:...` devices
and no target is given (then an embedded cluster of this session's own, one thread per
task, runs them; `ConfigProto(allow_soft_placement=True)` keeps such a graph in one
process instead). `ClusterBinding.executable` turns one step into a DistributedExecutable.
"""

from __future__ import annotations

from typing import Any

from dfc.compiler.partition import DeviceSpec, variable_devices
from dfc.ir.graph import Graph

from .cluster import ClusterSpec, jobs_from_devices, resolve
from .engine import ClusterStore, DistributedExecutable, EmbeddedCluster, embedded_cluster_for, new_client
from .tcp_engine import TcpCluster, tcp_cluster_for  # registers how grpc://host:port targets are reached


class ClusterBinding:
    """A session's tie to a cluster: where ops naming no job run, its client id and its step counter."""

    def __init__(self, cluster: Any, default_task: str, graph: Graph, owned: bool):
        self.cluster = cluster
        self.default_task = default_task
        self.graph = graph
        self.owned = owned  # an embedded cluster made for this session alone ends with it
        self.client, self.counter = new_client()
        self.store = ClusterStore(cluster, graph, default_task)
        incarnations = getattr(cluster, "incarnations", None)
        self.incarnations = incarnations() if incarnations is not None else {}

    def executable(self, step: Graph) -> DistributedExecutable:
        """Run `step` (pruned, specialized, differentiated) partitioned over the cluster's tasks."""
        return DistributedExecutable(step, self.cluster, self.default_task, variable_devices(self.graph),
                                     self.client, self.counter, self.incarnations)

    def close(self) -> None:
        if self.owned:
            self.cluster.shutdown()


def _soft_placement(config: Any) -> bool:
    return bool(getattr(config, "allow_soft_placement", False))


def attach(graph: Graph, target: Any, config: Any, backend: str | None) -> ClusterBinding | None:
    """The cluster a new Session runs on, or None for plain single-process execution."""
    if target:
        cluster, default = resolve(target)
        return ClusterBinding(cluster, default, graph, owned=False)
    if _soft_placement(config):
        return None
    devices = {op.device for op in graph.ops if op.device and "/job:" in op.device.lower()}
    if not devices:
        return None
    spec = jobs_from_devices(devices)
    cluster = EmbeddedCluster(spec, backend, implicit=True)
    return ClusterBinding(cluster, spec.default_task(), graph, owned=True)


__all__ = ["ClusterBinding", "ClusterSpec", "ClusterStore", "DeviceSpec", "DistributedExecutable", "EmbeddedCluster",
           "TcpCluster", "attach", "embedded_cluster_for", "resolve", "tcp_cluster_for"]
