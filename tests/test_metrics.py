"""tf.metrics against the values real TensorFlow recorded (tests/train_cases.py), on both backends."""

from __future__ import annotations

import pytest

import dfc as tf
from train_cases import CASES, check_against_tensorflow

BACKENDS = ["interpreter", "cpu"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(n for n in CASES if n.startswith("metrics_")))
def test_metric_matches_tensorflow(name, backend):
    check_against_tensorflow(name, backend)


def test_metric_variables_are_local_and_untrainable():
    tf.reset_default_graph()
    labels = tf.placeholder(tf.int32, [4])
    tf.metrics.accuracy(labels, labels)
    local = tf.local_variables()
    assert [v.name for v in local] == ["accuracy/total:0", "accuracy/count:0"]
    assert local == tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)
    assert not tf.trainable_variables() and not tf.global_variables()
    assert tf.initializers.local_variables is tf.local_variables_initializer


def test_metric_errors_name_the_tensors_and_the_line():
    tf.reset_default_graph()
    labels, predictions = tf.placeholder(tf.int32, [4], name="labels"), tf.placeholder(tf.int32, [5], name="preds")
    with pytest.raises(ValueError, match=r"test_metrics.py:\d+.*preds:0 \(5,\) and labels:0 \(4,\)"):
        tf.metrics.accuracy(labels, predictions)
    with pytest.raises(ValueError, match="weights can not be broadcast to values"):
        tf.metrics.mean(tf.placeholder(tf.float32, [4, 3]), tf.placeholder(tf.float32, [4, 2]))
    with pytest.raises(ValueError, match="curve must be either ROC or PR"):
        tf.metrics.auc(labels, tf.placeholder(tf.float32, [4]), curve="XY")
