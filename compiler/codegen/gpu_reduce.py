"""GPU reductions: one block per output element; each thread folds a strided share of the reduced elements,
then warp shuffles and shared memory combine the block's partial results."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Op, Value
from dfc.ir.ops.reduce import normalized_axes

from ..plan import Storage
from .gpu import BLOCK, GpuModuleBuilder, Launch
from .gpu_elementwise import flat_offsets, grid_index_lines
from .loops import View, counted_loop, elem_ptr
from .module import _declarations_for
from .reduce import (_combine, _finalize, _reduce_init, _split_dims, lower_fused_reduction, lower_reduce,
                     reduction_views)
from .scalar import COMP, Fn, load, round_to, store

WARP = 32
_SHFL = "llvm.nvvm.shfl.sync.down.i32"
_BARRIER = "llvm.nvvm.barrier.cta.sync.aligned.all"


def _shuffle_down(fn: Fn, ty: str, v: str, delta: int) -> str:
    """v of lane (this lane + delta), any scalar type, through 32-bit shuffles."""
    def shfl(x: str) -> str:
        return fn(f"call i32 @{_SHFL}(i32 -1, i32 {x}, i32 {delta}, i32 31)")

    if ty == "float":
        return fn(f"bitcast i32 {shfl(fn(f'bitcast float {v} to i32'))} to float")
    if ty in ("double", "i64"):
        bits = v if ty == "i64" else fn(f"bitcast double {v} to i64")
        lo = shfl(fn(f"trunc i64 {bits} to i32"))
        hi = shfl(fn(f"trunc i64 {fn(f'lshr i64 {bits}, 32')} to i32"))
        lo64 = fn(f"zext i32 {lo} to i64")
        hi64 = fn(f"zext i32 {hi} to i64")
        w = fn(f"or i64 {lo64}, {fn(f'shl i64 {hi64}, 32')}")
        return w if ty == "i64" else fn(f"bitcast i64 {w} to double")
    if ty == "i32":
        return shfl(v)
    wide = fn(f"zext {ty} {v} to i32")
    return fn(f"trunc i32 {shfl(wide)} to {ty}")


def _warp_reduce(fn: Fn, kind: str, ty: str, v: str, fl: bool) -> str:
    for delta in (16, 8, 4, 2, 1):
        v = _combine(fn, kind, ty, v, _shuffle_down(fn, ty, v, delta), fl)
    return v


def _block_reduce(fn: Fn, kind: str, ty: str, v: str, fl: bool, init: str, lane: str, warp: str,
                  nwarps: str) -> tuple[str, str]:
    """Combine every thread's v across the block: each warp's total goes to shared memory, then the
    first warp reduces those. Returns (the block's total, valid in warp 0, and the label that ends
    warp 0's branch, which the caller closes after using the total)."""
    part = _warp_reduce(fn, kind, ty, v, fl)
    slot = fn(f"getelementptr [{WARP} x i64], ptr addrspace(3) @dfc_partials, i64 0, i64 {warp}")
    lane0 = fn(f"icmp eq i64 {lane}, 0")
    wr, after = fn.label("put"), fn.label("put_done")
    fn.emit(f"br i1 {lane0}, label %{wr}, label %{after}")
    fn.block(wr)
    fn.emit(f"store {ty} {part}, ptr addrspace(3) {slot}")
    fn.emit(f"br label %{after}")
    fn.block(after)
    fn.emit(f"call void @{_BARRIER}(i32 0)")
    first_warp = fn(f"icmp eq i64 {warp}, 0")
    fw, fdone = fn.label("final"), fn.label("final_done")
    fn.emit(f"br i1 {first_warp}, label %{fw}, label %{fdone}")
    fn.block(fw)
    has = fn(f"icmp ult i64 {lane}, {nwarps}")
    lslot = fn(f"getelementptr [{WARP} x i64], ptr addrspace(3) @dfc_partials, i64 0, i64 {lane}")
    got = fn(f"load {ty}, ptr addrspace(3) {lslot}")
    mine = fn(f"select i1 {has}, {ty} {got}, {ty} {init}")
    return _warp_reduce(fn, kind, ty, mine, fl), fdone


def _launch_block_kernel(mb: GpuModuleBuilder, fn: Fn, ptrs: list[str], nout: int) -> None:
    """Close a reduction kernel (its shared partials and intrinsics declared) and launch a block per output."""
    fn.emit("ret void")
    scope = mb._open
    mb._open = None
    decls = [f"declare i32 @llvm.nvvm.read.ptx.sreg.{r}.x()" for r in ("tid", "ctaid", "ntid", "nctaid")]
    decls += [f"declare i32 @{_SHFL}(i32, i32, i32, i32)", f"declare void @{_BARRIER}(i32)",
              f"@dfc_partials = internal addrspace(3) global [{WARP} x i64] undef, align 8"]
    body = "\n".join([_declarations_for(scope.needs, set())] + decls + scope.globals + scope.functions + [fn.text()])
    symbol = mb._add_unit(scope.name, body)
    mb.steps.append(Launch(symbol, tuple(ptrs), nout, blocks=True))


def reduce_kernel_gpu(mb: GpuModuleBuilder, op: Op, result: Value,
                      sources: list[tuple[Storage | str, tuple, D.DType]],
                      value: Callable[[Fn, list[str]], str]) -> None:
    """Reduce `value(loaded sources)` over op's axes: a block per output element (grid-strided over them)."""
    x = op.inputs[0]
    kind = op.short_type
    dt = x.type.dtype
    ty = COMP[dt]
    fl = dt.is_floating
    shape = x.type.shape
    axes = normalized_axes(op.attrs["axes"], len(shape))
    kept, red = _split_dims(shape, axes)
    count = int(np.prod([shape[a] for a in red], dtype=np.int64))
    nout = int(result.type.num_elements)
    if nout == 0:
        return
    ptrs, which = mb.buffers([mb.plan.where(result)] + [src for src, _, _ in sources])
    params = [f"%p{i}" for i in range(len(ptrs))]
    name, fn = mb.new_kernel(len(ptrs), chunked=False)
    fn.header = f"define ptx_kernel void @dfc_kernel({', '.join(f'ptr noalias %p{i}' for i in range(len(ptrs)))})"
    kdims, kviews, rdims, rviews = reduction_views(shape, kept, red, result.type.dtype, sources, which)
    fn.lines += grid_index_lines()
    init = _reduce_init(kind, dt, ty)
    lane = fn(f"and i64 %tid64, {WARP - 1}")
    warp = fn("lshr i64 %tid64, 5")
    nwarps = fn("lshr i64 %ntid64, 5")
    acc = fn.alloca(ty)
    with counted_loop(fn, "%cta64", str(nout), "%ncta64", ("out_head", "out_body", "out_done")) as o:  # type: ignore[arg-type]
        koffs = flat_offsets(fn, o, kdims, kviews)
        fn.emit(f"store {ty} {init}, ptr {acc}")
        with counted_loop(fn, "%tid64", str(count), "%ntid64", ("red_head", "red_body", "red_done")) as r:  # type: ignore[arg-type]
            roffs = flat_offsets(fn, r, rdims, [View(v.param, v.dtype, 0, v.strides) for v in rviews])
            loaded = []
            for k, v in enumerate(rviews):
                off = fn(f"add i64 {koffs[1 + k]}, {roffs[k]}")
                loaded.append(load(fn, elem_ptr(fn, params, v, off), v.dtype))
            xv = value(fn, loaded)
            a = fn(f"load {ty}, ptr {acc}")
            fn.emit(f"store {ty} {_combine(fn, kind, ty, a, xv, fl)}, ptr {acc}")
        total, first_warp_done = _block_reduce(fn, kind, ty, fn(f"load {ty}, ptr {acc}"), fl, init, lane, warp, nwarps)
        t0 = fn("icmp eq i64 %tid64, 0")
        st, sdone = fn.label("store"), fn.label("store_done")
        fn.emit(f"br i1 {t0}, label %{st}, label %{sdone}")
        fn.block(st)
        res = round_to(fn, _finalize(fn, kind, ty, total, count, fl), dt)
        store(fn, res, elem_ptr(fn, params, kviews[0], koffs[0]), dt)
        fn.emit(f"br label %{sdone}")
        fn.block(sdone)
        fn.emit(f"br label %{first_warp_done}")
        fn.block(first_warp_done)
        fn.emit(f"call void @{_BARRIER}(i32 0)")  # the partials are read before the next output reuses them
    _launch_block_kernel(mb, fn, ptrs, nout)


GPU_REDUCTIONS = {**{f"dfc.reduce_{k}": lower_reduce for k in ("sum", "mean", "max", "min", "prod", "any", "all")},
                  "fused": lower_fused_reduction}
assert BLOCK % WARP == 0
