"""tf.data: datasets (dataset_ops.py) and the iterators that feed their elements to a Session (iterator_ops.py)."""

from . import dataset_functions, experimental, transformations
from .dataset_ops import AUTOTUNE, Dataset
from .transformations import (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, DistributeOptions, OptimizationOptions,
                              Options, ThreadingOptions)
from .readers import FixedLengthRecordDataset, TextLineDataset, TFRecordDataset
from .iterator_ops import (Iterator, get_output_classes, get_output_shapes, get_output_types,
                           make_initializable_iterator, make_one_shot_iterator)

__all__ = ["AUTOTUNE", "Dataset", "DistributeOptions", "INFINITE_CARDINALITY", "OptimizationOptions", "Options",
           "ThreadingOptions", "UNKNOWN_CARDINALITY", "FixedLengthRecordDataset", "Iterator", "TFRecordDataset",
           "TextLineDataset", "experimental", "transformations", "get_output_classes", "get_output_shapes",
           "get_output_types", "make_initializable_iterator", "make_one_shot_iterator"]
