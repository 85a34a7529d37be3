"""tf.contrib: the parts TF1 scripts reach for that dfc provides (rnn, seq2seq, legacy_seq2seq, layers, slim...)."""

from . import distributions, framework, layers, legacy_seq2seq, lookup, predictor, rnn, seq2seq, slim, training

__all__ = ["distributions", "framework", "layers", "legacy_seq2seq", "lookup", "predictor", "rnn", "seq2seq", "slim",
           "training"]
