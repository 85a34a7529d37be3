"""tf.nn's convolutions and pools against values and gradients recorded with real TensorFlow.

The arrays come from tests/data/tf_expectations/record_conv.py (run where TensorFlow is
installed); this test replays each recorded call through dfc, without TensorFlow.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import dfc as tf
from recordings import EXPECTATIONS_DIR

FILES = sorted(EXPECTATIONS_DIR.glob("conv_*.npz"))


def test_the_recordings_are_here():
    assert len(FILES) >= 19, f"expected the recorded conv cases in {EXPECTATIONS_DIR}"


@pytest.mark.parametrize("backend", ["cpu", "interpreter"])
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_matches_tensorflow(path, backend, tmp_path, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    record = np.load(path)
    spec = json.loads(str(record["spec"]))
    with tf.Graph().as_default():
        feeds = {name: tf.placeholder(tf.float32, record[f"in_{name}"].shape, name=name) for name in spec["inputs"]}
        y = getattr(tf.nn, spec["fn"])(**feeds, **spec["kwargs"])
        grads = tf.gradients(tf.reduce_sum(y * record["proj"]), list(feeds.values()))
        with tf.Session(backend=backend) as sess:
            out, *got = sess.run([y] + grads, {t: record[f"in_{n}"] for n, t in feeds.items()})
    np.testing.assert_allclose(out, record["out"], rtol=1e-4, atol=1e-4)
    for name, g in zip(spec["inputs"], got):
        np.testing.assert_allclose(g, record[f"grad_{name}"], rtol=1e-4, atol=1e-4, err_msg=f"gradient of {name}")
