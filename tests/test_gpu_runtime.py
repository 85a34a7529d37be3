"""The GPU runtime against the reference interpreter, and TF1's placement of ops pinned to GPUs.

Tests marked `gpu` run only where runtime/gpu.py finds a GPU (`python -m dfc.tools.gpu_check` runs them)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from cpu_backend_support import Ctx, arg_graph, random_graph, values
from test_gpu_codegen import _shape_ops

import dfc as tf
from dfc.compiler import compile_step
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.errors import InvalidArgumentError
from dfc.ir.interpreter import interpret
from dfc.ir.ops import REGISTRY
from dfc.ir.types import TensorType
from dfc.runtime import gpu as gpu_runtime
from dfc.runtime.store import VariableStore

HAS_GPU = gpu_runtime.device_count() > 0
gpu = pytest.mark.skipif(not HAS_GPU, reason=f"no GPU: {gpu_runtime._probe()[1]}")


@pytest.fixture(params=[pytest.param("cuda", marks=[gpu, pytest.mark.gpu]), "emulator"])
def gpu_device(request: pytest.FixtureRequest) -> str:
    """Each GPU runtime test runs on the GPU where there is one, and always on the CPU emulation of the CUDA
    driver and cuBLAS (tests/gpu_emulator.py), which runs runtime/gpu.py's own code on any machine."""
    if request.param == "emulator":
        request.getfixturevalue("emulated_gpu")
    return request.param


def _pinned_graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2, 2], name="x")
        with tf.device("/gpu:0"):
            y = tf.matmul(x, x, name="MatMul")
    return g, x, y


@pytest.mark.skipif(HAS_GPU, reason="this process has a GPU: the op is placed on it")
def test_an_op_pinned_to_a_missing_gpu_raises_tfs_placement_error():
    g, x, y = _pinned_graph()
    with tf.Session(graph=g) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Cannot assign a device for operation MatMul.*"
                                                                  r"/device:GPU:0.*device:CPU:0"):
            sess.run(y, {x: np.eye(2, dtype=np.float32)})


def test_soft_placement_runs_a_gpu_pinned_op_on_the_cpu():
    g, x, y = _pinned_graph()
    a = np.arange(4, dtype=np.float32).reshape(2, 2)
    with tf.Session(graph=g, config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        np.testing.assert_allclose(sess.run(y, {x: a}), a @ a)


def test_cpu_pinned_and_unpinned_ops_run_as_before():
    g = tf.Graph()
    with g.as_default():
        with tf.device("/cpu:0"):
            z = tf.constant(2.0) * 3.0
    with tf.Session(graph=g) as sess:
        assert sess.run(z) == 6.0


def test_gpu_extra_is_not_part_of_test():
    import pathlib
    import tomllib

    meta = tomllib.loads((pathlib.Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
    extras = meta["optional-dependencies"]
    assert any(r.startswith("cuda-bindings") for r in extras["gpu"])
    assert not any("cuda" in r or "gpu" in r for r in extras["test"])


# ---- on a GPU -------------------------------------------------------------------------------------

#: elementwise ops over integers only (tf.bitwise)
_INTEGER_ONLY = {"dfc.bitwise_and", "dfc.bitwise_or", "dfc.bitwise_xor", "dfc.left_shift", "dfc.right_shift",
                 "dfc.invert"}


def _run_both(types, build, arrays):
    g, args = arg_graph(types)
    step = compile_step(g, build(g, args), [], list(args), [a.shape for a in arrays])
    ref = interpret(step, arrays, Ctx())
    got = gpu_runtime.GpuExecutable(step)(arrays, Ctx())
    return ref, got


@pytest.mark.parametrize("opname", sorted(n for n, d in REGISTRY.items() if d.elementwise and d.num_operands == 2
                                          and n != "dfc.select"))
def test_binary_op_on_the_gpu_matches_the_interpreter(opname, gpu_device):
    rng = np.random.default_rng(0)
    shapes = [(64, 33), (33,)]
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    if opname.startswith("dfc.logical_"):
        arrays = [a > 0 for a in arrays]
    if opname in _INTEGER_ONLY:  # tf.bitwise: integers (shifts within the width)
        arrays = [rng.integers(-1000, 1000, shapes[0]).astype(np.int32),
                  rng.integers(0, 32, shapes[1]).astype(np.int32)]
    ref, got = _run_both([(D.as_dtype(a.dtype), a.shape) for a in arrays],
                         lambda g, a: [create_op(g, opname, list(a)).result], arrays)
    np.testing.assert_allclose(got[0], ref[0], rtol=2e-6, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("opname", sorted(n for n, d in REGISTRY.items() if d.elementwise and d.num_operands == 1
                                          and n != "dfc.cast"))
def test_unary_op_on_the_gpu_matches_the_interpreter(opname, gpu_device):
    x = np.random.default_rng(2).uniform(-0.9, 0.9, (40, 7)).astype(np.float32)
    if opname == "dfc.logical_not":
        x = x > 0
    if opname in _INTEGER_ONLY:
        x = np.random.default_rng(2).integers(-1000, 1000, (40, 7)).astype(np.int32)
    ref, got = _run_both([(D.as_dtype(x.dtype), x.shape)], lambda g, a: [create_op(g, opname, list(a)).result], [x])
    np.testing.assert_allclose(got[0], ref[0], rtol=3e-6, atol=2e-6, equal_nan=True)


def test_shape_reduction_random_ops_on_the_gpu_match_the_interpreter(gpu_device):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((2, 5, 7)).astype(np.float32), np.array([3, 0], np.int32)]  # 4 segments
    ref, got = _run_both([(D.f32, (2, 5, 7)), (D.i32, (2,))], _shape_ops, arrays)
    for r, o in zip(ref, got):
        np.testing.assert_allclose(o, r, rtol=1e-5, atol=1e-5)


def test_gather_out_of_range_on_the_gpu_raises_as_on_the_cpu(gpu_device):
    arrays = [np.ones((3, 4), np.float32), np.array([1, 7], np.int32)]
    with pytest.raises(InvalidArgumentError, match=r"indices\[\d+\] = 7 is not in"):
        _run_both([(D.f32, (3, 4)), (D.i32, (2,))],
                  lambda g, a: [create_op(g, "dfc.gather", list(a), {"axis": 0}).result], arrays)


def test_partition_stage_splits_host_and_device_with_the_copies_between(tmp_path):
    from typer.testing import CliRunner

    from dfc.tools.cli import app

    script = tmp_path / "pinned.py"
    script.write_text("import numpy as np\nimport dfc as tf\nx = tf.placeholder(tf.float32, [2, 2], name='x')\n"
                      "with tf.device('/gpu:0'):\n    y = tf.nn.relu(tf.matmul(x, x))\nz = y + 1.0\n"
                      "with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:\n"
                      "    sess.run(z, {x: np.eye(2, dtype=np.float32)})\n")
    result = CliRunner().invoke(app, ["compile", str(script), "--stage", "partition"])
    assert result.exit_code == 0, result.output
    assert "// part /job:localhost/replica:0/task:0/device:GPU:0" in result.stdout
    assert "// part /job:localhost/replica:0/task:0/device:CPU:0" in result.stdout
    assert '"dfc.send"(%Relu)' in result.stdout and "%Relu.recv" in result.stdout


def test_partition_stage_for_cuda_shows_the_default_gpu_placement_without_a_gpu(tmp_path):
    """`--target cuda`: the step placed as a Session places it on a machine with a GPU (unpinned ops with a GPU
    kernel and their variables on /gpu:0, pins kept), with the copies between, on any machine."""
    from typer.testing import CliRunner

    from dfc.tools.cli import app

    script = tmp_path / "default.py"
    script.write_text("import numpy as np\nimport dfc as tf\nx = tf.placeholder(tf.float32, [2, 2], name='x')\n"
                      "w = tf.Variable(tf.ones([2, 2]), name='w')\ny = tf.nn.relu(tf.matmul(x, w))\n"
                      "with tf.device('/cpu:0'):\n    z = tf.reduce_sum(y) * 2.0\n"
                      "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
                      "    sess.run(z, {x: np.eye(2, dtype=np.float32)})\n")
    result = CliRunner().invoke(app, ["compile", str(script), "--run", "2", "--target", "cuda", "--stage",
                                      "partition"])
    assert result.exit_code == 0, result.output
    gpu_part, cpu_part = (result.stdout.split("// part /job:localhost/replica:0/task:0/device:")[k] for k in (1, 2))
    assert gpu_part.startswith("GPU:0") and cpu_part.startswith("CPU:0")
    assert '"dfc.variable"' in gpu_part and '"dfc.matmul"' in gpu_part and '"dfc.send"(%Relu)' in gpu_part
    assert '"dfc.reduce_sum"(%Relu.recv)' in cpu_part and '"dfc.matmul"' not in cpu_part
    plain = CliRunner().invoke(app, ["compile", str(script), "--run", "2", "--stage", "partition"])
    assert plain.exit_code == 0 and "device:GPU:0" not in plain.stdout  # the CPU target places nothing on a GPU


# ---- bigger launches, cuBLAS, random graphs, sessions (on the GPU, and on the emulator everywhere) -----------

def test_grid_stride_loops_cover_more_items_than_threads(gpu_device):
    """More elements than the grid has threads, and more reduced rows than blocks: every loop strides."""
    rng = np.random.default_rng(3)
    # 10800 elements (the emulated grid has 8192 threads), 36 rows (32 blocks) of 300 (256 threads a block)
    x = rng.standard_normal((36, 300)).astype(np.float32)
    b = rng.standard_normal((300,)).astype(np.float32)

    def build(g, a):
        y = create_op(g, "dfc.tanh", [create_op(g, "dfc.add", list(a)).result]).result
        return [y, create_op(g, "dfc.reduce_sum", [y], {"axes": [1], "keepdims": False}).result]

    ref, got = _run_both([(D.f32, x.shape), (D.f32, b.shape)], build, [x, b])
    for r, o in zip(ref, got):
        np.testing.assert_allclose(o, r, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype, tol", [(np.float32, 1e-5), (np.float64, 1e-12), (np.float16, 2e-2)])
def test_matmuls_go_through_cublas_with_their_epilogue_kernel(dtype, tol, gpu_device):
    rng = np.random.default_rng(4)
    a, w, b = (rng.standard_normal(s).astype(dtype) for s in [(9, 17), (5, 17), (5,)])
    batch = rng.standard_normal((3, 4, 6)).astype(dtype)

    def build(g, args):
        x, wt, bias, bx = args
        mm = create_op(g, "dfc.matmul", [x, wt], {"transpose_b": True}).result
        relu = create_op(g, "dfc.relu", [create_op(g, "dfc.add", [mm, bias]).result]).result
        batched = create_op(g, "dfc.matmul", [bx, bx], {"transpose_a": True}).result
        return [relu, batched]

    dt = D.as_dtype(dtype)
    ref, got = _run_both([(dt, a.shape), (dt, w.shape), (dt, b.shape), (dt, batch.shape)], build, [a, w, b, batch])
    for r, o in zip(ref, got):
        np.testing.assert_allclose(o.astype(np.float64), r.astype(np.float64), rtol=tol, atol=tol)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_graphs_on_the_gpu_match_the_interpreter(data, gpu_device):
    """test_cpu_backend.py's random graphs (elementwise, broadcast, reductions, matmul, transpose) on the GPU."""
    g, args, fetches = random_graph(data)
    arrays = [values(data, D.f32, a.type.shape, special=False, small=True) for a in args]
    step = compile_step(g, fetches, [], list(args), [a.shape for a in arrays])
    ref = interpret(step, arrays, Ctx())
    got = gpu_runtime.GpuExecutable(step)(arrays, Ctx())
    for r, o in zip(ref, got):
        scale = float(np.max(np.abs(r), initial=1.0))
        np.testing.assert_allclose(o, r, rtol=1e-4, atol=1e-5 * scale)


@pytest.fixture
def gpu_sessions(gpu_device, monkeypatch):
    """tf.Session(backend="gpu") runs whole steps through GpuExecutable."""
    from dfc.runtime import executors

    monkeypatch.setitem(executors.BACKENDS, "gpu", lambda step, session: gpu_runtime.GpuExecutable(step, session))
    return gpu_device


def _mlp(seed=0):
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(seed)
        x = tf.placeholder(tf.float32, [None, 6], name="x")
        y = tf.placeholder(tf.float32, [None, 3], name="y")
        h = tf.layers.dense(x, 16, activation=tf.nn.relu)
        logits = tf.layers.dense(h, 3)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        init = tf.global_variables_initializer()
    return g, x, y, loss, train, init


def test_training_on_the_gpu_matches_the_cpu_backend_and_keeps_variables_on_the_device(gpu_sessions):
    rng = np.random.default_rng(5)
    xs = rng.standard_normal((8, 6)).astype(np.float32)
    ys = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]
    losses, weights = {}, {}
    for backend in ("cpu", "gpu"):
        g, x, y, loss, train, init = _mlp()
        with tf.Session(graph=g, backend=backend) as sess:
            sess.run(init)
            losses[backend] = [sess.run([loss, train], {x: xs, y: ys})[0] for _ in range(3)]
            weights[backend] = sess.run(g.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES))
    np.testing.assert_allclose(losses["gpu"], losses["cpu"], rtol=1e-4)
    assert losses["gpu"][-1] < losses["gpu"][0]
    for a, b in zip(weights["gpu"], weights["cpu"]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_sparse_embedding_updates_on_the_gpu_match_the_cpu_backend(gpu_device):
    """An embedding's IndexedSlices gradient under Momentum in a default session: placement runs the sort of the
    ids (a host op) on the CPU and the rest on the GPU; the CPU backend's values, untouched rows kept."""
    feeds = [[0, 1, 1], [3, 3, 0], [4, 1, 4]]
    tables = {}
    for backend in ("cpu", None):
        g = tf.Graph()
        with g.as_default():
            table = tf.Variable(np.arange(14, dtype=np.float32).reshape(7, 2) / 10.0)
            ids = tf.placeholder(tf.int32, [None])
            loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(table, ids) - 1.0))
            train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
            init = tf.global_variables_initializer()
        with tf.Session(graph=g, backend=backend) as sess:
            sess.run(init)
            for f in feeds:
                sess.run(train, {ids: f})
            tables[backend] = sess.run(table)
            if backend is None:
                assert "/job:localhost/replica:0/task:0/device:GPU:0" in set(_placed(sess).devices.values())
    np.testing.assert_allclose(tables[None], tables["cpu"], rtol=1e-5)
    np.testing.assert_array_equal(tables[None][[2, 5, 6]], np.arange(14, dtype=np.float32).reshape(7, 2)[[2, 5, 6]]
                                  / 10.0)


def test_variables_stay_on_the_device_and_follow_the_store(gpu_sessions):
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="v")
        bump = tf.assign_add(v, tf.ones([2, 3]))
        doubled = v * 2.0
    with tf.Session(graph=g, backend="gpu") as sess:
        sess.run(v.initializer)
        for _ in range(3):
            sess.run(bump)
        np.testing.assert_array_equal(sess.run(doubled), 2 * (np.arange(6).reshape(2, 3) + 3))
        # the store's host copy follows the device's after every update, so other backends see it
        np.testing.assert_array_equal(sess.store.buffer("v"), np.arange(6).reshape(2, 3) + 3)
        sess.run(v.assign(np.zeros((2, 3), np.float32)))  # a new value through the store is uploaded again
        np.testing.assert_array_equal(sess.run(doubled), np.zeros((2, 3)))


def test_a_variable_written_on_the_host_is_uploaded_again(gpu_sessions):
    """The store's buffers keep their address when written (checkpoint restore, CPU steps): the device copy
    must follow the value, not the buffer's identity."""
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable(np.ones(4, np.float32), name="v")
        total = tf.reduce_sum(v)
    with tf.Session(graph=g, backend="gpu") as gpu_sess, tf.Session(graph=g, backend="cpu",
                                                                    store=gpu_sess.store) as cpu_sess:
        gpu_sess.run(v.initializer)
        assert gpu_sess.run(total) == 4.0
        gpu_sess.store.write("v", np.full(4, 2.0, np.float32))  # what Saver.restore does
        assert gpu_sess.run(total) == 8.0
        cpu_sess.run(tf.assign_add(v, np.ones(4, np.float32)))  # a CPU step updates the buffer in place
        assert gpu_sess.run(total) == 12.0


# ---- TF1 placement: a Session without a named backend runs ops with a GPU kernel on /gpu:0 -------------------

def _placed(sess):
    from dfc.runtime.gpu_placement import PlacedExecutable

    found = [e for e in sess._cache.values() if isinstance(e, PlacedExecutable)]
    assert found, "the step did not go through GPU placement"
    return found[-1]


def test_without_a_gpu_sessions_run_on_the_cpu_backend_exactly_as_before():
    if HAS_GPU:
        pytest.skip("this process has a GPU")
    from dfc.runtime.cpu import CpuExecutable

    g, x, y, loss, train, init = _mlp()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        sess.run(loss, {x: np.zeros((2, 6), np.float32), y: np.zeros((2, 3), np.float32)})
        assert sess._cache and all(type(e) is CpuExecutable for e in sess._cache.values())


def test_a_default_session_trains_on_the_gpu_as_on_the_cpu(gpu_device):
    rng = np.random.default_rng(6)
    xs = rng.standard_normal((8, 6)).astype(np.float32)
    ys = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]
    losses = {}
    for backend in ("cpu", None):
        g, x, y, loss, train, init = _mlp()
        with tf.Session(graph=g, backend=backend) as sess:
            sess.run(init)
            losses[backend] = [sess.run([loss, train], {x: xs, y: ys})[0] for _ in range(3)]
            if backend is None:
                parts = set(_placed(sess).devices.values())
                assert parts == {"/job:localhost/replica:0/task:0/device:GPU:0"}, parts
    np.testing.assert_allclose(losses[None], losses["cpu"], rtol=1e-4)


def test_pins_control_flow_and_soft_placement_split_a_step_between_host_and_gpu(gpu_device):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [4], name="x")
        with tf.device("/cpu:0"):
            on_cpu = tf.square(x, name="on_cpu")
        doubled = tf.multiply(on_cpu, 2.0, name="doubled")
        branch = tf.cond(doubled[0] > 0.0, lambda: doubled + 1.0, lambda: doubled - 1.0, name="branch")
        with tf.device("/gpu:3"):
            far = tf.abs(branch, name="far")
    a = np.array([1.0, -2.0, 3.0, -4.0], np.float32)
    with tf.Session(graph=g) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot assign a device for operation far"):
            sess.run(far, {x: a})
    with tf.Session(graph=g, config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        np.testing.assert_allclose(sess.run(far, {x: a}), np.abs(a * a * 2.0 + 1.0))
        placed = _placed(sess)
        devices = placed.devices
    kinds = {type(e).__name__ for e in placed.executables}
    assert kinds == {"GpuExecutable", "CpuExecutable"}, kinds
    gpu0, cpu0 = ("/job:localhost/replica:0/task:0/device:" + d for d in ("GPU:0", "CPU:0"))
    assert devices["on_cpu"] == cpu0 and devices["doubled"] == gpu0 and devices["far"] == cpu0
    assert [d for name, d in devices.items() if name.startswith("branch")] == [gpu0], "a cond runs on the GPU"


def test_random_ops_draw_the_interpreters_numbers_run_after_run(gpu_device):
    g, args = arg_graph([(D.f32, (1,))])
    shape = create_op(g, "dfc.constant", [], {"value": np.array([30, 50], np.int32)}).result
    result = [TensorType(D.f32, (30, 50))]
    outs = [create_op(g, f"dfc.{r}", [shape], {"seed": 3, "seed2": 4}, result_types=result).result
            for r in ("random_uniform", "random_normal", "truncated_normal")]
    step = compile_step(g, outs, [], list(args), [(1,)])
    executable = gpu_runtime.GpuExecutable(step)
    ref_ctx, gpu_ctx = Ctx(), Ctx()
    draws = []
    for _ in range(2):
        a = [np.zeros(1, np.float32)]
        ref, got = interpret(step, a, ref_ctx), executable(a, gpu_ctx)
        for r, o in zip(ref, got):
            np.testing.assert_allclose(o, r, rtol=1e-5, atol=1e-6)
        draws.append(got[0])
    assert not np.array_equal(draws[0], draws[1]), "each run draws new numbers"


def test_empty_and_scalar_tensors_on_the_gpu(gpu_device):
    def build(g, a):
        empty, scalar, no_columns = a
        return [create_op(g, "dfc.exp", [empty]).result, create_op(g, "dfc.mul", [scalar, scalar]).result,
                create_op(g, "dfc.reduce_sum", [empty], {"axes": [0], "keepdims": False}).result,
                create_op(g, "dfc.reduce_sum", [no_columns], {"axes": [1], "keepdims": False}).result,
                create_op(g, "dfc.matmul", [no_columns, empty]).result]

    arrays = [np.zeros((0, 5), np.float32), np.array(3.0, np.float32), np.zeros((3, 0), np.float32)]
    ref, got = _run_both([(D.f32, a.shape) for a in arrays], build, arrays)
    for r, o in zip(ref, got):
        assert o.shape == r.shape
        np.testing.assert_array_equal(o, r)


def test_a_steps_device_work_is_captured_once_and_replayed_as_a_cuda_graph(gpu_device, request):
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal((16, 8)).astype(np.float32), rng.standard_normal((8, 4)).astype(np.float32)]
    g, args = arg_graph([(D.f32, a.shape) for a in arrays])
    mm = create_op(g, "dfc.matmul", list(args)).result
    outs = [create_op(g, "dfc.relu", [mm]).result, create_op(g, "dfc.reduce_sum", [mm], {"axes": [1],
                                                                                       "keepdims": False}).result]
    step = compile_step(g, outs, [], list(args), [a.shape for a in arrays])
    executable = gpu_runtime.GpuExecutable(step)
    for k in range(3):
        run = [a * (k + 1) for a in arrays]
        ref, got = interpret(step, run, Ctx()), executable(run, Ctx())
        for r, o in zip(ref, got):
            np.testing.assert_allclose(o, r, rtol=1e-5, atol=1e-5)
        if k == 0 and gpu_device == "emulator":
            launches = dict(request.getfixturevalue("emulated_gpu").driver.calls)
    assert executable.graph_captures == 1
    if gpu_device == "emulator":
        calls = request.getfixturevalue("emulated_gpu").driver.calls
        assert calls["cuGraphLaunch"] == 3 and calls["cuStreamBeginCapture"] == 1
        assert calls["cuLaunchKernel"] == launches["cuLaunchKernel"], "later runs launch the graph, not kernels"
        assert calls["cublasGemmEx"] == launches["cublasGemmEx"]


def test_a_buffer_collected_while_a_graph_is_captured_is_freed_after_the_capture(gpu_device, request):
    """Python collects a buffer whenever it likes, on any thread: a cuMemFree during a stream capture (a device
    synchronization) fails and invalidates the capture, so the runtime frees it when the capture has ended (the
    emulator faults on a free during a capture: the GPU benchmark test failed now and then with it)."""
    arrays = [np.arange(12, dtype=np.float32).reshape(3, 4)]
    g, args = arg_graph([(D.f32, (3, 4))])
    step = compile_step(g, [create_op(g, "dfc.tanh", list(args)).result], [], list(args), [(3, 4)])
    executable = gpu_runtime.GpuExecutable(step)
    doomed = [gpu_runtime.DeviceBuffer(64)]
    ptr = doomed[0].ptr
    replay = executable.replay_device_steps
    frees: list[int] = []

    def replay_dropping_the_buffer(*a, **k):
        doomed.clear()  # the last reference: its finalizer runs here, inside the capture
        frees.append(len(gpu_runtime._pending_frees))
        replay(*a, **k)
    executable.replay_device_steps = replay_dropping_the_buffer
    np.testing.assert_allclose(executable(arrays, Ctx())[0], np.tanh(arrays[0]), rtol=1e-6)
    assert executable.graph_captures == 1 and frees == [1], "the free waited for the capture"
    assert ptr not in gpu_runtime._pending_frees, "and happened when it ended"
    if gpu_device == "emulator":
        assert ptr not in request.getfixturevalue("emulated_gpu").driver.allocations


@pytest.mark.parametrize("case", ["optimizer_adam", "optimizer_ftrl_l1_l2", "metrics_accuracy"])
def test_tf1_training_cases_placed_on_the_gpu_match_tensorflows_recordings(case, gpu_device):
    """tests/train_cases.py's programs in a default Session, which places them on the GPU: TensorFlow's numbers."""
    import train_cases

    train_cases.check_against_tensorflow(case, None)


@gpu
@pytest.mark.gpu
def test_digits_mlp_trained_on_the_gpu_reaches_the_cpus_accuracy():
    """examples/digits_mlp.py in its default Session: on a GPU machine its ops run on /gpu:0."""
    import importlib
    import pathlib
    import sys

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "examples"))
    try:
        result = importlib.import_module("digits_mlp").main(epochs=10, quiet=True)
    finally:
        sys.path.pop(0)
    assert result["last_loss"] < 0.1 * result["first_loss"]
    assert result["test_accuracy"] >= 0.95


GOLDEN = pathlib.Path(__file__).parent / "golden"


class _StepSession:
    """What a step's run context reaches: a store and random counters, as a Session has."""

    def __init__(self, variables: dict):
        self.store = VariableStore()
        self.steps: dict[str, int] = {}
        for k, (name, ttype) in enumerate(sorted(variables.items())):
            value = np.random.default_rng(k).uniform(-0.1, 0.1, ttype.shape).astype(ttype.dtype.np)
            self.store.write(name, value)

    def _next_random_step(self, op) -> int:
        self.steps[op.name] = self.steps.get(op.name, 0) + 1
        return self.steps[op.name] - 1


@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.iterdir() if (p / "08-fuse.mlir").exists()))
def test_golden_steps_on_the_gpu_match_the_interpreter_with_their_variables(case, gpu_device):
    from dfc.ir.parser import parse_graph
    from dfc.runtime.session import _RunContext

    step = parse_graph((GOLDEN / case / "08-fuse.mlir").read_text(), case)
    rng = np.random.default_rng(0)
    arrays = [rng.uniform(0, 1, a.type.shape).astype(a.type.dtype.np) for a in step.arguments]
    variables = {op.attrs["name"]: op.result.type for op in step.walk() if op.type == "dfc.variable"}
    ref_session, gpu_session = _StepSession(variables), _StepSession(variables)
    ref = interpret(step, arrays, _RunContext(ref_session))
    got = gpu_runtime.GpuExecutable(step)(arrays, _RunContext(gpu_session))
    for r, o in zip(ref, got):
        np.testing.assert_allclose(o, r, rtol=1e-4, atol=1e-5)
    for name in variables:
        np.testing.assert_allclose(gpu_session.store.buffer(name), ref_session.store.buffer(name), rtol=1e-4,
                                   atol=1e-6, err_msg=name)


def test_a_placed_step_prints_on_the_gpu_and_an_op_without_a_gpu_kernel_runs_on_the_cpu(gpu_device, capsys,
                                                                                         monkeypatch):
    """tf.Print and conv2d have GPU kernels: the whole step runs on the GPU and prints from there. An op kind
    without one (conv2d's hidden here) goes to the CPU as TF1 places it; the ops after it stay on the GPU."""
    from dfc.compiler.codegen import gpu as codegen

    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3], name="x")
        shown = tf.Print(x * 2.0, [x], message="x is ")
        conv = tf.nn.conv2d(tf.reshape(shown, [1, 1, 3, 1]), tf.ones([1, 2, 1, 1]), [1, 1, 1, 1], "SAME")
        total = tf.add(tf.reduce_sum(conv, name="Sum"), 1.0, name="total")

    def run() -> dict[str, str]:
        with tf.Session(graph=g) as sess:
            assert sess.run(total, {x: np.arange(3, dtype=np.float32)}) == 13.0  # conv of [0, 2, 4]: [2, 6, 4]
            return _placed(sess).devices

    devices = run()
    printed = capsys.readouterr()
    assert "x is [0 1 2]" in printed.err + printed.out
    assert all(devices[name].endswith("GPU:0") for name in ("Print", "Conv2D", "Sum", "total")), devices
    real = codegen.has_gpu_lowering
    monkeypatch.setattr(codegen, "has_gpu_lowering", lambda kind: kind != "dfc.conv2d" and real(kind))
    devices = run()
    assert devices["Conv2D"].endswith("CPU:0")
    assert devices["Sum"].endswith("GPU:0") and devices["total"].endswith("GPU:0")
