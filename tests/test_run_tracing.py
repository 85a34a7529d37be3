"""RunOptions(trace_level=FULL_TRACE): the run's StepStats, tf.python.client.timeline, tf.train.ProfilerHook."""

import glob
import json
import os

import numpy as np
import pytest

import dfc as tf
from dfc.python.client import timeline


def test_a_traced_run_fills_step_stats_with_what_it_ran():
    x = tf.placeholder(tf.float32, [4, 4], name="x")
    y = tf.matmul(x, x, name="product")
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        got = sess.run(y, {x: np.eye(4)}, options=options, run_metadata=metadata)
        np.testing.assert_array_equal(got, np.eye(4))
        assert not tf.RunMetadata().step_stats.dev_stats  # an untraced run leaves its metadata alone
        sess.run(y, {x: np.eye(4)}, run_metadata=tf.RunMetadata())
    devices = metadata.step_stats.dev_stats
    assert [d.device for d in devices] == ["/job:localhost/replica:0/task:0/device:CPU:0"]
    node = devices[0].node_stats[0]
    assert "product" in node.timeline_label and node.all_start_micros > 0
    assert node.all_end_rel_micros >= node.op_start_rel_micros >= 0
    trace = json.loads(timeline.Timeline(metadata.step_stats).generate_chrome_trace_format())
    complete = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert complete and complete[0]["ts"] == node.all_start_micros
    names = [e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M" and e["name"] == "process_name"]
    assert names == ["/job:localhost/replica:0/task:0/device:CPU:0 Compute"]


def test_a_traced_run_of_a_split_step_times_each_stage():
    words = tf.constant(["a", "bb", "ccc"])
    lengths = tf.cast(tf.strings.length(words), tf.float32) * 2.0
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        got = sess.run(lengths, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=metadata)
    np.testing.assert_array_equal(got, [2.0, 4.0, 6.0])
    labels = [n.timeline_label for n in metadata.step_stats.dev_stats[0].node_stats]
    assert any(label.startswith("dfc_stage_0 = HostStage(") for label in labels), labels


def test_profiler_hook_writes_timelines_and_run_metadata(tmp_path):
    step = tf.train.get_or_create_global_step()
    v = tf.Variable(1.0)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.square(v), global_step=step)
    hook = tf.train.ProfilerHook(save_steps=2, output_dir=str(tmp_path))
    with tf.train.MonitoredTrainingSession(hooks=[hook]) as sess:
        for _ in range(5):
            sess.run(train)
    written = sorted(os.path.basename(p) for p in glob.glob(str(tmp_path / "timeline-*.json")))
    assert written == ["timeline-2.json", "timeline-4.json"]
    trace = json.load(open(tmp_path / "timeline-2.json"))
    assert any(e["ph"] == "X" for e in trace["traceEvents"])
    from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader
    from tensorboard.compat.proto.event_pb2 import Event
    events = [Event.FromString(raw) for path in glob.glob(str(tmp_path / "events.out.tfevents.*"))
              for raw in RawEventFileLoader(path).Load()]
    assert {e.tagged_run_metadata.tag for e in events if e.HasField("tagged_run_metadata")} == {"step_2", "step_4"}


def test_profiler_hook_needs_a_global_step(tmp_path):
    with tf.Graph().as_default():
        tf.Variable(1.0)
        hook = tf.train.ProfilerHook(save_steps=1, output_dir=str(tmp_path))
        with pytest.raises(RuntimeError, match="Global step should be created to use ProfilerHook."):
            hook.begin()
