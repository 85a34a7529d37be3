"""A queue's elements in one session (or one cluster): blocking enqueue and dequeue, capacity, close and cancel.

TF keeps a queue in a resource container of the session (of the task, in a cluster), created
the first time an op of the queue runs and shared by every queue op with the same shared_name
there. `QueueState` is that object: a list of elements (tuples of arrays) under a condition
variable. Enqueues wait while the queue is full, dequeues while it has too few elements (a
RandomShuffleQueue keeps `min_after_dequeue` until it is closed). Waiting ends with TF's error
when the queue is closed (OutOfRangeError for a dequeue, CancelledError for an enqueue that
close(cancel_pending_enqueues=True) cancels), when the session is closed (CancelledError) or
when the run's RunOptions.timeout_in_ms passes (DeadlineExceededError).
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dfc.ir.errors import CancelledError, DeadlineExceededError, InvalidArgumentError, OutOfRangeError
from dfc.runtime.host_feeds import run_deadline

#: how long a waiting run sleeps between looks at its session (closed?) and its deadline
_POLL_SECONDS = 0.05

Element = tuple  # one tuple of arrays, a component each


class QueueState:
    """The elements of one queue and the threads waiting on them."""

    def __init__(self, kind: str, name: str, capacity: int, min_after_dequeue: int = 0,
                 seed: Sequence[int] | None = None):
        self.kind = kind
        self.label = f"{kind} '{name}'"
        self.capacity = capacity if capacity is not None and capacity >= 0 else None
        self.min_after_dequeue = max(0, int(min_after_dequeue))
        self._cond = threading.Condition()
        self._elements: list = []  # a heap of (priority, arrival, element) for a PriorityQueue
        self._arrivals = itertools.count()
        self._rng = np.random.default_rng(list(seed) if seed is not None else None)
        self.closed = False
        self._cancelled = False

    # ---- what a run asks -------------------------------------------------------------------------------
    def size(self) -> int:
        with self._cond:
            return len(self._elements)

    def close(self, cancel_pending_enqueues: bool = False) -> None:
        with self._cond:
            self.closed = True
            self._cancelled = self._cancelled or cancel_pending_enqueues
            self._cond.notify_all()

    def enqueue(self, elements: Sequence[Element], session: Any) -> None:
        """Add `elements` in order, each once there is room; a closed queue refuses them (CancelledError)."""
        with self._cond:
            if self.closed:
                raise CancelledError(f"{self.label} is closed.")
            for element in elements:
                while self.capacity is not None and len(self._elements) >= self.capacity:
                    self._wait(session, "Enqueue")
                    if self._cancelled:
                        raise CancelledError(f"Enqueue operation was cancelled: {self.label} is closed.")
                self._put(element)
                self._cond.notify_all()

    def dequeue(self, n: int | None, allow_smaller: bool, session: Any) -> list[Element]:
        """One element (`n` None) or `n`; fewer only when `allow_smaller` (dequeue_up_to) and the queue is closed."""
        count = 1 if n is None else int(n)
        with self._cond:
            while True:
                keep = 0 if self.closed else self.min_after_dequeue
                if len(self._elements) >= count + keep:
                    taken = [self._take() for _ in range(count)]
                    self._cond.notify_all()
                    return taken
                if self.closed:
                    if allow_smaller and self._elements:
                        taken = [self._take() for _ in range(len(self._elements))]
                        self._cond.notify_all()
                        return taken
                    raise OutOfRangeError(f"{self.label} is closed and has insufficient elements (requested {count}, "
                                          f"current size {len(self._elements)})")
                self._wait(session, "Dequeue")

    # ---- the order of elements ---------------------------------------------------------------------------
    def _put(self, element: Element) -> None:
        if self.kind == "PriorityQueue":
            heapq.heappush(self._elements, (int(element[0]), next(self._arrivals), element))
        else:
            self._elements.append(element)

    def _take(self) -> Element:
        if self.kind == "PriorityQueue":
            return heapq.heappop(self._elements)[2]
        if self.kind == "RandomShuffleQueue":  # TF's: a uniformly drawn element swapped with the last, popped
            index = int(self._rng.integers(len(self._elements)))
            self._elements[index], self._elements[-1] = self._elements[-1], self._elements[index]
            return self._elements.pop()
        return self._elements.pop(0)

    def _wait(self, session: Any, what: str) -> None:
        wait_on(self._cond, session, what, self.label)


#: in a QueueRunner's thread: whether its coordinator asked to stop (its waiting run is then cancelled, as TF's
#: runner threads end once the coordinator stops, instead of holding up Coordinator.join)
_STOPPING: contextvars.ContextVar[Callable[[], bool] | None] = contextvars.ContextVar("dfc_queue_stopping",
                                                                                      default=None)


def cancel_waits_when(stopping: Callable[[], bool]) -> contextvars.Token:
    """In this thread, waits of queue ops end with CancelledError once stopping() is true."""
    return _STOPPING.set(stopping)


def wait_on(cond: threading.Condition, session: Any, what: str, label: str) -> None:
    """Wait (holding `cond`) for a change; TF's error when the session closes or the run's deadline passes first."""
    deadline = run_deadline()
    timeout = _POLL_SECONDS if deadline is None else max(0.0, min(_POLL_SECONDS, deadline - time.monotonic()))
    cond.wait(timeout)
    if getattr(session, "closed", False):
        raise CancelledError(f"{what} operation was cancelled: the session of {label} was closed")
    stopping = _STOPPING.get()
    if stopping is not None and stopping():
        raise CancelledError(f"{what} operation was cancelled: the coordinator of the queue runner waiting on "
                             f"{label} asked to stop")
    if deadline is not None and time.monotonic() >= deadline:
        raise DeadlineExceededError(f"Timed out waiting for notification ({what} on {label}, "
                                    f"RunOptions.timeout_in_ms)")


# ---- where a queue's state lives ---------------------------------------------------------------------
#: per container (a session, or the cluster its sessions share): resource key -> QueueState
_CONTAINERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CONTAINERS_LOCK = threading.Lock()


def container_of(session: Any) -> Any:
    """What a session's resources live in: its cluster when it runs on one (every session on the cluster
    sees the same queues, as TF's tasks' resource managers do), else the session itself."""
    binding = getattr(session, "_cluster", None)
    return binding.cluster if binding is not None else session


def resource(session: Any, key: Any, make: Callable[[], Any]) -> Any:
    """The resource `key` of the session's container, made by make() the first time it is asked for."""
    container = container_of(session)
    with _CONTAINERS_LOCK:
        table = _CONTAINERS.get(container)
        if table is None:
            table = _CONTAINERS[container] = {}
        found = table.get(key)
        if found is None:
            found = table[key] = make()
        return found


def check_component(label: str, index: int, array: np.ndarray, shape: Any, op_name: str) -> None:
    """TF's run-time check of an enqueued component against the queue's shape for it."""
    if shape is None or shape.ndims is None:
        return
    dims = shape.as_list()
    if array.ndim != len(dims) or any(d is not None and d != s for d, s in zip(dims, array.shape)):
        expected = "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"
        got = "[" + ",".join(str(s) for s in array.shape) + "]"
        raise InvalidArgumentError(f"Shape mismatch in tuple component {index}. Expected {expected}, got {got} "
                                   f"(enqueueing to {label}) [[node {op_name}]]")
