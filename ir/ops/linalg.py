"""Linear algebra: matmul with optional transposes and broadcast batch dimensions; inverse, determinants,
Cholesky, solves, QR, SVD and symmetric eigendecomposition of batches of matrices; the stable sort order of rows."""

from __future__ import annotations

import numpy as np

from ..dtypes import COMPLEX, FLOATS, UNSIGNED, f16, f32, f64, i8, i16, i32, i64
from ..errors import ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, broadcast_shapes, register, require_dtype, same_dtype, tensor_operand


def _matmul_infer(types, attrs):
    a, b = tensor_operand(types, 0), tensor_operand(types, 1)
    dtype = same_dtype([a, b])
    require_dtype(dtype, FLOATS + (i32, i64) + COMPLEX)  # complex products run on the host (numpy's matmul)
    if a.rank < 2 or b.rank < 2:
        raise ShapeError(f"matmul needs operands of rank >= 2, got {a} and {b}")
    m, ka = (a.shape[-1], a.shape[-2]) if attrs["transpose_a"] else (a.shape[-2], a.shape[-1])
    kb, n = (b.shape[-1], b.shape[-2]) if attrs["transpose_b"] else (b.shape[-2], b.shape[-1])
    if ka is not None and kb is not None and ka != kb:
        raise ShapeError(f"matmul inner dimensions differ: {a} x {b} "
                         f"(transpose_a={attrs['transpose_a']}, transpose_b={attrs['transpose_b']}): {ka} != {kb}")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return [TensorType(dtype, batch + (m, n))]


def _matmul(a, b, transpose_a, transpose_b):
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


register(OpDef("dfc.matmul", "linalg", _matmul_infer, _matmul, 2,
               {"transpose_a": Attr("bool", False), "transpose_b": Attr("bool", False)}, fusible_as="matmul"))


# ---- matrix decompositions and solves (LAPACK through numpy and scipy; the CPU calls the same) ------------------
def _square(t: TensorType, what: str) -> None:
    require_dtype(t.dtype, (f32, f64), what)
    if t.rank < 2:
        raise ShapeError(f"{what} must have rank >= 2, got {t}")
    m, n = t.shape[-2], t.shape[-1]
    if m is not None and n is not None and m != n:
        raise ShapeError(f"{what} must be a batch of square matrices, got {t}: {m} != {n}")


def _square_infer(types, attrs):
    t = tensor_operand(types, 0)
    _square(t, "input")
    return [t]


def _det_infer(types, attrs):
    t = tensor_operand(types, 0)
    _square(t, "input")
    return [t.with_shape(t.shape[:-2])]


def _slogdet_infer(types, attrs):
    t = tensor_operand(types, 0)
    _square(t, "input")
    return [t.with_shape(t.shape[:-2])] * 2


def _solve_infer(types, attrs):
    a, b = tensor_operand(types, 0), tensor_operand(types, 1)
    _square(a, "matrix")
    require_dtype(b.dtype, (a.dtype,), "rhs")
    if b.rank < 2:
        raise ShapeError(f"rhs must have rank >= 2, got {b}")
    n, k = a.shape[-1], b.shape[-2]
    if n is not None and k is not None and n != k:
        raise ShapeError(f"matrix {a} and rhs {b} differ in their rows: {n} != {k}")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return [TensorType(a.dtype, batch + b.shape[-2:])]


def _matrix(t: TensorType, what: str) -> tuple:
    require_dtype(t.dtype, (f32, f64), what)
    if t.rank < 2:
        raise ShapeError(f"{what} must have rank >= 2, got {t}")
    return t.shape[:-2], t.shape[-2], t.shape[-1]


def _small(m, n):
    return None if m is None or n is None else min(m, n)


def _qr_infer(types, attrs):
    t = tensor_operand(types, 0)
    batch, m, n = _matrix(t, "input")
    k = m if attrs["full_matrices"] else _small(m, n)
    return [t.with_shape(batch + (m, k)), t.with_shape(batch + (k, n))]


def _svd_infer(types, attrs):
    t = tensor_operand(types, 0)
    batch, m, n = _matrix(t, "input")
    k = _small(m, n)
    s = t.with_shape(batch + (k,))
    if not attrs["compute_uv"]:
        return [s]
    full = attrs["full_matrices"]
    return [s, t.with_shape(batch + (m, m if full else k)), t.with_shape(batch + (n, n if full else k))]


def _eigh_infer(types, attrs):
    t = tensor_operand(types, 0)
    _square(t, "input")
    e = t.with_shape(t.shape[:-1])
    return [e, t] if attrs["compute_v"] else [e]


def _adjoint(x, adjoint: bool):
    return np.swapaxes(x, -1, -2) if adjoint else x


def _inverse(x, adjoint):
    try:
        return np.linalg.inv(_adjoint(x, adjoint)).astype(x.dtype)
    except np.linalg.LinAlgError:
        raise ValueError("Input is not invertible.") from None


def _cholesky(x):
    try:
        return np.linalg.cholesky(x).astype(x.dtype)
    except np.linalg.LinAlgError:
        raise ValueError("Cholesky decomposition was not successful. The input might not be valid.") from None


def _solve(a, b, adjoint):
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(_adjoint(a, adjoint), batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    if a.shape[-1] == 0 or b.shape[-1] == 0:
        return np.zeros(b.shape, a.dtype)
    try:
        return np.linalg.solve(a, b).astype(a.dtype)
    except np.linalg.LinAlgError:
        raise ValueError("Input matrix is not invertible.") from None


def _triangular_solve(a, b, lower, adjoint):
    from scipy.linalg import solve_triangular  # noqa: PLC0415 - scipy.linalg loads slowly; only these ops need it
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:]).reshape((-1,) + a.shape[-2:])
    bb = np.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
    out = np.empty(bb.shape, a.dtype)
    with np.errstate(all="ignore"):
        for i in range(a.shape[0]):
            if out[i].size == 0:
                continue
            if np.any(np.diagonal(a[i]) == 0):  # LAPACK refuses; TF's substitution divides by zero
                out[i] = _substitute(a[i], bb[i], lower, adjoint)
            else:
                out[i] = solve_triangular(a[i], bb[i], lower=lower, trans=1 if adjoint else 0, check_finite=False)
    return out.reshape(batch + b.shape[-2:])


def _substitute(a, b, lower, adjoint):
    """Forward or back substitution, the IEEE way (a zero on the diagonal gives infinities and NaNs)."""
    t = np.tril(a) if lower else np.triu(a)
    if adjoint:
        t, lower = t.T, not lower
    n = t.shape[0]
    x = np.zeros(b.shape, a.dtype)
    order = range(n) if lower else range(n - 1, -1, -1)
    for i in order:
        x[i] = (b[i] - t[i] @ x) / t[i, i]
    return x


def _qr(x, full_matrices):
    q, r = np.linalg.qr(x, mode="complete" if full_matrices else "reduced")
    return q.astype(x.dtype), r.astype(x.dtype)


def _svd(x, compute_uv, full_matrices):
    if not compute_uv:
        return (np.linalg.svd(x, compute_uv=False).astype(x.dtype),)
    u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
    return s.astype(x.dtype), u.astype(x.dtype), np.swapaxes(vh, -1, -2).astype(x.dtype)


def _eigh(x, compute_v):
    if not compute_v:
        return (np.linalg.eigvalsh(x, UPLO="L").astype(x.dtype),)
    e, v = np.linalg.eigh(x, UPLO="L")
    return e.astype(x.dtype), v.astype(x.dtype)


def _slogdet(x):
    sign, logabs = np.linalg.slogdet(x)
    return sign.astype(x.dtype), logabs.astype(x.dtype)


_LINALG = "linalg"
register(OpDef("dfc.matrix_inverse", _LINALG, _square_infer, _inverse, 1, {"adjoint": Attr("bool", False)},
               fusible_as=None, doc="the inverse of each matrix (of its adjoint); a singular one fails the run"))
register(OpDef("dfc.matrix_determinant", _LINALG, _det_infer,
               lambda x: np.linalg.det(x).astype(x.dtype), 1, fusible_as=None,
               doc="the determinant of each matrix (LU with partial pivoting)"))
register(OpDef("dfc.log_matrix_determinant", _LINALG, _slogdet_infer, _slogdet, 1, fusible_as=None,
               doc="(sign, log |det|) of each matrix"))
register(OpDef("dfc.cholesky", _LINALG, _square_infer, _cholesky, 1, fusible_as=None,
               doc="the lower Cholesky factor of each matrix (read from its lower triangle); a matrix that is not "
                   "positive definite fails the run"))
register(OpDef("dfc.matrix_solve", _LINALG, _solve_infer, _solve, 2, {"adjoint": Attr("bool", False)},
               fusible_as=None, doc="x with matrix @ x = rhs (adjoint: matrix^T @ x = rhs), batch dims broadcast"))
register(OpDef("dfc.matrix_triangular_solve", _LINALG, _solve_infer, _triangular_solve, 2,
               {"lower": Attr("bool", True), "adjoint": Attr("bool", False)}, fusible_as=None,
               doc="x with tri(matrix) @ x = rhs for the lower (upper) triangle of matrix, batch dims broadcast"))
register(OpDef("dfc.qr", _LINALG, _qr_infer, _qr, 1, {"full_matrices": Attr("bool", False)}, fusible_as=None,
               doc="(q, r): q orthonormal columns, r upper triangular, q @ r the input"))
register(OpDef("dfc.svd", _LINALG, _svd_infer, _svd, 1,
               {"compute_uv": Attr("bool", True), "full_matrices": Attr("bool", False)}, fusible_as=None,
               doc="(s, u, v), s descending, u @ diag(s) @ v^T the input; only s unless compute_uv"))
register(OpDef("dfc.self_adjoint_eig", _LINALG, _eigh_infer, _eigh, 1, {"compute_v": Attr("bool", True)},
               fusible_as=None, doc="(e, v): the ascending eigenvalues and eigenvectors of each symmetric matrix "
                                    "(its lower triangle); only e unless compute_v"))



# ---- sorting (numpy's sort on the host, as the LAPACK ops) ------------------------------------------------------
def _argsort_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, (f16, f32, f64, i8, i16, i32, i64, *UNSIGNED), "values")
    if t.rank < 1:
        raise ShapeError(f"argsort needs values of rank >= 1, got {t}")
    return [TensorType(i32, t.shape)]


def _argsort(x, descending):
    """The stable order of each row (last axis): equal values keep their order, ascending or descending."""
    if not descending:
        return np.argsort(x, axis=-1, kind="stable").astype(np.int32)
    # descending and stable: sort the reversed row ascending, reverse that order, map back to the row's indices
    n = x.shape[-1]
    order = np.argsort(x[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    return (n - 1 - order).astype(np.int32)


register(OpDef("dfc.argsort", "sort", _argsort_infer, _argsort, 1, {"descending": Attr("bool", False)},
               differentiable=False, fusible_as=None,
               doc="the int32 indices that sort each row (last axis), stable: equal values keep their order"))

def _nms_infer(types, attrs):
    boxes, scores = tensor_operand(types, 0), tensor_operand(types, 1)
    require_dtype(boxes.dtype, (f32,), "boxes")
    require_dtype(scores.dtype, (f32,), "scores")
    if boxes.rank != 2 or boxes.shape[1] not in (None, 4):
        raise ShapeError(f"boxes must be 2-D [num_boxes, 4], got {boxes}")
    if scores.rank != 1:
        raise ShapeError(f"scores must be 1-D [num_boxes], got {scores}")
    if boxes.shape[0] is not None and scores.shape[0] is not None and boxes.shape[0] != scores.shape[0]:
        raise ShapeError(f"scores {scores} has incompatible shape for boxes {boxes}")
    for k, what in ((2, "iou_threshold"), (3, "score_threshold")):
        t = tensor_operand(types, k)
        require_dtype(t.dtype, (f32,), what)
        if t.rank != 0:
            raise ShapeError(f"{what} must be a scalar, got {t}")
    if attrs["max_output_size"] < 0:
        raise ShapeError(f"max_output_size must be non-negative, got {attrs['max_output_size']}")
    return [TensorType(i32, (attrs["max_output_size"],)), TensorType(i32, ())]


def _iou(a, b) -> float:
    """TF's IOU of two [y1, x1, y2, x2] boxes (corners in either order), 0 for empty areas."""
    ymin_a, xmin_a, ymax_a, xmax_a = min(a[0], a[2]), min(a[1], a[3]), max(a[0], a[2]), max(a[1], a[3])
    ymin_b, xmin_b, ymax_b, xmax_b = min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])
    area_a = (ymax_a - ymin_a) * (xmax_a - xmin_a)
    area_b = (ymax_b - ymin_b) * (xmax_b - xmin_b)
    if area_a <= 0 or area_b <= 0:
        return 0.0
    iy = max(min(ymax_a, ymax_b) - max(ymin_a, ymin_b), np.float32(0))
    ix = max(min(xmax_a, xmax_b) - max(xmin_a, xmin_b), np.float32(0))
    inter = iy * ix
    return float(inter / (area_a + area_b - inter))


def nms_indices(boxes: np.ndarray, scores: np.ndarray, max_output: int,
                iou_threshold: float, score_threshold: float) -> np.ndarray:
    """TF's greedy non-max suppression: the kept boxes' indices, by descending score (ties by index)."""
    if not 0.0 <= iou_threshold <= 1.0:
        raise ValueError(f"iou_threshold must be in [0, 1], got {iou_threshold}")
    order = sorted((i for i in range(len(scores)) if scores[i] > score_threshold), key=lambda i: (-scores[i], i))
    kept: list[int] = []
    for i in order:
        if len(kept) >= max_output:
            break
        if all(_iou(boxes[i], boxes[j]) <= iou_threshold for j in kept):
            kept.append(i)
    return np.asarray(kept, np.int32)


def _nms(boxes, scores, iou_threshold, score_threshold, max_output_size):
    kept = nms_indices(boxes, scores, max_output_size, float(iou_threshold), float(score_threshold))
    padded = np.zeros(max_output_size, np.int32)
    padded[:len(kept)] = kept
    return padded, np.asarray(len(kept), np.int32)


register(OpDef("dfc.non_max_suppression", "image", _nms_infer, _nms, 4, {"max_output_size": Attr("int")},
               differentiable=False, fusible_as=None,
               doc="(indices padded with 0 to max_output_size, count): TF's greedy NMS of (boxes, scores, "
                   "iou_threshold, score_threshold)"))

#: the ops above whose CPU code calls their numpy reference on the host (compiler/codegen/lapack.py); the GPU
#: has no kernels for them and placement runs them on the CPU, as TF1 places ops without GPU kernels
HOST_OPS = ("dfc.matrix_inverse", "dfc.matrix_determinant", "dfc.log_matrix_determinant", "dfc.cholesky",
            "dfc.matrix_solve", "dfc.matrix_triangular_solve", "dfc.qr", "dfc.svd", "dfc.self_adjoint_eig",
            "dfc.argsort", "dfc.non_max_suppression",
            # ir/ops/image_boxes.py's greedy and sampling loops over boxes
            "dfc.non_max_suppression_v5", "dfc.non_max_suppression_overlaps", "dfc.non_max_suppression_batched",
            "dfc.combined_non_max_suppression", "dfc.sample_distorted_bounding_box", "dfc.extract_glimpse",
            # ir/ops/forest.py's tree growing, a loop over a batch's examples
            "dfc.forest_grow",
            # ir/ops/ctc.py's beam search over label prefixes
            "dfc.ctc_beam_search")
