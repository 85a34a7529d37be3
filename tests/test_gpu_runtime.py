"""The GPU runtime against the reference interpreter, and TF1's placement of ops pinned to GPUs.

Tests marked `gpu` run only where runtime/gpu.py finds a GPU (`python -m dfc.tools.gpu_check` runs them)."""

from __future__ import annotations

import numpy as np
import pytest
from test_cpu_backend import Ctx, arg_graph
from test_gpu_codegen import _shape_ops

import dfc as tf
from dfc.compiler import compile_step
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.errors import InvalidArgumentError
from dfc.ir.interpreter import interpret
from dfc.ir.ops import REGISTRY
from dfc.runtime import gpu as gpu_runtime

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
    ref, got = _run_both([(D.as_dtype(a.dtype), a.shape) for a in arrays],
                         lambda g, a: [create_op(g, opname, list(a)).result], arrays)
    np.testing.assert_allclose(got[0], ref[0], rtol=2e-6, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("opname", sorted(n for n, d in REGISTRY.items() if d.elementwise and d.num_operands == 1
                                          and n != "dfc.cast"))
def test_unary_op_on_the_gpu_matches_the_interpreter(opname, gpu_device):
    x = np.random.default_rng(2).uniform(-0.9, 0.9, (40, 7)).astype(np.float32)
    if opname == "dfc.logical_not":
        x = x > 0
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
    with pytest.raises(InvalidArgumentError, match="gather index 7 is out of range"):
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
