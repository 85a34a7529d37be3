"""Record what real TensorFlow computes for the synchronous-replicas model of tests/tf1_scripts_cluster.py.

    python tests/record_cluster_scripts.py [OUT_DIR]

Writes OUT_DIR/cluster_sync_replicas.npz (default tests/data/tf_expectations/): the variables after
STEPS steps of one replica, and cluster_gd_trajectory.npz: those after each of 0..2*STEPS plain
gradient-descent steps; tests/test_distributed_tcp_sync.py checks that worker processes reach them.
"""

from __future__ import annotations

import sys

from tf1_scripts_cluster import gradient_descent_trajectory, one_replica
from tf_recording import out_dir, save, tf

if __name__ == "__main__":
    tf.reset_default_graph()
    save(out_dir(sys.argv), "cluster_sync_replicas", **one_replica(tf))
    tf.reset_default_graph()
    save(out_dir(sys.argv), "cluster_gd_trajectory", **gradient_descent_trajectory(tf))
