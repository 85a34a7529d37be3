"""A whole TF1 wide & deep training script over partitioned variables, written once for real TF and for dfc.

The script takes a TF1-style module (`tensorflow.compat.v1` with TF's legacy tf.layers, or `dfc`) and a
Session factory, builds its model the way a user writes one (a variable_scope partitioner, embedding
lookups over the partitioned tables, tf.layers under the partitioner, Adagrad on the sparse tables and
Momentum on the rest), sets every variable to fixed values, trains, saves and restores the checkpoint into
other partitionings, and returns named arrays.
tests/record_tf1_scripts_partition.py records it with TensorFlow; tests/test_partitioned.py compares.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable

import numpy as np

SCRIPTS: dict[str, Callable] = {}
F32 = np.float32


def script(fn: Callable) -> Callable:
    SCRIPTS[fn.__name__] = fn
    return fn


def _ids(rng, batch: int, vocab: int):
    indices, values = [], []
    for row in range(batch):
        words = np.sort(rng.choice(vocab, size=rng.integers(1, 4), replace=False))
        indices += [[row, j] for j in range(len(words))]
        values += list(words)
    return np.array(indices, np.int64), np.array(values, np.int64), np.array([batch, 3], np.int64)


@script
def wide_deep_partitioned(tf, session):
    rng = np.random.default_rng(7)
    vocab, dim, batch = 13, 4, 5
    ids = tf.sparse_placeholder(tf.int64, shape=[None, 3], name="ids")
    dense_x = tf.placeholder(tf.float32, [None, 3], name="dense_x")
    labels = tf.placeholder(tf.float32, [None, 1], name="labels")
    with tf.variable_scope("wide_deep", partitioner=tf.fixed_size_partitioner(3)):
        emb = tf.get_variable("embeddings", [vocab, dim])
        wide = tf.get_variable("wide_weights", [vocab, 1], initializer=tf.zeros_initializer())
        deep_in = tf.nn.embedding_lookup_sparse(emb, ids, None, combiner="mean")  # 'mod'
        wide_out = tf.nn.safe_embedding_lookup_sparse(wide, ids, combiner="sum")  # 'div'
        rows = tf.nn.embedding_lookup(emb, tf.constant([[0, 12], [5, 7]]), partition_strategy="div", max_norm=1.0)
        hidden = tf.layers.dense(tf.concat([deep_in, dense_x], 1), 6, activation=tf.nn.relu, name="hidden")
        logits = tf.layers.dense(hidden, 1, name="logits") + wide_out
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
    tables = [v for v in tf.trainable_variables() if "embeddings" in v.name or "wide_weights" in v.name]
    others = [v for v in tf.trainable_variables() if v not in tables]
    grads = tf.gradients(loss, tables)
    train = tf.group(tf.train.AdagradOptimizer(0.3).minimize(loss, var_list=tables),
                     tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss, var_list=others))
    out = {"names": np.array(sorted(v.name for v in tf.global_variables())),
           "grad_kinds": np.array([type(g).__name__ for g in grads]),
           "specs": np.array([v._save_slice_info.spec for v in tf.trainable_variables()]),
           "partitions": np.array(emb._get_partitions() + [len(list(wide))])}
    directory = tempfile.mkdtemp()
    with session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([v.assign((rng.standard_normal(v.shape.as_list()) * 0.3).astype(F32))
                  for v in sorted(tf.trainable_variables(), key=lambda v: v.name)])
        losses = []
        batch_ids = _ids(rng, batch, vocab)  # one id batch: the per-shard counts (and so the step) stay the same
        for _ in range(4):
            feed = {ids: batch_ids, dense_x: rng.standard_normal((batch, 3)).astype(F32),
                    labels: rng.integers(0, 2, (batch, 1)).astype(F32)}
            losses.append(sess.run([loss, train], feed)[0])
        out["losses"] = np.array(losses)
        out["rows"], out["embeddings"], out["wide"] = sess.run([rows, emb.as_tensor(), tf.convert_to_tensor(wide)])
        path = tf.train.Saver().save(sess, os.path.join(directory, "model"))
    out["checkpoint"] = np.array([f"{n}:{s}" for n, s in tf.train.list_variables(path)])
    with tf.Graph().as_default():
        with tf.variable_scope("wide_deep", partitioner=tf.fixed_size_partitioner(2)):
            emb2 = tf.get_variable("embeddings", [vocab, dim])
        wide2 = tf.get_variable("wide_deep/wide_weights", [vocab, 1])
        with session() as sess:
            tf.train.Saver([emb2, wide2]).restore(sess, path)
            out["restored_two_shards"], out["restored_whole"] = sess.run([emb2.as_tensor(), wide2])
    return out


@script
def feature_columns_partitioned(tf, session):
    """input_layer and linear_model under a partitioner, trained with FTRL: padding ids (-1) leave every other
    row of the shards as it was (TF's sparse update of the ids present only)."""
    fc = tf.feature_column
    word = fc.categorical_column_with_identity("word", 10)
    columns = [fc.embedding_column(word, 3, initializer=tf.ones_initializer()), fc.numeric_column("x", shape=[2])]
    features = {"word": tf.constant([[1, 7], [3, -1], [9, -1]], tf.int64),
                "x": tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])}
    with tf.variable_scope("m", partitioner=tf.fixed_size_partitioner(3)):
        dense = fc.input_layer(features, columns)
        linear = fc.linear_model(features, [word, columns[1]])
    loss = tf.reduce_sum(dense) + tf.reduce_sum(linear)
    train = tf.train.FtrlOptimizer(0.5).minimize(loss)
    variables = sorted(tf.trainable_variables(), key=lambda v: v.name)
    out = {"names": np.array(sorted(v.name for v in tf.global_variables()))}
    with session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([v.assign(np.full(v.shape.as_list(), 0.25 + i * 0.1, F32)) for i, v in enumerate(variables)])
        out["dense"], out["linear"] = sess.run([dense, linear])
        for _ in range(2):
            sess.run(train)
        for v, value in zip(variables, sess.run(variables)):
            out[f"after/{v.op.name}"] = value
    return out
