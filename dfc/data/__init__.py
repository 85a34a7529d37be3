"""tf.data: datasets (dataset_ops.py) and the iterators that feed their elements to a Session (iterator_ops.py)."""

from . import experimental
from .dataset_ops import AUTOTUNE, Dataset
from .readers import FixedLengthRecordDataset, TextLineDataset, TFRecordDataset
from .iterator_ops import (Iterator, get_output_classes, get_output_shapes, get_output_types,
                           make_initializable_iterator, make_one_shot_iterator)

__all__ = ["AUTOTUNE", "Dataset", "FixedLengthRecordDataset", "Iterator", "TFRecordDataset", "TextLineDataset",
           "experimental", "get_output_classes", "get_output_shapes",
           "get_output_types", "make_initializable_iterator", "make_one_shot_iterator"]
