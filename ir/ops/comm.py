"""Communication between the parts of a partitioned step: `dfc.send` and `dfc.recv`, paired by rendezvous key.

The partition pass cuts every edge between two tasks (or devices) into a send on the
producer's side and a recv on the consumer's, both carrying the same `key` and naming
both ends. A send's result is a control token (nothing reads it; it keeps the send alive),
a recv's result type is stated, as for any source op. Running one needs a context that can
rendezvous (the distributed runtime's); the plain interpreter context refuses, naming the op.
"""

from __future__ import annotations

from ..errors import InvalidArgumentError
from ..types import CONTROL
from .registry import Attr, OpDef, register

_ENDS = {"key": Attr("str"), "send_device": Attr("str"), "recv_device": Attr("str")}


def _channel(ctx, op, what: str):
    method = getattr(ctx, what, None)
    if method is None:
        raise InvalidArgumentError(f"op {op.describe()} needs a rendezvous to {what} '{op.attrs['key']}': run the "
                                   f"partitioned step on a cluster engine", op)
    return method


def _send(*value, key, send_device, recv_device, ctx, op):
    _channel(ctx, op, "send")(key, value[0] if value else None, op)
    return None


def _recv(*, key, send_device, recv_device, ctx, op):
    return _channel(ctx, op, "recv")(key, op)


register(OpDef("dfc.send", "comm", lambda types, attrs: [CONTROL], _send, (0, 1), dict(_ENDS),
               differentiable=False, stateful=True, uses_context=True,
               doc="hand the operand (or, with a control token, only the order) to `recv_device` under `key`",
               fusible_as=None))
register(OpDef("dfc.recv", "comm", None, _recv, 0, dict(_ENDS), differentiable=False, stateful=True,
               uses_context=True, doc="the value that the send with the same `key` on `send_device` handed over",
               fusible_as=None))
