"""User mistakes with checkpoints, training, sizes and empty tensors (see tests/user_error_cases.py)."""

from __future__ import annotations

import os

import numpy as np
from user_error_cases import F32, case, run


# ---- checkpoints -----------------------------------------------------------------------------------
def _save(tf, tmp, make):
    with tf.Graph().as_default():
        make()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return saver.save(sess, os.path.join(tmp, "model"))


@case("w2")
def restore_missing_variable(tf, tmp):
    path = _save(tf, tmp, lambda: tf.Variable(1.0, name="w1"))
    tf.Variable(1.0, name="w1")
    tf.Variable(2.0, name="w2")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)


@case("w", "[3]", "[2]")
def restore_wrong_shape(tf, tmp):
    path = _save(tf, tmp, lambda: tf.Variable(tf.zeros([2]), name="w"))
    tf.Variable(tf.zeros([3]), name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)


@case("valid checkpoint")
def restore_missing_file(tf, tmp):
    tf.Variable(1.0, name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, os.path.join(tmp, "nothing_here"))


@case()
def restore_corrupt_file(tf, tmp):
    path = _save(tf, tmp, lambda: tf.Variable(tf.zeros([64]), name="w"))
    for name in os.listdir(tmp):
        full = os.path.join(tmp, name)
        if name.startswith("model") and not name.endswith((".meta", ".index")):
            with open(full, "r+b") as f:
                f.seek(0, 2)
                size = f.tell()
                f.seek(size // 2)
                f.write(b"\xff" * 16)
    tf.Variable(tf.zeros([64]), name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)
        return sess.run("w:0")


@case("No variables to save")
def saver_without_variables(tf, tmp):
    tf.train.Saver()


# ---- training --------------------------------------------------------------------------------------
@case()
def global_step_float(tf, tmp):
    w = tf.Variable(1.0, name="w")
    step = tf.Variable(0.0, trainable=False, name="global_step")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.square(w), global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        return sess.run([w, step])


@case("global_step", "integer", "float32")
def global_step_float_in_collection(tf, tmp):
    step = tf.Variable(0.0, trainable=False, name="global_step")
    tf.add_to_collection(tf.GraphKeys.GLOBAL_STEP, step)
    tf.train.get_global_step()


@case("No gradients", "v:0")
def optimizer_on_int_variable(tf, tmp):
    v = tf.Variable(1, name="v")
    tf.train.GradientDescentOptimizer(0.1).minimize(tf.cast(v, tf.float32) * 2.0, var_list=[v])


@case("No variables to optimize")
def minimize_without_variables(tf, tmp):
    tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0) * 2.0)


@case("No gradients")
def minimize_unconnected_loss(tf, tmp):
    tf.Variable(1.0, name="w")
    tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0) * 2.0)


@case()
def gradients_unconnected_is_none(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.placeholder(tf.float32, [], name="y")
    g = tf.gradients(x * 2.0, [x, y])
    assert g[1] is None, g
    return run(tf, g[0], {x: 1.0})


@case()
def gradients_of_int_is_none(tf, tmp):
    x = tf.placeholder(tf.int32, [], name="x")
    f = tf.placeholder(tf.float32, [], name="f")
    g = tf.gradients(tf.cast(x, tf.float32) * f, [x, f])
    assert g[0] is None, g
    return run(tf, g[1], {x: 2, f: 1.0})


@case()
def gradients_unconnected_zero(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.placeholder(tf.float32, [2], name="y")
    g = tf.gradients(tf.reduce_sum(x * 2.0), [x, y], unconnected_gradients="zero")
    return run(tf, g, {x: [1.0, 1.0], y: [1.0, 1.0]})


# ---- sizes -----------------------------------------------------------------------------------------
@case("-1")
def zeros_negative(tf, tmp):
    tf.zeros([-1])


@case()
def ones_float_shape(tf, tmp):
    tf.ones([1e12])


@case("ones")
def ones_huge(tf, tmp):
    return run(tf, tf.reduce_sum(tf.ones([10 ** 12])))


@case("n")
def zeros_fed_negative(tf, tmp):
    n = tf.placeholder(tf.int32, [], name="n")
    return run(tf, tf.zeros([n]), {n: -2})


@case()
def range_backwards_is_empty(tf, tmp):
    return run(tf, tf.range(-5))


# ---- empty tensors ---------------------------------------------------------------------------------
@case()
def empty_batch_through_layers(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 8, 8, 2], name="x")
    conv = tf.layers.conv2d(x, 3, 3, padding="same")
    flat = tf.reshape(conv, [-1, 8 * 8 * 3])
    logits = tf.layers.dense(flat, 4)
    probs = tf.nn.softmax(logits)
    loss = tf.reduce_mean(tf.reduce_sum(probs, 1))
    return run(tf, [tf.shape(conv), tf.shape(logits), tf.shape(probs), loss, tf.reduce_sum(logits),
                    tf.reduce_max(logits), tf.reduce_min(logits), tf.reduce_prod(logits)],
               {x: np.zeros((0, 8, 8, 2), F32)}, init=True)


@case()
def empty_batch_gradient(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(tf.ones([3, 2]), name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w)))
    return run(tf, [loss, tf.gradients(loss, w)[0]], {x: np.zeros((0, 3), F32)}, init=True)


@case()
def empty_int_reductions(tf, tmp):
    x = tf.placeholder(tf.int32, [None], name="x")
    return run(tf, [tf.reduce_sum(x), tf.reduce_max(x), tf.reduce_min(x), tf.reduce_prod(x)],
               {x: np.zeros(0, np.int32)})


@case()
def empty_concat_and_gather(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, [tf.concat([x, x], 0), tf.gather(tf.ones([3, 2]), i), tf.reduce_mean(x, 0)],
               {x: np.zeros((0, 2), F32), i: np.zeros(0, np.int32)})
