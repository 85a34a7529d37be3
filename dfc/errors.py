"""tf.errors: the exception classes dfc raises, under TF's names."""

from dfc.ir.errors import (AbortedError, DataLossError, DeadlineExceededError, DfcError, FailedPreconditionError,
                           InternalError, InvalidArgumentError, NotFoundError, OpError, OutOfRangeError,
                           ResourceExhaustedError, ShapeError, UnavailableError, UnimplementedError,
                           UnknownError)

__all__ = ["AbortedError", "DataLossError", "DeadlineExceededError", "DfcError", "FailedPreconditionError",
           "InternalError", "InvalidArgumentError", "NotFoundError", "OpError", "OutOfRangeError",
           "ResourceExhaustedError", "ShapeError", "UnavailableError", "UnimplementedError", "UnknownError"]
