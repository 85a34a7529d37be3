"""dfc's tf.contrib.rnn against TensorFlow: a sequence tagger over contrib's cells and wrappers
(tests/tf1_scripts_contrib_rnn.py) compared with the recording of tests/record_contrib_rnn_scripts.py, and TF1's
errors for bad arguments."""

from __future__ import annotations

import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_contrib_rnn import tagger


def test_contrib_rnn_tagger_matches_tensorflow():
    """Variable names, two Adam steps' losses, every layer's outputs and final states after training."""
    tf.reset_default_graph()
    actual = tagger(tf, tf.contrib.rnn, lambda: tf.Session(backend="cpu"))
    assert_matches_recording(actual, "script_contrib_rnn_tagger", lambda key: {"rtol": 2e-4, "atol": 2e-5})


ERRORS = [
    (lambda r, x: r.stack_bidirectional_dynamic_rnn([], [r.GRUBlockCell(2)], x, dtype=tf.float32), ValueError,
     "fw cell"),
    (lambda r, x: r.stack_bidirectional_dynamic_rnn([r.GRUBlockCell(2)], [r.GRUBlockCell(2)] * 2, x,
                                                    dtype=tf.float32), ValueError, "same depth"),
    (lambda r, x: r.stack_bidirectional_dynamic_rnn(r.GRUBlockCell(2), [r.GRUBlockCell(2)], x, dtype=tf.float32),
     ValueError, "list"),
    (lambda r, x: r.GRUBlockCell(), ValueError, "num_units"),
    (lambda r, x: r.OutputProjectionWrapper(r.GRUBlockCell(2), 0), ValueError, "output_size"),
    (lambda r, x: r.AttentionCellWrapper(r.GRUBlockCell(2), 0), ValueError, "attn_length"),
    (lambda r, x: r.HighwayWrapper(r.GRUBlockCell(5))(x[:, 0], tf.zeros([2, 5])), ValueError, "same shape"),
    (lambda r, x: r.LSTMBlockFusedCell(3)(x[0], dtype=tf.float32), ValueError, "time, batch"),
    (lambda r, x: r.EmbeddingWrapper(r.GRUBlockCell(2), 5, 3)(x[:, 0], tf.zeros([2, 2])), TypeError, "integer"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_arguments_raise_tf1s_errors(index):
    build, error, word = ERRORS[index]
    tf.reset_default_graph()
    with pytest.raises(error, match=word):
        build(tf.contrib.rnn, tf.placeholder(tf.float32, [2, 3, 4], name="sequence"))
