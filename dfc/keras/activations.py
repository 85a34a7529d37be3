"""tf.keras.activations: Keras's activation functions by name, and `get`/`serialize` as Keras resolves them."""

from __future__ import annotations

from collections.abc import Callable

from .. import math_ops as _math
from .. import nn as _nn
from ..framework import Tensor, convert_to_tensor
from . import backend as K
from .utils import custom_objects_in_scope

__all__ = ["deserialize", "elu", "exponential", "get", "hard_sigmoid", "linear", "relu", "selu", "serialize",
           "sigmoid", "softmax", "softplus", "softsign", "tanh"]


def softmax(x, axis: int = -1) -> Tensor:
    x = convert_to_tensor(x)
    if x.shape.ndims == 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x.name}")
    return _nn.softmax(x, axis=axis)


def elu(x, alpha: float = 1.0) -> Tensor:
    return K.elu(x, alpha)


def selu(x) -> Tensor:
    from ..nn_activations import selu as tf_selu
    return tf_selu(x)


def softplus(x) -> Tensor:
    return _math.softplus(x)


def softsign(x) -> Tensor:
    return _math.softsign(x)


def relu(x, alpha: float = 0.0, max_value=None, threshold: float = 0) -> Tensor:
    return K.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def tanh(x) -> Tensor:
    return _math.tanh(x)


def sigmoid(x) -> Tensor:
    return _math.sigmoid(x)


def exponential(x) -> Tensor:
    return _math.exp(x)


def hard_sigmoid(x) -> Tensor:
    return K.hard_sigmoid(x)


def linear(x):
    return x


_BY_NAME: dict[str, Callable] = {f.__name__: f for f in (softmax, elu, selu, softplus, softsign, relu, tanh, sigmoid,
                                                          exponential, hard_sigmoid, linear)}


def serialize(activation) -> str:
    """The activation's name (a user's function: its __name__, resolved by custom_objects when loaded)."""
    name = getattr(activation, "__name__", None)
    if name is None:
        raise ValueError(f"Unknown activation function {activation!r}")
    return name


def deserialize(name: str, custom_objects=None) -> Callable:
    custom = {**custom_objects_in_scope(), **(custom_objects or {})}
    if name in custom:
        return custom[name]
    if name not in _BY_NAME:
        raise ValueError(f"Unknown activation function: {name}")
    return _BY_NAME[name]


def get(identifier) -> Callable:
    """The activation for None (linear), a name ('relu') or a callable (returned as is)."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return deserialize(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier["class_name"])
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret activation function identifier: {identifier!r}")
