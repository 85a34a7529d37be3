"""tf.contrib: the parts TF1 tutorials reach for that dfc provides (contrib.rnn)."""

from . import rnn

__all__ = ["rnn"]
