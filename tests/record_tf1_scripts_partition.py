"""Record what real TensorFlow computes for the scripts of tests/tf1_scripts_partition.py.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_tf1_scripts_partition.py [SCRIPT ...]

Each script writes tests/data/tf_expectations/script_<name>.npz.
"""

from __future__ import annotations

import sys

import record_tf1_scripts_nn  # noqa: F401 - puts TF's legacy tf.layers on tf.compat.v1
from tf1_scripts_partition import SCRIPTS
from tf_recording import EXPECTATIONS_DIR, save, tf

if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(SCRIPTS):
        tf.reset_default_graph()
        tf.set_random_seed(0)
        save(EXPECTATIONS_DIR, f"script_{name}", **SCRIPTS[name](tf, tf.Session))
