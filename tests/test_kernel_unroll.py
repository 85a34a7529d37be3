"""LLVM's loop unrolling runs only on kernels with fast-math flags (DFC_KERNEL_UNROLL, compiler/target.py)."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.compiler import target as target_module
from dfc.compiler.target import TargetError, cpu_target, has_fast_math

LOOP = """define void @k(ptr noalias %p0) {
entry:
  br label %head
head:
  %i = phi i64 [ 0, %entry ], [ %j, %head ]
  %q = getelementptr inbounds float, ptr %p0, i64 %i
  %x = load float, ptr %q
  %y = fmul float %x, 0x4000000000000000
  %j = add i64 %i, 1
  %r = getelementptr inbounds float, ptr %p0, i64 %j
  store float %y, ptr %r
  %c = icmp slt i64 %j, 6
  br i1 %c, label %head, label %done
done:
  ret void
}
"""


def test_the_policy_is_part_of_the_targets_identity_and_bad_values_are_refused(monkeypatch):
    monkeypatch.setenv("DFC_KERNEL_UNROLL", "all")
    unrolled = cpu_target()
    monkeypatch.setenv("DFC_KERNEL_UNROLL", "fast-math")
    default = cpu_target()
    assert unrolled.unroll == "all" and default.unroll == "fast-math"
    assert unrolled.identity != default.identity
    monkeypatch.setenv("DFC_KERNEL_UNROLL", "sometimes")
    with pytest.raises(TargetError, match="DFC_KERNEL_UNROLL='sometimes'"):
        cpu_target()


def test_a_constant_trip_count_loop_stays_a_loop_unless_the_kernel_has_fast_math_flags(monkeypatch):
    monkeypatch.setenv("DFC_KERNEL_UNROLL", "fast-math")
    target = cpu_target()
    header = target.header() + "\n"
    assert "br i1" in str(target.optimize(header + LOOP, 3))  # kept as a loop
    assert not has_fast_math(LOOP)
    fast = LOOP.replace("fmul float", "fmul reassoc float")
    assert has_fast_math(fast) and "br i1" not in str(target.optimize(header + fast, 3))  # fully unrolled
    monkeypatch.setenv("DFC_KERNEL_UNROLL", "all")
    assert "br i1" not in str(cpu_target().optimize(header + LOOP, 3))


def test_conv_training_values_are_the_same_with_and_without_unrolling(monkeypatch):
    rng = np.random.default_rng(0)
    data = rng.standard_normal((2, 9, 9, 3)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 3, 8)).astype(np.float32)
    got = []
    for policy in ("all", "fast-math"):
        monkeypatch.setenv("DFC_KERNEL_UNROLL", policy)
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [2, 9, 9, 3])
        w = tf.constant(kernel)
        y = tf.nn.relu(tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME"))
        loss = tf.reduce_mean(tf.square(tf.nn.max_pool(y, [1, 2, 2, 1], [1, 1, 1, 1], "VALID")))
        with tf.Session() as sess:
            got.append(sess.run([y, loss] + tf.gradients(loss, [x, w]), {x: data}))
    for a, b in zip(*got):
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()
    assert target_module.KERNEL_UNROLL_ENV == "DFC_KERNEL_UNROLL"
