"""tf.keras.datasets.cifar100: load_data from TF's cached ~/.keras/datasets/cifar-100-python (directory or
cifar-100-python.tar.gz), fine or coarse labels."""

from __future__ import annotations

import os

from ..utils import get_file
from ._cifar import finish, load_batch


def load_data(label_mode: str = "fine") -> tuple:
    """((x_train, y_train), (x_test, y_test)) from the `train` and `test` pickles; labels (N, 1)."""
    if label_mode not in ["fine", "coarse"]:
        raise ValueError('label_mode must be one of "fine" "coarse".')
    path = get_file("cifar-100-python", origin="https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
                    untar=True)
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=label_mode + "_labels")
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=label_mode + "_labels")
    return finish(x_train, y_train, x_test, y_test)
