"""The TCP engine's wire: framed messages over a socket, every operation bounded by a deadline, and the handshake.

A frame is a 1-byte kind, the number of out-of-band buffers, the length of the main
part and of each buffer, then the bytes. Kind "J" carries JSON (all that is exchanged
before the peers have authenticated each other, and never more than `JSON_LIMIT` bytes);
kind "P" carries a pickle (protocol 5): numpy arrays travel as out-of-band buffers, sent
and received without an extra copy.

The handshake: the client sends {"hello"}; the task answers with its ClusterSpec, its task
name, its incarnation and a challenge; each side proves it knows the cluster's key (an
HMAC of the other's challenge). The key is derived from the ClusterSpec and, where set,
the DFC_CLUSTER_SECRET environment variable: without a secret, anyone who can reach a
task's port can run steps on it, as with TF's gRPC server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import secrets
import socket
import struct
import time
from typing import Any

from dfc.ir.errors import DeadlineExceededError

from .cluster import ClusterSpec

#: the largest frame accepted before the peer has authenticated
JSON_LIMIT = 1 << 16
_HEAD = struct.Struct("!cIQ")
_LEN = struct.Struct("!Q")


class PeerClosed(ConnectionError):
    """The other side closed the connection (its process ended or it dropped us)."""


def cluster_key(spec: ClusterSpec) -> bytes:
    """The key both sides of a connection prove they hold: the ClusterSpec's, salted with DFC_CLUSTER_SECRET."""
    tasks = {job: {str(i): spec.task_address(job, i) for i in spec.task_indices(job)} for job in spec.jobs}
    text = json.dumps(tasks, sort_keys=True) + "\0" + os.environ.get("DFC_CLUSTER_SECRET", "")
    return hashlib.sha256(b"dfc-cluster\0" + text.encode()).digest()


def _left(deadline: float, what: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlineExceededError(f"timed out {what}")
    return left


def _send_all(sock: socket.socket, data: Any, deadline: float) -> None:
    sock.settimeout(_left(deadline, "sending"))
    try:
        sock.sendall(data)
    except TimeoutError:
        raise DeadlineExceededError("timed out sending") from None


def _recv_exact(sock: socket.socket, n: int, deadline: float) -> bytearray:
    buffer = bytearray(n)
    view = memoryview(buffer)
    got = 0
    while got < n:
        sock.settimeout(_left(deadline, "receiving"))
        try:
            k = sock.recv_into(view[got:])
        except TimeoutError:
            raise DeadlineExceededError("timed out receiving") from None
        if k == 0:
            raise PeerClosed("the connection was closed")
        got += k
    return buffer


def send_message(sock: socket.socket, message: Any, deadline: float) -> None:
    """Send a pickled message; numpy arrays go as out-of-band buffers."""
    buffers: list[pickle.PickleBuffer] = []
    main = pickle.dumps(message, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    head = _HEAD.pack(b"P", len(raws), len(main)) + b"".join(_LEN.pack(r.nbytes) for r in raws)
    _send_all(sock, head + main if len(main) < 1 << 16 else head, deadline)
    if len(main) >= 1 << 16:
        _send_all(sock, main, deadline)
    for raw in raws:
        _send_all(sock, raw, deadline)


def send_json(sock: socket.socket, message: dict, deadline: float) -> None:
    body = json.dumps(message).encode()
    _send_all(sock, _HEAD.pack(b"J", 0, len(body)) + body, deadline)


def receive(sock: socket.socket, deadline: float, trusted: bool = True) -> Any:
    """The next message. Untrusted (before the handshake), only a small JSON frame is accepted."""
    head = _recv_exact(sock, _HEAD.size, deadline)
    kind, n_buffers, n_main = _HEAD.unpack(head)
    if kind == b"J":
        if n_buffers or n_main > JSON_LIMIT:
            raise ConnectionError("malformed handshake frame")
        return json.loads(bytes(_recv_exact(sock, n_main, deadline)))
    if kind != b"P" or not trusted:
        raise ConnectionError(f"unexpected frame kind {kind!r}" + ("" if trusted else " before the handshake"))
    sizes = [_LEN.unpack(_recv_exact(sock, _LEN.size, deadline))[0] for _ in range(n_buffers)]
    main = _recv_exact(sock, n_main, deadline)
    buffers = [_recv_exact(sock, size, deadline) for size in sizes]
    return pickle.loads(main, buffers=buffers)


# ---- the handshake ------------------------------------------------------------------------------
def _proof(key: bytes, challenge: str) -> str:
    return hmac.new(key, bytes.fromhex(challenge), hashlib.sha256).hexdigest()


def accept_handshake(sock: socket.socket, spec: ClusterSpec, task: str, incarnation: str, deadline: float) -> bool:
    """The task's side; True once the client proved it holds the cluster's key (and got the task's proof)."""
    hello = receive(sock, deadline, trusted=False)
    if not isinstance(hello, dict) or "hello" not in hello:
        return False
    challenge = secrets.token_hex(32)
    send_json(sock, {"spec": spec.as_dict(), "task": task, "incarnation": incarnation, "challenge": challenge},
              deadline)
    answer = receive(sock, deadline, trusted=False)
    if not isinstance(answer, dict) or answer.get("bye"):
        return False
    key = cluster_key(spec)
    if not hmac.compare_digest(str(answer.get("proof", "")), _proof(key, challenge)):
        send_json(sock, {"error": "authentication failed"}, deadline)
        return False
    send_json(sock, {"proof": _proof(key, str(answer.get("challenge", "")))}, deadline)
    return True


def hello(sock: socket.socket, deadline: float) -> dict:
    """The client's first step: what the task says of itself (spec, task, incarnation, challenge)."""
    send_json(sock, {"hello": 1}, deadline)
    info = receive(sock, deadline, trusted=False)
    if not isinstance(info, dict) or "spec" not in info or "task" not in info:
        raise ConnectionError("the peer did not answer as a dfc task")
    return info


def prove(sock: socket.socket, info: dict, spec: ClusterSpec, deadline: float) -> None:
    """The client's second step: prove the key of `spec` and check the task's proof."""
    key = cluster_key(spec)
    challenge = secrets.token_hex(32)
    send_json(sock, {"proof": _proof(key, str(info["challenge"])), "challenge": challenge}, deadline)
    answer = receive(sock, deadline, trusted=False)
    if not isinstance(answer, dict) or not hmac.compare_digest(str(answer.get("proof", "")), _proof(key, challenge)):
        raise ConnectionError(str(answer.get("error", "the task failed to authenticate")) if isinstance(answer, dict)
                              else "the task failed to authenticate")
