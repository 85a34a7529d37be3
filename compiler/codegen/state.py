"""Variable updates: assign (a copy into the variable's buffer), assign_add and assign_sub (in place)."""

from __future__ import annotations

import numpy as np

from dfc.ir.graph import Op

from ..plan import Storage
from .loops import View, broadcast_strides, coalesce, contiguous_strides, elem_ptr, loop_nest
from .module import ModuleBuilder, nbytes
from .scalar import COMP, load, round_to, store

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
