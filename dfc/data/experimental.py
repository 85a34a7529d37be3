"""tf.data.experimental: the transformations TF1 scripts apply with Dataset.apply, and AUTOTUNE."""

from __future__ import annotations

from collections.abc import Callable

from .dataset_ops import AUTOTUNE, Dataset
from .readers import CsvDataset

__all__ = ["AUTOTUNE", "CsvDataset", "map_and_batch", "shuffle_and_repeat", "unbatch"]


def shuffle_and_repeat(buffer_size: int, count: int | None = None, seed: int | None = None
                       ) -> Callable[[Dataset], Dataset]:
    """For Dataset.apply: shuffle(buffer_size, seed) then repeat(count), reshuffled each epoch."""
    return lambda dataset: dataset.shuffle(buffer_size, seed).repeat(count)


def map_and_batch(map_func: Callable, batch_size: int, num_parallel_batches=None, drop_remainder: bool = False,
                  num_parallel_calls=None) -> Callable[[Dataset], Dataset]:
    """For Dataset.apply: map(map_func) then batch(batch_size, drop_remainder)."""
    return lambda dataset: dataset.map(map_func).batch(batch_size, drop_remainder)


def unbatch() -> Callable[[Dataset], Dataset]:
    """For Dataset.apply: each batch's rows as elements."""
    return lambda dataset: dataset.unbatch()
