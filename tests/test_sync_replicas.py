"""tf.ConditionalAccumulator, tf.train.SyncReplicasOptimizer and tf.train.maybe_batch against TF's recordings,
with TF's errors; SyncReplicasOptimizer under MonitoredTrainingSession and with two workers on one cluster."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import dfc as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


def test_sync_replicas_accumulators_and_maybe_batch_match_tensorflow():
    from recordings import assert_matches_recording
    from tf1_scripts_queue import maybe_batch_script, sync_replicas_script
    assert_matches_recording(sync_replicas_script(tf, tf.Session), "script_sync_replicas",
                             lambda key: {"rtol": 1e-5, "atol": 1e-6})
    tf.reset_default_graph()
    assert_matches_recording(maybe_batch_script(tf, tf.Session), "script_maybe_batch",
                             lambda key: {"rtol": 0, "atol": 0})


def test_accumulator_names_and_errors_are_tfs():
    acc = tf.ConditionalAccumulator(tf.float32, shape=[2], name="acc")
    assert acc.name == "acc" and acc.dtype == tf.float32
    assert acc.apply_grad([1.0, 2.0]).name == "ResourceAccumulatorApplyGradient"
    assert acc.take_grad(1).shape.as_list() == [2] and acc.num_accumulated().op.name == "acc_NumAccumulated"
    with pytest.raises(ValueError, match=r"Shapes \(3,\) and \(2,\) are incompatible"):
        acc.apply_grad([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="requested dtype float32"):
        acc.apply_grad(tf.constant([1, 2]))
    with pytest.raises(ValueError, match="reduction_type.*'MAX' not in"):
        tf.ConditionalAccumulator(tf.float32, reduction_type="MAX")
    fed = tf.placeholder(tf.float32, None)
    apply = acc.apply_grad(fed)
    summed = tf.ConditionalAccumulator(tf.float32, reduction_type="SUM")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Shape mismatch: expected \[2\], got \[3\].*'acc'"):
            sess.run(apply, {fed: [1.0, 2.0, 3.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="num_required must be positive, but was 0"):
            sess.run(acc.take_grad(0))
        with pytest.raises(tf.errors.DeadlineExceededError, match="Timed out"):
            sess.run(acc.take_grad(1), options=tf.RunOptions(timeout_in_ms=200))
        sess.run([summed.apply_grad([1.0, 2.0])])
        sess.run(summed.apply_grad([1.0, 2.0]))
        assert sess.run(summed.take_grad(1)).tolist() == [2.0, 4.0]
    with pytest.raises(ValueError, match="Global step is required"):
        tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1), 1).minimize(
            tf.reduce_sum(tf.Variable([1.0]) ** 2))
    with pytest.raises(ValueError, match="keep_input` cannot be a vector"):
        tf.train.maybe_batch([tf.constant(1)], tf.constant([True, False]), 2)


def _model():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tf.constant([[1.0], [2.0]])
    w = tf.get_variable("w", [2, 1], initializer=tf.constant_initializer(0.1))
    return w, tf.reduce_mean(tf.square(tf.matmul(x, w) - y))


def test_sync_replicas_trains_under_a_monitored_training_session_with_its_hook():
    """The chief's hook initializes the local step, puts the first tokens and starts the chief's queue runner;
    losses follow TF's (its second gradient is stale), and the session closes with its runner stopped."""
    from recordings import load_recording
    w, loss = _model()
    global_step = tf.train.get_or_create_global_step()
    opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.05), replicas_to_aggregate=1,
                                         total_num_replicas=1)
    train = opt.minimize(loss, global_step=global_step)
    hook = opt.make_session_run_hook(is_chief=True)
    losses = []
    with tf.train.MonitoredTrainingSession(hooks=[hook]) as sess:
        for _ in range(6):
            losses.append(sess.run([train, loss])[1])
        assert sess.run(global_step) >= 5
    np.testing.assert_allclose(losses, load_recording("script_sync_replicas")["losses"], rtol=1e-5)


def test_two_workers_of_one_cluster_share_accumulators_and_tokens():
    """Between-graph replication in one process: two sessions on one cluster's target share the accumulators
    and the token queue by their shared names, so an update takes one gradient of each worker (with separate
    accumulators neither would ever reach replicas_to_aggregate=2)."""
    cluster = tf.train.ClusterSpec({"worker": ["localhost:0", "localhost:0"]})
    server = tf.train.Server(cluster, job_name="worker", task_index=0)  # served over TCP, on a free port
    w, loss = _model()
    global_step = tf.train.get_or_create_global_step()
    opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.05), replicas_to_aggregate=2,
                                         total_num_replicas=2)
    train = opt.minimize(loss, global_step=global_step)
    gradient = tf.gradients(loss, w)[0]
    chief, other = tf.Session(server.target), tf.Session(server.target)
    chief.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
    other.run(tf.local_variables_initializer())
    chief.run(opt.chief_init_op)
    other.run(opt.local_step_init_op)
    chief.run(opt.get_init_tokens_op())
    w0, g0 = chief.run([w, gradient])
    coord = tf.train.Coordinator()
    opt.get_chief_queue_runner().create_threads(chief, coord=coord, daemon=True, start=True)
    failures = []

    def work(sess):
        try:
            sess.run(train, options=tf.RunOptions(timeout_in_ms=60000))
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)
    threads = [threading.Thread(target=work, args=(s,)) for s in (chief, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert not failures and not any(t.is_alive() for t in threads)
    assert chief.run(global_step) == 1  # one update, of the mean of the two workers' (equal) gradients
    np.testing.assert_allclose(other.run(w), w0 - 0.05 * g0, rtol=1e-6)
    coord.request_stop()
    chief.close()
    other.close()
    server._cluster.shutdown()


def test_the_ps_waits_on_a_shared_done_queue_that_workers_enqueue_to():
    """The between-graph idiom: each process builds its own graph with a FIFOQueue of shared_name on the ps;
    the ps's session dequeues one token per worker (blocking) and ends once every worker is done."""
    cluster = tf.train.ClusterSpec({"ps": ["localhost:0"], "worker": ["localhost:0", "localhost:0"]})
    servers = {(job, i): tf.train.Server(cluster, job_name=job, task_index=i)  # each on a free port, served over TCP
               for job, i in (("ps", 0), ("worker", 0), ("worker", 1))}

    def done_queue(graph):
        with graph.as_default(), tf.device("/job:ps/task:0"):
            return tf.FIFOQueue(2, tf.int32, shared_name="done_queue0", name="done_queue")
    received, failures = [], []

    def ps() -> None:
        graph = tf.Graph()
        queue = done_queue(graph)
        with graph.as_default():
            token = queue.dequeue()
        with tf.Session(servers["ps", 0].target, graph=graph) as sess:
            for _ in range(2):
                received.append(int(sess.run(token, options=tf.RunOptions(timeout_in_ms=30000))))

    def worker(i: int) -> None:
        try:
            graph = tf.Graph()
            queue = done_queue(graph)
            with graph.as_default():
                with tf.device(f"/job:worker/task:{i}"):
                    total = tf.reduce_sum(tf.range(10 * (i + 1)))
                done = queue.enqueue(i + 1)
            with tf.Session(servers["worker", i].target, graph=graph) as sess:
                assert sess.run(total) == sum(range(10 * (i + 1)))
                sess.run(done)
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)
    threads = [threading.Thread(target=ps)] + [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    servers["ps", 0]._cluster.shutdown()
    assert not failures and sorted(received) == [1, 2]
