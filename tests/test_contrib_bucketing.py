"""tf.contrib.training's bucket, bucket_by_sequence_length and stratified_sample over TF1 input queues: every
example lands in one batch of its bucket, padded batches, smaller final batches, the stratified label mix."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")

LENGTHS = np.array([1, 5, 2, 8, 3, 9, 4, 12, 1, 6, 7, 2, 3, 10, 11, 5, 6, 1, 2, 3], np.int32)


def _drain(sess, fetches) -> list:
    out = []
    while True:
        try:
            out.append(sess.run(fetches))
        except tf.errors.OutOfRangeError:
            return out


def test_bucket_by_sequence_length_batches_each_bucket_and_pads():
    x, n = tf.train.slice_input_producer([tf.range(20), tf.constant(LENGTHS)], shuffle=False, num_epochs=1)
    lens, (ids, padded) = tf.contrib.training.bucket_by_sequence_length(
        n, [x, tf.fill([n], x)], 3, [4, 8], dynamic_pad=True, allow_smaller_final_batch=True)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        batches = _drain(sess, [lens, ids, padded])
    seen = np.sort(np.concatenate([b[1] for b in batches]))
    np.testing.assert_array_equal(seen, np.arange(20))  # every example once
    for length, index, rows in batches:
        np.testing.assert_array_equal(length, LENGTHS[index])
        buckets = np.searchsorted([4, 8], length, side="right")
        assert len(set(buckets)) == 1  # one bucket per batch
        assert rows.shape == (len(index), length.max())
        for row, i, k in zip(rows, index, length):
            np.testing.assert_array_equal(row, [i] * k + [0] * (length.max() - k))
    assert [len(b[1]) for b in batches[:6]] == [3] * 6 and len(batches) == 7  # 20 = 6 full + 2 left (one bucket)


def test_bucket_by_sequence_length_drops_partial_batches_and_checks_boundaries():
    x, n = tf.train.slice_input_producer([tf.range(20), tf.constant(LENGTHS)], shuffle=False, num_epochs=1)
    lens, ids = tf.contrib.training.bucket_by_sequence_length(n, x, 4, [4])
    assert ids.shape.as_list() == [4]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        batches = _drain(sess, [lens, ids])
    assert len(batches) == 4 and all((b[0] < 4).all() or (b[0] >= 4).all() for b in batches)
    with pytest.raises(ValueError, match="sequential increasing"):
        tf.contrib.training.bucket_by_sequence_length(n, x, 4, [4, 4])
    with pytest.raises(TypeError, match="list or tuple"):
        tf.contrib.training.bucket_by_sequence_length(n, x, 4, 4)


def test_bucket_with_one_batch_size_per_bucket():
    x = tf.train.slice_input_producer([tf.range(12)], shuffle=False, num_epochs=1)[0]
    which, batch = tf.contrib.training.bucket([x], x % 2, [2, 4], 2)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        got = _drain(sess, [which, batch])
    # the first bucket to fill gives the batch; bucket 1's last two never make one
    assert [(w[0], list(b)) for w, b in got] == [(0, [0, 2]), (0, [4, 6]), (1, [1, 3, 5, 7]), (0, [8, 10])]


def test_stratified_sample_reaches_the_target_mix():
    labels = np.array([0] * 15 + [1] * 5, np.int32)
    data, label = tf.train.slice_input_producer([tf.range(20), tf.constant(labels)], shuffle=False)
    data_batch, label_batch = tf.contrib.training.stratified_sample([data], label, [0.5, 0.5], 10,
                                                                    init_probs=[0.75, 0.25])
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        got_data, got_labels = zip(*(sess.run([data_batch, label_batch]) for _ in range(40)))
    got_data, got_labels = np.concatenate(got_data), np.concatenate(got_labels)
    np.testing.assert_array_equal(labels[got_data], got_labels)
    assert abs(got_labels.mean() - 0.5) < 0.06  # 400 draws of a fair mix: 0.5 +- 2.4 standard deviations
    with pytest.raises(ValueError, match="target_probs"):
        tf.contrib.training.stratified_sample([data], label, [0.5, 0.6], 10)
