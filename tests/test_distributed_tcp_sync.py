"""Synchronous replicas across processes over TCP, as TF1's distributed scripts run them (mnist_replica.py shape):
two parameter-server processes holding a partitioned weight, two worker processes under replica_device_setter with
SyncReplicasOptimizer, started through MonitoredTrainingSession with the optimizer's hook or through
tf.train.Supervisor with the chief queue runner and init tokens; the ps processes leave their server.join()
loop through the shared-name "done" queue workers enqueue to. The variables must be TF's (recorded by
tests/record_cluster_scripts.py): every replica computes the same batch's gradient, so each update is one
gradient-descent step whichever replicas it averages."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
from recordings import load_recording
from test_distributed_tcp import MODEL, TIMEOUT, Tasks, free_ports, read_ps

import dfc as tf

TESTS = pathlib.Path(__file__).resolve().parent

SCRIPT = r'''
import json, sys, time
import numpy as np
import dfc as tf
from tf1_scripts_cluster import STEPS, build

job, index, mode, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ps, workers = sys.argv[5].split(","), sys.argv[6].split(",")
cluster = tf.train.ClusterSpec({"ps": ps, "worker": workers})
server = tf.train.Server(cluster, job_name=job, task_index=index)
if job == "ps":  # TF1's way to let a ps exit: wait until every worker put a token in this ps's shared queue
    with tf.device(f"/job:ps/task:{index}"):
        done = tf.FIFOQueue(len(workers), tf.int32, shared_name=f"done_queue{index}")
    print("serving", flush=True)
    with tf.Session(server.target) as sess:
        for _ in workers:
            sess.run(done.dequeue())
    sys.exit(0)

is_chief = index == 0
aggregate = 1 if mode == "supervisor" else len(workers)  # supervisor: one backup worker
with tf.device(tf.train.replica_device_setter(worker_device=f"/job:worker/task:{index}", cluster=cluster)):
    model = build(tf, aggregate, len(workers))
    done_ops = []
    for i in range(len(ps)):
        with tf.device(f"/job:ps/task:{i}"):
            done_ops.append(tf.FIFOQueue(len(workers), tf.int32, shared_name=f"done_queue{i}").enqueue(1))
    with tf.device("/job:ps/task:0"):
        finished = tf.FIFOQueue(len(workers), tf.int32, shared_name="finished_queue")
        take_finished, put_finished = finished.dequeue(), finished.enqueue(index)
opt, values = model["opt"], model["values"]
result = {}
if mode == "monitored":
    hooks = [opt.make_session_run_hook(is_chief), tf.train.StopAtStepHook(last_step=STEPS)]
    final = tf.train.FinalOpsHook(values)
    with tf.train.MonitoredTrainingSession(
            master=server.target, is_chief=is_chief, hooks=hooks, chief_only_hooks=[final],
            config=tf.ConfigProto(device_filters=["/job:ps", f"/job:worker/task:{index}"]),
            checkpoint_dir=out + ".ckpt" if is_chief else None, save_checkpoint_steps=5, log_step_count_steps=0,
            scaffold=tf.train.Scaffold(saver=tf.train.Saver(sharded=True))) as sess:
        while not sess.should_stop():
            sess.run(model["train_op"])
    if is_chief:
        result = {k: np.asarray(v).tolist() for k, v in final.final_ops_values.items()}
else:
    local_init_op = opt.chief_init_op if is_chief else opt.local_step_init_op
    chief_queue_runner, init_tokens_op = opt.get_chief_queue_runner(), opt.get_init_tokens_op()
    sv = tf.train.Supervisor(is_chief=is_chief, logdir=out + ".logdir", init_op=tf.global_variables_initializer(),
                             local_init_op=local_init_op, ready_for_local_init_op=opt.ready_for_local_init_op,
                             recovery_wait_secs=0.1, global_step=model["global_step"])
    sess = sv.prepare_or_wait_for_session(server.target)
    if is_chief:
        sess.run(init_tokens_op)
        sv.start_queue_runners(sess, [chief_queue_runner])
    step = 0
    while step < STEPS:
        _, step = sess.run([model["train_op"], model["global_step"]])
    if is_chief:  # the chief's queue runner serves the others until they finished, as TF1 scripts arrange
        for _ in workers[1:]:
            sess.run(take_finished)
        sv.request_stop()
        previous = None
        for _ in range(200):  # once the updates settle (a backup's last one may be in flight)
            result = {k: np.asarray(v).tolist() for k, v in sess.run(values).items()}
            if result == previous:
                break
            previous = result
            time.sleep(0.05)
    else:
        sess.run(put_finished)
with tf.Session(server.target) as sess:
    for op in done_ops:
        sess.run(op)
with open(out, "w") as f:
    json.dump(result, f)
'''


def run_cluster(tmp_path: pathlib.Path, mode: str) -> dict[str, dict]:
    """Start 2 ps and 2 worker processes of SCRIPT; every one must exit 0 (the ps ones through the done queue)."""
    script = tmp_path / "replica.py"
    script.write_text(SCRIPT)
    ps, workers = [[f"127.0.0.1:{p}" for p in ports] for ports in (free_ports(2), free_ports(2))]
    env = dict(os.environ, DFC_CONNECT_TIMEOUT="90",
               PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    env.pop("DFC_CLUSTER_ENGINE", None)
    procs = []
    try:
        for job, index in (("worker", 1), ("ps", 0), ("worker", 0), ("ps", 1)):
            out = tmp_path / f"{job}{index}.json"
            procs.append((out, subprocess.Popen(
                [sys.executable, str(script), job, str(index), mode, str(out), ",".join(ps), ",".join(workers)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)))
        for _, proc in procs:
            _, stderr = proc.communicate(timeout=TIMEOUT)
            assert proc.returncode == 0, stderr[-3000:]
        return {out.stem: json.loads(out.read_text()) for out, _ in procs if out.exists()}  # the workers' results
    finally:
        for _, proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate(timeout=TIMEOUT)


def test_monitored_sync_replicas_over_two_ps_and_two_worker_processes_match_tf_and_restore(tmp_path):
    results = run_cluster(tmp_path, "monitored")
    chief = results["worker0"]
    want = load_recording("cluster_sync_replicas")  # TF: one replica, in one process, the same 12 steps
    assert chief["global_step"] == want["global_step"] == 12
    for key in ("weights", "bias", "loss"):
        np.testing.assert_allclose(chief[key], want[key], rtol=1e-5, atol=1e-6, err_msg=key)
    # the chief's sharded saver wrote the variables of both ps tasks; a one-process graph restores them
    ckpt = tf.train.latest_checkpoint(str(tmp_path / "worker0.json.ckpt"))
    assert ckpt.endswith("model.ckpt-12")
    graph = tf.Graph()
    with graph.as_default():
        with tf.variable_scope("model", partitioner=tf.fixed_size_partitioner(2)):
            weights = tf.get_variable("weights", [4, 2])
        bias = tf.Variable(tf.zeros([2]), name="bias")
        step = tf.train.get_or_create_global_step()
        whole = tf.convert_to_tensor(weights)
        with tf.Session() as sess:
            tf.train.Saver([*weights, bias, step]).restore(sess, ckpt)
            np.testing.assert_allclose(sess.run(whole), want["weights"], rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(sess.run(bias), want["bias"], rtol=1e-5, atol=1e-6)
            assert sess.run(step) == 12


def test_supervised_sync_replicas_with_a_backup_worker_take_one_gradient_descent_step_per_update(tmp_path):
    results = run_cluster(tmp_path, "supervisor")
    chief = results["worker0"]
    trajectory = load_recording("cluster_gd_trajectory")  # TF's variables after k plain descent steps
    step = chief["global_step"]
    assert 12 <= step < len(trajectory["weights"])
    np.testing.assert_allclose(chief["weights"], trajectory["weights"][step], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(chief["bias"], trajectory["bias"][step], rtol=1e-5, atol=1e-6)



def test_a_killed_worker_process_restarted_rejoins_the_training_on_the_same_ps(tmp_path):
    tasks, ports, steps = Tasks(tmp_path), free_ports(3), 20
    try:
        ps = tasks.start("ps", 0, ports)
        assert ps.stdout.readline().strip() == "serving"
        chief, other = tasks.start("worker", 0, ports, steps), tasks.start("worker", 1, ports, steps)
        done = 0
        while done < 3:  # the non-chief made 3 steps on the shared variables
            line = other.stdout.readline()
            assert line, other.stderr.read()[-3000:]
            done += line.startswith("step")
        other.kill()
        other.wait(TIMEOUT)
        again = tasks.start("worker", 1, ports, steps)  # same task, new process: it finds the chief's variables
        assert len(tasks.finish(chief)["losses"]) == steps
        assert len(tasks.finish(again)["losses"]) == steps
        # every step of every process counted on the ps (the killed one's step in flight may or may not have)
        assert read_ps(ports[0], MODEL)["global_step"] in (2 * steps + done, 2 * steps + done + 1)
        assert ps.poll() is None
    finally:
        tasks.kill_all()
