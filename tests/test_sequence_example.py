"""tf.train.SequenceExample parsing, FixedLenSequenceFeature, SparseFeature, decode_json_example and serialized
SparseTensors: whole TF1 input pipelines against TensorFlow's recordings, and TF's errors for bad specs and records.

The pipelines (tests/tf1_op_cases_seqex.py's SCRIPTS) were recorded with TensorFlow 2.21's compat.v1 by running
that module; the op cases there run in tests/test_tf1_ops_expectations.py. The error messages below were
checked against TF's: the same exception class, and the message names the feature key.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import tf1_op_cases  # noqa: F401 - loads the case modules in their order (tf1_op_cases_seqex imports its Case)
from recordings import assert_matches_recording
from tf1_op_cases_seqex import SCRIPTS, example, sequence_example

import dfc as tf
from dfc.errors import InvalidArgumentError


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_pipeline_matches_tensorflow(name, tmp_path):
    tf.reset_default_graph()
    got = SCRIPTS[name](tf, tf.Session, str(tmp_path))
    assert_matches_recording(got, f"script_{name}", lambda key: {"rtol": 2e-5, "atol": 2e-6})


def _records() -> list[bytes]:
    return [sequence_example({"n": [2]}, {"tok": [[1], [2]], "emb": [[1.0, 2.0], [3.0, 4.0]], "w": [[b"a"], []]}),
            sequence_example({"n": [1]}, {"tok": [[5]], "emb": [[0.5, 0.25]], "w": [[b"b", b"c"]]})]


def test_batched_sequence_examples_in_dataset_map(tmp_path):
    """TFRecordDataset.batch(...).map(parse_sequence_example): the usual batched form; padding with zeros, the
    lengths, a 3-D SparseTensor per batch."""
    path = str(tmp_path / "s.tfrecord")
    with tf.python_io.TFRecordWriter(path) as writer:
        for record in _records() * 2:
            writer.write(record)

    def parse(serialized):
        context, lists, lengths = tf.io.parse_sequence_example(
            serialized, context_features={"n": tf.FixedLenFeature([], tf.int64)},
            sequence_features={"tok": tf.FixedLenSequenceFeature([], tf.int64),
                               "emb": tf.FixedLenSequenceFeature([2], tf.float32), "w": tf.VarLenFeature(tf.string)})
        return context["n"], lists["tok"], lists["emb"], lengths["tok"], tf.sparse_tensor_to_dense(lists["w"], "")

    n, tok, emb, length, words = tf.data.TFRecordDataset(path).batch(3).map(parse).make_one_shot_iterator().get_next()
    assert tok.shape.as_list() == [None, None] and emb.shape.as_list() == [None, None, 2]
    with tf.Session() as sess:
        first, second = sess.run([n, tok, emb, length, words]), sess.run([n, tok, emb, length, words])
    np.testing.assert_array_equal(first[0], [2, 1, 2])
    np.testing.assert_array_equal(first[1], [[1, 2], [5, 0], [1, 2]])
    np.testing.assert_array_equal(first[2][1], [[0.5, 0.25], [0.0, 0.0]])
    np.testing.assert_array_equal(first[3], [2, 1, 2])
    assert first[4].shape == (3, 2, 2) and first[4][1, 0].tolist() == [b"b", b"c"] and first[4][0, 1, 0] == b""
    np.testing.assert_array_equal(second[1], [[5]])


def test_proto_classes_and_static_shapes():
    record = tf.train.SequenceExample()
    record.context.feature["n"].int64_list.value.append(3)
    for t in (4, 5, 6):
        record.feature_lists.feature_list["tok"].feature.add().int64_list.value.append(t)
    lists = tf.train.FeatureLists(feature_list={"x": tf.train.FeatureList(feature=[
        tf.train.Feature(float_list=tf.train.FloatList(value=[1.0]))])})
    assert lists.feature_list["x"].feature[0].float_list.value == [1.0]
    s = tf.placeholder(tf.string, [])
    context, seq = tf.parse_single_sequence_example(
        s, {"n": tf.FixedLenFeature([], tf.int64), "v": tf.VarLenFeature(tf.float32)},
        {"tok": tf.FixedLenSequenceFeature([1], tf.int64), "w": tf.VarLenFeature(tf.string)},
        name="parse_seq")
    assert seq["tok"].shape.as_list() == [None, 1] and seq["w"].indices.shape.as_list() == [None, 2]
    assert context["n"].shape.as_list() == [] and context["v"].dense_shape.shape.as_list() == [1]
    assert seq["tok"].name.startswith("parse_seq/")
    anything = tf.placeholder(tf.string)  # the serving signature's input: rank unknown, a scalar checked at run time
    context2, seq2 = tf.parse_single_sequence_example(anything, {"d": tf.FixedLenFeature([3], tf.int64)},
                                                      {"t": tf.FixedLenSequenceFeature([], tf.int64)})
    assert context2["d"].shape.as_list() == [3] and seq2["t"].shape.as_list() == [None]
    with tf.Session() as sess, pytest.raises(InvalidArgumentError, match="Input serialized must be a scalar"):
        sess.run(context2["d"], {anything: [b"", b""]})
    with tf.Session() as sess:
        assert sess.run(seq["tok"], {s: record.SerializeToString()}).tolist() == [[4], [5], [6]]


def _build_error(build):
    with pytest.raises((ValueError, TypeError)) as info:
        build()
    return info


def test_spec_errors_are_tfs():
    s, v = tf.placeholder(tf.string, []), tf.placeholder(tf.string, [None])
    cases = [
        (lambda: tf.parse_example(v, {"x": tf.FixedLenSequenceFeature([2], tf.float32)}),
         ValueError, "FixedLenSequenceFeature requires allow_missing to be True"),
        (lambda: tf.parse_single_sequence_example(s, sequence_features={"x": tf.FixedLenFeature([], tf.int64)}),
         ValueError, "Unsupported FixedLenFeature .* for key 'x'"),
        (lambda: tf.parse_single_sequence_example(s, context_features={"c": tf.FixedLenSequenceFeature([], tf.int64)}),
         ValueError, "Unsupported FixedLenSequenceFeature .* for key 'c'"),
        (lambda: tf.parse_single_sequence_example(s, sequence_features={
            "x": tf.FixedLenSequenceFeature([], tf.int64, default_value=3)}),
         ValueError, r"feature_list.dense_defaults\[x\] must be None"),
        (lambda: tf.parse_single_sequence_example(s), ValueError, "Both context_features and sequence_features"),
        (lambda: tf.parse_example(v, {"x": tf.FixedLenFeature([None], tf.float32)}),
         ValueError, "First dimension of shape for feature x unknown"),
        (lambda: tf.parse_example(v, {"seq": tf.FixedLenSequenceFeature([2], tf.float32, allow_missing=True,
                                                                        default_value=[1.0, 2.0])}),
         ValueError, "Cannot reshape a tensor with 2 elements to shape"),
        (lambda: tf.parse_example(v, {"a": tf.VarLenFeature(tf.float32),
                                      "sp": tf.SparseFeature("i", "a", tf.int64, 3)}),
         ValueError, "Conflicting type float32 vs int64 for feature a"),
        (lambda: tf.parse_example(v, {"i": tf.FixedLenFeature([], tf.int64), "sp": tf.SparseFeature("i", "a", tf.int64,
                                                                                                    3)}),
         ValueError, "Dense and sparse keys must not intersect"),
        (lambda: tf.parse_single_sequence_example(v, {"n": tf.FixedLenFeature([], tf.int64)}),
         ValueError, "rank 0"),
        (lambda: tf.deserialize_many_sparse(tf.serialize_sparse(tf.SparseTensor([[0]], [1.0], [2])), tf.float32),
         ValueError, "Shape must be rank 2 but is rank 1"),
        (lambda: tf.parse_example(v, {"x": tf.FixedLenFeature([], tf.int32)}),
         TypeError, "parameter 'dense_defaults' has DataType int32 not in list of allowed values: float32, int64, "
                    "string .feature 'x'"),
        (lambda: tf.parse_example(v, {"x": tf.VarLenFeature(tf.float64)}),
         TypeError, "parameter 'sparse_types' has DataType float64"),
    ]
    for build, error, pattern in cases:
        info = _build_error(build)
        assert info.type is error and re.search(pattern, str(info.value)), (pattern, info.value)


def test_record_errors_are_tfs_invalid_argument_naming_the_key():
    """Malformed or missing features fail the run with InvalidArgumentError naming the feature, as TF's do."""
    s, v = tf.placeholder(tf.string, []), tf.placeholder(tf.string, [None])
    record = _records()[0]

    def fails(fetch, feed, pattern):
        with tf.Session() as sess, pytest.raises(InvalidArgumentError, match=pattern):
            sess.run(fetch, feed)

    seq = lambda **specs: tf.parse_single_sequence_example(s, sequence_features=specs)[1]  # noqa: E731
    fails(seq(emb=tf.FixedLenSequenceFeature([3], tf.float32)), {s: record},
          r"Key: emb, Index: 0.  Number of values != expected.  values size: 2 but output shape: \[3\]")
    fails(seq(tok=tf.FixedLenSequenceFeature([], tf.float32)), {s: record},
          "Feature list: tok, Index: 0.  Data types don't match. Expected type: float")
    fails(seq(nope=tf.FixedLenSequenceFeature([], tf.int64)), {s: record},
          "Feature list 'nope' is required but could not be found")
    fails(tf.parse_single_sequence_example(s, {"nope": tf.FixedLenFeature([], tf.int64)})[0], {s: record},
          r"Feature: nope \(data type: int64\) is required but could not be found")
    fails(tf.parse_single_sequence_example(s, {"n": tf.FixedLenFeature([], tf.int64)})[0], {s: b"garbage\x01"},
          "Could not parse example input")
    examples = [example({"seq": [1.0, 2.0, 3.0, 4.0], "i": [3, 1], "a": [0.5]})]
    fails(tf.parse_example(v, {"seq": tf.FixedLenSequenceFeature([3], tf.float32, allow_missing=True)}),
          {v: examples}, r"Key: seq, Index: 0.  Number of float values is not a multiple of stride length. Saw 4 "
                         r"values but output shape is: \[\?,3\]")
    fails(tf.parse_example(v, {"seq": tf.FixedLenSequenceFeature([2], tf.int64, allow_missing=True)}), {v: examples},
          "Key: seq, Index: 0.  Data types don't match. Data type: float but expected type: int64")
    fails(tf.parse_example(v, {"sp": tf.SparseFeature("i", "a", tf.float32, 5)})["sp"].values, {v: examples},
          "SparseFeature 'sp'")
    fails(tf.io.decode_json_example(v), {v: [b'{"features": {"feature": {"x": {"int64List": {"value": [1.5]}}}}}']},
          "Error while parsing JSON: .*fractional")
    fails(tf.io.decode_json_example(v), {v: [b'{"foo": 1}']}, "no such field: 'foo'")
    many = tf.serialize_many_sparse(tf.SparseTensor([[0, 1]], [1.5], [2, 3]))
    fails(tf.deserialize_many_sparse(many, tf.int64).values, {},
          "Requested SparseTensor of type int64 but SparseTensor.0..values.dtype.. == float")


def test_records_ending_in_zero_bytes_survive_indexing_and_loops():
    """A serialized proto often ends in a zero byte (a last value 0, an empty Feature): picking one record out of a
    batch with a fed index or in a while_loop keeps it whole (numpy's bytes dtype would drop the zeros)."""
    records = [sequence_example({"c": [1]}, {"s": [[b"a"], [b"b"]], "f": [[1.0], None]}),
               sequence_example({"c": [0]}, {"s": [[b"zz"]]})]
    assert records[0].endswith(b"\0")
    batch = tf.constant(records)
    i = tf.placeholder(tf.int32, [])

    def parse(serialized):
        context, lists = tf.parse_single_sequence_example(serialized, {"c": tf.FixedLenFeature([], tf.int64)},
                                                          {"s": tf.FixedLenSequenceFeature([], tf.string)})
        return context["c"], lists["s"]

    steps = tf.while_loop(lambda k, acc: k < 2, lambda k, acc: (k + 1, acc + tf.size(parse(batch[k])[1])), [0, 0])
    with tf.Session() as sess:
        c, s = sess.run(parse(batch[i]), {i: 0})
        assert c == 1 and s.tolist() == [b"a", b"b"]
        assert sess.run(steps)[1] == 3
