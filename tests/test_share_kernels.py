"""Kernels alike but for shape constants share one module (compiler/codegen/share.py), with the same values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dfc as tf
from dfc.compiler import compile_step
from dfc.compiler.codegen import share
from dfc.compiler.codegen.cpu import lower
from dfc.compiler.codegen.module import KernelUnit


def _kernels(fetches, feeds=()):
    step = compile_step(tf.get_default_graph(), [t._dfc_ir() for t in fetches], [],
                        [f._dfc_ir() for f in feeds], [tuple(f.shape.as_list()) for f in feeds])
    return lower(step).kernels


def _layers(sizes):
    """The same layer (tanh(x * 1.5 + 0.25), transposed, concatenated with itself) on inputs of several sizes."""
    xs = [tf.placeholder(tf.float32, [n, m]) for n, m in sizes]
    ys = [tf.concat([tf.transpose(tf.tanh(x * 1.5 + 0.25))] * 2, 1) for x in xs]
    return xs, ys


def _layer(x):
    t = np.tanh(x * np.float32(1.5) + np.float32(0.25)).T
    return np.concatenate([t, t], 1)


def _run(fetches, feed, monkeypatch, sharing: bool):
    monkeypatch.setenv("DFC_SHARE_KERNELS", "1" if sharing else "0")
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_one_kernel_serves_every_size_and_gives_the_unshared_values_bit_for_bit(monkeypatch):
    tf.reset_default_graph()
    sizes = ((3, 5), (17, 64), (100, 9), (1000, 130))
    xs, ys = _layers(sizes)
    monkeypatch.setenv("DFC_SHARE_KERNELS", "0")
    alone = _kernels(ys, xs)
    monkeypatch.setenv("DFC_SHARE_KERNELS", "1")
    shared = _kernels(ys, xs)
    assert len(alone) >= len(sizes) and len(shared) < len(alone)
    assert any("i64 %shape0" in k.text and "(i64, " in k.declaration for k in shared)
    rng = np.random.default_rng(0)
    feed = {x: rng.standard_normal(n).astype(np.float32) for x, n in zip(xs, sizes)}
    got = _run(ys, feed, monkeypatch, True)
    want = _run(ys, feed, monkeypatch, False)
    for g, w, x in zip(got, want, xs):
        assert g.tobytes() == w.tobytes()
        np.testing.assert_allclose(g, _layer(feed[x]), rtol=2e-6, atol=1e-6)


def test_reductions_with_fast_math_flags_keep_their_own_kernels(monkeypatch):
    """A reassoc sum's order may follow its loop bounds: such kernels are never shared."""
    tf.reset_default_graph()
    xs = [tf.placeholder(tf.float64, [n, 64]) for n in (50, 70)]
    means = [tf.reduce_mean(x, axis=0) for x in xs]
    monkeypatch.setenv("DFC_SHARE_KERNELS", "1")
    kernels = _kernels(means, xs)
    assert all("%shape" not in k.text for k in kernels if "reassoc" in k.text)
    assert any("reassoc" in k.text for k in kernels)


def test_literals_llvm_needs_constant_stay_literals():
    lits = share._line_literals
    assert lits("  %t1 = mul i64 %t0, 784") == [(len("  %t1 = mul i64 %t0, "), len("  %t1 = mul i64 %t0, 784"), "i64")]
    assert lits("  %t1 = udiv i64 %t0, 784") == []  # a division by a constant is a multiply
    assert lits("  %t1 = shl i64 %t0, 3") == []
    assert lits("  %a1 = alloca double, i64 64, align 16") == []
    assert lits("  %t2 = fadd reassoc double %t1, 0x3FF0000000000000") == []
    assert lits("  call void @llvm.lifetime.start.p0(i64 64, ptr %a)") == []
    assert lits("  store <2 x i64> <i64 1, i64 2>, ptr %p") == []
    assert [t for _, _, t in lits("  call void @llvm.memset.p0.i64(ptr %p, i8 0, i64 4096, i1 false)")] == ["i64"]
    assert [t for _, _, t in lits("  %t3 = fdiv double %t2, 0x40B8800000000000")] == ["double"]


def test_kernels_that_differ_elsewhere_are_not_merged():
    unit = KernelUnit("dfc_k_a", "declare void @dfc_k_a(ptr)",
                      "define void @dfc_k_a(ptr noalias %p0) {\nentry:\n  %t1 = udiv i64 7, 3\n  ret void\n}\n")
    other = KernelUnit("dfc_k_b", "declare void @dfc_k_b(ptr)",
                       "define void @dfc_k_b(ptr noalias %p0) {\nentry:\n  %t1 = udiv i64 7, 5\n  ret void\n}\n")
    assert share._parse(unit).key() != share._parse(other).key()


@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(1, 300), min_size=2, max_size=4, unique=True), st.floats(-3, 3, width=32))
def test_shared_kernels_match_the_unshared_ones_for_any_sizes(sizes, scale):
    tf.reset_default_graph()
    xs = [tf.placeholder(tf.float32, [n]) for n in sizes]
    ys = [tf.concat([tf.sigmoid(x * scale), x[1:] / 3.0, x[:1]], 0) for x in xs]
    rng = np.random.default_rng(len(sizes))
    feed = {x: rng.standard_normal(n).astype(np.float32) * 4 for x, n in zip(xs, sizes)}
    with pytest.MonkeyPatch.context() as mp:
        got = _run(ys, feed, mp, True)
        want = _run(ys, feed, mp, False)
    for g, w in zip(got, want):
        assert g.tobytes() == w.tobytes()
