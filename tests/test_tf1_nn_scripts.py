"""dfc against TensorFlow on whole TF1 scripts over tf.nn's and tf.losses' newer names (tests/tf1_scripts_nn.py),
and TF1's errors for bad arguments to those names.

The scripts' answers were recorded with TensorFlow by tests/record_tf1_scripts_nn.py: variable names,
training losses step by step and the outputs after training, on both backends.
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_nn import SCRIPTS


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_matches_tensorflow(name, backend):
    tf.reset_default_graph()
    actual = SCRIPTS[name](tf, lambda: tf.Session(backend=backend))
    assert_matches_recording(actual, f"script_{name}", lambda key: {"rtol": 2e-4, "atol": 2e-5})
