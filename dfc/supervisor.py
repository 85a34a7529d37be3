"""tf.train.SessionManager, tf.train.Supervisor and basic_train_loop: TF1's older ways to run a training loop.

A Supervisor initializes or restores the model (through its SessionManager), then runs TF's
standard services as threads of its Coordinator: a checkpoint every save_model_secs, the
summaries and the global-step rate every save_summaries_secs, written to `logdir`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from dfc.ir.errors import AbortedError

from .coordinator import Coordinator, LooperThread
from .session import Session

_log = logging.getLogger("dfc")


def _ready(session: Session, op: Any) -> tuple[bool, str | None]:
    """Whether `op` (report_uninitialized_variables' kind) reports nothing uninitialized, and what it reports."""
    if op is None:
        return True, None
    names = np.asarray(session.run(op))
    if names.size == 0:
        return True, None
    listed = ", ".join(n.decode() if isinstance(n, bytes) else str(n) for n in names.reshape(-1)[:10])
    return False, f"Variables not initialized: {listed}"


class SessionManager:
    """Makes sessions whose model is ready: restored from a checkpoint, initialized, or initialized by the chief."""

    def __init__(self, local_init_op: Any = None, ready_op: Any = None, ready_for_local_init_op: Any = None,
                 graph: Any = None, recovery_wait_secs: float = 30, local_init_run_options: Any = None,
                 local_init_feed_dict: dict | None = None):
        from .framework import get_default_graph
        self._local_init_op = local_init_op
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._graph = graph if graph is not None else get_default_graph()
        self._recovery_wait_secs = recovery_wait_secs
        self._local_init_feed_dict = local_init_feed_dict
        if ready_for_local_init_op is not None and local_init_op is None:
            raise ValueError(f"If you pass a ready_for_local_init_op you must also pass a local_init_op , "
                             f"ready_for_local_init_op [{ready_for_local_init_op}]")

    def _restore_checkpoint(self, master: str, saver: Any = None, checkpoint_dir: str | None = None,
                            checkpoint_filename_with_path: str | None = None, wait_for_checkpoint: bool = False,
                            max_wait_secs: float = 7200, config: Any = None) -> tuple[Session, bool]:
        from .saver import latest_checkpoint
        session = Session(master, graph=self._graph, config=config)
        if checkpoint_dir and checkpoint_filename_with_path:
            raise ValueError("Can not provide both checkpoint_dir and checkpoint_filename_with_path.")
        if not saver or not (checkpoint_dir or checkpoint_filename_with_path):
            return session, False
        if checkpoint_filename_with_path:
            saver.restore(session, checkpoint_filename_with_path)
            return session, True
        wait_time = 0.0
        prefix = latest_checkpoint(checkpoint_dir)
        while prefix is None:
            if not wait_for_checkpoint or wait_time >= max_wait_secs:
                return session, False
            _log.info("Waiting for checkpoint to be available.")
            time.sleep(self._recovery_wait_secs)
            wait_time += self._recovery_wait_secs
            prefix = latest_checkpoint(checkpoint_dir)
        saver.restore(session, prefix)
        if hasattr(saver, "recover_last_checkpoints"):
            from .saver import get_checkpoint_state
            state = get_checkpoint_state(checkpoint_dir)
            if state is not None:
                saver.recover_last_checkpoints(state.all_model_checkpoint_paths)
        return session, True

    def prepare_session(self, master: str, init_op: Any = None, saver: Any = None, checkpoint_dir: str | None = None,
                        checkpoint_filename_with_path: str | None = None, wait_for_checkpoint: bool = False,
                        max_wait_secs: float = 7200, config: Any = None, init_feed_dict: dict | None = None,
                        init_fn: Callable | None = None) -> Session:
        """A session with the model restored (from the checkpoint) or initialized (init_op, init_fn), then local init.

        RuntimeError when none of them makes the model ready (ready_op still reports variables).
        """
        session, restored = self._restore_checkpoint(master, saver, checkpoint_dir, checkpoint_filename_with_path,
                                                     wait_for_checkpoint, max_wait_secs, config)
        if not restored:
            if not init_op and not init_fn and not self._local_init_op:
                raise RuntimeError("Model is not initialized and no init_op or init_fn or local_init_op was given")
            if init_op is not None:
                session.run(init_op, feed_dict=init_feed_dict)
            if init_fn:
                init_fn(session)
        ok, message = self._try_local_init(session)
        if not ok:
            raise RuntimeError(f"Init operations did not make model ready for local_init.  Init op: "
                               f"{_op_name(init_op)}, init fn: {init_fn}, error: {message}")
        ok, message = _ready(session, self._ready_op)
        if not ok:
            raise RuntimeError(f"Init operations did not make model ready.  Init op: {_op_name(init_op)}, init fn: "
                               f"{init_fn}, local_init_op: {self._local_init_op}, error: {message}")
        return session

    def recover_session(self, master: str, saver: Any = None, checkpoint_dir: str | None = None,
                        checkpoint_filename_with_path: str | None = None, wait_for_checkpoint: bool = False,
                        max_wait_secs: float = 7200, config: Any = None) -> tuple[Session, bool]:
        """(session, True) when a checkpoint restored the model and it is ready; (session, False) otherwise."""
        session, restored = self._restore_checkpoint(master, saver, checkpoint_dir, checkpoint_filename_with_path,
                                                     wait_for_checkpoint, max_wait_secs, config)
        ok, _ = self._try_local_init(session)
        if not restored:
            return session, False
        if not ok:
            return session, False
        ok, message = _ready(session, self._ready_op)
        if not ok:
            _log.info("Restoring model from checkpoint did not make it ready: %s", message)
            return session, False
        return session, True

    def wait_for_session(self, master: str, config: Any = None, max_wait_secs: float = float("inf")) -> Session:
        """A session once another process (the chief) made the model ready; DeadlineExceededError after the wait."""
        from dfc.ir.errors import DeadlineExceededError
        deadline = time.time() + max_wait_secs
        while True:
            session = Session(master, graph=self._graph, config=config)
            ok, message = self._try_local_init(session)
            if ok:
                ok, message = _ready(session, self._ready_op)
                if ok:
                    return session
            session.close()
            remaining = deadline - time.time()
            if remaining < 0:
                raise DeadlineExceededError(f"Session was not ready after waiting {max_wait_secs} secs: {message}")
            _log.info("Waiting for model to be ready.  Ready_for_local_init_op:  %s, ready: %s",
                      self._ready_for_local_init_op, message)
            time.sleep(min(self._recovery_wait_secs, max(remaining, 0.0)))

    def _try_local_init(self, session: Session) -> tuple[bool, str | None]:
        if self._local_init_op is None:
            return True, None
        ok, message = _ready(session, self._ready_for_local_init_op)
        if not ok:
            return False, message
        session.run(self._local_init_op, feed_dict=self._local_init_feed_dict)
        return True, None


def _op_name(op: Any) -> str:
    return getattr(op, "name", str(op))


class _UseDefault:
    def __repr__(self) -> str:
        return "Supervisor.USE_DEFAULT"


class Supervisor:
    """TF1's training supervisor: prepares the session, saves checkpoints and summaries in threads, stops them all.

        sv = tf.train.Supervisor(logdir=d)
        with sv.managed_session() as sess:
            while not sv.should_stop():
                sess.run(train_op)
    """

    USE_DEFAULT = _UseDefault()

    def __init__(self, graph: Any = None, ready_op: Any = USE_DEFAULT, ready_for_local_init_op: Any = USE_DEFAULT,
                 is_chief: bool = True, init_op: Any = USE_DEFAULT, init_feed_dict: dict | None = None,
                 local_init_op: Any = USE_DEFAULT, logdir: str | None = None, summary_op: Any = USE_DEFAULT,
                 saver: Any = USE_DEFAULT, global_step: Any = USE_DEFAULT, save_summaries_secs: float = 120,
                 save_model_secs: float = 600, recovery_wait_secs: float = 30, stop_grace_secs: float = 120,
                 checkpoint_basename: str = "model.ckpt", session_manager: SessionManager | None = None,
                 summary_writer: Any = USE_DEFAULT, init_fn: Callable | None = None,
                 local_init_run_options: Any = None):
        from .framework import get_default_graph
        self._graph = graph if graph is not None else get_default_graph()
        with self._graph.as_default():
            self._init_ready_op(ready_op, ready_for_local_init_op)
            self._init_init_op(init_op, init_feed_dict)
            self._init_local_init_op(local_init_op)
            self._init_saver(saver)
            self._init_summary_op(summary_op)
            self._init_global_step(global_step)
        self._is_chief = is_chief
        self._coord = Coordinator()
        self._recovery_wait_secs = recovery_wait_secs
        self._stop_grace_secs = stop_grace_secs
        self._init_fn = init_fn
        self._logdir = logdir
        self._save_summaries_secs = save_summaries_secs
        self._save_model_secs = save_model_secs
        self._save_path = os.path.join(logdir, checkpoint_basename) if logdir else None
        if self._is_chief and logdir:
            if summary_writer is Supervisor.USE_DEFAULT:
                from .summary import FileWriterCache
                summary_writer = FileWriterCache.get(logdir)
        elif summary_writer is Supervisor.USE_DEFAULT:
            summary_writer = None
        self._summary_writer = summary_writer
        self._graph_added_to_summary = False
        self._session_manager = session_manager or SessionManager(
            local_init_op=self._local_init_op, ready_op=self._ready_op,
            ready_for_local_init_op=self._ready_for_local_init_op, graph=self._graph,
            recovery_wait_secs=self._recovery_wait_secs)
        self._graph.finalize()  # as TF's: the graph is complete once supervised

    # ---- defaults ------------------------------------------------------------------------------
    def _init_ready_op(self, ready_op: Any, ready_for_local_init_op: Any) -> None:
        from .variables import global_variables, report_uninitialized_variables
        if ready_op is Supervisor.USE_DEFAULT:
            ready_op = report_uninitialized_variables()
        self._ready_op = ready_op
        if ready_for_local_init_op is Supervisor.USE_DEFAULT:
            ready_for_local_init_op = report_uninitialized_variables(global_variables(),
                                                                     name="report_uninitialized_variables_1")
        self._ready_for_local_init_op = ready_for_local_init_op

    def _init_init_op(self, init_op: Any, init_feed_dict: dict | None) -> None:
        from .variables import global_variables_initializer
        if init_op is Supervisor.USE_DEFAULT:
            init_op = global_variables_initializer()
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict

    def _init_local_init_op(self, local_init_op: Any) -> None:
        from .variables import local_variables, variables_initializer
        if local_init_op is Supervisor.USE_DEFAULT:
            local_init_op = variables_initializer(local_variables(), name="init_1")
        self._local_init_op = local_init_op

    def _init_saver(self, saver: Any) -> None:
        from .saver import Saver
        if saver is Supervisor.USE_DEFAULT:
            saver = Saver(allow_empty=True)
        self._saver = saver

    def _init_summary_op(self, summary_op: Any) -> None:
        if summary_op is Supervisor.USE_DEFAULT:
            from .summary_ops import merge_all
            summary_op = merge_all()
        self._summary_op = summary_op

    def _init_global_step(self, global_step: Any) -> None:
        if global_step is Supervisor.USE_DEFAULT:
            from .training_util import get_global_step
            global_step = get_global_step()
        self._global_step = global_step

    # ---- properties ----------------------------------------------------------------------------
    @property
    def is_chief(self) -> bool:
        return self._is_chief

    @property
    def session_manager(self) -> SessionManager:
        return self._session_manager

    @property
    def coord(self) -> Coordinator:
        return self._coord

    @property
    def init_op(self) -> Any:
        return self._init_op

    @property
    def init_feed_dict(self) -> dict | None:
        return self._init_feed_dict

    @property
    def ready_op(self) -> Any:
        return self._ready_op

    @property
    def ready_for_local_init_op(self) -> Any:
        return self._ready_for_local_init_op

    @property
    def summary_writer(self) -> Any:
        return self._summary_writer

    @property
    def summary_op(self) -> Any:
        return self._summary_op

    @property
    def save_summaries_secs(self) -> float:
        return self._save_summaries_secs

    @property
    def global_step(self) -> Any:
        return self._global_step

    @property
    def saver(self) -> Any:
        return self._saver

    @property
    def save_model_secs(self) -> float:
        return self._save_model_secs

    @property
    def save_path(self) -> str | None:
        return self._save_path

    # ---- sessions and services -----------------------------------------------------------------
    def _write_graph(self) -> None:
        from .graph_def import write_graph
        if self._logdir and self._is_chief:
            write_graph(self._graph, self._logdir, "graph.pbtxt")
        if self._summary_writer is not None and not self._graph_added_to_summary:
            self._summary_writer.add_graph(self._graph)
            self._graph_added_to_summary = True

    def start_standard_services(self, sess: Session) -> list[LooperThread]:
        """The checkpoint, summary and step-rate threads (those that apply); returns them started."""
        if not self._is_chief:
            raise RuntimeError("Only chief supervisor can start standard services. Because only chief supervisors "
                               "can write events.")
        if not self._logdir:
            _log.warning("Standard services need a 'logdir' passed to the SessionManager")
            return []
        if self._global_step is not None and self._summary_writer is not None:
            from .summary import SessionLogProto
            step = int(sess.run(self._global_step))
            self._summary_writer.add_session_log(SessionLogProto(status=SessionLogProto.START), step)
        threads: list[LooperThread] = []
        if self._save_summaries_secs and self._summary_writer is not None:
            if self._summary_op is not None:
                threads.append(_SummaryThread(self, sess))
            if self._global_step is not None:
                threads.append(_StepCounterThread(self, sess))
        if self._saver and self._save_model_secs:
            threads.append(_CheckpointThread(self, sess))
        for thread in threads:
            thread.start()
        return threads

    def prepare_or_wait_for_session(self, master: str = "", config: Any = None, wait_for_checkpoint: bool = False,
                                    max_wait_secs: float = 7200, start_standard_services: bool = True) -> Session:
        """The chief's session (restored from logdir or initialized), or a worker's once the chief made it ready."""
        self._coord.clear_stop()
        if self._summary_writer is not None and hasattr(self._summary_writer, "reopen"):
            self._summary_writer.reopen()
        if self._is_chief:
            sess = self._session_manager.prepare_session(
                master, init_op=self._init_op, saver=self._saver, checkpoint_dir=self._logdir,
                wait_for_checkpoint=wait_for_checkpoint, max_wait_secs=max_wait_secs, config=config,
                init_feed_dict=self._init_feed_dict, init_fn=self._init_fn)
            self._write_graph()
            if start_standard_services:
                self.start_standard_services(sess)
        else:
            sess = self._session_manager.wait_for_session(master, config=config, max_wait_secs=max_wait_secs)
        if start_standard_services:  # TF's: the graph's queue runners start with every supervised session
            self.start_queue_runners(sess)
        return sess

    def start_queue_runners(self, sess: Session, queue_runners: Sequence[Any] | None = None) -> list:
        """Start the threads of `queue_runners` (default: the graph's QUEUE_RUNNERS collection) under the
        supervisor's coordinator, so should_stop() and stop() cover them (a SyncReplicasOptimizer's chief
        queue runner is started this way)."""
        if queue_runners is None:
            queue_runners = self._graph.get_collection("queue_runners")
        threads: list = []
        for runner in queue_runners:
            threads.extend(runner.create_threads(sess, coord=self._coord, daemon=True, start=True))
        return threads

    def loop(self, timer_interval_secs: float, target: Callable, args: Sequence | None = None,
             kwargs: dict | None = None) -> LooperThread:
        """Call target(*args, **kwargs) every timer_interval_secs in a thread stopped with the others."""
        looper = LooperThread(self._coord, timer_interval_secs, target=target, args=args, kwargs=kwargs)
        looper.start()
        return looper

    def stop(self, threads: Sequence[Any] | None = None, close_summary_writer: bool = True,
             ignore_live_threads: bool = False) -> None:
        """Stop the services and threads, wait for them (re-raising what one reported), close the summary writer."""
        self._coord.request_stop()
        try:
            self._coord.join(threads, stop_grace_period_secs=self._stop_grace_secs,
                             ignore_live_threads=ignore_live_threads)
        finally:
            # a second stop (slim's train stops inside managed_session, which stops again) finds it closed
            if close_summary_writer and self._summary_writer is not None and \
                    not getattr(self._summary_writer, "_closed", False):
                from .summary import SessionLogProto
                self._summary_writer.add_session_log(SessionLogProto(status=SessionLogProto.STOP))
                self._summary_writer.close()
                self._graph_added_to_summary = False

    def request_stop(self, ex: Any = None) -> None:
        self._coord.request_stop(ex=ex)

    def should_stop(self) -> bool:
        return self._coord.should_stop()

    def stop_on_exception(self):
        return self._coord.stop_on_exception()

    def wait_for_stop(self) -> None:
        self._coord.wait_for_stop()

    def summary_computed(self, sess: Session, summary: Any, global_step: Any = None) -> None:
        """Write a summary computed by the caller (at the global step, read from sess when not given)."""
        if not self._summary_writer:
            raise RuntimeError("Writing a summary requires a summary writer.")
        if global_step is None and self._global_step is not None:
            global_step = int(sess.run(self._global_step))
        self._summary_writer.add_summary(summary, global_step)

    @contextlib.contextmanager
    def managed_session(self, master: str = "", config: Any = None, start_standard_services: bool = True,
                        close_summary_writer: bool = True) -> Iterator[Session]:
        """A prepared session; on leaving, the services stop and an exception from the block or a thread is raised
        (OutOfRangeError, an input's end, stops quietly)."""
        sess = None
        try:
            sess = self.prepare_or_wait_for_session(master=master, config=config,
                                                    start_standard_services=start_standard_services)
            yield sess
        except Exception as e:  # noqa: BLE001 - reported to the coordinator, which re-raises it from join
            self.request_stop(e)
        finally:
            try:
                self.stop(close_summary_writer=close_summary_writer)
            finally:
                if sess is not None:
                    try:
                        sess.close()
                    except Exception:  # noqa: BLE001 - closing must not hide the error being raised
                        pass


class _SummaryThread(LooperThread):
    def __init__(self, sv: Supervisor, sess: Session):
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv, self._sess = sv, sess

    def run_loop(self) -> None:
        if self._sv.global_step is not None:
            summary, step = self._sess.run([self._sv.summary_op, self._sv.global_step])
        else:
            summary, step = self._sess.run(self._sv.summary_op), None
        if self._sv.summary_writer is not None:
            self._sv.summary_writer.add_summary(summary, step)


class _StepCounterThread(LooperThread):
    def __init__(self, sv: Supervisor, sess: Session):
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv, self._sess = sv, sess
        self._last_time = 0.0
        self._last_step = 0
        self._tag = f"{sv.global_step.op.name}/sec"

    def start_loop(self) -> None:
        self._last_time = time.time()
        self._last_step = int(self._sess.run(self._sv.global_step))

    def run_loop(self) -> None:
        step = int(self._sess.run(self._sv.global_step))
        elapsed = time.time() - self._last_time
        self._last_time = time.time()
        rate = (step - self._last_step) / elapsed if elapsed > 0 else float("inf")
        self._last_step = step
        if self._sv.summary_writer is not None:
            from .summary import SummaryProto
            self._sv.summary_writer.add_summary(
                SummaryProto(value=[SummaryProto.Value(tag=self._tag, simple_value=rate)]), step)
        _log.info("%s: %g", self._tag, rate)


class _CheckpointThread(LooperThread):
    def __init__(self, sv: Supervisor, sess: Session):
        super().__init__(sv.coord, sv.save_model_secs)
        self._sv, self._sess = sv, sess

    def run_loop(self) -> None:
        _log.info("Saving checkpoint to path %s", self._sv.save_path)
        os.makedirs(os.path.dirname(os.path.abspath(self._sv.save_path)), exist_ok=True)  # the logdir, as TF's
        self._sv.saver.save(self._sess, self._sv.save_path, global_step=self._sv.global_step)
        if self._sv.summary_writer is not None and self._sv.global_step is not None:
            from .summary import SessionLogProto
            step = int(self._sess.run(self._sv.global_step))
            self._sv.summary_writer.add_session_log(
                SessionLogProto(status=SessionLogProto.CHECKPOINT, checkpoint_path=self._sv.save_path), step)


def basic_train_loop(supervisor: Supervisor, train_step_fn: Callable, args: Sequence | None = None,
                     kwargs: dict | None = None, master: str = "") -> None:
    """Call train_step_fn(sess, *args, **kwargs) until the supervisor stops; an AbortedError starts over."""
    args = list(args or [])
    kwargs = dict(kwargs or {})
    should_retry = True
    while should_retry:
        try:
            should_retry = False
            with supervisor.managed_session(master) as sess:
                while not supervisor.should_stop():
                    train_step_fn(sess, *args, **kwargs)
        except AbortedError:
            should_retry = True


__all__ = ["SessionManager", "Supervisor", "basic_train_loop"]
