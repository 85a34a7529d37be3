"""tf.contrib.summary (TF 1.x's writer-bound summaries in graph mode): event files TensorBoard's reader reads back,
recording contexts, the global step, the collection, initialize with a graph, and the no-writer case."""

from __future__ import annotations

import glob

import numpy as np
import pytest

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")


def _events(logdir):
    (path,) = glob.glob(f"{logdir}/events.out.tfevents.*")
    assert path.endswith(".v2")  # TF's suffix for these writers
    return list(tf.summary.summary_iterator(path))


def test_summaries_write_at_the_global_step_when_recording(tmp_path):
    step = tf.train.get_or_create_global_step()
    loss = tf.constant(2.5) * tf.cast(step + 1, tf.float32)
    bump = tf.assign_add(step, 1)
    writer = tf.contrib.summary.create_file_writer(str(tmp_path), flush_millis=100)
    with writer.as_default(), tf.contrib.summary.record_summaries_every_n_global_steps(2):
        every_2 = tf.contrib.summary.scalar("loss", loss)
        tf.contrib.summary.histogram("values", tf.constant([1.0, 2.0, 2.0, 5.0]))
    with writer.as_default(), tf.contrib.summary.always_record_summaries():
        tf.contrib.summary.image("pictures", tf.zeros([2, 3, 3, 1]), max_images=1, family="seen")
    with writer.as_default(), tf.contrib.summary.never_record_summaries():
        never = tf.contrib.summary.scalar("never", loss)
    assert every_2.dtype == tf.bool and len(tf.contrib.summary.all_summary_ops()) == 4
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with writer.as_default():
            tf.contrib.summary.initialize(graph=tf.get_default_graph(), session=sess)
        ran = []
        for _ in range(3):
            ran.append(sess.run(tf.contrib.summary.all_summary_ops()))
            sess.run(bump)
        assert sess.run(never) is False
        sess.run(writer.flush())
    assert [r[:2] for r in ran] == [[True, True], [False, False], [True, True]]
    events = _events(tmp_path)
    assert any(e.graph_def for e in events)
    scalars = [(e.step, v.tag, v.simple_value) for e in events for v in e.summary.value if v.HasField("simple_value")
               and v.tag == "loss"]
    assert scalars == [(0, "loss", 2.5), (2, "loss", 7.5)]
    histos = [e.step for e in events for v in e.summary.value if v.HasField("histo")]
    assert histos == [0, 2]
    images = [(e.step, v.tag) for e in events for v in e.summary.value if v.HasField("image")]
    # TF1's summary scope puts the family before the scope that already holds it
    assert images == [(0, "seen/seen/pictures/image"), (1, "seen/seen/pictures/image"),
                      (2, "seen/seen/pictures/image")]


def test_explicit_step_and_no_writer(tmp_path):
    assert tf.contrib.summary.scalar("nothing", 1.0).type == "NoOp"  # no default writer: a no-op
    writer = tf.contrib.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        assert tf.contrib.summary.scalar("off", 1.0) in tf.contrib.summary.all_summary_ops()  # not recording
        with tf.contrib.summary.always_record_summaries():
            op = tf.contrib.summary.scalar("at_seven", tf.constant(np.float32(4.0)), step=7)
    with tf.Session() as sess:
        sess.run(writer.init())
        assert sess.run(op)
        sess.run(writer.close())
    assert [(e.step, v.tag) for e in _events(tmp_path) for v in e.summary.value] == [(7, "at_seven")]


def test_eval_dir():
    assert tf.contrib.summary.eval_dir("/m") == "/m/eval"
    assert tf.contrib.summary.eval_dir("/m", "test") == "/m/eval_test"


def test_initialize_needs_a_default_writer():
    with tf.Session() as sess:
        with pytest.raises(RuntimeError, match="SummaryWriter"):
            tf.contrib.summary.initialize(session=sess)
