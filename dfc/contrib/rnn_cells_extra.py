"""tf.contrib.rnn's research cells (convolutional, independently recurrent, NAS, UGRNN, intersection, SRU,
coupled-gate, group, phased, layer- and weight-normalized LSTMs) with TF 1.15's math and variable names."""

from __future__ import annotations

import math
from collections.abc import Callable

from .. import array_ops as A
from .. import math_ops as M
from .. import nn
from ..clip_ops import clip_by_value
from ..framework import Tensor, TensorShape, convert_to_tensor, name_scope
from ..gradients_impl import stop_gradient
from ..init_ops import Initializer
from ..rnn_cell import LSTMStateTuple, RNNCell, _unique_layer_name
from ..tensor_ops import pad
from ..variables import constant_initializer, get_variable, random_uniform_initializer, variable_scope, \
    zeros_initializer

__all__ = ["BidirectionalGridLSTMCell", "CoupledInputForgetGateLSTMCell", "Conv1DLSTMCell", "Conv2DLSTMCell",
           "Conv3DLSTMCell", "ConvLSTMCell", "GLSTMCell", "GridLSTMCell", "IndRNNCell", "IndyGRUCell", "IndyLSTMCell",
           "IntersectionRNNCell", "LayerNormLSTMCell", "NASCell", "PhasedLSTMCell", "SRUCell", "TimeFreqLSTMCell",
           "UGRNNCell", "WeightNormLSTMCell"]

_UNIFORM_1 = random_uniform_initializer(-1.0, 1.0)


def _dense(name: str, rows: int, cols: int, dtype, bias: bool = True, bias_init=None, initializer=None) -> dict:
    """TF1's rnn _Linear's variables: 'kernel' [rows, cols] (and 'bias' [cols], zeros) in scope `name` ('' for
    the current one)."""
    def make() -> dict:
        out = {"kernel": get_variable("kernel", [rows, cols], dtype=dtype, initializer=initializer)}
        if bias:
            out["bias"] = get_variable("bias", [cols], dtype=dtype,
                                       initializer=bias_init or constant_initializer(0.0))
        return out
    if not name:
        return make()
    with variable_scope(name):
        return make()


def _affine(args: list, weights: dict) -> Tensor:
    x = args[0] if len(args) == 1 else A.concat(args, 1)
    out = M.matmul(x, weights["kernel"])
    return nn.bias_add(out, weights["bias"]) if "bias" in weights else out


def _layer_norm_vars(scope: str, n: int, gain: float, shift: float, dtype) -> dict:
    with variable_scope(scope):
        return {"gamma": get_variable("gamma", [n], dtype=dtype, initializer=constant_initializer(gain)),
                "beta": get_variable("beta", [n], dtype=dtype, initializer=constant_initializer(shift))}


def _layer_norm(x: Tensor, v: dict) -> Tensor:
    """contrib.layers.layer_norm over the last axis (variance epsilon 1e-12), as contrib's cells call it."""
    mean, variance = nn.moments(x, [1], keep_dims=True)
    return nn.batch_normalization(x, mean, variance, v["beta"], v["gamma"], 1e-12)


def _concat_variable(name: str, shape: list, dtype, num_shards: int, initializer=None):
    """contrib's _get_concat_variable: one variable `name`, or num_shards row shards name_0, name_1, ...
    concatenated (the first rows % shards shards one row longer)."""
    if num_shards == 1:
        return get_variable(name, shape, dtype=dtype, initializer=initializer)
    if num_shards > shape[0]:
        raise ValueError(f"Too many shards: shape={shape}, num_shards={num_shards}")
    unit, extra = divmod(shape[0], num_shards)
    shards = [get_variable(f"{name}_{i}", [unit + (1 if i < extra else 0)] + list(shape[1:]), dtype=dtype,
                           initializer=initializer) for i in range(num_shards)]
    return A.concat(shards, 0)


def _depth(cell: RNNCell, inputs: Tensor) -> int:
    if inputs.shape.ndims != 2 or inputs.shape.as_list()[1] is None:
        raise ValueError(f"{type(cell).__name__}: Could not infer input size from inputs {inputs.name} of shape "
                         f"{inputs.shape}: it must be [batch, depth] with the depth known")
    return inputs.shape.as_list()[1]


class IndRNNCell(RNNCell):
    """IndRNN (Li et al. 2018): h' = activation(x @ kernel_w + kernel_u * h + bias); relu by default."""

    base_name = "ind_rnn_cell"

    def __init__(self, num_units: int, activation: Callable | None = None, reuse=None, name: str | None = None,
                 dtype=None):
        super().__init__(num_units, activation or nn.relu, reuse, name, dtype)

    def build(self, input_depth, dtype):
        n = self._num_units
        return {"kernel_w": get_variable("kernel_w", [input_depth, n], dtype=dtype),
                "kernel_u": get_variable("kernel_u", [1, n], dtype=dtype, initializer=_UNIFORM_1),
                "bias": get_variable("bias", [n], dtype=dtype, initializer=zeros_initializer())}

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
            out[f"{part}/kernel_w"] = get_variable(f"{part}/kernel_w", [input_depth, width], dtype=dtype,
                                                   initializer=self._kernel_initializer)
            out[f"{part}/kernel_u"] = get_variable(f"{part}/kernel_u", [1, width], dtype=dtype,
                                                   initializer=_UNIFORM_1)
            out[f"{part}/bias"] = get_variable(f"{part}/bias", [width], dtype=dtype,
                                               initializer=self._bias_initializer or bias)
        return out

    def step(self, inputs, state, v):
        gates = M.matmul(inputs, v["gates/kernel_w"]) + A.tile(state, [1, 2]) * v["gates/kernel_u"]
        r, u = A.split(M.sigmoid(nn.bias_add(gates, v["gates/bias"])), 2, axis=1)
        candidate = M.matmul(inputs, v["candidate/kernel_w"]) + (r * state) * v["candidate/kernel_u"]
        c = self._activation(nn.bias_add(candidate, v["candidate/bias"]))
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class IndyLSTMCell(RNNCell):
    """The basic LSTM with diagonal recurrent weights: gates i, j, f, o from x @ kernel_w + tile(h) * kernel_u
    + bias; forget_bias added to f."""

    base_name = "indy_lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, activation: Callable | None = None, reuse=None,
                 kernel_initializer=None, bias_initializer=None, name: str | None = None, dtype=None):
        super().__init__(num_units, activation, reuse, name, dtype)
        self._forget_bias = forget_bias
        self._kernel_initializer, self._bias_initializer = kernel_initializer, bias_initializer

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    def build(self, input_depth, dtype):
        n = self._num_units
        return {"kernel_w": get_variable("kernel_w", [input_depth, 4 * n], dtype=dtype,
                                         initializer=self._kernel_initializer),
                "kernel_u": get_variable("kernel_u", [1, 4 * n], dtype=dtype, initializer=_UNIFORM_1),
                "bias": get_variable("bias", [4 * n], dtype=dtype,
                                     initializer=self._bias_initializer or zeros_initializer())}

    def step(self, inputs, state, v):
        c, h = state
        gates = nn.bias_add(M.matmul(inputs, v["kernel_w"]) + A.tile(h, [1, 4]) * v["kernel_u"], v["bias"])
        i, j, f, o = A.split(gates, 4, axis=1)
        new_c = c * M.sigmoid(f + self._forget_bias) + M.sigmoid(i) * self._activation(j)
        new_h = self._activation(new_c) * M.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


class NASCell(RNNCell):
    """The recurrent cell found by Neural Architecture Search (Zoph & Le 2017): eight branches of x @ kernel and
    m @ recurrent_kernel combined in three layers, an optional 'projection_weights'."""

    base_name = "nas_cell"

    def __init__(self, num_units: int, num_proj: int | None = None, use_biases: bool = False, reuse=None):
        super().__init__(num_units, None, reuse)
        self._num_proj, self._use_biases = num_proj, use_biases

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_proj or self._num_units)

    @property
    def output_size(self) -> int:
        return self._num_proj or self._num_units

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
        return _dense("", input_depth + self._num_units, 2 * self._num_units, dtype, initializer=self._initializer)

    def step(self, inputs, state, v):
        g_act, c_act = A.split(_affine([inputs, state], v), 2, axis=1)
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
            out["in_projection"] = _dense("in_projection", input_depth, n, dtype, initializer=self._initializer)
        out["linear"] = _dense("", 2 * n, 4 * n, dtype, initializer=self._initializer)
        return out

    def step(self, inputs, state, v):
        if "in_projection" in v:
            inputs = _affine([inputs], v["in_projection"])
        gh_act, h_act, gy_act, y_act = A.split(_affine([inputs, state], v["linear"]), 4, axis=1)
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


class CoupledInputForgetGateLSTMCell(RNNCell):
    """The LSTM whose input gate is 1 - forget gate (Greff et al.): 'W' [depth + proj, 3n] (or num_unit_shards
    shards W_0...), 'B' [3n] (unused under layer_norm), peepholes 'W_F_diag', 'W_O_diag', projection 'W_P'."""

    base_name = "coupled_input_forget_gate_lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, initializer=None, num_proj: int | None = None,
                 proj_clip: float | None = None, num_unit_shards: int = 1, num_proj_shards: int = 1,
                 forget_bias: float = 1.0, state_is_tuple: bool = True, activation: Callable | None = None,
                 reuse=None, layer_norm: bool = False, norm_gain: float = 1.0, norm_shift: float = 0.0):
        super().__init__(num_units, activation, reuse)
        self._use_peepholes, self._initializer, self._num_proj, self._proj_clip = (use_peepholes, initializer,
                                                                                   num_proj, proj_clip)
        self._shards, self._proj_shards, self._forget_bias = num_unit_shards, num_proj_shards, forget_bias
        self._state_is_tuple, self._layer_norm = state_is_tuple, layer_norm
        self._norm_gain, self._norm_shift = norm_gain, norm_shift

    @property
    def state_size(self):
        n, m = self._num_units, self._num_proj or self._num_units
        return LSTMStateTuple(n, m) if self._state_is_tuple else n + m

    @property
    def output_size(self) -> int:
        return self._num_proj or self._num_units

    def build(self, input_depth, dtype):
        n, m = self._num_units, self._num_proj or self._num_units
        out = {"W": _concat_variable("W", [input_depth + m, 3 * n], dtype, self._shards, self._initializer),
               "B": get_variable("B", [3 * n], dtype=dtype, initializer=zeros_initializer())}
        if self._layer_norm:
            for part in ("transform", "forget", "output", "state"):
                out[part] = _layer_norm_vars(part, n, self._norm_gain, self._norm_shift, dtype)
        if self._use_peepholes:
            out["W_F_diag"] = get_variable("W_F_diag", [n], dtype=dtype, initializer=self._initializer)
            out["W_O_diag"] = get_variable("W_O_diag", [n], dtype=dtype, initializer=self._initializer)
        if self._num_proj is not None:
            out["W_P"] = _concat_variable("W_P", [n, self._num_proj], dtype, self._proj_shards, self._initializer)
        return out

    def step(self, inputs, state, v):
        n, m = self._num_units, self._num_proj or self._num_units
        c_prev, m_prev = state if self._state_is_tuple else A.split(state, [n, m], axis=1)
        lstm_matrix = M.matmul(A.concat([inputs, m_prev], 1), v["W"])
        if not self._layer_norm:
            lstm_matrix = nn.bias_add(lstm_matrix, v["B"])
        j, f, o = A.split(lstm_matrix, 3, axis=1)
        if self._layer_norm:
            j, f, o = (_layer_norm(g, v[p]) for g, p in ((j, "transform"), (f, "forget"), (o, "output")))
        f_act = M.sigmoid(f + self._forget_bias + (v["W_F_diag"] * c_prev if self._use_peepholes else 0.0))
        c = f_act * c_prev + (1 - f_act) * self._activation(j)
        if self._layer_norm:
            c = _layer_norm(c, v["state"])
        m_new = M.sigmoid(o + (v["W_O_diag"] * c if self._use_peepholes else 0.0)) * self._activation(c)
        if self._num_proj is not None:
            m_new = M.matmul(m_new, v["W_P"])
            if self._proj_clip is not None:
                m_new = clip_by_value(m_new, -self._proj_clip, self._proj_clip)
        return m_new, (LSTMStateTuple(c, m_new) if self._state_is_tuple else A.concat([c, m_new], 1))


class GLSTMCell(RNNCell):
    """The group LSTM (Kuchaiev & Ginsburg 2017): the inputs and the state split into number_of_groups slices,
    each with its own 'group<k>/kernel'; biases 'bias_i', 'bias_j', 'bias_f', 'bias_o'; optional
    'projection/kernel'."""

    base_name = "glstm_cell"

    def __init__(self, num_units: int, initializer=None, num_proj: int | None = None, number_of_groups: int = 1,
                 forget_bias: float = 1.0, activation: Callable | None = None, reuse=None):
        super().__init__(num_units, activation, reuse)
        if num_units % number_of_groups != 0:
            raise ValueError("num_units must be divisible by number_of_groups")
        if num_proj and num_proj % number_of_groups != 0:
            raise ValueError("num_proj must be divisible by number_of_groups")
        self._initializer, self._num_proj, self._groups, self._forget_bias = (initializer, num_proj,
                                                                              number_of_groups, forget_bias)
        self._group_shape = ((num_proj or num_units) // number_of_groups, num_units // number_of_groups)

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_proj or self._num_units)

    @property
    def output_size(self) -> int:
        return self._num_proj or self._num_units

    def build(self, input_depth, dtype):
        g_in, g_out = self._group_shape
        with variable_scope(_current_scope(), initializer=self._initializer):
            out = {f"group{k}": _dense(f"group{k}", 2 * g_in, 4 * g_out, dtype, bias=False)
                   for k in range(self._groups)}
            for gate in "ijfo":
                out[f"bias_{gate}"] = get_variable(f"bias_{gate}", [self._num_units], dtype=dtype,
                                                   initializer=constant_initializer(0.0))
        if self._num_proj is not None:
            out["projection"] = _dense("projection", self._num_units, self._num_proj, dtype, bias=False,
                                       initializer=self._initializer)
        return out

    def step(self, inputs, state, v):
        c_prev, m_prev = state
        g_in = self._group_shape[0]
        parts: list[list[Tensor]] = [[], [], [], []]
        for k in range(self._groups):
            x_k = A.concat([inputs[:, k * g_in:(k + 1) * g_in], m_prev[:, k * g_in:(k + 1) * g_in]], 1)
            for acc, gate in zip(parts, A.split(_affine([x_k], v[f"group{k}"]), 4, axis=1)):
                acc.append(gate)
        i, j, f, o = (nn.bias_add(A.concat(p, 1), v[f"bias_{g}"]) for p, g in zip(parts, "ijfo"))
        c = M.sigmoid(f + self._forget_bias) * c_prev + M.sigmoid(i) * M.tanh(j)
        m = M.sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = _affine([m], v["projection"])
        return m, LSTMStateTuple(c, m)


def _current_scope():
    """The enclosing variable scope, to reopen with the cell's initializer (as TF's cells do)."""
    from ..variables import get_variable_scope
    return get_variable_scope()


class LayerNormLSTMCell(RNNCell):
    """contrib.rnn's LayerNormLSTMCell: LSTMCell (peepholes, cell clip, projection) with the four gates and the
    new cell state layer-normalized ('input', 'transform', 'forget', 'output', 'state') when layer_norm; 'bias' is
    made either way and added only without layer_norm."""

    base_name = "layer_norm_lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip: float | None = None,
                 initializer=None, num_proj: int | None = None, proj_clip: float | None = None,
                 forget_bias: float = 1.0, activation: Callable | None = None, layer_norm: bool = False,
                 norm_gain: float = 1.0, norm_shift: float = 0.0, reuse=None):
        super().__init__(num_units, activation, reuse)
        self._use_peepholes, self._cell_clip, self._initializer = use_peepholes, cell_clip, initializer
        self._num_proj, self._proj_clip, self._forget_bias = num_proj, proj_clip, forget_bias
        self._layer_norm, self._norm_gain, self._norm_shift = layer_norm, norm_gain, norm_shift

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_proj or self._num_units)

    @property
    def output_size(self) -> int:
        return self._num_proj or self._num_units

    def build(self, input_depth, dtype):
        n, m = self._num_units, self._num_proj or self._num_units
        with variable_scope(_current_scope(), initializer=self._initializer):
            out = _dense("", input_depth + m, 4 * n, dtype)
            if self._layer_norm:
                for part in ("input", "transform", "forget", "output", "state"):
                    out[part] = _layer_norm_vars(part, n, self._norm_gain, self._norm_shift, dtype)
            if self._use_peepholes:
                for gate in ("w_f_diag", "w_i_diag", "w_o_diag"):
                    out[gate] = get_variable(gate, [n], dtype=dtype)
            if self._num_proj is not None:
                out["projection"] = _dense("projection", n, self._num_proj, dtype, bias=False)
        return out

    def step(self, inputs, state, v):
        c_prev, m_prev = state
        gates = M.matmul(A.concat([inputs, m_prev], 1), v["kernel"])
        if not self._layer_norm:
            gates = nn.bias_add(gates, v["bias"])
        i, j, f, o = A.split(gates, 4, axis=1)
        if self._layer_norm:
            i, j, f, o = (_layer_norm(g, v[p]) for g, p in zip((i, j, f, o), ("input", "transform", "forget",
                                                                               "output")))
        peep = self._use_peepholes
        c = M.sigmoid(f + self._forget_bias + (v["w_f_diag"] * c_prev if peep else 0.0)) * c_prev + \
            M.sigmoid(i + (v["w_i_diag"] * c_prev if peep else 0.0)) * self._activation(j)
        if self._layer_norm:
            c = _layer_norm(c, v["state"])
        if self._cell_clip is not None:
            c = clip_by_value(c, -self._cell_clip, self._cell_clip)
        m = M.sigmoid(o + (v["w_o_diag"] * c if peep else 0.0)) * self._activation(c)
        if self._num_proj is not None:
            m = _affine([m], v["projection"])
            if self._proj_clip is not None:
                m = clip_by_value(m, -self._proj_clip, self._proj_clip)
        return m, LSTMStateTuple(c, m)


class WeightNormLSTMCell(RNNCell):
    """LSTMCell with weight-normalized matrices (Salimans & Kingma 2016): each input's rows of 'kernel' are
    l2-normalized per column and scaled by 'norm_<k>'; all under the inner scope 'wn_lstm_cell'."""

    base_name = "weight_norm_lstm_cell"

    def __init__(self, num_units: int, norm: bool = True, use_peepholes: bool = False,
                 cell_clip: float | None = None, initializer=None, num_proj: int | None = None,
                 proj_clip: float | None = None, forget_bias: float = 1, activation: Callable | None = None,
                 reuse=None):
        super().__init__(num_units, activation, reuse)
        self._norm, self._use_peepholes, self._cell_clip, self._initializer = (norm, use_peepholes, cell_clip,
                                                                               initializer)
        self._num_proj, self._proj_clip, self._forget_bias = num_proj, proj_clip, forget_bias

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_proj or self._num_units)

    @property
    def output_size(self) -> int:
        return self._num_proj or self._num_units

    def _weights(self, depths: list[int], cols: int, bias: bool, dtype) -> dict:
        out = {"kernel": get_variable("kernel", [sum(depths), cols], dtype=dtype)}
        if self._norm:
            out["norms"] = [get_variable(f"norm_{k}", [cols], dtype=dtype) for k in range(len(depths))]
            out["depths"] = depths
        if bias:
            out["bias"] = get_variable("bias", [cols], dtype=dtype, initializer=constant_initializer(0.0))
        return out

    @staticmethod
    def _apply(args: list, w: dict) -> Tensor:
        kernel = w["kernel"]
        if "norms" in w:
            pieces, start = [], 0
            for depth, g in zip(w["depths"], w["norms"]):
                pieces.append(nn.l2_normalize(kernel[start:start + depth, :], 0) * g)
                start += depth
            kernel = A.concat(pieces, 0)
        out = M.matmul(args[0] if len(args) == 1 else A.concat(args, 1), kernel)
        return nn.bias_add(out, w["bias"]) if "bias" in w else out

    def build(self, input_depth, dtype):
        n, m = self._num_units, self._num_proj or self._num_units
        with variable_scope("wn_lstm_cell", initializer=self._initializer):
            out = {"linear": self._weights([input_depth, m], 4 * n, True, dtype)}
            if self._use_peepholes:
                for gate in ("w_f_diag", "w_i_diag", "w_o_diag"):
                    out[gate] = get_variable(gate, [n], dtype=dtype)
            if self._num_proj is not None:
                with variable_scope("projection"):
                    out["projection"] = self._weights([n], self._num_proj, False, dtype)
        return out

    def step(self, inputs, state, v):
        c, h = state
        i, j, f, o = A.split(self._apply([inputs, h], v["linear"]), 4, axis=1)
        peep = self._use_peepholes
        new_c = c * M.sigmoid(f + self._forget_bias + (v["w_f_diag"] * c if peep else 0.0)) + \
            M.sigmoid(i + (v["w_i_diag"] * c if peep else 0.0)) * self._activation(j)
        if self._cell_clip is not None:
            new_c = clip_by_value(new_c, -self._cell_clip, self._cell_clip)
        new_h = M.sigmoid(o + (v["w_o_diag"] * new_c if peep else 0.0)) * self._activation(new_c)
        if self._num_proj is not None:
            new_h = self._apply([new_h], v["projection"])
            if self._proj_clip is not None:
                new_h = clip_by_value(new_h, -self._proj_clip, self._proj_clip)
        return new_h, LSTMStateTuple(new_c, new_h)


class _ExpUniform(Initializer):
    """exp(U(log(minval), log(maxval))): PhasedLSTMCell's periods, spread evenly over orders of magnitude."""

    def __init__(self, minval: float, maxval: float):
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        from ..random_ops import random_uniform
        return M.exp(random_uniform(shape, math.log(self.minval), math.log(self.maxval), dtype or "float32"))


class _UniformTimes(Initializer):
    """U(0, 1) * a tensor: PhasedLSTMCell's phases, each within its period."""

    def __init__(self, scale: Tensor):
        self.scale = scale

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        from ..random_ops import random_uniform
        return random_uniform(shape, 0.0, 1.0, dtype or "float32") * self.scale


class PhasedLSTMCell(RNNCell):
    """The phased LSTM (Neil et al. 2016): inputs are (time [batch, 1], features); an oscillating gate k of
    learned 'period', 'phase' and 'ratio_on' lets the new state through only in the open phase of each cycle."""

    base_name = "phased_lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, leak: float = 0.001, ratio_on: float = 0.1,
                 trainable_ratio_on: bool = True, period_init_min: float = 1.0, period_init_max: float = 1000.0,
                 reuse=None):
        super().__init__(num_units, None, reuse)
        self._use_peepholes, self._leak, self._ratio_on = use_peepholes, leak, ratio_on
        self._trainable_ratio_on = trainable_ratio_on
        self._period_init_min, self._period_init_max = period_init_min, period_init_max

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    def __call__(self, inputs, state, scope=None):
        if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
            raise ValueError(f"PhasedLSTMCell: inputs must be a tuple (time [batch, 1], features [batch, depth]), "
                             f"got {inputs!r}")
        time, x = convert_to_tensor(inputs[0]), convert_to_tensor(inputs[1])
        depth = _depth(self, x)
        if self._variables is None:
            name = scope if isinstance(scope, str) else _unique_layer_name(self.base_name)
            with variable_scope(name, reuse=self._reuse or None) as vs:
                self._scope_name = vs.name
                self._variables = self.build(depth, x.dtype)
                return self.step((time, x), state, self._variables)
        with name_scope(self._scope_name.rsplit("/", 1)[-1]):
            return self.step((time, x), state, self._variables)

    def build(self, input_depth, dtype):
        n, peep = self._num_units, int(self._use_peepholes)
        out = {"mask_gates": _dense("mask_gates", input_depth + n + peep * n, 2 * n, dtype),
               "new_input": _dense("new_input", input_depth + n, n, dtype),
               "output_gate": _dense("output_gate", input_depth + n + peep * n, n, dtype)}
        period = get_variable("period", [n], dtype=dtype,
                              initializer=_ExpUniform(self._period_init_min, self._period_init_max))
        out["period"] = period
        out["phase"] = get_variable("phase", [n], dtype=dtype,
                                    initializer=_UniformTimes(getattr(period, "initial_value", period)))
        out["ratio_on"] = get_variable("ratio_on", [n], dtype=dtype, initializer=constant_initializer(self._ratio_on),
                                       trainable=self._trainable_ratio_on)
        return out

    def step(self, inputs, state, v):
        time, x = inputs
        c_prev, h_prev = state
        mask_in = [x, h_prev] + ([c_prev] if self._use_peepholes else [])
        input_gate, forget_gate = A.split(M.sigmoid(_affine(mask_in, v["mask_gates"])), 2, axis=1)
        new_c = c_prev * forget_gate + input_gate * M.tanh(_affine([x, h_prev], v["new_input"]))
        out_in = [x, h_prev] + ([new_c] if self._use_peepholes else [])
        new_h = M.tanh(new_c) * M.sigmoid(_affine(out_in, v["output_gate"]))
        shifted = time - M.cast(v["phase"], time.dtype)
        period = M.cast(v["period"], time.dtype)
        # the modulo passes the gradient of x straight through (TF's _mod), the jump's gradient is 0
        wrapped = stop_gradient(M.floormod(shifted, period) - shifted) + shifted
        cycle_ratio = M.cast(wrapped / period, "float32")
        ratio_on = v["ratio_on"]
        k_up = 2 * cycle_ratio / ratio_on
        k = M.where_v2(cycle_ratio < ratio_on, 2 - k_up, self._leak * cycle_ratio)
        k = M.where_v2(cycle_ratio < 0.5 * ratio_on, k_up, k)
        new_c = k * new_c + (1 - k) * c_prev
        new_h = k * new_h + (1 - k) * h_prev
        return new_h, LSTMStateTuple(new_c, new_h)


class ConvLSTMCell(RNNCell):
    """The convolutional LSTM (Shi et al. 2015): the gates from one SAME convolution of [inputs, h] by 'kernel'
    (kernel_shape + [in + out channels, 4 * out]) plus 'biases'; states are [batch] + input_shape[:-1] + [out]."""

    base_name = "conv_lstm_cell"

    def __init__(self, conv_ndims: int, input_shape, output_channels: int, kernel_shape, use_bias: bool = True,
                 skip_connection: bool = False, forget_bias: float = 1.0, initializers=None,
                 name: str = "conv_lstm_cell"):
        input_shape = list(input_shape)
        if conv_ndims != len(input_shape) - 1:
            raise ValueError(f"Invalid input_shape {input_shape} for conv_ndims={conv_ndims}.")
        super().__init__(output_channels, None, None, name)
        self._conv_ndims, self._input_shape = conv_ndims, input_shape
        self._output_channels, self._kernel_shape = int(output_channels), list(kernel_shape)
        self._use_bias, self._skip, self._forget_bias = use_bias, skip_connection, forget_bias
        total = self._output_channels + (input_shape[-1] if skip_connection else 0)
        self._state_shape = TensorShape(input_shape[:-1] + [self._output_channels])
        self._output_shape = TensorShape(input_shape[:-1] + [total])

    @property
    def state_size(self):
        return LSTMStateTuple(self._state_shape, self._state_shape)

    @property
    def output_size(self):
        return self._output_shape

    def zero_state(self, batch_size, dtype):
        with name_scope(f"{type(self).__name__}ZeroState"):
            dims = self._state_shape.as_list()
            return LSTMStateTuple(*(A.zeros(A.stack([batch_size] + dims) if isinstance(batch_size, Tensor)
                                            else [batch_size] + dims, dtype=dtype) for _ in range(2)))

    def __call__(self, inputs, state, scope=None):
        inputs = convert_to_tensor(inputs)
        rank = self._conv_ndims + 2
        if inputs.shape.ndims != rank or inputs.shape.as_list()[-1] is None:
            raise ValueError(f"{type(self).__name__}: inputs {inputs.name} must be rank {rank} [batch, ..., "
                             f"channels] with the channels known, got shape {inputs.shape}")
        if self._variables is None:
            name = scope if isinstance(scope, str) else _unique_layer_name(self._name)
            with variable_scope(name) as vs:
                self._scope_name = vs.name
                self._variables = self.build(inputs.shape.as_list()[-1], inputs.dtype)
                return self.step(inputs, state, self._variables)
        with name_scope(self._scope_name.rsplit("/", 1)[-1]):
            return self.step(inputs, state, self._variables)

    def build(self, input_depth, dtype):
        out = self._output_channels
        kernel_shape = self._kernel_shape + [input_depth + out, 4 * out]
        v = {"kernel": get_variable("kernel", kernel_shape, dtype=dtype)}
        if self._use_bias:
            v["biases"] = get_variable("biases", [4 * out], dtype=dtype, initializer=constant_initializer(0.0))
        return v

    def step(self, inputs, state, v):
        cell, hidden = state
        x = A.concat([inputs, hidden], self._conv_ndims + 1)
        if self._conv_ndims == 1:
            conv = nn.conv1d(x, v["kernel"], 1, "SAME")
        elif self._conv_ndims == 2:
            conv = nn.conv2d(x, v["kernel"], [1, 1, 1, 1], "SAME")
        else:
            conv = nn.conv3d(x, v["kernel"], [1, 1, 1, 1, 1], "SAME")
        if self._use_bias:
            conv = conv + v["biases"]
        i, j, f, o = A.split(conv, 4, axis=self._conv_ndims + 1)
        new_cell = M.sigmoid(f + self._forget_bias) * cell + M.sigmoid(i) * M.tanh(j)
        output = M.tanh(new_cell) * M.sigmoid(o)
        if self._skip:
            output = A.concat([output, inputs], -1)
        return output, LSTMStateTuple(new_cell, output)


class Conv1DLSTMCell(ConvLSTMCell):
    """ConvLSTMCell over [batch, width, channels] (its variables under 'conv_lstm_cell', as in TF 1.15)."""

    def __init__(self, name: str = "conv_1d_lstm_cell", **kwargs):
        super().__init__(conv_ndims=1, **kwargs)


class Conv2DLSTMCell(ConvLSTMCell):
    """ConvLSTMCell over [batch, height, width, channels] (variables under 'conv_lstm_cell', as in TF 1.15)."""

    def __init__(self, name: str = "conv_2d_lstm_cell", **kwargs):
        super().__init__(conv_ndims=2, **kwargs)


class Conv3DLSTMCell(ConvLSTMCell):
    """ConvLSTMCell over [batch, depth, height, width, channels] (variables under 'conv_lstm_cell')."""

    def __init__(self, name: str = "conv_3d_lstm_cell", **kwargs):
        super().__init__(conv_ndims=3, **kwargs)


class TimeFreqLSTMCell(RNNCell):
    """The time-frequency LSTM (Sainath & Li 2016): the input's feature_size-wide windows, frequency_skip apart,
    each run through one LSTM ('W' [feature_size + 2n, 4n], 'B', peepholes 'W_F_diag', 'W_I_diag', 'W_O_diag')
    that sees the previous window's output; the state holds every window's (c, m). As in TF, state_size and
    output_size say 2n and n whatever the number of windows: give an initial_state of the true size."""

    base_name = "time_freq_lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip: float | None = None,
                 initializer=None, num_unit_shards: int = 1, forget_bias: float = 1.0, feature_size: int | None = None,
                 frequency_skip: int = 1, reuse=None):
        super().__init__(num_units, None, reuse)
        self._use_peepholes, self._cell_clip, self._initializer = use_peepholes, cell_clip, initializer
        self._shards, self._forget_bias = num_unit_shards, forget_bias
        self._feature_size, self._frequency_skip = feature_size, frequency_skip

    @property
    def state_size(self):
        return 2 * self._num_units

    def build(self, input_depth, dtype):
        if self._feature_size is None:
            raise ValueError("TimeFreqLSTMCell: feature_size must be given")
        n = self._num_units
        out = {"W": _concat_variable("W", [self._feature_size + 2 * n, 4 * n], dtype, self._shards),
               "B": get_variable("B", [4 * n], dtype=dtype, initializer=zeros_initializer())}
        if self._use_peepholes:
            for name in ("W_F_diag", "W_I_diag", "W_O_diag"):
                out[name] = get_variable(name, [n], dtype=dtype)
        return out

    def step(self, inputs, state, v):
        n, depth = self._num_units, inputs.shape.as_list()[1]
        windows = [inputs[:, f * self._frequency_skip:f * self._frequency_skip + self._feature_size]
                   for f in range((depth - self._feature_size) // self._frequency_skip + 1)]
        batch = inputs.shape.as_list()[0]
        m_prev_freq = A.zeros([batch, n] if batch is not None else A.stack([A.shape(inputs)[0], n]),
                              dtype=inputs.dtype)
        peep, states, outputs = self._use_peepholes, [], []
        for fq, window in enumerate(windows):
            c_prev, m_prev = state[:, 2 * fq * n:(2 * fq + 1) * n], state[:, (2 * fq + 1) * n:(2 * fq + 2) * n]
            gates = nn.bias_add(M.matmul(A.concat([window, m_prev, m_prev_freq], 1), v["W"]), v["B"])
            i, j, f, o = A.split(gates, 4, axis=1)
            c = M.sigmoid(f + self._forget_bias + (v["W_F_diag"] * c_prev if peep else 0.0)) * c_prev + \
                M.sigmoid(i + (v["W_I_diag"] * c_prev if peep else 0.0)) * M.tanh(j)
            if self._cell_clip is not None:
                c = clip_by_value(c, -self._cell_clip, self._cell_clip)
            m = M.sigmoid(o + (v["W_O_diag"] * c if peep else 0.0)) * M.tanh(c)
            m_prev_freq = m
            states += [c, m]
            outputs.append(m)
        return A.concat(outputs, 1), A.concat(states, 1)


class GridLSTMCell(RNNCell):
    """The grid LSTM (Kalchbrenner et al. 2016; peepholes after Sainath & Li): per frequency block 'W_f_<b>' /
    'B_f_<b>' (frequency LSTM) and 'W_t_<b>' / 'B_t_<b>' (time LSTM, unless share_time_frequency_weights) over the
    input's feature_size-wide windows; each window's time LSTM keeps its own (c, m) in the state
    (GridLSTMStateTuple 'state_f<ff>_b<bb>_c' / '_m'), the frequency LSTM runs along the windows."""

    base_name = "grid_lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, share_time_frequency_weights: bool = False,
                 cell_clip: float | None = None, initializer=None, num_unit_shards: int = 1, forget_bias: float = 1.0,
                 feature_size: int | None = None, frequency_skip: int | None = None, num_frequency_blocks=None,
                 start_freqindex_list=None, end_freqindex_list=None, couple_input_forget_gates: bool = False,
                 state_is_tuple: bool = True, reuse=None):
        super().__init__(num_units, None, reuse)
        if num_frequency_blocks is None:
            raise ValueError("Must specify num_frequency_blocks")
        self._use_peepholes, self._share = use_peepholes, share_time_frequency_weights
        self._cell_clip, self._initializer, self._shards = cell_clip, initializer, num_unit_shards
        self._forget_bias, self._feature_size, self._frequency_skip = forget_bias, feature_size, frequency_skip
        self._blocks = [int(b) for b in num_frequency_blocks]
        self._starts, self._ends = start_freqindex_list, end_freqindex_list
        self._couple, self._state_is_tuple = couple_input_forget_gates, state_is_tuple
        self._total_blocks = sum(self._blocks)
        self._directions = [""]
        self._state_type = self._make_state_type("GridLSTMStateTuple", ["state"]) if state_is_tuple else None

    def _make_state_type(self, type_name: str, prefixes: list[str]):
        import collections
        names = [f"{p}_f{f:02d}_b{b:02d}_{part}" for p in prefixes for b, count in enumerate(self._blocks)
                 for f in range(count) for part in "cm"]
        return collections.namedtuple(type_name, names)

    @property
    def state_tuple_type(self):
        return self._state_type

    @property
    def state_size(self):
        if self._state_type is None:
            return self._num_units * self._total_blocks * 2
        return self._state_type(*([self._num_units] * len(self._state_type._fields)))

    @property
    def output_size(self) -> int:
        return self._num_units * self._total_blocks * 2 * len(self._directions)

    def zero_state(self, batch_size, dtype):
        with name_scope(f"{type(self).__name__}ZeroState"):
            shape = [batch_size, self._num_units] if not isinstance(batch_size, Tensor) else \
                A.stack([batch_size, self._num_units])
            if self._state_type is None:
                return A.zeros([batch_size, self.state_size] if not isinstance(batch_size, Tensor) else
                               A.stack([batch_size, self.state_size]), dtype=dtype)
            return self._state_type(*(A.zeros(shape, dtype=dtype) for _ in self._state_type._fields))

    def _block_variables(self, block: int, dtype) -> dict:
        n, gates = self._num_units, 3 if self._couple else 4
        shape = [self._feature_size + 2 * n, gates * n]
        v = {"W_f": _concat_variable(f"W_f_{block}", shape, dtype, self._shards),
             "B_f": get_variable(f"B_f_{block}", [gates * n], dtype=dtype, initializer=zeros_initializer())}
        if not self._share:
            v["W_t"] = _concat_variable(f"W_t_{block}", shape, dtype, self._shards)
            v["B_t"] = get_variable(f"B_t_{block}", [gates * n], dtype=dtype, initializer=zeros_initializer())
        if self._use_peepholes:
            names = [] if self._couple else ["W_F_diag_freqf", "W_F_diag_freqt"]
            names += ["W_I_diag_freqf", "W_I_diag_freqt", "W_O_diag_freqf", "W_O_diag_freqt"]
            if not self._share:
                names += ([] if self._couple else ["W_F_diag_timef", "W_F_diag_timet"]) + \
                    ["W_I_diag_timef", "W_I_diag_timet", "W_O_diag_timef", "W_O_diag_timet"]
            for name in names:
                v[name] = get_variable(f"{name}_{block}", [n], dtype=dtype)
        return v

    def build(self, input_depth, dtype):
        if self._feature_size is None or self._frequency_skip is None:
            raise ValueError(f"{type(self).__name__}: feature_size and frequency_skip must be given")
        out = {}
        for direction in self._directions:
            if direction:
                with variable_scope(direction):
                    out[direction] = [self._block_variables(b, dtype) for b in range(len(self._blocks))]
            else:
                out[direction] = [self._block_variables(b, dtype) for b in range(len(self._blocks))]
        return out

    def _windows(self, inputs: Tensor, slice_offset: int = 0) -> list[list[Tensor]]:
        """contrib's _make_tf_features: each block's feature_size-wide windows, frequency_skip apart (the input
        zero-padded at the end by a positive slice_offset, at the front by a negative one)."""
        depth = inputs.shape.as_list()[1]
        if slice_offset > 0:
            inputs = pad(inputs, [[0, 0], [0, slice_offset]])
        elif slice_offset < 0:
            inputs, slice_offset = pad(inputs, [[0, 0], [-slice_offset, 0]]), 0
        size, skip = self._feature_size, self._frequency_skip
        if not self._starts:
            if len(self._blocks) != 1:
                raise ValueError(f"Length of num_frequency_blocks is not 1, but instead is {len(self._blocks)}")
            spans = [(0, depth)]
        else:
            if len(self._starts) != len(self._ends):
                raise ValueError(f"Length of start and end freqindex_list does not match {len(self._starts)} "
                                 f"{len(self._ends)}")
            if len(self._blocks) != len(self._starts):
                raise ValueError(f"Length of num_frequency_blocks is not equal to start_freqindex_list "
                                 f"{len(self._blocks)} {len(self._starts)}")
            spans = list(zip(self._starts, self._ends))
        out = []
        for (start, end), want in zip(spans, self._blocks):
            count = (end - start - size) // skip + 1
            if count != want:
                raise ValueError(f"Invalid num_frequency_blocks, requires {count} but gets {want}, please check the "
                                 f"input size and filter config are correct.")
            out.append([inputs[:, start + slice_offset + f * skip:start + slice_offset + f * skip + size]
                        for f in range(count)])
        return out

    def _compute(self, windows: list[Tensor], block: int, state, v: dict, prefix: str):
        # long: one pass of the frequency and time LSTMs over a block's windows, TF's gate for gate
        sig, tanh, n = M.sigmoid, M.tanh, self._num_units
        batch = windows[0].shape.as_list()[0]
        zeros = A.zeros([batch, n] if batch is not None else A.stack([A.shape(windows[0])[0], n]),
                        dtype=windows[0].dtype)
        m_prev_freq = c_prev_freq = zeros
        peep, share, couple = self._use_peepholes, self._share, self._couple
        t_tag = "freq" if share else "time"

        def diag(name: str, tag: str, x: Tensor) -> Tensor:
            return v[f"W_{name}_diag_{tag}"] * x if peep else 0.0

        outputs, states = [], []
        for index, window in enumerate(windows):
            if self._state_is_tuple:
                c_prev_time = getattr(state, f"{prefix}_f{index:02d}_b{block:02d}_c")
                m_prev_time = getattr(state, f"{prefix}_f{index:02d}_b{block:02d}_m")
            else:
                c_prev_time = state[:, 2 * index * n:(2 * index + 1) * n]
                m_prev_time = state[:, (2 * index + 1) * n:(2 * index + 2) * n]
            x = A.concat([window, m_prev_time, m_prev_freq], 1)
            freq = A.split(nn.bias_add(M.matmul(x, v["W_f"]), v["B_f"]), 3 if couple else 4, axis=1)
            time = freq if share else A.split(nn.bias_add(M.matmul(x, v["W_t"]), v["B_t"]), 3 if couple else 4, 1)
            if couple:
                (i_f, j_f, o_f), (i_t, j_t, o_t) = freq, time
            else:
                (i_f, j_f, f_f, o_f), (i_t, j_t, f_t, o_t) = freq, time
            i_freq = sig(i_f + diag("I", "freqf", c_prev_freq) + diag("I", "freqt", c_prev_time))
            f_freq = 1.0 - i_freq if couple else \
                sig(f_f + self._forget_bias + diag("F", "freqf", c_prev_freq) + diag("F", "freqt", c_prev_time))
            c_freq = f_freq * c_prev_freq + i_freq * tanh(j_f)
            i_time = sig(i_t + diag("I", f"{t_tag}f", c_prev_freq) + diag("I", f"{t_tag}t", c_prev_time))
            f_time = 1.0 - i_time if couple else \
                sig(f_t + self._forget_bias + diag("F", f"{t_tag}f", c_prev_freq) + diag("F", f"{t_tag}t", c_prev_time))
            c_time = f_time * c_prev_time + i_time * tanh(j_t)
            if self._cell_clip is not None:
                c_freq = clip_by_value(c_freq, -self._cell_clip, self._cell_clip)
                c_time = clip_by_value(c_time, -self._cell_clip, self._cell_clip)
            m_freq = sig(o_f + diag("O", "freqf", c_freq) + diag("O", "freqt", c_time)) * tanh(c_freq)
            m_time = sig(o_t + diag("O", f"{t_tag}f", c_freq) + diag("O", f"{t_tag}t", c_time)) * tanh(c_time)
            m_prev_freq, c_prev_freq = m_freq, c_freq
            states += [c_time, m_time]
            outputs += [m_time, m_freq]
        return outputs, states

    def step(self, inputs, state, v):
        outputs, states = [], []
        for block, windows in enumerate(self._windows(inputs)):
            out, st = self._compute(windows, block, state, v[""][block], "state")
            outputs += out
            states += st
        new_state = self._state_type(*states) if self._state_is_tuple else A.concat(states, 1)
        return A.concat(outputs, 1), new_state


class BidirectionalGridLSTMCell(GridLSTMCell):
    """GridLSTMCell run over the frequency windows forward ('fwd/...') and backward ('bwd/...', the windows
    reversed, optionally sliced backward_slice_offset apart); the state holds both directions' (c, m)."""

    base_name = "bidirectional_grid_lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, share_time_frequency_weights: bool = False,
                 cell_clip: float | None = None, initializer=None, num_unit_shards: int = 1, forget_bias: float = 1.0,
                 feature_size: int | None = None, frequency_skip: int | None = None, num_frequency_blocks=None,
                 start_freqindex_list=None, end_freqindex_list=None, couple_input_forget_gates: bool = False,
                 backward_slice_offset: int = 0, reuse=None):
        super().__init__(num_units, use_peepholes, share_time_frequency_weights, cell_clip, initializer,
                         num_unit_shards, forget_bias, feature_size, frequency_skip, num_frequency_blocks,
                         start_freqindex_list, end_freqindex_list, couple_input_forget_gates, True, reuse)
        self._backward_slice_offset = int(backward_slice_offset)
        self._directions = ["fwd", "bwd"]
        self._state_type = self._make_state_type("BidirectionalGridLSTMStateTuple", ["fwd_state", "bwd_state"])

    def step(self, inputs, state, v):
        forward = self._windows(inputs)
        backward = self._windows(inputs, self._backward_slice_offset) if self._backward_slice_offset else forward
        outputs, states = [], []
        for direction, blocks in (("fwd", forward), ("bwd", backward)):
            for block, windows in enumerate(blocks):
                windows = windows if direction == "fwd" else windows[::-1]
                out, st = self._compute(windows, block, state, v[direction][block], f"{direction}_state")
                outputs += out
                states += st
        return A.concat(outputs, 1), self._state_type(*states)
