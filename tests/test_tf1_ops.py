"""TF1 ops beyond the recorded values: bad input names the op and the user's line, data-dependent shapes are
refused plainly, and the random initializers and samplers draw from TF's distributions."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.ir.errors import InvalidArgumentError, ShapeError

BACKENDS = ["interpreter", "cpu"]
HERE = "test_tf1_ops.py"


pytestmark = pytest.mark.usefixtures("fresh_graph")


def _raises(exc, *words):
    """pytest.raises that also checks the message names every word (the op, the user's file)."""
    class Check:
        def __enter__(self):
            self.ctx = pytest.raises(exc)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *args):
            handled = self.ctx.__exit__(*args)
            for w in words:
                assert w in str(self.info.value), (w, str(self.info.value))
            return handled
    return Check()


def test_build_errors_name_the_op_and_the_user_line():
    x = tf.placeholder(tf.float32, [3, 2])
    with _raises(ShapeError, "Pad", HERE, "paddings"):
        tf.pad(x, [[1, 1]])
    with _raises(ShapeError, "MirrorPad", HERE, "less than the dimension size"):
        tf.pad(x, [[1, 1], [2, 2]], "REFLECT")
    with _raises(ShapeError, "Pad", HERE, "non-negative"):
        tf.pad(x, [[1, -1], [0, 0]])
    with _raises(TypeError, "IsNan", HERE, "int32"):
        tf.is_nan(tf.constant([1, 2]))
    with _raises(ShapeError, "ReverseV2", HERE, "more than once"):
        tf.reverse(x, [0, -2])
    with _raises(ShapeError, "GatherNd", HERE, "innermost dimension"):
        tf.gather_nd(x, [[0, 1, 0]])
    with _raises(ShapeError, "ScatterNd", HERE, "updates"):
        tf.scatter_nd([[0], [1]], tf.ones([3]), [4])
    with _raises(ShapeError, "Einsum", HERE):
        tf.einsum("ij,jk->ik", x, tf.ones([3, 3]))
    with _raises(ShapeError, "MatrixBandPart", HERE, "num_lower"):
        tf.matrix_band_part(x, 5, 0)
    with _raises(ShapeError, "DepthToSpace", HERE, "divisible"):
        tf.depth_to_space(tf.ones([1, 2, 2, 3]), 2)
    with _raises(ValueError, "clip_by_value", HERE):
        tf.clip_by_value(x, tf.zeros([4, 3, 2]), 1.0)
    with _raises(TypeError, "t_list", HERE):
        tf.clip_by_global_norm(x, 1.0)
    with _raises(ValueError, "Only scalar multiply"):
        tf.scalar_mul(tf.ones([2]), x)


def test_data_dependent_shapes_are_computed_before_the_step_or_refused_plainly():
    lengths = tf.placeholder(tf.int32, [3])
    mask = tf.sequence_mask(lengths)  # maxlen = max(lengths): computed before the step, which is compiled for it
    as_float = tf.sequence_mask(lengths, maxlen=tf.reduce_max(lengths) + 1, dtype=tf.float32)
    with tf.Session() as sess:  # constants work: their shapes are known
        assert sess.run(tf.sequence_mask(tf.constant([1, 2]))).tolist() == [[True, False], [True, True]]
        assert sess.run(mask, {lengths: [1, 3, 0]}).tolist() == [[True, False, False], [True, True, True],
                                                                  [False, False, False]]
        assert sess.run(mask, {lengths: [0, 0, 0]}).shape == (3, 0)
        assert sess.run(as_float, {lengths: [2, 1, 0]}).tolist() == [[1, 1, 0], [1, 0, 0], [0, 0, 0]]
    y, idx = tf.unique(lengths)  # as many values as distinct ones: computed before the step too
    with tf.Session() as sess:
        assert [a.tolist() for a in sess.run([y, idx], {lengths: [3, 1, 3]})] == [[3, 1], [0, 1, 0]]
    with _raises(TypeError, "SequenceMask", "integers"):
        tf.sequence_mask(tf.placeholder(tf.float32, [3]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_out_of_range_indices_fail_at_run_time_naming_the_op(backend):
    params = tf.constant(np.arange(6.0, dtype=np.float32).reshape(3, 2))
    idx = tf.placeholder(tf.int32, [None, 2])
    gathered = tf.gather_nd(params, idx)
    scattered = tf.scatter_nd(idx, tf.ones([2]), [3, 2])
    with tf.Session(backend=backend) as sess:
        assert sess.run(gathered, {idx: [[2, 1], [0, 0]]}).tolist() == [5.0, 0.0]
        # [2, 2] is out of range in its second coordinate although its row-major offset (6) is not past
        # the 6 elements' end: each coordinate is checked, not the offset
        with _raises(InvalidArgumentError, "GatherNd", HERE):
            sess.run(gathered, {idx: [[0, 1], [1, 2]]})
        with _raises(InvalidArgumentError, "ScatterNd", HERE):
            sess.run(scattered, {idx: [[0, 1], [3, 0]]})
        with _raises(InvalidArgumentError, "ScatterNd"):
            sess.run(scattered, {idx: [[0, -1], [1, 0]]})


@pytest.mark.parametrize("backend", BACKENDS)
def test_pad_and_friends_handle_unknown_batch_dims(backend):
    x = tf.placeholder(tf.float32, [None, 4, 4, 1])
    padded = tf.pad(x, [[0, 0], [2, 2], [1, 1], [0, 0]], constant_values=-1.0)
    assert padded.shape.as_list() == [None, 8, 6, 1]
    s2d = tf.space_to_depth(x, 2)
    grad = tf.gradients(tf.reduce_sum(padded * padded) + tf.reduce_sum(s2d), x)[0]
    xs = np.random.default_rng(0).standard_normal((3, 4, 4, 1)).astype(np.float32)
    with tf.Session(backend=backend) as sess:
        p, g = sess.run([padded, grad], {x: xs})
    np.testing.assert_array_equal(p, np.pad(xs, [[0, 0], [2, 2], [1, 1], [0, 0]], constant_values=-1.0))
    np.testing.assert_allclose(g, 2 * xs + 1, rtol=1e-6)


def _sample(t, backend="cpu"):
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(t)


@pytest.mark.parametrize("name,scale,mode", [("he_normal", 2.0, "fan_in"), ("lecun_normal", 1.0, "fan_in"),
                                             ("he_uniform", 2.0, "fan_in"), ("lecun_uniform", 1.0, "fan_in")])
def test_variance_scaling_initializers_have_tf_variance(name, scale, mode):
    shape = [3, 3, 40, 64]  # fan_in 360, fan_out 576
    init = getattr(tf.initializers, name)(seed=1)
    v = tf.get_variable("w", shape, initializer=init)
    values = _sample(v)
    std = np.sqrt(scale / 360)
    assert abs(values.std() / std - 1) < 0.03
    if "uniform" in name:
        assert np.abs(values).max() <= np.sqrt(3 * scale / 360) + 1e-6
    else:  # truncated at two standard deviations of the untruncated normal
        assert np.abs(values).max() <= 2 * std / 0.87962566103423978 + 1e-6


def test_variance_scaling_modes_and_distributions():
    fan_avg = tf.initializers.variance_scaling(3.0, "fan_avg", "untruncated_normal", seed=2)
    values = _sample(tf.get_variable("a", [200, 300], initializer=fan_avg))
    assert abs(values.std() / np.sqrt(3.0 / 250) - 1) < 0.03
    with pytest.raises(ValueError, match="mode"):
        tf.initializers.variance_scaling(mode="fan_sideways")
    with pytest.raises(ValueError, match="distribution"):
        tf.initializers.variance_scaling(distribution="cauchy")


def test_orthogonal_and_identity_initializers():
    q = _sample(tf.get_variable("q", [6, 4], initializer=tf.initializers.orthogonal(gain=2.0, seed=3)))
    np.testing.assert_allclose(q.T @ q, 4 * np.eye(4), atol=1e-5)
    wide = _sample(tf.get_variable("r", [3, 5], initializer=tf.orthogonal_initializer()
                                   if hasattr(tf, "orthogonal_initializer") else tf.initializers.orthogonal()))
    np.testing.assert_allclose(wide @ wide.T, np.eye(3), atol=1e-5)
    eye = _sample(tf.get_variable("i", [2, 3], initializer=tf.initializers.identity(gain=0.5)))
    np.testing.assert_array_equal(eye, 0.5 * np.eye(2, 3))
    with pytest.raises(ValueError, match="2D"):
        tf.initializers.identity()([2, 2, 2])


@pytest.mark.parametrize("backend", BACKENDS)
def test_multinomial_draws_with_softmax_probabilities(backend):
    logits = tf.constant(np.log([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]]).astype(np.float32))
    tf.set_random_seed(5)
    draws = _sample(tf.multinomial(logits, 4000), backend)
    assert draws.shape == (2, 4000) and draws.dtype == np.int64
    freq = np.stack([np.bincount(row, minlength=3) / 4000 for row in draws])
    np.testing.assert_allclose(freq, [[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]], atol=0.03)
    categorical = _sample(tf.random.categorical(logits, 10, dtype=tf.int32), backend)
    assert categorical.dtype == np.int32 and categorical.shape == (2, 10)


@pytest.mark.parametrize("backend", BACKENDS)
def test_asserts_fail_the_run_with_tf_messages_and_order_ops_after_them(backend):
    x, y = tf.placeholder(tf.float32, [3], name="x"), tf.placeholder(tf.float32, [3], name="y")
    checks = [tf.assert_equal(x, y, message="x must equal y"), tf.assert_positive(x),
              tf.debugging.assert_less(x, y + 10.0), tf.Assert(tf.reduce_all(x < 100.0), ["big x", x])]
    with tf.control_dependencies(checks):
        out = tf.identity(x * 2.0)
    with tf.Session(backend=backend) as sess:
        np.testing.assert_array_equal(sess.run(out, {x: [1, 2, 3], y: [1, 2, 3]}), [2, 4, 6])
        with _raises(InvalidArgumentError, "assertion failed", "[x must equal y]",
                     "[Condition x == y did not hold element-wise:]", "[x (x:0) = ]", HERE):
            sess.run(out, {x: [1, 2, 3], y: [1, 2, 4]})
        with _raises(InvalidArgumentError, "[Condition x > 0 did not hold element-wise:]"):
            sess.run(out, {x: [-1, 2, 3], y: [-1, 2, 3]})
        with _raises(InvalidArgumentError, "[big x]"):
            sess.run(out, {x: [1, 200, 3], y: [1, 200, 3]})
    if backend == "interpreter":  # the reference shows the data values, as TF does
        with tf.Session(backend=backend) as sess, _raises(InvalidArgumentError, "[1 2 4]"):
            sess.run(out, {x: [1, 2, 3], y: [1, 2, 4]})


def test_asserts_on_constants_are_decided_when_built():
    with _raises(InvalidArgumentError, "assertion failed", "[1 3]", HERE):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
    assert tf.assert_less(1, 2).type == "NoOp"
    with _raises(ValueError, "must have rank 2", HERE):
        tf.assert_rank(tf.ones([3]), 2)
    assert tf.assert_rank(tf.ones([3, 1]), 2).type == "NoOp"
    with _raises(TypeError, "integer"):
        tf.assert_integer(tf.ones([2]))
    with _raises(TypeError, "int32"):
        tf.assert_type(tf.ones([2]), tf.int32)
    with _raises(ValueError, "scalar"):
        tf.assert_scalar(tf.ones([2]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_check_numerics_passes_values_through_and_names_inf_and_nan(backend):
    x = tf.placeholder(tf.float32, [3])
    checked = tf.check_numerics(tf.log(x), "log of x")
    verified = tf.verify_tensor_all_finite(x * 2.0, "doubled")
    grad = tf.gradients(tf.reduce_sum(checked), x)[0]
    with tf.Session(backend=backend) as sess:
        np.testing.assert_allclose(sess.run(checked, {x: [1, np.e, 1]}), [0, 1, 0], atol=1e-6)
        np.testing.assert_allclose(sess.run(grad, {x: [1, 2, 4]}), [1, 0.5, 0.25])
        np.testing.assert_array_equal(sess.run(verified, {x: [1, 2, 3]}), [2, 4, 6])
        with _raises(InvalidArgumentError, "log of x : Tensor had Inf values", HERE):
            sess.run(checked, {x: [0, 1, 2]})
        with _raises(InvalidArgumentError, "log of x : Tensor had NaN values"):
            sess.run(checked, {x: [-1, 1, 2]})
        with _raises(InvalidArgumentError, "Tensor had Inf and NaN values"):
            sess.run(checked, {x: [-1, 0, 2]})
        with _raises(InvalidArgumentError, "doubled : Tensor had NaN values"):
            sess.run(verified, {x: [np.nan, 1, 2]})


@pytest.mark.parametrize("backend", BACKENDS)
def test_scatter_updates_of_variables(backend):
    start = np.arange(12, dtype=np.float32).reshape(4, 3)
    v = tf.Variable(start)
    updated = tf.scatter_update(v, [1, 3], [[0, 0, 0], [1, 1, 1]])
    added = tf.scatter_add(v, [0, 0, 2], tf.ones([3, 3]))
    subtracted = tf.scatter_sub(v, tf.constant([[1], [2]]), tf.ones([2, 1, 3]))
    nd = tf.scatter_nd_update(v, [[0, 0], [3, 2]], [-5.0, -6.0])
    nd_add = tf.scatter_nd_add(v, [[2]], [[10.0, 20.0, 30.0]])
    expected = start.copy()
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        expected[[1, 3]] = [[0, 0, 0], [1, 1, 1]]
        np.testing.assert_array_equal(sess.run(updated), expected)
        expected[0] += 2
        expected[2] += 1
        np.testing.assert_array_equal(sess.run(added), expected)
        expected[[1, 2]] -= 1
        np.testing.assert_array_equal(sess.run(subtracted), expected)
        expected[0, 0], expected[3, 2] = -5, -6
        np.testing.assert_array_equal(sess.run(nd), expected)
        expected[2] += [10, 20, 30]
        np.testing.assert_array_equal(sess.run(nd_add), expected)
        np.testing.assert_array_equal(sess.run(v), expected)
    with pytest.raises(TypeError, match="Variable"):
        tf.scatter_update(tf.constant(start), [0], [[1.0, 2.0, 3.0]])


@pytest.mark.parametrize("backend", BACKENDS)
def test_random_shuffle_permutes_the_first_dim(backend):
    tf.set_random_seed(7)
    x = tf.constant(np.arange(40, dtype=np.float32).reshape(20, 2))
    shuffled = tf.random_shuffle(x)
    with tf.Session(backend=backend) as sess:
        first, second = sess.run(shuffled), sess.run(shuffled)
    for s in (first, second):
        np.testing.assert_array_equal(np.sort(s[:, 0]), np.arange(0, 40, 2))
        np.testing.assert_array_equal(s[:, 1], s[:, 0] + 1)  # rows move whole
    assert not np.array_equal(first, second) and not np.array_equal(first[:, 0], np.arange(0, 40, 2))


@pytest.mark.parametrize("backend", BACKENDS)
def test_random_flips_flip_whole_images_independently(backend):
    tf.set_random_seed(3)
    batch = tf.constant(np.arange(64 * 2 * 3, dtype=np.float32).reshape(64, 1, 2, 3) % 6)
    flipped = tf.image.random_flip_left_right(batch)
    with tf.Session(backend=backend) as sess:
        out = sess.run(flipped)
    same = np.all(out == sess_value(batch), axis=(1, 2, 3))
    mirrored = np.all(out == sess_value(batch)[:, :, ::-1], axis=(1, 2, 3))
    assert np.all(same | mirrored) and 10 < mirrored.sum() < 54


def sess_value(t):
    with tf.Session(backend="interpreter") as sess:
        return sess.run(t)


@pytest.mark.parametrize("backend", BACKENDS)
def test_print_writes_to_stderr_when_run_and_passes_the_value_through(backend, capfd):
    x = tf.placeholder(tf.float32, [4])
    printed = tf.Print(x * 2.0, [x, tf.reduce_sum(x)], "values: ", summarize=3)
    once = tf.Print(printed, [tf.shape(x)], "shape ", first_n=1)
    op = tf.print("the sum is", tf.reduce_sum(x), "and x", x, summarize=2)
    grad = tf.gradients(tf.reduce_sum(once), x)[0]
    with tf.Session(backend=backend) as sess:
        capfd.readouterr()
        np.testing.assert_array_equal(sess.run(once, {x: [1, 2, 3, 4]}), [2, 4, 6, 8])
        np.testing.assert_array_equal(sess.run(grad, {x: [5, 6, 7, 8.5]}), [2, 2, 2, 2])
        sess.run(op, {x: [1, 2, 3, 4]})
    err = capfd.readouterr().err.splitlines()
    assert err == ["values: [1 2 3...][10]", "shape [4]", "values: [5 6 7...][26.5]",
                   "the sum is 10 and x [1 2...]"], err
