"""The plan's variable reads: a copy only when an assign of the variable comes before the read's last use."""

from __future__ import annotations

import numpy as np

import dfc as tf
from dfc.runtime.cpu import CpuExecutable



def test_reads_used_up_before_the_assign_alias_the_variable_and_later_uses_get_a_snapshot(tmp_path, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    tf.reset_default_graph()
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
    loss = tf.reduce_sum(tf.square(tf.reshape(w, [3, 2])))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)  # reads w, then assigns it
    plans = []
    original = CpuExecutable.__init__

    def spy(self, step, *args, **kwargs):
        original(self, step, *args, **kwargs)
        plans.append(self.lowered.plan)
    monkeypatch.setattr(CpuExecutable, "__init__", spy)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(w)
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), before - 0.1 * 2 * before, rtol=1e-6)
        assert not plans[-2].snapshot_reads  # the train step: every read of w is used up before the assign
        old, _ = sess.run([w + 0.0, train])  # a fetched read must see the old value
        np.testing.assert_allclose(old, before * 0.8, rtol=1e-6)
        assert plans[-1].snapshot_reads
