"""`dfc_parallel_for(fn, bufs, n, want)`: a loop split across threads, shared by every step module.

A kernel called through it has the uniform signature (ptr bufs, i64 lo, i64 hi) and runs the
outermost loop's [lo, hi). The function lives in one support module (POOL_MODULE), compiled
once per process by the runtime and never freed; step modules declare it and the runtime
binds the symbol. It runs jobs on a persistent pool of worker threads that sleep on a futex
between jobs (creating and joining a thread per call cost about 65 us on our 2-vCPU machines,
as much as a 1M-element kernel). A second caller while a job runs (two steps at once from two
Python threads), or a pool that cannot start, falls back to threads made for the call.

On a machine with more runnable threads than cores a woken helper may not run for a whole time
slice, and the caller waits for the chunk it claimed: the seed's ReLU layer then took 0.3-0.9 ms
instead of 0.14 ms on one thread. So the caller times its own share and its wait (the CPU's cycle
counter), and after a job where it waited longer than it worked, or ran every chunk itself, the
next BACKOFF_CALLS calls run on the caller alone before the helpers are tried again.
"""

from __future__ import annotations

import platform
import sys

MAX_THREADS = 64
#: how long (in cycles of the CPU's counter: about 40 us) an idle worker polls for the next job before it
#: sleeps on the futex; waking a sleeping thread costs tens of microseconds, as much as a small GEMM's share
SPIN_CYCLES = 100_000
#: the spin loop's hint to the CPU (x86's pause: less power, and the other hyperthread runs)
PAUSE = "call void @llvm.x86.sse2.pause()" if platform.machine().lower() in ("x86_64", "amd64") else ""
#: after a job whose helpers were no help (see the pool's `judge`), this many calls run on the caller alone
BACKOFF_CALLS = 32
#: the futex system call's number, where the pool knows it (Linux on x86-64 and arm64)
SYS_FUTEX = {"x86_64": 202, "amd64": 202, "aarch64": 98, "arm64": 98}.get(platform.machine().lower()) \
    if sys.platform.startswith("linux") else None

# Up to `want` threads (the caller among them) claim chunks of [0, n) from a shared atomic counter
# until none is left: a thread the OS schedules late takes fewer chunks instead of stalling the step.
# A failed pthread_create only means fewer helpers.
SPAWN = f"""
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

define internal void @dfc_parallel_spawn(ptr %fn, ptr %bufs, i64 %n, i64 %want) {{
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

#: what a step module needs to call the pool
DECLARE = "declare void @dfc_parallel_for(ptr, ptr, i64, i64)"

# The pool. One job at a time: its fields, then `state` = generation << 32 | next chunk. A thread
# claims a chunk by a compare-and-swap of the state it read the fields under, so a worker that
# wakes late for a finished job can never run that job's function on the next job's chunks. The
# caller counts finished chunks in `done` and returns once all are; workers sleep on `wake`.
_POOL = f"""
@dfc_pool_fn = internal global ptr null
@dfc_pool_bufs = internal global ptr null
@dfc_pool_n = internal global i64 0
@dfc_pool_chunk = internal global i64 0
@dfc_pool_pieces = internal global i64 0
@dfc_pool_state = internal global i64 0
@dfc_pool_done = internal global i64 0
@dfc_pool_wake = internal global i32 0
@dfc_pool_busy = internal global i32 0
@dfc_pool_pid = internal global i32 0
@dfc_pool_size = internal global i64 0
@dfc_pool_backoff = internal global i64 0

declare i32 @pthread_create(ptr, ptr, ptr, ptr)
declare i32 @pthread_join(i64, ptr)
declare i32 @pthread_detach(i64)
declare i32 @getpid()
declare i32 @sched_yield()
declare i64 @syscall(i64, ...)
declare i64 @llvm.smin.i64(i64, i64)
declare i64 @llvm.smax.i64(i64, i64)
declare i64 @llvm.readcyclecounter()
{"declare void @llvm.x86.sse2.pause()" if PAUSE else ""}

define internal i64 @dfc_pool_drain() {{
entry:
  br label %loop
loop:
  %ran = phi i64 [ 0, %entry ], [ %ran, %claim ], [ %ran1, %run ]
  %s = load atomic i64, ptr @dfc_pool_state acquire, align 8
  %next = and i64 %s, 4294967295
  %pieces = load atomic i64, ptr @dfc_pool_pieces monotonic, align 8
  %more = icmp ult i64 %next, %pieces
  br i1 %more, label %claim, label %out
claim:
  %fn = load atomic ptr, ptr @dfc_pool_fn monotonic, align 8
  %bufs = load atomic ptr, ptr @dfc_pool_bufs monotonic, align 8
  %n = load atomic i64, ptr @dfc_pool_n monotonic, align 8
  %chunk = load atomic i64, ptr @dfc_pool_chunk monotonic, align 8
  %s1 = add i64 %s, 1
  %r = cmpxchg ptr @dfc_pool_state, i64 %s, i64 %s1 acq_rel monotonic
  %ok = extractvalue {{ i64, i1 }} %r, 1
  br i1 %ok, label %run, label %loop
run:
  %lo = mul i64 %next, %chunk
  %hi0 = add i64 %lo, %chunk
  %hi = call i64 @llvm.smin.i64(i64 %hi0, i64 %n)
  call void %fn(ptr %bufs, i64 %lo, i64 %hi)
  %d = atomicrmw add ptr @dfc_pool_done, i64 1 acq_rel
  %ran1 = add i64 %ran, 1
  br label %loop
out:
  ret i64 %ran
}}

define internal ptr @dfc_pool_worker(ptr %unused) {{
entry:
  br label %loop
loop:
  %w = load atomic i32, ptr @dfc_pool_wake acquire, align 4
  %ran = call i64 @dfc_pool_drain()
  %since = call i64 @llvm.readcyclecounter()
  br label %spin
spin:
  ; a step that runs its kernels again soon (a training loop) finds the worker awake
  %w2 = load atomic i32, ptr @dfc_pool_wake acquire, align 4
  %changed = icmp ne i32 %w2, %w
  br i1 %changed, label %loop, label %spin_more
spin_more:
  {PAUSE}
  %now = call i64 @llvm.readcyclecounter()
  %spent = sub i64 %now, %since
  %spun = icmp uge i64 %spent, {SPIN_CYCLES}
  br i1 %spun, label %sleep, label %spin
sleep:
  ; FUTEX_WAIT_PRIVATE: sleeps only while wake still holds %w
  %r = call i64 (i64, ...) @syscall(i64 {SYS_FUTEX}, ptr @dfc_pool_wake, i32 128, i32 %w, ptr null)
  br label %loop
}}

define void @dfc_parallel_for(ptr %fn, ptr %bufs, i64 %n, i64 %want) {{
entry:
  %tid = alloca i64
  %w1 = call i64 @llvm.smin.i64(i64 %want, i64 {MAX_THREADS})
  %w2 = call i64 @llvm.smin.i64(i64 %w1, i64 %n)
  %nt = call i64 @llvm.smax.i64(i64 %w2, i64 1)
  %alone = icmp sle i64 %nt, 1
  br i1 %alone, label %serial, label %backoff
serial:
  call void %fn(ptr %bufs, i64 0, i64 %n)
  ret void
backoff:
  ; helpers were found slow lately (see `judge`): run alone for a while, then try them again
  %skip = atomicrmw sub ptr @dfc_pool_backoff, i64 1 monotonic
  %skipping = icmp sgt i64 %skip, 0
  br i1 %skipping, label %serial, label %unskip
unskip:
  store atomic i64 0, ptr @dfc_pool_backoff monotonic, align 8
  br label %lock
lock:
  %got = cmpxchg ptr @dfc_pool_busy, i32 0, i32 1 acquire monotonic
  %ok = extractvalue {{ i32, i1 }} %got, 1
  br i1 %ok, label %check, label %spawn
spawn:
  call void @dfc_parallel_spawn(ptr %fn, ptr %bufs, i64 %n, i64 %want)
  ret void
check:
  ; after a fork the child has none of the parent's workers: start them again
  %pid = call i32 @getpid()
  %oldpid = load i32, ptr @dfc_pool_pid
  %forked = icmp ne i32 %pid, %oldpid
  br i1 %forked, label %reset, label %grow
reset:
  store i32 %pid, ptr @dfc_pool_pid
  store i64 0, ptr @dfc_pool_size
  br label %grow
grow:
  %size = load i64, ptr @dfc_pool_size
  %helpers = sub i64 %nt, 1
  %short = icmp slt i64 %size, %helpers
  br i1 %short, label %start, label %publish
start:
  %rc = call i32 @pthread_create(ptr %tid, ptr null, ptr @dfc_pool_worker, ptr null)
  %started = icmp eq i32 %rc, 0
  br i1 %started, label %detach, label %failed
detach:
  %t = load i64, ptr %tid
  %dr = call i32 @pthread_detach(i64 %t)
  %size1 = add i64 %size, 1
  store i64 %size1, ptr @dfc_pool_size
  br label %grow
failed:
  store atomic i32 0, ptr @dfc_pool_busy release, align 4
  br label %spawn
publish:
  %pieces0 = mul i64 %nt, 4
  %pieces = call i64 @llvm.smin.i64(i64 %pieces0, i64 %n)
  %nm1 = add i64 %n, %pieces
  %nm2 = sub i64 %nm1, 1
  %chunk = sdiv i64 %nm2, %pieces
  store atomic ptr %fn, ptr @dfc_pool_fn monotonic, align 8
  store atomic ptr %bufs, ptr @dfc_pool_bufs monotonic, align 8
  store atomic i64 %n, ptr @dfc_pool_n monotonic, align 8
  store atomic i64 %chunk, ptr @dfc_pool_chunk monotonic, align 8
  store atomic i64 %pieces, ptr @dfc_pool_pieces monotonic, align 8
  store atomic i64 0, ptr @dfc_pool_done monotonic, align 8
  %old = load atomic i64, ptr @dfc_pool_state monotonic, align 8
  %gen = lshr i64 %old, 32
  %gen1 = add i64 %gen, 1
  %state = shl i64 %gen1, 32
  store atomic i64 %state, ptr @dfc_pool_state release, align 8
  %wk = atomicrmw add ptr @dfc_pool_wake, i32 1 acq_rel
  %nwake = trunc i64 %helpers to i32
  %t0 = call i64 @llvm.readcyclecounter()
  ; FUTEX_WAKE_PRIVATE
  %woke = call i64 (i64, ...) @syscall(i64 {SYS_FUTEX}, ptr @dfc_pool_wake, i32 129, i32 %nwake)
  %mine = call i64 @dfc_pool_drain()
  %t1 = call i64 @llvm.readcyclecounter()
  br label %wait
wait:
  %d = load atomic i64, ptr @dfc_pool_done acquire, align 8
  %all = icmp uge i64 %d, %pieces
  br i1 %all, label %judge, label %yield
yield:
  %y = call i32 @sched_yield()
  br label %wait
judge:
  ; the helpers were no help when the caller ran every chunk itself, or waited for them longer than it
  ; worked (a helper the OS did not schedule, on a machine with more work than cores): then the next
  ; {BACKOFF_CALLS} calls run alone
  %t2 = call i64 @llvm.readcyclecounter()
  %worked = sub i64 %t1, %t0
  %waited = sub i64 %t2, %t1
  %stalled = icmp ugt i64 %waited, %worked
  %alone_all = icmp uge i64 %mine, %pieces
  %useless = or i1 %stalled, %alone_all
  br i1 %useless, label %back_off, label %done
back_off:
  store atomic i64 {BACKOFF_CALLS}, ptr @dfc_pool_backoff monotonic, align 8
  br label %done
done:
  store atomic i32 0, ptr @dfc_pool_busy release, align 4
  ret void
}}
"""

# elsewhere every call makes its threads
_NO_POOL = """
define void @dfc_parallel_for(ptr %fn, ptr %bufs, i64 %n, i64 %want) {
entry:
  call void @dfc_parallel_spawn(ptr %fn, ptr %bufs, i64 %n, i64 %want)
  ret void
}
"""

_SPAWN_DECLS = """
declare i32 @pthread_create(ptr, ptr, ptr, ptr)
declare i32 @pthread_join(i64, ptr)
declare i64 @llvm.smin.i64(i64, i64)
declare i64 @llvm.smax.i64(i64, i64)
"""

POOL_MODULE = SPAWN + (_POOL if SYS_FUTEX is not None else _SPAWN_DECLS + _NO_POOL)
