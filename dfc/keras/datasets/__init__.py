"""tf.keras.datasets: load_data for TF's cached dataset files in ~/.keras/datasets/ (TF's file names and
formats); nothing is downloaded, a missing file raises FileNotFoundError naming where to put it."""

from __future__ import annotations

from . import boston_housing, cifar10, cifar100, fashion_mnist, imdb, mnist, reuters

__all__ = ["boston_housing", "cifar10", "cifar100", "fashion_mnist", "imdb", "mnist", "reuters"]
