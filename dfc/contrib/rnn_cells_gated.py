"""tf.contrib.rnn's RNN cells without an LSTM's cell state or with diagonal recurrent weights: IndRNN, IndyGRU,
IndyLSTM, NAS, UGRNN, the intersection RNN and SRU, with TF 1.15's math and variable names."""

from __future__ import annotations

from collections.abc import Callable

from .. import array_ops as A
from .. import math_ops as M
from .. import nn
from ..rnn_cell import LSTMStateTuple, RNNCell
from ..variables import constant_initializer, get_variable, zeros_initializer
from .rnn_cell_parts import UNIFORM_1, LSTMStateCell, affine, dense, lstm_cell_state, lstm_output

__all__ = ["IndRNNCell", "IndyGRUCell", "IndyLSTMCell", "IntersectionRNNCell", "NASCell", "SRUCell", "UGRNNCell"]


def _diagonal_recurrence(part: str, input_depth: int, width: int, dtype, kernel_init, bias_init) -> dict:
    """The Indy cells' weights for `part` ('' or a scope-like prefix): 'kernel_w' [depth, width] on the inputs,
    'kernel_u' [1, width] (U(-1, 1)) on the state element-wise, and 'bias' [width]."""
    return {f"{part}kernel_w": get_variable(f"{part}kernel_w", [input_depth, width], dtype=dtype,
                                            initializer=kernel_init),
            f"{part}kernel_u": get_variable(f"{part}kernel_u", [1, width], dtype=dtype, initializer=UNIFORM_1),
            f"{part}bias": get_variable(f"{part}bias", [width], dtype=dtype, initializer=bias_init)}


class IndRNNCell(RNNCell):
    """IndRNN (Li et al. 2018): h' = activation(x @ kernel_w + kernel_u * h + bias); relu by default."""

    base_name = "ind_rnn_cell"

    def __init__(self, num_units: int, activation: Callable | None = None, reuse=None, name: str | None = None,
                 dtype=None):
        super().__init__(num_units, activation or nn.relu, reuse, name, dtype)

    def build(self, input_depth, dtype):
        return _diagonal_recurrence("", input_depth, self._num_units, dtype, None, zeros_initializer())

    def step(self, inputs, state, v):
        out = self._activation(nn.bias_add(M.matmul(inputs, v["kernel_w"]) + state * v["kernel_u"], v["bias"]))
        return out, out


class IndyGRUCell(RNNCell):
    """The GRU with diagonal recurrent weights (each unit sees only its own state): 'gates/kernel_w', 'gates/kernel_u'
    [1, 2n], 'gates/bias' (1.0), 'candidate/kernel_w', 'candidate/kernel_u' [1, n], 'candidate/bias' (0.0)."""

    base_name = "indy_gru_cell"

    def __init__(self, num_units: int, activation: Callable | None = None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name: str | None = None, dtype=None):
        super().__init__(num_units, activation, reuse, name, dtype)
        self._kernel_initializer, self._bias_initializer = kernel_initializer, bias_initializer

    def build(self, input_depth, dtype):
        n, out = self._num_units, {}
        for part, width, bias in (("gates", 2 * n, constant_initializer(1.0)), ("candidate", n, zeros_initializer())):
            out.update(_diagonal_recurrence(f"{part}/", input_depth, width, dtype, self._kernel_initializer,
                                            self._bias_initializer or bias))
        return out

    def step(self, inputs, state, v):
        gates = M.matmul(inputs, v["gates/kernel_w"]) + A.tile(state, [1, 2]) * v["gates/kernel_u"]
        r, u = A.split(M.sigmoid(nn.bias_add(gates, v["gates/bias"])), 2, axis=1)
        candidate = M.matmul(inputs, v["candidate/kernel_w"]) + (r * state) * v["candidate/kernel_u"]
        c = self._activation(nn.bias_add(candidate, v["candidate/bias"]))
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class IndyLSTMCell(LSTMStateCell):
    """The basic LSTM with diagonal recurrent weights: gates i, j, f, o from x @ kernel_w + tile(h) * kernel_u
    + bias; forget_bias added to f."""

    base_name = "indy_lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, activation: Callable | None = None, reuse=None,
                 kernel_initializer=None, bias_initializer=None, name: str | None = None, dtype=None):
        super().__init__(num_units, activation, reuse, name, dtype)
        self._forget_bias = forget_bias
        self._kernel_initializer, self._bias_initializer = kernel_initializer, bias_initializer

    def build(self, input_depth, dtype):
        return _diagonal_recurrence("", input_depth, 4 * self._num_units, dtype, self._kernel_initializer,
                                    self._bias_initializer or zeros_initializer())

    def step(self, inputs, state, v):
        c, h = state
        gates = nn.bias_add(M.matmul(inputs, v["kernel_w"]) + A.tile(h, [1, 4]) * v["kernel_u"], v["bias"])
        i, j, f, o = A.split(gates, 4, axis=1)
        new_c = lstm_cell_state(c, i, j, f, self._forget_bias, self._activation)
        new_h = lstm_output(o, new_c, self._activation)
        return new_h, LSTMStateTuple(new_c, new_h)


class NASCell(LSTMStateCell):
    """The recurrent cell found by Neural Architecture Search (Zoph & Le 2017): eight branches of x @ kernel and
    m @ recurrent_kernel combined in three layers, an optional 'projection_weights'."""

    base_name = "nas_cell"

    def __init__(self, num_units: int, num_proj: int | None = None, use_biases: bool = False, reuse=None):
        super().__init__(num_units, None, reuse)
        self._num_proj, self._use_biases = num_proj, use_biases

    def build(self, input_depth, dtype):
        n, m = self._num_units, self._num_proj or self._num_units
        out = {"recurrent_kernel": get_variable("recurrent_kernel", [m, 8 * n], dtype=dtype),
               "kernel": get_variable("kernel", [input_depth, 8 * n], dtype=dtype)}
        if self._use_biases:
            out["bias"] = get_variable("bias", [8 * n], dtype=dtype, initializer=zeros_initializer())
        if self._num_proj is not None:
            out["projection_weights"] = get_variable("projection_weights", [n, self._num_proj], dtype=dtype)
        return out

    def step(self, inputs, state, v):
        c_prev, m_prev = state
        m_matrix = M.matmul(m_prev, v["recurrent_kernel"])
        if self._use_biases:
            m_matrix = nn.bias_add(m_matrix, v["bias"])
        ms = A.split(m_matrix, 8, axis=1)
        xs = A.split(M.matmul(inputs, v["kernel"]), 8, axis=1)
        sig, tanh, relu = M.sigmoid, M.tanh, nn.relu
        l1 = [sig(xs[0] + ms[0]), relu(xs[1] + ms[1]), sig(xs[2] + ms[2]), relu(xs[3] * ms[3]),
              tanh(xs[4] + ms[4]), sig(xs[5] + ms[5]), tanh(xs[6] + ms[6]), sig(xs[7] + ms[7])]
        l2_0 = tanh(tanh(l1[0] * l1[1]) + c_prev)
        l2_1, l2_2, l2_3 = tanh(l1[2] + l1[3]), tanh(l1[4] * l1[5]), sig(l1[6] + l1[7])
        new_c = l2_0 * l2_1
        new_m = tanh(new_c * tanh(l2_2 + l2_3))
        if self._num_proj is not None:
            new_m = M.matmul(new_m, v["projection_weights"])
        return new_m, LSTMStateTuple(new_c, new_m)


class UGRNNCell(RNNCell):
    """The update-gate RNN (Collins et al. 2017): one gate g mixes the old state and a candidate;
    'kernel' [depth + n, 2n], 'bias'."""

    base_name = "ugrnn_cell"

    def __init__(self, num_units: int, initializer=None, forget_bias: float = 1.0, activation: Callable | None = None,
                 reuse=None):
        super().__init__(num_units, activation, reuse)
        self._initializer, self._forget_bias = initializer, forget_bias

    def build(self, input_depth, dtype):
        return dense("", input_depth + self._num_units, 2 * self._num_units, dtype, initializer=self._initializer)

    def step(self, inputs, state, v):
        g_act, c_act = A.split(affine([inputs, state], v), 2, axis=1)
        g = M.sigmoid(g_act + self._forget_bias)
        new_state = g * state + (1.0 - g) * self._activation(c_act)
        return new_state, new_state


class IntersectionRNNCell(RNNCell):
    """The +RNN (Collins et al. 2017): coupled gates through time (the state) and depth (the output); inputs of
    another depth than num_units go through 'in_projection' when num_in_proj is set."""

    base_name = "intersection_rnn_cell"

    def __init__(self, num_units: int, num_in_proj: int | None = None, initializer=None, forget_bias: float = 1.0,
                 y_activation: Callable | None = None, reuse=None):
        super().__init__(num_units, None, reuse)
        self._num_in_proj, self._initializer, self._forget_bias = num_in_proj, initializer, forget_bias
        self._y_activation = y_activation or nn.relu

    def build(self, input_depth, dtype):
        n, out = self._num_units, {}
        if input_depth != n:
            if not self._num_in_proj:
                raise ValueError("Must have input size == output size for Intersection RNN. To fix, num_in_proj "
                                 "should be set to num_units at cell init.")
            out["in_projection"] = dense("in_projection", input_depth, n, dtype, initializer=self._initializer)
        out["linear"] = dense("", 2 * n, 4 * n, dtype, initializer=self._initializer)
        return out

    def step(self, inputs, state, v):
        if "in_projection" in v:
            inputs = affine([inputs], v["in_projection"])
        gh_act, h_act, gy_act, y_act = A.split(affine([inputs, state], v["linear"]), 4, axis=1)
        gh, gy = M.sigmoid(gh_act + self._forget_bias), M.sigmoid(gy_act + self._forget_bias)
        new_state = gh * state + (1.0 - gh) * M.tanh(h_act)
        new_y = gy * inputs + (1.0 - gy) * self._y_activation(y_act)
        return new_y, new_state


class SRUCell(RNNCell):
    """The simple recurrent unit (Lei et al. 2017): no matrix on the state; 'kernel' [depth, 4n], 'bias' [2n]."""

    base_name = "sru_cell"

    def build(self, input_depth, dtype):
        n = self._num_units
        return {"kernel": get_variable("kernel", [input_depth, 4 * n], dtype=dtype),
                "bias": get_variable("bias", [2 * n], dtype=dtype, initializer=constant_initializer(0.0))}

    def step(self, inputs, state, v):
        x_bar, f_part, r_part, x_tx = A.split(M.matmul(inputs, v["kernel"]), 4, axis=1)
        f, r = A.split(M.sigmoid(nn.bias_add(A.concat([f_part, r_part], 1), v["bias"])), 2, axis=1)
        c = f * state + (1.0 - f) * x_bar
        h = r * self._activation(c) + (1.0 - r) * x_tx
        return h, c
