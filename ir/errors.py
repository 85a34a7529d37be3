"""The exceptions the IR, the compiler and the runtime raise, named after TF's."""

from __future__ import annotations


class DfcError(Exception):
    """Base of dfc's own errors."""


class OpError(DfcError):
    """An error tied to one op of the user's graph (TF's tf.errors.OpError)."""

    def __init__(self, message: str, op=None):
        super().__init__(message)
        self.message = message
        self.op = op


class InvalidArgumentError(OpError, ValueError):
    """A value given to the graph (a feed, a fetch) does not fit what the graph expects."""


class FailedPreconditionError(OpError):
    """The graph cannot run yet, e.g. a variable read before it was initialized."""


class NotFoundError(OpError, KeyError):
    def __str__(self) -> str:
        return self.message


class UnimplementedError(OpError):
    """The op or dtype is valid but this target cannot run it."""


class ResourceExhaustedError(OpError, MemoryError):
    """An op needs more memory (or another resource) than the machine can give."""


class DataLossError(OpError):
    """Stored data (a checkpoint, a state file) is corrupt or was crafted to be unreadable."""


class OutOfRangeError(OpError, IndexError):
    """An index or an iteration went past the end of what exists."""


class InternalError(OpError):
    """dfc broke one of its own invariants; a bug to report, never the user's fault."""


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


class AbortedError(OpError):
    """The operation was aborted, e.g. a step cut short by a lost task; a new session may retry it."""


class DeadlineExceededError(OpError):
    """A step or a call to a task did not finish in its time limit."""
