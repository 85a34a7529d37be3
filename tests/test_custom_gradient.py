"""tf.custom_gradient, tf.RegisterGradient and gradient_override_map: in loops, errors, and what stays of them.

Values and gradients against TensorFlow: the user_gradients case of tests/tf1_op_cases_dyn.py (recorded).
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.compiler import compile_step


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


@tf.custom_gradient
def _doubled_gradient(v):
    return tf.identity(v), lambda dy: dy * 2.0


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_a_custom_gradient_inside_a_while_loop(backend):
    x = tf.placeholder(tf.float32, [3])
    _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, _doubled_gradient(y) * x), [0, tf.ones([3])])
    grad = tf.gradients(tf.reduce_sum(y), x)[0]
    xs = np.array([0.5, -1.0, 2.0], np.float32)
    with tf.Session(backend=backend) as sess:
        got_y, got_grad = sess.run([y, grad], {x: xs})
    np.testing.assert_allclose(got_y, xs ** 3, rtol=1e-6)
    # each iteration's identity doubles what flows back through the carried y: d/dx x^3 with factors 1, 2, 4
    np.testing.assert_allclose(got_grad, xs ** 2 * (4 + 2 + 1), rtol=1e-6)


def test_the_compiled_step_keeps_nothing_of_the_custom_gradient():
    x = tf.placeholder(tf.float32, [3])
    y = _doubled_gradient(x * 3.0)
    grad = tf.gradients(tf.reduce_sum(y), x)[0]
    step = compile_step(tf.get_default_graph()._dfc_ir(), [y._dfc_ir(), grad._dfc_ir()], [], [x._dfc_ir()], [(3,)])
    assert not [op for op in step.walk() if op.type == "dfc.custom_gradient"]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(grad, {x: np.ones(3, np.float32)}), [6.0, 6.0, 6.0])


def test_errors():
    @tf.custom_gradient
    def two_inputs(a, b):
        return a * b, lambda dy: dy
    with pytest.raises(ValueError, match="returned 1 gradients for 2 inputs"):
        two_inputs(tf.constant(1.0), tf.constant(2.0))
    with pytest.raises(LookupError, match=r"No gradient defined for operation 'Identity' \(op type: NoSuchGradient\)"):
        with tf.get_default_graph().gradient_override_map({"Identity": "NoSuchGradient"}):
            tf.identity(tf.constant(1.0))
    tf.RegisterGradient("TwiceRegistered")(lambda op, grad: grad)
    with pytest.raises(KeyError, match="Registering two gradient with name 'TwiceRegistered'"):
        tf.RegisterGradient("TwiceRegistered")(lambda op, grad: grad)
    with pytest.raises(TypeError, match="op_type_map must be a dictionary"):
        with tf.get_default_graph().gradient_override_map({"Identity": 3}):
            pass


def test_not_differentiable_and_ops_outside_the_map():
    tf.NotDifferentiable("BlockedForTest")
    x = tf.constant([1.0, 2.0])
    g = tf.get_default_graph()
    with g.gradient_override_map({"Square": "BlockedForTest"}):
        blocked = tf.square(x)
        kept = tf.exp(x)  # not in the map: its own gradient
    grads = tf.gradients(tf.reduce_sum(blocked + kept), x)[0]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(grads), np.exp([1.0, 2.0]), rtol=1e-6)
