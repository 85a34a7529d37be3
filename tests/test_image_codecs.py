"""tf.image's codecs: TF's static shapes and errors, PNG's own checks, image-file pipelines against TF's recording.

Their values against TF's are tests/tf1_op_cases_image_codecs.py's (recorded from TF 2.21).
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from tf1_op_cases import CASES as _ALL_CASES  # noqa: F401 - loads the case modules in their order
from recordings import assert_matches_recording
from tf1_op_cases_image_codecs import IMAGES
from tf1_scripts_image_codecs import SCRIPTS

import dfc as tf
from dfc.errors import InvalidArgumentError
from dfc.ir.ops.image_codecs import decode_png_pixels, encode_png_bytes

JPEG = (IMAGES / "rgb_q90.jpg").read_bytes()
PNG = (IMAGES / "rgb.png").read_bytes()


def test_static_shapes_are_tfs():
    tf.reset_default_graph()
    s = tf.placeholder(tf.string, [])
    assert tf.image.decode_jpeg(s).shape.as_list() == [None, None, None]
    assert tf.image.decode_jpeg(s, channels=3).shape.as_list() == [None, None, 3]
    assert tf.io.decode_png(s, channels=4).shape.as_list() == [None, None, 4]
    assert tf.image.decode_gif(s).shape.as_list() == [None, None, None, 3]
    assert tf.image.decode_image(s).shape.ndims is None
    assert tf.image.decode_image(s, channels=1, expand_animations=False).shape.as_list() == [None, None, 1]
    assert tf.image.decode_and_crop_jpeg(s, [0, 0, 2, 2], channels=1).shape.as_list() == [None, None, 1]
    assert tf.image.extract_jpeg_shape(s).shape.as_list() == [3]
    assert tf.image.is_jpeg(s).dtype == tf.bool
    assert tf.image.decode_image(s, dtype=tf.float32).dtype == tf.float32
    assert tf.image.encode_png(tf.zeros([2, 2, 3], tf.uint8)).dtype == tf.string
    assert tf.image.decode_jpeg(s, name="pic").name == "pic:0"


def test_bad_arguments_fail_as_tfs():
    tf.reset_default_graph()
    s = tf.placeholder(tf.string, [])
    with pytest.raises(InvalidArgumentError, match="channels"):
        tf.image.decode_png(s, channels=2)
    with pytest.raises(InvalidArgumentError, match="ratio"):
        tf.image.decode_jpeg(s, ratio=3)
    with pytest.raises(InvalidArgumentError, match="dct_method"):
        tf.image.decode_jpeg(s, dct_method="FLOAT_FAST")
    with pytest.raises(TypeError, match="float32 not in list of allowed values: uint8, uint16"):
        tf.image.decode_png(s, dtype=tf.float32)
    with pytest.raises(ValueError, match="rank 0"):
        tf.image.decode_jpeg(tf.placeholder(tf.string, [2]))
    with pytest.raises(TypeError, match="contents"):
        tf.image.decode_jpeg(tf.zeros([3]))
    with pytest.raises(TypeError, match="uint8"):
        tf.image.encode_jpeg(tf.zeros([2, 2, 3]))
    with pytest.raises(ValueError, match="rank"):
        tf.image.adjust_jpeg_quality(tf.zeros([2, 4, 4, 3], tf.uint8), 50)
    with pytest.raises(ValueError, match="less than"):
        tf.image.random_jpeg_quality(tf.zeros([4, 4, 3], tf.uint8), 60, 60)


def test_bad_bytes_fail_naming_the_op():
    tf.reset_default_graph()
    s = tf.placeholder(tf.string, [])
    jpeg, png, bmp = tf.image.decode_jpeg(s, name="photo"), tf.image.decode_png(s), tf.image.decode_bmp(s)
    shape = tf.image.extract_jpeg_shape(s)
    with tf.Session(backend="interpreter") as sess:
        cases = [(jpeg, JPEG[:len(JPEG) // 2], "Invalid JPEG data or crop window.*photo"),
                 (jpeg, b"", "Input is empty"), (jpeg, b"abcdefg", "Unknown image file format"),
                 (png, PNG[:300], "Invalid PNG data, size 300.*DecodePng"),
                 (bmp, JPEG, "Trying to decode JPEG format using DecodeBmp op"),
                 (shape, b"\xff\xd8\xffjunk", "Invalid JPEG data, size 7.*ExtractJpegShape")]
        for fetch, data, message in cases:
            with pytest.raises(InvalidArgumentError, match=message):
                sess.run(fetch, {s: data})
        crop = tf.image.decode_and_crop_jpeg(s, [30, 40, 10, 20])
        with pytest.raises(InvalidArgumentError, match="crop window"):
            sess.run(crop, {s: JPEG})
        # a truncated JPEG decodes when asked to recover it, to its full size
        recovered = tf.image.decode_jpeg(s, try_recover_truncated=True, acceptable_fraction=0.5)
        assert sess.run(recovered, {s: JPEG[:len(JPEG) // 2]}).shape == (37, 53, 3)


def test_png_filters_bit_depths_and_round_trip():
    """Each PNG filter type undone, 16-bit gray+alpha and a transparent color (what libpng expands), and
    encode_png's bytes decoding to the same pixels at every compression level."""
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 65536, (5, 6, 2)).astype(np.uint16)
    rows = []
    raw = pixels.astype(">u2").reshape(5, -1).view(np.uint8).astype(np.int64)
    for y, kind in enumerate([0, 1, 2, 3, 4]):
        line, prev = raw[y], raw[y - 1] if y else np.zeros_like(raw[0])
        left = np.concatenate([[0] * 4, line[:-4]])
        upleft = np.concatenate([[0] * 4, prev[:-4]])
        p = left + prev - upleft
        paeth = np.where((abs(p - left) <= abs(p - prev)) & (abs(p - left) <= abs(p - upleft)), left,
                         np.where(abs(p - prev) <= abs(p - upleft), prev, upleft))
        pred = [0, left, prev, (left + prev) // 2, paeth][kind]
        rows.append(bytes([kind]) + ((line - pred) % 256).astype(np.uint8).tobytes())

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
    header = (6).to_bytes(4, "big") + (5).to_bytes(4, "big") + bytes([16, 4, 0, 0, 0])
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + \
        chunk(b"IEND", b"")
    np.testing.assert_array_equal(decode_png_pixels(data, 2), (pixels >> 8).astype(np.uint8))
    np.testing.assert_array_equal(decode_png_pixels(data, 4)[..., 3], (pixels[..., 1] >> 8).astype(np.uint8))
    floats = decode_png_pixels(data, 0, tf.float32)
    np.testing.assert_array_equal(floats, (pixels * np.float32(1 / 65535)).astype(np.float32))
    image = rng.integers(0, 256, (7, 9, 4)).astype(np.uint8)
    for level in (-1, 0, 9):
        np.testing.assert_array_equal(decode_png_pixels(encode_png_bytes(image, level)), image)


@pytest.mark.parametrize(("name", "backend"), [("jpeg_files_to_cnn", "interpreter"),
                                             ("tfrecord_examples_to_cnn", "interpreter")])
def test_image_file_pipelines_train_as_in_tensorflow(name, backend, monkeypatch):
    """JPEG files and a TFRecord of Examples decoded, resized, cropped, flipped and batched by tf.data into a
    CNN trained with momentum: the batches, losses and kernel TF 2.21 gave (on the interpreter: the native
    backend's host/native split is the op cases' on "cpu", and a cold CNN compile would take most of the budget)."""
    monkeypatch.setattr(tf, "Session", lambda *a, **k: tf.session.Session(*a, backend=backend, **k))
    tf.reset_default_graph()
    actual = SCRIPTS[name](tf)
    assert_matches_recording(actual, f"script_{name}",
                             lambda key: {"rtol": 0, "atol": 0} if key == "labels" else {"rtol": 1e-4, "atol": 2e-5})


def test_dataset_map_decoding_images_runs_on_the_interpreter(tmp_path):
    """A map function that decodes images meets a new shape with every image size: it is interpreted (a native
    compile per size would take a second each) while the session's own step stays native."""
    paths = []
    for i, name in enumerate(["rgb_q90.jpg", "gray_q85.jpg", "rgb.png"]):
        paths.append(str(tmp_path / f"{i}_{name}"))
        (tmp_path / f"{i}_{name}").write_bytes((IMAGES / name).read_bytes())
    tf.reset_default_graph()
    data = tf.data.Dataset.from_tensor_slices(paths).map(
        lambda path: tf.image.resize_images(tf.image.decode_image(tf.read_file(path), 3, expand_animations=False),
                                            [8, 8]))
    batch = data.batch(3).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert sess.run(batch).shape == (3, 8, 8, 3)
    assert set(data._function._sessions) == {"interpreter"}


def test_images_of_many_sizes_run_one_step_not_one_compile_per_size():
    """A queue pipeline decoding images of three sizes, resized to one, runs one per-example step whose
    fixed-size part is compiled once (a compile per size took ~0.5 s an image); its batch is each image's own
    result, and so is a tf.data map's, which compiles no step per size either."""
    names = ["rgb_q90.jpg", "palette.png", "rgb24.bmp", "gray_q85.jpg", "rgb.png", "rgba.png"]  # 53x37, 41x30, 40x30
    paths = [str(IMAGES / n) for n in names]

    def preprocess(path):
        image = tf.image.decode_image(tf.read_file(path), 3, expand_animations=False)
        return tf.image.resize_images(tf.image.central_crop(image, 0.75), [8, 8]) / 127.5 - 1.0

    tf.reset_default_graph()
    fed = tf.placeholder(tf.string, [])
    one = preprocess(fed)
    with tf.Session(backend="interpreter") as sess:
        expected = np.stack([sess.run(one, {fed: p}) for p in paths])
    (path,) = tf.train.slice_input_producer([paths], shuffle=False)
    batch = tf.train.batch([preprocess(path)], len(paths))
    data = tf.data.Dataset.from_tensor_slices(paths).map(preprocess)
    mapped = data.batch(len(paths)).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(batch), expected, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(sess.run(mapped), expected, rtol=1e-6, atol=1e-6)
        steps = [e for e in sess._cache.values() if type(e).__name__ == "HostStringExecutable"]
        assert len(steps) == 1, "one per-example step for all sizes"
    assert len(data._function._sessions["interpreter"]._cache) == 1
