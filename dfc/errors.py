"""tf.errors: the exception classes dfc raises, under TF's names."""

from dfc.ir.errors import (AbortedError, DeadlineExceededError, DfcError, FailedPreconditionError, InvalidArgumentError,
                           NotFoundError, OpError, ShapeError, UnavailableError, UnimplementedError)

__all__ = ["AbortedError", "DeadlineExceededError", "DfcError", "FailedPreconditionError", "InvalidArgumentError",
           "NotFoundError", "OpError", "ShapeError", "UnavailableError", "UnimplementedError"]
