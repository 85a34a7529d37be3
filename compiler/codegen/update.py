"""dfc.dynamic_update_slice on the CPU and the GPU: rows written into a tensor at a position read when the step runs.

The result is operand 0 with rows [start, start + k) replaced by the k rows of the update. When the
planner gave the result operand 0's buffer (operand 0 dies here, or it is a loop variable the body
yields this result for: TensorArray.write in a tf.while_loop), only the k rows are written, so N writes
of one row cost O(N * row); otherwise operand 0 is copied first. A start outside [0, n - k] fails the
step with the interpreter's error (`row index 7 is out of range [0, 3)`): the kernel stores the bad
start in params word 0 for the runtime's message, as gather does with its index.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.graph import Op

from .debug import _call_checked
from .gemm import gep
from .loops import View, elem_ptr, loop_nest
from .module import ErrorSite, ModuleBuilder, nbytes, where
from .scalar import COMP, STORE, load


def _geometry(op: Op) -> tuple[int, int, int]:
    """(rows of operand 0, rows written, elements per row)."""
    x, update, _ = op.inputs
    return x.type.shape[0], update.type.shape[0], int(np.prod(x.type.shape[1:], dtype=np.int64))


def _copy_operand(mb: ModuleBuilder, op: Op) -> None:
    """The result's buffer holds operand 0 (nothing to do when the planner put the result there)."""
    src, dst = where(mb, op.inputs[0]), where(mb, op.result)
    if (src.slot, src.index, src.offset) != (dst.slot, dst.index, dst.offset):
        mb.memcpy(mb.ptr(dst), mb.ptr(src), nbytes(op.result))


def lower_dynamic_update_slice(mb: ModuleBuilder, op: Op) -> None:
    _, update, start = op.inputs
    n, k, post = _geometry(op)
    dt, sdt = update.type.dtype, start.type.dtype
    _copy_operand(mb, op)
    code = mb.error_code(ErrorSite(op, "row_index", f"[0, {n - k + 1})"))
    ptrs, which = mb.buffers([where(mb, op.result), where(mb, update), where(mb, start), mb.params_ptr()])
    name, fn = mb.new_kernel(len(ptrs), returns_code=True, chunked=False)
    P = [f"%p{i}" for i in range(len(ptrs))]
    out_p, err_p = P[which[0]], P[which[3]]
    s = load(fn, elem_ptr(fn, P, View(which[2], sdt, 0, []), "0"), sdt)
    s64 = s if COMP[sdt] == "i64" else fn(f"sext {COMP[sdt]} {s} to i64")
    bad = fn(f"icmp ugt i64 {s64}, {n - k}")  # unsigned: a negative start is out of range too
    yes, no = fn.label("bad"), fn.label("good")
    fn.emit(f"br i1 {bad}, label %{yes}, label %{no}")
    fn.block(yes)
    fn.emit(f"store i64 {s64}, ptr {err_p}")
    fn.emit(f"ret i32 {code}")
    fn.block(no)
    if k * post:
        base = fn(f"mul i64 {s64}, {post}")
        st = STORE[dt]

        def copy(offs, idxs):
            v = fn(f"load {st}, ptr {elem_ptr(fn, P, View(which[1], dt, 0, []), offs[0])}")
            fn.emit(f"store {st} {v}, ptr {gep(fn, st, out_p, fn(f'add i64 {base}, {offs[0]}'))}")
        loop_nest(fn, [k * post], [View(which[1], dt, 0, [1])], P, copy)
    mb.finish_kernel(fn, returns_code=True)
    _call_checked(mb, name, ptrs)


def lower_dynamic_update_slice_gpu(mb, op: Op) -> None:
    """One thread per written element after a one-thread check of start (which records the error)."""
    from .gpu_nn import grid_kernel, when  # noqa: PLC0415 - the GPU modules import the CPU's
    from .gpu_sparse import _claim_error, _errors, _index  # noqa: PLC0415

    _, update, start = op.inputs
    n, k, post = _geometry(op)
    st, sdt = STORE[update.type.dtype], start.type.dtype
    _copy_operand(mb, op)
    code = mb.error_code(ErrorSite(op, "row_index", f"[0, {n - k + 1})"))

    def check(fn, params, _):
        first, info, err = params
        s = _index(fn, gep(fn, STORE[sdt], first, "0"), sdt)
        with when(fn, fn(f"icmp ugt i64 {s}, {n - k}")):
            with when(fn, _claim_error(fn, err, code)):
                fn.emit(f"store i64 {s}, ptr {info}")
    grid_kernel(mb, [where(mb, start), mb.params_ptr(), _errors()], 1, check, single=True, error_code=True)

    def copy(fn, params, e):
        out, rows, first = params
        s = _index(fn, gep(fn, STORE[sdt], first, "0"), sdt)
        with when(fn, fn(f"icmp ule i64 {s}, {n - k}")):
            v = fn(f"load {st}, ptr {gep(fn, st, rows, e)}")
            at = fn(f"add i64 {fn(f'mul i64 {s}, {post}')}, {e}")
            fn.emit(f"store {st} {v}, ptr {gep(fn, st, out, at)}")
    grid_kernel(mb, [where(mb, op.result), where(mb, update), where(mb, start)], k * post, copy)


__all__ = ["lower_dynamic_update_slice", "lower_dynamic_update_slice_gpu"]
