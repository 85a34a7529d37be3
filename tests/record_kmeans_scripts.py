"""Record what real TensorFlow computes for the k-means scripts of tests/tf1_scripts_kmeans.py (SCRIPTS).

    python tests/record_kmeans_scripts.py [OUT_DIR]

TF 2.x keeps TF1's KMeans (what tf.contrib.factorization exported) in tensorflow.python.ops.clustering_ops.
Each script writes OUT_DIR/script_kmeans_<name>.npz (default tests/data/tf_expectations/);
tests/test_kmeans.py runs them with dfc on both backends and compares.
"""

from __future__ import annotations

import sys

from tf1_scripts_kmeans import MINI_BATCH_RECORDED, SCRIPTS
from tf_recording import out_dir, save, tf

from tensorflow.python.ops import clustering_ops  # noqa: E402  (after tf_recording set TF up)

if __name__ == "__main__":
    for name, script in SCRIPTS.items():
        tf.reset_default_graph()
        arrays = script(tf, tf.Session, clustering_ops)
        if name.startswith("mini_batch"):
            arrays = {key: arrays[key] for key in MINI_BATCH_RECORDED}
        save(out_dir(sys.argv), f"script_kmeans_{name}", **arrays)
