"""Shared by the Ray cases: one Ray session per pytest process, inside a private network namespace."""

from __future__ import annotations

import os

import pytest

#: every ray.get in these cases waits at most this long
TIMEOUT = 120


@pytest.fixture(scope="session")
def ray_session(tmp_path_factory):
    if os.environ.get("DFC_IN_NETNS") != "1":
        pytest.skip("Ray cases run only inside the private network namespace that tests/test_distributed_ray.py makes")
    import ray
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False,
             object_store_memory=200 * 1024 * 1024, namespace="dfc-tests")
    yield ray
    ray.shutdown()


@pytest.fixture(autouse=True)
def fresh_graph():
    import dfc as tf
    tf.reset_default_graph()
    yield
