"""tf.math.igamma's while loops, tf.random's gamma draws with their implicit gradient and the stateless draws' integer
hashing on the GPU against the interpreter: on a GPU where there is one; on the CPU emulation of the CUDA driver
(tests/gpu_emulator.py) when DFC_TEST_EMULATED_LOOPS=1, since each emulated loop iteration is a host round trip that
costs the default suite about 20 seconds."""

from __future__ import annotations

import os

import numpy as np
import pytest
from cpu_backend_support import Ctx
from test_gpu_runtime import gpu

from dfc.compiler import compile_step
from dfc.ir.interpreter import interpret
from dfc.runtime import gpu as gpu_runtime

try:
    import gpu_emulator  # noqa: F401 - tests/gpu_emulator.py: the CPU emulation of the CUDA driver and cuBLAS
    DEVICES = [pytest.param("cuda", marks=[gpu, pytest.mark.gpu]),
               pytest.param("emulator", marks=pytest.mark.skipif(
                   os.environ.get("DFC_TEST_EMULATED_LOOPS") != "1",
                   reason="the emulated GPU runs these loops in ~20 s: set DFC_TEST_EMULATED_LOOPS=1"))]
except ImportError:
    DEVICES = [pytest.param("cuda", marks=[gpu, pytest.mark.gpu])]


@pytest.fixture(autouse=True, params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    if request.param == "emulator":
        request.getfixturevalue("emulated_gpu")
    return request.param


def test_incomplete_gamma_loops_gamma_draws_and_stateless_bits_on_the_gpu_match_the_interpreter():
    """The patterns dfc.distributions adds: while loops that run to convergence (igamma), int64 hashing
    (stateless draws), the gamma sampler and its implicit gradient in a custom-gradient region."""
    import dfc as tf

    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [2], name="x")
        alpha = tf.abs(x) + 0.5
        gamma = tf.random.gamma([], alpha, seed=5)
        outputs = [tf.math.igamma(alpha, tf.abs(x) * 0.5 + 0.1),
                   tf.random.stateless_uniform([5], seed=[1, 2], minval=0, maxval=9, dtype=tf.int32),
                   tf.random.stateless_normal([3], seed=[3, 4]), gamma, tf.gradients(tf.reduce_sum(gamma), x)[0]]
        feeds = [np.array([1.0, -0.25], np.float32)]  # (small: every loop iteration is a host round trip)
        step = compile_step(g, [o._dfc_ir() for o in outputs], feeds=[x._dfc_ir()], feed_shapes=[(2,)])
    want = interpret(step, feeds, Ctx())
    got = gpu_runtime.GpuExecutable(step)(feeds, Ctx())
    for k, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6, err_msg=f"output {k}")
