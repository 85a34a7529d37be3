"""The module under construction: the entry function `dfc_main`, its pointer-array ABI and the kernels.

`dfc_main(ptr args) -> i32` runs the whole step. `args` is the pointer array the runtime
fills per run: [inputs..., outputs..., variables..., constants..., arena, params], where
params is an int64 array: [error info x4, thread count, the random ops' run counters...].
It returns 0, or the 1-based code of the error that stopped it (see Lowered.errors).
Each kernel is an internal function of the module; ModuleBuilder makes them, calls them
from the entry function (across threads when big: parallel.py) and assembles the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Op, Value

from ..plan import Plan, Storage
from . import mathlib
from . import parallel
from .scalar import Fn

#: kernels with at least this many elements are split across threads
PARALLEL_MIN_ELEMENTS = 1 << 20
#: params words before the random counters
PARAM_ERR, PARAM_NTHREADS, PARAM_RANDOM = 0, 4, 5


@dataclass
class ErrorSite:
    """What a non-zero return code means: the op and how to word the error."""

    op: Op
    kind: str  # gather_index | static
    message: str = ""


@dataclass
class Lowered:
    """A step lowered to LLVM: the module text and what the runtime needs to call it."""

    text: str
    plan: Plan
    errors: list[ErrorSite]
    random_ops: list[Op]
    uses_blas: set[str] = field(default_factory=set)

    @property
    def num_slots(self) -> int:
        p = self.plan
        return len(p.inputs) + len(p.outputs) + len(p.variables) + len(p.constants) + 2


class ModuleBuilder:
    """Builds the module for one plan: kernels, the entry function and what they need declared."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.kernels: list[str] = []
        self.globals: list[str] = []
        self.needs: set[str] = set()
        self.errors: list[ErrorSite] = []
        self.random_ops: list[Op] = []
        self.blas: set[str] = set()
        self.entry = Fn("define i32 @dfc_main(ptr %args)")
        self.nk = 0
        p = plan
        self.slot_base = {"input": 0, "output": len(p.inputs), "variable": len(p.inputs) + len(p.outputs),
                          "constant": len(p.inputs) + len(p.outputs) + len(p.variables)}
        self.arena_slot = self.slot_base["constant"] + len(p.constants)
        self.params_slot = self.arena_slot + 1
        self.fail = "fail"
        self.entry_rc = self.entry.alloca("i32")
        self.entry.emit(f"store i32 0, ptr {self.entry_rc}")

    # -- pointers in the entry function
    def slot_ptr(self, slot: int) -> str:
        e = self.entry
        p = e(f"getelementptr inbounds ptr, ptr %args, i64 {slot}")
        return e(f"load ptr, ptr {p}")

    def ptr(self, st: Storage) -> str:
        if st.slot == "arena":
            base = self.slot_ptr(self.arena_slot)
        else:
            base = self.slot_ptr(self.slot_base[st.slot] + st.index)
        if st.offset:
            return self.entry(f"getelementptr inbounds i8, ptr {base}, i64 {st.offset}")
        return base

    def value_ptr(self, v: Value) -> str:
        return self.ptr(self.plan.where(v))

    def params_ptr(self) -> str:
        return self.slot_ptr(self.params_slot)

    # -- kernels
    def new_kernel(self, nparams: int, returns_code: bool = False, chunked: bool = True) -> tuple[str, Fn]:
        self.nk += 1
        name = f"@k{self.nk}"
        plist = ", ".join(f"ptr noalias %p{i}" for i in range(nparams))
        ret = "i32" if returns_code else "void"
        extra = ", i64 %lo, i64 %hi" if chunked else ""
        sep = ", " if plist and extra else ""
        fn = Fn(f"define internal {ret} {name}({plist}{sep}{extra.lstrip(', ')})")
        return name, fn

    def finish_kernel(self, fn: Fn, returns_code: bool = False) -> None:
        fn.emit("ret i32 0" if returns_code else "ret void")
        self.kernels.append(fn.text())

    def call_loop_kernel(self, name: str, ptrs: list[str], total: int, outer: int,
                         parallel: bool | None = None) -> None:
        """Call a chunked kernel over [0, outer), across threads when it is big (or when `parallel` says so)."""
        e = self.entry
        if parallel is None:
            parallel = total >= PARALLEL_MIN_ELEMENTS
        if parallel and outer > 1:
            # a wrapper with the uniform (ptr bufs, lo, hi) signature for dfc_parallel_for
            wname = name + "_w"
            w = Fn(f"define internal void {wname}(ptr %bufs, i64 %lo, i64 %hi)")
            args = []
            for i in range(len(ptrs)):
                p = w(f"getelementptr inbounds ptr, ptr %bufs, i64 {i}")
                args.append("ptr " + w(f"load ptr, ptr {p}"))
            w.emit(f"call void {name}({', '.join(args + ['i64 %lo', 'i64 %hi'])})")
            w.emit("ret void")
            self.kernels.append(w.text())
            bufs = e.alloca("ptr", max(len(ptrs), 1))
            for i, p in enumerate(ptrs):
                slot = e(f"getelementptr inbounds ptr, ptr {bufs}, i64 {i}")
                e.emit(f"store ptr {p}, ptr {slot}")
            pp = self.params_ptr()
            nt = e(f"getelementptr inbounds i64, ptr {pp}, i64 {PARAM_NTHREADS}")
            nt = e(f"load i64, ptr {nt}")
            self.needs.add("parallel")
            e.emit(f"call void @dfc_parallel_for(ptr {wname}, ptr {bufs}, i64 {outer}, i64 {nt})")
        else:
            args = [f"ptr {p}" for p in ptrs] + ["i64 0", f"i64 {outer}"]
            e.emit(f"call void {name}({', '.join(args)})")

    def check(self, rc: str) -> None:
        e = self.entry
        bad = e(f"icmp ne i32 {rc}, 0")
        ok = e.label("ok")
        e.emit(f"br i1 {bad}, label %{self.fail_label(rc)}, label %{ok}")
        e.block(ok)

    def fail_label(self, rc: str) -> str:
        e = self.entry
        lab = e.label("err")
        cont = e.label("errret")
        # emitted out of line: an error block storing rc and returning it
        self._pending_fail = getattr(self, "_pending_fail", [])
        self._pending_fail.append((lab, cont, rc))
        return lab

    def error_code(self, site: ErrorSite) -> int:
        self.errors.append(site)
        return len(self.errors)

    def static_error(self, op: Op, message: str) -> None:
        code = self.error_code(ErrorSite(op, "static", message))
        e = self.entry
        dead = e.label("unreachable_after_error")
        e.emit(f"ret i32 {code}")
        e.block(dead)

    # -- the distinct buffers of one kernel
    def buffers(self, values: list[Storage | str]) -> tuple[list[str], list[int]]:
        """Entry pointers for storages (deduplicated: one buffer, one noalias param) and each one's param."""
        keys: dict[tuple, int] = {}
        ptrs: list[str] = []
        which: list[int] = []
        for st in values:
            if isinstance(st, str):
                key = ("raw", st)
            else:
                key = (st.slot, st.index, st.offset)
            if key not in keys:
                keys[key] = len(ptrs)
                ptrs.append(st if isinstance(st, str) else self.ptr(st))
            which.append(keys[key])
        return ptrs, which

    # -- whole module
    def build(self, lower_op: Callable[[ModuleBuilder, Op], None]) -> str:
        """The module's text: every planned op lowered by `lower_op`, then the entry function."""
        for op in self.plan.items:
            lower_op(self, op)
        for v, j in self.plan.fetch_copies:
            self.memcpy(self.ptr(Storage("output", j, 0, 0)), self.value_ptr(v), nbytes(v))
        e = self.entry
        e.emit("ret i32 0")
        for lab, _, rc in getattr(self, "_pending_fail", []):
            e.block(lab)
            e.emit(f"ret i32 {rc}")
        parts = ["; dfc step module", "target triple = \"{TRIPLE}\"", ""]
        parts += self.globals
        parts.append(_DECLS)
        if self.needs & {"f32:sin", "f32:cos"}:
            parts.append(mathlib.tables())
        for n in sorted(self.needs):
            if n.startswith("f32:"):
                parts.append(mathlib.f32_function(n[4:]))
            elif n.startswith("f64fn:"):
                parts.append(mathlib.f64_function(n[6:]))
            elif n.startswith("f64:") and not n[4:].startswith("llvm."):
                parts.append(f"declare double @{n[4:]}(double)")
        if "parallel" in self.needs:
            parts.append(parallel.DECLARE)
        for b in sorted(self.blas - {"threads"}):
            parts.append(f"declare void @dfc_{b}(ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr)")
        if "threads" in self.blas:
            parts.append("@dfc_blas_threads = external global i32\ndeclare void @dfc_blas_set_threads(i32)")
        parts += self.kernels
        parts.append(e.text())
        parts.append("!0 = !{i32 1}  ; !nontemporal")
        return "\n".join(parts)

    def global_constant(self, value, dt: D.DType) -> str:
        """A private global holding a (small) constant's bytes; returns its symbol."""
        data = np.ascontiguousarray(value, dtype=dt.np).tobytes()
        name = f"@c{len(self.globals)}"
        text = "".join(f"\\{b:02X}" for b in data)
        self.globals.append(f"{name} = private unnamed_addr constant [{len(data)} x i8] c\"{text}\", align 64")
        return name

    def memcpy(self, dst: str, src: str, n: int) -> None:
        if n:
            self.entry.emit(f"call void @llvm.memcpy.p0.p0.i64(ptr {dst}, ptr {src}, i64 {n}, i1 false)")


def nbytes(v: Value) -> int:
    return int(v.type.num_elements) * v.type.dtype.itemsize


def _declarations() -> str:
    lines = ["declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)",
             "declare i32 @pthread_create(ptr, ptr, ptr, ptr)", "declare i32 @pthread_join(i64, ptr)"]
    for t, s in (("float", "f32"), ("double", "f64")):
        for n, k in (("fabs", 1), ("sqrt", 1), ("floor", 1), ("ceil", 1), ("roundeven", 1), ("trunc", 1),
                     ("rint", 1), ("maximum", 2), ("minimum", 2), ("maxnum", 2), ("minnum", 2), ("copysign", 2),
                     ("pow", 2), ("exp", 1), ("log", 1), ("sin", 1), ("cos", 1), ("fma", 3)):
            lines.append(f"declare {t} @llvm.{n}.{s}({', '.join([t] * k)})")
    for b in (8, 32, 64):
        for n in ("smax", "smin"):
            lines.append(f"declare i{b} @llvm.{n}.i{b}(i{b}, i{b})")
        lines.append(f"declare i{b} @llvm.abs.i{b}(i{b}, i1)")
    return "\n".join(lines) + "\n"


_DECLS = _declarations()


def where(mb: ModuleBuilder, v: Value) -> Storage:
    """Where a value of the step lives."""
    return mb.plan.where(v)
