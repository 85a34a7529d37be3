"""Record what TensorFlow computes for tests/tf1_scripts_loops.py (run with a Python that has tensorflow).

    python tests/record_loops_scripts.py [OUT_DIR]

It writes OUT_DIR/script_loops_growing_decoder.npz (default tests/data/tf_expectations/).
"""

from __future__ import annotations

import sys

from tf1_scripts_loops import growing_decoder
from tf_recording import out_dir, tf, write_npz

if __name__ == "__main__":
    write_npz(out_dir(sys.argv), "script_loops_growing_decoder", growing_decoder(tf))
    print("script_loops_growing_decoder recorded")
