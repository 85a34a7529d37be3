"""sample_distorted_bounding_box: TF's kernel's invariants (TF's Philox draws are not reproduced), seeds, errors.

The NMS variants' values against TF are tests/tf1_op_cases_image_boxes.py's (recorded from TF 2.21).
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.errors import InvalidArgumentError
from dfc.ir.ops.image_boxes import _sample_crop

BOXES = np.array([[[0.1, 0.2, 0.5, 0.6], [0.55, 0.05, 0.95, 0.3]]], np.float32)


def _crops(seed: int, runs: int, **kwargs) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    tf.reset_default_graph()
    size = tf.placeholder(tf.int32, [3])
    boxes = tf.placeholder(tf.float32, [1, None, 4])
    sample = tf.image.sample_distorted_bounding_box(size, boxes, seed=seed, **kwargs)
    with tf.Session() as sess:
        return [sess.run(sample, {size: [120, 160, 3], boxes: BOXES}) for _ in range(runs)]


def test_crops_keep_tfs_constraints_and_seeds_repeat():
    crops = _crops(7, 40, min_object_covered=0.5, aspect_ratio_range=(0.5, 2.0), area_range=(0.1, 0.9))
    pixel_boxes = [(int(x0 * 160), int(y0 * 120), int(x1 * 160), int(y1 * 120)) for y0, x0, y1, x1 in BOXES[0]]
    for begin, size, bbox in crops:
        assert begin.dtype == np.int32 and begin[2] == 0 and size[2] == -1
        (y, x), (h, w) = begin[:2], size[:2]
        assert 0 <= y and 0 <= x and y + h <= 120 and x + w <= 160 and h > 0 and w > 0
        np.testing.assert_allclose(bbox[0, 0], [y / 120, x / 160, (y + h) / 120, (x + w) / 160], rtol=1e-6)
        assert 0.1 * 120 * 160 <= h * w <= 0.9 * 120 * 160
        assert 0.5 * (h - 1) <= w and w <= 2.0 * (h + 1)  # the drawn ratio, up to rounding a side
        covered = [max(min(x + w, bx1) - max(x, bx0), 0) * max(min(y + h, by1) - max(y, by0), 0) /
                   ((bx1 - bx0) * (by1 - by0)) for bx0, by0, bx1, by1 in pixel_boxes]
        assert max(covered) >= 0.5
    assert len({(tuple(b), tuple(s)) for b, s, _ in crops}) > 20  # a new draw every run
    again = _crops(7, 40, min_object_covered=0.5, aspect_ratio_range=(0.5, 2.0), area_range=(0.1, 0.9))
    for (b1, s1, _), (b2, s2, _) in zip(crops, again):
        np.testing.assert_array_equal(b1, b2)
        np.testing.assert_array_equal(s1, s2)


def test_kernel_fallbacks_and_errors():
    ranges = np.array([0.75, 1.33, 0.05, 1.0], np.float32)
    uniforms = np.random.default_rng(0).uniform(0, 1, (100, 4)).astype(np.float32)
    size = np.array([50, 40, 3], np.int64)
    # a box no crop can cover fully within the area range: the whole image, as TF's kernel falls back to
    begin, extent, box = _sample_crop(size, np.array([[[0.0, 0.0, 1.0, 1.0]]], np.float32), 1.0,
                                      np.array([0.75, 1.33, 0.05, 0.5], np.float32), uniforms, False)
    assert begin.tolist() == [0, 0, 0] and extent.tolist() == [50, 40, -1] and begin.dtype == np.int64
    np.testing.assert_array_equal(box, [[[0, 0, 1, 1]]])
    begin, extent, _ = _sample_crop(size, np.zeros((1, 0, 4), np.float32), 0.1, ranges, uniforms, True)
    assert extent[0] * extent[1] >= 0.05 * 50 * 40
    with pytest.raises(InvalidArgumentError, match="No bounding boxes provided"):
        _sample_crop(size, np.zeros((1, 0, 4), np.float32), 0.1, ranges, uniforms, False)
    tf.reset_default_graph()
    with pytest.raises(ValueError, match="area_range"):
        tf.image.sample_distorted_bounding_box([10, 10, 3], BOXES, area_range=(0.0, 1.5))
    with pytest.raises(ValueError, match="max_attempts"):
        tf.image.sample_distorted_bounding_box([10, 10, 3], BOXES, max_attempts=0)
    begin, extent, box = tf.image.sample_distorted_bounding_box(tf.constant([10, 10, 3], tf.int64), BOXES)
    assert begin.dtype == tf.int64 and extent.shape.as_list() == [3] and box.shape.as_list() == [1, 1, 4]
    with tf.Session() as sess, pytest.raises(InvalidArgumentError, match="No bounding boxes"):
        sess.run(tf.image.sample_distorted_bounding_box([10, 10, 3], tf.zeros([1, 0, 4]))[0])


def test_extract_glimpse_windows_are_tf1s_and_noise_fills_the_rest():
    """The in-image pixels TF 2.21's tf.compat.v1.image.extract_glimpse gave (channel 0; None: its noise) for
    each centered/normalized mode, the corner truncated toward zero; uniform noise within the channel's range."""
    n = None
    expected = {(True, True): [[[29, 31, 33, 35], [43, 45, 47, 49], [57, 59, 61, 63]],
                               [[n, n, n, n], [93, 95, 97, n], [107, 109, 111, n]]],
                (False, True): [[[n] * 4] * 3, [[n] * 4] * 3],
                (True, False): [[[33, 35, 37, 39], [47, 49, 51, 53], [61, 63, 65, 67]],
                                [[129, 131, 133, 135], [143, 145, 147, 149], [157, 159, 161, 163]]],
                (False, False): [[[1, 3, 5, 7], [15, 17, 19, 21], [29, 31, 33, 35]],
                                 [[n, 127, 129, 131], [n, 141, 143, 145], [n, 155, 157, 159]]]}
    x = (np.arange(2 * 6 * 7 * 2).reshape(2, 6, 7, 2) + 1).astype(np.float32)
    tf.reset_default_graph()
    glimpses = {}
    for centered, normalized in expected:
        offsets = [[0.3, -0.4], [-0.9, 0.8]] if normalized else [[1.6, 2.4], [4.5, 0.5]]
        glimpses[centered, normalized] = tf.image.extract_glimpse(x, [3, 4], offsets, centered=centered,
                                                                  normalized=normalized, uniform_noise=False)
    uniform = tf.image.extract_glimpse(x, [3, 4], [[0.0, 0.0], [3.0, 3.0]])
    with tf.Session() as sess:
        values, noisy = sess.run([glimpses, uniform])
    for key, want in expected.items():
        got = values[key][..., 0]
        mask = np.array([[[v is not None for v in row] for row in image] for image in want])
        np.testing.assert_array_equal(got[mask], np.array([v for image in want for row in image for v in row
                                                           if v is not None], np.float32), err_msg=str(key))
    assert noisy.shape == (2, 3, 4, 2) and (noisy[1] >= x[1].min((0, 1))).all() and (noisy[1] <= x[1].max((0, 1))).all()
