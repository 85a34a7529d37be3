"""The cpu backend in sessions: variables updated in place, snapshots, threads and the thread pool, output
buffer reuse, the kernel disk cache."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

import dfc as tf
from dfc.compiler import compile_step
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.runtime import cpu as cpu_runtime
from dfc.runtime import kernel_cache
from dfc.runtime.cpu import CpuExecutable

from cpu_backend_support import Ctx, arg_graph

pytestmark = pytest.mark.usefixtures("cpu_kernel_cache")


# ---- sessions: variables, snapshots, threads, cache ----------------------------------------------

def test_variables_update_in_place_and_reads_snapshot_the_step_start():
    v = tf.Variable(np.arange(4, dtype=np.float32), name="v")
    before = v + 0.0
    with tf.control_dependencies([before]):
        bump = tf.assign_add(v, tf.ones([4]))
    with tf.Session(backend="cpu") as sess:
        sess.run(tf.global_variables_initializer())
        address = sess.store.buffer("v").ctypes.data
        old, new = sess.run([before, bump])
        np.testing.assert_array_equal(old, np.arange(4))
        np.testing.assert_array_equal(new, np.arange(4) + 1)
        # a fetch of the variable itself shows the run's assign (TF1's ref tensor; checked with tf.compat.v1),
        # a computation on it the value the step started with
        a, b, c = sess.run([v.value(), v * 1.0, tf.assign(v, tf.zeros([4]))])
        np.testing.assert_array_equal(a, np.zeros(4))
        np.testing.assert_array_equal(b, np.arange(4) + 1)
        np.testing.assert_array_equal(sess.run(v), np.zeros(4))
        assert sess.store.buffer("v").ctypes.data == address


def test_uninitialized_variable_raises_like_the_interpreter():
    v = tf.Variable(tf.zeros([2]), name="w")
    errors = []
    for backend in ("interpreter", "cpu"):
        with tf.Session(backend=backend) as sess:
            with pytest.raises(tf.errors.FailedPreconditionError) as e:
                sess.run(v * 2.0)
            errors.append(str(e.value))
    assert errors[0] == errors[1]


def test_training_step_matches_the_interpreter():
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((32, 8)).astype(np.float32)
    ys = rng.standard_normal((32, 1)).astype(np.float32)
    results = []
    for backend in ("interpreter", "cpu"):
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [None, 8])
        y = tf.placeholder(tf.float32, [None, 1])
        w = tf.Variable(np.full((8, 1), 0.1, np.float32))
        b = tf.Variable(np.zeros(1, np.float32))
        pred = tf.matmul(x, w) + b
        loss = tf.reduce_mean(tf.square(pred - y))
        gw, gb = tf.gradients(loss, [w, b])
        train = tf.group(tf.assign_sub(w, 0.1 * gw), tf.assign_sub(b, 0.1 * gb))
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([loss, train], {x: xs, y: ys})[0] for _ in range(5)]
            results.append((losses, sess.run(w)))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-5, atol=1e-6)


def test_concurrent_runs_never_share_temporaries():
    x = tf.placeholder(tf.float32, [None])
    y = tf.reduce_sum(tf.tanh(x * 2.0) + tf.exp(-x) * x, axis=[0], keepdims=True) + x
    inputs = [np.random.default_rng(i).standard_normal(5000).astype(np.float32) for i in range(8)]
    with tf.Session(backend="cpu") as sess:
        expected = [sess.run(y, {x: a}) for a in inputs]
        failures = []

        def worker(k):
            for _ in range(30):
                out = sess.run(y, {x: inputs[k]})
                if not np.array_equal(out, expected[k]):
                    failures.append(k)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not failures


def test_big_elementwise_kernels_run_across_threads(monkeypatch):
    monkeypatch.setattr(cpu_runtime, "NUM_THREADS", 4)
    x = tf.placeholder(tf.float32, [None])
    y = tf.sigmoid(x) * 3.0 + x
    data = np.random.default_rng(1).standard_normal(1 << 20).astype(np.float32)
    with tf.Session(backend="cpu") as sess:
        got = sess.run(y, {x: data})
        step = next(iter(sess._cache.values())).step
    assert "@dfc_parallel_for" in CpuExecutable(step).lowered.text
    with tf.Session(backend="interpreter") as sess:
        ref = sess.run(y, {x: data})
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
@pytest.mark.parametrize("offset", [0, 1, 3])
def test_streaming_stores_cover_every_element_whatever_the_alignment(dtype, offset, monkeypatch):
    monkeypatch.setattr(cpu_runtime, "NUM_THREADS", 3)
    n = (1 << 20) + 37  # not a whole number of 64-byte lines; 3 threads' chunks split lines too
    x = tf.placeholder({np.float32: tf.float32, np.float64: tf.float64, np.int32: tf.int32}[dtype], [None])
    y = tf.maximum(x * 3 + 1, 2)
    data = (np.random.default_rng(2).standard_normal(n + offset) * 100).astype(dtype)[offset:]
    with tf.Session(backend="cpu") as sess:
        got = sess.run(y, {x: data})
    np.testing.assert_array_equal(got, np.maximum(data * dtype(3) + dtype(1), dtype(2)))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_the_thread_pool_serves_concurrent_callers_and_a_forked_child(monkeypatch):
    monkeypatch.setattr(cpu_runtime, "NUM_THREADS", 2)
    x = tf.placeholder(tf.float32, [None])
    y = tf.nn.relu(x * 2.0 + 1.0)
    data = np.random.default_rng(3).standard_normal(1 << 20).astype(np.float32)
    want = np.maximum(data * np.float32(2) + np.float32(1), 0)
    with tf.Session(backend="cpu") as sess:
        np.testing.assert_array_equal(sess.run(y, {x: data}), want)  # the pool has started
        pid = os.fork()
        if pid == 0:  # the child has none of the parent's workers: the pool starts them again
            os._exit(0 if np.array_equal(sess.run(y, {x: data}), want) else 1)
        assert os.waitpid(pid, 0)[1] == 0
        wrong = []

        def work():
            for _ in range(30):
                if not np.array_equal(sess.run(y, {x: data}), want):
                    wrong.append(1)

        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not wrong


def test_big_outputs_are_reused_only_once_the_caller_dropped_them():
    x = tf.placeholder(tf.float32, [None])
    y = x * 2.0
    a = np.ones(1 << 19, np.float32)
    with tf.Session(backend="cpu") as sess:
        first = sess.run(y, {x: a})
        second = sess.run(y, {x: a + 1})
        assert first is not second and np.all(first == 2.0) and np.all(second == 4.0)
        view = second[:10]
        del second
        third = sess.run(y, {x: a + 2})
        assert np.all(view == 4.0) and np.all(third == 6.0)  # a view keeps its base alive
        address = third.ctypes.data
        del third
        assert sess.run(y, {x: a}).ctypes.data == address  # dropped: its pages are written again


def test_disk_cache_hits_and_rejects_corrupt_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    g, (a,) = arg_graph([(D.f32, (3,))])
    y = create_op(g, "dfc.exp", [a]).result
    step = compile_step(g, [y], [], [a], [(3,)])
    kernel_cache.clear_memory()  # what is asked of the disk cache must not come from memory
    first = CpuExecutable(step)
    assert not first.from_cache
    entries = sorted(tmp_path.glob("*.o"))
    assert len(entries) == 2  # the exp kernel and the entry module
    kernel_cache.clear_memory()
    assert CpuExecutable(step).from_cache
    for entry in entries:
        raw = bytearray(entry.read_bytes())
        raw[-10] ^= 0xFF
        entry.write_bytes(bytes(raw))
        kernel_cache.clear_memory()
        again = CpuExecutable(step)
        assert not again.from_cache  # the checksum caught it: recompiled, not loaded
        out = again([np.array([0.0, 1.0, 2.0], np.float32)], Ctx())[0]
        np.testing.assert_allclose(out, np.exp([0.0, 1.0, 2.0]), rtol=1e-6)
        entry.write_bytes(entry.read_bytes()[:20])  # truncated
        kernel_cache.clear_memory()
        assert not CpuExecutable(step).from_cache


def test_cache_pruning_drops_the_least_recently_used(tmp_path):
    for k in range(4):
        (tmp_path / f"{k}.o").write_bytes(b"x" * 1000)
        os.utime(tmp_path / f"{k}.o", (k, k))
    cpu_runtime.prune_cache(tmp_path, max_bytes=2500)
    assert sorted(p.name for p in tmp_path.glob("*.o")) == ["2.o", "3.o"]


def test_default_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("DFC_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cpu_runtime.cache_dir() == tmp_path / "dfc"
