"""matmul: BLAS (sgemm/dgemm through the symbols dfc_sgemm/dfc_dgemm) for f32/f64, a loop nest otherwise."""

from __future__ import annotations

import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Op

from .gemm import Gemm, gep, pooled_kernel
from .loops import View, broadcast_strides, contiguous_strides, elem_ptr, loop_nest
from .module import ModuleBuilder, where
from .scalar import COMP, STORE, lit, load, round_to, store

#: matmuls of fewer multiply-adds (m*n*k) run on one BLAS thread: waking OpenBLAS's pool costs more
#: than it saves at these sizes, and on a loaded machine a helper that is not scheduled stalls the
#: call for a whole time slice (measured: a 100x784x100 sgemm took 24 ms instead of 0.2 ms)
SMALL_GEMM = 1 << 24


def lower_matmul(mb: ModuleBuilder, op: Op) -> None:
    a, b = op.inputs
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    dt = op.result.type.dtype
    out = op.result.type.shape
    m, n = out[-2], out[-1]
    k = a.type.shape[-2] if ta else a.type.shape[-1]
    batch = out[:-2]
    nbatch = int(np.prod(batch, dtype=np.int64))
    if m * n * nbatch == 0:
        return
    a_bs = broadcast_strides(a.type.shape[:-2], batch) if batch else []
    b_bs = broadcast_strides(b.type.shape[:-2], batch) if batch else []
    a_bs = [s * a.type.shape[-1] * a.type.shape[-2] for s in a_bs]
    b_bs = [s * b.type.shape[-1] * b.type.shape[-2] for s in b_bs]
    c_bs = [s * m * n for s in contiguous_strides(batch)]
    ptrs, which = mb.buffers([where(mb, op.result), where(mb, a), where(mb, b)])
    params = [f"%p{i}" for i in range(len(ptrs))]
    name, fn = mb.new_kernel(len(ptrs))
    views = [View(which[0], dt, 0, c_bs), View(which[1], dt, 0, a_bs), View(which[2], dt, 0, b_bs)]
    bdims = list(batch) or [1]
    if not batch:
        views = [View(v.param, v.dtype, 0, [0]) for v in views]
    lda = a.type.shape[-1]
    ldb = b.type.shape[-1]
    blas = {D.f32: "sgemm", D.f64: "dgemm"}.get(dt)

    if blas is not None and not batch and m * n * k >= SMALL_GEMM:
        _lower_pooled(mb, op, m, n, k, ta, tb, lda, ldb)
        return
    if blas is not None:
        mb.blas.add(blas)
        ty = COMP[dt]
        single = mb.blas_threads and m * n * k * nbatch < SMALL_GEMM
        if single:  # see SMALL_GEMM: this call runs on one BLAS thread, then the count is set back
            # to the one the runtime read when it bound BLAS (not to the count read here: two steps
            # running at once would otherwise each read the other's 1 and leave it there)
            mb.blas.add("threads")
            fn.emit("call void @dfc_blas_set_threads(i32 1)")
        cells = {}
        for key, val in (("ta", ord("T") if tb else ord("N")), ("tb", ord("T") if ta else ord("N"))):
            cells[key] = fn.alloca("i8")
            fn.emit(f"store i8 {val}, ptr {cells[key]}")
        for key, val in (("m", n), ("n", m), ("k", k), ("lda", max(ldb, 1)), ("ldb", max(lda, 1)),
                         ("ldc", max(n, 1))):
            cells[key] = fn.alloca(mb.blas_int)
            fn.emit(f"store {mb.blas_int} {val}, ptr {cells[key]}")
        for key, val in (("alpha", 1.0), ("beta", 0.0)):
            cells[key] = fn.alloca(ty)
            fn.emit(f"store {ty} {lit(ty, val)}, ptr {cells[key]}")

        def body(offs, idxs):
            pc = elem_ptr(fn, params, views[0], offs[0])
            pa = elem_ptr(fn, params, views[1], offs[1])
            pb = elem_ptr(fn, params, views[2], offs[2])
            # row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T
            c = cells
            fn.emit(f"call void @dfc_{blas}(ptr {c['ta']}, ptr {c['tb']}, ptr {c['m']}, ptr {c['n']}, ptr {c['k']}, "
                    f"ptr {c['alpha']}, ptr {pb}, ptr {c['lda']}, ptr {pa}, ptr {c['ldb']}, ptr {c['beta']}, "
                    f"ptr {pc}, ptr {c['ldc']})")

        loop_nest(fn, bdims, views, params, body, "%lo", "%hi")
        if single:
            fn.emit(f"call void @dfc_blas_set_threads(i32 {fn('load i32, ptr @dfc_blas_threads')})")
    else:
        ty = "float" if dt in (D.f16, D.bf16) else COMP[dt]
        fl = dt.is_floating
        a_mk = (1, lda) if ta else (lda, 1)   # strides of A[i, kk]
        b_kn = (1, ldb) if tb else (ldb, 1)   # strides of B[kk, j]

        def body(offs, idxs):
            def cell(co, ci):
                i, j = ci
                acc = fn.alloca(ty)
                fn.emit(f"store {ty} {lit(ty, 0)}, ptr {acc}")
                ai = fn(f"mul i64 {i}, {a_mk[0]}")
                ai = fn(f"add i64 {offs[1]}, {ai}")
                bj = fn(f"mul i64 {j}, {b_kn[1]}")
                bj = fn(f"add i64 {offs[2]}, {bj}")
                kv = [View(which[1], dt, 0, [a_mk[1]]), View(which[2], dt, 0, [b_kn[0]])]

                def kk(ko, ki):
                    pa = elem_ptr(fn, params, View(which[1], dt, 0, []), fn(f"add i64 {ai}, {ko[0]}"))
                    pb = elem_ptr(fn, params, View(which[2], dt, 0, []), fn(f"add i64 {bj}, {ko[1]}"))
                    va, vb = load(fn, pa, dt), load(fn, pb, dt)
                    s = fn(f"load {ty}, ptr {acc}")
                    p = fn(f"fmul {ty} {va}, {vb}") if fl else fn(f"mul {ty} {va}, {vb}")
                    s = fn(f"fadd {ty} {s}, {p}") if fl else fn(f"add {ty} {s}, {p}")
                    fn.emit(f"store {ty} {s}, ptr {acc}")

                loop_nest(fn, [k], kv, params, kk)
                s = fn(f"load {ty}, ptr {acc}")
                pc = elem_ptr(fn, params, View(which[0], dt, 0, []), fn(f"add i64 {offs[0]}, {co[0]}"))
                store(fn, round_to(fn, s, dt), pc, dt)

            loop_nest(fn, [m, n], [View(which[0], dt, 0, [n, 1])], params, cell)

        loop_nest(fn, bdims, views, params, body, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, 0, bdims[0])


#: a big matmul is cut into at most this many row (or column) blocks for the thread pool
MATMUL_PIECES = 16


def _lower_pooled(mb: ModuleBuilder, op: Op, m: int, n: int, k: int, ta: bool, tb: bool, lda: int, ldb: int) -> None:
    """A big 2-D matmul as blocks of C's rows (or columns, when C is wide) that pool threads take one by one."""
    by_rows = m >= n
    size = m if by_rows else n
    pieces = min(MATMUL_PIECES, size)
    step = -(-size // pieces)
    pieces = -(-size // step)

    def emit(fn, out, srcs, scratch, lo, hi, dt):
        a, b = srcs
        ty = STORE[dt]
        first = fn(f"call i64 @llvm.smin.i64(i64 {fn(f'mul i64 {lo}, {step}')}, i64 {size})")
        last = fn(f"call i64 @llvm.smin.i64(i64 {fn(f'mul i64 {hi}, {step}')}, i64 {size})")
        count = fn(f"sub i64 {last}, {first}")
        gemm = Gemm(mb, fn, dt)
        work, done = fn.label("blocks"), fn.label("no_blocks")
        fn.emit(f"br i1 {fn(f'icmp sgt i64 {count}, 0')}, label %{work}, label %{done}")  # the pool may pass lo >= hi
        fn.block(work)
        if by_rows:  # rows [first, last) of C come from the same rows of op(A)
            a_at = first if ta else fn(f"mul i64 {first}, {lda}")
            gemm(ta, tb, count, n, k, gep(fn, ty, a, a_at), lda, b, ldb, gep(fn, ty, out, fn(f"mul i64 {first}, {n}")),
                 n)
        else:  # columns [first, last) of C come from the same columns of op(B)
            b_at = fn(f"mul i64 {first}, {ldb}") if tb else first
            gemm(ta, tb, m, count, k, a, lda, gep(fn, ty, b, b_at), ldb, gep(fn, ty, out, first), n)
        fn.emit(f"br label %{done}")
        fn.block(done)
    pooled_kernel(mb, op, list(op.inputs), emit, pieces, m * n * k)
