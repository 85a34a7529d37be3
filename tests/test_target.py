"""The Target object: DFC_TARGET_CPU chooses the CPU, the cache keys follow it, and code for a CPU the host
cannot run is refused with a clear error instead of crashing."""

from __future__ import annotations

import numpy as np
import pytest
import llvmlite.binding as llvm

import dfc as tf
from dfc.compiler import compile_step
from dfc.compiler.codegen import emit_asm, emit_llvm
from dfc.compiler.target import REQUIRED_FEATURES, CpuTarget, TargetError, cpu_target
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.graph import Graph
from dfc.ir.types import TensorType
from dfc.runtime import kernel_cache


def exp_step(n: int = 4096):
    g = Graph()
    x = g.body.add_argument(TensorType(D.f32, (n,)), "x")
    return compile_step(g, [create_op(g, "dfc.exp", [x]).result], [], [x], [(n,)], pipeline=[])


def host_can_run(cpu: str) -> bool:
    llvm.initialize_native_target()
    host = llvm.get_host_cpu_features()
    return all(host.get(f, False) for f in REQUIRED_FEATURES[cpu])


def test_the_environment_chooses_the_cpu(monkeypatch):
    monkeypatch.setenv("DFC_TARGET_CPU", "x86-64-v2")
    assert cpu_target().cpu == "x86-64-v2"
    monkeypatch.setenv("DFC_TARGET_CPU", "native")
    assert cpu_target().cpu == llvm.get_host_cpu_name()
    monkeypatch.delenv("DFC_TARGET_CPU")
    assert cpu_target() == cpu_target("native")


def test_an_unknown_cpu_name_is_an_error_that_lists_the_known_ones(monkeypatch):
    monkeypatch.setenv("DFC_TARGET_CPU", "pentium-v9")
    with pytest.raises(TargetError, match=r"'pentium-v9' is not a CPU dfc knows.*x86-64-v3"):
        cpu_target()


def test_each_target_has_its_own_cache_identity():
    v2, v3, v4 = (cpu_target(n) for n in ("x86-64-v2", "x86-64-v3", "skylake-avx512"))
    assert len({v2.identity, v3.identity, v4.identity}) == 3
    keys = {kernel_cache.unit_key(t, "define void @f() {\n  ret void\n}", 3) for t in (v2, v3, v4)}
    assert len(keys) == 3


def test_kernel_names_depend_on_the_target(monkeypatch):
    names = set()
    for cpu in ("x86-64-v2", "x86-64-v3"):
        monkeypatch.setenv("DFC_TARGET_CPU", cpu)
        names.add(next(line for line in emit_llvm(exp_step()).splitlines() if line.startswith("; ---- module dfc_k")))
    assert len(names) == 2


def test_512_bit_cpus_prefer_512_bit_vectors(monkeypatch):
    monkeypatch.delenv("DFC_PREFER_VECTOR_WIDTH", raising=False)
    assert ("prefer-vector-width", "512") in cpu_target("skylake-avx512").attributes
    assert cpu_target("x86-64-v3").attributes == ()
    monkeypatch.setenv("DFC_TARGET_CPU", "znver4")
    assert '"prefer-vector-width"="512"' in emit_llvm(exp_step())
    monkeypatch.setenv("DFC_PREFER_VECTOR_WIDTH", "256")
    assert '"prefer-vector-width"="256"' in emit_llvm(exp_step())
    monkeypatch.setenv("DFC_PREFER_VECTOR_WIDTH", "300")
    with pytest.raises(TargetError, match="128, 256 or 512"):
        cpu_target()


def test_x86_64_v2_code_uses_no_avx(monkeypatch):
    monkeypatch.setenv("DFC_TARGET_CPU", "x86-64-v2")
    asm = emit_asm(exp_step())
    assert "%xmm" in asm and "%ymm" not in asm and "%zmm" not in asm


@pytest.mark.parametrize("cpu", ["x86-64-v2", "x86-64-v3"])
def test_a_session_runs_code_for_a_chosen_cpu(cpu, monkeypatch, tmp_path):
    if not host_can_run(cpu):
        pytest.skip(f"this host cannot run {cpu} code")
    monkeypatch.setenv("DFC_TARGET_CPU", cpu)
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, (1000,))
        y = tf.reduce_sum((tf.tanh(x) + 1.5) * tf.exp(-x * x))
    data = np.linspace(-2, 2, 1000, dtype=np.float32)
    with tf.Session(graph=g) as sess:
        got = sess.run(y, {x: data})
    wide = data.astype(np.float64)
    want = np.sum((np.tanh(wide) + 1.5) * np.exp(-wide**2))
    np.testing.assert_allclose(got, want, rtol=1e-4)


def test_code_the_host_cannot_run_is_refused_by_name(monkeypatch):
    fake = CpuTarget("cpu", llvm.get_process_triple(), "x86-64-v2", "+sse2,+no-such-feature")
    with pytest.raises(TargetError, match="lacks no-such-feature"):
        fake.check_runnable()
    with pytest.raises(TargetError, match="lacks no-such-feature"):
        fake.jit([])
    other = CpuTarget("cpu", "aarch64-unknown-linux-gnu", "generic")
    with pytest.raises(TargetError, match="cannot run on this"):
        other.check_runnable()
