"""tf.image beyond the recorded op cases: a TF1 augmentation script against TF, the random ops' seeding and
ranges, and TF1's errors for bad input (class and the user's object in the message)."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.errors import ShapeError
from recordings import assert_matches_recording
from tf1_scripts_image import SCRIPTS

pytestmark = pytest.mark.usefixtures("fresh_graph")


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_augmentation_script_trains_as_in_tensorflow(backend, monkeypatch):
    monkeypatch.setattr(tf, "Session", lambda *a, **k: tf.session.Session(*a, backend=backend, **k))
    actual = SCRIPTS["augment_and_train_cnn"](tf)
    assert_matches_recording(actual, "script_augment_and_train_cnn", lambda key: {"rtol": 1e-5, "atol": 1e-5})


def _image(seed=0, shape=(3, 6, 7, 3)) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 1, shape).astype(np.float32)


def _run(fetches, runs=1, seed=None):
    if seed is not None:
        tf.set_random_seed(seed)
    with tf.Session() as sess:
        return [sess.run(fetches) for _ in range(runs)]


def test_random_brightness_adds_one_delta_within_range_and_varies():
    img = _image()
    out = tf.image.random_brightness(tf.constant(img), 0.25)
    deltas = [v - img for v in _run(out, runs=30)]
    for d in deltas:
        np.testing.assert_allclose(d, np.full_like(d, d.flat[0]), atol=1e-6)
    firsts = np.array([d.flat[0] for d in deltas])
    assert firsts.min() >= -0.25 - 1e-6 and firsts.max() < 0.25 + 1e-6
    assert len(np.unique(np.round(firsts, 6))) > 20


@pytest.mark.parametrize("op,adjust,low,high", [
    (tf.image.random_contrast, tf.image.adjust_contrast, 0.3, 1.7),
    (tf.image.random_saturation, tf.image.adjust_saturation, 0.5, 1.5),
])
def test_random_factor_ops_match_their_adjust_op_at_a_factor_in_range(op, adjust, low, high):
    img = _image(1)
    x = tf.constant(img)
    out = op(x, low, high, seed=7)
    factor = tf.placeholder(tf.float32, [])
    fixed = adjust(x, factor)
    (value,) = _run(out, seed=3)
    with tf.Session() as sess:
        grid = np.linspace(low, high, 401, dtype=np.float32)
        errors = [np.abs(sess.run(fixed, {factor: f}) - value).max() for f in grid]
    best = int(np.argmin(errors))
    assert errors[best] < 0.01 and low <= grid[best] <= high


def test_random_hue_stays_on_the_hue_circle_and_keeps_value_and_chroma():
    img = _image(2)
    out = tf.image.random_hue(tf.constant(img), 0.5)
    for value in _run(out, runs=5):
        np.testing.assert_allclose(value.max(-1), img.max(-1), atol=1e-5)
        np.testing.assert_allclose(value.min(-1), img.min(-1), atol=1e-5)


def test_random_ops_repeat_with_graph_and_op_seeds():
    img = tf.constant(_image(3))

    def build():
        return [tf.image.random_brightness(img, 0.3, seed=5), tf.image.random_contrast(img, 0.2, 1.8, seed=5),
                tf.image.random_hue(img, 0.2, seed=5), tf.image.random_saturation(img, 0.5, 2.0, seed=5),
                tf.random_crop(img, [2, 4, 5, 3], seed=5)]
    tf.set_random_seed(11)
    first = _run(build())[0]
    tf.reset_default_graph()
    img = tf.constant(_image(3))
    tf.set_random_seed(11)
    second = _run(build())[0]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_random_crop_reaches_every_offset_and_routes_gradients_to_the_window():
    value = np.arange(5 * 6 * 2, dtype=np.float32).reshape(5, 6, 2)
    x = tf.constant(value)
    crop = tf.image.random_crop(x, [3, 4, 2])
    assert crop.shape.as_list() == [3, 4, 2]
    starts = set()
    with tf.Session() as sess:
        for _ in range(150):
            window = sess.run(crop)
            r, c = np.argwhere(value[..., 0] == window[0, 0, 0])[0]
            np.testing.assert_array_equal(window, value[r:r + 3, c:c + 4])
            starts.add((int(r), int(c)))
    assert starts == {(r, c) for r in range(3) for c in range(3)}
    grad = tf.gradients(tf.reduce_sum(crop), x)[0]
    with tf.Session() as sess:
        g = sess.run(grad)
    assert g.sum() == 3 * 4 * 2 and set(np.unique(g)) <= {0.0, 1.0}
    assert tf.random_crop is tf.image.random_crop


def test_random_crop_of_a_batch_with_unknown_size_is_sized_by_the_feed():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    crop = tf.random_crop(x, [2, 5, 5, 3], seed=1)
    with tf.Session() as sess:
        assert sess.run(crop, {x: np.zeros((4, 8, 8, 3), np.float32)}).shape == (2, 5, 5, 3)


@pytest.mark.parametrize("make,error,words", [
    (lambda: tf.image.random_brightness(tf.zeros([2, 2, 3]), -0.1), ValueError, "max_delta must be non-negative"),
    (lambda: tf.image.random_hue(tf.zeros([2, 2, 3]), 0.6), ValueError, "max_delta must be <= 0.5"),
    (lambda: tf.image.random_contrast(tf.zeros([2, 2, 3]), 0.9, 0.5), ValueError, "upper must be > lower"),
    (lambda: tf.image.random_saturation(tf.zeros([2, 2, 3]), -0.5, 0.5), ValueError, "lower must be non-negative"),
    (lambda: tf.image.adjust_hue(tf.zeros([2, 2, 3]), 1.5), ValueError, "delta must be in the interval"),
    (lambda: tf.image.adjust_gamma(tf.zeros([2, 2, 3]), -1.0), ValueError, "non-negative"),
    (lambda: tf.image.total_variation(tf.zeros([2, 2])), ValueError, "3 or 4-dimensional"),
    (lambda: tf.image.image_gradients(tf.zeros([2, 2, 3])), ValueError, "4D tensor"),
    (lambda: tf.image.crop_and_resize(tf.zeros([1, 4, 4, 1]), tf.zeros([1, 4]), [0], [2, 2], method="cubic"),
     ValueError, "method must be 'bilinear' or 'nearest'"),
    (lambda: tf.image.non_max_suppression(tf.zeros([3, 4]), tf.zeros([3]), 2, iou_threshold=1.5), ValueError,
     "iou_threshold must be in [0, 1]"),
])
def test_bad_arguments_raise_tf1s_errors(make, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace("[", r"\[")):
        make()


def test_bad_images_name_the_users_tensor():
    two_channels = tf.placeholder(tf.float32, [4, 4, 2], name="two_channel_photo")
    with pytest.raises(ShapeError, match="two_channel_photo"):
        tf.image.adjust_saturation(two_channels, 1.2)
    with pytest.raises(ShapeError, match="two_channel_photo"):
        tf.image.rgb_to_hsv(two_channels)
    small = tf.placeholder(tf.float32, [1, 5, 5, 3], name="thumbnail")
    with pytest.raises(ShapeError, match="thumbnail"):
        tf.image.ssim(small, small, 1.0)
    with pytest.raises(ShapeError, match="thumbnail"):
        tf.random_crop(small, [1, 6, 5, 3])
    with pytest.raises(ShapeError, match="align_corners must be False"):
        tf.image.resize_bicubic(small, [3, 3], align_corners=True, half_pixel_centers=True)
    ints = tf.placeholder(tf.int32, [4, 4, 3], name="int_photo")
    with pytest.raises(TypeError, match="int32"):
        tf.image.rgb_to_hsv(ints)


def test_non_max_suppression_needs_a_constant_max_output_size():
    boxes = tf.placeholder(tf.float32, [5, 4], name="detections")
    scores = tf.placeholder(tf.float32, [5], name="confidences")
    with pytest.raises(ValueError, match="max_output_size must be a constant"):
        tf.image.non_max_suppression(boxes, scores, tf.placeholder(tf.int32, []))


def test_resize_methods_keep_tf1s_static_shapes_and_dtypes():
    x = tf.placeholder(tf.uint8, [None, 6, 8, 3])
    assert tf.image.resize_bicubic(x, [3, 5]).shape.as_list() == [None, 3, 5, 3]
    assert tf.image.resize_area(x, [3, 5]).dtype == tf.float32
    assert tf.image.resize_images(x, [12, 12], preserve_aspect_ratio=True).shape.as_list() == [None, 9, 12, 3]
    assert tf.image.resize_image_with_pad(x, 10, 10).shape.as_list() == [None, 10, 10, 3]
    assert tf.image.adjust_contrast(x, 2.0).dtype == tf.uint8
    assert tf.image.sobel_edges(tf.cast(x, tf.float32)).shape.as_list() == [None, 6, 8, 3, 2]


def test_ops_take_images_of_unknown_size_as_tf1_does():
    img = _image(4, (2, 5, 6, 3))
    ops = {"contrast": lambda t: tf.image.adjust_contrast(t, 1.5), "hue": lambda t: tf.image.adjust_hue(t, 0.2),
           "saturation": lambda t: tf.image.adjust_saturation(t, 1.5), "hsv": tf.image.rgb_to_hsv,
           "yiq": tf.image.rgb_to_yiq, "yuv_back": tf.image.yuv_to_rgb, "tv": tf.image.total_variation,
           "dy": lambda t: tf.image.image_gradients(t)[0], "dx": lambda t: tf.image.image_gradients(t)[1],
           "sobel": tf.image.sobel_edges, "psnr": lambda t: tf.image.psnr(t, t * 0.5, 1.0)}
    unknown = tf.placeholder(tf.float32, [None, None, None, 3])
    known = tf.constant(img)
    loose = {k: f(unknown) for k, f in ops.items()}
    fixed = {k: f(known) for k, f in ops.items()}
    assert loose["sobel"].shape.as_list() == [None, None, None, 3, 2]
    with tf.Session() as sess:
        a, b = sess.run([loose, fixed], {unknown: img})
    for key in ops:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-6, atol=1e-6, err_msg=key)


def test_images_of_the_wrong_rank_name_the_tensor():
    flat = tf.placeholder(tf.float32, [8, 8], name="flat_picture")
    for op in (lambda t: tf.image.resize_bicubic(t, [4, 4]), lambda t: tf.image.resize_area(t, [4, 4]),
               lambda t: tf.image.resize_image_with_pad(t, 4, 4)):
        with pytest.raises(ShapeError, match="flat_picture"):
            op(flat)
    with pytest.raises(ShapeError, match="flat_picture"):
        tf.image.crop_and_resize(flat, [[0, 0, 1, 1]], [0], [2, 2])
    with pytest.raises(ShapeError, match="flat_picture"):
        tf.image.adjust_contrast(flat, 2.0)


def test_a_fed_crop_offset_outside_the_image_fails_when_the_step_runs():
    top = tf.placeholder(tf.int32, [], name="top")
    crop = tf.image.crop_to_bounding_box(tf.zeros([6, 7, 1]), top, 0, 3, 7)
    with tf.Session() as sess:
        assert sess.run(crop, {top: 3}).shape == (3, 7, 1)
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(crop, {top: 4})
    with pytest.raises(ValueError, match="must fit"):
        tf.image.crop_to_bounding_box(tf.zeros([6, 7, 1]), top, 0, 7, 7)


def test_resizes_crops_and_pads_of_images_whose_size_comes_with_the_feed():
    """TF 2.21's figures for each op (shape, sum, and sum weighted by position) on a 5x7 image fed through a
    placeholder of unknown height and width, and a bilinear size fed too."""
    tf.reset_default_graph()
    img = tf.placeholder(tf.float32, [None, None, None, 2])
    size = tf.placeholder(tf.int32, [2])
    resized = tf.image.resize_bilinear(img, [9, 4], half_pixel_centers=True)
    ops = [tf.image.resize_image_with_crop_or_pad(img, 8, 4), tf.image.central_crop(img[0], 0.6),
           tf.image.crop_to_bounding_box(img, 1, 2, 3, 4), tf.image.pad_to_bounding_box(img, 1, 0, 8, 9),
           tf.image.resize_nearest_neighbor(img, [3, 10], align_corners=True), resized,
           tf.image.resize_bilinear(img, size, align_corners=True),
           tf.gradients(tf.reduce_sum(resized * resized), img)[0]]
    want = [((1, 8, 4, 2), 883.801, 32019.7), ((5, 5, 2), 1147.192, 40430.52), ((1, 3, 4, 2), 528.405, 7777.62),
            ((1, 8, 9, 2), 1610.673, 128530.13), ((1, 3, 10, 2), 1434.453, 62418.98),
            ((1, 9, 4, 2), 1654.353, 83429.5), ((1, 4, 6, 2), 1126.531, 38482.03),
            ((1, 5, 7, 2), 3308.706, 160625.83)]
    assert resized.shape.as_list() == [None, 9, 4, 2]
    x = (np.arange(5 * 7 * 2, dtype=np.float32).reshape(1, 5, 7, 2) ** 1.5) / 10
    with tf.Session() as sess:
        got = sess.run(ops, {img: x, size: [4, 6]})
    for value, (shape, total, weighted) in zip(got, want):
        assert value.shape == shape
        np.testing.assert_allclose(value.sum(), total, rtol=1e-5)
        np.testing.assert_allclose((value * np.arange(value.size).reshape(shape)).sum(), weighted, rtol=1e-5)


def test_non_max_suppression_of_fed_boxes_as_tf():
    """TF 2.21's selections: the count of kept boxes comes from the fed values, so the result's length does."""
    tf.reset_default_graph()
    boxes, scores = tf.placeholder(tf.float32, [None, 4]), tf.placeholder(tf.float32, [None])
    iou = tf.placeholder_with_default(0.5, [])
    selected = tf.image.non_max_suppression(boxes, scores, max_output_size=3, iou_threshold=iou, score_threshold=0.1)
    picked = tf.gather(boxes, selected)
    b = np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11], [0, 10.1, 1, 11.1],
                  [0, 100, 1, 101]], np.float32)
    s = np.array([0.9, 0.75, 0.6, 0.95, 0.5, 0.3], np.float32)
    with tf.Session() as sess:
        got, rows = sess.run([selected, picked], {boxes: b, scores: s})
        assert got.tolist() == [3, 0, 5] and rows.tolist() == b[[3, 0, 5]].tolist()
        assert sess.run(selected, {boxes: b[:2], scores: s[:2]}).tolist() == [0]
        assert sess.run(selected, {boxes: b, scores: s, iou: 0.95}).tolist() == [3, 0, 1]
        assert sess.run(selected, {boxes: b, scores: s * 0.0}).tolist() == []
        with pytest.raises(tf.errors.InvalidArgumentError, match="iou_threshold must be in"):
            sess.run(selected, {boxes: b, scores: s, iou: 1.5})
