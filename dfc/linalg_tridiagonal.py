"""tf.linalg's tridiagonal, LU and matrix-exponential functions: tridiagonal_matmul/solve, lu, lu_solve,
lu_reconstruct, lu_matrix_inverse, expm.

All are composed from the DSL's ops (shifts, band matrices, triangular solves, matmuls), so their
gradients come from autodiff and every backend runs them. lu unrolls partial pivoting over the
matrix's static size: one argmax, one row swap (a one-hot matmul) and one elimination per column.
"""

from __future__ import annotations

import math

from . import array_ops as _ao
from . import math_ops as _mo
from . import tensor_ops as _to
from . import matrix_ops as _mx
from .framework import Tensor, control_dependencies, convert_to_tensor, name_scope
from .linalg_ops import eye, matrix_band_part, matrix_diag, matrix_diag_part, matrix_transpose

_FORMATS = ("compact", "sequence", "matrix")


def _pad_last(x: Tensor, before: int, after: int, axis: int = -1) -> Tensor:
    rank = x.shape.ndims
    pads = [[0, 0] for _ in range(rank)]
    pads[axis] = [before, after]
    return _to.pad(x, pads)


def _three_diagonals(diagonals, diagonals_format: str) -> tuple[Tensor, Tensor, Tensor]:
    """(superdiagonal, main diagonal, subdiagonal), each [..., M]; super[M-1] and sub[0] are padding."""
    if diagonals_format == "compact":
        d = convert_to_tensor(diagonals, name="diagonals")
        if d.shape.ndims is not None and d.shape.ndims < 2:
            raise ValueError(f"Expected diagonals to have rank at least 2, got {d.shape.ndims} ({d.name})")
        if d.shape.ndims is not None and d.shape.as_list()[-2] not in (None, 3):
            raise ValueError(f"Expected 3 diagonals got {d.shape.as_list()[-2]} ({d.name})")
        return d[..., 0, :], d[..., 1, :], d[..., 2, :]
    if diagonals_format == "sequence":
        if not isinstance(diagonals, (tuple, list)) or len(diagonals) != 3:
            raise ValueError("Expected diagonals to be a sequence of length 3.")
        sup, main, sub = (convert_to_tensor(d) for d in diagonals)
        m = main.shape.as_list()[-1] if main.shape.ndims else None
        out = []
        for t, what, pad in ((sup, "superdiagonal", (0, 1)), (sub, "subdiagonal", (1, 0))):
            n = t.shape.as_list()[-1] if t.shape.ndims else None
            if n and m and n == m - 1:
                t = _pad_last(t, *pad)
            elif n and m and n != m:
                raise ValueError(f"Expected {what} to be have length {m} or {m - 1}, got {n}.")
            out.append(t)
        return out[0], main, out[1]
    if diagonals_format == "matrix":
        m = convert_to_tensor(diagonals, name="diagonals")
        m1, m2 = m.shape.as_list()[-1], m.shape.as_list()[-2]
        if m1 and m2 and m1 != m2:
            raise ValueError(f"Expected last two dimensions of diagonals to be same, got {m1} and {m2}")
        sup = _pad_last(matrix_diag_part(m[..., :-1, 1:]), 0, 1)
        sub = _pad_last(matrix_diag_part(m[..., 1:, :-1]), 1, 0)
        return sup, matrix_diag_part(m), sub
    raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")


def tridiagonal_dense(diagonals, diagonals_format: str = "compact") -> Tensor:
    """The [..., M, M] matrix of three diagonals (entries off them are zero)."""
    if diagonals_format == "matrix":
        return matrix_band_part(convert_to_tensor(diagonals), 1, 1)
    sup, main, sub = _three_diagonals(diagonals, diagonals_format)
    rank = main.shape.ndims
    upper = _to.pad(matrix_diag(sup[..., :-1]), [[0, 0]] * (rank - 1) + [[0, 1], [1, 0]])
    lower = _to.pad(matrix_diag(sub[..., 1:]), [[0, 0]] * (rank - 1) + [[1, 0], [0, 1]])
    return upper + matrix_diag(main) + lower


def tridiagonal_matmul(diagonals, rhs, diagonals_format: str = "compact", name: str | None = None) -> Tensor:
    """A @ rhs for tridiagonal A given by its diagonals and rhs [..., M, N]."""
    with name_scope(name, "tridiagonal_matmul"):
        sup, main, sub = _three_diagonals(diagonals, diagonals_format)
        rhs = convert_to_tensor(rhs, dtype=main.dtype, name="rhs")
        if rhs.shape.ndims is not None and rhs.shape.ndims < 2:
            raise ValueError(f"tridiagonal_matmul: rhs {rhs.name} must have rank >= 2, got shape {rhs.shape}")
        m, r = main.shape.as_list()[-1], rhs.shape.as_list()[-2]
        if m is not None and r is not None and m != r:
            raise ValueError(f"tridiagonal_matmul: the {m} x {m} matrix cannot multiply rhs {rhs.name} of shape "
                             f"{rhs.shape}")
        below = _pad_last(rhs[..., 1:, :], 0, 1, axis=-2)  # row i holds rhs[i + 1]
        above = _pad_last(rhs[..., :-1, :], 1, 0, axis=-2)  # row i holds rhs[i - 1]
        col = lambda d: _ao.expand_dims(d, -1)  # noqa: E731
        return col(sup) * below + col(main) * rhs + col(sub) * above


def tridiagonal_solve(diagonals, rhs, diagonals_format: str = "compact", transpose_rhs: bool = False,
                      conjugate_rhs: bool = False, name: str | None = None, partial_pivoting: bool = True,
                      perturb_singular: bool = False) -> Tensor:
    """x with A @ x = rhs for tridiagonal A: rhs [..., M, K] or [..., M] (then x is [..., M])."""
    if perturb_singular and not partial_pivoting:
        raise ValueError("partial_pivoting must be True if perturb_singular is.")
    if diagonals_format not in _FORMATS:
        raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")
    with name_scope(name, "tridiagonal_solve"):
        dense = tridiagonal_dense(diagonals, diagonals_format)
        rhs = convert_to_tensor(rhs, dtype=dense.dtype, name="rhs")
        d_rank, r_rank = dense.shape.ndims, rhs.shape.ndims
        if r_rank is not None and d_rank is not None and r_rank not in (d_rank, d_rank - 1):
            raise ValueError(f"Expected the rank of rhs to be {d_rank - 1} or {d_rank}, got {r_rank}")
        vector = r_rank is not None and d_rank is not None and r_rank == d_rank - 1
        if vector:
            rhs = _ao.expand_dims(rhs, -1)
        elif transpose_rhs:
            rhs = matrix_transpose(rhs)
        m, r = dense.shape.as_list()[-1], rhs.shape.as_list()[-2]
        if m is not None and r is not None and m != r:
            raise ValueError(f"Expected number of left-hand sided and right-hand sides to be equal, got {m} and {r}")
        # TF's kernel gives NaN for a singular system where matrix_solve would fail the run
        singular = _ao.expand_dims(_ao.expand_dims(_mo.equal(_mx.matrix_determinant(dense), 0.0), -1), -1)
        safe = _mo.where_v2(singular, eye(m if m is not None else _ao.shape(dense)[-1], dtype=dense.dtype), dense)
        out = _mx.matrix_solve(safe, rhs) + _mo.where_v2(singular, float("nan"), 0.0)
        return _ao.squeeze(out, [-1]) if vector else out


# ---- LU ---------------------------------------------------------------------------------------------
def lu(input, output_idx_type="int32", name: str | None = None):  # noqa: A002 - TF's name
    """(lower_upper, perm): L (unit diagonal, below) and U (on and above) with L @ U == input[..., perm, :]."""
    from collections import namedtuple
    a = _mx._matrices(input, "Lu", name or "Lu")
    n = a.shape.as_list()[-1] if a.shape.ndims is not None else None
    input_name = a.name
    with name_scope(name, "Lu", [a]):
        if n is None:
            a, perm = _lu_steps_in_a_loop(a)
        else:
            a, perm = _lu_steps_unrolled(a, n)
        index = _mo.argmax(perm, axis=-1, output_type=output_idx_type)
        from .debugging import Assert
        pivots = _mo.reduce_sum(a * _identity_like(a), axis=-1)
        invertible = _mo.reduce_all(_mo.logical_and(_mo.not_equal(pivots, 0.0), _mo.is_finite(pivots)))
        with control_dependencies([Assert(invertible, [f"Input is not invertible (tf.linalg.lu of {input_name})."])]):
            return namedtuple("Lu", ["lu", "p"])(_ao.identity(a, name="lu"), _ao.identity(index, name="p"))


def _lu_steps_in_a_loop(a: Tensor) -> tuple[Tensor, Tensor]:
    """Partial-pivoting elimination for a size only the step knows: one tf.while_loop step per column, with masks."""
    from .control_flow_ops import while_loop
    n = _ao.shape(a)[-1]
    rows = _ao.range(n)
    perm = eye(n, dtype=a.dtype) + _ao.zeros_like(a)

    def step(k, a, perm):
        column = _ao.gather(a, k, axis=-1)
        candidates = _mo.where_v2(_mo.greater_equal(rows, k), _mo.abs(column), -1.0)
        pivot = _ao.expand_dims(_mo.argmax(candidates, axis=-1, output_type="int32"), -1)
        index = _mo.where_v2(_mo.equal(rows, k), pivot, _mo.where_v2(_mo.equal(rows, pivot), k, rows))
        swap = _mo.cast(_mo.equal(_ao.expand_dims(index, -1), rows), a.dtype)  # one-hot rows, no range inside
        a, perm = _mo.matmul(swap, a), _mo.matmul(swap, perm)
        pivot_row, column = _ao.gather(a, k, axis=-2), _ao.gather(a, k, axis=-1)
        below = _mo.greater(rows, k)
        factors = _mo.where_v2(below, column / _ao.expand_dims(_ao.gather(pivot_row, k, axis=-1), -1), 0.0)
        right = _mo.where_v2(below, pivot_row, 0.0)
        updated = a - _ao.expand_dims(factors, -1) * _ao.expand_dims(right, -2)
        at_k = _mo.logical_and(_ao.expand_dims(below, -1), _ao.expand_dims(_mo.equal(rows, k), 0))
        return k + 1, _mo.where_v2(at_k, _ao.expand_dims(factors, -1), updated), perm
    _, a, perm = while_loop(lambda k, *_: _mo.less(k, n - 1), step, [_ao.constant(0, dtype="int32"), a, perm])
    return a, perm


def _lu_steps_unrolled(a: Tensor, n: int) -> tuple[Tensor, Tensor]:
    """Partial-pivoting elimination over a static size: per column an argmax, a row swap and an update."""
    perm = eye(n, dtype=a.dtype) + _ao.zeros_like(a)  # one-hot rows: perm matrix P with P @ input == L @ U
    rows = _ao.constant(list(range(n)), dtype="int32")
    for k in range(n - 1):
        pivot = k + _mo.argmax(_mo.abs(a[..., k:, k]), axis=-1, output_type="int32")
        pivot = _ao.expand_dims(pivot, -1)
        index = _mo.where_v2(_mo.equal(rows, k), pivot, _mo.where_v2(_mo.equal(rows, pivot), k, rows))
        swap = _ao.one_hot(index, n, dtype=a.dtype)
        a, perm = _mo.matmul(swap, a), _mo.matmul(swap, perm)
        factors = a[..., k + 1:, k:k + 1] / a[..., k:k + 1, k:k + 1]
        rest = a[..., k + 1:, k + 1:] - factors * a[..., k:k + 1, k + 1:]
        a = _ao.concat([a[..., :k + 1, :], _ao.concat([a[..., k + 1:, :k], factors, rest], -1)], -2)
    return a, perm


def _identity_like(x: Tensor) -> Tensor:
    n = x.shape.as_list()[-1] if x.shape.ndims else None
    return eye(n if n is not None else _ao.shape(x)[-1], dtype=x.dtype)


def _unit_lower(lower_upper: Tensor) -> Tensor:
    """The strictly lower triangle of lower_upper with ones on the diagonal (L of an LU factorization)."""
    ident = _identity_like(lower_upper)
    return matrix_band_part(lower_upper, -1, 0) * (1.0 - ident) + ident


def _permute_rows(x: Tensor, perm: Tensor) -> Tensor:
    """x[..., perm, :] with perm's batch broadcast against x's: a one-hot matmul."""
    n = x.shape.as_list()[-2] if x.shape.ndims else None
    depth = n if n is not None else _ao.shape(x)[-2]
    return _mo.matmul(_ao.one_hot(perm, depth, dtype=x.dtype), x)


def _lu_args(lower_upper, perm) -> tuple[Tensor, Tensor]:
    lower_upper = convert_to_tensor(lower_upper, name="lower_upper")
    perm = convert_to_tensor(perm, name="perm")
    if lower_upper.shape.ndims is not None and lower_upper.shape.ndims < 2:
        raise ValueError(f"Input `lower_upper` must have at least 2 dimensions ({lower_upper.name}).")
    dims = lower_upper.shape.as_list() if lower_upper.shape.ndims else [None, None]
    if dims[-1] is not None and dims[-2] is not None and dims[-1] != dims[-2]:
        raise ValueError(f"Input `lower_upper` must be square ({lower_upper.name} has shape {lower_upper.shape}).")
    if perm.shape.ndims is not None and lower_upper.shape.ndims is not None and \
            perm.shape.ndims + 1 != lower_upper.shape.ndims:
        raise ValueError(f"Input `perm` must have exactly one fewer dimension than `lower_upper` "
                         f"({perm.name}: {perm.shape}, {lower_upper.name}: {lower_upper.shape}).")
    return lower_upper, perm


def lu_solve(lower_upper, perm, rhs, validate_args: bool = False, name: str | None = None) -> Tensor:
    """x with input @ x = rhs, from lu(input)."""
    with name_scope(name or "lu_solve"):
        lower_upper, perm = _lu_args(lower_upper, perm)
        rhs = convert_to_tensor(rhs, dtype=lower_upper.dtype, name="rhs")
        if rhs.shape.ndims is not None and rhs.shape.ndims < 2:
            raise ValueError(f"Input `rhs` must have at least 2 dimensions ({rhs.name} has shape {rhs.shape}).")
        n, r = lower_upper.shape.as_list()[-1], rhs.shape.as_list()[-2]
        if n is not None and r is not None and n != r:
            raise ValueError(f"`lower_upper.shape[-1]` must equal `rhs.shape[-1]` ({lower_upper.name}: "
                             f"{lower_upper.shape}, {rhs.name}: {rhs.shape}).")
        permuted = _permute_rows(rhs, perm)
        y = _mx.matrix_triangular_solve(_unit_lower(lower_upper) + _ao.zeros_like(permuted[..., :1]), permuted)
        upper = matrix_band_part(lower_upper, 0, -1)
        return _mx.matrix_triangular_solve(upper + _ao.zeros_like(y[..., :1]), y, lower=False)


def lu_matrix_inverse(lower_upper, perm, validate_args: bool = False, name: str | None = None) -> Tensor:
    """The inverse of input from lu(input)."""
    with name_scope(name or "lu_matrix_inverse"):
        lower_upper, perm = _lu_args(lower_upper, perm)
        n = lower_upper.shape.as_list()[-1]
        identity = eye(n if n is not None else _ao.shape(lower_upper)[-1], dtype=lower_upper.dtype)
        return lu_solve(lower_upper, perm, identity + _ao.zeros_like(lower_upper))


def lu_reconstruct(lower_upper, perm, validate_args: bool = False, name: str | None = None) -> Tensor:
    """input from lu(input): P^T L U."""
    with name_scope(name or "lu_reconstruct"):
        lower_upper, perm = _lu_args(lower_upper, perm)
        x = _mo.matmul(_unit_lower(lower_upper), matrix_band_part(lower_upper, 0, -1))
        n = lower_upper.shape.as_list()[-1]
        depth = n if n is not None else _ao.shape(lower_upper)[-1]
        return _mo.matmul(_ao.one_hot(perm, depth, dtype=x.dtype), x, transpose_a=True)


# ---- expm -------------------------------------------------------------------------------------------
_PADE = {
    3: (120.0, 60.0, 12.0, 1.0),
    5: (30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0),
    7: (17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0),
    9: (17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0, 2162160.0, 110880.0, 3960.0, 90.0, 1.0),
    13: (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
         10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0),
}


def _pade(a: Tensor, order: int, ident: Tensor) -> tuple[Tensor, Tensor]:
    """(U, V) of the [order/order] Pade approximant of exp(a): exp(a) ~ (V - U)^-1 (V + U)."""
    b = _PADE[order]
    a2 = _mo.matmul(a, a)
    if order == 13:
        a4 = _mo.matmul(a2, a2)
        a6 = _mo.matmul(a4, a2)
        u_inner = _mo.matmul(a6, b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + \
            b[1] * ident
        v = _mo.matmul(a6, b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * ident
        return _mo.matmul(a, u_inner), v
    powers = [ident, a2]
    for _ in range(2, order // 2 + 1):
        powers.append(_mo.matmul(powers[-1], a2))
    u_inner = _mo.add_n([b[2 * i + 1] * p for i, p in enumerate(powers)])
    v = _mo.add_n([b[2 * i] * p for i, p in enumerate(powers)])
    return _mo.matmul(a, u_inner), v


def expm(input, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """exp of each matrix [..., N, N]: Pade approximants with scaling and squaring, as TF chooses them."""
    from .control_flow_ops import cond, while_loop
    with name_scope(name, "matrix_exponential", [input]):
        matrix = convert_to_tensor(input, name="input")
        if matrix.dtype.name not in ("float16", "float32", "float64"):
            raise ValueError(f"tf.linalg.expm does not support matrices of type {matrix.dtype.name} ({matrix.name})")
        if matrix.shape.ndims is not None and matrix.shape.ndims < 2:
            raise ValueError(f"tf.linalg.expm needs matrices [..., N, N], got {matrix.name} of shape {matrix.shape}")
        if matrix.shape.ndims is not None and matrix.shape.as_list()[-2:] == [0, 0]:
            return matrix
        l1 = _ao.expand_dims(_ao.expand_dims(_mo.reduce_max(_mo.reduce_sum(_mo.abs(matrix), axis=-2), axis=-1), -1),
                             -1)
        n = matrix.shape.as_list()[-1]
        ident = eye(n if n is not None else _ao.shape(matrix)[-1], dtype=matrix.dtype)
        if matrix.dtype.name == "float64":
            maxnorm, orders = 5.371920351148152, (3, 5, 7, 9, 13)
            conds = (1.495585217958292e-002, 2.539398330063230e-001, 9.504178996162932e-001, 2.097847961257068e+000)
        else:
            maxnorm, orders = 3.925724783138660, (3, 5, 7)
            conds = (4.258730016922831e-001, 1.880152677804762e+000)
        squarings = _mo.maximum(_mo.floor(_mo.log(l1 / maxnorm) / math.log(2.0)), 0.0)
        scaled = matrix / _mo.pow(2.0 * _ao.ones_like(squarings), squarings)
        pades = [_pade(matrix if k != orders[-1] else scaled, k, ident) for k in orders]
        u, v = pades[-1]
        for (uk, vk), c in reversed(list(zip(pades[:-1], conds))):
            smaller = _mo.less(l1, c)
            u, v = _mo.where_v2(smaller, uk, u), _mo.where_v2(smaller, vk, v)
        finite = _mo.is_finite(_mo.reduce_max(l1))
        result = cond(finite, lambda: _mx.matrix_solve(v - u, u + v),
                      lambda: _ao.fill(_ao.shape(matrix), _ao.constant(float("nan"), dtype=matrix.dtype)))
        most = _mo.reduce_max(squarings)

        def body(i, r):
            return i + 1.0, _mo.where_v2(_mo.less(i, squarings), _mo.matmul(r, r), r)
        _, result = while_loop(lambda i, _r: _mo.logical_and(finite, _mo.less(i, most)), body,
                               [_ao.constant(0.0, dtype=matrix.dtype), result])
        return result


def eigh_tridiagonal(alpha, beta, eigvals_only: bool = True, select: str = "a", select_range=None, tol=None,
                     name: str | None = None):
    """Eigenvalues (ascending; and eigenvectors) of the symmetric tridiagonal matrix with diagonal `alpha` [n] and
    off-diagonal `beta` [n-1]; select 'a' (all), 'i' (indices lo..hi) or 'v' (values in (lo, hi])."""
    with name_scope(name or "eigh_tridiagonal"):
        alpha = convert_to_tensor(alpha, name="alpha")
        beta = convert_to_tensor(beta, dtype=alpha.dtype, name="beta")
        if alpha.dtype.name not in ("float32", "float64"):
            raise ValueError(f"eigh_tridiagonal: alpha {alpha.name} must be float32 or float64 (dfc has no complex "
                             f"dtypes), got {alpha.dtype.name}")
        if alpha.shape.ndims not in (None, 1) or beta.shape.ndims not in (None, 1):
            raise ValueError(f"eigh_tridiagonal: alpha and beta must be vectors (no batch dims, as in TF), got "
                             f"{alpha.shape} and {beta.shape}")
        n, m = alpha.shape.as_list()[0] if alpha.shape.ndims else None, \
            beta.shape.as_list()[0] if beta.shape.ndims else None
        if n is not None and m is not None and m != n - 1:
            raise ValueError(f"eigh_tridiagonal: beta must have one element fewer than alpha, got {m} and {n}")
        if select not in ("a", "i", "v"):
            raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
        dense = matrix_diag(alpha) + _to.pad(matrix_diag(beta), [[0, 1], [1, 0]]) + \
            _to.pad(matrix_diag(beta), [[1, 0], [0, 1]])
        values, vectors = _mx.self_adjoint_eig(dense)
        if select == "i":
            lo, hi = select_range
            values, vectors = values[lo:hi + 1], vectors[:, lo:hi + 1]
        elif select == "v":
            lo, hi = (convert_to_tensor(v, dtype=alpha.dtype) for v in select_range)
            keep = _mo.logical_and(_mo.greater(values, lo), _mo.less_equal(values, hi))
            from .sorting_ops import boolean_mask
            values, vectors = boolean_mask(values, keep), boolean_mask(vectors, keep, axis=1)
        return values if eigvals_only else (values, vectors)
