"""User mistakes written once as TF1 scripts, run by TensorFlow (tests/record_user_errors.py) and by dfc.

Each case is `fn(tf, tmp)`: it builds a graph in a fresh default graph with the module it is given (dfc or
`tensorflow.compat.v1`), may run it, and returns what it fetched. TF's outcome (the exception class and
message, or the values) is recorded in tests/data/user_errors_tf.json; tests/test_user_errors_tf.py checks
that dfc raises the same class with a message naming the user's object (`phrase`), or returns TF's values.
Feeds, variables, fetches and shapes are here; tests/user_error_cases_more.py and user_error_cases_train.py
hold the rest.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable
from typing import Any

import numpy as np

F32 = np.float32


class Case:
    def __init__(self, name: str, fn: Callable, phrase: str | tuple[str, ...] = ()):
        self.name, self.fn = name, fn
        self.phrases = (phrase,) if isinstance(phrase, str) else tuple(phrase)


CASES: list[Case] = []  # user_error_cases_more.py and _train.py add theirs (imported at the end)


def case(*phrase: str) -> Callable:
    """Register `fn` as a case; dfc's error message must contain every phrase (the user's object)."""
    def register(fn: Callable) -> Callable:
        CASES.append(Case(fn.__name__, fn, phrase))
        return fn
    return register


def run(tf, fetches: Any, feed: dict | None = None, init: bool = False) -> Any:
    with tf.Session() as sess:
        if init:
            sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


# ---- feeds -----------------------------------------------------------------------------------------
@case("'x'", "(2, 4)", "(?, 3)")
def feed_wrong_shape(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    return run(tf, x * 2.0, {x: np.ones((2, 4), F32)})


@case("'x'", "(3,)")
def feed_wrong_rank(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    return run(tf, x * 2.0, {x: np.ones(3, F32)})


@case("sequence")
def feed_ragged_list(tf, tmp):
    x = tf.placeholder(tf.float32, [None, None], name="x")
    return run(tf, x + 1.0, {x: [[1.0, 2.0], [3.0]]})


@case("'x'", "()")
def feed_none(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    return run(tf, x + 1.0, {x: None})


@case("abc")
def feed_string_to_float(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    return run(tf, x + 1.0, {x: "abc"})


@case()
def feed_float_to_int(tf, tmp):
    x = tf.placeholder(tf.int32, [3], name="x")
    return run(tf, x + 1, {x: [1.7, -2.2, 3.0]})


@case()
def feed_numeric_string_to_float(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    return run(tf, x + 1.0, {x: ["1.5", "2"]})


@case()
def feed_variable(tf, tmp):
    v = tf.Variable(1.0, name="v")
    return run(tf, v * 2.0, {v: 3.0}, init=True)


@case()
def feed_intermediate_tensor(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    y = x * 2.0
    return run(tf, y + 1.0, {y: np.array([5.0, 6.0], F32)})


@case("y:0", "not an element of this graph")
def feed_tensor_of_another_graph(tf, tmp):
    other = tf.Graph()
    with other.as_default():
        y = tf.placeholder(tf.float32, [], name="y")
    x = tf.placeholder(tf.float32, [], name="x")
    return run(tf, x + 1.0, {x: 1.0, y: 2.0})


@case("'x'")
def feed_missing(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, x * 2.0)


@case("'b'")
def feed_one_of_two_missing(tf, tmp):
    a = tf.placeholder(tf.float32, [], name="a")
    b = tf.placeholder(tf.float32, [], name="b")
    return run(tf, a + b, {a: 1.0})


@case("nope")
def feed_unknown_name(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    return run(tf, x + 1.0, {"nope:0": 1.0})


@case()
def feed_by_name(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    return run(tf, x + 1.0, {"x:0": [1.0, 2.0]})


@case("tf.Tensor")
def feed_value_is_a_tensor(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    return run(tf, x + 1.0, {x: tf.constant(1.0)})


@case()
def feed_scalar_list(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    return run(tf, x + 1.0, {x: [2.0]})


@case()
def feed_int32_overflow(tf, tmp):
    x = tf.placeholder(tf.int32, [], name="x")
    return run(tf, x + 1, {x: 2 ** 40})


@case("x:0", "(3,)")
def feed_default_placeholder_wrong_shape(tf, tmp):
    x = tf.placeholder_with_default(tf.zeros([2]), [2], name="x")
    return run(tf, x + 1.0, {x: np.ones(3, F32)})


@case("x : Tensor had NaN")
def feed_nan_checked(tf, tmp):
    x = tf.placeholder(tf.float32, [3], name="x")
    return run(tf, tf.check_numerics(x * 2.0, "x"), {x: [1.0, np.nan, 2.0]})


@case()
def feed_nan_inf_softmax(tf, tmp):
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    return run(tf, [tf.nn.softmax(x), tf.reduce_sum(x, 1), tf.nn.relu(x)],
               {x: [[np.nan, 1.0, 2.0], [np.inf, 0.0, -np.inf]]})


@case()
def feed_dict_of_arrays_as_feed_list(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    return run(tf, x * 3.0, {x: (1.0, 2.0)})


# ---- variables -------------------------------------------------------------------------------------
@case("v")
def uninitialized_variable(tf, tmp):
    v = tf.Variable(tf.zeros([2]), name="v")
    return run(tf, v + 1.0)


@case("w")
def one_variable_left_uninitialized(tf, tmp):
    v = tf.Variable(1.0, name="v")
    w = tf.Variable(2.0, name="w")
    with tf.Session() as sess:
        sess.run(v.initializer)
        return sess.run(v + w)


@case("beta1_power")
def optimizer_slots_left_uninitialized(tf, tmp):
    w = tf.Variable(1.0, name="w")
    train = tf.train.AdamOptimizer(0.1).minimize(tf.square(w))
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(train)
        return sess.run(w)


@case("scope/w", "already exists")
def get_variable_twice(tf, tmp):
    with tf.variable_scope("scope"):
        tf.get_variable("w", [2])
    with tf.variable_scope("scope"):
        tf.get_variable("w", [2])


@case("scope/w", "does not exist")
def get_variable_reuse_missing(tf, tmp):
    with tf.variable_scope("scope", reuse=True):
        tf.get_variable("w", [2])


@case("scope/w", "(3,)", "(2,)")
def get_variable_reuse_other_shape(tf, tmp):
    with tf.variable_scope("scope"):
        tf.get_variable("w", [2])
    with tf.variable_scope("scope", reuse=True):
        tf.get_variable("w", [3])


@case("scope/w", "float64")
def get_variable_reuse_other_dtype(tf, tmp):
    with tf.variable_scope("scope"):
        tf.get_variable("w", [2])
    with tf.variable_scope("scope", reuse=True):
        tf.get_variable("w", [2], dtype=tf.float64)


@case("shape")
def get_variable_constant_initializer_and_shape(tf, tmp):
    tf.get_variable("w", [2], initializer=tf.zeros([3]))


@case("w")
def get_variable_without_shape(tf, tmp):
    tf.get_variable("w", initializer=tf.random_normal_initializer())


@case()
def get_variable_constant_initializer_too_few(tf, tmp):
    w = tf.get_variable("w", [2, 3], initializer=tf.constant_initializer([1.0, 2.0]))
    return run(tf, w, init=True)


@case("Too many elements", "[2]")
def get_variable_constant_initializer_too_many(tf, tmp):
    tf.get_variable("w", [2], initializer=tf.constant_initializer([1.0, 2.0, 3.0]))


@case("(2,)", "(3,)")
def variable_assign_wrong_shape(tf, tmp):
    v = tf.Variable(tf.zeros([2]), name="v")
    v.assign(tf.zeros([3]))


@case()
def variable_assign_int_to_float(tf, tmp):
    v = tf.Variable(tf.zeros([2]), name="v")
    v.assign(tf.constant([1, 2]))


@case("dense/kernel", "already exists")
def dense_twice_same_name(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.dense(x, 4, name="dense", reuse=None)
    tf.layers.dense(x, 4, name="dense", reuse=None)
    with tf.variable_scope("", reuse=False):
        tf.get_variable("dense/kernel", [3, 4])


@case("dense/kernel")
def dense_reused_with_other_input_width(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 5])
    tf.layers.dense(x, 4, name="dense")
    tf.layers.dense(y, 4, name="dense", reuse=True)


# ---- fetches ---------------------------------------------------------------------------------------
@case("None")
def fetch_none(tf, tmp):
    x = tf.constant(1.0)
    return run(tf, [x, None])


@case("3")
def fetch_an_int(tf, tmp):
    tf.constant(1.0)
    return run(tf, 3)


@case()
def fetch_nested_dict_and_namedtuple(tf, tmp):
    Pair = collections.namedtuple("Pair", ["a", "b"])
    a = tf.constant([1.0, 2.0])
    b = tf.constant(3)
    out = run(tf, {"p": Pair(a, {"q": [b, a * 2.0]}), "t": (b,)})
    assert isinstance(out["p"], Pair) and isinstance(out["t"], tuple), out
    return [out["p"].a, out["p"].b["q"][0], out["p"].b["q"][1], out["t"][0]]


@case()
def fetch_an_op_gives_none(tf, tmp):
    v = tf.Variable(1.0)
    with tf.Session() as sess:
        got = sess.run([v.initializer, tf.no_op()])
        assert got == [None, None], got
        return sess.run({"v": v, "op": v.initializer})["v"]


@case("x:0", "not an element of this")
def fetch_tensor_of_another_graph(tf, tmp):
    other = tf.Graph()
    with other.as_default():
        x = tf.constant(1.0, name="x")
    tf.constant(2.0)
    return run(tf, x)


@case("missing")
def fetch_unknown_name(tf, tmp):
    tf.constant(1.0, name="c")
    return run(tf, "missing:0")


@case("same graph")
def op_of_two_graphs(tf, tmp):
    a = tf.constant(1.0, name="a")
    other = tf.Graph()
    with other.as_default():
        b = tf.constant(2.0, name="b")
    return tf.add(a, b)


@case("closed")
def run_a_closed_session(tf, tmp):
    x = tf.constant(1.0)
    sess = tf.Session()
    sess.close()
    return sess.run(x)


@case("closed")
def run_after_with_block(tf, tmp):
    x = tf.constant(1.0)
    with tf.Session() as sess:
        sess.run(x)
    return sess.run(x)


@case()
def fetch_same_tensor_twice(tf, tmp):
    x = tf.constant([1.0, 2.0])
    got = run(tf, [x, x, {"again": x}])
    return [got[0], got[1], got[2]["again"]]


@case("Tensor")
def tensor_as_python_bool(tf, tmp):
    x = tf.constant(1.0)
    if x:
        return 1


# ---- shapes known while building -------------------------------------------------------------------
@case("'mm'", "3", "4")
def matmul_mismatch(tf, tmp):
    tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5]), name="mm")


@case("'plus'", "[2, 3]", "[4, 5]")
def add_mismatch(tf, tmp):
    tf.add(tf.zeros([2, 3]), tf.zeros([4, 5]), name="plus")


@case("'cat'")
def concat_mismatch(tf, tmp):
    tf.concat([tf.zeros([2, 3]), tf.zeros([4, 5])], axis=0, name="cat")


@case("'Conv2D'", "3", "4")
def conv2d_channel_mismatch(tf, tmp):
    tf.nn.conv2d(tf.zeros([1, 8, 8, 3]), tf.zeros([3, 3, 4, 6]), strides=[1, 1, 1, 1], padding="SAME")


@case("6", "[4]")
def reshape_wrong_size(tf, tmp):
    tf.reshape(tf.zeros([2, 3]), [4])


@case("-1")
def reshape_two_unknowns(tf, tmp):
    return run(tf, tf.reshape(tf.zeros([2, 3]), [-1, -1]))


@case("dense", "rank", "(5,)")
def dense_on_rank1(tf, tmp):
    x = tf.placeholder(tf.float32, [5])
    tf.layers.dense(x, 3)


@case("dense", "(?, ?)")
def dense_on_unknown_width(tf, tmp):
    x = tf.placeholder(tf.float32, [None, None])
    tf.layers.dense(x, 3)


@case("int32", "float32")
def add_int_and_float(tf, tmp):
    tf.add(tf.constant([1, 2]), tf.constant([1.0, 2.0]))


@case("int32", "float32")
def matmul_int_and_float(tf, tmp):
    tf.matmul(tf.constant([[1, 2]]), tf.constant([[1.0], [2.0]]))


@case("stack")
def stack_mismatch(tf, tmp):
    tf.stack([tf.zeros([2]), tf.zeros([3])])


@case("softmax_cross_entropy_with_logits", "[4, 2]", "[4, 3]")
def softmax_xent_shape_mismatch(tf, tmp):
    tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([4, 2]), logits=tf.zeros([4, 3]))


@case("labels", "(4, 1)")
def sparse_xent_rank_mismatch(tf, tmp):
    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([4, 1], tf.int32), logits=tf.zeros([4, 3]))


@case("inhomogeneous", "tf.constant")
def constant_of_ragged_list(tf, tmp):
    tf.constant([[1.0, 2.0], [3.0]])


@case("None")
def convert_none(tf, tmp):
    tf.convert_to_tensor(None)


@case("int32")
def constant_int32_overflow(tf, tmp):
    return run(tf, tf.constant(2 ** 40, dtype=tf.int32))


@case("'Squeeze'", "2")
def squeeze_a_dim_of_two(tf, tmp):
    tf.squeeze(tf.zeros([2, 1]), axis=[0])


@case("'transpose'", "[1, 0, 2]")
def transpose_wrong_perm_length(tf, tmp):
    tf.transpose(tf.zeros([2, 3]), [1, 0, 2])


@case("while")
def while_loop_shape_changes(tf, tmp):
    i0 = tf.constant(0)
    x0 = tf.zeros([1])
    _, x = tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, tf.concat([x, x], 0)), [i0, x0])
    return run(tf, x)


# ---- shapes and values known only when run ---------------------------------------------------------
@case("3", "4")
def matmul_fed_mismatch(tf, tmp):
    a = tf.placeholder(tf.float32, [None, None], name="a")
    b = tf.placeholder(tf.float32, [None, None], name="b")
    return run(tf, tf.matmul(a, b), {a: np.ones((2, 3), F32), b: np.ones((4, 2), F32)})


@case("'add'", "[2, 3]", "[4, 3]")
def add_fed_mismatch(tf, tmp):
    a = tf.placeholder(tf.float32, [None, 3], name="a")
    b = tf.placeholder(tf.float32, [None, 3], name="b")
    return run(tf, a + b, {a: np.ones((2, 3), F32), b: np.ones((4, 3), F32)})


@case("5", "[0, 3)")
def gather_index_out_of_range(tf, tmp):
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, tf.gather(tf.constant([1.0, 2.0, 3.0]), i), {i: [0, 5]})


@case("-1", "[0, 3)")
def gather_negative_index(tf, tmp):
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, tf.gather(tf.constant([1.0, 2.0, 3.0]), i), {i: [-1]})


@case("7", "[0, 4)")
def embedding_lookup_out_of_range(tf, tmp):
    emb = tf.Variable(tf.ones([4, 2]), name="emb")
    ids = tf.placeholder(tf.int64, [None], name="ids")
    return run(tf, tf.nn.embedding_lookup(emb, ids), {ids: [1, 7]}, init=True)


@case()
def one_hot_out_of_range_is_zeros(tf, tmp):
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, tf.one_hot(i, 3), {i: [0, 5, -1, 2]})


@case("5", "4")
def reshape_fed_wrong_size(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.reshape(x, [2, 2]), {x: np.ones(5, F32)})


@case("5", "[0, 3)")
def sparse_softmax_label_out_of_range(tf, tmp):
    labels = tf.placeholder(tf.int32, [None], name="labels")
    logits = tf.zeros([2, 3])
    return run(tf, tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits), {labels: [1, 5]})


@case("division by zero")
def int_division_by_zero(tf, tmp):
    a = tf.placeholder(tf.int32, [None], name="a")
    return run(tf, a // tf.constant([1, 0]), {a: [4, 5]})


@case("division by zero")
def int_modulo_by_zero(tf, tmp):
    a = tf.placeholder(tf.int64, [None], name="a")
    return run(tf, tf.mod(a, tf.constant([0, 3], tf.int64)), {a: [4, 5]})


@case()
def float_division_by_zero(tf, tmp):
    a = tf.placeholder(tf.float32, [None], name="a")
    return run(tf, a / tf.constant([0.0, 0.0, 1.0]), {a: [1.0, 0.0, -2.0]})


@case("x must be positive")
def assert_op_fails(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    check = tf.Assert(tf.reduce_all(x > 0), ["x must be positive", x])
    with tf.control_dependencies([check]):
        y = tf.identity(x)
    return run(tf, y, {x: [1.0, -1.0]})


@case("lengths differ")
def assert_equal_fails(tf, tmp):
    a = tf.placeholder(tf.int32, [], name="a")
    with tf.control_dependencies([tf.assert_equal(a, 3, message="lengths differ")]):
        y = a * 2
    return run(tf, y, {a: 4})


@case("logits", "NaN")
def check_numerics_nan(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.check_numerics(tf.log(x), "logits"), {x: [1.0, -1.0]})


@case("Inf")
def check_numerics_inf(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.check_numerics(1.0 / x, "recip"), {x: [1.0, 0.0]})


@case()
def verify_tensor_all_finite_passes(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.verify_tensor_all_finite(x, "bad") * 2.0, {x: [1.0, 2.0]})


@case("'ArgMax'", "empty")
def argmax_of_empty(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.argmax(x, 0), {x: np.zeros(0, F32)})


def outcome(tf, c: Case) -> dict:
    """What running case `c` with module `tf` gives: the error's class and message, or the values it fetched."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp, tf.Graph().as_default():
        try:
            got = c.fn(tf, tmp)
        except Exception as error:  # noqa: BLE001 - the outcome is the exception
            lines = [line for line in str(error).splitlines() if not re.match(r"\s+File ", line)]
            return {"error": type(error).__name__, "message": "\n".join(lines)[-600:]}
    if got is None:
        return {"values": None}
    values = got if isinstance(got, list) else [got]
    return {"values": [np.asarray(v).tolist() for v in values],
            "dtypes": [str(np.asarray(v).dtype) for v in values],
            "shapes": [list(np.asarray(v).shape) for v in values]}


import user_error_cases_more  # noqa: E402,F401 - its cases join CASES
import user_error_cases_train  # noqa: E402,F401
import user_error_cases_hard  # noqa: E402,F401
