"""tf.train.ClusterSpec, tf.DeviceSpec and replica_device_setter's ps strategies: TF 2.21's answers (recorded by
running the same calls under tf.compat.v1 with resource variables off, as TF1 makes variables)."""

from __future__ import annotations

import pytest

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")

SPARSE = {"ps": ["h0:1", "h1:2"], "worker": {1: "w1:3", 3: "w3:4"}}


def test_cluster_spec_methods_answer_as_tfs_for_lists_sparse_dicts_and_cluster_defs():
    spec = tf.train.ClusterSpec(SPARSE)
    assert spec.as_dict() == SPARSE
    assert spec.jobs == ["ps", "worker"]
    assert (spec.num_tasks("worker"), spec.task_indices("worker")) == (2, [1, 3])
    assert spec.job_tasks("worker") == [None, "w1:3", None, "w3:4"]  # TF's: None where a sparse job has no task
    assert spec.job_tasks("ps") == ["h0:1", "h1:2"]
    assert spec.task_address("worker", 3) == "w3:4"
    with pytest.raises(ValueError, match="No task with index 2 in job 'worker'"):
        spec.task_address("worker", 2)
    with pytest.raises(ValueError, match="No such job in cluster: 'chief'"):
        spec.num_tasks("chief")
    assert bool(spec) and not bool(tf.train.ClusterSpec({}))
    proto = spec.as_cluster_def()
    assert isinstance(proto, tf.train.ClusterDef)
    assert [(job.name, dict(job.tasks)) for job in proto.job] == [("ps", {0: "h0:1", 1: "h1:2"}),
                                                                  ("worker", {1: "w1:3", 3: "w3:4"})]
    assert tf.train.ClusterSpec(proto) == spec and tf.train.ClusterSpec(proto).as_dict() == SPARSE
    assert repr(spec) == "ClusterSpec({'ps': ['h0:1', 'h1:2'], 'worker': {1: 'w1:3', 3: 'w3:4'}})"
    with pytest.raises(TypeError, match="must be a dictionary mapping one or more job names .* `ClusterDef`"):
        tf.train.ClusterSpec([1, 2])
    with pytest.raises(TypeError, match="The tasks for job 'ps' must be a list or a dictionary"):
        tf.train.ClusterSpec({"ps": "h:1"})


def test_a_server_takes_a_cluster_def_and_rejects_what_its_spec_lacks():
    proto = tf.train.ClusterSpec({"ps": 1, "worker": 2}).as_cluster_def()
    with pytest.raises(tf.errors.InternalError, match='Task 5 was not defined in job "worker"'):
        tf.train.Server(proto, "worker", 5)
    server = tf.train.Server(proto, "worker", 1)  # task counts, no addresses: the tasks run in this process
    with tf.device("/job:ps/task:0"):
        v = tf.Variable(2.0)
    with tf.device("/job:worker/task:1"):
        y = v * 3.0
    with tf.Session(server.target) as sess:
        sess.run(v.initializer)
        assert sess.run(y) == 6.0


@pytest.mark.parametrize("text, fields, canonical", [
    ("/job:worker/replica:0/task:1/device:CPU:0", ("worker", 0, 1, "CPU", 0),
     "/job:worker/replica:0/task:1/device:CPU:0"),
    ("/job:w/replica:0/task:1/cpu:0", ("w", 0, 1, "CPU", 0), "/job:w/replica:0/task:1/device:CPU:0"),
    ("/job:w/gpu:2", ("w", None, None, "GPU", 2), "/job:w/device:GPU:2"),
    ("/device:GPU:*", (None, None, None, "GPU", None), "/device:GPU:*"),
    ("", (None, None, None, None, None), ""),
])
def test_device_spec_parses_and_writes_device_strings_as_tfs(text, fields, canonical):
    spec = tf.DeviceSpec.from_string(text)
    assert (spec.job, spec.replica, spec.task, spec.device_type, spec.device_index) == fields
    assert spec.to_string() == canonical


def test_device_spec_merges_replaces_and_places_ops_as_tfs():
    D = tf.DeviceSpec
    assert D(device_type="cpu").to_string() == "/device:CPU:*"
    assert D(device_index=1).to_string() == ""
    assert D("ps", 0, 1, "CPU", 0).to_string() == "/job:ps/replica:0/task:1/device:CPU:0"
    assert repr(D(job="ps", task=1)) == ("<DeviceSpec(job=ps, replica=None, task=1, device_type=None, "
                                         "device_index=None)>")
    spec = D(job="b", device_type="CPU")
    assert spec.parse_from_string("/job:a/task:3").to_string() == "/job:a/task:3"  # every field reset
    spec = D(job="b", task=1, device_type="CPU")
    spec.merge_from(D.from_string("/task:2/device:GPU:1"))
    assert spec.to_string() == "/job:b/task:2/device:GPU:1"
    assert D(job="b", task=1).make_merged_spec(D(task=3)).to_string() == "/job:b/task:3"
    assert D(job="b", task=1).replace(job="c").to_string() == "/job:c/task:1"
    assert D(job="b") == D.from_string("/job:b") and hash(D(job="b")) == hash(D.from_string("/job:b"))
    with pytest.raises(ValueError, match="Unknown attribute 'joob' is encountered while parsing the device spec"):
        D.from_string("/joob:w")
    with tf.device(D(job="ps", task=0)), tf.device(D(device_type="CPU", device_index=0)):
        c = tf.constant(1.0)
    assert c.device == "/job:ps/task:0/device:CPU:0"


def test_greedy_load_balancing_places_variables_by_byte_size_as_tf1s_device_setter():
    cluster = tf.train.ClusterSpec({"ps": ["a:1", "b:2", "c:3"], "worker": ["w:1"]})
    strategy = tf.contrib.training.GreedyLoadBalancingStrategy(3, tf.contrib.training.byte_size_load_fn)
    with tf.device(tf.train.replica_device_setter(cluster=cluster, ps_strategy=strategy)):
        shapes = [[100, 10], [5], [50, 10], [7], [300], [3, 3]]
        variables = [tf.Variable(tf.zeros(s), name=f"v{i}") for i, s in enumerate(shapes)]
        step = tf.train.get_or_create_global_step()
        emb = tf.get_variable("emb", [40, 8], partitioner=tf.fixed_size_partitioner(3))
        x = variables[0] * 2.0
    # TF 2.21 (tf.compat.v1, ref variables) with the same strategy gives these placements
    assert [v.device for v in variables] == ["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:2",
                                             "/job:ps/task:1", "/job:ps/task:1", "/job:ps/task:1"]
    assert step.device == "/job:ps/task:1"
    assert [p.device for p in emb] == ["/job:ps/task:1", "/job:ps/task:1", "/job:ps/task:2"]
    assert x.device == "/job:worker"
    op = tf.placeholder(tf.float32, [None, 3]).op
    with pytest.raises(ValueError, match="not fully defined"):
        tf.contrib.training.byte_size_load_fn(op)


def test_device_scopes_merge_and_tf_device_none_clears_them_as_tfs():
    with tf.device("/job:worker/task:1"):
        with tf.device("/device:CPU:0"):
            cpu = tf.constant(1.0)
        with tf.device("/job:ps"):
            ps = tf.constant(1.0)
        with tf.device(None):  # TF's: no device at all inside, whatever the scopes around name
            free = tf.constant(1.0)
        with tf.device(""):  # an empty string keeps the enclosing device
            kept = tf.constant(1.0)
    assert (cpu.device, ps.device, free.device, kept.device) == (
        "/job:worker/task:1/device:CPU:0", "/job:ps/task:1", "", "/job:worker/task:1")
    assert tf.constant(2.0).device == "" and tf.constant(2.0).op.device == ""  # TF's: "" where none is named
    with tf.device("/job:ps/task:1"):
        v = tf.Variable(1.0, name="v")
    with tf.device("/job:worker/task:0"), tf.colocate_with(v):
        read = tf.identity(v)
    assert read.device == "/job:ps/task:1"


def test_colocation_groups_follow_colocate_with_as_tfs():
    with tf.device("/job:ps/task:1"):
        v = tf.Variable(1.0, name="v")
    with tf.device("/job:worker/task:0"):
        with tf.colocate_with(v):
            h = tf.identity(v, name="h")
            with tf.colocate_with(h.op):
                k = tf.identity(h, name="k")  # h's group is v's: so is k's
            with tf.colocate_with(None, ignore_existing=True):
                m = tf.identity(h, name="m")  # no colocation and, as the device scopes are set aside, no device
        n = tf.identity(v, name="n")
    assert h.device == "/job:ps/task:1" and (m.device, n.device) == ("", "/job:worker/task:0")
    assert [t.op.colocation_groups() for t in (h, k, m, n)] == [[b"loc:@v"], [b"loc:@v"], [b"loc:@m"], [b"loc:@n"]]
    assert v.op.colocation_groups() == [b"loc:@v"]
