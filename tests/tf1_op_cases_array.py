"""TF1 programs over the array, segment, linear-algebra and special-math names of dfc's array area, written once
for real TF and dfc (recorded by tests/record_tf1_ops.py, checked by tests/test_tf1_ops_expectations.py)."""

from __future__ import annotations

import numpy as np

from tf1_op_cases import Case

F32 = np.float32


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _x4() -> np.ndarray:
    return _rng(101).standard_normal((2, 3, 4, 5)).astype(F32)


def _well_conditioned(seed: int, shape) -> np.ndarray:
    return (_rng(seed).standard_normal(shape) + 3.0 * np.eye(shape[-1])).astype(F32)


def _spd(seed: int, shape) -> np.ndarray:
    x = _rng(seed).standard_normal(shape)
    return (x @ np.swapaxes(x, -1, -2) + np.eye(shape[-1])).astype(F32)


def _rebuild_eig(tf, e, v):
    return tf.matmul(v * tf.expand_dims(e, -2), v, transpose_b=True)


def _rebuild_svd(tf, s, u, v):
    return tf.matmul(u * tf.expand_dims(s, -2), v, transpose_b=True)


CASES: list[Case] = [
    Case("indexing_newaxis_ellipsis", {"x": _x4()},
         lambda tf, x: {"col": x[:, tf.newaxis], "last": x[..., None], "ell0": x[..., 0],
                        "rev": x[::-1], "mixed": x[1, ..., 4:0:-2], "neg": x[-1:], "far": x[10:-10:-1],
                        "many_new": x[None, 1, None, ..., -1], "clamped": x[:, -100:100], "scalar": x[-1, -1, -1, -1],
                        "steps": x[::2, 1::-1], "ellipsis": x[...], "front": x[None],
                        "ell_new": x[0, ..., None, 2]},
         grad=("x",)),
    Case("strided_slice_masks", {"x": _x4()},
         lambda tf, x: {"plain": tf.strided_slice(x, [0, 1, 0], [2, 3, 4], [1, 1, 2]),
                        "masks": tf.strided_slice(x, [1, 0, 0, 0], [2, 0, 0, 3], [1, 1, 1, -1], begin_mask=2,
                                                  end_mask=6, shrink_axis_mask=1),
                        "ellipsis_new": tf.strided_slice(x, [0, 0, 2], [0, 0, 3], ellipsis_mask=1, new_axis_mask=2,
                                                         shrink_axis_mask=4),
                        "reversed": tf.strided_slice(x, [-1, 0], [0, 0], [-1, 1], end_mask=3),
                        "default_strides": tf.strided_slice(x, [1, 2], [2, 3]),
                        "shrink_all": tf.strided_slice(x, [1, 2, 3, 4], [2, 3, 4, 5], shrink_axis_mask=15)},
         grad=("x",)),
    Case("dynamic_scalar_index", {"x": _x4(), "i": np.array(-2, np.int32), "j": np.array(1, np.int64)},
         lambda tf, x, i, j: {"col": x[:, i], "row": x[j, ..., -1], "both": x[j, j], "mixed": x[i, 2],
                              "new": x[:, None, j, 1]},
         grad=("x",)),
    Case("reverse_sequence", {"x": _x4(), "lengths": np.array([1, 3], np.int32),
                              "l64": np.array([0, 5, 2], np.int64)},
         lambda tf, x, lengths, l64: {"seq2": tf.reverse_sequence(x, lengths, seq_axis=2, batch_axis=0),
                                      "seq3": tf.reverse_sequence(x, l64, seq_axis=3, batch_axis=1),
                                      "batch_after": tf.reverse_sequence(tf.transpose(x, [1, 0, 2, 3]), lengths, 2,
                                                                         batch_axis=1),
                                      "default_batch": tf.reverse_sequence(x, [3, 0], 1)},
         grad=("x",)),
    Case("structure_shapes", {"x": _x4(), "q": np.ones((2, 3), F32)},
         lambda tf, x, q: {"tuple0": tf.tuple([x * 2.0, None, q + 1.0])[0],
                           "tuple2": tf.tuple([x * 2.0, None, q + 1.0], control_inputs=[tf.no_op()])[2],
                           "identity_n": tf.identity_n([x, q])[1], "shape_n": tf.shape_n([x, q])[0],
                           "shape_n64": tf.shape_n([x, q], out_type=tf.int64)[1],
                           "bcast_dyn": tf.broadcast_dynamic_shape(tf.shape(q), [4, 1, 1]),
                           "bcast_const": tf.broadcast_dynamic_shape([2, 1, 3], [4, 1]),
                           "ensure": tf.ensure_shape(q, [2, None]) * 3.0},
         grad=("x", "q")),
    Case("unsorted_segments", {"d": np.array([[1.0, -2.0], [3.0, 3.0], [-1.0, 5.0], [3.0, 0.0], [2.0, 2.0],
                                              [0.5, 0.0]], F32),
                               "ids": np.array([0, 2, 0, 2, -1, 0], np.int32),
                               "m": _rng(102).standard_normal((2, 3, 2)).astype(F32),
                               "mids": np.array([[1, 0, 1], [3, 3, 0]], np.int64)},
         lambda tf, d, ids, m, mids: {"max": tf.unsorted_segment_max(d, ids, 4),
                                      "min": tf.math.unsorted_segment_min(d, ids, 4),
                                      "prod": tf.unsorted_segment_prod(d, ids, 4),
                                      "mean": tf.unsorted_segment_mean(d, ids, 4),
                                      "sqrt_n": tf.math.unsorted_segment_sqrt_n(d, ids, tf.constant(4)),
                                      "max_2d_ids": tf.unsorted_segment_max(m, mids, 5),
                                      "prod_2d_ids": tf.unsorted_segment_prod(m, mids, 4),
                                      "mean_2d_ids": tf.unsorted_segment_mean(m, mids, 4),
                                      "imax": tf.unsorted_segment_max(tf.cast(d, tf.int32), ids, 4),
                                      "imin": tf.unsorted_segment_min(tf.cast(d, tf.int64), ids, 4)},
         grad=("d", "m")),
    Case("sorted_segments", {"d": _rng(103).standard_normal((6, 3)).astype(F32)},
         lambda tf, d: {"sum": tf.segment_sum(d, tf.constant([0, 0, 1, 3, 3, 3])),
                        "mean": tf.math.segment_mean(d, tf.constant([0, 0, 1, 3, 3, 3])),
                        "max": tf.segment_max(d, tf.constant([0, 0, 1, 3, 3, 3])),
                        "min": tf.segment_min(d, tf.constant([1, 1, 1, 3, 3, 3], tf.int64)),
                        "prod": tf.math.segment_prod(d * tf.constant([[1.0], [0.0], [1.0], [1.0], [1.0], [1.0]]),
                                                     tf.constant([0, 0, 1, 3, 3, 3]))},
         grad=("d",)),
    Case("counting", {"a": np.array([1, 4, 1, 0, 7, 4, 4], np.int32), "w": np.linspace(0, 1, 7).astype(F32),
                      "labels": np.array([0, 2, 1, 2, 2], np.int64), "preds": np.array([0, 1, 1, 2, 0], np.int64),
                      "v": np.array([-1.0, 0.0, 0.4, 1.2, 2.5, 4.99, 5.0, 7.0, 2.0], F32)},
         lambda tf, a, w, labels, preds, v: {
             "bincount": tf.bincount(a, minlength=9, maxlength=9),
             "bincount_w": tf.math.bincount(a, weights=w, minlength=5, maxlength=5),
             "bincount_cut": tf.bincount(a, minlength=4, maxlength=4, dtype=tf.float32),
             "bincount_const": tf.bincount(tf.constant([3, 1, 3])),
             "confusion": tf.confusion_matrix(labels, preds, num_classes=4),
             "confusion_w": tf.math.confusion_matrix(labels, preds, num_classes=3, weights=w[:5],
                                                     dtype=tf.float32),
             "confusion_const": tf.confusion_matrix(tf.constant([1, 2]), tf.constant([2, 2])),
             "histogram": tf.histogram_fixed_width(v, [0.0, 5.0], nbins=5),
             "histogram_100": tf.histogram_fixed_width(v * 3.0, tf.constant([-2.0, 30.0]), dtype=tf.int64),
             "searchsorted": tf.searchsorted(tf.constant([[0.0, 1.0, 1.0, 3.0], [2.0, 2.0, 5.0, 9.0]]),
                                             tf.reshape(v[:6], [2, 3])),
             "searchsorted_r": tf.searchsorted(tf.constant([[0.0, 1.0, 1.0, 3.0], [2.0, 2.0, 5.0, 9.0]]),
                                               tf.reshape(v[:6], [2, 3]), side="right", out_type=tf.int64),
             "searchsorted_1d": tf.searchsorted(tf.constant([0.0, 1.0, 2.0]), v),
             "unravel": tf.unravel_index(a, [2, 4]), "unravel_scalar": tf.unravel_index(tf.constant(5), [3, 2])}),
    Case("partition_stitch", {"d": _rng(104).standard_normal((5, 2)).astype(F32),
                              "e": _rng(105).standard_normal((2, 2)).astype(F32)},
         lambda tf, d, e: dict(
             **{f"part{i}": p for i, p in enumerate(tf.dynamic_partition(d, tf.constant([1, 0, 1, 2, 1]), 4))},
             stitch=tf.dynamic_stitch([tf.constant([0, 3, 1, 5, 2]), tf.constant([4, 3])], [d, e]),
             stitch_dup=tf.dynamic_stitch([tf.constant([[0, 1], [2, 1]]), tf.constant([2])],
                                          [tf.reshape(d[:4], [2, 2, 2]), e[:1]]),
             unique_y=tf.unique_with_counts(tf.constant([4, 1, 4, 2, 1, 4]))[0],
             unique_idx=tf.unique_with_counts(tf.constant([4, 1, 4, 2, 1, 4]))[1],
             unique_count=tf.unique_with_counts(tf.constant([4, 1, 4, 2, 1, 4]), out_idx=tf.int64)[2]),
         grad=("d", "e")),
    Case("scatter_extremes_logcumsum", {"t": _rng(106).standard_normal((4, 3)).astype(F32),
                                        "u": _rng(107).standard_normal((3, 3)).astype(F32),
                                        "x": np.array([[-1.0, 2.0, -30.0, 0.5], [100.0, 99.0, -np.inf, 3.0]], F32),
                                        "y": _rng(108).uniform(-50, 50, (3, 5)).astype(F32)},
         lambda tf, t, u, x, y: {"lcse_y": tf.math.cumulative_logsumexp(y, 1),
                                 "lcse_y0": tf.math.cumulative_logsumexp(y, exclusive=True, reverse=True),
                                 "nd_max": tf.tensor_scatter_nd_max(t, [[1], [3], [1]], u),
                              "nd_min": tf.tensor_scatter_nd_min(t, [[0, 2], [3, 1], [0, 2]], u[:, 0]),
                              "lcse": tf.math.cumulative_logsumexp(x, axis=1),
                              "lcse_ex": tf.math.cumulative_logsumexp(x, axis=1, exclusive=True),
                              "lcse_rev": tf.math.cumulative_logsumexp(x, 0, reverse=True),
                              "lcse_both": tf.math.cumulative_logsumexp(x, -1, exclusive=True, reverse=True)},
         grad=("t", "u", "y")),
    Case("linalg", {"a": _well_conditioned(109, (2, 3, 3)), "s": _spd(110, (2, 3, 3)),
                    "b": _rng(111).standard_normal((2, 3, 2)).astype(F32),
                    "w": _rng(112).standard_normal((4, 3)).astype(F32),
                    "z": _rng(113).standard_normal((4, 3)).astype(F32)},  # no gradient: TF has no full QR's
         lambda tf, a, s, b, w, z: {
             "inv": tf.matrix_inverse(a), "inv_adj": tf.linalg.inv(a, adjoint=True),
             "det": tf.matrix_determinant(a), "det2": tf.linalg.det(a * 2.0),
             "slogdet": tf.linalg.slogdet(a)[1], "sign": tf.linalg.slogdet(-a)[0], "logdet": tf.linalg.logdet(s),
             "chol": tf.cholesky(s), "chol_solve": tf.cholesky_solve(tf.linalg.cholesky(s), b),
             "solve": tf.matrix_solve(a, b), "solve_adj": tf.linalg.solve(a, b, adjoint=True),
             "tri": tf.matrix_triangular_solve(a, b), "tri_up": tf.linalg.triangular_solve(a, b, lower=False),
             "tri_adj": tf.matrix_triangular_solve(a, b, lower=True, adjoint=True),
             "eigvals": tf.self_adjoint_eigvals(s), "eigvalsh": tf.linalg.eigvalsh(s),
             "eig_rebuilt": _rebuild_eig(tf, *tf.self_adjoint_eig(s)),
             "eig_abs": tf.abs(tf.linalg.eigh(s)[1]),
             "qr_q_abs": tf.abs(tf.qr(w)[0]), "qr_r_abs": tf.abs(tf.linalg.qr(w)[1]),
             "qr_full_abs": tf.abs(tf.qr(z, full_matrices=True)[1]),
             "svd_s": tf.svd(w, compute_uv=False), "svd_rebuilt": _rebuild_svd(tf, *tf.svd(w)),
             "svd_wide": _rebuild_svd(tf, *tf.linalg.svd(tf.transpose(w))),
             "svd_full_s": tf.svd(w, full_matrices=True)[0], "svd_abs_u": tf.abs(tf.svd(b)[1]),
             "lstsq": tf.matrix_solve_ls(w, w[:, :2] * 3.0, l2_regularizer=0.1),
             "lstsq_under": tf.linalg.lstsq(tf.transpose(w), b[0]),
             "cross": tf.cross(a, a[::-1]), "linalg_cross": tf.linalg.cross(b[..., :1] * a, a)},
         grad=("a", "s", "b", "w")),
    Case("bitwise", {"a": np.array([0, 1, -1, 5, -128, 127, 77, -3], np.int32),
                     "b": np.array([3, 1, 2, 0, 1, 6, 31, 4], np.int32),
                     "u": np.array([0, 1, 255, 128, 17, 200], np.uint8),
                     "v": np.array([7, 1, 4, 0, 3, 2], np.uint8),
                     "c": np.array([[-7, 100], [3, -128]], np.int8), "d": np.array([1, 7], np.int8)},
         lambda tf, a, b, u, v, c, d: {
             "and": tf.bitwise.bitwise_and(a, b), "or": tf.bitwise.bitwise_or(a, b),
             "xor": tf.bitwise.bitwise_xor(a, b), "invert": tf.bitwise.invert(a),
             "lshift": tf.bitwise.left_shift(a, b), "rshift": tf.bitwise.right_shift(a, b),
             "u_and": tf.bitwise.bitwise_and(u, v), "u_invert": tf.bitwise.invert(u),
             "u_lshift": tf.bitwise.left_shift(u, v), "u_rshift": tf.bitwise.right_shift(u, v),
             "i8_bcast": tf.bitwise.bitwise_xor(c, d), "i8_shift": tf.bitwise.right_shift(c, d),
             "i8_lshift": tf.bitwise.left_shift(c, d)}),
    Case("special_functions", {
        "x": np.array([-3.5, -2.0, -1.5, -0.5, -1e-3, 0.0, 1e-6, 0.1, 0.5, 1.0, 1.4616, 2.0, 3.3, 10.0, 100.0, 1e5,
                       3e38, np.inf], F32),
        "g": np.array([0.3, 1.0, 2.5, -1.5, 7.0, 50.0, -0.7], F32),
        "u": np.array([-1.0, -0.999999, -0.9, -0.3, 0.0, 0.5, 0.99, 0.9999999, 1.0, 1.5], F32),
        "p": np.array([0.0, 1e-30, 1e-10, 1e-3, 0.02, 0.3, 0.5, 0.7, 0.99, 0.9999999, 1.0, -0.1], F32),
        "b": np.array([[0.5, 1.5, 2.0], [3.0, 0.25, 7.0]], F32)},
        lambda tf, x, g, u, p, b: {
            "lgamma": tf.lgamma(x), "digamma": tf.digamma(x), "m_lgamma": tf.math.lgamma(g),
            "m_digamma": tf.math.digamma(g), "lgamma64": tf.cast(tf.lgamma(tf.cast(x, tf.float64)), tf.float32),
            "digamma64": tf.cast(tf.math.digamma(tf.cast(g, tf.float64)) * 1e3, tf.float32),
            "erfinv": tf.math.erfinv(u),
            "ndtri": tf.math.ndtri(p), "erfinv_g": tf.math.erfinv(g * 0.1), "ndtri_g": tf.math.ndtri(g * 0.01 + 0.5),
            "lbeta": tf.lbeta(b), "m_lbeta": tf.math.lbeta(b[0])},
        grad=("g", "b")),
    Case("space_batch_misc", {"x": _rng(114).standard_normal((2, 4, 6, 3)).astype(F32),
                              "y": _rng(115).standard_normal((8, 2, 3, 2)).astype(F32),
                              "v": np.array([-1.0, 0.0, 0.4, 1.2, 2.5, 4.99, 5.0, 7.0], F32),
                              "m": _rng(116).standard_normal((2, 4, 3)).astype(F32),
                              "q": np.array([0.02, 0.5, 1.0, 1.7, 1.999], F32)},
         lambda tf, x, y, v, m, q: {
             "s2b": tf.space_to_batch_nd(x, [2, 3], [[0, 0], [0, 0]]),
             "s2b_pad": tf.space_to_batch_nd(x, [2, 2], [[1, 1], [0, 2]]),
             "s2b_1d": tf.manip.space_to_batch_nd(x[:, :, 0, :], [2], [[1, 1]]),
             "b2s": tf.batch_to_space_nd(y, [2, 2], [[0, 1], [1, 0]]),
             "b2s_plain": tf.manip.batch_to_space_nd(y, [2, 4], [[0, 0], [0, 0]]),
             "s2b_4d": tf.space_to_batch(x, [[0, 2], [1, 1]], block_size=2),
             "b2s_4d": tf.batch_to_space(y, [[1, 1], [0, 2]], block_size=2),
             "roundtrip": tf.batch_to_space_nd(tf.space_to_batch_nd(x, [2, 2], [[1, 1], [0, 2]]), [2, 2],
                                               [[1, 1], [0, 2]]),
             "bins": tf.histogram_fixed_width_bins(v, [0.0, 5.0], nbins=5),
             "pinv": tf.linalg.pinv(m), "pinv_t": tf.linalg.pinv(tf.linalg.transpose(m)),
             "rank": tf.linalg.matrix_rank(tf.concat([m, m[:, :1]], 1)),
             "erfcinv": tf.math.erfcinv(q), "parallel_stack": tf.parallel_stack([v, v * 2.0]),
             "to_bf16_back": tf.cast(tf.to_bfloat16(v * 1.3), tf.float32)},
         grad=("x", "y", "m")),
    Case("shape_derived_slices", {"x": _rng(117).standard_normal((4, 6, 3)).astype(F32),
                                  "y": np.ones((2, 5), F32)},
         lambda tf, x, y: {"trim": x[:, :tf.shape(y)[1]], "drop_last": x[:tf.shape(x)[0] - 1, 1:],
                           "from": x[tf.shape(y)[0]:, ::2, 1], "ellipsis": x[..., tf.shape(y)[0] - 3:],
                           "slice": tf.slice(x, [0, 1, 0], [tf.shape(y)[0], -1, 2]),
                           "slice_begin": tf.slice(x, tf.stack([1, tf.shape(y)[0], 0]), [2, 2, 3]),
                           "strided": tf.strided_slice(x, [0, 0], tf.stack([tf.shape(y)[0], 3]), [1, 1])},
         grad=("x",)),
    Case("bessel", {"x": np.array([-100.0, -20.0, -15.0, -14.9, -3.0, -0.5, 0.0, 1e-4, 0.7, 2.0, 9.0, 15.0, 15.5, 40.0,
                                   88.0], F32)},
         lambda tf, x: {"i0e": tf.math.bessel_i0e(x), "i1e": tf.math.bessel_i1e(x), "i0": tf.math.bessel_i0(x / 10.0),
                        "i1": tf.math.bessel_i1(x / 10.0),
                        "i1e64": tf.cast(tf.math.bessel_i1e(tf.cast(x, tf.float64)), tf.float32)},
         grad=("x",)),
]
