"""dfc's tf.contrib.seq2seq against TensorFlow: a whole NMT script (tests/tf1_scripts_seq2seq.py) compared with the
same model written by hand in TF (tests/record_seq2seq_scripts.py), and TF1's errors for bad arguments."""

from __future__ import annotations

import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_seq2seq import nmt_attention


@pytest.mark.parametrize("backend", ["cpu"])
def test_nmt_attention_script_matches_tensorflow(backend):
    """Variable names, three Adam steps' losses, the training outputs, greedy decoding (ids, logits, lengths,
    alignment history) and beam search (hypotheses, scores, parents, lengths) as TF computes them."""
    tf.reset_default_graph()
    actual = nmt_attention(tf, lambda: tf.Session(backend=backend))
    assert_matches_recording(actual, "script_seq2seq_nmt_attention", lambda key: {"rtol": 2e-4, "atol": 2e-5})
