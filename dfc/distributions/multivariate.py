"""tf.contrib.distributions' names beyond tf.distributions that TF1 scripts use: MultivariateNormalDiag (VAEs,
Gaussian policies) with its KL divergence, and the *WithSoftplus* variants of Normal, Laplace, Exponential, Gamma."""

from __future__ import annotations

import inspect
import math

import dfc as tf
from dfc.ir.dtypes import i32

from ..framework import convert_to_tensor, name_scope
from ..shape_ops import broadcast_static_shape
from .distribution import (FULLY_REPARAMETERIZED, Distribution, RegisterKL, last_dim, leading_dims, parameter_property,
                           same_float_dtype, with_checks)
from .gamma import Exponential, Gamma
from .normal import Laplace, Normal


class MultivariateNormalDiag(Distribution):
    """A normal distribution over vectors with covariance diag(scale)^2, scale = scale_diag times
    scale_identity_multiplier (either may be omitted; neither is the identity)."""

    def __init__(self, loc=None, scale_diag=None, scale_identity_multiplier=None, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "MultivariateNormalDiag"):
        parameters = dict(locals())
        with name_scope(name, values=[loc, scale_diag, scale_identity_multiplier]) as scope:
            given = [v for v in (loc, scale_diag, scale_identity_multiplier) if v is not None]
            dtype = next((convert_to_tensor(v).dtype for v in given if hasattr(v, "dtype")), None)
            convert = [convert_to_tensor(v, dtype=dtype if not hasattr(v, "dtype") else None) for v in given]
            if not convert:
                raise ValueError("MultivariateNormalDiag needs loc or scale_diag (the event size)")
            dtype = same_float_dtype("MultivariateNormalDiag", convert)
            self._loc = None if loc is None else tf.identity(convert_to_tensor(loc, dtype=dtype), name="loc")
            diag = None if scale_diag is None else convert_to_tensor(scale_diag, dtype=dtype, name="scale_diag")
            multiplier = None if scale_identity_multiplier is None else \
                convert_to_tensor(scale_identity_multiplier, dtype=dtype, name="scale_identity_multiplier")
            for what, v in (("loc", self._loc), ("scale_diag", diag)):
                if v is not None and v.shape.ndims == 0:
                    raise ValueError(f"MultivariateNormalDiag: {what} {v.name} must have rank at least 1 (the event)")
            if diag is None:
                diag = tf.ones_like(self._loc)
            if multiplier is not None:
                diag = diag * multiplier[..., tf.newaxis]
            if validate_args:
                diag = with_checks([tf.Assert(tf.reduce_all(tf.not_equal(diag, 0.0)),
                                              ["Singular operator: diagonal contained zero values."])], diag)
            self._scale_diag = diag
            if self._loc is None:
                self._loc = tf.zeros_like(diag)
            event = self._loc.shape.as_list()[-1:] if self._loc.shape.ndims else [None]
            other = diag.shape.as_list()[-1:] if diag.shape.ndims else [None]
            if None not in event + other and event != other:
                raise ValueError(f"MultivariateNormalDiag: loc {self._loc.name} has event size {event[0]} but "
                                 f"scale_diag has {other[0]}")
        super().__init__(dtype=dtype, reparameterization_type=FULLY_REPARAMETERIZED, validate_args=validate_args,
                         allow_nan_stats=allow_nan_stats, parameters=parameters,
                         graph_parents=[self._loc, self._scale_diag], name=scope)

    loc = parameter_property("loc")
    scale_diag = parameter_property("scale_diag")

    def _shape(self):
        return broadcast_static_shape(self._loc.shape, self._scale_diag.shape)

    def _batch_shape(self):
        return leading_dims(self._shape())

    def _event_shape(self):
        return last_dim(self._shape())

    def _full(self):
        return tf.shape(tf.zeros_like(self._loc) + tf.zeros_like(self._scale_diag), out_type=i32)

    def _batch_shape_tensor(self):
        return self._full()[:-1]

    def _event_shape_tensor(self):
        return self._full()[-1:]

    def _sample_n(self, n, seed=None):
        if isinstance(n, int) and self._shape().is_fully_defined():
            shape = [n, *self._shape().as_list()]
        else:
            shape = tf.concat([tf.reshape(tf.cast(n, i32), [1]), self._full()], 0)
        eps = tf.random_normal(shape, dtype=self.dtype, seed=seed)
        return self._loc + self._scale_diag * eps

    def _log_prob(self, x):
        z = (x - self._loc) / self._scale_diag
        k = tf.cast(tf.shape(z)[-1], self.dtype)
        return (-0.5 * tf.reduce_sum(tf.square(z), -1) - 0.5 * k * math.log(2.0 * math.pi)
                - tf.reduce_sum(tf.log(tf.abs(self._scale_diag)), -1))

    def _prob(self, x):
        return tf.exp(self._log_prob(x))

    def _entropy(self):
        diag = self._scale_diag + tf.zeros_like(self._loc)
        k = tf.cast(tf.shape(diag)[-1], self.dtype)
        return 0.5 * k * (1.0 + math.log(2.0 * math.pi)) + tf.reduce_sum(tf.log(tf.abs(diag)), -1)

    def _mean(self):
        return self._loc + tf.zeros_like(self._scale_diag)

    def _mode(self):
        return self._mean()

    def _stddev(self):
        return tf.abs(self._scale_diag) + tf.zeros_like(self._loc)

    def _variance(self):
        return tf.square(self._stddev())

    def _covariance(self):
        return tf.matrix_diag(self._variance())


@RegisterKL(MultivariateNormalDiag, MultivariateNormalDiag)
def _kl_mvn_diag(a: MultivariateNormalDiag, b: MultivariateNormalDiag, name=None):
    with name_scope(name, "kl_mvn", [a.loc, b.loc]):
        ratio = tf.square(a.scale_diag / b.scale_diag) + tf.zeros_like(a.loc + b.loc)
        mahalanobis = tf.square((b.loc - a.loc) / b.scale_diag)
        k = tf.cast(tf.shape(ratio)[-1], a.dtype)
        return 0.5 * (tf.reduce_sum(ratio + mahalanobis - tf.log(ratio), -1) - k)


def _softplus_variant(base, params: tuple[str, ...], default_name: str):
    """`base` with the named parameters passed through softplus (TF1's *WithSoftplus* classes)."""
    class Variant(base):
        def __init__(self, *args, validate_args: bool = False, allow_nan_stats: bool = True,
                     name: str = default_name, **kwargs):
            names = [n for n in inspect.signature(base.__init__).parameters if n != "self"]
            values = dict(zip(names, args), **kwargs)
            with name_scope(name, values=[v for v in values.values() if v is not None]) as scope:
                for p in params:
                    values[p] = tf.nn.softplus(values[p], name=f"softplus_{p}")
                super().__init__(**values, validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=scope)
    Variant.__name__ = Variant.__qualname__ = default_name
    Variant.__doc__ = f"{base.__name__} with {', '.join(params)} = softplus(the argument)."
    return Variant


NormalWithSoftplusScale = _softplus_variant(Normal, ("scale",), "NormalWithSoftplusScale")
LaplaceWithSoftplusScale = _softplus_variant(Laplace, ("scale",), "LaplaceWithSoftplusScale")
ExponentialWithSoftplusRate = _softplus_variant(Exponential, ("rate",), "ExponentialWithSoftplusRate")
GammaWithSoftplusConcentrationRate = _softplus_variant(Gamma, ("concentration", "rate"),
                                                       "GammaWithSoftplusConcentrationRate")
