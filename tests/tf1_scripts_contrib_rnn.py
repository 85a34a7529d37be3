"""A TF1 sequence tagger over tf.contrib.rnn's cells and wrappers, written the way users write one, for dfc.

Stacked bidirectional layers (LayerNormBasicLSTMCell and GRUBlockCellV2 forward; a peephole, clipped
LSTMBlockCell and a HighwayWrapper'd GRUBlockCell backward) over padded sequences, an input- and
output-projected GRU (dynamic_rnn), an LSTMBlockFusedCell over the time-major inputs, and an
AttentionCellWrapper'd LSTM (static_rnn), into a dense head trained with a masked squared error.
TF 2 has no contrib: tests/record_contrib_rnn_scripts.py records the same model with the contrib cells
written from TF 1.15's definitions over TF's own RNN machinery; tests/test_tf1_contrib_rnn.py compares.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
BATCH, STEPS, DEPTH = 3, 5, 4


def data() -> dict:
    rng = np.random.default_rng(21)
    return {"x": rng.standard_normal((BATCH, STEPS, DEPTH)).astype(F32), "lengths": np.array([5, 2, 4], np.int32),
            "y": rng.standard_normal((BATCH, STEPS)).astype(F32)}


def set_variables(tf, sess, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    sess.run([v.assign((rng.standard_normal(v.shape.as_list()) * 0.5).astype(F32))
              for v in sorted(tf.trainable_variables(), key=lambda v: v.name)])
    return np.array(sorted(v.name for v in tf.global_variables()))


def tagger(tf, rnn, Session) -> dict:
    """`rnn` is tf.contrib.rnn (dfc) or the reference cells (TF)."""
    x = tf.placeholder(tf.float32, [None, None, DEPTH], name="x")  # time known when run: the RNNs are loops
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    y = tf.placeholder(tf.float32, [None, STEPS], name="y")
    with tf.variable_scope("tagger"):
        cells_fw = [rnn.LayerNormBasicLSTMCell(4), rnn.GRUBlockCellV2(3)]
        cells_bw = [rnn.LSTMBlockCell(3, use_peephole=True, cell_clip=0.8), rnn.HighwayWrapper(rnn.GRUBlockCell(7))]
        stacked, states_fw, states_bw = rnn.stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, x,
                                                                            sequence_length=lengths, dtype=tf.float32)
        projected_cell = rnn.OutputProjectionWrapper(
            rnn.InputProjectionWrapper(tf.nn.rnn_cell.GRUCell(5), 6, activation=tf.tanh), 2)
        projected, _ = tf.nn.dynamic_rnn(projected_cell, stacked, sequence_length=lengths, dtype=tf.float32,
                                         scope="projected")
        fused, fused_state = rnn.LSTMBlockFusedCell(3)(tf.transpose(x, [1, 0, 2]), dtype=tf.float32,
                                                       sequence_length=lengths)
        attentive, attentive_state = rnn.static_rnn(
            rnn.AttentionCellWrapper(tf.nn.rnn_cell.BasicLSTMCell(4), attn_length=2), [x[:, t] for t in range(STEPS)],
            dtype=tf.float32, scope="attentive")
        features = tf.concat([projected, tf.transpose(fused, [1, 0, 2]), tf.stack(attentive, 1)], 2)
        predictions = tf.squeeze(tf.layers.dense(features, 1, name="head"), -1)
    mask = tf.sequence_mask(lengths, STEPS, dtype=tf.float32)
    loss = tf.reduce_sum(mask * tf.square(predictions - y)) / tf.reduce_sum(mask)
    # plain descent: layer norm leaves some gradient directions 0 in exact math (rounding noise in floats), and
    # Adam would step each of those by the full learning rate, whatever the noise's size
    train = tf.train.GradientDescentOptimizer(0.3).minimize(loss)
    batch = data()
    feed = {x: batch["x"], lengths: batch["lengths"], y: batch["y"]}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = set_variables(tf, sess, 4)
        outputs = {"stacked": stacked, "state_fw_c": states_fw[0].c, "state_fw_1": states_fw[1],
                   "state_bw_h": states_bw[0].h, "state_bw_1": states_bw[1], "projected": projected, "fused": fused,
                   "fused_c": fused_state.c, "fused_h": fused_state.h, "attentive": tf.stack(attentive, 1),
                   "attentive_attns": attentive_state[1], "attentive_states": attentive_state[2],
                   "predictions": predictions}
        losses = []
        for _ in range(2):  # the second step's outputs are those after one update (one compiled step for all)
            value, _, result = sess.run([loss, train, outputs], feed)
            losses.append(value)
    return dict(result, names=names, losses=np.array(losses))


def legacy_translate(tf, legacy, Session) -> dict:
    """TF's early translate model: embedding_attention_seq2seq (GRU, two attention heads) trained with
    legacy_seq2seq.sequence_loss and Adam, then decoded with feed_previous=True reusing its variables.
    `legacy` is tf.contrib.legacy_seq2seq (dfc) or the reference (TF)."""
    enc_len, dec_len, in_symbols, out_symbols, embed, hidden = 4, 3, 7, 6, 3, 5
    encoder_inputs = [tf.placeholder(tf.int32, [None], name=f"encoder{i}") for i in range(enc_len)]
    decoder_inputs = [tf.placeholder(tf.int32, [None], name=f"decoder{i}") for i in range(dec_len)]
    targets = [tf.placeholder(tf.int32, [None], name=f"target{i}") for i in range(dec_len)]
    weights = [tf.placeholder(tf.float32, [None], name=f"weight{i}") for i in range(dec_len)]
    cell = tf.nn.rnn_cell.GRUCell(hidden)
    with tf.variable_scope("translate"):
        outputs, state = legacy.embedding_attention_seq2seq(encoder_inputs, decoder_inputs, cell, in_symbols,
                                                            out_symbols, embed, num_heads=2)
        loss = legacy.sequence_loss(outputs, targets, weights)
        per_example = legacy.sequence_loss_by_example(outputs, targets, weights, average_across_timesteps=False)
    with tf.variable_scope("translate", reuse=True):
        greedy, _ = legacy.embedding_attention_seq2seq(encoder_inputs, decoder_inputs, cell, in_symbols, out_symbols,
                                                       embed, num_heads=2, feed_previous=True)
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    rng = np.random.default_rng(8)
    feed = {p: rng.integers(1, in_symbols, 2).astype(np.int32) for p in encoder_inputs}
    feed.update({p: rng.integers(1, out_symbols, 2).astype(np.int32) for p in decoder_inputs + targets})
    feed.update({w: np.array([1.0, float(i < 2)], F32) for i, w in enumerate(weights)})
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = set_variables(tf, sess, 6)
        losses = []
        for _ in range(3):
            value, _, trained = sess.run([loss, train, {"outputs": tf.stack(outputs, 1), "state": state,
                                                        "per_example": per_example}], feed)
            losses.append(value)
        decoded = sess.run(tf.stack(greedy, 1), feed)
    return dict(trained, greedy=decoded, names=names, losses=np.array(losses))
