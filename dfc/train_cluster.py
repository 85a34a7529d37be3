"""tf.train's cluster side: Server, replica_device_setter, MonitoredTrainingSession and its hooks; tf.ConfigProto.

MonitoredTrainingSession recovers as TF's does: when a run fails because a task is gone
(UnavailableError, AbortedError), it closes the session, makes a new one on the same
target, restores the latest checkpoint of `checkpoint_dir` (or initializes, if there is
none) and runs the failed call again. Steps since that checkpoint are lost: with
`save_checkpoint_steps=S`, at most S-1 steps are done twice.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from dfc.ir.errors import AbortedError, UnavailableError
from dfc.runtime.distribute.cluster import ClusterSpec
from dfc.runtime.distribute.engine import embedded_cluster_for

from .framework import get_default_graph, merge_device
from .saver import Saver, latest_checkpoint
from .training_util import get_global_step
from .session import Session
from .variables import global_variables, global_variables_initializer

#: the op types replica_device_setter puts on parameter servers (TF's names map to dfc's variable op)
PS_OPS = ("dfc.variable", "Variable", "VariableV2", "VarHandleOp")


class ConfigProto:
    """tf.ConfigProto's fields that dfc reads: allow_soft_placement keeps a graph placed on jobs in one process."""

    def __init__(self, allow_soft_placement: bool = False, log_device_placement: bool = False, **fields: Any):
        self.allow_soft_placement = allow_soft_placement
        self.log_device_placement = log_device_placement
        for key, value in fields.items():
            setattr(self, key, value)


class Server:
    """tf.train.Server: a task of a cluster, started in this process; `target` is for tf.Session.

    All servers of one ClusterSpec in a process share one embedded cluster (its tasks are
    threads); to run tasks on other machines, use dfc.distribute.ray_cluster.
    """

    def __init__(self, server_or_cluster_def: ClusterSpec | dict, job_name: str | None = None,
                 task_index: int | None = None, protocol: str | None = None, config: Any = None,
                 start: bool = True):
        spec = ClusterSpec(server_or_cluster_def)
        if job_name is None:
            if len(spec.jobs) != 1:
                raise ValueError(f"job_name must be given for a cluster with jobs {spec.jobs}")
            job_name = spec.jobs[0]
        if task_index is None:
            if spec.num_tasks(job_name) != 1:
                raise ValueError(f"task_index must be given: job '{job_name}' has {spec.num_tasks(job_name)} tasks")
            task_index = spec.task_indices(job_name)[0]
        self.cluster_spec = spec
        self.job_name = job_name
        self.task_index = int(task_index)
        self._cluster = embedded_cluster_for(spec)
        self.target = self._cluster.task_target(job_name, self.task_index)

    @staticmethod
    def create_local_server(config: Any = None, start: bool = True) -> Server:
        return Server({"localhost": 1}, "localhost", 0)

    @property
    def server_def(self) -> dict:
        return {"cluster": self.cluster_spec.as_dict(), "job_name": self.job_name, "task_index": self.task_index}

    def start(self) -> None:
        """The task already runs (a thread of the embedded cluster)."""

    def join(self, timeout: float | None = None) -> None:
        """Block while the cluster runs (a parameter server's main loop); `timeout` for scripts that must end."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._cluster.target and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.1 if deadline is None else min(0.1, max(0.0, deadline - time.monotonic())))
            if self._cluster.engine.servers == {}:
                break


def replica_device_setter(ps_tasks: int = 0, ps_device: str = "/job:ps", worker_device: str = "/job:worker",
                          merge_devices: bool = True, cluster: ClusterSpec | dict | None = None,
                          ps_ops: Sequence[str] | None = None,
                          ps_strategy: Callable[[Any], int] | None = None) -> Callable[[Any], str] | None:
    """A device function for tf.device: variables round-robin on the ps tasks, every other op on worker_device."""
    if cluster is not None:
        spec = ClusterSpec(cluster)
        ps_job = (ps_device.split("/job:", 1)[1].split("/", 1)[0]) if "/job:" in ps_device else "ps"
        ps_tasks = spec.num_tasks(ps_job) if ps_job in spec.jobs else 0
    if ps_tasks == 0:
        return None
    kinds = tuple(ps_ops) if ps_ops is not None else PS_OPS
    counter = [0]

    def round_robin(op: Any) -> int:
        task = counter[0]
        counter[0] = (counter[0] + 1) % ps_tasks
        return task

    strategy = ps_strategy or round_robin

    def choose(op: Any) -> str:
        current = op.device or ""
        if op.type in kinds and ps_device:
            target = ps_device
            if "/task:" not in ps_device and ("/job:" not in current or current.split("/job:", 1)[1].split("/")[0]
                                             == ps_device.split("/job:", 1)[1].split("/")[0]):
                target = merge_device(ps_device, f"/task:{strategy(op)}")
            return merge_device(target, current) if merge_devices else target
        return merge_device(worker_device, current) if merge_devices and worker_device else (worker_device or current)
    return choose


# ---- hooks --------------------------------------------------------------------------------------
class SessionRunArgs:
    def __init__(self, fetches: Any, feed_dict: dict | None = None, options: Any = None):
        self.fetches = fetches
        self.feed_dict = feed_dict
        self.options = options


class SessionRunValues:
    def __init__(self, results: Any, options: Any = None, run_metadata: Any = None):
        self.results = results
        self.options = options
        self.run_metadata = run_metadata


class SessionRunContext:
    def __init__(self, original_args: SessionRunArgs, session: Session):
        self.original_args = original_args
        self.session = session
        self._stop_requested = False

    def request_stop(self) -> None:
        self._stop_requested = True

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested


class SessionRunHook:
    """tf.train.SessionRunHook: called around session creation and every run."""

    def begin(self) -> None: ...

    def after_create_session(self, session: Session, coord: Any) -> None: ...

    def before_run(self, run_context: SessionRunContext) -> SessionRunArgs | None:
        return None

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None: ...

    def end(self, session: Session) -> None: ...


def _global_step_tensor():
    step = get_global_step()
    if step is None:
        raise RuntimeError("this hook needs a global step: create one with tf.train.get_or_create_global_step()")
    return step


class StopAtStepHook(SessionRunHook):
    """Requests a stop once the global step reaches last_step (or num_steps past where it began)."""

    def __init__(self, num_steps: int | None = None, last_step: int | None = None):
        if (num_steps is None) == (last_step is None):
            raise ValueError("One of num_steps or last_step must be specified.")
        self._num_steps = num_steps
        self._last_step = last_step

    def begin(self) -> None:
        self._step = _global_step_tensor()

    def after_create_session(self, session: Session, coord: Any) -> None:
        if self._last_step is None:
            self._last_step = int(session.run(self._step)) + self._num_steps

    def before_run(self, run_context: SessionRunContext) -> SessionRunArgs:
        return SessionRunArgs(self._step)

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None:
        if int(run_values.results) + 1 >= self._last_step:
            # the value fetched is the step's start; this run moved it on by one
            step = int(run_context.session.run(self._step))
            if step >= self._last_step:
                run_context.request_stop()


class CheckpointSaverHook(SessionRunHook):
    """Saves a checkpoint after session creation, every save_steps global steps (or save_secs) and at the end."""

    def __init__(self, checkpoint_dir: str, save_secs: float | None = None, save_steps: int | None = None,
                 saver: Saver | None = None, checkpoint_basename: str = "model.ckpt"):
        if (save_secs is None) == (save_steps is None):
            raise ValueError("exactly one of save_secs and save_steps must be given")
        self._dir = checkpoint_dir
        self._save_secs = save_secs
        self._save_steps = save_steps
        self._saver = saver
        self._path = os.path.join(checkpoint_dir, checkpoint_basename)
        self._last_step: int | None = None
        self._last_time = 0.0

    def begin(self) -> None:
        self._step = _global_step_tensor()
        if self._saver is None:
            self._saver = Saver()

    def after_create_session(self, session: Session, coord: Any) -> None:
        step = int(session.run(self._step))
        if latest_checkpoint(self._dir) is None or self._last_step is None:
            self._save(session, step)

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None:
        step = int(run_context.session.run(self._step))
        due = (self._save_steps is not None and step - (self._last_step or 0) >= self._save_steps) or \
            (self._save_secs is not None and time.monotonic() - self._last_time >= self._save_secs)
        if due:
            self._save(run_context.session, step)

    def end(self, session: Session) -> None:
        step = int(session.run(self._step))
        if step != self._last_step:
            self._save(session, step)

    def _save(self, session: Session, step: int) -> None:
        self._saver.save(session, self._path, global_step=step)
        self._last_step = step
        self._last_time = time.monotonic()


# ---- the monitored session ------------------------------------------------------------------------
#: errors after which a monitored session makes a new session and restores (TF's preemption errors)
RECOVERABLE = (UnavailableError, AbortedError)


class MonitoredSession:
    """A session that runs hooks, saves checkpoints and recovers from a lost task by restoring the latest one."""

    def __init__(self, master: Any = "", is_chief: bool = True, checkpoint_dir: str | None = None,
                 hooks: Sequence[SessionRunHook] = (), config: Any = None, max_recoveries: int = 10,
                 wait_for_init_secs: float = 60.0):
        self._graph = get_default_graph()
        self._master = master
        self._config = config
        self._is_chief = is_chief
        self._dir = checkpoint_dir
        self._hooks = list(hooks)
        self._max_recoveries = max_recoveries
        self._wait = wait_for_init_secs
        self._stop = False
        self.recoveries = 0
        with self._graph.as_default():
            self._init_op = global_variables_initializer()
            self._saver = Saver() if checkpoint_dir else None
            for hook in self._hooks:
                hook.begin()
        self._session = self._create()

    def _create(self) -> Session:
        session = Session(self._master, graph=self._graph, config=self._config)
        restored = latest_checkpoint(self._dir) if self._dir else None
        if self._is_chief:
            if restored is not None:
                self._saver.restore(session, restored)
            else:
                session.run(self._init_op)
        else:
            self._wait_until_ready(session)
        for hook in self._hooks:
            hook.after_create_session(session, None)
        return session

    def _wait_until_ready(self, session: Session) -> None:
        deadline = time.monotonic() + self._wait
        names = [v.op.name for v in global_variables()]
        while not all(session.store.is_initialized(n) for n in names):
            if time.monotonic() > deadline:
                missing = [n for n in names if not session.store.is_initialized(n)]
                raise UnavailableError(f"the chief did not initialize {missing} within {self._wait:g} s")
            time.sleep(0.05)

    def run(self, fetches: Any, feed_dict: dict | None = None, options: Any = None, run_metadata: Any = None) -> Any:
        while True:
            try:
                return self._run_once(fetches, feed_dict)
            except RECOVERABLE:
                if self.recoveries >= self._max_recoveries:
                    raise
                self.recoveries += 1
                self._session.close()
                self._session = self._recreate()

    def _recreate(self) -> Session:
        for attempt in range(self._max_recoveries):
            try:
                return self._create()
            except RECOVERABLE:  # the lost task is still coming back
                time.sleep(0.2 * (attempt + 1))
        return self._create()

    def _run_once(self, fetches: Any, feed_dict: dict | None) -> Any:
        context = SessionRunContext(SessionRunArgs(fetches, feed_dict), self._session)
        extra = [hook.before_run(context) for hook in self._hooks]
        feeds = dict(feed_dict or {})
        for args in extra:
            if args is not None and args.feed_dict:
                feeds.update(args.feed_dict)
        results = self._session.run([fetches, [a.fetches if a is not None else [] for a in extra]], feeds)
        for hook, args, value in zip(self._hooks, extra, results[1]):
            hook.after_run(context, SessionRunValues(value if args is not None else None))
        self._stop = self._stop or context.stop_requested
        return results[0]

    def should_stop(self) -> bool:
        return self._stop

    @property
    def graph(self):
        return self._graph

    def close(self) -> None:
        if self._session.closed:
            return
        try:
            for hook in self._hooks:
                hook.end(self._session)
        finally:
            self._session.close()

    def __enter__(self) -> MonitoredSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def MonitoredTrainingSession(master: Any = "", is_chief: bool = True,  # noqa: N802 - TF's name
                             checkpoint_dir: str | None = None,
                             scaffold: Any = None, hooks: Sequence[SessionRunHook] | None = None,
                             chief_only_hooks: Sequence[SessionRunHook] | None = None,
                             save_checkpoint_secs: float | None = None, save_summaries_steps: Any = None,
                             save_summaries_secs: Any = None, config: Any = None,
                             stop_grace_period_secs: float = 120, log_step_count_steps: int = 100,
                             max_wait_secs: float = 7200, save_checkpoint_steps: int | None = None,
                             **_ignored: Any) -> MonitoredSession:
    """TF's MonitoredTrainingSession: the chief initializes or restores and saves checkpoints; all recover.

    Without save_checkpoint_steps or _secs, the chief saves every 600 s (TF's default).
    """
    all_hooks = list(hooks or [])
    if is_chief:
        all_hooks += list(chief_only_hooks or [])
        if checkpoint_dir:
            if save_checkpoint_steps is None and save_checkpoint_secs is None:
                save_checkpoint_secs = 600
            all_hooks.append(CheckpointSaverHook(checkpoint_dir, save_secs=None if save_checkpoint_steps else
                                                 save_checkpoint_secs, save_steps=save_checkpoint_steps))
    return MonitoredSession(master, is_chief, checkpoint_dir, all_hooks, config, wait_for_init_secs=max_wait_secs)


__all__ = ["CheckpointSaverHook", "ClusterSpec", "ConfigProto", "MonitoredSession", "MonitoredTrainingSession",
           "Server", "SessionRunArgs", "SessionRunContext", "SessionRunHook", "SessionRunValues", "StopAtStepHook",
           "replica_device_setter"]
