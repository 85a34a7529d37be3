"""Compiled steps cached whole, in memory and on disk: a warm process skips the passes, lowering and LLVM.

A step's key is a hash of everything its compiled code depends on, computed from the
user's graph before any pass runs (no printing, no optimized IR): the ops the fetches and
targets need, in graph order, with their types, names, devices, source lines, attributes
(constants' bytes included), result types and regions; which values are fed and with
what shapes and dtypes; the fetches and targets; and the compiler's identity (the source
of dfc's ir/, compiler/ and runtime/, the pass pipeline, the fusion policy, the target's
identity with the llvmlite and LLVM versions, numpy's and Python's versions, the BLAS the
kernels call, and every DFC_* environment variable that is not known to leave code alone).

The entry (a `StepImage`) holds what running the step needs besides its kernels: the
argument and output specs, the constants, the variables, the error sites, the arena size,
the object code of the entry module (`dfc_main` and its parts) and the kernel-cache keys
of its kernels (runtime/kernel_cache.py), which are loaded from that cache. A kernel the
kernel cache no longer has makes the step a miss, compiled as if new.

Entries use the kernel cache's file format and rules (runtime/kernel_cache.py): a regular
file `step-<key>.o` holding its own key and a checksum over key and payload, so an entry
copied or renamed under another key, truncated or corrupt is rejected and the step
recompiled; a FIFO, directory or unreadable file at an entry's path is skipped without
blocking; writes go through a temporary file renamed into place, removed when anything
fails; pruning (DFC_CACHE_MAX_MB) drops the least recently used entries of both kinds.
The payload is a pickle of plain data (lists, tuples, strings, numpy arrays, `OpRef`s),
read from the user's own cache directory like the object code beside it; an entry that
does not unpickle to a StepImage is a miss.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import pickle
import struct
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dfc.compiler.fuse import fusion_policy
from dfc.compiler.pipeline import DUMP_ENV, default_pipeline
from dfc.compiler.target import Target
from dfc.ir.dtypes import DType
from dfc.ir.graph import Graph, Location, Op, Value
from dfc.ir.printer import format_attr
from dfc.ir.types import ControlType, TensorType

from . import kernel_cache

#: bumped when the StepImage's fields or the key's encoding change
FORMAT = "dfc-step-3"
#: DFC_* variables read only by the runtime or the caches: they choose where and how much, never what code
NEUTRAL_ENV = frozenset({"DFC_CACHE_DIR", "DFC_CACHE_MAX_MB", "DFC_MEMORY_CACHE_MB", "DFC_COMPILE_WORKERS",
                         "DFC_MAX_EXECUTABLES", "DFC_STEP_CACHE", "DFC_BENCH_PYTHON"})
#: compiled steps kept in this process by key, at most this many and this many bytes of constants and entry code
MEMORY_ENTRIES = 32
MEMORY_BYTES = 64 << 20


@dataclass(frozen=True)
class OpRef:
    """An op of a cached step as errors name it: its name, type and source line (Op.describe's words)."""

    name: str
    type: str
    loc: Location | None = None

    def describe(self) -> str:
        where = f" at {self.loc}" if self.loc else ""
        return f"'{self.name}' ({self.type}){where}"

    @staticmethod
    def of(op: Any) -> OpRef | None:
        if op is None or isinstance(op, OpRef):
            return op
        return OpRef(op.name, op.type, op.loc)


@dataclass
class StepImage:
    """A compiled step as data: what CpuExecutable needs to link and run it (runtime/cpu.py).

    Ops appear where errors and random counters name them; in a freshly compiled step they
    are the step graph's ops, in a loaded one `OpRef`s with the same name, type and line.
    """

    in_specs: list[tuple[tuple[int, ...], np.dtype]]
    out_specs: list[tuple[tuple[int, ...], np.dtype]]
    constants: list[np.ndarray]
    #: (name, first op touching it, shape, dtype, whether only dfc.assign touches it) per variable slot
    variables: list[tuple[str, Any, tuple[int, ...], np.dtype, bool]]
    random_ops: list[Any]
    #: (kind, message, op) per non-zero return code, in code order
    errors: list[tuple[str, str, Any]]
    num_slots: int
    arena_size: int
    locked_variables: tuple[str, ...]
    needs_pool: bool
    #: (message, op) of the OOM error: the op whose result needs the most memory
    oom: tuple[str, Any]
    kernel_keys: list[bytes] = field(default_factory=list)
    #: object code of the entry module and its parts (never shared with another step)
    entry_objects: list[bytes] = field(default_factory=list)

    def portable(self) -> StepImage:
        """This image with OpRefs in place of ops, ready to pickle."""
        return StepImage(
            self.in_specs, self.out_specs, self.constants,
            [(n, OpRef.of(op), shape, dtype, only) for n, op, shape, dtype, only in self.variables],
            [OpRef.of(op) for op in self.random_ops], [(k, m, OpRef.of(op)) for k, m, op in self.errors],
            self.num_slots, self.arena_size, self.locked_variables, self.needs_pool,
            (self.oom[0], OpRef.of(self.oom[1])), list(self.kernel_keys), list(self.entry_objects))


# ---- the key -----------------------------------------------------------------------------------

class Uncacheable(Exception):
    """The step holds something the key cannot describe exactly (an attribute of an unknown type)."""


def enabled() -> bool:
    """Whether steps are cached whole: not while stages are dumped (DFC_DUMP_DIR), nor with DFC_STEP_CACHE=0."""
    return not os.environ.get(DUMP_ENV) and os.environ.get("DFC_STEP_CACHE", "1") != "0"


_code_identity: str | None = None


def _source_files() -> list[tuple[str, str]]:
    """(path, name relative to the packages' parent) of every source file of dfc's IR, compiler and runtime."""
    import dfc.compiler
    import dfc.ir
    import dfc.runtime
    files = []
    for package in (dfc.ir, dfc.compiler, dfc.runtime):
        root = os.path.dirname(os.path.realpath(package.__file__))
        base = os.path.dirname(root)
        for directory, _, names in os.walk(root):
            prefix = directory[len(base) + 1:]
            files.extend((os.path.join(directory, n), f"{prefix}/{n}") for n in names if n.endswith(".py"))
    return sorted(files, key=lambda f: f[1])


def code_identity() -> str:
    """A hash of the source of dfc's IR, compiler and runtime (computed once per process).

    Reading and hashing the ~90 files costs a warm process several milliseconds, so the hash is
    kept in the cache directory under a key made of every file's inode, size, modification and
    change times: a file written since (by an edit, a checkout or an install, which always moves
    its change time) makes a new key, and the files are read and hashed again.
    """
    global _code_identity
    if _code_identity is None:
        files = _source_files()
        listing = hashlib.sha256(FORMAT.encode())
        for path, name in files:
            try:
                st = os.stat(path)
                listing.update(f"{name}\0{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}\0"
                               .encode())
            except OSError:
                listing.update(f"{name}\0?\0".encode())
        key = listing.digest()
        index = kernel_cache.cache_dir() / f"code-{key.hex()}.o"
        known = kernel_cache.read_entry(index, key)
        if known is not None and len(known) == 64:
            _code_identity = known.decode("ascii", "replace")
        else:
            h = hashlib.sha256()
            for path, name in files:
                try:
                    with open(path, "rb") as f:
                        data = f.read()
                except OSError:
                    data = b"?"
                h.update(f"{name}\0{len(data)}\0".encode())
                h.update(data)
            _code_identity = h.hexdigest()
            kernel_cache.write_entry(index, key, _code_identity.encode("ascii"))
    return _code_identity


def compiler_identity(target: Target, codegen_options: Sequence[Any] = ()) -> str:
    """Everything besides the graph that the compiled step depends on."""
    env = sorted((k, v) for k, v in os.environ.items() if k.startswith("DFC_") and k not in NEUTRAL_ENV)
    return "\n".join([FORMAT, code_identity(), target.identity, repr(env), repr(list(default_pipeline())),
                      repr(fusion_policy()), repr(tuple(codegen_options)), compiler_settings(), np.__version__,
                      ".".join(map(str, sys.version_info[:3]))])


def compiler_settings() -> str:
    """A hash of the compiler's module-level settings as they are now (SMALL_GEMM, PARALLEL_MIN_ELEMENTS, ...).

    The source hash covers what the files say; this covers a setting changed at run time
    (a test or a tuning script assigning `module.CONSTANT` or changing a table in place), which
    changes the code just as well. Every step's lookup asks, so each setting's text is kept with
    a copy of its value: the same immutable object, or a container equal to the copy, has the
    same text without rendering it again.
    """
    h = hashlib.sha256()
    for name, module in _compiler_modules():
        for key in _setting_names(module):
            value = getattr(module, key, _MISSING)
            known = _settings_seen.get((name, key))
            if known is not None and known[0] is value and (type(value) in _IMMUTABLE or _equal(value, known[1])):
                text = known[2]
            else:
                text = _plain(value)
                _settings_seen[(name, key)] = (value, copy.deepcopy(value) if text is not None else None, text)
            if text is not None:
                h.update(f"{name}.{key}={text}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


_IMMUTABLE = (bool, int, float, str, type(None))
_MISSING = object()
#: (module name, setting) -> (the value seen, a copy of it when it is plain data, its text or None)
_settings_seen: dict[tuple[str, str], tuple[Any, Any, str | None]] = {}
_modules_seen: tuple[int, list[tuple[str, Any]]] = (-1, [])
_names_seen: dict[str, tuple[Any, int, list[str]]] = {}


def _compiler_modules() -> list[tuple[str, Any]]:
    """The loaded modules of dfc.compiler, by name (listed again when a module was loaded since)."""
    global _modules_seen
    count = len(sys.modules)
    if _modules_seen[0] != count:
        found = sorted((n, m) for n, m in list(sys.modules.items()) if m is not None and n.startswith("dfc.compiler"))
        _modules_seen = (count, found)
    return _modules_seen[1]


def _setting_names(module: Any) -> list[str]:
    """A module's settings: its upper-case names (listed again when the module gained or lost a name)."""
    names = vars(module)
    known = _names_seen.get(module.__name__)
    if known is None or known[0] is not module or known[1] != len(names):
        keys = sorted(k for k in names if k.isupper() or (k[:1] == "_" and k[1:].isupper()))
        known = _names_seen[module.__name__] = (module, len(names), keys)
    return known[2]


def _equal(value: Any, copied: Any) -> bool:
    try:
        return copied is not None and type(value) is type(copied) and bool(value == copied)
    except Exception:  # noqa: BLE001 - a comparison that cannot say (arrays): render the text again
        return False


def _plain(value: Any, depth: int = 0) -> str | None:
    """A stable text for a setting of plain data (numbers, strings, their tuples, sets, dicts); None otherwise.

    Stops at the first part that is not plain data: an op registry (a dict of functions) is
    no setting, and walking all of it on every step's lookup cost milliseconds.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if depth > 3:
        return None
    if isinstance(value, (tuple, list, set, frozenset)):
        items = _plain_all(value, depth)
        if items is None:
            return None
        return "(" + ",".join(items) + ")" if isinstance(value, (tuple, list)) else "{" + ",".join(sorted(items)) + "}"
    if isinstance(value, dict):
        items = _plain_all((x for pair in value.items() for x in pair), depth)
        if items is None:
            return None
        return "{" + ",".join(sorted(f"{k}:{v}" for k, v in zip(items[::2], items[1::2]))) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = _plain_all((getattr(value, f.name) for f in dataclasses.fields(value)), depth)
        return None if fields is None else f"{type(value).__name__}(" + ",".join(fields) + ")"
    return None


def _plain_all(values: Any, depth: int) -> list[str] | None:
    out = []
    for v in values:
        text = _plain(v, depth + 1)
        if text is None:
            return None
        out.append(text)
    return out


def step_key(graph: Graph, needed: set[Op], fetches: Sequence[Value], targets: Sequence[Op], feeds: Sequence[Value],
             arrays: Sequence[np.ndarray], identity: str) -> bytes:
    """The 32-byte key of the step `compile_step` makes from these arguments; raises Uncacheable."""
    out: list[str] = [identity, f"feeds {len(feeds)}"]
    numbers: dict[Value, str] = {}
    for k, (v, a) in enumerate(zip(feeds, arrays)):
        numbers[v] = f"a{k}"
        out.append(f"a{k} {v.type} {a.dtype.str} {a.shape}")
    ops = [op for op in graph.ops if op in needed]
    index = {op: i for i, op in enumerate(ops)}
    for i, op in enumerate(ops):
        _encode_op(op, str(i), numbers, out)
    out.append("fetches " + " ".join(_number(v, numbers) for v in fetches))
    try:
        out.append("targets " + " ".join(str(index[op]) for op in targets))
    except KeyError:
        raise Uncacheable("a target outside the step") from None
    return hashlib.sha256(b"step\0" + "\n".join(out).encode("utf-8", "surrogatepass")).digest()


def _number(value: Value, numbers: dict[Value, str]) -> str:
    try:
        return numbers[value]
    except KeyError:
        raise Uncacheable(f"value {value.name} comes from outside the step") from None


def _text(s: str) -> str:
    return f"{len(s)}:{s}"


#: the key's text of each result type seen (a step has thousands of results of a few types)
_type_texts: dict[Any, str] = {}


def _encode_op(op: Op, at: str, numbers: dict[Value, str], out: list[str]) -> None:
    # every op of every step's lookup passes here: one f-string, no helper calls on the common path
    loc, device = op.loc, op.device or ""
    where = f"{loc.file}:{loc.line}:{loc.col}" if loc else ""
    try:
        operands = " ".join([numbers[v] for v in op.operands])
    except KeyError:
        operands = " ".join(_number(v, numbers) for v in op.operands)  # raises, naming the value
    parts = [f"{at} {len(op.type)}:{op.type} {len(op.name)}:{op.name} {len(device)}:{device} {len(where)}:{where} "
             f"({operands})"]
    attrs = op.attrs
    if attrs:
        for key in sorted(attrs):
            parts.append(f"{len(key)}:{key}={_attr(attrs[key])}")
    for j, r in enumerate(op.results):
        numbers.setdefault(r, f"{at}.{j}")  # a fed result keeps its argument's number
        t = r.type
        text = _type_texts.get(t)
        if text is None:
            text = _type_texts[t] = str(t)
        parts.append(text)
    out.append(" ".join(parts))
    for ri, region in enumerate(op.regions):
        out.append(f"{at} region {ri}")
        for k, arg in enumerate(region.arguments):
            numbers[arg] = f"{at}r{ri}a{k}"
            out.append(f"{at}r{ri}a{k} {arg.type}")
        for j, inner in enumerate(region.ops):
            _encode_op(inner, f"{at}r{ri}o{j}", numbers, out)


def _attr(value: Any) -> str:
    """An attribute value, exactly: its type and contents (an array's bytes go to the hash directly)."""
    kind = type(value)
    if value is None:
        return "N"
    if kind is bool:
        return "B1" if value else "B0"
    if kind is int:
        return f"I{value}"
    if kind is float:
        return "F" + struct.pack("<d", value).hex()
    if kind is str:
        return "S" + _text(value)
    if kind is np.ndarray:
        if value.dtype.hasobject:
            raise Uncacheable("an array attribute of Python objects")
        data = np.ascontiguousarray(value).tobytes()
        return f"A{value.dtype.str}{value.shape}{len(data)}#{hashlib.sha256(data).hexdigest()[:16]}"
    if kind in (list, tuple):
        return ("L" if kind is list else "T") + f"{len(value)}[" + ",".join(_attr(v) for v in value) + "]"
    if isinstance(value, np.generic):
        if value.dtype.hasobject:
            raise Uncacheable("a numpy object scalar attribute")
        return f"G{value.dtype.str}:{value.tobytes().hex()}"
    if isinstance(value, (DType, TensorType, ControlType)):
        return f"Y{type(value).__name__}:{value}"
    try:  # anything else the IR printer can write (its text re-parses, so it says all there is)
        return f"P{kind.__module__}.{kind.__qualname__}:" + _text(format_attr(value))
    except TypeError:
        raise Uncacheable(f"an attribute of type {kind.__name__}") from None


# ---- the cache ---------------------------------------------------------------------------------

@dataclass
class StepCacheStats:
    """What the step cache did in this process."""

    memory_hits: int = 0
    disk_hits: int = 0
    misses: int = 0
    stored: int = 0
    rejected: int = 0  # entries found but unusable (corrupt payload, a kernel gone from the kernel cache)


STATS = StepCacheStats()
_memory: OrderedDict[bytes, tuple[StepImage, int]] = OrderedDict()
_memory_bytes = 0
_memory_lock = threading.Lock()


def entry_path(directory: Path, key: bytes) -> Path:
    return directory / f"step-{key.hex()}.o"


def clear_memory() -> None:
    """Forget the steps kept in memory (the disk entries stay)."""
    global _memory_bytes
    with _memory_lock:
        _memory.clear()
        _memory_bytes = 0


def _remember(key: bytes, image: StepImage) -> None:
    global _memory_bytes
    size = sum(c.nbytes for c in image.constants) + sum(len(o) for o in image.entry_objects)
    if size > MEMORY_BYTES:
        return  # a step with big constants: its executables keep them; the disk entry serves a new session
    with _memory_lock:
        old = _memory.pop(key, None)
        if old is not None:
            _memory_bytes -= old[1]
        _memory[key] = (image, size)
        _memory_bytes += size
        while len(_memory) > MEMORY_ENTRIES or _memory_bytes > MEMORY_BYTES:
            _, (_, dropped) = _memory.popitem(last=False)
            _memory_bytes -= dropped


def load(key: bytes) -> tuple[StepImage, list[bytes]] | None:
    """(image, object code of its kernels then its entry) for a cached step, or None when it must be compiled."""
    with _memory_lock:
        kept = _memory.get(key)
        image = kept[0] if kept is not None else None
        if kept is not None:
            _memory.move_to_end(key)
    from_disk = image is None
    if from_disk:
        path = entry_path(kernel_cache.cache_dir(), key)
        payload = kernel_cache.read_entry(path, key)
        if payload is None:
            STATS.misses += 1
            return None
        image = _unpickle(payload)
        if image is None:
            STATS.rejected += 1
            return None
        try:
            os.utime(path)  # the mtime is the last use: pruning drops the least recently used
        except OSError:
            pass
    kernels = kernel_cache.objects_by_key(image.kernel_keys)
    if kernels is None:
        STATS.rejected += 1
        return None
    if from_disk:
        STATS.disk_hits += 1
        _remember(key, image)
    else:
        STATS.memory_hits += 1
    return image, kernels + list(image.entry_objects)


def store(key: bytes, image: StepImage) -> None:
    """Keep a compiled step in memory and on disk (a failed write only costs a compile later)."""
    portable = image.portable()
    _remember(key, portable)
    try:
        payload = pickle.dumps(portable, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    if kernel_cache.write_entry(entry_path(kernel_cache.cache_dir(), key), key, payload):
        STATS.stored += 1


def _unpickle(payload: bytes) -> StepImage | None:
    try:
        image = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a payload from another dfc version: recompile, never crash
        return None
    if not isinstance(image, StepImage) or not all(isinstance(k, bytes) for k in image.kernel_keys):
        return None
    return image
