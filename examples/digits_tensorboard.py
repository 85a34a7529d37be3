"""TensorBoard on the 8x8 digits, written as TF1's "MNIST with summaries" tutorial: then `tensorboard --logdir`.

Run: python examples/digits_tensorboard.py [logdir] [steps]. Writes logdir/train (loss, accuracy,
weight statistics and histograms, input images, run metadata, the graph) and logdir/test.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # digits_softmax beside this file

import dfc as tf  # noqa: E402
from digits_softmax import load_digits  # noqa: E402


def variable_summaries(var) -> None:
    """Mean, standard deviation, extremes and a histogram of a tensor, as the tutorial attaches to each layer."""
    with tf.name_scope("summaries"):
        mean = tf.reduce_mean(var)
        tf.summary.scalar("mean", mean)
        with tf.name_scope("stddev"):
            stddev = tf.sqrt(tf.reduce_mean(tf.square(var - mean)))
        tf.summary.scalar("stddev", stddev)
        tf.summary.scalar("max", tf.reduce_max(var))
        tf.summary.scalar("min", tf.reduce_min(var))
        tf.summary.histogram("histogram", var)


def nn_layer(inputs, input_dim: int, output_dim: int, layer_name: str, act=tf.nn.relu):
    with tf.name_scope(layer_name):
        with tf.name_scope("weights"):
            weights = tf.Variable(tf.truncated_normal([input_dim, output_dim], stddev=0.1))
            variable_summaries(weights)
        with tf.name_scope("biases"):
            biases = tf.Variable(tf.constant(0.1, shape=[output_dim]))
            variable_summaries(biases)
        with tf.name_scope("Wx_plus_b"):
            preactivate = tf.matmul(inputs, weights) + biases
            tf.summary.histogram("pre_activations", preactivate)
        activations = act(preactivate, name="activation")
        tf.summary.histogram("activations", activations)
        return activations


def main(logdir: str = "digits_logs", steps: int = 300, batch_size: int = 100, seed: int = 0,
         quiet: bool = False) -> dict:
    """Train, writing summaries every step and test accuracy every 10; returns the last test accuracy."""
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x_train, y_train, x_test, y_test = load_digits()

    with tf.name_scope("input"):
        x = tf.placeholder(tf.float32, [None, 64], name="x-input")
        y_ = tf.placeholder(tf.int64, [None], name="y-input")
    with tf.name_scope("input_reshape"):
        tf.summary.image("input", tf.reshape(x, [-1, 8, 8, 1]), 10)
    hidden = nn_layer(x, 64, 100, "layer1")
    logits = nn_layer(hidden, 100, 10, "layer2", act=tf.identity)
    with tf.name_scope("cross_entropy"):
        cross_entropy = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y_, logits=logits))
    tf.summary.scalar("cross_entropy", cross_entropy)
    with tf.name_scope("train"):
        train_step = tf.train.AdamOptimizer(0.001).minimize(cross_entropy)
    with tf.name_scope("accuracy"):
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y_), tf.float32))
    tf.summary.scalar("accuracy", accuracy)
    merged = tf.summary.merge_all()

    accuracy_now = 0.0
    with tf.Session() as sess:
        train_writer = tf.summary.FileWriter(f"{logdir}/train", sess.graph)
        test_writer = tf.summary.FileWriter(f"{logdir}/test")
        sess.run(tf.global_variables_initializer())
        for i in range(steps):
            if i % 10 == 0:
                summary, accuracy_now = sess.run([merged, accuracy], {x: x_test, y_: y_test})
                test_writer.add_summary(summary, i)
                if not quiet:
                    print(f"Accuracy at step {i}: {accuracy_now:.3f}")
            batch = rng.choice(len(x_train), batch_size, replace=False)
            feed = {x: x_train[batch], y_: y_train[batch]}
            if i % 100 == 99:
                run_options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
                run_metadata = tf.RunMetadata()
                summary, _ = sess.run([merged, train_step], feed, options=run_options, run_metadata=run_metadata)
                train_writer.add_run_metadata(run_metadata, f"step{i:03d}")
            else:
                summary, _ = sess.run([merged, train_step], feed)
            train_writer.add_summary(summary, i)
        train_writer.close()
        test_writer.close()
    if not quiet:
        print(f"Summaries in {logdir}: tensorboard --logdir {logdir}")
    return {"test_accuracy": float(accuracy_now)}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "digits_logs", int(sys.argv[2]) if len(sys.argv) > 2 else 300)
