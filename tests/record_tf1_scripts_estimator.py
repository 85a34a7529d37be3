"""Record what real TensorFlow computes for the hand-written graphs of tests/tf1_scripts_estimator.py
and the feature-column scripts of tests/tf1_scripts_feature_column.py.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_tf1_scripts_estimator.py [SCRIPT ...]

Each script writes tests/data/tf_expectations/estimator_<name>.npz.
"""

from __future__ import annotations

import sys

from tf1_scripts_estimator import SCRIPTS
from tf1_scripts_feature_column import BOTH
from tf_recording import EXPECTATIONS_DIR, save, tf

if __name__ == "__main__":
    for name in sys.argv[1:] or sorted({*SCRIPTS, *BOTH}):
        tf.reset_default_graph()
        tf.set_random_seed(0)
        script = SCRIPTS[name][1] if name in SCRIPTS else BOTH[name]
        save(EXPECTATIONS_DIR, f"estimator_{name}", **script(tf))
