"""tf.keras.initializers: Keras's initializer classes (called as init(shape, dtype)) and `get` by name."""

from __future__ import annotations

from ..initializers import identity as _identity
from ..initializers import orthogonal as _orthogonal
from ..initializers import variance_scaling as _variance_scaling
from ..variables import Initializer as _Initializer
from ..variables import constant_initializer as _constant
from ..variables import ones_initializer as _ones
from ..variables import random_normal_initializer as _normal
from ..variables import random_uniform_initializer as _uniform
from ..variables import truncated_normal_initializer as _truncated
from ..variables import zeros_initializer as _zeros
from .utils import _from_identifier

__all__ = ["Constant", "GlorotNormal", "GlorotUniform", "Identity", "Initializer", "Ones", "Orthogonal",
           "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling", "Zeros", "deserialize", "get",
           "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform",
           "serialize"]

Initializer = _Initializer


class Zeros(_zeros):
    pass


class Ones(_ones):
    pass


class Constant(_constant):
    pass


class RandomUniform(_uniform):
    pass


class RandomNormal(_normal):
    """Keras's normal draws: stddev 0.05 unless given."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype="float32"):
        super().__init__(mean, stddev, seed, dtype)


class TruncatedNormal(_truncated):
    """Keras's truncated normal draws: stddev 0.05 unless given."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype="float32"):
        super().__init__(mean, stddev, seed, dtype)


class VarianceScaling(_variance_scaling):
    pass


class Orthogonal(_orthogonal):
    pass


class Identity(_identity):
    pass


class GlorotUniform(_variance_scaling):
    """Uniform within ±sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, seed=None, dtype="float32"):
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)


class GlorotNormal(_variance_scaling):
    """A normal truncated at 2 stddevs with variance 2 / (fan_in + fan_out)."""

    def __init__(self, seed=None, dtype="float32"):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)


def he_normal(seed=None) -> VarianceScaling:
    return VarianceScaling(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed=None) -> VarianceScaling:
    return VarianceScaling(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed=None) -> VarianceScaling:
    return VarianceScaling(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed=None) -> VarianceScaling:
    return VarianceScaling(1.0, "fan_in", "uniform", seed)


glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
zeros, ones, constant, uniform, normal = Zeros, Ones, Constant, RandomUniform, RandomNormal
random_uniform, random_normal, truncated_normal, orthogonal, identity = (RandomUniform, RandomNormal,
                                                                         TruncatedNormal, Orthogonal, Identity)

_BY_NAME = {"zeros": Zeros, "ones": Ones, "constant": Constant, "glorot_uniform": GlorotUniform,
            "glorot_normal": GlorotNormal, "he_normal": he_normal, "he_uniform": he_uniform,
            "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform, "random_uniform": RandomUniform,
            "random_normal": RandomNormal, "truncated_normal": TruncatedNormal, "orthogonal": Orthogonal,
            "identity": Identity, "variance_scaling": VarianceScaling, "uniform": RandomUniform,
            "normal": RandomNormal}


def _class_key(name: str) -> str:
    import re
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def deserialize(config, custom_objects=None):
    name, kwargs = (config, {}) if isinstance(config, str) else (config["class_name"], config.get("config", {}))
    if custom_objects and name in custom_objects:
        return custom_objects[name](**kwargs)
    key = name if name in _BY_NAME else _class_key(name)
    if key not in _BY_NAME:
        raise ValueError(f"Unknown initializer: {name}")
    return _BY_NAME[key](**kwargs)


def serialize(initializer) -> dict:
    return {"class_name": type(initializer).__name__, "config": getattr(initializer, "get_config", dict)()}


def get(identifier):
    """An initializer object for None, a name ('glorot_uniform'), a config dict or a callable."""
    return _from_identifier(identifier, deserialize, "initializer")
