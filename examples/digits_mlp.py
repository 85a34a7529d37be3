"""A two-layer perceptron on the 8x8 digits: 64 -> hidden (relu) -> 10, trained with Adam to >= 95% test accuracy.

Run: python examples/digits_mlp.py [epochs]. Same data split as digits_softmax.py.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # digits_softmax beside this file

import dfc as tf  # noqa: E402
from digits_softmax import Progress, fit, load_digits  # noqa: E402


def main(epochs: int = 30, quiet: bool = False, hidden: int = 64, batch_size: int = 64,
         learning_rate: float = 0.01, seed: int = 0) -> dict:
    """Train; returns the first and last epoch's mean training loss and the final test accuracy."""
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x_train, y_train, x_test, y_test = load_digits()

    x = tf.placeholder(tf.float32, [None, 64], name="images")
    y = tf.placeholder(tf.int64, [None], name="labels")
    with tf.variable_scope("hidden"):
        W1 = tf.get_variable("weights", [64, hidden], initializer=tf.glorot_uniform_initializer())
        b1 = tf.get_variable("bias", [hidden], initializer=tf.zeros_initializer())
        h = tf.nn.relu(tf.matmul(x, W1) + b1)
    with tf.variable_scope("output"):
        W2 = tf.get_variable("weights", [hidden, 10], initializer=tf.glorot_uniform_initializer())
        b2 = tf.get_variable("bias", [10], initializer=tf.zeros_initializer())
        logits = tf.matmul(h, W2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=step)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))

    with tf.Session() as sess, Progress(epochs, f"MLP 64-{hidden}-10", quiet) as progress:
        sess.run(tf.global_variables_initializer())
        history, test_accuracy = fit(sess, train, loss, accuracy, (x, y), (x_train, y_train, x_test, y_test),
                                     epochs, batch_size, rng, progress)
        steps = int(sess.run(step))
    if not quiet:
        print(f"MLP: loss {history[0]:.4f} -> {history[-1]:.4f} in {steps} steps, "
              f"test accuracy {test_accuracy:.3f} on {len(x_test)} held-out images")
    return {"first_loss": history[0], "last_loss": history[-1], "test_accuracy": test_accuracy, "steps": steps}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
