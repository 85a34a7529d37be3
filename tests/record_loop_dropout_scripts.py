"""Record what TensorFlow computes for tests/tf1_scripts_loop_dropout.py (run with a Python that has tensorflow).

    python tests/record_loop_dropout_scripts.py [OUT_DIR]

It writes OUT_DIR/script_lstm_dropout_keep1.npz, script_lstm_dropout_keep07.npz and
script_variational_dropout_rnn.npz (default
tests/data/tf_expectations/).
"""

from __future__ import annotations

import sys

from tf1_scripts_loop_dropout import lstm_dropout_classifier, variational_dropout_rnn
from tf_recording import out_dir, tf, write_npz

if __name__ == "__main__":
    for name, keep in (("script_lstm_dropout_keep1", 1.0), ("script_lstm_dropout_keep07", 0.7)):
        tf.reset_default_graph()
        write_npz(out_dir(sys.argv), name, lstm_dropout_classifier(tf, keep))
        print(f"{name} recorded")
    tf.reset_default_graph()
    write_npz(out_dir(sys.argv), "script_variational_dropout_rnn", variational_dropout_rnn(tf))
    print("script_variational_dropout_rnn recorded")
