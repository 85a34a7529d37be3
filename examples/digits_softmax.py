"""Softmax regression on the 8x8 hand-written digits (1797 images): minibatch Adam to >= 95% test accuracy.

Run: python examples/digits_softmax.py [epochs]. The data (examples/data/digits.npz: 64 pixels
of 0..16 per image and its label) is split once, with a fixed seed, into 80% for training and
20% held out for the test. digits_mlp.py reuses this file's data and progress helpers.
"""

from __future__ import annotations

import pathlib
import sys
from collections.abc import Iterator

import numpy as np

import dfc as tf

DATA = pathlib.Path(__file__).resolve().parent / "data" / "digits.npz"


def load_digits(test_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(train images, train labels, test images, test labels); pixels scaled to [0, 1]."""
    with np.load(DATA) as data:
        images = data["data"].astype(np.float32) / 16.0
        labels = data["target"].astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = int(round(len(images) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return images[train], labels[train], images[test], labels[test]


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    order = rng.permutation(n)
    for i in range(0, n, batch_size):
        yield order[i:i + batch_size]


class Progress:
    """A rich progress bar with the loss and test accuracy on a terminal; a line every few epochs otherwise."""

    def __init__(self, total: int, title: str, quiet: bool):
        self.quiet, self.total, self.bar = quiet, total, None
        if not quiet and sys.stdout.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn
            self.bar = Bar(TextColumn(f"[bold]{title}"), BarColumn(), MofNCompleteColumn(),
                           TextColumn("loss {task.fields[loss]:.4f}  test accuracy {task.fields[accuracy]:.3f}"),
                           TimeElapsedColumn())
            self.task = self.bar.add_task(title, total=total, loss=float("nan"), accuracy=0.0)

    def __enter__(self) -> Progress:
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def update(self, epoch: int, loss: float, accuracy: float) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=epoch, loss=loss, accuracy=accuracy)
        elif not self.quiet and (epoch % max(self.total // 10, 1) == 0 or epoch == self.total):
            print(f"epoch {epoch:4d}/{self.total}  loss {loss:.4f}  test accuracy {accuracy:.3f}")


def fit(sess, train, loss, accuracy, inputs, data, epochs: int, batch_size: int, rng: np.random.Generator,
        progress: Progress) -> tuple[list[float], float]:
    """Minibatch training for `epochs`; returns each epoch's mean training loss and the last test accuracy."""
    x, y = inputs
    x_train, y_train, x_test, y_test = data
    history: list[float] = []
    test_accuracy = 0.0
    for epoch in range(1, epochs + 1):
        total = 0.0
        for batch in minibatches(len(x_train), batch_size, rng):
            _, value = sess.run([train, loss], {x: x_train[batch], y: y_train[batch]})
            total += float(value) * len(batch)
        history.append(total / len(x_train))
        test_accuracy = float(sess.run(accuracy, {x: x_test, y: y_test}))
        progress.update(epoch, history[-1], test_accuracy)
    return history, test_accuracy


def main(epochs: int = 60, quiet: bool = False, batch_size: int = 64, learning_rate: float = 0.02,
         seed: int = 0) -> dict:
    """Train; returns the first and last epoch's mean training loss and the final test accuracy."""
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x_train, y_train, x_test, y_test = load_digits()

    x = tf.placeholder(tf.float32, [None, 64], name="images")
    y = tf.placeholder(tf.int64, [None], name="labels")
    W = tf.Variable(tf.zeros([64, 10]), name="W")
    b = tf.Variable(tf.zeros([10]), name="b")
    logits = tf.matmul(x, W) + b
    loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
    train = tf.train.AdamOptimizer(learning_rate).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))

    with tf.Session() as sess, Progress(epochs, "softmax regression", quiet) as progress:
        sess.run(tf.global_variables_initializer())
        history, test_accuracy = fit(sess, train, loss, accuracy, (x, y), (x_train, y_train, x_test, y_test),
                                     epochs, batch_size, rng, progress)
    if not quiet:
        print(f"softmax regression: loss {history[0]:.4f} -> {history[-1]:.4f}, "
              f"test accuracy {test_accuracy:.3f} on {len(x_test)} held-out images")
    return {"first_loss": history[0], "last_loss": history[-1], "test_accuracy": test_accuracy}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
