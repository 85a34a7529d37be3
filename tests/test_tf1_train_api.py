"""dfc against real TensorFlow on the TF1 training-API programs of tests/tf1_train_api_cases.py.

The expectations were recorded with TensorFlow by tests/record_tf1_train_api.py; these tests need
no TensorFlow.
"""

from __future__ import annotations

import numpy as np
import pytest
from recordings import load_recording
from tf1_train_api_cases import CASES

import dfc as tf


@pytest.mark.parametrize("name", sorted(CASES))
def test_program_matches_tensorflow(name, tmp_path):
    tf.reset_default_graph()
    actual = CASES[name](tf, str(tmp_path))
    expected = load_recording(f"trainapi_{name}")
    assert sorted(actual) == sorted(expected)
    for key, want in expected.items():
        got = np.asarray(actual[key])
        if want.dtype.kind in "fc":
            np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6, err_msg=f"{name}: {key}")
        else:
            want = np.array([w.decode() if isinstance(w, bytes) else w for w in want.reshape(-1)]).reshape(want.shape)
            got = np.array([g.decode() if isinstance(g, bytes) else g for g in got.reshape(-1)]).reshape(got.shape)
            assert got.tolist() == want.tolist(), f"{name}: {key}: {got!r} != {want!r}"
