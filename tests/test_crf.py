"""tf.contrib.crf against a brute-force numpy CRF (every tag path enumerated), plus a BiLSTM-CRF training run."""

import itertools

import numpy as np

import dfc as tf


def _path_score(x, tags, trans):
    s = sum(x[t, tags[t]] for t in range(len(tags)))
    return s + sum(trans[tags[t], tags[t + 1]] for t in range(len(tags) - 1))


def _brute(x, length, trans):
    """(log-likelihood helper: log Z, best path, best score) over the first `length` steps."""
    if length == 0:
        return 0.0, [], 0.0
    n = trans.shape[0]
    paths = list(itertools.product(range(n), repeat=length))
    scores = np.array([_path_score(x, p, trans) for p in paths])
    m = scores.max()
    return m + np.log(np.exp(scores - m).sum()), list(paths[int(scores.argmax())]), m


def _data(rng, batch=4, time=4, tags=3):
    x = rng.standard_normal((batch, time, tags)).astype(np.float64)
    trans = rng.standard_normal((tags, tags)).astype(np.float64)
    y = rng.integers(0, tags, (batch, time)).astype(np.int32)
    lengths = np.array([4, 1, 0, 3][:batch], np.int32)
    return x, trans, y, lengths


def _reference_ll(x, trans, y, lengths):
    out = []
    for b in range(x.shape[0]):
        n = lengths[b]
        logz = _brute(x[b], n, trans)[0]
        out.append((_path_score(x[b], y[b, :n], trans) if n else 0.0) - logz)
    return np.array(out)


def test_log_likelihood_and_gradients_match_brute_force():
    x, trans, y, lengths = _data(np.random.default_rng(0))
    with tf.Graph().as_default():
        xi = tf.placeholder(tf.float64, [None, None, 3])
        ti = tf.placeholder(tf.float64, [3, 3])
        ll, _ = tf.contrib.crf.crf_log_likelihood(xi, tf.constant(y), tf.constant(lengths), ti)
        total = tf.reduce_sum(ll)
        gx, gt = tf.gradients(total, [xi, ti])
        with tf.Session() as sess:
            got, got_gx, got_gt = sess.run([ll, gx, gt], {xi: x, ti: trans})
    np.testing.assert_allclose(got, _reference_ll(x, trans, y, lengths), rtol=1e-9, atol=1e-9)
    eps = 1e-6
    num_gx = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        d = np.zeros_like(x)
        d[idx] = eps
        num_gx[idx] = (_reference_ll(x + d, trans, y, lengths).sum()
                       - _reference_ll(x - d, trans, y, lengths).sum()) / (2 * eps)
    num_gt = np.zeros_like(trans)
    for idx in np.ndindex(*trans.shape):
        d = np.zeros_like(trans)
        d[idx] = eps
        num_gt[idx] = (_reference_ll(x, trans + d, y, lengths).sum()
                       - _reference_ll(x, trans - d, y, lengths).sum()) / (2 * eps)
    np.testing.assert_allclose(got_gx, num_gx, atol=1e-6)
    np.testing.assert_allclose(got_gt, num_gt, atol=1e-6)


def test_decode_and_viterbi_match_brute_force_argmax():
    x, trans, _, lengths = _data(np.random.default_rng(1))
    with tf.Graph().as_default():
        tags, best = tf.contrib.crf.crf_decode(tf.constant(x), tf.constant(trans), tf.constant(lengths))
        with tf.Session() as sess:
            got_tags, got_best = sess.run([tags, best])
    for b in range(x.shape[0]):
        n = lengths[b]
        _, path, score = _brute(x[b], n, trans)
        assert list(got_tags[b, :n]) == path and not got_tags[b, n:].any()
        if n:
            np.testing.assert_allclose(got_best[b], score, rtol=1e-9)
            vit, vscore = tf.contrib.crf.viterbi_decode(x[b, :n], trans)
            assert vit == path and np.isclose(vscore, score)


def test_bilstm_crf_training_lowers_the_loss():
    rng = np.random.default_rng(2)
    words = rng.integers(0, 20, (8, 6)).astype(np.int32)
    labels = (words % 3).astype(np.int32)
    lengths = np.array([6, 5, 6, 3, 6, 2, 6, 4], np.int32)
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        emb = tf.get_variable("emb", [20, 8])
        inputs = tf.nn.embedding_lookup(emb, tf.constant(words))
        fw, bw = tf.nn.rnn_cell.LSTMCell(8), tf.nn.rnn_cell.LSTMCell(8)
        (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(fw, bw, inputs, sequence_length=tf.constant(lengths),
                                                              dtype=tf.float32)
        logits = tf.layers.dense(tf.concat([out_fw, out_bw], -1), 3)
        ll, trans = tf.contrib.crf.crf_log_likelihood(logits, tf.constant(labels), tf.constant(lengths))
        assert trans.op.name == "transitions"
        loss = -tf.reduce_mean(ll)
        step = tf.train.AdamOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([loss, step])[0] for _ in range(8)]
    assert losses[-1] < 0.7 * losses[0], losses


def test_single_step_sequences_with_static_time():
    x, trans, y, _ = _data(np.random.default_rng(3), time=1)
    lengths = np.array([1, 0, 1, 1], np.int32)
    with tf.Graph().as_default():
        ll, _ = tf.contrib.crf.crf_log_likelihood(tf.constant(x), tf.constant(y), tf.constant(lengths),
                                                  tf.constant(trans))
        tags, best = tf.contrib.crf.crf_decode(tf.constant(x), tf.constant(trans), tf.constant(lengths))
        with tf.Session() as sess:
            got_ll, got_tags, got_best = sess.run([ll, tags, best])
    np.testing.assert_allclose(got_ll, _reference_ll(x, trans, y, lengths), rtol=1e-9, atol=1e-9)
    assert got_tags.tolist() == [[int(np.argmax(x[b, 0]))] if lengths[b] else [0] for b in range(4)]
    np.testing.assert_allclose(got_best[[0, 2, 3]], x[[0, 2, 3], 0].max(1))
