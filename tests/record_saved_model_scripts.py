"""Record what real TensorFlow exports and serves for the SavedModel scripts of tests/tf1_scripts_saved_model.py.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_saved_model_scripts.py

Each saver writes tests/data/tf_expectations/saved_model_<saver>.npz, each serving
saved_model_serve_<name>.npz.
"""

from __future__ import annotations

import os
import tempfile

from tf1_scripts_saved_model import SAVERS, SERVINGS, serve
from tf_recording import EXPECTATIONS_DIR, save, tf

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as root:
        for name, script in SAVERS.items():
            tf.reset_default_graph()
            save(EXPECTATIONS_DIR, f"saved_model_{name}", **script(tf, os.path.join(root, name)))
        for name, (saver, tags, key, scope, feeds) in SERVINGS.items():
            tf.reset_default_graph()
            save(EXPECTATIONS_DIR, f"saved_model_serve_{name}", **serve(tf, os.path.join(root, saver), tags, key,
                                                                         scope, feeds))
