"""tf.distributions and tf.random's gamma, poisson and stateless draws: whole TF1 scripts against TF recordings
(tests/tf1_scripts_dist.py), sample moments, TF1's seeding rules, reparameterized gradients and TF1's errors.

Densities, cdfs, entropies and KLs are compared with TF in tests/tf1_op_cases_dist.py. Draws cannot
match TF's bits, so they are checked by their moments: every seed is fixed (the test is deterministic)
and each bound is 6 standard errors of the estimate, so a correct sampler passes and a biased one fails.
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.errors import InvalidArgumentError
from recordings import assert_matches_recording
from tf1_scripts_dist import SCRIPTS

N = 20000
ds = tf.distributions


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_matches_tensorflow(name, backend):
    tf.reset_default_graph()
    actual = SCRIPTS[name](tf, lambda: tf.Session(backend=backend))
    assert_matches_recording(actual, f"script_{name}", lambda key: {"rtol": 2e-4, "atol": 2e-5})


def _close_mean(samples: np.ndarray, mean, what: str, axis=0) -> None:
    """The sample mean within 6 standard errors of `mean`."""
    samples = samples.astype(np.float64)
    se = samples.std(axis=axis) / np.sqrt(samples.shape[axis])
    err = np.abs(samples.mean(axis=axis) - mean)
    assert np.all(err <= 6 * se + 1e-12), (what, samples.mean(axis=axis), mean, se)


def _close_variance(samples: np.ndarray, variance, what: str) -> None:
    centered = samples.astype(np.float64) - samples.mean(axis=0)
    squares = centered ** 2
    se = squares.std(axis=0) / np.sqrt(samples.shape[0])
    assert np.all(np.abs(squares.mean(axis=0) - variance) <= 6 * se), (what, squares.mean(axis=0), variance)


def test_samples_have_each_family_moments_and_shapes():
    tf.reset_default_graph()
    alpha, rate = np.array([0.3, 2.0, 15.0], np.float32), np.array([1.0, 2.0, 0.5], np.float32)
    draws = {
        "normal": ds.Normal(loc=[1.0, -2.0], scale=[0.5, 3.0]).sample(N, seed=1),
        "laplace": ds.Laplace(1.0, 2.0).sample([N], seed=2),
        "uniform": ds.Uniform(-1.0, 3.0).sample(N, seed=3),
        "bernoulli": ds.Bernoulli(probs=[0.2, 0.9]).sample(N, seed=4),
        "categorical": ds.Categorical(probs=[[0.1, 0.6, 0.3]]).sample(N, seed=5),
        "exponential": ds.Exponential(2.0).sample(N, seed=6),
        "gamma": ds.Gamma(alpha, rate).sample(N, seed=7),
        "beta": ds.Beta(2.0, 5.0).sample(N, seed=8),
        "dirichlet": ds.Dirichlet([1.0, 2.0, 3.0]).sample([N // 100, 100], seed=9),
        "student": ds.StudentT(df=5.0, loc=1.0, scale=2.0).sample(N, seed=10),
        "multinomial": ds.Multinomial(total_count=4.0, probs=[0.2, 0.3, 0.5]).sample(N // 4, seed=11),
        "poisson": tf.random.poisson([0.5, 3.0, 40.0], [N], seed=12),
        "poisson_int": tf.random_poisson(7.0, [N // 4], dtype=tf.int64, seed=13),
        "stateless": tf.random.stateless_normal([N], seed=[3, 4], mean=1.0, stddev=2.0),
        "stateless_gamma": tf.random.stateless_gamma([N, 2], seed=[5, 6], alpha=[0.5, 4.0]),
        "stateless_uniform": tf.random.stateless_uniform([N], seed=[1, 1], minval=2, maxval=5, dtype=tf.int32),
        "stateless_cat": tf.random.stateless_categorical(tf.log([[0.25, 0.75]]), N, seed=[7, 7]),
        "binomial": tf.random.stateless_binomial([N, 4], [8, 9], counts=[5.0, 40.0, 1000.0, 30.0],
                                                 probs=[0.3, 0.5, 0.02, 0.9]),
    }
    assert draws["dirichlet"].shape.as_list() == [N // 100, 100, 3]
    assert draws["categorical"].shape.as_list() == [N, 1] and draws["categorical"].dtype == tf.int32
    with tf.Session(backend="interpreter") as sess:  # the CPU backend draws the same bits (stateless test below)
        got = sess.run(draws)
    _close_mean(got["normal"], [1.0, -2.0], "normal")
    _close_variance(got["normal"], [0.25, 9.0], "normal")
    _close_mean(got["laplace"], 1.0, "laplace")
    _close_variance(got["laplace"], 8.0, "laplace")
    assert got["uniform"].min() >= -1.0 and got["uniform"].max() < 3.0
    _close_mean(got["uniform"], 1.0, "uniform")
    _close_mean(got["bernoulli"], [0.2, 0.9], "bernoulli")
    assert got["bernoulli"].dtype == np.int32
    _close_mean(got["categorical"][:, 0, None] == np.arange(3), [0.1, 0.6, 0.3], "categorical")
    _close_mean(got["exponential"], 0.5, "exponential")
    _close_mean(got["gamma"], alpha / rate, "gamma")
    _close_variance(got["gamma"], alpha / rate ** 2, "gamma")
    assert got["gamma"].min() > 0
    _close_mean(got["beta"], 2.0 / 7.0, "beta")
    _close_variance(got["beta"], 10.0 / (49 * 8), "beta")
    np.testing.assert_allclose(got["dirichlet"].sum(-1), 1.0, rtol=1e-5)
    _close_mean(got["dirichlet"].reshape(N, 3), [1 / 6, 2 / 6, 3 / 6], "dirichlet")
    _close_mean(got["student"], 1.0, "student_t")
    assert np.all(got["multinomial"].sum(-1) == 4.0)
    _close_mean(got["multinomial"], [0.8, 1.2, 2.0], "multinomial")
    _close_mean(got["poisson"], [0.5, 3.0, 40.0], "poisson")
    _close_variance(got["poisson"], [0.5, 3.0, 40.0], "poisson")
    assert got["poisson"].dtype == np.float32 and np.all(got["poisson"] == np.round(got["poisson"]))
    assert got["poisson_int"].dtype == np.int64
    _close_mean(got["poisson_int"], 7.0, "poisson int64")
    _close_mean(got["stateless"], 1.0, "stateless_normal")
    _close_variance(got["stateless"], 4.0, "stateless_normal")
    _close_mean(got["stateless_gamma"], [0.5, 4.0], "stateless_gamma")
    assert set(np.unique(got["stateless_uniform"])) == {2, 3, 4}
    _close_mean(got["stateless_cat"][0] == 1, 0.75, "stateless_categorical")
    binomial_mean = np.array([1.5, 20.0, 20.0, 27.0])
    _close_mean(got["binomial"], binomial_mean, "stateless_binomial")
    _close_variance(got["binomial"], binomial_mean * [0.7, 0.5, 0.98, 0.1], "stateless_binomial")
    assert got["binomial"].dtype == np.int32 and np.all(got["binomial"].max(0) <= [5, 40, 1000, 30])


def _seeded_draws(graph_seed, op_seed):
    tf.reset_default_graph()
    if graph_seed is not None:
        tf.set_random_seed(graph_seed)
    return [ds.Normal(0.0, 1.0).sample(4, seed=op_seed), tf.random.gamma([4], 2.0, seed=op_seed),
            tf.random.poisson(3.0, [4], seed=op_seed)]


@pytest.mark.parametrize("graph_seed, op_seed", [(1, None), (1, 5), (None, 5)])
def test_seeded_draws_repeat_across_sessions_and_advance_within_one(graph_seed, op_seed):
    def two_runs():
        fetches = _seeded_draws(graph_seed, op_seed)
        with tf.Session(backend="interpreter") as sess:
            return sess.run(fetches), sess.run(fetches)
    first, second = two_runs()
    again, _ = two_runs()
    for a, b, c in zip(first, again, second):
        np.testing.assert_array_equal(a, b)  # same seeds, new session: the same sequence
        assert not np.array_equal(a, c)  # the next run draws anew


def test_stateless_draws_are_functions_of_the_seed():
    tf.reset_default_graph()
    seed = tf.placeholder(tf.int64, [2], name="seed")
    fetches = [tf.random.stateless_uniform([3, 2], seed), tf.random.stateless_normal([5], seed, dtype=tf.float64),
               tf.random.stateless_truncated_normal([50], seed), tf.random.stateless_poisson([4], seed, lam=2.0),
               tf.random.stateless_multinomial([[0.0, 1.0, 2.0]], 6, seed)]
    runs = {}
    for backend in ("interpreter", "cpu"):
        with tf.Session(backend=backend) as sess:
            runs[backend] = [sess.run(fetches, {seed: [1, 2]}), sess.run(fetches, {seed: [1, 2]}),
                             sess.run(fetches, {seed: [2, 1]})]
    for backend, (first, repeat, other) in runs.items():
        for a, b, c, d in zip(first, repeat, other, runs["interpreter"][0]):
            np.testing.assert_array_equal(a, b)
            # every backend draws the same bits (floats through each backend's log and cos: a few ulp)
            np.testing.assert_allclose(a, d, rtol=1e-6, atol=1e-7)
            assert not np.array_equal(a, c), backend
    assert np.all(np.abs(runs["cpu"][0][2]) < 2.0)


def test_get_seed_follows_tf1():
    tf.reset_default_graph()
    assert tf.get_seed(None) == (None, None)
    assert tf.get_seed(5) == (87654321, 5)
    tf.set_random_seed(3)
    assert tf.get_seed(4) == (3, 4) and tf.random.get_seed(None)[0] == 3


def test_reparameterized_samples_carry_gradients():
    tf.reset_default_graph()
    loc, scale = tf.constant([0.5, -1.0]), tf.constant([2.0, 0.5])
    normal = ds.Normal(loc, scale)
    x = normal.sample(N, seed=1)
    alpha, rate = tf.constant([0.4, 3.0]), tf.constant([2.0, 0.5])
    g = ds.Gamma(alpha, rate).sample(N, seed=2)
    c1 = tf.constant(2.0)
    b = ds.Beta(c1, 3.0).sample(N, seed=3)
    conc = tf.constant([1.0, 2.0, 3.0])
    d = ds.Dirichlet(conc).sample(N, seed=4)
    assert normal.reparameterization_type == ds.FULLY_REPARAMETERIZED
    assert ds.Bernoulli(probs=0.3).reparameterization_type == ds.NOT_REPARAMETERIZED
    grads = {"loc": tf.gradients(tf.reduce_mean(x, 0), loc)[0], "scale": tf.gradients(tf.reduce_mean(x, 0), scale)[0],
             "alpha": tf.gradients(tf.reduce_mean(g, 0), alpha)[0], "rate": tf.gradients(tf.reduce_mean(g, 0), rate)[0],
             "beta": tf.gradients(tf.reduce_mean(b), c1)[0],
             "dirichlet": tf.gradients(tf.reduce_mean(d[:, 0]), conc)[0], "x": x, "g": g}
    with tf.Session(backend="interpreter") as sess:
        got = sess.run(grads)
    np.testing.assert_allclose(got["loc"], [1.0, 1.0], rtol=1e-3)  # N float32 terms of 1/N
    eps = (got["x"] - [0.5, -1.0]) / [2.0, 0.5]
    np.testing.assert_allclose(got["scale"], eps.mean(0), rtol=1e-4, atol=1e-6)
    # d E[X]/d alpha = 1/rate and d E[X]/d rate = -alpha/rate^2, estimated from the same draws
    slope = got["g"] * [2.0, 0.5]
    assert np.all(np.abs(got["alpha"] - [0.5, 2.0]) < 6 * slope.std(0) / np.sqrt(N) / [2.0, 0.5] + 0.02)
    np.testing.assert_allclose(got["rate"], -got["g"].mean(0) / [2.0, 0.5], rtol=1e-4)
    assert abs(got["beta"] - 3.0 / 25.0) < 0.01  # d/da a/(a+b) at (2, 3)
    np.testing.assert_allclose(got["dirichlet"], [5 / 36, -1 / 36, -1 / 36], atol=0.01)


def _holders():
    tf.reset_default_graph()
    return {"scale": tf.placeholder(tf.float32, [2], name="user_scale"),
            "probs": tf.placeholder(tf.float32, [3], name="user_probs")}


# (what, TF1's exception class, a word the message must hold)
ERRORS = [
    (lambda t: ds.Normal(0.0, -1.0, validate_args=True), InvalidArgumentError, "x > 0"),
    (lambda t: ds.Uniform(2.0, 1.0, validate_args=True), InvalidArgumentError, "low >= high"),
    (lambda t: ds.Bernoulli(logits=[0.0], probs=[0.5]), ValueError, "not both"),
    (lambda t: ds.Categorical(), ValueError, "probs or logits"),
    (lambda t: ds.Normal(tf.constant(0.0, tf.float64), t["scale"]), ValueError, "user_scale"),
    (lambda t: ds.Normal(0, 1), ValueError, "floating point"),
    (lambda t: ds.Bernoulli(logits=[1, 2]), TypeError, "floating"),
    (lambda t: ds.Categorical(logits=1.0), ValueError, "rank"),
    (lambda t: ds.kl_divergence(ds.Normal(0.0, 1.0), ds.Gamma(1.0, 1.0)), NotImplementedError, "Gamma"),
    (lambda t: ds.RegisterKL(ds.Normal, ds.Normal)(lambda a, b, name=None: a), ValueError, "already"),
    (lambda t: ds.Normal(0.0, 1.0).sample([[2, 3]]), ValueError, "neither scalar nor vector"),
    (lambda t: ds.Gamma(1.0, 1.0).log_prob(tf.constant(1.0, tf.float64)), ValueError, "float64"),
    (lambda t: tf.random.stateless_uniform([2], [1, 2], dtype=tf.int32), ValueError, "maxval"),
    (lambda t: tf.random.stateless_normal([2], seed=[1, 2, 3]), ValueError, "seed"),
    (lambda t: tf.random.gamma([2], 1.0, dtype=tf.int32), TypeError, "int32"),
    (lambda t: tf.random.gamma([2], t["scale"], dtype=tf.float64), ValueError, "user_scale"),
    (lambda t: ds.Gamma(0.5, 1.0, allow_nan_stats=False).mode(), InvalidArgumentError, "mode not defined"),
    (lambda t: ds.StudentT([0.5, 3.0], 0.0, 1.0, allow_nan_stats=False).mean(), InvalidArgumentError, "df <= 1"),
    (lambda t: ds.Uniform(t["scale"], t["probs"]).batch_shape, ValueError, "broadcast"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_arguments_raise_tf1s_errors(index):
    build, error, word = ERRORS[index]
    with pytest.raises(error, match=word):
        build(_holders())


def test_validate_args_checks_fed_parameters_when_run():
    t = _holders()
    normal = ds.Normal(0.0, t["scale"], validate_args=True)
    lp = normal.log_prob(1.0)
    ber = ds.Bernoulli(probs=t["probs"], validate_args=True)
    with tf.Session() as sess:
        assert np.all(np.isfinite(sess.run(lp, {t["scale"]: [1.0, 2.0]})))
        with pytest.raises(InvalidArgumentError, match="user_scale"):
            sess.run(lp, {t["scale"]: [1.0, -2.0]})
        with pytest.raises(InvalidArgumentError, match="greater than 1"):
            sess.run(ber.mean(), {t["probs"]: [0.5, 1.5, 0.0]})
    kl = ds.Normal(0.0, 1.0, allow_nan_stats=False).kl_divergence(ds.Normal(0.0, t["scale"][0]))
    with tf.Session(backend="interpreter") as sess:
        assert np.isfinite(sess.run(kl, {t["scale"]: [2.0, 1.0]}))
        with pytest.raises(InvalidArgumentError, match="returned NaN"):
            sess.run(kl, {t["scale"]: [0.0, 1.0]})
    assert str(normal) == 'tfp.distributions.Normal("Normal/", batch_shape=(2,), event_shape=(), dtype=float32)'
    assert repr(ds.FULLY_REPARAMETERIZED) == "<Reparameterization Type: FULLY_REPARAMETERIZED>"
    assert tf.contrib.distributions.Normal is ds.Normal


def test_fed_batches_and_fed_sample_counts_give_tf1s_shapes():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    n = tf.placeholder(tf.int32, [], name="n")
    positive = tf.abs(x) + 1.0
    draws = {"normal": ds.Normal(x, 1.0).sample(n, seed=1), "bernoulli": ds.Bernoulli(logits=x).sample(2, seed=2),
             "gamma": ds.Gamma(positive, 1.0).sample(2, seed=3), "dirichlet": ds.Dirichlet(positive).sample(seed=4),
             "laplace": ds.Laplace(x, 1.0).sample([2, 2], seed=5), "categorical": ds.Categorical(x).sample(5, seed=6),
             "student": ds.StudentT(3.0, x, 1.0).sample(seed=7), "poisson": tf.random.poisson(positive, [2], seed=8),
             "uniform_cdf": ds.Uniform(x, x + 1.0).cdf(x + 0.25), "batch": ds.Normal(x, 1.0).batch_shape_tensor()}
    assert draws["normal"].shape.as_list() == [None, None, 3]
    assert draws["gamma"].shape.as_list() == [2, None, 3] and draws["categorical"].shape.as_list() == [5, None]
    with tf.Session(backend="interpreter") as sess:
        got = sess.run(draws, {x: np.ones((4, 3), np.float32), n: 6})
    shapes = {k: v.shape for k, v in got.items()}
    assert shapes == {"normal": (6, 4, 3), "bernoulli": (2, 4, 3), "gamma": (2, 4, 3), "dirichlet": (4, 3),
                      "laplace": (2, 2, 4, 3), "categorical": (5, 4), "student": (4, 3), "poisson": (2, 4, 3),
                      "uniform_cdf": (4, 3), "batch": (2,)}
    np.testing.assert_allclose(got["uniform_cdf"], 0.25)
    assert got["batch"].tolist() == [4, 3]


def test_contrib_multivariate_normal_diag_and_softplus_variants():
    """tf.contrib.distributions' MultivariateNormalDiag against the Gaussian's closed forms (TF1's contrib is not in
    the TF the recordings come from)."""
    tf.reset_default_graph()
    cd = tf.contrib.distributions
    loc = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 1.0]], np.float32)
    sd = np.array([1.0, 2.0, 0.5], np.float32)
    x = np.array([[1.0, 0.0, 2.5], [0.3, -0.2, 0.0]], np.float32)
    mvn = cd.MultivariateNormalDiag(loc=loc, scale_diag=sd)
    other = cd.MultivariateNormalDiag(loc=loc[::-1].copy(), scale_diag=sd, scale_identity_multiplier=1.5)
    assert mvn.batch_shape.as_list() == [2] and mvn.event_shape.as_list() == [3]
    fetches = {"log_prob": mvn.log_prob(x), "entropy": mvn.entropy(), "kl": cd.kl_divergence(mvn, other),
               "cov": mvn.covariance(), "sample": mvn.sample(2, seed=1), "stddev": mvn.stddev(),
               "softplus": cd.NormalWithSoftplusScale(0.0, [-1.0, 2.0]).scale, "kl_old_name": cd.kl(mvn, other)}
    with tf.Session(backend="interpreter") as sess:
        got = sess.run(fetches)
    z = (x - loc) / sd
    want_lp = -0.5 * (z ** 2).sum(-1) - 1.5 * np.log(2 * np.pi) - np.log(sd).sum()
    np.testing.assert_allclose(got["log_prob"], want_lp, rtol=1e-5)
    np.testing.assert_allclose(got["entropy"], 1.5 * (1 + np.log(2 * np.pi)) + np.log(sd).sum(), rtol=1e-6)
    ratio, delta = 1 / 1.5 ** 2, (loc[::-1] - loc) / (1.5 * sd)
    want_kl = 0.5 * (3 * ratio + (delta ** 2).sum(-1) - 3 - 3 * np.log(ratio))
    np.testing.assert_allclose(got["kl"], want_kl, rtol=1e-5)
    np.testing.assert_allclose(got["kl_old_name"], want_kl, rtol=1e-5)
    np.testing.assert_allclose(got["cov"][1], np.diag(sd ** 2))
    assert got["sample"].shape == (2, 2, 3)
    np.testing.assert_allclose(got["softplus"], np.log1p(np.exp([-1.0, 2.0])), rtol=1e-6)
