"""tf.distributions' location-scale families on the real line: Normal, Laplace, Uniform and StudentT, with
Normal's KL divergence."""

from __future__ import annotations

import math

import numpy as np

import dfc as tf
from dfc.ir.dtypes import i32

from ..framework import convert_to_tensor, name_scope
from ..shape_ops import broadcast_static_shape
from . import special
from .distribution import (FULLY_REPARAMETERIZED, Distribution, RegisterKL, as_parameter, broadcast_shape_tensor,
                           parameter_property, same_float_dtype, scalar_events)


@scalar_events
class _LocScale(Distribution):
    """Two broadcasting parameters and scalar events (the shapes of Normal, Laplace, Uniform)."""

    _pair = ("loc", "scale")

    def _params(self):
        return [getattr(self, "_" + p) for p in self._pair]

    def _init_loc_scale(self, family: str, loc, scale, validate_args: bool, allow_nan_stats: bool, name: str,
                        parameters: dict) -> None:
        """Normal's and Laplace's constructor: `loc` and `scale` named in the distribution's scope (scale checked
        positive when validate_args), one float dtype, reparameterized."""
        with name_scope(name, values=[loc, scale]) as scope:
            checks = [tf.assert_positive(scale)] if validate_args else []
            with tf.control_dependencies([c for c in checks if c is not None]):
                self._loc = as_parameter(loc, "loc")
                self._scale = as_parameter(scale, "scale")
            dtype = same_float_dtype(family, [self._loc, self._scale])
        Distribution.__init__(self, dtype=dtype, reparameterization_type=FULLY_REPARAMETERIZED,
                              validate_args=validate_args, allow_nan_stats=allow_nan_stats, parameters=parameters,
                              graph_parents=[self._loc, self._scale], name=scope)

    def _batch_shape(self):
        a, b = self._params()
        return broadcast_static_shape(a.shape, b.shape)

    def _batch_shape_tensor(self):
        return broadcast_shape_tensor(*self._params())

    @classmethod
    def _param_shapes(cls, sample_shape):
        shape = convert_to_tensor(sample_shape, dtype=i32)
        return {p: shape for p in cls._pair}


class Normal(_LocScale):
    """The normal distribution with mean `loc` and standard deviation `scale` (reparameterized: loc + scale * eps)."""

    def __init__(self, loc, scale, validate_args: bool = False, allow_nan_stats: bool = True, name: str = "Normal"):
        self._init_loc_scale("Normal", loc, scale, validate_args, allow_nan_stats, name, dict(locals()))

    loc = parameter_property("loc")
    scale = parameter_property("scale")

    def _sample_n(self, n, seed=None):
        sampled = tf.random_normal(self._draw_shape(n), mean=0.0, stddev=1.0, dtype=self.loc.dtype, seed=seed)
        return sampled * self.scale + self.loc

    def _z(self, x):
        with name_scope("standardize", values=[x]):
            return (x - self.loc) / self.scale

    def _log_prob(self, x):
        return -0.5 * tf.square(self._z(x)) - (0.5 * math.log(2.0 * math.pi) + tf.log(self.scale))

    def _log_cdf(self, x):
        return special.log_ndtr(self._z(x))

    def _cdf(self, x):
        return special.ndtr(self._z(x))

    def _log_survival_function(self, x):
        return special.log_ndtr(-self._z(x))

    def _survival_function(self, x):
        return special.ndtr(-self._z(x))

    def _entropy(self):
        scale = self.scale * tf.ones_like(self.loc)
        return 0.5 * math.log(2.0 * math.pi * math.e) + tf.log(scale)

    def _mean(self):
        return self.loc * tf.ones_like(self.scale)

    def _quantile(self, p):
        with name_scope("reconstruct", values=[p]):
            return tf.math.ndtri(p) * self.scale + self.loc

    def _stddev(self):
        return self.scale * tf.ones_like(self.loc)

    def _mode(self):
        return self._mean()


class Laplace(_LocScale):
    """The Laplace (double exponential) distribution with location `loc` and diversity `scale`."""

    def __init__(self, loc, scale, validate_args: bool = False, allow_nan_stats: bool = True, name: str = "Laplace"):
        self._init_loc_scale("Laplace", loc, scale, validate_args, allow_nan_stats, name, dict(locals()))

    loc = parameter_property("loc")
    scale = parameter_property("scale")

    def _sample_n(self, n, seed=None):
        low = np.nextafter(self.dtype.np.type(-1.0), self.dtype.np.type(0.0))
        u = tf.random_uniform(self._draw_shape(n), minval=low, maxval=1.0, dtype=self.dtype, seed=seed)
        return self.loc - self.scale * tf.sign(u) * tf.log1p(-tf.abs(u))

    def _z(self, x):
        return (x - self.loc) / self.scale

    def _log_prob(self, x):
        return -tf.abs(self._z(x)) - (math.log(2.0) + tf.log(self.scale))

    def _prob(self, x):
        return tf.exp(self._log_prob(x))

    def _log_cdf(self, x):
        return special.log_cdf_laplace(self._z(x))

    def _log_survival_function(self, x):
        return special.log_cdf_laplace(-self._z(x))

    def _cdf(self, x):
        z = self._z(x)
        return 0.5 + 0.5 * tf.sign(z) * (1.0 - tf.exp(-tf.abs(z)))

    def _entropy(self):
        return math.log(2.0) + 1.0 + tf.log(self.scale + tf.zeros_like(self.loc))

    def _mean(self):
        return self.loc + tf.zeros_like(self.scale)

    def _stddev(self):
        return math.sqrt(2.0) * self.scale + tf.zeros_like(self.loc)

    def _mode(self):
        return self._mean()


class Uniform(_LocScale):
    """The uniform distribution on [low, high)."""

    _pair = ("low", "high")

    def __init__(self, low=0.0, high=1.0, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Uniform"):
        parameters = dict(locals())
        with name_scope(name, values=[low, high]) as scope:
            checks = [tf.assert_less(low, high, message="uniform not defined when low >= high.")] \
                if validate_args else []
            with tf.control_dependencies([c for c in checks if c is not None]):
                self._low = as_parameter(low, "low")
                self._high = as_parameter(high, "high")
            dtype = same_float_dtype("Uniform", [self._low, self._high])
        super().__init__(dtype=dtype, reparameterization_type=FULLY_REPARAMETERIZED, validate_args=validate_args,
                         allow_nan_stats=allow_nan_stats, parameters=parameters,
                         graph_parents=[self._low, self._high], name=scope)

    low = parameter_property("low")
    high = parameter_property("high")

    def range(self, name: str = "range"):
        with self._name_scope(name):
            return self.high - self.low

    def _sample_n(self, n, seed=None):
        samples = tf.random_uniform(self._draw_shape(n), dtype=self.dtype, seed=seed)
        return self.low + self.range() * samples

    def _prob(self, x):
        x = x * tf.ones(self.batch_shape_tensor(), dtype=x.dtype)
        outside = tf.logical_or(x < self.low, x >= self.high)
        return tf.where_v2(tf.is_nan(x), x, tf.where_v2(outside, tf.zeros_like(x), tf.ones_like(x) / self.range()))

    def _cdf(self, x):
        ones = tf.ones(broadcast_shape_tensor(x, self.low, self.high), dtype=self.dtype)
        inside = tf.where_v2(x < self.low, tf.zeros_like(ones), (x * ones - self.low) / self.range())
        return tf.where_v2(x >= self.high, ones, inside)

    def _entropy(self):
        return tf.log(self.range())

    def _mean(self):
        return (self.low + self.high) / 2.0

    def _variance(self):
        return tf.square(self.range()) / 12.0

    def _stddev(self):
        return self.range() / math.sqrt(12.0)


@scalar_events
class StudentT(Distribution):
    """Student's t with `df` degrees of freedom, location `loc` and scale `scale`."""

    def __init__(self, df, loc, scale, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "StudentT"):
        parameters = dict(locals())
        with name_scope(name, values=[df, loc, scale]) as scope:
            checks = [tf.assert_positive(df)] if validate_args else []
            with tf.control_dependencies([c for c in checks if c is not None]):
                self._df = as_parameter(df, "df")
                self._loc = as_parameter(loc, "loc")
                self._scale = as_parameter(scale, "scale")
            dtype = same_float_dtype("StudentT", [self._df, self._loc, self._scale])
        super().__init__(dtype=dtype, reparameterization_type=FULLY_REPARAMETERIZED, validate_args=validate_args,
                         allow_nan_stats=allow_nan_stats, parameters=parameters,
                         graph_parents=[self._df, self._loc, self._scale], name=scope)

    @staticmethod
    def _param_shapes(sample_shape):
        shape = convert_to_tensor(sample_shape, dtype=i32)
        return {"df": shape, "loc": shape, "scale": shape}

    df = parameter_property("df")
    loc = parameter_property("loc")
    scale = parameter_property("scale")

    def _batch_shape(self):
        return broadcast_static_shape(self.df.shape, broadcast_static_shape(self.loc.shape, self.scale.shape))

    def _batch_shape_tensor(self):
        return broadcast_shape_tensor(self.df, self.loc, self.scale)

    def _ones(self):
        return tf.ones(self.batch_shape_tensor(), dtype=self.dtype)

    def _sample_n(self, n, seed=None):
        from ..random_sampling import random_gamma, salted_seed
        normal = tf.random_normal(self._draw_shape(n), dtype=self.dtype, seed=seed)
        df = self.df * self._ones()
        gamma = random_gamma([n], 0.5 * df, beta=0.5, dtype=self.dtype, seed=salted_seed(seed, "student_t"))
        return normal * tf.rsqrt(gamma / df) * self.scale + self.loc

    def _log_prob(self, x):
        y = (x - self.loc) / self.scale
        unnormalized = -0.5 * (self.df + 1.0) * tf.log1p(y ** 2.0 / self.df)
        return unnormalized - self._log_normalization()

    def _log_normalization(self):
        return (tf.log(tf.abs(self.scale)) + 0.5 * tf.log(self.df) + 0.5 * np.log(np.pi)
                + tf.lgamma(0.5 * self.df) - tf.lgamma(0.5 * (self.df + 1.0)))

    def _cdf(self, x):
        y = (x - self.loc) / tf.abs(self.scale)
        x_t = self.df / (y ** 2.0 + self.df)
        neg_cdf = 0.5 * tf.math.betainc(0.5 * self.df, 0.5, x_t)
        return tf.where_v2(tf.less(y, 0.0), neg_cdf, 1.0 - neg_cdf)

    def _entropy(self):
        v = self._ones()[..., tf.newaxis]
        u = v * self.df[..., tf.newaxis]
        beta_arg = tf.concat([u, v], -1) / 2.0
        return (tf.log(tf.abs(self.scale)) + 0.5 * tf.log(self.df) + tf.lbeta(beta_arg)
                + 0.5 * (self.df + 1.0) * (tf.digamma(0.5 * (self.df + 1.0)) - tf.digamma(0.5 * self.df)))

    def _mean(self):
        mean = self.loc * self._ones()
        return self._nan_where(tf.greater(self.df, self._ones()), mean, self.df,
                               "mean not defined for components of df <= 1")

    def _variance(self):
        denom = tf.where_v2(tf.greater(self.df, 2.0), self.df - 2.0, tf.ones_like(self.df))
        var = self._ones() * tf.square(self.scale) * self.df / denom
        inf = tf.fill(self.batch_shape_tensor(), np.array(np.inf, self.dtype.np))
        defined = tf.where_v2(self.df > tf.fill(self.batch_shape_tensor(), np.array(2.0, self.dtype.np)), var, inf)
        return self._nan_where(tf.greater(self.df, self._ones()), defined, self.df,
                               "variance not defined for components of df <= 1")

    def _mode(self):
        return tf.identity(self.loc)


@RegisterKL(Normal, Normal)
def _kl_normal_normal(n_a: Normal, n_b: Normal, name=None):
    with name_scope(name, "kl_normal_normal", [n_a.loc, n_b.loc]):
        s_a_squared, s_b_squared = tf.square(n_a.scale), tf.square(n_b.scale)
        ratio = s_a_squared / s_b_squared
        two = tf.constant(2, dtype=n_a.dtype)
        return (tf.squared_difference(n_a.loc, n_b.loc) / (two * s_b_squared)
                + 0.5 * (ratio - 1.0 - tf.log(ratio)))


__all__ = ["Normal", "Laplace", "Uniform", "StudentT"]
