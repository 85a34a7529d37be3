"""Short TF1 scripts as users write them (tf.layers, variable_scope, a Session loop) over the array area's names:
slicing with tf.newaxis, segment reductions, bincount, Cholesky/triangular solves/logdet, lgamma. Written once
for TensorFlow (tests/record_array_scripts.py records them) and dfc (tests/test_tf1_array_scripts.py)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

F32 = np.float32
SCRIPTS: dict[str, Callable] = {}


def script(fn: Callable) -> Callable:
    SCRIPTS[fn.__name__] = fn
    return fn


@script
def pooled_gaussian_poisson(tf, Session) -> dict[str, np.ndarray]:
    """A graph-pooling model: dense features pooled per group (max and mean), scored by a Gaussian likelihood
    under a learned covariance (Cholesky, triangular solve, logdet) plus a Poisson term on the group sizes."""
    rng = np.random.default_rng(0)
    x_data = rng.standard_normal((12, 3)).astype(F32)
    ids_data = np.array([0, 2, 1, 0, 3, 3, 2, 0, 1, 1, 3, 0], np.int32)
    w0 = (rng.standard_normal((3, 4)) * 0.5).astype(F32)
    s0 = (np.eye(4) * 0.7 + rng.standard_normal((4, 4)) * 0.1).astype(F32)

    x = tf.placeholder(tf.float32, [None, 3], name="x")
    ids = tf.placeholder(tf.int32, [None], name="ids")
    with tf.variable_scope("model"):
        h = tf.layers.dense(x, 4, activation=tf.nn.tanh, kernel_initializer=tf.constant_initializer(w0),
                            name="hidden")
        scale = tf.get_variable("scale", initializer=tf.constant(s0))
    with tf.name_scope("likelihood"):
        cov = tf.matmul(scale, scale, transpose_b=True) + tf.eye(4)
        chol = tf.cholesky(cov)
        pooled = tf.unsorted_segment_max(h, ids, 4) - tf.unsorted_segment_mean(h, ids, 4)[::-1]
        z = tf.matrix_triangular_solve(chol, tf.transpose(pooled))
        nll = 0.5 * tf.reduce_sum(tf.square(z)) + 2.0 * tf.linalg.logdet(cov)
        counts = tf.cast(tf.bincount(ids, minlength=4, maxlength=4), tf.float32)
        rate = tf.reduce_mean(tf.exp(h[:, :1]))
        poisson = tf.reduce_sum(counts * tf.log(rate) - rate - tf.lgamma(counts + 1.0))
        smooth = tf.reduce_sum(tf.square(h[:, tf.newaxis, 0] - h[..., -1:]))
        loss = nll - 0.1 * poisson + 0.01 * smooth
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    feed = {x: x_data, ids: ids_data}
    losses = []
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(6):
            value, _ = sess.run([loss, train], feed)
            losses.append(value)
        final = sess.run({v.name: v for v in tf.trainable_variables()})
        inverse_check = sess.run(tf.matmul(tf.matrix_inverse(cov), cov))
    out = {"losses": np.array(losses), "inverse_check": inverse_check,
           "variable_names": np.array(sorted(final))}
    out.update({f"var_{name.replace('/', '_').replace(':', '_')}": value for name, value in final.items()})
    return out
