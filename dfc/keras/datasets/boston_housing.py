"""tf.keras.datasets.boston_housing: load_data from TF's cached ~/.keras/datasets/boston_housing.npz."""

from __future__ import annotations

import numpy as np

from ..utils import get_file
from ._sequences import ORIGIN


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113) -> tuple:
    """The npz's x and y shuffled with `seed` (TF's order), the last `test_split` fraction as the test set."""
    assert 0 <= test_split < 1
    with np.load(get_file(path, origin=ORIGIN + "boston_housing.npz"), allow_pickle=True) as f:
        x, y = f["x"], f["y"]
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
