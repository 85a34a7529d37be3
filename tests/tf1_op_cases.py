"""TF1 programs over the ops dfc adds for TF1 scripts, written once for both real TF and dfc.

Each case builds its outputs from placeholders with `tf` being either `tensorflow.compat.v1`
(tests/record_tf1_ops.py records what TF computes, with gradients) or `dfc`
(tests/test_tf1_ops_expectations.py checks dfc against the recording on both backends).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

F32 = np.float32


@dataclass
class Case:
    name: str
    inputs: dict[str, np.ndarray]
    build: Callable  # (tf, **placeholders) -> dict of output tensors
    grad: tuple[str, ...] = ()  # float inputs to differentiate the weighted sum of the float outputs by
    consts: dict = field(default_factory=dict)


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _edge() -> np.ndarray:
    return np.array([-100.0, -30.0, -3.0, -1.0, -0.5, -1e-6, 0.0, 1e-6, 0.5, 1.0, 3.0, 30.0, 100.0], F32)


def _unit() -> np.ndarray:
    return np.array([-0.999, -0.9, -0.5, -1e-6, 0.0, 1e-6, 0.3, 0.9, 0.999], F32)


CASES: list[Case] = [
    # ---- math --------------------------------------------------------------------------------------
    Case("trig_hyperbolic", {"x": _edge(), "s": np.linspace(-1.4, 1.4, 11).astype(F32)},
         lambda tf, x, s: {"sinh": tf.sinh(x * 0.2), "cosh": tf.cosh(x * 0.2), "asinh": tf.asinh(x),
                           "tan": tf.tan(s), "sinh_big": tf.sinh(x), "cosh_big": tf.cosh(x)},
         grad=("x", "s")),
    Case("inverse_trig_erf", {"u": _unit(), "x": _edge(),
                              "y2": np.array([0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 3.0, -2.5, np.inf, -np.inf, 1.0], F32),
                              "x2": np.array([0.0, 0.0, -0.0, -0.0, -1.0, -1.0, 0.5, -0.5, 1.0, -np.inf, np.inf], F32),
                              "w": np.array([-1.0, 1.0, 1.5, -2.0], F32)},
         lambda tf, u, x, y2, x2, w: {"atan": tf.atan(x), "asin": tf.asin(u), "acos": tf.acos(u),
                                      "erf": tf.erf(x * 0.1), "erfc": tf.erfc(x * 0.1), "erf_big": tf.math.erf(x),
                                      "erfc_big": tf.math.erfc(x), "atan2": tf.atan2(y2, x2),
                                      "atan2_bcast": tf.math.atan2(tf.reshape(u, [9, 1]), w),
                                      "asin_out": tf.asin(w), "acos_out": tf.math.acos(w)},
         grad=("u", "x", "w")),
    Case("inverse_hyperbolic", {"u": _unit(), "c": np.array([1.0, 1.0001, 1.5, 2.0, 10.0, 1e5, 3e7], F32)},
         lambda tf, u, c: {"atanh": tf.atanh(u), "acosh": tf.acosh(c), "asinh": tf.asinh(c)}, grad=("u",)),
    Case("nan_inf_checks", {"x": np.array([np.nan, np.inf, -np.inf, 0.0, -1.5, 3e38], F32)},
         lambda tf, x: {"is_nan": tf.is_nan(x), "is_inf": tf.is_inf(x), "is_finite": tf.is_finite(x),
                        "m_nan": tf.math.is_nan(x)}),
    Case("safe_division", {"x": np.array([1.0, -2.0, 0.0, 3.0, 0.0, 5.0], F32),
                           "y": np.array([2.0, 0.0, 0.0, -4.0, 1.5, 0.5], F32)},
         lambda tf, x, y: {"div_no_nan": tf.div_no_nan(x, y), "xlogy": tf.math.xlogy(x, y * y),
                           "xdivy": tf.math.xdivy(x, y), "mul_no_nan": tf.math.multiply_no_nan(x, y),
                           "xlog1py": tf.math.xlog1py(x, y * y), "divide_no_nan": tf.math.divide_no_nan(y, x)},
         grad=("x", "y")),
    Case("integer_division", {"a": np.array([-7, 7, -8, 9, 0, -1], np.int32), "b": np.array([2, -2, 3, 4, 5, 3],
                                                                                           np.int32),
                              "f": np.array([-7.5, 7.5, -0.5, 9.0], F32), "g": np.array([2.0, -2.0, 0.25, -4.0], F32)},
         lambda tf, a, b, f, g: {"truncatediv": tf.truncatediv(a, b), "truncatemod": tf.truncatemod(a, b),
                                 "floor_div": tf.floor_div(a, b), "ftruncatediv": tf.truncatediv(f, g),
                                 "ftruncatemod": tf.truncatemod(f, g), "realdiv": tf.realdiv(f, g)}),
    Case("misc_math", {"x": _edge(), "y": np.arange(6, dtype=F32).reshape(2, 3) - 2.5},
         lambda tf, x, y: {"log_sigmoid": tf.log_sigmoid(x), "softplus": tf.nn.softplus(x),
                           "softsign": tf.nn.softsign(x), "rint": tf.rint(y), "scalar_mul": tf.scalar_mul(3.0, y),
                           "accumulate_n": tf.accumulate_n([y, y * 2.0, y]),
                           "polyval": tf.math.polyval([1.0, -2.0, 0.5], y)},
         grad=("x", "y")),
    Case("reductions", {"x": _rng(1).standard_normal((3, 4, 5)).astype(F32),
                        "m": np.array([[-np.inf, -np.inf, -np.inf], [1.0, 2.0, 3.0], [1e3, 1e3, -np.inf]], F32)},
         lambda tf, x, m: {"lse": tf.reduce_logsumexp(x), "lse1": tf.reduce_logsumexp(x, axis=1),
                           "lse_keep": tf.reduce_logsumexp(x, axis=[0, 2], keepdims=True),
                           "lse_inf": tf.reduce_logsumexp(m, axis=1),
                           "count": tf.count_nonzero(tf.round(x)), "count1": tf.count_nonzero(tf.round(x), axis=1),
                           "count_i32": tf.count_nonzero(tf.round(x), axis=[0, 2], dtype=tf.int32, keepdims=True),
                           "var": tf.math.reduce_variance(x, axis=1), "std": tf.math.reduce_std(x, axis=[0, 1]),
                           "euclid": tf.math.reduce_euclidean_norm(x, axis=2),
                           "zero_fraction": tf.math.zero_fraction(tf.round(x))},
         grad=("x",)),
    Case("scans", {"x": _rng(20).uniform(-1.5, 1.5, (3, 4, 5)).astype(F32),
                   "i": np.arange(-6, 6, dtype=np.int32).reshape(3, 4)},
         lambda tf, x, i: {"cumsum": tf.cumsum(x), "cumsum1": tf.cumsum(x, axis=1, exclusive=True),
                           "cumsum_rev": tf.cumsum(x, -1, reverse=True),
                           "cumsum_both": tf.math.cumsum(x, 2, exclusive=True, reverse=True),
                           "cumprod": tf.cumprod(x, 1), "cumprod_ex": tf.cumprod(x, axis=-1, exclusive=True),
                           "cumprod_rev": tf.math.cumprod(x, 0, exclusive=True, reverse=True),
                           "icumsum": tf.cumsum(i, 1), "icumprod": tf.cumprod(i, 0, reverse=True)},
         grad=("x",)),
    Case("saturate_cast", {"x": np.array([-1e10, -300.0, -1.5, 0.0, 200.7, 1e10], F32)},
         lambda tf, x: {"u8": tf.saturate_cast(x, tf.uint8), "i16": tf.saturate_cast(x, tf.int16),
                        "i32": tf.saturate_cast(x, tf.int32)}),
    # ---- clipping and norms ---------------------------------------------------------------------------
    Case("clip_by_value", {"t": np.array([[-2.0, -1.0, 0.0], [0.5, 1.0, 3.0]], F32),
                           "lo": np.array(-1.0, F32), "hi": np.array([0.5, 1.0, 2.0], F32)},
         lambda tf, t, lo, hi: {"clipped": tf.clip_by_value(t, lo, hi), "scalar": tf.clip_by_value(t, -0.5, 1.0)},
         grad=("t", "lo", "hi")),
    Case("clip_by_norm", {"t": _rng(2).standard_normal((3, 4)).astype(F32), "z": np.zeros((2, 2), F32)},
         lambda tf, t, z: {"all": tf.clip_by_norm(t, 1.5), "rows": tf.clip_by_norm(t, 1.0, axes=[1]),
                           "big": tf.clip_by_norm(t, 100.0), "zero": tf.clip_by_norm(z, 1.0),
                           "avg": tf.clip_by_average_norm(t, 0.1)},
         grad=("t",)),
    Case("clip_by_global_norm", {"a": _rng(3).standard_normal((3, 4)).astype(F32),
                                 "b": _rng(4).standard_normal(5).astype(F32)},
         lambda tf, a, b: dict(zip(["ca", "cb", "norm"], [*tf.clip_by_global_norm([a, None, b], 2.0)[0][::2],
                                                          tf.clip_by_global_norm([a, None, b], 2.0)[1]]),
                               gnorm=tf.global_norm([a, b]),
                               unclipped=tf.clip_by_global_norm([a, b], 100.0)[0][0],
                               use_norm=tf.clip_by_global_norm([a], 1.0, use_norm=tf.constant(4.0))[0][0]),
         grad=("a", "b")),
    Case("norms", {"x": _rng(5).standard_normal((3, 4)).astype(F32)},
         lambda tf, x: {"fro": tf.norm(x), "rows": tf.norm(x, axis=1), "l1": tf.norm(x, ord=1, axis=0),
                        "inf": tf.norm(x, ord=np.inf, axis=1, keepdims=True), "p3": tf.norm(x, ord=3),
                        "m1": tf.norm(x, ord=1, axis=[0, 1]), "minf": tf.norm(x, ord=np.inf, axis=(-2, -1)),
                        "l2n": tf.nn.l2_normalize(x, axis=1), "l2n_all": tf.nn.l2_normalize(x),
                        "linalg": tf.linalg.norm(x, axis=0)},
         grad=("x",)),
    # ---- array --------------------------------------------------------------------------------------
    Case("pad", {"x": _rng(6).standard_normal((2, 3, 4)).astype(F32)},
         lambda tf, x: {"constant": tf.pad(x, [[0, 0], [1, 2], [2, 1]], constant_values=1.5),
                        "reflect": tf.pad(x, [[1, 1], [2, 2], [3, 0]], "REFLECT"),
                        "symmetric": tf.pad(x, [[2, 0], [0, 3], [1, 4]], mode="symmetric"),
                        "zeros": tf.pad(x, tf.constant([[1, 0], [0, 0], [0, 1]]))},
         grad=("x",)),
    Case("reverse_roll", {"x": _rng(7).standard_normal((3, 4, 5)).astype(F32)},
         lambda tf, x: {"rev": tf.reverse(x, [0, 2]), "rev_v2": tf.reverse_v2(x, [-1]),
                        "roll": tf.roll(x, shift=2, axis=1), "roll2": tf.roll(x, shift=[-7, 1, 2], axis=[2, 0, 0])},
         grad=("x",)),
    Case("gather_scatter_nd", {"p": _rng(8).standard_normal((4, 3, 2)).astype(F32),
                               "u": _rng(9).standard_normal((3, 2)).astype(F32),
                               "t": _rng(10).standard_normal((4, 3, 2)).astype(F32)},
         lambda tf, p, u, t: {"gnd2": tf.gather_nd(p, [[1, 2], [3, 0], [1, 2]]),
                              "gnd1": tf.gather_nd(p, [[[2]], [[0]]]),
                              "gnd3": tf.gather_nd(p, [[0, 1, 1], [3, 2, 0]]),
                              "gnd_batch": tf.gather_nd(p, [[[1], [0]], [[2], [2]], [[0], [1]], [[1], [1]]],
                                                        batch_dims=1),
                              "snd": tf.scatter_nd([[1, 0], [3, 2], [1, 0]], u, [4, 3, 2]),
                              "tsnd_update": tf.tensor_scatter_nd_update(t, [[0, 1], [2, 2], [3, 0]], u),
                              "tsnd_add": tf.tensor_scatter_nd_add(t, [[0, 1], [2, 2], [0, 1]], u),
                              "tsnd_sub": tf.tensor_scatter_nd_sub(t, [[1], [3]], u[:2, None, :] * t[:2]),
                              "batch_gather": tf.batch_gather(p, [[2, 0], [1, 1], [0, 0], [2, 1]])},
         grad=("p", "u", "t")),
    Case("masks_ranges_grids", {"lengths": np.array([0, 2, 5, 3], np.int32), "v": np.array([1.0, 2.0, 3.0], F32),
                                "w": np.array([-1.0, 4.0], F32)},
         lambda tf, lengths, v, w: {"mask": tf.sequence_mask(lengths, 5), "mask_f": tf.sequence_mask(lengths, 6,
                                                                                                   dtype=tf.float32),
                                    "eye": tf.eye(3, 4), "eye_batch": tf.eye(2, batch_shape=[3], dtype=tf.int32),
                                    "linspace": tf.linspace(-1.0, 2.0, 7), "lin_space": tf.lin_space(0.0, 1.0, 1),
                                    "mesh_xy": tf.meshgrid(v, w)[0], "mesh_xy1": tf.meshgrid(v, w)[1],
                                    "mesh_ij": tf.meshgrid(v, w, indexing="ij")[1],
                                    "broadcast": tf.broadcast_to(v, [2, 3]),
                                    "broadcast2": tf.broadcast_to(tf.reshape(w, [2, 1]), [3, 2, 4])},
         grad=("v", "w")),
    Case("einsum_tensordot", {"a": _rng(11).standard_normal((2, 3, 4)).astype(F32),
                              "b": _rng(12).standard_normal((2, 4, 5)).astype(F32),
                              "m": _rng(13).standard_normal((4, 4)).astype(F32)},
         lambda tf, a, b, m: {"bmm": tf.einsum("bij,bjk->bik", a, b), "outer": tf.einsum("i,j->ij", m[0], m[1]),
                              "trace": tf.einsum("ii", m), "diag": tf.einsum("ii->i", m),
                              "transpose": tf.einsum("ij->ji", m), "sum": tf.einsum("bij->j", a),
                              "dot": tf.einsum("i,i->", m[0], m[2]), "implicit": tf.einsum("ij,jk", m, m),
                              "ellipsis": tf.einsum("...ij,...jk->...ik", a, b),
                              "three": tf.einsum("ij,jk,kl->il", m, m, m),
                              "bilinear": tf.einsum("bi,ij,bj->b", a[:, 0, :], m, b[:, :, 0]),
                              "td1": tf.tensordot(a, m, 1), "td_axes": tf.tensordot(a, b, [[0, 2], [0, 1]]),
                              "td0": tf.tensordot(m[0], m[1], 0)},
         grad=("a", "b", "m")),
    Case("diagonals", {"m": _rng(14).standard_normal((2, 3, 4)).astype(F32), "d": np.array([1.0, -2.0, 3.0], F32),
                       "s": _rng(15).standard_normal((2, 3)).astype(F32)},
         lambda tf, m, d, s: {"band": tf.matrix_band_part(m, 1, 0), "band_up": tf.linalg.band_part(m, 0, -1),
                              "band_all": tf.matrix_band_part(m, -1, 2), "diag": tf.diag(d),
                              "diag2": tf.diag(s), "diag_part": tf.diag_part(tf.diag(s) * 2.0),
                              "trace": tf.trace(m), "matrix_diag": tf.matrix_diag(s),
                              "matrix_diag_part": tf.matrix_diag_part(m), "linalg_diag_part": tf.linalg.diag_part(m),
                              "set_diag": tf.matrix_set_diag(m, s), "transpose": tf.matrix_transpose(m),
                              "linalg_transpose": tf.linalg.transpose(m), "matvec": tf.linalg.matvec(m, m[0, 0])},
         grad=("m", "d", "s")),
    Case("repeat_space_depth", {"x": _rng(16).standard_normal((2, 4, 6, 3)).astype(F32),
                                "r": np.array([[1, 2], [3, 4], [5, 6]], np.int32)},
         lambda tf, x, r: {"s2d": tf.space_to_depth(x, 2), "d2s": tf.depth_to_space(tf.space_to_depth(x, 2), 2),
                           "d2s_only": tf.depth_to_space(tf.concat([x, x[:, :, :, :1]], 3), 2),
                           "repeat": tf.repeat(r, 2), "repeat_axis": tf.repeat(r, [1, 0, 3], axis=0),
                           "repeat_x": tf.repeat(x[0, 0], [2, 1, 1, 0, 1, 3], axis=0)},
         grad=("x",)),
    Case("sorting", {"x": np.array([[3.0, -1.0, 2.0, -1.0, 0.5], [0.0, 0.0, -2.0, 7.0, 1.0]], F32),
                     "i": np.array([[[5, 1, 5], [2, 9, -3]], [[0, 0, 1], [4, 4, 4]]], np.int32)},
         lambda tf, x, i: {"sort": tf.sort(x), "sort_desc": tf.sort(x, direction="DESCENDING"),
                           "sort0": tf.sort(x, axis=0), "argsort": tf.argsort(x),
                           "argsort_desc": tf.argsort(x, direction="DESCENDING", stable=True),
                           "argsort_int": tf.argsort(i, axis=1), "sort_int": tf.sort(i, axis=-1,
                                                                                     direction="DESCENDING")},
         grad=("x",)),
    Case("image", {"img": _rng(21).uniform(0, 1, (2, 5, 7, 3)).astype(F32),
                   "u8": _rng(22).integers(0, 256, (4, 6, 3)).astype(np.uint8)},
         lambda tf, img, u8: {"bilinear_up": tf.image.resize_bilinear(img, [8, 11]),
                              "bilinear_down": tf.image.resize_images(img, [3, 4]),
                              "bilinear_corners": tf.image.resize_bilinear(img, [9, 4], align_corners=True),
                              "bilinear_half": tf.image.resize_bilinear(img, [7, 10], half_pixel_centers=True),
                              "nearest": tf.image.resize_nearest_neighbor(img, [8, 5]),
                              "nearest_corners": tf.image.resize_nearest_neighbor(img, [3, 11], align_corners=True),
                              "nearest_half": tf.image.resize_nearest_neighbor(img, [9, 6], half_pixel_centers=True),
                              "nearest_u8": tf.image.resize_images(u8, [7, 4],
                                                                   method=tf.image.ResizeMethod.NEAREST_NEIGHBOR),
                              "bilinear_u8": tf.image.resize_images(u8, [5, 9]),
                              "flip_lr": tf.image.flip_left_right(img), "flip_ud": tf.image.flip_up_down(u8),
                              "rot90": tf.image.rot90(u8, 3), "transpose": tf.image.transpose_image(img),
                              "standardized": tf.image.per_image_standardization(img),
                              "standardized_u8": tf.image.per_image_standardization(u8),
                              "to_float": tf.image.convert_image_dtype(u8, tf.float32),
                              "to_u8": tf.image.convert_image_dtype(img, tf.uint8),
                              "to_i16": tf.image.convert_image_dtype(u8, tf.int16),
                              "gray": tf.image.rgb_to_grayscale(img), "gray_u8": tf.image.rgb_to_grayscale(u8),
                              "crop": tf.image.crop_to_bounding_box(img, 1, 2, 3, 4),
                              "pad": tf.image.pad_to_bounding_box(u8, 1, 2, 7, 9),
                              "crop_or_pad": tf.image.resize_image_with_crop_or_pad(img, 8, 4),
                              "central": tf.image.central_crop(img, 0.5)},
         grad=("img",)),
    Case("moments_batchnorm", {"x": _rng(23).standard_normal((4, 3, 5)).astype(F32),
                               "w": _rng(24).uniform(0, 2, (4, 3, 1)).astype(F32),
                               "gamma": np.array([0.5, 1.5, -1.0, 2.0, 1.0], F32),
                               "beta": np.array([0.1, 0.0, -0.2, 0.3, 1.0], F32)},
         lambda tf, x, w, gamma, beta: dict(
             zip(["mean", "var"], tf.nn.moments(x, [0, 1])),
             **dict(zip(["mean_keep", "var_keep"], tf.nn.moments(x, axes=[2], keep_dims=True))),
             **dict(zip(["wmean", "wvar"], tf.nn.weighted_moments(x, [0, 1], w))),
             **dict(zip(["count", "mss", "vss"], tf.nn.sufficient_statistics(x, [0, 1], shift=0.5)[:3])),
             **dict(zip(["nmean", "nvar"], tf.nn.normalize_moments(*tf.nn.sufficient_statistics(x, [0], shift=0.5)))),
             bn=tf.nn.batch_normalization(x, *tf.nn.moments(x, [0, 1]), beta, gamma, 1e-3),
             bn_none=tf.nn.batch_normalization(x, *tf.nn.moments(x, [0, 1]), None, None, 1e-3)),
         grad=("x", "w", "gamma", "beta")),
    Case("constant_data_dependent", {},
         lambda tf: {"unique_y": tf.unique(tf.constant([4, 1, 4, 2, 1, 7]))[0],
                     "unique_idx": tf.unique(tf.constant([4, 1, 4, 2, 1, 7]))[1],
                     "setdiff": tf.setdiff1d(tf.constant([1, 2, 3, 4, 5, 6]), tf.constant([2, 4, 9]))[0],
                     "setdiff_idx": tf.setdiff1d(tf.constant([1, 2, 3, 4, 5, 6]), tf.constant([2, 4, 9]))[1],
                     "where": tf.where(tf.constant([[True, False], [False, True], [True, True]])),
                     "boolean_mask": tf.boolean_mask(tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
                                                     tf.constant([True, False, True])),
                     "invert": tf.invert_permutation(tf.constant([3, 0, 2, 1]))}),
]
CASES += __import__("tf1_op_cases_array").CASES  # noqa: E402 - the array area's cases (tests/tf1_op_cases_array.py)
CASES += __import__("tf1_op_cases_dyn").CASES  # tf.TensorArray, map_fn/scan/foldl (h-dyn)
from tf1_op_cases_nn import CASES as _NN_CASES  # noqa: E402 - tf.nn's and tf.losses' names

CASES += _NN_CASES
CASES += __import__("tf1_op_cases_image").CASES  # tf.image (tests/tf1_op_cases_image.py)
CASES += __import__("tf1_op_cases_seq2seq").CASES  # tf.contrib.seq2seq (tests/tf1_op_cases_seq2seq.py)
CASES += __import__("tf1_op_cases_keras").CASES  # tf.keras's backend, activations, losses, metrics (h-keras)
CASES += __import__("tf1_op_cases_sparse").CASES  # SparseTensor, tf.sparse, embedding_lookup_sparse (h-sparse)
CASES += __import__("tf1_op_cases_dist").CASES  # tf.distributions, tf.random.gamma (tests/tf1_op_cases_dist.py)
CASES += __import__("tf1_op_cases_strings").CASES  # tf.string tensors and tf.strings (tests/tf1_op_cases_strings.py)
CASES += __import__("tf1_op_cases_loops").CASES  # TensorArrays growing in loops, fed-length map_fn/scan (h-loops)
CASES += __import__("tf1_op_cases_image_codecs").CASES  # tf.image's decoders and encoders (h-image)
CASES += __import__("tf1_op_cases_image_boxes").CASES  # tf.image's NMS variants (h-image)
CASES += __import__("tf1_op_cases_partition").CASES  # lookups over shards, serialize_tensor (h-partition)
CASES += __import__("tf1_op_cases_linalg_ops").CASES  # tf.linalg LinearOperators, tridiagonal, lu, expm (h-linalg)
CASES += __import__("tf1_op_cases_seqex").CASES  # SequenceExample, sequence features, JSON (h-seqex)
CASES += __import__("tf1_op_cases_contrib_image").CASES  # tf.contrib.image (h-contribx)
