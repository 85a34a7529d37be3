"""Harder user mistakes (see tests/user_error_cases.py): odd feed values and keys, odd fetches, errors that only a
run can find, iterators, queues and TensorArrays, checkpoints that do not fit, and graph-building slips."""

from __future__ import annotations

import collections
import os

import numpy as np
from user_error_cases import F32, case, run


# ---- feed values -----------------------------------------------------------------------------------
@case()
def feed_float64_array_into_int32(tf, tmp):
    x = tf.placeholder(tf.int32, [None], name="x")
    return run(tf, x * 2, {x: np.array([1.7, -2.5, 3.0])})


@case()
def feed_bools_into_float(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, x + 1.0, {x: np.array([True, False])})


@case()
def feed_object_array_into_float(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, x + 1.0, {x: np.array([object(), 1.0], dtype=object)})


@case()
def feed_numpy_scalars(tf, tmp):
    a = tf.placeholder(tf.int32, [], name="a")
    b = tf.placeholder(tf.float32, [], name="b")
    c = tf.placeholder(tf.float64, [], name="c")
    return run(tf, [a * 2, b * 2.0, c * 2.0], {a: np.int64(3), b: np.float64(1.5), c: np.float32(0.25)})


@case()
def feed_non_contiguous_and_fortran_arrays(tf, tmp):
    x = tf.placeholder(tf.float32, [None, None], name="x")
    y = tf.placeholder(tf.float32, [None, None], name="y")
    base = np.arange(24, dtype=F32).reshape(4, 6)
    return run(tf, [tf.matmul(x, y), x * 1.0, tf.transpose(y)],
               {x: base[::2, 1::2], y: np.asfortranarray(base.T[:3, :2])})


@case()
def feed_big_endian_array(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, [x * 2.0, i + 1], {x: np.array([1.5, -2.0], dtype=">f4"), i: np.array([7, -3], dtype=">i4")})


@case()
def feed_read_only_array(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    v = tf.Variable(tf.zeros([3]), name="v")
    value = np.array([1.0, 2.0, 3.0], F32)
    value.setflags(write=False)
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(v.assign(x), {x: value})
        sess.run(v.assign_add(x), {x: value})
        return [sess.run(v), value]


@case()
def feed_array_is_not_aliased(tf, tmp):
    x = tf.placeholder(tf.float32, [3], name="x")
    v = tf.Variable(tf.zeros([3]), name="v")
    value = np.array([1.0, 2.0, 3.0], F32)
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(v.assign(x), {x: value})
        value[:] = 100.0
        return sess.run(v)


@case("'x'", "()", "(1,)")
def feed_scalar_into_vector_of_one(tf, tmp):
    x = tf.placeholder(tf.float32, [1], name="x")
    return run(tf, x + 1.0, {x: 2.0})


@case()
def feed_huge_float_into_half(tf, tmp):
    x = tf.placeholder(tf.float16, [None], name="x")
    return run(tf, tf.cast(x, tf.float32), {x: [1e6, -1e6, 1.0]})


@case()
def feed_int_string_into_int(tf, tmp):
    x = tf.placeholder(tf.int32, [], name="x")
    return run(tf, x + 1, {x: "3"})


@case("abc")
def feed_word_into_int(tf, tmp):
    x = tf.placeholder(tf.int32, [], name="x")
    return run(tf, x + 1, {x: "abc"})


@case()
def feed_numbers_into_string(tf, tmp):
    x = tf.placeholder(tf.string, [None], name="x")
    return run(tf, tf.strings.length(x), {x: ["ab", b"cde"]})


@case()
def feed_int64_array_into_int32_wraps(tf, tmp):
    x = tf.placeholder(tf.int32, [None], name="x")
    return run(tf, x + 0, {x: np.array([2 ** 31 + 5, -1], np.int64)})


@case()
def feed_list_of_arrays(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    return run(tf, x * 2.0, {x: [np.array([1.0, 2.0]), np.array([3, 4])]})


@case()
def feed_ragged_array_list_into_float(tf, tmp):
    x = tf.placeholder(tf.float32, [None, None], name="x")
    return run(tf, x + 1.0, {x: [np.array([1.0, 2.0]), np.array([3.0])]})


# ---- feed keys -------------------------------------------------------------------------------------
@case("noop")
def feed_an_operation(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    op = tf.no_op(name="noop")
    return run(tf, x + 1.0, {x: 1.0, op: 2.0})


@case("'x'", "Operation")
def feed_op_name_without_index(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    return run(tf, x + 1.0, {"x": 1.0})


@case()
def feed_a_constant(tf, tmp):
    c = tf.constant([1.0, 2.0], name="c")
    return run(tf, c * 3.0, {c: [5.0, 6.0]})


@case("mul:0", "(3,)", "(2,)")
def feed_intermediate_wrong_shape(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    y = x * 2.0
    return run(tf, y + 1.0, {y: np.ones(3, F32)})


@case()
def feed_same_placeholder_by_tensor_and_name(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    return run(tf, x + 1.0, {"x:0": 1.0, x: 1.0})


@case("x:3")
def feed_output_index_out_of_range(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    return run(tf, x + 1.0, {"x:3": 1.0})


@case("3")
def feed_a_python_int_key(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    return run(tf, x + 1.0, {x: 1.0, 3: 2.0})


@case()
def feed_sparse_placeholder(tf, tmp):
    sp = tf.sparse_placeholder(tf.float32, name="sp")
    dense = tf.sparse_tensor_to_dense(sp)
    value = tf.SparseTensorValue(indices=[[0, 1], [1, 0]], values=[3.0, 4.0], dense_shape=[2, 2])
    return run(tf, [dense, tf.sparse_reduce_sum(sp)], {sp: value})


@case("index")
def feed_sparse_placeholder_index_out_of_bounds(tf, tmp):
    sp = tf.sparse_placeholder(tf.float32, name="sp")
    value = tf.SparseTensorValue(indices=[[0, 1], [5, 0]], values=[3.0, 4.0], dense_shape=[2, 2])
    return run(tf, tf.sparse_tensor_to_dense(sp), {sp: value})


@case()
def feed_sparse_placeholder_as_tuple(tf, tmp):
    sp = tf.sparse_placeholder(tf.float32, shape=[2, 3], name="sp")
    return run(tf, tf.sparse_tensor_to_dense(sp), {sp: (np.array([[1, 2]], np.int64), [7.0], [2, 3])})


# ---- fetches ---------------------------------------------------------------------------------------
@case()
def fetch_an_op_by_name(tf, tmp):
    tf.constant(1.0, name="c")
    return run(tf, ["c", "c:0"])[1:]


@case("set")
def fetch_a_set(tf, tmp):
    x = tf.constant(1.0)
    return run(tf, {x})


@case()
def fetch_empty_structures(tf, tmp):
    tf.constant(1.0)
    got = run(tf, [[], {}, ()])
    assert got == [[], {}, ()], got
    return None


@case()
def fetch_a_variable_and_sparse_tensor(tf, tmp):
    v = tf.Variable([1.0, 2.0], name="v")
    sp = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[5, 6], dense_shape=[2, 3])
    with tf.Session() as sess:
        sess.run(v.initializer)
        got_v, got_sp = sess.run([v, sp])
        return [got_v, got_sp.indices, got_sp.values, got_sp.dense_shape]


@case()
def fetch_ordered_dict_keeps_order(tf, tmp):
    a, b = tf.constant(1.0), tf.constant(2)
    got = run(tf, collections.OrderedDict([("z", a), ("a", b)]))
    assert isinstance(got, collections.OrderedDict) and list(got) == ["z", "a"], got
    return [got["z"], got["a"]]


@case("x:0", "not an element of this")
def session_of_another_graph(tf, tmp):
    other = tf.Graph()
    with other.as_default():
        tf.constant(1.0)
    x = tf.constant(2.0, name="x")
    with tf.Session(graph=other) as sess:
        return sess.run(x)


# ---- shapes and values known only when run ---------------------------------------------------------
@case("'cat'")
def concat_fed_mismatch(tf, tmp):
    a = tf.placeholder(tf.float32, [None, None], name="a")
    b = tf.placeholder(tf.float32, [None, None], name="b")
    return run(tf, tf.concat([a, b], 0, name="cat"), {a: np.ones((2, 3), F32), b: np.ones((1, 4), F32)})


@case("[3]", "[4]")
def broadcast_fed_mismatch(tf, tmp):
    a = tf.placeholder(tf.float32, [None], name="a")
    b = tf.placeholder(tf.float32, [None], name="b")
    return run(tf, tf.multiply(a, b, name="prod"), {a: np.ones(3, F32), b: np.ones(4, F32)})


@case("GatherNd", "out of range")
def gather_nd_out_of_range(tf, tmp):
    i = tf.placeholder(tf.int32, [None, 2], name="i")
    return run(tf, tf.gather_nd(tf.ones([2, 3]), i), {i: [[0, 1], [1, 5]]})


@case("ScatterNd", "out of range")
def scatter_nd_out_of_range(tf, tmp):
    i = tf.placeholder(tf.int32, [None, 1], name="i")
    return run(tf, tf.scatter_nd(i, tf.constant([1.0, 2.0]), [4]), {i: [[1], [9]]})


@case("depth", "-2")
def one_hot_fed_negative_depth(tf, tmp):
    d = tf.placeholder(tf.int32, [], name="d")
    return run(tf, tf.one_hot([0, 1], d), {d: -2})


@case("5")
def index_with_fed_scalar_out_of_range(tf, tmp):
    i = tf.placeholder(tf.int32, [], name="i")
    return run(tf, tf.constant([1.0, 2.0, 3.0])[i], {i: 5})


@case()
def slice_with_fed_bounds_is_clamped(tf, tmp):
    b = tf.placeholder(tf.int32, [], name="b")
    x = tf.constant([1.0, 2.0, 3.0])
    return run(tf, [x[b:b + 2], x[-b:], x[b:]], {b: 5})


@case("out of order")
def sparse_to_dense_unsorted(tf, tmp):
    i = tf.placeholder(tf.int64, [None, 1], name="i")
    return run(tf, tf.sparse_to_dense(i, [4], [1.0, 2.0]), {i: [[2], [1]]})


@case("repeated")
def sparse_to_dense_duplicate(tf, tmp):
    i = tf.placeholder(tf.int64, [None, 1], name="i")
    return run(tf, tf.sparse_to_dense(i, [4], [1.0, 2.0]), {i: [[1], [1]]})


@case()
def segment_ids_out_of_range(tf, tmp):
    ids = tf.placeholder(tf.int32, [None], name="ids")
    return run(tf, tf.segment_sum(tf.constant([1.0, 2.0, 3.0]), ids), {ids: [0, 0, 7]})


@case("SegmentSum", "segment")
def segment_ids_negative(tf, tmp):
    ids = tf.placeholder(tf.int32, [None], name="ids")
    return run(tf, tf.segment_sum(tf.constant([1.0, 2.0, 3.0]), ids), {ids: [-1, 0, 0]})


@case("[2]", "[3]")
def assign_fed_value_of_wrong_shape(tf, tmp):
    v = tf.Variable(tf.zeros([2]), name="v")
    x = tf.placeholder(tf.float32, [None], name="x")
    with tf.Session() as sess:
        sess.run(v.initializer)
        return sess.run(v.assign(x), {x: np.ones(3, F32)})


@case()
def assign_without_validate_shape(tf, tmp):
    v = tf.Variable(tf.zeros([2]), name="v", validate_shape=False)
    x = tf.placeholder(tf.float32, [None], name="x")
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(tf.assign(v, x, validate_shape=False), {x: np.ones(3, F32)})
        return sess.run(v)


@case("multiples", "-1")
def tile_fed_negative_multiples(tf, tmp):
    m = tf.placeholder(tf.int32, [1], name="m")
    return run(tf, tf.tile(tf.constant([1.0, 2.0], name="x"), m), {m: [-1]})


@case("-3")
def fill_fed_negative_dims(tf, tmp):
    d = tf.placeholder(tf.int32, [2], name="d")
    return run(tf, tf.fill(d, 1.0), {d: [2, -3]})


@case("Cholesky")
def cholesky_not_positive_definite(tf, tmp):
    x = tf.placeholder(tf.float32, [2, 2], name="x")
    return run(tf, tf.cholesky(x), {x: [[1.0, 2.0], [2.0, 1.0]]})


@case("square")
def matrix_inverse_fed_not_square(tf, tmp):
    x = tf.placeholder(tf.float32, [None, None], name="x")
    return run(tf, tf.matrix_inverse(x), {x: np.ones((2, 3), F32)})


@case("abc")
def string_to_number_bad(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    return run(tf, tf.string_to_number(s), {s: ["1.5", "abc"]})


@case("'Conv2D'", "3", "2")
def conv2d_fed_channel_mismatch(tf, tmp):
    x = tf.placeholder(tf.float32, [None, None, None, None], name="x")
    return run(tf, tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), [1, 1, 1, 1], "SAME"), {x: np.ones((1, 5, 5, 2), F32)})


@case("-1")
def random_uniform_fed_negative_shape(tf, tmp):
    s = tf.placeholder(tf.int32, [2], name="s")
    return run(tf, tf.random_uniform(s), {s: [2, -1]})


@case("x")
def split_fed_uneven(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.split(x, 2), {x: np.ones(5, F32)})


@case()
def reshape_fed_to_empty_with_unknown(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.shape(tf.reshape(x, [-1, 0])), {x: np.zeros(0, F32)})


# ---- TensorArrays, queues, iterators ---------------------------------------------------------------
@case()
def tensor_array_read_unwritten(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=3)
    ta = ta.write(0, 1.0)
    return run(tf, ta.read(1))


@case("TensorArray index", "[0]", "already been written")
def tensor_array_write_twice(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=3)
    ta = ta.write(0, 1.0).write(0, 2.0)
    return run(tf, ta.read(0))


@case("index", "[5]", "size")
def tensor_array_write_past_size(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=3)
    ta = ta.write(5, 1.0)
    return run(tf, ta.read(5))


@case("closed")
def queue_dequeue_after_close(tf, tmp):
    q = tf.FIFOQueue(3, tf.float32)
    with tf.Session() as sess:
        sess.run(q.enqueue(1.0))
        sess.run(q.close())
        sess.run(q.dequeue())
        return sess.run(q.dequeue())


@case("closed")
def queue_enqueue_after_close(tf, tmp):
    q = tf.FIFOQueue(3, tf.float32)
    with tf.Session() as sess:
        sess.run(q.close())
        return sess.run(q.enqueue(1.0))


@case()
def dataset_exhausted(tf, tmp):
    it = tf.data.Dataset.from_tensor_slices([1, 2]).make_one_shot_iterator()
    nxt = it.get_next()
    with tf.Session() as sess:
        sess.run(nxt)
        sess.run(nxt)
        return sess.run(nxt)


@case()
def iterator_not_initialized(tf, tmp):
    it = tf.data.Dataset.from_tensor_slices([1, 2]).make_initializable_iterator()
    return run(tf, it.get_next())


# ---- variables and checkpoints ---------------------------------------------------------------------
@case()
def initializer_depends_on_another_variable(tf, tmp):
    a = tf.Variable(tf.ones([2]), name="a")
    b = tf.Variable(a * 3.0, name="b")
    c = tf.Variable(b + a, name="c")
    return run(tf, [a, b, c], init=True)


def _save(tf, tmp, make):
    with tf.Graph().as_default():
        make()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return saver.save(sess, os.path.join(tmp, "model"))


@case()
def restore_checkpoint_with_extra_variables(tf, tmp):
    path = _save(tf, tmp, lambda: (tf.Variable(5.0, name="w1"), tf.Variable(2.0, name="w2")))
    w1 = tf.Variable(1.0, name="w1")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)
        return sess.run(w1)


@case("w", "float")
def restore_other_dtype(tf, tmp):
    path = _save(tf, tmp, lambda: tf.Variable(tf.zeros([2]), name="w"))
    tf.Variable(tf.zeros([2], tf.float64), name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)


def _checkpoint_files(tmp):
    """The files of a checkpoint that hold its values and their index (TF's .index and .data-*, dfc's own)."""
    return [os.path.join(tmp, n) for n in sorted(os.listdir(tmp)) if n.startswith("model.") and n != "model.meta"]


@case()
def restore_corrupt_header(tf, tmp):
    path = _save(tf, tmp, lambda: tf.Variable(tf.zeros([4]), name="w"))
    for name in _checkpoint_files(tmp):
        with open(name, "r+b") as f:
            f.seek(5)
            f.write(b"\x00\xff\x13\x77" * 4)
    tf.Variable(tf.zeros([4]), name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)
        return sess.run("w:0")


@case()
def restore_truncated_data(tf, tmp):
    path = _save(tf, tmp, lambda: tf.Variable(tf.ones([64]), name="w"))
    for name in _checkpoint_files(tmp):
        if not name.endswith(".index"):
            with open(name, "r+b") as f:
                f.truncate(os.path.getsize(name) - 40)
    tf.Variable(tf.zeros([64]), name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)
        return sess.run("w:0")


@case("w")
def restore_into_scalar_from_vector(tf, tmp):
    path = _save(tf, tmp, lambda: tf.Variable(tf.zeros([1]), name="w"))
    tf.Variable(0.0, name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)


@case()
def save_over_a_directory(tf, tmp):
    for suffix in (".index", ".safetensors"):  # where TF and dfc write a checkpoint's values
        os.makedirs(os.path.join(tmp, "model" + suffix))
    tf.Variable(1.0, name="w")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, os.path.join(tmp, "model"))


# ---- building graphs -------------------------------------------------------------------------------
@case()
def same_name_twice_is_uniquified(tf, tmp):
    a = tf.placeholder(tf.float32, [], name="x")
    b = tf.placeholder(tf.float32, [], name="x")
    c = tf.constant(1.0, name="x_1")
    assert (a.name, b.name, c.name) == ("x:0", "x_1:0", "x_1_1:0"), (a.name, b.name, c.name)
    return run(tf, a + b + c, {a: 1.0, b: 2.0})


@case()
def gradients_of_non_differentiable_ops(tf, tmp):
    x = tf.placeholder(tf.float32, [3], name="x")
    grads = tf.gradients([tf.cast(tf.argmax(x), tf.float32), tf.round(x), tf.floor(x), tf.sign(x)], x)
    assert grads == [None], grads
    return None


@case()
def gradients_of_floor_and_round_separately(tf, tmp):
    x = tf.placeholder(tf.float32, [3], name="x")
    got = [tf.gradients(f(x), x)[0] for f in (tf.floor, tf.round, tf.sign, tf.ceil)]
    assert [g is None for g in got] == [True, True, False, True], got  # sign's gradient is zeros
    return None


@case("a:0", "not an element of this graph")
def control_dependency_on_another_graph(tf, tmp):
    other = tf.Graph()
    with other.as_default():
        a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        tf.constant(2.0) + 1.0


@case("int32")
def python_float_into_int_op(tf, tmp):
    x = tf.constant([1, 2], name="x")
    x + 2.5


@case()
def python_whole_float_into_int_op(tf, tmp):
    x = tf.constant([1, 2], name="x")
    return run(tf, x + 2.0)


@case("2.0", "int32")
def constant_whole_float_as_int(tf, tmp):
    tf.constant(2.0, dtype=tf.int32)


@case("string")
def string_plus_number(tf, tmp):
    tf.constant("abc") + 1


@case("float64", "float32")
def float64_times_float32(tf, tmp):
    tf.constant(1.0, tf.float64) * tf.constant(2.0)


@case("5", "out of bounds")
def index_constant_out_of_range(tf, tmp):
    tf.constant([1.0, 2.0, 3.0])[5]


@case("split")
def split_constant_uneven(tf, tmp):
    tf.split(tf.zeros([5]), 2)


@case()
def cast_string_to_float(tf, tmp):
    return run(tf, tf.cast(tf.constant(["1.5"]), tf.float32))


@case("int32", "2.5")
def assign_float_to_int_variable(tf, tmp):
    v = tf.Variable(1, name="v")
    v.assign(2.5)


@case("2.5")
def placeholder_shape_of_floats(tf, tmp):
    tf.placeholder(tf.float32, [2.5, 3])


@case("x")
def placeholder_dtype_not_a_dtype(tf, tmp):
    tf.placeholder("floaty", [2], name="x")


@case("reuse")
def get_variable_bad_reuse_flag(tf, tmp):
    with tf.variable_scope("s", reuse="yes"):
        tf.get_variable("w", [1])


@case()
def constant_numpy_floats_as_int_truncate(tf, tmp):
    return run(tf, [tf.constant(np.array([1.5, -2.7]), dtype=tf.int32), tf.constant(np.float64(3.9), dtype=tf.int64)])


@case("2.0", "int32")
def constant_list_with_a_float_as_int(tf, tmp):
    tf.constant([1, 2.0], dtype=tf.int32)


@case("float32")
def reshape_to_a_float_shape(tf, tmp):
    tf.reshape(tf.zeros([4]), [2.0, 2.0])


# ---- more run-time mistakes ------------------------------------------------------------------------
@case()
def py_func_returns_wrong_dtype(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    return run(tf, tf.py_func(lambda v: v.astype(np.float64), [x], tf.float32), {x: [1.0, 2.0]})


@case()
def while_loop_fed_iterations(tf, tmp):
    n = tf.placeholder(tf.int32, [], name="n")
    _, total = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + tf.cast(i, tf.float32)),
                             [tf.constant(0), tf.constant(0.0)])
    return run(tf, total, {n: -3})


@case()
def while_loop_shape_invariant_grows(tf, tmp):
    x0 = tf.placeholder(tf.float32, [None], name="x0")
    _, x = tf.while_loop(lambda i, x: i < 2, lambda i, x: (i + 1, tf.concat([x, x], 0)), [tf.constant(0), x0],
                         shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])
    return run(tf, x, {x0: [1.0, 2.0]})


@case("x", "(2,)")
def while_loop_shape_invariant_violated(tf, tmp):
    x0 = tf.placeholder(tf.float32, [2], name="x0")
    _, x = tf.while_loop(lambda i, x: i < 2, lambda i, x: (i + 1, tf.concat([x, x], 0)), [tf.constant(0), x0],
                         shape_invariants=[tf.TensorShape([]), tf.TensorShape([2])])
    return run(tf, x, {x0: [1.0, 2.0]})


@case()
def cond_with_fed_predicate(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.cond(p, lambda: x * 2.0, lambda: x - 1.0)
    return [run(tf, y, {p: True, x: [1.0]}), run(tf, y, {p: np.bool_(False), x: [1.0]})]


@case()
def fetch_the_same_variable_update_twice(tf, tmp):
    v = tf.Variable(0.0, name="v")
    inc = v.assign_add(1.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run([inc, inc])
        return [got[0], got[1], sess.run(v)]


@case()
def feed_a_variable_then_read(tf, tmp):
    v = tf.Variable([1.0, 2.0], name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        fed = sess.run(v * 2.0, {v: [5.0, 6.0]})
        return [fed, sess.run(v)]


@case()
def reduce_mean_of_ints_truncates(tf, tmp):
    x = tf.placeholder(tf.int32, [None], name="x")
    return run(tf, [tf.reduce_mean(x), x // 2, x % 3, -x // 2], {x: [1, 2, 4, -7]})


@case()
def uint8_arithmetic_wraps(tf, tmp):
    x = tf.placeholder(tf.uint8, [None], name="x")
    return run(tf, [x + x, x - tf.constant(200, tf.uint8), x * 2], {x: [100, 200, 255]})


@case()
def int32_overflow_wraps(tf, tmp):
    x = tf.placeholder(tf.int32, [None], name="x")
    return run(tf, [x + 1, x * 2, -x, tf.abs(x)], {x: [2 ** 31 - 1, -2 ** 31]})


@case("Tensor")
def iterate_over_a_tensor(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    for _ in x:
        pass


@case()
def len_of_a_tensor(tf, tmp):
    x = tf.constant([1.0, 2.0])
    return len(x)


@case("eval")
def eval_without_session(tf, tmp):
    tf.constant(1.0).eval()


@case()
def session_run_string_fetch_of_variable(tf, tmp):
    tf.Variable([1.0, 2.0], name="v")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(["v:0", "v/read:0"])


@case("shape")
def reshape_fed_shape_tensor_wrong(tf, tmp):
    s = tf.placeholder(tf.int32, [None], name="s")
    return run(tf, tf.reshape(tf.zeros([6]), s), {s: [4, 2]})


@case()
def boolean_mask_fed_mismatch(tf, tmp):
    m = tf.placeholder(tf.bool, [None], name="m")
    return run(tf, tf.boolean_mask(tf.constant([1.0, 2.0, 3.0]), m), {m: [True, False]})


@case("SparseSoftmaxCrossEntropyWithLogits")
def sparse_softmax_fed_batch_mismatch(tf, tmp):
    labels = tf.placeholder(tf.int32, [None], name="labels")
    logits = tf.placeholder(tf.float32, [None, 4], name="logits")
    return run(tf, tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits),
               {labels: [0, 1], logits: np.zeros((3, 4), F32)})


@case()
def softmax_xent_fed_mismatch(tf, tmp):
    labels = tf.placeholder(tf.float32, [None, None], name="labels")
    logits = tf.placeholder(tf.float32, [None, None], name="logits")
    return run(tf, tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits),
               {labels: np.zeros((2, 3), F32), logits: np.zeros((2, 4), F32)})


@case()
def transpose_fed_perm_bad(tf, tmp):
    p = tf.placeholder(tf.int32, [2], name="p")
    return run(tf, tf.transpose(tf.zeros([2, 3]), p), {p: [0, 0]})


@case()
def gather_axis_fed(tf, tmp):
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, tf.gather(tf.reshape(tf.range(6.0), [2, 3]), i, axis=1), {i: [2, 0, 3]})


@case()
def string_join_fed_mismatch(tf, tmp):
    a = tf.placeholder(tf.string, [None], name="a")
    b = tf.placeholder(tf.string, [None], name="b")
    return run(tf, tf.strings.join([a, b]), {a: ["x", "y"], b: ["1", "2", "3"]})


@case()
def decode_bad_base64(tf, tmp):
    s = tf.placeholder(tf.string, [], name="s")
    return run(tf, tf.io.decode_base64(s), {s: "not base64!!"})


@case()
def matmul_fed_rank_mismatch(tf, tmp):
    a = tf.placeholder(tf.float32, name="a")
    b = tf.placeholder(tf.float32, name="b")
    return run(tf, tf.matmul(a, b), {a: np.ones((2, 3), F32), b: np.ones(3, F32)})


@case()
def add_fed_unranked_mismatch(tf, tmp):
    a = tf.placeholder(tf.float32, name="a")
    b = tf.placeholder(tf.float32, name="b")
    return run(tf, a + b, {a: np.ones((2, 3), F32), b: np.ones((2,), F32)})


@case()
def conv2d_fed_unranked_rank3(tf, tmp):
    x = tf.placeholder(tf.float32, name="x")
    return run(tf, tf.nn.conv2d(x, tf.ones([3, 3, 1, 1]), [1, 1, 1, 1], "SAME"), {x: np.ones((5, 5, 1), F32)})


@case()
def reduce_sum_fed_axis_out_of_range(tf, tmp):
    a = tf.placeholder(tf.int32, [], name="a")
    return run(tf, tf.reduce_sum(tf.ones([2, 3]), axis=a), {a: 4})


@case()
def dense_layer_fed_other_width(tf, tmp):
    x = tf.placeholder(tf.float32, name="x")
    y = tf.layers.dense(tf.reshape(x, [-1, 3]), 2)
    return run(tf, tf.shape(y), {x: np.ones((2, 4), F32)}, init=True)


# ---- more API slips --------------------------------------------------------------------------------
@case("None")
def session_run_none(tf, tmp):
    tf.constant(1.0)
    return run(tf, None)


@case()
def fetch_sparse_placeholder_fed(tf, tmp):
    sp = tf.sparse_placeholder(tf.float32, name="sp")
    got = run(tf, sp, {sp: tf.SparseTensorValue([[0, 0]], [2.5], [1, 2])})
    return [got.indices, got.values, got.dense_shape]


@case()
def feed_dense_array_to_sparse_placeholder(tf, tmp):
    sp = tf.sparse_placeholder(tf.float32, name="sp")
    return run(tf, tf.sparse_tensor_to_dense(sp), {sp: np.ones((2, 2), F32)})


@case()
def variable_of_none(tf, tmp):
    tf.Variable(None, name="v")


@case()
def variable_float_value_int_dtype(tf, tmp):
    tf.Variable(1.5, dtype=tf.int32, name="v")


@case()
def variable_from_callable(tf, tmp):
    v = tf.Variable(lambda: tf.ones([2]) * 3.0, name="v")
    return run(tf, v, init=True)


@case("No gradients")
def apply_gradients_all_none(tf, tmp):
    w = tf.Variable(1.0, name="w")
    tf.train.GradientDescentOptimizer(0.1).apply_gradients([(None, w)])


@case()
def gradients_with_grad_ys_of_wrong_shape(tf, tmp):
    x = tf.placeholder(tf.float32, [3], name="x")
    tf.gradients(x * 2.0, x, grad_ys=tf.ones([4]))


@case()
def gradients_of_a_placeholder_wrt_itself(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    return run(tf, tf.gradients(x, x)[0], {x: [1.0, 2.0]})


@case()
def compute_gradients_var_list_with_a_tensor(tf, tmp):
    w = tf.Variable(1.0, name="w")
    t = tf.constant(2.0, name="t")
    tf.train.GradientDescentOptimizer(0.1).compute_gradients(w * t, var_list=[w, t])


@case()
def py_func_returns_too_many(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    return run(tf, tf.py_func(lambda v: (v, v), [x], tf.float32), {x: [1.0, 2.0]})


@case()
def py_func_returns_other_shape(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.py_func(lambda v: np.concatenate([v, v]), [x], tf.float32)
    return run(tf, y * 2.0, {x: [1.0, 2.0]})


@case()
def import_meta_graph_corrupt(tf, tmp):
    path = os.path.join(tmp, "bad.meta")
    with open(path, "wb") as f:
        f.write(b"\x08\x96\x01garbage that is not a MetaGraphDef \xff\xfe")
    tf.train.import_meta_graph(path)


@case()
def latest_checkpoint_of_missing_dir(tf, tmp):
    assert tf.train.latest_checkpoint(os.path.join(tmp, "nothing")) is None
    return None


@case()
def resize_fed_to_zero(tf, tmp):
    s = tf.placeholder(tf.int32, [2], name="s")
    return run(tf, tf.image.resize_images(tf.ones([1, 4, 4, 1]), s), {s: [0, 2]})


@case()
def dropout_fed_keep_prob_zero(tf, tmp):
    k = tf.placeholder(tf.float32, [], name="k")
    return run(tf, tf.nn.dropout(tf.ones([3]), keep_prob=k), {k: 0.0})


@case()
def string_split_of_numbers(tf, tmp):
    tf.string_split(tf.constant([1, 2]))


@case()
def saver_var_list_with_a_tensor(tf, tmp):
    tf.Variable(1.0, name="w")
    tf.train.Saver(var_list={"t": tf.constant(1.0)})


@case()
def initializer_run_twice_resets(tf, tmp):
    v = tf.Variable(1.0, name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(v.assign_add(5.0))
        sess.run(v.initializer)
        return sess.run(v)


@case()
def feed_a_python_float_for_an_int64_scalar(tf, tmp):
    x = tf.placeholder(tf.int64, [], name="x")
    return run(tf, x + 1, {x: 3.9})


@case()
def feed_bool_into_int(tf, tmp):
    x = tf.placeholder(tf.int32, [None], name="x")
    return run(tf, x * 3, {x: [True, False, True]})


@case()
def feed_nan_into_int(tf, tmp):
    x = tf.placeholder(tf.int32, [None], name="x")
    return run(tf, x + 1, {x: [1.0, float("nan")]})


@case()
def feed_huge_float_into_int(tf, tmp):
    x = tf.placeholder(tf.int64, [], name="x")
    return run(tf, x + 1, {x: 1e30})


@case()
def fetch_a_defaultdict(tf, tmp):
    a = tf.constant([1.0, 2.0])
    got = run(tf, collections.defaultdict(list, {"a": a, "b": [a * 2.0]}))
    assert isinstance(got, collections.defaultdict) and got.default_factory is list, got
    return [got["a"], got["b"][0], len(got["missing"])]
