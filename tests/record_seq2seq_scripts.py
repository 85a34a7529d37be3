"""Record what TensorFlow computes for tests/tf1_scripts_seq2seq.py's NMT script, the model written by hand.

TF 2 has no tf.contrib.seq2seq, so this builds the same model from TF's primitives with the variable names TF
1.15's seq2seq gives them: the encoder is TF's own dynamic_rnn over its GRUCell; the attention decoder (an LSTM
whose input is [embedding, previous attention], Bahdanau's normalized score masked past the source length,
softmax alignments, the context, the attention layer, the output projection) is unrolled step by step for
training with sequence_loss's weighted cross entropy and Adam; greedy decoding and beam search (TF 1.15's
dynamic_decode, GreedyEmbeddingHelper and BeamSearchDecoder rules, in numpy) drive one TF step of the same
decoder. Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_seq2seq_scripts.py

It writes tests/data/tf_expectations/script_seq2seq_nmt_attention.npz.
"""

from __future__ import annotations

import numpy as np
from seq2seq_reference import gather_tree_numpy
from tf1_scripts_seq2seq import (ATTENTION, BEAM, EMBED, EOS, GO, HIDDEN, MAX_DECODE, VOCAB, feeds,
                                 set_variables)
from tf_recording import EXPECTATIONS_DIR, save, tf


def _gru_cell():
    from tensorflow.python.keras.layers.legacy_rnn import rnn_cell_impl
    return rnn_cell_impl.GRUCell(HIDDEN)


class HandWrittenDecoder:
    """The attention decoder's variables (TF 1.15's names) and one step of it."""

    def __init__(self, enc_out, src_len):
        with tf.variable_scope("decode"):
            mask = tf.sequence_mask(src_len, tf.shape(enc_out)[1], dtype=tf.float32)
            self.values = enc_out * mask[:, :, None]
            self.score_mask = tf.cast(mask, tf.bool)
            w_memory = tf.get_variable("memory_layer/kernel", [HIDDEN, HIDDEN])
            self.keys = tf.einsum("bth,hu->btu", self.values, w_memory)
            with tf.variable_scope("decoder"):
                with tf.variable_scope("attention_wrapper"):
                    self.lstm_kernel = tf.get_variable("basic_lstm_cell/kernel",
                                                       [EMBED + ATTENTION + HIDDEN, 4 * HIDDEN])
                    self.lstm_bias = tf.get_variable("basic_lstm_cell/bias", [4 * HIDDEN])
                    with tf.variable_scope("bahdanau_attention"):
                        self.w_query = tf.get_variable("query_layer/kernel", [HIDDEN, HIDDEN])
                        self.v = tf.get_variable("attention_v", [HIDDEN])
                        self.g = tf.get_variable("attention_g", [])
                        self.b = tf.get_variable("attention_b", [HIDDEN])
                    self.w_attention = tf.get_variable("attention_layer/kernel", [2 * HIDDEN, ATTENTION])
                self.w_out = tf.get_variable("output_projection/kernel", [ATTENTION, VOCAB])

    def step(self, x, c, h, attention, rows=None):
        """(logits, c, h, attention, alignments) of one step; rows picks each state row's memory entry."""
        keys, values, score_mask = self.keys, self.values, self.score_mask
        if rows is not None:
            keys, values, score_mask = (tf.gather(t, rows) for t in (keys, values, score_mask))
        gates = tf.matmul(tf.concat([x, attention, h], 1), self.lstm_kernel) + self.lstm_bias
        i, j, f, o = tf.split(gates, 4, 1)
        c = c * tf.sigmoid(f + 1.0) + tf.sigmoid(i) * tf.tanh(j)
        h = tf.tanh(c) * tf.sigmoid(o)
        query = tf.matmul(h, self.w_query)
        normed_v = self.g * self.v / tf.sqrt(tf.reduce_sum(self.v * self.v))
        score = tf.reduce_sum(normed_v * tf.tanh(keys + query[:, None, :] + self.b), 2)
        score = tf.where(score_mask, score, tf.fill(tf.shape(score), -np.inf))
        alignments = tf.nn.softmax(score)
        context = tf.reduce_sum(alignments[:, :, None] * values, 1)
        attention = tf.matmul(tf.concat([h, context], 1), self.w_attention)
        return tf.matmul(attention, self.w_out), c, h, attention, alignments


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(-1, keepdims=True)
    return (shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))).astype(np.float32)


def greedy(run_step, batch: int) -> dict:
    """TF 1.15's dynamic_decode(maximum_iterations) over GreedyEmbeddingHelper, without impute_finished."""
    state = [np.zeros((batch, HIDDEN), np.float32), np.zeros((batch, HIDDEN), np.float32),
             np.zeros((batch, ATTENTION), np.float32)]
    ids = np.full(batch, GO, np.int32)
    finished = np.zeros(batch, bool)
    lengths = np.zeros(batch, np.int32)
    logits_seq, ids_seq, align_seq = [], [], []
    t = 0
    while not finished.all():
        logits, c, h, attention, alignments = run_step(ids, *state, np.arange(batch))
        sample = logits.argmax(-1).astype(np.int32)
        next_finished = finished | (sample == EOS) | (t + 1 >= MAX_DECODE)
        lengths = np.where(finished, lengths, t + 1).astype(np.int32)
        logits_seq.append(logits)
        ids_seq.append(sample)
        align_seq.append(alignments)
        state, ids, finished, t = [c, h, attention], sample, next_finished, t + 1
    return {"greedy_ids": np.stack(ids_seq, 1), "greedy_logits": np.stack(logits_seq, 1), "greedy_lengths": lengths,
            "greedy_alignments": np.stack(align_seq, 0)}


def beam_search(run_step, batch: int, penalty_weight: float) -> dict:
    """TF 1.15's dynamic_decode(maximum_iterations) over BeamSearchDecoder, step by step in numpy."""
    rows = np.repeat(np.arange(batch), BEAM)
    state = [np.zeros((batch * BEAM, HIDDEN), np.float32), np.zeros((batch * BEAM, HIDDEN), np.float32),
             np.zeros((batch * BEAM, ATTENTION), np.float32)]
    ids = np.full((batch, BEAM), GO, np.int32)
    log_probs = np.where(np.arange(BEAM) == 0, 0.0, -np.inf).astype(np.float32) * np.ones((batch, 1), np.float32)
    finished = np.tile(np.arange(BEAM) != 0, (batch, 1))
    lengths = np.zeros((batch, BEAM), np.int64)
    loop_finished, seq_lengths = finished.copy(), np.zeros((batch, BEAM), np.int32)
    scores_seq, word_seq, parent_seq, align_seq = [], [], [], []
    b_index = np.arange(batch)[:, None]
    t = 0
    while not loop_finished.all():
        logits, c, h, attention, alignments = run_step(ids.reshape(-1), *state, rows)
        align_seq.append(alignments)  # the alignment history keeps each step's rows in the order they ran
        step = _log_softmax(logits.reshape(batch, BEAM, VOCAB))
        finished_row = np.full(VOCAB, np.finfo(np.float32).min, np.float32)
        finished_row[EOS] = 0.0
        step = np.where(finished[:, :, None], finished_row, step)
        total = (log_probs[:, :, None] + step).astype(np.float32)
        add = (np.arange(VOCAB) != EOS)[None, None, :] * (~finished)[:, :, None]
        new_lengths = lengths[:, :, None] + add
        penalty = np.float32(1.0) if penalty_weight == 0 else (
            (np.float32(5.0) + new_lengths.astype(np.float32)) ** np.float32(penalty_weight)
            / np.float32(6.0) ** np.float32(penalty_weight))
        scores = (total / penalty).astype(np.float32).reshape(batch, -1)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :BEAM]
        next_scores = np.take_along_axis(scores, order, 1)
        words, parents = (order % VOCAB).astype(np.int32), (order // VOCAB).astype(np.int32)
        log_probs = np.take_along_axis(total.reshape(batch, -1), order, 1)
        previously = finished[b_index, parents]
        next_finished = previously | (words == EOS)
        lengths = lengths[b_index, parents] + (~previously)
        gather = (b_index * BEAM + parents).reshape(-1)
        state = [c[gather], h[gather], attention[gather]]
        seq_lengths = np.where(loop_finished, seq_lengths, t + 1).astype(np.int32)
        loop_finished = next_finished | (t + 1 >= MAX_DECODE)
        finished, ids, t = next_finished, words, t + 1
        scores_seq.append(next_scores)
        word_seq.append(words)
        parent_seq.append(parents)
    step_ids, parent_ids = np.stack(word_seq), np.stack(parent_seq)
    tree = gather_tree_numpy(step_ids, parent_ids, lengths.max(1).astype(np.int32), EOS)
    # finalize reorders the history along the beams followed back (steps past a beam's length keep their row)
    beams = np.broadcast_to(np.arange(BEAM, dtype=np.int32), step_ids.shape)
    followed = gather_tree_numpy(beams, parent_ids, lengths.max(1).astype(np.int32), BEAM + 1)
    in_bound = np.arange(t)[:, None, None] < lengths[None]
    followed = np.where(in_bound, followed, beams)
    history = np.stack(align_seq).reshape(t, batch, BEAM, -1)
    history = np.take_along_axis(history, followed[..., None].astype(np.int64), 2).reshape(t, batch * BEAM, -1)

    def batch_major(a: np.ndarray) -> np.ndarray:
        return np.transpose(a, (1, 0, 2))
    return {"beam_ids": batch_major(tree), "beam_scores": batch_major(np.stack(scores_seq)),
            "beam_step_ids": batch_major(step_ids), "beam_parents": batch_major(parent_ids),
            "beam_lengths": seq_lengths, "beam_state_lengths": lengths, "beam_log_probs": log_probs,
            "beam_alignments": history}


def nmt_attention() -> dict:
    data = feeds()
    src = tf.placeholder(tf.int32, [None, None], name="source")
    src_len = tf.placeholder(tf.int32, [None], name="source_length")
    tgt_in = tf.placeholder(tf.int32, [None, None], name="target_input")
    tgt_out = tf.placeholder(tf.int32, [None, None], name="target_output")
    tgt_len = tf.placeholder(tf.int32, [None], name="target_length")
    embedding = tf.get_variable("embedding", [VOCAB, EMBED])
    with tf.variable_scope("encoder"):
        enc_out, _ = tf.nn.dynamic_rnn(_gru_cell(), tf.nn.embedding_lookup(embedding, src), sequence_length=src_len,
                                       dtype=tf.float32)
    decoder = HandWrittenDecoder(enc_out, src_len)
    batch, steps = data["target_input"].shape
    c = h = tf.zeros([batch, HIDDEN])
    attention = tf.zeros([batch, ATTENTION])
    logits_seq = []
    for t in range(steps):  # teacher forcing: every target length is reached by some row until the last step
        logits, c, h, attention, _ = decoder.step(tf.nn.embedding_lookup(embedding, tgt_in[:, t]), c, h, attention)
        logits_seq.append(logits)
    train_logits = tf.stack(logits_seq, 1)
    weights = tf.sequence_mask(tgt_len, steps, dtype=tf.float32)
    xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tgt_out, logits=train_logits)
    loss = tf.reduce_sum(xent * weights) / tf.reduce_sum(weights)
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    step_ids = tf.placeholder(tf.int32, [None])
    step_state = [tf.placeholder(tf.float32, [None, n]) for n in (HIDDEN, HIDDEN, ATTENTION)]
    step_rows = tf.placeholder(tf.int32, [None])
    one_step = decoder.step(tf.nn.embedding_lookup(embedding, step_ids), *step_state, rows=step_rows)
    feed = {src: data["source"], src_len: data["source_length"], tgt_in: data["target_input"],
            tgt_out: data["target_output"], tgt_len: data["target_length"]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = set_variables(tf, sess, 3)
        losses = []
        for _ in range(3):
            value, _, logits_value = sess.run([loss, train, train_logits], feed)
            losses.append(value)
        result = {"train_logits": logits_value}
        result["train_ids"] = logits_value.argmax(-1).astype(np.int32)
        result["train_lengths"] = data["target_length"]

        def run_step(ids, c, h, attention, rows):
            step_feed = dict(feed)
            step_feed.update({step_ids: ids, step_rows: rows, step_state[0]: c, step_state[1]: h,
                              step_state[2]: attention})
            return sess.run(one_step, step_feed)
        result.update(greedy(run_step, batch))
        result.update(beam_search(run_step, batch, 0.6))
    return dict(result, names=names, losses=np.array(losses))


if __name__ == "__main__":
    tf.reset_default_graph()
    save(EXPECTATIONS_DIR, "script_seq2seq_nmt_attention", **nmt_attention())
