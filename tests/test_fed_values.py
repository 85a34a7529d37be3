"""TF1 ops whose axis, stride, count or depth is a fed tensor (tf.reduce_sum(x, a), x[::k], tf.repeat(x, k)): static
shapes, values, gradients and run-time errors equal TF 2.21's (recorded by tests/record_fed_values.py), on the
interpreter and the CPU backend, and a step is compiled once per value."""

from __future__ import annotations

import os

import numpy as np
import pytest
from fed_value_cases import ERRORS, X, run_cases, static_shape
from recordings import load_recording

import dfc as tf

#: cases whose static shape differs from TF's, each compatible with it: TF's SplitV shape function takes an
#: unknown axis for the last one (its gradient then fails for any other; dfc knows the rank only), and dfc keeps
#: the rank of a tensor-strided slice that an index follows (TF knows none)
LESS_SPECIFIC = {"split_sizes", "stride_index"}


@pytest.fixture(scope="module")
def recording() -> dict[str, np.ndarray]:
    return load_recording("fed_values")


#: the CPU backend compiles a step per fed value (~30 s on a loaded machine): DFC_SKIP_SLOW leaves it out
BACKENDS = ["interpreter", pytest.param(None, marks=pytest.mark.skipif(bool(os.environ.get("DFC_SKIP_SLOW")),
                                                                       reason="slow tests skipped"))]
_ANSWERS: dict = {}


def _answers(backend) -> dict:
    """dfc's answers to every case on a backend, computed once for the tests that check them."""
    if backend not in _ANSWERS:
        _ANSWERS[backend] = run_cases(tf, lambda: tf.Session(backend=backend))
    return _ANSWERS[backend]


@pytest.mark.parametrize("backend", BACKENDS)
def test_fed_attribute_values_match_tf(backend, recording):
    got = _answers(backend)
    assert sorted(got) == sorted(recording)
    for key, want in recording.items():
        if key.startswith("error/"):
            continue
        if key.endswith("/shape") and key.split("/")[0] in LESS_SPECIFIC:
            assert want.tolist() == [-2] or (len(got[key]) == len(want) and
                                             all(g in (-1, w) for g, w in zip(got[key], want))), key
            continue
        assert got[key].dtype.kind == want.dtype.kind or key.endswith("/shape"), key
        np.testing.assert_allclose(got[key], want, rtol=2e-5, atol=2e-5, err_msg=key)


@pytest.mark.parametrize("backend", BACKENDS)
def test_values_tf_refuses_fail_the_run_with_tf_error(backend, recording):
    got = _answers(backend)
    for name, v in ERRORS:
        key = f"error/{name}/{v}"
        kind, message = str(recording[key]).split(": ", 1)
        assert str(got[key]).startswith(f"{kind}: "), (key, got[key])
        assert message in str(got[key]), (key, got[key], message)


def test_static_shapes_are_tf_partial_shapes():
    """What TF's shape inference gives without the value: unknown rank for a reduction (known with keepdims),
    one dim fewer for argmax, the rank for concat and gather, x's shape for cumsum/softmax/reverse."""
    x = tf.placeholder(tf.float32, [None, 3])
    a = tf.placeholder(tf.int32, [])
    assert static_shape(tf.reduce_sum(x, a)).tolist() == [-2]
    assert tf.reduce_sum(x, a, keepdims=True).shape.as_list() == [None, None]
    assert tf.argmax(x, a).shape.as_list() == [None]
    assert tf.concat([x, x], a).shape.as_list() == [None, None]
    assert tf.gather(x, [[0, 1]], axis=a).shape.as_list() == [None, None, None]
    assert tf.cumsum(x, a).shape.as_list() == [None, 3]
    assert tf.nn.softmax(x, a).shape.as_list() == [None, 3]
    assert tf.reverse(x, tf.stack([a])).shape.as_list() == [None, 3]
    assert static_shape(tf.expand_dims(x, a)).tolist() == [-2]
    assert static_shape(x[::a]).tolist() == [-2]
    assert tf.multinomial(x, a).shape.as_list() == [None, None]


def test_a_tensor_axis_tf_takes_only_as_a_constant_is_tf_type_error():
    x = tf.placeholder(tf.float32, [1, 3])
    a = tf.placeholder(tf.int32, [])
    with pytest.raises(TypeError, match="Expected list for 'axis' argument to 'squeeze' Op"):
        tf.squeeze(x, a)
    with pytest.raises(TypeError, match="Expected list for 'axis' argument to 'squeeze' Op"):
        tf.nn.moments(x, tf.stack([a]))  # TF squeezes the moments by the axes unless keep_dims
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values: int32, int64"):
        tf.reduce_sum(x, tf.placeholder(tf.float32, []))


@pytest.mark.parametrize("backend", ["interpreter", None])
def test_a_step_is_compiled_once_per_fed_value(backend):
    x = tf.placeholder(tf.float32, X.shape)
    a = tf.placeholder(tf.int32, [])
    out = tf.reduce_sum(tf.concat([x, x], a), a)
    sess = tf.Session(backend=backend)
    compiled = []
    for v in (0, 0, 1, 0, 1, 2, 2):
        sess.run(out, {x: X, a: v})
        compiled.append(len(sess._cache))
    # the value is computed before each run; a seen one finds its step, a new one compiles one more
    assert compiled == [compiled[0]] * 2 + [compiled[0] + 1] * 3 + [compiled[0] + 2] * 2
    want = np.concatenate([X, X], 2).sum(2)
    np.testing.assert_allclose(sess.run(out, {x: X, a: -1}), want, rtol=1e-6)


@pytest.mark.parametrize("backend", ["interpreter", None])
def test_an_axis_computed_from_feeds_and_a_training_step(backend):
    """The axis may be computed (tf.rank(x) - 1, a fed flag's choice) and a variable trains through such ops."""
    x = tf.placeholder(tf.float32, [None, None])
    k = tf.placeholder(tf.int32, [])
    w = tf.Variable(np.ones((2, 3), np.float32))
    axis = tf.rank(x) - 1 - k
    loss = tf.reduce_sum(tf.square(tf.reduce_mean(w * x, axis) - 1.0)) + tf.reduce_sum(w[::tf.maximum(k, 1) * 2])
    step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    xv = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        for kv in (0, 1):
            wv = sess.run(w)
            mean = (wv * xv).mean(1 - kv)
            grad = 2 * (mean - 1.0)[:, None] * xv / xv.shape[1 - kv] if kv == 0 else \
                2 * (mean - 1.0)[None, :] * xv / xv.shape[0]
            grad[::max(kv, 1) * 2] += 1.0
            sess.run(step, {x: xv, k: kv})
            np.testing.assert_allclose(sess.run(w), wv - 0.1 * grad, rtol=1e-5)


def test_a_loop_computing_the_axis_runs_each_iteration_with_its_value():
    """An axis a tf.while_loop's iteration computes has no one value ahead of the step: it runs as the twin op."""
    x = tf.constant(np.arange(6.0, dtype=np.float32).reshape(2, 3))

    def body(i, total):
        return i + 1, total + tf.reduce_sum(tf.reduce_max(x, i % 2, keepdims=True))

    _, total = tf.while_loop(lambda i, t: i < 3, body, [tf.constant(0), tf.constant(0.0)])
    # max over rows (3 + 4 + 5), over columns (2 + 5), over rows again
    assert float(tf.Session(backend="interpreter").run(total)) == 31.0
    assert float(tf.Session().run(total)) == 31.0


def test_a_negative_fed_sample_count_is_invalid_argument():
    """TF's kernel refuses num_samples < 0 (InvalidArgumentError); the draw it sizes is never made."""
    logits = tf.zeros([2, 3])
    n = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be >= 0"):
        tf.Session().run(tf.multinomial(logits, n), {n: -1})
