"""tf.keras.backend's settings: floatx, epsilon and the image data format (what the layers and losses default to)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["cast_to_floatx", "epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
           "set_image_data_format"]

_config: dict[str, Any] = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


# ---- configuration -----------------------------------------------------------------------------------
def floatx() -> str:
    return _config["floatx"]


def set_floatx(value: str) -> None:
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown floatx type: {value}")
    _config["floatx"] = str(value)


def epsilon() -> float:
    return _config["epsilon"]


def set_epsilon(value: float) -> None:
    _config["epsilon"] = value


def image_data_format() -> str:
    return _config["image_data_format"]


def set_image_data_format(data_format: str) -> None:
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format}")
    _config["image_data_format"] = str(data_format)


def cast_to_floatx(x) -> np.ndarray:
    return np.asarray(x, dtype=floatx())
