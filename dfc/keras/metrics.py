"""tf.keras.metrics: Keras's metric functions (per-sample values) as TF1's Keras computes them."""

from __future__ import annotations

from .. import array_ops as _array
from .. import math_ops as _math
from ..framework import Tensor, convert_to_tensor
from . import backend as K
from .losses import (binary_crossentropy, categorical_crossentropy, cosine_proximity, hinge, kld,
                     kullback_leibler_divergence, logcosh, mae, mape, mean_absolute_error,
                     mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse, msle,
                     poisson, sparse_categorical_crossentropy, squared_hinge)

__all__ = ["binary_accuracy", "binary_crossentropy", "categorical_accuracy", "categorical_crossentropy",
           "cosine_proximity", "get", "hinge", "kld", "kullback_leibler_divergence", "logcosh", "mae", "mape",
           "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
           "mean_squared_logarithmic_error", "mse", "msle", "poisson", "serialize",
           "sparse_categorical_accuracy", "sparse_categorical_crossentropy", "sparse_top_k_categorical_accuracy",
           "squared_hinge", "top_k_categorical_accuracy"]


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> Tensor:
    y_pred = convert_to_tensor(y_pred)
    y_true = _math.cast(convert_to_tensor(y_true), y_pred.dtype)
    predicted = _math.cast(_math.greater(y_pred, threshold), y_pred.dtype)
    return K.mean(_math.cast(_math.equal(y_true, predicted), K.floatx()), axis=-1)


def categorical_accuracy(y_true, y_pred) -> Tensor:
    return _math.cast(_math.equal(_math.argmax(y_true, -1), _math.argmax(y_pred, -1)), K.floatx())


def sparse_categorical_accuracy(y_true, y_pred) -> Tensor:
    y_true, y_pred = convert_to_tensor(y_true), convert_to_tensor(y_pred)
    if y_true.shape.ndims is not None and y_pred.shape.ndims is not None and \
            y_true.shape.ndims == y_pred.shape.ndims:
        y_true = _array.squeeze(y_true, [-1])
    predicted = _math.argmax(y_pred, -1)
    if y_true.dtype is not predicted.dtype:
        predicted = _math.cast(predicted, y_true.dtype)
    return _math.cast(_math.equal(y_true, predicted), K.floatx())


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> Tensor:
    from ..nn import in_top_k
    return _math.cast(in_top_k(y_pred, _math.cast(_math.argmax(y_true, -1), "int32"), k), K.floatx())


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> Tensor:
    from ..nn import in_top_k
    y_true = convert_to_tensor(y_true)
    if y_true.shape.ndims == convert_to_tensor(y_pred).shape.ndims:
        y_true = _array.squeeze(y_true, [-1])
    return _math.cast(in_top_k(y_pred, _math.cast(y_true, "int32"), k), K.floatx())


_BY_NAME = {name: globals()[name] for name in __all__ if name not in ("get", "serialize")}
_BY_NAME.update({"acc": None, "accuracy": None, "ce": None, "crossentropy": None})


def serialize(metric) -> str:
    return getattr(metric, "__name__", type(metric).__name__)


def get(identifier):
    if isinstance(identifier, str):
        from .utils import custom_objects_in_scope
        custom = custom_objects_in_scope()
        if identifier in custom:
            return custom[identifier]
        if identifier not in _BY_NAME or _BY_NAME[identifier] is None:
            raise ValueError(f"Unknown metric function: {identifier}")
        return _BY_NAME[identifier]
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric function identifier: {identifier!r}")
