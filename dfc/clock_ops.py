"""tf.timestamp: the host's clock, read when the step runs (not when the graph is built)."""

from __future__ import annotations

import time

import numpy as np

from dfc.ir.dtypes import f64

from .framework import Tensor
from .script_ops import py_func

__all__ = ["timestamp"]


def _now() -> np.ndarray:
    return np.asarray(time.time(), dtype=np.float64)


def timestamp(name: str | None = None) -> Tensor:
    """Seconds since the epoch as a float64 scalar, read each time a step runs it (a stateful host op)."""
    out = py_func(_now, [], f64, stateful=True, name=name or "Timestamp")
    out.set_shape([])
    return out
