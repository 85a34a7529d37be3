"""Elementwise kernels: one loop nest over the output for an elementwise op or a fused elementwise region.

Operands are read at their broadcast strides, so broadcasting costs nothing but a zero
stride; a big contiguous output is written with streaming stores (streaming_loop).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dfc.ir.graph import Op

from .loops import View, broadcast_strides, coalesce, contiguous_strides, counted_loop, elem_ptr, loop_nest
from .module import PARAM_ERR, ErrorSite, ModuleBuilder
from .region import big_constants, eval_region
from .scalar import STORE, Fn, load, scalar, store, to_storage

__all__ = ["eval_region", "lower_elementwise"]  # eval_region: matmul.py's epilogue imports it from here

#: elementwise kernels that write a fetched output at least this big store it with non-temporal
#: (streaming) stores: the caller reads it later, if at all, and a streaming store skips reading
#: each line before overwriting it (measured on the 4M-element chain: 1.4x faster on one thread)
STREAM_MIN_BYTES = 1 << 22
#: temporaries (read again by the step's next kernels) stream only from this size: smaller ones
#: may still be in the last-level cache when they are read
STREAM_MIN_BYTES_TEMPORARY = 1 << 25
#: storage types written by streaming stores
VECTOR_STORE = frozenset({"float", "double", "i32", "i64"})


def lower_elementwise(mb: ModuleBuilder, op: Op) -> None:
    """One loop nest over the output: an elementwise op, or a whole fused elementwise region."""
    plan = mb.plan
    results = [r for r in op.results]
    out_shape = results[0].type.shape
    total = int(np.prod(out_shape, dtype=np.int64))
    if total == 0:
        return
    operands = list(op.inputs)
    storages = [plan.where(r) for r in results] + [plan.where(v) for v in operands]
    # constants of more than one element inside a fused region: private globals read like operands
    region_consts = big_constants(op.regions[0]) if op.type == "dfc.fused" else []
    for inner in region_consts:
        storages.append(mb.global_constant(inner.attrs["value"], inner.result.type.dtype))
    divisions = integer_divisions(op)
    if divisions:
        storages.append(mb.params_ptr())
    ptrs, which = mb.buffers(storages)
    views = [View(which[k], r.type.dtype, 0, contiguous_strides(out_shape)) for k, r in enumerate(results)]
    views += [View(which[len(results) + k], v.type.dtype, 0, broadcast_strides(v.type.shape, out_shape))
              for k, v in enumerate(operands + [c.result for c in region_consts])]
    dims, views = coalesce(list(out_shape), views)
    name, fn = mb.new_kernel(len(ptrs))
    params = [f"%p{i}" for i in range(len(ptrs))]
    nres = len(results)
    fn.zero_divisor_flags = {d: fn.entry_flag() for d in divisions}

    def values(offs: list[str], params: list[str]) -> list[str]:
        loaded = [load(fn, elem_ptr(fn, params, v, o), v.dtype) for v, o in zip(views[nres:], offs[nres:])]
        if op.type == "dfc.fused":
            return eval_region(mb, fn, op, loaded, region_consts)
        return [scalar(fn, op, loaded, [v.type.dtype for v in operands], mb.needs)]

    def body(offs: list[str], idxs: list[str]) -> None:
        for v, o, val in zip(views[:nres], offs[:nres], values(offs, params)):
            store(fn, val, elem_ptr(fn, params, v, o), v.dtype)

    if streams(dims, views, nres, storages[0].slot):
        streaming_loop(fn, dims[0], views, params, values, body)
    else:
        loop_nest(fn, dims, views, params, body, "%lo", "%hi")
    if divisions:
        report_zero_divisors(fn, fn.zero_divisor_flags, params[which[-1]])
    mb.finish_kernel(fn)
    if divisions:  # the params words outlive a run (the runtime reuses its pointer array): clear the flags
        e = mb.entry
        e.emit(f"store i64 0, ptr {e(f'getelementptr inbounds i64, ptr {mb.params_ptr()}, i64 {PARAM_ZERO_DIVISOR}')}")
    mb.call_loop_kernel(name, ptrs, total, dims[0] if dims else 1)
    if divisions:
        check_zero_divisors(mb, divisions)


#: the params word where elementwise kernels set bit k when integer division k saw a zero divisor
PARAM_ZERO_DIVISOR = PARAM_ERR + 1


def integer_divisions(op: Op) -> list[Op]:
    """The integer div/floordiv/mod ops an elementwise kernel computes (TF fails them on a zero divisor)."""
    ops = op.regions[0].ops if op.type == "dfc.fused" else [op]
    return [o for o in ops if o.type in ("dfc.div", "dfc.floordiv", "dfc.mod")
            and o.inputs[1].type.dtype.is_integer][:63]


def report_zero_divisors(fn: Fn, flags: dict[Op, str], params_word: str) -> None:
    """At the end of a kernel (chunk): set division k's bit in the params word if it saw a zero divisor."""
    word = fn(f"getelementptr inbounds i64, ptr {params_word}, i64 {PARAM_ZERO_DIVISOR}")
    for k, flag in enumerate(flags.values()):
        seen = fn(f"load i1, ptr {flag}")
        bit = fn(f"select i1 {seen}, i64 {1 << k}, i64 0")
        fn.emit(f"atomicrmw or ptr {word}, i64 {bit} monotonic")  # chunks on other threads set bits too


def check_zero_divisors(mb: ModuleBuilder, divisions: list[Op]) -> None:
    """After the kernel: fail with the first division (in region order) that saw a zero divisor."""
    e = mb.entry
    word = e(f"getelementptr inbounds i64, ptr {mb.params_ptr()}, i64 {PARAM_ZERO_DIVISOR}")
    bits = e(f"load i64, ptr {word}")
    rc = "0"
    for k in reversed(range(len(divisions))):
        d = divisions[k]
        code = mb.error_code(ErrorSite(d, "static", f"op {d.describe()} failed: Integer division by zero"))
        hit = e(f"and i64 {bits}, {1 << k}")
        hit = e(f"icmp ne i64 {hit}, 0")
        rc = e(f"select i1 {hit}, i32 {code}, i32 {rc}")
    mb.check(rc)


def streams(dims: list[int], views: list[View], nres: int, slot: str) -> bool:
    """Whether an elementwise kernel writes its one output with streaming stores (see STREAM_MIN_BYTES)."""
    out = views[0]
    least = STREAM_MIN_BYTES if slot == "output" else STREAM_MIN_BYTES_TEMPORARY
    return (nres == 1 and len(dims) == 1 and out.strides == [1] and STORE[out.dtype] in VECTOR_STORE
            and dims[0] * out.dtype.itemsize >= least)


def streaming_loop(fn: Fn, n: int, views: list[View], params: list[str],
                   values: Callable[[list[str], list[str]], list[str]],
                   body: Callable[[list[str], list[str]], None]) -> None:
    """[%lo, %hi) of a 1-D elementwise kernel whose output (views[0], stride 1) is written 64 bytes at a time
    with non-temporal stores: the lines go to memory without being read into the cache first.

    Elements before the output's first 64-byte boundary and after its last whole line take the
    ordinary loop. Each line's lanes are computed into a 64-byte stack slot by a loop of constant
    trip count, which LLVM unrolls and turns into vector code, then stored with one aligned
    `!nontemporal` vector store.
    """
    out = views[0]
    st = STORE[out.dtype]
    size = out.dtype.itemsize
    lanes = 64 // size
    vec = f"<{lanes} x {st}>"
    base = fn(f"ptrtoint ptr {params[out.param]} to i64")
    first = fn(f"mul i64 %lo, {size}")
    first = fn(f"add i64 {base}, {first}")
    mis = fn(f"and i64 {first}, 63")
    skip = fn(f"sub i64 64, {mis}")
    skip = fn(f"and i64 {skip}, 63")
    skip = fn(f"udiv i64 {skip}, {size}")
    start = fn(f"add i64 %lo, {skip}")
    start = fn(f"call i64 @llvm.smin.i64(i64 {start}, i64 %hi)")
    span = fn(f"sub i64 %hi, {start}")
    whole = fn(f"and i64 {span}, {-lanes}")
    stop = fn(f"add i64 {start}, {whole}")
    loop_nest(fn, [n], views, params, body, "%lo", start)
    line = fn.alloca(vec, align=64)  # read back with one aligned 64-byte load: a 16-aligned slot faults
    with counted_loop(fn, start, stop, lanes, ("line_head", "line", "line_done")) as i:
        # each view's pointer at element i; the lanes read from there with the view's own stride
        bases = [fn(f"getelementptr inbounds {STORE[v.dtype]}, ptr {params[v.param]}, i64 "
                    f"{fn(f'mul i64 {i}, {v.strides[0]}') if v.strides[0] else '0'}") for v in views]
        lane_views = [View(k, v.dtype, v.offset, v.strides) for k, v in enumerate(views)]

        def lane(offs: list[str], idxs: list[str]) -> None:
            val = values(offs, bases)[0]
            fn.emit(f"store {st} {to_storage(fn, val, out.dtype)}, ptr "
                    f"{fn(f'getelementptr inbounds {st}, ptr {line}, i64 {idxs[0]}')}")

        loop_nest(fn, [lanes], lane_views, bases, lane)
        v = fn(f"load {vec}, ptr {line}, align 64")
        fn.emit(f"store {vec} {v}, ptr {bases[0]}, align 64, !nontemporal !0")
    loop_nest(fn, [n], views, params, body, stop, "%hi")
    fn.emit("fence seq_cst")  # streaming stores are weakly ordered: drain them before the chunk is done
