"""tf.contrib: the parts TF1 scripts reach for that dfc provides (rnn, seq2seq, layers, framework, slim)."""

from . import framework, layers, rnn, seq2seq, slim

__all__ = ["framework", "layers", "rnn", "seq2seq", "slim"]
