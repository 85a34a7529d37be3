"""The random weights tests/record_slim_nets.py gives TF's ops and tests/test_slim_nets.py loads into dfc's nets:
a function of the variable's TF1 name and shape alone, so the recording need not carry them."""

from __future__ import annotations

import zlib

import numpy as np


def weight_value(name: str, shape) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    leaf = name.rsplit("/", 1)[-1]
    if leaf.endswith("weights"):
        value = rng.standard_normal(shape) * np.sqrt(2.0 / int(np.prod(shape[:-1])))
    elif leaf in ("gamma", "moving_variance"):
        value = rng.uniform(0.5, 1.5, shape)
    else:  # beta, moving_mean, biases
        value = rng.standard_normal(shape) * 0.1
    return value.astype(np.float32)


def images(shape, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
