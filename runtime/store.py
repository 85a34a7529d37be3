"""VariableStore: the buffers that hold variables' values across runs and sessions."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from dfc.ir.errors import FailedPreconditionError, InvalidArgumentError
from dfc.ir.graph import Op

ALIGNMENT = 64  # bytes: one cache line, and the widest vector load (AVX-512)


def aligned_empty(shape: tuple[int, ...], dtype) -> np.ndarray:
    """An uninitialized C-contiguous array whose data starts on an ALIGNMENT-byte boundary."""
    dtype = np.dtype(dtype)
    if dtype.hasobject:  # tf.string: references, read only by the interpreter (runtime/host_strings.py)
        return np.empty(shape, dtype=dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.empty(nbytes + ALIGNMENT, dtype=np.uint8)
    offset = (-raw.ctypes.data) % ALIGNMENT
    return raw[offset:offset + nbytes].view(dtype).reshape(shape)


class VariableStore:
    """Named variable buffers. A buffer, once made, keeps its address: updates write into it."""

    def __init__(self):
        self._buffers: dict[str, np.ndarray] = {}
        self._lock = threading.RLock()
        self._variable_locks: dict[str, threading.Lock] = {}

    @contextlib.contextmanager
    def locked(self, names: Iterable[str]) -> Iterator[None]:
        """Hold the locks of `names` (taken in sorted order, so two runs never deadlock): TF's use_locking."""
        with self._lock:
            locks = [self._variable_locks.setdefault(n, threading.Lock()) for n in sorted(set(names))]
        with contextlib.ExitStack() as stack:
            for lock in locks:
                stack.enter_context(lock)
            yield

    def update(self, name: str, combine: Callable[[np.ndarray], np.ndarray], op: Op | None = None) -> np.ndarray:
        """Replace the value by combine(value) in one critical section; returns a copy of the new value."""
        with self._lock:
            return self.write(name, combine(self.buffer(name, op)), op)

    def __contains__(self, name: str) -> bool:
        return name in self._buffers

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._buffers))

    def __len__(self) -> int:
        return len(self._buffers)

    def is_initialized(self, name: str) -> bool:
        return name in self._buffers

    def buffer(self, name: str, op: Op | None = None) -> np.ndarray:
        """The live buffer of `name` (writes to it are writes to the variable)."""
        try:
            return self._buffers[name]
        except KeyError:
            where = f" (read by op '{op.name}' at {op.loc})" if op is not None and op.loc else ""
            raise FailedPreconditionError(
                f"Attempting to use uninitialized value {name}{where}: run its initializer first, "
                f"e.g. sess.run(tf.global_variables_initializer())", op) from None

    def read(self, name: str, op: Op | None = None) -> np.ndarray:
        """A copy of the variable's current value."""
        return self.buffer(name, op).copy()

    def write(self, name: str, value: np.ndarray, op: Op | None = None) -> np.ndarray:
        """Store `value` into the variable's buffer (made on first write); returns a copy of it."""
        value = np.asarray(value)
        with self._lock:
            buf = self._buffers.get(name)
            if buf is None or buf.shape != value.shape or buf.dtype != value.dtype:
                if buf is not None and op is not None and op.type != "dfc.assign":
                    raise InvalidArgumentError(
                        f"op '{op.name}' updates variable {name} of shape {list(buf.shape)} with a value of "
                        f"shape {list(value.shape)}", op)
                buf = aligned_empty(value.shape, value.dtype)
                self._buffers[name] = buf
            buf[...] = value
        return value.copy()

    def snapshot(self) -> dict[str, np.ndarray]:
        """Copies of every initialized variable (for checkpoints and tests)."""
        with self._lock:
            return {name: buf.copy() for name, buf in self._buffers.items()}

    def restore(self, values: dict[str, np.ndarray]) -> None:
        for name, value in values.items():
            self.write(name, value)

    def forget(self, name: str) -> None:
        self._buffers.pop(name, None)
