"""Placement across machines, on one machine: Ray's multi-node test cluster with a ps node and a worker node.

Run by tests/test_distributed_ray.py in its own pytest process (a Cluster is its own Ray session).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from conftest import TIMEOUT

import dfc as tf


@pytest.fixture(scope="module")
def two_nodes():
    if os.environ.get("DFC_IN_NETNS") != "1":
        pytest.skip("Ray cases run only inside the private network namespace that tests/test_distributed_ray.py makes")
    import ray
    from ray.cluster_utils import Cluster
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "resources": {"ps": 1}})
    worker_node = cluster.add_node(num_cpus=1, resources={"worker": 1})
    ray.init(address=cluster.address, namespace="dfc-multinode", log_to_driver=False, logging_level="WARNING")
    cluster.wait_for_nodes()
    yield cluster, cluster.head_node.node_id, worker_node.node_id
    ray.shutdown()
    cluster.shutdown()


def test_tasks_land_on_the_nodes_their_resources_name_and_train_as_in_one_process(two_nodes):
    _, head, worker_node = two_nodes
    pinned = {"ps": {"resources": {"ps": 0.5}}, "worker": {"resources": {"worker": 0.5}}}

    def train(target="", config=None):
        tf.reset_default_graph()
        tf.set_random_seed(2)
        x = tf.placeholder(tf.float32, (8, 4))
        with tf.device("/job:ps/task:0"):
            w = tf.Variable(tf.random_uniform((4, 2), -1, 1), name="w")
        parts = tf.split(0, 2, x)
        losses = []
        for i in range(2):
            with tf.device(f"/job:worker/task:{i}"):
                losses.append(tf.reduce_sum(tf.square(tf.matmul(parts[i], w))))
        step = tf.train.GradientDescentOptimizer(0.01).minimize(tf.add_n(losses))
        with tf.Session(target, config=config) as sess:
            sess.run(tf.global_variables_initializer())
            for k in range(5):
                sess.run(step, {x: np.random.default_rng(k).random((8, 4))})
            return sess.run(w)

    with tf.distribute.ray_cluster({"ps": 1, "worker": 2}, task_options=pinned, timeout=TIMEOUT) as c:
        assert c.nodes["/job:ps/replica:0/task:0"] == head
        assert c.nodes["/job:worker/replica:0/task:0"] == c.nodes["/job:worker/replica:0/task:1"] == worker_node
        on_two_nodes = train(c.target)
    one = train(config=tf.ConfigProto(allow_soft_placement=True))
    np.testing.assert_allclose(on_two_nodes, one, rtol=1e-6)
