"""tf.distributions' gamma-based families: Gamma, Exponential, Beta and Dirichlet (samples through tf.random_gamma,
reparameterized by its implicit gradient), with their KL divergences."""

from __future__ import annotations

import numpy as np

import dfc as tf
from dfc.ir.dtypes import i32

from ..framework import convert_to_tensor, name_scope
from ..shape_ops import broadcast_static_shape
from .distribution import (FULLY_REPARAMETERIZED, Distribution, RegisterKL, as_parameter, broadcast_shape_tensor,
                           last_dim, parameter_property, same_float_dtype, scalar_events, traced, with_checks)


def _sample_checked(dist: Distribution, x, checks):
    """x as the distribution's dtype (TF's assert_same_float_dtype), after `checks()` under validate_args."""
    if x.dtype is not dist.dtype:
        raise ValueError(f"{type(dist).__name__}: {x.name} has dtype {x.dtype.name}, expected {dist.dtype.name}")
    return with_checks(checks(x), x) if dist.validate_args else x


@scalar_events
class Gamma(Distribution):
    """The gamma distribution with shape `concentration` and inverse scale `rate`."""

    def __init__(self, concentration, rate, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Gamma"):
        parameters = dict(locals())
        with name_scope(name, values=[concentration, rate]) as scope:
            checks = [tf.assert_positive(concentration), tf.assert_positive(rate)] if validate_args else []
            with tf.control_dependencies([c for c in checks if c is not None]):
                self._concentration = as_parameter(concentration, "concentration")
                self._rate = as_parameter(rate, "rate")
            dtype = same_float_dtype(type(self).__name__, [self._concentration, self._rate])
        super().__init__(dtype=dtype, reparameterization_type=FULLY_REPARAMETERIZED, validate_args=validate_args,
                         allow_nan_stats=allow_nan_stats, parameters=parameters,
                         graph_parents=[self._concentration, self._rate], name=scope)

    @staticmethod
    def _param_shapes(sample_shape):
        shape = convert_to_tensor(sample_shape, dtype=i32)
        return {"concentration": shape, "rate": shape}

    concentration = parameter_property("concentration")
    rate = parameter_property("rate")

    def _batch_shape(self):
        return broadcast_static_shape(self.concentration.shape, self.rate.shape)

    def _batch_shape_tensor(self):
        return broadcast_shape_tensor(self.concentration, self.rate)

    def _sample_n(self, n, seed=None):
        from ..random_sampling import random_gamma
        return random_gamma([n], self.concentration, beta=self.rate, dtype=self.dtype, seed=seed)

    def _valid(self, x):
        return _sample_checked(self, x, lambda v: [tf.assert_positive(v)])

    def _log_prob(self, x):
        x = self._valid(x)
        unnormalized = tf.math.xlogy(self.concentration - 1.0, x) - self.rate * x
        return unnormalized - (tf.lgamma(self.concentration) - self.concentration * tf.log(self.rate))

    def _cdf(self, x):
        return tf.igamma(self.concentration, self.rate * self._valid(x))

    def _entropy(self):
        return (self.concentration - tf.log(self.rate) + tf.lgamma(self.concentration)
                + (1.0 - self.concentration) * tf.digamma(self.concentration))

    def _mean(self):
        return self.concentration / self.rate

    def _variance(self):
        return self.concentration / tf.square(self.rate)

    def _stddev(self):
        return tf.sqrt(self.concentration) / self.rate

    def _mode(self):
        mode = (self.concentration - 1.0) / self.rate
        return self._nan_where(self.concentration > 1.0, mode, self.concentration,
                               "mode not defined when any concentration <= 1")


class Exponential(Gamma):
    """The exponential distribution with rate `rate` (a Gamma of concentration 1)."""

    def __init__(self, rate, validate_args: bool = False, allow_nan_stats: bool = True, name: str = "Exponential"):
        parameters = dict(locals())
        with name_scope(name, values=[rate]) as scope:
            self._rate = convert_to_tensor(rate, name="rate")
        super().__init__(concentration=tf.ones([], dtype=self._rate.dtype), rate=self._rate,
                         allow_nan_stats=allow_nan_stats, validate_args=validate_args, name=scope)
        self._parameters = {k: v for k, v in parameters.items() if k not in ("self", "__class__")}
        self._graph_parents = [*self._graph_parents, self._rate]

    @staticmethod
    def _param_shapes(sample_shape):
        return {"rate": convert_to_tensor(sample_shape, dtype=i32)}

    def _log_survival_function(self, value):
        return self._log_prob(value) - tf.log(self._rate)

    def _sample_n(self, n, seed=None):
        shape = [n, *self._rate.shape.as_list()] if isinstance(n, int) and self._rate.shape.is_fully_defined() \
            else tf.concat([tf.reshape(tf.cast(n, i32), [1]), tf.shape(self._rate, out_type=i32)], 0)
        u = tf.random_uniform(shape, minval=np.finfo(self.dtype.np).tiny, maxval=1.0, seed=seed, dtype=self.dtype)
        return -tf.log(u) / self._rate


def _valid_concentration(x, validate_args: bool, checks=None):
    if not validate_args:
        return x
    return with_checks([tf.assert_positive(x, message="Concentration parameter must be positive."),
                        *(checks or [])], x)


@scalar_events
class Beta(Distribution):
    """The beta distribution on (0, 1) with concentrations `concentration1` (of 1) and `concentration0` (of 0)."""

    def __init__(self, concentration1=None, concentration0=None, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Beta"):
        parameters = dict(locals())
        with name_scope(name, values=[concentration1, concentration0]) as scope:
            self._concentration1 = _valid_concentration(convert_to_tensor(concentration1, name="concentration1"),
                                                        validate_args)
            self._concentration0 = _valid_concentration(convert_to_tensor(concentration0, name="concentration0"),
                                                        validate_args)
            same_float_dtype("Beta", [self._concentration1, self._concentration0])
            self._total_concentration = self._concentration1 + self._concentration0
        super().__init__(dtype=self._total_concentration.dtype, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, parameters=parameters,
                         graph_parents=[self._concentration1, self._concentration0, self._total_concentration],
                         name=scope)

    @staticmethod
    def _param_shapes(sample_shape):
        shape = convert_to_tensor(sample_shape, dtype=i32)
        return {"concentration1": shape, "concentration0": shape}

    concentration1 = parameter_property("concentration1")
    concentration0 = parameter_property("concentration0")
    total_concentration = parameter_property("total_concentration")

    def _batch_shape(self):
        return self.total_concentration.shape

    def _batch_shape_tensor(self):
        return tf.shape(self.total_concentration, out_type=i32)

    def _sample_n(self, n, seed=None):
        from ..random_sampling import random_gamma, salted_seed
        ones = tf.ones_like(self.total_concentration, dtype=self.dtype)
        g1 = random_gamma([n], ones * self.concentration1, dtype=self.dtype, seed=seed)
        g0 = random_gamma([n], ones * self.concentration0, dtype=self.dtype, seed=salted_seed(seed, "beta"))
        return g1 / (g1 + g0)

    def _log_normalization(self):
        return (tf.lgamma(self.concentration1) + tf.lgamma(self.concentration0)
                - tf.lgamma(self.total_concentration))

    def _log_prob(self, x):
        x = _sample_checked(self, x, lambda v: [tf.assert_positive(v, message="sample must be positive"),
                                                tf.assert_less(v, tf.ones([], self.dtype),
                                                               message="sample must be less than `1`.")])
        unnormalized = tf.math.xlogy(self.concentration1 - 1.0, x) + (self.concentration0 - 1.0) * tf.log1p(-x)
        return unnormalized - self._log_normalization()

    def _prob(self, x):
        return tf.exp(self._log_prob(x))

    def _cdf(self, x):
        return tf.math.betainc(self.concentration1, self.concentration0, x)

    def _log_cdf(self, x):
        return tf.log(self._cdf(x))

    def _entropy(self):
        return (self._log_normalization()
                - (self.concentration1 - 1.0) * tf.digamma(self.concentration1)
                - (self.concentration0 - 1.0) * tf.digamma(self.concentration0)
                + (self.total_concentration - 2.0) * tf.digamma(self.total_concentration))

    def _mean(self):
        return self._concentration1 / self._total_concentration

    def _variance(self):
        return self._mean() * (1.0 - self._mean()) / (1.0 + self.total_concentration)

    def _mode(self):
        mode = (self.concentration1 - 1.0) / (self.total_concentration - 2.0)
        if self.allow_nan_stats:
            nan = tf.fill(self.batch_shape_tensor(), np.array(np.nan, self.dtype.np))
            return tf.where_v2(tf.logical_and(self.concentration1 > 1.0, self.concentration0 > 1.0), mode, nan)
        one = tf.ones([], dtype=self.dtype)
        return with_checks([
            tf.assert_less(one, traced(self.concentration1), message="Mode undefined for concentration1 <= 1."),
            tf.assert_less(one, traced(self.concentration0), message="Mode undefined for concentration0 <= 1.")],
            mode)


class ConcentrationVector(Distribution):
    """A family parameterized by a vector of concentrations (Dirichlet, DirichletMultinomial): the last axis of
    `concentration` is the event, the rest the batch; `_variance` and `_variance_scale_term` give the covariance."""

    concentration = parameter_property("concentration")
    total_concentration = parameter_property("total_concentration")

    def _batch_shape(self):
        return self._total_concentration.shape

    def _batch_shape_tensor(self):
        return tf.shape(self._total_concentration, out_type=i32)

    def _event_shape(self):
        return last_dim(self._concentration.shape)

    def _event_shape_tensor(self):
        return tf.shape(self._concentration, out_type=i32)[-1:]

    def _prob(self, x):
        return tf.exp(self._log_prob(x))

    def _covariance(self):
        x = self._variance_scale_term() * self._mean()
        return tf.matrix_set_diag(-tf.matmul(x[..., tf.newaxis], x[..., tf.newaxis, :]), self._variance())


class Dirichlet(ConcentrationVector):
    """The Dirichlet distribution over the simplex of the last axis of `concentration`."""

    def __init__(self, concentration, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Dirichlet"):
        parameters = dict(locals())
        with name_scope(name, values=[concentration]) as scope:
            c = convert_to_tensor(concentration, name="concentration")
            if validate_args and c.shape.ndims is not None and c.shape.ndims < 1:
                raise ValueError(f"Concentration parameter must have >=1 dimensions: {c.name} has shape {c.shape}")
            extra = []
            if validate_args:
                extra.append(tf.assert_less(1, tf.shape(c)[-1], message="Concentration parameter must have "
                                                                        "event_size >= 2."))
            self._concentration = _valid_concentration(c, validate_args, extra)
            self._total_concentration = tf.reduce_sum(self._concentration, -1)
        super().__init__(dtype=self._concentration.dtype, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, parameters=parameters,
                         graph_parents=[self._concentration, self._total_concentration], name=scope)

    def _k(self):
        return tf.cast(self.event_shape_tensor()[0], self.dtype)

    def _sample_n(self, n, seed=None):
        from ..random_sampling import random_gamma
        gamma = random_gamma([n], self.concentration, dtype=self.dtype, seed=seed)
        return gamma / tf.reduce_sum(gamma, -1, keepdims=True)

    def _log_prob(self, x):
        if self.validate_args:
            x = with_checks([tf.assert_positive(x, message="samples must be positive"),
                             tf.Assert(tf.reduce_all(tf.abs(tf.reduce_sum(x, -1) - 1.0)
                                                     <= 10 * np.finfo(self.dtype.np).eps * 2),
                                       ["sample last-dimension must sum to `1`"])], x)
        return tf.reduce_sum(tf.math.xlogy(self.concentration - 1.0, x), -1) - tf.lbeta(self.concentration)

    def _entropy(self):
        k = self._k()
        return (tf.lbeta(self.concentration) + (self.total_concentration - k) * tf.digamma(self.total_concentration)
                - tf.reduce_sum((self.concentration - 1.0) * tf.digamma(self.concentration), axis=-1))

    def _mean(self):
        return self.concentration / self.total_concentration[..., tf.newaxis]

    def _variance_scale_term(self):
        return tf.rsqrt(1.0 + self.total_concentration[..., tf.newaxis])

    def _variance(self):
        scale = self._variance_scale_term()
        x = scale * self._mean()
        return x * (scale - x)

    def _mode(self):
        mode = (self.concentration - 1.0) / (self.total_concentration[..., tf.newaxis] - self._k())
        # TF's own broadcasting: the batch's flags align with the event axis (so a batch of B != K members
        # is refused there, and here, as a shape error)
        return self._nan_where(tf.reduce_all(self.concentration > 1.0, axis=-1), mode, self.concentration,
                               "Mode undefined when any concentration <= 1")


@RegisterKL(Gamma, Gamma)
def _kl_gamma_gamma(g0: Gamma, g1: Gamma, name=None):
    with name_scope(name, "kl_gamma_gamma", [g0.concentration, g0.rate, g1.concentration, g1.rate]):
        return ((g0.concentration - g1.concentration) * tf.digamma(g0.concentration)
                + tf.lgamma(g1.concentration) - tf.lgamma(g0.concentration)
                + g1.concentration * tf.log(g0.rate) - g1.concentration * tf.log(g1.rate)
                + g0.concentration * (g1.rate / g0.rate - 1.0))


@RegisterKL(Beta, Beta)
def _kl_beta_beta(d1: Beta, d2: Beta, name=None):
    with name_scope(name, "kl_beta_beta", [d1.concentration1, d1.concentration0, d2.concentration1,
                                           d2.concentration0]):
        return (d2._log_normalization() - d1._log_normalization()
                - tf.digamma(d1.concentration1) * (d2.concentration1 - d1.concentration1)
                - tf.digamma(d1.concentration0) * (d2.concentration0 - d1.concentration0)
                + tf.digamma(d1.total_concentration) * (d2.total_concentration - d1.total_concentration))


@RegisterKL(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(d1: Dirichlet, d2: Dirichlet, name=None):
    with name_scope(name, "kl_dirichlet_dirichlet", [d1.concentration, d2.concentration]):
        digamma_sum = tf.digamma(tf.reduce_sum(d1.concentration, axis=-1, keepdims=True))
        digamma_diff = tf.digamma(d1.concentration) - digamma_sum
        return (tf.reduce_sum((d1.concentration - d2.concentration) * digamma_diff, axis=-1)
                - tf.lbeta(d1.concentration) + tf.lbeta(d2.concentration))
