"""Record what real TensorFlow computes for the training-API cases of tests/train_cases.py.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_train_expectations.py [CASE ...]

Each case writes tests/data/tf_expectations/train_<case>.npz.
"""

from __future__ import annotations

import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import tensorflow.compat.v1 as tf  # noqa: E402

tf.disable_v2_behavior()
tf.logging.set_verbosity(tf.logging.ERROR)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from train_cases import CASES  # noqa: E402

OUT = os.path.join(HERE, "data", "tf_expectations")


def _legacy_layers():
    """TF1's tf.layers but batch normalization: gone from tf.compat.v1.layers under Keras 3, still in TF's tree."""
    import types

    from tensorflow.python.keras.legacy_tf_layers import base, convolutional, core, pooling
    layers = types.SimpleNamespace()
    for module in (base, convolutional, core, pooling):
        for name in dir(module):
            if not name.startswith("_"):
                setattr(layers, name, getattr(module, name))
    return layers


tf.layers = _legacy_layers()

if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(CASES):
        tf.reset_default_graph()
        tf.set_random_seed(0)
        arrays = CASES[name](tf, tf.Session)
        np.savez(os.path.join(OUT, f"train_{name}.npz"), **{k: np.asarray(v) for k, v in arrays.items()})
        print(f"{name}: {', '.join(sorted(arrays))}")
