"""A small conv net on the 8x8 digits, in the style of TF's MNIST tutorial, trained with Adam to >= 97% test accuracy.

8x8x1 -> conv 3x3x16 + relu -> 2x2 max pool -> conv 3x3x32 + relu -> 2x2 max pool -> dense 64
+ relu -> 10. Run: python examples/digits_cnn.py [epochs]. Same data split as digits_softmax.py.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # digits_softmax beside this file

import dfc as tf  # noqa: E402
from digits_softmax import Progress, fit, load_digits  # noqa: E402


def weight_variable(shape, name: str):
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1), name=name)


def bias_variable(shape, name: str):
    return tf.Variable(tf.constant(0.1, shape=shape), name=name)


def conv_pool(x, in_channels: int, out_channels: int, name: str):
    """A 3x3 SAME convolution with relu, then a 2x2 max pool that halves the image."""
    with tf.name_scope(name):
        w = weight_variable([3, 3, in_channels, out_channels], "weights")
        b = bias_variable([out_channels], "bias")
        h = tf.nn.relu(tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME") + b)
        return tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")


def main(epochs: int = 20, quiet: bool = False, batch_size: int = 64, learning_rate: float = 0.003,
         seed: int = 0) -> dict:
    """Train; returns the first and last epoch's mean training loss and the final test accuracy."""
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x_train, y_train, x_test, y_test = load_digits()

    x = tf.placeholder(tf.float32, [None, 64], name="images")
    y = tf.placeholder(tf.int64, [None], name="labels")
    image = tf.reshape(x, [-1, 8, 8, 1])
    pooled = conv_pool(conv_pool(image, 1, 16, "conv1"), 16, 32, "conv2")  # [batch, 2, 2, 32]
    flat = tf.reshape(pooled, [-1, 2 * 2 * 32])
    with tf.name_scope("dense"):
        hidden = tf.nn.relu(tf.matmul(flat, weight_variable([128, 64], "weights")) + bias_variable([64], "bias"))
    with tf.name_scope("output"):
        logits = tf.matmul(hidden, weight_variable([64, 10], "weights")) + bias_variable([10], "bias")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.AdamOptimizer(learning_rate).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))

    with tf.Session() as sess, Progress(epochs, "conv net 8x8x1-16-32-64-10", quiet) as progress:
        sess.run(tf.global_variables_initializer())
        history, test_accuracy = fit(sess, train, loss, accuracy, (x, y), (x_train, y_train, x_test, y_test),
                                     epochs, batch_size, rng, progress)
    if not quiet:
        print(f"conv net: loss {history[0]:.4f} -> {history[-1]:.4f}, "
              f"test accuracy {test_accuracy:.3f} on {len(x_test)} held-out images")
    return {"first_loss": history[0], "last_loss": history[-1], "test_accuracy": test_accuracy}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
