"""Record what real TensorFlow computes for tests/tf1_scripts_complex.py's scripts.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_tf1_scripts_complex.py [NAME ...]

Each script writes tests/data/tf_expectations/script_<name>.npz.
"""

from __future__ import annotations

import sys

from tf1_scripts_complex import SCRIPTS
from tf_recording import EXPECTATIONS_DIR, save, tf

if __name__ == "__main__":
    wanted = set(sys.argv[1:])
    for name in sorted(SCRIPTS):
        if not wanted or name in wanted:
            tf.reset_default_graph()
            tf.set_random_seed(0)
            save(EXPECTATIONS_DIR, f"script_{name}", **SCRIPTS[name](tf, tf.Session))
