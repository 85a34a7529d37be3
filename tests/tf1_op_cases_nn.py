"""TF1 programs over tf.nn's activations, normalizations, 1-D/N-D pooling and tf.losses, for both TF and dfc.

Cases in the style of tests/tf1_op_cases.py (which adds them to its CASES): recorded with real
TensorFlow by tests/record_tf1_ops.py, checked against dfc by tests/test_tf1_ops_expectations.py.
"""

from __future__ import annotations

import numpy as np

from tf1_op_cases import F32, Case, _edge, _rng


def _ties(shape, seed: int) -> np.ndarray:
    """Values on a coarse grid, so windows hold equal maxima (which one wins is part of the answer)."""
    return np.round(_rng(seed).uniform(-2, 2, shape) * 2).astype(F32) / 2


def _bn_train(tf, x, scale, offset, **kw):
    return dict(zip(["y", "mean", "var"], tf.nn.fused_batch_norm(x, scale, offset, **kw)))


def _prefixed(prefix: str, outputs: dict) -> dict:
    return {f"{prefix}_{k}": v for k, v in outputs.items()}


CASES: list[Case] = [
    Case("nn_activations", {"x": _edge(), "m": _rng(40).standard_normal((3, 4)).astype(F32),
                            "i": np.array([-3, -1, 0, 2, 5], np.int32)},
         lambda tf, x, m, i: {"elu": tf.nn.elu(x), "selu": tf.nn.selu(x), "leaky": tf.nn.leaky_relu(x),
                              "leaky_01": tf.nn.leaky_relu(x, alpha=0.01), "leaky_big": tf.nn.leaky_relu(x, 1.5),
                              "leaky_int": tf.nn.leaky_relu(i), "swish": tf.nn.swish(x),
                              "silu_beta": tf.nn.silu(x, beta=0.5), "crelu": tf.nn.crelu(m),
                              "crelu0": tf.nn.crelu(m, axis=0), "elu_m": tf.nn.elu(m * 3.0),
                              "selu_m": tf.nn.selu(m * 3.0), "relu6": tf.nn.relu6(x)},
         grad=("x", "m")),
    Case("nn_dense_and_logistic", {"x": _rng(41).standard_normal((4, 3)).astype(F32),
                                   "w": _rng(42).standard_normal((3, 5)).astype(F32),
                                   "b": _rng(43).standard_normal(5).astype(F32),
                                   "t": np.array([[0.0, 0.5, 1.0], [1.5, 3.0, 10.0]], F32),
                                   "li": _rng(44).uniform(-2, 2, (2, 3)).astype(F32),
                                   "z": np.array([[0.0, 1.0, 1.0, 0.0, 0.3], [1.0, 0.0, 0.5, 1.0, 0.0]], F32),
                                   "logits": np.array([[-30.0, -2.0, 0.0, 1.5, 40.0], [3.0, -0.5, 0.0, -8.0, 2.0]],
                                                      F32)},
         lambda tf, x, w, b, t, li, z, logits: {
             "xw_plus_b": tf.nn.xw_plus_b(x, w, b), "relu_layer": tf.nn.relu_layer(x, w, b),
             "poisson": tf.nn.log_poisson_loss(t, li), "poisson_full": tf.nn.log_poisson_loss(t, li, True),
             "weighted_ce": tf.nn.weighted_cross_entropy_with_logits(labels=z, logits=logits, pos_weight=2.5),
             "weighted_ce_targets": tf.nn.weighted_cross_entropy_with_logits(targets=z, logits=logits,
                                                                             pos_weight=0.25),
             "zero_fraction": tf.nn.zero_fraction(tf.nn.relu(x)),
             "average": tf.nn.compute_average_loss(tf.reduce_sum(x * x, 1)),
             "average_weighted": tf.nn.compute_average_loss(x, sample_weight=tf.reshape(b[:4], [4, 1]),
                                                            global_batch_size=8),
             "average_vector_weight": tf.nn.compute_average_loss(x, sample_weight=b[:4], global_batch_size=3),
             "scaled_regularization": tf.nn.scale_regularization_loss([tf.nn.l2_loss(w), tf.nn.l2_loss(b)]),
             "s2d": tf.nn.space_to_depth(tf.reshape(tf.tile(x, [1, 4]), [1, 4, 6, 2]), 2),
             "d2s": tf.nn.depth_to_space(tf.reshape(tf.tile(x, [1, 4]), [1, 2, 3, 8]), 2)},
         grad=("x", "w", "b", "li", "z", "logits")),
    Case("nn_fused_batch_norm", {"x": _rng(45).standard_normal((2, 3, 4, 5)).astype(F32) * 2 + 1,
                                 "scale": np.array([0.5, 1.5, -1.0, 2.0, 1.0], F32),
                                 "offset": np.array([0.1, 0.0, -0.2, 0.3, 1.0], F32),
                                 "mean": np.array([0.2, -0.1, 0.0, 1.0, 0.5], F32),
                                 "var": np.array([1.0, 0.5, 2.0, 0.1, 1.5], F32),
                                 "xc": _rng(46).standard_normal((2, 5, 3, 2)).astype(F32)},
         lambda tf, x, scale, offset, mean, var, xc: {
             **_prefixed("train", _bn_train(tf, x, scale, offset)),
             **_prefixed("eps", _bn_train(tf, x, scale, offset, epsilon=0.5)),
             **_prefixed("nchw", _bn_train(tf, xc, scale, offset, data_format="NCHW")),
             **_prefixed("infer", _bn_train(tf, x, scale, offset, mean=mean, variance=var, is_training=False)),
             **_prefixed("infer_nchw", _bn_train(tf, xc, scale, offset, mean=mean, variance=var, epsilon=1e-5,
                                                 is_training=False, data_format="NCHW")),
             **_prefixed("avg", _bn_train(tf, x, scale, offset, mean=mean, variance=var,
                                          exponential_avg_factor=0.25)),
             "global": tf.nn.batch_norm_with_global_normalization(x, mean, var, offset, scale, 1e-3, True),
             "global_noscale": tf.nn.batch_norm_with_global_normalization(
                 input=x, mean=mean, variance=var, beta=offset, gamma=scale, variance_epsilon=1e-3,
                 scale_after_normalization=False)},
         grad=("x", "scale", "offset", "xc")),
    Case("nn_lrn", {"x": _rng(47).standard_normal((2, 3, 4, 7)).astype(F32)},
         lambda tf, x: {"lrn": tf.nn.lrn(x), "lrn_args": tf.nn.local_response_normalization(x, 2, 2.0, 0.1, 0.75),
                        "lrn_r0": tf.nn.lrn(x, depth_radius=0, bias=0.5, alpha=2.0, beta=1.0),
                        "lrn_wide": tf.nn.lrn(x * 3.0, depth_radius=9, alpha=1e-2)},
         grad=("x",)),
    Case("nn_conv1d_pool", {"s": _rng(48).standard_normal((2, 9, 3)).astype(F32),
                            "k": _rng(49).standard_normal((3, 3, 4)).astype(F32),
                            "img": _rng(50).standard_normal((2, 7, 8, 3)).astype(F32)},
         lambda tf, s, k, img: {
             "conv_same": tf.nn.conv1d(s, k, 1, "SAME"), "conv_valid2": tf.nn.conv1d(s, k, stride=2, padding="VALID"),
             "conv_list": tf.nn.conv1d(value=s, filters=k, stride=[1, 1, 1], padding="SAME"),
             "conv_input": tf.nn.conv1d(input=s, filters=k, stride=[2], padding="SAME"),
             "max1d": tf.nn.max_pool1d(s, 2, 2, "VALID"), "avg1d": tf.nn.avg_pool1d(s, [3], [2], "SAME"),
             "max_v2_3d": tf.nn.max_pool_v2(s, 3, 2, "SAME"), "avg_v2_3d": tf.nn.avg_pool_v2(s, [1, 2, 1], 1, "VALID"),
             "max_v2_4d": tf.nn.max_pool_v2(img, [2, 3], [2, 2], "SAME"),
             "avg_v2_4d": tf.nn.avg_pool_v2(img, 3, [1, 2, 1, 1], "SAME"),
             "pool_max": tf.nn.pool(img, [2, 2], "MAX", "SAME", strides=[2, 2]),
             "pool_avg": tf.nn.pool(img, [3, 2], "AVG", "VALID", strides=[1, 2]),
             "pool_1d": tf.nn.pool(s, [3], "AVG", "SAME"),
             "pool_dil_avg": tf.nn.pool(img, [3, 2], "AVG", "VALID", dilation_rate=[2, 1]),
             "pool_dil_valid": tf.nn.pool(img, [2, 3], "MAX", "VALID", dilation_rate=[3, 2]),
             "pool_dil_1d": tf.nn.pool(s, [2], "AVG", "VALID", dilation_rate=[3])},
         grad=("s", "k", "img")),
    Case("nn_max_pool_with_argmax", {"x": _ties((2, 5, 6, 3), 51),
                                     "y": _rng(52).standard_normal((3, 4, 4, 2)).astype(F32)},
         lambda tf, x, y: {
             **dict(zip(["same", "same_arg"], tf.nn.max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"))),
             **dict(zip(["valid", "valid_arg"], tf.nn.max_pool_with_argmax(x, [1, 3, 2, 1], [1, 1, 2, 1], "VALID"))),
             **dict(zip(["batch", "batch_arg"], tf.nn.max_pool_with_argmax(y, [1, 3, 3, 1], [1, 2, 2, 1], "SAME",
                                                                          include_batch_in_index=True)))},
         grad=("x", "y")),
    Case("nn_max_pool_with_argmax_int32", {"x": _ties((2, 5, 6, 3), 53)},
         lambda tf, x: {
             **dict(zip(["valid", "valid_arg"], tf.nn.max_pool_with_argmax(x, [1, 3, 2, 1], [1, 1, 2, 1], "VALID",
                                                                          Targmax=tf.int32))),
             **dict(zip(["out32", "out32_arg"], tf.nn.max_pool_with_argmax(x, [1, 2, 3, 1], [1, 1, 1, 1], "SAME",
                                                                          output_dtype=tf.int32)))}),
    Case("losses_more", {"p": _rng(53).uniform(0.05, 0.95, (4, 3)).astype(F32),
                         "lab": np.array([[0, 1, 1], [1, 0, 0], [0, 0, 1], [1, 1, 0]], F32),
                         "r": np.array([[0.0, 0.2, -0.5], [3.0, -2.0, 0.5], [1.0, 1.0, 1.0], [-1.5, 0.9, 2.5]], F32),
                         "w": np.array([[1.0], [0.0], [2.0], [0.5]], F32),
                         "w2": np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [0.5, 1.0, 0.0], [3.0, 1.0, 1.0]], F32)},
         lambda tf, p, lab, r, w, w2: {
             "huber": tf.losses.huber_loss(lab, r), "huber_delta": tf.losses.huber_loss(lab, r, weights=w, delta=0.5),
             "huber_none": tf.losses.huber_loss(lab, r, delta=2.0, reduction=tf.losses.Reduction.NONE),
             "huber_sum": tf.losses.huber_loss(lab, r, w2, reduction=tf.losses.Reduction.SUM),
             "hinge": tf.losses.hinge_loss(lab, r), "hinge_w": tf.losses.hinge_loss(lab, r, weights=w2),
             "hinge_mean": tf.losses.hinge_loss(lab, r, w, reduction=tf.losses.Reduction.MEAN),
             "log": tf.losses.log_loss(lab, p), "log_eps": tf.losses.log_loss(lab, p, w, epsilon=0.1),
             "log_batch": tf.losses.log_loss(lab, p, w2, reduction=tf.losses.Reduction.SUM_OVER_BATCH_SIZE),
             "cosine": tf.losses.cosine_distance(tf.nn.l2_normalize(lab + 0.1, 1), tf.nn.l2_normalize(r, 1), axis=1),
             "cosine_dim": tf.losses.cosine_distance(tf.nn.l2_normalize(lab + 0.1, 0), tf.nn.l2_normalize(r, 0),
                                                     dim=0, weights=2.0),
             "cosine_none": tf.losses.cosine_distance(lab, r, 1, reduction=tf.losses.Reduction.NONE),
             "pairwise": tf.losses.mean_pairwise_squared_error(lab, r),
             "pairwise_w": tf.losses.mean_pairwise_squared_error(lab, r, weights=w),
             "pairwise_w2": tf.losses.mean_pairwise_squared_error(lab, r, weights=w2),
             "pairwise_3d": tf.losses.mean_pairwise_squared_error(tf.reshape(lab, [2, 3, 2]), tf.reshape(r, [2, 3, 2]),
                                                                  weights=3.0),
             "pairwise_zero": tf.losses.mean_pairwise_squared_error(lab, r, weights=0.0)},
         grad=("p", "r", "w", "w2")),
    Case("losses_tf1_rules", {"d": _rng(54).standard_normal((4, 3)),
                              "r": _rng(55).standard_normal((4, 3)).astype(F32),
                              "ids": np.array([[2], [0], [1], [1]], np.int32),
                              "w": np.array([[1.0], [0.0], [2.0], [0.5]], F32),
                              "v": np.array([1.0, 3.0, 0.0, 2.0], F32)},
         lambda tf, d, r, ids, w, v: {
             "mse_f64": tf.losses.mean_squared_error(d, d * 0.5 + 1.0),
             "abs_f64": tf.losses.absolute_difference(d, tf.zeros_like(d), weights=tf.cast(w, tf.float64)),
             "sparse_column": tf.losses.sparse_softmax_cross_entropy(ids, r, weights=w),
             "sparse_vector": tf.losses.sparse_softmax_cross_entropy(tf.reshape(ids, [4]), r, weights=v),
             "sigmoid_w": tf.losses.sigmoid_cross_entropy(tf.cast(r > 0, tf.int32), r, weights=w,
                                                          label_smoothing=0.1),
             "softmax_w": tf.losses.softmax_cross_entropy(tf.one_hot(tf.reshape(ids, [4]), 3), r, weights=v,
                                                          label_smoothing=0.2)},
         grad=("d", "r", "w", "v")),
    Case("losses_float64_inputs", {"d": _rng(56).standard_normal((4, 3)), "w": np.array([[1.0], [0.0], [2.0], [0.5]])},
         lambda tf, d, w: {k: tf.cast(v, tf.float32) for k, v in {  # float32 sums: compared as float32 values
             "sigmoid_f64": tf.losses.sigmoid_cross_entropy(tf.cast(d > 0, tf.float64), d * 2.0, weights=2.0),
             "weighted_f64": tf.losses.compute_weighted_loss(d * d, weights=w, reduction=tf.losses.Reduction.MEAN),
             "sparse_f64": tf.losses.sparse_softmax_cross_entropy([0, 2, 1, 1], d, weights=w)}.items()},
         grad=("d", "w")),
    Case("nn_conv3d_pool3d", {"v": _rng(57).standard_normal((2, 5, 6, 4, 3)).astype(F32),
                              "k": _rng(58).standard_normal((3, 2, 3, 3, 4)).astype(F32)},
         lambda tf, v, k: {
             "conv_same": tf.nn.conv3d(v, k, [1, 1, 1, 1, 1], "SAME"),
             "conv_valid": tf.nn.conv3d(v, k, strides=[1, 2, 1, 2, 1], padding="VALID"),
             "conv_stride_same": tf.nn.conv3d(v, filters=k, strides=[1, 2, 3, 2, 1], padding="SAME"),
             "max_same": tf.nn.max_pool3d(v, [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "SAME"),
             "max_valid": tf.nn.max_pool3d(v, [1, 3, 2, 1, 1], [1, 1, 2, 1, 1], "VALID"),
             "avg_same": tf.nn.avg_pool3d(v, [1, 3, 3, 2, 1], [1, 2, 1, 2, 1], "SAME"),
             "avg_valid": tf.nn.avg_pool3d(v, [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "VALID"),
             "max_v2": tf.nn.max_pool_v2(v, 2, 2, "SAME"), "avg_v2": tf.nn.avg_pool_v2(v, [3, 1, 2], 1, "SAME"),
             "pool_3d": tf.nn.pool(v, [2, 3, 2], "AVG", "SAME", strides=[1, 2, 2]),
             "pool_3d_dilated": tf.nn.pool(v, [2, 2, 2], "MAX", "VALID", dilation_rate=[2, 2, 1])},
         grad=("v", "k")),
    Case("nn_transposed_1d_atrous", {"s": _rng(59).standard_normal((2, 5, 4)).astype(F32),
                                     "k": _rng(60).standard_normal((3, 2, 4)).astype(F32),
                                     "img": _rng(61).standard_normal((2, 5, 6, 3)).astype(F32),
                                     "f": _rng(62).standard_normal((3, 2, 2, 3)).astype(F32)},
         lambda tf, s, k, img, f: {
             "t1d_same": tf.nn.conv1d_transpose(s, k, [2, 10, 2], 2, "SAME"),
             "t1d_valid": tf.nn.conv1d_transpose(s, k, tf.stack([tf.shape(s)[0], 11, 2]), [1, 2, 1], "VALID"),
             "t1d_stride1": tf.nn.conv1d_transpose(s, k, (2, 5, 2), 1),
             "atrous_t_same": tf.nn.atrous_conv2d_transpose(img, f, [2, 5, 6, 2], 2, "SAME"),
             "atrous_t_valid": tf.nn.atrous_conv2d_transpose(img, f, [2, 9, 8, 2], 2, "VALID"),
             "atrous_t_rate1": tf.nn.atrous_conv2d_transpose(img, f, [2, 7, 7, 2], 1, "VALID")},
         grad=("s", "k", "img", "f")),
    Case("nn_conv3d_transpose", {"v": _rng(63).standard_normal((2, 3, 4, 3, 4)).astype(F32),
                                 "k": _rng(64).standard_normal((3, 2, 3, 2, 4)).astype(F32),
                                 "k2": _rng(65).standard_normal((2, 2, 2, 3, 4)).astype(F32)},
         lambda tf, v, k, k2: {
             "same_s2": tf.nn.conv3d_transpose(v, k, [2, 6, 8, 6, 2], [1, 2, 2, 2, 1], "SAME"),
             "same_s1": tf.nn.conv3d_transpose(v, k, [2, 3, 4, 3, 2], [1, 1, 1, 1, 1]),
             "valid_s2": tf.nn.conv3d_transpose(v, k, [2, 7, 5, 7, 2], [1, 2, 1, 2, 1], "VALID"),
             "same_odd": tf.nn.conv3d_transpose(v, filters=k2, output_shape=tf.stack([tf.shape(v)[0], 5, 7, 5, 3]),
                                                strides=[1, 2, 2, 2, 1], padding="SAME"),
             "valid_s3": tf.nn.conv3d_transpose(v, k2, [2, 9, 12, 9, 3], [1, 3, 3, 3, 1], "VALID")},
         grad=("v", "k", "k2")),
]
