"""tf.linalg.sqrtm (tf.matrix_square_root): the principal square root of square matrices, batched.

TF computes it from a Schur decomposition; dfc composes it of its own matrix inverse and arithmetic by the
Denman-Beavers iteration (Y <- (Y + Z^-1)/2, Z <- (Z + Y^-1)/2 from Y = A, Z = I, Y converging quadratically to
sqrt(A) for a matrix without eigenvalues on the closed negative real axis), in float64, so its gradient is autodiff
through the iterations.
"""

from __future__ import annotations

from typing import Any

from dfc.ir.dtypes import f16, f32, f64

from .array_ops import ones_like, zeros_like
from .framework import Tensor, convert_to_tensor, name_scope
from .linalg_ops import matrix_diag_part, matrix_set_diag
from .math_ops import cast
from .matrix_ops import matrix_inverse

__all__ = ["matrix_square_root", "sqrtm"]

_ITERATIONS = 30  # quadratic convergence: far more than a well-conditioned matrix needs in float64


def matrix_square_root(input: Any, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """The principal square root of each innermost square matrix of `input` (a float tensor; TF's complex
    inputs are not supported: dfc's complex ops run on the host, without a matrix inverse)."""
    a = convert_to_tensor(input)
    if a.dtype.is_complex:
        raise TypeError(f"tf.linalg.sqrtm of {a.name!r} ({a.dtype.name}): dfc's matrix square root takes float "
                        f"matrices only (TF also takes complex ones)")
    if a.dtype not in (f16, f32, f64):
        raise TypeError(f"Value passed to parameter 'input' has DataType {a.dtype.name} not in list of allowed "
                        f"values: float64, float32, float16, complex64, complex128")
    if a.shape.ndims is not None and a.shape.ndims < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {a.shape.ndims} for 'MatrixSquareRoot' with "
                         f"input shapes: {a.shape}.")
    dims = a.shape.as_list()[-2:] if a.shape.ndims is not None else [None, None]
    if None not in dims and dims[0] != dims[1]:
        raise ValueError(f"Dimensions must be equal, but are {dims[0]} and {dims[1]} for 'MatrixSquareRoot' with "
                         f"input shapes: {a.shape}.")
    with name_scope(name, "MatrixSquareRoot", [a]):
        y = cast(a, f64)
        z = matrix_set_diag(zeros_like(y), ones_like(matrix_diag_part(y)))  # identities, y's (batch) shape
        for _ in range(_ITERATIONS):
            y, z = 0.5 * (y + matrix_inverse(z)), 0.5 * (z + matrix_inverse(y))
        return cast(y, a.dtype)


sqrtm = matrix_square_root
