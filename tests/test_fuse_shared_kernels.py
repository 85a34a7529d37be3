"""The fuse pass's shared kernels: groups alike but for their small constants read them as operands."""

from __future__ import annotations

import numpy as np

import dfc as tf
from dfc.compiler import compile_step
from dfc.compiler.fuse import SHARED_KERNELS


def _fused(fetches, x, shape):
    step = compile_step(tf.get_default_graph(), [t._dfc_ir() for t in fetches], [], [x._dfc_ir()], [shape])
    return [op for op in step.ops if op.type == "dfc.fused"]


def _region_constants(op):
    return [inner for inner in op.regions[0].ops if inner.type == "dfc.constant"]


def test_many_kernels_alike_but_for_constants_share_one_and_compute_their_own_values():
    """200 tf.reduce_sum(x * i) fetched at once compiled 200 kernels (15 s); now they read i as an operand."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [10])
    n = 2 * SHARED_KERNELS
    sums = [tf.reduce_sum(x * (i + 2.5) + (0.5 * i + 0.25)) for i in range(n)]
    fused = _fused(sums, x, (10,))
    assert len(fused) == n and not any(_region_constants(op) for op in fused)
    data = np.arange(10, dtype=np.float32)
    with tf.Session() as sess:
        got = sess.run({f"s{i}": s for i, s in enumerate(sums)}, {x: data})
    expected = [np.sum(data * np.float32(i + 2.5) + np.float32(0.5 * i + 0.25)) for i in range(n)]
    np.testing.assert_allclose([got[f"s{i}"] for i in range(n)], expected, rtol=1e-6)


def test_a_few_kernels_and_equal_constants_keep_their_constants_inside():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [10])
    few = [tf.reduce_sum(x * float(i)) for i in range(SHARED_KERNELS - 1)]
    assert all(_region_constants(op) for op in _fused(few, x, (10,)))
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [10])
    same = [tf.reduce_sum(tf.tanh(x * 2.0 + float(i == -1))) for i in range(2 * SHARED_KERNELS)]  # one kernel text
    assert all(_region_constants(op) for op in _fused(same, x, (10,)))
