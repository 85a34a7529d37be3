"""Sparse updates in native code: unsorted_segment_sum (the gradient of gather and embedding_lookup).

One serial kernel: zero the output, check every segment id (the first one past the end is
reported, negative ids are dropped as TF does), then add each data row into its segment's
row. Work is O(output + data), never a dense one-hot product.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.graph import Op

from .loops import View, elem_ptr, loop_nest
from .module import ErrorSite, ModuleBuilder, where
from .scalar import COMP, lit, load, store


def lower_unsorted_segment_sum(mb: ModuleBuilder, op: Op) -> None:
    data, ids = op.inputs
    n = op.attrs["num_segments"]
    post = int(np.prod(data.type.shape[ids.type.rank:], dtype=np.int64))
    count = int(np.prod(ids.type.shape, dtype=np.int64))
    dt = data.type.dtype
    idt = ids.type.dtype
    code = mb.error_code(ErrorSite(op, "static", f"op {op.describe()} failed: a segment id is out of range "
                                                 f"[0, {n})"))
    ptrs, which = mb.buffers([where(mb, op.result), where(mb, data), where(mb, ids)])
    name, fn = mb.new_kernel(len(ptrs), returns_code=True, chunked=False)
    P = [f"%p{i}" for i in range(len(ptrs))]
    ty = COMP[dt]
    it = COMP[idt]
    zero = lit(ty, 0)
    if n * post:
        ov = View(which[0], dt, 0, [1])
        loop_nest(fn, [n * post], [ov], P, lambda offs, idxs: store(fn, zero, elem_ptr(fn, P, ov, offs[0]), dt))
    iv = View(which[2], idt, 0, [1])

    def segment(off: str) -> str:
        i = load(fn, elem_ptr(fn, P, iv, off), idt)
        return i if it == "i64" else fn(f"sext {it} {i} to i64")

    def check(offs, idxs):
        s = segment(offs[0])
        bad = fn(f"icmp sge i64 {s}, {n}")
        yes, no = fn.label("bad"), fn.label("good")
        fn.emit(f"br i1 {bad}, label %{yes}, label %{no}")
        fn.block(yes)
        fn.emit(f"ret i32 {code}")
        fn.block(no)

    if count:
        loop_nest(fn, [count], [iv], P, check)
    if count * post:
        dv = View(which[1], dt, 0, [post, 1])
        xv = View(which[2], idt, 0, [1, 0])
        flat_out = View(which[0], dt, 0, [])

        def add(offs, idxs):
            s = segment(offs[1])
            keep = fn(f"icmp sge i64 {s}, 0")
            yes, done = fn.label("add"), fn.label("skip")
            fn.emit(f"br i1 {keep}, label %{yes}, label %{done}")
            fn.block(yes)
            row = fn(f"mul i64 {s}, {post}")
            dst = elem_ptr(fn, P, flat_out, fn(f"add i64 {row}, {idxs[1]}"))
            acc = load(fn, dst, dt)
            x = load(fn, elem_ptr(fn, P, dv, offs[0]), dt)
            total = fn(f"{'fadd' if dt.is_floating else 'add'} {ty} {acc}, {x}")
            store(fn, total, dst, dt)
            fn.emit(f"br label %{done}")
            fn.block(done)

        loop_nest(fn, [count, post], [dv, xv], P, add)
    mb.finish_kernel(fn, returns_code=True)
    rc = mb.entry(f"call i32 {name}({', '.join('ptr ' + p for p in ptrs)})")
    mb.check(rc)
