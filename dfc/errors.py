"""tf.errors: the exception classes dfc raises, under TF's names, and TF's error codes."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

from dfc.ir.errors import (AbortedError, AlreadyExistsError, CancelledError, DataLossError, DeadlineExceededError,
                           DfcError, FailedPreconditionError, InternalError, InvalidArgumentError, NotFoundError,
                           OpError, OutOfRangeError, PermissionDeniedError, ResourceExhaustedError, ShapeError,
                           UnauthenticatedError, UnavailableError, UnimplementedError, UnknownError)

# TF's error codes (error_codes.proto)
OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS = 0, 1, 2, 3, 4, 5, 6
PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE = 7, 8, 9, 10, 11
UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED = 12, 13, 14, 15, 16

_CODE_TO_CLASS: dict[int, type[OpError]] = {
    cls.error_code: cls for cls in (CancelledError, UnknownError, InvalidArgumentError, DeadlineExceededError,
                                    NotFoundError, AlreadyExistsError, PermissionDeniedError, ResourceExhaustedError,
                                    FailedPreconditionError, AbortedError, OutOfRangeError, UnimplementedError,
                                    InternalError, UnavailableError, DataLossError, UnauthenticatedError)}
_CLASS_TO_CODE = {cls: code for code, cls in _CODE_TO_CLASS.items()}


def exception_type_from_error_code(error_code: int) -> type[OpError]:
    """The OpError subclass of a TF error code; KeyError for a code TF does not define (as TF)."""
    return _CODE_TO_CLASS[error_code]


def error_code_from_exception_type(cls: type) -> int | OpError:
    """TF's code of an OpError subclass. For another class TF warns and returns an UnknownError; so does this."""
    try:
        return _CLASS_TO_CODE[cls]
    except (KeyError, TypeError):
        warnings.warn("Unknown class exception", stacklevel=2)
        return UnknownError(None, None, "Unknown class exception", None)


@contextlib.contextmanager
def raise_exception_on_not_ok_status() -> Iterator[None]:
    """TF1's status context for C API calls; dfc raises its errors directly, so the context only passes them on."""
    yield None


__all__ = ["ABORTED", "ALREADY_EXISTS", "AbortedError", "AlreadyExistsError", "CANCELLED", "CancelledError",
           "DATA_LOSS", "DEADLINE_EXCEEDED", "DataLossError", "DeadlineExceededError", "DfcError",
           "FAILED_PRECONDITION", "FailedPreconditionError", "INTERNAL", "INVALID_ARGUMENT", "InternalError",
           "InvalidArgumentError", "NOT_FOUND", "NotFoundError", "OK", "OUT_OF_RANGE", "OpError", "OutOfRangeError",
           "PERMISSION_DENIED", "PermissionDeniedError", "RESOURCE_EXHAUSTED", "ResourceExhaustedError",
           "ShapeError", "UNAUTHENTICATED", "UNAVAILABLE", "UNIMPLEMENTED", "UNKNOWN", "UnauthenticatedError",
           "UnavailableError", "UnimplementedError", "UnknownError", "error_code_from_exception_type",
           "exception_type_from_error_code", "raise_exception_on_not_ok_status"]
