"""Whole TF1 training scripts over tf.nn's and tf.losses' newer names, written once for real TF and for dfc.

Each script takes a TF1-style module (`tensorflow.compat.v1`, with TF's legacy rnn_cell and tf.layers, or
`dfc`) and a Session factory, builds its model the way a user writes one (variable scopes, tf.layers,
a Session loop), sets every variable to fixed values and returns named arrays: the variables' names, the
losses of a few training steps and the outputs after them. tests/record_tf1_scripts_nn.py records them with
TensorFlow; tests/test_tf1_nn_scripts.py runs them with dfc and compares.
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
    """Give each trainable variable, in name order, values drawn from one seeded stream; return the names of
    all the global variables (optimizer slots included)."""
    rng = np.random.default_rng(seed)
    for v in sorted(tf.trainable_variables(), key=lambda v: v.name):
        sess.run(v.assign((rng.standard_normal(v.shape.as_list()) * 0.4).astype(F32)))
    return np.array(sorted(v.name for v in tf.global_variables()))


@script
def bidirectional_tagger(tf, Session):
    """A sequence tagger: residual LSTM forward, GRU backward over padded sequences, conv1d, dense head, a
    masked Huber loss plus L2 regularization, Adam."""
    rng = np.random.default_rng(11)
    steps, depth = 6, 4
    x = tf.placeholder(tf.float32, [None, steps, depth], name="x")
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    y = tf.placeholder(tf.float32, [None, steps], name="y")
    with tf.variable_scope("tagger"):
        forward = tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.LSTMCell(depth))
        backward = tf.nn.rnn_cell.GRUCell(5)
        (out_fw, out_bw), (state_fw, state_bw) = tf.nn.bidirectional_dynamic_rnn(
            forward, backward, x, sequence_length=lengths, dtype=tf.float32)
        features = tf.concat([out_fw, out_bw], axis=2)
        filters = tf.get_variable("filters", [3, depth + 5, 6])
        tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, 1e-2 * tf.nn.l2_loss(filters))
        hidden = tf.nn.leaky_relu(tf.nn.conv1d(features, filters, 1, "SAME"), alpha=0.1)
        logits = tf.squeeze(tf.layers.dense(tf.nn.selu(hidden), 1, name="head"), -1)
    mask = tf.sequence_mask(lengths, steps, dtype=tf.float32)
    data_loss = tf.losses.huber_loss(y, logits, weights=mask, delta=0.5)
    loss = data_loss + tf.losses.get_regularization_loss()
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    feed = {x: rng.standard_normal((3, steps, depth)).astype(F32), lengths: np.array([6, 2, 4], np.int32),
            y: rng.standard_normal((3, steps)).astype(F32)}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = _set_variables(tf, sess, 12)
        losses = [sess.run([loss, train], feed)[0] for _ in range(4)]
        outputs = sess.run({"out_fw": out_fw, "out_bw": out_bw, "state_c": state_fw.c, "state_h": state_fw.h,
                            "state_bw": state_bw, "logits": logits, "data_loss": data_loss,
                            "regularization": tf.losses.get_regularization_loss()}, feed)
    return {"names": names, "losses": np.array(losses), **outputs}


@script
def lrn_convnet(tf, Session):
    """An AlexNet-style block: conv2d, fused batch norm (training, then inference with the running
    statistics the script keeps), elu, LRN, max_pool_with_argmax; a static bidirectional RNN over its
    rows; a log loss, momentum."""
    rng = np.random.default_rng(21)
    images = tf.placeholder(tf.float32, [2, 8, 8, 3], name="images")
    labels = tf.placeholder(tf.float32, [2, 1], name="labels")
    training = tf.placeholder_with_default(True, [], name="training")
    with tf.variable_scope("net"):
        conv = tf.layers.conv2d(images, 4, 3, padding="same", use_bias=False, name="conv")
        scale = tf.get_variable("bn_scale", [4], initializer=tf.ones_initializer())
        offset = tf.get_variable("bn_offset", [4], initializer=tf.zeros_initializer())
        moving_mean = tf.get_variable("moving_mean", [4], initializer=tf.zeros_initializer(), trainable=False)
        moving_var = tf.get_variable("moving_var", [4], initializer=tf.ones_initializer(), trainable=False)
        y_train, batch_mean, batch_var = tf.nn.fused_batch_norm(conv, scale, offset, epsilon=1e-3)
        y_infer, _, _ = tf.nn.fused_batch_norm(conv, scale, offset, moving_mean, moving_var, epsilon=1e-3,
                                               is_training=False)
        normed = tf.cond(training, lambda: y_train, lambda: y_infer)
        updates = [tf.assign(moving_mean, 0.9 * moving_mean + 0.1 * batch_mean),
                   tf.assign(moving_var, 0.9 * moving_var + 0.1 * batch_var)]
        lrn = tf.nn.lrn(tf.nn.elu(normed), depth_radius=2, bias=1.0, alpha=0.2, beta=0.75)
        pooled, argmax = tf.nn.max_pool_with_argmax(lrn, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        rows = tf.unstack(tf.reshape(pooled, [2, 4, 16]), axis=1)
        cell_fw = tf.nn.rnn_cell.DeviceWrapper(tf.nn.rnn_cell.BasicRNNCell(3), "/cpu:0")
        outputs, state_fw, state_bw = tf.nn.static_bidirectional_rnn(cell_fw, tf.nn.rnn_cell.BasicRNNCell(3), rows,
                                                                     dtype=tf.float32)
        logits = tf.nn.xw_plus_b(outputs[-1], tf.get_variable("w_out", [6, 1]),
                                 tf.get_variable("b_out", [1], initializer=tf.zeros_initializer()))
    probability = tf.sigmoid(logits)
    loss = tf.losses.log_loss(labels, probability) + tf.losses.hinge_loss(labels, logits, weights=0.5)
    with tf.control_dependencies(updates):
        train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    feed = {images: rng.standard_normal((2, 8, 8, 3)).astype(F32), labels: np.array([[1.0], [0.0]], F32)}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = _set_variables(tf, sess, 22)
        sess.run([tf.assign(moving_mean, tf.zeros([4])), tf.assign(moving_var, tf.ones([4]))])
        losses = [sess.run([loss, train], feed)[0] for _ in range(3)]
        infer = {**feed, training: False}
        outputs = sess.run({"probability": probability, "argmax": argmax, "moving_mean": moving_mean,
                            "moving_var": moving_var, "state_fw": state_fw, "state_bw": state_bw,
                            "batch_var": batch_var}, feed)
        outputs["probability_infer"] = sess.run(probability, infer)
    return {"names": names, "losses": np.array(losses), **outputs}


@script
def video_classifier(tf, Session):
    """A small 3-D convnet on clips: tf.layers.conv3d, max_pooling3d, a Conv3D layer object, average_pooling3d,
    conv3d_transpose and a Conv3DTranspose layer object, a softmax loss, plain gradient descent."""
    rng = np.random.default_rng(31)
    clips = tf.placeholder(tf.float32, [None, 4, 6, 6, 2], name="clips")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    with tf.variable_scope("video"):
        h = tf.layers.conv3d(clips, 4, 3, padding="same", activation=tf.nn.relu)
        h = tf.layers.max_pooling3d(h, 2, 2)
        h = tf.layers.Conv3D(3, (2, 2, 2), strides=(1, 1, 1), padding="valid", activation=tf.nn.elu, name="mix")(h)
        h = tf.layers.average_pooling3d(h, (1, 2, 2), 1, padding="same")
        up = tf.layers.conv3d_transpose(h, 2, (2, 3, 3), strides=(2, 2, 1), padding="same")
        up = tf.layers.Conv3DTranspose(1, 2, strides=2, activation=tf.nn.tanh, name="up2")(up)
        logits = tf.layers.dense(tf.concat([tf.reshape(h, [-1, 3 * 2 * 2 * 1]), tf.reshape(up, [-1, 4 * 8 * 4])],
                                           1), 3, name="logits")
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    feed = {clips: rng.standard_normal((3, 4, 6, 6, 2)).astype(F32), labels: np.array([0, 2, 1], np.int32)}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = _set_variables(tf, sess, 32)
        upsampled0 = sess.run(up, feed)
        losses = [sess.run([loss, train], feed)[0] for _ in range(3)]
        final = sess.run({"logits": logits, "pooled": h, "upsampled": up}, feed)
    return {"names": names, "losses": np.array(losses), "upsampled0": upsampled0, **final}


@script
def static_bidirectional_lengths(tf, Session):
    """static_bidirectional_rnn over a list of steps with per-row lengths: stacked LSTMs forward, a residual GRU
    backward; outputs, final states and the gradients of a loss over them."""
    rng = np.random.default_rng(41)
    steps = [tf.placeholder(tf.float32, [3, 3], name=f"step{t}") for t in range(5)]
    lengths = tf.placeholder(tf.int64, [3], name="lengths")
    forward = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(4), tf.nn.rnn_cell.BasicLSTMCell(2)])
    backward = tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.GRUCell(3))
    outputs, state_fw, state_bw = tf.nn.static_bidirectional_rnn(forward, backward, steps, dtype=tf.float32,
                                                                 sequence_length=lengths, scope="birnn")
    stacked = tf.stack(outputs, axis=1)
    loss = tf.reduce_sum(stacked * stacked) + tf.reduce_sum(state_fw[1].h) + tf.reduce_sum(state_fw[0].c) + \
        tf.reduce_sum(state_bw * 0.5)
    grads = tf.gradients(loss, steps + tf.trainable_variables())
    feed = {s: rng.standard_normal((3, 3)).astype(F32) for s in steps}
    feed[lengths] = np.array([5, 3, 1], np.int64)
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = _set_variables(tf, sess, 42)
        values = sess.run({"outputs": stacked, "fw_c0": state_fw[0].c, "fw_h1": state_fw[1].h, "bw": state_bw,
                           "loss": loss}, feed)
        grad_values = sess.run(grads, feed)
    ordered = sorted(zip([f"step{t}" for t in range(5)] + [v.name for v in tf.trainable_variables()], grad_values))
    return {"names": names, **values, **{f"grad/{k}": g for k, g in ordered}}
