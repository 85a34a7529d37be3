"""Whole TF1 training scripts over tf.linalg's LinearOperators, written once for real TF and for dfc: a causal
self-attention layer masked the way Kyubyong/transformer masks it (LinearOperatorLowerTriangular over ones of
the fed sequence length), and a Gaussian fitted through its Cholesky factor (log_abs_determinant, solvevec).

Each script sets every variable to fixed values and returns the variables' names, a few training losses and
outputs after them. tests/record_tf1_scripts_linalg.py records them with TensorFlow; tests/test_linear_operator.py
compares.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from tf1_scripts_nn import _set_variables

SCRIPTS: dict[str, Callable] = {}
F32 = np.float32


def script(fn: Callable) -> Callable:
    SCRIPTS[fn.__name__] = fn
    return fn


@script
def causal_self_attention(tf, Session):
    """One decoder block: q/k/v projections, scaled scores masked above the diagonal, softmax, a dense head,
    mean squared error against the next step, Adam; sequences of two lengths fed to one graph."""
    rng = np.random.default_rng(51)
    x = tf.placeholder(tf.float32, [None, None, 4], name="x")
    y = tf.placeholder(tf.float32, [None, None, 4], name="y")
    with tf.variable_scope("attention"):
        q = tf.layers.dense(x, 8, name="q")
        k = tf.layers.dense(x, 8, name="k")
        v = tf.layers.dense(x, 8, name="v")
        scores = tf.matmul(q, k, transpose_b=True) / np.sqrt(8.0)
        diag_vals = tf.ones_like(scores[0, :, :])
        tril = tf.linalg.LinearOperatorLowerTriangular(diag_vals).to_dense()
        masks = tf.tile(tf.expand_dims(tril, 0), [tf.shape(scores)[0], 1, 1])
        paddings = tf.ones_like(masks) * (-2.0 ** 32 + 1)
        weights = tf.nn.softmax(tf.where(tf.equal(masks, 0), paddings, scores))
        out = tf.layers.dense(tf.matmul(weights, v), 4, name="out")
    loss = tf.reduce_mean(tf.square(out - y))
    train = tf.train.AdamOptimizer(0.02).minimize(loss)
    feeds = []
    for steps in (5, 3):
        seq = rng.standard_normal((2, steps + 1, 4)).astype(F32)
        feeds.append({x: seq[:, :-1], y: seq[:, 1:]})
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = _set_variables(tf, sess, 52)
        losses = [sess.run([loss, train], feeds[i % 2])[0] for i in range(4)]
        outputs = {f"weights_{i}": sess.run(weights, f) for i, f in enumerate(feeds)}
    return {"names": names, "losses": np.array(losses), **outputs}


@script
def gaussian_cholesky_fit(tf, Session):
    """Maximum likelihood of a 3-d Gaussian: scale_tril = softplus on the diagonal of a free matrix, the
    negative log-likelihood from LinearOperatorLowerTriangular's solvevec and log_abs_determinant, SGD."""
    rng = np.random.default_rng(61)
    data = tf.placeholder(tf.float32, [None, 3], name="data")
    with tf.variable_scope("gaussian"):
        loc = tf.get_variable("loc", [3], initializer=tf.zeros_initializer())
        raw = tf.get_variable("raw_scale", [3, 3], initializer=tf.zeros_initializer())
    scale_tril = tf.linalg.set_diag(tf.linalg.band_part(raw, -1, 0), tf.nn.softplus(tf.linalg.diag_part(raw)) + 0.5)
    scale = tf.linalg.LinearOperatorLowerTriangular(scale_tril, is_non_singular=True)
    centered = tf.transpose(data - loc)
    z = scale.solve(centered)
    nll = 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(z), axis=0)) + scale.log_abs_determinant()
    cov = scale.matmul(scale.to_dense(), adjoint_arg=True)
    train = tf.train.GradientDescentOptimizer(0.05).minimize(nll)
    points = (rng.standard_normal((16, 3)) @ np.array([[1.0, 0, 0], [0.5, 0.7, 0], [0.2, -0.3, 0.4]]).T + 1.0)
    feed = {data: points.astype(F32)}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = _set_variables(tf, sess, 62)
        losses = [sess.run([nll, train], feed)[0] for _ in range(5)]
        outputs = sess.run({"cov": cov, "det": scale.determinant(), "whitened": scale.solvevec(points[0].astype(F32))},
                           feed)
    return {"names": names, "losses": np.array(losses), **outputs}
