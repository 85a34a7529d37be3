"""Record what real TensorFlow computes for the scripts of tests/tf1_scripts_nn.py.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_tf1_scripts_nn.py [SCRIPT ...]

Each script writes tests/data/tf_expectations/script_<name>.npz.
"""

from __future__ import annotations

import sys
import types

from tf1_scripts_nn import SCRIPTS
from tf_recording import EXPECTATIONS_DIR, save, tf


def _legacy_tf1_modules() -> None:
    """TF1's tf.layers and tf.nn.rnn_cell: gone from tf.compat.v1 under Keras 3, still in TF's tree."""
    from tensorflow.python.keras.layers.legacy_rnn import rnn_cell_impl
    from tensorflow.python.keras.legacy_tf_layers import base, convolutional, core, pooling
    layers = types.SimpleNamespace()
    for module in (base, convolutional, core, pooling):
        for name in dir(module):
            if not name.startswith("_"):
                setattr(layers, name, getattr(module, name))
    tf.layers = layers
    tf.nn.rnn_cell = rnn_cell_impl


_legacy_tf1_modules()

if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(SCRIPTS):
        tf.reset_default_graph()
        tf.set_random_seed(0)
        save(EXPECTATIONS_DIR, f"script_{name}", **SCRIPTS[name](tf, tf.Session))
