"""Whole TF1 training scripts over tf.distributions, written once for real TF and for dfc: a VAE step
(Normal posterior, Bernoulli decoder, kl_divergence against the prior) and a REINFORCE step (Categorical
policy, log_prob times returns, an entropy bonus).

Noise and actions are fed through placeholders, so both frameworks see the same numbers; each script sets
every variable to fixed values and returns the variables' names, a few training losses and the outputs after
them. tests/record_tf1_scripts_dist.py records them with TensorFlow; tests/test_distributions.py compares.
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
def vae_step(tf, Session):
    """A small VAE: dense encoder to (mu, log sigma), z = loc + scale * eps with eps fed, Bernoulli decoder,
    ELBO = E[log p(x|z)] - KL(q(z|x) || N(0, 1)), Adam."""
    rng = np.random.default_rng(31)
    x = tf.placeholder(tf.float32, [None, 6], name="x")
    eps = tf.placeholder(tf.float32, [None, 2], name="eps")
    with tf.variable_scope("encoder"):
        h = tf.layers.dense(x, 8, activation=tf.nn.relu, name="hidden")
        mu = tf.layers.dense(h, 2, name="mu")
        log_sigma = tf.layers.dense(h, 2, name="log_sigma")
    posterior = tf.distributions.Normal(loc=mu, scale=tf.exp(log_sigma), name="posterior")
    prior = tf.distributions.Normal(loc=tf.zeros_like(mu), scale=tf.ones_like(mu), name="prior")
    z = posterior.loc + posterior.scale * eps
    with tf.variable_scope("decoder"):
        logits = tf.layers.dense(tf.layers.dense(z, 8, activation=tf.nn.tanh, name="hidden"), 6, name="logits")
    likelihood = tf.distributions.Bernoulli(logits=logits)
    reconstruction = tf.reduce_sum(likelihood.log_prob(x), axis=1)
    kl = tf.reduce_sum(tf.distributions.kl_divergence(posterior, prior), axis=1)
    elbo = tf.reduce_mean(reconstruction - kl)
    loss = -elbo
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    sample_shape = tf.shape(posterior.sample(3, seed=1))
    feed = {x: (rng.uniform(size=(5, 6)) > 0.5).astype(F32), eps: rng.standard_normal((5, 2)).astype(F32)}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = _set_variables(tf, sess, 32)
        losses = [sess.run([loss, train], feed)[0] for _ in range(4)]
        outputs = sess.run({"kl": kl, "reconstruction": reconstruction, "entropy": posterior.entropy(),
                            "z_log_prob": posterior.log_prob(z), "mean": likelihood.mean(),
                            "sample_shape": sample_shape}, feed)
    return {"names": names, "losses": np.array(losses), **outputs}


@script
def reinforce_step(tf, Session):
    """A policy gradient step: a tanh MLP policy over 3 actions, loss = -mean(log pi(a|s) * G) - 0.01 * entropy,
    plain gradient descent, with the taken actions and returns fed."""
    rng = np.random.default_rng(41)
    states = tf.placeholder(tf.float32, [None, 4], name="states")
    actions = tf.placeholder(tf.int32, [None], name="actions")
    returns = tf.placeholder(tf.float32, [None], name="returns")
    with tf.variable_scope("policy"):
        hidden = tf.layers.dense(states, 16, activation=tf.nn.tanh)
        logits = tf.layers.dense(hidden, 3)
    pi = tf.distributions.Categorical(logits=logits)
    log_prob = pi.log_prob(actions)
    entropy = tf.reduce_mean(pi.entropy())
    loss = -tf.reduce_mean(log_prob * returns) - 0.01 * entropy
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    act = pi.sample(seed=7)
    feed = {states: rng.standard_normal((6, 4)).astype(F32), actions: rng.integers(0, 3, 6).astype(np.int32),
            returns: rng.standard_normal(6).astype(F32)}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = _set_variables(tf, sess, 42)
        losses = [sess.run([loss, train], feed)[0] for _ in range(4)]
        drawn = sess.run(act, feed)
        outputs = sess.run({"log_prob": log_prob, "entropy": entropy, "probs": pi.probs, "mode": pi.mode()}, feed)
    in_range = np.array([drawn.shape == (6,), drawn.dtype == np.int32, bool(np.all((drawn >= 0) & (drawn < 3)))])
    return {"names": names, "losses": np.array(losses), "drawn_ok": in_range, **outputs}
