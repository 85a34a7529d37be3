"""benchmarks/distributed.py builds its workloads and measures them on one process and the embedded engine."""

from __future__ import annotations

import numpy as np

import dfc as tf
from benchmarks import distributed


def test_each_workload_gives_the_same_values_on_one_process_and_the_embedded_engine():
    for build in distributed.WORKLOADS.values():
        values = []
        for config in (tf.ConfigProto(allow_soft_placement=True), None):
            fetches, feeds = build(2)
            with tf.Session(config=config) as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(fetches, feeds)
                values.append(sess.run(tf.trainable_variables()))
        for a, b in zip(*values):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_timeit_returns_seconds_per_call():
    assert distributed.timeit(lambda: None, min_time=0.01, repeats=2) > 0
