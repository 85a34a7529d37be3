"""Record what TensorFlow computes for tests/tf1_scripts_loops.py (run with a Python that has tensorflow).

    python tests/record_loops_scripts.py [OUT_DIR]

It writes OUT_DIR/script_loops_growing_decoder.npz and script_loops_raw_rnn.npz (default
tests/data/tf_expectations/).
"""

from __future__ import annotations

import sys

from tf1_scripts_loops import growing_decoder, raw_rnn_lstm
from tf_recording import out_dir, tf, write_npz

if __name__ == "__main__":
    for name, script in (("script_loops_growing_decoder", growing_decoder), ("script_loops_raw_rnn", raw_rnn_lstm)):
        tf.reset_default_graph()
        write_npz(out_dir(sys.argv), name, script(tf))
        print(f"{name} recorded")
