"""tf.nn.rnn_cell: BasicLSTMCell, LSTMCell, GRUCell and MultiRNNCell with TF1's variable names and gate order.

A cell makes its variables on its first call, inside the enclosing variable scope
('rnn/basic_lstm_cell/kernel' under static_rnn), and reuses them at every later call,
as TF1's layer-based cells do.
"""

from __future__ import annotations

import collections
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from dfc.ir.dtypes import as_dtype

from .array_ops import concat, shape, split, zeros
from . import nest
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
    """One step of a recurrent network: `output, new_state = cell(inputs, state)`.

    dfc's cells define `build(input_depth, dtype)` and `step`; a user's subclass defines TF1's `call(inputs,
    state)` (and optionally `build(inputs_shape)` with `add_variable`), runs in its own variable scope (the
    class name in snake case, as TF's layers name it) and reuses its variables on later calls, as TF1 does.
    """

    base_name = "rnn_cell"
    # a subclass may never call __init__ (TF1's old-style cells): these are its defaults
    _variables: dict[str, Any] | None = None
    _scope_name: str | None = None
    _reuse = None
    _name: str | None = None
    _user_scope = None
    built = False

    def __init__(self, num_units: int | None = None, activation: Callable | None = None, reuse=None,
                 name: str | None = None, dtype=None, **kwargs: Any):
        unknown = set(kwargs) - {"_reuse", "_scope", "trainable"}
        if unknown:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"{sorted(unknown)[0]!r}")
        if num_units is not None:
            self._num_units = int(num_units)
            if self._num_units <= 0:
                raise ValueError(f"{type(self).__name__}: num_units must be positive, got {num_units}")
        self._activation = activation or tanh
        self._reuse = reuse if reuse is not None else kwargs.get("_reuse")
        self._name = name
        self._dtype = dtype
        self._variables = None
        self._scope_name = None

    @property
    def state_size(self):
        if not hasattr(self, "_num_units"):
            raise NotImplementedError(f"{type(self).__name__}: Abstract method (define state_size)")
        return self._num_units

    @property
    def output_size(self) -> int:
        if not hasattr(self, "_num_units"):
            raise NotImplementedError(f"{type(self).__name__}: Abstract method (define output_size)")
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
        if type(self).call is not RNNCell.call:
            return self._call_user_cell(inputs, state, scope)
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

    def _call_user_cell(self, inputs, state, scope):
        """A subclass's `call`: built once in its own variable scope, which later calls reuse (TF1's Layer)."""
        inputs = nest.map_structure(convert_to_tensor, inputs)
        if self._user_scope is None:
            scope_name = scope if isinstance(scope, str) else (self._name or _unique_layer_name(
                type(self).__name__, snake=True))
            with variable_scope(scope_name, reuse=self._reuse or None) as vs:
                self._user_scope, self._scope_name = vs, vs.name
                if not self.built and type(self).build is not RNNCell.build:
                    self.build(nest.flatten(inputs)[0].shape)
                self.built = True
                return self.call(inputs, state)
        with variable_scope(self._user_scope, reuse=True):
            return self.call(inputs, state)

    def call(self, inputs, state):
        """TF1's Layer method a user's cell defines: (output, new_state) of one step."""
        raise NotImplementedError

    def add_variable(self, name: str, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                     **kwargs: Any):
        """A variable of the cell, in its scope (TF1's Layer.add_variable, for a subclass's `build`)."""
        return get_variable(name, shape, dtype=dtype or self._dtype, initializer=initializer,
                            regularizer=regularizer, trainable=trainable)

    add_weight = add_variable

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
    """A cell with dropout on its inputs, outputs and state (keep probabilities: floats or scalar tensors).

    As TF1: each call draws new masks (seeds derived from `seed` per input, state and output element), and with
    variational_recurrent=True the masks are drawn once, when the wrapper is made ([1, size]: one mask for the
    whole batch at every time step). dropout_state_filter_visitor decides which parts of the state are dropped
    (by default all but an LSTMStateTuple's c and TensorArrays).
    """

    def __init__(self, cell: RNNCell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent: bool = False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None):
        if dropout_state_filter_visitor is not None and not callable(dropout_state_filter_visitor):
            raise TypeError("dropout_state_filter_visitor must be callable")
        for given, what in ((input_keep_prob, "input_keep_prob"), (output_keep_prob, "output_keep_prob"),
                            (state_keep_prob, "state_keep_prob")):
            if isinstance(given, (int, float)) and not 0.0 <= float(given) <= 1.0:
                raise ValueError(f"Parameter {what} must be between 0 and 1: {int(given)}")
        self._cell = cell
        self._input_keep_prob = input_keep_prob
        self._output_keep_prob = output_keep_prob
        self._state_keep_prob = state_keep_prob
        self._seed = seed
        self._state_filter = dropout_state_filter_visitor or _default_state_filter
        self._variational = bool(variational_recurrent)
        self._recurrent_input_noise = self._recurrent_state_noise = self._recurrent_output_noise = None
        if self._variational:
            if dtype is None:
                raise ValueError("When variational_recurrent=True, dtype must be provided")
            with name_scope("DropoutWrapperInit"):
                if _drops(input_keep_prob):
                    if input_size is None:
                        raise ValueError("When variational_recurrent=True and input_keep_prob < 1.0 or is unknown, "
                                         "input_size must be provided")
                    self._recurrent_input_noise = self._noise(input_size, "input", dtype)
                self._recurrent_state_noise = self._noise(cell.state_size, "state", dtype)
                self._recurrent_output_noise = self._noise(cell.output_size, "output", dtype)

    def _gen_seed(self, salt: str, index: int) -> int | None:
        """TF1's per-element seed: the first 31 bits of md5(str(seed) + salt_index)."""
        if self._seed is None:
            return None
        digest = hashlib.md5(f"{self._seed}{salt}_{index}".encode()).hexdigest()
        return int(digest[:8], 16) & 0x7FFFFFFF

    def _noise(self, sizes, salt: str, dtype):
        """A [1, *size] uniform draw for each size in the structure `sizes` (the same structure of tensors)."""
        from .random_ops import random_uniform
        from .tensor_shape import TensorShape
        flat = nest.flatten(sizes)
        return nest.pack_sequence_as(sizes, [
            random_uniform([1] + TensorShape(size).as_list(), seed=self._gen_seed(salt, i), dtype=dtype)
            for i, size in enumerate(flat)])

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

    @property
    def wrapped_cell(self) -> RNNCell:
        return self._cell

    def zero_state(self, batch_size, dtype):
        with name_scope(f"{type(self).__name__}ZeroState"):
            return self._cell.zero_state(batch_size, dtype)

    def _dropout(self, values, salt: str, noise, keep, which=None):
        """Dropout on each tensor of `values` that `which` (a structure of bools over it, default all) selects:
        TF1's dropout with a per-element seed, or the wrapper's fixed noise when variational."""
        from .math_ops import floor
        from .nn import dropout
        index = [0]

        def one(selected, value, mask):
            i = index[0]
            index[0] += 1
            if selected is False:
                return value
            if self._variational:
                return value / keep * floor(keep + mask)
            return dropout(value, keep_prob=keep, seed=self._gen_seed(salt, i))

        return _map_up_to(which if which is not None else values, one, values,
                          noise if noise is not None else values)

    def __call__(self, inputs, state, scope=None):
        inputs = nest.map_structure(convert_to_tensor, inputs) if nest.is_nested(inputs) else \
            convert_to_tensor(inputs)
        if _drops(self._input_keep_prob):
            inputs = self._dropout(inputs, "input", self._recurrent_input_noise, self._input_keep_prob)
        output, new_state = self._cell(inputs, state, scope)
        if _drops(self._state_keep_prob):
            which = _traverse_shallow(self._state_filter, new_state)
            new_state = self._dropout(new_state, "state", self._recurrent_state_noise, self._state_keep_prob, which)
        if _drops(self._output_keep_prob):
            output = self._dropout(output, "output", self._recurrent_output_noise, self._output_keep_prob)
        return output, new_state


def _drops(keep) -> bool:
    """TF1's test: a keep probability that is not the float 1 (a tensor always drops)."""
    return not isinstance(keep, (int, float)) or float(keep) < 1.0


def _default_state_filter(substate) -> Any:
    """TF1's default: an LSTM's state drops h, never c; a TensorArray is never dropped; anything else is."""
    from .tensor_array_ops import TensorArray
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return not isinstance(substate, TensorArray)


def _traverse_shallow(visitor, structure) -> Any:
    """nest.get_traverse_shallow_structure: visitor's bool (or structure of bools) for structure, descending into
    the parts it answers True for."""
    decision = visitor(structure)
    if not isinstance(decision, bool):
        return decision
    if not decision or not nest.is_nested(structure):
        return decision
    parts = [_traverse_shallow(visitor, part) for part in _parts(structure)]
    return _rebuild(structure, parts)


def _parts(structure) -> list:
    if isinstance(structure, dict):
        return [structure[k] for k in sorted(structure)]
    return list(structure)


def _rebuild(like, parts: list) -> Any:
    if isinstance(like, dict):
        return dict(zip(sorted(like), parts))
    return type(like)(*parts) if hasattr(like, "_fields") else type(like)(parts)


def _map_up_to(shallow, fn, *structures) -> Any:
    """fn(leaf of shallow, the matching parts of structures) for each leaf of shallow, rebuilt as structures[0]."""
    if not nest.is_nested(shallow):
        return fn(shallow, *structures)
    parts = [_map_up_to(s, fn, *rest) for s, *rest in zip(_parts(shallow), *(_parts(x) for x in structures))]
    return _rebuild(structures[0], parts)


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


def _unique_layer_name(base: str, snake: bool = False) -> str:
    """A fresh layer name from `base` (a class name in TF's snake case when `snake`: NewCell -> new_cell)."""
    # imported when first needed: dfc.layers imports dfc.nn, which imports this module
    from .layers.base import _to_snake_case  # noqa: PLC0415
    from .layers.core import unique_layer_name  # noqa: PLC0415

    return unique_layer_name(_to_snake_case(base) if snake else base)
