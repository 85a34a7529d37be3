"""dfc's tf.contrib.seq2seq against TensorFlow: a whole NMT script (tests/tf1_scripts_seq2seq.py) compared with the
same model written by hand in TF (tests/record_seq2seq_scripts.py), and TF1's errors for bad arguments."""

from __future__ import annotations

import numpy as np
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


def _decoder_parts():
    tf.reset_default_graph()
    memory = tf.placeholder(tf.float32, [2, 4, 3], name="memory")
    inputs = tf.placeholder(tf.float32, [2, 5, 3], name="decoder_inputs")
    lengths = tf.placeholder(tf.int32, [2], name="lengths")
    return memory, inputs, lengths


def test_decoding_semantics_hold_on_the_interpreter_and_cpu():
    """impute_finished zeros a finished row's outputs and holds its state; output_time_major transposes; a
    ScheduledEmbeddingTrainingHelper that never samples is a TrainingHelper; InferenceHelper and CustomHelper
    drive the loop with the user's functions; multiple Luong mechanisms concatenate their attentions."""
    memory, inputs, lengths = _decoder_parts()
    s2s = tf.contrib.seq2seq
    mechanisms = [s2s.LuongAttention(3, memory, memory_sequence_length=[4, 2], scale=True),
                  s2s.BahdanauAttention(2, memory, name="second")]
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.GRUCell(3), mechanisms, attention_layer_size=[2, 3])
    assert cell.output_size == 5 and cell.state_size.alignments == (4, 4)
    init = cell.zero_state(2, tf.float32)
    plain, plain_state, plain_len = s2s.dynamic_decode(
        s2s.BasicDecoder(cell, s2s.TrainingHelper(inputs, lengths), init))
    imputed, imputed_state, _ = s2s.dynamic_decode(
        s2s.BasicDecoder(cell, s2s.TrainingHelper(inputs, lengths), init), impute_finished=True,
        output_time_major=True)
    embedding = tf.constant(np.eye(3, dtype=np.float32)[[0, 1, 2, 0, 1, 2, 0]])
    scheduled, _, _ = s2s.dynamic_decode(s2s.BasicDecoder(
        cell, s2s.ScheduledEmbeddingTrainingHelper(inputs, lengths, embedding, 0.0), init))
    inference = s2s.InferenceHelper(lambda out: tf.nn.softmax(out[:, :3]), [3], tf.float32, tf.zeros([2, 3]),
                                    lambda sample: tf.reduce_max(sample, -1) > 0.6)
    inferred, _, inferred_len = s2s.dynamic_decode(s2s.BasicDecoder(cell, inference, init), maximum_iterations=4)
    custom = s2s.CustomHelper(lambda: (tf.constant([False, False]), tf.ones([2, 3])),
                              lambda time, outputs, state: tf.argmax(outputs, -1, output_type=tf.int32),
                              lambda time, outputs, state, sample_ids: (tf.fill([2], time >= 2), outputs[:, :3],
                                                                       state))
    customized, _, custom_len = s2s.dynamic_decode(s2s.BasicDecoder(cell, custom, init))
    feed = {memory: np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32),
            inputs: np.random.default_rng(1).standard_normal((2, 5, 3)).astype(np.float32), lengths: [5, 2]}
    fetches = [plain.rnn_output, plain_len, imputed.rnn_output, plain_state.cell_state, imputed_state.cell_state,
               scheduled.rnn_output, inferred.sample_id, inferred_len, customized.sample_id, custom_len,
               plain_state.alignments[0]]
    results = []
    for backend in ("interpreter", "cpu"):
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            results.append(sess.run(fetches, feed))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    out, out_len, imp, state, imp_state, sched, samples, sample_len, cust, cust_len, align = results[1]
    assert out.shape == (2, 5, 5) and list(out_len) == [5, 2]
    np.testing.assert_allclose(imp.transpose(1, 0, 2)[1, :2], out[1, :2], rtol=1e-6)
    assert not imp[2:, 1].any()  # row 1 finished after 2 steps: its outputs are zeros
    np.testing.assert_allclose(imp_state[0], state[0], rtol=1e-6)  # row 0 ran all its steps either way
    assert not np.allclose(imp_state[1], state[1])  # row 1's state was held at step 2
    np.testing.assert_allclose(sched, out, rtol=1e-6)
    assert samples.shape[0] == 2 and samples.shape[1] == sample_len.max() <= 4
    assert list(cust_len) == [3, 3] and cust.shape == (2, 3)
    assert not align[1, 2:].any() and align[0, 2:].all()  # the first memory's row 1 has length 2: no attention past it


ERRORS = [
    (lambda s, t: s.sequence_loss(t["logits"][0], t["targets"], t["weights"]), ValueError, "logits"),
    (lambda s, t: s.sequence_loss(t["logits"], t["weights"], t["weights"][0]), ValueError, "Weights"),
    (lambda s, t: s.sequence_loss(t["logits"], t["targets"], t["weights"], sum_over_timesteps=True), ValueError,
     "sum_over_timesteps"),
    (lambda s, t: s.TrainingHelper(t["logits"], t["targets"]), ValueError, "sequence_length"),
    (lambda s, t: s.TrainingHelper(t["logits"], t["weights"][0]), TypeError, "sequence_length"),
    (lambda s, t: s.GreedyEmbeddingHelper(t["embedding"], 1, 2), ValueError, "start_tokens"),
    (lambda s, t: s.GreedyEmbeddingHelper(t["embedding"], [1, 1], [2]), ValueError, "end_token"),
    (lambda s, t: s.BasicDecoder(tf.nn.rnn_cell.GRUCell(2), "helper", None), TypeError, "Helper"),
    (lambda s, t: s.BasicDecoder(tf.nn.rnn_cell.GRUCell(2), s.TrainingHelper(t["logits"], [2, 2]), None,
                                 output_layer=lambda x: x), TypeError, "output_layer"),
    (lambda s, t: s.dynamic_decode("decoder"), TypeError, "Decoder"),
    (lambda s, t: s.AttentionWrapper(tf.nn.rnn_cell.GRUCell(2), "attention"), TypeError, "AttentionMechanism"),
    (lambda s, t: s.AttentionWrapper(tf.nn.rnn_cell.GRUCell(2), s.LuongAttention(4, t["logits"]),
                                     attention_layer_size=[2, 3]), ValueError, "attention_layer_size"),
    (lambda s, t: s.LuongAttention(4, t["logits"])(t["weights"], None), ValueError, "Incompatible"),
    (lambda s, t: s.tile_batch(tf.placeholder(tf.float32), 2), ValueError, "rank"),
    (lambda s, t: s.monotonic_attention(t["weights"], t["weights"], "soft"), ValueError, "mode"),
    (lambda s, t: s.BeamSearchDecoder(tf.nn.rnn_cell.GRUCell(2), t["embedding"], [[1, 1]], 2, tf.zeros([2, 2]), 3),
     ValueError, "start_tokens"),
    (lambda s, t: s.BeamSearchDecoder(tf.nn.rnn_cell.GRUCell(2), t["embedding"], [1, 1], 2, tf.zeros([2, 2]), 3),
     ValueError, "beam_width"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_arguments_raise_tf1s_errors(index):
    build, error, word = ERRORS[index]
    tf.reset_default_graph()
    tensors = {"logits": tf.placeholder(tf.float32, [2, 3, 4], name="logits"),
               "targets": tf.placeholder(tf.int32, [2, 3], name="targets"),
               "weights": tf.placeholder(tf.float32, [2, 3], name="weights"),
               "embedding": tf.placeholder(tf.float32, [5, 2], name="embedding")}
    with pytest.raises(error, match=word):
        build(tf.contrib.seq2seq, tensors)


def test_monotonic_attention_coverage_penalty_and_bool_samples_decode():
    """Monotonic mechanisms (parallel, hard, recursive) inside AttentionWrapper under a ScheduledOutputTrainingHelper
    (bool sample ids, auxiliary inputs), and a beam search with coverage and length penalties, output_time_major."""
    tf.reset_default_graph()
    s2s = tf.contrib.seq2seq
    memory = tf.constant(np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32))
    inputs = tf.constant(np.random.default_rng(1).standard_normal((2, 5, 3)).astype(np.float32))
    mechanisms = [s2s.BahdanauMonotonicAttention(3, memory, memory_sequence_length=[4, 3], normalize=True,
                                                 score_bias_init=-1.0),
                  s2s.LuongMonotonicAttention(3, memory, scale=True, mode="hard"),
                  s2s.LuongMonotonicAttention(3, memory, mode="recursive")]
    fetches = {}
    for i, mechanism in enumerate(mechanisms):
        with tf.variable_scope(f"monotonic{i}"):
            cell = s2s.AttentionWrapper(tf.nn.rnn_cell.GRUCell(3), mechanism, output_attention=False,
                                        alignment_history=True)
            helper = s2s.ScheduledOutputTrainingHelper(inputs, [5, 3], 0.5, auxiliary_inputs=inputs[:, :, :1])
            out, state, _ = s2s.dynamic_decode(s2s.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32)))
            fetches[f"samples{i}"], fetches[f"history{i}"] = out.sample_id, state.alignment_history.stack()
    beams = 2
    tiled = s2s.tile_batch(memory, beams)
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.GRUCell(3), s2s.BahdanauAttention(
        3, tiled, memory_sequence_length=s2s.tile_batch(tf.constant([4, 2]), beams)), attention_layer_size=4)
    decoder = s2s.BeamSearchDecoder(cell, tf.get_variable("embedding", [6, 3]), [1, 1], 2,
                                    cell.zero_state(2 * beams, tf.float32), beams, output_layer=tf.layers.Dense(6),
                                    coverage_penalty_weight=0.3, length_penalty_weight=1.0)
    out, state, _ = s2s.dynamic_decode(decoder, maximum_iterations=4, output_time_major=True)
    fetches["beam_ids"], fetches["coverage"] = out.predicted_ids, state.accumulated_attention_probs
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(fetches)
    assert got["samples0"].dtype == bool and got["samples0"].shape == (2, 5)
    for i in range(3):
        history = got[f"history{i}"]
        assert history.shape == (5, 2, 4) and (history >= 0).all() and (history.sum(-1) <= 1 + 1e-5).all()
    assert not got["history0"][:, 1, 3].any()  # row 1's memory has length 3
    assert set(np.unique(got["history1"])) <= {0.0, 1.0}  # hard monotonic attention: at most one entry chosen
    assert got["beam_ids"].shape[1:] == (2, beams) and got["beam_ids"].shape[0] <= 4
    assert got["coverage"].shape == (2, beams, 4) and not got["coverage"][1, :, 2:].any()


def test_a_loop_computed_count_sizes_a_step_unless_the_loop_draws_random_numbers():
    """The Session computes a shape-deciding value made by a tf.while_loop of repeatable ops (variables read, no
    writes) ahead of the step, as dynamic_decode's step count needs; a loop that samples, with its draws."""
    tf.reset_default_graph()
    total = tf.placeholder(tf.float32, [None], name="total")
    step = tf.get_variable("step", [], initializer=tf.constant_initializer(0.5))
    count = tf.while_loop(lambda i, s: s < tf.reduce_sum(total), lambda i, s: (i + 1, s + step), [0, 0.0])[0]
    sized = tf.cast(tf.range(count), tf.float32) * step
    noisy = tf.while_loop(lambda i, s: s < 2.0, lambda i, s: (i + 1, s + tf.random_uniform([])), [0, 0.0],
                          name="sampling_loop")[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(sized, {total: [1.0, 2.0]}), np.arange(6) * 0.5)
        np.testing.assert_allclose(sess.run(sized, {total: [0.2]}), [0.0])
        zeros = tf.zeros(tf.stack([noisy]))
        for _ in range(3):  # a sampling loop's count: computed with its draws, which the step is then fed
            got, trips = sess.run([zeros, noisy])
            assert got.shape == (trips,) and trips >= 1
