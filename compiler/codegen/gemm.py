"""BLAS GEMM calls from kernels, and kernels split across the thread pool with each piece on one BLAS thread.

OpenBLAS's own threads spin while they wait for each other, and one that the OS does not
schedule stalls the whole call (on a loaded 2-core machine a 160M multiply-add sgemm took
44 ms of CPU instead of 7). A pooled kernel instead cuts its work into independent pieces
that dfc_parallel_for's threads claim one by one, each calling BLAS single-threaded: a
late thread just takes fewer pieces.
"""

from __future__ import annotations

from collections.abc import Callable

from dfc.ir import dtypes as D
from dfc.ir.graph import Op, Value

from .loops import counted_loop
from .module import PARAM_NTHREADS, ModuleBuilder, where
from .scalar import COMP, STORE, Fn, lit, load, store

#: pooled kernels of at least this many multiply-adds split their work across threads
PARALLEL_MIN_MACS = 1 << 22

_EXTERNS = ("declare ptr @malloc(i64)", "declare void @free(ptr)",
            "declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)")


def declare_externs(mb: ModuleBuilder) -> None:
    for line in _EXTERNS:
        if line not in mb.globals:
            mb.globals.append(line)


def gep(fn: Fn, ty: str, base: str, off: int | str) -> str:
    return fn(f"getelementptr inbounds {ty}, ptr {base}, i64 {off}")


def memset0(fn: Fn, ptr: str, nbytes: int | str) -> None:
    fn.emit(f"call void @llvm.memset.p0.i64(ptr {ptr}, i8 0, i64 {nbytes}, i1 false)")


class Gemm:
    """Row-major GEMM calls C = op(A) op(B) (+ C when accumulating) through the BLAS the matmul lowering binds."""

    def __init__(self, mb: ModuleBuilder, fn: Fn, dt: D.DType):
        self.fn, self.ty = fn, COMP[dt]
        self.name = {D.f32: "sgemm", D.f64: "dgemm"}[dt]
        self.int = mb.blas_int
        mb.blas.add(self.name)
        self.cells = {k: fn.alloca("i8") for k in ("ta", "tb")}
        self.cells.update({k: fn.alloca(self.int) for k in ("m", "n", "k", "lda", "ldb", "ldc")})
        self.cells.update({k: fn.alloca(self.ty) for k in ("alpha", "beta")})

    def __call__(self, trans_a: bool, trans_b: bool, m, n, k, a: str, lda: int, b: str, ldb: int, c: str, ldc: int,
                 accumulate: bool = False) -> None:
        fn, cells, it = self.fn, self.cells, self.int
        # row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands
        fn.emit(f"store i8 {ord('T') if trans_b else ord('N')}, ptr {cells['ta']}")
        fn.emit(f"store i8 {ord('T') if trans_a else ord('N')}, ptr {cells['tb']}")
        for key, val in (("m", n), ("n", m), ("k", k)):
            val = val if isinstance(val, int) or it == "i64" else fn(f"trunc i64 {val} to {it}")
            fn.emit(f"store {it} {val}, ptr {cells[key]}")
        for key, val in (("lda", ldb), ("ldb", lda), ("ldc", ldc)):
            fn.emit(f"store {it} {max(val, 1)}, ptr {cells[key]}")
        fn.emit(f"store {self.ty} {lit(self.ty, 1.0)}, ptr {cells['alpha']}")
        fn.emit(f"store {self.ty} {lit(self.ty, 1.0 if accumulate else 0.0)}, ptr {cells['beta']}")
        fn.emit(f"call void @dfc_{self.name}(ptr {cells['ta']}, ptr {cells['tb']}, ptr {cells['m']}, "
                f"ptr {cells['n']}, ptr {cells['k']}, ptr {cells['alpha']}, ptr {b}, ptr {cells['lda']}, ptr {a}, "
                f"ptr {cells['ldb']}, ptr {cells['beta']}, ptr {c}, ptr {cells['ldc']})")


def pooled_kernel(mb: ModuleBuilder, op: Op, operands: list[Value], emit_chunk: Callable, outer: int, macs: int,
                  partials: int = 0, reduce: Callable | None = None, storages: list | None = None) -> None:
    """An op as a driver kernel and a chunk kernel over [lo, hi) of `outer` independent pieces.

    The chunk kernel has the (ptr bufs, lo, hi) signature of dfc_parallel_for: bufs holds the
    result, the operands and a scratch of `partials` elements (per-piece partial results, which
    reduce(fn, result, scratch, dt) folds into the result afterwards). Pieces run across threads
    when the op is big (`macs` multiply-adds), each calling BLAS on one thread. float16 and
    bfloat16 operands are widened to float32 copies first and the result rounded back.
    `storages` (the result's, then each operand's) replaces the plan's, for an op inside a fused
    region (a matmul whose block arguments stand for the fused op's operands).
    """
    declare_externs(mb)
    dt = op.result.type.dtype
    wide = dt in (D.f16, D.bf16)
    cdt = D.f32 if wide else dt
    nbufs = 2 + len(operands)
    cname = f"@k{mb.nk + 1}_chunk"
    cfn = Fn(f"define internal void {cname}(ptr %bufs, i64 %lo, i64 %hi)")
    views = [cfn(f"load ptr, ptr {gep(cfn, 'ptr', '%bufs', i)}") for i in range(nbufs)]
    emit_chunk(cfn, views[0], views[1:-1], views[-1], "%lo", "%hi", cdt)
    cfn.emit("ret void")

    if storages is None:
        storages = [where(mb, op.result)] + [where(mb, v) for v in operands]
    elif wide:
        raise ValueError("explicit storages are for float32 and float64 kernels")
    ptrs, which = mb.buffers(list(storages) + [mb.params_ptr()])
    name, fn = mb.new_kernel(len(ptrs), chunked=False)
    mb.kernels.append(cfn.text())
    params = [f"%p{i}" for i in which]
    values = [op.result] + list(operands)
    if wide:  # widen to float32 scratch buffers, run the float32 kernels, round the result back
        bufs = []
        for v, p in zip(values, params):
            count = v.type.num_elements
            buf = fn(f"call ptr @malloc(i64 {max(count, 1) * 4})")
            if v is not op.result:
                with counted_loop(fn, "0", str(count)) as e:
                    fn.emit(f"store float {load(fn, gep(fn, STORE[dt], p, e), dt)}, ptr {gep(fn, 'float', buf, e)}")
            bufs.append(buf)
    else:
        bufs = params[:len(values)]
    scratch = fn(f"call ptr @malloc(i64 {max(partials, 1) * cdt.itemsize})")
    table = fn.alloca("ptr", nbufs)
    for i, b in enumerate(bufs + [scratch]):
        fn.emit(f"store ptr {b}, ptr {gep(fn, 'ptr', table, i)}")
    if mb.blas_threads:
        mb.blas.add("threads")
        fn.emit("call void @dfc_blas_set_threads(i32 1)")
    if macs >= PARALLEL_MIN_MACS and outer > 1:
        mb.needs.add("parallel")
        nt = fn(f"load i64, ptr {gep(fn, 'i64', params[-1], PARAM_NTHREADS)}")
        fn.emit(f"call void @dfc_parallel_for(ptr {cname}, ptr {table}, i64 {outer}, i64 {nt})")
    else:
        fn.emit(f"call void {cname}(ptr {table}, i64 0, i64 {outer})")
    if mb.blas_threads:  # back to the count the runtime read when it bound BLAS (see matmul.py)
        fn.emit(f"call void @dfc_blas_set_threads(i32 {fn('load i32, ptr @dfc_blas_threads')})")
    if reduce is not None:
        reduce(fn, bufs[0], scratch, cdt)
    fn.emit(f"call void @free(ptr {scratch})")
    if wide:
        with counted_loop(fn, "0", str(op.result.type.num_elements)) as e:
            store(fn, fn(f"load float, ptr {gep(fn, 'float', bufs[0], e)}"), gep(fn, STORE[dt], params[0], e), dt)
        for buf in bufs:
            fn.emit(f"call void @free(ptr {buf})")
    mb.finish_kernel(fn)
    mb.entry.emit(f"call void {name}({', '.join(f'ptr {p}' for p in ptrs)})")
