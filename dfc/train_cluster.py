"""tf.train's cluster side: Server, replica_device_setter, MonitoredTrainingSession and its hooks; tf.ConfigProto.

MonitoredTrainingSession recovers as TF's does: when a run fails because a task is gone
(UnavailableError, AbortedError), it closes the session, makes a new one on the same
target, restores the latest checkpoint of `checkpoint_dir` (or initializes, if there is
none) and runs the failed call again. Steps since that checkpoint are lost: with
`save_checkpoint_steps=S`, at most S-1 steps are done twice.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from dfc.ir.errors import AbortedError, InternalError, OutOfRangeError, UnavailableError
from dfc.runtime.distribute.cluster import ClusterSpec
from dfc.runtime.distribute.engine import embedded_cluster_for
from dfc.runtime.distribute.tcp_engine import TcpCluster, tcp_cluster_for

from .framework import get_default_graph, merge_device
from .saver import Saver, latest_checkpoint
from .session_run_hook import (SessionRunArgs, SessionRunContext, SessionRunHook, SessionRunValues,
                               _global_step_tensor)
from .session import ConfigProto, Session  # noqa: F401 - one declaration of tf.ConfigProto, kept importable here
from .basic_session_run_hooks import StepCounterHook, SummarySaverHook
from .training_util import get_global_step
from .variables import global_variables, global_variables_initializer

_log = logging.getLogger("dfc")

#: the op types replica_device_setter puts on parameter servers (TF's names map to dfc's variable op)
PS_OPS = ("dfc.variable", "Variable", "VariableV2", "VarHandleOp")


#: the environment variable that chooses how tf.train.Server runs its task: "tcp", "embedded" or "ray"
ENGINE_ENV = "DFC_CLUSTER_ENGINE"


class Server:
    """tf.train.Server: a task of a cluster, served by this process; `target` ("grpc://host:port") is for tf.Session.

    As TF's gRPC server: when every task of the ClusterSpec has a "host:port" address, the
    server binds its task's port (on that host when it is this machine's, else on all
    interfaces) and serves the task's variables, steps and queues to the other processes
    of the cluster. An unchanged TF1 between-graph script started as one process per task
    (`--job_name=ps --task_index=0`, `--job_name=worker --task_index=1`, ...) thus trains
    on shared parameter servers; a worker started before its parameter servers waits for
    them (DFC_CONNECT_TIMEOUT seconds, default 120), and a task lost mid-step fails the
    step with UnavailableError naming it. A port already in use raises UnknownError
    ("Could not start gRPC server"). The servers of one ClusterSpec in one process share
    one cluster: a process may serve all of its tasks. Processes prove to each other that
    they were given the same ClusterSpec (salted with DFC_CLUSTER_SECRET where set).

    A ClusterSpec of task counts (`{"ps": 1, "worker": 2}`) has no addresses: its tasks
    run as threads of this process (DFC_CLUSTER_ENGINE=embedded forces that for any spec).
    With DFC_CLUSTER_ENGINE=ray, the servers join the Ray cluster at RAY_ADDRESS (default
    "auto") instead, as named tasks derived from the ClusterSpec.
    """

    def __init__(self, server_or_cluster_def: ClusterSpec | dict, job_name: str | None = None,
                 task_index: int | None = None, protocol: str | None = None, config: Any = None,
                 start: bool = True):
        if hasattr(server_or_cluster_def, "cluster") and hasattr(server_or_cluster_def, "job_name"):
            server_def = server_or_cluster_def  # a ServerDef: its cluster, job and task unless given
            server_or_cluster_def = server_def.cluster
            job_name = job_name or server_def.job_name or None
            task_index = server_def.task_index if task_index is None else task_index
        spec = ClusterSpec(server_or_cluster_def)
        if job_name is None:
            if len(spec.jobs) != 1:
                raise ValueError(f"job_name must be given for a cluster with jobs {spec.jobs}")
            job_name = spec.jobs[0]
        if task_index is None:
            if spec.num_tasks(job_name) != 1:
                raise ValueError(f"task_index must be given: job '{job_name}' has {spec.num_tasks(job_name)} tasks")
            task_index = spec.task_indices(job_name)[0]
        if protocol not in (None, "grpc"):
            raise ValueError(f"protocol {protocol!r}: dfc's servers speak 'grpc' (TCP) only")
        if job_name not in spec.jobs:  # TF's gRPC server's errors
            raise InternalError(f'Job "{job_name}" was not defined in cluster')
        if int(task_index) not in spec.task_indices(job_name):
            raise InternalError(f'Task {int(task_index)} was not defined in job "{job_name}"')
        self.cluster_spec = spec
        self.job_name = job_name
        self.task_index = int(task_index)
        self._start_on(None)

    def _start_on(self, own_cluster: TcpCluster | None) -> None:
        """Join this process's part of the cluster (or `own_cluster`, one of this server's own) and serve the task."""
        spec, job_name = self.cluster_spec, self.job_name
        addresses = [spec.task_address(job, i) for job in spec.jobs for i in spec.task_indices(job)]
        chosen = os.environ.get(ENGINE_ENV, "").lower()
        engine = "tcp" if own_cluster else chosen or ("tcp" if all(a is not None for a in addresses) else "embedded")
        if engine == "ray":
            self._cluster = _ray_cluster_for(spec)
            self.target = self._cluster.task_target(job_name, self.task_index)
        elif engine == "tcp":
            self._cluster = own_cluster or tcp_cluster_for(spec)
            self.target = self._cluster.serve(job_name, self.task_index)
        elif engine == "embedded":
            if any(a is not None for a in addresses):
                warnings.warn(f"tf.train.Server runs the tasks of {spec} as threads of this process: other processes "
                              f"started for this cluster do not share them ("
                              + (f"unset {ENGINE_ENV} to serve each task at its address" if chosen else
                                 "give every task a 'host:port' address to serve it to them") + ")", stacklevel=2)
            self._cluster = embedded_cluster_for(spec)
            self.target = self._cluster.task_target(job_name, self.task_index)
        else:
            raise ValueError(f"{ENGINE_ENV}={engine!r}: expected 'tcp', 'embedded' or 'ray'")

    @staticmethod
    def create_local_server(config: Any = None, start: bool = True) -> Server:
        """TF's single-task server on a free port of localhost (each call a new one)."""
        server = Server.__new__(Server)
        server.cluster_spec = ClusterSpec({"localhost": ["localhost:0"]})
        server.job_name, server.task_index = "localhost", 0
        server._start_on(TcpCluster(server.cluster_spec))
        return server

    @property
    def server_def(self) -> dict:
        return {"cluster": self.cluster_spec.as_dict(), "job_name": self.job_name, "task_index": self.task_index,
                "protocol": "grpc"}

    def start(self) -> None:
        """The task already runs: it is served from the moment the Server is made."""

    def join(self, timeout: float | None = None) -> None:
        """Block while the task is served (a parameter server's main loop); returns when its cluster shuts down."""
        self._cluster.stopped.wait(timeout)


_ray_clusters: dict[ClusterSpec, Any] = {}


def _ray_cluster_for(spec: ClusterSpec) -> Any:
    """The Ray cluster of `spec`, its tasks named after the spec so every process of the job finds the same ones."""
    import hashlib

    from dfc.distribute import ray_cluster
    if spec not in _ray_clusters:
        digest = hashlib.sha256(repr(sorted(spec.as_dict().items())).encode()).hexdigest()[:16]
        _ray_clusters[spec] = ray_cluster(spec, os.environ.get("RAY_ADDRESS") or "auto", name=f"tf-{digest}")
    return _ray_clusters[spec]


class Scaffold:
    """tf.train.Scaffold: what a monitored session initializes with (init_op) and saves with (saver)."""

    def __init__(self, init_op: Any = None, init_feed_dict: dict | None = None, init_fn: Any = None,
                 ready_op: Any = None, ready_for_local_init_op: Any = None, local_init_op: Any = None,
                 summary_op: Any = None, saver: Saver | None = None, copy_from_scaffold: Any = None):
        self.init_op = init_op
        self.init_feed_dict = init_feed_dict
        self.init_fn = init_fn
        self.saver = saver
        self.local_init_op = local_init_op
        self.ready_op = ready_op
        self.ready_for_local_init_op = ready_for_local_init_op
        self.summary_op = summary_op

    def finalize(self) -> None:
        """Make what was not given: the initializer of every global variable, TF's local_init_op (local variables
        and lookup tables) and a Saver of the globals."""
        if self.init_op is None:
            self.init_op = global_variables_initializer()
        if self.local_init_op is None:
            from .lookup_ops import tables_initializer
            from .variables import group, local_variables_initializer
            self.local_init_op = group(local_variables_initializer(), tables_initializer())
        if self.saver is None:
            self.saver = Saver(allow_empty=True)


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
    """Saves a checkpoint after session creation, every save_steps global steps (or save_secs) and at the end.

    Listeners (tf.train.CheckpointSaverListener) are told before and after each save; one whose
    after_save returns True stops the training.
    """

    def __init__(self, checkpoint_dir: str, save_secs: float | None = None, save_steps: int | None = None,
                 saver: Saver | None = None, checkpoint_basename: str = "model.ckpt", scaffold: Any = None,
                 listeners: Sequence[Any] | None = None, save_graph_def: bool = True):
        if saver is not None and scaffold is not None:
            raise ValueError("You cannot provide both saver and scaffold.")
        if (save_secs is None) == (save_steps is None):
            raise ValueError("exactly one of save_secs and save_steps must be given")
        self._dir = checkpoint_dir
        self._save_secs = save_secs
        self._save_steps = save_steps
        self._saver = saver
        self._scaffold = scaffold
        self._listeners = list(listeners or [])
        self._save_graph_def = save_graph_def
        self._path = os.path.join(checkpoint_dir, checkpoint_basename)
        self._last_step: int | None = None
        self._last_time = 0.0

    def begin(self) -> None:
        self._step = _global_step_tensor()
        if self._saver is None and self._scaffold is not None:
            self._scaffold.finalize()
            self._saver = self._scaffold.saver
        if self._saver is None:
            self._saver = Saver(allow_empty=True)
        for listener in self._listeners:
            listener.begin()

    def after_create_session(self, session: Session, coord: Any) -> None:
        step = int(session.run(self._step))
        if latest_checkpoint(self._dir) is None or self._last_step is None:
            self._save(session, step)

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None:
        step = int(run_context.session.run(self._step))
        due = (self._save_steps is not None and step - (self._last_step or 0) >= self._save_steps) or \
            (self._save_secs is not None and time.monotonic() - self._last_time >= self._save_secs)
        if due and self._save(run_context.session, step):
            run_context.request_stop()

    def end(self, session: Session) -> None:
        step = int(session.run(self._step))
        if step != self._last_step:
            self._save(session, step)
        for listener in self._listeners:
            listener.end(session, step)

    def _save(self, session: Session, step: int) -> bool:
        """Save at `step`; True when a listener asks to stop."""
        for listener in self._listeners:
            listener.before_save(session, step)
        os.makedirs(os.path.dirname(os.path.abspath(self._path)), exist_ok=True)  # TF's hook: its summary writer
        self._saver.save(session, self._path, global_step=step, write_meta_graph=self._save_graph_def)
        self._last_step = step
        self._last_time = time.monotonic()
        stop = False
        for listener in self._listeners:
            if listener.after_save(session, step):
                stop = True
        return stop


# ---- the monitored session ------------------------------------------------------------------------
#: errors after which a monitored session makes a new session and restores (TF's preemption errors)
RECOVERABLE = (UnavailableError, AbortedError)


class ChiefSessionCreator:
    """Makes the chief's session: restores the latest checkpoint of checkpoint_dir, else runs the scaffold's init_op."""

    def __init__(self, scaffold: Scaffold | None = None, master: Any = "", config: Any = None,
                 checkpoint_dir: str | None = None, checkpoint_filename_with_path: str | None = None):
        self._graph = get_default_graph()
        self.scaffold = scaffold or Scaffold()
        with self._graph.as_default():
            self.scaffold.finalize()
        self._master = master
        self._config = config
        self._dir = checkpoint_dir
        self._path = checkpoint_filename_with_path

    def create_session(self) -> Session:
        session = Session(self._master, graph=self._graph, config=self._config)
        restored = self._path or (latest_checkpoint(self._dir) if self._dir else None)
        if restored is not None:
            self.scaffold.saver.restore(session, restored)
        else:
            session.run(self.scaffold.init_op, self.scaffold.init_feed_dict)
            if self.scaffold.init_fn is not None:
                self.scaffold.init_fn(self.scaffold, session)
        if self.scaffold.local_init_op is not None:
            session.run(self.scaffold.local_init_op)
        return session


class WorkerSessionCreator:
    """Makes a non-chief's session: waits (up to max_wait_secs) until the chief has initialized every variable."""

    def __init__(self, scaffold: Scaffold | None = None, master: Any = "", config: Any = None,
                 max_wait_secs: float = 30 * 60):
        self._graph = get_default_graph()
        self.scaffold = scaffold or Scaffold()
        with self._graph.as_default():
            self.scaffold.finalize()
            self._names = [v.op.name for v in global_variables()]
        self._master = master
        self._config = config
        self._wait = max_wait_secs

    def create_session(self) -> Session:
        session = Session(self._master, graph=self._graph, config=self._config)
        deadline = time.monotonic() + self._wait
        while not all(session.store.is_initialized(n) for n in self._names):
            if time.monotonic() > deadline:
                missing = [n for n in self._names if not session.store.is_initialized(n)]
                session.close()
                raise UnavailableError(f"the chief did not initialize {missing} within {self._wait:g} s")
            time.sleep(0.05)
        if self.scaffold.local_init_op is not None:
            session.run(self.scaffold.local_init_op)
        return session


class MonitoredSession:
    """tf.train.MonitoredSession: runs hooks around every run and recovers from a lost task.

    When a run fails with UnavailableError or AbortedError (a task died or restarted), it
    closes the session, has the session creator make a new one (the chief's restores the
    latest checkpoint) and runs the failed call again.
    """

    def __init__(self, session_creator: ChiefSessionCreator | WorkerSessionCreator | None = None,
                 hooks: Sequence[SessionRunHook] | None = None, stop_grace_period_secs: float = 120,
                 max_recoveries: int = 10):
        from .coordinator import Coordinator
        self._creator = session_creator or ChiefSessionCreator()
        self._graph = getattr(self._creator, "_graph", None) or get_default_graph()
        self._hooks = list(hooks or [])
        self._max_recoveries = max_recoveries
        self._stop_grace_period_secs = stop_grace_period_secs
        self._stop = False
        self.recoveries = 0
        self._coord = Coordinator()
        with self._graph.as_default():
            for hook in self._hooks:
                hook.begin()
        self._session = self._create()

    def _create(self) -> Session:
        from .coordinator import Coordinator
        session = self._creator.create_session()
        self._coord = Coordinator(clean_stop_exception_types=[])  # TF's: the coordinator suppresses nothing
        if self._graph.get_collection("queue_runners"):  # as TF's, it runs the graph's QueueRunners
            from .queues.runner import start_queue_runners
            with self._graph.as_default():
                start_queue_runners(sess=session, coord=self._coord)
        for hook in self._hooks:
            hook.after_create_session(session, self._coord)
        return session

    def run(self, fetches: Any, feed_dict: dict | None = None, options: Any = None, run_metadata: Any = None) -> Any:
        if self._session is None or self._session.closed:
            raise RuntimeError("Run called on a closed MonitoredSession")
        if self.should_stop():  # TF's: a hook or the coordinator asked to stop; no more steps
            raise RuntimeError("Run called even after should_stop requested.")
        while True:
            try:
                return self._run_once(fetches, feed_dict, options, run_metadata)
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

    def _run_once(self, fetches: Any, feed_dict: dict | None, options: Any = None,
                  run_metadata: Any = None) -> Any:
        context = SessionRunContext(SessionRunArgs(fetches, feed_dict, options), self._session)
        extra = [hook.before_run(context) for hook in self._hooks]
        feeds = dict(feed_dict or {})
        for args in extra:
            if args is not None and args.feed_dict:
                overlap = set(feeds) & set(args.feed_dict)
                if overlap:
                    raise RuntimeError(f"Same tensor is fed by a SessionRunHook and user: "
                                       f"{sorted(getattr(t, 'name', str(t)) for t in overlap)}")
                feeds.update(args.feed_dict)
        hook_fetches = [a.fetches if a is not None and a.fetches is not None else [] for a in extra]
        options, run_metadata = _merged_run_options(options, run_metadata, extra)
        results = self._session.run([fetches, hook_fetches], feeds, options=options, run_metadata=run_metadata)
        for hook, args, value in zip(self._hooks, extra, results[1]):
            fetched = value if args is not None and args.fetches is not None else None
            hook.after_run(context, SessionRunValues(fetched, options, run_metadata))
        self._stop = self._stop or context.stop_requested or self._coord.should_stop()
        return results[0]

    def run_step_fn(self, step_fn: Callable[[Any], Any]) -> Any:
        """Call step_fn(step_context): its `session` is the raw session, `run_with_hooks` runs with the hooks."""
        return step_fn(_StepContext(self))

    def should_stop(self) -> bool:
        return self._stop or self._coord.should_stop()

    @property
    def graph(self):
        return self._graph

    def _tf_sess(self) -> Session:
        return self._session

    def close(self) -> None:
        if self._session.closed:
            return
        try:
            for hook in self._hooks:
                hook.end(self._session)
        finally:
            self._coord.request_stop()  # its queue runners' threads stop (their queues are cancelled) first
            try:
                self._coord.join(stop_grace_period_secs=self._stop_grace_period_secs, ignore_live_threads=True)
            finally:
                self._session.close()

    def __enter__(self) -> MonitoredSession:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None and not issubclass(exc_type, (OutOfRangeError, StopIteration)):
            try:  # the user's exception wins over one from a hook's end()
                self.close()
            except Exception:  # noqa: BLE001
                _log.exception("closing the monitored session after an error failed as well")
            return False
        self.close()
        # as TF's: the end of an input pipeline (OutOfRangeError, StopIteration) ends the block quietly
        return exc_type is not None


class _StepContext:
    """What MonitoredSession.run_step_fn gives its function (TF's StepContext)."""

    def __init__(self, monitored: MonitoredSession):
        self._monitored = monitored

    @property
    def session(self) -> Session:
        return self._monitored._session

    def run_with_hooks(self, *args: Any, **kwargs: Any) -> Any:
        return self._monitored.run(*args, **kwargs)

    def request_stop(self) -> None:
        self._monitored._stop = True


class SingularMonitoredSession(MonitoredSession):
    """A MonitoredSession for one process: the chief's session creator, no recovery from lost tasks."""

    def __init__(self, hooks: Sequence[SessionRunHook] | None = None, scaffold: Scaffold | None = None,
                 master: Any = "", config: Any = None, checkpoint_dir: str | None = None,
                 stop_grace_period_secs: float = 120, checkpoint_filename_with_path: str | None = None):
        creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config,
                                      checkpoint_dir=checkpoint_dir,
                                      checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(creator, hooks, stop_grace_period_secs=stop_grace_period_secs, max_recoveries=0)

    def raw_session(self) -> Session:
        return self._session


class SessionCreator:
    """The interface of session creators: create_session() returns a ready Session."""

    def create_session(self) -> Session:
        raise NotImplementedError


def MonitoredTrainingSession(master: Any = "", is_chief: bool = True,  # noqa: N802 - TF's name
                             checkpoint_dir: str | None = None,
                             scaffold: Any = None, hooks: Sequence[SessionRunHook] | None = None,
                             chief_only_hooks: Sequence[SessionRunHook] | None = None,
                             save_checkpoint_secs: float | None = None, save_summaries_steps: Any = None,
                             save_summaries_secs: Any = None, config: Any = None,
                             stop_grace_period_secs: float = 120, log_step_count_steps: int = 100,
                             max_wait_secs: float = 7200, save_checkpoint_steps: int | None = None,
                             summary_dir: str | None = None, **_ignored: Any) -> MonitoredSession:
    """TF's MonitoredTrainingSession: the chief initializes or restores and saves checkpoints; all recover.

    Without save_checkpoint_steps or _secs, the chief saves every 600 s (TF's default).
    """
    all_hooks = list(hooks or [])
    scaffold = scaffold or Scaffold()
    if is_chief:
        creator: ChiefSessionCreator | WorkerSessionCreator = ChiefSessionCreator(scaffold, master, config,
                                                                                  checkpoint_dir)
        all_hooks += list(chief_only_hooks or [])
        summary_dir = summary_dir or checkpoint_dir
        if get_global_step() is not None:  # TF's step and summary hooks need one (TF fails without it)
            if log_step_count_steps and log_step_count_steps > 0:
                all_hooks.append(StepCounterHook(output_dir=summary_dir, every_n_steps=log_step_count_steps))
            if save_summaries_steps is None and save_summaries_secs is None:
                save_summaries_steps = 100
            if summary_dir and ((save_summaries_steps and save_summaries_steps > 0)
                                or (save_summaries_secs and save_summaries_secs > 0)):
                all_hooks.append(SummarySaverHook(scaffold=scaffold, save_steps=save_summaries_steps
                                                  if save_summaries_steps and save_summaries_steps > 0 else None,
                                                  save_secs=None if save_summaries_steps and save_summaries_steps > 0
                                                  else save_summaries_secs, output_dir=summary_dir))
        if checkpoint_dir:
            if save_checkpoint_steps is None and save_checkpoint_secs is None:
                save_checkpoint_secs = 600
            if (save_checkpoint_steps and save_checkpoint_steps > 0) or \
                    (save_checkpoint_secs and save_checkpoint_secs > 0):  # TF's: 0 saves nothing (Estimators save)
                all_hooks.append(CheckpointSaverHook(checkpoint_dir, save_secs=None if save_checkpoint_steps else
                                                     save_checkpoint_secs, save_steps=save_checkpoint_steps,
                                                     saver=scaffold.saver))
    else:
        creator = WorkerSessionCreator(scaffold, master, config, max_wait_secs)
    return MonitoredSession(creator, all_hooks)


__all__ = ["SessionCreator", "SingularMonitoredSession",
           "CheckpointSaverHook", "ChiefSessionCreator", "ClusterSpec", "ConfigProto", "MonitoredSession",
           "MonitoredTrainingSession", "Scaffold", "Server", "SessionRunArgs", "SessionRunContext", "SessionRunHook",
           "SessionRunValues", "StopAtStepHook", "WorkerSessionCreator", "replica_device_setter"]


def _merged_run_options(options: Any, run_metadata: Any, hook_args: list) -> tuple[Any, Any]:
    """The RunOptions of a MonitoredSession step: the caller's, with the highest trace level and the longest
    timeout any hook's SessionRunArgs asks for (TF's merge); a RunMetadata when a hook asked for a trace."""
    asked = [a.options for a in hook_args if a is not None and getattr(a, "options", None) is not None]
    if not asked:
        return options, run_metadata
    from .summary import RunMetadata, RunOptions
    merged = RunOptions()
    if options is not None:
        merged.CopyFrom(options)
    for extra in asked:
        merged.trace_level = max(merged.trace_level, extra.trace_level)
        merged.timeout_in_ms = max(merged.timeout_in_ms, extra.timeout_in_ms)
        merged.output_partition_graphs |= extra.output_partition_graphs
    return merged, run_metadata if run_metadata is not None else RunMetadata()
