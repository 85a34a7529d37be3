"""Record what TensorFlow computes for tests/tf1_scripts_contrib.py (run with a Python that has tensorflow).

    python tests/record_contrib_scripts.py

TF 2 has no tf.contrib: tf.contrib.image is tests/contrib_image_reference.py over TF's own kernel. Writes
tests/data/tf_expectations/script_contrib_image_augment.npz.
"""

from __future__ import annotations

from tf_recording import EXPECTATIONS_DIR, save, tf  # first: it sets TF's environment before TF loads

from contrib_image_reference import ContribImageReference
from tf1_scripts_contrib import augment_and_fit

if __name__ == "__main__":
    save(str(EXPECTATIONS_DIR), "script_contrib_image_augment", **augment_and_fit(tf, ContribImageReference(tf)))
