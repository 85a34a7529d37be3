"""Record what real TensorFlow computes for tests/tf1_scripts_linalg.py's scripts and for the INTERPRETER_CASES
of tests/tf1_op_cases_linalg_ops.py.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_tf1_scripts_linalg.py [NAME ...]

Each script writes tests/data/tf_expectations/script_<name>.npz, each case ops_<case>.npz.
"""

from __future__ import annotations

import sys

import record_tf1_ops
import record_tf1_scripts_nn  # noqa: F401 - puts TF1's tf.layers back on tensorflow.compat.v1
from tf1_op_cases_linalg_ops import INTERPRETER_CASES
from tf1_scripts_linalg import SCRIPTS
from tf_recording import EXPECTATIONS_DIR, save, tf

if __name__ == "__main__":
    wanted = set(sys.argv[1:])
    record_tf1_ops.OUT = str(EXPECTATIONS_DIR)
    for name in sorted(SCRIPTS):
        if not wanted or name in wanted:
            tf.reset_default_graph()
            tf.set_random_seed(0)
            save(EXPECTATIONS_DIR, f"script_{name}", **SCRIPTS[name](tf, tf.Session))
    for case in INTERPRETER_CASES:
        if not wanted or case.name in wanted:
            record_tf1_ops.record(case)
