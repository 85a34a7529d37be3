"""The emulated GPU's kernel runner: an NVPTX kernel's LLVM module recompiled for the host, its threads run
as host code (tests/gpu_emulator.py's driver launches them).

Thread indices, `bar.sync` and `shfl.sync` are native code reached through a per-thread record (pthread TLS),
so emulated kernels never take the GIL; shared (addrspace 3) arrays become one host buffer per block, refilled
with POISON before every block. See tests/gpu_emulator.py's docstring for what is emulated and what is not.
"""

from __future__ import annotations

import ctypes
import re
import threading

import llvmlite.binding as llvm
import numpy as np

from dfc.compiler.target import TargetError, cpu_target

POISON = 0xFF  # fresh device memory and shared memory before each block
#: seconds a thread waits at a barrier or shuffle before the emulator calls it a fault (a hang on a GPU)
PATIENCE_S = ctypes.c_int32(120)
#: microseconds about half the warps of a block lag after each bar.sync (0: none; see dfc_emu_barrier)
LAG_US = ctypes.c_int32(0)
WARP = 32

# ---- kernels: the NVPTX module's LLVM text, recompiled for the host --------------------------------

# Each emulated thread's registers and its block's barriers live in native memory; the kernel reads them
# through pthread_getspecific (a thread record set before the kernel runs), so no emulated instruction
# takes the GIL. The record: i32 tid, ctaid, ntid, nctaid, then a pointer to the block's state:
# { i32 count, i32 generation, i32 fault, i32 pad } for bar.sync, then per warp { i32 count, i32 generation,
# [32 x i32] slots } for shfl.sync. A barrier waits on a futex with a timeout; a thread that waited
# PATIENCE_S seconds sets the block's fault word and releases everyone, as does a partial-warp shuffle.
RECORD = ctypes.c_int32 * 6  # tid, ctaid, ntid, nctaid, block state (a pointer, two i32 words)
WARP_STATE_BYTES = 8 + 4 * WARP
BLOCK_HEADER_BYTES = 16
FAULT_TIMEOUT, FAULT_PARTIAL_MASK = 1, 2
SYS_FUTEX = 202

SUPPORT = f"""
@dfc_emu_key = external global i32
@dfc_emu_patience = external global i32
@dfc_emu_lag = external global i32
declare i32 @usleep(i32)
declare ptr @pthread_getspecific(i32)
declare i64 @syscall(i64, ...)
@dfc_emu_timeout = private constant {{ i64, i64 }} {{ i64 1, i64 0 }}

define internal ptr @record() alwaysinline {{
  %key = load i32, ptr @dfc_emu_key
  %r = call ptr @pthread_getspecific(i32 %key)
  ret ptr %r
}}
define internal i32 @field(i32 %k) alwaysinline {{
  %r = call ptr @record()
  %p = getelementptr i32, ptr %r, i32 %k
  %v = load i32, ptr %p
  ret i32 %v
}}
define i32 @dfc_emu_sreg_tid_x() {{
  %v = call i32 @field(i32 0)
  ret i32 %v
}}
define i32 @dfc_emu_sreg_ctaid_x() {{
  %v = call i32 @field(i32 1)
  ret i32 %v
}}
define i32 @dfc_emu_sreg_ntid_x() {{
  %v = call i32 @field(i32 2)
  ret i32 %v
}}
define i32 @dfc_emu_sreg_nctaid_x() {{
  %v = call i32 @field(i32 3)
  ret i32 %v
}}
define internal ptr @block() alwaysinline {{
  %r = call ptr @record()
  %p = getelementptr i32, ptr %r, i32 4
  %b = load ptr, ptr %p
  ret ptr %b
}}

; wait until `n` threads arrived at barrier %bar ({{count, generation}}); %fault: the block's fault word
define void @dfc_emu_wait(ptr %bar, i32 %n, ptr %fault) {{
entry:
  %genp = getelementptr i32, ptr %bar, i32 1
  %gen = load atomic i32, ptr %genp acquire, align 4
  %old = atomicrmw add ptr %bar, i32 1 acq_rel
  %n1 = sub i32 %n, 1
  %last = icmp eq i32 %old, %n1
  br i1 %last, label %release, label %wait
release:
  store atomic i32 0, ptr %bar monotonic, align 4
  %g1 = atomicrmw add ptr %genp, i32 1 release
  %w = call i64 (i64, ...) @syscall(i64 {SYS_FUTEX}, ptr %genp, i32 129, i32 2147483647)
  ret void
wait:
  %tries = phi i32 [ 0, %entry ], [ %tries1, %sleep ]
  %now = load atomic i32, ptr %genp acquire, align 4
  %moved = icmp ne i32 %now, %gen
  br i1 %moved, label %done, label %check
check:
  %f = load atomic i32, ptr %fault acquire, align 4
  %faulted = icmp ne i32 %f, 0
  br i1 %faulted, label %done, label %sleep
sleep:
  %s = call i64 (i64, ...) @syscall(i64 {SYS_FUTEX}, ptr %genp, i32 128, i32 %gen, ptr @dfc_emu_timeout)
  %tries1 = add i32 %tries, 1
  %patience = load i32, ptr @dfc_emu_patience
  %late = icmp sgt i32 %tries1, %patience
  br i1 %late, label %timeout, label %wait
timeout:
  store atomic i32 {FAULT_TIMEOUT}, ptr %fault release, align 4
  %w2 = call i64 (i64, ...) @syscall(i64 {SYS_FUTEX}, ptr %genp, i32 129, i32 2147483647)
  br label %done
done:
  ret void
}}

; float to bfloat16, rounding to nearest even (NaN stays a quiet NaN): LLVM calls this for `fptrunc float to
; bfloat` (the bfloat16 atomic adds) on hosts without AVX512-BF16, and libgcc has it only from GCC 13
define bfloat @dfc_emu_truncsfbf2(float %x) {{
  %bits = bitcast float %x to i32
  %odd = lshr i32 %bits, 16
  %lsb = and i32 %odd, 1
  %bias = add i32 %lsb, 32767
  %rounded = add i32 %bits, %bias
  %hi = lshr i32 %rounded, 16
  %nanhi = or i32 %odd, 64
  %isnan = fcmp uno float %x, %x
  %pick = select i1 %isnan, i32 %nanhi, i32 %hi
  %h = trunc i32 %pick to i16
  %r = bitcast i16 %h to bfloat
  ret bfloat %r
}}

; with LAG_US set, after each barrier about half the warps of the block (a different half at each barrier
; and in each block) sleep that long while the others run on: a barrier missing between a shared-memory
; write and another warp's read shows as a wrong result instead of depending on the OS's scheduling
define void @dfc_emu_barrier(i32 %which) {{
entry:
  %b = call ptr @block()
  %n = call i32 @field(i32 2)
  %fault = getelementptr i32, ptr %b, i32 2
  call void @dfc_emu_wait(ptr %b, i32 %n, ptr %fault)
  %lag = load i32, ptr @dfc_emu_lag
  %lags = icmp ne i32 %lag, 0
  br i1 %lags, label %pick, label %done
pick:
  %genp = getelementptr i32, ptr %b, i32 1
  %gen = load atomic i32, ptr %genp acquire, align 4
  %cta = call i32 @field(i32 1)
  %tid = call i32 @field(i32 0)
  %w = lshr i32 %tid, 5
  %h1 = mul i32 %gen, -1640531535
  %h2 = mul i32 %cta, -2048144789
  %h3 = mul i32 %w, -1028477387
  %h4 = xor i32 %h1, %h2
  %h5 = xor i32 %h4, %h3
  %h6 = mul i32 %h5, -1640531535
  %mine = icmp slt i32 %h6, 0
  br i1 %mine, label %sleep, label %done
sleep:
  %s = call i32 @usleep(i32 %lag)
  br label %done
done:
  ret void
}}

; PTX shfl.sync.{{up,down,bfly,idx}}.b32 (mode 0-3) among the warp's 32 threads
define i32 @dfc_emu_shfl(i32 %mode, i32 %mask, i32 %v, i32 %b, i32 %c) {{
entry:
  %blk = call ptr @block()
  %fault = getelementptr i32, ptr %blk, i32 2
  %full = icmp eq i32 %mask, -1
  br i1 %full, label %go, label %partial
partial:
  store atomic i32 {FAULT_PARTIAL_MASK}, ptr %fault release, align 4
  ret i32 %v
go:
  %tid = call i32 @field(i32 0)
  %lane = and i32 %tid, 31
  %w = lshr i32 %tid, 5
  %woff = mul i32 %w, {WARP_STATE_BYTES}
  %woff1 = add i32 %woff, {BLOCK_HEADER_BYTES}
  %woff64 = zext i32 %woff1 to i64
  %warp = getelementptr i8, ptr %blk, i64 %woff64
  %slots = getelementptr i8, ptr %warp, i64 8
  %mine = getelementptr i32, ptr %slots, i32 %lane
  store i32 %v, ptr %mine
  call void @dfc_emu_wait(ptr %warp, i32 32, ptr %fault)
  %c5 = and i32 %c, 31
  %seg = lshr i32 %c, 8
  %seg5 = and i32 %seg, 31
  %nseg = xor i32 %seg5, -1
  %lseg = and i32 %lane, %seg5
  %cpart = and i32 %c5, %nseg
  %maxl = or i32 %lseg, %cpart
  %up = sub i32 %lane, %b
  %down = add i32 %lane, %b
  %bfly = xor i32 %lane, %b
  %b5 = and i32 %b, 31
  %bpart = and i32 %b5, %nseg
  %idx = or i32 %lseg, %bpart
  %okup = icmp sge i32 %up, %maxl
  %okdown = icmp sle i32 %down, %maxl
  %okbfly = icmp sle i32 %bfly, %maxl
  %okidx = icmp sle i32 %idx, %maxl
  %is0 = icmp eq i32 %mode, 0
  %is1 = icmp eq i32 %mode, 1
  %is2 = icmp eq i32 %mode, 2
  %j01 = select i1 %is1, i32 %down, i32 %idx
  %j2 = select i1 %is2, i32 %bfly, i32 %j01
  %j = select i1 %is0, i32 %up, i32 %j2
  %ok01 = select i1 %is1, i1 %okdown, i1 %okidx
  %ok2 = select i1 %is2, i1 %okbfly, i1 %ok01
  %ok = select i1 %is0, i1 %okup, i1 %ok2
  %inwarp = icmp ult i32 %j, 32
  %valid = and i1 %ok, %inwarp
  %jsafe = select i1 %valid, i32 %j, i32 %lane
  %src = getelementptr i32, ptr %slots, i32 %jsafe
  %got = load i32, ptr %src
  %r = select i1 %valid, i32 %got, i32 %v
  call void @dfc_emu_wait(ptr %warp, i32 32, ptr %fault)
  ret i32 %r
}}
"""

_SUPPORT: dict[str, object] = {}


def _bind_support() -> None:
    """Compile the threads' support functions and bind their symbols (once per process)."""
    if _SUPPORT:
        return
    libc = ctypes.CDLL(None)
    key = ctypes.c_uint32()
    if libc.pthread_key_create(ctypes.byref(key), None):
        raise RuntimeError("pthread_key_create failed")
    libc.pthread_setspecific.argtypes = [ctypes.c_uint32, ctypes.c_void_p]
    _SUPPORT["key"], _SUPPORT["setspecific"] = key, libc.pthread_setspecific
    llvm.add_symbol("dfc_emu_key", ctypes.addressof(key))
    llvm.add_symbol("dfc_emu_patience", ctypes.addressof(PATIENCE_S))
    llvm.add_symbol("dfc_emu_lag", ctypes.addressof(LAG_US))
    target = cpu_target()
    code = target.jit([target.emit_object(target.header() + SUPPORT, 2)])
    _SUPPORT["code"] = code
    for name in ("tid", "ctaid", "ntid", "nctaid"):
        llvm.add_symbol(f"dfc_emu_sreg_{name}_x", code.address(f"dfc_emu_sreg_{name}_x"))
    for name in ("dfc_emu_barrier", "dfc_emu_shfl", "dfc_emu_wait"):
        llvm.add_symbol(name, code.address(name))
    # a kernel's bfloat16 rounding, where the host has no instruction for it (a call to an unbound symbol
    # jumps to address 0)
    llvm.add_symbol("__truncsfbf2", code.address("dfc_emu_truncsfbf2"))
    _SUPPORT["wait"] = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int32, ctypes.c_void_p)(
        code.address("dfc_emu_wait"))
    from dfc.runtime.cpu import _bind_half_conversions  # noqa: PLC0415 - f16 on hosts without F16C
    _bind_half_conversions()


class _Thread:
    """An emulated thread's record, bound to the calling OS thread while it runs kernel code."""

    def __init__(self, block_state: int):
        self.record = RECORD()
        ctypes.c_void_p.from_address(ctypes.addressof(self.record) + 16).value = block_state

    def set(self, tid: int, ctaid: int, ntid: int, nctaid: int) -> None:
        r = self.record
        r[0], r[1], r[2], r[3] = tid, ctaid, ntid, nctaid

    def bind(self) -> None:
        _SUPPORT["setspecific"](_SUPPORT["key"], ctypes.addressof(self.record))


_SHUFFLE_MODES = ("up", "down", "bfly", "idx")


_SHARED = re.compile(r"^@([\w.$]+) = (?:internal |private )?(?:unnamed_addr )?addrspace\(3\) global (.+?) "
                     r"(?:undef|poison|zeroinitializer)(, align \d+)?\s*$", re.M)
_LLVM_TYPE_SIZE = {"i8": 1, "i16": 2, "i32": 4, "i64": 8, "float": 4, "double": 8, "half": 2, "bfloat": 2}


def _type_size(ty: str) -> int:
    ty = ty.strip()
    m = re.fullmatch(r"\[(\d+) x (.+)\]", ty)
    if m:
        return int(m.group(1)) * _type_size(m.group(2))
    if ty in _LLVM_TYPE_SIZE:
        return _LLVM_TYPE_SIZE[ty]
    raise TargetError(f"the emulator cannot size shared memory of type {ty}")


def host_module_text(symbol: str, text: str) -> tuple[str, dict[str, int], bool]:
    """The kernel module's text for the host: (text, shared arrays' symbols and sizes, whether it synchronizes)."""
    target = cpu_target()
    body = re.sub(r'^target (triple|datalayout) = ".*"\n', "", text, flags=re.M)
    shared: dict[str, int] = {}
    for m in list(_SHARED.finditer(body)):
        name, ty, align = m.group(1), m.group(2), m.group(3) or ""
        host = f"dfc_emu_shm_{symbol}_{len(shared)}"
        shared[host] = _type_size(ty)
        body = body.replace(m.group(0), f"@{host} = external global {ty}{align}")
        body = re.sub(rf"@{re.escape(name)}\b", f"@{host}", body)
    body = re.sub(r" addrspace\(\d+\)", "", body)
    body = body.replace("define ptx_kernel ", "define ")
    body = re.sub(r"^declare [^@\n]*@llvm\.nvvm\.read\.ptx\.sreg\.[\w.]*\(.*\n", "", body, flags=re.M)
    body = re.sub(r"@llvm\.nvvm\.read\.ptx\.sreg\.(tid|ctaid|ntid|nctaid)\.x\b", r"@dfc_emu_sreg_\1_x", body)
    body = re.sub(r"@llvm\.nvvm\.read\.ptx\.sreg\.(tid|ctaid)\.[yz]\b", "@dfc_emu_sreg_zero", body)
    body = re.sub(r"@llvm\.nvvm\.read\.ptx\.sreg\.(ntid|nctaid)\.[yz]\b", "@dfc_emu_sreg_one", body)
    syncs = bool(re.search(r"@llvm\.nvvm\.(barrier|shfl)", body))
    body = re.sub(r"^declare [^@\n]*@llvm\.nvvm\.(barrier|shfl)[\w.]*\(.*\n", "", body, flags=re.M)
    body = re.sub(r"@llvm\.nvvm\.barrier0\(\)", "@dfc_emu_barrier(i32 0)", body)
    body = re.sub(r"@llvm\.nvvm\.barrier(?:\.cta\.sync\.aligned\.all|\.sync)\(", "@dfc_emu_barrier(", body)
    body = re.sub(r"@llvm\.nvvm\.shfl\.sync\.(up|down|bfly|idx)\.(i32|f32)\(", r"@dfc_emu_shfl_\1_\2(", body)
    leftover = sorted(set(re.findall(r"@(llvm\.nvvm\.[\w.]+)", body)))
    if leftover:
        raise TargetError(f"the GPU emulator has no host version of {', '.join(leftover)}")
    support = [f"declare i32 @dfc_emu_sreg_{r}_x()" for r in ("tid", "ctaid", "ntid", "nctaid")]
    support += ["define internal i32 @dfc_emu_sreg_zero() {\n  ret i32 0\n}",
                "define internal i32 @dfc_emu_sreg_one() {\n  ret i32 1\n}",
                "declare void @dfc_emu_barrier(i32)", "declare i32 @dfc_emu_shfl(i32, i32, i32, i32, i32)"]
    for mode_index, mode in enumerate(_SHUFFLE_MODES):
        support.append(f"define internal i32 @dfc_emu_shfl_{mode}_i32(i32 %m, i32 %v, i32 %b, i32 %c) {{\n"
                       f"  %r = call i32 @dfc_emu_shfl(i32 {mode_index}, i32 %m, i32 %v, i32 %b, i32 %c)\n"
                       "  ret i32 %r\n}")
        support.append(f"define internal float @dfc_emu_shfl_{mode}_f32(i32 %m, float %v, i32 %b, i32 %c) {{\n"
                       "  %bits = bitcast float %v to i32\n"
                       f"  %r = call i32 @dfc_emu_shfl(i32 {mode_index}, i32 %m, i32 %bits, i32 %b, i32 %c)\n"
                       "  %f = bitcast i32 %r to float\n  ret float %f\n}")
    return target.header() + body + "\n" + "\n".join(support) + "\n", shared, syncs


_CTYPE_OF_LLVM = {"ptr": ctypes.c_void_p, "i64": ctypes.c_int64, "i32": ctypes.c_int32, "float": ctypes.c_float,
                  "double": ctypes.c_double}


class EmulatedKernel:
    """A kernel entry compiled for the host: its parameters' ctypes, shared buffers and how its threads run."""

    def __init__(self, symbol: str, text: str):
        _bind_support()
        self.symbol = symbol
        host_text, shared, self.synchronizes = host_module_text(symbol, text)
        self.shared = {name: ctypes.create_string_buffer(size) for name, size in shared.items()}
        for name, buf in self.shared.items():
            llvm.add_symbol(name, ctypes.addressof(buf))
        m = re.search(rf"^define (?:[\w ]+ )?void @{re.escape(symbol)}\((.*)\)", host_text, re.M)
        if m is None:
            raise TargetError(f"kernel module {symbol} does not define a void function {symbol}")
        params = [p.split()[0] for p in m.group(1).split(",") if p.strip()]
        self.param_types = [_CTYPE_OF_LLVM[p] for p in params]
        target = cpu_target()
        self.code = target.jit([target.emit_object(host_text, 1)])
        self.function = ctypes.CFUNCTYPE(None, *self.param_types)(self.code.address(symbol))

    def poison_shared(self) -> None:
        for buf in self.shared.values():
            ctypes.memset(buf, POISON, ctypes.sizeof(buf))

    def run(self, grid: int, block: int, args: list, order_seed: int) -> list[str]:
        """Run the grid; returns the faults its threads reported."""
        if not self.synchronizes:
            thread = _Thread(0)
            thread.bind()
            order = np.random.default_rng(order_seed).permutation(grid * block)
            for flat in order.tolist():
                ctaid, tid = divmod(flat, block)
                thread.set(tid, ctaid, block, grid)
                self.poison_shared()
                self.function(*args)
            return []
        if block % WARP:
            return [f"kernel {self.symbol} synchronizes but its block of {block} threads is not whole warps"]
        state = ctypes.create_string_buffer(BLOCK_HEADER_BYTES + WARP_STATE_BYTES * (block // WARP))
        end_of_block = ctypes.create_string_buffer(16)
        fault_word = ctypes.c_int32.from_buffer(state, 8)
        wait = _SUPPORT["wait"]
        threads = [_Thread(ctypes.addressof(state)) for _ in range(block)]

        def run_thread(tid: int) -> None:
            me = threads[tid]
            me.bind()
            for cta in range(grid):  # blocks one after another: one shared buffer serves them all
                me.set(tid, cta, block, grid)
                self.function(*args)
                wait(end_of_block, block, ctypes.byref(fault_word))
                if tid == 0:
                    self.poison_shared()
                wait(end_of_block, block, ctypes.byref(fault_word))
                if fault_word.value:
                    return

        self.poison_shared()
        workers = [threading.Thread(target=run_thread, args=(t,), daemon=True) for t in range(block)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        if fault_word.value == FAULT_TIMEOUT:
            return [f"kernel {self.symbol}: a thread waited {PATIENCE_S.value} s at a barrier or shuffle "
                    "that not every thread of its block (or warp) reached"]
        if fault_word.value == FAULT_PARTIAL_MASK:
            return [f"kernel {self.symbol}: shfl.sync with a partial member mask (only full warps are emulated)"]
        return []
