"""A save that fails or is killed half way, or a run interrupted by Ctrl-C, loses no data: the previous checkpoint
and the `checkpoint` state file stay whole and loadable (each file is written under a temporary name and renamed,
as TF does), and an interrupted session keeps whole variable values and goes on running."""

from __future__ import annotations

import _thread
import os
import signal
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import dfc as tf
from dfc.ir.errors import PermissionDeniedError, UnknownError
from dfc.runtime import checkpoint

pytestmark = pytest.mark.usefixtures("fresh_graph")


def _saved_twice(tmp_path):
    """A graph with variable `w`, its checkpoint of step 1 (w = 1) and a session where w = 2."""
    w = tf.Variable(tf.fill([1000], 1.0), name="w")
    saver = tf.train.Saver(max_to_keep=2)
    sess = tf.Session()
    sess.run(w.initializer)
    first = saver.save(sess, str(tmp_path / "model"), global_step=1)
    sess.run(w.assign(tf.fill([1000], 2.0)))
    return w, saver, sess, first


def _assert_only(tmp_path, first) -> None:
    """The directory holds checkpoint `first` alone, named by the state file, loadable, with no temporary files."""
    assert tf.train.latest_checkpoint(str(tmp_path)) == first
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model-1.meta", "model-1.safetensors"]
    with tf.Graph().as_default():
        w = tf.Variable(tf.zeros([1000]), name="w")
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, first)
            assert (sess.run(w) == 1.0).all()


@pytest.mark.parametrize("failure,error", [
    (OSError(28, "No space left on device"), UnknownError),
    (PermissionError(13, "Permission denied"), PermissionDeniedError),
    (KeyboardInterrupt(), KeyboardInterrupt),
])
def test_a_save_that_fails_half_way_keeps_the_previous_checkpoint(tmp_path, monkeypatch, failure, error):
    w, saver, sess, first = _saved_twice(tmp_path)
    real_fsync = os.fsync

    def fail(fd):  # the data is written to the temporary file, not yet renamed into place
        assert any(n.startswith(".tmp-") for n in os.listdir(tmp_path))
        raise failure
    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(error, match=None if error is KeyboardInterrupt else "model-2"):
        saver.save(sess, str(tmp_path / "model"), global_step=2)
    monkeypatch.setattr(os, "fsync", real_fsync)
    _assert_only(tmp_path, first)
    assert saver.last_checkpoints == [first]
    assert saver.save(sess, str(tmp_path / "model"), global_step=3).endswith("model-3")  # and saving goes on
    assert saver.last_checkpoints == [first, str(tmp_path / "model-3")]


def test_an_unwritable_directory_is_permission_denied(tmp_path, monkeypatch):
    w, saver, sess, first = _saved_twice(tmp_path)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))
    monkeypatch.setattr(checkpoint.tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionDeniedError, match="model-2.*Permission denied"):
        saver.save(sess, str(tmp_path / "model"), global_step=2)
    monkeypatch.undo()
    _assert_only(tmp_path, first)


def test_a_failed_state_file_write_keeps_the_old_one(tmp_path, monkeypatch):
    w, saver, sess, first = _saved_twice(tmp_path)
    real_replace = os.replace

    def fail(src, dst):
        if os.path.basename(dst) == "checkpoint":
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        saver.save(sess, str(tmp_path / "model"), global_step=2)
    monkeypatch.undo()
    assert tf.train.latest_checkpoint(str(tmp_path)) == first  # the state file still names the whole old one


_SAVER_CHILD = textwrap.dedent("""
    import sys
    import dfc as tf
    w = tf.Variable(tf.zeros([1_000_000]), name="w")
    step = tf.placeholder(tf.float32, [])
    fill = w.assign(tf.fill([1_000_000], step))
    saver = tf.train.Saver(max_to_keep=3)
    with tf.Session() as sess:
        for i in range(1, 10_000):
            sess.run(fill, {step: float(i)})
            saver.save(sess, sys.argv[1], global_step=i)
            print(i, flush=True)
""")


def test_a_saver_killed_mid_write_leaves_a_loadable_checkpoint(tmp_path):
    """SIGKILL a process that saves a 4 MB variable over and over: whatever moment it dies at, the state file
    names a whole checkpoint whose values are those of one step, and the next save clears the leftovers."""
    prefix = str(tmp_path / "model")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(os.path.dirname(tf.__file__)),
                                                        os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", _SAVER_CHILD, prefix], stdout=subprocess.PIPE, text=True, env=env)
    try:
        for _ in range(2):  # a few whole saves, then kill it in the middle of the next ones
            assert child.stdout.readline(), "the saving process ended early"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    latest = tf.train.latest_checkpoint(str(tmp_path))
    assert latest is not None
    step = float(latest.rsplit("-", 1)[1])
    with tf.Graph().as_default():
        w = tf.Variable(tf.zeros([1_000_000]), name="w")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, latest)
            assert (sess.run(w) == step).all()
            saver.save(sess, str(tmp_path / "after"))
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".tmp-")]


def test_ctrl_c_during_runs_leaves_whole_values_and_a_usable_session():
    n = 300_000
    v = tf.Variable(tf.zeros([n]), name="v")
    work = tf.reduce_sum(tf.matmul(tf.ones([200, 200]), tf.ones([200, 200])))
    step = v.assign_add(tf.ones([n]) + 0.0 * work)
    sess = tf.Session()
    sess.run(v.initializer)
    sess.run(step)
    done = 1
    timer = threading.Timer(0.2, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            for _ in range(100_000):
                sess.run(step)
                done += 1
    finally:
        timer.cancel()
    values = sess.run(v)
    assert len(np.unique(values)) == 1  # every element has the same number of whole updates
    assert values[0] in (done, done + 1)  # the interrupted step happened entirely or not at all
    sess.run(step)
    assert (sess.run(v) == values[0] + 1).all()


def test_a_failed_run_writes_no_variable():
    v = tf.Variable([1.0, 2.0], name="v")
    x = tf.placeholder(tf.float32, [None], name="x")
    update = v.assign(tf.check_numerics(x, "x") * 2.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match="x"):
            sess.run(update, {x: [np.nan, 1.0]})
        assert sess.run(v).tolist() == [1.0, 2.0]

