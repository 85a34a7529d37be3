"""TensorFlow's recorded answers (tests/data/tf_expectations/), found and read without TensorFlow.

The tests/record_*.py scripts write them under real TensorFlow; the tests compare dfc with them.
"""

from __future__ import annotations

import pathlib

import numpy as np

EXPECTATIONS_DIR = pathlib.Path(__file__).resolve().parent / "data" / "tf_expectations"


def load_recording(name: str) -> dict[str, np.ndarray]:
    """The arrays of EXPECTATIONS_DIR/<name>.npz, read into memory (the file is closed again)."""
    with np.load(EXPECTATIONS_DIR / f"{name}.npz") as f:
        return {k: f[k] for k in f.files}
