"""tf.distributions' discrete families: Bernoulli, Categorical, Multinomial and DirichletMultinomial (logits or
probs as TF1 derives one from the other), with the Bernoulli and Categorical KL divergences."""

from __future__ import annotations

import numpy as np

import dfc as tf
from dfc.ir.dtypes import as_dtype, i32, i64

from ..framework import constant_value, convert_to_tensor, name_scope
from .distribution import (NOT_REPARAMETERIZED, Distribution, RegisterKL, leading_dims, parameter_property,
                           scalar_events, with_checks)
from .gamma import ConcentrationVector


def logits_and_probs(logits=None, probs=None, multidimensional: bool = False, validate_args: bool = False,
                     name: str = "get_logits_and_probs", dtype=None):
    """(logits, probs) from whichever one is given: sigmoid/softmax one way, log-odds/log the other (TF's rule)."""
    with name_scope(name, values=[probs, logits]):
        if (probs is None) == (logits is None):
            raise ValueError("Must pass probs or logits, but not both.")
        if probs is None:
            logits = convert_to_tensor(logits, dtype=dtype, name="logits")
            if not logits.dtype.is_floating:
                raise TypeError(f"logits must having floating type, got {logits.name} of {logits.dtype.name}.")
            if multidimensional:
                return logits, tf.nn.softmax(logits, name="probs")
            return logits, tf.sigmoid(logits, name="probs")
        probs = convert_to_tensor(probs, dtype=dtype, name="probs")
        if not probs.dtype.is_floating:
            raise TypeError(f"probs must having floating type, got {probs.name} of {probs.dtype.name}.")
        if validate_args:
            with name_scope("validate_probs"):
                one = tf.constant(1.0, dtype=probs.dtype)
                checks = [tf.assert_non_negative(probs)]
                if multidimensional:
                    total = tf.reduce_sum(probs, -1)
                    near = tf.abs(total - one) <= 10 * np.finfo(probs.dtype.np).eps * (1 + tf.abs(one))
                    checks.append(tf.Assert(tf.reduce_all(near), ["probs does not sum to 1.", total]))
                else:
                    checks.append(tf.assert_less_equal(probs, one, message="probs has components greater than 1."))
                probs = with_checks(checks, probs)
        with name_scope("logits"):
            if multidimensional:
                return tf.log(probs), probs
            return tf.log(probs) - tf.log1p(-1.0 * probs), probs


def _event_dtype(dtype):
    dtype = as_dtype(dtype)
    if not (dtype.is_integer or dtype.is_floating or dtype.name == "bool"):
        raise TypeError(f"dtype {dtype.name} is not an event type")
    return dtype


@scalar_events
class Bernoulli(Distribution):
    """Independent 0/1 events with P(1) = probs = sigmoid(logits)."""

    def __init__(self, logits=None, probs=None, dtype=i32, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Bernoulli"):
        parameters = dict(locals())
        with name_scope(name) as scope:
            self._logits, self._probs = logits_and_probs(logits=logits, probs=probs, validate_args=validate_args,
                                                         name=scope)
        super().__init__(dtype=_event_dtype(dtype), reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, parameters=parameters,
                         graph_parents=[self._logits, self._probs], name=scope)

    @staticmethod
    def _param_shapes(sample_shape):
        return {"logits": convert_to_tensor(sample_shape, dtype=i32)}

    logits = parameter_property("logits")
    probs = parameter_property("probs")

    def _batch_shape(self):
        return self._logits.shape

    def _batch_shape_tensor(self):
        return tf.shape(self._logits, out_type=i32)

    def _sample_n(self, n, seed=None):
        uniform = tf.random_uniform(self._draw_shape(n), seed=seed, dtype=self.probs.dtype)
        return tf.cast(tf.less(uniform, self.probs), self.dtype)

    def _log_prob(self, event):
        if self.validate_args:
            event = _integer_valued(event, "event")
        event = tf.cast(event, self.logits.dtype)
        logits = self.logits
        if not (event.shape.is_fully_defined() and logits.shape.is_fully_defined()
                and event.shape.as_list() == logits.shape.as_list()):
            logits, event = tf.ones_like(event) * logits, tf.ones_like(logits) * event
        return -tf.nn.sigmoid_cross_entropy_with_logits(labels=event, logits=logits)

    def _entropy(self):
        return -self.logits * (tf.sigmoid(self.logits) - 1) + tf.nn.softplus(-self.logits)

    def _mean(self):
        return tf.identity(self.probs)

    def _variance(self):
        return self._mean() * (1.0 - self.probs)

    def _mode(self):
        return tf.cast(self.probs > 0.5, self.dtype)


def _integer_valued(x, what: str):
    """x after a check that it holds whole numbers (TF's embed_check_integer_casting_closed)."""
    x = convert_to_tensor(x)
    if x.dtype.is_integer or x.dtype.name == "bool":
        return x
    return with_checks([tf.Assert(tf.reduce_all(tf.equal(x, tf.round(x))), [f"{what} has non-integer components."])],
                       x)


@scalar_events
class Categorical(Distribution):
    """One class index per batch member, P(k) = softmax(logits)[k] (the last axis of logits/probs)."""

    def __init__(self, logits=None, probs=None, dtype=i32, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Categorical"):
        parameters = dict(locals())
        with name_scope(name, values=[logits, probs]) as scope:
            given = next(p for p in (logits, probs) if p is not None) if (logits is None) != (probs is None) else None
            if given is not None and np.ndim(given) == 0 and not hasattr(given, "shape"):
                raise ValueError(f"Categorical: {'logits' if logits is not None else 'probs'} must have rank at "
                                 f"least 1 (the classes), got the scalar {given!r}")
            if given is not None and hasattr(given, "shape") and getattr(given.shape, "ndims", None) == 0:
                raise ValueError(f"Categorical: {given.name} must have rank at least 1 (the classes), got shape ()")
            self._logits, self._probs = logits_and_probs(logits=logits, probs=probs, validate_args=validate_args,
                                                         multidimensional=True, name=scope)
            if self._logits.shape.ndims is not None and self._logits.shape.as_list()[-1] is not None:
                self._event_size = tf.constant(self._logits.shape.as_list()[-1], dtype=i32, name="event_size")
            else:
                self._event_size = tf.shape(self._logits, out_type=i32)[-1]
        super().__init__(dtype=_event_dtype(dtype), reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, parameters=parameters,
                         graph_parents=[self._logits, self._probs], name=scope)

    event_size = parameter_property("event_size")
    logits = parameter_property("logits")
    probs = parameter_property("probs")

    def _batch_shape(self):
        return leading_dims(self._logits.shape)

    def _batch_shape_tensor(self):
        return tf.shape(self._logits, out_type=i32)[:-1]

    def _sample_n(self, n, seed=None):
        logits_2d = self.logits if self.logits.shape.ndims == 2 else tf.reshape(self.logits, [-1, self.event_size])
        if not isinstance(n, int):
            raise ValueError(f"Categorical.sample: the sample shape must be known when the graph is built "
                             f"(tf.multinomial draws a fixed count), got {n}")
        draws = tf.multinomial(logits_2d, n, seed=seed, output_dtype=i64 if self.dtype.np.itemsize > 4 else i32)
        draws = tf.reshape(tf.transpose(draws), self._draw_shape(n))
        return tf.cast(draws, self.dtype)

    def _broadcast_event(self, k, params):
        """k (as ints) and params[..., classes] broadcast to one batch shape (TF's _broadcast_cat_event_and_params)."""
        k = convert_to_tensor(k, name="k")
        if self.validate_args:
            k = _integer_valued(k, "k")
        if k.dtype.is_floating:
            k = tf.cast(k, i32)
        elif k.dtype not in (i32, i64):
            k = tf.cast(k, i32)
        batch = params.shape.as_list()[:-1] if params.shape.ndims is not None else None
        if k.shape.is_fully_defined() and batch is not None and None not in batch and k.shape.as_list() == batch:
            return k, params
        params = params * tf.ones_like(k[..., tf.newaxis], dtype=params.dtype)
        k = k * tf.ones(tf.shape(params, out_type=i32)[:-1], dtype=k.dtype)
        return k, params

    def _log_prob(self, k):
        k, logits = self._broadcast_event(k, self.logits)
        return -tf.nn.sparse_softmax_cross_entropy_with_logits(labels=k, logits=logits)

    def _cdf(self, k):
        k, probs = self._broadcast_event(k, self.probs)
        flat_probs = tf.reshape(probs, [-1, self.event_size])
        flat_k = tf.reshape(k, [-1])
        below = tf.sequence_mask(flat_k, self.event_size)
        summed = tf.reduce_sum(tf.where(below, flat_probs, tf.zeros_like(flat_probs)), axis=-1)
        return tf.reshape(summed, tf.shape(k, out_type=i32))

    def _entropy(self):
        return -tf.reduce_sum(tf.nn.log_softmax(self.logits) * self.probs, axis=-1)

    def _mode(self):
        return tf.cast(tf.argmax(self.logits, axis=-1), self.dtype)


def _log_combinations(n, counts):
    """log(n! / prod(counts!)) over the last axis."""
    return tf.lgamma(n + 1.0) - tf.reduce_sum(tf.lgamma(counts + 1.0), -1)


def _total_count_tensor(total_count, dtype, validate_args: bool):
    """`total_count` as a tensor (of `dtype` unless it has one), checked a non-negative whole number under
    validate_args (Multinomial's and DirichletMultinomial's parameter)."""
    if hasattr(total_count, "dtype"):
        count = convert_to_tensor(total_count, name="total_count")
    else:
        count = convert_to_tensor(total_count, dtype=dtype, name="total_count")
    if validate_args:
        count = with_checks([tf.assert_non_negative(count)], _integer_valued(count, "total_count"))
    return count


def _valid_counts(dist: Distribution, counts):
    """`counts` as the distribution's dtype, checked (validate_args) non-negative whole numbers summing to
    total_count."""
    counts = tf.cast(counts, dist.dtype) if counts.dtype is not dist.dtype else counts
    if not dist.validate_args:
        return counts
    counts = with_checks([tf.assert_non_negative(counts)], _integer_valued(counts, "counts"))
    return with_checks([tf.assert_equal(dist.total_count, tf.reduce_sum(counts, -1),
                                        message="counts must sum to `self.total_count`")], counts)


def _static_draw_counts(dist: Distribution, n) -> tuple[int, list[int], np.ndarray]:
    """(classes, batch shape, draws per batch member) of a counting family's sample, all known when the graph is
    built (the draws are unrolled); TF1-style ValueError naming what is not."""
    what = type(dist).__name__
    k = dist.event_shape.as_list()[0]
    batch = dist.batch_shape.as_list()
    if not isinstance(n, int) or k is None or None in batch:
        raise ValueError(f"{what}.sample: the sample, batch and event shapes must be known when the graph "
                         f"is built, got batch {dist.batch_shape} and event {dist.event_shape}")
    value = constant_value(dist.total_count)
    if value is None:
        raise ValueError(f"{what}.sample: total_count {dist.total_count.name} must be known when the graph is built "
                         f"(the number of draws per member)")
    return k, batch, np.broadcast_to(np.asarray(value), batch).astype(np.int64)


def _count_draws(logits_2d, counts: np.ndarray, n: int, k: int, seed):
    """[rows, n, k] counts of `counts[row]` categorical draws per row and sample (max draws, the extra masked)."""
    most = int(counts.max()) if counts.size else 0
    rows = counts.size
    if most == 0:
        return tf.zeros([rows, n, k], dtype=logits_2d.dtype)
    draws = tf.reshape(tf.multinomial(logits_2d, n * most, seed=seed), [rows, n, most])
    keep = tf.constant((np.arange(most)[None, :] < counts.reshape(-1, 1)).astype(logits_2d.dtype.np)[:, None, :, None])
    return tf.reduce_sum(tf.one_hot(draws, depth=k, dtype=logits_2d.dtype) * keep, axis=-2)


class Multinomial(Distribution):
    """Counts of `total_count` categorical draws per batch member over the last axis of logits/probs."""

    def __init__(self, total_count, logits=None, probs=None, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Multinomial"):
        parameters = dict(locals())
        with name_scope(name, values=[total_count, logits, probs]) as scope:
            self._logits, self._probs = logits_and_probs(logits=logits, probs=probs, multidimensional=True,
                                                         validate_args=validate_args, name=scope)
            self._total_count = _total_count_tensor(total_count, self._probs.dtype, validate_args)
            self._mean_val = self._total_count[..., tf.newaxis] * self._probs
        super().__init__(dtype=self._probs.dtype, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, parameters=parameters,
                         graph_parents=[self._total_count, self._logits, self._probs], name=scope)

    total_count = parameter_property("total_count")
    logits = parameter_property("logits")
    probs = parameter_property("probs")

    def _batch_shape(self):
        return tf.TensorShape(self._mean_val.shape.as_list()[:-1]) if self._mean_val.shape.ndims else \
            tf.TensorShape(None)

    def _batch_shape_tensor(self):
        return tf.shape(self._mean_val, out_type=i32)[:-1]

    def _event_shape(self):
        return tf.TensorShape(self._mean_val.shape.as_list()[-1:]) if self._mean_val.shape.ndims else \
            tf.TensorShape(None)

    def _event_shape_tensor(self):
        return tf.shape(self._mean_val, out_type=i32)[-1:]

    def _sample_n(self, n, seed=None):
        k, batch, counts = _static_draw_counts(self, n)
        logits = tf.reshape(self.logits * tf.ones([*batch, 1], dtype=self.dtype), [-1, k])
        x = _count_draws(logits, counts, n, k, seed)
        return tf.reshape(tf.transpose(x, [1, 0, 2]), [n, *batch, k])

    def _log_prob(self, counts):
        counts = _valid_counts(self, counts)
        return tf.reduce_sum(counts * tf.nn.log_softmax(self.logits), -1) + _log_combinations(self.total_count,
                                                                                              counts)

    def _mean(self):
        return tf.identity(self._mean_val)

    def _variance(self):
        p = self.probs * tf.ones_like(self.total_count)[..., tf.newaxis]
        return self._mean_val - self._mean_val * p

    def _covariance(self):
        p = self.probs * tf.ones_like(self.total_count)[..., tf.newaxis]
        outer = -tf.matmul(self._mean_val[..., tf.newaxis], p[..., tf.newaxis, :])
        return tf.matrix_set_diag(outer, self._variance())


class DirichletMultinomial(ConcentrationVector):
    """Counts of `total_count` draws with class probabilities drawn from Dirichlet(concentration)."""

    def __init__(self, total_count, concentration, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "DirichletMultinomial"):
        parameters = dict(locals())
        with name_scope(name, values=[total_count, concentration]) as scope:
            self._concentration = convert_to_tensor(concentration, name="concentration")
            self._total_count = _total_count_tensor(total_count, self._concentration.dtype, validate_args)
            if validate_args:
                self._concentration = with_checks([tf.assert_positive(self._concentration)], self._concentration)
            self._total_concentration = tf.reduce_sum(self._concentration, -1)
        super().__init__(dtype=self._concentration.dtype, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, parameters=parameters,
                         graph_parents=[self._total_count, self._concentration], name=scope)

    total_count = parameter_property("total_count")

    def _sample_n(self, n, seed=None):
        from ..random_sampling import random_gamma, salted_seed
        k, batch, counts = _static_draw_counts(self, n)
        gammas = random_gamma([n], self.concentration, dtype=self.dtype, seed=seed)  # [n, batch..., k]
        logits = tf.reshape(tf.log(gammas), [-1, k])
        rows = np.tile(counts.reshape(-1), n)
        x = _count_draws(logits, rows, 1, k, salted_seed(seed, "dirichlet_multinomial"))
        return tf.reshape(x, [n, *batch, k])

    def _log_prob(self, counts):
        counts = _valid_counts(self, counts)
        ordered = tf.lbeta(self.concentration + counts) - tf.lbeta(self.concentration)
        return ordered + _log_combinations(self.total_count, counts)

    def _mean(self):
        return self.total_count * (self.concentration / self.total_concentration[..., tf.newaxis])

    def _variance_scale_term(self):
        c0 = self.total_concentration[..., tf.newaxis]
        return tf.sqrt((1.0 + c0 / self.total_count) / (1.0 + c0))

    def _variance(self):
        scale = self._variance_scale_term()
        x = scale * self._mean()
        return x * (self.total_count * scale - x)


@RegisterKL(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(a: Bernoulli, b: Bernoulli, name=None):
    with name_scope(name, "kl_bernoulli_bernoulli", [a.logits, b.logits]):
        delta_probs0 = tf.nn.softplus(-b.logits) - tf.nn.softplus(-a.logits)
        delta_probs1 = tf.nn.softplus(b.logits) - tf.nn.softplus(a.logits)
        return tf.sigmoid(a.logits) * delta_probs0 + tf.sigmoid(-a.logits) * delta_probs1


@RegisterKL(Categorical, Categorical)
def _kl_categorical_categorical(a: Categorical, b: Categorical, name=None):
    with name_scope(name, "kl_categorical_categorical", [a.logits, b.logits]):
        delta_log_probs = tf.nn.log_softmax(a.logits) - tf.nn.log_softmax(b.logits)
        return tf.reduce_sum(tf.nn.softmax(a.logits) * delta_log_probs, axis=-1)
