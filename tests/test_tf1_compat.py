"""docs/tf1_compat.md stays in step with the DSL, and its generator reads names as a TF1 program would."""

from __future__ import annotations

import types

import dfc
from dfc.tools import tf1_compat


def test_the_page_matches_the_dsl() -> None:
    expected = tf1_compat.generate()
    current = tf1_compat.DOC_FILE.read_text()
    assert current == expected, "docs/tf1_compat.md is out of date with the DSL: run `python -m dfc.tools.tf1_compat`"


def test_the_recorded_list_holds_tf1s_main_names() -> None:
    entries = dict(tf1_compat.read_tf_names())
    assert len(entries) > 1500
    for name, kind in [("tf.Session", "class"), ("tf.nn.conv2d", "function"), ("tf.summary.FileWriter", "class"),
                       ("tf.train.AdamOptimizer", "class"), ("tf.layers.dense", "function"), ("tf.nn", "module"),
                       ("tf.float32", "constant"), ("tf.nn.rnn_cell.LSTMCell", "class")]:
        assert entries.get(name) == kind, name


def test_lookup_follows_attributes_like_a_script() -> None:
    fake = types.SimpleNamespace(nn=types.SimpleNamespace(relu=abs))
    assert tf1_compat.lookup(fake, "tf.nn.relu")
    assert not tf1_compat.lookup(fake, "tf.nn.conv2d")
    assert not tf1_compat.lookup(fake, "tf.layers.dense")
    assert tf1_compat.lookup(dfc, "tf.train.GradientDescentOptimizer")


def test_render_counts_and_groups() -> None:
    fake = types.SimpleNamespace(nn=types.SimpleNamespace(relu=abs), Session=object)
    text = tf1_compat.render([("tf.Session", "class"), ("tf.nn.relu", "function"), ("tf.nn.conv2d", "function"),
                              ("tf.nn.rnn_cell.GRUCell", "class")], fake)
    assert "**2 of 4 names provided.**" in text
    assert "| [`tf.nn`](#tfnn) | 1 | 2 |" in text
    assert "- functions: `conv2d`" in text
    assert "## tf.nn.rnn_cell" in text and "- classes: `GRUCell`" in text
