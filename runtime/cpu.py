"""The CPU backend: links a step's modules (object code through runtime/kernel_cache.py) and runs it natively.

A CpuExecutable is one compiled step: its distinct kernels and its entry module, linked
into this process by the target's JIT. Calling it fills a pointer array (inputs, fresh
outputs, the VariableStore's live variable buffers, constants, a per-call arena, params)
and makes ONE native call to `dfc_main`; a non-zero return code becomes the same
InvalidArgumentError the interpreter raises. Object code is cached in memory and on disk
under DFC_CACHE_DIR (default: $XDG_CACHE_HOME/dfc or ~/.cache/dfc).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path
from collections.abc import Callable, Sequence

import llvmlite.binding as llvm
import numpy as np

from dfc.compiler.codegen import cpu as codegen
from dfc.compiler.codegen import parallel
from dfc.compiler.pipeline import DUMP_ENV, dump_artifact
from dfc.compiler.codegen.module import Lowered
from dfc.compiler.target import Target, cpu_target
from dfc.ir.dtypes import as_dtype
from dfc.ir.errors import InvalidArgumentError, ResourceExhaustedError
from dfc.ir.graph import Graph, Op
from dfc.ir.interpreter import ExecutionContext, interpret
from dfc.ir.ops import get_op_def
from dfc.ir.types import TensorType

from . import kernel_cache
from .kernel_cache import cache_dir, prune_cache  # noqa: F401 - the cache's public names, as before
from .step_cache import StepImage
from .store import ALIGNMENT

#: outputs this big reuse the previous run's array once the caller dropped it (see CpuExecutable._output)
REUSE_BYTES = 1 << 20
_lock = threading.Lock()
_symbols_bound = False
NUM_THREADS = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _capsule_address(capsule) -> int:
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype = ctypes.c_char_p
    get_name.argtypes = [ctypes.py_object]
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return get_pointer(capsule, get_name(capsule))


def _numpy_blas() -> tuple[int, ...] | None:
    """(sgemm, dgemm, get_num_threads, set_num_threads) addresses in the OpenBLAS numpy itself loaded.

    It is ILP64 (64-bit integer arguments); the thread-count functions take and return a C int.
    """
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    names = ("scipy_sgemm_64_", "scipy_dgemm_64_", "scipy_openblas_get_num_threads64_",
             "scipy_openblas_set_num_threads64_")
    for path in sorted(libs.glob("libscipy_openblas64_*.so*")):
        try:
            lib = ctypes.CDLL(str(path))
            found = tuple(ctypes.cast(getattr(lib, n), ctypes.c_void_p).value for n in names)
        except (OSError, AttributeError):
            continue
        _bind_small_permits(lib)
        return found
    return None


#: OpenBLAS's name for the kernels it chose for this CPU ("SkylakeX", "Haswell", ...), "" for another BLAS
_BLAS_CORE = ""
#: dtype name -> OpenBLAS's small-matrix permit for this CPU: (transa, transb, m, n, k, alpha, beta) -> int
_SMALL_PERMITS: dict[str, Callable[..., int]] = {}


def _bind_small_permits(lib: ctypes.CDLL) -> None:
    """Find for which GEMMs this OpenBLAS uses its unpacked small-matrix kernels (see blas_small_kernel).

    A dynamic-architecture OpenBLAS exports each kernel set's permit function under the set's
    name, and the CPU's set is the core name it reports. A core without a set of its own (or
    another build) finds none: then no GEMM is rearranged for the BLAS.
    """
    global _BLAS_CORE
    try:
        corename = lib.scipy_openblas_get_corename64_
    except AttributeError:
        return
    corename.restype = ctypes.c_char_p
    _BLAS_CORE = (corename() or b"").decode("ascii", "replace")
    for prefix, scalar, dtype in (("s", ctypes.c_float, "float32"), ("d", ctypes.c_double, "float64")):
        permit = getattr(lib, f"{prefix}gemm_small_matrix_permit_{_BLAS_CORE.upper()}", None)
        if permit is None:
            continue
        permit.restype = ctypes.c_int
        permit.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, scalar, scalar]
        _SMALL_PERMITS[dtype] = permit


def blas_small_kernel(dtype: str, transa: bool, transb: bool, m: int, n: int, k: int) -> bool:
    """Whether the bound BLAS runs this column-major GEMM (C = op(A) op(B), beta 0) on a small-matrix kernel."""
    _bind_symbols()
    permit = _SMALL_PERMITS.get(dtype)
    return bool(permit is not None and permit(int(transa), int(transb), m, n, k, 1.0, 0.0))


def blas_identity() -> str:
    """What code made for the bound BLAS depends on: its integer width, thread control and kernel set."""
    _bind_symbols()
    return f"{_BLAS_INT_BITS}/{_BLAS_THREADS}/{_BLAS_CORE}/{sorted(_SMALL_PERMITS)}"


_BLAS_INT_BITS = 32  # the integer width of the BLAS the kernels call (numpy's ILP64 OpenBLAS, else scipy's LP64 one)
_BLAS_THREADS = False  # whether dfc_blas_set_threads and dfc_blas_threads are bound
#: OpenBLAS's thread count when dfc bound it: small matmuls set 1 for their call, then this back
_BLAS_THREAD_COUNT = ctypes.c_int(0)


def _bind_symbols() -> None:
    """Give JIT code BLAS (sgemm/dgemm) and the libc/libm functions it calls, by address."""
    global _symbols_bound, _BLAS_INT_BITS, _BLAS_THREADS
    if _symbols_bound:
        return
    # numpy's own OpenBLAS is already loaded and as fast as numpy.matmul; scipy's capsules are the
    # fallback (importing scipy.linalg costs about half a second)
    found = _numpy_blas()
    if found is not None:
        _BLAS_INT_BITS = 64
        _BLAS_THREADS = True
        _BLAS_THREAD_COUNT.value = max(1, ctypes.CFUNCTYPE(ctypes.c_int)(found[2])())
        llvm.add_symbol("dfc_blas_threads", ctypes.addressof(_BLAS_THREAD_COUNT))
        llvm.add_symbol("dfc_blas_set_threads", found[3])
    else:
        from scipy.linalg import cython_blas
        found = tuple(_capsule_address(cython_blas.__pyx_capi__[f"{n}gemm"]) for n in "sd")
        _BLAS_INT_BITS = 32
    llvm.add_symbol("dfc_sgemm", found[0])
    llvm.add_symbol("dfc_dgemm", found[1])
    from .host_calls import host_linalg_address, host_print_address  # noqa: PLC0415 - few steps call them
    llvm.add_symbol("dfc_host_print", host_print_address())
    llvm.add_symbol("dfc_host_linalg", host_linalg_address())
    _bind_half_conversions()
    _symbols_bound = True


#: the runtime functions LLVM calls for float16 conversions on CPUs without F16C (x86-64-v2 and older)
HALF_CONVERSIONS = ("__extendhfsf2", "__extendhfdf2", "__truncsfhf2", "__truncdfhf2")


def _bind_half_conversions() -> None:
    """Bind LLVM's float16 conversion calls to libgcc's (GCC >= 12), which the process may not have loaded.

    The host CPU's F16C converts inline; code for a CPU without it (DFC_TARGET_CPU=x86-64-v2) calls
    these, and a call to a symbol the JIT could not resolve jumps to address 0.
    """
    try:
        libgcc = ctypes.CDLL("libgcc_s.so.1")
    except OSError:
        return
    for name in HALF_CONVERSIONS:
        try:
            llvm.add_symbol(name, ctypes.cast(getattr(libgcc, name), ctypes.c_void_p).value)
        except AttributeError:
            pass


_POOL_CODE = None  # the support module's code: its worker threads run it, so it is never freed


def _bind_thread_pool(target: Target) -> None:
    """Bind `dfc_parallel_for` from the support module, compiled (or read from the cache) once per process.

    Only steps with a big kernel call it, so small steps never pay for compiling it.
    """
    global _POOL_CODE
    if _POOL_CODE is not None:
        return
    objs, _ = kernel_cache.objects(target, [("dfc_parallel_for", parallel.POOL_MODULE, 3)])
    code = target.jit(objs)
    llvm.add_symbol("dfc_parallel_for", code.address("dfc_parallel_for"))
    _POOL_CODE = code


def _array_data_offset() -> int | None:
    """The offset of `data` in numpy's array object (16 on CPython), if reading it there is right."""
    try:
        probes = [np.zeros(3), np.arange(10, dtype=np.int8)[3:], np.empty((2, 2), np.float32), np.zeros(())]
        if all(ctypes.c_void_p.from_address(id(a) + 16).value == a.ctypes.data for a in probes):
            return 16
    except (ValueError, OverflowError):
        pass
    return None


_DATA_OFFSET = _array_data_offset()
_from_address = ctypes.c_void_p.from_address


def data_address(a: np.ndarray) -> int:
    """The address of an array's first element (a tenth of the cost of a.ctypes.data where checked safe)."""
    if _DATA_OFFSET is not None:
        return _from_address(id(a) + _DATA_OFFSET).value or 0
    return a.ctypes.data


_LIBC_SYMBOLS = ("pthread_create", "pthread_join", "exp", "log", "sin", "cos", "expm1", "log1p", "tanh", "pow",
                 "powf", "fmod", "fmodf", "memcpy", "memset", "memmove")

_ENTRY = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p)


def _enter_function(count: int) -> str:
    """`dfc_enter(args, array objects...)`: each numpy array's data pointer into slots 0.., then dfc_main(args).

    The inputs' and outputs' slots come first in the pointer array. Reading an array's data
    pointer in Python (ctypes) and storing it into the array cost more than the rest of a small
    step's run; passing the arrays' addresses (id) and reading `data` here (at _DATA_OFFSET,
    checked at import) does not.
    """
    params = ", ".join(["ptr %args"] + [f"ptr %o{i}" for i in range(count)])
    lines = [f"define i32 @dfc_enter({params}) {{", "entry:"]
    for i in range(count):
        lines += [f"  %d{i} = getelementptr inbounds i8, ptr %o{i}, i64 {_DATA_OFFSET}",
                  f"  %v{i} = load ptr, ptr %d{i}",
                  f"  %s{i} = getelementptr inbounds ptr, ptr %args, i64 {i}",
                  f"  store ptr %v{i}, ptr %s{i}"]
    lines += ["  %rc = call i32 @dfc_main(ptr %args)", "  ret i32 %rc", "}", ""]
    return "\n" + "\n".join(lines)


#: how native code shows an assert's data tensors it cannot print (compiler/codegen/debug.py)
_UNSHOWN = "(its values: run with backend='interpreter')"
#: the stateful ops a second run of a failed step may repeat: they change nothing
_REPEATABLE = frozenset({"dfc.variable", "dfc.assert", "dfc.check_numerics"})
#: a failed step bigger than this is not run again to show its assert's values
_EXPLAIN_MAX_OPS = 5000


class CpuExecutable:
    """One compiled step: `executable(feed_arrays, ctx)` runs it natively and returns the fetched arrays.

    Made from a step graph (lowered and compiled here), or by `from_image` from a compiled step
    that runtime/step_cache.py kept; then `step` and `lowered` are recomputed only if asked for.
    """

    def __init__(self, step: Graph, session: object = None):
        target = cpu_target()
        target.check_runnable()
        with _lock:
            _bind_symbols()
        self._step: Graph | None = step
        self._rebuild: Callable[[], Graph] | None = None
        self._lowered: Lowered | None = codegen.lower(step, blas_int_bits=_BLAS_INT_BITS,
                                                      blas_threads=_BLAS_THREADS, blas_small=blas_small_kernel,
                                                      target=target, threads=NUM_THREADS)
        if os.environ.get(DUMP_ENV):  # `DFC_DUMP_DIR`: the LLVM modules and their assembly join the dumped stages
            dump_artifact(step, "llvm", self._lowered.text, "ll")
            dump_artifact(step, "asm", codegen.assembly(self._lowered, target), "s")
        units = codegen.compile_units(self._lowered)
        needs_pool = any("@dfc_parallel_for(" in text for _, text, _ in units)  # from the entry or a kernel (a conv)
        if needs_pool:
            with _lock:
                _bind_thread_pool(target)
        arrays = len(self._lowered.plan.inputs) + len(self._lowered.plan.outputs)
        if _DATA_OFFSET is not None and arrays:  # the entry module also gets dfc_enter (see _enter_function)
            name, main, level = units[-1]
            units[-1] = (name, main + _enter_function(arrays), level)
        objs, self.from_cache = kernel_cache.objects(target, units)
        self.from_step_cache = False  # compiled here (from_cache: every module's object code was cached)
        self.image = _image(step, self._lowered, needs_pool, target, objs)
        self._link(target, objs)

    @classmethod
    def from_image(cls, image: StepImage, objects: list[bytes], rebuild: Callable[[], Graph]) -> CpuExecutable:
        """The step a StepImage describes, linked from its object code; `rebuild()` makes its step graph on demand."""
        self = cls.__new__(cls)
        target = cpu_target()
        target.check_runnable()
        with _lock:
            _bind_symbols()
            if image.needs_pool:
                _bind_thread_pool(target)
        self._step, self._lowered, self._rebuild = None, None, rebuild
        self.from_cache = self.from_step_cache = True
        self.image = image
        self.locked_variables = image.locked_variables  # what Session would otherwise read off the step graph
        self._link(target, objects)
        return self

    @property
    def step(self) -> Graph:
        if self._step is None:
            self._step = self._rebuild()
        return self._step

    @property
    def lowered(self) -> Lowered:
        if self._lowered is None:
            self._lowered = codegen.lower(self.step, blas_int_bits=_BLAS_INT_BITS, blas_threads=_BLAS_THREADS,
                                          blas_small=blas_small_kernel, target=cpu_target(), threads=NUM_THREADS)
        return self._lowered

    def _link(self, target: Target, objs: list[bytes]) -> None:
        """Link the object code and lay out the pointer array's template from self.image."""
        image = self.image
        with _lock:
            self._code = target.jit(objs)
        self._fn = _ENTRY(self._code.address("dfc_main"))
        self._nin = len(image.in_specs)
        arrays = self._nin + len(image.out_specs)
        self._enter = None
        if _DATA_OFFSET is not None and arrays:
            self._enter = ctypes.CFUNCTYPE(ctypes.c_int32, *[ctypes.c_void_p] * (1 + arrays))(
                self._code.address("dfc_enter"))
        self._in_specs = image.in_specs
        self._out_specs = image.out_specs
        self._pools: dict[int, list[np.ndarray]] = {
            k: [] for k, (shape, dtype) in enumerate(image.out_specs)
            if int(np.prod(shape, dtype=np.int64)) * dtype.itemsize >= REUSE_BYTES}
        self._constants = image.constants
        base = self._nin + len(image.out_specs)
        self._var_base = base
        self._variables = image.variables
        self._random_ops = image.random_ops
        slots = image.num_slots
        self._arena_slot, self._params_slot, self._params_at = slots - 2, slots - 1, slots
        self._template = np.zeros(slots + codegen.PARAM_RANDOM + len(self._random_ops), dtype=np.uint64)
        for k, c in enumerate(self._constants):
            self._template[base + len(image.variables) + k] = c.ctypes.data
        self._template[slots + codegen.PARAM_NTHREADS] = NUM_THREADS
        self._arena_size = image.arena_size
        self._local = threading.local()
        self._spare_arenas: list[np.ndarray] = []  # kept between runs: fresh pages fault on first write

    def _pointer_array(self) -> tuple[np.ndarray, int]:
        """This thread's pointer array (a copy of the template; its params slot points into itself) and its address.

        Each run rewrites every slot that changes between runs (inputs, outputs, variables,
        arena, random counters), so a thread reuses its array instead of copying the template.
        """
        ptrs = self._template.copy()
        base = data_address(ptrs)
        ptrs[self._params_slot] = base + 8 * self._params_at
        self._local.ptrs = (ptrs, base)
        return ptrs, base

    def __call__(self, args: Sequence[np.ndarray], ctx: ExecutionContext) -> list[np.ndarray]:
        # the per-run fast path (the seed's p + 4 spends about 2 us here): no copies, few lookups
        ptrs, base = getattr(self._local, "ptrs", None) or self._pointer_array()
        keep = None
        i = 0
        for a, (shape, dtype) in zip(args, self._in_specs):
            if a.dtype != dtype or a.shape != shape or not a.flags.c_contiguous:
                if a.shape != shape:
                    raise InvalidArgumentError(f"argument {i} has shape {list(a.shape)}, the step was compiled "
                                               f"for {list(shape)}")
                a = np.ascontiguousarray(a, dtype=dtype)
                keep = (keep or []) + [a]
                args = list(args[:i]) + [a] + list(args[i + 1:])
            i += 1
        if len(args) != self._nin:
            if i < self._nin:
                raise InvalidArgumentError(f"the step takes {self._nin} arguments, got {i}")
            args = args[:self._nin]
        try:
            if self._pools:
                outs = [self._output(k) if k in self._pools else np.empty(shape, dtype)
                        for k, (shape, dtype) in enumerate(self._out_specs)]
            else:
                outs = [np.empty(shape, dtype) for shape, dtype in self._out_specs]
        except (MemoryError, ValueError):
            raise self._out_of_memory() from None
        created = self._bind_variables(ptrs, ctx) if self._variables else ()
        arena = None
        if self._arena_size:
            try:  # list.pop is atomic: two threads running this step at once never share an arena
                arena = self._spare_arenas.pop()
            except IndexError:
                try:
                    arena = np.empty(self._arena_size + ALIGNMENT, dtype=np.uint8)
                except (MemoryError, ValueError):
                    raise self._out_of_memory() from None
            at = data_address(arena)
            ptrs[self._arena_slot] = at + (-at) % ALIGNMENT
        if self._random_ops:
            for k, op in enumerate(self._random_ops):
                ptrs[self._params_at + codegen.PARAM_RANDOM + k] = ctx.random_step(op)
        if self._enter is not None:  # dfc_enter stores the arrays' data pointers itself
            rc = self._enter(base, *map(id, args), *map(id, outs))
        else:
            address = data_address
            for k, a in enumerate(args):
                ptrs[k] = address(a)
            for k, out in enumerate(outs, self._nin):
                ptrs[k] = address(out)
            rc = self._fn(base)
        del keep
        if arena is not None:
            self._spare_arenas.append(arena)
        if rc:
            for name in created:
                ctx.session.store.forget(name)
            raise self._explained(self._error(rc, ptrs[self._params_at:]), rc, args, ctx)
        if self._pools:
            for k in self._pools:
                self._pools[k].append(outs[k])
        return outs

    def _output(self, k: int) -> np.ndarray:
        """A big output's array: last run's, when the caller has dropped every reference to it.

        Fresh pages of a large allocation cost a page fault each on first write, about as much
        as the kernel itself for a simple elementwise step. The pool keeps one reference; a
        count of 2 (the pool's, now the local, and getrefcount's argument) means nobody else
        holds it, not even a view. list.pop is atomic, so two threads never get the same array.
        """
        try:
            spare = self._pools[k].pop()
        except IndexError:
            spare = None
        if spare is not None and sys.getrefcount(spare) == 2:
            return spare
        shape, dtype = self._out_specs[k]
        return np.empty(shape, dtype)

    def _bind_variables(self, ptrs: np.ndarray, ctx: ExecutionContext) -> list[str]:
        session = getattr(ctx, "session", None)
        if session is None:  # a context without a VariableStore: let it raise its own error
            name, op = self._variables[0][:2]
            ctx.read_variable(name, op)
            raise InvalidArgumentError(f"op {op.describe()} uses variable {name} but no variables are attached", op)
        store = session.store
        created = []
        for k, (name, op, shape, dtype, only_assign) in enumerate(self._variables):
            if name not in store and op.type == "dfc.assign":
                store.write(name, np.zeros(shape, dtype), op)
                created.append(name)
            buf = store.buffer(name, op)
            if buf.shape != shape or buf.dtype != dtype:
                if only_assign:
                    store.write(name, np.zeros(shape, dtype), op)  # assign may change the shape
                    buf = store.buffer(name, op)
                else:
                    raise InvalidArgumentError(
                        f"op {op.describe()} uses variable {name} as {_tensor_text(shape, dtype)}, but it holds "
                        f"{list(buf.shape)} {buf.dtype}", op)
            ptrs[self._var_base + k] = data_address(buf)
        return created

    def _out_of_memory(self) -> ResourceExhaustedError:
        """TF's OOM error, naming the op whose result needs the most memory in this step."""
        message, op = self.image.oom
        return ResourceExhaustedError(message, op)

    def _explained(self, error: Exception, rc: int, args: Sequence[np.ndarray], ctx: ExecutionContext) -> Exception:
        """A failed assert's error with its data tensors' values, as TF's message shows them: native code names
        them only, so a step that changes nothing (no variable written, no random number drawn, nothing printed)
        is run again on the reference interpreter, whose error shows them. Else, or if that run does not fail
        at the same assert, `error` as it is."""
        op = self.image.errors[rc - 1][2]
        if op is None or op.type != "dfc.assert" or _UNSHOWN not in str(error):
            return error
        try:
            step = self.step
            ops = list(step.walk())
            if len(ops) > _EXPLAIN_MAX_OPS or any(get_op_def(o.type).stateful and o.type not in _REPEATABLE
                                                  for o in ops):
                return error
            interpret(step, list(args), ctx)
        except InvalidArgumentError as again:
            same = getattr(again, "op", None)
            if same is not None and same.name == op.name and _UNSHOWN not in str(again):
                return again
        except Exception:  # noqa: BLE001 - the native error stands; the second run only words it better
            pass
        return error

    def _error(self, rc: int, params: np.ndarray) -> Exception:
        params = params.view(np.int64)
        kind, message, op = self.image.errors[rc - 1]
        if kind == "gather_index":
            return InvalidArgumentError(f"op {op.describe()} failed: gather index out of range: "
                                        f"indices[{int(params[3])}] = {int(params[0])} is not in {message}", op)
        if kind == "row_index":
            return InvalidArgumentError(
                f"op {op.describe()} failed: row index {int(params[0])} is out of range {message}", op)
        if kind == "scatter_index":
            return InvalidArgumentError(
                f"op {op.describe()} failed: indices[{int(params[3])}] = {int(params[0])} {message}", op)
        return InvalidArgumentError(message, op)


def _tensor_text(shape: tuple[int, ...], dtype: np.dtype) -> str:
    """A variable's type as the IR prints it (tensor<2x3xf32>)."""
    return str(TensorType(as_dtype(dtype), shape))


def _image(step: Graph, lowered: Lowered, needs_pool: bool, target: Target, objs: list[bytes]) -> StepImage:
    """What running a freshly lowered step needs, as runtime/step_cache.py stores it."""
    from .session import locked_variables  # the session imports this module
    plan = lowered.plan
    variables = []
    touching: dict[str, list[Op]] = {}  # each variable's reads and writes, in one pass over the step
    for op in plan.items:
        if op.type == "dfc.variable":
            touching.setdefault(op.attrs["name"], []).append(op)
        elif get_op_def(op.type).writes_variable:
            touching.setdefault(op.attrs["variable"], []).append(op)
    for name in plan.variables:
        ops = touching[name]
        ttype = ops[0].result.type
        variables.append((name, ops[0], ttype.shape, ttype.dtype.np, all(op.type == "dfc.assign" for op in ops)))
    values = [v for op in plan.items for v in op.results if isinstance(v.type, TensorType) and v.type.is_static]
    biggest = max(values, key=lambda v: v.type.num_elements * v.type.dtype.itemsize, default=None)
    if biggest is None or biggest.op is None:
        oom = (f"OOM when allocating the {plan.arena_size}-byte scratch memory of a step", None)
    else:
        oom = (f"OOM when allocating tensor with shape {list(biggest.type.shape)} and type "
               f"{biggest.type.dtype.name} for op {biggest.op.describe()}", biggest.op)
    kernels = len(lowered.kernels)
    return StepImage(
        in_specs=[(v.type.shape, v.type.dtype.np) for v in plan.inputs],
        out_specs=[(v.type.shape, v.type.dtype.np) for v in plan.outputs],
        constants=plan.constants, variables=variables, random_ops=list(lowered.random_ops),
        errors=[(site.kind, site.message, site.op) for site in lowered.errors], num_slots=lowered.num_slots,
        arena_size=plan.arena_size, locked_variables=locked_variables(step), needs_pool=needs_pool, oom=oom,
        kernel_keys=[kernel_cache.unit_key(target, k.text, codegen.KERNEL_OPT_LEVEL) for k in lowered.kernels],
        entry_objects=objs[kernels:])
