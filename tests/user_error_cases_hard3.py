"""User mistakes of a third hardening round (see tests/user_error_cases.py): control flow (cond, while_loop, case,
switch_case, TensorArray), variables and scopes, ops whose errors depend on the data they are fed, and the
numerics users hit (log of zero, cross entropies given bad labels)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from user_error_cases import F32, Case, run

CASES: list[Case] = []  # recorded in tests/data/user_errors_hard3_tf.json, checked by test_user_errors_hard3_tf.py


def case(*phrase: str) -> Callable:
    """Register `fn` as a case; dfc's error message must contain every phrase (the user's object)."""
    def register(fn: Callable) -> Callable:
        CASES.append(Case(fn.__name__, fn, phrase))
        return fn
    return register


# ---- tf.cond --------------------------------------------------------------------------------------
@case('float32', 'int32')
def cond_branches_of_other_dtypes(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    return run(tf, tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(1)), {p: True})


@case()
def cond_branches_of_other_shapes(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    y = tf.cond(p, lambda: tf.zeros([2]), lambda: tf.ones([3]))
    return run(tf, [y, tf.shape(y)], {p: False})


@case('true_fn')
def cond_true_fn_not_callable(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    tf.cond(p, tf.constant(1.0), lambda: tf.constant(2.0))


@case('false_fn')
def cond_false_fn_not_callable(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    tf.cond(p, lambda: tf.constant(1.0), 2.0)


@case('x:0', 'bool')
def cond_pred_a_float(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    return run(tf, tf.cond(x, lambda: tf.constant(1.0), lambda: tf.constant(2.0)), {x: 1.0})


@case('p:0', 'scalar')
def cond_pred_fed_as_a_vector(tf, tmp):
    p = tf.placeholder(tf.bool, [None], name="p")
    return run(tf, tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(2.0)), {p: [True, False]})


@case('false_fn', 'None')
def cond_branch_returns_none(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    tf.cond(p, lambda: tf.constant(1.0), lambda: None)


@case("'a'", "'b'")
def cond_branches_dicts_of_other_keys(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    tf.cond(p, lambda: {"a": tf.constant(1.0)}, lambda: {"b": tf.constant(1.0)})


@case()
def cond_branch_returns_a_python_number(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    return run(tf, tf.cond(p, lambda: 1.0, lambda: tf.constant(2.0)), {p: True})


@case('branch failed] [-1]')
def cond_assert_in_the_taken_branch(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float32, [], name="x")

    def checked():
        with tf.control_dependencies([tf.Assert(x > 0, ["branch failed", x])]):
            return tf.identity(x)
    return run(tf, tf.cond(p, checked, lambda: x), {p: True, x: -1.0})


@case()
def cond_assert_in_the_branch_not_taken(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float32, [], name="x")

    def checked():
        with tf.control_dependencies([tf.Assert(x > 0, ["branch failed", x])]):
            return tf.identity(x)
    return run(tf, tf.cond(p, checked, lambda: x * 2.0), {p: False, x: -1.0})


@case()
def cond_print_in_a_branch(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float32, [2], name="x")
    return run(tf, tf.cond(p, lambda: tf.Print(x, [x], "x is ") + 1.0, lambda: x), {p: True, x: [1.0, 2.0]})


# ---- tf.while_loop ---------------------------------------------------------------------------------
@case('int32', 'float32')
def while_body_returns_other_dtype(tf, tmp):
    return run(tf, tf.while_loop(lambda i: i < 3, lambda i: tf.cast(i, tf.float32) + 1.0, [tf.constant(0)]))


@case('structure')
def while_body_returns_too_many(tf, tmp):
    tf.while_loop(lambda i: i < 3, lambda i: (i + 1, i), [tf.constant(0)])


@case('cond', 'bool')
def while_cond_returns_an_int(tf, tmp):
    tf.while_loop(lambda i: i, lambda i: i - 1, [tf.constant(3)])


@case('cond', 'scalar')
def while_cond_returns_a_vector(tf, tmp):
    tf.while_loop(lambda x: x < 3.0, lambda x: x + 1.0, [tf.zeros([2])])


@case('body')
def while_body_not_callable(tf, tmp):
    tf.while_loop(lambda i: i < 3, tf.constant(1), [tf.constant(0)])


@case('loop')
def while_loop_vars_empty(tf, tmp):
    tf.while_loop(lambda: True, lambda: (), [])


@case()
def while_maximum_iterations_negative(tf, tmp):
    i = tf.while_loop(lambda i: i < 10, lambda i: i + 1, [tf.constant(0)], maximum_iterations=-1)
    return run(tf, i)


@case()
def while_maximum_iterations_fed_zero(tf, tmp):
    n = tf.placeholder(tf.int32, [], name="n")
    i = tf.while_loop(lambda i: i < 10, lambda i: i + 1, [tf.constant(0)], maximum_iterations=n)
    return run(tf, i, {n: 0})


@case()
def while_maximum_iterations_a_float(tf, tmp):
    return run(tf, tf.while_loop(lambda i: i < 10, lambda i: i + 1, [tf.constant(0)], maximum_iterations=2.5))


@case('maximum_iterations', '(2,)')
def while_maximum_iterations_a_vector(tf, tmp):
    tf.while_loop(lambda i: i < 10, lambda i: i + 1, [tf.constant(0)], maximum_iterations=tf.constant([2, 3]))


@case('loop check] [3] [6]')
def while_assert_in_the_body(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")

    def body(i, s):
        with tf.control_dependencies([tf.Assert(s < 5.0, ["loop check", i, s])]):
            return i + 1, s + x
    return run(tf, tf.while_loop(lambda i, s: i < 10, body, [tf.constant(0), tf.constant(0.0)]), {x: 2.0})


@case("in loop")
def while_check_numerics_in_the_body(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    _, s = tf.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, tf.check_numerics(tf.log(s - 1.0), "in loop")),
                         [tf.constant(0), x])
    return run(tf, s, {x: 30.0})


@case()
def while_body_changes_a_structure(tf, tmp):
    tf.while_loop(lambda v: v["i"] < 3, lambda v: {"j": v["i"] + 1}, [{"i": tf.constant(0)}])


# ---- tf.case / tf.switch_case ----------------------------------------------------------------------
@case('a:0', 'b:0', '[1 1]')
def case_exclusive_two_true(tf, tmp):
    a = tf.placeholder(tf.bool, [], name="a")
    b = tf.placeholder(tf.bool, [], name="b")
    y = tf.case([(a, lambda: tf.constant(1)), (b, lambda: tf.constant(2))], default=lambda: tf.constant(3),
                exclusive=True)
    return run(tf, y, {a: True, b: True})


@case()
def case_not_exclusive_first_wins(tf, tmp):
    a = tf.placeholder(tf.bool, [], name="a")
    b = tf.placeholder(tf.bool, [], name="b")
    y = tf.case([(a, lambda: tf.constant(1)), (b, lambda: tf.constant(2))], default=lambda: tf.constant(3))
    return run(tf, [y], {a: True, b: True})


@case('None of conditions')
def case_without_default_none_true(tf, tmp):
    a = tf.placeholder(tf.bool, [], name="a")
    b = tf.placeholder(tf.bool, [], name="b")
    y = tf.case([(a, lambda: tf.constant(1)), (b, lambda: tf.constant(2))])
    return run(tf, y, {a: False, b: False})


@case('x:0', 'bool')
def case_pred_a_float(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    tf.case([(x, lambda: tf.constant(1))], default=lambda: tf.constant(2))


@case('a:0', 'callable')
def case_fn_not_callable(tf, tmp):
    a = tf.placeholder(tf.bool, [], name="a")
    tf.case([(a, tf.constant(1))], default=lambda: tf.constant(2))


@case('2-tuple', 'a:0')
def case_pairs_not_tuples(tf, tmp):
    a = tf.placeholder(tf.bool, [], name="a")
    tf.case([a, lambda: tf.constant(1)], default=lambda: tf.constant(2))


@case('int32', 'float32')
def case_branches_of_other_dtypes(tf, tmp):
    a = tf.placeholder(tf.bool, [], name="a")
    tf.case([(a, lambda: tf.constant(1))], default=lambda: tf.constant(2.0))


@case()
def switch_case_index_out_of_range_runs_default(tf, tmp):
    i = tf.placeholder(tf.int32, [], name="i")
    y = tf.switch_case(i, [lambda: tf.constant(10), lambda: tf.constant(20)], default=lambda: tf.constant(-1))
    return run(tf, [y], {i: 7})


@case()
def switch_case_out_of_range_without_default(tf, tmp):
    i = tf.placeholder(tf.int32, [], name="i")
    y = tf.switch_case(i, [lambda: tf.constant(10), lambda: tf.constant(20)])
    return run(tf, [y], {i: -3})


@case('i:0', 'integer')
def switch_case_float_index(tf, tmp):
    i = tf.placeholder(tf.float32, [], name="i")
    tf.switch_case(i, [lambda: tf.constant(10), lambda: tf.constant(20)])


@case('branch_fns')
def switch_case_no_branches(tf, tmp):
    i = tf.placeholder(tf.int32, [], name="i")
    tf.switch_case(i, [])


@case('callable')
def switch_case_branch_not_callable(tf, tmp):
    i = tf.placeholder(tf.int32, [], name="i")
    tf.switch_case(i, [lambda: tf.constant(10), 20])


@case('i:0', 'scalar')
def switch_case_index_a_vector(tf, tmp):
    i = tf.placeholder(tf.int32, [None], name="i")
    y = tf.switch_case(i, [lambda: tf.constant(10), lambda: tf.constant(20)])
    return run(tf, y, {i: [0, 1]})


# ---- TensorArray -----------------------------------------------------------------------------------
@case('Tried to read from index', '[5]', '[3]')
def tensor_array_read_out_of_range(tf, tmp):
    i = tf.placeholder(tf.int32, [], name="i")
    ta = tf.TensorArray(tf.float32, size=3).unstack([1.0, 2.0, 3.0])
    return run(tf, ta.read(i), {i: 5})


@case('Tried to read from index', '[-1]')
def tensor_array_read_negative(tf, tmp):
    i = tf.placeholder(tf.int32, [], name="i")
    ta = tf.TensorArray(tf.float32, size=3).unstack([1.0, 2.0, 3.0])
    return run(tf, ta.read(i), {i: -1})


@case()
def tensor_array_read_twice_cleared(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=2).write(0, 1.0).write(1, 2.0)
    return run(tf, [ta.read(0), ta.read(0)])


@case()
def tensor_array_read_twice_kept(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=2, clear_after_read=False).write(0, 1.0).write(1, 2.0)
    return run(tf, [ta.read(0), ta.read(0)])


@case('(3,)', '(2,)')
def tensor_array_stack_of_other_shapes(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=2).write(0, tf.zeros([2])).write(1, tf.zeros([3]))
    return run(tf, ta.stack())


@case('TensorArrayWrite_1', '[2]', '[3]')
def tensor_array_stack_of_fed_other_shapes(tf, tmp):
    a = tf.placeholder(tf.float32, [None], name="a")
    b = tf.placeholder(tf.float32, [None], name="b")
    ta = tf.TensorArray(tf.float32, size=2).write(0, a).write(1, b)
    return run(tf, ta.stack(), {a: [1.0, 2.0], b: [1.0, 2.0, 3.0]})


@case('float32', 'int32')
def tensor_array_write_other_dtype(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=2)
    return run(tf, ta.write(0, tf.constant(1)).write(1, 2.0).stack())


@case()
def tensor_array_fed_negative_size(tf, tmp):
    n = tf.placeholder(tf.int32, [], name="n")
    ta = tf.TensorArray(tf.float32, size=n)
    return run(tf, ta.size(), {n: -2})


@case()
def tensor_array_stack_with_unwritten(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=3).write(0, 1.0).write(2, 3.0)
    return run(tf, ta.stack())


@case('2 vs. 2')
def tensor_array_unstack_more_than_size(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=2).unstack(tf.constant([1.0, 2.0, 3.0]))
    return run(tf, ta.stack())


@case('Tried to read from index', '[0 4]')
def tensor_array_gather_out_of_range(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=3).unstack([1.0, 2.0, 3.0])
    return run(tf, ta.gather([0, 4]))


@case()
def tensor_array_dynamic_size_grows(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=1, dynamic_size=True).write(0, 1.0).write(3, 4.0)
    return run(tf, [ta.size(), ta.read(3)])


# ---- variables and scopes --------------------------------------------------------------------------
@case()
def get_variable_initializer_array_of_other_shape(tf, tmp):
    w = tf.get_variable("w", [2, 3], initializer=tf.constant_initializer(np.zeros((3, 2), F32)))
    return run(tf, w, init=True)


@case('int32')
def get_variable_int_with_glorot(tf, tmp):
    tf.get_variable("w", [2, 3], dtype=tf.int32, initializer=tf.glorot_uniform_initializer())


@case('int32', 'float32', 'variable w')
def get_variable_tensor_initializer_other_dtype(tf, tmp):
    tf.get_variable("w", initializer=tf.constant([1, 2]), dtype=tf.float32)


@case('s/w', '(3,)', '(2,)')
def get_variable_auto_reuse_other_shape(tf, tmp):
    with tf.variable_scope("s", reuse=tf.AUTO_REUSE):
        tf.get_variable("w", [2])
    with tf.variable_scope("s", reuse=tf.AUTO_REUSE):
        tf.get_variable("w", [3])


@case()
def get_variable_auto_reuse_shares(tf, tmp):
    with tf.variable_scope("s", reuse=tf.AUTO_REUSE):
        a = tf.get_variable("w", [2], initializer=tf.ones_initializer())
    with tf.variable_scope("s", reuse=tf.AUTO_REUSE):
        b = tf.get_variable("w", [2])
    return run(tf, [a + b, tf.constant(len(tf.global_variables()))], init=True)


@case('my weight!')
def get_variable_invalid_name(tf, tmp):
    tf.get_variable("my weight!", [2])


@case('b/w', 'does not exist')
def variable_scope_reuse_a_scope_of_another_name(tf, tmp):
    with tf.variable_scope("a"):
        tf.get_variable("w", [2])
    with tf.variable_scope("b", reuse=True):
        tf.get_variable("w", [2])


@case('s/w', 'does not exist')
def get_variable_reuse_a_tf_variable(tf, tmp):
    with tf.variable_scope("s"):
        tf.Variable(tf.zeros([2]), name="w")
    with tf.variable_scope("s", reuse=True):
        tf.get_variable("w", [2])


@case()
def get_variable_partitioned_scalar(tf, tmp):
    w = tf.get_variable("w", [], partitioner=tf.fixed_size_partitioner(2), initializer=tf.ones_initializer())
    return run(tf, w, init=True)


@case('s/w', '(6, 2)', '(4, 2)')
def get_variable_partitioned_reuse_other_shape(tf, tmp):
    with tf.variable_scope("s", partitioner=tf.fixed_size_partitioner(2)):
        tf.get_variable("w", [4, 2])
    with tf.variable_scope("s", reuse=True, partitioner=tf.fixed_size_partitioner(2)):
        tf.get_variable("w", [6, 2])


@case()
def get_variable_partitioned_values(tf, tmp):
    w = tf.get_variable("w", [5, 2], partitioner=tf.fixed_size_partitioner(2),
                        initializer=tf.ones_initializer())
    return run(tf, [tf.convert_to_tensor(w), tf.constant(len(tf.global_variables()))], init=True)


@case("'Variable'", '(3,)', '(2,)')
def variable_callable_of_other_shape(tf, tmp):
    tf.Variable(lambda: tf.zeros([2]), shape=[3])


@case("{'a': 1.0}")
def variable_initial_value_a_dict(tf, tmp):
    tf.Variable({"a": 1.0})


@case('inhomogeneous')
def variable_initial_value_a_ragged_list(tf, tmp):
    tf.Variable([[1.0, 2.0], [3.0]])


@case("'v'", '(2,)', '(3,)')
def variable_assign_add_wrong_shape(tf, tmp):
    v = tf.Variable(tf.zeros([2]), name="v")
    v.assign_add(tf.ones([3]))


@case("'v'", '(2, 2)', '(2,)')
def variable_assign_broadcastable_is_refused(tf, tmp):
    v = tf.Variable(tf.zeros([2, 2]), name="v")
    v.assign(tf.ones([2]))


@case()
def variable_assign_fed_wrong_shape_no_validate(tf, tmp):
    v = tf.Variable(tf.zeros([2]), name="v", validate_shape=False)
    x = tf.placeholder(tf.float32, [None], name="x")
    a = tf.assign(v, x, validate_shape=False)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(a, {x: [1.0, 2.0, 3.0]})
        return sess.run(v)


@case("'v'", '2x3')
def scatter_update_updates_of_wrong_shape(tf, tmp):
    v = tf.Variable(tf.zeros([4, 2]), name="v")
    tf.scatter_update(v, [0, 1], tf.ones([2, 3]))


@case('indices[1] = 4 is not in [0, 4)', "'v'")
def scatter_add_fed_index_out_of_range(tf, tmp):
    v = tf.Variable(tf.zeros([4]), name="v")
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, tf.scatter_add(v, i, [1.0, 1.0]), {i: [1, 4]}, init=True)


@case('indices[0] = -1 is not in [0, 4)', "'v'")
def scatter_sub_negative_index(tf, tmp):
    v = tf.Variable(tf.zeros([4]), name="v")
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, tf.scatter_sub(v, i, [1.0]), {i: [-1]}, init=True)


@case("counter")
def uninitialized_variable_assign_add(tf, tmp):
    v = tf.Variable(0, name="counter")
    return run(tf, v.assign_add(1))


@case()
def uninitialized_variable_assign_works(tf, tmp):
    v = tf.Variable(0.0, name="v")
    return run(tf, v.assign(3.0))


@case("late")
def local_variables_initializer_made_too_early(tf, tmp):
    init = tf.local_variables_initializer()
    v = tf.Variable(1.0, name="late", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    with tf.Session() as sess:
        sess.run(init)
        return sess.run(v)


@case("w")
def global_initializer_does_not_init_locals(tf, tmp):
    v = tf.get_variable("w", [2], collections=[tf.GraphKeys.LOCAL_VARIABLES], initializer=tf.zeros_initializer())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(v)


@case('initializer')
def variables_initializer_of_a_tensor(tf, tmp):
    tf.variables_initializer([tf.constant(1.0)])


@case()
def report_uninitialized_variables_lists_them(tf, tmp):
    tf.Variable(1.0, name="a")
    b = tf.Variable(1.0, name="b")
    with tf.Session() as sess:
        sess.run(b.initializer)
        return [n.decode() == "a" for n in sess.run(tf.report_uninitialized_variables())]


# ---- ops at run time -------------------------------------------------------------------------------
@case('GatherV2', 'indices[1] = 3 is not in [0, 3)')
def gather_axis1_fed_out_of_range(tf, tmp):
    p = tf.placeholder(tf.float32, [None, None], name="p")
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, tf.gather(p, i, axis=1), {p: np.ones((2, 3), F32), i: [0, 3]})


@case('i:0')
def gather_nd_fed_index_depth_too_big(tf, tmp):
    p = tf.placeholder(tf.float32, [None, None], name="p")
    i = tf.placeholder(tf.int32, [None, None], name="i")
    return run(tf, tf.gather_nd(p, i), {p: np.ones((2, 3), F32), i: [[0, 1, 2]]})


@case('= 4 is not in [0, 2)')
def embedding_lookup_partitioned_out_of_range(tf, tmp):
    a = tf.constant(np.ones((3, 2), F32))
    b = tf.constant(np.ones((2, 2), F32))
    ids = tf.placeholder(tf.int32, [None], name="ids")
    return run(tf, tf.nn.embedding_lookup([a, b], ids), {ids: [0, 9]})


@case('indices[1] = -1 is not in [0, 5)')
def embedding_lookup_negative_id(tf, tmp):
    params = tf.constant(np.ones((5, 2), F32))
    ids = tf.placeholder(tf.int32, [None], name="ids")
    return run(tf, tf.nn.embedding_lookup(params, ids), {ids: [1, -1]})


@case()
def one_hot_fed_negative_index_is_zeros(tf, tmp):
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, tf.one_hot(i, 3), {i: [-1, 2, 5]})


@case("'Reshape'", '6')
def reshape_fed_tensor_wrong_count(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.reshape(x, [-1, 4]), {x: np.ones(6, F32)})


@case("'concat'")
def concat_fed_rank_mismatch(tf, tmp):
    a = tf.placeholder(tf.float32, None, name="a")
    b = tf.placeholder(tf.float32, None, name="b")
    return run(tf, tf.concat([a, b], 0), {a: np.ones((2, 2), F32), b: np.ones(2, F32)})


@case("'split'", '[1, 2]', '4')
def split_sizes_do_not_sum(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.split(x, [1, 2]), {x: np.ones(4, F32)})


@case("'split'", '[1, 2]', '4')
def split_constant_sizes_do_not_sum(tf, tmp):
    tf.split(tf.zeros([4]), [1, 2])


@case('[-1, -1, 2]')
def split_sizes_with_two_unknowns(tf, tmp):
    tf.split(tf.zeros([4]), [-1, -1, 2])


@case("'stack'")
def stack_fed_mismatch(tf, tmp):
    a = tf.placeholder(tf.float32, [None], name="a")
    b = tf.placeholder(tf.float32, [None], name="b")
    return run(tf, tf.stack([a, b]), {a: [1.0, 2.0], b: [1.0]})


@case('x:0', '(?, 2)')
def unstack_unknown_num(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    tf.unstack(x)


@case("'Slice'", 'size[0]')
def slice_fed_size_too_big(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.slice(x, [1], [5]), {x: np.ones(3, F32)})


@case("'range'", 'delta')
def range_delta_zero(tf, tmp):
    d = tf.placeholder(tf.int32, [], name="d")
    return run(tf, tf.range(0, 5, d), {d: 0})


@case('SegmentMax', 'not increasing', '[1 0 1]')
def segment_max_ids_not_sorted(tf, tmp):
    ids = tf.placeholder(tf.int32, [None], name="ids")
    return run(tf, tf.segment_max(tf.constant([1.0, 2.0, 3.0]), ids), {ids: [1, 0, 1]})


@case('SegmentSum')
def segment_ids_length_mismatch(tf, tmp):
    ids = tf.placeholder(tf.int32, [None], name="ids")
    return run(tf, tf.segment_sum(tf.constant([1.0, 2.0, 3.0]), ids), {ids: [0, 0]})


@case('SparseToDense', 'out of bounds')
def sparse_to_dense_index_out_of_bounds(tf, tmp):
    i = tf.placeholder(tf.int64, [None, 1], name="i")
    return run(tf, tf.sparse_to_dense(i, [3], 1.0), {i: [[0], [5]]})


@case('p:0', '[0, 2)', '[0 1 2]')
def dynamic_partition_out_of_range(tf, tmp):
    p = tf.placeholder(tf.int32, [None], name="p")
    return run(tf, tf.dynamic_partition(tf.constant([1.0, 2.0, 3.0]), p, 2), {p: [0, 1, 2]})


@case('p:0', 'partitions.shape', '[3]', '[2]')
def dynamic_partition_shape_mismatch(tf, tmp):
    p = tf.placeholder(tf.int32, [None], name="p")
    return run(tf, tf.dynamic_partition(tf.constant([1.0, 2.0, 3.0]), p, 2), {p: [0, 1]})


@case()
def dynamic_stitch_values(tf, tmp):
    return run(tf, tf.dynamic_stitch([[0, 2], [1]], [[1.0, 3.0], [2.0]]))


@case("'StringToNumber'", '99999999999')
def string_to_number_int_overflow(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    return run(tf, tf.string_to_number(s, out_type=tf.int32), {s: [b"7", b"99999999999"]})


@case("'StringToNumber'")
def string_to_number_empty(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    return run(tf, tf.string_to_number(s), {s: [b"1.5", b""]})


@case()
def string_to_number_with_spaces(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    return run(tf, tf.string_to_number(s), {s: [b" 2.5", b"1e3", b"inf"]})


@case("'DecodeCSV'", 'Expect 3 fields but have 2 in record 1')
def decode_csv_too_few_fields(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    return run(tf, tf.decode_csv(s, [[0.0], [0.0], [0.0]]), {s: [b"1,2,3", b"4,5"]})


@case("'DecodeCSV'", 'Expect 2 fields but have 3 in record 0')
def decode_csv_too_many_fields(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    return run(tf, tf.decode_csv(s, [[0.0], [0.0]]), {s: [b"1,2,3"]})


@case("'DecodeCSV'", 'Field 1 in record 0 is not a valid int32: abc')
def decode_csv_not_a_number(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    return run(tf, tf.decode_csv(s, [[0.0], [0]]), {s: [b"1.5,abc"]})


@case("'DecodeCSV'", 'Field 0 is required but missing in record 0')
def decode_csv_required_field_missing(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    return run(tf, tf.decode_csv(s, [tf.constant([], tf.float32), [0.0]]), {s: [b",2"]})


@case()
def decode_csv_defaults_fill_empty(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    return run(tf, tf.decode_csv(s, [[7.0], [9]]), {s: [b",2", b"3,"]})


@case("'DecodeCSV'", '99999999999')
def decode_csv_int_overflow(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    return run(tf, tf.decode_csv(s, [[0]]), {s: [b"99999999999"]})


@case("Log")
def add_check_numerics_ops_names_the_op(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.log(x)
    check = tf.add_check_numerics_ops()
    return run(tf, [y, check], {x: [1.0, 0.0]})


@case('int32')
def check_numerics_on_an_int(tf, tmp):
    tf.check_numerics(tf.constant([1, 2]), "ints")


@case('e:0', 'Integers to negative integer powers are not allowed', '[-1]')
def pow_int_negative_exponent(tf, tmp):
    e = tf.placeholder(tf.int32, [], name="e")
    return run(tf, tf.pow(tf.constant(2), e), {e: -1})


@case("'MatMul'", '3 != 2')
def matmul_fed_inner_dims_differ(tf, tmp):
    a = tf.placeholder(tf.float32, [2, None], name="a")
    b = tf.placeholder(tf.float32, [None, 2], name="b")
    return run(tf, tf.matmul(a, b), {a: np.ones((2, 3), F32), b: np.ones((2, 2), F32)})


@case("'MatMul'")
def batch_matmul_fed_batch_differs(tf, tmp):
    a = tf.placeholder(tf.float32, [None, 2, 2], name="a")
    b = tf.placeholder(tf.float32, [None, 2, 2], name="b")
    return run(tf, tf.matmul(a, b), {a: np.ones((2, 2, 2), F32), b: np.ones((3, 2, 2), F32)})


# ---- numerics --------------------------------------------------------------------------------------
@case()
def log_of_zero_and_negative(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, [tf.log(x), tf.sqrt(x), tf.log1p(x - 1.0)], {x: [0.0, -1.0, 1.0]})


@case()
def zero_over_zero(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, [x / x, tf.div_no_nan(x, x), tf.reduce_mean(x[:0])], {x: [0.0, 2.0]})


@case()
def softmax_of_infinities(tf, tmp):
    x = tf.placeholder(tf.float32, [None, None], name="x")
    return run(tf, [tf.nn.softmax(x), tf.nn.log_softmax(x)], {x: [[-np.inf, -np.inf], [np.inf, 0.0]]})


@case()
def softmax_xent_int_labels(tf, tmp):
    logits = tf.placeholder(tf.float32, [None, 3], name="logits")
    labels = tf.placeholder(tf.int32, [None, 3], name="labels")
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    return run(tf, loss, {logits: np.zeros((1, 3), F32), labels: [[0, 1, 0]]})


@case('softmax_cross_entropy_with_logits')
def softmax_xent_sparse_labels_given(tf, tmp):
    logits = tf.placeholder(tf.float32, [None, 3], name="logits")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    return run(tf, loss, {logits: np.zeros((2, 3), F32), labels: [0, 2]})


@case('Received a label value of] [10]', '[0, 10)')
def sparse_softmax_fed_label_out_of_range(tf, tmp):
    logits = tf.placeholder(tf.float32, [None, 10], name="logits")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return run(tf, loss, {logits: np.zeros((2, 10), F32), labels: [3, 10]})


@case('Received a label value of] [-1]', '[0, 4)')
def sparse_softmax_fed_negative_label(tf, tmp):
    logits = tf.placeholder(tf.float32, [None, 4], name="logits")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return run(tf, loss, {logits: np.zeros((2, 4), F32), labels: [-1, 0]})


@case('labels:0', 'float32')
def sparse_softmax_float_labels(tf, tmp):
    logits = tf.placeholder(tf.float32, [None, 4], name="logits")
    labels = tf.placeholder(tf.float32, [None], name="labels")
    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)


@case('labels:0', 'logits:0')
def sparse_softmax_one_hot_labels_given(tf, tmp):
    logits = tf.placeholder(tf.float32, [None, 4], name="logits")
    labels = tf.placeholder(tf.int32, [None, 4], name="labels")
    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)


@case('Received a label value of] [3]', '[0, 3)')
def losses_sparse_softmax_fed_label_out_of_range(tf, tmp):
    logits = tf.placeholder(tf.float32, [None, 3], name="logits")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    return run(tf, loss, {logits: np.zeros((2, 3), F32), labels: [0, 3]})


@case('(?, 3)', '(?, 4)')
def losses_softmax_xent_other_width(tf, tmp):
    logits = tf.placeholder(tf.float32, [None, 3], name="logits")
    labels = tf.placeholder(tf.float32, [None, 4], name="labels")
    tf.losses.softmax_cross_entropy(labels, logits)


@case('logistic_loss')
def sigmoid_xent_fed_shape_mismatch(tf, tmp):
    logits = tf.placeholder(tf.float32, [None], name="logits")
    labels = tf.placeholder(tf.float32, [None], name="labels")
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    return run(tf, loss, {logits: [0.0, 1.0], labels: [1.0, 0.0, 1.0]})


@case('labels:0', 'int32', 'float32')
def sigmoid_xent_int_labels(tf, tmp):
    logits = tf.placeholder(tf.float32, [None], name="logits")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)


@case()
def sigmoid_xent_extreme_logits(tf, tmp):
    logits = tf.placeholder(tf.float32, [None], name="logits")
    labels = tf.placeholder(tf.float32, [None], name="labels")
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    return run(tf, loss, {logits: [-1000.0, 1000.0, 0.0], labels: [1.0, 0.0, 0.5]})


@case()
def log_loss_of_zero_probability(tf, tmp):
    p = tf.placeholder(tf.float32, [None], name="p")
    y = tf.placeholder(tf.float32, [None], name="y")
    return run(tf, tf.losses.log_loss(y, p), {p: [0.0, 0.25], y: [1.0, 0.0]})


# ---- map_fn / scan / foldl -------------------------------------------------------------------------
@case('x:0', 'int32', 'float32')
def map_fn_returns_other_dtype_without_dtype(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.map_fn(lambda e: tf.cast(e, tf.int32), x), {x: [1.5, 2.5]})


@case()
def map_fn_with_dtype(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.map_fn(lambda e: tf.cast(e, tf.int32), x, dtype=tf.int32), {x: [1.5, 2.5]})


@case()
def map_fn_over_an_empty_feed(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    return run(tf, tf.map_fn(lambda e: e * 2.0, x), {x: np.zeros((0, 2), F32)})


@case('Const:0', 'rank')
def map_fn_of_a_scalar(tf, tmp):
    tf.map_fn(lambda e: e, tf.constant(1.0))


@case('= 2 is not in [0, 2)')
def map_fn_tuple_elems_of_other_lengths(tf, tmp):
    a = tf.placeholder(tf.float32, [None], name="a")
    b = tf.placeholder(tf.float32, [None], name="b")
    y = tf.map_fn(lambda ab: ab[0] + ab[1], (a, b), dtype=tf.float32)
    return run(tf, y, {a: [1.0, 2.0, 3.0], b: [1.0, 2.0]})


@case('callable')
def map_fn_fn_not_callable(tf, tmp):
    tf.map_fn(3, tf.constant([1.0]))


@case('rank 0')
def scan_initializer_of_other_structure(tf, tmp):
    tf.scan(lambda acc, e: (acc[0] + e, acc[1]), tf.constant([1.0, 2.0]), initializer=tf.constant(0.0))


@case('int32', 'float32')
def scan_returns_other_dtype(tf, tmp):
    y = tf.scan(lambda acc, e: tf.cast(acc + e, tf.int32), tf.constant([1.0, 2.0]), initializer=tf.constant(0.0))
    return run(tf, y)


@case('foldl', '[0, 0)')
def foldl_of_an_empty_feed_without_initializer(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.foldl(lambda a, e: a + e, x), {x: np.zeros(0, F32)})


@case()
def foldl_values(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, [tf.foldl(lambda a, e: a * e, x), tf.foldr(lambda a, e: a - e, x, initializer=0.0)],
               {x: [1.0, 2.0, 3.0]})


@case()
def while_body_print(tf, tmp):
    i = tf.while_loop(lambda i: i < 3, lambda i: tf.Print(i + 1, [i], "i = "), [tf.constant(0)])
    return run(tf, i)


@case()
def while_body_returns_python_number(tf, tmp):
    loop = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, 0.5), [tf.constant(0), tf.constant(0.0)])
    return run(tf, list(loop))


@case('#1', 'float32', 'int32')
def while_body_returns_python_int_for_float(tf, tmp):
    loop = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, 1), [tf.constant(0), tf.constant(0.0)])
    return run(tf, list(loop))


# ---- more TensorArray ------------------------------------------------------------------------------
@case('(2,)', '(3,)')
def tensor_array_element_shape_mismatch(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=2, element_shape=[3])
    ta.write(0, tf.zeros([2]))


@case('index', 'float32')
def tensor_array_read_float_index(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=2).unstack([1.0, 2.0])
    ta.read(1.0)


@case('Tried to write to index] [2]', 'size is:] [2]')
def tensor_array_write_in_loop_past_size(tf, tmp):
    n = tf.placeholder(tf.int32, [], name="n")
    ta = tf.TensorArray(tf.float32, size=2)
    _, ta = tf.while_loop(lambda i, ta: i < n, lambda i, ta: (i + 1, ta.write(i, tf.cast(i, tf.float32))),
                          [tf.constant(0), ta])
    return run(tf, ta.stack(), {n: 3})


@case('TensorArrayWrite_1')
def tensor_array_concat_of_other_ranks(tf, tmp):
    a = tf.placeholder(tf.float32, None, name="a")
    ta = tf.TensorArray(tf.float32, size=2, infer_shape=False).write(0, tf.zeros([2])).write(1, a)
    return run(tf, ta.concat(), {a: np.zeros((2, 2), F32)})


@case('Expected sum of lengths', '[1, 1]')
def tensor_array_split_lengths_do_not_sum(tf, tmp):
    ta = tf.TensorArray(tf.float32, size=2).split(tf.constant([1.0, 2.0, 3.0]), [1, 1])
    return run(tf, ta.concat())


# ---- more variables --------------------------------------------------------------------------------
@case('[None, 3]', 'fully defined')
def get_variable_shape_not_fully_defined(tf, tmp):
    tf.get_variable("w", [None, 3])


@case('Const:0')
def assign_to_a_tensor(tf, tmp):
    tf.assign(tf.constant([1.0]), [2.0])


@case('int32', '0.5')
def assign_add_float_to_int_variable(tf, tmp):
    v = tf.Variable(1, name="v")
    tf.assign_add(v, 0.5)


@case("'v'", '[3]', '(2,)')
def variable_load_wrong_shape(tf, tmp):
    v = tf.Variable(tf.zeros([2]), name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        v.load(np.ones(3, F32), sess)
        return sess.run(v)


@case()
def variable_load_then_read(tf, tmp):
    v = tf.Variable(tf.zeros([2]), name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        v.load([3.0, 4.0], sess)
        return sess.run(v)


@case('zeros:0')
def scatter_update_of_a_tensor(tf, tmp):
    tf.scatter_update(tf.zeros([3]), [0], [1.0])


@case('int32', '1.5')
def get_variable_initializer_of_wrong_dtype_for_int(tf, tmp):
    w = tf.get_variable("w", [2], dtype=tf.int32, initializer=tf.constant_initializer(1.5))
    return run(tf, w, init=True)


@case()
def get_variable_from_numpy_float64(tf, tmp):
    w = tf.get_variable("w", initializer=np.array([1.5, 2.5]))
    return run(tf, [w, tf.constant(w.dtype.base_dtype == tf.float64)], init=True)


@case('float64', 'float32', 'variable w')
def get_variable_from_numpy_float64_explicit_float32(tf, tmp):
    tf.get_variable("w", initializer=np.array([1.5, 2.5]), dtype=tf.float32)


@case()
def get_variable_from_list_explicit_float32(tf, tmp):
    w = tf.get_variable("w", initializer=[1.5, 2.5], dtype=tf.float32)
    return run(tf, w, init=True)


@case('int32', 'float32', 'variable w')
def get_variable_from_int_list_explicit_float32(tf, tmp):
    tf.get_variable("w", initializer=[1, 2], dtype=tf.float32)


# ---- more run-time data and numerics --------------------------------------------------------------
@case('UnsortedSegmentSum', '-1')
def unsorted_segment_sum_fed_negative_num_segments(tf, tmp):
    n = tf.placeholder(tf.int32, [], name="n")
    return run(tf, tf.unsorted_segment_sum(tf.constant([1.0, 2.0]), tf.constant([0, 1]), n), {n: -1})


@case('Const_1:0', 'float32')
def segment_sum_float_ids(tf, tmp):
    tf.segment_sum(tf.constant([1.0, 2.0]), tf.constant([0.0, 1.0]))


@case("'Cumsum'", 'axis 2', '[-2, 2)')
def cumsum_axis_out_of_range(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    return run(tf, tf.cumsum(x, axis=2), {x: np.ones((2, 2), F32)})


@case('int32')
def clip_by_value_int_and_float_bounds(tf, tmp):
    tf.clip_by_value(tf.constant([1, 5]), 0.5, 2.5)


@case("'Select'", 'float32', 'int32')
def where_x_y_other_dtypes(tf, tmp):
    c = tf.placeholder(tf.bool, [None], name="c")
    tf.where(c, tf.zeros([2]), tf.zeros([2], tf.int32))


@case()
def boolean_mask_int_mask(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.boolean_mask(x, tf.constant([1, 0])), {x: [1.0, 2.0]})


@case('ones:0', '(4,)')
def mse_weights_of_wrong_shape(tf, tmp):
    p = tf.placeholder(tf.float32, [None, 3], name="p")
    tf.losses.mean_squared_error(p, p, weights=tf.ones([4]))


@case('softmax_cross_entropy_with_logits', '[2, 4]', '[2, 3]')
def softmax_xent_v1_fed_widths_differ(tf, tmp):
    logits = tf.placeholder(tf.float32, [None, None], name="logits")
    labels = tf.placeholder(tf.float32, [None, None], name="labels")
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    return run(tf, loss, {logits: np.zeros((2, 3), F32), labels: np.zeros((2, 4), F32)})


@case()
def sparse_softmax_of_rank1_logits(tf, tmp):
    return run(tf, tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(1), logits=tf.zeros([4])))


@case()
def l2_normalize_of_zeros(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.nn.l2_normalize(x, 0), {x: [0.0, 0.0]})


@case()
def moments_of_an_empty_feed(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, list(tf.nn.moments(x, [0])), {x: np.zeros(0, F32)})


@case('Const:0', 'int32')
def matrix_inverse_of_ints(tf, tmp):
    tf.matrix_inverse(tf.constant([[1, 0], [0, 1]]))


@case('out_type', 'string')
def string_to_number_to_string(tf, tmp):
    tf.string_to_number(tf.constant(["1"]), out_type=tf.string)


@case("'DecodeCSV'", 'field_delim should be only 1 char')
def decode_csv_long_delimiter(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    return run(tf, tf.decode_csv(s, [[0.0], [0.0]], field_delim=";;"), {s: [b"1;;2"]})


@case()
def decode_csv_quoted_fields(tf, tmp):
    s = tf.placeholder(tf.string, [None], name="s")
    text, number = tf.decode_csv(s, [[""], [0]])
    return run(tf, [tf.equal(text, ["a,b", 'say "hi"']), number], {s: [b'"a,b",3', b'"say ""hi""",4']})


@case()
def one_hot_depth_zero(tf, tmp):
    i = tf.placeholder(tf.int32, [None], name="i")
    return run(tf, tf.one_hot(i, 0), {i: [0, 1]})


@case()
def log_softmax_of_a_huge_logit(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, [tf.nn.log_softmax(x), tf.nn.softmax(x)], {x: [1e30, 0.0, -1e30]})


@case('labels:0', 'int32')
def weighted_xent_int_labels(tf, tmp):
    logits = tf.placeholder(tf.float32, [None], name="logits")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    tf.nn.weighted_cross_entropy_with_logits(labels=labels, logits=logits, pos_weight=2.0)


# ---- partitioned and uninitialized variables in control flow ---------------------------------------
@case("s/w/part_0")
def get_variable_partitioned_then_reused_without_partitioner(tf, tmp):
    with tf.variable_scope("s", partitioner=tf.fixed_size_partitioner(2)):
        tf.get_variable("w", [4, 2])
    with tf.variable_scope("s"):
        tf.get_variable("w", [4, 2])


@case("zero partitions")
def fixed_size_partitioner_of_zero_shards(tf, tmp):
    tf.get_variable("w", [4, 2], partitioner=tf.fixed_size_partitioner(0))


@case()
def partitioned_variable_more_shards_than_rows(tf, tmp):
    w = tf.get_variable("w", [2, 3], partitioner=tf.fixed_size_partitioner(4), initializer=tf.ones_initializer())
    return run(tf, [tf.reduce_sum(tf.convert_to_tensor(w)), tf.constant(len(tf.global_variables()))], init=True)


@case("v")
def uninitialized_variable_read_in_a_cond(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    v = tf.Variable(2.0, name="v")
    return run(tf, tf.cond(p, lambda: v * 2.0, lambda: tf.constant(0.0)), {p: True})


@case("v")
def uninitialized_variable_in_the_branch_not_taken(tf, tmp):
    p = tf.placeholder(tf.bool, [], name="p")
    v = tf.Variable(2.0, name="v")
    return run(tf, tf.cond(p, lambda: v * 2.0, lambda: tf.constant(5.0)), {p: False})


@case("acc")
def uninitialized_variable_read_in_a_loop(tf, tmp):
    acc = tf.Variable(0.0, name="acc")
    _, s = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + acc), [tf.constant(0), tf.constant(0.0)])
    return run(tf, s)


@case()
def assign_add_in_a_loop_body(tf, tmp):
    v = tf.Variable(0.0, name="v")

    def body(i):
        with tf.control_dependencies([tf.assign_add(v, 1.0)]):
            return i + 1
    i = tf.while_loop(lambda i: i < 4, body, [tf.constant(0)])
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(i)
        return sess.run(v)


@case()
def scan_over_an_empty_feed(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, tf.scan(lambda a, e: a + e, x, initializer=tf.constant(0.0)), {x: np.zeros(0, F32)})


@case()
def scan_values(tf, tmp):
    x = tf.placeholder(tf.float32, [None], name="x")
    return run(tf, [tf.scan(lambda a, e: a + e, x), tf.scan(lambda a, e: a * e, x, reverse=True)],
               {x: [1.0, 2.0, 3.0]})
