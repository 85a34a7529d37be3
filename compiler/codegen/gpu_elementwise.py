"""GPU elementwise kernels (one grid-stride loop per op or fused region, per-element code from scalar.py) and
matmul as a cuBLAS GEMM planned on the host, its fused epilogue one of these kernels."""

from __future__ import annotations

import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Op, Value

from ..plan import Storage, fused_matmul
from .elementwise import PARAM_ZERO_DIVISOR, integer_divisions, report_zero_divisors
from .gpu import GemmCall, GpuModuleBuilder, grid_index_lines
from .loops import View, broadcast_strides, coalesce, contiguous_strides, counted_loop, elem_ptr
from .matmul import Gemm
from .module import where
from .region import big_constants, eval_region
from .scalar import Fn, load, scalar, store

#: dtypes cuBLAS multiplies (cublasGemmEx); other matmuls run the CPU's loop nest as a GPU kernel
CUBLAS_DTYPES = {D.f32: "f32", D.f64: "f64", D.f16: "f16", D.bf16: "bf16"}


def lower_elementwise_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    """An elementwise op or fused elementwise region: one kernel, a grid-stride loop over the output."""
    region_consts = big_constants(op.regions[0]) if op.type == "dfc.fused" else []
    operands: list[tuple[Value | None, Storage | str]] = [(v, where(mb, v)) for v in op.inputs]
    operands += [(c.result, mb.global_constant(c.attrs["value"], c.result.type.dtype)) for c in region_consts]

    def values(fn: Fn, loaded: list[str]) -> list[str]:
        if op.type == "dfc.fused":
            return eval_region(mb, fn, op, loaded, region_consts)
        return [scalar(fn, op, loaded, [v.type.dtype for v in op.inputs], mb.needs)]

    elementwise_kernel(mb, list(op.results), operands, values, integer_divisions(op))


def elementwise_kernel(mb: GpuModuleBuilder, results: list[Value], operands: list[tuple[Value | None, Storage | str]],
                       values, divisions: list[Op] = ()) -> None:
    """out[i] = values(operands broadcast to the output at i) for every i, i over the grid's threads.

    `divisions`: the integer divisions values() computes; a zero divisor fails the step as on the CPU."""
    out_shape = results[0].type.shape
    total = int(np.prod(out_shape, dtype=np.int64))
    if total == 0:
        return
    used = [k for k, (v, _) in enumerate(operands) if v is not None]  # operands no op reads are not passed
    storages = [mb.plan.where(r) for r in results] + [operands[k][1] for k in used]
    if divisions:
        storages.append(mb.params_ptr())
    ptrs, which = mb.buffers(storages)
    nres = len(results)
    views = [View(which[k], r.type.dtype, 0, contiguous_strides(out_shape)) for k, r in enumerate(results)]
    for j, k in enumerate(used):
        v = operands[k][0]
        views.append(View(which[nres + j], v.type.dtype, 0, broadcast_strides(v.type.shape, out_shape)))
    dims, views = coalesce(list(out_shape), views)
    name, fn = mb.new_kernel(len(ptrs), chunked=False)
    fn.header = f"define ptx_kernel void @dfc_kernel({', '.join(f'ptr noalias %p{i}' for i in range(len(ptrs)))})"
    params = [f"%p{i}" for i in range(len(ptrs))]
    for line in grid_index_lines():
        fn.lines.append(line)
    fn.zero_divisor_flags = {d: fn.entry_flag() for d in divisions}  # type: ignore[attr-defined]
    with counted_loop(fn, "%first", str(total), "%stride", ("gs_head", "gs_body", "gs_done")) as i:  # type: ignore[arg-type]
        offs = flat_offsets(fn, i, dims, views)
        loaded: list[str | None] = [None] * len(operands)
        for k, view, off in zip(used, views[nres:], offs[nres:]):
            loaded[k] = load(fn, elem_ptr(fn, params, view, off), view.dtype)
        for view, off, val in zip(views[:nres], offs[:nres], values(fn, loaded)):
            store(fn, val, elem_ptr(fn, params, view, off), view.dtype)
    if divisions:
        report_zero_divisors(fn, fn.zero_divisor_flags, params[which[-1]])  # type: ignore[attr-defined]
    finish_grid_kernel(mb, name, fn, ptrs, total)
    if divisions:
        _check_zero_divisors_gpu(mb, divisions)


def _check_zero_divisors_gpu(mb: GpuModuleBuilder, divisions: list[Op]) -> None:
    """A one-thread kernel after an elementwise kernel with integer divisions: the first division (in region
    order) whose bit the kernel's threads set fails the step, as on the CPU; the word is cleared for the next."""
    from .gpu import _token  # noqa: PLC0415
    from .gpu_sparse import _claim_error  # noqa: PLC0415
    from .module import ErrorSite  # noqa: PLC0415

    codes = [mb.error_code(ErrorSite(d, "static", f"op {d.describe()} failed: Integer division by zero"))
             for d in divisions]
    name, fn = mb.new_kernel(2, chunked=False)
    fn.header = "define ptx_kernel void @dfc_kernel(ptr noalias %p0, ptr noalias %p1)"
    fn.lines += grid_index_lines()
    run, done = fn.label("report"), fn.label("reported")
    fn.emit(f"br i1 {fn('icmp eq i64 %first, 0')}, label %{run}, label %{done}")
    fn.block(run)
    word = fn(f"getelementptr inbounds i64, ptr %p0, i64 {PARAM_ZERO_DIVISOR}")
    bits = fn(f"load i64, ptr {word}")
    rc = "0"
    for k in reversed(range(len(divisions))):
        hit = fn(f"icmp ne i64 {fn(f'and i64 {bits}, {1 << k}')}, 0")
        rc = fn(f"select i1 {hit}, i32 {codes[k]}, i32 {rc}")
    fn.emit(f"store i64 0, ptr {word}")
    failed, claim = fn("icmp ne i32 " + rc + ", 0"), fn.label("claim")
    fn.emit(f"br i1 {failed}, label %{claim}, label %{done}")
    fn.block(claim)
    _claim_error(fn, "%p1", rc)
    fn.emit(f"br label %{done}")
    fn.block(done)
    finish_grid_kernel(mb, name, fn, [mb.params_ptr(), _token("errors", 0, 0)], 1, single=True, error_code=True)


def flat_offsets(fn: Fn, i: str, dims: list[int], views: list[View]) -> list[str]:
    """Each view's element offset at flat (row-major) index i of `dims`."""
    offs = [str(v.offset) for v in views]
    rem = i
    for d in range(len(dims) - 1, -1, -1):
        if all(v.strides[d] == 0 for v in views):
            continue
        if d:
            idx = fn(f"urem i64 {rem}, {dims[d]}")
            rem = fn(f"udiv i64 {rem}, {dims[d]}")
        else:
            idx = rem
        for k, v in enumerate(views):
            if v.strides[d]:
                m = fn(f"mul i64 {idx}, {v.strides[d]}")
                offs[k] = fn(f"add i64 {offs[k]}, {m}")
    return offs


def finish_grid_kernel(mb: GpuModuleBuilder, name: str, fn: Fn, ptrs: list[str], total: int, **launch) -> None:
    """Close a kernel that is itself the ptx_kernel (no body wrapper) and launch it over `total` items
    (`launch`: Launch's flags, e.g. single=True)."""
    from .gpu import Launch  # noqa: PLC0415
    from .module import _declarations_for  # noqa: PLC0415

    scope = mb._open
    mb._open = None
    fn.emit("ret void")
    decls = [f"declare i32 @llvm.nvvm.read.ptx.sreg.{r}.x()" for r in ("tid", "ctaid", "ntid", "nctaid")]
    body = "\n".join([_declarations_for(scope.needs, set())] + decls + scope.globals + scope.functions + [fn.text()])
    symbol = mb._add_unit(scope.name, body)
    mb.steps.append(Launch(symbol, tuple(ptrs), total, **launch))


# ---- matmul -------------------------------------------------------------------------------------

def gemm_call(g: Gemm, a: str, b: str, c: str) -> GemmCall:
    offsets = []
    for flat, idx in enumerate(np.ndindex(*g.batch) if g.batch else [()]):
        a_off = sum(i * s for i, s in zip(idx, g.a_bs))
        b_off = sum(i * s for i, s in zip(idx, g.b_bs))
        offsets.append((int(a_off), int(b_off), flat * g.m * g.n))
    return GemmCall(CUBLAS_DTYPES[g.dt], g.m, g.n, g.k, g.ta, g.tb, g.lda, g.ldb, a, b, c, tuple(offsets))


def lower_matmul_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    """A lone matmul: one cuBLAS GEMM (per batch matrix) into the result."""
    g = Gemm.of(op)
    if g.m * g.n * g.nbatch == 0:
        return
    if g.dt not in CUBLAS_DTYPES:
        from .matmul import lower_matmul  # noqa: PLC0415 - integer matmuls: the CPU's loop nest, grid-strided

        lower_matmul(mb, op)
        return
    if g.k == 0:
        elementwise_kernel(mb, [op.result], [], lambda fn, loaded: ["0.0" if g.dt is not D.f64 else "0.0"])
        return
    a, b = (mb.ptr(where(mb, v)) for v in op.inputs)
    mb.steps.append(gemm_call(g, a, b, mb.ptr(where(mb, op.result))))


def lower_fused_matmul_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    """A fused matmul: the GEMM (cuBLAS) into scratch memory, then the epilogue as an elementwise kernel."""
    mm = fused_matmul(op)
    g = Gemm.of(mm)
    if g.dt not in CUBLAS_DTYPES or g.k == 0:
        from .matmul import lower_fused_matmul  # noqa: PLC0415

        lower_fused_matmul(mb, op)
        return
    body = op.regions[0]
    outer = dict(zip(body.arguments, op.inputs))
    sources = [mb.ptr(where(mb, outer[v])) if v in outer else mb.global_constant(v.op.attrs["value"], v.type.dtype)
               for v in mm.inputs]
    product = mb.scratch_buffer(int(mm.result.type.num_elements) * g.dt.itemsize)
    if g.m * g.n * g.nbatch:
        mb.steps.append(gemm_call(g, sources[0], sources[1], product))
    readers = {v for inner in body.ops if inner is not mm for v in inner.inputs}
    region_consts = [c for c in big_constants(body, readers) if c.result not in mm.inputs]
    operands: list[tuple[Value | None, Storage | str]] = [
        (arg if arg in readers else None, where(mb, v)) for arg, v in zip(body.arguments, op.inputs)]
    operands += [(c.result, mb.global_constant(c.attrs["value"], c.result.type.dtype)) for c in region_consts]
    operands.append((mm.result, product))

    def values(fn: Fn, loaded: list[str]) -> list[str]:
        return eval_region(mb, fn, op, loaded[:-1], region_consts, known={mm.result: loaded[-1]})

    elementwise_kernel(mb, list(op.results), operands, values)
