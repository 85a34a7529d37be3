"""Record what real TensorFlow (its TF1 graph API) computes for the TF1 features dfc provides.

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_tf_expectations.py [OUT_DIR]

Each case writes OUT_DIR/<case>.npz (default tests/data/tf_expectations/) holding its inputs,
weights and TF's values and gradients; tests/test_tf1_expectations.py rebuilds the same
programs with dfc and compares. Inputs come from fixed numpy seeds, so a re-run is stable.
"""

from __future__ import annotations

import sys

import numpy as np
from tf_recording import F32, out_dir, tf
from tf_recording import save as save_npz

OUT = out_dir(sys.argv)


def save(case: str, /, **arrays) -> None:
    save_npz(OUT, case, **arrays)


def run(fetches, feeds=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feeds)


def logistic_regression():
    rng = np.random.default_rng(1)
    tf.reset_default_graph()
    xv, yv = rng.standard_normal((8, 4)).astype(F32), np.eye(3, dtype=F32)[rng.integers(0, 3, 8)]
    w0, b0 = (rng.standard_normal((4, 3)) * 0.1).astype(F32), (rng.standard_normal(3) * 0.1).astype(F32)
    x, y = tf.placeholder("float", [None, 4]), tf.placeholder("float", [None, 3])
    w, b = tf.Variable(w0), tf.Variable(b0)
    pred = tf.nn.softmax(tf.matmul(x, w) + b)
    cost = tf.reduce_mean(-tf.reduce_sum(y * tf.log(pred), reduction_indices=1))
    grads = tf.gradients(cost, [w, b])
    train = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        c, (dw, db) = sess.run([cost, grads], {x: xv, y: yv})
        for _ in range(5):
            sess.run(train, {x: xv, y: yv})
        w5, b5 = sess.run([w, b])
    save("logistic_regression", x=xv, y=yv, w0=w0, b0=b0, cost=c, dw=dw, db=db, w5=w5, b5=b5,
         placeholder_dtype=str(x.dtype.name))


def mlp_dropout():
    rng = np.random.default_rng(2)
    tf.reset_default_graph()
    xv, labels = rng.standard_normal((6, 5)).astype(F32), rng.integers(0, 3, 6)
    yv = np.eye(3, dtype=np.int32)[labels]
    w1, b1 = rng.standard_normal((5, 8)).astype(F32) * 0.5, rng.standard_normal(8).astype(F32) * 0.1
    w2, b2 = rng.standard_normal((8, 3)).astype(F32) * 0.5, rng.standard_normal(3).astype(F32) * 0.1
    x, y, keep = tf.placeholder(tf.float32, [None, 5]), tf.placeholder(tf.int32, [None, 3]), tf.placeholder("float")
    vs = [tf.Variable(a) for a in (w1, b1, w2, b2)]
    h = tf.nn.dropout(tf.nn.relu(tf.matmul(x, vs[0]) + vs[1]), keep)
    logits = tf.matmul(h, vs[2]) + vs[3]
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=tf.cast(y, tf.float32), logits=logits))
    loss_int = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.cast(y, tf.float32),
                                                                         logits=logits))
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, "float"))
    grads = tf.gradients(loss, vs)
    out = run([loss, loss_int, accuracy, tf.arg_max(logits, 1), tf.arg_min(logits, 1)] + grads,
              {x: xv, y: yv, keep: 1.0})
    save("mlp_dropout", x=xv, y=yv, w1=w1, b1=b1, w2=w2, b2=b2, loss=out[0], loss_int=out[1], accuracy=out[2],
         arg_max=out[3], arg_min=out[4], dw1=out[5], db1=out[6], dw2=out[7], db2=out[8])


def dynamic_shapes():
    rng = np.random.default_rng(3)
    tf.reset_default_graph()
    xv, yv = rng.standard_normal((2, 3, 4)).astype(F32), rng.standard_normal((4, 6)).astype(F32)
    x, y = tf.placeholder(tf.float32), tf.placeholder(tf.float32, [None, None])
    reshaped = tf.reshape(x, tf.shape(y))
    mixed = tf.reshape(x, [-1, tf.shape(x)[2]])
    packed = tf.stack([tf.shape(x)[0] * 2, tf.size(y) // 4])
    z = tf.zeros(tf.shape(x)) + 1.5
    loss = tf.reduce_sum(reshaped * yv) + tf.reduce_sum(mixed * mixed)
    gx = tf.gradients(loss, x)[0]
    out = run([tf.shape(x), tf.size(x), tf.rank(x), reshaped, mixed, packed, z, gx], {x: xv, y: yv})
    save("dynamic_shapes", x=xv, y=yv, shape=out[0], size=out[1], rank=out[2], reshaped=out[3], mixed=out[4],
         packed=out[5], filled=out[6], dx=out[7], x_rank=np.int32(-1 if x.get_shape().ndims is None else 0),
         mixed_static=np.array([-1 if d is None else d for d in mixed.get_shape().as_list()]))


def embeddings_and_sampled_losses():
    rng = np.random.default_rng(4)
    tf.reset_default_graph()
    vocab, dim, batch, num_sampled = 20, 5, 4, 6
    emb0 = rng.standard_normal((vocab, dim)).astype(F32)
    nce_w0 = (rng.standard_normal((vocab, dim)) * 0.3).astype(F32)
    nce_b0 = (rng.standard_normal(vocab) * 0.1).astype(F32)
    ids_v = np.array([3, 7, 3, 19], np.int32)
    labels_v = np.array([[1], [7], [12], [0]], np.int64)
    sampled_v = np.array([0, 2, 5, 7, 9, 14], np.int64)  # 7 is an accidental hit of example 1
    true_exp_v = rng.uniform(0.05, 0.9, (batch, 1)).astype(F32)
    sampled_exp_v = rng.uniform(0.05, 0.9, num_sampled).astype(F32)
    emb, nce_w, nce_b = tf.Variable(emb0), tf.Variable(nce_w0), tf.Variable(nce_b0)
    ids, labels = tf.placeholder(tf.int32, [batch]), tf.placeholder(tf.int64, [batch, 1])
    embed = tf.nn.embedding_lookup(emb, ids)
    values = (tf.constant(sampled_v), tf.constant(true_exp_v), tf.constant(sampled_exp_v))
    nce = tf.reduce_mean(tf.nn.nce_loss(nce_w, nce_b, labels, embed, num_sampled, vocab, sampled_values=values))
    ssm = tf.reduce_mean(tf.nn.sampled_softmax_loss(nce_w, nce_b, labels, embed, num_sampled, vocab,
                                                    sampled_values=values))
    shards = [tf.constant(emb0[:7]), tf.constant(emb0[7:14]), tf.constant(emb0[14:])]
    mod_ids = np.array([0, 1, 2, 5, 19, 10], np.int32)
    shards_mod = tf.nn.embedding_lookup([tf.constant(emb0[i::3]) for i in range(3)], mod_ids)
    shards_div = tf.nn.embedding_lookup(shards, mod_ids, partition_strategy="div")
    preds = tf.constant([[0.1, 0.5, 0.5, 0.2], [3.0, 2.0, 1.0, 0.0], [0.3, 0.3, 0.3, 0.3]])
    top_values, top_indices = tf.nn.top_k(preds, 3)
    in_top = [tf.nn.in_top_k(preds, tf.constant([2, 3, 1]), k) for k in (1, 2, 3)]
    grads = tf.gradients(nce + ssm, [emb, nce_w, nce_b])
    grads = [tf.convert_to_tensor(g) for g in grads]  # IndexedSlices as dense arrays
    out = run([nce, ssm, embed, shards_mod, shards_div, top_values, top_indices] + in_top + grads,
              {ids: ids_v, labels: labels_v})
    save("embeddings_and_sampled_losses", emb=emb0, nce_w=nce_w0, nce_b=nce_b0, ids=ids_v, labels=labels_v,
         sampled=sampled_v, true_expected=true_exp_v, sampled_expected=sampled_exp_v, nce=out[0],
         sampled_softmax=out[1],
         embed=out[2], mod_ids=mod_ids, shards_mod=out[3], shards_div=out[4], top_values=out[5], top_indices=out[6],
         in_top_1=out[7], in_top_2=out[8], in_top_3=out[9], d_emb=out[10], d_nce_w=out[11], d_nce_b=out[12])


def recurrent_cells():
    from tensorflow.python.keras.layers.legacy_rnn import rnn_cell_impl as rnn_cell
    rng = np.random.default_rng(5)
    arrays = {}
    makers = {
        "basic_lstm": lambda: rnn_cell.BasicLSTMCell(5),
        "lstm_peephole_proj": lambda: rnn_cell.LSTMCell(5, use_peepholes=True, num_proj=3, cell_clip=0.8),
        "gru": lambda: rnn_cell.GRUCell(4),
        "multi": lambda: rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(4), rnn_cell.GRUCell(3)]),
    }
    xv = rng.standard_normal((2, 3, 4)).astype(F32)
    arrays["x"] = xv
    for key, make in makers.items():
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [2, 3, 4])
        outputs, state = tf.nn.static_rnn(make(), tf.unstack(x, 3, 1), dtype=tf.float32)
        flat_state = tf.nest.flatten(state)
        weights = tf.global_variables()
        loss = tf.reduce_sum(outputs[-1] * outputs[-1]) + sum(tf.reduce_sum(s) for s in flat_state) + \
            tf.reduce_sum(outputs[0])
        grads = tf.gradients(loss, weights + [x])
        with tf.Session() as sess:
            for v in weights:
                value = (rng.standard_normal(v.shape.as_list()) * 0.5).astype(F32)
                sess.run(v.assign(value))
                arrays[f"{key}/w/{v.op.name}"] = value
            out = sess.run([tf.stack(outputs)] + flat_state + grads, {x: xv})
        arrays[f"{key}/outputs"] = out[0]
        for i, s in enumerate(out[1:1 + len(flat_state)]):
            arrays[f"{key}/state{i}"] = s
        for v, g in zip(weights, out[1 + len(flat_state):]):
            arrays[f"{key}/grad/{v.op.name}"] = g
        arrays[f"{key}/grad/x"] = out[-1]
    save("recurrent_cells", **arrays)


def layers_and_batch_norm():
    from tensorflow.python.keras.legacy_tf_layers import core as layers
    rng = np.random.default_rng(6)
    tf.reset_default_graph()
    xv = rng.standard_normal((3, 2, 4)).astype(F32)
    x = tf.placeholder(tf.float32, [None, 2, 4])
    y = layers.dense(x, 3, activation=tf.nn.relu)
    z = layers.dense(layers.flatten(y), 2)
    weights = tf.global_variables()
    names = [v.op.name for v in weights]
    grads = tf.gradients(tf.reduce_sum(z * z), weights + [x])
    arrays = {"x": xv, "names": np.array(names)}
    with tf.Session() as sess:
        for v in weights:
            value = (rng.standard_normal(v.shape.as_list()) * 0.5).astype(F32)
            sess.run(v.assign(value))
            arrays[f"w/{v.op.name}"] = value
        out = sess.run([y, z] + grads, {x: xv})
    arrays.update(dense3d=out[0], out=out[1], dx=out[-1])
    for v, g in zip(weights, out[2:-1]):
        arrays[f"grad/{v.op.name}"] = g
    # batch normalization as TF computes it: moments, then the moving averages' update
    tf.reset_default_graph()
    for key, shape, axes in (("bn2d", (6, 3), [0]), ("bn4d", (2, 3, 3, 2), [0, 1, 2])):
        xb = rng.standard_normal(shape).astype(F32) * 2 + 1
        gamma0, beta0 = rng.uniform(0.5, 1.5, shape[-1]).astype(F32), rng.standard_normal(shape[-1]).astype(F32)
        xt, gamma, beta = tf.constant(xb), tf.Variable(gamma0), tf.Variable(beta0)
        moving_mean, moving_var = tf.Variable(tf.zeros([shape[-1]])), tf.Variable(tf.ones([shape[-1]]))
        if len(shape) == 4:
            out, mean, var = tf.nn.fused_batch_norm(xt, gamma, beta, epsilon=1e-3, is_training=True)
        else:
            mean, var = tf.nn.moments(xt, axes)
            out = tf.nn.batch_normalization(xt, mean, var, beta, gamma, 1e-3)
        updates = [tf.assign_sub(moving_mean, (moving_mean - mean) * (1 - 0.9)),
                   tf.assign_sub(moving_var, (moving_var - var) * (1 - 0.9))]
        probe = rng.standard_normal(shape).astype(F32)
        grads = tf.gradients(tf.reduce_sum(out * probe), [xt, gamma, beta])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            values = sess.run([out] + grads + updates)
        arrays.update({f"{key}/x": xb, f"{key}/gamma": gamma0, f"{key}/beta": beta0, f"{key}/probe": probe,
                       f"{key}/out": values[0], f"{key}/dx": values[1], f"{key}/dgamma": values[2],
                       f"{key}/dbeta": values[3], f"{key}/moving_mean": values[4], f"{key}/moving_var": values[5]})
    save("layers_and_batch_norm", **arrays)


def dtype_names():
    names = ["float", "double", "half", "float16", "float32", "float64", "bfloat16", "int8", "int16", "int32",
             "int64", "bool", "uint8", "uint16", "complex64", "string"]
    save("dtype_names", names=np.array(names), tf_names=np.array([tf.as_dtype(n).name for n in names]))


if __name__ == "__main__":
    for case in (logistic_regression, mlp_dropout, dynamic_shapes, embeddings_and_sampled_losses, recurrent_cells,
                 layers_and_batch_norm, dtype_names):
        case()
