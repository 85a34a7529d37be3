"""Ray engine cases (run by tests/test_distributed_ray.py in a private network namespace, one Ray session).

The cases run clusters of real Ray actor processes: results equal one process, variables
outlive sessions, between-graph replication counts every step (client threads here, and
separate processes running an unchanged TF1 script), a SIGKILLed worker is retried with
each update applied once, a killed parameter server is named and recovered from a checkpoint;
queues and accumulators live on the task their ops are placed on, shared by every session.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from conftest import TIMEOUT

import dfc as tf
from seed_programs import SEEDS, in_graph_model, linear_batch, run_seed_program


@pytest.fixture(scope="module")
def cluster(ray_session):
    with tf.distribute.ray_cluster({"ps": 1, "worker": 4}, timeout=TIMEOUT) as c:
        yield c


def test_seed_program_gives_the_same_numbers_on_ray_embedded_and_one_process(cluster):
    on_ray = run_seed_program(target=cluster.target)
    assert len(set(cluster.nodes.values())) == 1
    assert cluster.stats("/job:worker/task:3")["stages_run"] >= 1
    embedded = run_seed_program()
    one = run_seed_program(config=tf.ConfigProto(allow_soft_placement=True))
    for a, b, c in zip(on_ray["results"], embedded["results"], one["results"]):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, c)


def train_in_graph(target="", config=None, steps=12, during=None):
    tf.reset_default_graph()
    x, y, w, step, train = in_graph_model()
    with tf.Session(target, config=config) as sess:
        sess.run(tf.global_variables_initializer())
        for k in range(steps):
            if during is not None:
                during(k)
            sess.run(train, {x: linear_batch(k, 16)[0], y: linear_batch(k, 16)[1]})
        return sess.run([w, step])


def test_in_graph_training_on_ray_matches_one_process_and_outlives_the_session(cluster):
    w_one, s_one = train_in_graph(config=tf.ConfigProto(allow_soft_placement=True))
    w_ray, s_ray = train_in_graph(cluster.target)
    assert s_one == s_ray == 12
    np.testing.assert_allclose(w_ray, w_one, rtol=1e-6)
    # a new client session, a new graph, the same cluster: the ps still holds the trained values
    tf.reset_default_graph()
    _, _, w, step, _ = in_graph_model()
    with tf.Session(cluster.target) as sess:
        np.testing.assert_allclose(sess.run(w), w_one, rtol=1e-6)
        assert sess.run(step) == 12


def test_between_graph_replication_on_ray_counts_every_step(cluster):
    spec = tf.train.ClusterSpec({"ps": 1, "worker": 2})
    steps, clients = 10, 3

    def model(worker: int):
        with tf.device(tf.train.replica_device_setter(cluster=spec, worker_device=f"/job:worker/task:{worker}")):
            step = tf.train.get_or_create_global_step()
            x = tf.placeholder(tf.float32, (16, 3))
            y = tf.placeholder(tf.float32, (16, 1))
            w = tf.Variable(tf.zeros((3, 1)), name="bw")
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
            return step, x, y, tf.train.GradientDescentOptimizer(0.01).minimize(loss, global_step=step)

    chief = tf.Graph()
    with chief.as_default():
        step, *_ = model(0)
        init = tf.global_variables_initializer()
    with tf.Session(cluster.target, graph=chief) as sess:
        sess.run(init)
    errors = []

    def client(i: int) -> None:
        try:
            graph = tf.Graph()
            with graph.as_default():
                _, x, y, train = model(i % 2)
            with tf.Session(cluster.target, graph=graph) as sess:
                for k in range(steps):
                    sess.run(train, {x: linear_batch(k, 16)[0], y: linear_batch(k, 16)[1]})
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not errors, errors
    with tf.Session(cluster.target, graph=chief) as sess:
        assert sess.run(step) == clients * steps


def test_a_sigkilled_worker_is_restarted_and_every_update_applies_once(cluster):
    expected_w, expected_step = train_in_graph(config=tf.ConfigProto(allow_soft_placement=True), steps=16)
    before = cluster.task_pid("/job:worker/task:1")
    killer = []

    def kill_mid_training(k: int) -> None:
        if k == 6:  # lands while step 6 is in flight: its stages on worker 1 are retried on the restarted actor
            t = threading.Timer(0.002, cluster.kill_task, args=("/job:worker/task:1",))
            t.start()
            killer.append(t)
    w, step = train_in_graph(cluster.target, steps=16, during=kill_mid_training)
    killer[0].join()
    assert cluster.task_pid("/job:worker/task:1") != before
    assert step == expected_step == 16
    np.testing.assert_allclose(w, expected_w, rtol=1e-6)


def test_a_retried_stage_applies_its_update_once(cluster):
    from dfc.runtime.distribute.task import TaskServer
    server = TaskServer("/job:ps/replica:0/task:0", backend="interpreter")
    tf.reset_default_graph()
    v = tf.Variable(tf.zeros((2,)), name="v")
    add = v.assign_add(tf.ones((2,)))
    from dfc.compiler import compile_step
    step = compile_step(tf.get_default_graph(), [add._dfc_ir()], pipeline=["autodiff"])
    from dfc.ir import print_graph
    server.load_plan("p", {0: print_graph(step)})
    server.store.write("v", np.zeros(2, np.float32))
    first = server.run_stage("p", 0, ("client", 7), [])
    again = server.run_stage("p", 0, ("client", 7), [])  # a retry of the same step: answered from the log
    server.run_stage("p", 0, ("client", 8), [])
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(server.store.read("v"), [2.0, 2.0])
    assert server.retries_answered == 1


def test_a_killed_parameter_server_is_named_and_training_recovers_from_its_checkpoint(ray_session, tmp_path):
    with tf.distribute.ray_cluster({"ps": 1, "worker": 2}, timeout=TIMEOUT) as c:
        x, y, w, step, train = in_graph_model()
        with tf.Session(c.target) as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {x: linear_batch(0, 16)[0], y: linear_batch(0, 16)[1]})
            c.kill_task("/job:ps/task:0")
            with pytest.raises(tf.errors.UnavailableError, match=r"task /job:ps/replica:0/task:0 is unavailable"):
                sess.run(train, {x: linear_batch(1, 16)[0], y: linear_batch(1, 16)[1]})

        tf.reset_default_graph()
        x, y, w, step, train = in_graph_model()
        hooks = [tf.train.StopAtStepHook(last_step=20)]
        calls = 0
        with tf.train.MonitoredTrainingSession(c.target, checkpoint_dir=str(tmp_path), hooks=hooks,
                                               save_checkpoint_steps=5) as sess:
            while not sess.should_stop():
                if calls == 12:
                    c.kill_task("/job:ps/task:0")
                    time.sleep(0.2)
                sess.run(train, {x: linear_batch(calls, 16)[0], y: linear_batch(calls, 16)[1]})
                calls += 1
            assert sess.recoveries == 1
        # restored at step 10 (the last checkpoint before the kill at 12): steps 11 and 12 ran twice
        assert calls == 20 + 2
        assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-20")


def test_an_error_in_a_task_reaches_the_client_as_dfc_raised_it(cluster):
    with tf.device("/job:ps/task:0"):
        v = tf.Variable(tf.ones((2,)), name="never_initialized")
    with tf.device("/job:worker/task:1"):
        y = v * 3.0
    with tf.Session(cluster.target) as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="never_initialized") as info:
            sess.run(y)
    assert "Ray" not in type(info.value).__name__


def test_an_unchanged_tf1_between_graph_script_in_separate_processes_shares_its_ps_on_ray(ray_session):
    import os
    import subprocess
    import sys
    script = SEEDS.parent / "between_graph.py"
    env = dict(os.environ, DFC_CLUSTER_ENGINE="ray", RAY_ADDRESS=ray_session.get_runtime_context().gcs_address)
    workers = [subprocess.Popen([sys.executable, str(script), "--job_name=worker", f"--task_index={i}",
                                 "--steps=15"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for i in range(2)]
    outputs = [w.communicate(timeout=TIMEOUT) for w in workers]
    for w, (out, err) in zip(workers, outputs):
        assert w.returncode == 0, out + err[-3000:]
    # this process joins the same named tasks the way the script did, and reads the global step
    os.environ["DFC_CLUSTER_ENGINE"] = "ray"
    try:
        spec = tf.train.ClusterSpec({"ps": ["localhost:2222"], "worker": ["localhost:2223", "localhost:2224"]})
        server = tf.train.Server(spec, "worker", 0)
        with tf.device(tf.train.replica_device_setter(cluster=spec)):
            step = tf.train.get_or_create_global_step()
        with tf.Session(server.target) as sess:
            assert sess.run(step) == 2 * 15
        server._cluster.shutdown()
    finally:
        del os.environ["DFC_CLUSTER_ENGINE"]


def test_a_done_queue_and_an_accumulator_on_the_ps_are_shared_by_every_session(cluster):
    with tf.device("/job:ps/task:0"):
        done = tf.FIFOQueue(2, tf.int32, shapes=[[]], shared_name="done_queue0")
        accumulator = tf.ConditionalAccumulator(tf.float32, shape=[2], shared_name="w/grad_accum")
    token = done.dequeue()
    ps, worker0, worker1 = (tf.Session(cluster.target) for _ in range(3))
    received = []
    waiting = threading.Thread(target=lambda: received.extend(int(ps.run(token)) for _ in range(2)))
    waiting.start()  # the ps blocks until the workers are done
    worker0.run(done.enqueue(1))
    worker1.run(done.enqueue(2))
    waiting.join(TIMEOUT)
    assert sorted(received) == [1, 2] and ps.run(done.size()) == 0
    with pytest.raises(tf.errors.DeadlineExceededError):
        ps.run(token, options=tf.RunOptions(timeout_in_ms=300))
    worker0.run(accumulator.apply_grad([1.0, 2.0]))
    worker1.run(accumulator.apply_grad([3.0, 4.0]))
    assert ps.run(accumulator.num_accumulated()) == 2
    assert ps.run(accumulator.take_grad(2)).tolist() == [2.0, 3.0]
    worker0.run(accumulator.apply_grad([5.0, 5.0], local_step=0))  # stale: the accumulator is at step 1 now
    assert worker1.run(accumulator.num_accumulated()) == 0
    ps.run(done.close())
    with pytest.raises(tf.errors.OutOfRangeError, match="done_queue|closed"):
        worker0.run(token)
    for sess in (ps, worker0, worker1):
        sess.close()
