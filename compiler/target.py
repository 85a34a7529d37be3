"""Compilation targets: what object code depends on (triple, CPU, features, vector width) in one object.

A Target names the machine code generation is for and owns everything that follows
from it: the module header, LLVM target machines, the optimization pipeline, object and
assembly emission, the identity that keys cached object code, and the check that the
host can run what was compiled. `CpuTarget` is the host's CPU (or the CPU named by
DFC_TARGET_CPU); a GPU target (NVPTX) is another subclass of the same base.

The optimizer is called on one small module per kernel. LLVM's new pass manager, as
llvmlite drives it, keeps about 70 KB per run that is never freed (measured: 1200 runs
grow RSS by 83 MB, reused pass builder or not); `optimize_runs` counts the runs so the
runtime can move compilation into recycled worker processes once a process has done
its share (runtime/kernel_cache.py).
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, field

import llvmlite
import llvmlite.binding as llvm

#: the environment variable choosing the CPU to compile for (a name LLVM knows, or `native`)
TARGET_CPU_ENV = "DFC_TARGET_CPU"

# The features a host must have to run code compiled for a named CPU (the x86-64 psABI levels
# and the CPUs we name in docs); `native` needs nothing beyond what the host reports.
_V2 = ("cx16", "popcnt", "sse3", "sse4.1", "sse4.2", "ssse3")
_V3 = _V2 + ("avx", "avx2", "bmi", "bmi2", "f16c", "fma", "lzcnt", "movbe")
_V4 = _V3 + ("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl")
REQUIRED_FEATURES: dict[str, tuple[str, ...]] = {
    "x86-64": (), "x86-64-v2": _V2, "x86-64-v3": _V3, "x86-64-v4": _V4,
    "haswell": _V3, "skylake": _V3, "skylake-avx512": _V4, "icelake-server": _V4 + ("avx512vbmi", "avx512vnni"),
    "sapphirerapids": _V4 + ("avx512vbmi", "avx512vnni", "avx512bf16", "avx512fp16"),
    "znver2": _V3, "znver3": _V3, "znver4": _V4 + ("avx512vbmi", "avx512vnni", "avx512bf16"),
}

#: LLVM's `prefer-vector-width` for kernels on CPUs with 512-bit vectors (see docs/targets.md for the
#: measurement behind it); `DFC_PREFER_VECTOR_WIDTH` overrides it
PREFER_VECTOR_WIDTH_AVX512 = 512

_init_lock = threading.Lock()
_initialized = False


def _initialize_llvm() -> None:
    global _initialized
    with _init_lock:
        if not _initialized:
            llvm.initialize_native_target()
            llvm.initialize_native_asmprinter()
            _initialized = True


class TargetError(RuntimeError):
    """The chosen target cannot be compiled for, or its code cannot run on this host."""


@dataclass(frozen=True)
class Target:
    """A compilation target: everything object code depends on besides the module text."""

    kind: str
    triple: str
    cpu: str
    features: str = ""
    attributes: tuple[tuple[str, str], ...] = ()
    #: runs of the optimization pipeline in this process (see the module docstring)
    optimize_runs: list[int] = field(default_factory=lambda: [0], compare=False, hash=False, repr=False)

    @property
    def identity(self) -> str:
        """What keys cached object code: the target's fields and the LLVM (llvmlite) that compiled it."""
        attrs = ",".join(f"{k}={v}" for k, v in self.attributes)
        return "|".join([self.kind, self.triple, self.cpu, self.features, attrs, llvmlite.__version__,
                         llvm.llvm_version_info.__str__()])

    def function_attributes(self) -> str:
        """The attribute group every kernel function carries (e.g. its preferred vector width)."""
        return " ".join(f'"{k}"="{v}"' for k, v in self.attributes)

    def header(self) -> str:
        """The first lines of every module compiled for this target."""
        return _header(self.triple, self.cpu, self.features)

    # -- LLVM objects
    def target_machine(self, opt: int = 3) -> llvm.TargetMachine:
        return _target_machine(self.triple, self.cpu, self.features, opt)

    def optimize(self, text: str, level: int = 3) -> llvm.ModuleRef:
        """Parse, verify and optimize a module's text at `level` (0 parses and verifies only)."""
        tm = self.target_machine(3)
        mod = llvm.parse_assembly(text)
        mod.verify()
        if level > 0:
            pto = llvm.create_pipeline_tuning_options(speed_level=level)
            pto.loop_vectorization = level >= 2
            pto.slp_vectorization = level >= 2
            pb = llvm.create_pass_builder(tm, pto)
            pb.getModulePassManager().run(mod, pb)
            self.optimize_runs[0] += 1
        return mod

    def emit_object(self, text: str, level: int = 3) -> bytes:
        """Object code for a module's text, optimized at `level` (code generation at that level too)."""
        mod = self.optimize(text, level)
        return self.target_machine(level).emit_object(mod)

    def emit_assembly(self, text: str, level: int = 3) -> str:
        mod = self.optimize(text, level)
        return self.target_machine(level).emit_assembly(mod)

    # -- running what was compiled
    def check_runnable(self) -> None:
        """Raise TargetError unless this host can run code compiled for this target."""


@dataclass(frozen=True)
class CpuTarget(Target):
    """The host's CPU, or the one DFC_TARGET_CPU names: code is JIT-linked into this process."""

    def check_runnable(self) -> None:
        if self.triple != llvm.get_process_triple():
            raise TargetError(f"code compiled for {self.triple} cannot run on this {llvm.get_process_triple()} host")
        host = llvm.get_host_cpu_features()
        needed = REQUIRED_FEATURES.get(self.cpu, ())
        if self.features:  # native: the features it was compiled with
            needed = tuple(f[1:] for f in self.features.split(",") if f.startswith("+"))
        missing = [f for f in needed if not host.get(f, False)]
        if missing:
            raise TargetError(f"{TARGET_CPU_ENV}={self.cpu}: this host's CPU ({llvm.get_host_cpu_name()}) lacks "
                              f"{', '.join(missing)}, so code compiled for {self.cpu} cannot run here")

    def jit(self, objects: list[bytes]) -> JitCode:
        """Link object code into this process; the result keeps it alive and looks up its symbols."""
        self.check_runnable()
        # a machine of its own: the engine owns (and frees) the machine it is given
        machine = _target_machine.__wrapped__(self.triple, self.cpu, self.features, 3)
        engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), machine)
        for obj in objects:
            engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
        engine.finalize_object()
        return JitCode(engine)


class JitCode:
    """Object code linked into this process (one MCJIT engine): freed with this object."""

    def __init__(self, engine: llvm.ExecutionEngine):
        self.engine = engine

    def address(self, symbol: str) -> int:
        address = self.engine.get_function_address(symbol)
        if not address:
            raise TargetError(f"the linked code has no function {symbol}")
        return address


@functools.cache
def _target_machine(triple: str, cpu: str, features: str, opt: int) -> llvm.TargetMachine:
    _initialize_llvm()
    try:
        target = llvm.Target.from_triple(triple)
    except RuntimeError as e:
        raise TargetError(f"LLVM cannot compile for {triple}: {e}") from None
    return target.create_target_machine(cpu=cpu, features=features, opt=opt, reloc="pic", codemodel="default")


@functools.cache
def _header(triple: str, cpu: str, features: str) -> str:
    layout = str(_target_machine(triple, cpu, features, 3).target_data)  # read once: llvmlite frees it with the machine
    return f'target triple = "{triple}"\ntarget datalayout = "{layout}"\n'


def _has_512_bit_vectors(cpu: str, features: str) -> bool:
    if "+avx512f" in features.split(","):
        return True
    return "avx512f" in REQUIRED_FEATURES.get(cpu, ())


def cpu_target(name: str | None = None) -> CpuTarget:
    """The CPU target called `name` (an LLVM CPU name or `native`), else the one DFC_TARGET_CPU names, else the host."""
    name = name or os.environ.get(TARGET_CPU_ENV, "").strip() or "native"
    return _cpu_target(name, os.environ.get("DFC_PREFER_VECTOR_WIDTH", "").strip())


@functools.cache
def _cpu_target(name: str, width: str) -> CpuTarget:
    _initialize_llvm()
    triple = llvm.get_process_triple()
    if name in ("native", "host"):
        cpu, features = llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()
    else:
        cpu, features = name, ""
        _check_cpu_name(cpu)
    attributes: tuple[tuple[str, str], ...] = ()
    if width:
        if width not in ("128", "256", "512"):
            raise TargetError(f"DFC_PREFER_VECTOR_WIDTH={width!r}: expected 128, 256 or 512")
        attributes = (("prefer-vector-width", width),)
    elif _has_512_bit_vectors(cpu, features):
        attributes = (("prefer-vector-width", str(PREFER_VECTOR_WIDTH_AVX512)),)
    return CpuTarget("cpu", triple, cpu, features, attributes)


def _check_cpu_name(cpu: str) -> None:
    """LLVM compiles for a generic CPU when it does not know the name: refuse names we cannot vouch for."""
    if cpu not in REQUIRED_FEATURES:
        known = ", ".join(["native"] + sorted(REQUIRED_FEATURES))
        raise TargetError(f"{TARGET_CPU_ENV}={cpu!r} is not a CPU dfc knows (known: {known})")
