"""tf.contrib.learn: the parts TF1 scripts still import from it (preprocessing.VocabularyProcessor, datasets,
ModeKeys)."""

from . import datasets, preprocessing

__all__ = ["ModeKeys", "datasets", "preprocessing"]


class ModeKeys:
    """tf.contrib.learn.ModeKeys: the mode strings of contrib.learn's Estimators (INFER where tf.estimator says
    PREDICT), which models such as tensorflow/nmt branch on."""

    TRAIN = "train"
    EVAL = "eval"
    INFER = "infer"
