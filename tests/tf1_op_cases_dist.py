"""TF1 programs over tf.distributions (densities, cdfs, moments, entropies, KL divergences, shapes) and the
gradient of tf.random.gamma's samples, for both TF and dfc.

Cases in the style of tests/tf1_op_cases.py (which adds them to its CASES): recorded with real
TensorFlow by tests/record_tf1_ops.py, checked against dfc by tests/test_tf1_ops_expectations.py.
Random draws cannot match TF's bits; tests/test_distributions.py checks them statistically.
"""

from __future__ import annotations

import numpy as np

from tf1_op_cases import F32, Case, _rng

F64 = np.float64


def _stats(prefix: str, d, x, extra=()) -> dict:
    """Each named method of distribution d (on x for the value methods) under `prefix`."""
    out = {}
    for method in ("log_prob", "prob", "cdf", "log_cdf", "survival_function", "log_survival_function", *extra):
        out[f"{prefix}_{method}"] = getattr(d, method)(x)
    return out


def _moments(prefix: str, d, names=("entropy", "mean", "stddev", "variance", "mode")) -> dict:
    return {f"{prefix}_{m}": getattr(d, m)() for m in names}


def _normal_case(tf, loc, scale, x, p):
    dist = tf.distributions
    n = dist.Normal(loc=loc, scale=scale)
    other = dist.Normal(loc=tf.reverse(loc, [0]), scale=2.0 * scale + 0.1)
    return {**_stats("n", n, x), **_moments("n", n), "n_quantile": n.quantile(p),
            "n_kl": dist.kl_divergence(n, other), "n_kl_method": n.kl_divergence(other),
            "n_cross_entropy": n.cross_entropy(other), "n_kl_self": dist.kl_divergence(other, n, name="back"),
            "n_python_value": n.log_prob(0.5), "n_batch": n.batch_shape_tensor(),
            "n_event": n.event_shape_tensor(), "n_sample_shape": tf.shape(n.sample([4, 5], seed=3)),
            "n_sample_scalar": tf.shape(n.sample(seed=1)), "n_sample_n": tf.shape(n.sample(7, seed=2))}


def _laplace_uniform_case(tf, loc, scale, x, low, high):
    dist = tf.distributions
    lap = dist.Laplace(loc=loc, scale=scale)
    uni = dist.Uniform(low=low, high=high)
    return {**_stats("lap", lap, x), **_moments("lap", lap, ("entropy", "mean", "stddev", "variance", "mode")),
            "uni_prob": uni.prob(x), "uni_log_prob": uni.log_prob(x), "uni_cdf": uni.cdf(x),
            "uni_survival": uni.survival_function(x), "uni_range": uni.range(),
            **_moments("uni", uni, ("entropy", "mean", "stddev", "variance")),
            "uni_default": dist.Uniform().prob(tf.abs(x) * 0.1)}


def _discrete_case(tf, logits, probs, k, events, blogits):
    dist = tf.distributions
    cat = dist.Categorical(logits=logits)
    catp = dist.Categorical(probs=probs)
    ber = dist.Bernoulli(logits=blogits)
    berp = dist.Bernoulli(probs=tf.sigmoid(blogits * 0.2))
    return {"cat_log_prob": cat.log_prob(k), "cat_prob": cat.prob(k), "cat_entropy": cat.entropy(),
            "cat_mode": cat.mode(), "cat_probs": cat.probs, "cat_cdf": cat.cdf(k),
            "catp_log_prob": catp.log_prob(k[0]), "catp_logits": catp.logits, "catp_entropy": catp.entropy(),
            "cat_kl": dist.kl_divergence(cat, catp), "cat_int64_mode": dist.Categorical(logits, dtype=tf.int64).mode(),
            "cat_event_size": cat.event_size, "cat_sample_shape": tf.shape(cat.sample([3, 2], seed=5)),
            "ber_log_prob": ber.log_prob(events), "ber_prob": ber.prob(events), "ber_entropy": ber.entropy(),
            "ber_mean": ber.mean(), "ber_variance": ber.variance(), "ber_stddev": ber.stddev(), "ber_mode": ber.mode(),
            "ber_probs": ber.probs, "berp_logits": berp.logits, "berp_log_prob": berp.log_prob(events),
            "ber_float_events": dist.Bernoulli(logits=blogits, dtype=tf.float32).log_prob(tf.cast(events, tf.float32)),
            "ber_kl": dist.kl_divergence(ber, berp), "ber_broadcast": ber.log_prob(events[0:1]),
            "ber_sample_shape": tf.shape(ber.sample(6, seed=4))}


def _gamma_beta_case(tf, conc, rate, x, u):
    dist = tf.distributions
    g = dist.Gamma(concentration=conc, rate=rate)
    g2 = dist.Gamma(concentration=rate + 0.5, rate=conc)
    e = dist.Exponential(rate=rate)
    b = dist.Beta(concentration1=conc, concentration0=rate + 0.25)
    b2 = dist.Beta(conc + 1.0, rate)
    return {"g_log_prob": g.log_prob(x), **_moments("g", g, ("entropy", "mean", "stddev", "variance")),
            "g_kl": dist.kl_divergence(g, g2),
            "e_log_prob": e.log_prob(x), "e_log_survival": e.log_survival_function(x), "e_entropy": e.entropy(),
            "e_mean": e.mean(), "e_gamma_kl": dist.kl_divergence(e, g),
            "b_log_prob": b.log_prob(u), **_moments("b", b, ("entropy", "mean", "stddev", "variance")),
            "b_total": b.total_concentration, "b_kl": dist.kl_divergence(b, b2)}


def _modes_case(tf, conc, rate, df, loc):
    dist = tf.distributions
    t = dist.StudentT(df=df, loc=loc, scale=rate)
    return {"g_mode": dist.Gamma(conc, rate).mode(), "b_mode": dist.Beta(conc, rate).mode(),
            "t_mean": t.mean(), "t_variance": t.variance(), "t_stddev": t.stddev(), "t_mode": t.mode(),
            "d_mode": dist.Dirichlet(conc).mode(), "d_mode_defined": dist.Dirichlet(conc + 1.0).mode()}


def _student_dirichlet_case(tf, df, loc, scale, x, alpha, simplex):
    dist = tf.distributions
    t = dist.StudentT(df=df, loc=loc, scale=scale)
    d = dist.Dirichlet(alpha)
    d2 = dist.Dirichlet(tf.reverse(alpha, [-1]) + 0.5)
    return {"t_log_prob": t.log_prob(x), "t_entropy": t.entropy(),
            "d_log_prob": d.log_prob(simplex), "d_entropy": d.entropy(), "d_mean": d.mean(),
            "d_variance": d.variance(), "d_covariance": d.covariance(), "d_kl": dist.kl_divergence(d, d2),
            "d_event": d.event_shape_tensor(), "d_batch": d.batch_shape_tensor(),
            "d_sample_shape": tf.shape(d.sample(3, seed=2))}


def _multinomial_case(tf, alpha, counts, logits):
    dist = tf.distributions
    m = dist.Multinomial(total_count=tf.reduce_sum(counts, -1), logits=logits)
    mp = dist.Multinomial(total_count=5.0, probs=tf.nn.softmax(logits[0]))
    dm = dist.DirichletMultinomial(total_count=tf.reduce_sum(counts, -1), concentration=alpha)
    dm5 = dist.DirichletMultinomial(5.0, alpha)
    return {"m_log_prob": m.log_prob(counts), "m_prob": m.prob(counts), "m_mean": m.mean(), "m_variance": m.variance(),
            "m_covariance": m.covariance(), "mp_log_prob": mp.log_prob([2.0, 0.0, 3.0]),
            "dm_log_prob": dm.log_prob(counts), "dm_mean": dm5.mean(), "dm_variance": dm5.variance(),
            "dm_covariance": dm5.covariance(), "dm5_log_prob": dm5.log_prob(counts[0])}


def _incomplete_case(tf, a, x, u, b):
    dist = tf.distributions
    g, be = dist.Gamma(a, 2.0), dist.Beta(a, b)
    t = dist.StudentT(df=a, loc=0.5, scale=2.0)
    return {"igamma": tf.math.igamma(a, x), "igammac": tf.igammac(a, x), "betainc": tf.math.betainc(a, b, u),
            "betainc_scalar": tf.betainc(2.0, 3.0, u), "g_cdf": g.cdf(x * 0.5), "b_log_cdf": be.log_cdf(u),
            "t_cdf": t.cdf(u * 4.0 - 3.0)}


def _gamma_grad_case(tf, alpha, sample):
    """TF's RandomGammaGrad against dfc's: d sample / d alpha at fixed gamma samples (the implicit gradient)."""
    raw = getattr(tf, "raw_ops", None)
    if raw is not None and hasattr(raw, "RandomGammaGrad"):
        grad = raw.RandomGammaGrad(alpha=alpha, sample=sample)
    else:
        from dfc.random_sampling import gamma_sample_grad
        grad = gamma_sample_grad(alpha, sample)
    return {"dsample_dalpha": grad}


def _gamma_grad_inputs():
    rng = _rng(80)
    alpha = np.repeat(np.array([0.2, 0.7, 1.0, 2.5, 9.0, 40.0], F32), 5)
    sample = (rng.gamma(alpha.astype(F64)) + 1e-3).astype(F32)
    return {"alpha": alpha, "sample": sample}


CASES: list[Case] = [
    Case("dist_normal", {"loc": np.array([0.0, 1.5, -2.0], F32), "scale": np.array([[1.0], [0.25]], F32),
                         "x": np.concatenate([_rng(81).standard_normal((3, 2, 3)) * 2,
                                              [[[-40.0, 1.5, 9.0], [2.0, -30.0, -2.0]]]]).astype(F32),
                         "p": np.array([[0.001, 0.5, 0.9], [0.3, 0.99, 1e-6]], F32)},
         _normal_case, grad=("loc", "scale", "x")),
    Case("dist_normal_f64", {"loc": np.array([0.5, -1.0], F64), "scale": np.array([2.0, 0.5], F64),
                             "x": np.array([[-50.0, 0.3], [12.0, -1.0], [1.0, 30.0]], F64),
                             "p": np.array([0.2, 0.7], F64)},
         _normal_case),
    Case("dist_laplace_uniform", {"loc": np.array([0.0, 1.0, -1.0, 2.0], F32),
                                  "scale": np.array([1.0, 0.5, 2.0, 3.0], F32),
                                  "x": np.array([[-30.0, 1.0, 0.5, 2.5], [0.7, 40.0, -3.0, 1.999]], F32),
                                  "low": np.array([-1.0, 0.0, -5.0, 1.0], F32),
                                  "high": np.array([1.0, 2.0, 0.5, 2.0], F32)},
         _laplace_uniform_case, grad=("loc", "scale", "x", "low", "high")),
    Case("dist_discrete", {"logits": _rng(82).standard_normal((2, 4)).astype(F32) * 2,
                           "probs": np.array([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1]], F32),
                           "k": np.array([[0, 3], [2, 1], [3, 3]], np.int32),
                           "events": np.array([[0, 1, 1], [1, 0, 0]], np.int32),
                           "blogits": np.array([-3.0, 0.2, 25.0], F32)},
         _discrete_case, grad=("logits", "probs", "blogits")),
    Case("dist_gamma_beta", {"conc": np.array([0.5, 1.0, 2.5, 8.0], F32), "rate": np.array([2.0, 0.5, 1.0, 3.0], F32),
                             "x": np.array([[0.01, 1.0, 3.0, 2.5], [5.0, 0.3, 1e-4, 0.0]], F32),
                             "u": np.array([[0.01, 0.5, 0.9, 0.999], [0.3, 1e-5, 0.5, 0.6]], F32)},
         _gamma_beta_case, grad=("conc", "u")),
    Case("dist_modes", {"conc": np.array([0.5, 1.0, 2.5, 8.0], F32), "rate": np.array([2.0, 0.5, 1.0, 3.0], F32),
                        "df": np.array([0.5, 1.5, 2.0, 7.0], F32), "loc": np.array([1.0, -1.0, 0.0, 2.0], F32)},
         _modes_case),
    Case("dist_student_dirichlet", {"df": np.array([1.0, 3.0, 30.0], F32), "loc": np.array([0.0, 1.0, -1.0], F32),
                                    "scale": np.array([1.0, 2.0, 0.5], F32),
                                    "x": np.array([[-20.0, 1.0, 0.0], [3.0, -2.0, -1.1]], F32),
                                    "alpha": np.array([[0.5, 1.0, 2.0], [3.0, 4.0, 0.9]], F32),
                                    "simplex": np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]], F32)},
         _student_dirichlet_case, grad=("df", "x", "alpha")),
    Case("dist_multinomial", {"alpha": np.array([[0.5, 1.0, 2.0], [3.0, 4.0, 0.9]], F32),
                              "counts": np.array([[1.0, 0.0, 4.0], [2.0, 2.0, 2.0]], F32),
                              "logits": np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 1.0]], F32)},
         _multinomial_case),
    Case("dist_gamma_sample_grad", _gamma_grad_inputs(), _gamma_grad_case),
    Case("dist_incomplete", {"a": np.array([0.3, 1.0, 2.5, 7.0, 30.0, 120.0], F32),
                             "x": np.array([0.05, 3.0, 2.0, 0.5, 33.0, 100.0], F32),
                             "u": np.array([0.01, 0.5, 0.93, 0.2, 0.999, 0.4], F32),
                             "b": np.array([2.0, 0.5, 1.0, 4.0, 8.0, 90.0], F32)},
         _incomplete_case, grad=("x", "u")),
]
