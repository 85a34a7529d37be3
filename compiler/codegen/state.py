"""Variable updates: assign (a copy into the variable's buffer), assign_add, assign_sub and assign_rows (in place)."""

from __future__ import annotations

import numpy as np

from dfc.ir.graph import Op

from ..plan import Storage
from .loops import View, broadcast_strides, coalesce, contiguous_strides, elem_ptr, loop_nest
from .module import PARAM_ERR, ErrorSite, ModuleBuilder, nbytes
from .scalar import COMP, Fn, load, round_to, store

#: the params word a bad index's position goes to (word PARAM_ERR gets its value)
POSITION_WORD = PARAM_ERR + 3

def lower_assign(mb: ModuleBuilder, op: Op) -> None:
    plan = mb.plan
    name = op.attrs["variable"]
    var = Storage("variable", plan.variables.index(name), 0, 0)
    value = op.inputs[0]
    if op.type == "dfc.assign":
        vs = plan.where(value)
        if (vs.slot, vs.index, vs.offset) != (var.slot, var.index, var.offset):
            mb.memcpy(mb.ptr(var), mb.ptr(vs), nbytes(value))
    else:
        shape = op.result.type.shape
        total = int(np.prod(shape, dtype=np.int64))
        dt = value.type.dtype
        if total:
            ptrs, which = mb.buffers([var, plan.where(value)])
            views = [View(which[0], dt, 0, contiguous_strides(shape)),
                     View(which[1], dt, 0, broadcast_strides(value.type.shape, shape))]
            dims, views = coalesce(list(shape), views)
            kname, fn = mb.new_kernel(len(ptrs))
            params = [f"%p{i}" for i in range(len(ptrs))]
            ty = COMP[dt]
            fl = dt.is_floating
            opname = ("fadd" if fl else "add") if op.type == "dfc.assign_add" else ("fsub" if fl else "sub")

            def body(offs, idxs):
                po = elem_ptr(fn, params, views[0], offs[0])
                old = load(fn, po, dt)
                v = load(fn, elem_ptr(fn, params, views[1], offs[1]), dt)
                store(fn, round_to(fn, fn(f"{opname} {ty} {old}, {v}"), dt), po, dt)

            loop_nest(fn, dims, views, params, body, "%lo", "%hi")
            mb.finish_kernel(fn)
            mb.call_loop_kernel(kname, ptrs, total, dims[0] if dims else 1)
    rs = plan.where(op.result)
    if (rs.slot, rs.index, rs.offset) != (var.slot, var.index, var.offset):
        mb.memcpy(mb.ptr(rs), mb.ptr(var), nbytes(op.result))


def row_geometry(op: Op) -> tuple[list[int], int, int]:
    """(the dims the index tuples index, elements per slice written, index tuples) of a dfc.assign_rows."""
    indices = op.inputs[0]
    shape = op.result.type.shape
    depth = indices.type.shape[-1]
    return (list(shape[:depth]), int(np.prod(shape[depth:], dtype=np.int64)),
            int(np.prod(indices.type.shape[:-1], dtype=np.int64)))


def index_sites(mb: ModuleBuilder, op: Op) -> list[int]:
    """The error code of an index out of range in each indexed dim, worded as TF's kernels word it."""
    dims, _, _ = row_geometry(op)
    var = op.attrs["variable"]
    if len(dims) == 1:
        return [mb.error_code(ErrorSite(op, "scatter_index", f"is not in [0, {dims[0]}) (the rows of variable "
                                                             f"'{var}')"))]
    shape = list(op.result.type.shape)
    return [mb.error_code(ErrorSite(op, "scatter_index", f"(dim {k} of the index tuple) does not index into "
                                                         f"shape {shape} of variable '{var}'"))
            for k in range(len(dims))]


def slice_offset(fn: Fn, component: list[str], dims: list[int]) -> str:
    """The row-major number of the slice an index tuple names (its components as i64)."""
    at = "0"
    for k, c in enumerate(component):
        at = fn(f"add i64 {fn(f'mul i64 {at}, {dims[k]}')}, {c}") if k else c
    return at


def combine_rows(fn: Fn, mode: str, dt, old: str, new: str) -> str:
    """What an element becomes: the update (mode update), or the old value plus or minus it."""
    if mode == "update":
        return new
    fl = dt.is_floating
    opname = ("fadd" if fl else "add") if mode == "add" else ("fsub" if fl else "sub")
    return round_to(fn, fn(f"{opname} {COMP[dt]} {old}, {new}"), dt)


def lower_assign_rows(mb: ModuleBuilder, op: Op) -> None:
    """Every index tuple is checked first (the first bad one is reported, nothing is written), then each
    update slice is written, added or subtracted in place, in index order: repeats accumulate, and for
    mode update the last one wins. O(slices written); the variable's other elements are not touched."""
    plan = mb.plan
    indices, updates = op.inputs
    var = Storage("variable", plan.variables.index(op.attrs["variable"]), 0, 0)
    dims, post, count = row_geometry(op)
    depth = len(dims)
    dt, idt = updates.type.dtype, indices.type.dtype
    codes = index_sites(mb, op) if depth else []
    ptrs, which = mb.buffers([var, plan.where(indices), plan.where(updates), mb.params_ptr()])
    name, fn = mb.new_kernel(len(ptrs), returns_code=True, chunked=False)
    P = [f"%p{i}" for i in range(len(ptrs))]
    err_p = P[which[3]]
    flat_idx = View(which[1], idt, 0, [])
    it = COMP[idt]

    def components(tuple_start: str) -> list[str]:
        out = []
        for k in range(depth):
            i = load(fn, elem_ptr(fn, P, flat_idx, fn(f"add i64 {tuple_start}, {k}")), idt)
            out.append(i if it == "i64" else fn(f"sext {it} {i} to i64"))
        return out

    def check(offs, idxs):
        for k, c in enumerate(components(offs[0])):
            bad = fn(f"icmp uge i64 {c}, {dims[k]}")
            yes, no = fn.label("bad"), fn.label("good")
            fn.emit(f"br i1 {bad}, label %{yes}, label %{no}")
            fn.block(yes)
            fn.emit(f"store i64 {c}, ptr {err_p}")
            fn.emit(f"store i64 {idxs[0]}, ptr {fn(f'getelementptr inbounds i64, ptr {err_p}, i64 {POSITION_WORD}')}")
            fn.emit(f"ret i32 {codes[k]}")
            fn.block(no)

    if count and depth:
        loop_nest(fn, [count], [View(which[1], idt, 0, [depth])], P, check)
    if count * post:
        uv = View(which[2], dt, 0, [post, 1])
        xv = View(which[1], idt, 0, [depth, 0])
        flat_var = View(which[0], dt, 0, [])

        def write(offs, idxs):
            row = fn(f"mul i64 {slice_offset(fn, components(offs[1]), dims) if depth else '0'}, {post}")
            dst = elem_ptr(fn, P, flat_var, fn(f"add i64 {row}, {idxs[1]}"))
            new = load(fn, elem_ptr(fn, P, uv, offs[0]), dt)
            store(fn, combine_rows(fn, op.attrs["mode"], dt, load(fn, dst, dt) if op.attrs["mode"] != "update"
                                   else new, new), dst, dt)

        loop_nest(fn, [count, post], [uv, xv], P, write)
    mb.finish_kernel(fn, returns_code=True)
    rc = mb.entry(f"call i32 {name}({', '.join('ptr ' + p for p in ptrs)})")
    mb.check(rc)
    copy_result_out(mb, op, var)


def copy_result_out(mb: ModuleBuilder, op: Op, var: Storage) -> None:
    """The variable's new value into the op's result, when that has a buffer of its own and is used."""
    rs = mb.plan.where(op.result)
    used = op.result.uses or op.result in mb.plan.outputs
    if used and (rs.slot, rs.index, rs.offset) != (var.slot, var.index, var.offset):
        mb.memcpy(mb.ptr(rs), mb.ptr(var), nbytes(op.result))
