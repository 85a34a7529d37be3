"""tf.keras.datasets.cifar10: load_data from TF's cached ~/.keras/datasets/cifar-10-batches-py (the extracted
directory, or the cifar-10-batches-py.tar.gz tarball, which is extracted as TF does)."""

from __future__ import annotations

import os

import numpy as np

from ..utils import get_file
from ._cifar import finish, load_batch


def load_data() -> tuple:
    """((x_train, y_train), (x_test, y_test)): uint8 images (N, 32, 32, 3) under channels_last (else
    (N, 3, 32, 32)), labels (N, 1); train from data_batch_1..5, test from test_batch."""
    path = get_file("cifar-10-batches-py", origin="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                    untar=True)
    parts = [load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in parts])
    y_train = [label for _, labels in parts for label in labels]
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    return finish(x_train, y_train, x_test, y_test)
