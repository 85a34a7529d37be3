"""The CPU emulation of the CUDA driver (tests/gpu_emulator.py) against PTX's rules, and the faults it must report.

The GPU runtime's tests trust the emulator to run kernels as a GPU would and to fail where a GPU would
fault or hang; these tests hold it to that with small NVPTX modules written here."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

import gpu_emulator
import gpu_emulator_kernels
from dfc.compiler.target import NVPTX_DATALAYOUT, nvptx_target

SREGS = "\n".join(f"declare i32 @llvm.nvvm.read.ptx.sreg.{r}.x()" for r in ("tid", "ctaid", "ntid", "nctaid"))
SHUFFLES = "\n".join(f"declare i32 @llvm.nvvm.shfl.sync.{m}.i32(i32, i32, i32, i32)" for m in ("up", "down", "bfly",
                                                                                                   "idx"))
HEADER = f'target triple = "nvptx64-nvidia-cuda"\ntarget datalayout = "{NVPTX_DATALAYOUT}"\n{SREGS}\n{SHUFFLES}\n' \
         "declare void @llvm.nvvm.barrier0()\n"

#: out[g*6 + k]: shfl down 3, up 5 (c=0), bfly 7, idx 9, a shfl down 2 within 8-lane segments (c=0x181f... see
#: the test), and the block's values reversed through shared memory across a barrier
EXCHANGE = HEADER + """
@tile = internal addrspace(3) global [128 x i32] undef, align 4
define ptx_kernel void @exchange(ptr %out) {
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %c = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %n = call i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
  %base = mul i32 %c, %n
  %g = add i32 %base, %t
  %down = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %g, i32 3, i32 31)
  %up = call i32 @llvm.nvvm.shfl.sync.up.i32(i32 -1, i32 %g, i32 5, i32 0)
  %bfly = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %g, i32 7, i32 31)
  %idx = call i32 @llvm.nvvm.shfl.sync.idx.i32(i32 -1, i32 %g, i32 9, i32 31)
  %seg = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %g, i32 2, i32 6175)
  %slot = getelementptr [128 x i32], ptr addrspace(3) @tile, i32 0, i32 %t
  store i32 %g, ptr addrspace(3) %slot
  call void @llvm.nvvm.barrier0()
  %n1 = sub i32 %n, 1
  %r = sub i32 %n1, %t
  %rslot = getelementptr [128 x i32], ptr addrspace(3) @tile, i32 0, i32 %r
  %rev = load i32, ptr addrspace(3) %rslot
  %o = mul i32 %g, 6
  %p0 = getelementptr i32, ptr %out, i32 %o
  store i32 %down, ptr %p0
  %p1 = getelementptr i32, ptr %p0, i32 1
  store i32 %up, ptr %p1
  %p2 = getelementptr i32, ptr %p0, i32 2
  store i32 %bfly, ptr %p2
  %p3 = getelementptr i32, ptr %p0, i32 3
  store i32 %idx, ptr %p3
  %p4 = getelementptr i32, ptr %p0, i32 4
  store i32 %seg, ptr %p4
  %p5 = getelementptr i32, ptr %p0, i32 5
  store i32 %rev, ptr %p5
  ret void
}
"""

#: every thread stores its global index one element further than it should: the last one writes past the end
OFF_BY_ONE = HEADER + """
define ptx_kernel void @off_by_one(ptr %out) {
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %c = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %n = call i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
  %base = mul i32 %c, %n
  %g = add i32 %base, %t
  %g1 = add i32 %g, 1
  %p = getelementptr i32, ptr %out, i32 %g1
  store i32 %g, ptr %p
  ret void
}
"""

#: thread 0 leaves before the barrier the others wait at: a hang on a GPU
DIVERGENT = HEADER + """
define ptx_kernel void @divergent(ptr %out) {
entry:
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %first = icmp eq i32 %t, 0
  br i1 %first, label %done, label %wait
wait:
  call void @llvm.nvvm.barrier0()
  br label %done
done:
  ret void
}
"""


def _load(emu, text: str, name: str):
    """Load a module as the runtime does: its real PTX as the image, its LLVM text known to the emulator."""
    drv = emu.driver
    assert drv.cuInit(0)[0] == 0
    emu.driver.sources[name] = text
    ptx = nvptx_target("sm_80").emit_assembly(text)
    err, module = drv.cuModuleLoadData(ptx.encode() + b"\0")
    assert err == 0, drv.faults
    err, function = drv.cuModuleGetFunction(module, name.encode())
    assert err == 0, drv.faults
    err, stream = drv.cuStreamCreate(0)
    return function, stream


def _launch(drv, function, stream, grid, block, *pointers):
    return drv.cuLaunchKernel(function, grid, 1, 1, block, 1, 1, 0, stream,
                              (tuple(pointers), (ctypes.c_void_p,) * len(pointers)), 0)[0]


def _download(drv, ptr, count):
    out = np.empty(count, np.int32)
    err = drv.cuMemcpyDtoH(out.ctypes.data, ptr, out.nbytes)[0]
    return err, out


def _expected_shuffles(grid: int, block: int) -> np.ndarray:
    """PTX ISA's shfl.sync rules: lane j = lane+b (down, valid j <= maxLane), lane-b (up, valid j >= c),
    lane^b (bfly), b (idx); segmented by c's mask bits; an invalid source gives the thread's own value."""
    g = np.arange(grid * block)
    lane = g % 32
    warp_base = g - lane
    out = np.empty((g.size, 6), np.int64)
    out[:, 0] = np.where(lane + 3 <= 31, warp_base + np.minimum(lane + 3, 31), g)
    out[:, 1] = np.where(lane - 5 >= 0, warp_base + np.maximum(lane - 5, 0), g)
    out[:, 2] = warp_base + (lane ^ 7)
    out[:, 3] = warp_base + 9
    seg_lane = lane % 8  # c = 0x181f: segment mask 0x18 (lanes in groups of 8), clamp 31 within the segment
    out[:, 4] = np.where(seg_lane + 2 <= 7, g + 2, g)
    block_base = g - g % block
    out[:, 5] = block_base + (block - 1 - g % block)
    return out.reshape(-1)


def test_shuffles_and_barriers_follow_ptx(emulated_gpu):
    drv = emulated_gpu.driver
    function, stream = _load(emulated_gpu, EXCHANGE, "exchange")
    grid, block = 3, 96
    err, out = drv.cuMemAlloc(grid * block * 6 * 4)
    assert _launch(drv, function, stream, grid, block, out) == 0
    err, before = _download(drv, out, grid * block * 6)  # a synchronous copy waits for the blocking stream
    np.testing.assert_array_equal(before, _expected_shuffles(grid, block))


def test_work_on_a_stream_runs_when_synchronized(emulated_gpu):
    drv = emulated_gpu.driver
    function, stream = _load(emulated_gpu, EXCHANGE, "exchange")
    err, out = drv.cuMemAlloc(32 * 6 * 4)
    assert _launch(drv, function, stream, 1, 32, out) == 0
    raw = np.ctypeslib.as_array((ctypes.c_int32 * (32 * 6)).from_address(out))
    assert (raw == -1).all(), "fresh device memory is 0xFF bytes, and the kernel has not run yet"
    assert drv.cuStreamSynchronize(stream)[0] == 0
    np.testing.assert_array_equal(raw, _expected_shuffles(1, 32))


def test_a_kernel_writing_past_its_buffer_is_a_fault(emulated_gpu):
    drv = emulated_gpu.driver
    function, stream = _load(emulated_gpu, OFF_BY_ONE, "off_by_one")
    err, out = drv.cuMemAlloc(64 * 4)
    assert _launch(drv, function, stream, 2, 32, out) == 0
    assert drv.cuStreamSynchronize(stream)[0] == gpu_emulator.CUresult.CUDA_ERROR_ILLEGAL_ADDRESS
    assert drv.cuMemAlloc(4)[0] == gpu_emulator.CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, "faults are sticky"
    assert "written" in drv.faults[0] and "out of bounds" in drv.faults[0]
    drv.faults.clear()
    drv.allocations.clear()  # the fixture's final check would find the overwritten red zone again


def test_a_barrier_not_every_thread_reaches_is_a_fault_not_a_hang(emulated_gpu, monkeypatch):
    monkeypatch.setattr(gpu_emulator_kernels.PATIENCE_S, "value", 1)
    drv = emulated_gpu.driver
    function, stream = _load(emulated_gpu, DIVERGENT, "divergent")
    err, out = drv.cuMemAlloc(4)
    assert _launch(drv, function, stream, 1, 64, out) == 0
    assert drv.cuStreamSynchronize(stream)[0] == gpu_emulator.CUresult.CUDA_ERROR_LAUNCH_FAILED
    assert "barrier" in drv.faults[0]
    drv.faults.clear()


def test_launch_arguments_must_be_device_memory_of_the_kernels_types(emulated_gpu):
    drv = emulated_gpu.driver
    function, stream = _load(emulated_gpu, OFF_BY_ONE, "off_by_one")
    host = np.zeros(64, np.int32)
    assert _launch(drv, function, stream, 1, 32, host.ctypes.data) == gpu_emulator.CUresult.CUDA_ERROR_ILLEGAL_ADDRESS
    assert "not inside one live device allocation" in drv.faults[0]
    drv.faults.clear()
    drv.sticky = None
    err, out = drv.cuMemAlloc(4)
    wrong = drv.cuLaunchKernel(function, 1, 1, 1, 32, 1, 1, 0, stream, ((out, 3), (ctypes.c_void_p, ctypes.c_int64)), 0)
    assert wrong[0] == gpu_emulator.CUresult.CUDA_ERROR_INVALID_VALUE and "takes (c_void_p)" in drv.faults[0]
    drv.faults.clear()


@pytest.mark.parametrize("dtype", ["f32", "bf16"])
def test_cublas_gemm_is_column_major_with_leading_dimensions(emulated_gpu, dtype):
    """C(2x3, ldc 4) = A^T B with A stored 4x2 (lda 5) and B 4x3 (ldb 4), column-major as cuBLAS reads them."""
    drv, blas = emulated_gpu.driver, emulated_gpu.cublas
    drv.cuInit(0)
    rng = np.random.default_rng(0)
    a_full = rng.standard_normal((2, 5)).astype(np.float32)  # column-major 5x2: column j is a_full[j]
    b_full = rng.standard_normal((3, 4)).astype(np.float32)
    c_full = np.zeros((3, 4), np.float32)
    kind, np_type = (0, np.float32) if dtype == "f32" else (14, np.uint16)

    def device(host):
        raw = host if dtype == "f32" else (host.view(np.uint32) >> 16).astype(np.uint16)
        ptr = drv.cuMemAlloc(raw.nbytes)[1]
        drv.cuMemcpyHtoD(ptr, raw.ctypes.data, raw.nbytes)
        return ptr

    a, b, c = device(a_full), device(b_full), device(c_full)
    one, zero = ctypes.c_float(1.0), ctypes.c_float(0.0)
    status = blas.cublasGemmEx(None, 1, 0, 2, 3, 4, ctypes.byref(one), a, kind, 5, b, kind, 4, ctypes.byref(zero),
                               c, kind, 4, 68, -1)
    assert status == 0
    got = np.empty((3, 4), np_type)
    assert drv.cuMemcpyDtoH(got.ctypes.data, c, got.nbytes)[0] == 0
    got = got if dtype == "f32" else (got.astype(np.uint32) << 16).view(np.float32)
    A = a_full[:, :4].T if dtype == "f32" else (((a_full.view(np.uint32) >> 16) << 16).view(np.float32))[:, :4].T
    B = b_full.T if dtype == "f32" else (((b_full.view(np.uint32) >> 16) << 16).view(np.float32)).T
    expected = A.T @ B
    np.testing.assert_allclose(got[:, :2].T, expected, rtol=1e-6 if dtype == "f32" else 1e-2, atol=1e-2)
    assert (got[:, 2:] == 0).all(), "rows past m in each column (ldc > m) are left alone"
    double = ctypes.c_double(1.0)
    assert blas.cublasGemmEx(None, 1, 0, 2, 3, 4, ctypes.byref(double), a, kind, 5, b, kind, 4, ctypes.byref(zero),
                             c, kind, 4, 68, -1) == gpu_emulator.CUBLAS_STATUS_INVALID_VALUE
    assert blas.cublasGemmEx(None, 1, 0, 2, 3, 4, ctypes.byref(one), a, kind, 1, b, kind, 4, ctypes.byref(zero),
                             c, kind, 4, 68, -1) == gpu_emulator.CUBLAS_STATUS_INVALID_VALUE  # lda < k
    drv.faults.clear()


def test_reductions_hold_when_warps_lag_behind_at_barriers(emulated_gpu, monkeypatch):
    """About half the warps of a block sleep after each bar.sync while the others run on: a reduction that reuses its
    shared partials before every warp has read them (a missing barrier) gives wrong sums here."""
    import test_gpu_runtime as runtime_tests

    from dfc.ir import dtypes as D
    from dfc.ir.builder import create_op

    monkeypatch.setattr(gpu_emulator_kernels.LAG_US, "value", 2000)
    x = np.random.default_rng(8).standard_normal((40, 300)).astype(np.float32)  # 40 rows: blocks do two
    ref, got = runtime_tests._run_both([(D.f32, x.shape)], lambda g, a: [
        create_op(g, "dfc.reduce_sum", [a[0]], {"axes": [1], "keepdims": False}).result], [x])
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-5, atol=1e-5)
