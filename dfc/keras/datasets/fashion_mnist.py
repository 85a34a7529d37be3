"""tf.keras.datasets.fashion_mnist: load_data from TF's cached gzipped IDX files in
~/.keras/datasets/fashion-mnist/."""

from __future__ import annotations

import gzip
import os

import numpy as np

from ..utils import get_file

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
          "t10k-images-idx3-ubyte.gz"]


def _read(path: str, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_data() -> tuple:
    """((x_train, y_train), (x_test, y_test)): uint8 images (N, 28, 28) and uint8 labels, as TF reads the IDX
    files (labels after an 8-byte header, images after a 16-byte one)."""
    paths = [get_file(fname, origin=_ORIGIN + fname, cache_subdir=os.path.join("datasets", "fashion-mnist"))
             for fname in _FILES]
    y_train = _read(paths[0], 8)
    x_train = _read(paths[1], 16).reshape(len(y_train), 28, 28)
    y_test = _read(paths[2], 8)
    x_test = _read(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
