"""Records TF 2.21 tf_keras's tf.keras.preprocessing answers (keras_preprocessing_cases.py) into
tests/data/tf_expectations/keras_preprocessing.npz. Run with /work/bench-venv/bin/python
tests/record_keras_preprocessing.py
[DIR]: tf_keras's image transforms need scipy and PIL, which bench-venv lacks; DIR (a folder holding them for the same
Python and numpy, e.g. a link to dfc's venv's) is put on the path for it."""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
if len(sys.argv) > 1:
    sys.path.append(sys.argv[1])
os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from keras_preprocessing_cases import run_all  # noqa: E402
from recordings import EXPECTATIONS_DIR  # noqa: E402


def main() -> None:
    import tf_keras
    with tempfile.TemporaryDirectory() as tmp:
        arrays = run_all(tf_keras.preprocessing, tmp)
    np.savez(EXPECTATIONS_DIR / "keras_preprocessing.npz", **arrays)
    print(f"keras_preprocessing: {len(arrays)} arrays")


if __name__ == "__main__":
    main()
