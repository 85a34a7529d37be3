"""tf.contrib: the parts TF1 scripts reach for that dfc provides (rnn, seq2seq, legacy_seq2seq, layers, slim...)."""

from .. import signal  # tf.contrib.signal: what became tf.signal (stft, mel matrices, MFCCs)
from ..data import experimental as data  # tf.contrib.data: what became tf.data.experimental
from . import (crf, cudnn_rnn, distributions, factorization, framework, image, layers, learn, legacy_seq2seq, lookup,
               losses, metrics, opt, predictor, rnn, seq2seq, slim, tensor_forest, tpu, training)

__all__ = ["crf", "cudnn_rnn", "data", "distributions", "factorization", "framework", "image", "layers", "learn",
           "legacy_seq2seq", "lookup", "losses", "metrics", "opt", "predictor", "rnn", "seq2seq", "signal", "slim",
           "tensor_forest", "tpu", "training"]
