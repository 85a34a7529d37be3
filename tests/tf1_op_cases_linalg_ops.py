"""TF1 cases for tf.linalg's LinearOperators and its tridiagonal, LU and expm functions, for both real TF and dfc.

CASES (small graphs) join tests/tf1_op_cases.py's CASES: recorded by tests/record_tf1_ops.py, checked by
tests/test_tf1_ops_expectations.py on both backends. INTERPRETER_CASES (graphs of hundreds of ops, whose native
compile would cost the default suite a minute) are recorded by tests/record_tf1_scripts_linalg.py
and checked on the reference interpreter by tests/test_linear_operator.py.
"""

from __future__ import annotations

import numpy as np
from tf1_op_cases import Case

F32 = np.float32


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _well_conditioned(seed: int, shape) -> np.ndarray:
    a = _rng(seed).standard_normal(shape) * 0.3
    return (a + 2.0 * np.eye(shape[-1])).astype(F32)


def _spd(seed: int, n: int) -> np.ndarray:
    a = _rng(seed).standard_normal((n, n))
    return (a @ a.T + n * np.eye(n)).astype(F32)


def _causal_attention(tf, x):
    """Kyubyong/transformer's causal mask: a lower-triangular operator over ones of the step's length."""
    T = tf.shape(x)[1]
    scores = tf.matmul(x, x, transpose_b=True)
    tril = tf.linalg.LinearOperatorLowerTriangular(tf.ones([T, T])).to_dense()
    masks = tf.tile(tf.expand_dims(tril, 0), [tf.shape(x)[0], 1, 1])
    paddings = tf.ones_like(masks) * (-2.0 ** 32 + 1)
    weights = tf.nn.softmax(tf.where(tf.equal(masks, 0), paddings, scores))
    return {"tril": tril, "weights": weights, "context": tf.matmul(weights, x)}


def _dense_kinds(tf, a, d, rhs, v, s):
    la = tf.linalg
    full, diag = la.LinearOperatorFullMatrix(a), la.LinearOperatorDiag(d)
    tril = la.LinearOperatorLowerTriangular(a)
    pd = la.LinearOperatorFullMatrix(s, is_self_adjoint=True, is_positive_definite=True)
    out = {}
    for key, op in (("full", full), ("diag", diag), ("tril", tril)):
        out.update({f"{key}_matmul": op.matmul(rhs), f"{key}_matmul_adj": op.matmul(rhs, adjoint=True),
                    f"{key}_matmul_adjarg": op.matmul(tf.matrix_transpose(rhs), adjoint_arg=True),
                    f"{key}_matvec": op.matvec(v), f"{key}_solve": op.solve(rhs),
                    f"{key}_solve_adj": op.solve(rhs, adjoint=True), f"{key}_solvevec": op.solvevec(v),
                    f"{key}_det": op.determinant(), f"{key}_lad": op.log_abs_determinant(),
                    f"{key}_dense": op.to_dense(), f"{key}_diag": op.diag_part(), f"{key}_trace": op.trace(),
                    f"{key}_add": op.add_to_tensor(a), f"{key}_inv": op.inverse().to_dense(),
                    f"{key}_H": op.H.to_dense(), f"{key}_shape": op.shape_tensor()})
    out.update(diag_chol=la.LinearOperatorDiag(d * d + 1.0, is_positive_definite=True).cholesky().to_dense(),
               diag_eig=diag.eigvals(), pd_chol=pd.cholesky().to_dense(), pd_lad=pd.log_abs_determinant(),
               pd_det=pd.determinant(), pd_solve=pd.solve(rhs[0]), pd_eig=pd.eigvals(),
               tril_eig=la.LinearOperatorLowerTriangular(a, is_self_adjoint=True).eigvals(),
               op_matmul_op=full.matmul(diag).to_dense(), op_at_op=(diag @ full).to_dense(),
               range_dim=full.range_dimension_tensor(), batch=full.batch_shape_tensor(), rank=full.tensor_rank_tensor())
    return out


def _identity_kinds(tf, x, m, y):
    la = tf.linalg
    eye = la.LinearOperatorIdentity(3, batch_shape=[2])
    scaled = la.LinearOperatorScaledIdentity(3, m)
    zeros = la.LinearOperatorZeros(3, 4, is_square=False, is_self_adjoint=False)
    n = tf.shape(x)[0]
    dyn = la.LinearOperatorIdentity(n)
    return {"eye_matmul": eye.matmul(x), "eye_dense": eye.to_dense(), "eye_det": eye.determinant(),
            "eye_lad": eye.log_abs_determinant(), "eye_diag": eye.diag_part(),
            "eye_add": eye.add_to_tensor(tf.ones([3, 3]) * x[0, 0]),
            "eye_solve": eye.solve(x), "eye_shape": eye.shape_tensor(), "eye_trace": eye.trace(),
            "dyn_dense": dyn.to_dense(), "dyn_matvec": dyn.matvec(x[:, 0]),
            "sc_matmul": scaled.matmul(x), "sc_solve": scaled.solve(x, adjoint=True), "sc_det": scaled.determinant(),
            "sc_lad": scaled.log_abs_determinant(), "sc_dense": scaled.to_dense(), "sc_diag": scaled.diag_part(),
            "sc_inv": scaled.inverse().to_dense(), "sc_add": scaled.add_to_tensor(tf.ones([2, 3, 3])),
            "zeros_matmul": zeros.matmul(y), "zeros_adj": zeros.matmul(x, adjoint=True),
            "zeros_dense": zeros.to_dense(), "zeros_diag": zeros.diag_part(),
            "zeros_add": la.LinearOperatorZeros(3).add_to_tensor(x[:, :1] * tf.ones([1, 3])),
            "zeros_det": la.LinearOperatorZeros(2, batch_shape=[3]).determinant()}


def _composite_kinds(tf, a, b, c, d, u, rhs, col, row, tri, w):
    la = tf.linalg
    full, diag = la.LinearOperatorFullMatrix(a), la.LinearOperatorDiag(d)
    ops = {"comp": la.LinearOperatorComposition([full, diag]), "adj": la.LinearOperatorAdjoint(full),
           "inv": la.LinearOperatorInversion(full),
           "block": la.LinearOperatorBlockDiag([la.LinearOperatorFullMatrix(b), la.LinearOperatorDiag(d[:1])]),
           "kron": la.LinearOperatorKronecker([la.LinearOperatorFullMatrix(b), la.LinearOperatorFullMatrix(c)]),
           "kron2": la.LinearOperatorKronecker([la.LinearOperatorFullMatrix(c[:2, :2]), la.LinearOperatorDiag(d)]),
           "lru": la.LinearOperatorLowRankUpdate(la.LinearOperatorDiag(d * d + 1.0), u),
           "perm": la.LinearOperatorPermutation([2, 0, 1]),
           "toep": la.LinearOperatorToeplitz(col, row),
           "tri": la.LinearOperatorTridiag(tri),
           "tri_seq": la.LinearOperatorTridiag([tri[0], tri[1], tri[2]], diagonals_format="sequence"),
           "house": la.LinearOperatorHouseholder(w)}
    out = {}
    for key, op in ops.items():
        n = op.shape.as_list()[-1]
        x = rhs[:n] if n <= 3 else tf.concat([rhs, rhs * 0.5], 0)[:n]
        out.update({f"{key}_dense": op.to_dense(), f"{key}_matmul": op.matmul(x),
                    f"{key}_matmul_adj": op.matmul(x, adjoint=True), f"{key}_solve": op.solve(x),
                    f"{key}_det": op.determinant(), f"{key}_lad": op.log_abs_determinant(),
                    f"{key}_diag": op.diag_part(), f"{key}_shape": op.shape_tensor()})
    out["house_eig"] = ops["house"].eigvals()
    out["block_eig"] = la.LinearOperatorBlockDiag([la.LinearOperatorDiag(d), la.LinearOperatorDiag(d[:2])]).eigvals()
    return out


def _tridiagonal(tf, tri, rhs, vec):
    la = tf.linalg
    seq = [tri[0], tri[1], tri[2]]
    dense = la.LinearOperatorTridiag(tri).to_dense() + tf.ones([3, 3]) * 0.0
    noisy = dense + tf.constant([[0.0, 0.0, 5.0], [0.0, 0.0, 0.0], [7.0, 0.0, 0.0]])  # off-band: ignored
    return {"mm_compact": la.tridiagonal_matmul(tri, rhs), "mm_seq": la.tridiagonal_matmul(seq, rhs, "sequence"),
            "mm_matrix": la.tridiagonal_matmul(noisy, rhs, diagonals_format="matrix"),
            "solve_compact": la.tridiagonal_solve(tri, rhs), "solve_seq": la.tridiagonal_solve(seq, rhs, "sequence"),
            "solve_short_seq": la.tridiagonal_solve([tri[0, :2], tri[1], tri[2, 1:]], rhs, "sequence"),
            "solve_matrix": la.tridiagonal_solve(noisy, rhs, diagonals_format="matrix"),
            "solve_vec": la.tridiagonal_solve(tri, vec),
            "solve_t": la.tridiagonal_solve(tri, tf.transpose(rhs), transpose_rhs=True),
            "solve_nopivot": la.tridiagonal_solve(tri, rhs, partial_pivoting=False)}


def _lu(tf, a, ab, rhs):
    la = tf.linalg
    lu, p = la.lu(a)
    lub, pb = la.lu(ab)
    return {"lu": lu, "p": p, "lu_b": lub, "p_b": pb, "solve": la.lu_solve(lu, p, rhs),
            "solve_b": la.lu_solve(lub, pb, tf.stack([rhs, rhs * 2.0])), "reconstruct": la.lu_reconstruct(lu, p),
            "reconstruct_b": la.lu_reconstruct(lub, pb), "inverse": la.lu_matrix_inverse(lu, p),
            "inverse_b": la.lu_matrix_inverse(lub, pb), "p64": la.lu(a, output_idx_type=tf.int64)[1],
            **_lu_unknown_size(tf, ab, rhs)}


def _lu_unknown_size(tf, ab, rhs):
    """The same on matrices whose size only the step knows (a tf.while_loop over the columns in dfc)."""
    la = tf.linalg
    lu, p = la.lu(tf.placeholder_with_default(ab, [None, None, None]))
    b = tf.placeholder_with_default(tf.stack([rhs, rhs * 2.0]), [None, None, None])
    return {"lu_dyn": lu, "p_dyn": p, "solve_dyn": la.lu_solve(lu, p, b), "reconstruct_dyn": la.lu_reconstruct(lu, p)}


def _expm(tf, small, mid, big):
    la = tf.linalg
    return {"small": la.expm(small), "mid": la.expm(mid), "big": la.expm(big),
            "batch": la.expm(tf.stack([small, mid, big]))}


def _expm64(tf, a, b):
    return {"a": tf.linalg.expm(a), "b": tf.linalg.expm(b), "batch": tf.linalg.expm(tf.stack([a, b, a * 1e-3]))}


def _block_lower_triangular(tf, a, b, d, rhs):
    la = tf.linalg
    op = la.LinearOperatorBlockLowerTriangular([[la.LinearOperatorFullMatrix(a)],
                                                [la.LinearOperatorFullMatrix(b), la.LinearOperatorDiag(d)]])
    return {"dense": op.to_dense(), "matmul": op.matmul(rhs), "matmul_adj": op.matmul(rhs, adjoint=True),
            "solve": op.solve(rhs), "solve_adj": op.solve(rhs, adjoint=True), "det": op.determinant(),
            "lad": op.log_abs_determinant(), "diag": op.diag_part(), "shape": op.shape_tensor(),
            "solvevec": op.solvevec(rhs[:, 0], adjoint=True)}


def _eigh_tridiagonal(tf, alpha, beta):
    la = tf.linalg
    values, vectors = la.eigh_tridiagonal(alpha, beta, eigvals_only=False)
    return {"all": la.eigh_tridiagonal(alpha, beta), "vectors_sq": vectors * vectors, "values": values,
            "by_index": la.eigh_tridiagonal(alpha, beta, select="i", select_range=[1, 2]),
            "by_value": la.eigh_tridiagonal(alpha, beta, select="v", select_range=[-1.0, 3.0])}


CASES = [
    Case("linalg_causal_mask_operator", {"x": _rng(1).standard_normal((2, 5, 4)).astype(F32)}, _causal_attention,
         grad=("x",)),
]

INTERPRETER_CASES = [
    Case("linalg_operator_identity_kinds", {"x": _rng(5).standard_normal((3, 2)).astype(F32),
                                            "m": np.array([1.5, -0.5], F32),
                                            "y": _rng(6).standard_normal((4, 2)).astype(F32)},
         _identity_kinds, grad=("x", "m")),
    Case("linalg_operator_dense_kinds", {"a": _well_conditioned(2, (2, 3, 3)),
                                         "d": np.array([[1.5, -2.0, 0.7], [3.0, 0.5, -1.2]], F32),
                                         "rhs": _rng(3).standard_normal((2, 3, 2)).astype(F32),
                                         "v": np.array([0.3, -1.0, 2.0], F32), "s": _spd(4, 3)},
         _dense_kinds, grad=("a", "d", "rhs", "v", "s")),
    Case("linalg_operator_composite_kinds", {"a": _well_conditioned(7, (3, 3)), "b": _well_conditioned(8, (2, 2)),
                                             "c": _well_conditioned(9, (3, 3)),
                                             "d": np.array([1.5, -2.0, 0.7], F32),
                                             "u": _rng(10).standard_normal((3, 2)).astype(F32),
                                             "rhs": _rng(11).standard_normal((3, 2)).astype(F32),
                                             "col": np.array([4.0, 1.0, 0.5], F32),
                                             "row": np.array([9.0, -1.0, 0.3], F32),
                                             "tri": np.array([[1.0, -0.5, 9.0], [4.0, 3.0, 5.0], [9.0, 0.7, -1.0]],
                                                             F32),
                                             "w": np.array([1.0, -2.0, 0.5], F32)},
         _composite_kinds, grad=("a", "b", "c", "d", "u", "rhs", "col", "row", "tri", "w")),
    Case("linalg_tridiagonal", {"tri": np.array([[1.0, -0.5, 9.0], [4.0, 3.0, 5.0], [9.0, 0.7, -1.0]], F32),
                                "rhs": _rng(12).standard_normal((3, 2)).astype(F32),
                                "vec": np.array([1.0, 2.0, -1.0], F32)},
         _tridiagonal, grad=("tri", "rhs", "vec")),
    Case("linalg_lu", {"a": _rng(13).standard_normal((4, 4)).astype(F32),
                       "ab": _rng(14).standard_normal((2, 4, 4)).astype(F32),
                       "rhs": _rng(15).standard_normal((4, 2)).astype(F32)},
         _lu, grad=("rhs",)),  # TF defines no gradient for Lu itself
    Case("linalg_expm", {"small": (_rng(16).standard_normal((3, 3)) * 0.05).astype(F32),
                         "mid": (_rng(17).standard_normal((3, 3)) * 0.5).astype(F32),
                         "big": (_rng(18).standard_normal((3, 3)) * 3.0).astype(F32),
                         },
         _expm, grad=("small", "mid", "big")),
    Case("linalg_expm_f64", {"a": _rng(19).standard_normal((3, 3)) * 2.0, "b": _rng(20).standard_normal((3, 3)) * 0.1},
         _expm64, grad=("a", "b")),
    Case("linalg_eigh_tridiagonal", {"alpha": np.array([2.0, -1.0, 0.5, 3.0], F32),
                                     "beta": np.array([0.7, -0.3, 1.2], F32)}, _eigh_tridiagonal),
    Case("linalg_operator_block_lower_triangular", {"a": _well_conditioned(21, (3, 3)),
                                                    "b": _rng(22).standard_normal((2, 3)).astype(F32),
                                                    "d": np.array([1.5, -2.5], F32),
                                                    "rhs": _rng(23).standard_normal((5, 2)).astype(F32)},
         _block_lower_triangular, grad=("a", "b", "d", "rhs")),
]
