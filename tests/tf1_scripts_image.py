"""Realistic TF1 scripts over tf.image and tf.contrib.layers, written as users write them, run by TF and by dfc.

Each script takes a TF1-style module and returns named arrays. Run this file with a Python that has
tensorflow to record them (tests/data/tf_expectations/script_<name>.npz):

    python tests/tf1_scripts_image.py

TF 2.x has no tf.contrib, so the contrib script is recorded through its TF1 equivalents with the same
formulas (tf.layers with the same initializers, tf.nn.moments batch norm, the same regularizer sums);
the variable names and collections it checks are those TF1's contrib documents.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np

SCRIPTS: dict[str, Callable] = {}
F32 = np.float32


def script(fn: Callable) -> Callable:
    SCRIPTS[fn.__name__] = fn
    return fn


def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (4, 10, 9, 3)).astype(np.uint8)
    labels = rng.integers(0, 3, 4).astype(np.int64)
    return images, labels


@script
def augment_and_train_cnn(tf) -> dict[str, np.ndarray]:
    """An input pipeline of tf.image color and geometry ops feeding a small tf.layers CNN trained with Adam."""
    images_np, labels_np = _data(0)
    rng = np.random.default_rng(1)
    images = tf.placeholder(tf.uint8, [4, 10, 9, 3], name="images")
    labels = tf.placeholder(tf.int64, [4], name="labels")
    boxes = tf.placeholder(tf.float32, [4, 4], name="boxes")
    with tf.name_scope("preprocess"):
        x = tf.image.convert_image_dtype(images, tf.float32)
        x = tf.image.adjust_brightness(x, 0.05)
        x = tf.image.adjust_contrast(x, 1.3)
        x = tf.image.adjust_saturation(x, 0.8)
        x = tf.image.adjust_hue(x, 0.1)
        x = tf.clip_by_value(x, 0.0, 1.0)
        crops = tf.image.crop_and_resize(x, boxes, tf.range(4), [8, 8])
        x = tf.image.resize_bicubic(x, [8, 8])
        x = tf.concat([x, crops], axis=-1)
        x = tf.image.per_image_standardization(x)
    with tf.variable_scope("net"):
        h = tf.layers.conv2d(x, 5, 3, activation=tf.nn.relu,
                             kernel_initializer=tf.constant_initializer(rng.normal(0, 0.2, (3, 3, 6, 5))))
        h = tf.layers.max_pooling2d(h, 2, 2)
        h = tf.layers.flatten(h)
        logits = tf.layers.dense(h, 3, kernel_initializer=tf.constant_initializer(rng.normal(0, 0.2, (45, 3))))
    xent = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    smooth = tf.reduce_mean(tf.image.total_variation(tf.reshape(h, [4, 3, 3, 5])))
    loss = xent + 1e-3 * smooth
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    feed = {images: images_np, labels: labels_np,
            boxes: np.array([[0.1, 0.1, 0.9, 0.8], [0.0, 0.2, 0.6, 1.0], [0.3, 0.0, 1.0, 0.7], [0.2, 0.2, 0.8, 0.8]],
                            F32)}
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(x, feed)
        for _ in range(6):
            losses.append(sess.run([loss, train], feed)[0])
        kernel = sess.run(tf.trainable_variables()[0])
    return {"losses": np.asarray(losses, F32), "preprocessed": first, "kernel": kernel,
            "variables": np.array(sorted(v.name for v in tf.trainable_variables()))}


def _legacy_layers(tf) -> None:
    """tf.layers under TF 2.x (Keras 3 took the name): TF's own legacy tf.layers modules."""
    import types

    from tensorflow.python.keras.legacy_tf_layers import convolutional, core, pooling
    tf.layers = types.SimpleNamespace(conv2d=convolutional.conv2d, max_pooling2d=pooling.max_pooling2d,
                                      flatten=core.flatten, dense=core.dense, dropout=core.dropout)


def record() -> None:
    from tf_recording import out_dir, tf, write_npz
    _legacy_layers(tf)
    for name, fn in SCRIPTS.items():
        tf.reset_default_graph()
        arrays = fn(tf)
        write_npz(out_dir(sys.argv), f"script_{name}", arrays)
        print(f"{name}: {', '.join(sorted(arrays))}")


if __name__ == "__main__":
    record()
