"""The GPU runtime: one CUDA context per process (driver API through cuda-bindings), kernels loaded from PTX,
variables resident in device memory across runs, GEMMs through cuBLAS, fetched values returned as numpy.

Everything CUDA is imported lazily: without cuda-bindings or a GPU, `device_count()` is 0 and
`require_device()` says why. `GpuExecutable(step)` runs a step lowered by compiler/codegen/gpu.py:
it replays the program's host steps (launches, copies, GEMMs) on one stream and synchronizes once.

Variables live on the device, one buffer per (VariableStore, name), uploaded from the store
when first used or when the store's host buffer was replaced, and copied back into the store's
host buffer after a run that updates them, so checkpoints and other backends see the values.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import math
import os
import threading
import weakref
from collections.abc import Sequence

import numpy as np

from dfc.compiler.codegen import gpu as codegen
from dfc.compiler import target as _target
from dfc.compiler.target import TargetError, nvptx_target
from dfc.ir.errors import InvalidArgumentError
from dfc.ir.graph import Graph
from dfc.ir.ops import get_op_def

from . import kernel_cache, nvjitlink

_lock = threading.Lock()


class GpuUnavailable(TargetError):
    """This process cannot use a GPU: no cuda-bindings, no driver, or no device."""


class CudaError(RuntimeError):
    """A CUDA driver or cuBLAS call failed."""


@functools.cache
def _driver():
    try:
        from cuda.bindings import driver  # noqa: PLC0415
    except ImportError:
        try:
            from cuda import cuda as driver  # noqa: PLC0415 - cuda-python before 12.6
        except ImportError:
            raise GpuUnavailable("the GPU runtime needs cuda-bindings: pip install 'dfc[gpu]'") from None
    return driver


def _check(result):
    """The values of a driver call's (error, *values) result; raises CudaError unless it succeeded."""
    err, *values = result if isinstance(result, tuple) else (result,)
    drv = _driver()
    if err != drv.CUresult.CUDA_SUCCESS:
        _, name = drv.cuGetErrorName(err)
        raise CudaError(f"CUDA driver error {name.decode() if isinstance(name, bytes) else name}")
    return values[0] if len(values) == 1 else values


@functools.cache
def _probe() -> tuple[int, str]:
    """(GPUs in this process, why none when 0)."""
    try:
        drv = _driver()
        _check(drv.cuInit(0))
        return int(_check(drv.cuDeviceGetCount())), "no CUDA device is visible"
    except GpuUnavailable as e:
        return 0, str(e)
    except Exception as e:  # noqa: BLE001 - no driver, or a driver without a device: no GPU, and why
        return 0, f"CUDA is not usable here: {e}"


#: how many GPUs tf.config.set_visible_devices leaves visible (None: all of them)
visible_limit: int | None = None


def device_count() -> int:
    """How many GPUs this process can use (0 without cuda-bindings, a driver or a device, or with none visible)."""
    count = _probe()[0]
    return count if visible_limit is None else min(count, visible_limit)


def device_details(ordinal: int) -> dict:
    """tf.config.experimental.get_device_details of a GPU: its name and compute capability."""
    drv = _driver()
    device = _check(drv.cuDeviceGet(ordinal))
    name = _check(drv.cuDeviceGetName(256, device))
    name = (name.decode() if isinstance(name, bytes) else str(name)).split("\x00", 1)[0]
    attr = drv.CUdevice_attribute
    major = _check(drv.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device))
    minor = _check(drv.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device))
    return {"compute_capability": (int(major), int(minor)), "device_name": name}


def require_device() -> None:
    count, why = _probe()
    if not count:
        raise GpuUnavailable(f"no GPU: {why}")


_target.DEVICE_CHECK["nvptx"] = require_device


class Context:
    """The process's CUDA context on GPU 0 (its primary context) and a stream to run steps on."""

    _instance: Context | None = None

    def __init__(self):
        require_device()
        drv = _driver()
        self.device = _check(drv.cuDeviceGet(0))
        self.context = _check(drv.cuDevicePrimaryCtxRetain(self.device))
        _check(drv.cuCtxSetCurrent(self.context))
        attr = drv.CUdevice_attribute
        major = _check(drv.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, self.device))
        minor = _check(drv.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, self.device))
        self.sms = _check(drv.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, self.device))
        self.arch = "sm_90" if major >= 9 else "sm_80"  # the PTX's target
        self.sm = f"sm_{major}{minor}"  # the device's own architecture: what nvJitLink links the PTX for
        nvjitlink.DRIVER_MAJOR[0] = int(_check(drv.cuDriverGetVersion())) // 1000  # 12080: CUDA 12.8
        self.stream = _check(drv.cuStreamCreate(0))
        self.modules: dict[str, object] = {}  # kernel symbol -> CUfunction, loaded once per process
        self.cubins_loaded = 0  # kernels loaded from nvJitLink's cubins (the others: PTX, JIT-compiled by the driver)

    @classmethod
    def get(cls) -> Context:
        with _lock:
            if cls._instance is None:
                cls._instance = Context()
            _check(_driver().cuCtxSetCurrent(cls._instance.context))  # this thread uses the process's context
            return cls._instance

    def function(self, symbol: str, ptx: str, cubin: bytes | None = None):
        """The kernel `symbol`, loaded once: from its cubin when there is one and the driver takes it (a driver
        older than the nvJitLink that made it refuses it), else from its PTX."""
        fn = self.modules.get(symbol)
        if fn is None:
            module = None
            if cubin is not None:
                try:
                    module = _check(_driver().cuModuleLoadData(cubin))
                    self.cubins_loaded += 1
                except CudaError:
                    module = None
            if module is None:
                module = _check(_driver().cuModuleLoadData(ptx.encode() + b"\0"))
            fn = _check(_driver().cuModuleGetFunction(module, symbol.encode()))
            self.modules[symbol] = fn
        return fn


class DeviceBuffer:
    """Device memory of `nbytes` (at least 1), freed with this object."""

    def __init__(self, nbytes: int):
        self.nbytes = nbytes
        self.ptr = int(_check(_driver().cuMemAlloc(max(nbytes, 1))))
        weakref.finalize(self, _free, self.ptr)

    def upload(self, array: np.ndarray, stream=None) -> None:
        a = np.ascontiguousarray(array)
        _check(_driver().cuMemcpyHtoD(self.ptr, a.ctypes.data, a.nbytes))

    def download(self, shape, dtype) -> np.ndarray:
        out = np.empty(shape, dtype)
        if out.nbytes:
            _check(_driver().cuMemcpyDtoH(out.ctypes.data, self.ptr, out.nbytes))
        return out


#: CUDA graph captures in progress in this process, and the frees asked for meanwhile
_capturing = [0]
_capturing_lock = threading.Lock()  # for the count's updates (the frees only read it: a finalizer never waits)
_pending_frees: list[int] = []


def _free(ptr: int) -> None:
    """Free device memory, or, while a capture is in progress, as soon as it ends: a buffer's finalizer runs
    whenever Python collects it, on any thread, and cuMemFree (which waits for the device) during a stream
    capture fails and invalidates the capture."""
    _pending_frees.append(ptr)
    if not _capturing[0]:
        _free_pending()


def _free_pending() -> None:
    while _pending_frees and not _capturing[0]:
        try:
            ptr = _pending_frees.pop()
        except IndexError:  # another thread took the last one
            return
        try:
            _driver().cuMemFree(ptr)
        except Exception:  # noqa: BLE001 - at interpreter exit the driver may be gone already
            pass


# ---- cuBLAS (the nvidia-cublas wheel's library, through ctypes) ------------------------------------

_CUDA_R = {"f32": 0, "f64": 1, "f16": 2, "bf16": 14}  # cudaDataType
_COMPUTE = {"f32": 68, "f64": 70, "f16": 68, "bf16": 68}  # cublasComputeType_t: 32F, 64F (half types in f32)


@functools.cache
def _cublas():
    names = []
    try:
        import nvidia.cublas  # noqa: PLC0415

        for base in nvidia.cublas.__path__:
            names += sorted(glob.glob(os.path.join(base, "lib", "libcublas.so*")))
    except ImportError:
        pass
    names += ["libcublas.so", "libcublas.so.13", "libcublas.so.12"]
    for name in names:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    else:
        raise GpuUnavailable("cuBLAS is not installed: pip install 'dfc[gpu]' (nvidia-cublas)")
    handle = ctypes.c_void_p()
    if lib.cublasCreate_v2(ctypes.byref(handle)):
        raise CudaError("cublasCreate failed")
    lib.cublasGemmEx.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                 ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                 ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                 ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    return lib, handle


def _gemm(call: codegen.GemmCall, resolve, stream) -> None:
    """Row-major C = op(A) @ op(B) as cuBLAS's column-major C^T = op(B)^T @ op(A)^T, per batch matrix."""
    lib, handle = _cublas()
    lib.cublasSetStream_v2(handle, ctypes.c_void_p(int(stream)))
    size = {"f32": 4, "f64": 8, "f16": 2, "bf16": 2}[call.dtype]
    one, zero = (ctypes.c_double(1.0), ctypes.c_double(0.0)) if call.dtype == "f64" else \
        (ctypes.c_float(1.0), ctypes.c_float(0.0))
    kind = _CUDA_R[call.dtype]
    a, b, c = resolve(call.a), resolve(call.b), resolve(call.c)
    for a_off, b_off, c_off in call.offsets:
        status = lib.cublasGemmEx(handle, int(call.tb), int(call.ta), call.n, call.m, call.k, ctypes.byref(one),
                                  b + b_off * size, kind, call.ldb, a + a_off * size, kind, call.lda,
                                  ctypes.byref(zero), c + c_off * size, kind, call.n, _COMPUTE[call.dtype], -1)
        if status:
            raise CudaError(f"cublasGemmEx failed with status {status}")


# ---- a compiled step -------------------------------------------------------------------------------

#: the blocks a grid-stride kernel launches at most, per multiprocessor
BLOCKS_PER_SM = 32
#: replay a step's launches, copies and GEMMs as one CUDA graph (captured on its first run); DFC_CUDA_GRAPHS=0
#: enqueues them one by one on every run instead
CUDA_GRAPHS = os.environ.get("DFC_CUDA_GRAPHS", "1") != "0"
#: device buffers of variables, per VariableStore: {name: (buffer, the host buffer it mirrors, the host bytes
#: it was made from)}. The store's buffers keep their address when written (a CPU step, a checkpoint restore),
#: so a changed value shows only in its bytes: a run compares them and uploads the variable again if they differ.
_resident: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _host_bytes(host: np.ndarray) -> np.ndarray:
    return host.reshape(-1).view(np.uint8)


def _cached_ptx(target, units: list[tuple[str, str, int]]) -> list[bytes]:
    return kernel_cache.objects(target, units)[0]


#: host steps: the replay waits for the device or moves its program counter there
_HOST_STEPS = (codegen.Branch, codegen.Jump, codegen.HostPrint, codegen.StaticError)


def device_segments(steps: Sequence) -> dict[int, int]:
    """start -> end of each run of two or more device steps (launches, copies, GEMMs) that the replay enters only
    at its start: between a step program's branches, jumps and their targets (a loop's body, a cond's branch)."""
    cuts = {0, len(steps)}
    for k, step in enumerate(steps):
        if isinstance(step, _HOST_STEPS):
            cuts.update((k, k + 1))
        if isinstance(step, (codegen.Branch, codegen.Jump)):
            cuts.add(step.target)
    bounds = sorted(c for c in cuts if 0 <= c <= len(steps))
    return {a: b for a, b in zip(bounds, bounds[1:]) if b - a >= 2 and not isinstance(steps[a], _HOST_STEPS)}


class GpuExecutable:
    """One step compiled for the GPU: `executable(feed_arrays, ctx)` runs it and returns the fetched arrays."""

    def __init__(self, step: Graph, session: object = None):
        self.step = step  # the Executable protocol's: the session reads its locked variables
        self.ctx = Context.get()
        self.program = codegen.lower(step, target=nvptx_target(self.ctx.arch))
        ptx = self.program.ptx(_cached_ptx)  # a new process finds the PTX in the kernel cache: LLVM does not run
        new = {symbol: text for symbol, text in ptx.items() if symbol not in self.ctx.modules}
        cubins = nvjitlink.cubins(new, self.ctx.sm)  # {} without nvJitLink: the driver JIT-compiles the PTX
        self.functions = {symbol: self.ctx.function(symbol, text, cubins.get(symbol)) for symbol, text in ptx.items()}
        plan = self.program.plan
        self.plan = plan
        self.arena = DeviceBuffer(plan.arena_size)
        self.constants = [self._uploaded(c) for c in plan.constants]
        self.program_constants = {name: self._uploaded(np.frombuffer(data, np.uint8))
                                  for name, data in self.program.constants.items()}
        self.scratch = [DeviceBuffer(n) for n in self.program.scratch]
        self._nparams = 5 + len(self.program.random_ops)  # module.py's params layout: error words, threads, counters
        self.params = DeviceBuffer(8 * self._nparams)
        self.errors = DeviceBuffer(16)  # the error word, then the byte of the last branch's flag (_read_flag)
        self._control = np.zeros(2, np.int64)
        self.branches_read = 0  # flags read back so far: one per branch taken or loop test
        self.assigned = {op.attrs["variable"] for op in plan.items if get_op_def(op.type).writes_variable}
        self.inputs = [DeviceBuffer(v.type.num_elements * v.type.dtype.itemsize) for v in plan.inputs]
        self.outputs = [DeviceBuffer(v.type.num_elements * v.type.dtype.itemsize) for v in plan.outputs]
        self.variable_buffers: list[DeviceBuffer] = []
        self._run_lock = threading.Lock()
        # the captured graph and the variable buffers it was captured with (a re-uploaded variable moves)
        self._graph: tuple[tuple[int, ...], object] | None = None
        self.graph_captures = 0
        # a step that waits on the device mid-way (branches, loops, tf.Print read values back) cannot be captured
        self._use_graph = CUDA_GRAPHS and not any(
            isinstance(s, (codegen.StaticError, codegen.Branch, codegen.Jump, codegen.HostPrint))
            for s in self.program.steps)
        self._segments = device_segments(self.program.steps)
        self._segment_graphs: dict[int, tuple[tuple[int, ...], object]] = {}
        if any(isinstance(s, codegen.GemmCall) for s in self.program.steps):
            _cublas()  # its handle is made before any capture: creating it allocates, which capture forbids

    @staticmethod
    def _uploaded(array: np.ndarray) -> DeviceBuffer:
        buf = DeviceBuffer(array.nbytes)
        if array.nbytes:
            buf.upload(array)
        return buf

    def _variables(self, ctx) -> list[DeviceBuffer]:
        store = ctx.session.store
        resident = _resident.setdefault(store, {})
        out = []
        for name in self.plan.variables:
            op = next(o for o in self.plan.items if (o.type == "dfc.variable" and o.attrs["name"] == name)
                      or (get_op_def(o.type).writes_variable and o.attrs["variable"] == name))
            ttype = op.results[0].type  # a read's, or the value a write leaves (assign_rows: not its operand's)
            if name not in store and op.type == "dfc.assign":
                store.write(name, np.zeros(ttype.shape, ttype.dtype.np), op)
            host = store.buffer(name, op)
            if host.shape != tuple(ttype.shape) or host.dtype != ttype.dtype.np:
                raise InvalidArgumentError(f"op {op.describe()} uses variable {name} as {ttype}, but it holds "
                                           f"{list(host.shape)} {host.dtype}", op)
            entry = resident.get(name)
            if entry is None or entry[1] is not host or not np.array_equal(entry[2], _host_bytes(host)):
                entry = (self._uploaded(host), host, _host_bytes(host).copy())
                resident[name] = entry
            out.append(entry[0])
        return out

    def bind(self, args: Sequence[np.ndarray], ctx=None) -> None:
        """Upload a run's inputs, random counters and variables (ctx: the session's execution context)."""
        plan = self.plan
        for i, (a, v) in enumerate(zip(args, plan.inputs)):
            if tuple(a.shape) != tuple(v.type.shape):
                raise InvalidArgumentError(f"argument {i} has shape {list(a.shape)}, the step was compiled "
                                           f"for {list(v.type.shape)}")
            if a.size:
                self.inputs[i].upload(np.ascontiguousarray(a, dtype=v.type.dtype.np))
        self.variable_buffers = self._variables(ctx) if plan.variables else []
        params = np.zeros(self._nparams, np.int64)
        for k, op in enumerate(self.program.random_ops):
            params[5 + k] = ctx.random_step(op) if ctx is not None else 0
        self.params.upload(params)
        self.errors.upload(np.zeros(1, np.int64))

    def _resolve(self, token: str) -> int:
        slot, index, offset = codegen.parse_pointer(token)
        if slot in ("arena", "params", "errors"):
            return getattr(self, slot).ptr + offset
        if slot == "const":
            return self.program_constants[f"const:{index}:0"].ptr + offset
        buffers = {"input": self.inputs, "output": self.outputs, "variable": self.variable_buffers,
                   "constant": self.constants, "scratch": self.scratch}[slot]
        return buffers[index].ptr + offset

    def replay_device_steps(self, start: int = 0, end: int | None = None, segments: bool = False) -> None:
        """Enqueue the step's launches, copies and GEMMs on the stream (steps `start` to `end`); a Branch (dfc.if,
        dfc.while) waits for the stream and reads its flag back, and stops the replay when a kernel has set the
        error word. `segments`: each straight run of device work between host steps (a loop's body, a branch)
        is launched as a CUDA graph of its own, captured the first time the replay enters it."""
        steps = self.program.steps
        end = len(steps) if end is None else end
        pc = start
        while pc < end:
            if segments and pc in self._segments:
                pc = self._launch_segment(pc)
                continue
            step = steps[pc]
            pc += 1
            if isinstance(step, codegen.Jump):
                pc = step.target
            elif isinstance(step, codegen.Branch):
                error, flag = self._read_flag(step.flag)
                if error:
                    return
                if not flag:
                    pc = step.target
            elif isinstance(step, codegen.HostPrint):
                _check(_driver().cuStreamSynchronize(self.ctx.stream))
                self._print(step)
            elif isinstance(step, codegen.StaticError):
                site = self.program.errors[step.code - 1]
                raise InvalidArgumentError(site.message, site.op)
            else:
                self._enqueue_device_step(step)

    def _enqueue_device_step(self, step) -> None:
        stream = self.ctx.stream
        if isinstance(step, codegen.Copy):
            _check(_driver().cuMemcpyDtoDAsync(self._resolve(step.dst), self._resolve(step.src), step.nbytes,
                                               stream))
        elif isinstance(step, codegen.GemmCall):
            _gemm(step, self._resolve, stream)
        else:
            self._launch(step, self._resolve, stream)

    def _launch_segment(self, start: int) -> int:
        """Launch the CUDA graph of the device steps from `start` (captured when new, or when a variable's buffer
        moved since); returns the step after them."""
        end = self._segments[start]
        key = tuple(buf.ptr for buf in self.variable_buffers)
        found = self._segment_graphs.get(start)
        if found is None or found[0] != key:
            executable = self._capture(lambda: self.replay_device_steps(start, end))
            if found is not None:
                _driver().cuGraphExecDestroy(found[1])
            found = self._segment_graphs[start] = (key, executable)
        _check(_driver().cuGraphLaunch(found[1], self.ctx.stream))
        return end

    def _capture(self, replay) -> object:
        """The instantiated CUDA graph of the work `replay()` enqueues (captured, not run)."""
        drv = _driver()
        stream = self.ctx.stream
        with _capturing_lock:
            _capturing[0] += 1  # frees wait until the capture ends (see _free)
        try:
            _check(drv.cuStreamBeginCapture(stream, drv.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL))
            try:
                replay()
            finally:
                graph = _check(drv.cuStreamEndCapture(stream))
        finally:
            with _capturing_lock:
                _capturing[0] -= 1
            _free_pending()
        try:
            executable = _check(drv.cuGraphInstantiate(graph, 0))
        finally:
            drv.cuGraphDestroy(graph)
        self.graph_captures += 1
        return executable

    def _read_flag(self, token: str) -> tuple[int, int]:
        """(the error word, the flag's byte) after the work enqueued so far: the flag joins the error word in one
        device buffer, so a branch or a loop's test costs one download and one wait, whatever the loop carries
        (its values stay in device memory)."""
        drv = _driver()
        stream = self.ctx.stream
        _check(drv.cuMemcpyDtoDAsync(self.errors.ptr + 8, self._resolve(token), 1, stream))
        _check(drv.cuMemcpyDtoHAsync(self._control.ctypes.data, self.errors.ptr, 16, stream))
        _check(drv.cuStreamSynchronize(stream))
        self.branches_read += 1
        return int(self._control[0]), int(self._control[1] & 0xFF)

    def enqueue(self) -> None:
        """Enqueue the step's device work: one launch of its CUDA graph, captured first when needed; a step with
        branches or loops replays its host steps, launching each run of device work between them as a graph."""
        if not self._use_graph:
            self.replay_device_steps(segments=CUDA_GRAPHS)
            return
        key = tuple(buf.ptr for buf in self.variable_buffers)
        if self._graph is None or self._graph[0] != key:
            executable = self._capture(self.replay_device_steps)
            if self._graph is not None:
                _driver().cuGraphExecDestroy(self._graph[1])
            self._graph = (key, executable)
        _check(_driver().cuGraphLaunch(self._graph[1], self.ctx.stream))

    def __call__(self, args: Sequence[np.ndarray], ctx) -> list[np.ndarray]:
        with self._run_lock:  # one run at a time: the inputs, outputs and arena are this executable's
            self.bind(args, ctx)
            self.enqueue()
            _check(_driver().cuStreamSynchronize(self.ctx.stream))
            code = int(self.errors.download((1,), np.int64)[0])
            if code:
                raise self._error(code)
            plan = self.plan
            fetched = [buf.download(v.type.shape, v.type.dtype.np) for buf, v in zip(self.outputs, plan.outputs)]
            store = getattr(getattr(ctx, "session", None), "store", None)
            resident = _resident.get(store, {}) if store is not None else {}
            for name, buf in zip(plan.variables, self.variable_buffers):
                if name in self.assigned and store is not None:  # the host copy follows the device's
                    host = store.buffer(name)
                    host[...] = buf.download(host.shape, host.dtype)
                    if name in resident:
                        resident[name][2][...] = _host_bytes(host)
            return fetched

    def _print(self, step: codegen.HostPrint) -> None:
        """tf.Print on the GPU: its data tensors read back into host memory, printed by the CPU's host call."""
        from dfc.compiler.codegen.debug import HOST_PRINTS  # noqa: PLC0415

        from .host_calls import HOST_PRINT  # noqa: PLC0415

        values = []
        for token, (dtype, shape) in zip(step.data, HOST_PRINTS[step.key][0]):
            value = np.zeros(shape, dtype)
            if value.nbytes:
                _check(_driver().cuMemcpyDtoH(value.ctypes.data, self._resolve(token), value.nbytes))
            values.append(value)
        table = (ctypes.c_void_p * max(len(values), 1))(*[v.ctypes.data for v in values])
        HOST_PRINT(step.key, table)

    def _launch(self, launch: codegen.Launch, resolve, stream) -> None:
        if launch.n == 0:
            return
        args = [resolve(t) for t in launch.args]
        types = [ctypes.c_void_p] * len(args)
        values = list(args)
        if launch.count_arg:
            values.append(launch.n)
            types.append(ctypes.c_int64)
        if launch.single:
            grid = 1
        elif launch.blocks:
            grid = min(launch.n, self.ctx.sms * BLOCKS_PER_SM)
        else:
            grid = min(math.ceil(launch.n / codegen.BLOCK), self.ctx.sms * BLOCKS_PER_SM)
        _check(_driver().cuLaunchKernel(self.functions[launch.symbol], grid, 1, 1, codegen.BLOCK, 1, 1, 0, stream,
                                        (tuple(values), tuple(types)), 0))

    def _error(self, code: int) -> Exception:
        site = self.program.errors[code - 1]
        if site.kind == "gather_index":
            words = self.params.download((4,), np.int64)
            return InvalidArgumentError(f"op {site.op.describe()} failed: gather index out of range: "
                                        f"indices[{int(words[3])}] = {int(words[0])} is not in {site.message}", site.op)
        if site.kind == "row_index":
            bad = int(self.params.download((1,), np.int64)[0])
            return InvalidArgumentError(
                f"op {site.op.describe()} failed: row index {bad} is out of range {site.message}", site.op)
        if site.kind == "scatter_index":
            words = self.params.download((4,), np.int64)
            return InvalidArgumentError(f"op {site.op.describe()} failed: indices[{int(words[3])}] = {int(words[0])} "
                                        f"{site.message}", site.op)
        return InvalidArgumentError(site.message, site.op)
