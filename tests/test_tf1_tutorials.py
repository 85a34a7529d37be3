"""Small TF1 tutorial programs, written as their authors wrote them, trained on both backends."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

BACKENDS = ["interpreter", "cpu"]


pytestmark = pytest.mark.usefixtures("fresh_graph")


def _blobs(rng, n=120, classes=3, dim=4):
    centers = rng.standard_normal((classes, dim)) * 3
    labels = rng.integers(0, classes, n)
    return (centers[labels] + rng.standard_normal((n, dim))).astype(np.float32), labels


@pytest.mark.parametrize("backend", BACKENDS)
def test_mlp_with_dropout_and_a_keep_prob_placeholder(backend):
    rng = np.random.default_rng(0)
    data, labels = _blobs(rng)
    onehot = np.eye(3, dtype=np.float32)[labels]
    x = tf.placeholder("float", [None, 4])
    y = tf.placeholder("float", [None, 3])
    keep_prob = tf.placeholder(tf.float32)
    tf.set_random_seed(1)
    w1 = tf.Variable(tf.random_normal([4, 16], stddev=0.5))
    b1 = tf.Variable(tf.zeros([16]))
    w2 = tf.Variable(tf.random_normal([16, 3], stddev=0.5))
    b2 = tf.Variable(tf.zeros([3]))
    hidden = tf.nn.dropout(tf.nn.relu(tf.matmul(x, w1) + b1), keep_prob)
    logits = tf.matmul(hidden, w2) + b2
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=y))
    train = tf.train.AdamOptimizer(0.05).minimize(cost)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), "float"))
    init = tf.global_variables_initializer()
    sess = tf.InteractiveSession(backend=backend)
    init.run()
    for _ in range(60):
        train.run({x: data, y: onehot, keep_prob: 0.75})
    assert accuracy.eval({x: data, y: onehot, keep_prob: 1.0}) > 0.95
    sess.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_word2vec_style_embeddings_with_nce_loss(backend):
    rng = np.random.default_rng(1)
    vocab, dim, batch = 50, 8, 32
    # skip-gram pairs from a corpus where word w is always followed by (w + 1) % vocab
    centers = rng.integers(0, vocab, 2000)
    contexts = (centers + 1) % vocab
    train_inputs = tf.placeholder(tf.int32, shape=[batch])
    train_labels = tf.placeholder(tf.int32, shape=[batch, 1])
    embeddings = tf.Variable(tf.random_uniform([vocab, dim], -1.0, 1.0, seed=2))
    embed = tf.nn.embedding_lookup(embeddings, train_inputs)
    nce_weights = tf.Variable(tf.truncated_normal([vocab, dim], stddev=1.0 / np.sqrt(dim), seed=3))
    nce_biases = tf.Variable(tf.zeros([vocab]))
    loss = tf.reduce_mean(tf.nn.nce_loss(weights=nce_weights, biases=nce_biases, labels=train_labels, inputs=embed,
                                         num_sampled=8, num_classes=vocab, seed=4))
    optimizer = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
    norm = tf.sqrt(tf.reduce_sum(tf.square(embeddings), 1, keep_dims=True))
    normalized = embeddings / norm
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        losses = []
        for _ in range(150):
            idx = rng.integers(0, len(centers), batch)
            _, value = sess.run([optimizer, loss], {train_inputs: centers[idx], train_labels: contexts[idx, None]})
            losses.append(value)
        assert np.mean(losses[-20:]) < 0.5 * np.mean(losses[:20])
        logits = sess.run(tf.matmul(tf.nn.embedding_lookup(embeddings, list(range(vocab))), nce_weights,
                                    transpose_b=True) + nce_biases)
        assert np.mean(np.argmax(logits, 1) == (np.arange(vocab) + 1) % vocab) > 0.8
        assert sess.run(normalized).shape == (vocab, dim)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lstm_static_rnn_classifies_sequences(backend):
    rng = np.random.default_rng(2)
    steps, inputs, hidden, classes, n = 6, 3, 12, 2, 96
    data = rng.standard_normal((n, steps, inputs)).astype(np.float32)
    labels = (data[:, :, 0].sum(1) > 0).astype(np.int64)  # the sign of a running sum: needs the recurrence
    x = tf.placeholder("float", [None, steps, inputs])
    y = tf.placeholder(tf.int64, [None])
    sequence = tf.unstack(x, steps, 1)
    cell = tf.nn.rnn_cell.BasicLSTMCell(hidden, forget_bias=1.0)
    outputs, states = tf.nn.static_rnn(cell, sequence, dtype=tf.float32)
    w = tf.Variable(tf.random_normal([hidden, classes], seed=5))
    b = tf.Variable(tf.random_normal([classes], seed=6))
    logits = tf.matmul(outputs[-1], w) + b
    cost = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.AdamOptimizer(0.05).minimize(cost)
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(80):
            sess.run(train, {x: data, y: labels})
        assert sess.run(accuracy, {x: data, y: labels}) > 0.9


@pytest.mark.parametrize("backend", BACKENDS)
def test_layers_model_with_batch_norm_updates(backend):
    rng = np.random.default_rng(3)
    data, labels = _blobs(rng, n=96)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.int32, [None])
    training = tf.placeholder(tf.bool)
    h = tf.layers.dense(x, 16, activation=tf.nn.relu, kernel_initializer=tf.glorot_uniform_initializer(seed=7))
    h = tf.layers.batch_normalization(h, training=training)
    h = tf.layers.dropout(h, rate=0.2, training=training)
    logits = tf.layers.dense(h, 3, kernel_initializer=tf.glorot_uniform_initializer(seed=8))
    loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32), y), tf.float32))
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(60):
            sess.run(train, {x: data, y: labels, training: True})
        moving_mean = [v for v in tf.global_variables() if v.op.name.endswith("moving_mean")][0]
        assert np.abs(sess.run(moving_mean)).sum() > 0  # the update ops ran with the train op
        assert sess.run(accuracy, {x: data, y: labels, training: False}) > 0.9


def test_dropout_wrapper_on_stacked_lstms_with_a_keep_prob_placeholder():
    x = tf.placeholder(tf.float32, [8, 3, 2])
    keep = tf.placeholder(tf.float32)
    cells = [tf.contrib.rnn.DropoutWrapper(tf.contrib.rnn.BasicLSTMCell(16), output_keep_prob=keep) for _ in range(2)]
    outputs, _ = tf.contrib.rnn.static_rnn(tf.contrib.rnn.MultiRNNCell(cells), tf.unstack(x, 3, 1), dtype=tf.float32)
    assert outputs[-1].shape.as_list() == [8, 16]
    assert [v.op.name for v in tf.trainable_variables()] == [
        f"rnn/multi_rnn_cell/cell_{i}/basic_lstm_cell/{n}" for i in range(2) for n in ("kernel", "bias")]
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    feed = np.random.default_rng(0).standard_normal((8, 3, 2)).astype(np.float32)
    full = sess.run(outputs[-1], {x: feed, keep: 1.0})
    dropped = sess.run(outputs[-1], {x: feed, keep: 0.5})
    assert np.all(full != 0) and 0.3 < np.mean(dropped == 0) < 0.7
