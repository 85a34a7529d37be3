"""Record TF 2.21's tf.compat.v1.metrics answers behind tf.contrib.metrics' streaming_* wrappers, f1_score (TF 1.15's
formula over tp/fp/fn at its thresholds) and the false positive/negative rates, over two update batches, into
tests/data/tf_expectations/contrib_metrics.npz (tests/test_contrib_metrics.py checks dfc against it).

Run with a Python that has tensorflow: /work/bench-venv/bin/python tests/record_contrib_metrics.py
"""

from __future__ import annotations

import sys

import numpy as np
from tf_recording import out_dir, save, tf

EPS = 1e-7


def batches(rng):
    """Two batches of (binary labels, scores in [0, 1], weights, regression targets, multi-class scores, ids)."""
    out = []
    for n in (12, 9):
        out.append({"labels": (rng.random(n) > 0.5).astype(np.float32), "scores": rng.random(n).astype(np.float32),
                    "weights": rng.random(n).astype(np.float32), "targets": rng.normal(size=(n, 3)).astype(np.float32),
                    "guesses": rng.normal(size=(n, 3)).astype(np.float32),
                    "classes": rng.random((n, 5)).astype(np.float32),
                    "ids": rng.integers(0, 5, (n, 1)).astype(np.int64)})
    return out


def f1(labels, scores, weights, num_thresholds=200):
    thresholds = [0.0 - EPS] + [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0 + EPS]
    tp = tf.metrics.true_positives_at_thresholds(labels, scores, thresholds, weights)
    fp = tf.metrics.false_positives_at_thresholds(labels, scores, thresholds, weights)
    fn = tf.metrics.false_negatives_at_thresholds(labels, scores, thresholds, weights)

    def best(t, p, n):
        precision, recall = t / (EPS + t + p), t / (EPS + t + n)
        return tf.reduce_max(2.0 * precision * recall / (precision + recall + EPS))
    return best(tp[0], fp[0], fn[0]), tf.group(tp[1], fp[1], fn[1])


def main() -> None:
    rng = np.random.default_rng(11)
    data = batches(rng)
    out = {f"b{i}_{k}": v for i, b in enumerate(data) for k, v in b.items()}
    with tf.Graph().as_default(), tf.Session() as sess:
        ph = {k: tf.placeholder(tf.as_dtype(v.dtype), [None, *v.shape[1:]]) for k, v in data[0].items()}
        lab_b, pred_b = tf.cast(ph["labels"], tf.bool), ph["scores"] > 0.5
        metrics = {
            "f1": f1(ph["labels"], ph["scores"], None),
            "f1_weighted": f1(ph["labels"], ph["scores"], ph["weights"], 50),
            "relative_error": tf.metrics.mean_relative_error(ph["targets"], ph["guesses"], tf.abs(ph["targets"]) + 1),
            "cosine": tf.metrics.mean_cosine_distance(tf.nn.l2_normalize(ph["targets"], 1),
                                                      tf.nn.l2_normalize(ph["guesses"], 1), 1),
            "percentage_less": tf.metrics.percentage_below(ph["scores"], 0.3),
            "precision_at_thresholds": tf.metrics.precision_at_thresholds(ph["labels"], ph["scores"], [0.2, 0.6]),
            "recall_at_thresholds": tf.metrics.recall_at_thresholds(ph["labels"], ph["scores"], [0.2, 0.6]),
            "tp_at_thresholds": tf.metrics.true_positives_at_thresholds(ph["labels"], ph["scores"], [0.3, 0.7]),
            "sensitivity": tf.metrics.sensitivity_at_specificity(ph["labels"], ph["scores"], 0.6),
            "specificity": tf.metrics.specificity_at_sensitivity(ph["labels"], ph["scores"], 0.6),
            "sparse_precision_at_k": tf.metrics.precision_at_k(ph["ids"], ph["classes"], 2),
            "sparse_recall_at_k": tf.metrics.recall_at_k(ph["ids"], ph["classes"], 2),
            "sparse_ap_at_k": tf.metrics.average_precision_at_k(ph["ids"], ph["classes"], 3),
            "recall_at_k": tf.metrics.mean(tf.cast(tf.nn.in_top_k(ph["classes"], ph["ids"][:, 0], 2), tf.float32)),
        }
        fp, fp_up = tf.metrics.false_positives(lab_b, pred_b)
        tn, tn_up = tf.metrics.true_negatives(lab_b, pred_b)
        fn, fn_up = tf.metrics.false_negatives(lab_b, pred_b)
        tp, tp_up = tf.metrics.true_positives(lab_b, pred_b)
        metrics["fpr"] = (tf.where(fp + tn > 0, tf.math.divide_no_nan(fp, fp + tn), 0 * fp), tf.group(fp_up, tn_up))
        metrics["fnr"] = (tf.where(fn + tp > 0, tf.math.divide_no_nan(fn, fn + tp), 0 * fn), tf.group(fn_up, tp_up))
        sess.run(tf.local_variables_initializer())
        for i, batch in enumerate(data):
            sess.run([m[1] for m in metrics.values()], {ph[k]: v for k, v in batch.items()})
            for name, (value, _) in metrics.items():
                out[f"{name}_after{i}"] = sess.run(value)
    save(out_dir(sys.argv), "contrib_metrics", **out)


if __name__ == "__main__":
    main()
