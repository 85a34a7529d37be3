"""The exceptions the IR, the compiler and the runtime raise, named after TF's."""

from __future__ import annotations


class DfcError(Exception):
    """Base of dfc's own errors."""


class OpError(DfcError):
    """An error tied to one op of the user's graph (TF's tf.errors.OpError).

    Made as dfc raises it, `OpError(message, op=None)`, or as TF1 code does,
    `OpError(node_def, op, message[, error_code])` (`raise tf.errors.OutOfRangeError(None, None, "done")`).
    """

    #: TF's error code (tf.errors.UNKNOWN and friends); each subclass names its own
    error_code = 2

    def __init__(self, *args, **kwargs):
        names = ("node_def", "op", "message", "error_code") if len(args) >= 3 or "node_def" in kwargs \
            else ("message", "op")
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes at most {len(names)} arguments ({len(args)} given)")
        given = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in ("node_def", "op", "message", "error_code") or key in given:
                raise TypeError(f"{type(self).__name__} got an unexpected or repeated argument '{key}'")
            given[key] = value
        message = given.get("message", "")
        super().__init__(message)
        self.message = message
        self.op = given.get("op")
        self.node_def = given.get("node_def")
        if given.get("error_code") is not None:
            self.error_code = given["error_code"]


class InvalidArgumentError(OpError, ValueError):
    """A value given to the graph (a feed, a fetch) does not fit what the graph expects."""
    error_code = 3


class FailedPreconditionError(OpError):
    """The graph cannot run yet, e.g. a variable read before it was initialized."""
    error_code = 9


class NotFoundError(OpError, KeyError):
    """A file, a checkpoint or a key in it that does not exist."""
    error_code = 5

    def __str__(self) -> str:
        return self.message


class UnimplementedError(OpError):
    """The op or dtype is valid but this target cannot run it."""
    error_code = 12


class ResourceExhaustedError(OpError, MemoryError):
    """An op needs more memory (or another resource) than the machine can give."""
    error_code = 8


class DataLossError(OpError):
    """Stored data (a checkpoint, a state file) is corrupt or was crafted to be unreadable."""
    error_code = 15


class OutOfRangeError(OpError, IndexError):
    """An index or an iteration went past the end of what exists."""
    error_code = 11


class InternalError(OpError):
    """dfc broke one of its own invariants; a bug to report, never the user's fault."""
    error_code = 13


class ShapeError(ValueError):
    """Operands whose shapes or dtypes do not fit the op, found while building the graph."""


class DTypeError(ShapeError, TypeError):
    """An operand whose dtype the op does not take: a TypeError, as TF raises for it (and a ShapeError)."""


class VerificationError(DfcError):
    """The IR breaks an invariant (types, SSA order, attributes)."""


class ParseError(DfcError):
    """Text that is not valid dfc IR; carries file:line:col."""

    def __init__(self, message: str, file: str = "<string>", line: int = 0, col: int = 0):
        super().__init__(f"{file}:{line}:{col}: error: {message}")
        self.message = message
        self.file = file
        self.line = line
        self.col = col


class UnavailableError(OpError):
    """A task of a cluster cannot be reached: its process died or its machine left (TF's tf.errors.UnavailableError)."""
    error_code = 14


class AbortedError(OpError):
    """The operation was aborted, e.g. a step cut short by a lost task; a new session may retry it."""
    error_code = 10


class DeadlineExceededError(OpError):
    """A step or a call to a task did not finish in its time limit."""
    error_code = 4


class CancelledError(OpError):
    """The operation was cancelled, e.g. a queue closed while a step waited on it."""
    error_code = 1


class UnknownError(OpError):
    """An error of no other class (TF's tf.errors.UnknownError: a Python function a step called raised one; also
    what an unknown error code stands for)."""
    error_code = 2


class AlreadyExistsError(OpError):
    """Something the op was to create (a file, a resource) exists already."""
    error_code = 6


class PermissionDeniedError(OpError):
    """The caller may not do what it asked (a file it may not write)."""
    error_code = 7


class UnauthenticatedError(OpError):
    """The request carries no valid credentials."""
    error_code = 16
