"""VJP rules of the linear-algebra ops (ir/ops/linalg.py's LAPACK ops), a part of the autodiff pass's table.

Each is TensorFlow's own rule (tensorflow/python/ops/linalg_grad.py), written with the IR's
ops: the inverse's -A^-T g A^-T, the determinant's g det A^-T, Cholesky's Phi rule, the solves'
solve with the adjoint, the triangular solve's masked to its triangle, and the symmetric
eigendecomposition's, QR's and SVD's. Batch dims a solve broadcast are summed back (matmul's rule does the same).
"""

from __future__ import annotations

import numpy as np

from dfc.ir.errors import VerificationError
from dfc.ir.graph import Op, Value
from dfc.ir.ops.shape import SLICE_END


def _t(b, x: Value) -> Value:
    """x with its last two dims swapped (the adjoint of a real matrix)."""
    r = x.type.rank
    return b("transpose", x, perm=[*range(r - 2), r - 1, r - 2])


def _array(b, value: np.ndarray) -> Value:
    return b._make("dfc.constant", [], {"value": value}, "Const").results[0]


def _eye(b, n: int, dtype) -> Value:
    return _array(b, np.eye(n, dtype=dtype.np))


def _mask(b, n: int, lower: bool) -> Value:
    return _array(b, np.tril(np.ones((n, n), bool)) if lower else np.triu(np.ones((n, n), bool)))


def _scale_matrices(b, s: Value, m: Value) -> Value:
    """s[..., None, None] * m."""
    shape = [-1 if d is None else d for d in s.type.shape]
    return b("mul", b("reshape", s, shape=[*shape, 1, 1]) if shape else s, m)


def _matrix_diag(b, d: Value) -> Value:
    n = d.type.shape[-1]
    return b("mul", b("expand_dims", d, axis=d.type.rank), _eye(b, n, d.type.dtype))


def _inverse(op: Op, g, b):
    y = op.results[0]
    if op.attrs["adjoint"]:
        return [b("neg", b("matmul", y, b("matmul", g, y, transpose_a=True)))]
    return [b("neg", b("matmul", y, b("matmul", g, y, transpose_b=True), transpose_a=True))]


def _determinant(op: Op, g, b):
    a = op.inputs[0]
    adj_inv = b("matrix_inverse", a, adjoint=True)
    return [_scale_matrices(b, b("mul", g, op.results[0]), adj_inv)]


def _log_determinant(op: Op, gs, b):
    g = gs[1]
    if g is None:
        return [None]
    adj_inv = b("matrix_inverse", op.inputs[0], adjoint=True)
    return [_scale_matrices(b, g, adj_inv)]


def _cholesky(op: Op, g, b):
    low = op.results[0]
    n, dtype = low.type.shape[-1], low.type.dtype
    eye = _eye(b, n, dtype)
    inverse = b("matrix_triangular_solve", low, b("broadcast_like", eye, low), lower=True, adjoint=False)
    middle = b("matmul", low, g, transpose_a=True)
    lower_part = b("select", _mask(b, n, True), middle, 0.0)
    # Phi: the lower triangle with the diagonal halved
    middle = b("sub", lower_part, b("mul", b("mul", middle, eye), 0.5))
    grad = b("matmul", b("matmul", inverse, middle, transpose_a=True), inverse)
    return [b("mul", b("add", grad, _t(b, grad)), 0.5)]


def _solve(op: Op, g, b):
    a, rhs = op.inputs
    c = op.results[0]
    adjoint = op.attrs["adjoint"]
    extra = {"lower": op.attrs["lower"]} if op.type == "dfc.matrix_triangular_solve" else {}
    grad_b = b(op.type, a, g, adjoint=not adjoint, **extra)
    grad_a = b("neg", b("matmul", c, grad_b, transpose_b=True) if adjoint else b("matmul", grad_b, c,
                                                                                   transpose_b=True))
    if extra:
        grad_a = b("select", _mask(b, a.type.shape[-1], extra["lower"]), grad_a, 0.0)
    return [b.sum_to(grad_a, a), b.sum_to(grad_b, rhs)]


def _self_adjoint_eig(op: Op, gs, b):
    a = op.inputs[0]
    grad_e, grad_v = gs[0], gs[1] if len(gs) > 1 else None
    if op.attrs["compute_v"]:
        e, v = op.results
    else:
        e, v = b.multi("self_adjoint_eig", a, compute_v=True)
    n, dtype = a.type.shape[-1], a.type.dtype
    inner = _matrix_diag(b, grad_e) if grad_e is not None else b.zeros(a)
    if grad_v is not None:
        gaps = b("sub", b("expand_dims", e, axis=e.type.rank - 1), b("expand_dims", e, axis=e.type.rank))
        off = b("select", _array(b, ~np.eye(n, dtype=bool)), b("reciprocal", gaps), 0.0)
        inner = b("add", inner, b("mul", off, b("matmul", v, grad_v, transpose_a=True)))
    grad = b("matmul", v, b("matmul", inner, v, transpose_b=True))
    # the forward op reads only the lower triangle: symmetrize onto it
    grad = b("select", _mask(b, n, True), b("add", grad, _t(b, grad)), 0.0)
    eye = _eye(b, n, dtype)
    return [b("sub", grad, b("mul", b("mul", grad, eye), 0.5))]


def _cols(b, x: Value, start: int, stop: int) -> Value:
    """x[..., :, start:stop]."""
    r = x.type.rank
    return b("slice", x, begin=[0] * (r - 1) + [start], end=[SLICE_END] * (r - 1) + [stop], strides=[1] * r)


def _or_zeros(b, g, like: Value) -> Value:
    return g if g is not None else b.zeros(like)


def _qr_square_or_deep(b, q: Value, r: Value, dq: Value, dr: Value) -> Value:
    def tri_solve(x):  # x @ inverse(r)^T... as TF: adjoint(triangular_solve(r, adjoint(x), lower=False))
        return _t(b, b("matrix_triangular_solve", r, _t(b, x), lower=False, adjoint=False))
    qdq = b("matmul", q, dq, transpose_a=True)
    qdq_ = b("sub", qdq, _t(b, qdq))
    rdr = b("matmul", r, dr, transpose_b=True)
    rdr_ = b("sub", rdr, _t(b, rdr))
    k = qdq.type.shape[-1]
    tril = b("select", _mask(b, k, True), b("add", qdq_, rdr_), 0.0)
    grad_a = b("matmul", q, b("add", dr, tri_solve(tril)))
    grad_b = tri_solve(b("sub", dq, b("matmul", q, qdq)))
    return b("add", grad_a, grad_b)


def _qr(op: Op, gs, b):
    """TF's rule; for wide matrices a = [x, y] reduces to the square case."""
    q, r = op.results
    dq, dr = _or_zeros(b, gs[0], q), _or_zeros(b, gs[1], r)
    m, n = q.type.shape[-2], r.type.shape[-1]
    if r.type.shape[-2] > n and q.type.shape[-1] == m:
        raise VerificationError(f"autodiff: QrGrad not implemented when nrows > ncols and full_matrices is true "
                                f"({op.describe()})")
    if m >= n:
        return [_qr_square_or_deep(b, q, r, dq, dr)]
    a = op.inputs[0]
    y, u = _cols(b, a, m, SLICE_END), _cols(b, r, 0, m)
    dv, du = _cols(b, dr, m, SLICE_END), _cols(b, dr, 0, m)
    dy = b("matmul", q, dv)
    dx = _qr_square_or_deep(b, q, u, b("add", dq, b("matmul", y, dv, transpose_b=True)), du)
    return [b("concat", dx, dy, axis=a.type.rank - 1)]


def _safe_reciprocal(b, x: Value) -> Value:
    return b("mul", x, b("reciprocal", b("add", b("mul", x, x), 1e-20)))


def _svd(op: Op, gs, b):  # long: TF's _SvdGrad, step for step
    a = op.inputs[0]
    grad_s = _or_zeros(b, gs[0], op.results[0])
    if not op.attrs["compute_uv"]:
        _, u, v = b.multi("svd", a, compute_uv=True, full_matrices=False)
        return [b("matmul", u, b("matmul", _matrix_diag(b, grad_s), v, transpose_b=True))]
    s, u, v = op.results
    grad_u, grad_v = _or_zeros(b, gs[1], u), _or_zeros(b, gs[2], v)
    m, n = a.type.shape[-2], a.type.shape[-1]
    use_adjoint = m > n
    if use_adjoint:
        m, n, u, v, grad_u, grad_v = n, m, v, u, grad_v, grad_u
    if op.attrs["full_matrices"] and abs(m - n) > 1:
        raise VerificationError(f"autodiff: svd gradient is not implemented for abs(m - n) > 1 when full_matrices "
                                f"is True ({op.describe()})")
    s_mat = _matrix_diag(b, s)
    s_2 = b("mul", s, s)
    k = s.type.shape[-1]
    gaps = b("sub", b("expand_dims", s_2, axis=s.type.rank - 1), b("expand_dims", s_2, axis=s.type.rank))
    f = b("select", _array(b, ~np.eye(k, dtype=bool)), _safe_reciprocal(b, gaps), 0.0)
    s_inv_mat = _matrix_diag(b, _safe_reciprocal(b, s))
    v1, grad_v1 = _cols(b, v, 0, m), _cols(b, grad_v, 0, m)
    f_u = b("mul", f, b("matmul", u, grad_u, transpose_a=True))
    f_v = b("mul", f, b("matmul", v1, grad_v1, transpose_a=True))
    term1_nouv = b("add", b("add", _matrix_diag(b, grad_s), b("matmul", b("add", f_u, _t(b, f_u)), s_mat)),
                   b("matmul", s_mat, b("add", f_v, _t(b, f_v))))
    grad = b("matmul", u, b("matmul", term1_nouv, v1, transpose_b=True))
    if m != n:
        gv1t = _t(b, grad_v1)
        term2_nous = b("sub", gv1t, b("matmul", b("matmul", gv1t, v1), v1, transpose_b=True))
        if op.attrs["full_matrices"]:
            v2, grad_v2 = _cols(b, v, m, n), _cols(b, grad_v, m, n)
            term2_nous = b("sub", term2_nous, b("matmul", b("matmul", v1, grad_v2, transpose_a=True), v2,
                                                transpose_b=True))
        grad = b("add", grad, b("matmul", b("matmul", u, s_inv_mat), term2_nous))
    return [_t(b, grad) if use_adjoint else grad]


LINALG_VJP = {
    "dfc.matrix_inverse": _inverse,
    "dfc.matrix_determinant": _determinant,
    "dfc.log_matrix_determinant": _log_determinant,
    "dfc.cholesky": _cholesky,
    "dfc.matrix_solve": _solve,
    "dfc.matrix_triangular_solve": _solve,
    "dfc.self_adjoint_eig": _self_adjoint_eig,
    "dfc.qr": _qr,
    "dfc.svd": _svd,
}

#: ops whose rule takes the list of cotangents (they have several results, or may have)
LINALG_MULTI_RESULT = {"dfc.log_matrix_determinant", "dfc.self_adjoint_eig", "dfc.qr", "dfc.svd"}
