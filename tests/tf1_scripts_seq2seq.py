"""A TF1 neural machine translation script over tf.contrib.seq2seq, written the way users write one, for dfc.

A GRU encoder (dynamic_rnn), a decoder of an LSTM in an AttentionWrapper (Bahdanau attention, normalized,
over the encoder's outputs masked by the source lengths) trained with TrainingHelper + BasicDecoder +
dynamic_decode + sequence_loss for a few Adam steps, then greedy decoding (GreedyEmbeddingHelper) and beam
search (BeamSearchDecoder over tile_batch'ed memory, length penalty) reusing the trained variables.
TF 2 has no contrib: tests/record_seq2seq_scripts.py records the same model written by hand with TF's
primitives (the attention decoder unrolled step by step, beam search over TF's step in numpy);
tests/test_tf1_seq2seq.py runs this script with dfc and compares.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
VOCAB, EMBED, HIDDEN, ATTENTION, BEAM, GO, EOS, MAX_DECODE = 9, 4, 6, 5, 3, 1, 2, 7


def feeds() -> dict:
    """The batch: sources of lengths 5, 3, 4 and targets of lengths 4, 2, 3 (padded with zeros)."""
    rng = np.random.default_rng(5)
    src_len = np.array([5, 3, 4], np.int32)
    tgt_len = np.array([4, 2, 3], np.int32)
    src = rng.integers(3, VOCAB, (3, 5)).astype(np.int32) * (np.arange(5) < src_len[:, None])
    tgt_out = rng.integers(3, VOCAB, (3, 4)).astype(np.int32)
    tgt_out[np.arange(3), tgt_len - 1] = EOS
    tgt_out *= np.arange(4) < tgt_len[:, None]
    tgt_in = np.concatenate([np.full((3, 1), GO, np.int32), tgt_out[:, :-1]], 1) * (np.arange(4) < tgt_len[:, None])
    return {"source": src.astype(np.int32), "source_length": src_len, "target_input": tgt_in.astype(np.int32),
            "target_output": tgt_out.astype(np.int32), "target_length": tgt_len}


def set_variables(tf, sess, seed: int) -> np.ndarray:
    """Each trainable variable, in name order, set from one seeded stream; the names of all global variables."""
    rng = np.random.default_rng(seed)
    sess.run([v.assign((rng.standard_normal(v.shape.as_list()) * 0.5).astype(F32))
              for v in sorted(tf.trainable_variables(), key=lambda v: v.name)])
    return np.array(sorted(v.name for v in tf.global_variables()))


def nmt_attention(tf, Session) -> dict:
    s2s = tf.contrib.seq2seq
    src = tf.placeholder(tf.int32, [None, None], name="source")
    src_len = tf.placeholder(tf.int32, [None], name="source_length")
    tgt_in = tf.placeholder(tf.int32, [None, None], name="target_input")
    tgt_out = tf.placeholder(tf.int32, [None, None], name="target_output")
    tgt_len = tf.placeholder(tf.int32, [None], name="target_length")
    embedding = tf.get_variable("embedding", [VOCAB, EMBED])
    with tf.variable_scope("encoder"):
        enc_out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(HIDDEN), tf.nn.embedding_lookup(embedding, src),
                                       sequence_length=src_len, dtype=tf.float32)
    batch = tf.shape(src)[0]
    projection = tf.layers.Dense(VOCAB, use_bias=False, name="output_projection")

    def attention_cell(memory, lengths, history):
        mechanism = s2s.BahdanauAttention(HIDDEN, memory, memory_sequence_length=lengths, normalize=True)
        return s2s.AttentionWrapper(tf.nn.rnn_cell.BasicLSTMCell(HIDDEN), mechanism, attention_layer_size=ATTENTION,
                                    alignment_history=history)

    with tf.variable_scope("decode"):
        cell = attention_cell(enc_out, src_len, True)
        helper = s2s.TrainingHelper(tf.nn.embedding_lookup(embedding, tgt_in), tgt_len)
        decoder = s2s.BasicDecoder(cell, helper, cell.zero_state(batch, tf.float32), output_layer=projection)
        outputs, _, train_lengths = s2s.dynamic_decode(decoder)
        weights = tf.sequence_mask(tgt_len, tf.shape(tgt_out)[1], dtype=tf.float32)
        loss = s2s.sequence_loss(outputs.rnn_output, tgt_out, weights)
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    with tf.variable_scope("decode", reuse=True):
        greedy = s2s.BasicDecoder(cell, s2s.GreedyEmbeddingHelper(embedding, tf.fill([batch], GO), EOS),
                                  cell.zero_state(batch, tf.float32), output_layer=projection)
        g_out, g_state, g_len = s2s.dynamic_decode(greedy, maximum_iterations=MAX_DECODE)
    with tf.variable_scope("decode", reuse=True):
        beam_cell = attention_cell(s2s.tile_batch(enc_out, BEAM), s2s.tile_batch(src_len, BEAM), True)
        beam = s2s.BeamSearchDecoder(beam_cell, embedding, tf.fill([batch], GO), EOS,
                                     beam_cell.zero_state(batch * BEAM, tf.float32), BEAM, output_layer=projection,
                                     length_penalty_weight=0.6)
        b_out, b_state, b_len = s2s.dynamic_decode(beam, maximum_iterations=MAX_DECODE)
    data = feeds()
    feed = {src: data["source"], src_len: data["source_length"], tgt_in: data["target_input"],
            tgt_out: data["target_output"], tgt_len: data["target_length"]}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = set_variables(tf, sess, 3)
        losses = []
        for _ in range(3):  # the last step's outputs are those after two updates (one compiled step for all)
            value, _, trained = sess.run([loss, train, {"train_logits": outputs.rnn_output,
                                                        "train_ids": outputs.sample_id,
                                                        "train_lengths": train_lengths}], feed)
            losses.append(value)
        result = sess.run({"greedy_ids": g_out.sample_id, "greedy_logits": g_out.rnn_output, "greedy_lengths": g_len,
                           "greedy_alignments": g_state.alignment_history.stack(),
                           "beam_ids": b_out.predicted_ids, "beam_scores": b_out.beam_search_decoder_output.scores,
                           "beam_step_ids": b_out.beam_search_decoder_output.predicted_ids,
                           "beam_parents": b_out.beam_search_decoder_output.parent_ids, "beam_lengths": b_len,
                           "beam_state_lengths": b_state.lengths, "beam_log_probs": b_state.log_probs,
                           "beam_alignments": b_state.cell_state.alignment_history}, feed)
    return dict(result, **trained, names=names, losses=np.array(losses))
