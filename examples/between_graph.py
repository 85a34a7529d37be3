"""Between-graph replication as TF1 scripts wrote it: one process per task, each worker with its own training loop.

    python examples/between_graph.py --job_name=ps --task_index=0 &
    python examples/between_graph.py --job_name=worker --task_index=0 &
    python examples/between_graph.py --job_name=worker --task_index=1

Each process's tf.train.Server serves its task at its address of the ClusterSpec
(--ps_hosts, --worker_hosts; localhost:2222-2224 by default), as TF's gRPC servers do:
the workers train the parameter server's variables, so with W workers of --steps steps
each the global step ends at W x steps. Worker 0 is the chief (it initializes; the others
wait for it), a worker started before the ps waits for it, and the ps serves until it is
killed. Run the processes on several machines by giving their host:port addresses. With
DFC_CLUSTER_ENGINE=ray (and RAY_ADDRESS, or a machine that belongs to a Ray cluster) the
tasks run as Ray actors instead, wherever Ray places them.
"""

from __future__ import annotations

import argparse

import numpy as np

import dfc as tf

parser = argparse.ArgumentParser()
parser.add_argument("--job_name", default="worker", choices=["ps", "worker"])
parser.add_argument("--task_index", type=int, default=0)
parser.add_argument("--ps_hosts", default="localhost:2222", help="comma-separated host:port of the ps tasks")
parser.add_argument("--worker_hosts", default="localhost:2223,localhost:2224",
                    help="comma-separated host:port of the worker tasks")
parser.add_argument("--steps", type=int, default=20, help="training steps of this worker")
args = parser.parse_args()

cluster = tf.train.ClusterSpec({"ps": args.ps_hosts.split(","), "worker": args.worker_hosts.split(",")})
server = tf.train.Server(cluster, job_name=args.job_name, task_index=args.task_index)
if args.job_name == "ps":
    server.join()
    raise SystemExit(0)

with tf.device(tf.train.replica_device_setter(cluster=cluster,
                                              worker_device=f"/job:worker/task:{args.task_index}")):
    global_step = tf.train.get_or_create_global_step()
    x = tf.placeholder(tf.float32, (32, 4))
    y = tf.placeholder(tf.float32, (32, 1))
    w = tf.Variable(tf.zeros((4, 1)), name="w")
    b = tf.Variable(tf.zeros((1,)), name="b")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    train_op = tf.train.GradientDescentOptimizer(0.05).minimize(loss, global_step=global_step)

rng = np.random.default_rng(args.task_index)
true_w = np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)
with tf.train.MonitoredTrainingSession(server.target, is_chief=args.task_index == 0) as sess:
    for _ in range(args.steps):
        xs = rng.standard_normal((32, 4)).astype(np.float32)
        _, value = sess.run([train_op, loss], {x: xs, y: xs @ true_w + 0.5})
    print(f"worker {args.task_index}: loss {value:.4f}, global step {sess.run(global_step)}")
