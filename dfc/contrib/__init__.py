"""tf.contrib: the parts TF1 scripts reach for that dfc provides (rnn, layers, framework, slim)."""

from . import framework, layers, rnn, slim

__all__ = ["framework", "layers", "rnn", "slim"]
