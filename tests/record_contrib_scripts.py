"""Record what TensorFlow computes for tests/tf1_scripts_contrib.py (run with a Python that has tensorflow).

    python tests/record_contrib_scripts.py

TF 2 has no tf.contrib: tf.contrib.image is tests/contrib_image_reference.py over TF's own kernel, tf.contrib.opt
tests/contrib_opt_reference.py over TF's compat.v1 optimizers and training kernels. Writes
tests/data/tf_expectations/script_contrib_image_augment.npz, script_contrib_image_spline_warps.npz,
script_contrib_opt_train.npz and script_contrib_opt_moving_average.npz.
"""

from __future__ import annotations

from tf_recording import EXPECTATIONS_DIR, save, tf  # first: it sets TF's environment before TF loads

from contrib_image_reference import ContribImageReference
from contrib_opt_reference import contrib_opt
import tempfile

from tf1_scripts_contrib import augment_and_fit, moving_average_training, spline_warps, train_contrib_optimizers

if __name__ == "__main__":
    save(str(EXPECTATIONS_DIR), "script_contrib_image_augment", **augment_and_fit(tf, ContribImageReference(tf)))
    save(str(EXPECTATIONS_DIR), "script_contrib_image_spline_warps", **spline_warps(tf, ContribImageReference(tf)))
    save(str(EXPECTATIONS_DIR), "script_contrib_opt_train", **train_contrib_optimizers(tf, contrib_opt(tf)))
    with tempfile.TemporaryDirectory() as tmp:
        save(str(EXPECTATIONS_DIR), "script_contrib_opt_moving_average",
             **moving_average_training(tf, contrib_opt(tf), tmp))
