"""The GPU code generator: a planned step graph becomes PTX kernels and a host launch program.

Kernels come from the same lowerings as the CPU's (compiler/codegen/*.py), through a
ModuleBuilder whose "entry function" is not code but a list of host steps (GpuProgram):
kernel launches, device-to-device copies, cuBLAS GEMMs and static errors, which the GPU
runtime (runtime/gpu.py) replays. Pointers in that program are symbolic buffers
(`slot:index:offset`, see DevicePointer) the runtime resolves to device addresses.

  - elementwise ops and fused elementwise regions: one grid-stride kernel per region whose
    per-element code is scalar.py's, the CPU's (gpu_elementwise.py);
  - reductions: one block per output element, warp shuffles and shared memory (gpu_reduce.py);
  - matmul: a cuBLAS GEMM planned on the host; a fused epilogue is a kernel of ours that
    reads the GEMM's result;
  - convolutions and pooling: direct kernels, a thread per output element (gpu_nn.py);
  - gather and unsorted_segment_sum: grid-stride kernels, atomic adds for the sums, bad indices
    reported through the error word as on the CPU (gpu_sparse.py);
  - every other loop kernel of the CPU (shape ops, random ops, softmax, arg ops ...) keeps its
    body, `(buffers, lo, hi)`, inlined into a grid-stride loop over its outer dimension;
    assert and check_numerics: grid-stride checks, errors worded as the CPU's (gpu_checks.py).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Graph, Op
from dfc.ir.ops import get_op_def
from dfc.ir.ops.linalg import HOST_OPS
from dfc.ir.types import TensorType

from ..control_flow import CONTROL_OPS, ControlMark
from ..plan import NO_CODE_OPS, Plan, Storage, fused_matmul, plan_step
from ..target import NvptxTarget, nvptx_target
from .cpu import LOWERINGS as CPU_LOWERINGS
from .module import (ErrorSite, KernelUnit, ModuleBuilder, _declarations_for, _declared_name, _KernelScope,
                     _need_symbol, nbytes)
from .scalar import CodegenError, Fn

#: threads per block of the grid-stride kernels (the runtime launches this many)
BLOCK = 256

#: the CPU lowerings the GPU reuses as grid-stride kernels; matmul (cuBLAS) and those calling BLAS are not here
_REUSED = {k: v for k, v in CPU_LOWERINGS.items() if k not in ("dfc.matmul",) and not k.startswith("dfc.conv")
           and "pool" not in k and k not in HOST_OPS}  # LAPACK's ops call the host: placed on the CPU


# ---- the host program --------------------------------------------------------------------------

@dataclass(frozen=True)
class Launch:
    """Launch kernel `symbol` over `n` items (grid-stride; `single`: one thread) with these buffer arguments."""

    symbol: str
    args: tuple[str, ...]
    n: int
    single: bool = False
    blocks: bool = False  # n counts blocks of BLOCK threads (one per output element), not threads
    count_arg: bool = False  # the kernel takes n as its last (i64) argument: a CPU body in a grid-stride loop
    error_code: bool = False  # the last argument is the error word the kernel sets


@dataclass(frozen=True)
class Copy:
    dst: str
    src: str
    nbytes: int


@dataclass(frozen=True)
class GemmCall:
    """C = op(A) @ op(B) per batch matrix (row-major), through cuBLAS: offsets in elements per batch matrix."""

    dtype: str
    m: int
    n: int
    k: int
    ta: bool
    tb: bool
    lda: int
    ldb: int
    a: str
    b: str
    c: str
    offsets: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class StaticError:
    code: int


@dataclass(frozen=True)
class HostPrint:
    """Wait for the device, read the `data` tensors back and print them as tf.Print's entry `key` of
    debug.HOST_PRINTS says (the CPU's dfc_host_print, runtime/host_calls.py)."""

    key: int
    data: tuple[str, ...]


@dataclass(frozen=True)
class Branch:
    """Wait for the device, read the byte at `flag`: when it is 0, continue at step `target` (dfc.if, dfc.while)."""

    flag: str
    target: int


@dataclass(frozen=True)
class Jump:
    """Continue at step `target` (the end of a taken branch, a loop's way back to its test)."""

    target: int


@dataclass
class GpuProgram:
    """A step lowered for the GPU: kernel modules (LLVM text), host steps and what the runtime allocates."""

    kernels: list[KernelUnit]
    steps: list
    plan: Plan
    errors: list[ErrorSite]
    random_ops: list[Op]
    constants: dict[str, bytes] = field(default_factory=dict)  # const:N buffers' bytes
    scratch: list[int] = field(default_factory=list)  # scratch:N buffers' sizes in bytes
    target: NvptxTarget | None = None

    @property
    def text(self) -> str:
        """Every kernel module's LLVM text, each after a `; ---- module NAME` line, then the host program."""
        parts = [f"; ---- module {k.symbol}\n{k.text}" for k in self.kernels]
        parts.append("; ---- host program\n" + "\n".join(f"; {s}" for s in self.steps))
        return "\n".join(parts)

    def ptx(self, objects: Callable[[NvptxTarget, list[tuple[str, str, int]]], list[bytes]] | None = None
            ) -> dict[str, str]:
        """PTX of every kernel, by symbol; `objects(target, units)` (the runtime's kernel cache) finds or
        compiles each module's, else LLVM emits them here."""
        target = self.target or nvptx_target()
        if objects is None:
            return {k.symbol: target.emit_assembly(k.text) for k in self.kernels}
        compiled = objects(target, [(k.symbol, k.text, 3) for k in self.kernels])
        return {k.symbol: ptx.decode() for k, ptx in zip(self.kernels, compiled)}


def parse_pointer(token: str) -> tuple[str, int, int]:
    """(slot, index, byte offset) of a DevicePointer token."""
    slot, index, offset = token.split(":")
    return slot, int(index), int(offset)


def _token(slot: str, index: int, offset: int) -> str:
    return f"{slot}:{index}:{offset}"


# ---- the builder -------------------------------------------------------------------------------

class GpuModuleBuilder(ModuleBuilder):
    """ModuleBuilder for NVPTX: kernels get grid-stride wrappers, the entry becomes host steps."""

    def __init__(self, plan: Plan, target: NvptxTarget):
        super().__init__(plan, target)
        self.steps: list = []
        self.constants: dict[str, bytes] = {}
        self.scratch: list[int] = []
        self.blas_int = "i32"
        self.blas_threads = False

    # -- pointers are tokens the runtime resolves
    def ptr(self, st: Storage) -> str:
        if st.slot == "arena":
            return _token("arena", 0, st.offset)
        return _token(st.slot, st.index, st.offset)

    def params_ptr(self) -> str:
        return _token("params", 0, 0)

    def offset_ptr(self, ptr: str, nbytes: int) -> str:
        slot, index, offset = parse_pointer(ptr)
        return _token(slot, index, offset + nbytes)

    def global_constant(self, value, dt: D.DType) -> str:
        name = _token("const", len(self.constants), 0)
        self.constants[name] = np.ascontiguousarray(value, dtype=dt.np).tobytes()
        return name

    def scratch_buffer(self, size: int) -> str:
        self.scratch.append(size)
        return _token("scratch", len(self.scratch) - 1, 0)

    def memcpy(self, dst: str, src: str, n: int) -> None:
        if n:
            self.steps.append(Copy(dst, src, n))

    def static_error(self, op: Op, message: str) -> None:
        self.steps.append(StaticError(self.error_code(ErrorSite(op, "static", message))))

    # -- kernels
    def new_kernel(self, nparams: int, returns_code: bool = False, chunked: bool = True) -> tuple[str, Fn]:
        name, fn = super().new_kernel(nparams, returns_code, chunked)
        fn.header = fn.header.replace("define ", "define internal ", 1).replace(" #0", "") + " #1"
        self._open.chunked = chunked  # type: ignore[union-attr]
        self._open.nparams = nparams  # type: ignore[union-attr]
        return name, fn

    def finish_kernel(self, fn: Fn, returns_code: bool = False) -> None:
        scope: _KernelScope = self._open  # type: ignore[assignment]
        self._open = None
        fn.emit("ret i32 0" if returns_code else "ret void")
        code = "\n".join(scope.functions + [fn.text()]).replace(f"{scope.name}_", "@dfc_kernel_")
        code = code.replace("@dfc_kernel(", "@dfc_body(")
        if scope.blas or "parallel" in scope.needs:
            raise CodegenError("this kernel calls BLAS or the CPU thread pool, which the GPU does not have")
        declared = [g for g in self.part.globals + scope.globals if g.startswith("declare ")
                    and _declared_name(g) in code]
        needs = scope.needs | {n for n in self.part.needs if _need_symbol(n) in code}
        parts = [_declarations_for(needs, set())] + list(dict.fromkeys(declared))
        parts += [g for g in scope.globals if not g.startswith("declare ")]
        parts.append(code)
        parts.append(_wrapper(scope.nparams, scope.chunked, returns_code))  # type: ignore[attr-defined]
        parts.append("attributes #1 = { alwaysinline nounwind }")
        parts.append("!0 = !{i32 1}  ; !nontemporal")
        body = "\n".join(parts)
        self._add_unit(scope.name, body)
        self.kernel_kind[scope.name] = (scope.chunked, returns_code)  # type: ignore[attr-defined]

    kernel_kind: dict[str, tuple[bool, bool]]

    def _add_unit(self, name: str, body: str) -> str:
        digest = hashlib.sha256((body + "\0" + self.target.identity).encode()).hexdigest()[:32]
        symbol = f"dfc_k_{digest}"
        if symbol not in self.units:
            text = f"; dfc GPU kernel\n{self.target.header()}\n" + body.replace("@dfc_kernel(", f"@{symbol}(", 1)
            self.units[symbol] = KernelUnit(symbol, "", text)
        self.calls[name] = symbol
        return symbol

    def call_loop_kernel(self, name: str, ptrs: list[str], total: int, outer: int,
                         parallel: bool | None = None) -> None:
        self.steps.append(Launch(self.calls[name], tuple(ptrs), outer, count_arg=True))

    @staticmethod
    def reduce_kernel(mb: GpuModuleBuilder, op: Op, result, sources, value) -> None:
        """reduce.py's reductions call this instead of their CPU kernel: warp shuffles and shared memory."""
        from .gpu_reduce import reduce_kernel_gpu  # noqa: PLC0415

        reduce_kernel_gpu(mb, op, result, sources, value)

    def launch_once(self, name: str, ptrs: list[str]) -> None:
        """Run an unchunked kernel (on one GPU thread); one returning an error code sets the error word."""
        _, returns_code = self.kernel_kind[name]
        args = tuple(ptrs) + ((_token("errors", 0, 0),) if returns_code else ())
        self.steps.append(Launch(self.calls[name], args, 1, single=True, error_code=returns_code))

    def build_program(self, lower_op: Callable[[GpuModuleBuilder, Op], None]) -> GpuProgram:
        self.kernel_kind = {}
        for op in self.plan.items:
            lower_op(self, op)
            if self.part.entry.lines:
                raise CodegenError(f"op {op.describe()} has no GPU lowering (its CPU lowering emits host code)")
        for v, j in self.plan.fetch_copies:
            self.memcpy(self.ptr(Storage("output", j, 0, 0)), self.ptr(self.plan.where(v)), nbytes(v))
        return GpuProgram(list(self.units.values()), self.steps, self.plan, self.errors, self.random_ops,
                          self.constants, self.scratch, self.target)  # type: ignore[arg-type]


_SREG = "llvm.nvvm.read.ptx.sreg"


def _wrapper(nparams: int, chunked: bool, returns_code: bool) -> str:
    """The ptx_kernel around a body: a grid-stride loop over [0, %n), or one thread's call."""
    ptrs = [f"ptr %p{i}" for i in range(nparams)]
    lines = [f"declare i32 @{_SREG}.{r}.x()" for r in ("tid", "ctaid", "ntid", "nctaid")]
    if chunked:
        lines += [
            f"define ptx_kernel void @dfc_kernel({', '.join(ptrs + ['i64 %n'])}) {{",
            "entry:",
            *grid_index_lines(),
            "  br label %head",
            "head:",
            "  %i = phi i64 [ %first, %entry ], [ %next, %body ]",
            "  %more = icmp slt i64 %i, %n",
            "  br i1 %more, label %body, label %done",
            "body:",
            "  %i1 = add i64 %i, 1",
            f"  call void @dfc_body({', '.join(ptrs + ['i64 %i', 'i64 %i1'])})",
            "  %next = add i64 %i, %stride",
            "  br label %head",
            "done:",
            "  ret void",
            "}",
        ]
        return "\n".join(lines)
    ret = "i32" if returns_code else "void"
    params = ptrs + (["ptr %err"] if returns_code else [])
    lines += [
        f"define ptx_kernel void @dfc_kernel({', '.join(params)}) {{",
        "entry:",
        f"  %tid = call i32 @{_SREG}.tid.x()",
        f"  %cta = call i32 @{_SREG}.ctaid.x()",
        "  %who = or i32 %tid, %cta",
        "  %first = icmp eq i32 %who, 0",
        "  br i1 %first, label %run, label %done",
        "run:",
    ]
    if ret == "void":
        lines.append(f"  call void @dfc_body({', '.join(ptrs)})")
    else:
        lines += [f"  %rc = call i32 @dfc_body({', '.join(ptrs)})",
                  "  %bad = icmp ne i32 %rc, 0",
                  "  br i1 %bad, label %fail, label %done",
                  "fail:",
                  "  store i32 %rc, ptr %err",
                  ]
    lines += ["  br label %done", "done:", "  ret void", "}"]
    return "\n".join(lines)


def grid_index_lines() -> list[str]:
    """%first (this thread's global index) and %stride (threads in the grid), both i64."""
    return [
        f"  %tid = call i32 @{_SREG}.tid.x()",
        f"  %cta = call i32 @{_SREG}.ctaid.x()",
        f"  %ntid = call i32 @{_SREG}.ntid.x()",
        f"  %ncta = call i32 @{_SREG}.nctaid.x()",
        "  %tid64 = zext i32 %tid to i64",
        "  %cta64 = zext i32 %cta to i64",
        "  %ntid64 = zext i32 %ntid to i64",
        "  %ncta64 = zext i32 %ncta to i64",
        "  %base = mul i64 %cta64, %ntid64",
        "  %first = add i64 %base, %tid64",
        "  %stride = mul i64 %ntid64, %ncta64",
    ]


# ---- lowering of each op ------------------------------------------------------------------------

@functools.cache
def gpu_lowerings() -> dict[str, Callable[[GpuModuleBuilder, Op], None]]:
    """op name -> GPU lowering: the CPU's loop kernels reused as grid-stride kernels, then the GPU's own
    (fused regions, reductions, convolutions, pooling, gather/segment sums, cuBLAS matmuls); an elementwise op
    without a row is lower_elementwise_gpu. Built on first use: those lowerings import this module."""
    from .gpu_control import random_gpu  # noqa: PLC0415
    from .gpu_elementwise import lower_elementwise_gpu, lower_fused_matmul_gpu, lower_matmul_gpu  # noqa: PLC0415
    from .gpu_nn import GPU_NN_LOWERINGS  # noqa: PLC0415
    from .gpu_reduce import GPU_REDUCTIONS  # noqa: PLC0415
    from .gpu_checks import GPU_CHECK_LOWERINGS  # noqa: PLC0415
    from .gpu_sparse import GPU_SPARSE_LOWERINGS  # noqa: PLC0415
    from .update import lower_dynamic_update_slice_gpu  # noqa: PLC0415

    fused = {"matmul": lower_fused_matmul_gpu, "reduction": GPU_REDUCTIONS["fused"]}

    def lower_fused_gpu(mb: GpuModuleBuilder, op: Op) -> None:
        fused.get(op.attrs.get("kind"), lower_elementwise_gpu)(mb, op)

    table: dict[str, Callable[[GpuModuleBuilder, Op], None]] = dict(_REUSED)
    table.update({k: v for k, v in GPU_REDUCTIONS.items() if k != "fused"})
    table.update(GPU_NN_LOWERINGS)
    table.update(GPU_SPARSE_LOWERINGS)
    table.update(GPU_CHECK_LOWERINGS)
    table.update({k: random_gpu(_REUSED[k]) for k in ("dfc.random_uniform", "dfc.random_normal",
                                                      "dfc.truncated_normal")})
    table.update({"dfc.fused": lower_fused_gpu, "dfc.matmul": lower_matmul_gpu, "dfc.print": lower_print_gpu,
                  "dfc.dynamic_update_slice": lower_dynamic_update_slice_gpu})
    return table


def lower_op(mb: GpuModuleBuilder, op: Op) -> None:
    from .gpu_elementwise import lower_elementwise_gpu  # noqa: PLC0415

    if isinstance(op, ControlMark):  # branches and loops: host steps around the regions' launches
        from .gpu_control import lower_mark_gpu  # noqa: PLC0415

        lower_mark_gpu(mb, op)
        return
    for r in op.results:
        if isinstance(r.type, TensorType) and not r.type.is_static:
            raise CodegenError(f"op {op.describe()} has a result of unknown shape {r.type}: specialize the step first")
    lowering = gpu_lowerings().get(op.type)
    if lowering is None and get_op_def(op.type).elementwise:
        lowering = lower_elementwise_gpu
    if lowering is None:
        raise CodegenError(f"no GPU lowering for {op.type}")
    lowering(mb, op)


def lower_print_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    """tf.Print: x copied to the result, then a HostPrint step (the runtime reads the data tensors back)."""
    from .debug import HOST_PRINTS  # noqa: PLC0415

    x, *data = op.inputs
    mb.memcpy(mb.value_ptr(op.result), mb.value_ptr(x), nbytes(x))
    key = len(HOST_PRINTS) + 1
    HOST_PRINTS[key] = ([(v.type.dtype.np, tuple(v.type.shape)) for v in data], dict(op.attrs))
    mb.steps.append(HostPrint(key, tuple(mb.value_ptr(v) for v in data)))


def has_gpu_lowering(kind: str) -> bool:
    return kind in gpu_lowerings() or kind in NO_CODE_OPS or kind in CONTROL_OPS or get_op_def(kind).elementwise


# ---- entry points ---------------------------------------------------------------------------------

def lower(step: Graph, plan: Plan | None = None, target: NvptxTarget | None = None) -> GpuProgram:
    """The GPU program of a specialized step graph (planned here unless a plan is given)."""
    plan = plan or getattr(step, "plan", None) or plan_step(step)
    mb = GpuModuleBuilder(plan, target or nvptx_target())
    return mb.build_program(lower_op)


def emit_ptx(step: Graph, arch: str = "sm_80") -> str:
    """The PTX of a specialized step graph: every kernel after a `// ---- module NAME` line, then the host program."""
    program = lower(step, target=nvptx_target(arch))
    parts = [f"// ---- module {name}\n{ptx}" for name, ptx in program.ptx().items()]
    parts.append("// ---- host program\n" + "".join(f"// {s}\n" for s in program.steps))
    return "\n".join(parts)


def emit_llvm(step: Graph, arch: str = "sm_80") -> str:
    return lower(step, target=nvptx_target(arch)).text


__all__ = ["BLOCK", "Branch", "Copy", "GemmCall", "GpuModuleBuilder", "GpuProgram", "HostPrint", "Jump", "Launch",
           "StaticError", "emit_llvm", "emit_ptx", "fused_matmul", "has_gpu_lowering", "lower", "parse_pointer"]


def split_ptx(text: str) -> dict[str, str]:
    """The modules of emit_ptx's text, by name (the host program's comments are left out)."""
    modules = {}
    for chunk in text.split("// ---- module ")[1:]:
        name, _, body = chunk.partition("\n")
        modules[name.strip()] = body.split("// ---- host program")[0]
    return modules


def ptxas(ptx: str | list[str], arch: str, ptxas_path: str = "ptxas") -> str:
    """Assemble PTX with NVIDIA's ptxas for `arch` (no GPU needed); returns its --verbose report, raises on error.
    A list of modules is assembled by one ptxas run (relocatable code, `-c`): a step's many kernels at once."""
    import subprocess  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    modules = [ptx] if isinstance(ptx, str) else list(ptx)
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for k, text in enumerate(modules):
            sources.append(f"{tmp}/k{k}.ptx")
            with open(sources[-1], "w") as f:
                f.write(text)
        flags = ["-c"] if len(modules) > 1 else []
        done = subprocess.run([ptxas_path, f"-arch={arch}", "--verbose", *flags, "-o", f"{tmp}/k.cubin", *sources],
                              capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise CodegenError(f"ptxas -arch={arch} rejected the PTX: {done.stderr.strip()}")
    return done.stderr
