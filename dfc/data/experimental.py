"""tf.data.experimental: the transformations TF1 scripts apply with Dataset.apply, and AUTOTUNE."""

from __future__ import annotations

from collections.abc import Callable

from .dataset_ops import AUTOTUNE, Dataset
from .csv_dataset import make_csv_dataset
from .readers import CsvDataset
from .transformations import (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Counter, DistributeOptions,
                              OptimizationOptions, ThreadingOptions, bucket_by_sequence_length, choose_from_datasets,
                              enumerate_dataset, get_single_element, group_by_window, ignore_errors,
                              sample_from_datasets, scan, take_while, unique)

__all__ = ["AUTOTUNE", "Counter", "CsvDataset", "DistributeOptions", "INFINITE_CARDINALITY", "OptimizationOptions",
           "ThreadingOptions", "UNKNOWN_CARDINALITY", "batch_and_drop_remainder", "bucket_by_sequence_length",
           "choose_from_datasets", "enumerate_dataset", "get_single_element", "group_by_window", "ignore_errors",
           "make_csv_dataset", "map_and_batch", "parallel_interleave", "sample_from_datasets", "scan",
           "shuffle_and_repeat", "take_while", "unbatch", "unique"]


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


def parallel_interleave(map_func: Callable, cycle_length: int, block_length: int = 1, sloppy: bool = False,
                        buffer_output_elements=None, prefetch_input_elements=None) -> Callable[[Dataset], Dataset]:
    """For Dataset.apply: interleave(map_func, cycle_length, block_length). dfc reads on one thread, so the
    order is interleave's deterministic one (a sloppy order is any order)."""
    return lambda dataset: dataset.interleave(map_func, cycle_length, block_length)


def batch_and_drop_remainder(batch_size: int) -> Callable[[Dataset], Dataset]:
    """For Dataset.apply (TF 1.x contrib.data): batch(batch_size, drop_remainder=True)."""
    return lambda dataset: dataset.batch(batch_size, drop_remainder=True)
