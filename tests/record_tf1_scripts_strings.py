"""Record what real TensorFlow computes for the scripts of tests/tf1_scripts_strings.py.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_tf1_scripts_strings.py [SCRIPT ...]

Each script writes tests/data/tf_expectations/script_<name>.npz.
"""

from __future__ import annotations

import sys
import tempfile
import types

from tensorflow.python.ops import lookup_ops
from tf1_scripts_strings import SCRIPTS
from tf_recording import EXPECTATIONS_DIR, save, tf

tf.contrib = types.SimpleNamespace(lookup=lookup_ops)  # TF1's tf.contrib.lookup, which TF 2.x keeps here

if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(SCRIPTS):
        tf.reset_default_graph()
        tf.set_random_seed(0)
        with tempfile.TemporaryDirectory() as folder:
            save(EXPECTATIONS_DIR, f"script_{name}", **SCRIPTS[name](tf, tf.Session, folder))
