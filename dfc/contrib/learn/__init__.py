"""tf.contrib.learn: the parts TF1 scripts still import from it (preprocessing.VocabularyProcessor, datasets)."""

from . import datasets, preprocessing

__all__ = ["datasets", "preprocessing"]
