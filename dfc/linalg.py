"""tf.linalg: TF1's linear-algebra namespace over the DSL (matmul, einsum, norms, diagonals, band_part, ...)."""

from __future__ import annotations

from .clip_ops import global_norm, l2_normalize, norm  # noqa: F401 - re-exported TF1 names
from .framework import Tensor, convert_to_tensor, name_scope
from .linalg_ops import (band_part, einsum, eye, matrix_transpose, tensordot, trace)  # noqa: F401
from .linalg_ops import diag as tensor_diag  # noqa: F401
from .linalg_ops import diag_part as tensor_diag_part  # noqa: F401
from .linalg_ops import matrix_diag as diag  # noqa: F401
from .linalg_ops import matrix_diag_part as diag_part  # noqa: F401
from .linalg_ops import matrix_set_diag as set_diag  # noqa: F401
from .math_ops import matmul  # noqa: F401
from .matrix_sqrt import sqrtm  # noqa: F401
from .matrix_ops import (cholesky, cholesky_solve, cross, logdet, lstsq, matrix_rank, pinv, qr, slogdet,  # noqa
                         svd)
from .matrix_ops import matrix_determinant as det  # noqa: F401
from .matrix_ops import matrix_inverse as inv  # noqa: F401
from .matrix_ops import matrix_solve as solve  # noqa: F401
from .matrix_ops import matrix_triangular_solve as triangular_solve  # noqa: F401
from .matrix_ops import self_adjoint_eig as eigh  # noqa: F401
from .matrix_ops import self_adjoint_eigvals as eigvalsh  # noqa: F401

transpose = matrix_transpose


def adjoint(matrix, name: str | None = None) -> Tensor:
    """The conjugate transpose of the last two dims (of a real tensor, the transpose)."""
    return matrix_transpose(matrix, name=name or "adjoint", conjugate=True)


def matvec(a, b, transpose_a: bool = False, adjoint_a: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, name: str | None = None) -> Tensor:
    """a @ b for a batch of matrices a [..., M, N] and vectors b [..., N]."""
    from .array_ops import expand_dims, squeeze
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    with name_scope(name, "MatVec", [a, b]):
        return squeeze(matmul(a, expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a), [-1])


def normalize(tensor, ord="euclidean", axis=None, name: str | None = None) -> tuple[Tensor, Tensor]:
    """(tensor / norm, norm) with the norm over `axis` kept as dims of size 1 for the division."""
    x = convert_to_tensor(tensor)
    with name_scope(name, "normalize", [x]):
        n = norm(x, ord=ord, axis=axis, keepdims=True)
        return x / n, n


from .linalg_tridiagonal import (eigh_tridiagonal, expm, lu, lu_matrix_inverse, lu_reconstruct, lu_solve,  # noqa: E402,F401
                                 tridiagonal_matmul, tridiagonal_solve)
from .linear_operator import (LinearOperator, LinearOperatorDiag, LinearOperatorFullMatrix,  # noqa: E402,F401
                              LinearOperatorLowerTriangular)
from .linear_operator_circulant import (LinearOperatorCirculant, LinearOperatorCirculant2D,  # noqa: E402,F401
                                        LinearOperatorCirculant3D)
from .linear_operator_identity import (LinearOperatorIdentity, LinearOperatorScaledIdentity,  # noqa: E402,F401
                                       LinearOperatorZeros)
from .linear_operator_block import (LinearOperatorBlockDiag, LinearOperatorBlockLowerTriangular,  # noqa: E402,F401
                                    LinearOperatorKronecker)
from .linear_operator_structured import (LinearOperatorAdjoint,  # noqa: E402,F401
                                         LinearOperatorComposition, LinearOperatorHouseholder,
                                         LinearOperatorInversion,
                                         LinearOperatorLowRankUpdate, LinearOperatorPermutation,
                                         LinearOperatorToeplitz, LinearOperatorTridiag)
