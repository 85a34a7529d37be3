"""tf.train.Server over TCP: a TF1 between-graph script run as one process per task on 127.0.0.1 ports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

import dfc as tf
from dfc.runtime.distribute import tcp_engine

#: a TF1 between-graph training script as tutorials write it: one process per task, chosen by its arguments
SCRIPT = r'''
import json, sys
import numpy as np
import dfc as tf

job, index, ps, w0, w1, steps, out, ckpt = sys.argv[1:]
index, steps = int(index), int(steps)
workers = [f"127.0.0.1:{w0}"] + ([f"127.0.0.1:{w1}"] if w1 != "-" else [])
cluster = tf.train.ClusterSpec({"ps": [f"127.0.0.1:{ps}"], "worker": workers})
server = tf.train.Server(cluster, job_name=job, task_index=index)
if job == "ps":
    print("serving", flush=True)
    server.join()
    sys.exit(0)

with tf.device(tf.train.replica_device_setter(cluster=cluster, worker_device=f"/job:worker/task:{index}")):
    global_step = tf.train.get_or_create_global_step()
    x = tf.placeholder(tf.float32, (16, 3))
    y = tf.placeholder(tf.float32, (16, 1))
    w = tf.Variable(tf.zeros((3, 1)), name="w")
    b = tf.Variable(tf.zeros((1,)), name="b")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)

rng = np.random.default_rng(index)
true_w = np.array([[1.0], [-2.0], [0.5]], np.float32)
losses = []
hooks = [tf.train.StopAtStepHook(last_step=steps)] if ckpt != "-" else []
print("built", flush=True)
with tf.train.MonitoredTrainingSession(master=server.target, is_chief=index == 0, hooks=hooks,
                                       checkpoint_dir=None if ckpt == "-" else ckpt,
                                       save_checkpoint_steps=5, log_step_count_steps=0) as sess:
    while not sess.should_stop() and (ckpt != "-" or len(losses) < steps):
        xs = rng.standard_normal((16, 3)).astype(np.float32)
        _, value, step = sess.run([train, loss, global_step], {x: xs, y: xs @ true_w + 0.5})
        losses.append(float(value))
        print("step", step, flush=True)
    recoveries = sess.recoveries if hasattr(sess, "recoveries") else 0
with open(out, "w") as f:
    json.dump({"losses": losses, "recoveries": recoveries}, f)
'''

TIMEOUT = 120  # generous: only a loaded machine comes near it


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Tasks:
    """The subprocesses of one test, each with a deadline; all killed at the end."""

    def __init__(self, tmp_path):
        self.script = tmp_path / "train.py"
        self.script.write_text(SCRIPT)
        self.tmp = tmp_path
        self.procs: list[subprocess.Popen] = []

    def start(self, job: str, index: int, ports: list, steps: int = 0, ckpt: str = "-") -> subprocess.Popen:
        out = self.tmp / f"{job}{index}-{len(self.procs)}.json"
        env = dict(os.environ, DFC_CONNECT_TIMEOUT="90")
        env.pop("DFC_CLUSTER_ENGINE", None)
        proc = subprocess.Popen([sys.executable, str(self.script), job, str(index), *map(str, ports), str(steps),
                                 str(out), ckpt], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        proc.out = out
        self.procs.append(proc)
        return proc

    def finish(self, proc: subprocess.Popen) -> dict:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, stderr[-3000:]
        return json.loads(proc.out.read_text())

    def kill_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=TIMEOUT)


def read_ps(port: int, names: dict) -> dict:
    """The ps's variables, read by a session of this process (which serves no task) over TCP."""
    graph = tf.Graph()
    with graph.as_default(), tf.device("/job:ps/task:0"):
        variables = {n: tf.Variable(tf.zeros(shape, dtype), name=n) for n, (shape, dtype) in names.items()}
    with tf.Session(f"grpc://127.0.0.1:{port}", graph=graph) as sess:
        return sess.run(variables)


MODEL = {"w": ((3, 1), tf.float32), "b": ((1,), tf.float32), "global_step": ((), tf.int64)}


def test_a_ps_and_two_worker_processes_train_shared_variables_even_when_the_workers_start_first(tmp_path):
    tasks, ports, steps = Tasks(tmp_path), free_ports(3), 15
    try:
        # the workers start before the ps: they wait for it, as TF's do; the non-chief waits for the chief's init
        workers = [tasks.start("worker", i, ports, steps) for i in (1, 0)]
        assert [w.stdout.readline().strip() for w in workers] == ["built", "built"]  # and now connecting
        time.sleep(0.3)
        assert all(w.poll() is None for w in workers)
        ps = tasks.start("ps", 0, ports)
        assert ps.stdout.readline().strip() == "serving"
        results = [tasks.finish(w) for w in workers]
        for result in results:
            assert len(result["losses"]) == steps
            assert np.mean(result["losses"][-3:]) < 0.5 * np.mean(result["losses"][:3])
        held = read_ps(ports[0], MODEL)
        assert held["global_step"] == 2 * steps  # both workers' steps count, on the ps
        true_w = np.array([[1.0], [-2.0], [0.5]])
        assert np.linalg.norm(held["w"] - true_w) < 0.5 * np.linalg.norm(true_w), held["w"]  # trained from 0
        assert ps.poll() is None  # the ps still serves after its workers left
    finally:
        tasks.kill_all()


def test_a_ps_killed_mid_training_is_unavailable_and_the_monitored_worker_recovers_from_its_checkpoint(tmp_path):
    tasks, ports = Tasks(tmp_path), free_ports(1) + free_ports(1) + ["-"]
    ckpt = str(tmp_path / "ckpt")
    try:
        ps = tasks.start("ps", 0, ports)
        assert ps.stdout.readline().strip() == "serving"
        worker = tasks.start("worker", 0, ports, steps=40, ckpt=ckpt)
        graph = tf.Graph()
        with graph.as_default(), tf.device("/job:ps/task:0"):
            step = tf.Variable(tf.zeros((), tf.int64), name="global_step")
        with tf.Session(f"grpc://127.0.0.1:{ports[0]}", graph=graph) as watcher:
            deadline, seen = time.monotonic() + TIMEOUT, 0
            while seen < 8 and time.monotonic() < deadline:  # the session has reached the ps
                try:
                    seen = watcher.run(step)
                except tf.errors.FailedPreconditionError:  # the chief has not initialized yet
                    pass
                time.sleep(0.02)
            ps.kill()
            ps.wait(TIMEOUT)
            with pytest.raises(tf.errors.UnavailableError, match=r"/job:ps/replica:0/task:0 \(127\.0\.0\.1:"):
                watcher.run(step)
            tasks.start("ps", 0, ports)  # restarted on the same port, with no variables: the chief restores them
            result = tasks.finish(worker)
            assert result["recoveries"] >= 1
            assert read_ps(ports[0], MODEL)["global_step"] == 40  # a new session waits for, and reaches, the new ps
            with pytest.raises(tf.errors.AbortedError, match="restarted since this session began"):
                watcher.run(step)  # its variables are not the ones the old session saw
        assert tf.train.latest_checkpoint(ckpt).endswith("model.ckpt-40")
    finally:
        tasks.kill_all()


def test_servers_of_one_process_serve_their_tasks_and_a_clients_session_reaches_them():
    ports = free_ports(2)
    spec = tf.train.ClusterSpec({"ps": [f"localhost:{ports[0]}"], "worker": [f"localhost:{ports[1]}"]})
    ps = tf.train.Server(spec, "ps", 0)
    worker = tf.train.Server(spec, job_name="worker", task_index=0)
    try:
        assert (ps.target, worker.target) == (f"grpc://localhost:{ports[0]}", f"grpc://localhost:{ports[1]}")
        with pytest.raises(tf.errors.UnknownError, match=f"Could not start gRPC server.*localhost:{ports[0]}"):
            tf.train.Server(spec, "ps", 0)
        with pytest.raises(tf.errors.InternalError, match='Task 2 was not defined in job "worker"'):
            tf.train.Server(spec, "worker", 2)
        with pytest.raises(tf.errors.InternalError, match='Job "chief" was not defined in cluster'):
            tf.train.Server(spec, "chief", 0)
        (other_port,) = free_ports(1)
        stranger = tf.train.Server({"ps": [f"localhost:{ports[0]}"], "worker": [f"localhost:{other_port}"]},
                                   "worker", 0)
        graph = tf.Graph()
        with graph.as_default(), tf.device("/job:ps/task:0"):
            c = tf.constant(1.0) + 1.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="must be given the same ClusterSpec"):
            with tf.Session(stranger.target, graph=graph) as sess:
                sess.run(c)
        stranger._cluster.shutdown()
        with tf.device("/job:ps/task:0"):
            v = tf.Variable([1.0, 2.0], name="v")
        with tf.device("/job:worker/task:0"):
            y = v * 3.0
        with tf.Session(worker.target) as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(y), [3.0, 6.0])
        code = (f"import dfc as tf\nwith tf.device('/job:ps/task:0'):\n    v = tf.Variable([0.0, 0.0], name='v')\n"
                f"with tf.Session('grpc://127.0.0.1:{ports[0]}') as sess:\n    sess.run(v.assign_add([1.0, 1.0]))\n")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT)
        assert proc.returncode == 0, proc.stderr[-3000:]
        with tf.Session(ps.target) as sess:
            np.testing.assert_array_equal(sess.run(v), [2.0, 3.0])  # the other process's update, on the ps
    finally:
        ps._cluster.shutdown()
    ps.join(timeout=5)


def test_create_local_server_picks_a_free_port_and_an_absent_task_is_unavailable_by_name(monkeypatch):
    first, second = tf.train.Server.create_local_server(), tf.train.Server.create_local_server()
    assert first.target.startswith("grpc://localhost:") and first.target != second.target
    with tf.device("/job:localhost/task:0"):
        c = tf.constant(2.0) * 4.0
    with tf.Session(first.target) as sess:
        assert sess.run(c) == 8.0
    monkeypatch.setattr(tcp_engine, "CONNECT_TIMEOUT", 0.3)
    (port,) = free_ports(1)
    with pytest.raises(tf.errors.UnavailableError, match=f"127.0.0.1:{port} is unavailable: nothing answered"):
        tf.Session(f"grpc://127.0.0.1:{port}")


def test_the_wire_authenticates_by_cluster_key_and_moves_arrays_whole(monkeypatch):
    import threading

    from dfc.runtime.distribute import tcp_wire
    spec = tf.train.ClusterSpec({"ps": ["127.0.0.1:1"]})
    arrays = [np.arange(300_000, dtype=np.float32).reshape(600, 500), np.arange(12.0).reshape(3, 4).T,
              np.array([b"a", b"bc"], dtype=object), np.float64(2.5)]
    plain = tcp_wire.cluster_key(spec)
    monkeypatch.setenv("DFC_CLUSTER_SECRET", "s3")
    assert tcp_wire.cluster_key(spec) != plain  # a secret every process is given salts the key
    monkeypatch.delenv("DFC_CLUSTER_SECRET")
    for proving, accepted in ((tf.train.ClusterSpec({"ps": ["127.0.0.1:2"]}), False), (spec, True)):
        ours, theirs = socket.socketpair()
        outcome = []

        def serve(theirs: socket.socket = theirs, outcome: list = outcome) -> None:
            deadline = time.monotonic() + 30
            ok = tcp_wire.accept_handshake(theirs, spec, "/job:ps/replica:0/task:0", "inc", deadline)
            outcome.append(ok)
            if ok:
                tcp_wire.send_message(theirs, tcp_wire.receive(theirs, deadline), deadline)  # echo

        thread = threading.Thread(target=serve)
        thread.start()
        try:
            deadline = time.monotonic() + 30
            info = tcp_wire.hello(ours, deadline)
            assert (info["task"], tf.train.ClusterSpec(info["spec"])) == ("/job:ps/replica:0/task:0", spec)
            if not accepted:
                with pytest.raises(ConnectionError, match="authentication failed"):
                    tcp_wire.prove(ours, info, proving, deadline)
                continue
            tcp_wire.prove(ours, info, proving, deadline)
            tcp_wire.send_message(ours, ("stage", arrays), deadline)
            kind, echoed = tcp_wire.receive(ours, deadline)
            for sent, got in zip(arrays, echoed):
                np.testing.assert_array_equal(got, sent)
                assert got.dtype == sent.dtype
        finally:
            thread.join(30)
            ours.close()
            theirs.close()
        assert outcome == [accepted]
