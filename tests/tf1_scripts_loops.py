"""A TF1 script over loops the data size, written once for TF and dfc: a decoder trained through a growing TensorArray.

The way a user writes it: variables from tf.layers.dense and tf.get_variable under a variable_scope, a
tf.while_loop whose trip count is fed, writing each step's hidden state into a TensorArray(size=0,
dynamic_size=True), the stacked states projected to logits, a loss, a few Adam steps in a Session loop, then
greedy decoding with another growing TensorArray that stops at an end token (or a fed step limit).
tests/record_loops_scripts.py records what TF computes; tests/test_loops_dynamic.py checks dfc against it.
"""

from __future__ import annotations

import numpy as np

VOCAB, HIDDEN, BATCH, END = 7, 5, 3, 4


def feeds() -> dict:
    rng = np.random.default_rng(71)
    return {"targets": rng.integers(1, VOCAB, (4, BATCH)).astype(np.int32)}


def set_variables(tf, sess) -> None:
    """Every trainable variable set to the same values in TF and dfc (sorted by name, drawn from one seed)."""
    rng = np.random.default_rng(72)
    for v in sorted(tf.trainable_variables(), key=lambda v: v.name):
        shape = v.get_shape().as_list()
        sess.run(v.assign((rng.standard_normal(shape) * 0.5).astype(np.float32)))


def growing_decoder(tf) -> dict:
    targets = tf.placeholder(tf.int32, [None, BATCH], name="targets")
    steps = tf.shape(targets)[0]
    limit = tf.placeholder(tf.int32, [], name="limit")
    with tf.variable_scope("decoder"):
        embedding = tf.get_variable("embedding", [VOCAB, HIDDEN])
        w = tf.get_variable("recurrent", [HIDDEN, HIDDEN])

        def cell(h, token):
            return tf.tanh(tf.matmul(h, w) + tf.nn.embedding_lookup(embedding, token))

        def train_body(t, h, states):
            token = tf.cond(t > 0, lambda: targets[tf.maximum(t - 1, 0)], lambda: tf.fill([BATCH], END))
            h = cell(h, token)
            return t + 1, h, states.write(t, h)
        states = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        _, _, states = tf.while_loop(lambda t, h, s: t < steps, train_body,
                                     [tf.constant(0), tf.zeros([BATCH, HIDDEN]), states])
        hidden = states.stack()
        logits = tf.layers.dense(hidden, VOCAB, name="project")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)

    with tf.variable_scope("decoder", reuse=True):
        def greedy_body(t, h, token, done, ids):
            h = cell(h, token)
            logits = tf.layers.dense(h, VOCAB, name="project", reuse=True)
            token = tf.cast(tf.argmax(logits, axis=1), tf.int32)
            token = tf.where(done, tf.fill([BATCH], END), token)
            return t + 1, h, token, tf.logical_or(done, tf.equal(token, END)), ids.write(t, token)
        _, _, _, _, ids = tf.while_loop(
            lambda t, h, token, done, ids: tf.logical_and(t < limit, tf.logical_not(tf.reduce_all(done))),
            greedy_body, [tf.constant(0), tf.zeros([BATCH, HIDDEN]), tf.fill([BATCH], END),
                          tf.zeros([BATCH], tf.bool), tf.TensorArray(tf.int32, size=0, dynamic_size=True)])
        decoded = tf.transpose(ids.stack())

    out = {}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        set_variables(tf, sess)
        fed = {targets: feeds()["targets"]}
        for k in range(3):
            out[f"loss_{k}"], _ = sess.run([loss, train], fed)
        out["hidden"] = sess.run(hidden, fed)
        out["decoded_6"] = sess.run(decoded, {limit: 6})
        out["decoded_1"] = sess.run(decoded, {limit: 1})
    return out


def raw_rnn_lstm(tf) -> dict:
    """TF1's raw_rnn documentation example: an LSTM reading a TensorArray of inputs until every row's length,
    with a loop state summing the outputs; the emitted outputs, states and gradients."""
    max_time, batch, depth, units = 5, 3, 2, 4
    inputs = tf.placeholder(tf.float32, (max_time, batch, depth), name="inputs")
    lengths = tf.placeholder(tf.int32, (batch,), name="lengths")
    inputs_ta = tf.TensorArray(dtype=tf.float32, size=max_time).unstack(inputs)
    cell = tf.nn.rnn_cell.LSTMCell(units)

    def loop_fn(time, cell_output, cell_state, loop_state):
        if cell_output is None:
            next_state, next_loop_state = cell.zero_state(batch, tf.float32), tf.zeros([batch])
        else:
            next_state, next_loop_state = cell_state, loop_state + tf.reduce_sum(cell_output, axis=1)
        finished = time >= lengths
        next_input = tf.cond(tf.reduce_all(finished), lambda: tf.zeros([batch, depth]),
                             lambda: inputs_ta.read(time))
        return finished, next_input, next_state, cell_output, next_loop_state
    outputs_ta, final_state, sums = tf.nn.raw_rnn(cell, loop_fn)
    outputs = outputs_ta.stack()
    loss = tf.reduce_sum(outputs * outputs) + tf.reduce_sum(final_state.h)
    variables = sorted(tf.trainable_variables(), key=lambda v: v.name)
    grads = tf.gradients(loss, [inputs] + variables)
    rng = np.random.default_rng(73)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        set_variables(tf, sess)
        fed = {inputs: rng.standard_normal((max_time, batch, depth)).astype(np.float32), lengths: [2, 4, 3]}
        out, state, total, gs = sess.run([outputs, final_state, sums, grads], fed)
    return {"outputs": out, "c": state.c, "h": state.h, "sums": total, "names": np.array([v.name for v in variables]),
            **{f"grad_{k}": g for k, g in enumerate(gs)}}
