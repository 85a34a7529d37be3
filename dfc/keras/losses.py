"""tf.keras.losses: Keras's loss functions (per-sample values, the mean over the last axis) and Loss classes
(weighted and reduced: the mean over every element by default, as TF1's Keras)."""

from __future__ import annotations

from .. import array_ops as _array
from .. import math_ops as _math
from ..framework import Tensor, convert_to_tensor, name_scope
from . import backend as K

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "CategoricalHinge", "CosineSimilarity", "Hinge", "Huber",
           "KLDivergence", "LogCosh", "Loss", "MeanAbsoluteError", "MeanAbsolutePercentageError",
           "MeanSquaredError", "MeanSquaredLogarithmicError", "Poisson", "Reduction",
           "SparseCategoricalCrossentropy", "SquaredHinge", "binary_crossentropy", "categorical_crossentropy",
           "categorical_hinge", "cosine_proximity", "cosine_similarity", "deserialize", "get", "hinge", "huber_loss",
           "kld", "kullback_leibler_divergence", "logcosh", "mae", "mape", "mean_absolute_error",
           "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error", "mse", "msle",
           "poisson", "serialize", "sparse_categorical_crossentropy", "squared_hinge"]


def _pair(y_true, y_pred) -> tuple[Tensor, Tensor]:
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if y_true.dtype is not y_pred.dtype:
        y_true = _math.cast(y_true, y_pred.dtype)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(_math.squared_difference(y_pred, y_true), axis=-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(_math.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    diff = _math.abs((y_true - y_pred) / K.maximum(_math.abs(y_true), K.epsilon()))
    return 100.0 * K.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    first = _math.log(K.maximum(y_pred, K.epsilon()) + 1.0)
    second = _math.log(K.maximum(y_true, K.epsilon()) + 1.0)
    return K.mean(_math.squared_difference(first, second), axis=-1)


def squared_hinge(y_true, y_pred) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(_math.square(K.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def hinge(y_true, y_pred) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(K.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def categorical_hinge(y_true, y_pred) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    pos = _math.reduce_sum(y_true * y_pred, axis=-1)
    neg = _math.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return _math.maximum(0.0, neg - pos + 1.0)


def huber_loss(y_true, y_pred, delta: float = 1.0) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    error = y_pred - y_true
    abs_error = _math.abs(error)
    quadratic = _math.minimum(abs_error, delta)
    linear = abs_error - quadratic
    return K.mean(0.5 * quadratic * quadratic + delta * linear, axis=-1)


def logcosh(y_true, y_pred) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return K.mean(x + _math.softplus(-2.0 * x) - _math.log(2.0), axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        classes = _math.cast(_array.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / classes)
    return K.categorical_crossentropy(y_true, y_pred, from_logits=from_logits)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False, axis: int = -1) -> Tensor:
    return K.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return K.mean(K.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=-1)


def kullback_leibler_divergence(y_true, y_pred) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = K.clip(y_true, K.epsilon(), 1)
    y_pred = K.clip(y_pred, K.epsilon(), 1)
    return _math.reduce_sum(y_true * _math.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return K.mean(y_pred - y_true * _math.log(y_pred + K.epsilon()), axis=-1)


def cosine_proximity(y_true, y_pred, axis: int = -1) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return -_math.reduce_sum(K.l2_normalize(y_true, axis=axis) * K.l2_normalize(y_pred, axis=axis), axis=axis)


cosine_similarity = cosine_proximity
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence


class Reduction:
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"
    AUTO = "auto"

    @classmethod
    def all(cls) -> tuple:
        return cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE

    @classmethod
    def validate(cls, key) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}.")


def compute_weighted_loss(losses: Tensor, sample_weight=None, reduction: str = Reduction.SUM_OVER_BATCH_SIZE):
    """sum(losses * weights), divided by the number of elements unless reduction is SUM; NONE keeps them."""
    losses = convert_to_tensor(losses)
    if sample_weight is not None:
        weight = _math.cast(convert_to_tensor(sample_weight), losses.dtype)
        if weight.shape.ndims is not None and losses.shape.ndims is not None and \
                weight.shape.ndims > losses.shape.ndims and weight.shape.as_list()[-1] == 1:
            weight = _array.squeeze(weight, [-1])  # [batch, 1] weights of [batch] losses (a loss that returns
            # one number for the whole batch is scaled by each weight and averaged, as broadcasting gives)
        while weight.shape.ndims is not None and weight.shape.ndims < (losses.shape.ndims or 0):
            weight = _array.expand_dims(weight, -1)
        losses = losses * weight
    if reduction == Reduction.NONE:
        return losses
    total = _math.reduce_sum(losses)
    if reduction == Reduction.SUM:
        return total
    count = _math.cast(_array.size(losses), losses.dtype)
    return _math.div_no_nan(total, count)


class Loss:
    """A loss object: loss(y_true, y_pred, sample_weight) -> the reduced, weighted loss."""

    def __init__(self, reduction: str = Reduction.AUTO, name: str | None = None):
        Reduction.validate(reduction)
        self.reduction, self.name = reduction, name

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        with name_scope(self.name or type(self).__name__.lower()):
            losses = self.call(y_true, y_pred)
            reduction = Reduction.SUM_OVER_BATCH_SIZE if self.reduction == Reduction.AUTO else self.reduction
            return compute_weighted_loss(losses, sample_weight, reduction)

    def call(self, y_true, y_pred) -> Tensor:
        raise NotImplementedError("Must be implemented in subclasses.")

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "name": self.name}


class LossFunctionWrapper(Loss):
    def __init__(self, fn, reduction: str = Reduction.AUTO, name: str | None = None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn, self._fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred) -> Tensor:
        return self.fn(y_true, y_pred, **self._fn_kwargs)


def _wrapper(fn, default_name: str, **defaults):
    class Wrapped(LossFunctionWrapper):
        def __init__(self, reduction: str = Reduction.AUTO, name: str = default_name, **kwargs):
            super().__init__(fn, reduction=reduction, name=name, **{**defaults, **kwargs})
    return Wrapped


class MeanSquaredError(_wrapper(mean_squared_error, "mean_squared_error")):
    pass


class MeanAbsoluteError(_wrapper(mean_absolute_error, "mean_absolute_error")):
    pass


class MeanAbsolutePercentageError(_wrapper(mean_absolute_percentage_error, "mean_absolute_percentage_error")):
    pass


class MeanSquaredLogarithmicError(_wrapper(mean_squared_logarithmic_error, "mean_squared_logarithmic_error")):
    pass


class BinaryCrossentropy(_wrapper(binary_crossentropy, "binary_crossentropy", from_logits=False,
                                  label_smoothing=0)):
    pass


class CategoricalCrossentropy(_wrapper(categorical_crossentropy, "categorical_crossentropy", from_logits=False,
                                       label_smoothing=0)):
    pass


class SparseCategoricalCrossentropy(_wrapper(sparse_categorical_crossentropy, "sparse_categorical_crossentropy",
                                             from_logits=False)):
    pass


class Hinge(_wrapper(hinge, "hinge")):
    pass


class SquaredHinge(_wrapper(squared_hinge, "squared_hinge")):
    pass


class CategoricalHinge(_wrapper(categorical_hinge, "categorical_hinge")):
    pass


class Huber(_wrapper(huber_loss, "huber_loss", delta=1.0)):
    pass


class LogCosh(_wrapper(logcosh, "logcosh")):
    pass


class KLDivergence(_wrapper(kullback_leibler_divergence, "kullback_leibler_divergence")):
    pass


class Poisson(_wrapper(poisson, "poisson")):
    pass


class CosineSimilarity(_wrapper(cosine_similarity, "cosine_similarity", axis=-1)):
    pass


_BY_NAME = {name: globals()[name] for name in __all__ if name[0].islower() and name not in
            ("deserialize", "get", "serialize")}
_BY_NAME.update({"MSE": mse, "MAE": mae, "MAPE": mape, "MSLE": msle, "KLD": kld})


def serialize(loss) -> str | dict:
    """A loss function by its name; a Loss object as {"class_name", "config"}."""
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    return getattr(loss, "__name__", type(loss).__name__)


def deserialize(name, custom_objects=None):
    from .utils import custom_objects_in_scope
    custom = {**custom_objects_in_scope(), **(custom_objects or {})}
    if isinstance(name, dict):  # a Loss object's config
        cls = custom.get(name["class_name"]) or globals().get(name["class_name"])
        if not (isinstance(cls, type) and issubclass(cls, Loss) or name["class_name"] in custom):
            raise ValueError(f"Unknown loss function: {name['class_name']}")
        return cls(**name.get("config", {}))
    if name in custom:
        return custom[name]
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name in globals() and isinstance(globals()[name], type) and issubclass(globals()[name], Loss):
        return globals()[name]()
    raise ValueError(f"Unknown loss function: {name}")


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier!r}")
