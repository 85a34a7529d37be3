"""Record what real TensorFlow (TF1's Keras in graph mode) computes for the scripts of tests/tf1_scripts_keras.py.

Run with a Python that has tensorflow and tf-keras installed (not needed by the tests):

    python tests/record_tf1_scripts_keras.py [SCRIPT ...]

TF_USE_LEGACY_KERAS=1 makes tf.compat.v1.keras TF1's Keras (tf-keras); each script writes
tests/data/tf_expectations/script_keras_<name>.npz.
"""

from __future__ import annotations

import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"

from tf1_scripts_keras import SCRIPTS  # noqa: E402
from tf_recording import EXPECTATIONS_DIR, save, tf  # noqa: E402

if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(SCRIPTS):
        tf.reset_default_graph()
        tf.keras.backend.clear_session()
        save(EXPECTATIONS_DIR, f"script_keras_{name}", **SCRIPTS[name](tf, tf.Session))
