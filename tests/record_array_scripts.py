"""Record what real TensorFlow computes for the scripts of tests/tf1_scripts_array.py.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_array_scripts.py [SCRIPT ...]

Each script writes tests/data/tf_expectations/script_<name>.npz.
"""

from __future__ import annotations

import sys

import record_train_expectations  # noqa: F401 - gives tf its TF1 tf.layers
from tf1_scripts_array import SCRIPTS
from tf_recording import EXPECTATIONS_DIR, save, tf

if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(SCRIPTS):
        tf.reset_default_graph()
        save(EXPECTATIONS_DIR, f"script_{name}", **SCRIPTS[name](tf, tf.Session))
