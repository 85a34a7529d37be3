"""Record what real TensorFlow (its TF1 graph API) computes for TF1 control flow programs.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_tf_control_flow.py [OUT_DIR]

Each case writes OUT_DIR/control_<case>.npz (default tests/data/tf_expectations/) holding its
inputs, weights and TF's values and gradients (the programs are tests/control_flow_cases.py's;
tests/test_control_flow.py runs the same with dfc and compares). Inputs come from fixed numpy
seeds, so a re-run is stable.
"""

from __future__ import annotations

import sys

from control_flow_cases import CASES
from tf_recording import out_dir, save, tf

if __name__ == "__main__":
    for name, case in CASES.items():
        tf.reset_default_graph()
        save(out_dir(sys.argv), f"control_{name}", **case(tf, tf.Session))
