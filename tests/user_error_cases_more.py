"""More user mistakes (see tests/user_error_cases.py): layers, reductions, indices, dropout, control flow, graphs."""

from __future__ import annotations

import os

import numpy as np
from user_error_cases import F32, case, run


# ---- builders and arguments ------------------------------------------------------------------------
@case("-1")
def placeholder_negative_dim(tf, tmp):
    tf.placeholder(tf.float32, [-1, 3])


@case("conv2d", "(8, 8, 3)")
def conv2d_layer_on_rank3(tf, tmp):
    x = tf.placeholder(tf.float32, [8, 8, 3])
    tf.layers.conv2d(x, 4, 3)


@case("zeros:0", "2", "tf.reduce_sum")
def reduce_sum_axis_out_of_range(tf, tmp):
    tf.reduce_sum(tf.zeros([2, 3]), axis=2)


@case("'ArgMax'", "2")
def argmax_axis_out_of_range(tf, tmp):
    tf.argmax(tf.zeros([2, 3]), axis=2)


@case("'ExpandDims'", "5")
def expand_dims_axis_out_of_range(tf, tmp):
    tf.expand_dims(tf.zeros([2, 3]), 5)


@case("'concat'", "3")
def concat_axis_out_of_range(tf, tmp):
    tf.concat([tf.zeros([2, 3]), tf.zeros([2, 3])], axis=3)


@case("'Tile'", "[2, 2, 2]")
def tile_multiples_wrong_length(tf, tmp):
    tf.tile(tf.zeros([2, 3]), [2, 2, 2])


@case("'MatMul'", "rank")
def matmul_of_vectors(tf, tmp):
    tf.matmul(tf.zeros([3]), tf.zeros([3]))


@case("float32")
def one_hot_float_indices(tf, tmp):
    tf.one_hot(tf.constant([0.0, 1.0]), 3)


@case("float32")
def embedding_lookup_float_ids(tf, tmp):
    tf.nn.embedding_lookup(tf.ones([4, 2]), tf.constant([0.0, 1.0]))


@case("'Sqrt'", "int32")
def sqrt_of_ints(tf, tmp):
    tf.sqrt(tf.constant([4, 9]))


@case("int32")
def softmax_of_ints(tf, tmp):
    tf.nn.softmax(tf.constant([[1, 2]]))


@case("rate")
def dropout_rate_out_of_range(tf, tmp):
    tf.nn.dropout(tf.ones([4]), rate=1.5)


@case("keep_prob")
def dropout_keep_prob_zero(tf, tmp):
    tf.nn.dropout(tf.ones([4]), keep_prob=0.0)


@case("logits", "labels")
def sigmoid_xent_shape_mismatch(tf, tmp):
    tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([4, 2]), logits=tf.zeros([4, 3]))


@case("(4, 2)", "(4, 3)")
def mse_loss_shape_mismatch(tf, tmp):
    tf.losses.mean_squared_error(tf.zeros([4, 2]), tf.zeros([4, 3]))


@case("ksize")
def max_pool_bad_ksize(tf, tmp):
    tf.nn.max_pool(tf.zeros([1, 4, 4, 1]), ksize=[1, 2, 2], strides=[1, 1, 1, 1], padding="VALID")


@case("padding")
def conv2d_bad_padding(tf, tmp):
    tf.nn.conv2d(tf.zeros([1, 4, 4, 1]), tf.zeros([2, 2, 1, 1]), strides=[1, 1, 1, 1], padding="FULL")


@case("mask")
def boolean_mask_shape_mismatch(tf, tmp):
    tf.boolean_mask(tf.zeros([3, 2]), tf.constant([True, False]))


@case("-2", "dfc.random_normal")
def random_normal_negative_shape(tf, tmp):
    tf.random_normal([-2, 3])


@case("'Select'", "[2]")
def where_shape_mismatch(tf, tmp):
    tf.where(tf.constant([True, False, True]), tf.zeros([3]), tf.zeros([2]))


@case("pred")
def cond_on_a_vector(tf, tmp):
    tf.cond(tf.constant([True, False]), lambda: tf.constant(1.0), lambda: tf.constant(2.0))


@case()
def cond_branches_of_other_structure(tf, tmp):
    tf.cond(tf.constant(True), lambda: [tf.constant(1.0), tf.constant(2.0)], lambda: tf.constant(2.0))


@case()
def while_body_returns_too_few(tf, tmp):
    tf.while_loop(lambda i, s: i < 3, lambda i, s: i + 1, [tf.constant(0), tf.constant(0.0)])


# ---- graphs and sessions ---------------------------------------------------------------------------
@case("finalized")
def add_op_to_finalized_graph(tf, tmp):
    g = tf.get_default_graph()
    tf.constant(1.0)
    g.finalize()
    tf.constant(2.0)


@case("nested")
def reset_default_graph_inside_a_graph(tf, tmp):
    with tf.Graph().as_default():
        tf.reset_default_graph()


@case("'x'")
def fetch_an_unfed_placeholder(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    return run(tf, x)


@case()
def feed_unused_placeholder_too(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    z = tf.placeholder(tf.float32, [2], name="z")
    return run(tf, x * 2.0, {x: [1.0, 2.0], z: [3.0, 4.0]})


@case()
def feed_bools_and_float64_and_ints(tf, tmp):
    x = tf.placeholder(tf.float32, [3], name="x")
    y = tf.placeholder(tf.float32, [2, 2], name="y")
    z = tf.placeholder(tf.float64, [2], name="z")
    return run(tf, [x + 1.0, y * 1.0, z * 2.0], {x: [True, False, True], y: np.arange(4, dtype=np.int64)
                                                 .reshape(2, 2), z: np.array([1.5, 2.5], np.float32)})


@case("accuracy")
def metric_without_local_init(tf, tmp):
    labels = tf.constant([1, 0, 1])
    acc, update = tf.metrics.accuracy(labels, tf.constant([1, 1, 1]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(update)


@case()
def metric_with_local_init(tf, tmp):
    labels = tf.constant([1, 0, 1])
    acc, update = tf.metrics.accuracy(labels, tf.constant([1, 1, 1]))
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        sess.run(update)
        return sess.run(acc)


@case("Parent directory", "missing/deeper/model")
def save_into_a_missing_directory(tf, tmp):
    tf.Variable(1.0, name="w")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, os.path.join(tmp, "missing", "deeper", "model"))


@case("renamed")
def restore_var_list_key_missing(tf, tmp):
    w = tf.Variable(1.0, name="w")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, os.path.join(tmp, "model"))
    with tf.Session() as sess:
        tf.train.Saver({"renamed": w}).restore(sess, path)


@case("nothing")
def import_meta_graph_missing_file(tf, tmp):
    tf.train.import_meta_graph(os.path.join(tmp, "nothing.meta"))


@case()
def restore_then_train(tf, tmp):
    w = tf.Variable([1.0, 2.0], name="w")
    train = tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(tf.square(w)))
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        path = saver.save(sess, os.path.join(tmp, "model"))
        sess.run(train)
    with tf.Session() as sess:
        saver.restore(sess, path)
        return sess.run(w)


@case("No variables to optimize")
def minimize_with_empty_var_list(tf, tmp):
    w = tf.Variable(1.0, name="w")
    tf.train.AdamOptimizer(0.1).minimize(tf.square(w), var_list=[])


@case()
def gradients_through_stop_gradient_and_int_cast(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.reduce_sum(tf.stop_gradient(x) * x + tf.cast(tf.cast(x, tf.int32), tf.float32))
    return run(tf, tf.gradients(y, x)[0], {x: [1.5, 2.0]})


@case()
def inf_and_nan_feeds_through_reductions(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    return run(tf, [tf.reduce_max(x, 0), tf.reduce_min(x, 0), tf.reduce_mean(x, 0), tf.argmax(x, 0),
                    tf.nn.relu(x), tf.nn.sigmoid(x), tf.tanh(x)],
               {x: np.array([[np.inf, np.nan], [-np.inf, 1.0], [0.0, 2.0]], F32)})


@case()
def empty_feed_through_losses(tf, tmp):
    logits = tf.placeholder(tf.float32, [None, 3], name="logits")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return run(tf, [xent, tf.reduce_sum(xent), tf.shape(tf.argmax(logits, 1))],
               {logits: np.zeros((0, 3), F32), labels: np.zeros(0, np.int32)})


# ---- edge sizes and indices found only when run ----------------------------------------------------
@case()
def empty_matmul_and_ops(tf, tmp):
    a = tf.placeholder(tf.float32, [None, None], name="a")
    b = tf.placeholder(tf.float32, [None, None], name="b")
    n = tf.placeholder(tf.int32, [None], name="n")
    return run(tf, [tf.matmul(a, b), tf.one_hot(n, 0), tf.tile(tf.ones([2, 2]), [0, 3]), tf.range(0),
                    tf.reduce_max(tf.zeros([0, 3]), 0)],
               {a: np.zeros((2, 0), F32), b: np.zeros((0, 3), F32), n: [1, 2]})


@case("Reshape", "empty")
def reshape_empty_with_unknown(tf, tmp):
    x = tf.placeholder(tf.float32, [None, None], name="x")
    return run(tf, tf.reshape(x, [0, -1]), {x: np.zeros((0, 4), F32)})


@case("'Conv2D'", "3", "2")
def conv2d_kernel_bigger_than_input(tf, tmp):
    tf.nn.conv2d(tf.zeros([1, 2, 2, 1]), tf.zeros([3, 3, 1, 1]), strides=[1, 1, 1, 1], padding="VALID")


@case("'MaxPool'", "3", "2")
def max_pool_bigger_than_input(tf, tmp):
    tf.nn.max_pool(tf.zeros([1, 2, 2, 1]), ksize=[1, 3, 3, 1], strides=[1, 1, 1, 1], padding="VALID")


@case("3", "[0, 3)")
def unsorted_segment_sum_id_out_of_range(tf, tmp):
    ids = tf.placeholder(tf.int32, [None], name="ids")
    return run(tf, tf.unsorted_segment_sum(tf.ones([2]), ids, 3), {ids: [0, 3]})


@case("5", "[0, 3)")
def scatter_update_index_out_of_range(tf, tmp):
    v = tf.Variable(tf.zeros([3]), name="v")
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, tf.scatter_update(v, i, tf.ones([1])), {i: [5]}, init=True)


@case("5", "out of bounds")
def index_out_of_range_when_run(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, x[5], {x: np.ones(3, F32)})


@case("k", "3")
def top_k_bigger_than_input(tf, tmp):
    x = tf.placeholder(tf.float32, [None, None], name="x")
    return run(tf, tf.nn.top_k(x, 5).values, {x: np.ones((2, 3), F32)})


@case("invertible")
def inverse_of_singular(tf, tmp):
    x = tf.placeholder(tf.float32, [2, 2], name="x")
    return run(tf, tf.matrix_inverse(x), {x: np.zeros((2, 2), F32)})


@case("'Pad'", "-1")
def pad_negative(tf, tmp):
    tf.pad(tf.zeros([2, 2]), [[-1, 0], [0, 0]])


@case("segment")
def segment_sum_ids_not_sorted(tf, tmp):
    ids = tf.placeholder(tf.int32, [None], name="ids")
    return run(tf, tf.segment_sum(tf.ones([3]), ids), {ids: [1, 0, 1]})


@case()
def fetched_values_do_not_change_with_the_feed(tf, tmp):
    x = tf.placeholder(tf.float32, [3], name="x")
    v = tf.Variable(tf.zeros([3]), name="v")
    feed = np.ones(3, F32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run([tf.identity(x), tf.reshape(x, [3, 1]), v], {x: feed})
        feed[0] = 99.0
        sess.run(v.assign_add(tf.ones([3])))
    return got


@case("'x'", "NoneType")
def feed_none_among_numbers(tf, tmp):
    x = tf.placeholder(tf.int32, [2], name="x")
    return run(tf, x + 1, {x: [None, 1]})

