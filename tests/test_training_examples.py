"""The training examples run end to end with fewer steps: losses fall and the digit models generalize."""

from __future__ import annotations

import importlib
import pathlib
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def examples():
    sys.path.insert(0, str(EXAMPLES))
    try:
        names = ("linear_regression", "digits_softmax", "digits_mlp", "digits_cnn")
        yield {name: importlib.import_module(name) for name in names}
    finally:
        sys.path.remove(str(EXAMPLES))


def test_linear_regression_loss_falls(examples, tmp_path, capsys):
    result = examples["linear_regression"].main(steps=300, plot=str(tmp_path / "fit.png"))
    out = capsys.readouterr().out
    assert result["end_loss"] < 0.5 * result["start_loss"]
    assert "loss at start" in out and "loss at end" in out
    assert 0.5 < float(result["W"][0, 0]) < 3.0


def test_digits_data_is_the_full_set_split_80_20(examples):
    x_train, y_train, x_test, y_test = examples["digits_softmax"].load_digits()
    assert x_train.shape == (1438, 64) and x_test.shape == (359, 64)
    assert x_train.min() >= 0.0 and x_train.max() <= 1.0
    assert sorted(set(y_test.tolist())) == list(range(10))


def test_digits_softmax_learns(examples, capsys):
    result = examples["digits_softmax"].main(epochs=5, quiet=False)
    assert "test accuracy" in capsys.readouterr().out  # plain progress lines when stdout is not a terminal
    assert result["last_loss"] < 0.3 * result["first_loss"]
    assert result["test_accuracy"] >= 0.93


def test_digits_mlp_reaches_95_percent(examples):
    result = examples["digits_mlp"].main(epochs=10, quiet=True)
    assert result["last_loss"] < 0.1 * result["first_loss"]
    assert result["test_accuracy"] >= 0.95
    assert result["steps"] == 10 * 23  # the global step counted every minibatch


def test_digits_cnn_reaches_97_percent(examples):
    result = examples["digits_cnn"].main(epochs=10, quiet=True)
    assert result["last_loss"] < 0.1 * result["first_loss"]
    assert result["test_accuracy"] >= 0.97


def test_progress_bar_on_a_terminal(examples, monkeypatch, capsys):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    with examples["digits_softmax"].Progress(4, "demo", quiet=False) as progress:
        assert progress.bar is not None
        progress.update(4, 0.5, 0.9)
    assert "loss 0.5000" in capsys.readouterr().out
