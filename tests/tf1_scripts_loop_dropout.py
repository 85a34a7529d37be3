"""A TF1 script written once for TF and dfc: an LSTM classifier, DropoutWrapper in dynamic_rnn, trained by Adam.

The way a user writes it: a batch-major input of unknown length (so dynamic_rnn runs a tf.while_loop over
time), LSTMCell under DropoutWrapper (input, output and state dropout), the final state's h through
tf.layers.dense, sparse softmax cross-entropy, AdamOptimizer.minimize in a Session loop.
tests/record_loop_dropout_scripts.py records what TF computes; tests/test_loop_grad_stacks.py checks dfc against
it: with keep_prob 1 (no draws) losses and gradients equal TF's; with keep_prob < 1 the draws differ from TF's,
so the check is that training lowers the loss as it does in TF.
"""

from __future__ import annotations

import numpy as np

BATCH, STEPS, FEATURES, HIDDEN, CLASSES = 6, 7, 3, 8, 3
TRAIN_STEPS = 25


def feeds() -> dict:
    rng = np.random.default_rng(81)
    labels = rng.integers(0, CLASSES, BATCH).astype(np.int32)
    inputs = rng.standard_normal((BATCH, STEPS, FEATURES)).astype(np.float32) * 0.5
    inputs[np.arange(BATCH), :, labels % FEATURES] += 1.0  # a pattern the classifier can learn
    return {"inputs": inputs, "labels": labels}


def lstm_dropout_classifier(tf, keep_prob: float) -> dict:
    tf.set_random_seed(5)
    inputs = tf.placeholder(tf.float32, [BATCH, None, FEATURES], name="inputs")
    labels = tf.placeholder(tf.int32, [BATCH], name="labels")
    with tf.variable_scope("classifier"):
        cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.LSTMCell(HIDDEN), input_keep_prob=keep_prob,
                                             output_keep_prob=keep_prob, state_keep_prob=keep_prob)
        outputs, state = tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)
        logits = tf.layers.dense(state.h + outputs[:, -1], CLASSES, name="logits")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    variables = sorted(tf.trainable_variables(), key=lambda v: v.name)
    grads = tf.gradients(loss, variables)
    train = tf.train.AdamOptimizer(0.03).minimize(loss)
    data = feeds()
    out = {}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        rng = np.random.default_rng(82)
        for v in variables:
            shape = v.get_shape().as_list()
            sess.run(v.assign((rng.standard_normal(shape) * 0.3).astype(np.float32)))
        fed = {inputs: data["inputs"], labels: data["labels"]}
        for i, g in enumerate(sess.run(grads, fed)):
            out[f"grad_{i}"] = g
        out["losses"] = np.array([sess.run([loss, train], fed)[0] for _ in range(TRAIN_STEPS)])
    return out


def variational_dropout_rnn(tf) -> dict:
    """Two LSTM layers, each under DropoutWrapper(variational_recurrent=True) with input, state and output dropout,
    in dynamic_rnn with a fed sequence_length. The wrappers' noise (drawn once, [1, size]) is fed, so TF and dfc
    drop the same units: outputs, final states and gradients compare exactly."""
    batch, steps, features, hidden = 3, 5, 2, 4
    rng = np.random.default_rng(91)
    inputs = tf.placeholder(tf.float32, [batch, None, features], name="inputs")
    lengths = tf.placeholder(tf.int32, [batch], name="lengths")
    cells = [tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.LSTMCell(hidden), input_keep_prob=0.7,
                                           state_keep_prob=0.6, output_keep_prob=0.8, variational_recurrent=True,
                                           input_size=size, dtype=tf.float32, seed=4)
             for size in (features, hidden)]
    outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(cells), inputs, sequence_length=lengths,
                                       dtype=tf.float32)
    loss = tf.reduce_sum(outputs * outputs) + tf.reduce_sum(state[1].h)
    variables = sorted(tf.trainable_variables(), key=lambda v: v.name)
    grads = tf.gradients(loss, variables)
    fed = {inputs: rng.standard_normal((batch, steps, features)).astype(np.float32),
           lengths: np.array([5, 2, 4], np.int32)}
    for cell in cells:
        for noise in (cell._recurrent_input_noise, cell._recurrent_state_noise, cell._recurrent_output_noise):
            for tensor in tf.nest.flatten(noise):
                fed[tensor] = rng.uniform(size=tensor.get_shape().as_list()).astype(np.float32)
    out = {}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for v in variables:
            sess.run(v.assign((rng.standard_normal(v.get_shape().as_list()) * 0.5).astype(np.float32)))
        values = sess.run([outputs, state[0].c, state[1].h] + grads, fed)
    for i, value in enumerate(values):
        out[f"value_{i}"] = value
    return out
