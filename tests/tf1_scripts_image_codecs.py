"""Realistic TF1 input pipelines over image files (Inception/ResNet style), run by TF and by dfc.

JPEG files on disk and a TFRecord of tf.train.Examples are read, decoded, resized, cropped and
flipped, batched, and feed a small tf.layers CNN trained a few steps. The flips follow a per-file
flag and the crop keeps the whole resized image, so TF and dfc draw no random numbers and must agree
(TF's Philox streams are not reproduced; tests/test_image_boxes.py checks dfc's random crops).
Run with a Python that has tensorflow to record (tests/data/tf_expectations/script_<name>.npz):

    python tests/tf1_scripts_image_codecs.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable

import numpy as np

SCRIPTS: dict[str, Callable] = {}
F32 = np.float32
SIZES = [(20, 24), (26, 22), (20, 24), (26, 22), (20, 24), (26, 22)]  # two sizes: each compiles its own step


def script(fn: Callable) -> Callable:
    SCRIPTS[fn.__name__] = fn
    return fn


def _picture(rng: np.random.Generator, h: int, w: int, label: int) -> np.ndarray:
    """A smooth picture whose dominant color is the label's (a learnable task), with noise."""
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    base = np.stack([np.sin(6 * x + label), np.cos(5 * y - label), x * y], -1) * 60 + 90
    base[..., label] += 60
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def _write_jpegs(tf, folder: str) -> tuple[list[str], list[int], list[bytes]]:
    rng = np.random.default_rng(11)
    paths, labels, blobs = [], [], []
    with tf.Graph().as_default(), tf.Session() as sess:
        pixels = tf.placeholder(tf.uint8, [None, None, 3])
        encoded = tf.image.encode_jpeg(pixels, quality=90)
        for i, (h, w) in enumerate(SIZES):
            data = sess.run(encoded, {pixels: _picture(rng, h, w, i % 3)})
            path = os.path.join(folder, f"img_{i}.jpg")
            with open(path, "wb") as f:
                f.write(data)
            paths.append(path)
            labels.append(i % 3)
            blobs.append(data)
    return paths, labels, blobs


def _preprocess(tf, contents, flip):
    image = tf.image.decode_jpeg(contents, channels=3)
    image = tf.image.convert_image_dtype(image, tf.float32)
    image = tf.image.resize_images(image, [16, 16])
    image = tf.random_crop(image, [16, 16, 3])
    image = tf.cond(flip, lambda: tf.image.flip_left_right(image), lambda: image)
    return tf.image.per_image_standardization(image)


def _train(tf, images, labels, steps: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(12)
    with tf.variable_scope("net"):
        h = tf.layers.conv2d(images, 4, 3, activation=tf.nn.relu,
                             kernel_initializer=tf.constant_initializer(rng.normal(0, 0.2, (3, 3, 3, 4))))
        h = tf.layers.max_pooling2d(h, 2, 2)
        h = tf.layers.flatten(h)
        logits = tf.layers.dense(h, 3, kernel_initializer=tf.constant_initializer(rng.normal(0, 0.05, (196, 3))))
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    train = tf.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
    out: dict[str, list] = {"loss": [], "images": [], "labels": []}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            batch, batch_labels, value, _ = sess.run([images, labels, loss, train])
            out["loss"].append(value)
            out["images"].append(batch)
            out["labels"].append(batch_labels)
        out["kernel"] = sess.run(tf.trainable_variables()[0])
    return {k: np.asarray(v) for k, v in out.items()}


@script
def jpeg_files_to_cnn(tf) -> dict[str, np.ndarray]:
    """A list of JPEG files -> read_file -> decode_jpeg -> resize, crop, flip -> batch -> CNN (tf.data)."""
    with tempfile.TemporaryDirectory() as folder:
        paths, labels, _ = _write_jpegs(tf, folder)
        flips = [i % 2 == 1 for i in range(len(paths))]
        data = tf.data.Dataset.from_tensor_slices((paths, np.array(labels, np.int64), flips))
        data = data.map(lambda path, label, flip: (_preprocess(tf, tf.read_file(path), flip), label))
        images, labels_t = data.repeat().batch(3).make_one_shot_iterator().get_next()
        return _train(tf, images, labels_t, 4)


@script
def tfrecord_examples_to_cnn(tf) -> dict[str, np.ndarray]:
    """tf.train.Examples (image/encoded, image/class/label) in a TFRecord -> parse -> decode -> CNN."""
    with tempfile.TemporaryDirectory() as folder:
        _, labels, blobs = _write_jpegs(tf, folder)
        record = os.path.join(folder, "train.tfrecord")
        with tf.python_io.TFRecordWriter(record) as writer:
            for label, blob in zip(labels, blobs):
                example = tf.train.Example(features=tf.train.Features(feature={
                    "image/encoded": tf.train.Feature(bytes_list=tf.train.BytesList(value=[blob])),
                    "image/format": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"jpeg"])),
                    "image/class/label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label]))}))
                writer.write(example.SerializeToString())

        def parse(serialized):
            features = tf.parse_single_example(serialized, {
                "image/encoded": tf.FixedLenFeature([], tf.string),
                "image/format": tf.FixedLenFeature([], tf.string, default_value="jpeg"),
                "image/class/label": tf.FixedLenFeature([], tf.int64)})
            label = features["image/class/label"]
            return _preprocess(tf, features["image/encoded"], tf.equal(label, 1)), label

        data = tf.data.TFRecordDataset([record]).map(parse).repeat().batch(2)
        images, labels_t = data.make_one_shot_iterator().get_next()
        return _train(tf, images, labels_t, 5)


def record() -> None:
    from tf1_scripts_image import _legacy_layers
    from tf_recording import out_dir, tf, write_npz
    _legacy_layers(tf)
    for name, fn in SCRIPTS.items():
        tf.reset_default_graph()
        arrays = fn(tf)
        write_npz(out_dir(sys.argv), f"script_{name}", arrays)
        print(f"{name}: {', '.join(sorted(arrays))}")


if __name__ == "__main__":
    record()
