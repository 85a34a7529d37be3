"""TF1 cases for SparseTensor and the ops over it (tf.sparse, tf.sparse_*, embedding_lookup_sparse), for real TF
and dfc alike.

Part of tests/tf1_op_cases.py's CASES: recorded by tests/record_tf1_ops.py, checked by
tests/test_tf1_ops_expectations.py on both backends. A sparse output is compared as its three arrays.
"""

from __future__ import annotations

import numpy as np
from tf1_op_cases import Case

F32, I64 = np.float32, np.int64


def _st(prefix: str, sp) -> dict:
    return {f"{prefix}_indices": sp.indices, f"{prefix}_values": sp.values, f"{prefix}_shape": sp.dense_shape}


_IDX = np.array([[0, 1], [0, 3], [1, 0], [2, 2], [2, 3]], I64)  # row-major ordered, [3, 4]
_VAL = np.array([1.5, -2.0, 3.0, 0.5, -1.0], F32)
_UNSORTED = np.array([[2, 3], [0, 1], [1, 0], [0, 3], [2, 0]], I64)


def _dense_ops(tf, idx, val, b, b2, shape):
    sp = tf.SparseTensor(idx, val, [3, 4])
    fed = tf.SparseTensor(idx, val, shape)  # a dense_shape known only when the step runs
    return {"to_dense": tf.sparse_tensor_to_dense(sp), "default": tf.sparse.to_dense(sp, default_value=-1.0),
            "matmul": tf.sparse_tensor_dense_matmul(sp, b),
            "adjoint_a": tf.sparse.sparse_dense_matmul(sp, b2, adjoint_a=True),
            "adjoint_b": tf.sparse.matmul(sp, tf.transpose(b), adjoint_b=True),
            "fed_dense": tf.sparse.to_dense(fed), "fed_matmul": tf.sparse_tensor_dense_matmul(fed, b),
            "fed_default": tf.sparse_tensor_to_dense(fed, 0.25),
            "mul": (sp * tf.constant([1.0, 2.0, -1.0, 0.5])).values, "div": (sp / (tf.ones([3, 4]) * 4.0)).values,
            "mul_col": (fed * tf.reshape(b2[:, 0], [3, 1])).values,
            "add_dense": tf.sparse_add(sp, tf.reshape(b2, [3, 2])[:, :1] * tf.ones([3, 4])),
            "add_dense_left": tf.sparse.add(tf.ones([3, 4]), fed)}


def _reductions(tf, idx, val, shape):
    sp = tf.SparseTensor(idx, val, [3, 4])
    fed = tf.SparseTensor(idx, val, shape)
    out = {"sum_all": tf.sparse_reduce_sum(sp), "sum0": tf.sparse_reduce_sum(sp, 0),
           "sum1_keep": tf.sparse_reduce_sum(sp, axis=1, keepdims=True), "sum_neg": tf.sparse.reduce_sum(fed, -1),
           "sum_keep_all": tf.sparse_reduce_sum(fed, keep_dims=True)}
    return out


def _max_reductions(tf, idx, val, shape):  # TF defines no gradient for these
    sp = tf.SparseTensor(idx, val, [3, 4])
    fed = tf.SparseTensor(idx, val, shape)
    out = {"max1": tf.sparse_reduce_max(sp, 1), "max0": tf.sparse.reduce_max(fed, reduction_axes=[0]),
           "max_all": tf.sparse_reduce_max(sp), "max_keep": tf.sparse_reduce_max(fed, 1, keepdims=True)}
    out.update(_st("max_sparse", tf.sparse.reduce_max_sparse(sp, 0, keepdims=True)))
    out.update(_st("sum_sparse", tf.sparse_reduce_sum_sparse(fed, 1)))
    b = tf.SparseTensor([[0, 1], [1, 1], [2, 3]], tf.constant([-1.5, 0.5, 3.0]), [3, 4])
    out.update(_st("maximum", tf.sparse_maximum(sp, b)))
    out.update(_st("minimum", tf.sparse.minimum(sp, b)))
    return out


def _combine(tf, idx, val, idx2, val2):
    a = tf.SparseTensor(idx, val, [3, 4])
    b = tf.SparseTensor(idx2, val2, [3, 4])
    out = {}
    out.update(_st("add", tf.sparse_add(a, b)))
    out.update(_st("add_thresh", tf.sparse.add(a, b, threshold=1.0)))
    out.update(_st("softmax", tf.sparse_softmax(a)))
    out["softmax_dense"] = tf.sparse_tensor_to_dense(tf.sparse.softmax(b), validate_indices=False)
    return out


def _structure(tf, idx, val, unsorted):
    sp = tf.SparseTensor(idx, val, [3, 4])
    messy = tf.SparseTensor(unsorted, val, [3, 4])
    out = {}
    out.update(_st("reorder", tf.sparse_reorder(messy)))
    out.update(_st("retain", tf.sparse_retain(sp, val > 0.0)))
    out.update(_st("reshape", tf.sparse_reshape(sp, [2, -1])))
    out.update(_st("reshape3", tf.sparse.reshape(sp, [6, 1, 2])))
    out.update(_st("transpose", tf.sparse_transpose(sp)))
    out.update(_st("concat0", tf.sparse_concat(0, [sp, messy])))
    out.update(_st("concat1", tf.sparse.concat(1, [sp, tf.sparse.reorder(messy)])))
    out.update(_st("slice", tf.sparse_slice(sp, [1, 1], [2, 5])))
    first, second = tf.sparse_split(sp_input=sp, num_split=2, axis=1)
    out.update(_st("split0", first))
    out.update(_st("split1", second))
    filled, empty = tf.sparse_fill_empty_rows(tf.SparseTensor(idx[2:], val[2:], [5, 4]), -7.0)
    out.update(_st("filled", filled))
    out["empty_rows"] = empty
    out.update(_st("expand", tf.sparse.expand_dims(sp, 1)))
    out.update(_st("eye", tf.sparse.eye(3, 4)))
    return out


def _conversions(tf, idx, val, x, ids):
    ids_sp = tf.SparseTensor(idx, ids, [3, 4])
    out = {}
    out.update(_st("from_dense", tf.sparse.from_dense(x)))
    out["indicator"] = tf.sparse_to_indicator(ids_sp, 5)
    out.update(_st("merge", tf.sparse_merge(ids_sp, tf.SparseTensor(idx, val, [3, 4]), 5)))
    out["to_dense_old"] = tf.sparse_to_dense(idx, [3, 4], val, default_value=0.5)
    out["to_dense_rows"] = tf.sparse_to_dense(tf.constant([0, 2]), [4], 3.0)
    return out


def _segments(tf, data, idx, seg):
    return {"sum": tf.sparse_segment_sum(data, idx, seg), "mean": tf.sparse_segment_mean(data, idx, seg),
            "sqrt_n": tf.sparse_segment_sqrt_n(data, idx, seg),
            "sum_n": tf.sparse.segment_sum(data, idx, seg, num_segments=6),
            "mean_n": tf.sparse.segment_mean(data, idx, seg, num_segments=5)}


def _embeddings(tf, table, idx, ids, weights):
    sp_ids = tf.SparseTensor(idx, ids, [4, 3])
    sp_w = tf.SparseTensor(idx, weights, [4, 3])
    out = {c: tf.nn.embedding_lookup_sparse(table, sp_ids, None, combiner=c) for c in ("sum", "mean", "sqrtn")}
    out.update({f"w_{c}": tf.nn.embedding_lookup_sparse(table, sp_ids, sp_w, combiner=c)
                for c in ("sum", "mean", "sqrtn")})
    out["max_norm"] = tf.nn.embedding_lookup_sparse(table, sp_ids, sp_w, combiner="sum", max_norm=1.0)
    shards = [table[:3], table[3:]]
    out["sharded"] = tf.nn.embedding_lookup_sparse(shards, sp_ids, None, combiner="sum")
    return out


def _safe_embeddings(tf, table, idx, ids, weights, idx3):
    sp_ids = tf.SparseTensor(idx, ids, [4, 3])
    sp_w = tf.SparseTensor(idx, weights, [4, 3])
    sp3 = tf.SparseTensor(idx3, ids, [2, 2, 3])
    return {"mean": tf.nn.safe_embedding_lookup_sparse(table, sp_ids),
            "weighted": tf.nn.safe_embedding_lookup_sparse([table], sp_ids, sp_w),
            "sum_default": tf.nn.safe_embedding_lookup_sparse(table, sp_ids, sp_w, combiner="sum", default_id=2),
            "rank3": tf.nn.safe_embedding_lookup_sparse(table, sp3, None, combiner="sqrtn"),
            "table": table * 1.0, "weights": weights * 1.0}  # dense gradients to record


def _indexed_slices(tf, x, rows):
    slices = tf.IndexedSlices(x, rows, tf.constant([4, 3], tf.int32))
    same = tf.convert_to_tensor_or_indexed_slices(slices)
    return {"dense": tf.convert_to_tensor(slices), "values": same.values * 2.0, "indices": same.indices,
            "neg": tf.convert_to_tensor(-slices) + x[:1]}


def _ctc(tf, x, label_idx, label_val, seq):
    labels = tf.SparseTensor(label_idx, label_val, [3, 3])
    (decoded,), neg = tf.nn.ctc_greedy_decoder(x, seq)
    (unmerged,), _ = tf.nn.ctc_greedy_decoder(x, seq, merge_repeated=False)
    short = tf.SparseTensor(label_idx, label_val, [3, 3])
    out = {"loss": tf.nn.ctc_loss(labels, x, seq), "collapse": tf.nn.ctc_loss(labels, x, seq,
                                                                            preprocess_collapse_repeated=True),
           "unmerged_loss": tf.nn.ctc_loss(labels, x, seq, ctc_merge_repeated=False),
           "infeasible": tf.nn.ctc_loss(short, x, seq - 3),  # [1, 1, 2] in 3 frames: no path, inf
           "ignored": tf.nn.ctc_loss(short, x, tf.minimum(seq, [2, 6, 6]), ignore_longer_outputs_than_inputs=True),
           "neg_sum": neg}
    out.update(_st("greedy", decoded))
    out.update(_st("unmerged", unmerged))
    return out


def _edit_distance(tf, h_idx, h_val, t_idx, t_val, h3, t3):
    hyp, truth = tf.SparseTensor(h_idx, h_val, [4, 4]), tf.SparseTensor(t_idx, t_val, [3, 3])
    hyp3 = tf.SparseTensor(h3, tf.constant([1.0, 2.0, 3.0]), [2, 2, 2])
    truth3 = tf.SparseTensor(t3, tf.constant([1.0, 2.0, 3.0]), [2, 1, 2])
    return {"normalized": tf.edit_distance(hyp, truth), "raw": tf.edit_distance(hyp, truth, normalize=False),
            "rank3": tf.edit_distance(hyp3, truth3), "self": tf.edit_distance(truth, truth)}


def _sets(tf, a, b_idx, b_val):
    b = tf.SparseTensor(b_idx, b_val, [3, 2])
    out = {"size": tf.sets.size(b), "size_union": tf.sets.set_size(tf.sets.union(a, b))}
    for name, made in (("inter", tf.sets.set_intersection(a, b)), ("union", tf.sets.set_union(a, b)),
                       ("diff", tf.sets.set_difference(a, b)), ("rdiff", tf.sets.difference(a, b, aminusb=False)),
                       ("dense_inter", tf.sets.intersection(a, a[:, :2]))):
        out.update(_st(name, made))
    return out


_EMB_IDX = np.array([[0, 0], [0, 1], [0, 2], [2, 0], [2, 1], [3, 0]], I64)

CASES = [
    Case("sparse_dense_ops", {"idx": _IDX, "val": _VAL, "b": np.arange(12, dtype=F32).reshape(4, 3) / 7 - 0.5,
                              "b2": np.linspace(-1, 1, 6).astype(F32).reshape(3, 2), "shape": np.array([3, 4], I64)},
         _dense_ops, grad=("val", "b", "b2")),
    Case("sparse_reductions", {"idx": _IDX, "val": _VAL, "shape": np.array([3, 4], I64)}, _reductions, grad=("val",)),
    Case("sparse_max_reductions", {"idx": _IDX, "val": _VAL, "shape": np.array([3, 4], I64)}, _max_reductions),
    Case("sparse_combine", {"idx": _IDX, "val": _VAL, "idx2": np.array([[0, 1], [1, 1], [2, 3]], I64),
                            "val2": np.array([-1.5, 0.5, 3.0], F32)}, _combine, grad=("val", "val2")),
    Case("sparse_structure", {"idx": _IDX, "val": _VAL, "unsorted": _UNSORTED}, _structure),
    Case("sparse_conversions", {"idx": _IDX, "val": _VAL, "ids": np.array([4, 1, 0, 3, 2], I64),
                                "x": np.array([[0, 1.5, 0], [2, 0, -3], [0, 0, 0]], F32)}, _conversions,
         grad=("val", "x")),
    Case("sparse_segments", {"data": np.arange(15, dtype=F32).reshape(5, 3) / 4 - 1,
                             "idx": np.array([0, 4, 2, 2, 1, 3], np.int32),
                             "seg": np.array([0, 0, 1, 3, 3, 3], np.int32)}, _segments, grad=("data",)),
    Case("embedding_lookup_sparse", {"table": np.linspace(-2, 2, 15).astype(F32).reshape(5, 3), "idx": _EMB_IDX,
                                     "ids": np.array([1, 4, 1, 0, 3, 2], I64),
                                     "weights": np.array([0.5, 2.0, 1.0, -1.0, 3.0, 0.25], F32)},
         _embeddings, grad=("table", "weights")),
    Case("safe_embedding_lookup_sparse", {"table": np.linspace(-2, 2, 15).astype(F32).reshape(5, 3), "idx": _EMB_IDX,
                                          "ids": np.array([1, -1, 1, 0, 3, -2], I64),
                                          "weights": np.array([0.5, 2.0, -1.0, 1.5, 3.0, 0.25], F32),
                                          "idx3": np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 2],
                                                            [1, 1, 1]], I64)},
         _safe_embeddings, grad=("table", "weights")),
    Case("ctc", {"x": np.random.default_rng(3).standard_normal((6, 3, 5)).astype(F32),
                 "label_idx": np.array([[0, 0], [0, 1], [0, 2], [1, 0], [2, 0], [2, 1]], I64),
                 "label_val": np.array([1, 1, 2, 3, 0, 2], np.int32), "seq": np.array([6, 4, 5], np.int32)},
         _ctc, grad=("x",)),
    Case("edit_distance", {"h_idx": np.array([[0, 0], [0, 1], [0, 2], [1, 0], [2, 0], [2, 1], [2, 2], [2, 3]], I64),
                           "h_val": np.array([1, 2, 3, 4, 1, 1, 2, 5], np.int32),
                           "t_idx": np.array([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1], [2, 2]], I64),
                           "t_val": np.array([1, 3, 4, 4, 2, 1, 5], np.int32),
                           "h3": np.array([[0, 0, 0], [0, 1, 0], [1, 0, 1]], I64),
                           "t3": np.array([[0, 0, 0], [1, 0, 0], [1, 0, 1]], I64)}, _edit_distance),
    Case("sets", {"a": np.array([[1, 2, 3, 2], [4, 5, 6, 4], [7, 7, 7, 7]], np.int32),
                  "b_idx": np.array([[0, 0], [0, 1], [1, 0], [2, 0], [2, 1]], I64),
                  "b_val": np.array([2, 9, 6, 7, 1], np.int32)}, _sets),
    Case("indexed_slices", {"x": np.arange(9, dtype=F32).reshape(3, 3) - 4, "rows": np.array([3, 0, 3], np.int32)},
         _indexed_slices, grad=("x",)),
]
