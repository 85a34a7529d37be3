"""tf.contrib.rnn's LSTM variants: coupled input-forget gate, group, layer-normalized, weight-normalized and
phased LSTMs, with TF 1.15's math and variable names."""

from __future__ import annotations

import math
from collections.abc import Callable

from .. import array_ops as A
from .. import math_ops as M
from .. import nn
from ..framework import Tensor, convert_to_tensor
from ..gradients_impl import stop_gradient
from ..init_ops import Initializer
from ..rnn_cell import LSTMStateTuple
from ..variables import constant_initializer, get_variable, variable_scope, zeros_initializer
from .rnn_cell_parts import (LSTMStateCell, affine, call_in_scope, clip, concat_variable, current_scope, dense,
                             diagonals, input_depth, layer_norm, layer_norm_vars, lstm_cell_state, lstm_output,
                             peephole)

__all__ = ["CoupledInputForgetGateLSTMCell", "GLSTMCell", "LayerNormLSTMCell", "PhasedLSTMCell", "WeightNormLSTMCell"]


class CoupledInputForgetGateLSTMCell(LSTMStateCell):
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

    def build(self, input_depth, dtype):
        n, m = self._num_units, self._num_proj or self._num_units
        out = {"W": concat_variable("W", [input_depth + m, 3 * n], dtype, self._shards, self._initializer),
               "B": get_variable("B", [3 * n], dtype=dtype, initializer=zeros_initializer())}
        if self._layer_norm:
            for part in ("transform", "forget", "output", "state"):
                out[part] = layer_norm_vars(part, n, self._norm_gain, self._norm_shift, dtype)
        if self._use_peepholes:
            out.update(diagonals(("W_F_diag", "W_O_diag"), n, dtype, self._initializer))
        if self._num_proj is not None:
            out["W_P"] = concat_variable("W_P", [n, self._num_proj], dtype, self._proj_shards, self._initializer)
        return out

    def step(self, inputs, state, v):
        n, m = self._num_units, self._num_proj or self._num_units
        c_prev, m_prev = state if self._state_is_tuple else A.split(state, [n, m], axis=1)
        lstm_matrix = M.matmul(A.concat([inputs, m_prev], 1), v["W"])
        if not self._layer_norm:
            lstm_matrix = nn.bias_add(lstm_matrix, v["B"])
        j, f, o = A.split(lstm_matrix, 3, axis=1)
        if self._layer_norm:
            j, f, o = (layer_norm(g, v[p]) for g, p in ((j, "transform"), (f, "forget"), (o, "output")))
        f_act = M.sigmoid(peephole(f + self._forget_bias, v, "W_F_diag", c_prev))
        c = f_act * c_prev + (1 - f_act) * self._activation(j)
        if self._layer_norm:
            c = layer_norm(c, v["state"])
        m_new = lstm_output(o, c, self._activation, v, "W_O_diag")
        if self._num_proj is not None:
            m_new = clip(M.matmul(m_new, v["W_P"]), self._proj_clip)
        return m_new, (LSTMStateTuple(c, m_new) if self._state_is_tuple else A.concat([c, m_new], 1))


class GLSTMCell(LSTMStateCell):
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

    def build(self, input_depth, dtype):
        g_in, g_out = self._group_shape
        with variable_scope(current_scope(), initializer=self._initializer):
            out = {f"group{k}": dense(f"group{k}", 2 * g_in, 4 * g_out, dtype, bias=False)
                   for k in range(self._groups)}
            for gate in "ijfo":
                out[f"bias_{gate}"] = get_variable(f"bias_{gate}", [self._num_units], dtype=dtype,
                                                   initializer=constant_initializer(0.0))
        if self._num_proj is not None:
            out["projection"] = dense("projection", self._num_units, self._num_proj, dtype, bias=False,
                                      initializer=self._initializer)
        return out

    def step(self, inputs, state, v):
        c_prev, m_prev = state
        g_in = self._group_shape[0]
        parts: list[list[Tensor]] = [[], [], [], []]
        for k in range(self._groups):
            x_k = A.concat([inputs[:, k * g_in:(k + 1) * g_in], m_prev[:, k * g_in:(k + 1) * g_in]], 1)
            for acc, gate in zip(parts, A.split(affine([x_k], v[f"group{k}"]), 4, axis=1)):
                acc.append(gate)
        i, j, f, o = (nn.bias_add(A.concat(p, 1), v[f"bias_{g}"]) for p, g in zip(parts, "ijfo"))
        c = lstm_cell_state(c_prev, i, j, f, self._forget_bias, M.tanh)
        m = lstm_output(o, c, self._activation)
        if self._num_proj is not None:
            m = affine([m], v["projection"])
        return m, LSTMStateTuple(c, m)


class LayerNormLSTMCell(LSTMStateCell):
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

    def build(self, input_depth, dtype):
        n, m = self._num_units, self._num_proj or self._num_units
        with variable_scope(current_scope(), initializer=self._initializer):
            out = dense("", input_depth + m, 4 * n, dtype)
            if self._layer_norm:
                for part in ("input", "transform", "forget", "output", "state"):
                    out[part] = layer_norm_vars(part, n, self._norm_gain, self._norm_shift, dtype)
            if self._use_peepholes:
                out.update(diagonals(("w_f_diag", "w_i_diag", "w_o_diag"), n, dtype))
            if self._num_proj is not None:
                out["projection"] = dense("projection", n, self._num_proj, dtype, bias=False)
        return out

    def step(self, inputs, state, v):
        c_prev, m_prev = state
        gates = M.matmul(A.concat([inputs, m_prev], 1), v["kernel"])
        if not self._layer_norm:
            gates = nn.bias_add(gates, v["bias"])
        i, j, f, o = A.split(gates, 4, axis=1)
        if self._layer_norm:
            i, j, f, o = (layer_norm(g, v[p]) for g, p in zip((i, j, f, o), ("input", "transform", "forget",
                                                                              "output")))
        c = lstm_cell_state(c_prev, i, j, f, self._forget_bias, self._activation, v, ("w_f_diag", "w_i_diag"))
        if self._layer_norm:
            c = layer_norm(c, v["state"])
        c = clip(c, self._cell_clip)
        m = lstm_output(o, c, self._activation, v, "w_o_diag")
        if self._num_proj is not None:
            m = clip(affine([m], v["projection"]), self._proj_clip)
        return m, LSTMStateTuple(c, m)


class WeightNormLSTMCell(LSTMStateCell):
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
        return affine(args, {**w, "kernel": kernel})

    def build(self, input_depth, dtype):
        n, m = self._num_units, self._num_proj or self._num_units
        with variable_scope("wn_lstm_cell", initializer=self._initializer):
            out = {"linear": self._weights([input_depth, m], 4 * n, True, dtype)}
            if self._use_peepholes:
                out.update(diagonals(("w_f_diag", "w_i_diag", "w_o_diag"), n, dtype))
            if self._num_proj is not None:
                with variable_scope("projection"):
                    out["projection"] = self._weights([n], self._num_proj, False, dtype)
        return out

    def step(self, inputs, state, v):
        c, h = state
        i, j, f, o = A.split(self._apply([inputs, h], v["linear"]), 4, axis=1)
        new_c = clip(lstm_cell_state(c, i, j, f, self._forget_bias, self._activation, v, ("w_f_diag", "w_i_diag")),
                     self._cell_clip)
        new_h = lstm_output(o, new_c, self._activation, v, "w_o_diag")
        if self._num_proj is not None:
            new_h = clip(self._apply([new_h], v["projection"]), self._proj_clip)
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


class PhasedLSTMCell(LSTMStateCell):
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

    def __call__(self, inputs, state, scope=None):
        if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
            raise ValueError(f"PhasedLSTMCell: inputs must be a tuple (time [batch, 1], features [batch, depth]), "
                             f"got {inputs!r}")
        time, x = convert_to_tensor(inputs[0]), convert_to_tensor(inputs[1])
        return call_in_scope(self, (time, x), state, input_depth(self, x), x.dtype, scope, self.base_name)

    def build(self, input_depth, dtype):
        n, peep = self._num_units, int(self._use_peepholes)
        out = {"mask_gates": dense("mask_gates", input_depth + n + peep * n, 2 * n, dtype),
               "new_input": dense("new_input", input_depth + n, n, dtype),
               "output_gate": dense("output_gate", input_depth + n + peep * n, n, dtype)}
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
        input_gate, forget_gate = A.split(M.sigmoid(affine(mask_in, v["mask_gates"])), 2, axis=1)
        new_c = c_prev * forget_gate + input_gate * M.tanh(affine([x, h_prev], v["new_input"]))
        out_in = [x, h_prev] + ([new_c] if self._use_peepholes else [])
        new_h = M.tanh(new_c) * M.sigmoid(affine(out_in, v["output_gate"]))
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
