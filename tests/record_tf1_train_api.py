"""Record what real TensorFlow gives for the programs of tests/tf1_train_api_cases.py.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_tf1_train_api.py [CASE ...]

Each case writes tests/data/tf_expectations/trainapi_<case>.npz.
"""

from __future__ import annotations

import sys
import tempfile

from tf1_train_api_cases import CASES
from tf_recording import EXPECTATIONS_DIR, save, tf

if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(CASES):
        tf.reset_default_graph()
        with tempfile.TemporaryDirectory() as directory:
            save(EXPECTATIONS_DIR, f"trainapi_{name}", **CASES[name](tf, directory))
