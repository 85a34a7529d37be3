"""tf.contrib: the parts TF1 scripts reach for that dfc provides (contrib.rnn, contrib.layers, contrib.framework)."""

from . import framework, layers, rnn

__all__ = ["framework", "layers", "rnn"]
