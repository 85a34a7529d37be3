"""The seed programs (examples/seeds/) run with `import dfc as tf` and print what they should."""

from __future__ import annotations

import runpy

import numpy as np
import pytest

import dfc as tf
from seed_programs import SEEDS



pytestmark = pytest.mark.usefixtures("fresh_graph")


def run_seed(name: str, capsys) -> tuple[dict, str]:
    scope = runpy.run_path(str(SEEDS / name), run_name="__main__")
    return scope, capsys.readouterr().out


def test_constants_add_to_seven(capsys):
    scope, out = run_seed("constants.py", capsys)
    assert out.strip() == "7.0"
    assert scope["node3"].dtype is tf.float32


def test_relu_layer_runs_with_a_fed_batch(capsys):
    scope, out = run_seed("relu_layer.py", capsys)
    assert out.startswith("(100, 100) float32")
    sess, h, x = scope["sess"], scope["h"], scope["x"]
    batch = np.random.default_rng(1).random((100, 784))
    got = sess.run(h, {x: batch})
    W, b = sess.run([scope["W"], scope["b"]])
    np.testing.assert_allclose(got, np.maximum(batch.astype(np.float32) @ W + b, 0), rtol=1e-4, atol=1e-4)
    assert (-1 <= W).all() and (W < 1).all() and (b == 0).all()


def test_softmax_cross_entropy_evaluates(capsys):
    scope, out = run_seed("softmax_model.py", capsys)
    assert abs(float(out) - np.log(10)) < 0.1  # near-zero weights: uniform predictions


def test_linear_regression_loss_evaluates(capsys):
    scope, out = run_seed("linear_regression_loss.py", capsys)
    loss = float(out)
    assert np.isfinite(loss) and loss > 0
    assert scope["W"].name == "linear-regression/weights:0" and scope["b"].name == "linear-regression/bias:0"


def test_parameter_server_places_ops(capsys):
    scope, out = run_seed("parameter_server.py", capsys)
    assert "[(25, 100), (25, 100), (25, 100), (25, 100)]" in out
    assert scope["W"].device.startswith("/job:ps/task:0")
    assert [o.device for o in scope["outputs"]] == [f"/job:worker/task:{i}/device:GPU:0" for i in range(4)]
