"""The state of TF1's queues and accumulators: elements, counts, and the waits of the runs that use them.

TF keeps a queue in a resource container (of the session; in a cluster, of the task the queue
op is placed on), created the first time an op of the queue runs and shared by every queue op
with the same shared_name there. `QueueState` and `AccumulatorState` are those objects. Their
`try_*` methods never wait: they answer None when a run would have to (a dequeue from an
empty queue, an enqueue into a full one), so a task of a cluster can serve them to other
processes (TaskServer.resource_call) while the waiting happens in the client. The blocking
calls (`enqueue`, `dequeue`, `take`) wait on a condition variable in-process, or poll a remote
one; a wait ends with TF's error when the queue is closed (OutOfRangeError for a dequeue,
CancelledError for an enqueue that close(cancel_pending_enqueues=True) cancels), the session
is closed (CancelledError), the run's RunOptions.timeout_in_ms passes (DeadlineExceededError),
or the coordinator of the QueueRunner thread waiting asks to stop (CancelledError).
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dfc.ir.errors import CancelledError, DeadlineExceededError, InvalidArgumentError, OutOfRangeError

from .host_feeds import run_deadline

#: how long a waiting run sleeps between looks at its session (closed?), its deadline and the state
POLL_SECONDS = 0.05

#: in a QueueRunner's thread: whether its coordinator asked to stop (its waiting run is then cancelled, as TF's
#: runner threads end once the coordinator stops, instead of holding up Coordinator.join)
_STOPPING: contextvars.ContextVar[Callable[[], bool] | None] = contextvars.ContextVar("dfc_queue_stopping",
                                                                                      default=None)


def cancel_waits_when(stopping: Callable[[], bool]) -> contextvars.Token:
    """In this thread, waits of queue ops end with CancelledError once stopping() is true."""
    return _STOPPING.set(stopping)


def check_wait(session: Any, what: str, label: str) -> None:
    """TF's error for a wait that must end: the session closed, the run's deadline passed, the runner stopping."""
    if getattr(session, "closed", False):
        raise CancelledError(f"{what} operation was cancelled: the session of {label} was closed")
    deadline = run_deadline()
    if deadline is not None and time.monotonic() >= deadline:
        raise DeadlineExceededError(f"Timed out waiting for notification ({what} on {label}, "
                                    f"RunOptions.timeout_in_ms or ConfigProto.operation_timeout_in_ms)")
    stopping = _STOPPING.get()
    if stopping is not None and stopping():
        raise CancelledError(f"{what} operation was cancelled: the coordinator of the queue runner waiting on "
                             f"{label} asked to stop")


def wait_on(cond: threading.Condition | None, session: Any, what: str, label: str) -> None:
    """Wait (holding `cond`; sleeping without one) for a change, then check whether the wait must end."""
    deadline = run_deadline()
    timeout = POLL_SECONDS if deadline is None else max(0.0, min(POLL_SECONDS, deadline - time.monotonic()))
    if cond is not None:
        cond.wait(timeout)
    else:
        time.sleep(timeout)
    check_wait(session, what, label)


class QueueState:
    """The elements of one queue: tuples of arrays in FIFO, priority or random order, with a capacity."""

    def __init__(self, kind: str, name: str, capacity: int | None, min_after_dequeue: int = 0,
                 seed: Sequence[int] | None = None):
        self.kind = kind
        self.label = f"{kind} '{name}'"
        self.capacity = capacity if capacity is not None and capacity >= 0 else None
        self.min_after_dequeue = max(0, int(min_after_dequeue))
        self.cond = threading.Condition()
        self._elements: list = []  # a heap of (priority, arrival, element) for a PriorityQueue
        self._arrivals = itertools.count()
        self._rng = np.random.default_rng(list(seed) if seed is not None else None)
        self.closed = False
        self.cancelled = False

    # ---- never waiting (what a task serves) ---------------------------------------------------------
    def size(self) -> int:
        with self.cond:
            return len(self._elements)

    def is_closed(self) -> bool:
        return self.closed

    def close(self, cancel_pending_enqueues: bool = False) -> None:
        with self.cond:
            self.closed = True
            self.cancelled = self.cancelled or cancel_pending_enqueues
            self.cond.notify_all()

    def try_enqueue(self, elements: Sequence[tuple], pending: bool) -> int:
        """Add what fits of `elements` in order; how many went in. A closed queue refuses new enqueues and, after
        close(cancel_pending_enqueues=True), pending ones too."""
        with self.cond:
            if self.closed and (not pending or self.cancelled):
                raise CancelledError(f"Enqueue operation was cancelled: {self.label} is closed." if pending
                                     else f"{self.label} is closed.")
            added = 0
            for element in elements:
                if self.capacity is not None and len(self._elements) >= self.capacity:
                    break
                self._put(element)
                added += 1
            if added:
                self.cond.notify_all()
            return added

    def try_dequeue(self, count: int, allow_smaller: bool) -> list | None:
        """`count` elements, or None while too few are there (a RandomShuffleQueue keeps min_after_dequeue until
        closed); once closed, what is left when `allow_smaller`, else OutOfRangeError."""
        with self.cond:
            keep = 0 if self.closed else self.min_after_dequeue
            if len(self._elements) >= count + keep:
                taken = [self._take() for _ in range(count)]
            elif not self.closed:
                return None
            elif allow_smaller and self._elements:
                taken = [self._take() for _ in range(len(self._elements))]
            else:
                raise OutOfRangeError(f"{self.label} is closed and has insufficient elements (requested {count}, "
                                      f"current size {len(self._elements)})")
            self.cond.notify_all()
            return taken

    # ---- the runs' calls, waiting -------------------------------------------------------------------
    def enqueue(self, elements: Sequence[tuple], session: Any) -> None:
        blocking_enqueue(self, self.cond, elements, session)

    def dequeue(self, n: int | None, allow_smaller: bool, session: Any) -> list:
        return blocking_dequeue(self, self.cond, n, allow_smaller, session)

    # ---- the order of elements ----------------------------------------------------------------------
    def _put(self, element: tuple) -> None:
        if self.kind == "PriorityQueue":
            heapq.heappush(self._elements, (int(element[0]), next(self._arrivals), element))
        else:
            self._elements.append(element)

    def _take(self) -> tuple:
        if self.kind == "PriorityQueue":
            return heapq.heappop(self._elements)[2]
        if self.kind == "RandomShuffleQueue":  # TF's: a uniformly drawn element swapped with the last, popped
            index = int(self._rng.integers(len(self._elements)))
            self._elements[index], self._elements[-1] = self._elements[-1], self._elements[index]
            return self._elements.pop()
        return self._elements.pop(0)


def blocking_enqueue(state: Any, cond: threading.Condition | None, elements: Sequence[tuple], session: Any) -> None:
    """Put `elements` in `state` (local or remote), waiting for room."""
    left = list(elements)
    with cond if cond is not None else _NO_LOCK:
        pending = False
        while True:
            added = state.try_enqueue(left, pending)
            left = left[added:]
            if not left:
                return
            pending = True
            wait_on(cond, session, "Enqueue", state.label)


def blocking_dequeue(state: Any, cond: threading.Condition | None, n: int | None, allow_smaller: bool,
                     session: Any) -> list:
    """One element (`n` None) or `n` from `state` (local or remote), waiting while there are too few."""
    count = 1 if n is None else int(n)
    with cond if cond is not None else _NO_LOCK:
        while True:
            taken = state.try_dequeue(count, allow_smaller)
            if taken is not None:
                return taken
            wait_on(cond, session, "Dequeue", state.label)


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


_NO_LOCK = _NoLock()


class AccumulatorState:
    """One ConditionalAccumulator: the running sum and count of the gradients of its global step."""

    def __init__(self, label: str, shape: list | None, dtype: Any, reduction: str):
        self.label, self.dtype, self.reduction = label, np.dtype(dtype), reduction
        self.shape = shape
        self.sum: np.ndarray | None = None
        self.count = 0
        self.global_step = 0
        self.cond = threading.Condition()

    def num_accumulated(self) -> int:
        return self.count

    def apply(self, grad: np.ndarray, local_step: int, op_name: str) -> None:
        """Add `grad` unless `local_step` is older than the global step (a stale gradient is dropped, as TF's)."""
        with self.cond:
            known = self.sum.shape if self.sum is not None else None
            wanted = known if known is not None else self.shape
            if wanted is not None and (grad.ndim != len(wanted) or any(
                    d is not None and d != s for d, s in zip(wanted, grad.shape))):
                raise InvalidArgumentError(f"Shape mismatch: expected [{','.join(str(d) for d in wanted)}], got "
                                           f"[{','.join(str(d) for d in grad.shape)}] (apply_grad to {self.label}) "
                                           f"[[node {op_name}]]")
            if local_step < self.global_step:
                return
            self.sum = grad.astype(self.dtype, copy=True) if self.sum is None else self.sum + grad
            self.count += 1
            self.cond.notify_all()

    def try_take(self, num_required: int, op_name: str) -> np.ndarray | None:
        """The mean (or sum) once `num_required` gradients arrived, else None; taking empties the accumulator and
        advances its global step."""
        if num_required < 1:
            raise InvalidArgumentError(f"Argument num_required must be positive, but was {num_required} "
                                       f"({self.label}) [[node {op_name}]]")
        with self.cond:
            if self.count < num_required:
                return None
            total = self.sum
            result = total / np.asarray(self.count, self.dtype) if self.reduction == "MEAN" else total
            self.sum, self.count = None, 0
            self.global_step += 1
            self.cond.notify_all()
            return np.asarray(result, self.dtype)

    def take(self, num_required: int, session: Any, op_name: str) -> np.ndarray:
        return blocking_take(self, self.cond, num_required, session, op_name)

    def set_global_step(self, step: int) -> None:
        with self.cond:
            self.global_step = int(step)
            self.cond.notify_all()


def blocking_take(state: Any, cond: threading.Condition | None, num_required: int, session: Any,
                  op_name: str) -> np.ndarray:
    with cond if cond is not None else _NO_LOCK:
        while True:
            taken = state.try_take(num_required, op_name)
            if taken is not None:
                return taken
            wait_on(cond, session, "TakeGrad", state.label)


#: what a task can make when a client first uses a resource (TaskServer.resource_call)
RESOURCE_KINDS: dict[str, Callable[..., Any]] = {"queue": QueueState, "accumulator": AccumulatorState}
#: the methods a task serves: none of them waits
SERVED_METHODS = ("size", "is_closed", "close", "try_enqueue", "try_dequeue", "num_accumulated", "apply",
                  "try_take", "set_global_step")


class RemoteResource:
    """A queue or accumulator kept by a task of a cluster, used from this process: each call is a call to the
    task (`call(method, *args)`), and waits poll it."""

    def __init__(self, label: str, call: Callable[..., Any]):
        self.label = label
        self._call = call

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method not in SERVED_METHODS:
            raise AttributeError(method)
        return lambda *args: self._call(method, *args)

    @property
    def closed(self) -> bool:
        return bool(self._call("is_closed"))

    @property
    def count(self) -> int:
        return int(self._call("num_accumulated"))

    def enqueue(self, elements: Sequence[tuple], session: Any) -> None:
        blocking_enqueue(self, None, elements, session)

    def dequeue(self, n: int | None, allow_smaller: bool, session: Any) -> list:
        return blocking_dequeue(self, None, n, allow_smaller, session)

    def take(self, num_required: int, session: Any, op_name: str) -> np.ndarray:
        return blocking_take(self, None, num_required, session, op_name)
