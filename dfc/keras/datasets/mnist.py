"""tf.keras.datasets.mnist: load_data from TF's cached ~/.keras/datasets/mnist.npz."""

from __future__ import annotations

import numpy as np

from ..utils import get_file
from ._sequences import ORIGIN


def load_data(path: str = "mnist.npz") -> tuple:
    """((x_train, y_train), (x_test, y_test)) as stored in the npz: uint8 images (N, 28, 28), uint8 labels."""
    with np.load(get_file(path, origin=ORIGIN + "mnist.npz"), allow_pickle=True) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
