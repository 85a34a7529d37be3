"""The CPU code generator: a planned step graph becomes one LLVM module with one entry function.

`dfc_main(ptr args) -> i32` runs the whole step. `args` is the pointer array the runtime
fills per run: [inputs..., outputs..., variables..., constants..., arena, params], where
params is an int64 array: [error info x4, thread count, the random ops' run counters...].
It returns 0, or the 1-based code of the error that stopped it (see Lowered.errors).

Each op (or fused elementwise region) becomes a kernel: a loop nest over its output with
constant strides per operand, so broadcasting, transposes, slices, tiles and concats are
all the same loop with different strides; LLVM's loop vectorizer turns the inner loop into
packed code. Kernels over many elements run split across threads by `dfc_parallel_for`
(pthreads, emitted here). matmul in f32/f64 calls BLAS (sgemm/dgemm, bound by the runtime
to the symbols `dfc_sgemm` / `dfc_dgemm`). The per-element semantics live in scalar.py,
the loop nests in loops.py, the float32 math functions in mathlib.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import llvmlite
import llvmlite.binding as llvm
import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.ops.random import TRUNCATED_TRIES
from dfc.ir.ops.reduce import normalized_axes
from dfc.ir.types import TensorType

from ..plan import ALIAS_OPS, Plan, Storage, plan_step
from . import mathlib
from .loops import View, broadcast_strides, coalesce, contiguous_strides, elem_ptr, loop_nest
from .mathlib import f64 as lit_f64
from .scalar import (BITS, COMP, STORE, CodegenError, Fn, convert, fsuffix, int_floordiv, int_wrap, lit, load,
                     math_call, round_to, scalar, store, typed_value)

#: kernels with at least this many elements are split across threads
PARALLEL_MIN_ELEMENTS = 1 << 20
#: params words before the random counters
PARAM_ERR, PARAM_NTHREADS, PARAM_RANDOM = 0, 4, 5
MAX_THREADS = 64


# ---- the module ------------------------------------------------------------------------------

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

    def call_loop_kernel(self, name: str, ptrs: list[str], total: int, outer: int) -> None:
        """Call a chunked kernel over [0, outer), across threads when it is big."""
        e = self.entry
        if total >= PARALLEL_MIN_ELEMENTS and outer > 1:
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
    def build(self) -> str:
        for op in self.plan.items:
            lower_op(self, op)
        for v, j in self.plan.fetch_copies:
            self.memcpy(self.ptr(Storage("output", j, 0, 0)), self.value_ptr(v), _nbytes(v))
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
            elif n.startswith("f64:") and not n[4:].startswith("llvm."):
                parts.append(f"declare double @{n[4:]}(double)")
        if "parallel" in self.needs:
            parts.append(_PARALLEL)
        for b in sorted(self.blas):
            parts.append(f"declare void @dfc_{b}(ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr)")
        parts += self.kernels
        parts.append(e.text())
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


def _nbytes(v: Value) -> int:
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

# Up to `want` threads (the caller among them) claim chunks of [0, n) from a shared atomic counter
# until none is left: a thread the OS schedules late takes fewer chunks instead of stalling the step.
# A failed pthread_create only means fewer helpers.
_PARALLEL = f"""
%dfc.task = type {{ ptr, ptr, i64, i64, ptr }}

define internal ptr @dfc_thread_main(ptr %t) {{
entry:
  %fp = getelementptr %dfc.task, ptr %t, i32 0, i32 0
  %fn = load ptr, ptr %fp
  %bp = getelementptr %dfc.task, ptr %t, i32 0, i32 1
  %bufs = load ptr, ptr %bp
  %np = getelementptr %dfc.task, ptr %t, i32 0, i32 2
  %n = load i64, ptr %np
  %cp = getelementptr %dfc.task, ptr %t, i32 0, i32 3
  %chunk = load i64, ptr %cp
  %ctrp = getelementptr %dfc.task, ptr %t, i32 0, i32 4
  %ctr = load ptr, ptr %ctrp
  br label %claim
claim:
  %c = atomicrmw add ptr %ctr, i64 1 monotonic
  %lo = mul i64 %c, %chunk
  %more = icmp slt i64 %lo, %n
  br i1 %more, label %work, label %done
work:
  %hi0 = add i64 %lo, %chunk
  %hi = call i64 @llvm.smin.i64(i64 %hi0, i64 %n)
  call void %fn(ptr %bufs, i64 %lo, i64 %hi)
  br label %claim
done:
  ret ptr null
}}

define internal void @dfc_parallel_for(ptr %fn, ptr %bufs, i64 %n, i64 %want) {{
entry:
  %task = alloca %dfc.task
  %counter = alloca i64
  %tids = alloca i64, i64 {MAX_THREADS}
  %oks = alloca i8, i64 {MAX_THREADS}
  %w1 = call i64 @llvm.smin.i64(i64 %want, i64 {MAX_THREADS})
  %w2 = call i64 @llvm.smin.i64(i64 %w1, i64 %n)
  %nt = call i64 @llvm.smax.i64(i64 %w2, i64 1)
  %pieces0 = mul i64 %nt, 4
  %pieces = call i64 @llvm.smin.i64(i64 %pieces0, i64 %n)
  %nm1 = add i64 %n, %pieces
  %nm2 = sub i64 %nm1, 1
  %chunk = sdiv i64 %nm2, %pieces
  store i64 0, ptr %counter
  %f0 = getelementptr %dfc.task, ptr %task, i32 0, i32 0
  store ptr %fn, ptr %f0
  %f1 = getelementptr %dfc.task, ptr %task, i32 0, i32 1
  store ptr %bufs, ptr %f1
  %f2 = getelementptr %dfc.task, ptr %task, i32 0, i32 2
  store i64 %n, ptr %f2
  %f3 = getelementptr %dfc.task, ptr %task, i32 0, i32 3
  store i64 %chunk, ptr %f3
  %f4 = getelementptr %dfc.task, ptr %task, i32 0, i32 4
  store ptr %counter, ptr %f4
  br label %spawn
spawn:
  %t = phi i64 [ 1, %entry ], [ %t1, %make ]
  %more = icmp slt i64 %t, %nt
  br i1 %more, label %make, label %run0
make:
  %tid = getelementptr i64, ptr %tids, i64 %t
  %rc = call i32 @pthread_create(ptr %tid, ptr null, ptr @dfc_thread_main, ptr %task)
  %ok = icmp eq i32 %rc, 0
  %okb = zext i1 %ok to i8
  %okp = getelementptr i8, ptr %oks, i64 %t
  store i8 %okb, ptr %okp
  %t1 = add i64 %t, 1
  br label %spawn
run0:
  %r0 = call ptr @dfc_thread_main(ptr %task)
  br label %join
join:
  %u = phi i64 [ 1, %run0 ], [ %u1, %joined ]
  %jmore = icmp slt i64 %u, %nt
  br i1 %jmore, label %dojoin, label %out
dojoin:
  %okp2 = getelementptr i8, ptr %oks, i64 %u
  %okv = load i8, ptr %okp2
  %started = icmp ne i8 %okv, 0
  br i1 %started, label %wait, label %joined
wait:
  %tidp = getelementptr i64, ptr %tids, i64 %u
  %tidv = load i64, ptr %tidp
  %jr = call i32 @pthread_join(i64 %tidv, ptr null)
  br label %joined
joined:
  %u1 = add i64 %u, 1
  br label %join
out:
  ret void
}}
"""


# ---- lowering of each op ------------------------------------------------------------------------

def lower_op(mb: ModuleBuilder, op: Op) -> None:
    kind = op.type
    plan = mb.plan
    for r in op.results:
        if isinstance(r.type, TensorType) and not r.type.is_static:
            raise CodegenError(f"op {op.describe()} has a result of unknown shape {r.type}: specialize the step first")
    if kind in ALIAS_OPS or kind == "dfc.constant":
        return
    if kind == "dfc.variable":
        if op in plan.snapshot_reads:
            mb.memcpy(mb.value_ptr(op.result), mb.ptr(Storage("variable", plan.variables.index(op.attrs["name"]),
                                                              0, 0)), _nbytes(op.result))
        return
    if kind in ("dfc.assign", "dfc.assign_add", "dfc.assign_sub"):
        lower_assign(mb, op)
        return
    if kind == "dfc.fused":
        if op.attrs.get("kind") == "reduction":
            lower_fused_reduction(mb, op)
        else:
            lower_elementwise(mb, op)
        return
    if kind == "dfc.placeholder":
        mb.static_error(op, f"You must feed a value for placeholder {op.describe()}")
        return
    if kind == "dfc.grad":
        mb.static_error(op, f"op {op.describe()} failed: dfc.grad must be expanded by the autodiff pass before it runs")
        return
    lowering = LOWERINGS.get(kind)
    if lowering is not None:
        lowering(mb, op)
        return
    from dfc.ir.ops import get_op_def
    if get_op_def(kind).elementwise:
        lower_elementwise(mb, op)
        return
    raise CodegenError(f"no CPU lowering for {op.type}")


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
    region_consts = [inner for inner in op.regions[0].ops if inner.type == "dfc.constant"
                     and np.asarray(inner.attrs["value"]).size != 1] if op.type == "dfc.fused" else []
    for inner in region_consts:
        storages.append(mb.global_constant(inner.attrs["value"], inner.result.type.dtype))
    ptrs, which = mb.buffers(storages)
    views = [View(which[k], r.type.dtype, 0, contiguous_strides(out_shape)) for k, r in enumerate(results)]
    views += [View(which[len(results) + k], v.type.dtype, 0, broadcast_strides(v.type.shape, out_shape))
              for k, v in enumerate(operands + [c.result for c in region_consts])]
    dims, views = coalesce(list(out_shape), views)
    name, fn = mb.new_kernel(len(ptrs))
    params = [f"%p{i}" for i in range(len(ptrs))]
    nres = len(results)

    def body(offs: list[str], idxs: list[str]) -> None:
        loaded = [load(fn, elem_ptr(fn, params, v, o), v.dtype) for v, o in zip(views[nres:], offs[nres:])]
        if op.type == "dfc.fused":
            outs = eval_region(mb, fn, op, loaded, region_consts)
        else:
            outs = [scalar(fn, op, loaded, [v.type.dtype for v in operands], mb.needs)]
        for v, o, val in zip(views[:nres], offs[:nres], outs):
            store(fn, val, elem_ptr(fn, params, v, o), v.dtype)

    loop_nest(fn, dims, views, params, body, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, total, dims[0] if dims else 1)


def eval_region(mb: ModuleBuilder, fn: Fn, op: Op, loaded: list[str], region_consts: list[Op]) -> list[str]:
    """The scalar values a fused region yields at the current index (`loaded`: operands, then big constants)."""
    body = op.regions[0]
    env: dict[Value, str] = {arg: v for arg, v in zip(body.arguments, loaded)}
    for inner, v in zip(region_consts, loaded[len(body.arguments):]):
        env[inner.result] = v
    for inner in body.ops[:-1]:
        if inner in region_consts:
            continue
        if inner.type == "dfc.constant":
            value = np.asarray(inner.attrs["value"])
            dt = inner.result.type.dtype
            item = value.reshape(()).item()
            env[inner.result] = lit(COMP[dt], bool(item) if dt.is_bool else typed_value(item, dt))
            continue
        args = [env[v] for v in inner.inputs]
        env[inner.result] = scalar(fn, inner, args, [v.type.dtype for v in inner.inputs], mb.needs)
    return [env[v] for v in body.terminator.inputs]


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
        d = mb.entry(f"getelementptr inbounds i8, ptr {ptrs[which[0]]}, i64 {dst_offset * size}")
        s = mb.entry(f"getelementptr inbounds i8, ptr {ptrs[which[1]]}, i64 {src_offset * size}")
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


def _src(mb: ModuleBuilder, v: Value) -> Storage:
    return mb.plan.where(v)


def lower_transpose(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    perm = op.attrs["perm"]
    s = contiguous_strides(x.type.shape)
    out = op.result.type.shape
    lower_copy(mb, _src(mb, op.result), x.type.dtype, list(out), contiguous_strides(out), 0, _src(mb, x),
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
    lower_copy(mb, _src(mb, op.result), x.type.dtype, list(out), contiguous_strides(out), 0, _src(mb, x), strides,
               offset)


def lower_tile(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    dims, src = [], []
    for d, m, s in zip(x.type.shape, op.attrs["multiples"], contiguous_strides(x.type.shape)):
        dims += [m, d]
        src += [0, s]
    lower_copy(mb, _src(mb, op.result), x.type.dtype, dims, contiguous_strides(tuple(dims)), 0, _src(mb, x), src, 0)


def lower_broadcast_like(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    out = op.result.type.shape
    lower_copy(mb, _src(mb, op.result), x.type.dtype, list(out), contiguous_strides(out), 0, _src(mb, x),
               broadcast_strides(x.type.shape, out), 0)


def lower_concat(mb: ModuleBuilder, op: Op) -> None:
    out = op.result.type.shape
    axis = op.attrs["axis"] % len(out)
    os = contiguous_strides(out)
    at = 0
    for x in op.inputs:
        shape = x.type.shape
        lower_copy(mb, _src(mb, op.result), x.type.dtype, list(shape), os, at * os[axis], _src(mb, x),
                   contiguous_strides(shape), 0)
        at += shape[axis]


def lower_split(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    axis = op.attrs["axis"] % x.type.rank
    xs = contiguous_strides(x.type.shape)
    at = 0
    for r in op.results:
        shape = r.type.shape
        lower_copy(mb, _src(mb, r), x.type.dtype, list(shape), contiguous_strides(shape), 0, _src(mb, x), xs,
                   at * xs[axis])
        at += shape[axis]


def lower_fill(mb: ModuleBuilder, op: Op, values: list) -> None:
    """Store literal values: one value broadcast, or one per element (shape_of)."""
    r = op.result
    dt = r.type.dtype
    n = r.type.num_elements
    if n == 0:
        return
    ptrs, which = mb.buffers([_src(mb, r)])
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
    ptrs, which = mb.buffers([_src(mb, op.result), _src(mb, idx)])
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


def lower_gather(mb: ModuleBuilder, op: Op) -> None:
    params_v, idx = op.inputs
    axis = op.attrs["axis"] % params_v.type.rank
    pshape = params_v.type.shape
    n = pshape[axis]
    pre = int(np.prod(pshape[:axis], dtype=np.int64))
    post = int(np.prod(pshape[axis + 1:], dtype=np.int64))
    nidx = int(np.prod(idx.type.shape, dtype=np.int64))
    dt = params_v.type.dtype
    code = mb.error_code(ErrorSite(op, "gather_index", f"[0, {n})"))
    ptrs, which = mb.buffers([_src(mb, op.result), _src(mb, params_v), _src(mb, idx), mb.params_ptr()])
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


# -- reductions

_REDUCE_INIT = {"reduce_sum": 0, "reduce_mean": 0, "reduce_prod": 1, "reduce_any": False, "reduce_all": True}


def _reduce_init(kind: str, dt: D.DType, ty: str) -> str:
    if kind in _REDUCE_INIT:
        return lit(ty, _REDUCE_INIT[kind])
    if dt.is_floating:
        return lit(ty, -math.inf if kind == "reduce_max" else math.inf)
    info = np.iinfo(dt.np)
    return lit(ty, info.min if kind == "reduce_max" else info.max)


def _combine(fn: Fn, kind: str, ty: str, acc: str, x: str, fl: bool) -> str:
    if kind in ("reduce_sum", "reduce_mean"):
        return fn(f"fadd reassoc {ty} {acc}, {x}") if fl else fn(f"add {ty} {acc}, {x}")
    if kind == "reduce_prod":
        return fn(f"fmul reassoc {ty} {acc}, {x}") if fl else fn(f"mul {ty} {acc}, {x}")
    if kind in ("reduce_max", "reduce_min"):
        name = kind[7:] + "imum"
        if fl:
            return fn(f"call {ty} @llvm.{name}.{fsuffix(ty)}({ty} {acc}, {ty} {x})")
        return fn(f"call {ty} @llvm.s{kind[7:]}.i{BITS[ty]}({ty} {acc}, {ty} {x})")
    if kind == "reduce_any":
        return fn(f"or i1 {acc}, {x}")
    return fn(f"and i1 {acc}, {x}")


def _finalize(fn: Fn, kind: str, ty: str, acc: str, count: int, fl: bool) -> str:
    if kind != "reduce_mean":
        return acc
    if fl:
        return fn(f"fdiv {ty} {acc}, {lit(ty, count)}")
    if count == 0:
        return acc
    # the reference: sign(total) * (|total| // count), wrapping
    a = fn(f"call {ty} @llvm.abs.i{BITS[ty]}({ty} {acc}, i1 false)")
    c = int_wrap(count, BITS[ty])
    if c in (0, -1):
        raise CodegenError(f"reduce_mean over {count} elements does not fit {ty}")
    q = int_floordiv(fn, ty, a, str(c))
    pos = fn(f"icmp sgt {ty} {acc}, 0")
    neg = fn(f"icmp slt {ty} {acc}, 0")
    sg = fn(f"select i1 {neg}, {ty} -1, {ty} 0")
    sg = fn(f"select i1 {pos}, {ty} 1, {ty} {sg}")
    return fn(f"mul {ty} {q}, {sg}")


def _split_dims(shape, axes) -> tuple[list[int], list[int]]:
    kept = [d for d in range(len(shape)) if d not in axes]
    return kept, list(axes)


def lower_reduce(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    reduce_kernel(mb, op, op.result, [(_src(mb, x), x.type.shape, x.type.dtype)], lambda fn, loaded: loaded[0])


def lower_fused_reduction(mb: ModuleBuilder, op: Op) -> None:
    """A fused "reduction": its elementwise producers are evaluated inside the reduction's loop."""
    body = op.regions[0]
    red = body.ops[-2]
    consts = [inner for inner in body.ops if inner.type == "dfc.constant"
              and np.asarray(inner.attrs["value"]).size != 1]
    sources = [(mb.plan.where(v), v.type.shape, v.type.dtype) for v in op.inputs]
    sources += [(mb.global_constant(c.attrs["value"], c.result.type.dtype), c.result.type.shape, c.result.type.dtype)
                for c in consts]

    def value(fn: Fn, loaded: list[str]) -> str:
        env: dict[Value, str] = dict(zip(body.arguments + [c.result for c in consts], loaded))
        for inner in body.ops[:-2]:
            if inner in consts:
                continue
            if inner.type == "dfc.constant":
                dt = inner.result.type.dtype
                item = np.asarray(inner.attrs["value"]).reshape(()).item()
                env[inner.result] = lit(COMP[dt], bool(item) if dt.is_bool else typed_value(item, dt))
                continue
            env[inner.result] = scalar(fn, inner, [env[v] for v in inner.inputs],
                                       [v.type.dtype for v in inner.inputs], mb.needs)
        return env[red.inputs[0]]

    reduce_kernel(mb, red, op.results[0], sources, value)


def reduce_kernel(mb: ModuleBuilder, op: Op, result: Value, sources: list[tuple[Storage | str, tuple, D.DType]],
                  value: Callable[[Fn, list[str]], str]) -> None:
    """Reduce `value(loaded sources)` over op's axes: kept dims outside (split across threads), reduced inside.

    Each source is read broadcast to the reduction input's shape, so a fused region's
    operands feed the loop directly.
    """
    x = op.inputs[0]
    kind = op.short_type
    dt = x.type.dtype
    ty = COMP[dt]
    fl = dt.is_floating
    shape = x.type.shape
    axes = normalized_axes(op.attrs["axes"], len(shape))
    kept, red = _split_dims(shape, axes)
    count = int(np.prod([shape[a] for a in red], dtype=np.int64))
    if result.type.num_elements == 0:
        return
    ptrs, which = mb.buffers([mb.plan.where(result)] + [src for src, _, _ in sources])
    params = [f"%p{i}" for i in range(len(ptrs))]
    name, fn = mb.new_kernel(len(ptrs))
    src_strides = [broadcast_strides(s, shape) for _, s, _ in sources]
    src_dtypes = [d for _, _, d in sources]
    ostr = contiguous_strides(tuple(shape[d] for d in kept))
    kdims, kviews = coalesce([shape[d] for d in kept], [View(which[0], result.type.dtype, 0, ostr)] + [
        View(which[1 + k], src_dtypes[k], 0, [st[d] for d in kept]) for k, st in enumerate(src_strides)])
    rdims, rviews = coalesce([shape[d] for d in red], [
        View(which[1 + k], src_dtypes[k], 0, [st[d] for d in red]) for k, st in enumerate(src_strides)])
    if not kdims:
        kdims = [1]
        kviews = [View(v.param, v.dtype, v.offset, [0]) for v in kviews]

    def outer(offs, idxs):
        acc = fn.alloca(ty)
        fn.emit(f"store {ty} {_reduce_init(kind, dt, ty)}, ptr {acc}")

        def inner(roffs, ridxs):
            loaded = []
            for k, v in enumerate(rviews):
                off = fn(f"add i64 {offs[1 + k]}, {roffs[k]}")
                loaded.append(load(fn, elem_ptr(fn, params, v, off), v.dtype))
            x_value = value(fn, loaded)
            a = fn(f"load {ty}, ptr {acc}")
            fn.emit(f"store {ty} {_combine(fn, kind, ty, a, x_value, fl)}, ptr {acc}")

        loop_nest(fn, rdims, [View(v.param, v.dtype, 0, v.strides) for v in rviews], params, inner)
        a = fn(f"load {ty}, ptr {acc}")
        res = round_to(fn, _finalize(fn, kind, ty, a, count, fl), dt)
        store(fn, res, elem_ptr(fn, params, kviews[0], offs[0]), dt)

    loop_nest(fn, kdims, kviews, params, outer, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, int(np.prod(shape, dtype=np.int64)), kdims[0])


def lower_arg(mb: ModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    dt = x.type.dtype
    ty = COMP[dt]
    shape = x.type.shape
    axis = op.attrs["axis"] % len(shape)
    if shape[axis] == 0:
        mb.static_error(op, f"op {op.describe()} failed: cannot take {op.short_type} over an empty axis "
                            f"{op.attrs['axis']}")
        return
    out_dt = op.result.type.dtype
    out_n = op.result.type.num_elements
    if out_n == 0:
        return
    kept = [d for d in range(len(shape)) if d != axis]
    xs = contiguous_strides(shape)
    ptrs, which = mb.buffers([_src(mb, op.result), _src(mb, x)])
    params = [f"%p{i}" for i in range(len(ptrs))]
    name, fn = mb.new_kernel(len(ptrs))
    kdims, kviews = coalesce([shape[d] for d in kept], [View(which[0], out_dt, 0, contiguous_strides(
        tuple(shape[d] for d in kept))), View(which[1], dt, 0, [xs[d] for d in kept])])
    if not kdims:
        kdims = [1]
        kviews = [View(v.param, v.dtype, v.offset, [0]) for v in kviews]
    fl = dt.is_floating
    better = ("ogt", "sgt") if op.short_type == "argmax" else ("olt", "slt")

    def outer(offs, idxs):
        best = fn.alloca(ty)
        bi = fn.alloca("i64")
        base = View(which[1], dt, 0, [xs[axis]])
        first = load(fn, elem_ptr(fn, params, base, offs[1]), dt)
        fn.emit(f"store {ty} {first}, ptr {best}")
        fn.emit(f"store i64 0, ptr {bi}")

        def inner(roffs, ridxs):
            off = fn(f"add i64 {offs[1]}, {roffs[0]}")
            v = load(fn, elem_ptr(fn, params, View(which[1], dt, 0, []), off), dt)
            b = fn(f"load {ty}, ptr {best}")
            if fl:
                gt = fn(f"fcmp {better[0]} {ty} {v}, {b}")
                vn = fn(f"fcmp uno {ty} {v}, {v}")
                bn = fn(f"fcmp uno {ty} {b}, {b}")
                bok = fn(f"xor i1 {bn}, true")
                newnan = fn(f"and i1 {vn}, {bok}")
                gt = fn(f"and i1 {gt}, {bok}")
                take = fn(f"or i1 {gt}, {newnan}")
            else:
                take = fn(f"icmp {better[1]} {ty} {v}, {b}")
            nb = fn(f"select i1 {take}, {ty} {v}, {ty} {b}")
            fn.emit(f"store {ty} {nb}, ptr {best}")
            oi = fn(f"load i64, ptr {bi}")
            ni = fn(f"select i1 {take}, i64 {ridxs[0]}, i64 {oi}")
            fn.emit(f"store i64 {ni}, ptr {bi}")

        loop_nest(fn, [shape[axis]], [base], params, inner)
        res = fn(f"load i64, ptr {bi}")
        if out_dt is D.i32:
            res = fn(f"trunc i64 {res} to i32")
        store(fn, res, elem_ptr(fn, params, kviews[0], offs[0]), out_dt)

    loop_nest(fn, kdims, kviews, params, outer, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, int(np.prod(shape, dtype=np.int64)), kdims[0])


def lower_softmax(mb: ModuleBuilder, op: Op) -> None:
    """Per row along `axis`: max, sum of exp(x - max) (stored), then scale (or log form)."""
    x = op.inputs[0]
    dt = x.type.dtype
    ty = COMP[dt]
    shape = x.type.shape
    total = int(np.prod(shape, dtype=np.int64))
    axis = op.attrs["axis"] % len(shape)
    if shape[axis] == 0:  # numpy's max over an empty axis fails; the reference says so
        mb.static_error(op, f"op {op.describe()} failed: zero-size array to reduction operation maximum which "
                            f"has no identity")
        return
    if total == 0:
        return
    log_form = op.short_type == "log_softmax"
    xs = contiguous_strides(shape)
    kept = [d for d in range(len(shape)) if d != axis]
    ptrs, which = mb.buffers([_src(mb, op.result), _src(mb, x)])
    params = [f"%p{i}" for i in range(len(ptrs))]
    name, fn = mb.new_kernel(len(ptrs))
    kdims, kviews = coalesce([shape[d] for d in kept], [View(which[0], dt, 0, [xs[d] for d in kept]),
                                                         View(which[1], dt, 0, [xs[d] for d in kept])])
    if not kdims:
        kdims = [1]
        kviews = [View(v.param, v.dtype, v.offset, [0]) for v in kviews]
    n = shape[axis]
    sfx = fsuffix(ty)

    def row(offs, idxs):
        mx = fn.alloca(ty)
        sm = fn.alloca(ty)
        fn.emit(f"store {ty} {lit(ty, -math.inf)}, ptr {mx}")
        fn.emit(f"store {ty} {lit(ty, 0)}, ptr {sm}")
        rv = [View(which[0], dt, 0, [xs[axis]]), View(which[1], dt, 0, [xs[axis]])]

        def at(k, o):
            return fn(f"add i64 {offs[k]}, {o}")

        def pass_max(ro, ri):
            v = load(fn, elem_ptr(fn, params, rv[1], at(1, ro[1])), dt)
            m = fn(f"load {ty}, ptr {mx}")
            fn.emit(f"store {ty} {fn(f'call {ty} @llvm.maximum.{sfx}({ty} {m}, {ty} {v})')}, ptr {mx}")

        loop_nest(fn, [n], rv, params, pass_max)
        m = fn(f"load {ty}, ptr {mx}")

        def pass_sum(ro, ri):
            v = load(fn, elem_ptr(fn, params, rv[1], at(1, ro[1])), dt)
            s = round_to(fn, fn(f"fsub {ty} {v}, {m}"), dt)
            e = round_to(fn, math_call(fn, "exp", s, ty, mb.needs), dt)
            if not log_form:
                store(fn, e, elem_ptr(fn, params, rv[0], at(0, ro[0])), dt)
            acc = fn(f"load {ty}, ptr {sm}")
            fn.emit(f"store {ty} {fn(f'fadd reassoc {ty} {acc}, {e}')}, ptr {sm}")

        loop_nest(fn, [n], rv, params, pass_sum)
        total_ = round_to(fn, fn(f"load {ty}, ptr {sm}"), dt)
        if log_form:
            lg = round_to(fn, math_call(fn, "log", total_, ty, mb.needs), dt)

        def pass_out(ro, ri):
            if log_form:
                v = load(fn, elem_ptr(fn, params, rv[1], at(1, ro[1])), dt)
                s = round_to(fn, fn(f"fsub {ty} {v}, {m}"), dt)
                r = fn(f"fsub {ty} {s}, {lg}")
            else:
                e = load(fn, elem_ptr(fn, params, rv[0], at(0, ro[0])), dt)
                r = fn(f"fdiv {ty} {e}, {total_}")
            store(fn, round_to(fn, r, dt), elem_ptr(fn, params, rv[0], at(0, ro[0])), dt)

        loop_nest(fn, [n], rv, params, pass_out)

    loop_nest(fn, kdims, kviews, params, row, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, total, kdims[0])


# -- matmul

def lower_matmul(mb: ModuleBuilder, op: Op) -> None:
    a, b = op.inputs
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    dt = op.result.type.dtype
    out = op.result.type.shape
    m, n = out[-2], out[-1]
    k = a.type.shape[-2] if ta else a.type.shape[-1]
    batch = out[:-2]
    nbatch = int(np.prod(batch, dtype=np.int64))
    if m * n * nbatch == 0:
        return
    a_bs = broadcast_strides(a.type.shape[:-2], batch) if batch else []
    b_bs = broadcast_strides(b.type.shape[:-2], batch) if batch else []
    a_bs = [s * a.type.shape[-1] * a.type.shape[-2] for s in a_bs]
    b_bs = [s * b.type.shape[-1] * b.type.shape[-2] for s in b_bs]
    c_bs = [s * m * n for s in contiguous_strides(batch)]
    ptrs, which = mb.buffers([_src(mb, op.result), _src(mb, a), _src(mb, b)])
    params = [f"%p{i}" for i in range(len(ptrs))]
    name, fn = mb.new_kernel(len(ptrs))
    views = [View(which[0], dt, 0, c_bs), View(which[1], dt, 0, a_bs), View(which[2], dt, 0, b_bs)]
    bdims = list(batch) or [1]
    if not batch:
        views = [View(v.param, v.dtype, 0, [0]) for v in views]
    lda = a.type.shape[-1]
    ldb = b.type.shape[-1]
    blas = {D.f32: "sgemm", D.f64: "dgemm"}.get(dt)

    if blas is not None:
        mb.blas.add(blas)
        ty = COMP[dt]
        cells = {}
        for key, val in (("ta", ord("T") if tb else ord("N")), ("tb", ord("T") if ta else ord("N"))):
            cells[key] = fn.alloca("i8")
            fn.emit(f"store i8 {val}, ptr {cells[key]}")
        for key, val in (("m", n), ("n", m), ("k", k), ("lda", max(ldb, 1)), ("ldb", max(lda, 1)),
                         ("ldc", max(n, 1))):
            cells[key] = fn.alloca(mb.blas_int)
            fn.emit(f"store {mb.blas_int} {val}, ptr {cells[key]}")
        for key, val in (("alpha", 1.0), ("beta", 0.0)):
            cells[key] = fn.alloca(ty)
            fn.emit(f"store {ty} {lit(ty, val)}, ptr {cells[key]}")

        def body(offs, idxs):
            pc = elem_ptr(fn, params, views[0], offs[0])
            pa = elem_ptr(fn, params, views[1], offs[1])
            pb = elem_ptr(fn, params, views[2], offs[2])
            # row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T
            c = cells
            fn.emit(f"call void @dfc_{blas}(ptr {c['ta']}, ptr {c['tb']}, ptr {c['m']}, ptr {c['n']}, ptr {c['k']}, "
                    f"ptr {c['alpha']}, ptr {pb}, ptr {c['lda']}, ptr {pa}, ptr {c['ldb']}, ptr {c['beta']}, "
                    f"ptr {pc}, ptr {c['ldc']})")

        loop_nest(fn, bdims, views, params, body, "%lo", "%hi")
    else:
        ty = "float" if dt in (D.f16, D.bf16) else COMP[dt]
        fl = dt.is_floating
        a_mk = (1, lda) if ta else (lda, 1)   # strides of A[i, kk]
        b_kn = (1, ldb) if tb else (ldb, 1)   # strides of B[kk, j]

        def body(offs, idxs):
            def cell(co, ci):
                i, j = ci
                acc = fn.alloca(ty)
                fn.emit(f"store {ty} {lit(ty, 0)}, ptr {acc}")
                ai = fn(f"mul i64 {i}, {a_mk[0]}")
                ai = fn(f"add i64 {offs[1]}, {ai}")
                bj = fn(f"mul i64 {j}, {b_kn[1]}")
                bj = fn(f"add i64 {offs[2]}, {bj}")
                kv = [View(which[1], dt, 0, [a_mk[1]]), View(which[2], dt, 0, [b_kn[0]])]

                def kk(ko, ki):
                    pa = elem_ptr(fn, params, View(which[1], dt, 0, []), fn(f"add i64 {ai}, {ko[0]}"))
                    pb = elem_ptr(fn, params, View(which[2], dt, 0, []), fn(f"add i64 {bj}, {ko[1]}"))
                    va, vb = load(fn, pa, dt), load(fn, pb, dt)
                    s = fn(f"load {ty}, ptr {acc}")
                    p = fn(f"fmul {ty} {va}, {vb}") if fl else fn(f"mul {ty} {va}, {vb}")
                    s = fn(f"fadd {ty} {s}, {p}") if fl else fn(f"add {ty} {s}, {p}")
                    fn.emit(f"store {ty} {s}, ptr {acc}")

                loop_nest(fn, [k], kv, params, kk)
                s = fn(f"load {ty}, ptr {acc}")
                pc = elem_ptr(fn, params, View(which[0], dt, 0, []), fn(f"add i64 {offs[0]}, {co[0]}"))
                store(fn, round_to(fn, s, dt), pc, dt)

            loop_nest(fn, [m, n], [View(which[0], dt, 0, [n, 1])], params, cell)

        loop_nest(fn, bdims, views, params, body, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, 0, bdims[0])


# -- random

def _fmix(fn: Fn, h: str) -> str:
    for shift, mul in ((16, 0x85EBCA6B), (13, 0xC2B2AE35), (16, None)):
        s = fn(f"lshr i32 {h}, {shift}")
        h = fn(f"xor i32 {h}, {s}")
        if mul is not None:
            h = fn(f"mul i32 {h}, {int_wrap(mul, 32)}")
    return h


def lower_random(mb: ModuleBuilder, op: Op) -> None:
    r = op.result
    dt = r.type.dtype
    n = r.type.num_elements
    mb.random_ops.append(op)
    if n == 0:
        return
    slot = PARAM_RANDOM + len(mb.random_ops) - 1
    kind = op.short_type
    seed, seed2 = op.attrs["seed"] & 0xFFFFFFFF, op.attrs["seed2"] & 0xFFFFFFFF
    ptrs, which = mb.buffers([_src(mb, r), mb.params_ptr()])
    params = [f"%p{i}" for i in range(len(ptrs))]
    name, fn = mb.new_kernel(len(ptrs))
    golden = int_wrap(0x9E3779B9, 32)
    sp = fn(f"getelementptr inbounds i64, ptr {params[which[1]]}, i64 {slot}")
    step = fn(f"load i64, ptr {sp}")
    step32 = fn(f"trunc i64 {step} to i32")
    # key = fmix(seed ^ fmix(seed2 + golden)); per stream: fmix(key ^ (step*C1 + stream*C2))
    s2 = fn(f"add i32 {int_wrap(seed2, 32)}, {golden}")
    s2 = _fmix(fn, s2)
    key = fn(f"xor i32 {int_wrap(seed, 32)}, {s2}")
    key = _fmix(fn, key)
    sm = fn(f"mul i32 {step32}, {int_wrap(0x27D4EB2F, 32)}")
    nstreams = {"random_uniform": 1, "random_normal": 2, "truncated_normal": 2 * TRUNCATED_TRIES}[kind]
    keys = []
    for s in range(nstreams):
        t = fn(f"add i32 {sm}, {int_wrap(s * 0x165667B1, 32)}")
        t = fn(f"xor i32 {key}, {t}")
        keys.append(_fmix(fn, t))
    out = View(which[0], dt, 0, [1])

    def uniform(i32idx, key_):
        h = fn(f"mul i32 {i32idx}, {golden}")
        h = fn(f"xor i32 {h}, {key_}")
        h = _fmix(fn, h)
        h = fn(f"lshr i32 {h}, 8")
        d = fn(f"uitofp i32 {h} to double")
        return fn(f"fmul double {d}, {lit_f64(1.0 / (1 << 24))}")

    def normal(i32idx, stream):
        u1 = uniform(i32idx, keys[2 * stream])
        u1 = fn(f"fsub double {lit_f64(1.0)}, {u1}")
        u2 = uniform(i32idx, keys[2 * stream + 1])
        lg = fn(f"call double @llvm.log.f64(double {u1})")
        lg = fn(f"fmul double {lg}, {lit_f64(-2.0)}")
        sq = fn(f"call double @llvm.sqrt.f64(double {lg})")
        ang = fn(f"fmul double {u2}, {lit_f64(2.0 * math.pi)}")
        c = fn(f"call double @llvm.cos.f64(double {ang})")
        return fn(f"fmul double {sq}, {c}")

    def body(offs, idxs):
        i32idx = fn(f"trunc i64 {idxs[0]} to i32")
        if kind == "random_uniform":
            val = uniform(i32idx, keys[0])
        elif kind == "random_normal":
            val = normal(i32idx, 0)
        else:
            res = fn.alloca("double")
            fn.emit(f"store double {lit_f64(0.0)}, ptr {res}")
            done = fn.label("tn_done")
            for attempt in range(TRUNCATED_TRIES):
                z = normal(i32idx, attempt)
                az = fn(f"call double @llvm.fabs.f64(double {z})")
                ok = fn(f"fcmp olt double {az}, {lit_f64(2.0)}")
                take, nxt = fn.label("tn_take"), fn.label("tn_next")
                fn.emit(f"br i1 {ok}, label %{take}, label %{nxt}")
                fn.block(take)
                fn.emit(f"store double {z}, ptr {res}")
                fn.emit(f"br label %{done}")
                fn.block(nxt)
            fn.emit(f"br label %{done}")
            fn.block(done)
            val = fn(f"load double, ptr {res}")
        store(fn, convert(fn, val, D.f64, dt), elem_ptr(fn, params, out, offs[0]), dt)

    loop_nest(fn, [n], [out], params, body, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, n * (8 if kind != "random_uniform" else 1), n)


# -- state

def lower_assign(mb: ModuleBuilder, op: Op) -> None:
    plan = mb.plan
    name = op.attrs["variable"]
    var = Storage("variable", plan.variables.index(name), 0, 0)
    value = op.inputs[0]
    if op.type == "dfc.assign":
        vs = plan.where(value)
        if (vs.slot, vs.index, vs.offset) != (var.slot, var.index, var.offset):
            mb.memcpy(mb.ptr(var), mb.ptr(vs), _nbytes(value))
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
        mb.memcpy(mb.ptr(rs), mb.ptr(var), _nbytes(op.result))


LOWERINGS: dict[str, Callable[[ModuleBuilder, Op], None]] = {
    "dfc.transpose": lower_transpose, "dfc.slice": lower_slice, "dfc.tile": lower_tile,
    "dfc.broadcast_like": lower_broadcast_like, "dfc.concat": lower_concat, "dfc.split": lower_split,
    "dfc.fill_like": lower_fill_like, "dfc.shape_of": lower_shape_of, "dfc.one_hot": lower_one_hot,
    "dfc.gather": lower_gather, "dfc.matmul": lower_matmul, "dfc.argmax": lower_arg, "dfc.argmin": lower_arg,
    "dfc.softmax": lower_softmax, "dfc.log_softmax": lower_softmax,
    "dfc.random_uniform": lower_random, "dfc.random_normal": lower_random, "dfc.truncated_normal": lower_random,
    **{f"dfc.reduce_{k}": lower_reduce for k in ("sum", "mean", "max", "min", "prod", "any", "all")},
}


# ---- entry points ---------------------------------------------------------------------------------

def lower(step: Graph, plan: Plan | None = None, blas_int_bits: int = 32) -> Lowered:
    """The LLVM module of a specialized step graph (planned here unless a plan is given).

    `blas_int_bits` is the integer width of the BLAS the runtime binds to dfc_sgemm/dfc_dgemm.
    """
    plan = plan or getattr(step, "plan", None) or plan_step(step)
    mb = ModuleBuilder(plan)
    mb.blas_int = f"i{blas_int_bits}"
    text = mb.build().replace("{TRIPLE}", _triple())
    return Lowered(text, plan, mb.errors, mb.random_ops, mb.blas)


def _triple() -> str:
    return llvm.get_process_triple()


_TM = None


def target_machine():
    """The host's target machine (CPU name and features), made once."""
    global _TM
    if _TM is None:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_default_triple()
        _TM = target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                           features=llvm.get_host_cpu_features().flatten(), opt=3,
                                           reloc="pic", codemodel="default")
    return _TM


def target_id() -> str:
    """What object code depends on besides the module: triple, CPU, features and llvmlite version."""
    return "|".join([llvm.get_process_triple(), llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten(),
                     llvmlite.__version__])


def optimize(text: str):
    """Parse and optimize (O3, vectorizers on) a module's text; returns the llvmlite ModuleRef."""
    tm = target_machine()
    mod = llvm.parse_assembly(text)
    mod.verify()
    pto = llvm.create_pipeline_tuning_options(speed_level=3)
    pto.loop_vectorization = True
    pto.slp_vectorization = True
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)
    return mod


def emit_llvm(step_graph: Graph) -> str:
    """The LLVM IR text of a specialized step graph (before optimization)."""
    return lower(step_graph).text


def emit_asm(step_graph: Graph) -> str:
    """The host assembly of a specialized step graph (optimized at O3)."""
    return target_machine().emit_assembly(optimize(emit_llvm(step_graph)))


def compile_object(text: str) -> bytes:
    """Object code for a module's text (what the disk cache stores)."""
    return target_machine().emit_object(optimize(text))


__all__ = ["CodegenError", "Lowered", "compile_object", "emit_asm", "emit_llvm", "lower", "optimize",
           "target_id", "target_machine"]
