"""The array area's TF1 names beyond values: static shapes, build-time and run-time errors that name the user's
tensors, and the static helpers (is_tensor, get_static_value, broadcast_static_shape), as TF1 gives them."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.errors import InvalidArgumentError


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()


def test_indexing_static_shapes_follow_numpy():
    x = tf.placeholder(tf.float32, [None, 3, 4], name="images")
    assert x[:, tf.newaxis].shape.as_list() == [None, 1, 3, 4]
    assert x[..., None].shape.as_list() == [None, 3, 4, 1]
    assert x[None, 1, None, ..., -1].shape.as_list() == [1, 1, 3]
    assert x[None, :, None, ..., -1].shape.as_list() == [1, None, 1, 3]
    assert x[0, ..., None, 2].shape.as_list() == [3, 1]
    assert tf.strided_slice(x, [0, 0], [0, 2], ellipsis_mask=1, shrink_axis_mask=2).shape.as_list() == [None, 3]
    assert tf.newaxis is None


def test_indexing_errors_name_the_tensor():
    x = tf.placeholder(tf.float32, [2, 3], name="grid")
    with pytest.raises(ValueError, match="grid"):
        x[5]
    with pytest.raises(ValueError, match="grid"):
        x[0, 0, 0]
    with pytest.raises(ValueError, match="ellipsis"):
        x[..., ...]
    with pytest.raises(TypeError, match="ids"):
        x[tf.placeholder(tf.float32, [], name="ids")]
    with pytest.raises(ValueError, match="Multiple ellipses"):
        tf.strided_slice(x, [0, 0], [1, 1], ellipsis_mask=3)
    with pytest.raises(ValueError, match="equal size"):
        tf.strided_slice(x, [0, 0], [1], [1, 1])


def test_dynamic_index_counts_from_the_end():
    x = tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4))
    i = tf.placeholder(tf.int32, [])
    with tf.Session() as sess:
        assert sess.run(x[i], {i: -1}).tolist() == [8.0, 9.0, 10.0, 11.0]
        assert sess.run(x[:, i], {i: 1}).tolist() == [1.0, 5.0, 9.0]
        with pytest.raises(InvalidArgumentError):
            sess.run(x[i], {i: 3})


def test_ensure_shape_refines_and_checks_at_run_time():
    q = tf.placeholder(tf.float32, [None, None], name="batch")
    e = tf.ensure_shape(q, [2, None])
    assert e.shape.as_list() == [2, None]
    u = tf.placeholder(tf.float32, None, name="anything")
    assert tf.ensure_shape(u, [None, 3]).shape.as_list() == [None, 3]
    with pytest.raises(ValueError, match="batch"):
        tf.ensure_shape(q, [2, 3, 4])
    with tf.Session() as sess:
        assert sess.run(e, {q: np.ones((2, 5), np.float32)}).shape == (2, 5)
        with pytest.raises(InvalidArgumentError, match="batch"):
            sess.run(e, {q: np.ones((3, 5), np.float32)})
        with pytest.raises(InvalidArgumentError, match="EnsureShape"):
            sess.run(tf.ensure_shape(u, [None, 3]), {u: np.ones((3,), np.float32)})


def test_reverse_sequence_errors():
    x = tf.placeholder(tf.float32, [2, 4, 3], name="seqs")
    with pytest.raises(ValueError, match="seq_lens"):
        tf.reverse_sequence(x, [1, 5], seq_axis=1)
    with pytest.raises(ValueError, match="seq_lengths"):
        tf.reverse_sequence(x, [1, 2, 3], seq_axis=1)
    with pytest.raises(ValueError, match="seq_dim == batch_dim"):
        tf.reverse_sequence(x, [1, 2], seq_axis=0)
    lengths = tf.placeholder(tf.int64, [2], name="lengths")
    out = tf.reverse_sequence(x, lengths, seq_axis=1)
    with tf.Session() as sess:
        with pytest.raises(InvalidArgumentError, match="seq_lens"):
            sess.run(out, {x: np.zeros((2, 4, 3), np.float32), lengths: [1, 9]})


def test_broadcast_shapes():
    assert tf.broadcast_static_shape(tf.TensorShape([2, 1, 3]), tf.TensorShape([4, 1])).as_list() == [2, 4, 3]
    assert tf.broadcast_static_shape(tf.TensorShape([None, 3]), tf.TensorShape([1])).as_list() == [None, 3]
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4,\)"):
        tf.broadcast_static_shape(tf.TensorShape([2, 3]), tf.TensorShape([4]))
    q = tf.placeholder(tf.float32, [None, 3], name="rows")
    with pytest.raises(ValueError, match="Incompatible"):
        tf.broadcast_dynamic_shape([2, 3], [4])
    wrong = tf.broadcast_dynamic_shape(tf.shape(q), [4, 1, 2])
    with tf.Session() as sess, pytest.raises(InvalidArgumentError, match="Incompatible shapes"):
        sess.run(wrong, {q: np.ones((2, 3), np.float32)})


def test_static_value_helpers():
    p = tf.placeholder(tf.float32, [2, 3])
    v = tf.Variable(1.0)
    assert tf.is_tensor(p) and tf.is_tensor(v) and not tf.is_tensor(np.ones(2)) and not tf.is_tensor(3)
    assert tf.get_static_value(tf.constant([1, 2])).tolist() == [1, 2]
    assert tf.get_static_value(tf.identity(tf.constant(3.0))) == 3.0
    assert tf.get_static_value(tf.shape(p)).tolist() == [2, 3]
    assert tf.get_static_value(p) is None and tf.get_static_value(v) is None
    assert tf.get_static_value(5) == 5
    q = tf.placeholder(tf.float32, [None, 3])
    assert tf.get_static_value(tf.shape(q)) is None


def test_tuple_gates_every_output():
    a = tf.Variable(0.0)
    inc = tf.assign_add(a, 1.0)
    x = tf.constant(2.0)
    outs = tf.tuple([x, None], control_inputs=[inc])
    assert outs[1] is None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(outs[0]) == 2.0
        assert sess.run(a) == 1.0


def test_segment_errors_name_the_tensors():
    d = tf.placeholder(tf.float32, [4, 2], name="rows")
    ids = tf.placeholder(tf.int32, [4], name="ids")
    with pytest.raises(ValueError, match="rows"):
        tf.unsorted_segment_max(d, tf.placeholder(tf.int32, [3], name="short"), 2)
    with pytest.raises(TypeError, match="ids"):
        tf.unsorted_segment_min(d, tf.placeholder(tf.float32, [4], name="fids"), 2)
    with pytest.raises(ValueError, match="not increasing"):
        tf.segment_max(d, tf.constant([0, 1, 0, 2]))
    out = tf.unsorted_segment_max(d, ids, 3)
    with tf.Session() as sess:
        with pytest.raises(InvalidArgumentError, match="out of range"):
            sess.run(out, {d: np.ones((4, 2), np.float32), ids: [0, 1, 3, 2]})
        unsorted = tf.segment_sum(d, ids)  # ids fed: their count of rows is computed before the step
        with pytest.raises(InvalidArgumentError, match="not increasing"):
            sess.run({"sum": unsorted}, {d: np.ones((4, 2), np.float32), ids: [0, 2, 1, 3]})
        cm = tf.confusion_matrix(ids, ids, num_classes=3)
        with pytest.raises(InvalidArgumentError, match="labels"):
            sess.run(cm, {ids: [0, 1, 3, 2]})


def test_scatter_variable_updates_combine_duplicates():
    v = tf.Variable(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32), name="table")
    up = np.array([[2.0, 3.0], [-1.0, 0.5], [4.0, 1.0]], np.float32)
    with tf.Session() as sess:
        for fn, want in [(tf.scatter_mul, [[-2.0, 3.0], [3.0, 4.0], [20.0, 6.0]]),
                         (tf.scatter_div, [[-0.5, 2.0 / 1.5], [3.0, 4.0], [1.25, 6.0]]),
                         (tf.scatter_max, [[2.0, 3.0], [3.0, 4.0], [5.0, 6.0]]),
                         (tf.scatter_min, [[-1.0, 0.5], [3.0, 4.0], [4.0, 1.0]])]:
            sess.run(v.initializer)
            np.testing.assert_allclose(sess.run(fn(v, [0, 0, 2], up)), want)
        with pytest.raises(ValueError, match="table"):
            tf.scatter_mul(v, [0, 1], up)
    b = tf.Variable(np.zeros((2, 3), np.float32), name="batched")
    upd = tf.batch_scatter_update(b, [[2, 0], [1, 1]], np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    with tf.Session() as sess:
        sess.run(b.initializer)
        got = sess.run(upd)
        assert got[0].tolist() == [2.0, 0.0, 1.0] and got[1][0] == 0.0 and got[1][2] == 0.0


def test_unsigned_dtypes_are_tfs():
    """tf.uint16/32/64 are dtypes as TF's (its DataType numbers, numpy twins); tests/test_unsigned_dtypes.py checks
    their ops against TF."""
    for dtype, enum in ((tf.uint16, 17), (tf.uint32, 22), (tf.uint64, 23)):
        assert tf.placeholder(dtype, [2]).dtype is dtype and dtype.as_datatype_enum == enum
        assert tf.as_dtype(dtype.as_numpy_dtype) is dtype and dtype.is_unsigned and dtype.is_integer
    assert tf.cast(tf.constant(1), tf.uint32).dtype == tf.uint32
    assert repr(tf.uint32) == "tf.uint32" and tf.float32 != tf.uint32 and tf.uint64.max == 2 ** 64 - 1


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_random_crop_takes_a_window_at_a_seeded_random_offset(backend):
    img = np.arange(6 * 7 * 3, dtype=np.float32).reshape(6, 7, 3)
    x = tf.placeholder(tf.float32, [None, 7, 3], name="image")
    crop = tf.random_crop(x, [4, 5, 3], seed=5)
    same = tf.image.random_crop(x, [4, 5, 3], seed=5)
    grad = tf.gradients(tf.reduce_sum(crop), x)[0]
    assert crop.shape.as_list() == [4, 5, 3]
    windows = set()
    with tf.Session(backend=backend) as sess:
        for _ in range(12):
            c, s, g = sess.run([crop, same, grad], {x: img})
            i, j = int(c[0, 0, 0]) // 21, int(c[0, 0, 0]) % 21 // 3
            np.testing.assert_array_equal(c, img[i:i + 4, j:j + 5])
            np.testing.assert_array_equal(s, c)  # the same op seed draws the same offsets
            assert g.sum() == c.size and g[i:i + 4, j:j + 5].min() == 1.0
            windows.add((i, j))
    assert len(windows) > 3
    with pytest.raises(ValueError, match="image"):
        tf.random_crop(x, [4, 8, 3])


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_slices_bounded_by_shapes_known_only_when_fed(backend):
    x = tf.placeholder(tf.float32, [None, None, 3], name="x")
    y = tf.placeholder(tf.float32, [None, 5], name="y")
    xv = np.arange(4 * 6 * 3, dtype=np.float32).reshape(4, 6, 3)
    yv = np.ones((2, 5), np.float32)
    outs = [x[:, :tf.shape(y)[1]], x[:tf.shape(x)[0] - 1, 1:], x[tf.shape(y)[0]:, ::2, 1],
            tf.slice(x, [0, 1, 0], [tf.shape(y)[0], -1, 2]), tf.slice(x, tf.stack([1, tf.shape(y)[0], 0]), [2, 2, 3]),
            tf.strided_slice(x, [0, 0], tf.stack([tf.shape(y)[0], 3]), [1, 1])]
    assert outs[3].shape.as_list() == [None, None, 2] and outs[4].shape.as_list() == [2, 2, 3]
    want = [xv[:, :5], xv[:3, 1:], xv[2:, ::2, 1], xv[0:2, 1:, 0:2], xv[1:3, 2:4, 0:3], xv[0:2, 0:3]]
    grad = tf.gradients(tf.reduce_sum(outs[0]) + tf.reduce_sum(outs[3] * 2.0), x)[0]
    n = tf.placeholder(tf.int32, [], name="n")
    by_value = x[:n]  # a bound that fed values decide: computed before the step
    with tf.Session(backend=backend) as sess:
        got, g = sess.run([outs, grad], {x: xv, y: yv})
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)
        expected = np.zeros_like(xv)
        expected[:, :5] += 1.0
        expected[0:2, 1:, 0:2] += 2.0
        np.testing.assert_array_equal(g, expected)
        np.testing.assert_array_equal(sess.run(by_value, {x: xv, n: 2}), xv[:2])


def test_the_areas_ops_on_the_emulated_gpu_match_the_interpreter(emulated_gpu):
    """Bitwise ops, segment reductions, special functions and shape-bounded slices placed on the (emulated) GPU,
    the LAPACK op beside them on the CPU, give the interpreter's values and gradients."""
    rng = np.random.default_rng(11)
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.placeholder(tf.float32, [None, 2], name="y")
    ids = tf.placeholder(tf.int32, [None], name="ids")
    bits = tf.placeholder(tf.int32, [6], name="bits")
    pooled = tf.unsorted_segment_max(x, ids, 3) + tf.unsorted_segment_mean(x, ids, 3)
    special = tf.lgamma(tf.abs(x) + 0.5) + tf.digamma(tf.abs(x) + 1.0) + tf.math.erfinv(tf.tanh(x) * 0.9)
    trimmed = x[:, :tf.shape(y)[1]]
    inverse = tf.matrix_inverse(tf.matmul(x[:4], x[:4], transpose_a=True) + tf.eye(4))
    outs = [pooled, special, trimmed, inverse, tf.math.cumulative_logsumexp(x, axis=1),
            tf.bitwise.bitwise_xor(bits, tf.bitwise.left_shift(bits, 2)), tf.bitwise.invert(bits)]
    loss = tf.reduce_sum(pooled) + tf.reduce_sum(special) + tf.reduce_sum(trimmed * 2.0) + tf.reduce_sum(inverse)
    outs.append(tf.gradients(loss, x)[0])
    feed = {x: rng.standard_normal((6, 4)).astype(np.float32), y: np.zeros((5, 2), np.float32),
            ids: np.array([0, 2, 1, 0, 2, 2], np.int32), bits: np.array([0, 1, -3, 7, 255, -256], np.int32)}
    with tf.Session(backend="interpreter") as sess:
        want = sess.run(outs, feed)
    with tf.Session() as sess:
        got = sess.run(outs, feed)
        from dfc.runtime.gpu_placement import PlacedExecutable
        placed = [e for e in sess._cache.values() if isinstance(e, PlacedExecutable)][-1]
    assert {type(e).__name__ for e in placed.executables} == {"GpuExecutable", "CpuExecutable"}
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_top_k_sort_and_batched_gather_with_dims_known_only_when_fed():
    """TF's values: top_k keeps index order among equal values, -inf sorts last, k may be fed."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, None])
    k = tf.placeholder(tf.int32, [])
    top = tf.nn.top_k(x, 3)
    (grad,) = tf.gradients(tf.reduce_sum(top.values * [1.0, 2.0, 3.0]), [x])
    fed_top = tf.nn.top_k(x, k)
    picked = tf.gather_nd(x, tf.expand_dims(tf.argsort(x), -1), batch_dims=1)
    value = np.array([[1, 5, 5, -np.inf, 2], [0, 0, 0, 0, 0]], np.float32)
    with tf.Session() as sess:
        got, g, s, order, ascending = sess.run(
            [top, grad, tf.sort(x, direction="DESCENDING"), tf.argsort(x), picked], {x: value})
        assert got.indices.tolist() == [[1, 2, 4], [0, 1, 2]] and got.values.tolist() == [[5, 5, 2], [0, 0, 0]]
        assert g.tolist() == [[0, 1, 2, 0, 3], [1, 2, 3, 0, 0]]
        assert s.tolist() == [[5, 5, 2, 1, -np.inf], [0, 0, 0, 0, 0]]
        assert order.tolist() == [[3, 0, 4, 1, 2], [0, 1, 2, 3, 4]]
        assert ascending.tolist() == [[-np.inf, 1, 2, 5, 5], [0, 0, 0, 0, 0]]
        assert sess.run(fed_top, {x: value, k: 2}).indices.tolist() == [[1, 2], [0, 1]]
        with pytest.raises(tf.errors.InvalidArgumentError, match="at least k columns"):
            sess.run(fed_top, {x: value, k: 6})
    with pytest.raises(ValueError, match="Had 5, needed 6"):
        tf.nn.top_k(tf.zeros([2, 5]), 6)


def test_tensordot_and_einsum_over_several_unknown_dims():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, None, 4])
    w = tf.constant(np.arange(8, dtype=np.float32).reshape(4, 2))
    y = tf.tensordot(x, w, axes=1)
    z = tf.einsum("btk,bsk->bts", x, x)
    assert y.shape.as_list() == [None, None, 2]
    value = np.random.RandomState(0).rand(3, 5, 4).astype(np.float32)
    with tf.Session() as sess:
        got_y, got_z = sess.run([y, z], {x: value})
    np.testing.assert_allclose(got_y, value @ np.arange(8).reshape(4, 2), rtol=1e-5)
    np.testing.assert_allclose(got_z, np.einsum("btk,bsk->bts", value, value), rtol=1e-5)


def test_pad_entries_may_be_tensors_known_when_the_graph_is_built_or_at_run_time():
    # wavenet's time_to_batch: [[0, 0], [0, dilation - 1 - (tf.shape(x)[1] + dilation - 1) % dilation], [0, 0]]
    # (TF packs the list into one tensor; values and shapes checked against TF 2.21 tf.compat.v1)
    x = tf.constant(np.arange(10, dtype=np.float32).reshape(2, 5, 1))
    shape = tf.shape(x)
    pad_elements = 4 - 1 - (shape[1] + 4 - 1) % 4
    padded = tf.pad(x, [[0, 0], [0, pad_elements], [0, 0]])
    assert padded.shape.as_list() == [2, 8, 1]
    assert tf.reshape(padded, [-1, 4, shape[2]]).shape.as_list() == [4, 4, 1]
    p = tf.placeholder(tf.float32, [None, None])
    padded_at_run_time = tf.pad(p, [[0, 0], [0, 3 - tf.shape(p)[1] % 3]])
    with tf.Session() as sess:
        assert sess.run(padded)[:, :, 0].tolist() == [[0, 1, 2, 3, 4, 0, 0, 0], [5, 6, 7, 8, 9, 0, 0, 0]]
        assert sess.run(padded_at_run_time, {p: np.ones((1, 4))}).tolist() == [[1, 1, 1, 1, 0, 0]]
