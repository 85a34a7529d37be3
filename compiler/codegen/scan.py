"""Scans in native code: cumsum and cumprod along one axis, exclusive and/or reversed.

The loop nest runs over [outer, axis, inner] with the inner dims innermost (contiguous, so
LLVM vectorizes across them); out[k] combines out[k-1] with x[k] (exclusive: x[k-1]), so each
row is one pass. A reversed scan walks the axis with a negative stride from its last element.
Half types compute in float and round after every step, as the reference does.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.graph import Op
from dfc.ir.ops.registry import normalize_axis

from .loops import View, elem_ptr, loop_nest
from .module import ModuleBuilder, where
from .scalar import COMP, lit, load, round_to, store


def lower_scan(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    dt = x.type.dtype
    shape = x.type.shape
    axis = normalize_axis(op.attrs["axis"], len(shape))
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    n = shape[axis]
    inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
    if outer * n * inner == 0:
        return
    product = op.type == "dfc.cumprod"
    exclusive, reverse = op.attrs["exclusive"], op.attrs["reverse"]
    ptrs, which = mb.buffers([where(mb, op.result), where(mb, x)])
    name, fn = mb.new_kernel(len(ptrs))
    P = [f"%p{i}" for i in range(len(ptrs))]
    # the k-th step of the scan reads and writes element (o, k', i), k' = k or n-1-k when reversed
    step = -inner if reverse else inner
    start = (n - 1) * inner if reverse else 0
    views = [View(which[0], dt, start, [n * inner, step, 1]), View(which[1], dt, start, [n * inner, step, 1])]
    ty = COMP[dt]
    fl = dt.is_floating
    identity = lit(ty, 1 if product else 0)
    combine = ("fmul" if product else "fadd") if fl else ("mul" if product else "add")

    def body(offs, idxs):
        first = fn(f"icmp eq i64 {idxs[1]}, 0")
        prev_out = fn(f"select i1 {first}, i64 {offs[0]}, i64 {fn(f'sub i64 {offs[0]}, {step}')}")
        carried = load(fn, elem_ptr(fn, P, views[0], prev_out), dt)
        if exclusive:
            prev_in = fn(f"select i1 {first}, i64 {offs[1]}, i64 {fn(f'sub i64 {offs[1]}, {step}')}")
            v = load(fn, elem_ptr(fn, P, views[1], prev_in), dt)
            total = round_to(fn, fn(f"{combine} {ty} {carried}, {v}"), dt)
            value = fn(f"select i1 {first}, {ty} {identity}, {ty} {total}")
        else:
            v = load(fn, elem_ptr(fn, P, views[1], offs[1]), dt)
            acc = fn(f"select i1 {first}, {ty} {identity}, {ty} {carried}")
            value = round_to(fn, fn(f"{combine} {ty} {acc}, {v}"), dt)
        store(fn, value, elem_ptr(fn, P, views[0], offs[0]), dt)

    loop_nest(fn, [outer, n, inner], views, P, body, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, outer * n * inner, outer)
