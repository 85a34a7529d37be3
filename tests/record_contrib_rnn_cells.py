"""Record what TensorFlow computes for tests/tf1_scripts_contrib_rnn_cells.py, with contrib's cells written here.

TF 2 has no tf.contrib: this module defines TF 1.15's contrib.rnn research cells and cuDNN-compatible cells from
their definitions (math and variable names) as cells of TF's legacy rnn_cell API, runs them over TF's own
dynamic_rnn, and stands in for the cuDNN layers (which TF runs only on a GPU) with the cuDNN-compatible cells on
the canonical weights, as TF's checkpoints of them are restored. Run with a Python that has tensorflow:

    python tests/record_contrib_rnn_cells.py

It writes tests/data/tf_expectations/script_contrib_rnn_cells.npz, script_contrib_cudnn_rnn.npz and
script_contrib_time_freq_lstm.npz and script_contrib_grid_lstm.npz (only these two with --small-only).
"""

from __future__ import annotations

import types

import numpy as np
from tf_recording import EXPECTATIONS_DIR, save, tf  # first: it sets TF's environment (plain kernels) before TF loads

from tensorflow.python.keras.layers.legacy_rnn import rnn_cell_impl as cells
from tf1_scripts_contrib_rnn_cells import cells_model, cudnn_model, grid_model, time_freq_model

LSTMStateTuple = cells.LSTMStateTuple


def _dense(args, size: int, bias: bool = True):
    args = args if isinstance(args, (list, tuple)) else [args]
    kernel = tf.get_variable("kernel", [sum(a.shape.as_list()[-1] for a in args), size])
    out = tf.matmul(tf.concat(args, 1), kernel)
    return out + tf.get_variable("bias", [size], initializer=tf.zeros_initializer()) if bias else out


def _norm(x, scope: str):
    with tf.variable_scope(scope):
        gamma = tf.get_variable("gamma", [x.shape.as_list()[-1]], initializer=tf.ones_initializer())
        beta = tf.get_variable("beta", [x.shape.as_list()[-1]], initializer=tf.zeros_initializer())
    mean, variance = tf.nn.moments(x, [1], keep_dims=True)
    return tf.nn.batch_normalization(x, mean, variance, beta, gamma, 1e-12)


class _Cell(cells.RNNCell):
    def __init__(self, units: int, proj=None, lstm: bool = False, name=None):
        super().__init__(name=name)
        self.units, self.proj, self.lstm = units, proj, lstm

    @property
    def state_size(self):
        return LSTMStateTuple(self.units, self.proj or self.units) if self.lstm else self.units

    @property
    def output_size(self):
        return self.proj or self.units


class IndRNNCell(_Cell):
    def call(self, x, h):
        w = tf.get_variable("kernel_w", [x.shape.as_list()[1], self.units])
        u = tf.get_variable("kernel_u", [1, self.units])
        b = tf.get_variable("bias", [self.units])
        out = tf.nn.relu(tf.matmul(x, w) + h * u + b)
        return out, out


class IndyGRUCell(_Cell):
    def call(self, x, h):
        n, d = self.units, x.shape.as_list()[1]
        gw, gu, gb = (tf.get_variable(k, s) for k, s in (("gates/kernel_w", [d, 2 * n]), ("gates/kernel_u", [1, 2 * n]),
                                                         ("gates/bias", [2 * n])))
        cw, cu, cb = (tf.get_variable(k, s) for k, s in (("candidate/kernel_w", [d, n]),
                                                         ("candidate/kernel_u", [1, n]), ("candidate/bias", [n])))
        r, u = tf.split(tf.sigmoid(tf.matmul(x, gw) + tf.tile(h, [1, 2]) * gu + gb), 2, 1)
        c = tf.tanh(tf.matmul(x, cw) + r * h * cu + cb)
        new_h = u * h + (1 - u) * c
        return new_h, new_h


class IndyLSTMCell(_Cell):
    def __init__(self, units):
        super().__init__(units, lstm=True)

    def call(self, x, state):
        c, h = state
        n = self.units
        w = tf.get_variable("kernel_w", [x.shape.as_list()[1], 4 * n])
        u = tf.get_variable("kernel_u", [1, 4 * n])
        b = tf.get_variable("bias", [4 * n])
        i, j, f, o = tf.split(tf.matmul(x, w) + tf.tile(h, [1, 4]) * u + b, 4, 1)
        new_c = c * tf.sigmoid(f + 1.0) + tf.sigmoid(i) * tf.tanh(j)
        new_h = tf.tanh(new_c) * tf.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


class NASCell(_Cell):
    def __init__(self, units, num_proj=None, use_biases=False):
        super().__init__(units, num_proj, lstm=True)
        self.use_biases = use_biases

    def call(self, x, state):
        c, m = state
        n, p = self.units, self.proj or self.units
        mm = tf.matmul(m, tf.get_variable("recurrent_kernel", [p, 8 * n]))
        xm = tf.matmul(x, tf.get_variable("kernel", [x.shape.as_list()[1], 8 * n]))
        if self.use_biases:
            mm = mm + tf.get_variable("bias", [8 * n])
        a, b = tf.split(xm, 8, 1), tf.split(mm, 8, 1)
        s, t, r = tf.sigmoid, tf.tanh, tf.nn.relu
        l1 = [s(a[0] + b[0]), r(a[1] + b[1]), s(a[2] + b[2]), r(a[3] * b[3]), t(a[4] + b[4]), s(a[5] + b[5]),
              t(a[6] + b[6]), s(a[7] + b[7])]
        new_c = t(t(l1[0] * l1[1]) + c) * t(l1[2] + l1[3])
        new_m = t(new_c * t(t(l1[4] * l1[5]) + s(l1[6] + l1[7])))
        if self.proj:
            new_m = tf.matmul(new_m, tf.get_variable("projection_weights", [n, self.proj]))
        return new_m, LSTMStateTuple(new_c, new_m)


class UGRNNCell(_Cell):
    def call(self, x, h):
        g, c = tf.split(_dense([x, h], 2 * self.units), 2, 1)
        g = tf.sigmoid(g + 1.0)
        new_h = g * h + (1 - g) * tf.tanh(c)
        return new_h, new_h


class IntersectionRNNCell(_Cell):
    def __init__(self, units, num_in_proj=None):
        super().__init__(units)
        self.in_proj = num_in_proj

    def call(self, x, h):
        if x.shape.as_list()[1] != self.units:
            with tf.variable_scope("in_projection"):
                x = _dense(x, self.units)
        gh, hh, gy, yy = tf.split(_dense([x, h], 4 * self.units), 4, 1)
        gh, gy = tf.sigmoid(gh + 1.0), tf.sigmoid(gy + 1.0)
        return gy * x + (1 - gy) * tf.nn.relu(yy), gh * h + (1 - gh) * tf.tanh(hh)


class SRUCell(_Cell):
    def call(self, x, c):
        n = self.units
        xb, f, r, xt = tf.split(tf.matmul(x, tf.get_variable("kernel", [x.shape.as_list()[1], 4 * n])), 4, 1)
        f, r = tf.split(tf.sigmoid(tf.concat([f, r], 1) + tf.get_variable("bias", [2 * n])), 2, 1)
        new_c = f * c + (1 - f) * xb
        return r * tf.tanh(new_c) + (1 - r) * xt, new_c


class CoupledInputForgetGateLSTMCell(_Cell):
    def __init__(self, units, use_peepholes=False, num_proj=None, proj_clip=None, layer_norm=False):
        super().__init__(units, num_proj, lstm=True)
        self.peep, self.clip, self.norm = use_peepholes, proj_clip, layer_norm

    def call(self, x, state):
        c_prev, m_prev = state
        n, p = self.units, self.proj or self.units
        w = tf.get_variable("W", [x.shape.as_list()[1] + p, 3 * n])
        b = tf.get_variable("B", [3 * n])
        z = tf.matmul(tf.concat([x, m_prev], 1), w)
        j, f, o = tf.split(z if self.norm else z + b, 3, 1)
        if self.norm:
            j, f, o = _norm(j, "transform"), _norm(f, "forget"), _norm(o, "output")
        if self.peep:
            wf, wo = tf.get_variable("W_F_diag", [n]), tf.get_variable("W_O_diag", [n])
        f_act = tf.sigmoid(f + 1.0 + (wf * c_prev if self.peep else 0.0))
        c = f_act * c_prev + (1 - f_act) * tf.tanh(j)
        if self.norm:
            c = _norm(c, "state")
        m = tf.sigmoid(o + (wo * c if self.peep else 0.0)) * tf.tanh(c)
        if self.proj:
            m = tf.matmul(m, tf.get_variable("W_P", [n, self.proj]))
            if self.clip:
                m = tf.clip_by_value(m, -self.clip, self.clip)
        return m, LSTMStateTuple(c, m)


class GLSTMCell(_Cell):
    def __init__(self, units, num_proj=None, number_of_groups=1):
        super().__init__(units, num_proj, lstm=True)
        self.groups = number_of_groups

    def call(self, x, state):
        c_prev, m_prev = state
        gi, go = (self.proj or self.units) // self.groups, self.units // self.groups
        parts = [[], [], [], []]
        for k in range(self.groups):
            with tf.variable_scope(f"group{k}"):
                z = _dense(tf.concat([x[:, k * gi:(k + 1) * gi], m_prev[:, k * gi:(k + 1) * gi]], 1), 4 * go, False)
            for acc, g in zip(parts, tf.split(z, 4, 1)):
                acc.append(g)
        i, j, f, o = (tf.concat(p, 1) + tf.get_variable(f"bias_{g}", [self.units]) for p, g in zip(parts, "ijfo"))
        c = tf.sigmoid(f + 1.0) * c_prev + tf.sigmoid(i) * tf.tanh(j)
        m = tf.sigmoid(o) * tf.tanh(c)
        if self.proj:
            with tf.variable_scope("projection"):
                m = _dense(m, self.proj, False)
        return m, LSTMStateTuple(c, m)


class LayerNormLSTMCell(_Cell):
    def __init__(self, units, use_peepholes=False, cell_clip=None, num_proj=None, layer_norm=False):
        super().__init__(units, num_proj, lstm=True)
        self.peep, self.clip, self.norm = use_peepholes, cell_clip, layer_norm

    def call(self, x, state):
        c_prev, m_prev = state
        n, p = self.units, self.proj or self.units
        kernel = tf.get_variable("kernel", [x.shape.as_list()[1] + p, 4 * n])
        bias = tf.get_variable("bias", [4 * n])
        z = tf.matmul(tf.concat([x, m_prev], 1), kernel)
        i, j, f, o = tf.split(z if self.norm else z + bias, 4, 1)
        if self.norm:
            i, j, f, o = (_norm(g, s) for g, s in zip((i, j, f, o), ("input", "transform", "forget", "output")))
        wf, wi, wo = (tf.get_variable(k, [n]) for k in ("w_f_diag", "w_i_diag", "w_o_diag")) if self.peep else \
            (0.0, 0.0, 0.0)
        c = tf.sigmoid(f + 1.0 + wf * c_prev) * c_prev + tf.sigmoid(i + wi * c_prev) * tf.tanh(j)
        if self.norm:
            c = _norm(c, "state")
        if self.clip:
            c = tf.clip_by_value(c, -self.clip, self.clip)
        m = tf.sigmoid(o + wo * c) * tf.tanh(c)
        if self.proj:
            with tf.variable_scope("projection"):
                m = _dense(m, self.proj, False)
        return m, LSTMStateTuple(c, m)


class WeightNormLSTMCell(_Cell):
    def __init__(self, units, use_peepholes=False, num_proj=None):
        super().__init__(units, num_proj, lstm=True)
        self.peep = use_peepholes

    @staticmethod
    def _linear(args, size, bias):
        depths = [a.shape.as_list()[1] for a in args]
        kernel = tf.get_variable("kernel", [sum(depths), size])
        pieces, start = [], 0
        for k, d in enumerate(depths):
            pieces.append(tf.nn.l2_normalize(kernel[start:start + d], 0) * tf.get_variable(f"norm_{k}", [size]))
            start += d
        out = tf.matmul(tf.concat(args, 1), tf.concat(pieces, 0))
        return out + tf.get_variable("bias", [size]) if bias else out

    def call(self, x, state):
        c, h = state
        n = self.units
        with tf.variable_scope("wn_lstm_cell"):
            i, j, f, o = tf.split(self._linear([x, h], 4 * n, True), 4, 1)
            wf, wi, wo = (tf.get_variable(k, [n]) for k in ("w_f_diag", "w_i_diag", "w_o_diag"))
            new_c = c * tf.sigmoid(f + 1.0 + wf * c) + tf.sigmoid(i + wi * c) * tf.tanh(j)
            new_h = tf.sigmoid(o + wo * new_c) * tf.tanh(new_c)
            if self.proj:
                with tf.variable_scope("projection"):
                    new_h = self._linear([new_h], self.proj, False)
        return new_h, LSTMStateTuple(new_c, new_h)


class PhasedLSTMCell(_Cell):
    def __init__(self, units, use_peepholes=False):
        super().__init__(units, lstm=True)
        self.peep = use_peepholes

    def call(self, inputs, state):
        time, x = inputs
        c_prev, h_prev = state
        n = self.units
        with tf.variable_scope("mask_gates"):
            i, f = tf.split(tf.sigmoid(_dense([x, h_prev] + ([c_prev] if self.peep else []), 2 * n)), 2, 1)
        with tf.variable_scope("new_input"):
            new_c = c_prev * f + i * tf.tanh(_dense([x, h_prev], n))
        with tf.variable_scope("output_gate"):
            new_h = tf.tanh(new_c) * tf.sigmoid(_dense([x, h_prev] + ([new_c] if self.peep else []), n))
        period, phase, ratio_on = (tf.get_variable(k, [n]) for k in ("period", "phase", "ratio_on"))
        shifted = time - phase
        cycle = (tf.stop_gradient(tf.mod(shifted, period) - shifted) + shifted) / period
        k_up = 2 * cycle / ratio_on
        k = tf.where(cycle < ratio_on, 2 - k_up, 0.001 * cycle)
        k = tf.where(cycle < 0.5 * ratio_on, k_up, k)
        return k * new_h + (1 - k) * h_prev, LSTMStateTuple(k * new_c + (1 - k) * c_prev, k * new_h + (1 - k) * h_prev)


class ConvLSTMCell(cells.RNNCell):
    def __init__(self, conv_ndims, input_shape, output_channels, kernel_shape, use_bias=True):
        super().__init__(name="conv_lstm_cell")
        self.ndims, self.shape, self.out, self.kernel, self.use_bias = (conv_ndims, input_shape, output_channels,
                                                                        kernel_shape, use_bias)

    @property
    def state_size(self):
        s = tf.TensorShape(self.shape[:-1] + [self.out])
        return LSTMStateTuple(s, s)

    @property
    def output_size(self):
        return tf.TensorShape(self.shape[:-1] + [self.out])

    def call(self, x, state):
        c, h = state
        args = tf.concat([x, h], self.ndims + 1)
        kernel = tf.get_variable("kernel", self.kernel + [self.shape[-1] + self.out, 4 * self.out])
        conv = tf.nn.conv1d(args, kernel, 1, "SAME") if self.ndims == 1 else \
            tf.nn.conv2d(args, kernel, [1, 1, 1, 1], "SAME")
        if self.use_bias:
            conv = conv + tf.get_variable("biases", [4 * self.out], initializer=tf.zeros_initializer())
        i, j, f, o = tf.split(conv, 4, self.ndims + 1)
        new_c = tf.sigmoid(f + 1.0) * c + tf.sigmoid(i) * tf.tanh(j)
        out = tf.tanh(new_c) * tf.sigmoid(o)
        return out, LSTMStateTuple(new_c, out)


def Conv1DLSTMCell(**kw):  # noqa: N802 - TF's class name
    return ConvLSTMCell(1, **kw)


def Conv2DLSTMCell(**kw):  # noqa: N802 - TF's class name
    return ConvLSTMCell(2, **kw)


class CudnnCompatibleLSTMCell(_Cell):
    """LSTMBlockCell with forget_bias 0 under 'cudnn_compatible_lstm_cell'."""

    def __init__(self, units):
        cells.RNNCell.__init__(self, name="cudnn_compatible_lstm_cell")
        self.units, self.proj, self.lstm = units, None, True

    def call(self, x, state):
        c, h = state
        kernel = tf.get_variable("kernel", [x.shape.as_list()[1] + self.units, 4 * self.units])
        bias = tf.get_variable("bias", [4 * self.units], initializer=tf.zeros_initializer())
        i, j, f, o = tf.split(tf.matmul(tf.concat([x, h], 1), kernel) + bias, 4, 1)
        new_c = tf.sigmoid(i) * tf.tanh(j) + c * tf.sigmoid(f)
        new_h = tf.tanh(new_c) * tf.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


class CudnnCompatibleGRUCell(_Cell):
    def call(self, x, h):
        n, d = self.units, x.shape.as_list()[1]
        r, u = tf.split(tf.sigmoid(tf.matmul(tf.concat([x, h], 1), tf.get_variable("gates/kernel", [d + n, 2 * n]))
                                   + tf.get_variable("gates/bias", [2 * n])), 2, 1)
        cand = tf.matmul(x, tf.get_variable("candidate/input_projection/kernel", [d, n])) + \
            tf.get_variable("candidate/input_projection/bias", [n])
        cand += r * (tf.matmul(h, tf.get_variable("candidate/hidden_projection/kernel", [n, n])) +
                     tf.get_variable("candidate/hidden_projection/bias", [n]))
        new_h = (1 - u) * tf.tanh(cand) + u * h
        return new_h, new_h


class TimeFreqLSTMCell(cells.RNNCell):
    """Each feature window through one peephole LSTM that also sees the previous window's output."""

    def __init__(self, units, use_peepholes, cell_clip, feature_size, frequency_skip):
        super().__init__()
        self.units, self.clip, self.size, self.skip = units, cell_clip, feature_size, frequency_skip
        del use_peepholes  # the recorded model uses them

    @property
    def state_size(self):
        return 2 * self.units

    @property
    def output_size(self):
        return self.units

    def call(self, x, state):
        n, depth = self.units, x.shape.as_list()[1]
        w = tf.get_variable("W", [self.size + 2 * n, 4 * n])
        b = tf.get_variable("B", [4 * n])
        wf, wi, wo = (tf.get_variable(k, [n]) for k in ("W_F_diag", "W_I_diag", "W_O_diag"))
        m_freq, states, outs = tf.zeros([x.shape.as_list()[0], n]), [], []
        for fq in range((depth - self.size) // self.skip + 1):
            c_prev, m_prev = state[:, 2 * fq * n:(2 * fq + 1) * n], state[:, (2 * fq + 1) * n:(2 * fq + 2) * n]
            window = x[:, fq * self.skip:fq * self.skip + self.size]
            i, j, f, o = tf.split(tf.matmul(tf.concat([window, m_prev, m_freq], 1), w) + b, 4, 1)
            c = tf.sigmoid(f + 1.0 + wf * c_prev) * c_prev + tf.sigmoid(i + wi * c_prev) * tf.tanh(j)
            c = tf.clip_by_value(c, -self.clip, self.clip)
            m = tf.sigmoid(o + wo * c) * tf.tanh(c)
            m_freq = m
            states += [c, m]
            outs.append(m)
        return tf.concat(outs, 1), tf.concat(states, 1)


class GridLSTMCell(cells.RNNCell):
    """Per block, a frequency LSTM along the windows and a time LSTM per window (its state carried in time)."""

    def __init__(self, units, use_peepholes=False, share_time_frequency_weights=False, cell_clip=None,
                 feature_size=None, frequency_skip=None, num_frequency_blocks=None, start_freqindex_list=None,
                 end_freqindex_list=None, couple_input_forget_gates=False, prefixes=("state",), offset=0):
        super().__init__()
        self.n, self.peep, self.share, self.clip = units, use_peepholes, share_time_frequency_weights, cell_clip
        self.size, self.skip, self.blocks = feature_size, frequency_skip, num_frequency_blocks
        self.starts, self.ends, self.couple = start_freqindex_list, end_freqindex_list, couple_input_forget_gates
        self.prefixes, self.offset = prefixes, offset
        import collections
        names = [f"{p}_f{f:02d}_b{b:02d}_{c}" for p in prefixes for b, k in enumerate(self.blocks) for f in range(k)
                 for c in "cm"]
        self.type = collections.namedtuple("GridState", names)

    @property
    def state_size(self):
        return self.type(*([self.n] * len(self.type._fields)))

    @property
    def output_size(self):
        return self.n * sum(self.blocks) * 2 * len(self.prefixes)

    def windows(self, x, offset=0):
        if offset > 0:
            x = tf.pad(x, [[0, 0], [0, offset]])
        spans = list(zip(self.starts, self.ends)) if self.starts else [(0, x.shape.as_list()[1] - offset)]
        return [[x[:, s + offset + f * self.skip:s + offset + f * self.skip + self.size] for f in range(k)]
                for (s, e), k in zip(spans, self.blocks)]

    def compute(self, windows, block, state, prefix):
        n, g = self.n, 3 if self.couple else 4
        wf = tf.get_variable(f"W_f_{block}", [self.size + 2 * n, g * n])
        bf = tf.get_variable(f"B_f_{block}", [g * n])
        if not self.share:
            wt = tf.get_variable(f"W_t_{block}", [self.size + 2 * n, g * n])
            bt = tf.get_variable(f"B_t_{block}", [g * n])
        d = {}
        tags = ["freqf", "freqt"] + ([] if self.share else ["timef", "timet"])
        for gate in ("I", "O") if self.couple else ("F", "I", "O"):
            for tag in tags:
                d[f"{gate}{tag}"] = tf.get_variable(f"W_{gate}_diag_{tag}_{block}", [n])
        t = "freq" if self.share else "time"
        m_pf = c_pf = tf.zeros([windows[0].shape.as_list()[0], n])
        outs, states = [], []
        for i, w in enumerate(windows):
            c_pt = getattr(state, f"{prefix}_f{i:02d}_b{block:02d}_c")
            m_pt = getattr(state, f"{prefix}_f{i:02d}_b{block:02d}_m")
            z = tf.concat([w, m_pt, m_pf], 1)
            fr = tf.split(tf.matmul(z, wf) + bf, g, 1)
            ti = fr if self.share else tf.split(tf.matmul(z, wt) + bt, g, 1)
            if self.couple:
                (i_f, j_f, o_f), (i_t, j_t, o_t) = fr, ti
            else:
                (i_f, j_f, f_f, o_f), (i_t, j_t, f_t, o_t) = fr, ti
            ig_f = tf.sigmoid(i_f + d["Ifreqf"] * c_pf + d["Ifreqt"] * c_pt)
            fg_f = 1 - ig_f if self.couple else tf.sigmoid(f_f + 1.0 + d["Ffreqf"] * c_pf + d["Ffreqt"] * c_pt)
            c_f = fg_f * c_pf + ig_f * tf.tanh(j_f)
            if self.clip:
                c_f = tf.clip_by_value(c_f, -self.clip, self.clip)
            ig_t = tf.sigmoid(i_t + d[f"I{t}f"] * c_pf + d[f"I{t}t"] * c_pt)
            fg_t = 1 - ig_t if self.couple else tf.sigmoid(f_t + 1.0 + d[f"F{t}f"] * c_pf + d[f"F{t}t"] * c_pt)
            c_t = fg_t * c_pt + ig_t * tf.tanh(j_t)
            if self.clip:
                c_t = tf.clip_by_value(c_t, -self.clip, self.clip)
            m_f = tf.sigmoid(o_f + d["Ofreqf"] * c_f + d["Ofreqt"] * c_t) * tf.tanh(c_f)
            m_t = tf.sigmoid(o_t + d[f"O{t}f"] * c_f + d[f"O{t}t"] * c_t) * tf.tanh(c_t)
            m_pf, c_pf = m_f, c_f
            states += [c_t, m_t]
            outs += [m_t, m_f]
        return outs, states

    def call(self, x, state):
        outs, states = [], []
        if len(self.prefixes) == 1:
            for b, ws in enumerate(self.windows(x)):
                o, s = self.compute(ws, b, state, "state")
                outs, states = outs + o, states + s
        else:
            fwd, bwd = self.windows(x), self.windows(x, self.offset) if self.offset else self.windows(x)
            for scope, blocks in (("fwd", fwd), ("bwd", bwd)):
                with tf.variable_scope(scope):
                    for b, ws in enumerate(blocks):
                        o, s = self.compute(ws if scope == "fwd" else ws[::-1], b, state, f"{scope}_state")
                        outs, states = outs + o, states + s
        return tf.concat(outs, 1), self.type(*states)


class BidirectionalGridLSTMCell(GridLSTMCell):
    def __init__(self, units, backward_slice_offset=0, **kw):
        super().__init__(units, prefixes=("fwd_state", "bwd_state"), offset=backward_slice_offset, **kw)


RNN = types.SimpleNamespace(**{k: v for k, v in globals().items() if k.endswith("Cell") and k[0].isupper()})
CUDNN = types.SimpleNamespace(CudnnCompatibleLSTMCell=CudnnCompatibleLSTMCell,
                              CudnnCompatibleGRUCell=CudnnCompatibleGRUCell)


def _tf_canonical(kind: str, weights: list, biases: list, gates: int) -> list[np.ndarray]:
    """One direction of one layer's cuDNN canonical tensors as the compatible cell's variables (in creation order):
    what TF's CudnnOpaqueParamsSaveable writes to checkpoints."""
    w, r, bw, br = weights[:gates], weights[gates:], biases[:gates], biases[gates:]
    if kind == "lstm":  # cuDNN's i, f, c, o to TF's i, c(j), f, o; the two biases summed
        order = [0, 2, 1, 3]
        kernel = np.concatenate([np.concatenate([w[g], r[g]], 1) for g in order], 0).T
        return [kernel, np.concatenate([bw[g] + br[g] for g in order])]
    if kind == "gru":
        gates_kernel = np.concatenate([np.concatenate([w[g], r[g]], 1) for g in (0, 1)], 0).T
        return [gates_kernel, np.concatenate([bw[0] + br[0], bw[1] + br[1]]), w[2].T, bw[2], r[2].T, br[2]]
    return [np.concatenate([w[0], r[0]], 1).T, bw[0] + br[0]]


def run_compatible(kind, layers, units, direction, weights, biases, x, lengths):
    gates = {"lstm": 4, "gru": 3}.get(kind, 1)

    def cell():
        if kind == "lstm":
            return CudnnCompatibleLSTMCell(units)
        if kind == "gru":
            return CudnnCompatibleGRUCell(units)
        return cells.BasicRNNCell(units, activation=tf.tanh if kind == "rnn_tanh" else tf.nn.relu)
    dirs = 2 if direction == "bidirectional" else 1
    if dirs == 1:
        outputs, states = tf.nn.dynamic_rnn(cells.MultiRNNCell([cell() for _ in range(layers)]), x, lengths,
                                            dtype=tf.float32, time_major=True)
        per_layer = list(states)
    else:
        layer_in, per_layer = x, []
        with tf.variable_scope("stack_bidirectional_rnn"):
            for i in range(layers):
                with tf.variable_scope(f"cell_{i}"):
                    outs, (sf, sb) = tf.nn.bidirectional_dynamic_rnn(cell(), cell(), layer_in, lengths,
                                                                     dtype=tf.float32, time_major=True)
                    layer_in = tf.concat(outs, 2)
                per_layer += [sf, sb]
        outputs = layer_in
    made = [v for v in tf.global_variables() if v.name.startswith(tf.get_variable_scope().name + "/")]
    values, per = [], 2 * gates
    for k in range(layers * dirs):
        values += _tf_canonical(kind, weights[k * per:(k + 1) * per], biases[k * per:(k + 1) * per], gates)
    assert [list(v.shape) for v in values] == [v.shape.as_list() for v in made], (made, [v.shape for v in values])
    assign = [v.assign(value) for v, value in zip(made, values)]
    if kind == "lstm":
        finals = (tf.stack([s.h for s in per_layer]), tf.stack([s.c for s in per_layer]))
    else:
        finals = (tf.stack(per_layer),)
    return outputs, finals, assign


if __name__ == "__main__":
    import sys
    tf.nn.rnn_cell = cells
    tf.reset_default_graph()
    save(EXPECTATIONS_DIR, "script_contrib_time_freq_lstm", **time_freq_model(tf, RNN, tf.Session))
    tf.reset_default_graph()
    save(EXPECTATIONS_DIR, "script_contrib_grid_lstm", **grid_model(tf, RNN, tf.Session))
    if "--small-only" in sys.argv:
        sys.exit(0)
    tf.reset_default_graph()
    save(EXPECTATIONS_DIR, "script_contrib_rnn_cells", **cells_model(tf, RNN, CUDNN, tf.Session))
    tf.reset_default_graph()
    save(EXPECTATIONS_DIR, "script_contrib_cudnn_rnn", **cudnn_model(tf, run_compatible, tf.Session))
