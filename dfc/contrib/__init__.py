"""tf.contrib: the parts TF1 scripts reach for that dfc provides (rnn, seq2seq, legacy_seq2seq, layers, slim...)."""

from .. import signal  # tf.contrib.signal: what became tf.signal (stft, mel matrices, MFCCs)
from ..data import experimental as data  # tf.contrib.data: what became tf.data.experimental
from . import (crf, cudnn_rnn, distributions, factorization, framework, image, layers, learn, legacy_seq2seq, lookup,
               losses, metrics, nn, opt, predictor, rnn, seq2seq, slim, summary, tensor_forest, tpu, training, util)

__all__ = ["crf", "cudnn_rnn", "data", "distributions", "factorization", "framework", "image", "layers", "learn",
           "legacy_seq2seq", "lookup", "losses", "metrics", "nn", "opt", "predictor", "rnn", "seq2seq", "signal",
           "slim", "summary", "tensor_forest", "tpu", "training", "util"]


def __getattr__(name: str):
    if name == "keras":  # tf.contrib.keras, loaded when first used
        import importlib
        return importlib.import_module(f"{__name__}.keras")
    raise AttributeError(f"module 'dfc.contrib' has no attribute {name!r}")
