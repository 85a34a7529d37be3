"""tf.contrib.tensor_forest.python: the module path TF1 scripts import tensor_forest from."""

from . import tensor_forest

__all__ = ["tensor_forest"]
