"""The array area's TF1 scripts (tests/tf1_scripts_array.py) on each backend against TensorFlow's recordings."""

from __future__ import annotations

import pytest

import dfc
from recordings import assert_matches_recording
from tf1_scripts_array import SCRIPTS


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_matches_tensorflow(name, backend):
    dfc.reset_default_graph()
    actual = SCRIPTS[name](dfc, lambda: dfc.Session(backend=backend))
    assert_matches_recording(actual, f"script_{name}", lambda key: {"rtol": 1e-4, "atol": 1e-5})
