"""The CPU code generator's text outputs: LLVM IR, vectorized assembly, no libm calls in float32 (and
float64 exp/log/expm1/log1p/tanh/sigmoid) loops.

Assertions about registers pin the target CPU (DFC_TARGET_CPU), so they hold on any x86-64 host."""

from __future__ import annotations

import re

import llvmlite.binding as llvm
import numpy as np
import pytest

from dfc.compiler import compile_step
from dfc.compiler.codegen import emit_asm, emit_llvm
from dfc.compiler.codegen.cpu import split_modules
from dfc.compiler.plan import plan
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.graph import Graph
from dfc.ir.types import TensorType


def step_of(opnames, n=4096, dtype=D.f32):
    g = Graph()
    x = g.body.add_argument(TensorType(dtype, (n,)), "x")
    t = x
    for name in opnames:
        t = create_op(g, name, [t]).result
    return compile_step(g, [t], [], [x], [(n,)], pipeline=[])


#: the widest vector register each pinned CPU's kernels use (x86-64-v4 and znver4 prefer 512 bits: docs/targets.md)
VECTOR_REGISTER = {"x86-64-v3": "ymm", "skylake-avx512": "zmm"}


@pytest.fixture(params=sorted(VECTOR_REGISTER))
def vector_register(request, monkeypatch) -> str:
    """Compile for a pinned CPU (assembly only: nothing runs), and name its widest vector register."""
    monkeypatch.setenv("DFC_TARGET_CPU", request.param)
    monkeypatch.delenv("DFC_PREFER_VECTOR_WIDTH", raising=False)
    return VECTOR_REGISTER[request.param]


def test_emit_llvm_has_one_entry_and_a_kernel_module():
    modules = split_modules(emit_llvm(step_of(["dfc.relu"])))
    assert list(modules)[-1] == "dfc_main" and len(modules) == 2
    (kernel,) = [name for name in modules if name != "dfc_main"]
    assert modules["dfc_main"].count("define i32 @dfc_main(ptr %args)") == 1
    assert f"define void @{kernel}(" in modules[kernel]
    assert f"declare void @{kernel}(" in modules["dfc_main"] and f"call void @{kernel}(" in modules["dfc_main"]
    for text in modules.values():  # every module re-parses on its own
        llvm.parse_assembly(text).verify()


def test_identical_kernels_are_one_module():
    modules = split_modules(emit_llvm(step_of(["dfc.relu"] * 8, n=100)))
    kernels = [name for name in modules if name != "dfc_main"]
    # relu out of place (input -> arena), in place (arena -> arena), into the output: three kernels, eight calls
    assert len(kernels) <= 3
    assert sum(modules["dfc_main"].count(f"call void @{k}(") for k in kernels) == 8


@pytest.mark.parametrize("ops", [["dfc.relu"], ["dfc.exp"], ["dfc.tanh"], ["dfc.sigmoid"], ["dfc.sin"], ["dfc.log"]])
def test_elementwise_kernels_are_packed_vector_code(ops, vector_register):
    reg = vector_register
    asm = emit_asm(step_of(ops))
    packed = re.findall(rf"\bv\w+ps\b[^\n]*%{reg}\d+", asm)
    assert len(packed) >= 2, asm[:2000]


@pytest.mark.parametrize("op", ["dfc.exp", "dfc.log", "dfc.expm1", "dfc.log1p", "dfc.tanh", "dfc.sigmoid",
                                "dfc.sin", "dfc.cos"])
def test_float32_math_calls_no_libm(op):
    asm = emit_asm(step_of([op]))
    calls = re.findall(r"\bcall[lq]?\s+\*?(\S+)", asm)
    # sin and cos call only their own large-argument (Payne-Hanek) versions, rarely taken
    ours = re.compile(r"dfc_(sin|cos)f_big(_m\d+)?")
    assert not [c for c in calls if re.search(r"exp|log|sin|cos|tanh", c) and not ours.fullmatch(c)], calls


@pytest.mark.parametrize("op", ["dfc.sin", "dfc.cos"])
def test_float32_sin_cos_loops_stay_vectorized_with_the_large_argument_path_a_masked_call(op, vector_register):
    asm = emit_asm(step_of([op]))
    name = op[4:]
    lanes = {"xmm": 4, "ymm": 8, "zmm": 16}[vector_register]
    # the packed loop calls the variant of its width with the mask of its big lanes, not the scalar version
    assert re.search(rf"\bcall[lq]?\s+dfc_{name}f_big_m{lanes}\b", asm), asm[:3000]
    assert not re.search(r"vgather|vpmullq", asm.split(f"dfc_{name}f_big:")[0])  # no table gathers inline


def test_float64_exp_is_packed_code_without_libm(vector_register):
    reg = vector_register
    asm = emit_asm(step_of(["dfc.exp"], dtype=D.f64))
    calls = re.findall(r"\bcall[lq]?\s+\*?(\S+)", asm)
    assert not [c for c in calls if re.search(r"exp|log|pow", c)], calls
    packed = re.findall(rf"\bv\w+pd\b[^\n]*%{reg}\d+", asm)
    assert len(packed) >= 10, asm[:2000]


@pytest.mark.parametrize("op", ["dfc.log", "dfc.expm1", "dfc.log1p", "dfc.tanh", "dfc.sigmoid"])
def test_float64_math_calls_no_libm(op):
    asm = emit_asm(step_of([op], dtype=D.f64))
    calls = re.findall(r"\bcall[lq]?\s+\*?(\S+)", asm)
    assert not [c for c in calls if re.search(r"exp|log|tanh", c)], calls


def test_float16_math_rounds_through_float32():
    text = emit_llvm(step_of(["dfc.exp"], dtype=D.f16))
    assert "fpext half" in text and "fptrunc float" in text and "@dfc_expf" in text


def test_matmul_calls_blas_through_a_symbol():
    g = Graph()
    a = g.body.add_argument(TensorType(D.f32, (8, 4)), "a")
    b = g.body.add_argument(TensorType(D.f32, (4, 3)), "b")
    y = create_op(g, "dfc.matmul", [a, b]).result
    text = emit_llvm(compile_step(g, [y], [], [a, b], [(8, 4), (4, 3)], pipeline=[]))
    assert "call void @dfc_sgemm(" in text


def test_plan_pass_prints_buffer_sizes_and_the_peak():
    report = plan(step_of(["dfc.exp", "dfc.neg", "dfc.abs"], n=100)).analysis.report()
    assert "arena peak 448 bytes" in report  # 400 bytes rounded to 64
    assert re.search(r"%x\s+tensor<100xf32>\s+400 B\s+input #0", report)
    assert "output #0" in report


def test_big_kernels_are_split_across_threads():
    text = emit_llvm(step_of(["dfc.relu"], n=1 << 20))
    assert "call void @dfc_parallel_for(" in text and "declare void @dfc_parallel_for(" in text
    small = emit_llvm(step_of(["dfc.relu"], n=1000))
    assert "call void @dfc_parallel_for(" not in small


def test_big_outputs_are_written_with_streaming_stores(vector_register):
    big = emit_llvm(step_of(["dfc.relu"], n=1 << 20))
    assert "!nontemporal !0" in big and "fence seq_cst" in big
    assert "!nontemporal !0" not in emit_llvm(step_of(["dfc.relu"], n=1 << 16))
    assert "vmovntps" in emit_asm(step_of(["dfc.relu"], n=1 << 20))


def test_matmuls_call_blas_on_one_thread_and_big_ones_tile_on_the_pool():
    def mm(n):
        g = Graph()
        a = g.body.add_argument(TensorType(D.f32, (n, n)), "a")
        y = create_op(g, "dfc.matmul", [a, a], {"transpose_a": False, "transpose_b": False}).result
        return compile_step(g, [y], [], [a], [(n, n)], pipeline=[])

    from dfc.compiler.codegen.cpu import lower
    small, big = lower(mm(100), blas_threads=True).text, lower(mm(1024), blas_threads=True).text
    assert "call void @dfc_blas_set_threads(i32 1)" in small and "call void @dfc_blas_set_threads(i32 1)" in big
    assert "@dfc_parallel_for" in big and "@dfc_parallel_for" not in small  # OpenBLAS's threads never wake
    assert "dfc_blas_set_threads" not in lower(mm(100)).text  # only where the runtime binds the symbols


def test_pooled_gemms_get_one_row_tile_per_thread_unless_tiles_stay_big():
    """Every BLAS call packs all of B: the seed's layer (m=100) gets one tile per thread, not 13 of 8 rows."""
    from dfc.compiler.codegen.matmul import FEW_TILES, Gemm, rows_per_tile

    def tiles(m, k, n, threads):
        g = Gemm(D.f32, m, n, k, False, False, (), [], [], k, n)
        rows = rows_per_tile(g, threads)
        return -(-m // rows)

    assert tiles(100, 784, 100, 2) == 2 and tiles(100, 784, 100, 8) == 8 and tiles(100, 784, 100, 1) == 1
    assert tiles(3, 784, 100, 8) == 3  # never an empty tile
    assert tiles(4000, 256, 256, 2) == 16  # a tall GEMM: more tiles per thread, each still big
    assert tiles(4000, 1024, 1024, 8) == FEW_TILES  # a B bigger than the cache: a few tiles only

    def layer(threads):
        g = Graph()
        x = g.body.add_argument(TensorType(D.f32, (100, 784)), "x")
        w = g.body.add_argument(TensorType(D.f32, (784, 100)), "w")
        y = create_op(g, "dfc.relu", [create_op(g, "dfc.matmul", [x, w]).result]).result
        from dfc.compiler.codegen.cpu import lower
        return lower(compile_step(g, [y], [], [x, w], [(100, 784), (784, 100)]), blas_threads=True,
                     threads=threads).text

    assert re.search(r"@dfc_parallel_for\(ptr @k1_w, ptr %a\d+, i64 2,", layer(2))
    assert re.search(r"@dfc_parallel_for\(ptr @k1_w, ptr %a\d+, i64 4,", layer(4))


def test_constants_are_passed_not_embedded():
    g = Graph()
    x = g.body.add_argument(TensorType(D.f32, (64,)), "x")
    c = create_op(g, "dfc.constant", [], {"value": np.arange(64, dtype=np.float32)}).result
    y = create_op(g, "dfc.add", [x, c]).result
    text = emit_llvm(compile_step(g, [y], [], [x], [(64,)], pipeline=[]))
    assert "constant [" not in text  # big constants travel in the pointer array: the module text stays small
