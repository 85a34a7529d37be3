"""tf.contrib.rnn's cells and wrappers: layer-normalized and block LSTMs, block GRUs, the fused LSTM, attention,
highway, and input/output projection wrappers, with TF 1.15's variable names and math."""

from __future__ import annotations

import math
from collections.abc import Callable

from .. import array_ops as A
from .. import math_ops as M
from .. import nn
from ..framework import Tensor, convert_to_tensor
from ..rnn_cell import LSTMCell, LSTMStateTuple, RNNCell, _Wrapper, _unique_layer_name
from ..variables import constant_initializer, get_variable, random_uniform_initializer, variable_scope, \
    zeros_initializer

__all__ = ["AttentionCellWrapper", "EmbeddingWrapper", "GRUBlockCell", "GRUBlockCellV2", "HighwayWrapper",
           "InputProjectionWrapper", "LSTMBlockCell", "LSTMBlockFusedCell", "LayerNormBasicLSTMCell",
           "OutputProjectionWrapper"]


def _flatten(structure) -> list:
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    return [structure]


class LayerNormBasicLSTMCell(RNNCell):
    """A BasicLSTMCell whose four gate pre-activations and new cell state are layer-normalized (Ba et al. 2016),
    each with its own gain and shift ('input', 'transform', 'forget', 'output', 'state'), with recurrent dropout
    on the candidate (Semeniuta et al. 2016). Without layer_norm the matmul has a 'bias'."""

    base_name = "layer_norm_basic_lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, input_size=None, activation: Callable | None = None,
                 layer_norm: bool = True, norm_gain: float = 1.0, norm_shift: float = 0.0, dropout_keep_prob=1.0,
                 dropout_prob_seed=None, reuse=None):
        super().__init__(num_units, activation, reuse)
        self._forget_bias, self._layer_norm = forget_bias, layer_norm
        self._norm_gain, self._norm_shift = norm_gain, norm_shift
        self._keep_prob, self._seed = dropout_keep_prob, dropout_prob_seed

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    def build(self, input_depth, dtype):
        n = self._num_units
        out = {"kernel": get_variable("kernel", [input_depth + n, 4 * n], dtype=dtype)}
        if not self._layer_norm:
            out["bias"] = get_variable("bias", [4 * n], dtype=dtype)
        else:
            for part in ("input", "transform", "forget", "output", "state"):
                with variable_scope(part):
                    out[f"{part}/gamma"] = get_variable("gamma", [n], dtype=dtype,
                                                        initializer=constant_initializer(self._norm_gain))
                    out[f"{part}/beta"] = get_variable("beta", [n], dtype=dtype,
                                                       initializer=constant_initializer(self._norm_shift))
        return out

    def _norm(self, x: Tensor, part: str, v) -> Tensor:
        mean, variance = nn.moments(x, [1], keep_dims=True)
        return nn.batch_normalization(x, mean, variance, v[f"{part}/beta"], v[f"{part}/gamma"], 1e-12)

    def step(self, inputs, state, v):
        c, h = state
        gates = M.matmul(A.concat([inputs, h], 1), v["kernel"])
        if not self._layer_norm:
            gates = nn.bias_add(gates, v["bias"])
        i, j, f, o = A.split(gates, 4, axis=1)
        if self._layer_norm:
            i, j, f, o = (self._norm(g, p, v) for g, p in zip((i, j, f, o), ("input", "transform", "forget",
                                                                              "output")))
        g = self._activation(j)
        if not isinstance(self._keep_prob, float) or self._keep_prob < 1:
            g = nn.dropout(g, self._keep_prob, seed=self._seed)
        new_c = c * M.sigmoid(f + self._forget_bias) + M.sigmoid(i) * g
        if self._layer_norm:
            new_c = self._norm(new_c, "state", v)
        new_h = self._activation(new_c) * M.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


class LSTMBlockCell(LSTMCell):
    """TF's LSTMBlockCell: the LSTM of one fused op (gates i, j, f, o; forget_bias; optional peepholes and cell
    clipping), named 'lstm_cell' with a zero-initialized 'bias'."""

    base_name = "lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, cell_clip=None, use_peephole: bool = False,
                 dtype=None, reuse=None, name: str = "lstm_cell"):
        super().__init__(num_units, use_peepholes=use_peephole,
                         cell_clip=cell_clip if cell_clip is not None and cell_clip > 0 else None,
                         forget_bias=forget_bias, reuse=reuse, name=name, dtype=dtype)

    def build(self, input_depth, dtype):
        n = self._num_units
        out = {"kernel": get_variable("kernel", [input_depth + n, 4 * n], dtype=dtype),
               "bias": get_variable("bias", [4 * n], dtype=dtype, initializer=zeros_initializer())}
        if self._use_peepholes:
            for gate in ("w_i_diag", "w_f_diag", "w_o_diag"):
                out[gate] = get_variable(gate, [n], dtype=dtype)
        return out


class GRUBlockCell(RNNCell):
    """TF's GRUBlockCell: the GRU of one fused op, variables 'w_ru', 'b_ru' (1.0), 'w_c', 'b_c' (0.0)."""

    base_name = "gru_cell"
    _names = ("w_ru", "b_ru", "w_c", "b_c")

    def __init__(self, num_units: int | None = None, cell_size: int | None = None, reuse=None,
                 name: str = "gru_cell"):
        if num_units is None:
            if cell_size is None:
                raise ValueError("Either num_units or cell_size must be specified.")
            num_units = cell_size
        elif cell_size is not None:
            raise ValueError("num_units and cell_size are aliases: give only one")
        super().__init__(num_units, None, reuse, name)

    def build(self, input_depth, dtype):
        n, (w_ru, b_ru, w_c, b_c) = self._num_units, self._names
        return {"w_ru": get_variable(w_ru, [input_depth + n, 2 * n], dtype=dtype),
                "b_ru": get_variable(b_ru, [2 * n], dtype=dtype, initializer=constant_initializer(1.0)),
                "w_c": get_variable(w_c, [input_depth + n, n], dtype=dtype),
                "b_c": get_variable(b_c, [n], dtype=dtype, initializer=constant_initializer(0.0))}

    def step(self, inputs, state, v):
        r, u = A.split(M.sigmoid(M.matmul(A.concat([inputs, state], 1), v["w_ru"]) + v["b_ru"]), 2, axis=1)
        c = M.tanh(M.matmul(A.concat([inputs, r * state], 1), v["w_c"]) + v["b_c"])
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class GRUBlockCellV2(GRUBlockCell):
    """GRUBlockCell with GRUCell's variable names ('gates/kernel', 'gates/bias', 'candidate/...')."""

    _names = ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")


class LSTMBlockFusedCell:
    """TF's LSTMBlockFusedCell: a whole time-major sequence [time, batch, depth] through one LSTM (the block
    cell's math), returning (outputs [time, batch, units], LSTMStateTuple of the final c and h); with
    sequence_length, outputs past a row's length are zeros and its final state is the one at its length."""

    def __init__(self, num_units: int, forget_bias: float = 1.0, cell_clip=None, use_peephole: bool = False,
                 reuse=None, dtype=None, name: str = "lstm_cell"):
        self._num_units = int(num_units)
        self._cell = LSTMBlockCell(num_units, forget_bias, cell_clip, use_peephole, dtype, reuse, name="lstm_cell")
        self._name, self._scope = name, None

    @property
    def num_units(self) -> int:
        return self._num_units

    @property
    def variables(self) -> list:
        return self._cell.variables

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        from ..rnn import dynamic_rnn
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims != 3:
            raise ValueError(f"LSTMBlockFusedCell: inputs {inputs.name} must be [time, batch, depth], got shape "
                             f"{inputs.shape}")
        if initial_state is None and dtype is None:
            dtype = inputs.dtype
        if initial_state is not None and not isinstance(initial_state, LSTMStateTuple):
            initial_state = LSTMStateTuple(*initial_state)
        if self._scope is None:
            name = scope if isinstance(scope, str) else (self._name if self._name != "lstm_cell"
                                                         else _unique_layer_name("lstm_cell"))
            with variable_scope(name) as vs:
                self._scope = vs
                return self._run(dynamic_rnn, inputs, initial_state, dtype, sequence_length, vs)
        with variable_scope(self._scope, reuse=True) as vs:
            return self._run(dynamic_rnn, inputs, initial_state, dtype, sequence_length, vs)

    def _run(self, dynamic_rnn, inputs, initial_state, dtype, sequence_length, vs):
        # the block cell's variables sit directly in this scope: 'lstm_cell/kernel', not 'lstm_cell/rnn/...'
        cell = _InScope(self._cell)
        return dynamic_rnn(cell, inputs, sequence_length=sequence_length, initial_state=initial_state, dtype=dtype,
                           time_major=True, scope=vs)


class _InScope(_Wrapper):
    """A cell whose variables are made directly in the scope it is called in (no scope of its own)."""

    def __call__(self, inputs, state, scope=None):
        inner = self._cell
        if inner._variables is None:
            inputs = convert_to_tensor(inputs)
            inner._variables = inner.build(inputs.shape.as_list()[1], inputs.dtype)
        return inner.step(convert_to_tensor(inputs), state, inner._variables)


def _linear(args, output_size: int, bias: bool = True, bias_start: float = 0.0) -> Tensor:
    """TF1's rnn _Linear: concat(args) @ 'kernel' (+ 'bias') in the current variable scope."""
    args = [convert_to_tensor(a) for a in (args if isinstance(args, (list, tuple)) else [args])]
    total = 0
    for a in args:
        depth = a.shape.as_list()[-1] if a.shape.ndims == 2 else None
        if depth is None:
            raise ValueError(f"linear expects [batch, n] arguments with n known, got {a.name} of shape {a.shape}")
        total += depth
    dtype = args[0].dtype
    kernel = get_variable("kernel", [total, output_size], dtype=dtype)
    out = M.matmul(args[0] if len(args) == 1 else A.concat(args, 1), kernel)
    if not bias:
        return out
    return nn.bias_add(out, get_variable("bias", [output_size], dtype=dtype,
                                         initializer=constant_initializer(bias_start)))


class _ScopedCell(RNNCell):
    """A wrapper whose variables live in a scope of its own ('output_projection_wrapper', ...): made at its first
    call, reused at every later one."""

    def __init__(self, cell):
        if not isinstance(cell, RNNCell):
            raise TypeError(f"{type(self).__name__}: the cell must be an RNNCell, got {cell!r}")
        self._cell = cell
        self._vscope = None
        self._name, self._reuse, self._variables, self._scope_name = None, None, None, None

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    @property
    def variables(self) -> list:
        from ..variables import global_variables
        prefix = self._vscope.name + "/" if self._vscope is not None else None
        return [v for v in global_variables() if prefix and v.name.startswith(prefix)]

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        if self._vscope is None:
            name = scope if isinstance(scope, str) else _unique_layer_name(self.base_name)
            with variable_scope(name) as vs:
                self._vscope = vs
                return self.call(convert_to_tensor(inputs), state)
        with variable_scope(self._vscope, reuse=True):
            return self.call(convert_to_tensor(inputs), state)

    def call(self, inputs, state):
        raise NotImplementedError


class OutputProjectionWrapper(_ScopedCell):
    """The cell's output through a dense layer of output_size units ('kernel', 'bias'), then activation."""

    base_name = "output_projection_wrapper"

    def __init__(self, cell, output_size: int, activation: Callable | None = None, reuse=None):
        super().__init__(cell)
        if int(output_size) < 1:
            raise ValueError(f"Parameter output_size must be > 0: {output_size}.")
        self._output_size, self._activation = int(output_size), activation

    @property
    def output_size(self):
        return self._output_size

    def call(self, inputs, state):
        output, new_state = self._cell(inputs, state)
        projected = _linear(output, self._output_size)
        return (self._activation(projected) if self._activation else projected), new_state


class InputProjectionWrapper(_ScopedCell):
    """The inputs through a dense layer of num_proj units ('kernel', 'bias'), then activation, into the cell."""

    base_name = "input_projection_wrapper"

    def __init__(self, cell, num_proj: int, activation: Callable | None = None, input_size=None, reuse=None):
        super().__init__(cell)
        self._num_proj, self._activation = int(num_proj), activation

    def call(self, inputs, state):
        projected = _linear(inputs, self._num_proj)
        return self._cell(self._activation(projected) if self._activation else projected, state)


class EmbeddingWrapper(_ScopedCell):
    """Integer inputs [batch, 1] looked up in an 'embedding' [embedding_classes, embedding_size] into the cell."""

    base_name = "embedding_wrapper"

    def __init__(self, cell, embedding_classes: int, embedding_size: int, initializer=None, reuse=None):
        super().__init__(cell)
        if embedding_classes <= 0 or embedding_size <= 0:
            raise ValueError(f"Both embedding_classes and embedding_size must be > 0: {embedding_classes}, "
                             f"{embedding_size}.")
        self._classes, self._size, self._initializer = embedding_classes, embedding_size, initializer

    def __call__(self, inputs, state, scope=None):
        inputs = convert_to_tensor(inputs)
        if not inputs.dtype.is_integer:
            raise TypeError(f"EmbeddingWrapper: inputs {inputs.name} must be integer ids, got {inputs.dtype.name}")
        return super().__call__(inputs, state, scope)

    def call(self, inputs, state):
        from ..variables import get_variable_scope
        dtype = _flatten(state)[0].dtype
        initializer = self._initializer or get_variable_scope().initializer or \
            random_uniform_initializer(-math.sqrt(3), math.sqrt(3))
        embedding = get_variable("embedding", [self._classes, self._size], dtype=dtype, initializer=initializer)
        return self._cell(nn.embedding_lookup(embedding, A.reshape(inputs, [-1])), state)


class AttentionCellWrapper(_ScopedCell):
    """Attention over the cell's last attn_length outputs (Bahdanau-style, as TF1's contrib AttentionCellWrapper):
    the state is (cell state, attention, attention states); the output is a projection of [output, attention]."""

    base_name = "attention_cell_wrapper"

    def __init__(self, cell, attn_length: int, attn_size: int | None = None, attn_vec_size: int | None = None,
                 input_size=None, state_is_tuple: bool = True, reuse=None):
        super().__init__(cell)
        if attn_length <= 0:
            raise ValueError(f"attn_length should be greater than zero, got {attn_length}")
        if not state_is_tuple:
            raise ValueError("AttentionCellWrapper: state_is_tuple=False is deprecated in TF1 and not supported")
        self._attn_length = int(attn_length)
        self._attn_size = int(attn_size if attn_size is not None else cell.output_size)
        self._attn_vec_size = int(attn_vec_size if attn_vec_size is not None else self._attn_size)
        self._input_size = input_size

    @property
    def state_size(self):
        return (self._cell.state_size, self._attn_size, self._attn_size * self._attn_length)

    @property
    def output_size(self):
        return self._attn_size

    def zero_state(self, batch_size, dtype):
        return (self._cell.zero_state(batch_size, dtype), A.zeros([batch_size, self._attn_size], dtype=dtype),
                A.zeros([batch_size, self._attn_size * self._attn_length], dtype=dtype))

    def call(self, inputs, state):
        cell_state, attns, attn_states = state
        attn_states = A.reshape(attn_states, [-1, self._attn_length, self._attn_size])
        input_size = self._input_size if self._input_size is not None else inputs.shape.as_list()[1]
        inputs = _linear([inputs, attns], input_size)
        cell_output, new_state = self._cell(inputs, cell_state)
        new_state_cat = A.concat(_flatten(new_state), 1)
        new_attns, new_attn_states = self._attention(new_state_cat, attn_states)
        with variable_scope("attn_output_projection"):
            output = _linear([cell_output, new_attns], self._attn_size)
        new_attn_states = A.concat([new_attn_states, A.expand_dims(output, 1)], 1)
        new_attn_states = A.reshape(new_attn_states, [-1, self._attn_length * self._attn_size])
        return output, (new_state, new_attns, new_attn_states)

    def _attention(self, query, attn_states):
        with variable_scope("attention"):
            k = get_variable("attn_w", [1, 1, self._attn_size, self._attn_vec_size])
            v = get_variable("attn_v", [self._attn_vec_size])
            hidden = A.reshape(attn_states, [-1, self._attn_length, 1, self._attn_size])
            features = nn.conv2d(hidden, k, [1, 1, 1, 1], "SAME")
            y = A.reshape(_linear(query, self._attn_vec_size), [-1, 1, 1, self._attn_vec_size])
            a = nn.softmax(M.reduce_sum(v * M.tanh(features + y), [2, 3]))
            d = M.reduce_sum(A.reshape(a, [-1, self._attn_length, 1, 1]) * hidden, [1, 2])
            return A.reshape(d, [-1, self._attn_size]), attn_states[:, 1:, :]


class HighwayWrapper(_Wrapper):
    """output = input * carry + cell_output * transform (Srivastava et al. 2015): carry = sigmoid(input @ carry_w +
    carry_b), transform = 1 - carry when coupled; variables in the scope the wrapper is called in."""

    def __init__(self, cell, couple_carry_transform_gates: bool = True, carry_bias_init: float = 1.0):
        super().__init__(cell)
        self._couple, self._carry_bias_init = couple_carry_transform_gates, carry_bias_init
        self._weights = None

    def _highway(self, inp: Tensor, out: Tensor) -> Tensor:
        if inp.shape.ndims != 2 or inp.shape.as_list()[1] is None:
            raise ValueError(f"HighwayWrapper: inputs {inp.name} must be [batch, depth], got {inp.shape}")
        if inp.shape.as_list()[1] != out.shape.as_list()[1]:
            raise ValueError(f"HighwayWrapper: the input {inp.name} of shape {inp.shape} and the cell's output "
                             f"{out.name} of shape {out.shape} must have the same shape")
        if self._weights is None:
            n = inp.shape.as_list()[1]
            w = {"carry_w": get_variable("carry_w", [n, n]),
                 "carry_b": get_variable("carry_b", [n], initializer=constant_initializer(self._carry_bias_init))}
            if not self._couple:
                w["transform_w"] = get_variable("transform_w", [n, n])
                w["transform_b"] = get_variable("transform_b", [n],
                                                initializer=constant_initializer(-self._carry_bias_init))
            self._weights = w
        w = self._weights
        carry = M.sigmoid(nn.xw_plus_b(inp, w["carry_w"], w["carry_b"]))
        transform = 1 - carry if self._couple else M.sigmoid(nn.xw_plus_b(inp, w["transform_w"], w["transform_b"]))
        return inp * carry + out * transform

    @property
    def variables(self) -> list:
        return self._cell.variables + list((self._weights or {}).values())

    def __call__(self, inputs, state, scope=None):
        outputs, new_state = self._cell(inputs, state, scope)
        return self._highway(convert_to_tensor(inputs), convert_to_tensor(outputs)), new_state
