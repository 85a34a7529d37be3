"""Record what real TensorFlow computes for the TF1 queue scripts of tests/tf1_scripts_queue.py (SCRIPTS).

    python tests/record_queue_scripts.py [OUT_DIR]

Each script writes OUT_DIR/script_<name>.npz (default tests/data/tf_expectations/);
tests/test_queues.py runs them with dfc and compares.
"""

from __future__ import annotations

import sys

from tf1_scripts_queue import SCRIPTS
from tf_recording import out_dir, save, tf

if __name__ == "__main__":
    for name, script in SCRIPTS.items():
        tf.reset_default_graph()
        save(out_dir(sys.argv), f"script_{name}", **script(tf, tf.Session))
