"""tf.data's window, scan, reduce, group_by_window, bucket_by_sequence_length and friends against TF 2.21's outputs.

The expected lists are what TF 2.21 (tf.compat.v1, graph mode) printed for the same pipelines.
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")

R = tf.data.Dataset.range
SEQUENCES = [[1], [1, 2, 3], [4, 5], [6, 7, 8, 9, 10], [11], [12, 13, 14]]


def _sequences():
    return tf.data.Dataset.from_generator(lambda: iter(SEQUENCES), tf.int32, [None])


def _all(dataset, limit: int = 20) -> list:
    element = dataset.make_one_shot_iterator().get_next()
    out = []
    with tf.Session() as sess:
        for _ in range(limit):
            try:
                value = sess.run(element)
            except tf.errors.OutOfRangeError:
                return out
            out.append(value.tolist() if hasattr(value, "tolist") else [v.tolist() for v in value])
    raise AssertionError("the dataset did not end")


CASES = {
    "window": (lambda: R(7).window(3, shift=2).flat_map(lambda w: w.batch(3)),
               [[0, 1, 2], [2, 3, 4], [4, 5, 6], [6]]),
    "window_stride_drop": (lambda: R(10).window(3, shift=3, stride=2, drop_remainder=True).flat_map(
        lambda w: w.batch(5)), [[0, 2, 4], [3, 5, 7]]),
    "window_of_pairs": (lambda: tf.data.Dataset.zip((R(5), R(5).map(lambda x: x * 10))).window(2).flat_map(
        lambda a, b: tf.data.Dataset.zip((a.batch(2), b.batch(2)))),
        [[[0, 1], [0, 10]], [[2, 3], [20, 30]], [[4], [40]]]),
    "scan": (lambda: R(6).apply(tf.data.experimental.scan(np.int64(0), lambda s, x: (s + x, s * 2))),
             [0, 0, 2, 6, 12, 20]),
    "scan_nested_state": (lambda: R(4).scan((np.int64(1), np.float32(0)),
                                            lambda s, x: ((s[0] * 2, s[1] + 0.5), (x, s[1]))),
                          [[0, 0.0], [1, 0.5], [2, 1.0], [3, 1.5]]),
    "group_by_window": (lambda: R(10).apply(tf.data.experimental.group_by_window(
        lambda x: x % 3, lambda k, d: d.batch(10).map(lambda b: (k, b)), window_size=2)),
        [[0, [0, 3]], [1, [1, 4]], [2, [2, 5]], [0, [6, 9]], [1, [7]], [2, [8]]]),
    "bucket_by_sequence_length": (lambda: _sequences().apply(tf.data.experimental.bucket_by_sequence_length(
        lambda x: tf.shape(x)[0], [2, 4], [2, 2, 2])),
        [[[1, 2, 3], [4, 5, 0]], [[1], [11]], [[12, 13, 14]], [[6, 7, 8, 9, 10]]]),
    "bucket_to_boundary": (lambda: _sequences().apply(tf.data.experimental.bucket_by_sequence_length(
        lambda x: tf.shape(x)[0], [2, 4, 6], [3, 1, 2, 2], pad_to_bucket_boundary=True)),
        [[[1, 2, 3]], [[4, 5, 0]], [[12, 13, 14]], [[1], [11]], [[6, 7, 8, 9, 10]]]),
    "unique": (lambda: tf.data.Dataset.from_tensor_slices([1, 3, 1, 2, 3, 4]).apply(tf.data.experimental.unique()),
               [1, 3, 2, 4]),
    "take_while": (lambda: R(10).apply(tf.data.experimental.take_while(lambda x: x < 4)), [0, 1, 2, 3]),
    "ignore_errors": (lambda: tf.data.Dataset.from_tensor_slices(["1", "x", "3"]).map(
        tf.string_to_number).apply(tf.data.experimental.ignore_errors()), [1.0, 3.0]),
    "choose_from_datasets": (lambda: tf.data.experimental.choose_from_datasets(
        [R(3), R(10, 13)], tf.data.Dataset.from_tensor_slices(np.array([0, 1, 1, 0, 1], np.int64))),
        [0, 10, 11, 1, 12]),
    "counter": (lambda: tf.data.experimental.Counter(5, 2).take(3), [5, 7, 9]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_transformation_matches_tensorflow(name):
    make, expected = CASES[name]
    assert _all(make()) == expected


def test_reduce_and_get_single_element_run_the_dataset_when_fetched():
    total = R(5).reduce(np.int64(0), lambda s, x: s + x)
    single = tf.data.experimental.get_single_element(R(1).map(lambda x: x + 41))
    empty = tf.data.experimental.get_single_element(R(0))
    two = tf.data.experimental.get_single_element(R(2))
    with tf.Session() as sess:
        assert sess.run([total, single]) == [10, 41]
        with pytest.raises(tf.errors.InvalidArgumentError, match="Dataset was empty"):
            sess.run(empty)
        with pytest.raises(tf.errors.InvalidArgumentError, match="more than one element"):
            sess.run(two)


def test_sample_from_datasets_draws_by_weight_and_is_seeded():
    def drawn():
        tf.reset_default_graph()
        return _all(tf.data.experimental.sample_from_datasets(
            [tf.data.Dataset.from_tensors(np.int64(0)).repeat(400), R(1, 2).repeat(400)], [0.8, 0.2], seed=3),
            limit=1000)
    first = drawn()
    assert len(first) == 800  # both inputs run out; nothing is lost
    assert 0.7 < first[:400].count(0) / 400 < 0.9
    assert drawn() == first


def test_window_datasets_are_refused_where_only_tensors_go():
    with pytest.raises(TypeError, match="flat_map"):
        R(4).window(2).make_one_shot_iterator()
    with pytest.raises(TypeError, match="are datasets"):
        R(4).window(2).map(lambda w: w)
    with pytest.raises(tf.errors.InvalidArgumentError, match="size must be greater than zero"):
        R(4).window(0)


def test_options_merge_and_refuse_unknown_names():
    options = tf.data.Options()
    options.experimental_deterministic = False
    options.experimental_optimization.map_fusion = True
    dataset = R(3).with_options(options)
    assert dataset.options().experimental_deterministic is False
    assert dataset.options().experimental_optimization.map_fusion is True
    assert _all(dataset) == [0, 1, 2]
    with pytest.raises(AttributeError, match="Cannot set the property colour"):
        options.colour = 1
    other = tf.data.Options()
    other.experimental_deterministic = True
    with pytest.raises(ValueError, match="incompatible"):
        dataset.with_options(other)
