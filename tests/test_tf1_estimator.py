"""tf.estimator and tf.feature_column against TensorFlow: user-style Estimator scripts (tests/tf1_scripts_estimator.py)
compared with the hand-written TF1 graphs they equal, recorded by tests/record_tf1_scripts_estimator.py; and TF 1.15's
errors for bad arguments."""

from __future__ import annotations

import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_estimator import SCRIPTS


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_estimator_script_matches_tensorflow(name, tmp_path):
    tf.reset_default_graph()
    actual = SCRIPTS[name][0](tf, str(tmp_path))
    assert_matches_recording(actual, f"estimator_{name}", lambda key: {"rtol": 2e-4, "atol": 2e-5})


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_feature_columns_match_tensorflow(backend, monkeypatch):
    from tf1_scripts_estimator import BOTH
    tf.reset_default_graph()
    real_session = tf.Session
    monkeypatch.setattr(tf, "Session", lambda *a, **k: real_session(*a, backend=backend, **k))
    actual = BOTH["feature_columns"](tf)
    assert_matches_recording(actual, "estimator_feature_columns", lambda key: {"rtol": 2e-5, "atol": 2e-6})
