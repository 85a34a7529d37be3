"""TF1 functions given a size as a tensor the graph does not know (tf.tile(x, [tf.shape(y)[0], 1])): each equals
the same function given that size as a constant, values and gradients, on the interpreter and the CPU backend."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

BACKENDS = ["interpreter", None]


def _cases(n, k):
    """name -> (built with tensors n (= 3, from a fed shape) and k (= 2, fed), built with the constants)."""
    x = tf.reshape(tf.range(1.0, 7.0), [2, 3])
    img = tf.reshape(tf.range(48.0), [4, 4, 3])
    idx = tf.constant([[0, 2], [1, 5]])
    return {
        "tile": (tf.tile(x, [n, 1]), tf.tile(x, [3, 1])),
        "tile_vector": (tf.tile(x, tf.stack([k, n])), tf.tile(x, [2, 3])),
        "broadcast_to": (tf.broadcast_to(x[:1], [n, 3]), tf.broadcast_to(x[:1], [3, 3])),
        "pad": (tf.pad(x, [[0, n], [k, 0]], constant_values=-1.0), tf.pad(x, [[0, 3], [2, 0]], constant_values=-1.0)),
        "pad_tensor": (tf.pad(x, tf.stack([[0, k], [k, 1]])), tf.pad(x, [[0, 2], [2, 1]])),
        "one_hot": (tf.one_hot(idx, n + 1, on_value=2.0, off_value=-1.0), tf.one_hot(idx, 4, on_value=2.0,
                                                                                       off_value=-1.0)),
        "one_hot_axis0": (tf.one_hot(idx, n, axis=0), tf.one_hot(idx, 3, axis=0)),
        "eye": (tf.eye(n, k), tf.eye(3, 2)),
        "unsorted_segment_sum": (tf.unsorted_segment_sum(x, [1, 0], n), tf.unsorted_segment_sum(x, [1, 0], 3)),
        "unsorted_segment_mean": (tf.unsorted_segment_mean(x, [2, 2], n), tf.unsorted_segment_mean(x, [2, 2], 3)),
        "scatter_nd": (tf.scatter_nd([[1], [0], [1]], [1.0, 2.0, 4.0], tf.stack([n])),
                       tf.scatter_nd([[1], [0], [1]], [1.0, 2.0, 4.0], [3])),
        "band_part": (tf.matrix_band_part(tf.ones(tf.stack([n, n])), -1, 0),
                      tf.matrix_band_part(tf.ones([3, 3]), -1, 0)),
        "band_part_k": (tf.matrix_band_part(tf.reshape(tf.range(16.0), [4, 4]), k, 1),
                        tf.matrix_band_part(tf.reshape(tf.range(16.0), [4, 4]), 2, 1)),
        "roll": (tf.roll(x, [k, n + 1], [0, 1]), tf.roll(x, [2, 4], [0, 1])),
        "crop_to_bounding_box": (tf.image.crop_to_bounding_box(img, 1, 0, n, k),
                                 tf.image.crop_to_bounding_box(img, 1, 0, 3, 2)),
        "pad_to_bounding_box": (tf.image.pad_to_bounding_box(img, 1, 2, n + 3, 7),
                                tf.image.pad_to_bounding_box(img, 1, 2, 6, 7)),
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_sizes_from_tensors_equal_constant_sizes(backend):
    with tf.Graph().as_default():
        y = tf.placeholder(tf.float32, [None, 4])
        k = tf.placeholder(tf.int32, [])
        cases = _cases(tf.shape(y)[0], k)
        names = list(cases)
        got = tf.Session(backend=backend).run({name: cases[name][0] for name in names},
                                              {y: np.zeros((3, 4), np.float32), k: 2})
        want = tf.Session(backend=backend).run({name: cases[name][1] for name in names})
    for name in names:
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)


@pytest.mark.parametrize("backend", BACKENDS)
def test_diagonals_of_matrices_whose_dims_are_fed(backend):
    v = tf.placeholder(tf.float32, [None])
    m = tf.placeholder(tf.float32, [None, None])
    b = tf.placeholder(tf.float32, [None, None, None])
    fetches = {"diag": tf.diag(v), "matrix_diag": tf.matrix_diag(v), "diag_part": tf.diag_part(m[:, :3]),
               "matrix_diag_part": tf.matrix_diag_part(m), "trace": tf.trace(m),
               "set_diag": tf.matrix_set_diag(m, -v), "batch_diag_part": tf.matrix_diag_part(b),
               "batch_set_diag": tf.matrix_set_diag(b, tf.zeros([2, 3])),
               "tall_set_diag": tf.matrix_set_diag(tf.transpose(m), -v)}
    vv, mm, bb = np.arange(1.0, 4.0), np.arange(12.0).reshape(3, 4), np.arange(24.0).reshape(2, 3, 4)
    got = tf.Session(backend=backend).run(fetches, {v: vv, m: mm, b: bb})
    set_diag = mm.copy()
    set_diag[range(3), range(3)] = -vv
    batch_set = bb.copy()
    batch_set[:, range(3), range(3)] = 0
    want = {"diag": np.diag(vv), "matrix_diag": np.diag(vv), "diag_part": np.diag(mm[:, :3]),
            "matrix_diag_part": np.diag(mm), "trace": np.trace(mm), "set_diag": set_diag,
            "batch_diag_part": np.stack([np.diag(z) for z in bb]), "batch_set_diag": batch_set,
            "tall_set_diag": set_diag.T}
    for name, value in want.items():
        np.testing.assert_array_equal(got[name], value, err_msg=name)


def test_static_shapes_keep_what_the_graph_knows():
    y = tf.placeholder(tf.float32, [None, 4])
    n = tf.shape(y)[0]
    x = tf.zeros([2, 3])
    assert tf.tile(x, [n, 2]).shape.as_list() == [None, 6]
    assert tf.broadcast_to(x[:1], [n, 3]).shape.as_list() == [None, 3]
    assert tf.pad(x, [[0, n], [1, 1]]).shape.as_list() == [None, 5]
    assert tf.one_hot([[0, 1]], n).shape.as_list() == [1, 2, None]
    assert tf.unsorted_segment_sum(x, [0, 1], n).shape.as_list() == [None, 3]


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradients_through_sizes_from_tensors(backend):
    y = tf.placeholder(tf.float32, [None, 3])
    n = tf.shape(y)[0]
    w = tf.Variable(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    weights = tf.reshape(tf.range(1.0, 19.0), [6, 3])
    tiled = tf.reduce_sum(tf.tile(w, [n, 1]) * weights)
    padded = tf.reduce_sum(tf.pad(w, [[0, n], [0, 0]]) * tf.reshape(tf.range(15.0), [5, 3]))
    scattered = tf.reduce_sum(tf.tensor_scatter_nd_update(y, [[0, 1]], [5.0]) ** 2)
    grads = tf.gradients([tiled, padded, scattered], [w, y])
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        gw, gy = sess.run(grads, {y: np.ones((3, 3), np.float32)})
    want_w = np.arange(1.0, 19.0).reshape(6, 3)
    want_w = want_w[:2] + want_w[2:4] + want_w[4:] + np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(gw, want_w)
    want_y = np.full((3, 3), 2.0)
    want_y[0, 1] = 0.0
    np.testing.assert_allclose(gy, want_y)


def test_a_bad_size_fails_the_run_as_tf_does():
    k = tf.placeholder(tf.int32, [])
    x = tf.zeros([2, 3])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="multiples"):
            sess.run(tf.tile(x, [k, 1]), {k: -1})
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(tf.unsorted_segment_sum(x, [0, 4], k), {k: 3})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Need value.shape >= size"):
            sess.run(tf.random_crop(x, tf.stack([k, 3])), {k: 3})
    with pytest.raises(ValueError, match="multiples"):
        tf.tile(x, tf.stack([k, k, k]))


def test_random_crop_of_a_fed_size_draws_a_window_of_the_value():
    k = tf.placeholder(tf.int32, [])
    x = tf.reshape(tf.range(24.0), [2, 3, 4])
    crop = tf.random_crop(x, tf.stack([1, k, 2]), seed=3)
    with tf.Session() as sess:
        for size in (1, 3):
            out = sess.run(crop, {k: size})
            assert out.shape == (1, size, 2)
            full = np.arange(24.0).reshape(2, 3, 4)
            assert any(np.array_equal(out, full[a:a + 1, b:b + size, c:c + 2])
                       for a in range(2) for b in range(4 - size) for c in range(3))
