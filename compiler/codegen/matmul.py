"""matmul and fused matmul: a GEMM per block of output rows, each block finished by the fused
epilogue (bias add, activation ...) while it is still in cache.

Two lowerings share one row-tiled kernel (_row_tiled_kernel: tile t is rows [r0, r1) of batch
matrix t // blocks, then the epilogue on those rows): _lower_blas makes each tile one
single-threaded BLAS call (float32/float64), _lower_loops a loop nest (the dtypes BLAS lacks).
A GEMM of medium or big size runs its tiles on dfc's worker pool (parallel.py), so the pool's
threads share the work without waking OpenBLAS's own pool (whose threads spin while they wait,
and stall the call when one is not scheduled: the MNIST tutorial's dense layer took 44 ms of CPU
for 7 ms of work). An unfused GEMM with far more columns than rows tiles its columns instead
(gemm.py's pooled kernel).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Op, Value

from ..plan import Storage, fused_matmul
from .elementwise import eval_region
from .gemm import Gemm as BlasCall
from .gemm import declare_externs, gep, pooled_kernel
from .loops import broadcast_strides, contiguous_strides, counted_loop
from .module import ModuleBuilder, where
from .scalar import COMP, STORE, Fn, lit, load, round_to, store

#: the BLAS routine of each dtype BLAS has (the others take the loop nest)
BLAS_NAMES = {D.f32: "sgemm", D.f64: "dgemm"}
#: matmuls of at least this many multiply-adds split their rows over dfc's worker pool (below it the
#: pool's wake-up costs about as much as the work it shares)
PARALLEL_GEMM = 1 << 20
#: packing B for one BLAS call costs about as much as computing this many rows of the product
PACK_ROWS = 16
#: a pooled GEMM's rows per tile: at least this many (a BLAS call packs B once per tile) ...
MIN_TILE_ROWS = 8
#: ... and about this many tiles per batch matrix, so a thread the OS schedules late takes fewer
TILES_PER_MATRIX = 16
#: when B is bigger than this many bytes (out of cache: every tile reads it all), only FEW_TILES row tiles
BIG_B = 1 << 20
FEW_TILES = 2
#: a wide matmul's column tiles, one GEMM each (8: on 2 threads the pool hands out one tile a chunk, so as
#: many GEMMs as when a chunk of two tiles was one GEMM)
COLUMN_TILES = 8


@dataclass
class Gemm:
    """C[batch, m, n] = op(A)[batch, m, k] @ op(B)[batch, k, n], with per-batch-dim element strides."""

    dt: D.DType
    m: int
    n: int
    k: int
    ta: bool
    tb: bool
    batch: tuple[int, ...]
    a_bs: list[int]
    b_bs: list[int]
    lda: int  # the stored row lengths of A and B
    ldb: int

    @classmethod
    def of(cls, mm: Op) -> Gemm:
        a, b = mm.inputs
        ta, tb = mm.attrs["transpose_a"], mm.attrs["transpose_b"]
        out = mm.result.type.shape
        batch = tuple(out[:-2])
        a_bs = [s * a.type.shape[-1] * a.type.shape[-2] for s in broadcast_strides(a.type.shape[:-2], batch)]
        b_bs = [s * b.type.shape[-1] * b.type.shape[-2] for s in broadcast_strides(b.type.shape[:-2], batch)]
        return cls(mm.result.type.dtype, out[-2], out[-1], a.type.shape[-2] if ta else a.type.shape[-1], ta, tb,
                   batch, a_bs, b_bs, a.type.shape[-1], b.type.shape[-1])

    @property
    def nbatch(self) -> int:
        return int(np.prod(self.batch, dtype=np.int64))

    @property
    def madds(self) -> int:
        return self.m * self.n * self.k * self.nbatch


def lower_matmul(mb: ModuleBuilder, op: Op) -> None:
    """A lone matmul: the GEMM kernel with no epilogue."""
    _lower(mb, op, op, [where(mb, v) for v in op.inputs])


def lower_fused_matmul(mb: ModuleBuilder, op: Op) -> None:
    """A fused "matmul" (plan.fused_matmul says which): GEMM and epilogue in one kernel, block by block."""
    mm = fused_matmul(op)
    body = op.regions[0]
    outer = dict(zip(body.arguments, op.inputs))
    sources: list[Storage | str] = []
    for v in mm.inputs:  # a block argument, or a small constant the fuse pass cloned into the region
        if v in outer:
            sources.append(where(mb, outer[v]))
        else:
            sources.append(mb.global_constant(v.op.attrs["value"], v.type.dtype))
    _lower(mb, op, mm, sources)


def _lower(mb: ModuleBuilder, op: Op, mm: Op, sources: list[Storage | str]) -> None:
    """The GEMM's lowering: BLAS calls for the dtypes BLAS has, a loop nest for the others."""
    g = Gemm.of(mm)
    if g.m * g.n * g.nbatch == 0:
        return
    if g.dt in BLAS_NAMES:
        _lower_blas(mb, op, mm, sources, g)
    else:
        _lower_loops(mb, op, mm, sources, g)


def _lower_blas(mb: ModuleBuilder, op: Op, mm: Op, sources: list[Storage | str], g: Gemm) -> None:
    """Row tiles of C, each one single-threaded BLAS call (then the epilogue on its rows).

    Where the runtime binds OpenBLAS's thread count, every call runs on one thread (OpenBLAS's
    own threads spin while they wait for each other, and one that is not scheduled stalls the
    call) and big GEMMs share the cores as tiles on dfc's pool instead. Every BLAS call packs
    all of B, so a small GEMM gets one tile per thread and no more (rows_per_tile).
    """
    pooled = mb.blas_threads and g.madds >= PARALLEL_GEMM
    if pooled and g.nbatch == 1 and g.n > 2 * g.m:
        # few rows, many columns: tiles of columns, so no tile repacks all of B (a dense layer's weight); an
        # epilogue then runs over the product's rows on its own
        _lower_columns(mb, mm, g, [where(mb, mm.result)] + sources)
        if op is not mm:
            kernel, ptrs, tiles = _row_tiled_kernel(mb, op, mm, sources, g, -(-g.m // max(1, mb.threads)),
                                                    lambda *_: None)
            mb.call_loop_kernel(kernel, ptrs, g.m * g.n, tiles)
        return
    rows = rows_per_tile(g, mb.threads) if pooled else g.m
    name = BLAS_NAMES[g.dt]
    transpose_first = not pooled and transposes_b_first(g, mb.blas_small)
    if transpose_first:
        declare_externs(mb)

    def rows_of_c(fn: Fn, dest: str, a: str, b: str, r0: str, r1: str) -> None:
        tb, ldb = g.tb, g.ldb
        if transpose_first:
            b, tb, ldb = _transposed(fn, b, g), False, g.n
        BlasCall(mb, fn, g.dt)(g.ta, tb, fn(f"sub i64 {r1}, {r0}"), g.n, g.k,
                               _at(fn, a, g.dt, r0 if g.ta else fn(f"mul i64 {r0}, {g.lda}")), g.lda, b, ldb,
                               _at(fn, dest, g.dt, fn(f"mul i64 {r0}, {g.n}")), g.n)
        if transpose_first:
            fn.emit(f"call void @free(ptr {b})")

    kernel, ptrs, tiles = _row_tiled_kernel(mb, op, mm, sources, g, rows, rows_of_c)
    mb.blas.add(name)
    if mb.blas_threads:
        # the tiles' BLAS calls run on one thread each; the count is then set back to the one the runtime
        # read when it bound BLAS (not to the count read here: two steps running at once would otherwise
        # each read the other's 1 and leave it there)
        mb.blas.add("threads")
        mb.entry.emit("call void @dfc_blas_set_threads(i32 1)")
    mb.call_loop_kernel(kernel, ptrs, g.m * g.n * g.nbatch, tiles, parallel=pooled and tiles > 1)
    if mb.blas_threads:
        e = mb.entry
        e.emit(f"call void @dfc_blas_set_threads(i32 {e('load i32, ptr @dfc_blas_threads')})")


def _lower_loops(mb: ModuleBuilder, op: Op, mm: Op, sources: list[Storage | str], g: Gemm) -> None:
    """Row tiles of C by a loop nest (the dtypes BLAS lacks), on the pool when big."""
    pooled = g.madds >= PARALLEL_GEMM
    rows = max(MIN_TILE_ROWS, -(-g.m // TILES_PER_MATRIX)) if pooled else g.m

    def rows_of_c(fn: Fn, dest: str, a: str, b: str, r0: str, r1: str) -> None:
        _loop_rows(fn, g, dest, a, b, r0, r1)

    kernel, ptrs, tiles = _row_tiled_kernel(mb, op, mm, sources, g, min(rows, g.m), rows_of_c)
    mb.call_loop_kernel(kernel, ptrs, g.m * g.n * g.nbatch, tiles, parallel=pooled and tiles > 1)


def transposes_b_first(g: Gemm, blas_small: Callable[[str, bool, bool, int, int, int], bool] | None) -> bool:
    """Whether a row-major A @ B^T runs faster as A @ (a copy of B^T).

    For column-major BLAS that product is a "TN" GEMM. OpenBLAS runs small GEMMs on direct
    kernels that pack nothing, but on AVX-512 it refuses TN ones whose C has more than 1200
    elements, which then pack both operands: in the n-layer training step the input
    gradients' 64x64x64 TN GEMMs took 28% of the step, twice the NN ones of the forward pass.
    Where the BLAS would run the NN form on a small kernel and not the TN one, B^T is copied
    out first (one pass over B, in 8x8 blocks).
    """
    if blas_small is None or not g.tb or g.ta or g.nbatch != 1:
        return False
    dtype = g.dt.name
    # the BLAS call is column-major: C^T = op(B)^T op(A)^T, so B comes first and m and n swap
    return blas_small(dtype, False, False, g.n, g.m, g.k) and not blas_small(dtype, True, False, g.n, g.m, g.k)


#: the side of the square blocks _transposed moves as vectors
TRANSPOSE_BLOCK = 8


def _transposed(fn: Fn, b: str, g: Gemm) -> str:
    """A malloc'd copy of B^T ([k, n] row-major) from B stored [n, k] with row length g.ldb.

    8x8 blocks move as eight vector loads, three rounds of shuffles and eight vector stores;
    the edges that do not fill a block are copied one element at a time.
    """
    ty = STORE[g.dt]
    w = TRANSPOSE_BLOCK
    vec = f"<{w} x {ty}>"
    out = fn(f"call ptr @malloc(i64 {max(g.k * g.n, 1) * g.dt.itemsize})")
    nb, kb = g.n - g.n % w, g.k - g.k % w
    if nb and kb:
        with counted_loop(fn, "0", str(nb), w, ("bt_jb_head", "bt_jb", "bt_jb_done")) as j0:
            with counted_loop(fn, "0", str(kb), w, ("bt_kb_head", "bt_kb", "bt_kb_done")) as k0:
                rows = []
                for i in range(w):
                    row = fn(f"add i64 {j0}, {i}")
                    src = gep(fn, ty, b, fn(f"add i64 {fn(f'mul i64 {row}, {g.ldb}')}, {k0}"))
                    rows.append(fn(f"load {vec}, ptr {src}, align {g.dt.itemsize}"))
                d = w // 2
                while d:  # swap the off-diagonal d x d blocks of every 2d x 2d block
                    for i in range(w):
                        if i & d:
                            continue
                        low = ", ".join(f"i32 {j if not j & d else w + j - d}" for j in range(w))
                        high = ", ".join(f"i32 {j + d if not j & d else w + j}" for j in range(w))
                        a, c = rows[i], rows[i + d]
                        rows[i] = fn(f"shufflevector {vec} {a}, {vec} {c}, <{w} x i32> <{low}>")
                        rows[i + d] = fn(f"shufflevector {vec} {a}, {vec} {c}, <{w} x i32> <{high}>")
                    d //= 2
                for i in range(w):
                    row = fn(f"add i64 {k0}, {i}")
                    dst = gep(fn, ty, out, fn(f"add i64 {fn(f'mul i64 {row}, {g.n}')}, {j0}"))
                    fn.emit(f"store {vec} {rows[i]}, ptr {dst}, align {g.dt.itemsize}")
    for j_lo, j_hi, k_lo, k_hi in ((0, nb, kb, g.k), (nb, g.n, 0, g.k)):  # the right edge, then the bottom rows
        if j_lo < j_hi and k_lo < k_hi:
            with counted_loop(fn, str(j_lo), str(j_hi), 1, ("bt_j_head", "bt_j", "bt_j_done")) as j:
                with counted_loop(fn, str(k_lo), str(k_hi), 1, ("bt_k_head", "bt_k", "bt_k_done")) as kk:
                    src = gep(fn, ty, b, fn(f"add i64 {fn(f'mul i64 {j}, {g.ldb}')}, {kk}"))
                    dst = gep(fn, ty, out, fn(f"add i64 {fn(f'mul i64 {kk}, {g.n}')}, {j}"))
                    fn.emit(f"store {ty} {fn(f'load {ty}, ptr {src}')}, ptr {dst}")
    return out


def rows_per_tile(g: Gemm, threads: int) -> int:
    """Rows of a pooled BLAS GEMM's row tiles.

    Each tile's BLAS call packs all of B, which costs about as much as PACK_ROWS rows of the
    product: the seed's 100x784 @ 784x100 layer split into 13 tiles of 8 rows spent more time
    packing than multiplying. So one tile per thread, and more (up to TILES_PER_MATRIX, so that
    a thread the OS schedules late takes fewer) only while each still has 8 * PACK_ROWS rows; a B
    too big for the cache (BIG_B) only FEW_TILES tiles.
    """
    threads = max(1, threads)
    per_thread = max(1, min(TILES_PER_MATRIX // threads, g.m // (threads * 8 * PACK_ROWS)))
    tiles = threads * per_thread
    if g.k * g.n * g.dt.itemsize > BIG_B:
        tiles = min(tiles, FEW_TILES)
    return min(g.m, max(1, -(-g.m // tiles)))


def _row_tiled_kernel(mb: ModuleBuilder, op: Op, mm: Op, sources: list[Storage | str], g: Gemm, rows: int,
                      rows_of_c: Callable[[Fn, str, str, str, str, str], None]) -> tuple[str, list[str], int]:
    """(kernel, its buffer pointers, tiles): a kernel over tiles [lo, hi), tile t being rows [r0, r1) of batch
    matrix t // blocks; rows_of_c(fn, C, A, B, r0, r1) computes them, then the epilogue finishes them."""
    blocks = -(-g.m // rows)
    operands = _Operands.of(mb, op, mm, sources)
    ptrs, which = mb.buffers(operands.storages)
    name, fn = mb.new_kernel(len(ptrs))
    params = [f"%p{i}" for i in range(len(ptrs))]
    with counted_loop(fn, "%lo", "%hi", 1, ("tile_head", "tile", "tiles_done")) as t:
        b = fn(f"udiv i64 {t}, {blocks}") if blocks > 1 else t
        rb = fn(f"urem i64 {t}, {blocks}") if blocks > 1 else "0"
        r0 = fn(f"mul i64 {rb}, {rows}")
        r1 = fn(f"call i64 @llvm.smin.i64(i64 {fn(f'add i64 {r0}, {rows}')}, i64 {g.m})")
        offsets = _batch_offsets(fn, b, g.batch, operands.batch_strides(g))
        dest, a, bm = (_at(fn, params[which[i]], g.dt, offsets[i]) for i in range(3))
        rows_of_c(fn, dest, a, bm, r0, r1)
        if operands.fused:
            _epilogue(mb, fn, op, mm, g, params, which, offsets, operands.args, operands.consts, r0, r1)
    mb.finish_kernel(fn)
    return name, ptrs, blocks * g.nbatch


@dataclass
class _Operands:
    """A GEMM kernel's buffers: C (the product), A, B, then the epilogue's results, operands and big constants."""

    mm: Op
    storages: list[Storage | str]
    results: list[Value]
    args: list[Value]
    consts: list[Op]

    @property
    def fused(self) -> bool:
        return bool(self.results)

    @classmethod
    def of(cls, mb: ModuleBuilder, op: Op, mm: Op, sources: list[Storage | str]) -> _Operands:
        storages: list[Storage | str] = [where(mb, mm.result)] + sources
        if op is mm:
            return cls(mm, storages, [], [], [])
        body = op.regions[0]
        reads = {v for inner in body.ops[:-1] if inner is not mm for v in inner.inputs} | set(body.terminator.inputs)
        args = [arg for arg in body.arguments if arg in reads]
        consts = [inner for inner in body.ops if inner.type == "dfc.constant" and inner.result in reads
                  and np.asarray(inner.attrs["value"]).size != 1]
        outer = dict(zip(body.arguments, op.inputs))
        results = list(op.results)
        storages += [where(mb, r) for r in results] + [where(mb, outer[a]) for a in args]
        storages += [mb.global_constant(c.attrs["value"], c.result.type.dtype) for c in consts]
        return cls(mm, storages, results, args, consts)

    def batch_strides(self, g: Gemm) -> list[list[int]]:
        """Each buffer's element strides over the batch dims (0 where it broadcasts)."""
        out_shape = tuple(self.mm.result.type.shape)
        strides = [[s * g.m * g.n for s in contiguous_strides(g.batch)], g.a_bs, g.b_bs]
        strides += [contiguous_strides(out_shape)[:-2] for _ in self.results]
        strides += [broadcast_strides(v.type.shape, out_shape)[:-2] for v in self.args]
        strides += [broadcast_strides(c.result.type.shape, out_shape)[:-2] for c in self.consts]
        return strides


def _batch_offsets(fn: Fn, b: str, batch: tuple[int, ...], strides: list[list[int]]) -> list[str]:
    """Each view's element offset at flat batch index `b` (strides per batch dim, broadcast ones 0)."""
    offsets = ["0"] * len(strides)
    rest = b
    for d in reversed(range(len(batch))):
        if all(s[d] == 0 for s in strides):
            rest = fn(f"udiv i64 {rest}, {batch[d]}") if d else rest
            continue
        idx = fn(f"urem i64 {rest}, {batch[d]}") if d else rest
        rest = fn(f"udiv i64 {rest}, {batch[d]}") if d else rest
        for v, s in enumerate(strides):
            if s[d]:
                offsets[v] = fn(f"add i64 {offsets[v]}, {fn(f'mul i64 {idx}, {s[d]}')}")
    return offsets


def _at(fn: Fn, base: str, dt: D.DType, offset: str) -> str:
    return base if offset == "0" else fn(f"getelementptr inbounds {STORE[dt]}, ptr {base}, i64 {offset}")


def _loop_rows(fn: Fn, g: Gemm, dest: str, a: str, b: str, r0: str, r1: str) -> None:
    """Rows [r0, r1) of C by a loop nest (dtypes BLAS lacks), accumulating in the compute type."""
    dt = g.dt
    ty = "float" if dt in (D.f16, D.bf16) else COMP[dt]
    fl = dt.is_floating
    a_mk = (1, g.lda) if g.ta else (g.lda, 1)  # strides of A[i, kk]
    b_kn = (1, g.ldb) if g.tb else (g.ldb, 1)  # strides of B[kk, j]
    acc = fn.alloca(ty)
    with counted_loop(fn, r0, r1, 1, ("row_head", "row", "rows_done")) as i:
        ai = fn(f"mul i64 {i}, {a_mk[0]}")
        with counted_loop(fn, "0", str(g.n), 1, ("col_head", "col", "cols_done")) as j:
            bj = fn(f"mul i64 {j}, {b_kn[1]}")
            fn.emit(f"store {ty} {lit(ty, 0)}, ptr {acc}")
            with counted_loop(fn, "0", str(g.k), 1, ("k_head", "k", "k_done")) as kk:
                pa = _at(fn, a, dt, fn(f"add i64 {ai}, {fn(f'mul i64 {kk}, {a_mk[1]}')}"))
                pb = _at(fn, b, dt, fn(f"add i64 {bj}, {fn(f'mul i64 {kk}, {b_kn[0]}')}"))
                va, vb = load(fn, pa, dt), load(fn, pb, dt)
                s = fn(f"load {ty}, ptr {acc}")
                p = fn(f"fmul {ty} {va}, {vb}") if fl else fn(f"mul {ty} {va}, {vb}")
                s = fn(f"fadd {ty} {s}, {p}") if fl else fn(f"add {ty} {s}, {p}")
                fn.emit(f"store {ty} {s}, ptr {acc}")
            s = fn(f"load {ty}, ptr {acc}")
            cell = fn(f"add i64 {fn(f'mul i64 {i}, {g.n}')}, {j}")
            store(fn, round_to(fn, s, dt), _at(fn, dest, dt, cell), dt)


def _epilogue(mb: ModuleBuilder, fn: Fn, op: Op, mm: Op, g: Gemm, params: list[str], which: list[int],
              offsets: list[str], args: list[Value], consts: list[Op], r0: str, r1: str) -> None:
    """The fused region's elementwise ops on rows [r0, r1) of the product, stored into the fused op's results."""
    body = op.regions[0]
    out_shape = tuple(mm.result.type.shape)
    results = list(op.results)
    yielded = body.terminator.inputs
    base = 3  # destination, A, B come first
    views = []  # (buffer pointer, dtype, batch offset, row stride, column stride) per loaded or stored value
    for k, r in enumerate(results):
        views.append((params[which[base + k]], r.type.dtype, offsets[base + k], g.n, 1))
    for k, v in enumerate(list(args) + [c.result for c in consts]):
        at = base + len(results) + k
        s = broadcast_strides(v.type.shape, out_shape)
        views.append((params[which[at]], v.type.dtype, offsets[at], s[-2], s[-1]))
    stores = [k for k, (r, y) in enumerate(zip(results, yielded))
              if not (y is mm.result and where(mb, r) == where(mb, mm.result))]
    if not stores:
        return
    dest = params[which[0]]
    with counted_loop(fn, r0, r1, 1, ("epi_row_head", "epi_row", "epi_rows_done")) as i:
        with counted_loop(fn, "0", str(g.n), 1, ("epi_head", "epi", "epi_done")) as j:
            def element(ptr: str, dt: D.DType, boff: str, rs: int, cs: int) -> str:
                off = boff
                for idx, s in ((i, rs), (j, cs)):
                    if s:
                        off = fn(f"add i64 {off}, {fn(f'mul i64 {idx}, {s}') if s != 1 else idx}")
                return fn(f"getelementptr inbounds {STORE[dt]}, ptr {ptr}, i64 {off}")

            product = load(fn, element(dest, g.dt, offsets[0], g.n, 1), g.dt)
            loaded: list[str | None] = [None] * len(body.arguments)
            for k, arg in enumerate(args):
                loaded[body.arguments.index(arg)] = load(fn, element(*views[len(results) + k]), arg.type.dtype)
            loaded += [load(fn, element(*views[len(results) + len(args) + k]), c.result.type.dtype)
                       for k, c in enumerate(consts)]
            values = eval_region(mb, fn, op, loaded, consts, {mm.result: product})
            for k in stores:
                store(fn, values[k], element(*views[k]), views[k][1])


def _lower_columns(mb: ModuleBuilder, op: Op, g: Gemm, storages: list[Storage | str]) -> None:
    """A 2-D matmul with many more columns than rows as column tiles on the pool, one BLAS thread each.

    `storages` are the product's and its two operands' (a fused matmul's come from its operands)."""
    step = -(-g.n // min(COLUMN_TILES, g.n))
    tiles = -(-g.n // step)

    def emit(fn, out, srcs, scratch, lo, hi, dt):
        # one GEMM per tile, whatever range of tiles this thread got: a GEMM over several tiles may take
        # another BLAS kernel (OpenBLAS picks by size) and round differently, and how the pool splits the
        # range depends on the load, so a column's bits would too
        a, b = srcs
        ty = STORE[dt]
        with counted_loop(fn, lo, hi, 1, ("tile_head", "tile", "tiles_done")) as t:
            first = fn(f"mul i64 {t}, {step}")
            last = fn(f"call i64 @llvm.smin.i64(i64 {fn(f'add i64 {first}, {step}')}, i64 {g.n})")
            count = fn(f"sub i64 {last}, {first}")
            b_at = fn(f"mul i64 {first}, {g.ldb}") if g.tb else first  # columns [first, last) of op(B) and of C
            BlasCall(mb, fn, dt)(g.ta, g.tb, g.m, count, g.k, a, g.lda, gep(fn, ty, b, b_at), g.ldb,
                                 gep(fn, ty, out, first), g.n)
    pooled_kernel(mb, op, list(op.inputs), emit, tiles, g.madds, storages=storages)
