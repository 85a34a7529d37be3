"""tf.contrib.rnn's cells over structured inputs: convolutional LSTMs over images and signals, and the
time-frequency and grid LSTMs over a spectrum's windows, with TF 1.15's math and variable names."""

from __future__ import annotations

import collections

from .. import array_ops as A
from .. import math_ops as M
from .. import nn
from ..framework import Tensor, TensorShape, convert_to_tensor, name_scope
from ..rnn_cell import LSTMStateTuple, RNNCell
from ..tensor_ops import pad
from ..variables import constant_initializer, get_variable, variable_scope, zeros_initializer
from .rnn_cell_parts import (call_in_scope, clip, concat_variable, diagonals, lstm_cell_state, lstm_output,
                             peephole, zero_rows)

__all__ = ["BidirectionalGridLSTMCell", "Conv1DLSTMCell", "Conv2DLSTMCell", "Conv3DLSTMCell", "ConvLSTMCell",
           "GridLSTMCell", "TimeFreqLSTMCell"]


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
        return call_in_scope(self, inputs, state, inputs.shape.as_list()[-1], inputs.dtype, scope, self._name)

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
        new_cell = lstm_cell_state(cell, i, j, f, self._forget_bias, M.tanh)
        output = lstm_output(o, new_cell, M.tanh)
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


def _state_pair(state: Tensor, index: int, n: int) -> tuple[Tensor, Tensor]:
    """Window `index`'s (c, m) from a concatenated state [c_0, m_0, c_1, m_1, ...] of n-wide parts."""
    return state[:, 2 * index * n:(2 * index + 1) * n], state[:, (2 * index + 1) * n:(2 * index + 2) * n]


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
        out = {"W": concat_variable("W", [self._feature_size + 2 * n, 4 * n], dtype, self._shards),
               "B": get_variable("B", [4 * n], dtype=dtype, initializer=zeros_initializer())}
        if self._use_peepholes:
            out.update(diagonals(("W_F_diag", "W_I_diag", "W_O_diag"), n, dtype))
        return out

    def step(self, inputs, state, v):
        n, depth = self._num_units, inputs.shape.as_list()[1]
        windows = [inputs[:, f * self._frequency_skip:f * self._frequency_skip + self._feature_size]
                   for f in range((depth - self._feature_size) // self._frequency_skip + 1)]
        m_prev_freq, states, outputs = zero_rows(inputs, n), [], []
        for fq, window in enumerate(windows):
            c_prev, m_prev = _state_pair(state, fq, n)
            gates = nn.bias_add(M.matmul(A.concat([window, m_prev, m_prev_freq], 1), v["W"]), v["B"])
            i, j, f, o = A.split(gates, 4, axis=1)
            c = clip(lstm_cell_state(c_prev, i, j, f, self._forget_bias, M.tanh, v, ("W_F_diag", "W_I_diag")),
                     self._cell_clip)
            m = lstm_output(o, c, M.tanh, v, "W_O_diag")
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
        v = {"W_f": concat_variable(f"W_f_{block}", shape, dtype, self._shards),
             "B_f": get_variable(f"B_f_{block}", [gates * n], dtype=dtype, initializer=zeros_initializer())}
        if not self._share:
            v["W_t"] = concat_variable(f"W_t_{block}", shape, dtype, self._shards)
            v["B_t"] = get_variable(f"B_t_{block}", [gates * n], dtype=dtype, initializer=zeros_initializer())
        if self._use_peepholes:
            gates = "IO" if self._couple else "FIO"
            # each gate looks at both LSTMs' states: <gate>_<lstm>f (the frequency c), <gate>_<lstm>t (the time c)
            names = [f"W_{g}_diag_{lstm}{c}" for lstm in (("freq",) if self._share else ("freq", "time"))
                     for g in gates for c in "ft"]
            v.update(diagonals(names, n, dtype, suffix=f"_{block}"))
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
        m_prev_freq = c_prev_freq = zero_rows(windows[0], n)
        couple, gates = self._couple, 3 if self._couple else 4
        t_tag = "freq" if self._share else "time"

        def peep(gate: Tensor, name: str, tag: str, c_freq: Tensor, c_time: Tensor) -> Tensor:
            """gate + its peepholes on the frequency LSTM's c and the time LSTM's c."""
            return peephole(peephole(gate, v, f"W_{name}_diag_{tag}f", c_freq), v, f"W_{name}_diag_{tag}t", c_time)

        outputs, states = [], []
        for index, window in enumerate(windows):
            if self._state_is_tuple:
                c_prev_time = getattr(state, f"{prefix}_f{index:02d}_b{block:02d}_c")
                m_prev_time = getattr(state, f"{prefix}_f{index:02d}_b{block:02d}_m")
            else:
                c_prev_time, m_prev_time = _state_pair(state, index, n)
            x = A.concat([window, m_prev_time, m_prev_freq], 1)
            freq = A.split(nn.bias_add(M.matmul(x, v["W_f"]), v["B_f"]), gates, axis=1)
            time = freq if self._share else A.split(nn.bias_add(M.matmul(x, v["W_t"]), v["B_t"]), gates, 1)
            if couple:
                (i_f, j_f, o_f), (i_t, j_t, o_t) = freq, time
            else:
                (i_f, j_f, f_f, o_f), (i_t, j_t, f_t, o_t) = freq, time
            i_freq = sig(peep(i_f, "I", "freq", c_prev_freq, c_prev_time))
            f_freq = 1.0 - i_freq if couple else \
                sig(peep(f_f + self._forget_bias, "F", "freq", c_prev_freq, c_prev_time))
            c_freq = f_freq * c_prev_freq + i_freq * tanh(j_f)
            i_time = sig(peep(i_t, "I", t_tag, c_prev_freq, c_prev_time))
            f_time = 1.0 - i_time if couple else \
                sig(peep(f_t + self._forget_bias, "F", t_tag, c_prev_freq, c_prev_time))
            c_time = f_time * c_prev_time + i_time * tanh(j_t)
            c_freq, c_time = clip(c_freq, self._cell_clip), clip(c_time, self._cell_clip)
            m_freq = sig(peep(o_f, "O", "freq", c_freq, c_time)) * tanh(c_freq)
            m_time = sig(peep(o_t, "O", t_tag, c_freq, c_time)) * tanh(c_time)
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
