"""tf.nn.space_to_batch, tf.nn.with_space_to_batch and tf.required_space_to_batch_paddings against TF 2.21's
recorded answers (tests/record_ctc_misc.py), and their errors."""

from __future__ import annotations

import numpy as np
import pytest
from recordings import load_recording

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")

REC = load_recording("ctc_misc")


def test_nn_space_to_batch_is_tfs():
    with tf.Session() as sess:
        got = sess.run(tf.nn.space_to_batch(tf.constant(REC["s2b_x"]), [[1, 2], [0, 1]], block_size=2))
    np.testing.assert_array_equal(got, REC["s2b_out"])


@pytest.mark.parametrize("tag,shape,block,base", [("a", [5, 7], [2, 3], None),
                                                  ("b", [4, 9], [3, 2], [[1, 0], [0, 2]]),
                                                  ("c", [6], [4], None)])
def test_required_space_to_batch_paddings_is_tfs(tag, shape, block, base):
    paddings, crops = tf.required_space_to_batch_paddings(tf.constant(shape), tf.constant(block),
                                                          None if base is None else tf.constant(base))
    with tf.Session() as sess:
        got_p, got_c = sess.run([paddings, crops])
    assert got_p.dtype == np.int32
    np.testing.assert_array_equal(got_p, REC[f"rsp_{tag}_pad"])
    np.testing.assert_array_equal(got_c, REC[f"rsp_{tag}_crop"])


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_with_space_to_batch_dilated_conv_is_tfs(padding):
    x, w = tf.constant(REC["s2b_x"]), tf.constant(REC["wsb_w"])
    y = tf.nn.with_space_to_batch(x, dilation_rate=[2, 3], padding=padding, filter_shape=[3, 3],
                                  op=lambda t, n, p: tf.nn.conv2d(t, w, [1, 1, 1, 1], p))
    dilated = tf.nn.convolution(x, w, padding=padding, dilation_rate=[2, 3])
    with tf.Session() as sess:
        got, direct = sess.run([y, dilated])
    np.testing.assert_allclose(got, REC[f"wsb_{padding.lower()}"], atol=1e-5)
    np.testing.assert_allclose(got, direct, atol=1e-5)


def test_with_space_to_batch_errors_and_rate_one():
    x = tf.zeros([1, 4, 4, 1])
    with pytest.raises(ValueError, match="filter_shape"):
        tf.nn.with_space_to_batch(x, [2, 2], "SAME", lambda t, n, p: t)
    with pytest.raises(ValueError, match="padding"):
        tf.nn.with_space_to_batch(x, [2, 2], "FULL", lambda t, n, p: t)
    seen = []
    tf.nn.with_space_to_batch(x, [1, 1], "SAME", lambda t, n, p: seen.append((t, n, p)) or t)
    assert seen == [(x, 2, "SAME")]
