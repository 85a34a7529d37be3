"""Record what TF 2.21's tf_keras (TF1's Keras, graph mode) computes for tests/tf1_scripts_keras_layers2.py.

    /work/bench-venv/bin/python tests/record_tf1_scripts_keras_layers2.py [SCRIPT ...]

writes tests/data/tf_expectations/script_keras2_<name>.npz.
"""

from __future__ import annotations

import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"

from tf1_scripts_keras_layers2 import SCRIPTS  # noqa: E402
from tf_recording import EXPECTATIONS_DIR, save, tf  # noqa: E402

if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(SCRIPTS):
        tf.reset_default_graph()
        tf.keras.backend.clear_session()
        save(EXPECTATIONS_DIR, f"script_keras2_{name}", **SCRIPTS[name](tf, tf.Session))
