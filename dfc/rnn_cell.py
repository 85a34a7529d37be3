"""tf.nn.rnn_cell: BasicLSTMCell, LSTMCell, GRUCell and MultiRNNCell with TF1's variable names and gate order.

A cell makes its variables on its first call, inside the enclosing variable scope
('rnn/basic_lstm_cell/kernel' under static_rnn), and reuses them at every later call,
as TF1's layer-based cells do.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Sequence
from typing import Any

from dfc.ir.dtypes import as_dtype

from .array_ops import concat, shape, split, zeros
from .framework import Tensor, convert_to_tensor, name_scope
from .math_ops import matmul, maximum, minimum, sigmoid, tanh
from .variables import constant_initializer, get_variable, variable_scope, zeros_initializer

__all__ = ["BasicLSTMCell", "BasicRNNCell", "DeviceWrapper", "DropoutWrapper", "GRUCell", "LSTMCell", "LSTMStateTuple",
           "MultiRNNCell", "RNNCell", "ResidualWrapper"]


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """An LSTM's state: the cell state c and the output h."""

    __slots__ = ()

    @property
    def dtype(self):
        return self.c.dtype


def _clip(x: Tensor, bound: float) -> Tensor:
    return minimum(maximum(x, -bound), bound)


def _linear(inputs: Tensor, state: Tensor, kernel, bias) -> Tensor:
    """[inputs, state] @ kernel + bias: the one affine map a cell's gates come from."""
    return matmul(concat([inputs, state], 1), kernel) + bias


class RNNCell:
    """One step of a recurrent network: `output, new_state = cell(inputs, state)`."""

    base_name = "rnn_cell"

    def __init__(self, num_units: int, activation: Callable | None = None, reuse=None, name: str | None = None,
                 dtype=None):
        self._num_units = int(num_units)
        if self._num_units <= 0:
            raise ValueError(f"{type(self).__name__}: num_units must be positive, got {num_units}")
        self._activation = activation or tanh
        self._reuse = reuse
        self._name = name
        self._variables: dict[str, Any] | None = None
        self._scope_name: str | None = None

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self) -> int:
        return self._num_units

    @property
    def variables(self) -> list:
        return list((self._variables or {}).values())

    trainable_variables = trainable_weights = weights = variables

    def zero_state(self, batch_size, dtype) -> Any:
        """Zeros of the state's structure; batch_size may be an int or a scalar tensor (tf.shape(x)[0])."""
        with name_scope(f"{type(self).__name__}ZeroState"):
            return _zeros_like_structure(self.state_size, batch_size, dtype)

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None) -> Any:
        """TF1's RNNCell.get_initial_state: zero_state, the batch and dtype read off `inputs` when given."""
        if inputs is not None:
            inputs = convert_to_tensor(inputs)
            if batch_size is None:
                known = inputs.shape.as_list()[0] if inputs.shape.ndims else None
                batch_size = known if known is not None else shape(inputs)[0]
            if dtype is not None and as_dtype(dtype) != inputs.dtype:
                raise ValueError(f"{type(self).__name__}.get_initial_state: dtype {as_dtype(dtype).name} differs "
                                 f"from the dtype of inputs {inputs.name}, {inputs.dtype.name}")
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError(f"batch_size and dtype cannot be None while constructing initial state: "
                             f"batch_size={batch_size}, dtype={dtype}")
        return self.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims != 2 or inputs.shape.as_list()[1] is None:
            raise ValueError(f"{type(self).__name__}: inputs {inputs.name} must be [batch, depth] with the depth "
                             f"known, got shape {inputs.shape}")
        if self._variables is None:
            scope_name = scope if isinstance(scope, str) else (self._name or _unique_layer_name(self.base_name))
            with variable_scope(scope_name, reuse=self._reuse or None) as vs:
                self._scope_name = vs.name
                self._variables = self.build(inputs.shape.as_list()[1], inputs.dtype)
                return self.step(inputs, state, self._variables)
        with name_scope(self._scope_name.rsplit("/", 1)[-1]):
            return self.step(inputs, state, self._variables)

    def build(self, input_depth: int, dtype) -> dict[str, Any]:
        raise NotImplementedError

    def step(self, inputs: Tensor, state, variables: dict[str, Any]):
        raise NotImplementedError


def _zeros_like_structure(size, batch_size, dtype):
    if isinstance(size, LSTMStateTuple):
        return LSTMStateTuple(*(_zeros_like_structure(s, batch_size, dtype) for s in size))
    if isinstance(size, tuple):
        return tuple(_zeros_like_structure(s, batch_size, dtype) for s in size)
    return zeros([batch_size, size], dtype=dtype)


class BasicRNNCell(RNNCell):
    """h' = activation([x, h] @ kernel + bias)."""

    base_name = "basic_rnn_cell"

    def build(self, input_depth, dtype):
        return {"kernel": get_variable("kernel", [input_depth + self._num_units, self._num_units], dtype=dtype),
                "bias": get_variable("bias", [self._num_units], dtype=dtype, initializer=zeros_initializer())}

    def step(self, inputs, state, v):
        h = self._activation(_linear(inputs, state, v["kernel"], v["bias"]))
        return h, h


class BasicLSTMCell(RNNCell):
    """The LSTM of Zaremba et al.: gates i, j, f, o from one matmul; forget_bias added to f."""

    base_name = "basic_lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, state_is_tuple: bool = True,
                 activation: Callable | None = None, reuse=None, name: str | None = None, dtype=None):
        super().__init__(num_units, activation, reuse, name, dtype)
        self._forget_bias = float(forget_bias)
        self._state_is_tuple = state_is_tuple

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    def build(self, input_depth, dtype):
        n = self._num_units
        return {"kernel": get_variable("kernel", [input_depth + n, 4 * n], dtype=dtype),
                "bias": get_variable("bias", [4 * n], dtype=dtype, initializer=zeros_initializer())}

    def _split_state(self, state):
        if self._state_is_tuple:
            return state
        return split(state, 2, axis=1)

    def step(self, inputs, state, v):
        c, h = self._split_state(state)
        gates = _linear(inputs, h, v["kernel"], v["bias"])
        i, j, f, o = split(gates, 4, axis=1)
        new_c = c * sigmoid(f + self._forget_bias) + sigmoid(i) * self._activation(j)
        new_h = self._activation(new_c) * sigmoid(o)
        return new_h, (LSTMStateTuple(new_c, new_h) if self._state_is_tuple else concat([new_c, new_h], 1))


class LSTMCell(BasicLSTMCell):
    """The LSTM with optional peepholes, cell clipping and an output projection (Hochreiter & Schmidhuber; Sak)."""

    base_name = "lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip: float | None = None,
                 initializer=None, num_proj: int | None = None, proj_clip: float | None = None,
                 num_unit_shards=None, num_proj_shards=None, forget_bias: float = 1.0, state_is_tuple: bool = True,
                 activation: Callable | None = None, reuse=None, name: str | None = None, dtype=None):
        super().__init__(num_units, forget_bias, state_is_tuple, activation, reuse, name, dtype)
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip

    @property
    def state_size(self):
        n, m = self._num_units, self._num_proj or self._num_units
        return LSTMStateTuple(n, m) if self._state_is_tuple else n + m

    @property
    def output_size(self) -> int:
        return self._num_proj or self._num_units

    def build(self, input_depth, dtype):
        n, m = self._num_units, self._num_proj or self._num_units
        out = {"kernel": get_variable("kernel", [input_depth + m, 4 * n], dtype=dtype, initializer=self._initializer),
               "bias": get_variable("bias", [4 * n], dtype=dtype, initializer=zeros_initializer())}
        if self._use_peepholes:
            for gate in ("w_f_diag", "w_i_diag", "w_o_diag"):
                out[gate] = get_variable(gate, [n], dtype=dtype, initializer=self._initializer)
        if self._num_proj:
            with variable_scope("projection"):
                out["projection"] = get_variable("kernel", [n, self._num_proj], dtype=dtype,
                                                 initializer=self._initializer)
        return out

    def _split_state(self, state):
        if self._state_is_tuple:
            return state
        return split(state, [self._num_units, self._num_proj or self._num_units], axis=1)

    def step(self, inputs, state, v):
        c_prev, m_prev = self._split_state(state)
        gates = _linear(inputs, m_prev, v["kernel"], v["bias"])
        i, j, f, o = split(gates, 4, axis=1)
        if self._use_peepholes:
            c = sigmoid(f + self._forget_bias + v["w_f_diag"] * c_prev) * c_prev + \
                sigmoid(i + v["w_i_diag"] * c_prev) * self._activation(j)
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = _clip(c, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + v["w_o_diag"] * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        if self._num_proj:
            m = matmul(m, v["projection"])
            if self._proj_clip is not None:
                m = _clip(m, self._proj_clip)
        return m, (LSTMStateTuple(c, m) if self._state_is_tuple else concat([c, m], 1))


class GRUCell(RNNCell):
    """The GRU of Cho et al.: reset and update gates (bias 1.0 by default), then the candidate state."""

    base_name = "gru_cell"

    def __init__(self, num_units: int, activation: Callable | None = None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name: str | None = None, dtype=None):
        super().__init__(num_units, activation, reuse, name, dtype)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    def build(self, input_depth, dtype):
        n = self._num_units
        out = {}
        with variable_scope("gates"):
            out["gates/kernel"] = get_variable("kernel", [input_depth + n, 2 * n], dtype=dtype,
                                               initializer=self._kernel_initializer)
            out["gates/bias"] = get_variable("bias", [2 * n], dtype=dtype,
                                             initializer=self._bias_initializer or constant_initializer(1.0))
        with variable_scope("candidate"):
            out["candidate/kernel"] = get_variable("kernel", [input_depth + n, n], dtype=dtype,
                                                   initializer=self._kernel_initializer)
            out["candidate/bias"] = get_variable("bias", [n], dtype=dtype,
                                                 initializer=self._bias_initializer or zeros_initializer())
        return out

    def step(self, inputs, state, v):
        value = sigmoid(_linear(inputs, state, v["gates/kernel"], v["gates/bias"]))
        r, u = split(value, 2, axis=1)
        candidate = self._activation(_linear(inputs, r * state, v["candidate/kernel"], v["candidate/bias"]))
        new_h = u * state + (1 - u) * candidate
        return new_h, new_h


class MultiRNNCell(RNNCell):
    """Cells stacked: each one's output is the next one's input; the state is a tuple of theirs."""

    base_name = "multi_rnn_cell"

    def __init__(self, cells: Sequence[RNNCell], state_is_tuple: bool = True):
        cells = list(cells)
        if not cells:
            raise ValueError("MultiRNNCell needs at least one cell")
        # the same cell object more than once ([cell] * n) shares its variables across the layers, as in TF1
        # (its first call makes them; a later layer of another input depth is TF's shape error)
        self._cells = cells
        self._state_is_tuple = state_is_tuple
        self._variables = None
        self._scope_name = None
        self._name = None
        self._reuse = None

    @property
    def state_size(self):
        sizes = tuple(c.state_size for c in self._cells)
        return sizes if self._state_is_tuple else sum(_flat_size(s) for s in sizes)

    @property
    def output_size(self) -> int:
        return self._cells[-1].output_size

    @property
    def variables(self) -> list:
        return [v for c in self._cells for v in c.variables]

    def zero_state(self, batch_size, dtype) -> Any:
        """TF1: a tuple of each cell's own zero_state (an AttentionWrapper's is an AttentionWrapperState)."""
        if not self._state_is_tuple:
            return super().zero_state(batch_size, dtype)
        with name_scope(f"{type(self).__name__}ZeroState"):
            return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)

    def __call__(self, inputs, state, scope=None):
        first = self._scope_name is None
        scope_name = scope if isinstance(scope, str) else (self._scope_name or _unique_layer_name(self.base_name))
        with variable_scope(scope_name) as vs:
            if first:
                self._scope_name = vs.name
            states = list(state) if self._state_is_tuple else self._split_flat(state)
            outputs, new_states = convert_to_tensor(inputs), []
            for i, cell in enumerate(self._cells):
                with variable_scope(f"cell_{i}"):
                    outputs, s = cell(outputs, states[i])
                new_states.append(s)
        return outputs, (tuple(new_states) if self._state_is_tuple else concat(new_states, 1))

    def _split_flat(self, state):
        return split(state, [_flat_size(c.state_size) for c in self._cells], axis=1)


def _flat_size(size) -> int:
    return sum(_flat_size(s) for s in size) if isinstance(size, tuple) else int(size)


class DropoutWrapper(RNNCell):
    """A cell with dropout on its inputs, outputs and state (keep probabilities: floats or scalar tensors)."""

    def __init__(self, cell: RNNCell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent: bool = False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None):
        if variational_recurrent:
            raise ValueError("DropoutWrapper: variational_recurrent is not supported")
        for given, what in ((input_keep_prob, "input_keep_prob"), (output_keep_prob, "output_keep_prob"),
                            (state_keep_prob, "state_keep_prob")):
            if isinstance(given, (int, float)) and not 0.0 < float(given) <= 1.0:
                raise ValueError(f"DropoutWrapper: {what} must be in (0, 1], got {given}")
        self._cell = cell
        self._input_keep_prob = input_keep_prob
        self._output_keep_prob = output_keep_prob
        self._state_keep_prob = state_keep_prob
        self._seed = seed

    # the wrapped cell's sizes, variables and zero state, as _Wrapper's (not inherited from it: a public method of a
    # private base is named after the first public class that reaches it, and errors here name DropoutWrapper)
    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self) -> int:
        return self._cell.output_size

    @property
    def variables(self) -> list:
        return self._cell.variables

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def _drop(self, x: Tensor, keep) -> Tensor:
        from .nn import dropout
        if isinstance(keep, (int, float)) and float(keep) == 1.0:
            return x
        return dropout(x, keep_prob=keep, seed=self._seed)

    def __call__(self, inputs, state, scope=None):
        output, new_state = self._cell(self._drop(convert_to_tensor(inputs), self._input_keep_prob), state, scope)
        if not (isinstance(self._state_keep_prob, (int, float)) and float(self._state_keep_prob) == 1.0):
            # TF keeps an LSTM's cell state c undropped and drops the rest of the state
            if isinstance(new_state, LSTMStateTuple):
                new_state = LSTMStateTuple(new_state.c, self._drop(new_state.h, self._state_keep_prob))
            elif isinstance(new_state, Tensor):
                new_state = self._drop(new_state, self._state_keep_prob)
        return self._drop(output, self._output_keep_prob), new_state


class _Wrapper(RNNCell):
    """A cell around another: its state, sizes, variables and zero state are the wrapped cell's."""

    def __init__(self, cell: RNNCell):
        if not isinstance(cell, RNNCell):
            raise TypeError(f"{type(self).__name__}: the cell must be an RNNCell, got {cell!r}")
        self._cell = cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self) -> int:
        return self._cell.output_size

    @property
    def variables(self) -> list:
        return self._cell.variables

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)


def _map_structure(fn, *structures):
    head = structures[0]
    if isinstance(head, (list, tuple)):
        if any(not isinstance(s, (list, tuple)) or len(s) != len(head) for s in structures):
            raise ValueError("ResidualWrapper: the inputs and the outputs of the cell must have the same structure")
        mapped = [_map_structure(fn, *parts) for parts in zip(*structures)]
        return type(head)(*mapped) if hasattr(head, "_fields") else type(head)(mapped)
    return fn(*structures)


class ResidualWrapper(_Wrapper):
    """A cell whose output is its input plus the wrapped cell's output (or residual_fn(inputs, outputs))."""

    def __init__(self, cell: RNNCell, residual_fn: Callable | None = None):
        super().__init__(cell)
        self._residual_fn = residual_fn

    def __call__(self, inputs, state, scope=None):
        outputs, new_state = self._cell(inputs, state, scope)
        if self._residual_fn is not None:
            return self._residual_fn(inputs, outputs), new_state

        def add_input(inp, out):
            inp, out = convert_to_tensor(inp), convert_to_tensor(out)
            if inp.shape.ndims is not None and out.shape.ndims is not None and (
                    inp.shape.ndims != out.shape.ndims or any(
                        a is not None and b is not None and a != b
                        for a, b in zip(inp.shape.as_list(), out.shape.as_list()))):
                raise ValueError(f"ResidualWrapper: the input {inp.name} of shape {inp.shape} and the cell's output "
                                 f"{out.name} of shape {out.shape} must have the same shape (num_units equal to "
                                 f"the input depth)")
            return inp + out

        return _map_structure(add_input, inputs, outputs), new_state


class DeviceWrapper(_Wrapper):
    """A cell whose ops (and variables, made at its first call) are placed on `device`."""

    def __init__(self, cell: RNNCell, device: str):
        super().__init__(cell)
        self._device = device

    def zero_state(self, batch_size, dtype):
        from .scopes import device
        with device(self._device):
            return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        from .scopes import device
        with device(self._device):
            return self._cell(inputs, state, scope)


def _unique_layer_name(base: str) -> str:
    # imported when first needed: dfc.layers imports dfc.nn, which imports this module
    from .layers.core import unique_layer_name  # noqa: PLC0415

    return unique_layer_name(base)
