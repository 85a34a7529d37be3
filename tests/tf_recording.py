"""What the tests/record_*.py scripts share: real TensorFlow in TF1 graph mode, and saving its answers as .npz.

Imported only by those scripts, under a Python that has tensorflow installed (the tests never need it):
importing this module sets TF up once, quietly and with plain kernels, so every recording is made alike.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from recordings import EXPECTATIONS_DIR

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain kernels: no reordered float sums
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.keras as TF1's Keras (tf-keras), which runs in graph mode

import tensorflow.compat.v1 as tf  # noqa: E402

tf.disable_v2_behavior()
tf.logging.set_verbosity(tf.logging.ERROR)

F32 = np.float32


def out_dir(argv: Sequence[str]) -> str:
    """The output folder a script was given as its first argument, else EXPECTATIONS_DIR."""
    return argv[1] if len(argv) > 1 else str(EXPECTATIONS_DIR)


def write_npz(out: str, name: str, arrays: dict) -> None:
    """Write `arrays` to OUT/NAME.npz (the folder made if missing)."""
    os.makedirs(out, exist_ok=True)
    np.savez(os.path.join(out, f"{name}.npz"), **{k: np.asarray(v) for k, v in arrays.items()})


def save(out: str, name: str, /, **arrays) -> None:
    """Write OUT/NAME.npz and say which arrays it holds."""
    write_npz(out, name, arrays)
    print(f"{name}: {', '.join(sorted(arrays))}")
