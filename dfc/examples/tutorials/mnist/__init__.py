"""tensorflow.examples.tutorials.mnist: `input_data.read_data_sets`, the MNIST reader of TF1's tutorials."""

from . import input_data

__all__ = ["input_data"]
