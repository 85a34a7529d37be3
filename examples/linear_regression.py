"""The seed's linear regression, trained: y = X + 20 sin(X/10) fitted by y = XW + b with Adam on minibatches.

Run: python examples/linear_regression.py [steps]. Prints the loss at the start and the end
and, when matplotlib is installed, writes linear_regression.png (the data and the fitted line).
"""

from __future__ import annotations

import os
import sys

import numpy as np

import dfc as tf


def main(steps: int = 500, quiet: bool = False, seed: int = 0, plot: str | None = "linear_regression.png") -> dict:
    """Train for `steps` minibatch steps; returns the first and last loss and the learned W and b."""
    tf.reset_default_graph()
    rng = np.random.default_rng(seed)
    tf.set_random_seed(seed)

    # the seed's data: 1000 points of a line with a slow wave on it
    X_data = np.arange(100, step=.1)
    y_data = X_data + 20 * np.sin(X_data / 10)
    n_samples = 1000
    batch_size = 100
    X_data = np.reshape(X_data, (n_samples, 1))
    y_data = np.reshape(y_data, (n_samples, 1))

    X = tf.placeholder(tf.float32, shape=(batch_size, 1))
    y = tf.placeholder(tf.float32, shape=(batch_size, 1))

    with tf.variable_scope("linear-regression"):
        W = tf.get_variable("weights", (1, 1), initializer=tf.random_normal_initializer())
        b = tf.get_variable("bias", (1,), initializer=tf.constant_initializer(0.0))
        y_pred = tf.matmul(X, W) + b
        loss = tf.reduce_sum((y - y_pred) ** 2 / n_samples)

    opt_operation = tf.train.AdamOptimizer().minimize(loss)

    def full_loss(sess) -> float:
        """J(W, b) over all 1000 points: the batch loss summed over the ten batches that cover them."""
        return sum(float(sess.run(loss, {X: X_data[i:i + batch_size], y: y_data[i:i + batch_size]}))
                   for i in range(0, n_samples, batch_size))

    losses = []
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        start = full_loss(sess)
        for _ in range(steps):
            indices = rng.choice(n_samples, batch_size)
            X_batch, y_batch = X_data[indices], y_data[indices]
            _, loss_val = sess.run([opt_operation, loss], feed_dict={X: X_batch, y: y_batch})
            losses.append(float(loss_val))
        end = full_loss(sess)
        W_val, b_val = sess.run([W, b])
    if not quiet:
        print(f"loss at start: {start:.4f}")
        print(f"loss at end:   {end:.4f} after {steps} steps")
        print(f"W = {W_val[0, 0]:.4f}, b = {b_val[0]:.4f}")
    if plot:
        _plot(X_data, y_data, W_val, b_val, plot, quiet)
    return {"start_loss": start, "end_loss": end, "batch_losses": losses, "W": W_val, "b": b_val}


def _plot(X_data, y_data, W, b, path: str, quiet: bool) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return  # plotting is optional
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(X_data[:, 0], y_data[:, 0], s=2, label="data")
    ax.plot(X_data[:, 0], X_data[:, 0] * W[0, 0] + b[0], color="red", label="fit")
    ax.legend()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    if not quiet:
        print(f"wrote {os.path.abspath(path)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
