"""Short TF1 scripts over tf.contrib.image and tf.contrib.opt, written once for real TF and dfc.

`tf` is tensorflow.compat.v1 (tests/record_contrib_scripts.py records what it computes, with the contrib
parts TF 2 lacks written in tests/contrib_image_reference.py) or dfc (tests/test_contrib_image.py).
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
STEPS = 3


def augment_and_fit(tf, contrib_image) -> dict:
    """A classifier on rotated, shifted images (augmentation of fed angles), and an image fitted through rotate."""
    rng = np.random.default_rng(90)
    images = rng.uniform(0.0, 1.0, (4, 8, 8, 1)).astype(F32)
    labels = rng.uniform(-1.0, 1.0, (4, 1)).astype(F32)
    angles = np.array([0.2, -0.5, 1.0, 2.9], F32)
    target = rng.uniform(0.0, 1.0, (8, 8, 1)).astype(F32)
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    angle = tf.placeholder(tf.float32, [None], name="angle")
    augmented = contrib_image.rotate(x, angle, interpolation="BILINEAR")
    augmented = contrib_image.translate(augmented, [1.0, -1.0])
    with tf.variable_scope("net"):
        h = tf.layers.conv2d(augmented, 2, 3, activation=tf.nn.relu, kernel_initializer=tf.constant_initializer(0.1))
        logits = tf.layers.dense(tf.layers.flatten(h), 1, kernel_initializer=tf.constant_initializer(0.01))
    loss = tf.reduce_mean(tf.square(logits - y))
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    canvas = tf.get_variable("canvas", [8, 8, 1], initializer=tf.constant_initializer(0.5))
    fit_loss = tf.reduce_mean(tf.square(contrib_image.rotate(canvas, 0.6, "BILINEAR") - target))
    fit = tf.train.GradientDescentOptimizer(5.0).minimize(fit_loss, var_list=[canvas])
    losses, fit_losses = [], []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(STEPS):
            _, value = sess.run([train, loss], {x: images, y: labels, angle: angles})
            losses.append(value)
            _, value = sess.run([fit, fit_loss])
            fit_losses.append(value)
        out = sess.run(augmented, {x: images, angle: angles})
        return {"losses": np.array(losses), "fit_losses": np.array(fit_losses), "augmented": out,
                "canvas": sess.run(canvas)}
