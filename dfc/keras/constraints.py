"""tf.keras.constraints: projections applied to a weight after each optimizer update (MaxNorm, NonNeg, UnitNorm,
MinMaxNorm), as Keras's optimizers apply a variable's `constraint`."""

from __future__ import annotations

from .utils import custom_objects_in_scope

from .. import math_ops as _math
from ..framework import Tensor
from . import backend as K

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "get", "max_norm", "min_max_norm", "non_neg",
           "unit_norm"]


class Constraint:
    def __call__(self, w) -> Tensor:
        return w

    def get_config(self) -> dict:
        return {}


def _norms(w, axis) -> Tensor:
    return _math.sqrt(_math.reduce_sum(_math.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Scales the weights incident to each unit (norm over `axis`) down to at most max_value."""

    def __init__(self, max_value: float = 2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w) -> Tensor:
        norms = _norms(w, self.axis)
        desired = K.clip(norms, 0, self.max_value)
        return w * (desired / (K.epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    def __call__(self, w) -> Tensor:
        return w * _math.cast(_math.greater_equal(w, 0.0), w.dtype)


class UnitNorm(Constraint):
    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w) -> Tensor:
        return w / (K.epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w) -> Tensor:
        norms = _norms(w, self.axis)
        desired = self.rate * K.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (K.epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
_BY_NAME = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm,
            "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm}


def serialize(constraint) -> dict | str | None:
    """{"class_name", "config"} for a constraint object; a plain function by its name."""
    if constraint is None:
        return None
    if not hasattr(constraint, "get_config") and hasattr(constraint, "__name__"):
        return constraint.__name__
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}


def deserialize(config, custom_objects=None):
    name = config if isinstance(config, str) else config["class_name"]
    kwargs = {} if isinstance(config, str) else dict(config.get("config", {}))
    table = {**_BY_NAME, **custom_objects_in_scope(), **(custom_objects or {})}
    if name not in table:
        raise ValueError(f"Unknown constraint: {name}")
    found = table[name]
    return found(**kwargs) if isinstance(found, type) else found


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")
