"""tf.contrib.learn.datasets: MNIST (TF1's tutorial reader), the CSV loaders of the TF 1.x Iris tutorials.

`base.load_csv_with_header` reads a CSV whose first row holds the number of samples and features (then the
class names), as TF 1.x's Iris files do; the target is the last column unless `target_column` says otherwise.
"""

from __future__ import annotations

import collections
import csv
import types

import numpy as np

from ...examples.tutorials.mnist import input_data as mnist

Dataset = collections.namedtuple("Dataset", ["data", "target"])
Datasets = mnist.Datasets


def load_csv_with_header(filename: str, target_dtype, features_dtype, target_column: int = -1) -> Dataset:
    """A CSV whose header row is `n_samples,n_features,...`: the features and the targets of its n_samples rows."""
    from ...gfile import GFile
    with GFile(filename, "r") as f:
        rows = csv.reader(f)
        header = next(rows)
        n_samples, n_features = int(header[0]), int(header[1])
        data = np.zeros((n_samples, n_features), dtype=features_dtype)
        target = np.zeros((n_samples,), dtype=target_dtype)
        for i, row in enumerate(rows):
            if i >= n_samples:
                raise ValueError(f"{filename} holds more than the {n_samples} rows its header announces")
            target[i] = np.asarray(row.pop(target_column), dtype=target_dtype)
            data[i] = np.asarray(row, dtype=features_dtype)
    return Dataset(data=data, target=target)


def load_csv_without_header(filename: str, target_dtype, features_dtype, target_column: int = -1) -> Dataset:
    """A CSV of feature columns and one target column, every row a sample."""
    from ...gfile import GFile
    data, target = [], []
    with GFile(filename, "r") as f:
        for row in csv.reader(f):
            target.append(row.pop(target_column))
            data.append(np.asarray(row, dtype=features_dtype))
    return Dataset(data=np.array(data), target=np.array(target).astype(target_dtype))


base = types.SimpleNamespace(Dataset=Dataset, Datasets=Datasets, load_csv_with_header=load_csv_with_header,
                             load_csv_without_header=load_csv_without_header)


def load_dataset(name: str, size: str = "small", test_with_fake_data: bool = False):
    """TF1's `load_dataset('mnist')`: the MNIST data sets from ./MNIST-data (dfc does not download)."""
    if name != "mnist":
        raise ValueError(f"Name of dataset is not found: {name} (dfc provides 'mnist', read from disk)")
    return mnist.read_data_sets("MNIST-data", fake_data=test_with_fake_data)


__all__ = ["Dataset", "Datasets", "base", "load_csv_with_header", "load_csv_without_header", "load_dataset", "mnist"]
