"""dfc against TensorFlow on whole TF1 scripts over sparse inputs (tests/tf1_scripts_sparse.py), and SparseTensor's
TF1 behaviour: feeding and fetching it, its static shapes, and TF1's errors for bad sparse input.

The scripts' answers were recorded with TensorFlow by tests/record_tf1_scripts_sparse.py. The ops themselves
are checked value by value (and their gradients) by tests/tf1_op_cases_sparse.py's cases.
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_sparse import SCRIPTS


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_matches_tensorflow(name):
    """On the native backend (the ops' cases run on the interpreter too; the suite's time is kept for those)."""
    tf.reset_default_graph()
    actual = SCRIPTS[name](tf, lambda: tf.Session(backend="cpu"))
    assert_matches_recording(actual, f"script_{name}", lambda key: {"rtol": 2e-4, "atol": 2e-5})


def test_sparse_tensor_parts_shapes_and_fetch():
    tf.reset_default_graph()
    sp = tf.SparseTensor([[0, 1], [2, 3]], [1.0, 2.0], [3, 4])
    assert sp.dtype == tf.float32 and sp.indices.dtype == tf.int64 and sp.dense_shape.dtype == tf.int64
    assert sp.shape.as_list() == [3, 4] and sp.get_shape().as_list() == [3, 4]
    assert sp.op is sp.values.op and sp.graph is tf.get_default_graph()
    ph = tf.sparse_placeholder(tf.float32, shape=[None, 5], name="bag")
    assert ph.shape.as_list() == [None, 5] and ph.indices.shape.as_list() == [None, 2]
    assert ph.indices.name == "bag/indices:0" and ph.values.name == "bag/values:0"
    free = tf.sparse.placeholder(tf.int64)
    assert free.shape.ndims is None and free.dtype == tf.int64
    with tf.Session() as sess:
        value = sess.run(sp)
        assert isinstance(value, tf.SparseTensorValue)
        np.testing.assert_array_equal(value.indices, [[0, 1], [2, 3]])
        with sess.as_default():
            assert sp.eval().dense_shape.tolist() == [3, 4]
        fed = sess.run([ph, tf.sparse.to_dense(ph)], {ph: ([[1, 4]], [5.0], [2, 5])})
        assert fed[0].values.tolist() == [5.0] and fed[1].shape == (2, 5) and fed[1][1, 4] == 5.0
        # the components fed one by one, as TF allows
        parts = sess.run(tf.sparse_reduce_sum(ph), {ph.indices: [[0, 0], [1, 1]], ph.values: [1.0, 2.0],
                                                    ph.dense_shape: [2, 5]})
        assert parts == 3.0
        assert tf.convert_to_tensor_or_sparse_tensor(sp) is sp
        with pytest.raises(ValueError, match="bag"):
            sess.run(tf.sparse.to_dense(ph), {ph: np.zeros([2, 2])})


def _errors():
    sp = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2], )
    return [
        (lambda: tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0, 3.0], [2, 2]), ValueError, "values"),
        (lambda: tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2, 2]), ValueError, "dense_shape"),
        (lambda: tf.SparseTensor([0, 1], [1.0, 2.0], [2]), ValueError, "indices"),
        (lambda: tf.sparse_tensor_dense_matmul(sp, tf.zeros([3, 2], name="rhs")), ValueError, "rhs"),
        (lambda: tf.sparse_tensor_dense_matmul(sp, tf.zeros([2], name="vec")), ValueError, "vec"),
        (lambda: tf.sparse_tensor_dense_matmul(sp, tf.zeros([2, 2], tf.float64, name="d")), TypeError, "d:0"),
        (lambda: tf.sparse_tensor_to_dense(tf.zeros([2], name="plain")), TypeError, "plain"),
        (lambda: tf.sparse_add(sp, tf.SparseTensor([[0, 0]], [1], [2, 2])), TypeError, "SparseAdd"),
        (lambda: tf.nn.embedding_lookup_sparse(tf.zeros([3, 2]), sp, None, combiner="max"), ValueError, "max"),
        (lambda: tf.sparse_concat(2, [sp, sp]), ValueError, "SparseConcat"),
        (lambda: tf.sparse_reshape(sp, [3, -1]), ValueError, "SparseReshape"),
        (lambda: tf.sparse_segment_sum(tf.ones([3, 2]), tf.constant([0.5]), [0]), TypeError, "indices"),
        (lambda: tf.nn.ctc_loss(tf.zeros([2, 3], tf.int32), tf.zeros([4, 2, 5]), [4, 4]), TypeError, "SparseTensor"),
        (lambda: tf.nn.ctc_loss(tf.SparseTensor([[0, 0]], [1], [2, 1]), tf.zeros([4, 5], name="frames"), [4, 4]),
         ValueError, "frames"),
        (lambda: tf.sets.set_size(tf.zeros([2, 2], tf.int32)), TypeError, "SparseTensor"),
        (lambda: tf.sets.set_union(tf.zeros([2, 2]), tf.zeros([2, 2])), TypeError, "float32"),
        (lambda: tf.edit_distance(sp, tf.SparseTensor([[0, 0]], [1], [1, 1])), TypeError, "EditDistance"),
    ]


def test_bad_sparse_arguments_raise_tf1_errors_naming_the_input():
    tf.reset_default_graph()
    for build, error, word in _errors():
        with pytest.raises(error, match=word):
            build()


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_bad_indices_fail_the_run_naming_the_op(backend):
    tf.reset_default_graph()
    ph = tf.sparse_placeholder(tf.float32, name="bag")
    dense = tf.sparse_tensor_to_dense(ph, name="densify")
    loose = tf.sparse_tensor_to_dense(ph, validate_indices=False)
    segments = tf.sparse_segment_sum(tf.ones([3, 2]), tf.constant([0, 1, 2]), tf.placeholder(tf.int32, [3], "seg"))
    frames = tf.placeholder(tf.float32, [2, 1, 3])
    ctc = tf.nn.ctc_loss(tf.SparseTensor([[0, 0], [0, 1], [0, 2]], [0, 1, 0], [1, 3]), frames, [2])
    with tf.Session(backend=backend) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="densify.*out of bounds"):
            sess.run(dense, {ph: ([[0, 5]], [1.0], [2, 2])})
        with pytest.raises(tf.errors.InvalidArgumentError, match="densify.*out of order"):
            sess.run(dense, {ph: ([[1, 0], [0, 1]], [1.0, 2.0], [2, 2])})
        np.testing.assert_array_equal(sess.run(loose, {ph: ([[1, 0], [0, 1]], [1.0, 2.0], [2, 2])}), [[0, 2], [1, 0]])
        with pytest.raises(tf.errors.InvalidArgumentError, match="SparseSegmentSum.*not increasing"):
            sess.run(segments, {"seg:0": [1, 0, 0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="CTCLoss.*Not enough time"):
            sess.run(ctc, {frames: np.zeros([2, 1, 3], np.float32)})
