"""GPU benchmarks, measured side by side in one run: dfc's kernels against the device's own copy bandwidth,
cuBLAS through dfc against PyTorch's matmul (when PyTorch is importable); printed as ratios.

`python -m benchmarks.gpu` (or `python -m dfc.tools.gpu_check`, which also runs the GPU tests) needs a GPU
and the `gpu` extra. Nothing here asserts a time: the figures are for the README, measured, never assumed.
"""

from __future__ import annotations

import json
import time

import numpy as np

#: the elementwise chain's elements (float32): 64M, 256 MB per tensor
CHAIN_ELEMENTS = 1 << 26
MATMUL_SIDE = 8192


def _step(types, build):
    from dfc.compiler import compile_step
    from dfc.ir.graph import Graph
    from dfc.ir.types import TensorType

    g = Graph()
    args = [g.body.add_argument(TensorType(dt, shape), f"a{i}") for i, (dt, shape) in enumerate(types)]
    return compile_step(g, build(g, args), [], args, [s for _, s in types])


def _time(fn, repeat: int = 10) -> float:
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _device_time(executable, repeat: int = 10) -> float:
    """Seconds per run of a compiled step's device work (its host steps on the stream, inputs already there)."""
    from dfc.runtime import gpu

    drv = gpu._driver()
    ctx = executable.ctx
    start, stop = gpu._check(drv.cuEventCreate(0)), gpu._check(drv.cuEventCreate(0))
    runner = executable.replay_device_steps
    runner()
    gpu._check(drv.cuStreamSynchronize(ctx.stream))
    gpu._check(drv.cuEventRecord(start, ctx.stream))
    for _ in range(repeat):
        runner()
    gpu._check(drv.cuEventRecord(stop, ctx.stream))
    gpu._check(drv.cuEventSynchronize(stop))
    return gpu._check(drv.cuEventElapsedTime(start, stop)) / 1000.0 / repeat


def elementwise_vs_copy() -> dict:
    """A 64M-element chain relu(x*1.5+0.25)*x (one fused kernel: 2 reads + 1 write per element) against a
    device-to-device copy (1 read + 1 write) of the same bytes."""
    from dfc.ir import dtypes as D
    from dfc.ir.builder import create_op
    from dfc.runtime import gpu

    def build(g, a):
        c1 = create_op(g, "dfc.constant", [], {"value": np.float32(1.5)}).result
        c2 = create_op(g, "dfc.constant", [], {"value": np.float32(0.25)}).result
        y = create_op(g, "dfc.add", [create_op(g, "dfc.mul", [a[0], c1]).result, c2]).result
        return [create_op(g, "dfc.mul", [create_op(g, "dfc.relu", [y]).result, a[0]]).result]

    ex = gpu.GpuExecutable(_step([(D.f32, (CHAIN_ELEMENTS,))], build))
    ex.bind([np.ones(CHAIN_ELEMENTS, np.float32)])
    chain = _device_time(ex)
    nbytes = CHAIN_ELEMENTS * 4
    a, b = gpu.DeviceBuffer(nbytes), gpu.DeviceBuffer(nbytes)
    drv = gpu._driver()

    def copy():
        gpu._check(drv.cuMemcpyDtoDAsync(b.ptr, a.ptr, nbytes, ex.ctx.stream))
        gpu._check(drv.cuStreamSynchronize(ex.ctx.stream))

    copy_s = _time(copy)
    chain_bw = 2 * nbytes / chain  # the fused chain reads x once and writes once
    copy_bw = 2 * nbytes / copy_s
    return {"elements": CHAIN_ELEMENTS, "chain_s": chain, "copy_s": copy_s, "chain_GBps": chain_bw / 1e9,
            "copy_GBps": copy_bw / 1e9, "fraction_of_copy_bandwidth": chain_bw / copy_bw}


def matmul(dtype: str = "f32") -> dict:
    from dfc.ir import dtypes as D
    from dfc.ir.builder import create_op
    from dfc.runtime import gpu

    dt = {"f32": D.f32, "bf16": D.bf16}[dtype]
    n = MATMUL_SIDE
    ex = gpu.GpuExecutable(_step([(dt, (n, n)), (dt, (n, n))],
                                 lambda g, a: [create_op(g, "dfc.matmul", list(a)).result]))
    x = np.ones((n, n), dt.np)
    ex.bind([x, x])
    dfc_s = _device_time(ex, 5)
    row = {"dtype": dtype, "n": n, "dfc_s": dfc_s, "dfc_TFLOPs": 2 * n ** 3 / dfc_s / 1e12}
    try:
        import torch

        tdt = {"f32": torch.float32, "bf16": torch.bfloat16}[dtype]
        ta = torch.ones((n, n), dtype=tdt, device="cuda")

        def torch_mm():
            torch.matmul(ta, ta)
            torch.cuda.synchronize()

        row["torch_s"] = _time(torch_mm, 5)
        row["torch_over_dfc"] = row["torch_s"] / dfc_s
    except ImportError:
        row["torch"] = "not installed"
    return row


def run_overhead() -> dict:
    """Seconds per Session-free run of a tiny step (upload, launch, download): the per-run overhead."""
    from dfc.ir import dtypes as D
    from dfc.ir.builder import create_op
    from dfc.runtime import gpu

    ex = gpu.GpuExecutable(_step([(D.f32, (16,))], lambda g, a: [create_op(g, "dfc.relu", [a[0]]).result]))
    x = np.ones(16, np.float32)

    class _Ctx:
        def random_step(self, op):
            return 0

    return {"tiny_step_s": _time(lambda: ex([x], _Ctx()), 200)}


def main() -> dict:
    report = {}
    for name, fn in (("elementwise_chain", elementwise_vs_copy), ("matmul_f32", lambda: matmul("f32")),
                     ("matmul_bf16", lambda: matmul("bf16")), ("run_overhead", run_overhead)):
        try:
            report[name] = fn()
        except Exception as e:  # noqa: BLE001 - one failing benchmark is reported, the others still run
            report[name] = {"error": f"{type(e).__name__}: {e}"}
    return report


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
