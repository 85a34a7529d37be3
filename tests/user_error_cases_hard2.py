"""User mistakes of a second hardening round (see tests/user_error_cases.py): checkpoints that cannot be written
or do not fit, checkpoint bookkeeping (max_to_keep, stale state files), tf.data pipelines that go wrong, misused
optimizers and gradients, and Session calls with odd fetches and feeds."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from user_error_cases import F32, Case, run

CASES: list[Case] = []  # recorded in tests/data/user_errors_hard2_tf.json, checked by test_user_errors_hard2_tf.py


def case(*phrase: str) -> Callable:
    """Register `fn` as a case; dfc's error message must contain every phrase (the user's object)."""
    def register(fn: Callable) -> Callable:
        CASES.append(Case(fn.__name__, fn, phrase))
        return fn
    return register


def _save_steps(tf, tmp, steps, **saver_options):
    """Save variable `w` (its value the step) at each of `steps`; return the paths Saver.save gave."""
    w = tf.Variable(0.0, name="w")
    saver = tf.train.Saver(**saver_options)
    paths = []
    with tf.Session() as sess:
        for step in steps:
            sess.run(w.assign(float(step)))
            paths.append(saver.save(sess, os.path.join(tmp, "model"), global_step=step))
    return paths


def _exists(tf, path: str) -> int:
    return int(tf.train.checkpoint_exists(path))


# ---- checkpoints: writing --------------------------------------------------------------------------
@case("model")
def save_under_a_file(tf, tmp):
    open(os.path.join(tmp, "afile"), "w").close()
    tf.Variable(1.0, name="w")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, os.path.join(tmp, "afile", "model"))


@case("'sess'")
def save_without_a_session(tf, tmp):
    tf.Variable(1.0, name="w")
    tf.train.Saver().save(None, os.path.join(tmp, "model"))


@case()
def restore_from_none(tf, tmp):
    tf.Variable(1.0, name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, None)


@case("directory")
def restore_from_the_directory(tf, tmp):
    _save_steps(tf, tmp, [1])
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, tmp)


# ---- checkpoints: restoring what does not fit ------------------------------------------------------
def _saved(tf, tmp, make):
    with tf.Graph().as_default():
        make()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return saver.save(sess, os.path.join(tmp, "model"))


@case("layer/kernel")
def restore_missing_variable_in_a_scope(tf, tmp):
    path = _saved(tf, tmp, lambda: tf.Variable(1.0, name="w"))
    with tf.variable_scope("layer"):
        tf.get_variable("kernel", [2], initializer=tf.zeros_initializer())
    tf.Variable(1.0, name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)


@case("'w'", "[2, 3]", "[3, 2]")
def restore_transposed_matrix(tf, tmp):
    path = _saved(tf, tmp, lambda: tf.Variable(tf.zeros([2, 3]), name="w"))
    tf.Variable(tf.zeros([3, 2]), name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)


@case("w", "int32", "float")
def restore_int_from_float(tf, tmp):
    path = _saved(tf, tmp, lambda: tf.Variable(tf.zeros([2]), name="w"))
    tf.Variable(tf.zeros([2], tf.int32), name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)


@case()
def restore_under_another_name_by_var_list(tf, tmp):
    path = _saved(tf, tmp, lambda: tf.Variable([1.0, 2.0], name="old"))
    new = tf.Variable(tf.zeros([2]), name="new")
    with tf.Session() as sess:
        tf.train.Saver({"old": new}).restore(sess, path)
        return sess.run(new)


@case()
def restore_leaves_variables_outside_var_list(tf, tmp):
    path = _saved(tf, tmp, lambda: (tf.Variable(5.0, name="a"), tf.Variable(6.0, name="b")))
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver([a]).restore(sess, path)
        return sess.run([a, b])


# ---- checkpoints: bookkeeping ----------------------------------------------------------------------
@case()
def max_to_keep_keeps_the_newest(tf, tmp):
    paths = _save_steps(tf, tmp, [1, 2, 3, 4], max_to_keep=2)
    state = tf.train.get_checkpoint_state(tmp)
    return [[_exists(tf, p) for p in paths],
            [int(p == q) for p, q in zip(state.all_model_checkpoint_paths, paths[2:], strict=True)],
            int(tf.train.latest_checkpoint(tmp) == paths[-1])]


@case()
def max_to_keep_one_saving_one_step_twice(tf, tmp):
    paths = _save_steps(tf, tmp, [7, 7, 7], max_to_keep=1)
    return [[_exists(tf, p) for p in paths], int(tf.train.latest_checkpoint(tmp) == paths[-1])]


@case()
def max_to_keep_none_keeps_all(tf, tmp):
    paths = _save_steps(tf, tmp, [1, 2, 3], max_to_keep=None)
    return [_exists(tf, p) for p in paths]


@case()
def max_to_keep_restores_the_newest_values(tf, tmp):
    paths = _save_steps(tf, tmp, [1, 2, 3], max_to_keep=1)
    with tf.Graph().as_default():
        w = tf.Variable(0.0, name="w")
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, tf.train.latest_checkpoint(tmp))
            return [sess.run(w), int(paths[-1].endswith("model-3"))]


@case()
def latest_checkpoint_with_a_stale_state_file(tf, tmp):
    _save_steps(tf, tmp, [1])
    with open(os.path.join(tmp, "checkpoint"), "w") as f:
        f.write('model_checkpoint_path: "model-9"\nall_model_checkpoint_paths: "model-9"\n')
    return int(tf.train.latest_checkpoint(tmp) is None)


@case()
def latest_checkpoint_with_a_relative_state_file(tf, tmp):
    paths = _save_steps(tf, tmp, [1, 2])
    with open(os.path.join(tmp, "checkpoint"), "w") as f:
        f.write('model_checkpoint_path: "model-1"\nall_model_checkpoint_paths: "model-1"\n')
    return int(tf.train.latest_checkpoint(tmp) == paths[0])


@case()
def latest_checkpoint_of_a_directory_without_state(tf, tmp):
    _save_steps(tf, tmp, [1])
    os.remove(os.path.join(tmp, "checkpoint"))
    return int(tf.train.latest_checkpoint(tmp) is None)


# ---- tf.data -------------------------------------------------------------------------------------
@case()
def iterator_reinitialized_after_the_end(tf, tmp):
    n = tf.placeholder(tf.int64, [], name="n")
    it = tf.data.Dataset.range(n).make_initializable_iterator()
    nxt = it.get_next()
    got = []
    with tf.Session() as sess:
        sess.run(it.initializer, {n: 2})
        got += [sess.run(nxt), sess.run(nxt)]
        try:
            sess.run(nxt)
        except tf.errors.OutOfRangeError:
            got.append(-1)
        sess.run(it.initializer, {n: 3})
        got += [sess.run(nxt) for _ in range(3)]
    return got


@case()
def iterator_stays_at_the_end(tf, tmp):
    nxt = tf.data.Dataset.range(1).make_one_shot_iterator().get_next()
    ends = 0
    with tf.Session() as sess:
        sess.run(nxt)
        for _ in range(3):
            try:
                sess.run(nxt)
            except tf.errors.OutOfRangeError:
                ends += 1
    return ends


@case()
def dataset_map_returns_none(tf, tmp):
    ds = tf.data.Dataset.range(3).map(lambda x: None)
    return run(tf, ds.make_one_shot_iterator().get_next())


@case()
def dataset_map_returns_a_ragged_list(tf, tmp):
    ds = tf.data.Dataset.range(3).map(lambda x: [[x], [x, x]])
    return [np.asarray(part).tolist() for part in run(tf, ds.make_one_shot_iterator().get_next())]


@case()
def dataset_map_returns_a_python_object(tf, tmp):
    ds = tf.data.Dataset.range(3).map(lambda x: object())
    return run(tf, ds.make_one_shot_iterator().get_next())


@case("[1]", "[2]")
def dataset_batch_of_different_shapes(tf, tmp):
    ds = tf.data.Dataset.range(1, 4).map(lambda n: tf.ones([n])).batch(2)
    return run(tf, ds.make_one_shot_iterator().get_next())


@case("[4]", "[3]")
def dataset_padded_batch_too_small(tf, tmp):
    ds = tf.data.Dataset.range(1, 5).map(lambda n: tf.ones([n])).padded_batch(2, padded_shapes=[3])
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        sess.run(nxt)
        return sess.run(nxt)


@case()
def dataset_padded_batch_fits(tf, tmp):
    ds = tf.data.Dataset.range(1, 4).map(lambda n: tf.ones([n])).padded_batch(3, padded_shapes=[4])
    return run(tf, ds.make_one_shot_iterator().get_next())


@case()
def dataset_batch_size_zero(tf, tmp):
    return run(tf, tf.data.Dataset.range(3).batch(0).make_one_shot_iterator().get_next())


@case()
def dataset_from_generator_wrong_dtype(tf, tmp):
    ds = tf.data.Dataset.from_generator(lambda: iter([1.5, "abc"]), tf.float32)
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        sess.run(nxt)
        return sess.run(nxt)


@case()
def dataset_from_generator_wrong_shape(tf, tmp):
    ds = tf.data.Dataset.from_generator(lambda: iter([[1.0, 2.0], [1.0, 2.0, 3.0]]), tf.float32,
                                        tf.TensorShape([2]))
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        sess.run(nxt)
        return sess.run(nxt)


@case()
def dataset_from_generator_wrong_structure(tf, tmp):
    ds = tf.data.Dataset.from_generator(lambda: iter([(1.0, 2.0)]), (tf.float32, tf.float32, tf.float32))
    return run(tf, ds.make_one_shot_iterator().get_next())


@case("bad record", "gen")
def dataset_from_generator_raises(tf, tmp):
    def gen():
        yield 1.0
        raise KeyError("bad record")
    nxt = tf.data.Dataset.from_generator(gen, tf.float32).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        sess.run(nxt)
        return sess.run(nxt)


@case()
def dataset_from_tensor_slices_of_unequal_lengths(tf, tmp):
    tf.data.Dataset.from_tensor_slices((np.zeros(2, F32), np.zeros(3, F32)))


@case()
def iterator_of_a_structure_given_another_dataset(tf, tmp):
    it = tf.data.Iterator.from_structure(tf.int64, tf.TensorShape([]))
    it.make_initializer(tf.data.Dataset.from_tensor_slices(np.zeros(2, F32)))


@case("not a handle", "handle:0")
def iterator_from_string_handle_bad_handle(tf, tmp):
    handle = tf.placeholder(tf.string, [], name="handle")
    it = tf.data.Iterator.from_string_handle(handle, tf.int64, tf.TensorShape([]))
    return run(tf, it.get_next(), {handle: "not a handle"})


@case()
def iterator_from_string_handle_works(tf, tmp):
    handle = tf.placeholder(tf.string, [], name="handle")
    train = tf.data.Dataset.range(3).map(lambda x: (x, x * 2))
    nxt = tf.data.Iterator.from_string_handle(handle, train.output_types, train.output_shapes).get_next()
    valid = tf.data.Dataset.range(100, 103).map(lambda x: (x, x * 2)).make_initializable_iterator()
    with tf.Session() as sess:
        th = sess.run(train.make_one_shot_iterator().string_handle())  # the iterator object is not kept
        vh = sess.run(valid.string_handle())
        got = list(sess.run(nxt, {handle: th}))
        sess.run(valid.initializer)
        return got + list(sess.run(nxt, {handle: vh})) + list(sess.run(nxt, {handle: th}))


# ---- optimizers and gradients ----------------------------------------------------------------------
@case()
def minimize_only_non_trainable_variables(tf, tmp):
    w = tf.Variable(1.0, name="w", trainable=False)
    tf.train.GradientDescentOptimizer(0.1).minimize(w * 2.0)


@case("mul:0", "int32")
def minimize_an_int_loss(tf, tmp):
    w = tf.Variable(1, name="w")
    tf.train.GradientDescentOptimizer(0.1).minimize(w * 2)


@case()
def minimize_var_list_not_in_loss(tf, tmp):
    w = tf.Variable(1.0, name="w")
    u = tf.Variable(1.0, name="u")
    tf.train.GradientDescentOptimizer(0.1).minimize(w * 2.0, var_list=[u])


@case()
def apply_gradients_some_none(tf, tmp):
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(1.0, name="b")
    step = tf.train.GradientDescentOptimizer(0.5).apply_gradients([(tf.constant(2.0), a), (None, b)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        return sess.run([a, b])


@case()
def apply_gradients_of_another_shape(tf, tmp):
    w = tf.Variable(tf.zeros([2]), name="w")
    tf.train.GradientDescentOptimizer(0.5).apply_gradients([(tf.ones([3]), w)])


@case()
def apply_gradients_not_pairs(tf, tmp):
    w = tf.Variable(1.0, name="w")
    tf.train.GradientDescentOptimizer(0.5).apply_gradients([w])


@case("x:0")
def apply_gradients_to_a_tensor(tf, tmp):
    x = tf.constant(1.0, name="x")
    tf.train.GradientDescentOptimizer(0.5).apply_gradients([(tf.constant(1.0), x)])


@case("w:0")
def optimizer_for_a_variable_of_another_graph(tf, tmp):
    other = tf.Graph()
    with other.as_default():
        w = tf.Variable(1.0, name="w")
        loss = w * 2.0
    tf.train.AdamOptimizer(0.1).minimize(loss, var_list=[w])


@case()
def adam_with_a_float64_learning_rate(tf, tmp):
    w = tf.Variable([1.0, 2.0], name="w")
    step = tf.train.AdamOptimizer(tf.constant(0.1, tf.float64)).minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        return sess.run(w)


@case()
def momentum_with_an_int_learning_rate_tensor(tf, tmp):
    w = tf.Variable([1.0, 2.0], name="w")
    step = tf.train.MomentumOptimizer(tf.constant(1, tf.int32), 0.9).minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        return sess.run(w)


@case()
def gradients_of_ints_wrt_ints(tf, tmp):
    x = tf.placeholder(tf.int32, [], name="x")
    return int(tf.gradients(x * 3, x)[0] is None)


@case()
def gradients_with_too_many_grad_ys(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    tf.gradients(x * 2.0, x, grad_ys=[tf.ones([2]), tf.ones([2])])


@case("ones:0")
def gradients_with_grad_ys_of_another_dtype(tf, tmp):
    x = tf.placeholder(tf.float32, [2], name="x")
    tf.gradients(x * 2.0, x, grad_ys=tf.ones([2], tf.int32))


@case("x:0")
def gradients_wrt_a_tensor_of_another_graph(tf, tmp):
    other = tf.Graph()
    with other.as_default():
        x = tf.placeholder(tf.float32, [], name="x")
    y = tf.placeholder(tf.float32, [], name="y")
    tf.gradients(y * 2.0, x)


@case()
def clip_by_global_norm_with_nones(tf, tmp):
    a = tf.constant([3.0, 4.0])
    clipped, norm = tf.clip_by_global_norm([a, None, tf.constant([0.0])], 1.0)
    assert clipped[1] is None
    return run(tf, [clipped[0], clipped[2], norm])


@case()
def clip_by_global_norm_of_a_tensor(tf, tmp):
    tf.clip_by_global_norm(tf.constant([3.0, 4.0]), 1.0)


@case()
def clip_by_global_norm_of_infinite_values(tf, tmp):
    clipped, norm = tf.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    return run(tf, [clipped[0], norm])


@case()
def clip_by_norm_of_zeros(tf, tmp):
    return run(tf, tf.clip_by_norm(tf.zeros([3]), 1.0))


# ---- Session -------------------------------------------------------------------------------------
@case("x")
def feed_a_tensor_prevented_from_feeding(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    tf.get_default_graph().prevent_feeding(x)
    return run(tf, x + 1.0, {x: 1.0})


@case("y")
def fetch_an_op_prevented_from_fetching(tf, tmp):
    y = tf.identity(tf.constant(1.0), name="y")
    tf.get_default_graph().prevent_fetching(y.op)
    return run(tf, y)


@case("'x:5'", "1 outputs")
def fetch_an_output_index_past_the_end(tf, tmp):
    tf.placeholder_with_default(1.0, [], name="x")
    return run(tf, "x:5")


@case("'init:0'", "0 outputs")
def fetch_an_output_of_an_op_without_outputs(tf, tmp):
    tf.Variable(1.0, name="w")
    tf.global_variables_initializer()
    return run(tf, "init:0")


@case()
def fetch_a_string_that_is_not_a_name(tf, tmp):
    tf.constant(1.0, name="x")
    return run(tf, "x:y:z")


@case()
def fetch_a_float(tf, tmp):
    tf.constant(1.0, name="x")
    return run(tf, 2.5)


@case()
def fetch_a_numpy_array(tf, tmp):
    tf.constant(1.0, name="x")
    return run(tf, np.ones(2, F32))


@case()
def fetch_a_list_with_none(tf, tmp):
    return run(tf, [tf.constant(1.0), None])


@case("graph", "int")
def session_of_a_non_graph(tf, tmp):
    tf.Session(graph=3)


@case("feed_dict", "float")
def feed_dict_not_a_dict(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    return run(tf, x + 1.0, 3.0)


@case()
def run_after_close_in_the_middle(tf, tmp):
    x = tf.constant(1.0)
    sess = tf.Session()
    first = sess.run(x)
    sess.close()
    try:
        sess.run(x)
    except RuntimeError:
        return [first, -1.0]
    return [first, 0.0]


# ---- more: checkpoint readers, state files and savers ------------------------------------------------
@case()
def restore_with_its_data_file_deleted(tf, tmp):
    path = _saved(tf, tmp, lambda: tf.Variable(1.0, name="w"))
    for name in os.listdir(tmp):
        if name.startswith("model.") and not name.endswith(".meta"):
            os.remove(os.path.join(tmp, name))
    tf.Variable(1.0, name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)


@case("nothing")
def list_variables_of_a_missing_checkpoint(tf, tmp):
    tf.train.list_variables(os.path.join(tmp, "nothing"))


@case("missing")
def load_variable_not_in_the_checkpoint(tf, tmp):
    path = _saved(tf, tmp, lambda: tf.Variable(1.0, name="w"))
    tf.train.load_variable(path, "missing")


@case()
def load_variable_of_the_checkpoint(tf, tmp):
    path = _saved(tf, tmp, lambda: tf.Variable([1.0, 2.0], name="w"))
    return tf.train.load_variable(path, "w")


@case("missing")
def init_from_checkpoint_of_a_missing_variable(tf, tmp):
    path = _saved(tf, tmp, lambda: tf.Variable(1.0, name="w"))
    tf.get_variable("v", [], initializer=tf.zeros_initializer())
    tf.train.init_from_checkpoint(path, {"missing": "v"})


@case()
def latest_checkpoint_with_an_empty_state_file(tf, tmp):
    _save_steps(tf, tmp, [1])
    open(os.path.join(tmp, "checkpoint"), "w").close()
    return int(tf.train.latest_checkpoint(tmp) is None)


@case()
def latest_checkpoint_with_a_garbage_state_file(tf, tmp):
    _save_steps(tf, tmp, [1])
    with open(os.path.join(tmp, "checkpoint"), "w") as f:
        f.write("this is { not a checkpoint state\n")
    return int(tf.train.latest_checkpoint(tmp) is None)


@case("w")
def saver_of_one_variable_twice(tf, tmp):
    w = tf.Variable(1.0, name="w")
    tf.train.Saver([w, w])


@case()
def saver_with_a_non_positive_max_to_keep(tf, tmp):
    paths = _save_steps(tf, tmp, [1, 2, 3], max_to_keep=0)
    return [_exists(tf, p) for p in paths]


# ---- more: tf.data -----------------------------------------------------------------------------------
@case()
def dataset_repeat_of_an_empty_dataset(tf, tmp):
    ds = tf.data.Dataset.from_tensor_slices(np.zeros(0, F32)).repeat()
    return run(tf, ds.make_one_shot_iterator().get_next())


@case()
def dataset_shuffle_buffer_zero(tf, tmp):
    return run(tf, tf.data.Dataset.range(3).shuffle(0).make_one_shot_iterator().get_next())


@case()
def dataset_map_fn_of_the_wrong_arity(tf, tmp):
    tf.data.Dataset.range(3).map(lambda x, y: x)


@case()
def dataset_filter_returns_an_int(tf, tmp):
    tf.data.Dataset.range(3).filter(lambda x: x)


@case()
def dataset_zip_of_different_lengths(tf, tmp):
    ds = tf.data.Dataset.zip((tf.data.Dataset.range(2), tf.data.Dataset.range(5)))
    nxt = ds.make_one_shot_iterator().get_next()
    got = []
    with tf.Session() as sess:
        try:
            while True:
                got.append(list(sess.run(nxt)))
        except tf.errors.OutOfRangeError:
            return got


@case("int32", "float32")
def dataset_padded_batch_padding_value_of_another_dtype(tf, tmp):
    ds = tf.data.Dataset.range(1, 3).map(lambda n: tf.ones([n]))
    ds.padded_batch(2, padded_shapes=[None], padding_values=tf.constant(0, tf.int32))


@case()
def iterator_initializer_rerun_mid_way(tf, tmp):
    it = tf.data.Dataset.range(5).make_initializable_iterator()
    nxt = it.get_next()
    with tf.Session() as sess:
        sess.run(it.initializer)
        first = [sess.run(nxt), sess.run(nxt)]
        sess.run(it.initializer)
        return first + [sess.run(nxt)]


# ---- more: optimizers --------------------------------------------------------------------------------
@case()
def exponential_decay_without_global_step(tf, tmp):
    tf.train.exponential_decay(0.1, None, 100, 0.9)


@case()
def compute_gradients_var_list_with_duplicates(tf, tmp):
    w = tf.Variable(1.0, name="w")
    tf.train.GradientDescentOptimizer(0.1).compute_gradients(w * w, var_list=[w, w])


@case()
def clip_by_global_norm_of_an_empty_list(tf, tmp):
    clipped, norm = tf.clip_by_global_norm([], 1.0)
    return [len(clipped), run(tf, norm)]


@case()
def clip_by_value_min_above_max(tf, tmp):
    return run(tf, tf.clip_by_value(tf.constant([0.0, 5.0, 10.0]), 6.0, 4.0))


# ---- more: Session -----------------------------------------------------------------------------------
@case("config")
def session_with_a_bad_config(tf, tmp):
    tf.Session(config=3)


@case("2")
def make_callable_given_too_many_arguments(tf, tmp):
    x = tf.placeholder(tf.float32, [], name="x")
    with tf.Session() as sess:
        return sess.make_callable(x * 2.0, feed_list=[x])(1.0, 2.0)


@case("'nothing:0'", "'nothing', does not exist")
def make_callable_of_an_unknown_name(tf, tmp):
    tf.constant(1.0, name="c")
    with tf.Session() as sess:
        sess.make_callable("nothing:0")


# ---- more: SavedModel export directories -------------------------------------------------------------
@case("export", "already exists")
def saved_model_builder_over_a_non_empty_directory(tf, tmp):
    export = os.path.join(tmp, "export")
    os.makedirs(export)
    open(os.path.join(export, "keep.txt"), "w").close()
    tf.saved_model.builder.SavedModelBuilder(export)


@case()
def saved_model_builder_over_an_empty_directory(tf, tmp):
    export = os.path.join(tmp, "export")
    os.makedirs(export)
    tf.placeholder(tf.float32, [None], name="x")
    w = tf.Variable(2.0, name="w")
    builder = tf.saved_model.builder.SavedModelBuilder(export)
    with tf.Session() as sess:
        sess.run(w.initializer)
        builder.add_meta_graph_and_variables(sess, ["serve"])
        builder.save()
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.saved_model.loader.load(sess, ["serve"], export)
        return sess.run("w:0")


# ---- more: sessions of another graph -----------------------------------------------------------------
@case("w:0")
def saver_save_with_a_session_of_another_graph(tf, tmp):
    tf.Variable(1.0, name="w")
    saver = tf.train.Saver()
    other = tf.Graph()
    with other.as_default():
        tf.Variable(1.0, name="w")
    with tf.Session(graph=other) as sess:
        saver.save(sess, os.path.join(tmp, "model"))


@case()
def iterator_initialized_in_another_session(tf, tmp):
    it = tf.data.Dataset.range(3).make_initializable_iterator()
    nxt = it.get_next()
    with tf.Session() as sess:
        sess.run(it.initializer)
        sess.run(nxt)
    with tf.Session() as sess:
        return sess.run(nxt)


# ---- more: arguments of the wrong kind ---------------------------------------------------------------
@case("'2'", "str")
def dataset_batch_size_a_string(tf, tmp):
    tf.data.Dataset.range(3).batch("2")


@case("1.5", "float")
def dataset_take_a_float(tf, tmp):
    tf.data.Dataset.range(3).take(1.5)


@case("'a'", "str")
def dataset_range_of_a_string(tf, tmp):
    tf.data.Dataset.range("a")


@case("func", "3")
def dataset_map_of_a_non_callable(tf, tmp):
    tf.data.Dataset.range(3).map(3)


@case()
def fetch_a_name_as_bytes(tf, tmp):
    tf.constant(1.0, name="c")
    return run(tf, b"c:0")


# ---- more: a checkpoint's or a dataset's file given where another is expected ---------------------------
def _restore_w(tf, path):
    w = tf.Variable(0.0, name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)
        return sess.run(w)


@case("model.meta")
def restore_from_the_meta_file(tf, tmp):
    return _restore_w(tf, _saved(tf, tmp, lambda: tf.Variable(1.0, name="w")) + ".meta")


@case("w", "model.index")
def restore_from_the_index_file(tf, tmp):
    return _restore_w(tf, _saved(tf, tmp, lambda: tf.Variable(1.0, name="w")) + ".index")


@case("Is a directory")
def import_meta_graph_of_a_directory(tf, tmp):
    tf.train.import_meta_graph(tmp)


@case("Is a directory")
def text_line_dataset_of_a_directory(tf, tmp):
    return run(tf, tf.data.TextLineDataset(tmp).make_one_shot_iterator().get_next())


# ---- more: closed sessions, odd fetches, savers and gradients of another kind ---------------------------
@case("w")
def saver_of_a_name_for_a_list_of_whole_variables(tf, tmp):
    w = tf.Variable(1.0, name="w")
    tf.train.Saver({"a": [w]})


@case("closed Session")
def saver_restore_into_a_closed_session(tf, tmp):
    tf.Variable(1.0, name="w")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, os.path.join(tmp, "model"))
    saver.restore(sess, path)


@case("closed Session")
def saver_save_from_a_closed_session(tf, tmp):
    tf.Variable(1.0, name="w")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
    saver.save(sess, os.path.join(tmp, "model"))


@case("Const:0", "float64")
def apply_gradients_of_another_dtype(tf, tmp):
    w = tf.Variable(1.0, name="w")
    tf.train.GradientDescentOptimizer(0.5).apply_gradients([(tf.constant(2.0, tf.float64), w)])


@case("Graph")
def fetch_a_graph(tf, tmp):
    tf.constant(1.0, name="c")
    return run(tf, tf.get_default_graph())


@case("Iterator")
def fetch_an_iterator(tf, tmp):
    tf.constant(1.0, name="c")
    return run(tf, tf.data.Dataset.range(3).make_one_shot_iterator())
