"""tf.contrib: the parts TF1 scripts reach for that dfc provides (rnn, layers, framework, slim, distributions)."""

from . import distributions, framework, layers, rnn, slim

__all__ = ["distributions", "framework", "layers", "rnn", "slim"]
