"""tf.distributions' base: the Distribution class (TF1's shapes, name scopes and method fallbacks),
ReparameterizationType, and the KL registry (kl_divergence, RegisterKL) searched along both classes' MROs."""

from __future__ import annotations

import contextlib

import numpy as np

import dfc as tf
from dfc.ir.dtypes import i32

from ..framework import Tensor, constant_value, convert_to_tensor, is_tensor_like, name_scope
from ..tensor_shape import TensorShape


class ReparameterizationType:
    """Whether a distribution's samples carry gradients to its parameters (TF1's two instances below)."""

    def __init__(self, rep_type: str):
        self._rep_type = rep_type

    def __repr__(self) -> str:
        return f"<Reparameterization Type: {self._rep_type}>"

    def __eq__(self, other) -> bool:
        return self is other

    __hash__ = object.__hash__


FULLY_REPARAMETERIZED = ReparameterizationType("FULLY_REPARAMETERIZED")
NOT_REPARAMETERIZED = ReparameterizationType("NOT_REPARAMETERIZED")


def as_parameter(value, name: str, dtype=None) -> Tensor:
    """`value` as a tensor named `name` in the current scope (TF: array_ops.identity(value, name=name))."""
    return tf.identity(convert_to_tensor(value, dtype=dtype), name=name)


def same_float_dtype(distribution: str, tensors: list[Tensor]):
    """The one float dtype of a distribution's parameters; TF1's ValueError naming them otherwise."""
    kinds = {t.dtype for t in tensors}
    names = ", ".join(f"{_described(t)} ({t.dtype.name})" for t in tensors)
    if len(kinds) > 1:
        raise ValueError(f"{distribution}: parameters must have the same dtype, got {names}")
    dtype = next(iter(kinds))
    if not dtype.is_floating:
        raise ValueError(f"{distribution}: Expected floating point type, got {names}")
    return dtype


def parameter_property(name: str) -> property:
    """A read-only property for a distribution's parameter `name`: the tensor its constructor stored as `_name`."""
    attribute = "_" + name

    def get(self: Distribution) -> Tensor:
        return getattr(self, attribute)
    return property(get, doc=f"The distribution's `{name}` parameter (a tensor).")


def broadcast_shape_tensor(*params: Tensor) -> Tensor:
    """The broadcast shape of `params` as an int32 vector: the shape of their zeros' sum, which the session
    knows from the fed shapes alone (a BroadcastArgs check would make a draw's shape wait for values)."""
    total = tf.zeros_like(params[0])
    for p in params[1:]:
        total = total + tf.zeros_like(p)
    return tf.shape(total, out_type=i32)


def _described(t: Tensor) -> str:
    """A parameter's name, with the user's tensor it copies (as_parameter's identity) when there is one."""
    if t.op.type == "Identity" and t.op.inputs and t.op.inputs[0].op.type != "Const":
        return f"{t.name} (from {t.op.inputs[0].name})"
    return t.name


def traced(t: Tensor) -> Tensor:
    """The constant a parameter copies (through as_parameter's identities), else the parameter: TF's static
    assertions see through identities, so a constant's violation is an error when the graph is built."""
    source = t
    while source.op.type == "Identity" and source.op.inputs:
        source = source.op.inputs[0]
    return source if constant_value(source) is not None else t


def with_checks(checks: list, tensor: Tensor) -> Tensor:
    """`tensor`, run after the assertions in `checks` (TF's control_flow_ops.with_dependencies)."""
    ops = [c for c in checks if c is not None]
    if not ops:
        return tensor
    with tf.control_dependencies(ops):
        return tf.identity(tensor)


def _unimplemented(method: str):
    """The hook behind public `method` for a family that does not define it: TF's NotImplementedError."""
    def hook(self, *args):
        raise NotImplementedError(f"{method} is not implemented: {type(self).__name__}")
    hook.__name__ = f"_{method}"
    return hook


def scalar_events(cls: type) -> type:
    """Class decorator: the family's events are scalars (event shape [])."""
    cls._event_shape = lambda self: TensorShape([])
    cls._event_shape_tensor = lambda self: tf.constant([], dtype=i32)
    return cls


def leading_dims(shape: TensorShape) -> TensorShape:
    """All but the last axis of `shape` (the batch of a family whose event is the last axis); unknown stays so."""
    return TensorShape(None) if shape.ndims is None else TensorShape(shape.as_list()[:-1])


def last_dim(shape: TensorShape) -> TensorShape:
    """The last axis of `shape` (the event of a vector-valued family); unknown stays so."""
    return TensorShape(None) if shape.ndims is None else TensorShape(shape.as_list()[-1:])


class Distribution:
    """A batch of distributions of one family (TF1's tf.distributions.Distribution).

    Subclasses give `_batch_shape`, `_batch_shape_tensor`, `_event_shape`, `_event_shape_tensor`,
    `_sample_n` and whichever of `_log_prob`, `_prob`, `_cdf`, ... they define; the public methods
    open the distribution's name scope, convert values to its dtype and fall back as TF does
    (log_prob = log(prob), stddev = sqrt(variance), survival_function = 1 - cdf, ...).
    """

    def __init__(self, dtype, reparameterization_type, validate_args, allow_nan_stats, parameters=None,
                 graph_parents=None, name=None):
        graph_parents = [] if graph_parents is None else graph_parents
        for i, t in enumerate(graph_parents):
            if t is None or not is_tensor_like(t):
                raise ValueError(f"Graph parent item {i} is not a Tensor; {t}.")
        if not name or name[-1] != "/":  # not a scope yet: the distribution's own, made unique
            with name_scope(name or type(self).__name__) as scope:
                name = scope
        self._dtype = dtype
        self._reparameterization_type = reparameterization_type
        self._allow_nan_stats = allow_nan_stats
        self._validate_args = validate_args
        self._parameters = {k: v for k, v in (parameters or {}).items() if not k.startswith("__") and k != "self"}
        self._graph_parents = graph_parents
        self._name = name

    # ---- properties ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self):
        return self._dtype

    @property
    def parameters(self) -> dict:
        return dict(self._parameters)

    @property
    def reparameterization_type(self) -> ReparameterizationType:
        return self._reparameterization_type

    @property
    def allow_nan_stats(self) -> bool:
        return self._allow_nan_stats

    @property
    def validate_args(self) -> bool:
        return self._validate_args

    def copy(self, **override_parameters_kwargs) -> Distribution:
        return type(self)(**{**self._parameters, **override_parameters_kwargs})

    @classmethod
    def param_shapes(cls, sample_shape, name: str = "DistributionParamShapes") -> dict:
        with name_scope(name):
            return cls._param_shapes(sample_shape)

    @classmethod
    def param_static_shapes(cls, sample_shape) -> dict:
        if isinstance(sample_shape, TensorShape):
            if not sample_shape.is_fully_defined():
                raise ValueError("TensorShape sample_shape must be fully defined")
            sample_shape = sample_shape.as_list()
        params = cls.param_shapes(sample_shape)
        static = {}
        for name, shape in params.items():
            value = constant_value(shape)
            if value is None:
                raise ValueError("sample_shape must be a fully-defined TensorShape or list/tuple")
            static[name] = TensorShape([int(d) for d in value])
        return static

    @staticmethod
    def _param_shapes(sample_shape):
        raise NotImplementedError("_param_shapes not implemented")

    # ---- shapes -------------------------------------------------------------------------------
    @property
    def batch_shape(self) -> TensorShape:
        return _as_shape(self._batch_shape())

    @property
    def event_shape(self) -> TensorShape:
        return _as_shape(self._event_shape())

    def _batch_shape(self) -> TensorShape:
        return TensorShape(None)

    def _event_shape(self) -> TensorShape:
        return TensorShape(None)

    def batch_shape_tensor(self, name: str = "batch_shape_tensor") -> Tensor:
        with self._name_scope(name):
            if self.batch_shape.is_fully_defined():
                return convert_to_tensor(np.array(self.batch_shape.as_list(), np.int32), name="batch_shape")
            return self._batch_shape_tensor()

    def event_shape_tensor(self, name: str = "event_shape_tensor") -> Tensor:
        with self._name_scope(name):
            if self.event_shape.is_fully_defined():
                return convert_to_tensor(np.array(self.event_shape.as_list(), np.int32), name="event_shape")
            return self._event_shape_tensor()

    def is_scalar_event(self, name: str = "is_scalar_event") -> Tensor:
        with self._name_scope(name):
            return convert_to_tensor(self.event_shape.ndims == 0, name="is_scalar_event")

    def is_scalar_batch(self, name: str = "is_scalar_batch") -> Tensor:
        with self._name_scope(name):
            return convert_to_tensor(self.batch_shape.ndims == 0, name="is_scalar_batch")

    # ---- sampling -----------------------------------------------------------------------------
    def sample(self, sample_shape=(), seed=None, name: str = "sample") -> Tensor:
        """Draws of shape sample_shape + batch_shape + event_shape."""
        with self._name_scope(name, [sample_shape]):
            static = _static_sample_shape(sample_shape)
            if static is not None:
                n = int(np.prod(static, dtype=np.int64))
                samples = self._sample_n(n, seed)
                rest = samples.shape.as_list()[1:] if samples.shape.ndims is not None else None
                if rest is not None and None not in rest:
                    return tf.reshape(samples, [*static, *rest])
                head = tf.constant(np.array(static, np.int32))
            else:
                head = convert_to_tensor(sample_shape, dtype=i32, name="sample_shape")
                if head.shape.ndims == 0:
                    head = tf.reshape(head, [1])
                elif head.shape.ndims != 1:
                    raise ValueError(f"Input is neither scalar nor vector: {head.name} has shape {head.shape}")
                samples = self._sample_n(tf.reduce_prod(head), seed)
            # the final shape from the parameters' shapes, never the draw's (which the session cannot read ahead)
            shape = tf.concat([head, self._batch_shape_vector(), self._event_shape_vector()], 0)
            out = tf.reshape(samples, shape)
            lead = static if static is not None else \
                ([None] * head.shape.as_list()[0] if head.shape.as_list()[0] is not None else None)
            if lead is not None and self.batch_shape.ndims is not None and self.event_shape.ndims is not None:
                out.set_shape([*lead, *self.batch_shape.as_list(), *self.event_shape.as_list()])
            return out

    def _batch_shape_vector(self) -> Tensor:
        if self.batch_shape.is_fully_defined():
            return tf.constant(np.array(self.batch_shape.as_list(), np.int32))
        return self._batch_shape_tensor()

    def _event_shape_vector(self) -> Tensor:
        if self.event_shape.is_fully_defined():
            return tf.constant(np.array(self.event_shape.as_list(), np.int32))
        return self._event_shape_tensor()

    def _sample_n(self, n, seed=None) -> Tensor:
        raise NotImplementedError(f"sample_n is not implemented: {type(self).__name__}")

    def _draw_shape(self, n) -> list | Tensor:
        """[n] + batch_shape, as a list when all of it is known now, else a shape tensor."""
        if isinstance(n, int) and self.batch_shape.is_fully_defined():
            return [n, *self.batch_shape.as_list()]
        return tf.concat([tf.reshape(tf.cast(n, i32), [1]), self._batch_shape_tensor()], 0)

    # ---- densities ----------------------------------------------------------------------------
    def _value(self, value) -> Tensor:
        if is_tensor_like(value):
            return convert_to_tensor(value)
        preferred = self.dtype if self.dtype is not None else None
        try:
            return convert_to_tensor(value, dtype=preferred, name="value")
        except (TypeError, ValueError):
            return convert_to_tensor(value, name="value")

    def _call(self, name: str, value, primary: str, fallback: str | None, convert) -> Tensor:
        with self._name_scope(name, [value]):
            value = self._value(value)
            try:
                return getattr(self, primary)(value)
            except NotImplementedError as original:
                if fallback is None:
                    raise
                try:
                    return convert(getattr(self, fallback)(value))
                except NotImplementedError:
                    raise original from None

    def log_prob(self, value, name: str = "log_prob") -> Tensor:
        return self._call(name, value, "_log_prob", "_prob", tf.log)

    def prob(self, value, name: str = "prob") -> Tensor:
        return self._call(name, value, "_prob", "_log_prob", tf.exp)

    def log_cdf(self, value, name: str = "log_cdf") -> Tensor:
        return self._call(name, value, "_log_cdf", "_cdf", tf.log)

    def cdf(self, value, name: str = "cdf") -> Tensor:
        return self._call(name, value, "_cdf", "_log_cdf", tf.exp)

    def log_survival_function(self, value, name: str = "log_survival_function") -> Tensor:
        return self._call(name, value, "_log_survival_function", "cdf", lambda c: tf.log1p(-c))

    def survival_function(self, value, name: str = "survival_function") -> Tensor:
        return self._call(name, value, "_survival_function", "cdf", lambda c: 1.0 - c)

    def quantile(self, value, name: str = "quantile") -> Tensor:
        return self._call(name, value, "_quantile", None, None)

    _log_prob = _unimplemented("log_prob")
    _prob = _unimplemented("prob")
    _log_cdf = _unimplemented("log_cdf")
    _cdf = _unimplemented("cdf")
    _log_survival_function = _unimplemented("log_survival_function")
    _survival_function = _unimplemented("survival_function")
    _quantile = _unimplemented("quantile")

    # ---- statistics ---------------------------------------------------------------------------
    def _stat(self, name: str, primary: str, fallback: str | None = None, convert=None) -> Tensor:
        with self._name_scope(name):
            try:
                return getattr(self, primary)()
            except NotImplementedError as original:
                if fallback is None:
                    raise
                try:
                    return convert(getattr(self, fallback)())
                except NotImplementedError:
                    raise original from None

    def entropy(self, name: str = "entropy") -> Tensor:
        return self._stat(name, "_entropy")

    def mean(self, name: str = "mean") -> Tensor:
        return self._stat(name, "_mean")

    def mode(self, name: str = "mode") -> Tensor:
        return self._stat(name, "_mode")

    def covariance(self, name: str = "covariance") -> Tensor:
        return self._stat(name, "_covariance")

    def variance(self, name: str = "variance") -> Tensor:
        return self._stat(name, "_variance", "_stddev", tf.square)

    def stddev(self, name: str = "stddev") -> Tensor:
        return self._stat(name, "_stddev", "_variance", tf.sqrt)

    _entropy = _unimplemented("entropy")
    _mean = _unimplemented("mean")
    _mode = _unimplemented("mode")
    _covariance = _unimplemented("covariance")
    _variance = _unimplemented("variance")
    _stddev = _unimplemented("stddev")

    def cross_entropy(self, other: Distribution, name: str = "cross_entropy") -> Tensor:
        with self._name_scope(name):
            return cross_entropy(self, other, allow_nan_stats=self.allow_nan_stats)

    def kl_divergence(self, other: Distribution, name: str = "kl_divergence") -> Tensor:
        with self._name_scope(name):
            return kl_divergence(self, other, allow_nan_stats=self.allow_nan_stats)

    # ---- helpers ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _name_scope(self, name: str | None = None, values=None):
        with name_scope(self.name):
            with name_scope(name) as scope:
                yield scope

    def _nan_where(self, defined: Tensor, value: Tensor, bound: Tensor, message: str) -> Tensor:
        """`value` where `defined`, NaN elsewhere (allow_nan_stats), or `value` after asserting 1 < bound everywhere
        (decided now when bound is a constant, as TF decides it)."""
        if self.allow_nan_stats:
            nan = tf.fill(tf.shape(value), np.array(np.nan, self.dtype.np))
            return tf.where_v2(defined, value, nan)
        return with_checks([tf.assert_less(tf.ones([], self.dtype), traced(bound), message=message)], value)

    def __str__(self) -> str:
        batch = f", batch_shape={self.batch_shape}" if self.batch_shape.ndims is not None else ""
        event = f", event_shape={self.event_shape}" if self.event_shape.ndims is not None else ""
        return f'tfp.distributions.{type(self).__name__}("{self.name}"{batch}{event}, dtype={self.dtype.name})'

    def __repr__(self) -> str:
        return (f"<tfp.distributions.{type(self).__name__} '{self.name}' batch_shape={self.batch_shape} "
                f"event_shape={self.event_shape} dtype={self.dtype.name}>")


def _as_shape(shape) -> TensorShape:
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def _static_sample_shape(sample_shape) -> list[int] | None:
    value = constant_value(sample_shape) if is_tensor_like(sample_shape) else np.asarray(sample_shape)
    if value is None:
        return None
    if value.ndim > 1:
        raise ValueError(f"Input is neither scalar nor vector: sample_shape {sample_shape} has {value.ndim} dims")
    if value.dtype.kind not in "iu" and value.size:
        raise TypeError(f"sample_shape must be integers, got {value.dtype} {value.tolist()}")
    return [int(v) for v in np.atleast_1d(value)]


# ---- KL divergence ----------------------------------------------------------------------------
_DIVERGENCES: dict[tuple[type, type], object] = {}


def _registered_kl(type_a: type, type_b: type):
    """The function registered for the closest pair of ancestors of (type_a, type_b), as TF searches."""
    best, best_distance = None, None
    for i, a in enumerate(type_a.__mro__):
        for j, b in enumerate(type_b.__mro__):
            fn = _DIVERGENCES.get((a, b))
            if fn is not None and (best_distance is None or i + j < best_distance):
                best, best_distance = fn, i + j
    return best


def kl_divergence(distribution_a: Distribution, distribution_b: Distribution, allow_nan_stats: bool = True,
                  name: str | None = None) -> Tensor:
    """KL(distribution_a || distribution_b), batchwise; NotImplementedError for a pair nobody registered."""
    fn = _registered_kl(type(distribution_a), type(distribution_b))
    if fn is None:
        raise NotImplementedError(
            f"No KL(distribution_a || distribution_b) registered for distribution_a type "
            f"{type(distribution_a).__name__} and distribution_b type {type(distribution_b).__name__}")
    with name_scope("KullbackLeibler"):
        kl = fn(distribution_a, distribution_b, name=name)
        if allow_nan_stats:
            return kl
        kl = tf.identity(kl, name="kl")
        check = tf.Assert(tf.logical_not(tf.reduce_any(tf.is_nan(kl))),
                          [f"KL calculation between {distribution_a.name} and {distribution_b.name} returned NaN "
                           f"values (and was called with allow_nan_stats=False). Values:", kl])
        with tf.control_dependencies([check]):
            return tf.identity(kl, name="checked_kl")


def cross_entropy(ref: Distribution, other: Distribution, allow_nan_stats: bool = True,
                  name: str | None = None) -> Tensor:
    with name_scope(name, "cross_entropy"):
        return ref.entropy() + kl_divergence(ref, other, allow_nan_stats=allow_nan_stats)


class RegisterKL:
    """Decorator: `@RegisterKL(A, B)` makes fn(a, b, name=None) the KL of an A against a B (and their subclasses)."""

    def __init__(self, dist_cls_a: type, dist_cls_b: type):
        self._key = (dist_cls_a, dist_cls_b)

    def __call__(self, kl_fn):
        if not callable(kl_fn):
            raise TypeError(f"kl_fn must be callable, received: {kl_fn}")
        if self._key in _DIVERGENCES:
            raise ValueError(f"KL({self._key[0].__name__} || {self._key[1].__name__}) has already been registered "
                             f"to: {_DIVERGENCES[self._key]}")
        _DIVERGENCES[self._key] = kl_fn
        return kl_fn
