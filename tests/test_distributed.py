"""Parameter servers and workers on the embedded engine (tasks as threads): the cluster API, replication, results.

The same programs run on Ray in tests/test_distributed_ray.py; these need no Ray.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

import dfc as tf
from dfc.runtime.distribute.engine import DistributedExecutable
from seed_programs import in_graph_model, linear_batch, run_seed_program


pytestmark = pytest.mark.usefixtures("fresh_graph")


def test_seed_program_gives_the_same_numbers_partitioned_and_in_one_process(capsys):
    one = run_seed_program(config=tf.ConfigProto(allow_soft_placement=True))
    split = run_seed_program()
    capsys.readouterr()
    for a, b in zip(one["results"], split["results"]):
        np.testing.assert_array_equal(a, b)
    assert len(split["results"]) == 4 and split["results"][0].shape == (25, 100)


def test_plain_session_on_a_placed_graph_runs_each_task_on_its_own_thread():
    with tf.device("/job:ps/task:0"):
        v = tf.Variable(tf.ones((3,)))
    with tf.device("/job:worker/task:1"):
        y = v * 2.0
    seen = []
    import dfc.runtime.distribute.task as task_module
    original = task_module.TaskServer.run_stage

    def spy(self, *args, **kwargs):
        seen.append((self.name, threading.current_thread().name))
        return original(self, *args, **kwargs)
    task_module.TaskServer.run_stage = spy
    try:
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(y), [2, 2, 2])
            assert isinstance(next(iter(sess._cache.values())), DistributedExecutable)
    finally:
        task_module.TaskServer.run_stage = original
    tasks = {name for name, _ in seen}
    # the init op names no job: it runs on the default task, worker 0
    assert tasks == {"/job:ps/replica:0/task:0", "/job:worker/replica:0/task:1", "/job:worker/replica:0/task:0"}
    assert all(thread != threading.main_thread().name for _, thread in seen)


def test_cluster_spec_accepts_addresses_dicts_and_counts():
    spec = tf.train.ClusterSpec({"ps": ["ps0:2222"], "worker": 3, "chief": {0: "c:1"}})
    assert spec.jobs == ["ps", "worker", "chief"]
    assert spec.num_tasks("worker") == 3 and spec.task_address("ps", 0) == "ps0:2222"
    assert spec.default_task() == "/job:chief/replica:0/task:0"
    assert tf.train.ClusterSpec(spec.as_dict()) == spec
    with pytest.raises(ValueError, match="No such job"):
        spec.num_tasks("evaluator")
    with pytest.raises(ValueError, match="at least one task"):
        tf.train.ClusterSpec({"ps": 0})


def test_replica_device_setter_puts_variables_round_robin_on_ps_tasks():
    cluster = tf.train.ClusterSpec({"ps": 2, "worker": 1})
    with tf.device(tf.train.replica_device_setter(cluster=cluster, worker_device="/job:worker/task:0")):
        a = tf.Variable(tf.zeros((2,)), name="a")
        b = tf.Variable(tf.zeros((2,)), name="b")
        assert a.device == "/job:ps/task:0"  # placed as it is made, as in TF
        c = tf.Variable(tf.zeros((2,)), name="c")
        y = a + b
        with tf.device("/job:ps/task:1"):
            d = tf.Variable(tf.zeros((2,)), name="d")
    assert [v.device for v in (a, b, c)] == ["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:0"]
    assert d.device == "/job:ps/task:1"
    assert y.device == "/job:worker/task:0"
    assert tf.train.replica_device_setter(ps_tasks=0) is None
    with tf.device(tf.train.replica_device_setter(ps_tasks=3, worker_device="/job:worker/task:2")):
        vs = [tf.Variable(1.0) for _ in range(4)]
        z = vs[0] * 2.0
    assert [v.device for v in vs] == ["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:2", "/job:ps/task:0"]
    assert z.device == "/job:worker/task:2"


def _model(cluster: tf.train.ClusterSpec, worker: int, lr: float = 0.05):
    """A linear model placed by replica_device_setter; its data depend only on the step number."""
    with tf.device(tf.train.replica_device_setter(cluster=cluster, worker_device=f"/job:worker/task:{worker}")):
        step = tf.train.get_or_create_global_step()
        x = tf.placeholder(tf.float32, (8, 3), name="x")
        y = tf.placeholder(tf.float32, (8, 1), name="y")
        w = tf.Variable(tf.zeros((3, 1)), name="w")
        b = tf.Variable(tf.zeros((1,)), name="b")
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        train = tf.train.GradientDescentOptimizer(lr).minimize(loss, global_step=step)
    return step, x, y, w, b, train


def test_between_graph_replication_counts_every_step_and_variables_outlive_sessions():
    spec = tf.train.ClusterSpec({"ps": 2, "worker": 3})
    servers = [tf.train.Server(spec, "worker", i) for i in range(3)]
    steps = 15
    chief_graph = tf.Graph()
    with chief_graph.as_default():
        gs, *_ = _model(spec, 0)
        init = tf.global_variables_initializer()
    with tf.Session(servers[0].target, graph=chief_graph) as sess:
        sess.run(init)
    errors = []

    def worker(i: int) -> None:
        try:
            graph = tf.Graph()
            with graph.as_default():
                _, x, y, _, _, train = _model(spec, i)
            with tf.Session(servers[i].target, graph=graph) as sess:
                for k in range(steps):
                    xs, ys = linear_batch(k, 8)
                    sess.run(train, {x: xs, y: ys})
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    with chief_graph.as_default():  # a new session, a new graph: the values live on the ps tasks
        graph = tf.Graph()
    with graph.as_default():
        gs2, _, _, w, _, _ = _model(spec, 0)
    with tf.Session(servers[1].target, graph=graph) as sess:
        assert sess.run(gs2) == 3 * steps
        assert sess.run(w).shape == (3, 1) and np.abs(sess.run(w)).sum() > 0


def test_in_graph_replication_matches_one_process():
    def train(config=None, target=""):
        tf.reset_default_graph()
        x, y, w, step, op = in_graph_model(learning_rate=0.1)
        with tf.Session(target, config=config) as sess:
            sess.run(tf.global_variables_initializer())
            for k in range(10):
                bx, by = linear_batch(k, 8)
                bx2, by2 = linear_batch(k + 100, 8)
                sess.run(op, {x: np.concatenate([bx, bx2]), y: np.concatenate([by, by2])})
            return sess.run([w, step])
    w1, s1 = train(config=tf.ConfigProto(allow_soft_placement=True))
    w2, s2 = train()
    cluster = tf.distribute.local_cluster({"ps": 1, "worker": 2})
    try:
        w3, s3 = train(target=cluster.target)
    finally:
        cluster.shutdown()
    assert s1 == s2 == s3 == 10
    np.testing.assert_allclose(w2, w1, rtol=1e-6)
    np.testing.assert_allclose(w3, w1, rtol=1e-6)


def test_saver_and_load_reach_variables_on_the_ps(tmp_path):
    cluster = tf.distribute.local_cluster({"ps": 1, "worker": 1})
    try:
        with tf.device("/job:ps/task:0"):
            v = tf.Variable(tf.constant([1.0, 2.0]), name="v")
        saver = tf.train.Saver()
        with tf.Session(cluster.target) as sess:
            sess.run(tf.global_variables_initializer())
            v.load([5.0, 6.0], sess)
            path = saver.save(sess, str(tmp_path / "model.ckpt"))
            v.load([0.0, 0.0], sess)
            saver.restore(sess, path)
            np.testing.assert_array_equal(sess.run(v), [5.0, 6.0])
            assert set(sess.store.snapshot()) == {"v"}
    finally:
        cluster.shutdown()


def test_a_device_outside_the_cluster_is_an_error_naming_it():
    cluster = tf.distribute.local_cluster({"ps": 1, "worker": 1})
    try:
        with tf.device("/job:worker/task:3"):
            y = tf.constant(1.0) + 1.0
        with tf.Session(cluster.target) as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"no task /job:worker/replica:0/task:3 in the "
                                                                      r"cluster \(it has ps: 1 task, worker: 1 task\)"):
                sess.run(y)
    finally:
        cluster.shutdown()


def test_an_unknown_target_is_a_clear_error():
    with pytest.raises(tf.errors.NotFoundError, match="no running cluster has target"):
        tf.Session("dfc://12345")


def test_an_uninitialized_variable_on_the_ps_names_it():
    with tf.device("/job:ps/task:0"):
        v = tf.Variable(tf.ones((2,)), name="weights")
    with tf.device("/job:worker/task:0"):
        y = v + 1.0
    with tf.device("/job:worker/task:1"):
        z = y * 2.0  # a stage that needs the failing one: it fails with it, unrun
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="weights"):
            sess.run(y)
        with pytest.raises(tf.errors.FailedPreconditionError, match="weights"):
            sess.run(z)
        sess.run(tf.global_variables_initializer())  # the tasks carry on after a failed step
        np.testing.assert_array_equal(sess.run(z), [4.0, 4.0])


def test_monitored_training_session_checkpoints_and_stops(tmp_path):
    spec = tf.train.ClusterSpec({"ps": 1, "worker": 1})
    server = tf.train.Server(spec, "worker", 0)
    step, x, y, w, b, train = _model(spec, 0)
    hooks = [tf.train.StopAtStepHook(last_step=12)]
    count = 0
    with tf.train.MonitoredTrainingSession(server.target, checkpoint_dir=str(tmp_path), hooks=hooks,
                                           save_checkpoint_steps=5) as sess:
        while not sess.should_stop():
            xs, ys = linear_batch(count, 8)
            sess.run(train, {x: xs, y: ys})
            count += 1
    assert count == 12
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-12")
    assert sorted(p.name for p in tmp_path.glob("*.safetensors")) == [
        f"model.ckpt-{k}.safetensors" for k in sorted(["0", "5", "10", "12"])]
    assert not os.path.exists(tmp_path / "stale")


def test_a_save_killed_mid_write_leaves_the_last_checkpoint_and_its_leftover_goes_on_the_next_save(tmp_path):
    import signal
    import subprocess
    import sys
    import time
    v = tf.Variable(tf.constant([1.0, 2.0]), name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=1)
        # a real writer killed with SIGKILL while it writes a big checkpoint into the same directory
        writer = subprocess.Popen([sys.executable, "-c", (
            "import sys, numpy as np\n"
            "from dfc.runtime.checkpoint import save_tensors\n"
            "big = {'v': np.ones(16 << 20, np.float32)}\n"
            "while True:\n"
            "    save_tensors(sys.argv[1], big)\n"), str(tmp_path / "model.ckpt-2.safetensors")])
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(f".tmp-{writer.pid}-*")) and time.monotonic() < deadline:
            time.sleep(0.001)
        writer.send_signal(signal.SIGKILL)
        writer.wait(30)
        assert list(tmp_path.glob(f".tmp-{writer.pid}-*")), "the writer was not caught mid-write"
        assert tf.train.latest_checkpoint(str(tmp_path)) == first
        saver.restore(sess, first)
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
        saver.save(sess, str(tmp_path / "model.ckpt"), global_step=3)
        assert not list(tmp_path.glob(".tmp-*"))
        saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))


def test_a_non_chief_monitored_session_waits_for_the_chief_to_initialize():
    spec = tf.train.ClusterSpec({"ps": 1, "worker": 2})
    servers = [tf.train.Server(spec, "worker", i) for i in range(2)]
    graphs, models = [tf.Graph(), tf.Graph()], []
    for i, graph in enumerate(graphs):
        with graph.as_default():
            models.append(_model(spec, i))
    got = {}

    def non_chief() -> None:
        with graphs[1].as_default():
            step, x, y, _, _, train = models[1]
            with tf.train.MonitoredTrainingSession(servers[1].target, is_chief=False, max_wait_secs=60) as sess:
                sess.run(train, {x: linear_batch(0, 8)[0], y: linear_batch(0, 8)[1]})
                got["step"] = sess.run(step)

    thread = threading.Thread(target=non_chief)
    thread.start()
    with graphs[0].as_default():
        step, x, y, _, _, train = models[0]
        with tf.train.MonitoredTrainingSession(servers[0].target, is_chief=True) as sess:
            thread.join(60)
            assert got["step"] == 1
            sess.run(train, {x: linear_batch(1, 8)[0], y: linear_batch(1, 8)[1]})
            assert sess.run(step) == 2


def test_server_join_returns_when_its_cluster_shuts_down():
    server = tf.train.Server(tf.train.ClusterSpec({"ps": 1, "worker": 1}), "ps", 0)
    threading.Timer(0.05, server._cluster.shutdown).start()
    server.join(timeout=30)
    assert server._cluster.stopped.is_set()


def test_each_session_on_a_cluster_draws_a_seeded_graphs_random_numbers_afresh():
    cluster = tf.distribute.local_cluster({"ps": 1, "worker": 1})
    try:
        tf.set_random_seed(4)
        with tf.device("/job:ps/task:0"):
            v = tf.Variable(tf.random_normal((3,)), name="v")
        draws = []
        for _ in range(2):
            with tf.Session(cluster.target) as sess:
                sess.run(tf.global_variables_initializer())
                draws.append(sess.run(v))
        with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
            sess.run(tf.global_variables_initializer())
            draws.append(sess.run(v))
        np.testing.assert_array_equal(draws[0], draws[1])
        np.testing.assert_array_equal(draws[0], draws[2])
    finally:
        cluster.shutdown()


def test_a_scaffolds_saver_and_init_fn_are_what_the_monitored_session_uses(tmp_path):
    step, x, y, w, b, train = _model(tf.train.ClusterSpec({"ps": 1, "worker": 1}), 0)
    calls = []
    scaffold = tf.train.Scaffold(saver=tf.train.Saver([w, step]), init_fn=lambda sc, sess: calls.append(sc))
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), scaffold=scaffold,
                                           save_checkpoint_steps=1) as sess:
        sess.run(train, {x: linear_batch(0, 8)[0], y: linear_batch(0, 8)[1]})
    assert calls == [scaffold]
    from dfc.runtime.checkpoint import load_tensors
    tensors, _ = load_tensors(tf.train.latest_checkpoint(str(tmp_path)) + ".safetensors")
    assert sorted(tensors) == ["global_step", "w"]
    # a new monitored session restores from the checkpoint instead of initializing
    creator = tf.train.ChiefSessionCreator(tf.train.Scaffold(saver=tf.train.Saver([w, step])),
                                           checkpoint_dir=str(tmp_path))
    with tf.train.MonitoredSession(creator) as sess:
        assert sess.run(step) == 1
    assert calls == [scaffold]


def test_a_server_forced_embedded_for_a_spec_with_addresses_warns_that_other_processes_do_not_share_it(monkeypatch):
    monkeypatch.setenv("DFC_CLUSTER_ENGINE", "embedded")
    with pytest.warns(UserWarning, match="unset DFC_CLUSTER_ENGINE to serve each task at its address"):
        server = tf.train.Server({"ps": ["ps0:2222"], "worker": ["w0:2222"]}, "worker", 0)
    assert server.target.endswith("/job:worker/replica:0/task:0")
