"""The partition pass: placement, send/recv parts that verify and re-parse, stages that compile and compute the step."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dfc as tf
from dfc.compiler import compile_step
from dfc.compiler.partition import DeviceSpec, device_key, partition, place, task_key
from dfc.ir import interpret, parse_graph, print_graph, verify
from dfc.ir.errors import InvalidArgumentError
from dfc.runtime.distribute.task import compile_stage

ROOT = pathlib.Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("fresh_graph")


class Variables:
    """A context with variables in a dict: for running the whole step and its stages on the interpreter."""

    def __init__(self, values):
        self.values = {k: np.array(v) for k, v in values.items()}

    def feed(self, op):
        raise AssertionError(op)

    def read_variable(self, name, op):
        return self.values[name].copy()

    def write_variable(self, name, value, op):
        self.values[name] = np.array(value)
        return np.array(value)

    def random_step(self, op):
        return 0


def run_stages(part, args, ctx, compiled: bool = False):
    """The step's fetches, running the stages in order on the interpreter, values handed on by key."""
    values = dict(zip(part.feeds, args))
    for stage in part.stages:
        graph = compile_stage(parse_graph(print_graph(stage.graph))) if compiled else stage.graph
        outputs = interpret(graph, [values[k] for k in stage.inputs], ctx)
        values.update(zip(stage.outputs, outputs))
    return [values[k] for k in part.fetches]


def training_step():
    x = tf.placeholder(tf.float32, (8, 4), name="x")
    with tf.device("/job:ps/task:0"):
        w = tf.Variable(tf.zeros((4, 3)), name="w")
    with tf.device("/job:ps/task:1"):
        b = tf.Variable(tf.zeros((3,)), name="b")
    xs = tf.split(0, 2, x)
    losses = []
    for i in range(2):
        with tf.device(f"/job:worker/task:{i}/gpu:0"):
            losses.append(tf.reduce_sum(tf.square(tf.matmul(xs[i], w) + b)))
    loss = tf.add_n(losses)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    graph = tf.get_default_graph()
    step = compile_step(graph, [loss._dfc_ir()], [train._dfc_ir()], [x._dfc_ir()], [(8, 4)], pipeline=["autodiff"])
    return step


def test_device_spec_reads_tf_device_strings():
    assert DeviceSpec.parse("/job:ps/task:1/cpu:0") == DeviceSpec("ps", None, 1, "CPU", 0)
    assert DeviceSpec.parse("/job:worker/replica:0/task:2/device:GPU:1").task_name == "/job:worker/replica:0/task:2"
    assert DeviceSpec.parse("/gpu:0").task_name is None
    with pytest.raises(InvalidArgumentError, match="'jobs:ps' is not one of"):
        DeviceSpec.parse("/jobs:ps/task:0")


def test_variables_and_their_updates_land_on_their_ps_and_unplaced_ops_on_the_default_task():
    step = training_step()
    where = place(step, task_key("/job:worker/task:0"))
    by_name = {op.name: task for op, task in where.items()}
    updates = [op for op in step.ops if op.type == "dfc.assign_sub"]
    assert {where[op] for op in updates if op.attrs["variable"] == "w"} == {"/job:ps/replica:0/task:0"}
    assert {where[op] for op in updates if op.attrs["variable"] == "b"} == {"/job:ps/replica:0/task:1"}
    assert by_name["split"] == "/job:worker/replica:0/task:0"
    assert by_name["MatMul_1"] == "/job:worker/replica:0/task:1"


def test_parts_verify_reparse_and_pair_every_send_with_one_recv():
    part = partition(training_step(), task_key("/job:worker/task:0"))
    assert set(part.parts) == {"/job:ps/replica:0/task:0", "/job:ps/replica:0/task:1", "/job:worker/replica:0/task:0",
                               "/job:worker/replica:0/task:1"}
    sends, recvs = [], []
    for name, graph in part.parts.items():
        verify(graph)
        text = print_graph(graph)
        assert print_graph(parse_graph(text)) == text
        sends += [(op.attrs["key"], op.attrs["send_device"]) for op in graph.ops if op.type == "dfc.send"
                  if op.attrs["send_device"] == name]
        recvs += [(op.attrs["key"], op.attrs["send_device"]) for op in graph.ops if op.type == "dfc.recv"
                  if op.attrs["recv_device"] == name]
    assert sorted(sends) == sorted(recvs) and sends


def test_stages_compile_with_the_pipeline_and_compute_the_step():
    step = training_step()
    part = partition(step, task_key("/job:worker/task:0"))
    assert all(s.depth <= t.depth for s, t in zip(part.stages, part.stages[1:]))
    for stage in part.stages:
        assert all(part.stages[i].index < stage.index for i in stage.after)
    x = np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32)
    start = {"w": np.full((4, 3), 0.1, np.float32), "b": np.ones(3, np.float32)}
    whole = Variables(start)
    expected = interpret(step, [x], whole)
    for compiled in (False, True):
        ctx = Variables(start)
        got = run_stages(part, [x], ctx, compiled)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-5)
        for name in start:
            np.testing.assert_allclose(ctx.values[name], whole.values[name], rtol=1e-5)


def test_device_key_splits_host_and_device_parts():
    step = training_step()
    part = partition(step, device_key("/job:worker/task:0"))
    assert "/job:worker/replica:0/task:1/device:GPU:0" in part.parts
    assert "/job:worker/replica:0/task:0/device:CPU:0" in part.parts


def test_partition_refuses_a_graph_without_fetch():
    graph = tf.get_default_graph()
    tf.constant(1.0)
    with pytest.raises(InvalidArgumentError, match="step graph"):
        partition(graph, task_key("/job:worker/task:0"))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "mul", "sub"]), st.integers(0, 3), st.integers(0, 3),
                          st.integers(0, 2)), min_size=1, max_size=12))
def test_random_placed_graphs_compute_the_same_partitioned(ops):
    """Random chains of elementwise ops on random tasks: the stages give what the whole step gives."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, (3,), name="x")
    values = [x]
    for kind, i, j, task in ops:
        with tf.device(f"/job:worker/task:{task}"):
            a, b = values[i % len(values)], values[j % len(values)]
            values.append({"add": tf.add, "mul": tf.multiply, "sub": tf.subtract}[kind](a, b))
    fetches = [v._dfc_ir() for v in values[1:]]
    step = compile_step(tf.get_default_graph(), fetches, [], [x._dfc_ir()], [(3,)], pipeline=[])
    part = partition(step, task_key("/job:worker/task:0"))
    arg = np.array([0.5, -1.0, 2.0], np.float32)
    expected = interpret(step, [arg])
    got = run_stages(part, [arg], Variables({}))
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(e, g)


def test_cli_shows_each_tasks_part():
    proc = subprocess.run([sys.executable, "-m", "dfc.tools", "compile", "examples/seeds/parameter_server.py",
                           "--run", "2", "--stage", "partition"], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    chunks = proc.stdout.split("// part ")[1:]
    assert [c.split(" ", 1)[0] for c in chunks] == ["/job:ps/replica:0/task:0"] + [
        f"/job:worker/replica:0/task:{i}" for i in range(4)]
    for chunk in chunks:
        graph = parse_graph(chunk.split("\n", 1)[1])
        verify(graph)
    assert '"dfc.send"' in chunks[0] and '"dfc.recv"' in chunks[1]
