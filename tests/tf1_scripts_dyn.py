"""Whole TF1 scripts over tf.TensorArray and tf.while_loop, written once for both real TF and dfc.

tests/record_dyn_scripts.py records what TensorFlow computes (tests/data/tf_expectations/script_<name>.npz);
tests/test_tensor_array.py runs them with dfc on both backends and compares.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32


def rnn_classifier_script(tf, Session) -> dict[str, np.ndarray]:
    """A user's hand-written dynamic RNN: variable_scope/get_variable weights, TensorArrays in a while_loop over
    a fed sequence of unknown length, a dense head, Adam, a Session loop; losses, outputs and variables."""
    rng = np.random.default_rng(50)
    data = rng.standard_normal((8, 6, 3)).astype(F32)  # [batch, time, features]
    labels = (data.sum(axis=(1, 2)) > 0).astype(np.int32)
    inputs = tf.placeholder(tf.float32, [None, None, 3], name="inputs")
    targets = tf.placeholder(tf.int32, [None], name="targets")
    with tf.variable_scope("rnn"):
        w = tf.get_variable("w", [3, 5], initializer=tf.constant_initializer(rng.standard_normal((3, 5)) * 0.4))
        u = tf.get_variable("u", [5, 5], initializer=tf.constant_initializer(rng.standard_normal((5, 5)) * 0.4))
        b = tf.get_variable("b", [5], initializer=tf.zeros_initializer())
    time_major = tf.transpose(inputs, [1, 0, 2])
    steps = tf.shape(time_major)[0]
    in_ta = tf.TensorArray(tf.float32, size=steps, name="in_ta").unstack(time_major)
    out_ta = tf.TensorArray(tf.float32, size=steps, name="out_ta")

    def step(t, h, out_ta):
        h = tf.tanh(tf.matmul(in_ta.read(t), w) + tf.matmul(h, u) + b)
        return t + 1, h, out_ta.write(t, h)
    h0 = tf.zeros(tf.stack([tf.shape(inputs)[0], 5]))
    _, last, out_ta = tf.while_loop(lambda t, *_: t < steps, step, [tf.constant(0), h0, out_ta])
    outputs = tf.transpose(out_ta.stack(), [1, 0, 2])
    pooled = tf.reduce_mean(outputs, axis=1) + last
    with tf.variable_scope("head"):  # (tf.layers is Keras 3's in TF 2.21, without dense)
        kernel = tf.get_variable("kernel", [5, 2], initializer=tf.constant_initializer(
            rng.standard_normal((5, 2)) * 0.5))
        logits = tf.matmul(pooled, kernel) + tf.get_variable("bias", [2], initializer=tf.zeros_initializer())
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    losses = []
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            losses.append(sess.run([train, loss], {inputs: data, targets: labels})[1])
        final = sess.run({"outputs": outputs, "loss": loss}, {inputs: data[:3, :4], targets: labels[:3]})
        weights = sess.run({"w": w, "u": u, "b": b})
    return {"losses": np.array(losses), "short_outputs": final["outputs"], "short_loss": final["loss"], **weights}


SCRIPTS = {"rnn_classifier": rnn_classifier_script}
