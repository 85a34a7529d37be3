"""tf.contrib.metrics' streaming_* wrappers (predictions first), f1_score and the false positive/negative rates
against TF 2.21's tf.compat.v1.metrics over two update batches (tests/record_contrib_metrics.py), and the set ops."""

from __future__ import annotations

import numpy as np
import pytest
from recordings import load_recording

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")

REC = load_recording("contrib_metrics")
M = tf.contrib.metrics


def test_contrib_metrics_stream_tfs_values():
    first = {k[3:]: v for k, v in REC.items() if k.startswith("b0_")}
    ph = {k: tf.placeholder(tf.as_dtype(v.dtype), [None, *v.shape[1:]]) for k, v in first.items()}
    normalized = [tf.nn.l2_normalize(ph["targets"], 1), tf.nn.l2_normalize(ph["guesses"], 1)]
    metrics = {
        "f1": M.f1_score(ph["labels"], ph["scores"]),
        "f1_weighted": M.f1_score(ph["labels"], ph["scores"], weights=ph["weights"], num_thresholds=50),
        "relative_error": M.streaming_mean_relative_error(ph["guesses"], ph["targets"], tf.abs(ph["targets"]) + 1),
        "cosine": M.streaming_mean_cosine_distance(normalized[1], normalized[0], 1),
        "percentage_less": M.streaming_percentage_less(ph["scores"], 0.3),
        "precision_at_thresholds": M.streaming_precision_at_thresholds(ph["scores"], ph["labels"], [0.2, 0.6]),
        "recall_at_thresholds": M.streaming_recall_at_thresholds(ph["scores"], ph["labels"], [0.2, 0.6]),
        "tp_at_thresholds": M.streaming_true_positives_at_thresholds(ph["scores"], ph["labels"], [0.3, 0.7]),
        "sensitivity": M.streaming_sensitivity_at_specificity(ph["scores"], ph["labels"], 0.6),
        "specificity": M.streaming_specificity_at_sensitivity(ph["scores"], ph["labels"], 0.6),
        "sparse_precision_at_k": M.streaming_sparse_precision_at_k(ph["classes"], ph["ids"], 2),
        "sparse_recall_at_k": M.streaming_sparse_recall_at_k(ph["classes"], ph["ids"], 2),
        "sparse_ap_at_k": M.streaming_sparse_average_precision_at_k(ph["classes"], ph["ids"], 3),
        "recall_at_k": M.streaming_recall_at_k(ph["classes"], ph["ids"][:, 0], 2),
        "fpr": M.streaming_false_positive_rate(ph["scores"] > 0.5, ph["labels"]),
        "fnr": M.streaming_false_negative_rate(ph["scores"] > 0.5, ph["labels"]),
    }
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        for i in range(2):
            feed = {ph[k]: REC[f"b{i}_{k}"] for k in ph}
            sess.run([m[1] for m in metrics.values()], feed)
            for name, (value, _) in metrics.items():
                np.testing.assert_allclose(sess.run(value), REC[f"{name}_after{i}"], rtol=1e-5, atol=1e-6,
                                           err_msg=f"{name} after batch {i}")


def test_f1_update_op_gives_the_running_value_and_collections():
    value, update = M.f1_score(tf.constant([1.0, 0.0, 1.0]), tf.constant([0.9, 0.2, 0.4]),
                               metrics_collections=["m"], updates_collections=["u"])
    assert tf.get_collection("m") == [value] and tf.get_collection("u") == [update]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update) == pytest.approx(1.0, abs=1e-5)  # a threshold in (0.2, 0.4] splits them
        assert sess.run(value) == pytest.approx(1.0, abs=1e-5)


def test_set_ops():
    a = tf.constant([[1, 2, 3], [4, 5, 6]])
    b = tf.constant([[1, 5, 3], [4, 7, 8]])
    with tf.Session() as sess:
        size = sess.run(M.set_size(M.set_intersection(a, b)))
        diff = sess.run(M.set_difference(a, b))
        union = sess.run(M.set_size(M.set_union(a, b)))
    np.testing.assert_array_equal(size, [2, 1])
    np.testing.assert_array_equal(diff.values, [2, 5, 6])
    np.testing.assert_array_equal(union, [4, 5])
