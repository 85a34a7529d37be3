"""dfc's tf.contrib.rnn against TensorFlow: a sequence tagger over contrib's cells and wrappers
(tests/tf1_scripts_contrib_rnn.py) compared with the recording of tests/record_contrib_rnn_scripts.py, and TF1's
errors for bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_contrib_rnn import legacy_translate, tagger


def test_contrib_rnn_tagger_matches_tensorflow():
    """Variable names, two Adam steps' losses, every layer's outputs and final states after training."""
    tf.reset_default_graph()
    actual = tagger(tf, tf.contrib.rnn, lambda: tf.Session(backend="cpu"))
    assert_matches_recording(actual, "script_contrib_rnn_tagger", lambda key: {"rtol": 2e-4, "atol": 2e-5})


def test_legacy_translate_matches_tensorflow():
    """legacy_seq2seq's embedding_attention_seq2seq (two heads) trained with its sequence_loss, then decoding with
    feed_previous in a reusing scope: variable names, losses, outputs, per-example losses, greedy outputs."""
    tf.reset_default_graph()
    actual = legacy_translate(tf, tf.contrib.legacy_seq2seq, lambda: tf.Session(backend="cpu"))
    assert_matches_recording(actual, "script_legacy_seq2seq_translate", lambda key: {"rtol": 2e-4, "atol": 2e-5})


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


def test_model_with_buckets_shares_one_models_variables():
    """Each bucket builds the model on its cut of the inputs with the first bucket's variables; per_example_loss
    gives each example's loss; basic and tied models and embedding_rnn_seq2seq build and run."""
    import numpy as np
    tf.reset_default_graph()
    legacy = tf.contrib.legacy_seq2seq
    enc = [tf.placeholder(tf.int32, [2], name=f"e{i}") for i in range(4)]
    dec = [tf.placeholder(tf.int32, [2], name=f"d{i}") for i in range(3)]
    weights = [tf.ones([2]) for _ in range(3)]

    def model(e, d):
        return legacy.embedding_rnn_seq2seq(e, d, tf.nn.rnn_cell.GRUCell(4), 6, 5, 3)
    outputs, losses = legacy.model_with_buckets(enc, dec, dec, weights, [(2, 2), (4, 3)], model)
    with tf.variable_scope(tf.get_variable_scope(), reuse=True):  # a second model: TF1 needs the reuse said
        _, per_example = legacy.model_with_buckets(enc, dec, dec, weights, [(4, 3)], model, per_example_loss=True)
    names = {v.name for v in tf.trainable_variables()}
    assert len(names) == 12 and all(n.startswith("embedding_rnn_seq2seq/") for n in names), sorted(names)
    steps = [tf.zeros([2, 3]) + float(i) for i in range(3)]
    basic, _ = legacy.basic_rnn_seq2seq(steps, steps, tf.nn.rnn_cell.BasicRNNCell(3))
    tied, _ = legacy.tied_rnn_seq2seq(steps, steps, tf.nn.rnn_cell.BasicRNNCell(3))
    feed = {p: np.array([1, 2], np.int32) for p in enc + dec}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        bucket_losses, example, first = sess.run([losses, per_example[0], outputs[0]], feed)
        basic_out, tied_out = sess.run([basic, tied])
    assert len(first) == 2 and first[0].shape == (2, 5) and example.shape == (2,)
    assert np.isfinite(bucket_losses).all() and len(basic_out) == len(tied_out) == 3


LEGACY_ERRORS = [
    (lambda s: s.sequence_loss_by_example([tf.zeros([2, 3])], [], [tf.ones([2])]), ValueError, "Lengths"),
    (lambda s: s.attention_decoder([], None, tf.zeros([2, 3, 4]), tf.nn.rnn_cell.GRUCell(2)), ValueError,
     "at least 1 input"),
    (lambda s: s.attention_decoder([tf.zeros([2, 3])], None, tf.zeros([2, 3, 4]), tf.nn.rnn_cell.GRUCell(2),
                                   num_heads=0), ValueError, "heads"),
    (lambda s: s.attention_decoder([tf.zeros([2, 3])], None, tf.placeholder(tf.float32, [2, 3, None], name="states"),
                                   tf.nn.rnn_cell.GRUCell(2)), ValueError, "states"),
    (lambda s: s.model_with_buckets([1], [1], [1], [1], [(2, 1)], None), ValueError, "encoder_inputs"),
]


@pytest.mark.parametrize("index", range(len(LEGACY_ERRORS)))
def test_legacy_seq2seq_bad_arguments_raise_tf1s_errors(index):
    build, error, word = LEGACY_ERRORS[index]
    tf.reset_default_graph()
    with pytest.raises(error, match=word):
        build(tf.contrib.legacy_seq2seq)


def test_embedding_decoder_fed_its_previous_output_can_hold_the_embedding_fixed():
    """update_embedding_for_previous=False: the looped-back embedding lookups pass no gradient to the embedding
    (only the first decoder input's lookup does), as TF's legacy_seq2seq."""
    with tf.Graph().as_default():
        inputs = [tf.constant([1, 2]), tf.constant([3, 4]), tf.constant([5, 6])]
        cell = tf.nn.rnn_cell.GRUCell(4)
        state = tf.zeros([2, 4])
        results = {}
        for update in (True, False):
            with tf.variable_scope(f"update_{update}", initializer=tf.random_uniform_initializer(-1, 1, seed=3)):
                outputs, _ = tf.contrib.legacy_seq2seq.embedding_rnn_decoder(
                    inputs, state, cell, 7, 3, output_projection=None, feed_previous=True,
                    update_embedding_for_previous=update)
                embedding = [v for v in tf.global_variables() if v.name.startswith(f"update_{update}/") and
                             "embedding" in v.name][0]
                grad = tf.gradients(tf.reduce_sum(outputs[-1]), embedding)[0]
                results[update] = tf.convert_to_tensor(grad)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            held, updated = sess.run(results[False]), sess.run(results[True])
        touched = lambda g: sorted(set(np.nonzero(np.abs(g).sum(axis=1))[0].tolist()))  # noqa: E731
        assert touched(held) == [1, 2]  # the first input's ids only
        assert not np.allclose(held, updated)  # the same weights: only the looped-back lookups' gradients differ
