"""Record what TensorFlow gives for ops whose axis, stride or count is a fed tensor (tests/fed_value_cases.py).

    python tests/record_fed_values.py [OUT_DIR]

Writes OUT_DIR/fed_values.npz (default tests/data/tf_expectations/); tests/test_fed_values.py compares dfc with it.
"""

from __future__ import annotations

import sys

from fed_value_cases import run_cases
from tf_recording import out_dir, save, tf

if __name__ == "__main__":
    save(out_dir(sys.argv), "fed_values", **run_cases(tf, tf.Session))
