"""Reductions (sum, mean, max, min, prod, any, all; fused with their elementwise producers), argmax/argmin
and softmax/log_softmax: kept dimensions outside (split across threads), the reduced ones inside."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Op, Value
from dfc.ir.ops.reduce import normalized_axes

from ..plan import Storage
from .gemm import declare_externs, gep
from .loops import View, broadcast_strides, coalesce, contiguous_strides, counted_loop, elem_ptr, loop_nest
from .module import PARALLEL_MIN_ELEMENTS, PARAM_NTHREADS, ModuleBuilder, where
from .region import big_constants, eval_region
from .scalar import BITS, COMP, CodegenError, Fn, fsuffix, int_floordiv, int_wrap, lit, load, math_call, round_to, store

# -- reductions

_REDUCE_INIT = {"reduce_sum": 0, "reduce_mean": 0, "reduce_prod": 1, "reduce_any": False, "reduce_all": True}


def _reduce_init(kind: str, dt: D.DType, ty: str) -> str:
    if kind in _REDUCE_INIT:
        return lit(ty, _REDUCE_INIT[kind])
    if dt.is_floating:
        return lit(ty, -math.inf if kind == "reduce_max" else math.inf)
    info = np.iinfo(dt.np)
    return lit(ty, info.min if kind == "reduce_max" else info.max)


def _combine(fn: Fn, kind: str, ty: str, acc: str, x: str, fl: bool) -> str:
    if kind in ("reduce_sum", "reduce_mean"):
        return fn(f"fadd reassoc {ty} {acc}, {x}") if fl else fn(f"add {ty} {acc}, {x}")
    if kind == "reduce_prod":
        return fn(f"fmul reassoc {ty} {acc}, {x}") if fl else fn(f"mul {ty} {acc}, {x}")
    if kind in ("reduce_max", "reduce_min"):
        name = kind[7:] + "imum"
        if fl:
            return fn(f"call {ty} @llvm.{name}.{fsuffix(ty)}({ty} {acc}, {ty} {x})")
        return fn(f"call {ty} @llvm.s{kind[7:]}.i{BITS[ty]}({ty} {acc}, {ty} {x})")
    if kind == "reduce_any":
        return fn(f"or i1 {acc}, {x}")
    return fn(f"and i1 {acc}, {x}")


def _finalize(fn: Fn, kind: str, ty: str, acc: str, count: int, fl: bool) -> str:
    if kind != "reduce_mean":
        return acc
    if fl:
        return fn(f"fdiv {ty} {acc}, {lit(ty, count)}")
    if count == 0:
        return acc
    # the reference: sign(total) * (|total| // count), wrapping
    a = fn(f"call {ty} @llvm.abs.i{BITS[ty]}({ty} {acc}, i1 false)")
    c = int_wrap(count, BITS[ty])
    if c in (0, -1):
        raise CodegenError(f"reduce_mean over {count} elements does not fit {ty}")
    q = int_floordiv(fn, ty, a, str(c))
    pos = fn(f"icmp sgt {ty} {acc}, 0")
    neg = fn(f"icmp slt {ty} {acc}, 0")
    sg = fn(f"select i1 {neg}, {ty} -1, {ty} 0")
    sg = fn(f"select i1 {pos}, {ty} 1, {ty} {sg}")
    return fn(f"mul {ty} {q}, {sg}")


def reduction_views(shape: Sequence[int], kept: list[int], red: list[int], out_dtype: D.DType, sources: list[tuple],
                    which: list[int]) -> tuple[list[int], list[View], list[int], list[View]]:
    """(kept dims, views of the result and sources over them, reduced dims, views of the sources over them),
    each coalesced; the result is contiguous, source k is buffer which[1 + k] broadcast to `shape`."""
    src_strides = [broadcast_strides(s, shape) for _, s, _ in sources]
    src_dtypes = [d for _, _, d in sources]
    ostr = contiguous_strides(tuple(shape[d] for d in kept))
    kdims, kviews = coalesce([shape[d] for d in kept], [View(which[0], out_dtype, 0, ostr)] + [
        View(which[1 + k], src_dtypes[k], 0, [st[d] for d in kept]) for k, st in enumerate(src_strides)])
    rdims, rviews = coalesce([shape[d] for d in red], [
        View(which[1 + k], src_dtypes[k], 0, [st[d] for d in red]) for k, st in enumerate(src_strides)])
    return kdims, kviews, rdims, rviews


def _split_dims(shape, axes) -> tuple[list[int], list[int]]:
    kept = [d for d in range(len(shape)) if d not in axes]
    return kept, list(axes)


def lower_reduce(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    kernel = getattr(mb, "reduce_kernel", reduce_kernel)  # a GPU builder has its own (gpu_reduce.py)
    kernel(mb, op, op.result, [(where(mb, x), x.type.shape, x.type.dtype)], lambda fn, loaded: loaded[0])


def lower_fused_reduction(mb: ModuleBuilder, op: Op) -> None:
    """A fused "reduction": its elementwise producers are evaluated inside the reduction's loop."""
    body = op.regions[0]
    red = body.ops[-2]
    consts = big_constants(body)
    sources = [(mb.plan.where(v), v.type.shape, v.type.dtype) for v in op.inputs]
    sources += [(mb.global_constant(c.attrs["value"], c.result.type.dtype), c.result.type.shape, c.result.type.dtype)
                for c in consts]

    def value(fn: Fn, loaded: list[str]) -> str:
        return eval_region(mb, fn, op, loaded, consts, outputs=[red.inputs[0]])[0]

    kernel = getattr(mb, "reduce_kernel", reduce_kernel)  # a GPU builder has its own (gpu_reduce.py)
    kernel(mb, red, op.results[0], sources, value)


def reduce_kernel(mb: ModuleBuilder, op: Op, result: Value, sources: list[tuple[Storage | str, tuple, D.DType]],
                  value: Callable[[Fn, list[str]], str]) -> None:
    """Reduce `value(loaded sources)` over op's axes.

    Each source is read broadcast to the reduction input's shape, so a fused region's
    operands feed the loop directly. Reduced axes that all come before the kept ones (a
    bias gradient, a batch mean) run as rows of the kept elements (_reduce_rows); any other
    layout keeps its kept dims outside (split across threads) and the reduced ones inside.
    """
    x = op.inputs[0]
    shape = x.type.shape
    axes = normalized_axes(op.attrs["axes"], len(shape))
    kept, red = _split_dims(shape, axes)
    if result.type.num_elements == 0:
        return
    spec = _Spec(op.short_type, x.type.dtype, int(np.prod([shape[a] for a in red], dtype=np.int64)))
    ptrs, which = mb.buffers([mb.plan.where(result)] + [src for src, _, _ in sources])
    kdims, kviews, rdims, rviews = reduction_views(shape, kept, red, result.type.dtype, sources, which)
    if red and len(kdims) == 1 and max(red) < min(kept) and spec.count >= ROWS_MIN:
        _reduce_rows(mb, spec, ptrs, kdims[0], kviews, rdims, rviews, value)
        return
    if not kdims:
        kdims = [1]
        kviews = [View(v.param, v.dtype, v.offset, [0]) for v in kviews]
    _reduce_strided(mb, spec, ptrs, kdims, kviews, rdims, rviews, value, int(np.prod(shape, dtype=np.int64)))


@dataclass(frozen=True)
class _Spec:
    """What a reduction computes: its kind (the op's short name), input dtype and reduced element count."""

    kind: str
    dt: D.DType
    count: int

    @property
    def widened(self) -> bool:
        """A float32 (or half) sum accumulates in double: each vector lane adds count/lanes values in turn, and a
        float lane lost 3e-4 of a 16M-element sum (TF's tree reduction keeps 2e-8; double keeps 1e-10)."""
        return self.kind in ("reduce_sum", "reduce_mean") and COMP[self.dt] == "float"

    @property
    def ty(self) -> str:
        """The accumulator's type."""
        return "double" if self.widened else COMP[self.dt]

    def init(self) -> str:
        return _reduce_init(self.kind, self.dt, self.ty)

    def combine(self, fn: Fn, acc: str, x: str) -> str:
        """acc combined with an element x (a compute value of the dtype)."""
        if self.widened:
            x = fn(f"fpext float {x} to double")
        return self.merge(fn, acc, x)

    def merge(self, fn: Fn, acc: str, part: str) -> str:
        """Two accumulators combined."""
        return _combine(fn, self.kind, self.ty, acc, part, self.dt.is_floating)

    def result(self, fn: Fn, acc: str) -> str:
        """The accumulated value finalized (a mean divided) and rounded to the dtype."""
        value = _finalize(fn, self.kind, self.ty, acc, self.count, self.dt.is_floating)
        if self.widened:
            value = fn(f"fptrunc double {value} to float")
        return round_to(fn, value, self.dt)


def _reduce_strided(mb: ModuleBuilder, spec: _Spec, ptrs: list[str], kdims: list[int], kviews: list[View],
                    rdims: list[int], rviews: list[View], value: Callable[[Fn, list[str]], str], total: int) -> None:
    """Each kept element's reduction in turn: kept dims outside (split across threads), reduced inside."""
    params = [f"%p{i}" for i in range(len(ptrs))]
    name, fn = mb.new_kernel(len(ptrs))
    ty = spec.ty

    def outer(offs, idxs):
        acc = fn.alloca(ty)
        fn.emit(f"store {ty} {spec.init()}, ptr {acc}")

        def inner(roffs, ridxs):
            loaded = []
            for k, v in enumerate(rviews):
                off = fn(f"add i64 {offs[1 + k]}, {roffs[k]}")
                loaded.append(load(fn, elem_ptr(fn, params, v, off), v.dtype))
            x_value = value(fn, loaded)
            a = fn(f"load {ty}, ptr {acc}")
            fn.emit(f"store {ty} {spec.combine(fn, a, x_value)}, ptr {acc}")

        # a reduction along contiguous elements stays a loop: fully unrolled, LLVM vectorized the kept loop
        # around it instead, with a gather per element (a 64x64 row mean took 1.7 us; a vector loop ~0.3)
        contiguous = bool(rdims) and all(v.strides[-1] in (0, 1) for v in rviews)
        loop_nest(fn, rdims, [View(v.param, v.dtype, 0, v.strides) for v in rviews], params, inner,
                  unroll_innermost=not contiguous)
        res = spec.result(fn, fn(f"load {ty}, ptr {acc}"))
        store(fn, res, elem_ptr(fn, params, kviews[0], offs[0]), kviews[0].dtype)

    loop_nest(fn, kdims, kviews, params, outer, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, total, kdims[0])


#: reduced rows at least, for the rows form: over fewer, each kept element's strided walk touches few
#: cache lines and keeps its sum in a register (8 rows of 200000: 0.53 ms strided, 0.83 ms as rows)
ROWS_MIN = 16
#: bytes of the accumulator row a rows-reduction keeps on the stack (one tile of the kept elements)
ROW_TILE_BYTES = 4096
#: a big rows-reduction with few tiles is cut into blocks of rows for this many pieces; the blocks'
#: partial results are combined afterwards. Fixed, so the result does not depend on the thread count
ROW_PIECES = 8


@dataclass(frozen=True)
class _Rows:
    """A reduction as `rows` (the reduced dims) by `cols` (the kept ones, contiguous in the result),
    cut into `blocks` of `block_rows` rows of rdims[0] and tiles of `tile` columns."""

    spec: _Spec
    cols: int
    rdims: list[int]
    tile: int
    blocks: int
    block_rows: int

    @property
    def tiles(self) -> int:
        return -(-self.cols // self.tile)


def _row_layout(spec: _Spec, cols: int, rdims: list[int]) -> _Rows:
    width = max(1, BITS.get(spec.ty, 64 if spec.ty == "double" else 32) // 8)
    tile = max(1, min(cols, ROW_TILE_BYTES // width))
    tiles = -(-cols // tile)
    total = int(np.prod(rdims, dtype=np.int64)) * cols
    blocks = min(rdims[0], -(-ROW_PIECES // tiles)) if total >= PARALLEL_MIN_ELEMENTS else 1
    block_rows = -(-rdims[0] // max(blocks, 1))
    blocks = -(-rdims[0] // block_rows) if block_rows else 1
    return _Rows(spec, cols, rdims, tile, max(blocks, 1), max(block_rows, 1))


def _reduce_rows(mb: ModuleBuilder, spec: _Spec, ptrs: list[str], cols: int, kviews: list[View],
                 rdims: list[int], rviews: list[View], value: Callable[[Fn, list[str]], str]) -> None:
    """Reduced axes before the kept ones: one pass over the rows, each row's kept elements combined
    into an accumulator row (a loop over contiguous elements, which LLVM vectorizes). Pieces are
    tiles of the kept elements by blocks of rows, across threads when big; with several blocks each
    writes its partial row to a scratch buffer, and the partials are combined in block order."""
    if not rdims:
        rdims = [1]
        rviews = [View(v.param, v.dtype, v.offset, [0]) for v in rviews]
    lay = _row_layout(spec, cols, rdims)
    pieces = lay.blocks * lay.tiles
    parallel = cols * int(np.prod(rdims, dtype=np.int64)) >= PARALLEL_MIN_ELEMENTS and pieces > 1
    declare_externs(mb)
    bufs = ptrs + ([mb.params_ptr()] if parallel else [])
    name, fn = mb.new_kernel(len(bufs), chunked=False)
    params = [f"%p{i}" for i in range(len(bufs))]
    cname = f"{name}_chunk"
    cfn = Fn(f"define internal void {cname}(ptr %bufs, i64 %lo, i64 %hi)")
    chunk_params = [cfn(f"load ptr, ptr {gep(cfn, 'ptr', '%bufs', i)}") for i in range(len(ptrs) + 1)]
    _row_pieces(cfn, lay, chunk_params, kviews, rviews, value)
    cfn.emit("ret void")
    mb.kernels.append(cfn.text())
    ty = spec.ty
    scratch = fn(f"call ptr @malloc(i64 {lay.blocks * cols * 8 if lay.blocks > 1 else 8})")
    table = fn.alloca("ptr", len(ptrs) + 1)
    for i, b in enumerate(params[:len(ptrs)] + [scratch]):
        fn.emit(f"store ptr {b}, ptr {gep(fn, 'ptr', table, i)}")
    if parallel:
        nt = fn(f"load i64, ptr {gep(fn, 'i64', params[-1], PARAM_NTHREADS)}")
        mb.needs.add("parallel")
        fn.emit(f"call void @dfc_parallel_for(ptr {cname}, ptr {table}, i64 {pieces}, i64 {nt})")
    else:
        fn.emit(f"call void {cname}(ptr {table}, i64 0, i64 {pieces})")
    if lay.blocks > 1:  # the blocks' partial rows, combined in block order
        with counted_loop(fn, "0", str(cols)) as c:
            acc = fn(f"load {ty}, ptr {gep(fn, ty, scratch, c)}")
            for b in range(1, lay.blocks):
                part = fn(f"load {ty}, ptr {gep(fn, ty, scratch, fn(f'add i64 {c}, {b * cols}'))}")
                acc = spec.merge(fn, acc, part)
            store(fn, spec.result(fn, acc), elem_ptr(fn, params, kviews[0], c), kviews[0].dtype)
    fn.emit(f"call void @free(ptr {scratch})")
    mb.finish_kernel(fn)
    mb.entry.emit(f"call void {name}({', '.join(f'ptr {p}' for p in bufs)})")


def _row_pieces(fn: Fn, lay: _Rows, params: list[str], kviews: list[View], rviews: list[View],
                value: Callable[[Fn, list[str]], str]) -> None:
    """Pieces [%lo, %hi) of a rows-reduction: piece p is column tile p % tiles of row block p // tiles."""
    spec, ty = lay.spec, lay.spec.ty
    acc = fn.alloca(ty, lay.tile)
    scratch = params[-1]
    with counted_loop(fn, "%lo", "%hi") as piece:
        block = fn(f"udiv i64 {piece}, {lay.tiles}")
        c0 = fn(f"mul i64 {fn(f'urem i64 {piece}, {lay.tiles}')}, {lay.tile}")
        if lay.tiles == 1:
            width = str(lay.cols)
        else:
            left = fn(f"sub i64 {lay.cols}, {c0}")
            width = fn(f"select i1 {fn(f'icmp slt i64 {left}, {lay.tile}')}, i64 {left}, i64 {lay.tile}")
        r0 = fn(f"mul i64 {block}, {lay.block_rows}")
        r1 = fn(f"add i64 {r0}, {lay.block_rows}")
        r1 = fn(f"select i1 {fn(f'icmp slt i64 {r1}, {lay.rdims[0]}')}, i64 {r1}, i64 {lay.rdims[0]}")
        with counted_loop(fn, "0", width) as c:
            fn.emit(f"store {ty} {spec.init()}, ptr {gep(fn, ty, acc, c)}")

        def row(roffs, ridxs):
            with counted_loop(fn, "0", width) as c:
                col = fn(f"add i64 {c0}, {c}")
                loaded = []
                for k, v in enumerate(rviews):
                    off = fn(f"add i64 {roffs[k]}, {fn(f'mul i64 {col}, {kviews[1 + k].strides[0]}')}")
                    loaded.append(load(fn, elem_ptr(fn, params, View(v.param, v.dtype, 0, []), off), v.dtype))
                x_value = value(fn, loaded)
                slot = gep(fn, ty, acc, c)
                fn.emit(f"store {ty} {spec.combine(fn, fn(f'load {ty}, ptr {slot}'), x_value)}, ptr {slot}")

        loop_nest(fn, lay.rdims, [View(v.param, v.dtype, 0, v.strides) for v in rviews], params, row, r0, r1)
        with counted_loop(fn, "0", width) as c:
            a = fn(f"load {ty}, ptr {gep(fn, ty, acc, c)}")
            col = fn(f"add i64 {c0}, {c}")
            if lay.blocks == 1:
                store(fn, spec.result(fn, a), elem_ptr(fn, params, kviews[0], col), kviews[0].dtype)
            else:
                at = fn(f"add i64 {col}, {fn(f'mul i64 {block}, {lay.cols}')}")
                fn.emit(f"store {ty} {a}, ptr {gep(fn, ty, scratch, at)}")


def lower_arg(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    dt = x.type.dtype
    ty = COMP[dt]
    shape = x.type.shape
    axis = op.attrs["axis"] % len(shape)
    if shape[axis] == 0:
        mb.static_error(op, f"op {op.describe()} failed: Reduction axis {op.attrs['axis']} is empty in shape "
                            f"{list(shape)}: cannot take {op.short_type}")
        return
    out_dt = op.result.type.dtype
    out_n = op.result.type.num_elements
    if out_n == 0:
        return
    kept = [d for d in range(len(shape)) if d != axis]
    xs = contiguous_strides(shape)
    ptrs, which = mb.buffers([where(mb, op.result), where(mb, x)])
    params = [f"%p{i}" for i in range(len(ptrs))]
    name, fn = mb.new_kernel(len(ptrs))
    kdims, kviews = coalesce([shape[d] for d in kept], [View(which[0], out_dt, 0, contiguous_strides(
        tuple(shape[d] for d in kept))), View(which[1], dt, 0, [xs[d] for d in kept])])
    if not kdims:
        kdims = [1]
        kviews = [View(v.param, v.dtype, v.offset, [0]) for v in kviews]
    fl = dt.is_floating
    better = ("ogt", "sgt") if op.short_type == "argmax" else ("olt", "slt")  # ordered: false for a NaN

    def outer(offs, idxs):
        best = fn.alloca(ty)
        bi = fn.alloca("i64")
        base = View(which[1], dt, 0, [xs[axis]])
        # TF's kernels: a NaN never wins (NaN-free elements decide, the first of equals; all NaN gives 0), so a
        # float scan starts from -inf (argmax) or inf (argmin) at index 0
        first = lit(ty, -math.inf if op.short_type == "argmax" else math.inf) if fl else \
            load(fn, elem_ptr(fn, params, base, offs[1]), dt)
        fn.emit(f"store {ty} {first}, ptr {best}")
        fn.emit(f"store i64 0, ptr {bi}")

        def inner(roffs, ridxs):
            off = fn(f"add i64 {offs[1]}, {roffs[0]}")
            v = load(fn, elem_ptr(fn, params, View(which[1], dt, 0, []), off), dt)
            b = fn(f"load {ty}, ptr {best}")
            if fl:
                take = fn(f"fcmp {better[0]} {ty} {v}, {b}")
            else:
                take = fn(f"icmp {better[1]} {ty} {v}, {b}")
            nb = fn(f"select i1 {take}, {ty} {v}, {ty} {b}")
            fn.emit(f"store {ty} {nb}, ptr {best}")
            oi = fn(f"load i64, ptr {bi}")
            ni = fn(f"select i1 {take}, i64 {ridxs[0]}, i64 {oi}")
            fn.emit(f"store i64 {ni}, ptr {bi}")

        loop_nest(fn, [shape[axis]], [base], params, inner)
        res = fn(f"load i64, ptr {bi}")
        if out_dt is D.i32:
            res = fn(f"trunc i64 {res} to i32")
        store(fn, res, elem_ptr(fn, params, kviews[0], offs[0]), out_dt)

    loop_nest(fn, kdims, kviews, params, outer, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, int(np.prod(shape, dtype=np.int64)), kdims[0])


def lower_softmax(mb: ModuleBuilder, op: Op) -> None:
    """Per row along `axis`: max, sum of exp(x - max) (stored), then scale (or log form)."""
    x = op.inputs[0]
    dt = x.type.dtype
    ty = COMP[dt]
    shape = x.type.shape
    total = int(np.prod(shape, dtype=np.int64))
    axis = op.attrs["axis"] % len(shape)
    if shape[axis] == 0:  # numpy's max over an empty axis fails; the reference says so
        mb.static_error(op, f"op {op.describe()} failed: zero-size array to reduction operation maximum which "
                            f"has no identity")
        return
    if total == 0:
        return
    log_form = op.short_type == "log_softmax"
    xs = contiguous_strides(shape)
    kept = [d for d in range(len(shape)) if d != axis]
    ptrs, which = mb.buffers([where(mb, op.result), where(mb, x)])
    params = [f"%p{i}" for i in range(len(ptrs))]
    name, fn = mb.new_kernel(len(ptrs))
    kdims, kviews = coalesce([shape[d] for d in kept], [View(which[0], dt, 0, [xs[d] for d in kept]),
                                                         View(which[1], dt, 0, [xs[d] for d in kept])])
    if not kdims:
        kdims = [1]
        kviews = [View(v.param, v.dtype, v.offset, [0]) for v in kviews]
    n = shape[axis]
    sfx = fsuffix(ty)

    def row(offs, idxs):
        mx = fn.alloca(ty)
        sm = fn.alloca(ty)
        fn.emit(f"store {ty} {lit(ty, -math.inf)}, ptr {mx}")
        fn.emit(f"store {ty} {lit(ty, 0)}, ptr {sm}")
        rv = [View(which[0], dt, 0, [xs[axis]]), View(which[1], dt, 0, [xs[axis]])]

        def at(k, o):
            return fn(f"add i64 {offs[k]}, {o}")

        def pass_max(ro, ri):
            v = load(fn, elem_ptr(fn, params, rv[1], at(1, ro[1])), dt)
            m = fn(f"load {ty}, ptr {mx}")
            fn.emit(f"store {ty} {fn(f'call {ty} @llvm.maximum.{sfx}({ty} {m}, {ty} {v})')}, ptr {mx}")

        loop_nest(fn, [n], rv, params, pass_max)
        m = fn(f"load {ty}, ptr {mx}")

        def pass_sum(ro, ri):
            v = load(fn, elem_ptr(fn, params, rv[1], at(1, ro[1])), dt)
            s = round_to(fn, fn(f"fsub {ty} {v}, {m}"), dt)
            e = round_to(fn, math_call(fn, "exp", s, ty, mb.needs), dt)
            if not log_form:
                store(fn, e, elem_ptr(fn, params, rv[0], at(0, ro[0])), dt)
            acc = fn(f"load {ty}, ptr {sm}")
            fn.emit(f"store {ty} {fn(f'fadd reassoc {ty} {acc}, {e}')}, ptr {sm}")

        loop_nest(fn, [n], rv, params, pass_sum)
        total_ = round_to(fn, fn(f"load {ty}, ptr {sm}"), dt)
        if log_form:
            lg = round_to(fn, math_call(fn, "log", total_, ty, mb.needs), dt)

        def pass_out(ro, ri):
            if log_form:
                v = load(fn, elem_ptr(fn, params, rv[1], at(1, ro[1])), dt)
                s = round_to(fn, fn(f"fsub {ty} {v}, {m}"), dt)
                r = fn(f"fsub {ty} {s}, {lg}")
            else:
                e = load(fn, elem_ptr(fn, params, rv[0], at(0, ro[0])), dt)
                r = fn(f"fdiv {ty} {e}, {total_}")
            store(fn, round_to(fn, r, dt), elem_ptr(fn, params, rv[0], at(0, ro[0])), dt)

        loop_nest(fn, [n], rv, params, pass_out)

    loop_nest(fn, kdims, kviews, params, row, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, total, kdims[0])
