"""Kernels compiled once: deduplicated per step and across graphs, cached in memory and on disk, entries
that cannot be trusted (renamed, FIFO, directory, unreadable) recompiled, and a bounded session cache."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

import dfc as tf
from dfc.compiler import compile_step
from dfc.compiler.codegen import module as codegen_module
from dfc.compiler.target import cpu_target
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.errors import InvalidArgumentError
from dfc.ir.graph import Graph
from dfc.ir.types import TensorType
from dfc.runtime import kernel_cache
from dfc.runtime.cpu import CpuExecutable


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty disk cache and an empty memory cache: every module compiles once."""
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    kernel_cache.clear_memory()
    yield tmp_path
    kernel_cache.clear_memory()


def compiled_now() -> int:
    return kernel_cache.STATS.compiled


def layers_graph(n: int, extra_op: bool = False):
    """The issue's training step, small: matmul by one of 8 variables, tanh, residual add, minus the row mean."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, (8, 8))
        ws = [tf.Variable(np.full((8, 8), 0.01 * (k + 1), np.float32)) for k in range(8)]
        h = x
        for i in range(n):
            h = h + tf.tanh(tf.matmul(h, ws[i % 8]))
            h = h - tf.reduce_mean(h, axis=1, keepdims=True)
        if extra_op:
            h = tf.sigmoid(h)
        loss = tf.reduce_sum(tf.square(h))
        train = tf.train.AdamOptimizer(1e-3).minimize(loss)
        init = tf.global_variables_initializer()
    return g, x, loss, train, init


def first_step(n: int, extra_op: bool = False) -> tuple[CpuExecutable, int, float]:
    """(the training step's executable, modules compiled for it, its loss)."""
    g, x, loss, train, init = layers_graph(n, extra_op)
    with tf.Session(graph=g) as sess:
        sess.run(init)
        before = compiled_now()
        value, _ = sess.run([loss, train], {x: np.ones((8, 8), np.float32)})
        exe = next(e for e in sess._cache.values() if e.lowered.plan.outputs)
        return exe, compiled_now() - before, float(value)


def entry_modules(exe: CpuExecutable) -> int:
    return 1 + len(exe.lowered.parts)


def test_layers_compile_distinct_kernels_once(fresh_cache):
    small, compiled_small, _ = first_step(16)  # every variable used twice
    kernels = {k.symbol for k in small.lowered.kernels}
    assert compiled_small == len(kernels) + entry_modules(small)
    big, compiled_big, _ = first_step(48)
    # three times the layers, the same kernels but the few that sum each variable's gradients
    # (now over 6 uses instead of 2): only those and the entry are compiled
    new = {k.symbol for k in big.lowered.kernels} - kernels
    assert len(new) <= 4 and len(big.lowered.kernels) <= len(kernels) + 4
    assert compiled_big == len(new) + entry_modules(big)
    entry = big.lowered.main + "".join(p.text for p in big.lowered.parts)
    assert len(kernels) < 40 and entry.count("call void @dfc_k_") >= 48 * 4


def test_adding_an_op_compiles_only_the_new_kernels(fresh_cache):
    base, _, _ = first_step(16)
    more, compiled, _ = first_step(16, extra_op=True)
    new = {k.symbol for k in more.lowered.kernels} - {k.symbol for k in base.lowered.kernels}
    assert 1 <= len(new) <= 3  # the sigmoid (fused with its neighbours) and its gradient
    assert compiled == len(new) + entry_modules(more)


def test_the_same_step_in_a_new_executable_compiles_nothing(fresh_cache):
    g = Graph()
    x = g.body.add_argument(TensorType(D.f32, (16,)), "x")
    y = create_op(g, "dfc.tanh", [x]).result
    step = compile_step(g, [y], [], [x], [(16,)])
    first = CpuExecutable(step)
    before = compiled_now()
    again = CpuExecutable(step)
    assert compiled_now() == before and again.from_cache and not first.from_cache
    kernel_cache.clear_memory()
    assert CpuExecutable(step).from_cache and compiled_now() == before  # from disk


def test_entry_split_into_parts_runs_in_order_and_stops_at_errors(fresh_cache, monkeypatch):
    monkeypatch.setattr(codegen_module, "ENTRY_PART_OPS", 2)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, (5,))
        idx = tf.placeholder(tf.int32, (2,))
        h = x
        for _ in range(6):  # contracting, so that sums rounded in another order stay within rtol
            h = tf.sin(h) * 0.5 + tf.reduce_sum(h) * 0.1
        y = tf.gather(h, idx)
    data = np.linspace(-1, 1, 5, dtype=np.float32)
    with tf.Session(graph=g) as sess:
        got = sess.run(y, {x: data, idx: np.array([4, 0], np.int32)})
        exe = next(iter(sess._cache.values()))
        assert len(exe.lowered.parts) >= 3
        with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = 7 is not in"):
            sess.run(y, {x: data, idx: np.array([1, 7], np.int32)})
    with tf.Session(graph=g, backend="interpreter") as sess:
        want = sess.run(y, {x: data, idx: np.array([4, 0], np.int32)})
    np.testing.assert_allclose(got, want, rtol=1e-5)


# ---- disk entries that cannot be trusted --------------------------------------------------------

UNIT = ("probe", "define i32 @probe_{n}() {{\n  ret i32 {n}\n}}\n", 3)


def unit(n: int) -> tuple[str, str, int]:
    return (UNIT[0], UNIT[1].format(n=n), UNIT[2])


def objects_within(units, seconds: float = 60.0):
    """kernel_cache.objects, failing (instead of hanging the suite) if it blocks."""
    result = []
    worker = threading.Thread(target=lambda: result.append(kernel_cache.objects(cpu_target(), units)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "reading the cache blocked"
    return result[0]


def entry_of(n: int):
    _, text, level = unit(n)
    key = kernel_cache.unit_key(cpu_target(), text, level)
    return key, kernel_cache.entry_path(kernel_cache.cache_dir(), key)


def test_an_entry_filed_under_another_key_is_recompiled(fresh_cache):
    objects_within([unit(1), unit(2)])
    key1, path1 = entry_of(1)
    key2, path2 = entry_of(2)
    path2.write_bytes(path1.read_bytes())  # a valid entry of another module, under the wrong name
    assert kernel_cache.read_entry(path2, key2) is None
    kernel_cache.clear_memory()
    before = compiled_now()
    (obj,), cached = objects_within([unit(2)])
    assert not cached and compiled_now() == before + 1
    code = cpu_target().jit([obj])
    import ctypes
    assert ctypes.CFUNCTYPE(ctypes.c_int32)(code.address("probe_2"))() == 2
    assert kernel_cache.read_entry(path2, key2) == obj  # rewritten under its own key


def test_a_renamed_step_entry_is_not_loaded(fresh_cache):
    def step(op):
        g = Graph()
        x = g.body.add_argument(TensorType(D.f32, (4,)), "x")
        return compile_step(g, [create_op(g, op, [x]).result], [], [x], [(4,)])

    exp_exe, log_step = CpuExecutable(step("dfc.exp")), step("dfc.log")
    log_exe = CpuExecutable(log_step)
    entries = {p.name: p.read_bytes() for p in fresh_cache.glob("*.o")}
    for name in entries:  # file every entry of the exp step under the names of the log step's
        for other, data in entries.items():
            if other != name:
                (fresh_cache / name).write_bytes(data)
                break
    kernel_cache.clear_memory()
    again = CpuExecutable(log_step)
    assert not again.from_cache
    data = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    np.testing.assert_allclose(again([data], None)[0], np.log(data), rtol=1e-6)
    del exp_exe, log_exe


@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink_loop", "unreadable"])
def test_something_else_at_an_entry_path_is_skipped(fresh_cache, kind):
    key, path = entry_of(3)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "symlink_loop":
        os.symlink(path.name, path)
    else:
        if os.geteuid() == 0:
            pytest.skip("root reads every file")
        objects_within([unit(3)])
        kernel_cache.clear_memory()
        path.chmod(0)
    before = compiled_now()
    (obj,), cached = objects_within([unit(3)])
    assert not cached and compiled_now() == before + 1 and obj
    leftovers = [p.name for p in fresh_cache.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []  # a write that failed (onto a directory) leaves no temporary file


def test_a_failed_write_removes_its_temporary_file(fresh_cache):
    key, path = entry_of(4)
    path.mkdir(parents=True)  # os.replace cannot put a file over a directory
    assert not kernel_cache.write_entry(path, key, b"payload")
    assert sorted(p.name for p in fresh_cache.iterdir()) == [path.name]


# ---- the session's compiled steps ---------------------------------------------------------------

def test_a_session_keeps_a_bounded_number_of_compiled_steps(monkeypatch):
    monkeypatch.setenv("DFC_MAX_EXECUTABLES", "2")
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, (None,))
        y = tf.exp(x) + 1.0
    with tf.Session(graph=g) as sess:
        for n in (3, 4, 5, 3):
            data = np.arange(n, dtype=np.float32)
            np.testing.assert_allclose(sess.run(y, {x: data}), np.exp(data) + 1, rtol=1e-6)
            assert len(sess._cache) <= 2
        shapes = sorted(e.lowered.plan.inputs[0].type.shape for e in sess._cache.values())
        assert shapes == [(3,), (5,)]  # the least recently used (4) went


def test_a_long_chain_with_its_gradient_compiles_a_bounded_number_of_kernels(fresh_cache):
    """3000 sin and their gradient: no recursion limit hit, bounded fused kernels that repeat and compile once."""
    n = 3000
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, (64,))
        y = x
        for _ in range(n):
            y = tf.sin(y)
        grad = tf.gradients(tf.reduce_sum(y), x)[0]
    feed = np.linspace(-1.5, 1.5, 64).astype(np.float32)
    before = compiled_now()
    with tf.Session(graph=g) as sess:
        got_y, got_grad = sess.run([y, grad], {x: feed})
    compiled = compiled_now() - before
    want_y, want_grad = feed.astype(np.float64), np.ones(64)
    for _ in range(n):
        want_grad = want_grad * np.cos(want_y)
        want_y = np.sin(want_y)
    np.testing.assert_allclose(got_y, want_y, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got_grad, want_grad, rtol=1e-3, atol=1e-6)
    assert compiled <= 24, f"{compiled} modules compiled for a chain of one repeated op"


def test_a_long_elementwise_chain_compiles_as_a_few_repeating_kernels(fresh_cache):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, (16,))
        h = x
        for _ in range(200):
            h = tf.sin(h)
        grad = tf.gradients(tf.reduce_sum(h), [x])[0]
    data = np.linspace(-1, 1, 16, dtype=np.float32)
    with tf.Session(graph=g) as sess:
        got = sess.run(grad, {x: data})
        exe = next(iter(sess._cache.values()))
    fused = [op for op in exe.lowered.plan.items if op.type == "dfc.fused"]
    assert len(fused) >= 12 and all(len(op.regions[0].ops) <= 33 for op in fused)  # 32 ops and the yield
    assert len(exe.lowered.kernels) <= 6  # the groups repeat: a handful of distinct kernels
    want, value = np.ones(16), data.astype(np.float64)
    for _ in range(200):
        want, value = want * np.cos(value), np.sin(value)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-6)
