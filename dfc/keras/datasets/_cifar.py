"""Shared by cifar10 and cifar100: TF's reading of the pickled CIFAR python batches."""

from __future__ import annotations

import pickle

import numpy as np

from .. import backend


def load_batch(fpath: str, label_key: str = "labels") -> tuple[np.ndarray, list]:
    """(data as uint8 (N, 3, 32, 32), labels) from one pickled batch; keys may be bytes (python-2 pickles)."""
    with open(fpath, "rb") as f:
        d = pickle.load(f, encoding="bytes")
    d = {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in d.items()}
    data = np.asarray(d["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    return data, d[label_key]


def finish(x_train, y_train, x_test, y_test) -> tuple:
    y_train = np.reshape(np.asarray(y_train), (len(y_train), 1))
    y_test = np.reshape(np.asarray(y_test), (len(y_test), 1))
    if backend.image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
