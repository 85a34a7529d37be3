"""The fixed arrays tf.summary's ops summarize, under TensorFlow when recorded and under dfc when tested.

tests/data/tf_expectations/record_summaries_tf.py records TF's summaries of them; tests/test_summary.py
makes dfc's summaries of the same arrays and compares.
"""

from __future__ import annotations

import numpy as np


def summary_inputs() -> dict[str, np.ndarray]:
    """Named arrays: a scalar, histograms' values, images (signed, positive, bytes, non-finite) and audio clips."""
    rng = np.random.RandomState(7)
    return {
        "loss": np.float32(0.25),
        "weights": rng.normal(0, 2, size=(50, 3)).astype(np.float32),
        "counts": np.array([[0, 1, 1, 5], [-3, 0, 2, 100]], np.int32),
        "signed_images": rng.normal(0, 1, size=(2, 4, 5, 1)).astype(np.float32),
        "positive_images": rng.uniform(0, 3, size=(4, 3, 2, 3)).astype(np.float32),
        "byte_images": rng.randint(0, 256, size=(1, 2, 3, 4)).astype(np.uint8),
        "nonfinite_images": np.array([[[[1.0], [np.nan]], [[-2.0], [np.inf]]]], np.float32),
        "stereo": np.clip(rng.normal(0, 0.6, size=(3, 50, 2)), -1.5, 1.5).astype(np.float32),
        "mono": np.sin(np.arange(40, dtype=np.float32) / 3)[None, :].repeat(2, axis=0),
    }
