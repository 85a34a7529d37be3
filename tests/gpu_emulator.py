"""A CPU emulation of the CUDA driver API and cuBLAS, so runtime/gpu.py's own code runs on machines without a GPU.

runtime/gpu.py reaches CUDA only through `_driver()` (cuda-bindings' `driver` module) and `_cublas()`
(cuBLAS's library and a handle); `EmulatedGpu.install(monkeypatch)` replaces both with the objects here.

What is emulated, and how:
  - memory: cuMemAlloc gives host memory between red zones, filled with 0xFF bytes (a NaN in every float
    type, -1 in every integer) as device memory is never zeroed; every copy, launch argument and GEMM
    operand must lie inside one live allocation, and the red zones are checked at each synchronization
    and free, so a kernel writing past its buffer is a fault, not silent corruption;
  - streams: asynchronous work (launches, async copies, GEMMs) is queued and runs at cuStreamSynchronize
    or at a synchronous copy (the legacy stream waits for blocking streams), so a runtime that reads
    results before synchronizing reads stale memory, as on a GPU;
  - kernels (tests/gpu_emulator_kernels.py): the emulator cannot run PTX. cuModuleLoadData receives the real
    PTX (emitted by the NVPTX backend as on a GPU) and takes each `.entry` it defines, or the cubin nvJitLink
    linked from it (runtime/nvjitlink.py) and takes its global functions if it is for the emulated device's
    architecture (else CUDA_ERROR_NO_BINARY_FOR_GPU, as a driver answers); the kernel's code comes
    from the LLVM module compiler/codegen/gpu.py emitted that PTX from (recorded when the runtime asks the
    program for its PTX), recompiled for the host: the NVPTX triple and data layout become the host's, the
    `llvm.nvvm.read.ptx.sreg.*` intrinsics, barriers and warp shuffles become calls into this module, and
    shared (addrspace 3) arrays become one host buffer per block, refilled with 0xFF bytes before every block.
    Kernels without barriers or shuffles run their threads one at a time in a shuffled order (a kernel whose
    result depends on the order of its threads fails); kernels with them run each block's threads as OS
    threads (the kernel call releases the GIL), blocks one after another. Thread indices, `bar.sync` (a futex
    barrier) and `shfl.sync` (an exchange among the warp's 32 threads between two warp barriers) are native
    code reached through a per-thread record (pthread TLS), so emulated kernels never take the GIL; a thread
    that never reaches a barrier its block waits at is a fault (after PATIENCE_S), not a hang, and LAG_US
    makes half the warps lag after each barrier so a missing barrier shows;
  - cuBLAS: cublasGemmEx in numpy on the device pointers (column-major, lda/ldb/ldc and their bounds
    checked, f16/bf16 operands with f32 arithmetic, alpha/beta read as the compute type says);
  - CUDA graphs: stream capture records the queued work; cuGraphLaunch replays the recording.
Faults are sticky as on a GPU: the call that observes one returns an error and every later call does too;
`faults` says what happened.

What it cannot prove: that the PTX itself is right (NVPTX's instruction selection, libdevice's math:
host libm computes exp/log/pow here), the GPU's memory model (no weak ordering between threads, no
visibility of another block's writes before a kernel ends), timing, occupancy and register limits.
"""

from __future__ import annotations

import ctypes
import enum
import functools
import re
import threading
import time
from collections.abc import Callable

import numpy as np

from dfc.compiler.codegen import gpu as codegen
from dfc.compiler.target import TargetError
from dfc.runtime import nvjitlink
from gpu_emulator_kernels import POISON, EmulatedKernel

RED_ZONE = 256  # bytes before and after every allocation
CANARY = 0xA5


class CUresult(enum.IntEnum):
    CUDA_SUCCESS = 0
    CUDA_ERROR_INVALID_VALUE = 1
    CUDA_ERROR_OUT_OF_MEMORY = 2
    CUDA_ERROR_NOT_INITIALIZED = 3
    CUDA_ERROR_INVALID_IMAGE = 200
    CUDA_ERROR_NO_BINARY_FOR_GPU = 209
    CUDA_ERROR_INVALID_HANDLE = 400
    CUDA_ERROR_NOT_FOUND = 500
    CUDA_ERROR_NOT_READY = 600
    CUDA_ERROR_ILLEGAL_ADDRESS = 700
    CUDA_ERROR_LAUNCH_FAILED = 719
    CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED = 900


class CUdevice_attribute(enum.IntEnum):
    CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1
    CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76


class CUstreamCaptureMode(enum.IntEnum):
    CU_STREAM_CAPTURE_MODE_GLOBAL = 0
    CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1
    CU_STREAM_CAPTURE_MODE_RELAXED = 2


class _Handle:
    """A driver object (stream, module, function, graph): int() gives its handle, as cuda-bindings' do."""

    _next = [0x1000]

    def __init__(self, kind: str):
        self.kind = kind
        _Handle._next[0] += 16
        self.handle = _Handle._next[0]

    def __int__(self) -> int:
        return self.handle

    def __repr__(self) -> str:
        return f"<emulated {self.kind} {self.handle:#x}>"


class _Fault(Exception):
    def __init__(self, code: CUresult, message: str):
        super().__init__(message)
        self.code = code


# ---- memory ----------------------------------------------------------------------------------------

class _Allocation:
    def __init__(self, nbytes: int):
        self.nbytes = nbytes
        self.storage = np.full(nbytes + 2 * RED_ZONE, POISON, np.uint8)
        self.storage[:RED_ZONE] = CANARY
        self.storage[RED_ZONE + nbytes:] = CANARY
        self.base = self.storage.ctypes.data + RED_ZONE

    def red_zones_intact(self) -> bool:
        s = self.storage
        return bool((s[:RED_ZONE] == CANARY).all() and (s[RED_ZONE + self.nbytes:] == CANARY).all())


#: which emulated driver made each live allocation: the runtime frees a buffer through whatever driver is
#: installed when the buffer is collected, which may be a later test's. Held strongly, so an allocation's
#: memory (and address) stays taken until the runtime frees it: a stale free never hits a newer allocation.
_OWNERS: dict[int, EmulatedDriver] = {}


class EmulatedDriver:
    """The subset of cuda-bindings' `driver` module runtime/gpu.py calls, on host memory and host threads."""

    CUresult = CUresult
    CUdevice_attribute = CUdevice_attribute
    CUstreamCaptureMode = CUstreamCaptureMode

    def __init__(self, sms: int = 1, compute_major: int = 9):
        self.sms = sms
        self.compute_major = compute_major
        self.allocations: dict[int, _Allocation] = {}
        self.sources: dict[str, str] = {}  # kernel symbol -> its LLVM module text (GpuProgram.kernels)
        self.kernels: dict[str, EmulatedKernel] = {}
        self.queues: dict[int, list[tuple[str, Callable[[], None]]]] = {0: []}
        self.captures: dict[int, list[tuple[str, Callable[[], None]]]] = {}
        self.faults: list[str] = []
        self.sticky: CUresult | None = None
        self.initialized = False
        self.calls: dict[str, int] = {}
        self.launches = 0
        self._lock = threading.RLock()
        #: frees asked for while another thread held the lock (see cuMemFree), done at the next call
        self._deferred_frees: list[int] = []
        #: whether cuModuleLoadData takes cubins (a driver older than the nvJitLink that linked them does not),
        #: and the architecture of each one it loaded
        self.accept_cubins = True
        self.cubins: list[str] = []

    # -- bookkeeping
    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def _fail(self, code: CUresult, message: str) -> tuple:
        self.faults.append(message)
        if code in (CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, CUresult.CUDA_ERROR_LAUNCH_FAILED):
            self.sticky = code
        return (code,)

    def _guard(self, name: str, body: Callable[[], tuple]) -> tuple:
        with self._lock:
            while self._deferred_frees and not self.captures:  # a free synchronizes: never inside a capture
                self._free_now(self._deferred_frees.pop())
            self._count(name)
            if not self.initialized and name not in ("cuInit", "cuGetErrorName"):
                return (CUresult.CUDA_ERROR_NOT_INITIALIZED,)
            if self.sticky is not None and name not in ("cuGetErrorName", "cuMemFree"):
                return (self.sticky,)
            try:
                return body()
            except _Fault as f:
                return self._fail(f.code, f"{name}: {f}")

    def allocation(self, ptr: int, nbytes: int, what: str) -> _Allocation:
        """The live allocation holding [ptr, ptr + nbytes), else a fault naming `what`."""
        ptr = int(ptr)
        for alloc in self.allocations.values():
            if alloc.base <= ptr and ptr + nbytes <= alloc.base + alloc.nbytes:
                return alloc
        raise _Fault(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS,
                     f"{what}: [{ptr:#x}, +{nbytes}) is not inside one live device allocation")

    def _check_red_zones(self, when: str) -> None:
        for alloc in self.allocations.values():
            if not alloc.red_zones_intact():
                raise _Fault(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS,
                             f"{when}: memory just outside the {alloc.nbytes}-byte allocation at {alloc.base:#x} "
                             "was written (a kernel wrote out of bounds)")

    def _enqueue(self, stream, what: str, work: Callable[[], None]) -> None:
        key = int(stream or 0)
        if key in self.captures:
            self.captures[key].append((what, work))
            return
        if key not in self.queues:
            raise _Fault(CUresult.CUDA_ERROR_INVALID_HANDLE, f"{what} on an unknown stream {stream!r}")
        self.queues[key].append((what, work))

    def _flush(self, keys=None) -> None:
        if any(k in self.captures for k in (keys if keys is not None else self.queues)):
            raise _Fault(CUresult.CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "synchronizing a stream being captured")
        for key in list(self.queues) if keys is None else keys:
            queue = self.queues[key]
            while queue:
                what, work = queue.pop(0)
                work()
                self._check_red_zones(what)

    # -- initialization, devices, contexts
    def cuInit(self, flags: int) -> tuple:
        def body():
            self.initialized = True
            return (CUresult.CUDA_SUCCESS,)
        return self._guard("cuInit", body)

    def cuGetErrorName(self, err) -> tuple:
        return (CUresult.CUDA_SUCCESS, CUresult(int(err)).name.encode())

    def cuDriverGetVersion(self) -> tuple:
        return self._guard("cuDriverGetVersion", lambda: (CUresult.CUDA_SUCCESS, 13000))

    def cuDeviceGetCount(self) -> tuple:
        return self._guard("cuDeviceGetCount", lambda: (CUresult.CUDA_SUCCESS, 1))

    def cuDeviceGet(self, ordinal: int) -> tuple:
        def body():
            if ordinal != 0:
                raise _Fault(CUresult.CUDA_ERROR_INVALID_VALUE, f"no device {ordinal}")
            return (CUresult.CUDA_SUCCESS, _Handle("device"))
        return self._guard("cuDeviceGet", body)

    def cuDeviceGetName(self, length: int, device) -> tuple:
        name = b"dfc emulated GPU"
        return self._guard("cuDeviceGetName", lambda: (CUresult.CUDA_SUCCESS, name + b"\0" * (length - len(name))))

    def cuDeviceGetAttribute(self, attr, device) -> tuple:
        values = {CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: self.sms,
                  CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: self.compute_major,
                  CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: 0,
                  CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: 1024}
        return self._guard("cuDeviceGetAttribute", lambda: (CUresult.CUDA_SUCCESS, values[attr]))

    def cuDevicePrimaryCtxRetain(self, device) -> tuple:
        return self._guard("cuDevicePrimaryCtxRetain", lambda: (CUresult.CUDA_SUCCESS, _Handle("context")))

    def cuCtxSetCurrent(self, context) -> tuple:
        return self._guard("cuCtxSetCurrent", lambda: (CUresult.CUDA_SUCCESS,))

    def cuCtxSynchronize(self) -> tuple:
        def body():
            self._flush()
            return (CUresult.CUDA_SUCCESS,)
        return self._guard("cuCtxSynchronize", body)

    # -- streams
    def cuStreamCreate(self, flags: int) -> tuple:
        def body():
            stream = _Handle("stream")
            self.queues[int(stream)] = []
            return (CUresult.CUDA_SUCCESS, stream)
        return self._guard("cuStreamCreate", body)

    def cuStreamSynchronize(self, stream) -> tuple:
        def body():
            self._flush([int(stream or 0)])
            return (CUresult.CUDA_SUCCESS,)
        return self._guard("cuStreamSynchronize", body)

    # -- events: a record is stream work that reads the host clock when the stream runs it
    def cuEventCreate(self, flags: int) -> tuple:
        def body():
            event = _Handle("event")
            event.time = None  # type: ignore[attr-defined]
            event.stream = 0  # type: ignore[attr-defined]
            return (CUresult.CUDA_SUCCESS, event)
        return self._guard("cuEventCreate", body)

    def cuEventRecord(self, event, stream) -> tuple:
        def body():
            event.time, event.stream = None, int(stream or 0)

            def record():
                event.time = time.perf_counter()
            self._enqueue(stream, "event record", record)
            return (CUresult.CUDA_SUCCESS,)
        return self._guard("cuEventRecord", body)

    def cuEventSynchronize(self, event) -> tuple:
        def body():
            self._flush([event.stream])
            return (CUresult.CUDA_SUCCESS,)
        return self._guard("cuEventSynchronize", body)

    def cuEventElapsedTime(self, start, stop) -> tuple:
        def body():
            if start.time is None or stop.time is None:
                raise _Fault(CUresult.CUDA_ERROR_NOT_READY, "cuEventElapsedTime of an event not yet completed")
            return (CUresult.CUDA_SUCCESS, (stop.time - start.time) * 1000.0)
        return self._guard("cuEventElapsedTime", body)

    def cuEventDestroy(self, event) -> tuple:
        return self._guard("cuEventDestroy", lambda: (CUresult.CUDA_SUCCESS,))

    # -- memory
    def cuMemAlloc(self, nbytes: int) -> tuple:
        def body():
            if nbytes <= 0:
                raise _Fault(CUresult.CUDA_ERROR_INVALID_VALUE, f"cuMemAlloc of {nbytes} bytes")
            alloc = _Allocation(int(nbytes))
            self.allocations[alloc.base] = alloc
            _OWNERS[alloc.base] = self
            return (CUresult.CUDA_SUCCESS, alloc.base)
        return self._guard("cuMemAlloc", body)

    def cuMemFree(self, ptr) -> tuple:
        owner = _OWNERS.get(int(ptr))
        if owner is not None and owner is not self:  # a buffer of an earlier test's emulator, collected now
            return owner.cuMemFree(ptr)

        # A buffer's finalizer can run on any thread, among them the threads a kernel launch starts while
        # another thread holds the lock (and waits for them to start): waiting here would deadlock, so the
        # free is left to the next call. A real driver does not hold a lock while kernels run.
        if not self._lock.acquire(blocking=False):
            self._deferred_frees.append(int(ptr))
            return (CUresult.CUDA_SUCCESS,)
        try:
            return self._free_now(ptr)
        finally:
            self._lock.release()

    def _free_now(self, ptr) -> tuple:
        def body():
            self._flush()  # cuMemFree waits for the work that may still use the memory
            alloc = self.allocations.pop(int(ptr), None)
            _OWNERS.pop(int(ptr), None)
            if alloc is None:
                raise _Fault(CUresult.CUDA_ERROR_INVALID_VALUE, f"cuMemFree of {int(ptr):#x}, not an allocation")
            if not alloc.red_zones_intact():
                raise _Fault(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, f"the allocation freed at {alloc.base:#x} was "
                             "written out of bounds")
            return (CUresult.CUDA_SUCCESS,)
        return self._guard("cuMemFree", body)

    def _copy_work(self, dst: int, src: int, nbytes: int, kind: str) -> Callable[[], None]:
        dst, src, nbytes = int(dst), int(src), int(nbytes)
        if kind[0] == "D":
            self.allocation(src, nbytes, f"cuMemcpy{kind} source")
        if kind[-1] == "D":
            self.allocation(dst, nbytes, f"cuMemcpy{kind} destination")
        return lambda: ctypes.memmove(dst, src, nbytes)

    def _sync_copy(self, kind: str, dst, src, nbytes) -> tuple:
        def body():
            work = self._copy_work(dst, src, nbytes, kind)
            self._flush()  # synchronous copies run on the legacy stream, after the blocking streams' work
            work()
            return (CUresult.CUDA_SUCCESS,)
        return self._guard(f"cuMemcpy{kind}", body)

    def _async_copy(self, kind: str, dst, src, nbytes, stream) -> tuple:
        def body():
            self._enqueue(stream, f"cuMemcpy{kind}Async", self._copy_work(dst, src, nbytes, kind))
            return (CUresult.CUDA_SUCCESS,)
        return self._guard(f"cuMemcpy{kind}Async", body)

    def cuMemcpyHtoD(self, dst, src, nbytes) -> tuple:
        return self._sync_copy("HtoD", dst, src, nbytes)

    def cuMemcpyDtoH(self, dst, src, nbytes) -> tuple:
        return self._sync_copy("DtoH", dst, src, nbytes)

    def cuMemcpyDtoD(self, dst, src, nbytes) -> tuple:
        return self._sync_copy("DtoD", dst, src, nbytes)

    def cuMemcpyHtoDAsync(self, dst, src, nbytes, stream) -> tuple:
        return self._async_copy("HtoD", dst, src, nbytes, stream)

    def cuMemcpyDtoHAsync(self, dst, src, nbytes, stream) -> tuple:
        return self._async_copy("DtoH", dst, src, nbytes, stream)

    def cuMemcpyDtoDAsync(self, dst, src, nbytes, stream) -> tuple:
        return self._async_copy("DtoD", dst, src, nbytes, stream)

    def cuMemsetD8Async(self, dst, value, count, stream) -> tuple:
        def body():
            self.allocation(dst, count, "cuMemsetD8Async")
            self._enqueue(stream, "cuMemsetD8Async", lambda: ctypes.memset(int(dst), int(value), int(count)))
            return (CUresult.CUDA_SUCCESS,)
        return self._guard("cuMemsetD8Async", body)

    # -- modules and launches
    def cuModuleLoadData(self, image) -> tuple:
        def body():
            data = bytes(image)
            if data.startswith(b"\x7fELF"):  # a cubin (runtime/nvjitlink.py): its global functions, for this arch
                if not self.accept_cubins:
                    return (CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU,)
                try:
                    arch, entries = nvjitlink.elf_kernels(data)
                except ValueError as e:
                    raise _Fault(CUresult.CUDA_ERROR_INVALID_IMAGE, f"a bad cubin: {e}") from None
                if arch != f"sm_{self.compute_major}0":
                    return (CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU,)
                self.cubins.append(arch)
            else:
                text = data.rstrip(b"\0").decode()
                entries = re.findall(r"^\.visible \.entry (\w+)\(", text, re.M)
            if not entries:
                raise _Fault(CUresult.CUDA_ERROR_INVALID_IMAGE, "the image defines no kernel entry")
            module = _Handle("module")
            module.entries = sorted(entries)  # type: ignore[attr-defined]
            return (CUresult.CUDA_SUCCESS, module)
        return self._guard("cuModuleLoadData", body)

    def cuModuleGetFunction(self, module, name) -> tuple:
        def body():
            symbol = name.decode() if isinstance(name, bytes) else str(name)
            if symbol not in getattr(module, "entries", ()):
                raise _Fault(CUresult.CUDA_ERROR_NOT_FOUND, f"the module defines no kernel {symbol}")
            if symbol not in self.sources:
                raise _Fault(CUresult.CUDA_ERROR_NOT_FOUND, f"the emulator has no LLVM module for kernel {symbol}")
            if symbol not in self.kernels:
                self.kernels[symbol] = EmulatedKernel(symbol, self.sources[symbol])
            function = _Handle("function")
            function.kernel = self.kernels[symbol]  # type: ignore[attr-defined]
            return (CUresult.CUDA_SUCCESS, function)
        return self._guard("cuModuleGetFunction", body)

    def cuLaunchKernel(self, f, gx, gy, gz, bx, by, bz, shared_bytes, stream, params, extra) -> tuple:
        def body():
            kernel: EmulatedKernel | None = getattr(f, "kernel", None)
            if kernel is None:
                raise _Fault(CUresult.CUDA_ERROR_INVALID_HANDLE, f"cuLaunchKernel of {f!r}, not a function")
            if (gy, gz, by, bz) != (1, 1, 1, 1) or not (0 < gx < 2**31 and 0 < bx <= 1024):
                raise _Fault(CUresult.CUDA_ERROR_INVALID_VALUE,
                             f"launch of {kernel.symbol} with grid ({gx},{gy},{gz}) and block ({bx},{by},{bz})")
            values, types = params
            if [t for t in types] != kernel.param_types:
                raise _Fault(CUresult.CUDA_ERROR_INVALID_VALUE,
                             f"{kernel.symbol} takes ({', '.join(t.__name__ for t in kernel.param_types)}), "
                             f"launched with ({', '.join(getattr(t, '__name__', str(t)) for t in types)})")
            args = []
            for k, (value, ctype) in enumerate(zip(values, types)):
                if ctype is ctypes.c_void_p:
                    self.allocation(int(value), 0, f"argument {k} of {kernel.symbol}")
                args.append(ctype(value))
            seed = self.launches
            self.launches += 1

            def work():
                faults = kernel.run(int(gx), int(bx), args, seed)
                if faults:
                    raise _Fault(CUresult.CUDA_ERROR_LAUNCH_FAILED, f"kernel {kernel.symbol}: {'; '.join(faults)}")
            self._enqueue(stream, f"kernel {kernel.symbol}", work)
            return (CUresult.CUDA_SUCCESS,)
        return self._guard("cuLaunchKernel", body)

    # -- CUDA graphs: capture records the queued work, a launch replays it
    def cuStreamBeginCapture(self, stream, mode=0) -> tuple:
        def body():
            key = int(stream or 0)
            if key == 0 or key in self.captures:
                raise _Fault(CUresult.CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "capture of this stream")
            self.captures[key] = []
            return (CUresult.CUDA_SUCCESS,)
        return self._guard("cuStreamBeginCapture", body)

    def cuStreamEndCapture(self, stream) -> tuple:
        def body():
            work = self.captures.pop(int(stream or 0), None)
            if work is None:
                raise _Fault(CUresult.CUDA_ERROR_INVALID_VALUE, "the stream is not being captured")
            graph = _Handle("graph")
            graph.work = work  # type: ignore[attr-defined]
            return (CUresult.CUDA_SUCCESS, graph)
        return self._guard("cuStreamEndCapture", body)

    def cuGraphInstantiate(self, graph, flags=0) -> tuple:
        def body():
            executable = _Handle("graph_exec")
            executable.work = list(graph.work)  # type: ignore[attr-defined]
            return (CUresult.CUDA_SUCCESS, executable)
        return self._guard("cuGraphInstantiate", body)

    def cuGraphLaunch(self, executable, stream) -> tuple:
        def body():
            for what, work in executable.work:
                self._enqueue(stream, f"graph node {what}", work)
            return (CUresult.CUDA_SUCCESS,)
        return self._guard("cuGraphLaunch", body)

    def cuGraphDestroy(self, graph) -> tuple:
        return self._guard("cuGraphDestroy", lambda: (CUresult.CUDA_SUCCESS,))

    def cuGraphExecDestroy(self, executable) -> tuple:
        return self._guard("cuGraphExecDestroy", lambda: (CUresult.CUDA_SUCCESS,))


# ---- cuBLAS ----------------------------------------------------------------------------------------

_CUDA_TYPES = {0: np.float32, 1: np.float64, 2: np.float16, 14: "bf16"}
_COMPUTE_SCALAR = {68: ctypes.c_float, 70: ctypes.c_double}  # CUBLAS_COMPUTE_32F, CUBLAS_COMPUTE_64F
CUBLAS_STATUS_INVALID_VALUE = 7
CUBLAS_STATUS_NOT_SUPPORTED = 15


def _scalar(arg, ctype) -> float:
    obj = getattr(arg, "_obj", arg)  # ctypes.byref(x) keeps x as _obj
    if isinstance(obj, ctypes._SimpleCData):
        if type(obj) is not ctype:
            raise ValueError(f"alpha/beta is {type(obj).__name__}, the compute type needs {ctype.__name__}")
        return float(obj.value)
    return float(ctype.from_address(int(obj)).value)


class _GemmEx:
    """cublasGemmEx: C = alpha op(A) op(B) + beta C, column-major, queued on the handle's stream."""

    argtypes: list | None = None

    def __init__(self, blas: EmulatedCublas):
        self.blas = blas

    def __call__(self, handle, transa, transb, m, n, k, alpha, A, atype, lda, B, btype, ldb, beta, C, ctype_, ldc,
                 compute, algo) -> int:
        drv = self.blas.driver
        with drv._lock:
            drv._count("cublasGemmEx")
            if drv.sticky is not None:
                return 13  # CUBLAS_STATUS_EXECUTION_FAILED
            types = [_CUDA_TYPES.get(t) for t in (atype, btype, ctype_)]
            if None in types or len({str(t) for t in types}) != 1 or compute not in _COMPUTE_SCALAR:
                return CUBLAS_STATUS_NOT_SUPPORTED
            dtype = types[0]
            if (dtype is np.float64) != (compute == 70) or transa not in (0, 1) or transb not in (0, 1):
                return CUBLAS_STATUS_NOT_SUPPORTED
            rows_a, cols_a = (m, k) if transa == 0 else (k, m)
            rows_b, cols_b = (k, n) if transb == 0 else (n, k)
            if min(m, n, k) < 0 or lda < max(1, rows_a) or ldb < max(1, rows_b) or ldc < max(1, m):
                return CUBLAS_STATUS_INVALID_VALUE
            try:
                a_scale = _scalar(alpha, _COMPUTE_SCALAR[compute])
                b_scale = _scalar(beta, _COMPUTE_SCALAR[compute])
            except ValueError as e:
                drv.faults.append(f"cublasGemmEx: {e}")
                return CUBLAS_STATUS_INVALID_VALUE
            size = 8 if dtype is np.float64 else 4 if dtype is np.float32 else 2
            try:
                for ptr, rows, cols, ld, what in ((A, rows_a, cols_a, lda, "A"), (B, rows_b, cols_b, ldb, "B"),
                                                  (C, m, n, ldc, "C")):
                    if rows and cols:
                        drv.allocation(int(ptr), ((cols - 1) * ld + rows) * size, f"cublasGemmEx's {what}")
            except _Fault as f:
                drv._fail(f.code, str(f))
                return CUBLAS_STATUS_INVALID_VALUE
            args = (int(A), int(B), int(C), m, n, k, lda, ldb, ldc, transa, transb, a_scale, b_scale, dtype)
            try:
                drv._enqueue(self.blas.stream, "cublasGemmEx", lambda: _gemm(*args))
            except _Fault as f:
                drv._fail(f.code, str(f))
                return CUBLAS_STATUS_INVALID_VALUE
            return 0


def _matrix(ptr: int, rows: int, cols: int, ld: int, dtype) -> np.ndarray:
    """A column-major rows x cols matrix at ptr (leading dimension ld), as float32/float64 values."""
    storage = np.uint16 if dtype == "bf16" else dtype
    itemsize = np.dtype(storage).itemsize
    count = (cols - 1) * ld + rows if rows and cols else 0
    flat = np.ctypeslib.as_array((ctypes.c_char * (count * itemsize)).from_address(ptr)).view(storage) if count \
        else np.zeros(0, storage)
    view = np.lib.stride_tricks.as_strided(flat, (rows, cols), (itemsize, ld * itemsize)) if count \
        else np.zeros((rows, cols), storage)
    if dtype == "bf16":
        return (view.astype(np.uint32) << 16).view(np.float32)
    return view.astype(np.float64 if dtype is np.float64 else np.float32)


def _gemm(A, B, C, m, n, k, lda, ldb, ldc, ta, tb, alpha, beta, dtype) -> None:
    a = _matrix(A, *((m, k) if ta == 0 else (k, m)), lda, dtype)
    b = _matrix(B, *((k, n) if tb == 0 else (n, k)), ldb, dtype)
    a = a if ta == 0 else a.T
    b = b if tb == 0 else b.T
    result = alpha * (a @ b)
    if beta != 0.0:
        result = result + beta * _matrix(C, m, n, ldc, dtype)
    if not (m and n):
        return
    storage = np.uint16 if dtype == "bf16" else dtype
    itemsize = np.dtype(storage).itemsize
    flat = np.ctypeslib.as_array((ctypes.c_char * (((n - 1) * ldc + m) * itemsize)).from_address(C)).view(storage)
    out = np.lib.stride_tricks.as_strided(flat, (m, n), (itemsize, ldc * itemsize))
    if dtype == "bf16":
        bits = result.astype(np.float32).view(np.uint32)
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16  # round to nearest even
        out[...] = rounded.astype(np.uint16)
    else:
        out[...] = result.astype(storage)


class EmulatedCublas:
    """What runtime/gpu.py's `_cublas()` returns the library for: cublasSetStream_v2 and cublasGemmEx."""

    def __init__(self, driver: EmulatedDriver):
        self.driver = driver
        self.stream = None
        self.cublasGemmEx = _GemmEx(self)

    def cublasCreate_v2(self, handle_ref) -> int:
        return 0

    def cublasSetStream_v2(self, handle, stream) -> int:
        self.stream = getattr(stream, "value", stream) or 0
        return 0


# ---- installing it ---------------------------------------------------------------------------------

#: PTX by kernel symbol (a hash of the kernel's module and target): emitted once per process
_PTX_CACHE: dict[str, str] = {}


class EmulatedGpu:
    """The emulated driver and cuBLAS, installed into runtime/gpu.py for one test (see tests/conftest.py)."""

    def __init__(self, sms: int = 1, compute_major: int = 9):
        self.driver = EmulatedDriver(sms, compute_major)
        self.cublas = EmulatedCublas(self.driver)
        self.handle = ctypes.c_void_p(0xB1A5)

    @property
    def faults(self) -> list[str]:
        return self.driver.faults

    def install(self, monkeypatch) -> None:
        from dfc.runtime import gpu as gpu_runtime  # noqa: PLC0415

        original_ptx = codegen.GpuProgram.ptx
        sources = self.driver.sources

        def ptx(program: codegen.GpuProgram, objects=None) -> dict[str, str]:
            for unit in program.kernels:
                sources[unit.symbol] = unit.text
            if objects is not None:  # the runtime's kernel cache: real PTX where libdevice is there
                try:
                    return original_ptx(program, objects)
                except RuntimeError as e:  # TargetError here, or a worker process's report of one
                    if "libdevice" not in str(e):
                        raise
            missing = [k for k in program.kernels if k.symbol not in _PTX_CACHE]
            if missing:
                try:
                    _PTX_CACHE.update(original_ptx(codegen.GpuProgram(missing, [], program.plan, [], [],
                                                                      target=program.target)))
                except TargetError as e:
                    if "libdevice" not in str(e):
                        raise
                    # no CUDA libdevice on this machine: the real PTX cannot be emitted for kernels calling
                    # math; the emulator runs the LLVM module anyway, and an entry declaration stands in
                    return {k.symbol: _PTX_CACHE.get(k.symbol) or f"// emulator: no PTX ({e})\n"
                            f".visible .entry {k.symbol}(\n" for k in program.kernels}
            return {k.symbol: _PTX_CACHE[k.symbol] for k in program.kernels}

        monkeypatch.setattr(codegen.GpuProgram, "ptx", ptx)
        monkeypatch.setattr(gpu_runtime, "_driver", lambda: self.driver)
        monkeypatch.setattr(gpu_runtime, "_cublas", lambda: (self.cublas, self.handle))
        monkeypatch.setattr(gpu_runtime.Context, "_instance", None)
        monkeypatch.setattr(gpu_runtime, "_resident", type(gpu_runtime._resident)())
        monkeypatch.setattr(gpu_runtime, "_probe", functools.cache(gpu_runtime._probe.__wrapped__))

    def check(self) -> None:
        """Fail when a fault happened or memory around a live allocation was written."""
        try:
            self.driver._check_red_zones("the end of the test")
        except _Fault as f:
            self.driver.faults.append(str(f))
        assert not self.driver.faults, "the emulated GPU saw faults:\n" + "\n".join(self.driver.faults)

