"""tf.keras.initializers: Keras's initializer classes (called as init(shape, dtype)) and `get` by name."""

from __future__ import annotations

import inspect

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
from .utils import _from_identifier, custom_objects_in_scope

__all__ = ["Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity", "LecunNormal",
           "LecunUniform", "Initializer", "Ones", "Orthogonal",
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


def _scaling(class_name: str, scale: float, distribution: str, doc: str) -> type:
    """A VarianceScaling of fixed arguments under its own name (its config: the seed, as TF's Keras writes it)."""

    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, "fan_in", distribution, seed)
    return type(class_name, (VarianceScaling,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


HeNormal = _scaling("HeNormal", 2.0, "truncated_normal", "A truncated normal of variance 2 / fan_in.")
HeUniform = _scaling("HeUniform", 2.0, "uniform", "Uniform within ±sqrt(6 / fan_in).")
LecunNormal = _scaling("LecunNormal", 1.0, "truncated_normal", "A truncated normal of variance 1 / fan_in.")
LecunUniform = _scaling("LecunUniform", 1.0, "uniform", "Uniform within ±sqrt(3 / fan_in).")
he_normal, he_uniform, lecun_normal, lecun_uniform = HeNormal, HeUniform, LecunNormal, LecunUniform


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
    custom = {**custom_objects_in_scope(), **(custom_objects or {})}
    if name in custom:
        return custom[name](**kwargs) if isinstance(custom[name], type) or kwargs else custom[name]
    key = name if name in _BY_NAME else _class_key(name)
    if key not in _BY_NAME:
        raise ValueError(f"Unknown initializer: {name}")
    return _BY_NAME[key](**kwargs)


def serialize(initializer) -> dict | str:
    """{"class_name", "config"}: the config is the arguments of the class's constructor, read from the object (a
    plain function: its name)."""
    if not isinstance(initializer, _Initializer) and hasattr(initializer, "__name__"):
        return initializer.__name__
    cls = type(initializer)
    config = {}
    for name in list(inspect.signature(cls.__init__).parameters)[1:]:
        if name in ("args", "kwargs"):
            continue
        value = getattr(initializer, name, None)
        config[name] = value.name if hasattr(value, "as_numpy_dtype") else value
    return {"class_name": cls.__name__, "config": config}


def get(identifier):
    """An initializer object for None, a name ('glorot_uniform'), a config dict or a callable."""
    return _from_identifier(identifier, deserialize, "initializer")
