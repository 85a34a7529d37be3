"""The step's compiled units: one module per distinct kernel and the entry module `dfc_main` that calls them.

`dfc_main(ptr args) -> i32` runs the whole step. `args` is the pointer array the runtime
fills per run: [inputs..., outputs..., variables..., constants..., arena, params], where
params is an int64 array: [error info x4, thread count, the random ops' run counters...].
It returns 0, or the 1-based code of the error that stopped it (see Lowered.errors).

Each kernel is its own module (KernelUnit) with canonical text: its function is named by a
hash of that text and the target, so identical kernels (in one step, across steps and across
graphs) are one unit, compiled once and cached as object code. The entry module only
sequences calls to the kernels' external symbols (the JIT links them): it is compiled
without optimization, so its cost grows linearly with the number of calls, and no kernel is
ever inlined into it. ModuleBuilder makes the kernels, the calls (across threads when big:
parallel.py) and both kinds of module text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Op, Value

from ..plan import Plan, Storage
from ..target import Target
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
    kind: str  # gather_index | row_index | static
    message: str = ""


@dataclass(frozen=True)
class KernelUnit:
    """One kernel's module: canonical text defining the external function `symbol`."""

    symbol: str
    declaration: str  # how a caller declares it
    text: str


#: the first line of each module in the printed form of a step (Lowered.text)
MODULE_MARK = "; ---- module "


@dataclass
class Lowered:
    """A step lowered to LLVM: the entry module, its distinct kernel modules and what the runtime needs."""

    main: str
    kernels: list[KernelUnit]
    plan: Plan
    errors: list[ErrorSite]
    random_ops: list[Op]
    uses_blas: set[str] = field(default_factory=set)
    parts: list[KernelUnit] = field(default_factory=list)  # the entry's parts, when it is split

    @property
    def text(self) -> str:
        """Every module of the step, kernels first, each after a `; ---- module NAME` line (see split_modules)."""
        parts = [f"{MODULE_MARK}{k.symbol}\n{k.text}" for k in self.kernels + self.parts]
        parts.append(f"{MODULE_MARK}dfc_main\n{self.main}")
        return "\n".join(parts)

    @property
    def num_slots(self) -> int:
        p = self.plan
        return len(p.inputs) + len(p.outputs) + len(p.variables) + len(p.constants) + 2


def split_modules(text: str) -> dict[str, str]:
    """The modules of a printed step (Lowered.text), by name; text without marks is one module, `dfc_main`."""
    if not text.startswith(MODULE_MARK):
        return {"dfc_main": text}
    modules = {}
    for chunk in text.split(MODULE_MARK)[1:]:
        name, _, body = chunk.partition("\n")
        modules[name.strip()] = body
    return modules


class ModuleBuilder:
    """Builds the modules of one plan: kernel units, the entry function and what each needs declared."""

    def __init__(self, plan: Plan, target: Target):
        self.plan = plan
        self.target = target
        self.part = _Part()  # the entry code being built (see ENTRY_PART_OPS)
        self.parts: list[KernelUnit] = []  # the finished parts, when the entry is split
        self.nglobals = 0
        self.errors: list[ErrorSite] = []
        self.random_ops: list[Op] = []
        self.blas_used: set[str] = set()
        self.units: dict[str, KernelUnit] = {}
        self.calls: dict[str, str] = {}  # the entry's name for a kernel (@kN) -> its unit's symbol
        self._open: _KernelScope | None = None  # the kernel being built
        self.nk = 0
        self.open_regions: list = []  # the labels of the branches and loops being lowered (codegen/control.py)
        self.blas_threads = False  # whether the kernels may set the BLAS's thread count (cpu.lower says)
        self.blas_small = None  # the BLAS's small-kernel permit, if known (cpu.lower's blas_small)
        self.loop_depth = 0  # how many of them are loops: code emitted now may run many times per step
        p = plan
        self.slot_base = {"input": 0, "output": len(p.inputs), "variable": len(p.inputs) + len(p.outputs),
                          "constant": len(p.inputs) + len(p.outputs) + len(p.variables)}
        self.arena_slot = self.slot_base["constant"] + len(p.constants)
        self.params_slot = self.arena_slot + 1

    @property
    def entry(self) -> Fn:
        """The entry function being built (a part of dfc_main when the step is split)."""
        return self.part.entry

    @property
    def needs(self) -> set[str]:
        """What the function being built needs declared or defined (math functions, the thread pool)."""
        return (self._open or self.part).needs

    @property
    def blas(self) -> set[str]:
        """The BLAS symbols the function being built calls."""
        return (self._open or self.part).blas

    @property
    def kernels(self) -> list[str]:
        """Helper functions of the kernel being built (or of the entry, between kernels)."""
        return (self._open or self.part).functions

    @property
    def globals(self) -> list[str]:
        """Globals and declarations of the kernel being built (or of the entry, between kernels)."""
        return (self._open or self.part).globals

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

    def offset_ptr(self, ptr: str, nbytes: int) -> str:
        """A pointer `nbytes` past an entry pointer."""
        return self.entry(f"getelementptr inbounds i8, ptr {ptr}, i64 {nbytes}")

    # -- kernels
    def new_kernel(self, nparams: int, returns_code: bool = False, chunked: bool = True) -> tuple[str, Fn]:
        """(the entry's name for a new kernel, its function): build the body, then finish_kernel."""
        if self._open is not None:
            raise RuntimeError(f"kernel {self._open.name} is still being built")
        self.nk += 1
        name = f"@k{self.nk}"
        plist = [f"ptr noalias %p{i}" for i in range(nparams)] + (["i64 %lo", "i64 %hi"] if chunked else [])
        ret = "i32" if returns_code else "void"
        attrs = " #0" if self.target.function_attributes() else ""
        fn = Fn(f"define {ret} @dfc_kernel({', '.join(plist)}){attrs}")
        self._open = _KernelScope(name, f"{ret} @{{}}({', '.join(p.split(' ')[0] for p in plist)})")
        return name, fn

    def finish_kernel(self, fn: Fn, returns_code: bool = False) -> None:
        """Close the kernel: its canonical module, named by the hash of its text and the target."""
        scope, self._open = self._open, None
        fn.emit("ret i32 0" if returns_code else "ret void")
        # helpers named after the kernel (@kN_chunk) take the canonical name's prefix
        code = "\n".join(scope.functions + [fn.text()]).replace(f"{scope.name}_", "@dfc_kernel_")
        declared = [g for g in self.part.globals + scope.globals if g.startswith("declare ")
                    and _declared_name(g) in code]
        # helpers built before the kernel was opened (a conv's chunk function) recorded their needs in the entry's
        needs = scope.needs | {n for n in self.part.needs if _need_symbol(n) in code}
        blas = scope.blas | {b for b in self.part.blas if f"@dfc_{b}(" in code or (b == "threads" and
                                                                                    "@dfc_blas_set_threads(" in code)}
        parts = [_declarations_for(needs, blas)] + list(dict.fromkeys(declared))
        parts += [g for g in scope.globals if not g.startswith("declare ")]
        parts.append(code)
        if self.target.function_attributes():
            parts.append(f"attributes #0 = {{ {self.target.function_attributes()} }}")
        parts.append("!0 = !{i32 1}  ; !nontemporal")
        parts += fn.metadata
        body = "\n".join(parts)
        digest = hashlib.sha256((body + "\0" + self.target.identity).encode()).hexdigest()[:32]
        symbol = f"dfc_k_{digest}"
        if symbol not in self.units:
            text = f"; dfc kernel\n{self.target.header()}\n" + body.replace("@dfc_kernel(", f"@{symbol}(", 1)
            self.units[symbol] = KernelUnit(symbol, "declare " + scope.signature.format(symbol), text)
        self.calls[scope.name] = symbol
        self.blas_used |= blas

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
            self.part.functions.append(w.text())
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
        # emitted out of line: an error block returning rc
        self.part.failures.append((lab, cont, rc))
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

    # -- whole step
    def build(self, lower_op: Callable[[ModuleBuilder, Op], None]) -> Lowered:
        """The step's modules: every planned op lowered by `lower_op`, then the entry module."""
        for op in self.plan.items:
            if self.part.ops >= ENTRY_PART_OPS and not self.open_regions:  # a branch or loop stays in one part
                self._close_part()
            lower_op(self, op)
            self.part.ops += 1
        for v, j in self.plan.fetch_copies:
            self.memcpy(self.ptr(Storage("output", j, 0, 0)), self.value_ptr(v), nbytes(v))
        if not self.parts:  # one part: it is dfc_main itself
            main = self._part_text(self.part, "dfc_main")
        else:
            self._close_part()
            main = self._sequence_parts()
        distinct_parts = list({p.symbol: p for p in self.parts}.values())
        return Lowered(main, list(self.units.values()), self.plan, self.errors, self.random_ops, self.blas_used,
                       distinct_parts)

    def _part_text(self, part: _Part, symbol: str) -> str:
        e = part.entry
        e.header = f"define i32 @{symbol}(ptr %args)"
        e.emit("ret i32 0")
        for lab, _, rc in part.failures:
            e.block(lab)
            e.emit(f"ret i32 {rc}")
        called = {self.calls[m] for m in _KERNEL_CALL.findall("\n".join(e.lines + part.functions))}
        lines = ["; dfc step entry: calls the kernels, which the JIT links by symbol", self.target.header()]
        lines += part.globals
        lines.append(_declarations_for(part.needs, part.blas))
        self.blas_used |= part.blas
        lines += sorted(self.units[s].declaration for s in called)
        lines += part.functions
        lines.append(e.text())
        calls = self.calls
        return _KERNEL_CALL.sub(lambda m: f"@{calls[m.group(1)]}(", "\n".join(lines))

    def _close_part(self) -> None:
        """Finish the entry code so far as a module of its own, named by the hash of its text."""
        text = self._part_text(self.part, "dfc_part")
        symbol = "dfc_part_" + hashlib.sha256((text + "\0" + self.target.identity).encode()).hexdigest()[:32]
        text = text.replace("@dfc_part(", f"@{symbol}(", 1)
        self.parts.append(KernelUnit(symbol, f"declare i32 @{symbol}(ptr)", text))
        self.part = _Part()

    def _sequence_parts(self) -> str:
        """dfc_main of a split step: each part in order, stopping at the first that returns an error code."""
        e = Fn("define i32 @dfc_main(ptr %args)")
        for part in self.parts:
            rc = e(f"call i32 @{part.symbol}(ptr %args)")
            bad = e(f"icmp ne i32 {rc}, 0")
            ok, fail = e.label("ok"), e.label("fail")
            e.emit(f"br i1 {bad}, label %{fail}, label %{ok}")
            e.block(fail)
            e.emit(f"ret i32 {rc}")
            e.block(ok)
        e.emit("ret i32 0")
        lines = ["; dfc step entry: runs its parts in order", self.target.header()]
        lines += sorted({part.declaration for part in self.parts})
        lines.append(e.text())
        return "\n".join(lines)

    def global_constant(self, value: np.ndarray | float, dt: D.DType) -> str:
        """A private global holding a (small) constant's bytes; returns its symbol."""
        data = np.ascontiguousarray(value, dtype=dt.np).tobytes()
        name = f"@c{self.nglobals}"
        self.nglobals += 1
        text = "".join(f"\\{b:02X}" for b in data)
        self.part.globals.append(f"{name} = private unnamed_addr constant [{len(data)} x i8] c\"{text}\", align 64")
        return name

    def memcpy(self, dst: str, src: str, n: int) -> None:
        if n:
            self.entry.emit(f"call void @llvm.memcpy.p0.p0.i64(ptr {dst}, ptr {src}, i64 {n}, i1 false)")


def nbytes(v: Value) -> int:
    return int(v.type.num_elements) * v.type.dtype.itemsize


#: planned ops per part of the entry function: a step with more is split into parts (modules of their own,
#: called in order by dfc_main), because LLVM's time for one function grows faster than its size
ENTRY_PART_OPS = 512


class _Part:
    """Entry code under construction: its function, helpers, constants and needs."""

    def __init__(self):
        self.entry = Fn("define i32 @dfc_part(ptr %args)")
        self.functions: list[str] = []  # parallel wrappers
        self.globals: list[str] = []
        self.needs: set[str] = set()
        self.blas: set[str] = set()
        self.failures: list[tuple[str, str, str]] = []
        self.ops = 0


class _KernelScope:
    """A kernel under construction: the entry's name for it, its signature, helpers, globals and needs."""

    def __init__(self, name: str, signature: str):
        self.name = name
        self.signature = signature  # "ret @{}(types)", formatted with the symbol
        self.functions: list[str] = []
        self.globals: list[str] = []
        self.needs: set[str] = set()
        self.blas: set[str] = set()


def _need_symbol(need: str) -> str:
    """How code calls what a `needs` entry provides (see _declarations_for)."""
    kind, _, name = need.partition(":")
    if need == "parallel":
        return "@dfc_parallel_for("
    return {"f32": f"@dfc_{name}f(", "f64fn": f"@dfc_{name}64(", "f64": f"@{name}("}.get(kind, f"@{name}(")


def _declared_name(declaration: str) -> str:
    """`@name(` of a `declare ... @name(...)` line."""
    at = declaration.index("@")
    return declaration[at:declaration.index("(", at) + 1]


#: a call of a kernel by the entry's name for it (@kN), before the symbol is known
_KERNEL_CALL = re.compile(r"(@k\d+)\(")


def _declarations_for(needs: set[str], blas: set[str]) -> str:
    """Declarations and helper definitions a function with these needs calls."""
    parts = [_DECLS]
    trig = tuple(n for n in ("sin", "cos") if f"f32:{n}" in needs)
    if trig:
        parts.append(mathlib.trig_support(trig))
    for n in sorted(needs):
        if n.startswith("f32:"):
            parts.append(mathlib.f32_function(n[4:]))
        elif n.startswith("f64fn:"):
            parts.append(mathlib.f64_function(n[6:]))
        elif n.startswith("f64:") and not n[4:].startswith("llvm."):
            parts.append(f"declare double @{n[4:]}(double)")
        elif n.startswith("f64x2:"):  # libm's two-argument functions (atan2)
            parts.append(f"declare double @{n[6:]}(double, double)")
        elif n.startswith("host:"):  # a function of the runtime's (call id, table of pointers)
            parts.append(f"declare void @{n[5:]}(i64, ptr)")
        elif n.startswith("hostrc:"):  # a function of the runtime's (descriptor, table of pointers) -> failed
            parts.append(f"declare i32 @{n[7:]}(ptr, ptr)")
    if "parallel" in needs:
        parts.append(parallel.DECLARE)
    for b in sorted(blas - {"threads"}):
        parts.append(f"declare void @dfc_{b}(ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr)")
    if "threads" in blas:
        parts.append("@dfc_blas_threads = external global i32\ndeclare void @dfc_blas_set_threads(i32)")
    return "\n".join(parts)


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
