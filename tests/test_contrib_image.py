"""tf.contrib.image: a TF1 training script over rotate/translate against TF's recording, static shapes, TF1's errors.

Values and gradients of each function against TF are in tests/tf1_op_cases_contrib_image.py (run by
tests/test_tf1_ops_expectations.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc import errors
from recordings import load_recording
from tf1_scripts_contrib import augment_and_fit, spline_warps


def test_augmentation_script_matches_tensorflow():
    recorded = load_recording("script_contrib_image_augment")
    got = augment_and_fit(tf, tf.contrib.image)
    for key in ("losses", "fit_losses", "augmented", "canvas"):
        np.testing.assert_allclose(got[key], recorded[key], rtol=1e-4, atol=1e-5, err_msg=key)


def test_static_shapes_names_and_no_gradient_for_transforms():
    tf.reset_default_graph()
    images = tf.placeholder(tf.float32, [None, 6, 7, 3], name="images")
    angles = tf.placeholder(tf.float32, [None], name="angles")
    with tf.name_scope("aug"):
        rotated = tf.contrib.image.rotate(images, angles, "BILINEAR")
    assert rotated.shape.as_list() == [None, 6, 7, 3]
    assert rotated.name.startswith("aug/rotate/")
    assert tf.contrib.image.rotate(images[0], 1.0).shape.as_list() == [6, 7, 3]
    assert tf.contrib.image.rotate(images[0, :, :, 0], 1.0).shape.as_list() == [6, 7]
    bigger = tf.contrib.image.transform(images, [1, 0, 0, 0, 1, 0, 0, 0], output_shape=[9, 4])
    assert bigger.shape.as_list() == [None, 9, 4, 3]
    assert tf.contrib.image.angles_to_projective_transforms(angles, 6, 7).shape.as_list() == [None, 8]
    assert tf.contrib.image.translations_to_projective_transforms([1.0, 2.0]).shape.as_list() == [1, 8]
    d_images, d_angles = tf.gradients(tf.reduce_sum(rotated), [images, angles])
    assert d_angles is None and d_images.shape.as_list() == [None, 6, 7, 3]
    # fed sizes: unknown height and width, the gradient (TF's inverse transform) included
    free = tf.placeholder(tf.float32, [None, None, None, 1])
    out = tf.contrib.image.rotate(free, np.pi, "BILINEAR")
    grad = tf.gradients(tf.reduce_sum(out * out), free)[0]
    img = np.arange(12, dtype=np.float32).reshape(1, 3, 4, 1)
    with tf.Session() as sess:
        value, dx = sess.run([out, grad], {free: img})
    np.testing.assert_allclose(value[0, :, :, 0], img[0, ::-1, ::-1, 0], atol=1e-4)
    np.testing.assert_allclose(dx, 2 * img, atol=1e-3)


def test_errors_name_the_input():
    tf.reset_default_graph()
    images = tf.placeholder(tf.float32, [2, 4, 5, 3], name="pics")
    with pytest.raises(TypeError, match="Invalid dtype bool.*flags"):
        tf.contrib.image.rotate(tf.placeholder(tf.bool, [4, 5], name="flags"), 0.5)
    with pytest.raises(TypeError, match="rank between 2 and 4.*five_d"):
        tf.contrib.image.rotate(tf.placeholder(tf.float32, [1, 2, 4, 5, 3], name="five_d"), 0.5)
    with pytest.raises(TypeError, match="Angles should have rank 0 or 1"):
        tf.contrib.image.rotate(images, [[0.5]])
    with pytest.raises(TypeError, match="Transforms should have rank 1 or 2"):
        tf.contrib.image.transform(images, np.zeros((1, 1, 8), np.float32))
    with pytest.raises(errors.InvalidArgumentError, match="num_images x 8 or 1 x 8"):
        tf.contrib.image.transform(images, np.zeros((3, 8), np.float32))
    with pytest.raises(errors.InvalidArgumentError, match="Invalid interpolation BICUBIC"):
        tf.contrib.image.rotate(images, 0.5, interpolation="BICUBIC")
    with pytest.raises(ValueError, match="output_shape must be a 1-D Tensor of 2 elements"):
        tf.contrib.image.transform(images, [1, 0, 0, 0, 1, 0, 0, 0], output_shape=[1, 2, 3])
    with pytest.raises(TypeError, match="Translations should have rank 1 or 2"):
        tf.contrib.image.translate(images, 1.0)
    with pytest.raises(ValueError, match="Grid must be 4 dimensional"):
        tf.contrib.image.dense_image_warp(images[0], tf.zeros([4, 5, 2]))
    with pytest.raises(ValueError, match="transforms cannot be empty"):
        tf.contrib.image.compose_transforms()


def _components(image: np.ndarray) -> np.ndarray:
    """TF1's labelling by breadth-first search: 4-neighbours of equal non-zero value, ids by first pixel."""
    out, next_id = np.zeros(image.shape, np.int32), 1
    for start in zip(*np.nonzero(image)):
        if out[start]:
            continue
        out[start], queue = next_id, [start]
        while queue:
            n, y, x = queue.pop()
            for yy, xx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if (0 <= yy < image.shape[1] and 0 <= xx < image.shape[2] and not out[n, yy, xx]
                        and image[n, yy, xx] == image[n, y, x]):
                    out[n, yy, xx] = next_id
                    queue.append((n, yy, xx))
        next_id += 1
    return out


def test_connected_components_label_as_tf1():
    from scipy import ndimage
    rng = np.random.default_rng(93)
    masks = rng.random((3, 9, 11)) > 0.45
    masks[2] = np.eye(9, 11, dtype=bool) | np.eye(9, 11, 1, dtype=bool)  # a staircase: one long component
    values = rng.integers(0, 3, (2, 6, 7)).astype(np.int32)
    tf.reset_default_graph()
    m = tf.placeholder(tf.bool, masks.shape)
    v = tf.placeholder(tf.int32, [None, None, None])
    labelled = tf.contrib.image.connected_components(m)
    assert labelled.dtype == tf.int32 and labelled.shape.as_list() == list(masks.shape)
    outputs = [labelled, tf.contrib.image.connected_components(v), tf.contrib.image.connected_components(m[1])]
    with tf.Session() as sess:
        got_masks, got_values, got_single = sess.run(outputs, {m: masks, v: values})
    offset, expected = 0, np.zeros(masks.shape, np.int32)
    for k in range(3):  # ids run on over the batch
        labels, count = ndimage.label(masks[k])
        expected[k] = np.where(labels > 0, labels + offset, 0)
        offset += count
    np.testing.assert_array_equal(got_masks, expected)
    np.testing.assert_array_equal(got_values, _components(values))
    np.testing.assert_array_equal(got_single, ndimage.label(masks[1])[0])
    with pytest.raises(TypeError, match="rank 2 \\(HW\\) or 3 \\(NHW\\)"):
        tf.contrib.image.connected_components(tf.zeros([1, 2, 3, 4]))


def test_sparse_image_warp_and_spline_match_tensorflow():
    recorded = load_recording("script_contrib_image_spline_warps")
    got = spline_warps(tf, tf.contrib.image)
    assert sorted(got) == sorted(recorded)
    for key, value in got.items():  # a float32 LU solve of a spline system: TF's and LAPACK's differ in rounding
        np.testing.assert_allclose(value, recorded[key], rtol=1e-3, atol=1e-4, err_msg=key)
