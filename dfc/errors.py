"""tf.errors: the exception classes dfc raises, under TF's names."""

from dfc.ir.errors import (DataLossError, DfcError, FailedPreconditionError, InternalError, InvalidArgumentError,
                           NotFoundError, OpError, OutOfRangeError, ResourceExhaustedError, ShapeError,
                           UnimplementedError)

__all__ = ["DataLossError", "DfcError", "FailedPreconditionError", "InternalError", "InvalidArgumentError",
           "NotFoundError", "OpError", "OutOfRangeError", "ResourceExhaustedError", "ShapeError",
           "UnimplementedError"]
