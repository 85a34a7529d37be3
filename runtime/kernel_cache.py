"""Object code per compiled module: an in-memory LRU, a disk cache, and compilation across the machine's cores.

`objects(target, units)` returns object code for each (name, text, level) unit of a step,
from memory, else from disk, else compiled; the misses of one call are compiled together,
in parallel in worker processes when there are many of them and several cores.

Keys cover the module text, the optimization level and the target's identity (triple, CPU,
features, vector width, llvmlite and LLVM versions). A disk entry is a regular file
`<key>.o` holding a magic line, its own key, the payload's size, a checksum over key and
payload, then the payload: an entry copied or renamed under another key, truncated or
corrupt is rejected (and recompiled), never loaded. Something else at an entry's path (a
FIFO, a directory, an unreadable file) is skipped without blocking: entries are opened
with O_NONBLOCK and must be regular files. Writes go to a temporary file that is renamed
into place, and removed when anything fails.

Why processes: llvmlite serializes every call into LLVM behind one lock, so threads never
compile in parallel; and LLVM's pass manager keeps ~70 KB per optimized module (see
compiler/target.py), so once this process has optimized IN_PROCESS_BUDGET modules every
further one is compiled by a worker, and each worker is replaced after RECYCLE_JOBS jobs.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import queue
import random
import stat
import subprocess
import sys
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dfc.compiler import target as target_module
from dfc.compiler.target import Target

MAGIC = b"DFCOBJ2\n"
_HEAD = len(MAGIC) + 32 + 8 + 32  # magic, key, payload size, checksum
#: the share of cache writes that also prune the cache (a directory scan is not free)
PRUNE_EVERY = 1 / 16
#: misses compiled in one call from which worker processes help (starting one costs ~0.3 s, once)
PARALLEL_MIN_JOBS = 16
#: optimized modules this process compiles itself before workers take over (bounds LLVM's leak to ~10 MB)
IN_PROCESS_BUDGET = 150
#: jobs after which a worker process is replaced
RECYCLE_JOBS = 300
#: bytes of object code kept in memory (DFC_MEMORY_CACHE_MB)
MEMORY_BYTES = int(float(os.environ.get("DFC_MEMORY_CACHE_MB", "8")) * (1 << 20))


def cache_dir() -> Path:
    """Where compiled object code is kept: DFC_CACHE_DIR, else the user's cache directory."""
    explicit = os.environ.get("DFC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dfc"


def unit_key(target: Target, text: str, level: int) -> bytes:
    """The 32-byte key of a module's object code: its text, the level and the target's identity."""
    return hashlib.sha256(f"{target.identity}\0O{level}\0{text}".encode()).digest()


def entry_path(directory: Path, key: bytes) -> Path:
    return directory / f"{key.hex()}.o"


def _checksum(key: bytes, payload: bytes) -> bytes:
    return hashlib.sha256(key + payload).digest()


def read_entry(path: Path, key: bytes) -> bytes | None:
    """The payload of the entry at `path` if it is a regular file, whole, and filed under `key`; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None  # a FIFO would block a plain read; a directory cannot be read
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read()
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) < _HEAD or not data.startswith(MAGIC):
        return None
    at = len(MAGIC)
    stored_key, size = data[at:at + 32], int.from_bytes(data[at + 32:at + 40], "little")
    digest, payload = data[at + 40:_HEAD], data[_HEAD:]
    if stored_key != key or len(payload) != size or _checksum(key, payload) != digest:
        return None
    return payload


def write_entry(path: Path, key: bytes, payload: bytes) -> bool:
    """Store an entry atomically (readers see the old entry or the whole new one); False when it could not."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + key + len(payload).to_bytes(8, "little") + _checksum(key, payload) + payload)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False  # a read-only or full cache, or a directory at the entry's path: a recompile next time


DEFAULT_CACHE_MAX_MB = 512.0


def cache_max_bytes() -> int:
    """DFC_CACHE_MAX_MB in bytes; a value that is not a non-negative number is ignored with a warning."""
    raw = os.environ.get("DFC_CACHE_MAX_MB")
    if raw is None:
        return int(DEFAULT_CACHE_MAX_MB * (1 << 20))
    try:
        mb = float(raw)
        if not 0 <= mb < float(1 << 40):  # also refuses nan and inf
            raise ValueError(raw)
    except ValueError:
        warnings.warn(f"ignoring DFC_CACHE_MAX_MB={raw!r}: expected a non-negative number of megabytes; "
                      f"using {DEFAULT_CACHE_MAX_MB:g}", RuntimeWarning, stacklevel=2)
        mb = DEFAULT_CACHE_MAX_MB
    return int(mb * (1 << 20))


def prune_cache(directory: Path, max_bytes: int | None = None) -> None:
    """Delete the least recently used entries until the cache holds at most max_bytes (DFC_CACHE_MAX_MB)."""
    if max_bytes is None:
        max_bytes = cache_max_bytes()
    entries = []
    try:
        for e in os.scandir(directory):
            if e.name.endswith(".o") and e.is_file(follow_symlinks=False):
                st = e.stat(follow_symlinks=False)
                entries.append((st.st_mtime, st.st_size, e.path))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    for _, size, entry in sorted(entries):
        if total <= max_bytes:
            break
        try:
            os.remove(entry)
            total -= size
        except OSError:
            pass


@dataclass
class CompileStats:
    """What the cache did in this process: modules compiled (here and by workers), memory and disk hits."""

    compiled: int = 0
    memory_hits: int = 0
    disk_hits: int = 0
    by_workers: int = 0


STATS = CompileStats()
_memory: OrderedDict[bytes, bytes] = OrderedDict()
_memory_bytes = 0
_memory_lock = threading.Lock()


def _remember(key: bytes, obj: bytes) -> None:
    global _memory_bytes
    with _memory_lock:
        if key in _memory:
            _memory.move_to_end(key)
            return
        _memory[key] = obj
        _memory_bytes += len(obj)
        while _memory_bytes > MEMORY_BYTES and len(_memory) > 1:
            _, old = _memory.popitem(last=False)
            _memory_bytes -= len(old)


def _recall(key: bytes) -> bytes | None:
    with _memory_lock:
        obj = _memory.get(key)
        if obj is not None:
            _memory.move_to_end(key)
        return obj


def clear_memory() -> None:
    """Forget the in-memory object code (the disk cache stays)."""
    global _memory_bytes
    with _memory_lock:
        _memory.clear()
        _memory_bytes = 0


def objects(target: Target, units: Sequence[tuple[str, str, int]]) -> tuple[list[bytes], bool]:
    """(object code of each (name, text, level) unit, whether none had to be compiled)."""
    max_bytes = cache_max_bytes()  # read on every call, so a bad setting warns at once, not now and then
    keys = [unit_key(target, text, level) for _, text, level in units]
    found: dict[bytes, bytes] = {}
    misses: dict[bytes, tuple[str, int]] = {}
    directory = cache_dir()
    for key, (_, text, level) in zip(keys, units):
        if key in found or key in misses:
            continue
        obj = _recall(key)
        if obj is not None:
            STATS.memory_hits += 1
        else:
            path = entry_path(directory, key)
            obj = read_entry(path, key)
            if obj is not None:
                STATS.disk_hits += 1
                try:
                    os.utime(path)  # the mtime is the last use: pruning drops the least recently used
                except OSError:
                    pass
        if obj is None:
            misses[key] = (text, level)
        else:
            found[key] = obj
            _remember(key, obj)
    if misses:
        compiled = _compile(target, misses)
        for key, obj in compiled.items():
            found[key] = obj
            _remember(key, obj)
            write_entry(entry_path(directory, key), key, obj)
        if random.random() < PRUNE_EVERY:
            prune_cache(directory, max_bytes)
    return [found[k] for k in keys], not misses


def objects_by_key(keys: Sequence[bytes]) -> list[bytes] | None:
    """Object code of each key from memory or disk, or None when any is in neither (then the caller compiles)."""
    directory = cache_dir()
    out = []
    for key in keys:
        obj = _recall(key)
        if obj is not None:
            STATS.memory_hits += 1
        else:
            path = entry_path(directory, key)
            obj = read_entry(path, key)
            if obj is None:
                return None
            STATS.disk_hits += 1
            _remember(key, obj)
            try:
                os.utime(path)
            except OSError:
                pass
        out.append(obj)
    return out


def derived(key: bytes, make: Callable[[], bytes]) -> bytes:
    """A payload made from cached code by a tool other than LLVM (a cubin nvJitLink links from PTX), filed under
    `key` (which the caller derives from everything the payload depends on): from memory, disk, else made now
    and stored like object code."""
    obj = objects_by_key([key])
    if obj is not None:
        return obj[0]
    payload = make()
    _remember(key, payload)
    write_entry(entry_path(cache_dir(), key), key, payload)
    return payload


def _compile(target: Target, jobs: dict[bytes, tuple[str, int]]) -> dict[bytes, bytes]:
    """Object code for each job: here, or shared with worker processes when many or past the budget."""
    optimizing = [k for k, (_, level) in jobs.items() if level > 0]
    over_budget = target.optimize_runs[0] + len(optimizing) > IN_PROCESS_BUDGET
    cores = _cores()
    many = len(jobs) >= PARALLEL_MIN_JOBS and cores > 1
    if not (many or (optimizing and over_budget)) or not _POOL.usable:
        out = {k: target.emit_object(text, level) for k, (text, level) in jobs.items()}
        STATS.compiled += len(out)
        return out
    # past the budget, optimizing runs only in workers; unoptimized modules leak nothing and may run here
    return _POOL.compile(target, jobs, helpers=min(cores, max(1, len(jobs) // 4)), local=not over_budget)


def _cores() -> int:
    explicit = os.environ.get("DFC_COMPILE_WORKERS")
    if explicit:
        return max(1, int(explicit))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class _Worker:
    """One compiler process (runtime/compile_worker.py): length-prefixed pickles over its stdin and stdout."""

    def __init__(self):
        script = Path(__file__).with_name("compile_worker.py")
        self.proc = subprocess.Popen([sys.executable, str(script), target_module.__file__], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True)
        self.jobs = 0

    def compile(self, target: Target, text: str, level: int) -> bytes:
        fields = (type(target).__name__, target.kind, target.triple, target.cpu, target.features, target.attributes,
                  target.unroll)
        message = pickle.dumps((fields, text, level), protocol=pickle.HIGHEST_PROTOCOL)
        self.proc.stdin.write(len(message).to_bytes(8, "little") + message)
        self.proc.stdin.flush()
        size = int.from_bytes(_read_exactly(self.proc.stdout, 8), "little")
        status, payload = pickle.loads(_read_exactly(self.proc.stdout, size))
        self.jobs += 1
        if status != "ok":
            raise RuntimeError(f"compiling a module failed in a worker process: {payload}")
        return payload

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


def _read_exactly(stream, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError("the compile worker exited")
    return data


class _WorkerPool:
    """Compiler processes kept for the process's lifetime, each replaced after RECYCLE_JOBS jobs."""

    def __init__(self):
        self.idle: list[_Worker] = []
        self.lock = threading.Lock()
        self.usable = True

    def _take(self) -> _Worker | None:
        with self.lock:
            if self.idle:
                return self.idle.pop()
        try:
            return _Worker()
        except OSError:
            self.usable = False
            return None

    def _give(self, worker: _Worker) -> None:
        if worker.jobs >= RECYCLE_JOBS or worker.proc.poll() is not None:
            worker.close()
            return
        with self.lock:
            self.idle.append(worker)

    def compile(self, target: Target, jobs: dict[bytes, tuple[str, int]], helpers: int,
                local: bool) -> dict[bytes, bytes]:
        """Compile `jobs` on `helpers` workers and, unoptimized modules always and others when `local`, here."""
        # two queues, the biggest jobs first: workers take optimized modules first, this process unoptimized ones
        optimized: queue.SimpleQueue = queue.SimpleQueue()
        unoptimized: queue.SimpleQueue = queue.SimpleQueue()
        for key in sorted(jobs, key=lambda k: -len(jobs[k][0])):
            (optimized if jobs[key][1] > 0 else unoptimized).put(key)
        out: dict[bytes, bytes] = {}
        errors: list[BaseException] = []

        def drain(worker: _Worker | None, queues: list[queue.SimpleQueue]) -> None:
            for q in queues:
                while not errors:
                    try:
                        key = q.get_nowait()
                    except queue.Empty:
                        break
                    text, level = jobs[key]
                    try:
                        if worker is not None:
                            try:
                                out[key] = worker.compile(target, text, level)
                                STATS.by_workers += 1
                                continue
                            except (EOFError, OSError):  # it died: this job and the rest of its share run here
                                worker = None
                        out[key] = target.emit_object(text, level)
                    except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread below
                        errors.append(e)

        workers = [w for w in (self._take() for _ in range(helpers)) if w is not None]
        threads = [threading.Thread(target=drain, args=(w, [optimized, unoptimized]), daemon=True) for w in workers]
        for t in threads:
            t.start()
        drain(None, [unoptimized, optimized] if local or not workers else [unoptimized])
        for t in threads:
            t.join()
        for w in workers:
            self._give(w)
        if errors:
            raise errors[0]
        STATS.compiled += len(out)
        return out

    def close(self) -> None:
        with self.lock:
            workers, self.idle = self.idle, []
        for w in workers:
            w.close()


_POOL = _WorkerPool()
