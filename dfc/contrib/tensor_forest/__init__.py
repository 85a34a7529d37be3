"""tf.contrib.tensor_forest: TF1's online random forests (`from tensorflow.contrib.tensor_forest.python import
tensor_forest`)."""

from .python import tensor_forest

__all__ = ["tensor_forest"]
