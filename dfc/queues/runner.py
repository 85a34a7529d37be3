"""tf.train.QueueRunner, add_queue_runner and start_queue_runners: threads that keep running a queue's enqueue ops.

As TF's: each enqueue op gets a thread running it until the coordinator stops or the input
ends (an exception of `queue_closed_exception_types`, OutOfRangeError by default); when the
last of them ends that way the queue is closed (`close_op`), so the consumer drains it and then
gets OutOfRangeError. With a coordinator one more thread waits for the stop request and runs
`cancel_op` (close with cancel_pending_enqueues), releasing enqueues blocked on a full queue.
Any other exception stops the coordinator with it (and join() re-raises it).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Sequence
from typing import Any

from dfc.ir.errors import OutOfRangeError

from ..framework import get_default_graph
from .state import cancel_waits_when

QUEUE_RUNNERS = "queue_runners"

_log = logging.getLogger("dfc")


class QueueRunner:
    """Threads that run `enqueue_ops` until the coordinator stops or the input ends (TF's QueueRunner)."""

    def __init__(self, queue: Any = None, enqueue_ops: Sequence[Any] | None = None, close_op: Any = None,
                 cancel_op: Any = None, queue_closed_exception_types: Sequence[type] | None = None,
                 queue_runner_def: Any = None, import_scope: str | None = None):
        if queue_runner_def is not None:
            raise ValueError("queue_runner_def is not supported: make the QueueRunner from its queue and ops")
        if not enqueue_ops:
            raise ValueError("enqueue_ops must be a non-empty list of ops")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        if close_op is None and hasattr(queue, "close"):
            close_op = queue.close()
        if cancel_op is None and hasattr(queue, "close"):
            cancel_op = queue.close(cancel_pending_enqueues=True)
        self._close_op = close_op
        self._cancel_op = cancel_op
        types = tuple(queue_closed_exception_types or (OutOfRangeError,))
        if not all(isinstance(t, type) and issubclass(t, BaseException) for t in types):
            raise TypeError(f"queue_closed_exception_types, when provided, must be a tuple of tf.error types, but "
                            f"saw: {queue_closed_exception_types}")
        self._closed_types = types
        self._exceptions_raised: list[BaseException] = []
        self._runs_per_session: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    @property
    def queue(self) -> Any:
        return self._queue

    @property
    def enqueue_ops(self) -> list:
        return list(self._enqueue_ops)

    @property
    def close_op(self) -> Any:
        return self._close_op

    @property
    def cancel_op(self) -> Any:
        return self._cancel_op

    @property
    def queue_closed_exception_types(self) -> tuple:
        return self._closed_types

    @property
    def exceptions_raised(self) -> list:
        return list(self._exceptions_raised)

    @property
    def name(self) -> str:
        return getattr(self._queue, "name", "queue_runner")

    def _run(self, sess: Any, enqueue_op: Any, coord: Any) -> None:
        decremented = False
        if coord is not None:
            cancel_waits_when(coord.should_stop)
        try:
            while not (coord is not None and coord.should_stop()):
                try:
                    sess.run(enqueue_op)
                except self._closed_types:  # the input ended: the last thread to see it closes the queue
                    with self._lock:
                        self._runs_per_session[sess] -= 1
                        decremented = True
                        last = self._runs_per_session[sess] == 0
                    if last and self._close_op is not None:
                        try:
                            sess.run(self._close_op)
                        except Exception as e:  # noqa: BLE001 - TF ignores it too (the session may be closed)
                            _log.debug("Ignored exception: %s", e)
                    return
        except Exception as e:  # noqa: BLE001 - reported to the coordinator (or kept), as TF's
            if coord is not None:
                coord.request_stop(e)
            else:
                _log.error("Exception in QueueRunner: %s", e)
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            if not decremented:
                with self._lock:
                    self._runs_per_session[sess] -= 1

    def _close_on_stop(self, sess: Any, coord: Any) -> None:
        coord.wait_for_stop()
        try:
            sess.run(self._cancel_op)
        except Exception as e:  # noqa: BLE001 - the session may be closed already
            _log.debug("Ignored exception: %s", e)

    def create_threads(self, sess: Any, coord: Any = None, daemon: bool = False, start: bool = False) -> list:
        """The threads running the enqueue ops in `sess` (none if they already run there), started if asked."""
        with self._lock:
            if self._runs_per_session.get(sess, 0) > 0:
                return []  # already running in this session
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord), daemon=daemon,
                                    name=f"QueueRunnerThread-{self.name}-{getattr(op, 'name', op)}")
                   for op in self._enqueue_ops]
        if coord is not None and self._cancel_op is not None:
            threads.append(threading.Thread(target=self._close_on_stop, args=(sess, coord), daemon=daemon,
                                            name=f"QueueRunnerThread-{self.name}-close_on_stop"))
        for t in threads:
            if coord is not None:
                coord.register_thread(t)
            if start:
                t.start()
        return threads


def add_queue_runner(qr: QueueRunner, collection: str = QUEUE_RUNNERS) -> None:
    get_default_graph().add_to_collection(collection, qr)


def start_queue_runners(sess: Any = None, coord: Any = None, daemon: bool = True, start: bool = True,
                        collection: str = QUEUE_RUNNERS) -> list:
    """Start the QueueRunners of `collection` in the session; returns their threads.

    dfc's own input producers and batches (tf.train.batch and friends) fill on demand and need none;
    QueueRunners a script made over its own queues run here.
    """
    if sess is None:
        from dfc.runtime import get_default_session
        sess = get_default_session()
        if sess is None:
            raise ValueError("Cannot start queue runners: No default session is registered. Use `with "
                             "sess.as_default()` or pass an explicit session to tf.start_queue_runners(sess=sess)")
    raw = getattr(sess, "_tf_sess", None)
    if callable(raw):  # a MonitoredSession: its own session runs the enqueue ops
        sess = raw()
    threads = []
    graph = getattr(sess, "graph", None)
    runners = (graph if hasattr(graph, "get_collection") else get_default_graph()).get_collection(collection)
    for qr in runners:
        threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads


__all__ = ["QUEUE_RUNNERS", "QueueRunner", "add_queue_runner", "start_queue_runners"]
