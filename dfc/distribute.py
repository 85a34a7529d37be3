"""dfc.distribute: start or join a cluster that runs the tasks of a graph placed on `/job:NAME/task:K` devices.

    cluster = dfc.distribute.ray_cluster({"ps": 1, "worker": 2})    # Ray actors, one per task
    cluster = dfc.distribute.local_cluster({"ps": 1, "worker": 2})  # threads of this process
    with tf.Session(cluster.target) as sess: ...

Variables live on the cluster's tasks: a new session on the same target sees them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dfc.runtime.distribute.cluster import ClusterSpec
from dfc.runtime.distribute.engine import EmbeddedCluster


def local_cluster(spec: ClusterSpec | Mapping, *, backend: str | None = None) -> EmbeddedCluster:
    """A new embedded cluster: every task a thread of this process, no Ray needed."""
    return EmbeddedCluster(spec, backend)


def ray_cluster(spec: ClusterSpec | Mapping, address: str | None = None, **options: Any):
    """A cluster whose tasks are Ray actors: a local Ray when `address` is None, else the Ray cluster at `address`.

    Options: name (detached, named actors a second driver can find), namespace, task_options
    (job or task name -> Ray actor options such as resources={"ps": 1}), backend, timeout
    (seconds any wait may take), init_options (passed to ray.init). Needs `pip install "dfc[cluster]"`.
    """
    try:
        from dfc.runtime.distribute.ray_engine import RayCluster
        import ray  # noqa: F401
    except ImportError as e:
        raise ImportError(f"the Ray engine needs Ray: pip install \"dfc[cluster]\" ({e})") from None
    return RayCluster(spec, address, **options)


__all__ = ["ClusterSpec", "local_cluster", "ray_cluster"]
