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
from collections.abc import Callable
import os
import re
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

#: which kernels LLVM's loop unrolling runs on (`DFC_KERNEL_UNROLL`): `fast-math` (the default), only those
#: with fast-math flags, or `all`. Unrolling a kernel's loops whose bounds are constants (a conv's taps over
#: 512 channels) made one block of 12000 instructions that the schedulers took 3 s to order, for no
#: measurable gain (the vectorizer still interleaves); without fast-math flags it never changes a value, and
#: the kernels with them (a reduction's reassoc sum, whose order unrolling may change) keep it as before
KERNEL_UNROLL_ENV = "DFC_KERNEL_UNROLL"


def kernel_unroll() -> str:
    """`fast-math` or `all` (see KERNEL_UNROLL_ENV); anything else is refused."""
    value = os.environ.get(KERNEL_UNROLL_ENV, "fast-math")
    if value not in ("fast-math", "all"):
        raise TargetError(f"{KERNEL_UNROLL_ENV}={value!r}: expected 'fast-math' or 'all'")
    return value


_FAST_MATH_FLAG = re.compile(r"\b(?:fast|reassoc|nnan|ninf|nsz|arcp|contract|afn)\b")


def has_fast_math(text: str) -> bool:
    """Whether a module's text carries a fast-math flag (on which LLVM may change values as it transforms)."""
    return _FAST_MATH_FLAG.search(text) is not None



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
    #: which kernels LLVM's loop unrolling runs on (see KERNEL_UNROLL_ENV)
    unroll: str = "fast-math"
    #: runs of the optimization pipeline in this process (see the module docstring)
    optimize_runs: list[int] = field(default_factory=lambda: [0], compare=False, hash=False, repr=False)

    @property
    def identity(self) -> str:
        """What keys cached object code: the target's fields and the LLVM (llvmlite) that compiled it."""
        attrs = ",".join(f"{k}={v}" for k, v in self.attributes)
        return "|".join([self.kind, self.triple, self.cpu, self.features, attrs, llvmlite.__version__,
                         llvm.llvm_version_info.__str__(), f"unroll={self.unroll}"])

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
            pto.loop_unrolling = self.unroll == "all" or has_fast_math(text)
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
    return _cpu_target(name, os.environ.get("DFC_PREFER_VECTOR_WIDTH", "").strip(), kernel_unroll())


@functools.cache
def _cpu_target(name: str, width: str, unroll: str = "fast-math") -> CpuTarget:
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
    return CpuTarget("cpu", triple, cpu, features, attributes, unroll)


def _check_cpu_name(cpu: str) -> None:
    """LLVM compiles for a generic CPU when it does not know the name: refuse names we cannot vouch for."""
    if cpu not in REQUIRED_FEATURES:
        known = ", ".join(["native"] + sorted(REQUIRED_FEATURES))
        raise TargetError(f"{TARGET_CPU_ENV}={cpu!r} is not a CPU dfc knows (known: {known})")


# ---- NVIDIA GPUs: PTX through LLVM's NVPTX backend --------------------------------------------------

#: the GPU architectures dfc emits PTX for (sm_80's PTX also assembles for every later architecture)
NVPTX_ARCHS = ("sm_80", "sm_90")
#: NVPTX's data layout: without it in the module an i64 load gets align 4 and splits in two
NVPTX_DATALAYOUT = "e-p6:32:32-i64:64-i128:128-i256:256-v16:16-v32:32-n16:32:64"
#: intrinsics NVPTX cannot select or call (the process aborts in code generation), each with the
#: libdevice function that computes it
NVPTX_LIBDEVICE = {
    "llvm.pow.f32": "__nv_powf", "llvm.pow.f64": "__nv_pow", "llvm.exp.f32": "__nv_expf", "llvm.exp.f64": "__nv_exp",
    "llvm.log.f32": "__nv_logf", "llvm.log.f64": "__nv_log", "llvm.sin.f32": "__nv_sinf", "llvm.sin.f64": "__nv_sin",
    "llvm.cos.f32": "__nv_cosf", "llvm.cos.f64": "__nv_cos", "llvm.exp2.f64": "__nv_exp2",
    "llvm.log2.f32": "__nv_log2f", "llvm.log2.f64": "__nv_log2", "llvm.tanh.f32": "__nv_tanhf",
    "llvm.tanh.f64": "__nv_tanh",
    # libm's functions that compiler/codegen/libm.py calls
    "atan": "__nv_atan", "asin": "__nv_asin", "acos": "__nv_acos", "erf": "__nv_erf", "erfc": "__nv_erfc",
    "atan2": "__nv_atan2",
}
#: prefixes of the intrinsics NVPTX lowers (checked on the optimized module before code generation: an
#: intrinsic outside this list may abort the process, which Python cannot catch)
NVPTX_INTRINSICS = (
    "llvm.nvvm.", "llvm.fma.", "llvm.fmuladd.", "llvm.sqrt.", "llvm.fabs.", "llvm.floor.", "llvm.ceil.",
    "llvm.trunc.", "llvm.rint.", "llvm.nearbyint.", "llvm.roundeven.", "llvm.round.", "llvm.maxnum.",
    "llvm.minnum.", "llvm.maximum.", "llvm.minimum.", "llvm.copysign.", "llvm.smax.", "llvm.smin.", "llvm.umax.",
    "llvm.umin.", "llvm.abs.", "llvm.memcpy.", "llvm.memset.", "llvm.memmove.", "llvm.lifetime.", "llvm.assume",
    "llvm.exp2.f32", "llvm.ctpop.", "llvm.ctlz.", "llvm.cttz.", "llvm.fshl.", "llvm.fshr.", "llvm.bswap.",
    "llvm.umul.with.overflow.", "llvm.smul.with.overflow.", "llvm.uadd.with.overflow.", "llvm.sadd.with.overflow.",
    "llvm.usub.with.overflow.", "llvm.ssub.with.overflow.", "llvm.experimental.noalias.scope.decl",
    "llvm.vector.reduce.", "llvm.is.fpclass.", "llvm.fptosi.sat.", "llvm.fptoui.sat.", "llvm.sadd.sat.",
    "llvm.uadd.sat.", "llvm.ssub.sat.", "llvm.usub.sat.", "llvm.stacksave", "llvm.stackrestore", "llvm.scmp.",
    "llvm.ucmp.",
)
_CALLED = __import__("re").compile(r"@(llvm\.[A-Za-z0-9_.]+)\(")
_nvptx_lock = threading.Lock()
_nvptx_initialized = False


def _initialize_nvptx() -> None:
    global _nvptx_initialized
    with _nvptx_lock:
        if not _nvptx_initialized:
            llvm.initialize_all_targets()
            llvm.initialize_all_asmprinters()
            _nvptx_initialized = True


#: how the runtime checks that a device of a kind is there to run code on (set by runtime/gpu.py)
DEVICE_CHECK: dict[str, Callable[[], None] | None] = {"nvptx": None}


@dataclass(frozen=True)
class NvptxTarget(Target):
    """An NVIDIA GPU architecture (`cpu` is sm_80 or sm_90): kernels become PTX, which the CUDA driver
    (or ptxas) turns into machine code for the GPU it runs on; sm_80's PTX runs on every later one."""

    def header(self) -> str:
        return f'target triple = "{self.triple}"\ntarget datalayout = "{NVPTX_DATALAYOUT}"\n'

    def target_machine(self, opt: int = 3) -> llvm.TargetMachine:
        _initialize_nvptx()
        return _nvptx_machine(self.triple, self.cpu, self.features, opt)

    def optimize(self, text: str, level: int = 3) -> llvm.ModuleRef:
        """Parse and optimize a kernel module; the math NVPTX cannot lower calls libdevice, linked in here."""
        tm = self.target_machine(3)
        text = _use_libdevice(text)
        mod = llvm.parse_assembly(text)
        mod.verify()
        if _CALLS_LIBDEVICE.search(text):  # not merely declared: every kernel declares the math it might call
            libdevice = llvm.parse_bitcode(libdevice_path().read_bytes())
            libdevice.triple = self.triple
            libdevice.data_layout = NVPTX_DATALAYOUT
            mod.link_in(libdevice)
            for fn in mod.functions:
                # internal, so the optimizer drops the hundreds of unused libdevice functions
                if fn.name.startswith("__nv_") and not fn.is_declaration:
                    fn.linkage = llvm.Linkage.internal
        pto = llvm.create_pipeline_tuning_options(speed_level=max(level, 1))
        pb = llvm.create_pass_builder(tm, pto)
        pb.getModulePassManager().run(mod, pb)  # any level: it inlines the alwaysinline helpers and runs NVVM reflect
        self.optimize_runs[0] += 1
        check_nvptx_intrinsics(str(mod))
        return mod

    def emit_object(self, text: str, level: int = 3) -> bytes:
        """The module's PTX as bytes: NVPTX's "object code" is PTX text, which the CUDA driver (or ptxas)
        assembles for the GPU it runs on; as bytes it is kept in the kernel cache like a CPU object."""
        return self.emit_assembly(text, level).encode()

    def check_runnable(self) -> None:
        # the runtime layer knows about devices; it registers its check here when it is imported
        if DEVICE_CHECK["nvptx"] is None:
            raise TargetError("no GPU runtime is loaded: NVPTX code runs through dfc.runtime.gpu")
        DEVICE_CHECK["nvptx"]()


def check_nvptx_intrinsics(text: str) -> None:
    """Raise TargetError for an intrinsic NVPTX may not lower (the alternative is a process abort in LLVM)."""
    bad = sorted({name for name in _CALLED.findall(text) if not name.startswith(NVPTX_INTRINSICS)})
    if bad:
        raise TargetError(f"NVPTX cannot lower {', '.join(bad)} (not on dfc's list of intrinsics it selects)")


_CALLS_LIBDEVICE = __import__("re").compile(r"^(?!declare ).*@__nv_\w+\(", __import__("re").M)


def _use_libdevice(text: str) -> str:
    for intrinsic, function in NVPTX_LIBDEVICE.items():
        text = text.replace(f"@{intrinsic}(", f"@{function}(")
    return text


def libdevice_path() -> str | None:
    """libdevice.10.bc: $CUDA_HOME's, the one beside ptxas, the usual CUDA installs', or the nvidia-nvvm wheel's."""
    import pathlib  # noqa: PLC0415
    import shutil  # noqa: PLC0415

    roots = [os.environ.get(k) for k in ("CUDA_HOME", "CUDA_PATH")]
    ptxas = shutil.which("ptxas")
    if ptxas:
        roots.append(str(pathlib.Path(ptxas).resolve().parent.parent))
    roots += ["/usr/local/cuda", "/usr/lib/cuda", "/opt/cuda"]
    try:
        import nvidia  # noqa: PLC0415 - the CUDA wheels' namespace package

        for base in nvidia.__path__:
            roots += [str(p) for p in pathlib.Path(base).glob("*")]
    except ImportError:
        pass
    for root in filter(None, roots):
        for candidate in (pathlib.Path(root) / "nvvm" / "libdevice" / "libdevice.10.bc",
                          pathlib.Path(root) / "libdevice" / "libdevice.10.bc"):
            if candidate.is_file():
                return candidate
    raise TargetError("this kernel needs CUDA's libdevice (libdevice.10.bc) for its math, and none was found: "
                      "set CUDA_HOME to a CUDA install or `pip install nvidia-nvvm`")


@functools.cache
def _nvptx_machine(triple: str, cpu: str, features: str, opt: int) -> llvm.TargetMachine:
    target = llvm.Target.from_triple(triple)
    return target.create_target_machine(cpu=cpu, features=features, opt=opt, reloc="default", codemodel="default")


def nvptx_target(arch: str = "sm_80") -> NvptxTarget:
    """The NVPTX target for a GPU architecture (sm_80, the portable default, or sm_90)."""
    if arch not in NVPTX_ARCHS:
        raise TargetError(f"GPU architecture {arch!r} is not one dfc emits PTX for (known: {', '.join(NVPTX_ARCHS)})")
    return _nvptx_target(arch)


@functools.cache
def _nvptx_target(arch: str) -> NvptxTarget:
    return NvptxTarget("cuda", "nvptx64-nvidia-cuda", arch)
