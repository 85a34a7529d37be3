"""Whole TF1 training scripts over sparse inputs, written once for real TF and for dfc.

Each script takes a TF1-style module (`tensorflow.compat.v1` with TF's legacy tf.layers, or `dfc`) and a
Session factory, builds its model the way a user writes one (sparse_placeholder fed with
SparseTensorValues or tuples of a different nnz each step, variable scopes, tf.layers, an optimizer),
sets every variable to fixed values and returns named arrays. tests/record_tf1_scripts_sparse.py
records them with TensorFlow; tests/test_tf1_sparse_scripts.py runs them with dfc and compares.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SCRIPTS: dict[str, Callable] = {}
F32 = np.float32


def script(fn: Callable) -> Callable:
    SCRIPTS[fn.__name__] = fn
    return fn


def _set_variables(tf, sess, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    for v in sorted(tf.trainable_variables(), key=lambda v: v.name):
        sess.run(v.assign((rng.standard_normal(v.shape.as_list()) * 0.3).astype(F32)))
    return np.array(sorted(v.name for v in tf.global_variables()))


def _bag_of_words(rng, batch: int, vocab: int, empty_row: int | None = None):
    """A batch of documents as sorted (indices, counts, dense_shape): a few distinct words per row."""
    indices, values = [], []
    for row in range(batch):
        if row == empty_row:
            continue
        words = np.sort(rng.choice(vocab, size=rng.integers(1, 5), replace=False))
        indices += [[row, w] for w in words]
        values += list(rng.integers(1, 4, size=len(words)).astype(F32))
    return np.array(indices, np.int64), np.array(values, F32), np.array([batch, vocab], np.int64)


@script
def wide_linear_bow(tf, Session):
    """A wide logistic model over bag-of-words counts: sparse_placeholder times a weight vector, sigmoid
    cross-entropy, Adagrad; batches of different sizes and nnz, one with an empty document."""
    rng = np.random.default_rng(5)
    vocab = 12
    words = tf.sparse_placeholder(tf.float32, name="words")
    labels = tf.placeholder(tf.float32, [None, 1], name="labels")
    with tf.variable_scope("wide"):
        weights = tf.get_variable("weights", [vocab, 1])
        bias = tf.get_variable("bias", [1], initializer=tf.zeros_initializer())
        logits = tf.sparse_tensor_dense_matmul(words, weights) + bias
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf.train.AdagradOptimizer(0.5).minimize(loss)
    length = tf.sparse_reduce_sum(words, axis=1)
    batches = [_bag_of_words(rng, n, vocab, empty_row=1 if n == 4 else None) for n in (4, 3, 4, 5)]
    targets = [rng.integers(0, 2, size=(b[2][0], 1)).astype(F32) for b in batches]
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = _set_variables(tf, sess, 7)
        losses = []
        for i, (batch, target) in enumerate(zip(batches, targets)):
            fed = tf.SparseTensorValue(*batch) if i % 2 else batch  # both forms TF takes
            losses.append(sess.run([loss, train], {words: fed, labels: target})[0])
        feed = {words: tf.SparseTensorValue(*batches[0]), labels: targets[0]}
        back, lengths, final_logits = sess.run([words, length, logits], feed)
        dense = sess.run(tf.sparse_tensor_to_dense(words, validate_indices=True), feed)
        weights_now = sess.run(weights)
    return {"names": names, "losses": np.array(losses), "fetched_indices": back.indices,
            "fetched_values": back.values, "fetched_shape": back.dense_shape, "lengths": lengths,
            "logits": final_logits, "dense": dense, "weights": weights_now}


@script
def sparse_embedding_classifier(tf, Session):
    """Tagged documents: weighted ids pooled by embedding_lookup_sparse (sqrtn) and safe_embedding_lookup_sparse
    (mean, ids of -1 pruned), a tf.layers head, softmax cross-entropy, Adam updating the embedding table."""
    rng = np.random.default_rng(9)
    vocab, dim, classes = 10, 4, 3
    ids = tf.sparse_placeholder(tf.int64, shape=[None, None], name="ids")
    weights = tf.sparse_placeholder(tf.float32, name="weights")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    with tf.variable_scope("embed"):
        table = tf.get_variable("table", [vocab, dim])
        pooled = tf.nn.embedding_lookup_sparse(table, ids, weights, combiner="sqrtn")
        safe = tf.nn.safe_embedding_lookup_sparse(table, ids, combiner="mean")
    features = tf.concat([pooled, safe], axis=1)
    hidden = tf.layers.dense(features, 6, activation=tf.nn.relu, name="hidden")
    logits = tf.layers.dense(hidden, classes, name="logits")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)

    def batch(n):
        indices, values = [], []
        for row in range(n):
            count = (2, 0, 3, 1)[row]  # row 1 has no ids: zeros for both lookups; one nnz, so one compiled step
            indices += [[row, k] for k in range(count)]
            values += list(rng.integers(0, vocab, size=count))
        ids_v = np.array(values, np.int64)
        if ids_v.size > 2:
            ids_v[2] = -1 if ids_v[0] != ids_v[2] else ids_v[2]  # an invalid id: safe_ pruned it, the other not
        idx = np.array(indices, np.int64)
        shape = np.array([n, 3], np.int64)
        w = rng.uniform(0.5, 2.0, size=len(values)).astype(F32)
        return (idx, np.abs(ids_v), shape), (idx, w, shape), (idx, ids_v, shape)

    data = [batch(4) for _ in range(3)]
    targets = [rng.integers(0, classes, size=d[0][2][0]).astype(np.int32) for d in data]
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = _set_variables(tf, sess, 3)
        losses = []
        for (good, w, _), target in zip(data, targets):
            losses.append(sess.run([loss, train], {ids: tf.SparseTensorValue(*good), weights: w,
                                                   labels: target})[0])
        good, w, with_invalid = data[0]
        outputs = sess.run({"pooled": pooled, "logits": logits}, {ids: good, weights: w, labels: targets[0]})
        outputs["safe"] = sess.run(safe, {ids: with_invalid})
        outputs["table"] = sess.run(table)
    return {"names": names, "losses": np.array(losses), **outputs}


@script
def embedding_sparse_updates(tf, Session):
    """An embedding table under each TF1 optimizer: tf.gradients of the lookups is an IndexedSlices, clipped by
    clip_by_global_norm / clip_by_value / clip_by_norm, and the updates touch only the looked-up rows (TF1's
    sparse kernels: Momentum, RMSProp and FTRL leave the other rows' slots alone; Adam decays them)."""
    ids = tf.placeholder(tf.int64, [None, 2], name="ids")
    target = tf.placeholder(tf.float32, [None], name="target")
    global_step = tf.train.get_or_create_global_step()
    optimizers = {
        "momentum": tf.train.MomentumOptimizer(0.1, 0.9),
        "nesterov": tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
        "rmsprop": tf.train.RMSPropOptimizer(0.05, momentum=0.5, centered=True),
        "adam": tf.train.AdamOptimizer(0.1),
        "adadelta": tf.train.AdadeltaOptimizer(1.0),
        "ftrl": tf.train.FtrlOptimizer(0.2, l1_regularization_strength=0.01,
                                       l2_shrinkage_regularization_strength=0.1),
        "adagrad_da": tf.train.AdagradDAOptimizer(0.1, global_step, l2_regularization_strength=0.01),
    }
    updates, tables, first_grad = [], {}, None
    for k, (name, opt) in enumerate(optimizers.items()):
        with tf.variable_scope(name):
            table = tf.get_variable("table", [8, 3])
            w = tf.get_variable("w", [3, 1])
        pooled = tf.reduce_mean(tf.nn.embedding_lookup(table, ids), axis=1)
        loss = tf.reduce_mean(tf.square(tf.squeeze(tf.matmul(pooled, w), 1) - target))
        grads, variables = zip(*opt.compute_gradients(loss, var_list=[table, w]))
        if k % 3 == 0:
            grads, _ = tf.clip_by_global_norm(grads, 0.7)
        elif k % 3 == 1:
            grads = [tf.clip_by_value(g, -0.3, 0.3) for g in grads]
        else:
            grads = [tf.clip_by_norm(g, 0.5) for g in grads]
        first_grad = grads[0] if first_grad is None else first_grad
        updates.append(opt.apply_gradients(zip(grads, variables)))
        tables[name] = table
    train, count = tf.group(*updates), tf.assign_add(global_step, 1)
    feeds = [([[0, 1], [1, 1]], [1.0, -1.0]), ([[2, 3]], [0.5]), ([[3, 3], [0, 7], [7, 3]], [1.0, 0.0, 2.0])]
    out = {"kind": np.array(type(first_grad).__name__)}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        out["names"] = _set_variables(tf, sess, 11)
        sliced = sess.run(first_grad, {ids: feeds[0][0], target: feeds[0][1]})
        out.update(grad_values=sliced.values, grad_indices=sliced.indices, grad_dense_shape=sliced.dense_shape)
        for i, d in feeds:
            sess.run(train, {ids: i, target: d})
            sess.run(count)  # after the updates: AdagradDA reads the step
        out.update(sess.run(tables))
    return out
