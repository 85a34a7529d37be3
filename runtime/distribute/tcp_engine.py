"""The TCP engine: each task of a ClusterSpec is served, at its address, by the process that made its tf.train.Server.

What TF's gRPC runtime does for a TF1 cluster started one process per task (`--job_name=ps`,
`--job_name=worker --task_index=1`, ...): `tf.train.Server(cluster, job, index)` binds the
task's host:port and serves that task's TaskServer (its variables, stages, queues and
accumulators) to every other process of the cluster. A session runs the stages of a step on
the tasks of its own process directly and on the others over TCP (tcp_wire.py's framing; the
peers authenticate with a key derived from the ClusterSpec). A task's calls come one at a
time (one lock per task, shared by its local callers and its connections). Stage plans go to
a task once per connection; numpy values travel as out-of-band pickle buffers.

Waiting is bounded everywhere: a task that is not up yet is retried for DFC_CONNECT_TIMEOUT
seconds (a worker started before its parameter servers waits for them, as TF's do); a task
lost mid-call fails the step with UnavailableError naming it; a task restarted since a session
began fails that session's steps with AbortedError (its variables are gone).
MonitoredTrainingSession recovers from both by making a new session and restoring the
latest checkpoint.
"""

from __future__ import annotations

import builtins
import concurrent.futures as futures
import errno
import os
import pickle
import socket
import threading
import time
import uuid
from typing import Any

import numpy as np

from dfc.ir import errors as dfc_errors
from dfc.ir.errors import AbortedError, DeadlineExceededError, InvalidArgumentError, UnavailableError, UnknownError

from . import cluster as cluster_registry
from .cluster import ClusterSpec, task_name
from .engine import STEP_TIMEOUT, EmbeddedEngine, StepPlan
from .task import TaskServer
from .tcp_wire import accept_handshake, hello, prove, receive, send_json, send_message

#: seconds to wait for a task that is not up yet (TF's workers wait for their parameter servers)
CONNECT_TIMEOUT = float(os.environ.get("DFC_CONNECT_TIMEOUT", "120"))
#: seconds to wait for a task this process reached before and lost: mid-session, a lost task fails fast
RECONNECT_TIMEOUT = 2.0
#: seconds the handshake of a new connection may take
HANDSHAKE_TIMEOUT = 30.0
#: how often an idle connection's or listener's thread checks whether its task was shut down
IDLE_TICK = 0.5


def split_address(address: str) -> tuple[str, int]:
    """("host", port) of a ClusterSpec address "host:port" (an IPv6 host in brackets)."""
    host, sep, port = str(address).rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ValueError(f"a task address is 'host:port', got {address!r}")
    return host.strip("[]"), int(port)


def _bind(address: str, task: str) -> socket.socket:
    """A listening socket for `address`: on its host where that is this machine's (so "localhost:P" stays on
    loopback), else on every interface, as TF's gRPC server binds the port."""
    host, port = split_address(address)
    try:
        family, _, _, _, sockaddr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        family, sockaddr = socket.AF_INET, ("0.0.0.0", port)
    for candidate in (sockaddr, ("::" if family == socket.AF_INET6 else "0.0.0.0", port)):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restarted task rebinds its port at once
        try:
            sock.bind(candidate)
            sock.listen(128)
            return sock
        except OSError as e:
            sock.close()
            if e.errno == errno.EADDRNOTAVAIL and candidate is sockaddr:
                continue  # the host names another machine: TF binds the port on all interfaces
            raise UnknownError(f"Could not start gRPC server for task {task} at {address}: "
                               f"{os.strerror(e.errno) if e.errno else e}") from None
    raise AssertionError("unreachable")


def _error_reply(e: BaseException) -> tuple:
    return ("err", type(e).__name__, str(e))


def _unwrap(reply: tuple, task: str) -> Any:
    """The value of a task's reply, or its error raised here as the same class (dfc's errors, Python's)."""
    if reply[0] == "ok":
        return reply[1]
    _, name, message = reply
    cls = getattr(dfc_errors, name, None) or getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            error = cls(message)
        except Exception:  # noqa: BLE001 - a class that takes other arguments: say what it was
            error = None
        if error is not None:
            raise error
    raise RuntimeError(f"{name} on task {task}: {message}")


class TaskListener:
    """Serves one task of this process at its address: one thread accepts, one thread per connection answers."""

    def __init__(self, cluster: TcpCluster, task: str, server: TaskServer, lock: threading.Lock, address: str):
        self.cluster = cluster
        self.task = task
        self.server = server
        self.lock = lock
        self.incarnation = uuid.uuid4().hex
        self.sock = _bind(address, task)
        self.port = self.sock.getsockname()[1]
        self.closed = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name=f"dfc-serve{task.replace('/', '_')}", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(IDLE_TICK)
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._connections_lock:
                self._connections.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if not accept_handshake(conn, self.cluster.spec, self.task, self.incarnation,
                                    time.monotonic() + HANDSHAKE_TIMEOUT):
                return
            while not self.closed.is_set():
                conn.settimeout(IDLE_TICK)  # an idle client: wait for its next call, a tick at a time
                try:
                    if not conn.recv(1, socket.MSG_PEEK):
                        return
                except TimeoutError:
                    continue
                request = receive(conn, time.monotonic() + STEP_TIMEOUT)
                reply = self._answer(request)
                try:
                    send_message(conn, reply, time.monotonic() + STEP_TIMEOUT)
                except (pickle.PicklingError, TypeError, AttributeError) as e:  # raised before a byte is sent
                    send_message(conn, _error_reply(e), time.monotonic() + STEP_TIMEOUT)
        except (OSError, ConnectionError, DeadlineExceededError, EOFError, ValueError, pickle.UnpicklingError):
            return  # the client went away or broke the protocol: it gets an error on its side
        finally:
            with self._connections_lock:
                self._connections.discard(conn)
            conn.close()

    def _answer(self, request: tuple) -> tuple:
        kind = request[0]
        try:
            with self.lock:  # TaskServer's contract: one call at a time
                if kind == "stage":
                    _, plan_id, texts, stage, step_key, inputs, stateful = request
                    if not self.server.has_plan(plan_id):
                        if texts is None:
                            return ("need_plan",)
                        self.server.load_plan(plan_id, texts)
                    return ("ok", self.server.run_stage(plan_id, stage, tuple(step_key), inputs, stateful))
                if kind == "store":
                    return ("ok", self.server.store_call(*request[1:]))
                if kind == "resource":
                    return ("ok", self.server.resource_call(*request[1:]))
                if kind == "stats":
                    return ("ok", self.server.stats())
            return ("err", "ValueError", f"unknown request {kind!r}")
        except Exception as e:  # noqa: BLE001 - the error belongs to the client's step
            return _error_reply(e)

    def close(self) -> None:
        self.closed.set()
        self.sock.close()
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _dial(address: str, subject: str, timeout: float) -> socket.socket:
    """A TCP connection to `address`, retried until `timeout` while nothing listens there yet."""
    host, port = split_address(address)
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            sock = socket.create_connection((host, port), timeout=max(0.05, min(2.0, deadline - time.monotonic())))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as e:
            if time.monotonic() + delay > deadline:
                raise UnavailableError(f"{subject} is unavailable: nothing answered there within "
                                       f"{timeout:g} s ({os.strerror(e.errno) if e.errno else e})") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


class _Peer:
    """This process's connection to a task another process serves; one call at a time."""

    def __init__(self, cluster: TcpCluster, task: str, address: str):
        self.cluster = cluster
        self.task = task
        self.address = address
        self.lock = threading.Lock()
        self.sock: socket.socket | None = None
        self.incarnation: str | None = None
        self.plans: set[str] = set()  # the step plans this connection's task has
        self.reached = False

    def _connect(self, timeout: float) -> None:
        sock = _dial(self.address, f"task {self.task} ({self.address})", timeout)
        try:
            deadline = time.monotonic() + HANDSHAKE_TIMEOUT
            info = hello(sock, deadline)
            theirs = ClusterSpec(info["spec"])
            if info["task"] == self.task and theirs == self.cluster.spec:
                prove(sock, info, self.cluster.spec, deadline)
        except (OSError, ConnectionError, DeadlineExceededError, ValueError, TypeError) as e:
            sock.close()
            raise UnavailableError(f"task {self.task} ({self.address}) is unavailable: the handshake failed "
                                   f"({e})") from None
        if info["task"] != self.task or theirs != self.cluster.spec:
            sock.close()
            raise InvalidArgumentError(f"{self.address} serves task {info['task']} of {theirs}, not task {self.task} "
                                       f"of {self.cluster.spec}: every process of a cluster must be given the same "
                                       f"ClusterSpec")
        self.sock, self.incarnation, self.plans, self.reached = sock, info["incarnation"], set(), True

    def _drop(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None

    def wait_next_connect(self) -> None:
        with self.lock:
            if self.sock is None:
                self.reached = False

    def current_incarnation(self) -> str:
        """The incarnation of the task, waiting for it to come up (what a new session starts with)."""
        with self.lock:
            if self.sock is None:
                self._connect(CONNECT_TIMEOUT)
            return self.incarnation

    def request(self, message: tuple, expect: str | None = None) -> tuple:
        with self.lock:
            if self.sock is None:
                self._connect(RECONNECT_TIMEOUT if self.reached else CONNECT_TIMEOUT)
            if expect is not None and expect != self.incarnation:
                raise AbortedError(f"task {self.task} ({self.address}) restarted since this session began: the "
                                   f"variables it held are gone; make a new session and restore them "
                                   f"(MonitoredTrainingSession does)")
            deadline = time.monotonic() + STEP_TIMEOUT
            try:
                send_message(self.sock, message, deadline)
                return receive(self.sock, deadline)
            except DeadlineExceededError:
                self._drop()
                raise DeadlineExceededError(f"task {self.task} ({self.address}) did not answer within "
                                            f"{STEP_TIMEOUT:g} s") from None
            except (OSError, ConnectionError, EOFError, pickle.UnpicklingError) as e:
                self._drop()
                raise UnavailableError(f"task {self.task} ({self.address}) is unavailable: the connection to it "
                                       f"was lost mid-call ({type(e).__name__}: {e}); its process died or the "
                                       f"network failed") from None

    def close(self) -> None:
        with self.lock:
            self._drop()


class TcpEngine(EmbeddedEngine):
    """Stages on this process's tasks run here, on a thread per task; stages on other processes' tasks are calls to
    them, made from a thread per task."""

    def __init__(self, cluster: TcpCluster):
        self.cluster = cluster
        super().__init__(cluster.spec)

    def _add(self, task: str) -> None:
        self._pools[task] = futures.ThreadPoolExecutor(1, thread_name_prefix=f"dfc-call{task.replace('/', '_')}")

    def _run_stage(self, task: str, plan: StepPlan, stage: int, step_key: tuple[str, int], values: list,
                   stateful: bool, expect: str | None) -> list[np.ndarray]:
        local = self.cluster.local.get(task)
        if local is not None:
            server, lock = local
            with lock:
                if not server.has_plan(plan.id):
                    server.load_plan(plan.id, plan.texts.get(task, {}))
                return server.run_stage(plan.id, stage, step_key, values, stateful)
        peer = self.cluster.peer(task)
        texts = None if plan.id in peer.plans else plan.texts.get(task, {})
        reply = peer.request(("stage", plan.id, texts, stage, step_key, values, stateful), expect)
        if reply[0] == "need_plan":  # the connection was made anew since the plan went out
            reply = peer.request(("stage", plan.id, plan.texts.get(task, {}), stage, step_key, values, stateful),
                                 expect)
        outputs = _unwrap(reply, task)
        peer.plans.add(plan.id)
        return outputs

    def _local_or_remote(self, task: str, local_call: Any, message: tuple) -> Any:
        local = self.cluster.local.get(task)
        if local is not None:
            with local[1]:
                return local_call(local[0])
        return _unwrap(self.cluster.peer(task).request(message), task)

    def store_call(self, task: str, method: str, *args: Any) -> Any:
        return self._local_or_remote(task, lambda server: server.store_call(method, *args), ("store", method, *args))

    def resource_call(self, task: str, key: Any, kind: str, args: tuple, method: str, *call_args: Any) -> Any:
        """A queue's or accumulator's method on the task that keeps it (TaskServer.resource_call)."""
        return self._local_or_remote(task, lambda server: server.resource_call(key, kind, args, method, *call_args),
                                     ("resource", key, kind, args, method, *call_args))

    def stats(self, task: str) -> dict[str, int]:
        return self._local_or_remote(task, lambda server: server.stats(), ("stats",))


class _SessionIncarnations:
    """What one session expects of the tasks of other processes: the incarnation each had when the session first
    reached it (waiting for it to come up); a task restarted since fails the session's steps with AbortedError."""

    def __init__(self, cluster: TcpCluster):
        self._cluster = cluster
        self._seen: dict[str, str] = {}

    def __bool__(self) -> bool:
        return True

    def get(self, task: str, default: Any = None) -> str | None:
        if task in self._cluster.local:
            return None
        if task not in self._seen:
            self._seen[task] = self._cluster.peer(task).current_incarnation()
        return self._seen[task]


class TcpCluster:
    """This process's part of a cluster: the tasks it serves (its tf.train.Servers) and its connections to the rest."""

    def __init__(self, spec: ClusterSpec | dict):
        self.spec = ClusterSpec(spec)
        self.addresses: dict[str, str] = {}
        for job in self.spec.jobs:
            for index in self.spec.task_indices(job):
                address = self.spec.task_address(job, index)
                if address is None:
                    raise ValueError(f"task {task_name(job, index)} has no address in {self.spec}: serving a "
                                     f"cluster over TCP needs 'host:port' for every task")
                split_address(address)
                self.addresses[task_name(job, index)] = address
        self.local: dict[str, tuple[TaskServer, threading.Lock]] = {}
        self.listeners: dict[str, TaskListener] = {}
        self._peers: dict[str, _Peer] = {}
        self._targets: list[str] = []
        self._lock = threading.Lock()
        self.engine = TcpEngine(self)
        self.stopped = threading.Event()

    def serve(self, job: str, index: int, backend: str | None = None) -> str:
        """Serve task `index` of `job` at its address; its target ("grpc://host:port", the port bound)."""
        task = self.spec.check_task(task_name(job, index))
        address = self.addresses[task]
        with self._lock:
            if task in self.listeners:
                raise UnknownError(f"Could not start gRPC server for task {task} at {address}: this process "
                                   f"already serves it")
            server, lock = TaskServer(task, backend), threading.Lock()
            self.local[task] = (server, lock)
            try:
                self.listeners[task] = TaskListener(self, task, server, lock, address)
            except BaseException:
                del self.local[task]
                raise
        target = f"grpc://{split_address(address)[0]}:{self.listeners[task].port}"
        cluster_registry.register_task_target(target, self, task)
        self._targets.append(target)
        return target

    def peer(self, task: str) -> _Peer:
        with self._lock:
            found = self._peers.get(task)
            if found is None:
                found = self._peers[task] = _Peer(self, task, self.addresses[task])
            return found

    def incarnations(self) -> _SessionIncarnations:
        """Called as a session begins: a new session waits for lost tasks to come back (its first call to one
        retries for CONNECT_TIMEOUT, as when the cluster starts), where a running one fails fast."""
        with self._lock:
            peers = list(self._peers.values())
        for peer in peers:
            peer.wait_next_connect()
        return _SessionIncarnations(self)

    def default_task(self) -> str:
        return self.spec.default_task()

    def check_task(self, task: str) -> str:
        return self.spec.check_task(task)

    def stats(self, task: str) -> dict[str, int]:
        return self.engine.stats(self.spec.check_task(task))

    def shutdown(self) -> None:
        """Stop serving this process's tasks and drop the connections to the others."""
        for target in self._targets:
            cluster_registry.unregister(target)
        for listener in self.listeners.values():
            listener.close()
        for peer in self._peers.values():
            peer.close()
        self.engine.shutdown()
        with _by_spec_lock:
            if _by_spec.get(self.spec) is self:
                del _by_spec[self.spec]
        self.stopped.set()

    def __repr__(self) -> str:
        return f"<TcpCluster serving {sorted(self.local) or 'no task'} of {self.spec.as_dict()}>"


_by_spec: dict[ClusterSpec, TcpCluster] = {}
_by_spec_lock = threading.Lock()


def tcp_cluster_for(spec: ClusterSpec) -> TcpCluster:
    """This process's part of the cluster `spec` (what every tf.train.Server of that spec here joins)."""
    with _by_spec_lock:
        found = _by_spec.get(spec)
        if found is None:
            found = _by_spec[spec] = TcpCluster(spec)
        return found


def connect(target: str) -> tuple[TcpCluster, str]:
    """The cluster of the task serving `grpc://host:port` (asked for its ClusterSpec), and that task: what a
    process that made no Server of its own runs a session on."""
    address = target.split("://", 1)[1].rstrip("/")
    sock = _dial(address, f"the task at {address}", CONNECT_TIMEOUT)
    try:
        deadline = time.monotonic() + HANDSHAKE_TIMEOUT
        info = hello(sock, deadline)
        send_json(sock, {"bye": 1}, deadline)
    except (OSError, ConnectionError, DeadlineExceededError, ValueError) as e:
        raise UnavailableError(f"{target} did not answer as a dfc task ({e})") from None
    finally:
        sock.close()
    cluster = tcp_cluster_for(ClusterSpec(info["spec"]))
    task = cluster.check_task(info["task"])
    if cluster.addresses[task] != address and task not in cluster.local:
        cluster.addresses[task] = address  # the spec says "host:0" (a local server's) or another name for the host
        cluster.peer(task).address = address
    cluster_registry.register_task_target(target, cluster, task)
    cluster._targets.append(target)
    return cluster, task


cluster_registry.register_connector("grpc", connect)
