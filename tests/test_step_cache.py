"""Compiled steps cached whole (runtime/step_cache.py): a warm process runs no pass, no lowering and no LLVM;
anything that changes the code changes the key; entries that cannot be trusted are recompiled, never loaded."""

from __future__ import annotations

import os
import pickle
import threading
import time

import numpy as np
import pytest

import dfc as tf
from dfc.ir.errors import FailedPreconditionError, InvalidArgumentError
from dfc.runtime import executors, kernel_cache, step_cache
from dfc.runtime.cpu import CpuExecutable


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty disk cache; memory forgotten before and after, as in a new process."""
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("DFC_DUMP_DIR", raising=False)
    new_process()
    yield tmp_path
    new_process()


def new_process() -> None:
    """What a new process starts with: nothing compiled in memory (the disk cache stays)."""
    kernel_cache.clear_memory()
    step_cache.clear_memory()


def no_compiling(monkeypatch) -> None:
    """Make any pass run, lowering or LLVM compile fail the test."""
    def fail(*args, **kwargs):
        raise AssertionError("a cached step was compiled")
    monkeypatch.setattr(executors, "compile_step", fail)
    monkeypatch.setattr(kernel_cache, "_compile", fail)
    monkeypatch.setattr("dfc.compiler.codegen.cpu.lower", fail)


def train_graph(const: float = 0.5, shape=(4, 6), dtype=tf.float32, axis: int = 1):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(dtype, shape, name="x")
        w = tf.Variable(np.linspace(-1, 1, shape[1] * 3).reshape(shape[1], 3).astype(dtype.as_numpy_dtype), name="w")
        h = tf.tanh(tf.matmul(x, w)) * const
        h = h - tf.reduce_mean(h, axis=axis, keepdims=True)
        loss = tf.reduce_sum(h * h)
        train = tf.train.AdamOptimizer(0.1).minimize(loss)
        init = tf.global_variables_initializer()
    return g, x, loss, train, init


def run_steps(graph_args=(), feed=None, steps: int = 3, **kwargs):
    """Losses and the final weights of a few training steps in a new session."""
    g, x, loss, train, init = train_graph(*graph_args, **kwargs)
    feed = np.arange(24, dtype=np.float32).reshape(4, 6) / 10 if feed is None else feed
    with tf.Session(graph=g) as sess:
        sess.run(init)
        losses = [sess.run([train, loss], {x: feed})[1] for _ in range(steps)]
        weights = sess.run(g.get_tensor_by_name("w:0"))
        exe = next(e for e in sess._cache.values() if e.image.in_specs)  # the training step (fed x)
    return losses, weights, exe


def test_a_new_process_runs_the_cached_step_without_compiling(cache, monkeypatch):
    losses, weights, cold = run_steps()
    assert not cold.from_step_cache
    new_process()
    hits = step_cache.STATS.disk_hits
    with monkeypatch.context() as m:
        no_compiling(m)
        warm_losses, warm_weights, warm = run_steps()
    assert warm.from_step_cache and step_cache.STATS.disk_hits > hits
    np.testing.assert_array_equal(warm_losses, losses)
    np.testing.assert_array_equal(warm_weights, weights)
    # what a loaded step does not keep is rebuilt when asked for, and is what the cold process had
    assert [op.type for op in warm.step.ops] == [op.type for op in cold.step.ops]
    assert warm.lowered.main == cold.lowered.main


def test_a_second_session_in_the_same_process_takes_the_step_from_memory(cache, monkeypatch):
    losses, _, _ = run_steps()
    hits = step_cache.STATS.memory_hits
    with monkeypatch.context() as m:
        no_compiling(m)
        again, _, _ = run_steps()
    assert step_cache.STATS.memory_hits > hits
    np.testing.assert_array_equal(again, losses)


def step_key_of(g, fetches, feed: dict, targets=()) -> bytes:
    ir = g._dfc_ir()
    fetch_values = [t._dfc_ir() for t in fetches]
    target_ops = [t._dfc_ir() for t in targets]
    feeds = [k._dfc_ir() for k in feed]
    arrays = [np.asarray(v) for v in feed.values()]
    needed = executors.needed_ops(ir, fetch_values, target_ops, set(feeds))
    return step_cache.step_key(ir, needed, fetch_values, target_ops, feeds, arrays, executors.cpu_step_identity())


def key_of(const=0.5, shape=(4, 6), dtype=tf.float32, axis=1, fetch="loss", feed_shape=None,
           with_train=True) -> bytes:
    g, x, loss, train, init = train_graph(const, shape, dtype, axis)
    feed = {x: np.zeros(feed_shape or shape, dtype.as_numpy_dtype)}
    fetches = [loss] if fetch == "loss" else [g.get_tensor_by_name("w:0")]
    return step_key_of(g, fetches, feed, [train] if with_train else [])


def test_the_key_is_the_same_for_the_same_graph_built_again(cache):
    assert key_of() == key_of()


@pytest.mark.parametrize("change", ["constant", "shape", "dtype", "attr", "fetch", "target", "feed_shape"])
def test_anything_that_changes_the_step_changes_its_key(cache, change):
    changed = {"constant": dict(const=0.25), "shape": dict(shape=(4, 5)), "dtype": dict(dtype=tf.float64),
               "attr": dict(axis=0), "fetch": dict(fetch="w"), "target": dict(with_train=False),
               "feed_shape": dict(shape=(None, 6), feed_shape=(5, 6))}[change]
    base = dict(shape=(None, 6), feed_shape=(4, 6)) if change == "feed_shape" else {}
    assert key_of(**changed) != key_of(**base)


def test_a_constant_differing_in_one_element_changes_the_key(cache):
    def key(values):
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, (3,))
            y = x * tf.constant(values)
        return step_key_of(g, [y], {x: np.zeros(3, np.float32)})
    assert key([1.0, 2.0, 3.0]) != key([1.0, 2.0, 3.5])
    assert key([0.0, 1.0, 1.0]) != key([-0.0, 1.0, 1.0])  # equal values, different bits


@pytest.mark.parametrize("variable", ["DFC_TARGET_CPU", "DFC_PREFER_VECTOR_WIDTH", "DFC_SOME_NEW_OPTION"])
def test_environment_that_chooses_the_code_changes_the_key(cache, monkeypatch, variable):
    before = key_of()
    value = {"DFC_TARGET_CPU": "x86-64-v2", "DFC_PREFER_VECTOR_WIDTH": "128"}.get(variable, "1")
    monkeypatch.setenv(variable, value)
    assert key_of() != before


def test_where_the_cache_lives_does_not_change_the_key(cache, monkeypatch, tmp_path):
    before = key_of()
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("DFC_COMPILE_WORKERS", "3")
    assert key_of() == before


def test_a_changed_step_misses_and_runs_its_own_code(cache):
    base, _, _ = run_steps()
    new_process()
    changed, _, exe = run_steps((0.25,))
    assert not exe.from_step_cache
    assert not np.allclose(base, changed)
    new_process()
    again, _, exe = run_steps((0.25,))
    assert exe.from_step_cache and np.array_equal(again, changed)


def step_entries(directory) -> list:
    return sorted(p for p in directory.iterdir() if p.name.startswith("step-"))


def small_step(scale: float):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, (5,), name="x")
        y = tf.exp(x) * scale + 1.0
    return g, x, y


def run_small(scale: float) -> tuple[np.ndarray, CpuExecutable]:
    g, x, y = small_step(scale)
    with tf.Session(graph=g) as sess:
        out = sess.run(y, {x: np.arange(5, dtype=np.float32)})
        return out, next(iter(sess._cache.values()))


def test_an_entry_copied_under_another_key_is_recompiled_not_loaded(cache):
    a, _ = run_small(2.0)
    (entry_a,) = step_entries(cache)
    b, _ = run_small(3.0)
    (entry_b,) = [p for p in step_entries(cache) if p != entry_a]
    entry_b.write_bytes(entry_a.read_bytes())  # a valid entry of another step, under b's name
    new_process()
    rejected = step_cache.STATS.misses + step_cache.STATS.rejected
    out, exe = run_small(3.0)
    np.testing.assert_allclose(out, b)
    assert not exe.from_step_cache and step_cache.STATS.misses + step_cache.STATS.rejected > rejected
    assert not np.allclose(a, b)


@pytest.mark.parametrize("damage", ["truncated", "flipped_byte", "empty", "garbage_pickle_with_valid_checksum",
                                    "kernel_gone"])
def test_a_damaged_entry_is_recompiled_and_gives_the_right_answer(cache, damage):
    expected, _ = run_small(2.0)
    (entry,) = step_entries(cache)
    data = entry.read_bytes()
    key = bytes.fromhex(entry.name[len("step-"):-len(".o")])
    if damage == "truncated":
        entry.write_bytes(data[:len(data) // 2])
    elif damage == "flipped_byte":
        entry.write_bytes(data[:-5] + bytes([data[-5] ^ 0x40]) + data[-4:])
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "garbage_pickle_with_valid_checksum":
        assert kernel_cache.write_entry(entry, key, pickle.dumps({"not": "a step"}))
    else:
        image = pickle.loads(kernel_cache.read_entry(entry, key))
        for k in image.kernel_keys:
            os.remove(kernel_cache.entry_path(cache, k))
    new_process()
    out, exe = run_small(2.0)
    np.testing.assert_allclose(out, expected)
    assert not exe.from_step_cache
    new_process()  # and the recompiled step was stored again
    out, exe = run_small(2.0)
    assert exe.from_step_cache
    np.testing.assert_allclose(out, expected)


@pytest.mark.parametrize("kind", ["fifo", "directory", "unreadable"])
def test_something_else_at_an_entry_path_is_skipped_without_blocking(cache, kind):
    expected, _ = run_small(2.0)
    (entry,) = step_entries(cache)
    entry.unlink()
    if kind == "fifo":
        os.mkfifo(entry)
    elif kind == "directory":
        entry.mkdir()
    else:
        entry.write_bytes(b"x" * 100)
        entry.chmod(0)
    new_process()
    result = {}
    worker = threading.Thread(target=lambda: result.update(out=run_small(2.0)), daemon=True)
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "reading the entry blocked"
    out, exe = result["out"]
    np.testing.assert_allclose(out, expected)
    assert [p for p in cache.iterdir() if p.name.endswith(".tmp")] == []  # the failed write left nothing
    if kind == "unreadable":
        entry.chmod(0o644)


def test_errors_of_a_cached_step_name_the_op_as_a_compiled_one_does(cache):
    def run():
        g = tf.Graph()
        with g.as_default():
            params = tf.constant(np.arange(6, dtype=np.float32))
            i = tf.placeholder(tf.int32, (2,), name="indices")
            got = tf.gather(params, i, name="pick")
            v = tf.Variable(np.ones(2, np.float32), name="v")
            read = v + 1.0
        with tf.Session(graph=g) as sess:
            errors = []
            with pytest.raises(InvalidArgumentError) as gather_error:
                sess.run(got, {i: np.array([1, 9], np.int32)})
            errors.append((str(gather_error.value), gather_error.value.op.name))
            with pytest.raises(FailedPreconditionError) as read_error:
                sess.run(read)
            errors.append((str(read_error.value), read_error.value.op.name))
            return errors, [e.from_step_cache for e in sess._cache.values()]
    cold, cached = run()
    assert cached == [False, False]
    new_process()
    warm, cached = run()
    assert cached == [True, True]
    assert warm == cold
    assert "pick" in cold[0][1] and "9" in cold[0][0]


def test_random_ops_draw_the_same_numbers_from_a_cached_step(cache):
    def draws():
        g = tf.Graph()
        with g.as_default():
            r = tf.random_uniform((3,), seed=1) + tf.random_normal((3,), seed=2)
        with tf.Session(graph=g) as sess:
            return [sess.run(r) for _ in range(3)], next(iter(sess._cache.values())).from_step_cache
    cold, hit = draws()
    assert not hit
    new_process()
    warm, hit = draws()
    assert hit
    np.testing.assert_array_equal(warm, cold)


def test_dumping_stages_compiles_every_step(cache, monkeypatch, tmp_path):
    run_small(2.0)
    new_process()
    monkeypatch.setenv("DFC_DUMP_DIR", str(tmp_path / "dump"))
    _, exe = run_small(2.0)
    assert not exe.from_step_cache
    assert any(p.name.endswith("-llvm.ll") for p in (tmp_path / "dump").rglob("*"))


def test_a_compiler_setting_changed_at_run_time_changes_the_key(cache, monkeypatch):
    from dfc.compiler.codegen import elementwise
    before = key_of()
    monkeypatch.setattr(elementwise, "STREAM_MIN_BYTES", elementwise.STREAM_MIN_BYTES * 2)
    assert key_of() != before


def test_the_memory_cache_keeps_a_bounded_number_of_bytes(cache, monkeypatch):
    monkeypatch.setattr(step_cache, "MEMORY_BYTES", 1 << 16)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, (128, 128))
        big = x * tf.constant(np.random.default_rng(0).standard_normal((128, 128)).astype(np.float32))
    with tf.Session(graph=g) as sess:
        sess.run(big, {x: np.ones((128, 128), np.float32)})
    assert step_cache._memory_bytes <= 1 << 16
    new_process()
    with tf.Session(graph=g) as sess:  # too big for memory: it comes back from disk
        out = sess.run(big, {x: np.ones((128, 128), np.float32)})
        assert next(iter(sess._cache.values())).from_step_cache
    assert out.shape == (128, 128)


def test_a_compiler_table_changed_in_place_changes_the_key(cache, monkeypatch):
    from dfc.compiler import target
    before = key_of()
    monkeypatch.setitem(target.REQUIRED_FEATURES, "x86-64-v2", target.REQUIRED_FEATURES["x86-64-v2"] + ("avx",))
    assert key_of() != before
    monkeypatch.undo()
    assert key_of() == before


def test_the_source_hash_is_kept_by_file_identity_and_redone_when_a_file_is_written(cache, monkeypatch, tmp_path):
    files = []
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(f"SETTING = 1  # {name}\n")
        files.append((str(tmp_path / name), f"pkg/{name}"))
    monkeypatch.setattr(step_cache, "_source_files", lambda: files)

    def identity() -> str:
        monkeypatch.setattr(step_cache, "_code_identity", None)
        return step_cache.code_identity()

    first = identity()
    assert len(list(cache.glob("code-*.o"))) == 1
    reads = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: reads.append(path) or real_open(path, *a, **k))
    assert identity() == first and not reads  # unchanged files: the kept hash, no file read
    monkeypatch.setattr("builtins.open", real_open)
    # the same size and modification time, new contents: the change time still moves
    st = os.stat(files[0][0])
    deadline = time.monotonic() + 2
    while os.stat(files[0][0]).st_ctime_ns == st.st_ctime_ns and time.monotonic() < deadline:
        time.sleep(0.005)  # file systems stamp times from a coarse clock: wait for it to tick
        (tmp_path / "a.py").write_text("SETTING = 2  # a.py\n")
        os.utime(files[0][0], ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(files[0][0]).st_mtime_ns == st.st_mtime_ns
    changed = identity()
    assert changed != first
    for entry in cache.glob("code-*.o"):  # a corrupt kept hash is recomputed, never trusted
        entry.write_bytes(entry.read_bytes()[:-1] + b"0")
    assert identity() == changed
