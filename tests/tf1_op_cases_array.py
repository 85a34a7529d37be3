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
]
