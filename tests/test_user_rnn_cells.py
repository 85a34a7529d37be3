"""Users' own RNN cells as TF1 scripts write them: a subclass of tf.nn.rnn_cell.RNNCell with `call` (and
`build` with `add_variable`), or an old-style one with its own `__call__(inputs, state, scope)` that never calls
RNNCell.__init__. Names and values are TF 2.21's (tf.compat.v1 with legacy Keras), recorded by hand below."""

import numpy as np
import pytest

import dfc as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


class CallCell(tf.nn.rnn_cell.RNNCell):
    def __init__(self, n, reuse=None):
        super().__init__(_reuse=reuse)
        self._n = n

    @property
    def state_size(self):
        return self._n

    @property
    def output_size(self):
        return self._n

    def call(self, inputs, state):
        w = tf.get_variable("W", [int(inputs.shape[1]) + self._n, self._n], initializer=tf.constant_initializer(0.1))
        out = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), w))
        return out, out


class OldStyleCell(tf.contrib.rnn.RNNCell):
    def __init__(self, n):
        self._n = n

    @property
    def state_size(self):
        return self._n

    @property
    def output_size(self):
        return self._n

    def __call__(self, inputs, state, scope=None):
        with tf.variable_scope(scope or type(self).__name__):
            w = tf.get_variable("W", [int(inputs.shape[1]) + self._n, self._n],
                                initializer=tf.constant_initializer(0.2))
            out = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), w))
        return out, out


class BuiltCell(tf.nn.rnn_cell.RNNCell):
    def __init__(self, n, reuse=None, name=None):
        super().__init__(_reuse=reuse, name=name)
        self._n = n

    @property
    def state_size(self):
        return self._n

    @property
    def output_size(self):
        return self._n

    def build(self, inputs_shape):
        depth = int(inputs_shape[-1])
        self._kernel = self.add_variable("kernel", [depth + self._n, self._n],
                                         initializer=tf.constant_initializer(0.05))
        self._bias = self.add_variable("bias", [self._n], initializer=tf.zeros_initializer())
        self.built = True

    def call(self, inputs, state):
        out = tf.nn.relu(tf.matmul(tf.concat([inputs, state], 1), self._kernel) + self._bias)
        return out, out


def _inputs():
    return tf.constant(np.linspace(-1, 1, 2 * 3 * 4).reshape(2, 3, 4).astype(np.float32))


def test_call_and_old_style_cells_in_dynamic_rnn_are_tfs():
    outputs = []
    for i, cell in enumerate([CallCell(5), OldStyleCell(5)]):
        with tf.variable_scope(f"s{i}"):
            outputs.append(tf.nn.dynamic_rnn(cell, _inputs(), dtype=tf.float32)[0])
    assert sorted(v.name for v in tf.global_variables()) == ["s0/rnn/call_cell/W:0", "s1/rnn/OldStyleCell/W:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(outputs)
    np.testing.assert_allclose(got[0].sum(axis=(1, 2)), [-4.68859, 3.72052], atol=2e-5)
    np.testing.assert_allclose(got[1].sum(axis=(1, 2)), [-10.45755, 7.38369], atol=2e-5)


def test_a_cell_built_with_add_variable_trains_as_tfs():
    out, _ = tf.nn.dynamic_rnn(BuiltCell(3), _inputs(), dtype=tf.float32)
    loss = tf.reduce_sum(out ** 2)
    grads = tf.gradients(loss, tf.trainable_variables())
    assert sorted(v.name for v in tf.global_variables()) == ["rnn/built_cell/bias:0", "rnn/built_cell/kernel:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, got_grads = sess.run([out, grads])
    np.testing.assert_allclose(got.sum(axis=(1, 2)), [0.0, 1.004087], atol=2e-5)
    np.testing.assert_allclose([g.sum() for g in got_grads], [6.395472, 2.303792], rtol=1e-5)


def test_a_cell_called_twice_reuses_its_variables_and_refuses_unknown_arguments():
    cell = CallCell(2)
    x = tf.ones([1, 3])
    state = cell.zero_state(1, tf.float32)
    first, _ = cell(x, state)
    second, _ = cell(x, first)
    assert [v.name for v in tf.global_variables()] == ["call_cell/W:0"]
    assert second.shape.as_list() == [1, 2]
    with pytest.raises(TypeError, match="unexpected keyword argument 'units'"):
        tf.nn.rnn_cell.RNNCell(units=3)
    with pytest.raises(NotImplementedError, match="state_size"):
        tf.nn.rnn_cell.RNNCell().zero_state(1, tf.float32)  # its size is the subclass's to define
