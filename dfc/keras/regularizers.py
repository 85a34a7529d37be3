"""tf.keras.regularizers: L1, L2 and L1L2 penalties (a layer adds them to its `losses`)."""

from __future__ import annotations

import numpy as np

from .. import math_ops as _math
from ..framework import Tensor
from .utils import _from_identifier, custom_objects_in_scope

__all__ = ["L1L2", "Regularizer", "deserialize", "get", "l1", "l1_l2", "l2", "serialize"]


class Regularizer:
    """A weight penalty: regularizer(weight) -> a scalar tensor."""

    def __call__(self, x) -> Tensor | float:
        return 0.0

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        return cls(**config)


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x**2)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        # Keras keeps them as floatx (float32) values, which its configs then show (0.01 -> 0.009999999776482582)
        self.l1, self.l2 = float(np.float32(l1)), float(np.float32(l2))

    def __call__(self, x) -> Tensor | float:
        if not self.l1 and not self.l2:
            from ..array_ops import constant
            return constant(0.0)
        total = 0.0
        if self.l1:
            total = total + self.l1 * _math.reduce_sum(_math.abs(x))
        if self.l2:
            total = total + self.l2 * _math.reduce_sum(_math.square(x))
        return total

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


def l1(l: float = 0.01) -> L1L2:  # noqa: E741 - Keras's argument name
    return L1L2(l1=l)


def l2(l: float = 0.01) -> L1L2:  # noqa: E741
    return L1L2(l2=l)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    return L1L2(l1=l1, l2=l2)


def _L1(l1: float = 0.01) -> L1L2:  # noqa: N802 - the class name later TF's Keras writes (l1 only)
    return L1L2(l1=l1)


def _L2(l2: float = 0.01) -> L1L2:  # noqa: N802
    return L1L2(l2=l2)


def serialize(regularizer) -> dict | str | None:
    """{"class_name", "config"} for a regularizer object; a plain function by its name."""
    if regularizer is None:
        return None
    if not hasattr(regularizer, "get_config") and hasattr(regularizer, "__name__"):
        return regularizer.__name__
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}


def deserialize(config, custom_objects=None):
    name = config if isinstance(config, str) else config["class_name"]
    kwargs = {} if isinstance(config, str) else config.get("config", {})
    table = {"L1L2": L1L2, "l1_l2": l1_l2, "l1": l1, "l2": l2, "L1": _L1, "L2": _L2, **custom_objects_in_scope(),
             **(custom_objects or {})}
    if name not in table:
        raise ValueError(f"Unknown regularizer: {name}")
    found = table[name]
    if isinstance(config, str) and not isinstance(found, type) and found not in (l1, l2, l1_l2):
        return found  # a function given by name
    return found(**kwargs)


def get(identifier):
    """A regularizer for None, a name ('l2'), a config dict or a callable."""
    return _from_identifier(identifier, deserialize, "regularizer")
