"""tf.contrib: the parts TF1 scripts reach for that dfc provides (rnn, seq2seq, legacy_seq2seq, layers, slim...)."""

from ..data import experimental as data  # tf.contrib.data: what became tf.data.experimental
from . import (crf, distributions, factorization, framework, image, layers, learn, legacy_seq2seq, lookup, losses,
               metrics, opt, predictor, rnn, seq2seq, slim, summary, tensor_forest, training)

__all__ = ["crf", "data", "distributions", "factorization", "framework", "image", "layers", "learn", "legacy_seq2seq",
           "lookup", "losses", "metrics", "opt", "predictor", "rnn", "seq2seq", "slim", "summary", "tensor_forest",
           "training"]
