"""Record what real TensorFlow computes for the training-API cases of tests/train_cases.py.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_train_expectations.py [CASE ...]

Each case writes tests/data/tf_expectations/train_<case>.npz.
"""

from __future__ import annotations

import sys

from tf_recording import EXPECTATIONS_DIR, save, tf
from train_cases import CASES


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
        save(EXPECTATIONS_DIR, f"train_{name}", **CASES[name](tf, tf.Session))
