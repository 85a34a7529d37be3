"""Data movement: transpose, slice, tile, broadcast, concat and split as strided copies; fills, one_hot, gather."""

from __future__ import annotations

import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Op

from ..plan import Storage
from .loops import View, broadcast_strides, coalesce, contiguous_strides, elem_ptr, loop_nest
from .module import PARAM_ERR, ErrorSite, ModuleBuilder, where
from .scalar import COMP, STORE, lit, load, store, typed_value

def lower_copy(mb: ModuleBuilder, dst: Storage, dst_dtype: D.DType, dims: list[int], dst_strides: list[int],
               dst_offset: int, src: Storage, src_strides: list[int], src_offset: int) -> None:
    """A strided copy: out[dst_offset + i.dst_strides] = in[src_offset + i.src_strides]."""
    total = int(np.prod(dims, dtype=np.int64)) if dims else 1
    if total == 0:
        return
    ptrs, which = mb.buffers([dst, src])
    views = [View(which[0], dst_dtype, dst_offset, list(dst_strides)),
             View(which[1], dst_dtype, src_offset, list(src_strides))]
    dims, views = coalesce(list(dims), views)
    if len(dims) == 1 and views[0].strides == [1] and views[1].strides == [1]:
        size = dst_dtype.itemsize
        d = mb.offset_ptr(ptrs[which[0]], dst_offset * size)
        s = mb.offset_ptr(ptrs[which[1]], src_offset * size)
        mb.memcpy(d, s, total * size)
        return
    name, fn = mb.new_kernel(len(ptrs))
    params = [f"%p{i}" for i in range(len(ptrs))]

    def body(offs, idxs):
        st = STORE[dst_dtype]
        v = fn(f"load {st}, ptr {elem_ptr(fn, params, views[1], offs[1])}")
        fn.emit(f"store {st} {v}, ptr {elem_ptr(fn, params, views[0], offs[0])}")

    loop_nest(fn, dims, views, params, body, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, total, dims[0] if dims else 1)


def lower_transpose(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    perm = op.attrs["perm"]
    s = contiguous_strides(x.type.shape)
    out = op.result.type.shape
    lower_copy(mb, where(mb, op.result), x.type.dtype, list(out), contiguous_strides(out), 0, where(mb, x),
               [s[p] for p in perm], 0)


def lower_slice(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    s = contiguous_strides(x.type.shape)
    offset, strides = 0, []
    for d, b, e, st, stride in zip(x.type.shape, op.attrs["begin"], op.attrs["end"], op.attrs["strides"], s):
        start = slice(b, e, st).indices(d)[0]
        offset += start * stride
        strides.append(st * stride)
    out = op.result.type.shape
    lower_copy(mb, where(mb, op.result), x.type.dtype, list(out), contiguous_strides(out), 0, where(mb, x), strides,
               offset)


def lower_tile(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    dims, src = [], []
    for d, m, s in zip(x.type.shape, op.attrs["multiples"], contiguous_strides(x.type.shape)):
        dims += [m, d]
        src += [0, s]
    lower_copy(mb, where(mb, op.result), x.type.dtype, dims, contiguous_strides(tuple(dims)), 0, where(mb, x), src, 0)


def lower_broadcast_like(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    out = op.result.type.shape
    lower_copy(mb, where(mb, op.result), x.type.dtype, list(out), contiguous_strides(out), 0, where(mb, x),
               broadcast_strides(x.type.shape, out), 0)


def lower_concat(mb: ModuleBuilder, op: Op) -> None:
    out = op.result.type.shape
    axis = op.attrs["axis"] % len(out)
    os = contiguous_strides(out)
    at = 0
    for x in op.inputs:
        shape = x.type.shape
        lower_copy(mb, where(mb, op.result), x.type.dtype, list(shape), os, at * os[axis], where(mb, x),
                   contiguous_strides(shape), 0)
        at += shape[axis]


def lower_split(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    axis = op.attrs["axis"] % x.type.rank
    xs = contiguous_strides(x.type.shape)
    at = 0
    for r in op.results:
        shape = r.type.shape
        lower_copy(mb, where(mb, r), x.type.dtype, list(shape), contiguous_strides(shape), 0, where(mb, x), xs,
                   at * xs[axis])
        at += shape[axis]


def lower_fill(mb: ModuleBuilder, op: Op, values: list) -> None:
    """Store literal values: one value broadcast, or one per element (shape_of)."""
    r = op.result
    dt = r.type.dtype
    n = r.type.num_elements
    if n == 0:
        return
    ptrs, which = mb.buffers([where(mb, r)])
    name, fn = mb.new_kernel(1)
    view = View(0, dt, 0, [1])

    if len(values) == 1:
        def body(offs, idxs):
            store(fn, lit(COMP[dt], values[0]), elem_ptr(fn, ["%p0"], view, offs[0]), dt)
        loop_nest(fn, [n], [view], ["%p0"], body, "%lo", "%hi")
    else:
        for k, val in enumerate(values):
            store(fn, lit(COMP[dt], val), elem_ptr(fn, ["%p0"], view, str(k)), dt)
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, n, n)


def lower_fill_like(mb: ModuleBuilder, op: Op) -> None:
    dt = op.attrs["dtype"]
    value = typed_value(op.attrs["value"], dt)
    lower_fill(mb, op, [bool(value) if dt.is_bool else value])


def lower_shape_of(mb: ModuleBuilder, op: Op) -> None:
    lower_fill(mb, op, list(op.inputs[0].type.shape))


def lower_one_hot(mb: ModuleBuilder, op: Op) -> None:
    idx = op.inputs[0]
    out = op.result.type.shape
    total = int(np.prod(out, dtype=np.int64))
    if total == 0:
        return
    axis = op.attrs["axis"]
    axis = idx.type.rank if axis == -1 else axis % (idx.type.rank + 1)
    dt = op.result.type.dtype
    istr = contiguous_strides(idx.type.shape)
    istr = istr[:axis] + [0] + istr[axis:]
    ptrs, which = mb.buffers([where(mb, op.result), where(mb, idx)])
    views = [View(which[0], dt, 0, contiguous_strides(out)), View(which[1], idx.type.dtype, 0, istr)]
    name, fn = mb.new_kernel(len(ptrs))
    params = [f"%p{i}" for i in range(len(ptrs))]
    on = lit(COMP[dt], typed_value(op.attrs["on_value"], dt))
    off = lit(COMP[dt], typed_value(op.attrs["off_value"], dt))
    if dt.is_bool:
        on, off = lit("i1", op.attrs["on_value"] != 0), lit("i1", op.attrs["off_value"] != 0)

    def body(offs, idxs):
        i = load(fn, elem_ptr(fn, params, views[1], offs[1]), idx.type.dtype)
        if idx.type.dtype is not D.i64:
            i = fn(f"sext {COMP[idx.type.dtype]} {i} to i64")
        hot = fn(f"icmp eq i64 {i}, {idxs[axis]}")
        v = fn(f"select i1 {hot}, {COMP[dt]} {on}, {COMP[dt]} {off}")
        store(fn, v, elem_ptr(fn, params, views[0], offs[0]), dt)

    loop_nest(fn, list(out), views, params, body, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, total, out[0])


def gather_geometry(op: Op) -> tuple[int, int, int, int]:
    """(rows before the axis, the axis's length, elements after it, indices) of a dfc.gather."""
    params_v, idx = op.inputs
    axis = op.attrs["axis"] % params_v.type.rank
    pshape = params_v.type.shape
    return (int(np.prod(pshape[:axis], dtype=np.int64)), pshape[axis],
            int(np.prod(pshape[axis + 1:], dtype=np.int64)), int(np.prod(idx.type.shape, dtype=np.int64)))


def lower_gather(mb: ModuleBuilder, op: Op) -> None:
    params_v, idx = op.inputs
    pre, n, post, nidx = gather_geometry(op)
    dt = params_v.type.dtype
    code = mb.error_code(ErrorSite(op, "gather_index", f"[0, {n})"))
    ptrs, which = mb.buffers([where(mb, op.result), where(mb, params_v), where(mb, idx), mb.params_ptr()])
    name, fn = mb.new_kernel(len(ptrs), returns_code=True, chunked=False)
    P = [f"%p{i}" for i in range(len(ptrs))]
    out_p, par_p, idx_p, err_p = (P[w] for w in which)
    it = COMP[idx.type.dtype]
    # first every index is checked (the first bad one in index order is reported), then rows are copied
    iv = View(which[2], idx.type.dtype, 0, [1])

    def check(offs, idxs):
        i = load(fn, elem_ptr(fn, P, iv, offs[0]), idx.type.dtype)
        i64 = i if it == "i64" else fn(f"sext {it} {i} to i64")
        bad = fn(f"icmp uge i64 {i64}, {n}")
        yes, no = fn.label("bad"), fn.label("good")
        fn.emit(f"br i1 {bad}, label %{yes}, label %{no}")
        fn.block(yes)
        fn.emit(f"store i64 {i64}, ptr {err_p}")
        # the bad index's position, for TF's "indices[j] = v is not in [0, n)"
        fn.emit(f"store i64 {offs[0]}, ptr {fn(f'getelementptr inbounds i64, ptr {err_p}, i64 {PARAM_ERR + 3}')}")
        fn.emit(f"ret i32 {code}")
        fn.block(no)

    if nidx:
        loop_nest(fn, [nidx], [iv], P, check)
    if pre * nidx * post:
        ov = View(which[0], dt, 0, [nidx * post, post, 1])
        pv = View(which[1], dt, 0, [n * post, 0, 1])
        xv = View(which[2], idx.type.dtype, 0, [0, 1, 0])

        def copy(offs, idxs):
            i = load(fn, elem_ptr(fn, P, xv, offs[2]), idx.type.dtype)
            i64 = i if it == "i64" else fn(f"sext {it} {i} to i64")
            row = fn(f"mul i64 {i64}, {post}")
            src = fn(f"add i64 {offs[1]}, {row}")
            st = STORE[dt]
            v = fn(f"load {st}, ptr {elem_ptr(fn, P, View(which[1], dt, 0, []), src)}")
            fn.emit(f"store {st} {v}, ptr {elem_ptr(fn, P, ov, offs[0])}")

        loop_nest(fn, [pre, nidx, post], [ov, pv, xv], P, copy)
    mb.finish_kernel(fn, returns_code=True)
    rc = mb.entry(f"call i32 {name}({', '.join('ptr ' + p for p in ptrs)})")
    mb.check(rc)
