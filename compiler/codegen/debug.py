"""Run-time checks in native code: assert (a condition tensor, all true) and check_numerics (no inf, no NaN).

Each is one serial kernel returning an error code the runtime turns into TF's
InvalidArgumentError. The native assert's message shows its data tensors by name and type;
the reference interpreter (Session(backend="interpreter")) shows their values, as TF does.
"""

from __future__ import annotations

import math

import numpy as np

from dfc.ir.graph import Op
from dfc.ir.ops.debug import TENSOR_PART, numerics_problem, summarize

from .loops import View, elem_ptr, loop_nest
from .module import ErrorSite, ModuleBuilder, where
from .scalar import COMP, fsuffix, lit, load, store


def _shown(value, count: int) -> str:
    """A data tensor of an assert as its message shows it: its values when they are a constant of the step
    (a TensorArray's index, a fed shape folded once it is known), else its name and type."""
    if value.op is not None and value.op.type == "dfc.constant":
        return summarize(value.op.attrs["value"], count)
    return f"{value.describe()} (its values: run with backend='interpreter')"


def assert_code(mb: ModuleBuilder, op: Op) -> int:
    """The error code of a dfc.assert (CPU and GPU): its message shows the data tensors by value when they are
    constants, else by name and type."""
    it = iter(op.inputs[1:])
    shown = [_shown(next(it), op.attrs["summarize"]) if p == TENSOR_PART else p.replace("%%", "%")
             for p in op.attrs["parts"]]
    return mb.error_code(ErrorSite(op, "static", f"op {op.describe()} failed: assertion failed: "
                                   + " ".join(f"[{s}]" for s in shown)))


def numerics_codes(mb: ModuleBuilder, op: Op) -> dict[tuple[bool, bool], int]:
    """The error codes of a dfc.check_numerics (CPU and GPU) by (saw an inf, saw a NaN)."""
    message = op.attrs["message"]
    return {(inf, nan): mb.error_code(ErrorSite(op, "static", f"op {op.describe()} failed: {message} : Tensor had "
                                                              f"{numerics_problem(inf, nan)} values"))
            for inf, nan in ((True, False), (False, True), (True, True))}


def lower_assert(mb: ModuleBuilder, op: Op) -> None:
    cond = op.inputs[0]
    code = assert_code(mb, op)
    count = int(np.prod(cond.type.shape, dtype=np.int64))
    if not count:
        return
    ptrs, which = mb.buffers([where(mb, cond)])
    name, fn = mb.new_kernel(len(ptrs), returns_code=True, chunked=False)
    P = [f"%p{i}" for i in range(len(ptrs))]
    view = View(which[0], cond.type.dtype, 0, [1])

    def body(offs, idxs):
        ok = load(fn, elem_ptr(fn, P, view, offs[0]), cond.type.dtype)
        fail, go = fn.label("fail"), fn.label("next")
        fn.emit(f"br i1 {ok}, label %{go}, label %{fail}")
        fn.block(fail)
        fn.emit(f"ret i32 {code}")
        fn.block(go)

    loop_nest(fn, [count], [view], P, body)
    mb.finish_kernel(fn, returns_code=True)
    _call_checked(mb, name, ptrs)


def _call_checked(mb: ModuleBuilder, name: str, ptrs: list[str]) -> None:
    """Call a one-thread kernel returning an error code: from the entry (CPU), or as one launch whose error
    word the runtime checks (the GPU's builder has launch_once)."""
    launch_once = getattr(mb, "launch_once", None)
    if launch_once is not None:
        launch_once(name, ptrs)
        return
    mb.check(mb.entry(f"call i32 {name}({', '.join('ptr ' + p for p in ptrs)})"))


def lower_check_numerics(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    dt = x.type.dtype
    count = int(np.prod(x.type.shape, dtype=np.int64))
    codes = numerics_codes(mb, op)
    if not count:
        return
    ptrs, which = mb.buffers([where(mb, op.result), where(mb, x)])
    name, fn = mb.new_kernel(len(ptrs), returns_code=True, chunked=False)
    P = [f"%p{i}" for i in range(len(ptrs))]
    ty = COMP[dt]
    out_view, in_view = View(which[0], dt, 0, [1]), View(which[1], dt, 0, [1])
    seen_inf, seen_nan = fn.entry_flag(), fn.entry_flag()

    def body(offs, idxs):
        v = load(fn, elem_ptr(fn, P, in_view, offs[1]), dt)
        store(fn, v, elem_ptr(fn, P, out_view, offs[0]), dt)
        nan = fn(f"fcmp uno {ty} {v}, {v}")
        mag = fn(f"call {ty} @llvm.fabs.{fsuffix(ty)}({ty} {v})")
        inf = fn(f"fcmp oeq {ty} {mag}, {lit(ty, math.inf)}")
        for flag, hit in ((seen_inf, inf), (seen_nan, nan)):
            before = fn(f"load i1, ptr {flag}")
            fn.emit(f"store i1 {fn(f'or i1 {before}, {hit}')}, ptr {flag}")

    loop_nest(fn, [count], [out_view, in_view], P, body)
    inf = fn(f"load i1, ptr {seen_inf}")
    nan = fn(f"load i1, ptr {seen_nan}")
    rc = fn(f"select i1 {nan}, i32 {codes[(False, True)]}, i32 0")
    rc = fn(f"select i1 {inf}, i32 {codes[(True, False)]}, i32 {rc}")
    both = fn(f"and i1 {inf}, {nan}")
    rc = fn(f"select i1 {both}, i32 {codes[(True, True)]}, i32 {rc}")
    fn.emit(f"ret i32 {rc}")
    done = fn.label("unreachable")
    fn.block(done)
    mb.finish_kernel(fn, returns_code=True)
    _call_checked(mb, name, ptrs)


#: what each print call of native code shows: call id -> (parts, data dtypes and shapes, op attrs).
#: Filled when a step is lowered; the runtime's dfc_host_print reads it (runtime/host_calls.py).
HOST_PRINTS: dict[int, tuple] = {}


def lower_print(mb: ModuleBuilder, op: Op) -> None:
    """Copy x to the result, then call the host (dfc_host_print) with the addresses of the data tensors."""
    x, *data = op.inputs
    mb.memcpy(mb.value_ptr(op.result), mb.value_ptr(x), int(np.prod(x.type.shape, dtype=np.int64)) *
              x.type.dtype.itemsize)
    key = len(HOST_PRINTS) + 1
    HOST_PRINTS[key] = ([(v.type.dtype.np, tuple(v.type.shape)) for v in data], dict(op.attrs))
    e = mb.entry
    table = e.alloca("ptr", max(len(data), 1))
    for i, v in enumerate(data):
        slot = e(f"getelementptr inbounds ptr, ptr {table}, i64 {i}")
        e.emit(f"store ptr {mb.value_ptr(v)}, ptr {slot}")
    mb.needs.add("host:dfc_host_print")
    e.emit(f"call void @dfc_host_print(i64 {key}, ptr {table})")
