"""TF1's matrix decompositions, determinants and solves: matrix_inverse, matrix_determinant, cholesky, matrix_solve,
matrix_triangular_solve, qr, svd, self_adjoint_eig, and the composites over them (cholesky_solve, logdet,
matrix_solve_ls / lstsq), plus cross.

Each decomposition is one registry op (ir/ops/linalg.py: LAPACK through numpy, the same code on the
CPU backend; placed on the CPU on a GPU machine) with TF's gradient (compiler/autodiff_linalg.py).
Inputs are batches of float32/float64 matrices [..., M, N], as TF takes them.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from dfc.ir.dtypes import f32, f64

from .framework import Tensor, build_error, convert_to_tensor, make, make_op, name_scope, wrap


def _matrices(x, op: str, label: str, square: bool = True, what: str = "input") -> Tensor:
    t = convert_to_tensor(x)
    if t.dtype not in (f32, f64):
        raise TypeError(f"{build_error(op, label, '')} {what} {t.name} must be float32 or float64, got "
                        f"{t.dtype.name}")
    if t.shape.ndims is not None and t.shape.ndims < 2:
        raise build_error(op, label, f"{what} {t.name} must have rank >= 2, got shape {t.shape}")
    dims = t.shape.as_list() if t.shape.ndims is not None else None
    if square and dims is not None and None not in dims[-2:] and dims[-1] != dims[-2]:
        raise build_error(op, label, f"{what} {t.name} must be a batch of square matrices, got shape {t.shape}")
    return t


def matrix_inverse(input, adjoint: bool = False, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """The inverse of each matrix (of its adjoint); a singular matrix fails the run."""
    label = name or "MatrixInverse"
    x = _matrices(input, "MatrixInverse", label)
    return make("dfc.matrix_inverse", [x], {"adjoint": bool(adjoint)}, name=label)


def matrix_determinant(input, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    label = name or "MatrixDeterminant"
    x = _matrices(input, "MatrixDeterminant", label)
    return make("dfc.matrix_determinant", [x], name=label)


def log_matrix_determinant(input, name: str | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002 - TF's name
    """(sign, log_abs_determinant) of each matrix."""
    label = name or "LogMatrixDeterminant"
    x = _matrices(input, "LogMatrixDeterminant", label)
    op = make_op("dfc.log_matrix_determinant", [x], name=label)
    result = namedtuple("LogMatrixDeterminant", ["sign", "log_abs_determinant"])
    return result(*(wrap(r) for r in op.results))


def slogdet(input, name: str | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002 - TF's name
    return log_matrix_determinant(input, name=name)


def cholesky(input, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """The lower Cholesky factor of each (symmetric positive definite) matrix; only its lower triangle is read."""
    label = name or "Cholesky"
    x = _matrices(input, "Cholesky", label)
    return make("dfc.cholesky", [x], name=label)


def _rhs(matrix: Tensor, rhs, op: str, label: str) -> Tensor:
    b = _matrices(rhs, op, label, square=False, what="rhs")
    if b.dtype is not matrix.dtype:
        raise TypeError(f"{build_error(op, label, '')} matrix {matrix.name} and rhs {b.name} differ in dtype: "
                        f"{matrix.dtype.name} vs {b.dtype.name}")
    n, k = matrix.shape.as_list()[-1] if matrix.shape.ndims else None, b.shape.as_list()[-2] if b.shape.ndims \
        else None
    if n is not None and k is not None and n != k:
        raise build_error(op, label, f"Input matrix and right-hand side must have the same number of rows: matrix "
                                     f"{matrix.name} {matrix.shape} vs rhs {b.name} {b.shape}")
    return b


def matrix_solve(matrix, rhs, adjoint: bool = False, name: str | None = None) -> Tensor:
    """x with matrix @ x = rhs (matrix^T @ x = rhs when adjoint); a singular matrix fails the run."""
    label = name or "MatrixSolve"
    a = _matrices(matrix, "MatrixSolve", label, what="matrix")
    b = _rhs(a, rhs, "MatrixSolve", label)
    return make("dfc.matrix_solve", [a, b], {"adjoint": bool(adjoint)}, name=label)


def matrix_triangular_solve(matrix, rhs, lower: bool = True, adjoint: bool = False,
                            name: str | None = None) -> Tensor:
    """x with tri(matrix) @ x = rhs, tri the lower (upper) triangle of matrix; batch dims broadcast."""
    label = name or "MatrixTriangularSolve"
    a = _matrices(matrix, "MatrixTriangularSolve", label, what="matrix")
    b = _rhs(a, rhs, "MatrixTriangularSolve", label)
    return make("dfc.matrix_triangular_solve", [a, b], {"lower": bool(lower), "adjoint": bool(adjoint)},
                name=label)


def cholesky_solve(chol, rhs, name: str | None = None) -> Tensor:
    """x with A @ x = rhs, given chol = cholesky(A): two triangular solves, as TF does."""
    with name_scope(name, "cholesky_solve", [chol, rhs]):
        y = matrix_triangular_solve(chol, rhs, lower=True, adjoint=False)
        return matrix_triangular_solve(chol, y, lower=True, adjoint=True)


def logdet(matrix, name: str | None = None) -> Tensor:
    """log(det(matrix)) of each Hermitian positive definite matrix: 2 sum(log(diag(cholesky(matrix))))."""
    from .linalg_ops import matrix_diag_part
    from .math_ops import log, reduce_sum
    with name_scope(name, "logdet", [matrix]):
        chol = cholesky(matrix)
        return 2.0 * reduce_sum(log(matrix_diag_part(chol)), axis=[-1])


def qr(input, full_matrices: bool = False, name: str | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002 - TF's name
    """(q, r) with q @ r = input: q's columns orthonormal, r upper triangular (K = min(M, N) columns of q, or M
    with full_matrices)."""
    label = name or "Qr"
    x = _matrices(input, "Qr", label, square=False)
    op = make_op("dfc.qr", [x], {"full_matrices": bool(full_matrices)}, name=label)
    return namedtuple("Qr", ["q", "r"])(*(wrap(r) for r in op.results))


def svd(tensor, full_matrices: bool = False, compute_uv: bool = True,
        name: str | None = None) -> Tensor | tuple[Tensor, Tensor, Tensor]:
    """(s, u, v) with tensor = u @ diag(s) @ v^T, s descending; only s when compute_uv is False."""
    label = name or "Svd"
    x = _matrices(tensor, "Svd", label, square=False)
    op = make_op("dfc.svd", [x], {"compute_uv": bool(compute_uv), "full_matrices": bool(full_matrices)},
                 name=label)
    if not compute_uv:
        return wrap(op.results[0])
    return tuple(wrap(r) for r in op.results)


def self_adjoint_eig(tensor, name: str | None = None) -> tuple[Tensor, Tensor]:
    """(e, v): the ascending eigenvalues of each symmetric matrix (its lower triangle) and their eigenvectors."""
    label = name or "SelfAdjointEigV2"
    x = _matrices(tensor, "SelfAdjointEigV2", label)
    op = make_op("dfc.self_adjoint_eig", [x], {"compute_v": True}, name=label)
    return wrap(op.results[0]), wrap(op.results[1])


def self_adjoint_eigvals(tensor, name: str | None = None) -> Tensor:
    label = name or "SelfAdjointEigV2"
    x = _matrices(tensor, "SelfAdjointEigV2", label)
    return wrap(make_op("dfc.self_adjoint_eig", [x], {"compute_v": False}, name=label).results[0])


def matrix_solve_ls(matrix, rhs, l2_regularizer=0.0, fast: bool = True, name: str | None = None) -> Tensor:
    """The least-squares solution of matrix @ x = rhs with an L2 penalty, by TF's fast path: Cholesky of the
    regularized normal equations (A^T A + l2 I when M >= N, A A^T + l2 I otherwise)."""
    from .math_ops import matmul
    label = name or "matrix_solve_ls"
    a = _matrices(matrix, "MatrixSolveLs", label, square=False, what="matrix")
    b = _rhs_rows(a, rhs, label)
    if not fast:
        raise NotImplementedError(f"{build_error('MatrixSolveLs', label, '')} matrix_solve_ls(fast=False) (TF's "
                                  f"complete orthogonal decomposition) is not supported; use fast=True")
    dims = a.shape.as_list()
    m, n = dims[-2], dims[-1]
    if m is None or n is None:
        raise build_error("MatrixSolveLs", label, f"matrix_solve_ls needs the matrix dims of {a.name}, got "
                                                  f"{a.shape}")
    with name_scope(name, "matrix_solve_ls", [a, b]):
        l2 = convert_to_tensor(l2_regularizer, dtype=a.dtype)
        if m >= n:
            gram = matmul(a, a, transpose_a=True)
            if not (isinstance(l2_regularizer, (int, float)) and l2_regularizer == 0):
                gram = gram + l2 * convert_to_tensor(np.eye(n, dtype=a.dtype.np))
            return cholesky_solve(cholesky(gram), matmul(a, b, transpose_a=True))
        gram = matmul(a, a, transpose_b=True)
        if not (isinstance(l2_regularizer, (int, float)) and l2_regularizer == 0):
            gram = gram + l2 * convert_to_tensor(np.eye(m, dtype=a.dtype.np))
        return matmul(a, cholesky_solve(cholesky(gram), b), transpose_a=True)


def _rhs_rows(a: Tensor, rhs, label: str) -> Tensor:
    b = _matrices(rhs, "MatrixSolveLs", label, square=False, what="rhs")
    if b.dtype is not a.dtype:
        raise TypeError(f"{build_error('MatrixSolveLs', label, '')} matrix {a.name} and rhs {b.name} differ in "
                        f"dtype")
    m, k = a.shape.as_list()[-2], b.shape.as_list()[-2]
    if m is not None and k is not None and m != k:
        raise build_error("MatrixSolveLs", label, f"matrix {a.name} {a.shape} and rhs {b.name} {b.shape} must have "
                                                  f"the same number of rows")
    return b


def lstsq(matrix, rhs, l2_regularizer=0.0, fast: bool = True, name: str | None = None) -> Tensor:
    return matrix_solve_ls(matrix, rhs, l2_regularizer=l2_regularizer, fast=fast, name=name)


def _default_tolerance(a: Tensor, s: Tensor, rcond) -> Tensor:
    """rcond (default 10 * max(M, N) * eps) times the largest singular value of each matrix, as TF's pinv."""
    from .math_ops import reduce_max
    dims = a.shape.as_list()
    if rcond is None:
        rcond = 10.0 * max(dims[-2], dims[-1]) * float(np.finfo(a.dtype.np).eps)
    return convert_to_tensor(rcond, dtype=a.dtype) * reduce_max(s, axis=-1, keepdims=True)


def pinv(a, rcond=None, validate_args: bool = False, name: str | None = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse of each matrix, from its SVD with the singular values at or below
    rcond * max(s) dropped."""
    from .array_ops import expand_dims
    from .math_ops import matmul
    label = name or "pinv"
    a = _matrices(a, "pinv", label, square=False)
    dims = a.shape.as_list()
    if dims[-2] is None or dims[-1] is None:
        raise build_error("pinv", label, f"pinv needs the matrix dims of {a.name}, got {a.shape}")
    with name_scope(name, "pinv", [a]):
        s, u, v = svd(a, full_matrices=False)
        cutoff = _default_tolerance(a, s, rcond)
        keep = make("dfc.greater", [s, cutoff])
        safe = make("dfc.select", [keep, s, make("dfc.fill_like", [s], {"value": 1.0, "dtype": a.dtype})])
        inverse = make("dfc.select", [keep, make("dfc.reciprocal", [safe]),
                                      make("dfc.fill_like", [s], {"value": 0.0, "dtype": a.dtype})])
        return matmul(v * expand_dims(inverse, -2), u, transpose_b=True)


def matrix_rank(a, tol=None, validate_args: bool = False, name: str | None = None) -> Tensor:
    """How many singular values of each matrix exceed tol (default: eps * max(M, N) * max(s)), as int32."""
    from dfc.ir.dtypes import i32
    from .math_ops import cast, reduce_max, reduce_sum
    label = name or "matrix_rank"
    a = _matrices(a, "matrix_rank", label, square=False)
    dims = a.shape.as_list()
    with name_scope(name, "matrix_rank", [a]):
        s = svd(a, compute_uv=False)
        if tol is None:
            eps = float(np.finfo(a.dtype.np).eps)
            tol = convert_to_tensor(eps * max(dims[-2], dims[-1]), dtype=a.dtype) * reduce_max(s, axis=-1,
                                                                                                 keepdims=True)
        else:
            tol = convert_to_tensor(tol, dtype=a.dtype)
        return reduce_sum(cast(make("dfc.greater", [s, tol]), i32), axis=-1)


def cross(a, b, name: str | None = None) -> Tensor:
    """The cross product of the 3-vectors along the last dim of a and b (same shapes)."""
    from .array_ops import stack
    from .array_argument_checks import axis_slice
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    label = name or "Cross"
    for t in (a, b):
        if t.shape.ndims is None or t.shape.ndims < 1 or t.shape.as_list()[-1] not in (3, None):
            raise build_error("Cross", label, f"inner dimension of {t.name} must be 3, got shape {t.shape}")
    if a.shape.as_list() != b.shape.as_list():
        raise build_error("Cross", label, f"a {a.name} and b {b.name} must be the same shape, got {a.shape} and "
                                          f"{b.shape}")
    with name_scope(name, "Cross", [a, b]):
        axis = a.shape.ndims - 1
        ax, ay, az = (make("dfc.squeeze", [axis_slice(a, axis, i, i + 1)], {"axes": [axis]}) for i in range(3))
        bx, by, bz = (make("dfc.squeeze", [axis_slice(b, axis, i, i + 1)], {"axes": [axis]}) for i in range(3))
        return stack([ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx], axis=-1)


__all__ = ["cholesky", "cholesky_solve", "cross", "log_matrix_determinant", "logdet", "lstsq", "matrix_determinant",
           "matrix_inverse", "matrix_rank", "matrix_solve", "matrix_solve_ls", "matrix_triangular_solve", "pinv", "qr",
           "self_adjoint_eig",
           "self_adjoint_eigvals", "slogdet", "svd"]
