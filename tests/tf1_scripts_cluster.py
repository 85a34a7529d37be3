"""A TF1 synchronous data-parallel model as between-graph scripts build it, written once for real TF and for dfc.

`build` makes the graph of one worker (under the caller's replica_device_setter): a weight
partitioned over two parameter servers by fixed_size_partitioner, a bias, a constant batch and
SyncReplicasOptimizer around gradient descent. Every replica computes the gradient of the same
batch, so whichever replicas' gradients an update averages, it is one gradient-descent step:
the variables after STEPS global steps are the same for one replica in one process (what
tests/record_cluster_scripts.py records with TensorFlow) and for any number of worker
processes (what tests/test_distributed_tcp_sync.py checks).
"""

from __future__ import annotations

from typing import Any

import numpy as np

STEPS = 12
BATCH = np.linspace(-1.0, 1.0, 32).reshape(8, 4).astype(np.float32)


def build(tf: Any, replicas_to_aggregate: int, total_num_replicas: int) -> dict:
    """The worker's graph; returns its global step, train op, SyncReplicasOptimizer and the fetched values."""
    global_step = tf.train.get_or_create_global_step()
    x = tf.constant(BATCH)
    target = x[:, :2] * 2.0 + 0.5
    with tf.variable_scope("model", partitioner=tf.fixed_size_partitioner(2)):
        weights = tf.get_variable("weights", [4, 2], initializer=tf.constant_initializer(0.1))
    bias = tf.Variable(tf.zeros([2]), name="bias")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) + bias - target))
    opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1),
                                         replicas_to_aggregate=replicas_to_aggregate,
                                         total_num_replicas=total_num_replicas)
    train_op = opt.minimize(loss, global_step=global_step)
    values = {"weights": tf.convert_to_tensor(weights), "bias": bias.read_value(), "loss": loss,
              "global_step": global_step.read_value()}
    return {"global_step": global_step, "train_op": train_op, "opt": opt, "values": values}


def one_replica(tf: Any) -> dict:
    """STEPS synchronous steps of one replica in one process, under a MonitoredTrainingSession with the
    optimizer's hook and a StopAtStepHook; the values after them."""
    model = build(tf, 1, 1)
    final = tf.train.FinalOpsHook(model["values"])
    hooks = [model["opt"].make_session_run_hook(True), tf.train.StopAtStepHook(last_step=STEPS), final]
    with tf.train.MonitoredTrainingSession(hooks=hooks, log_step_count_steps=0) as sess:
        while not sess.should_stop():
            sess.run(model["train_op"])
    return final.final_ops_values


def gradient_descent_trajectory(tf: Any, steps: int = 2 * STEPS) -> dict:
    """The model's variables after 0..steps plain gradient-descent steps (what any number of synchronous updates
    of it must give, whichever replicas they average)."""
    global_step = tf.train.get_or_create_global_step()
    x = tf.constant(BATCH)
    with tf.variable_scope("model", partitioner=tf.fixed_size_partitioner(2)):
        weights = tf.get_variable("weights", [4, 2], initializer=tf.constant_initializer(0.1))
    bias = tf.Variable(tf.zeros([2]), name="bias")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) + bias - (x[:, :2] * 2.0 + 0.5)))
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)
    whole = tf.convert_to_tensor(weights)
    out: dict = {"weights": [], "bias": []}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(steps + 1):
            w, b = sess.run([whole, bias])
            out["weights"].append(w)
            out["bias"].append(b)
            if step < steps:
                sess.run(train_op)
    return {k: np.stack(v) for k, v in out.items()}
