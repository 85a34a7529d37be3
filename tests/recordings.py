"""TensorFlow's recorded answers (tests/data/tf_expectations/), found and read without TensorFlow.

The tests/record_*.py scripts write them under real TensorFlow; the tests compare dfc with them.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import numpy as np

EXPECTATIONS_DIR = pathlib.Path(__file__).resolve().parent / "data" / "tf_expectations"


def load_recording(name: str) -> dict[str, np.ndarray]:
    """The arrays of EXPECTATIONS_DIR/<name>.npz, read into memory (the file is closed again)."""
    with np.load(EXPECTATIONS_DIR / f"{name}.npz") as f:
        return {k: f[k] for k in f.files}


def assert_matches_recording(actual: dict[str, Any], name: str, tolerance: Callable[[str], dict]) -> None:
    """dfc's arrays `actual` hold the keys of recording `name`, each close to TF's within `tolerance(key)`
    (assert_allclose's rtol and atol); strings must be equal."""
    expected = load_recording(name)
    assert sorted(actual) == sorted(expected)
    for key, want in expected.items():
        got = np.asarray(actual[key])
        if want.dtype.kind in "USO":
            assert got.tolist() == want.tolist(), key
        else:
            np.testing.assert_allclose(got, want, err_msg=key, **tolerance(key))
