"""tf.train.Coordinator and LooperThread: stopping a set of threads together and reporting their exceptions."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from dfc.ir.errors import OutOfRangeError

_log = logging.getLogger("dfc")


class Coordinator:
    """Threads check should_stop() and call request_stop(); join() waits for them and re-raises the first exception.

    Exceptions of `clean_stop_exception_types` (OutOfRangeError by default: an input exhausted)
    stop the threads without being reported.
    """

    def __init__(self, clean_stop_exception_types: Sequence[type] | None = None):
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise: Any = None
        self._joined = False
        self._registered_threads: set[threading.Thread] = set()

    def _filter_exception(self, ex: Any) -> Any:
        if isinstance(ex, tuple):
            ex2 = ex[1]
        else:
            ex2 = ex
        if isinstance(ex2, self._clean_stop_exception_types):
            return None  # a clean stop: not an error to report
        return ex

    def request_stop(self, ex: Any = None) -> None:
        """Ask every thread to stop; `ex` (an exception or sys.exc_info()) is what join() re-raises."""
        with self._lock:
            ex = self._filter_exception(ex)
            if self._joined:  # after join, exceptions are only logged (TF's behaviour)
                if isinstance(ex, tuple):
                    _log.info("Error reported to Coordinator: %s", ex[1])
                elif ex is not None:
                    _log.info("Error reported to Coordinator: %s", ex)
                self._stop_event.set()
                return
            if not self._stop_event.is_set():
                if ex is not None and self._exc_info_to_raise is None:
                    if isinstance(ex, tuple):
                        exc_info = ex
                    else:
                        if not isinstance(ex, BaseException):
                            raise TypeError(f"ex must be an exception or sys.exc_info() tuple, got {ex!r}")
                        exc_info = (type(ex), ex, ex.__traceback__)
                    if len(exc_info) != 3 or not exc_info[0] or not exc_info[1]:
                        raise ValueError(f"ex must be a tuple of three non-None items like sys.exc_info(), got "
                                         f"{exc_info!r}")
                    self._exc_info_to_raise = exc_info
                self._stop_event.set()

    def clear_stop(self) -> None:
        """Forget a stop request (and its exception), so the threads can be started again."""
        with self._lock:
            self._joined = False
            self._exc_info_to_raise = None
            if self._stop_event.is_set():
                self._stop_event.clear()

    def should_stop(self) -> bool:
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self) -> Iterator[None]:
        """A block whose exception, if any, requests a stop (and is what join re-raises) instead of propagating."""
        try:
            yield
        except:  # noqa: E722 - TF's: any exception, even SystemExit, is reported to the coordinator
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout: float | None = None) -> bool:
        """Wait until a stop is requested (or `timeout` seconds); True if it was."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread: threading.Thread) -> None:
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads: Sequence[threading.Thread] | None = None, stop_grace_period_secs: float = 120,
             ignore_live_threads: bool = False) -> None:
        """Wait for the threads (and registered ones) to end after a stop; re-raise the exception reported.

        Threads still alive `stop_grace_period_secs` after the stop request are a RuntimeError
        (unless ignore_live_threads, which logs them).
        """
        with self._lock:
            if threads is None:
                threads = list(self._registered_threads)
            else:
                threads = list(self._registered_threads.union(set(threads)))
        if any(t is threading.current_thread() for t in threads):
            raise RuntimeError("Coordinator.join called from one of the threads it waits for")
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(1.0):
            pass
        stop_wait_secs = 0.001
        while any(t.is_alive() for t in threads) and stop_grace_period_secs >= 0.0:
            time.sleep(stop_wait_secs)
            stop_grace_period_secs -= stop_wait_secs
            stop_wait_secs = 2 * stop_wait_secs
            stop_wait_secs = max(min(stop_wait_secs, stop_grace_period_secs), 0.001)
        stragglers = [t.name for t in threads if t.is_alive()]
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            if self._exc_info_to_raise:
                _, ex_instance, tb = self._exc_info_to_raise
                raise ex_instance.with_traceback(tb)
            if stragglers:
                if ignore_live_threads:
                    _log.info("Coordinator stopped with threads still running: %s", " ".join(stragglers))
                else:
                    raise RuntimeError(f"Coordinator stopped with threads still running: {' '.join(stragglers)}")

    @property
    def joined(self) -> bool:
        return self._joined

    def raise_requested_exception(self) -> None:
        """Re-raise the exception a thread reported, if any."""
        with self._lock:
            if self._exc_info_to_raise:
                _, ex_instance, tb = self._exc_info_to_raise
                raise ex_instance.with_traceback(tb)

    def looper(self, timer_interval_secs: float, target: Callable, args: Sequence = (),
               kwargs: dict | None = None) -> LooperThread:
        """Start a LooperThread calling target(*args, **kwargs) every timer_interval_secs until a stop."""
        looper = LooperThread(self, timer_interval_secs, target=target, args=args, kwargs=kwargs)
        looper.start()
        return looper


class LooperThread(threading.Thread):
    """A thread calling `target` (or run_loop) every `timer_interval_secs` (None: back to back) until a stop."""

    def __init__(self, coord: Coordinator, timer_interval_secs: float | None, target: Callable | None = None,
                 args: Sequence | None = None, kwargs: dict | None = None):
        if not isinstance(coord, Coordinator):
            raise ValueError(f"'coord' argument must be a Coordinator: {coord}")
        super().__init__()
        self.daemon = True
        self._coord = coord
        self._timer_interval_secs = timer_interval_secs
        self._target = target
        if self._target:
            self._args = tuple(args or ())
            self._kwargs = dict(kwargs or {})
        elif args or kwargs:
            raise ValueError("'args' and 'kwargs' argument require that you also pass 'target'")
        self._coord.register_thread(self)

    @staticmethod
    def loop(coord: Coordinator, timer_interval_secs: float | None, target: Callable, args: Sequence | None = None,
             kwargs: dict | None = None) -> LooperThread:
        looper = LooperThread(coord, timer_interval_secs, target=target, args=args, kwargs=kwargs)
        looper.start()
        return looper

    def run(self) -> None:
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                while not self._coord.should_stop():
                    self.run_loop()
            else:
                next_timer_time = time.time()
                while not self._coord.wait_for_stop(next_timer_time - time.time()):
                    next_timer_time += self._timer_interval_secs
                    self.run_loop()
            self.stop_loop()

    def start_loop(self) -> None:
        """Called once when the thread starts (subclasses override)."""

    def stop_loop(self) -> None:
        """Called once when the loop ends (subclasses override)."""

    def run_loop(self) -> None:
        """One turn of the loop: the target, or what a subclass overrides."""
        if self._target:
            self._target(*self._args, **self._kwargs)


__all__ = ["Coordinator", "LooperThread"]
