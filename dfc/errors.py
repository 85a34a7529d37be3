"""tf.errors: the exception classes dfc raises, under TF's names."""

from dfc.ir.errors import (DfcError, FailedPreconditionError, InvalidArgumentError, NotFoundError, OpError,
                           ShapeError, UnimplementedError)

__all__ = ["DfcError", "FailedPreconditionError", "InvalidArgumentError", "NotFoundError", "OpError", "ShapeError",
           "UnimplementedError"]
