"""The pieces tf.contrib.rnn's research cells share: TF1's _Linear variables, layer norm, sharded weights,
peephole terms, the LSTM state update, clipping and projected-LSTM state sizes, each with TF 1.15's names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import array_ops as A
from .. import math_ops as M
from .. import nn
from ..clip_ops import clip_by_value
from ..framework import Tensor, name_scope
from ..rnn_cell import LSTMStateTuple, RNNCell, _unique_layer_name
from ..variables import constant_initializer, get_variable, get_variable_scope, random_uniform_initializer, \
    variable_scope

UNIFORM_1 = random_uniform_initializer(-1.0, 1.0)


# ---- variables -------------------------------------------------------------------------------------------
def dense(name: str, rows: int, cols: int, dtype, bias: bool = True, bias_init=None, initializer=None) -> dict:
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


def affine(args: list, weights: dict) -> Tensor:
    """concat(args, 1) @ kernel (+ bias): what _Linear computes from `dense`'s variables."""
    x = args[0] if len(args) == 1 else A.concat(args, 1)
    out = M.matmul(x, weights["kernel"])
    return nn.bias_add(out, weights["bias"]) if "bias" in weights else out


def layer_norm_vars(scope: str, n: int, gain: float, shift: float, dtype) -> dict:
    """contrib.layers.layer_norm's 'gamma' (gain) and 'beta' (shift) of width n in scope `scope`."""
    with variable_scope(scope):
        return {"gamma": get_variable("gamma", [n], dtype=dtype, initializer=constant_initializer(gain)),
                "beta": get_variable("beta", [n], dtype=dtype, initializer=constant_initializer(shift))}


def layer_norm(x: Tensor, v: dict) -> Tensor:
    """contrib.layers.layer_norm over the last axis (variance epsilon 1e-12), as contrib's cells call it."""
    mean, variance = nn.moments(x, [1], keep_dims=True)
    return nn.batch_normalization(x, mean, variance, v["beta"], v["gamma"], 1e-12)


def concat_variable(name: str, shape: list, dtype, num_shards: int, initializer=None):
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


def diagonals(names: list[str] | tuple[str, ...], n: int, dtype, initializer=None, suffix: str = "") -> dict:
    """Peephole (or other per-unit) weight vectors [n], one variable per name (+ suffix)."""
    return {name: get_variable(f"{name}{suffix}", [n], dtype=dtype, initializer=initializer) for name in names}


def current_scope():
    """The enclosing variable scope, to reopen with the cell's initializer (as TF's cells do)."""
    return get_variable_scope()


# ---- the math ------------------------------------------------------------------------------------------------
def peephole(gate: Tensor, v: dict, name: str, c: Tensor) -> Tensor:
    """gate + v[name] * c: a peephole connection from the cell state c, when the cell made that weight."""
    return gate + v[name] * c if name in v else gate


def lstm_cell_state(c_prev: Tensor, i: Tensor, j: Tensor, f: Tensor, forget_bias: float, activation: Callable,
                    v: dict | None = None, peepholes: tuple[str, str] = ("", "")) -> Tensor:
    """c' = sigmoid(f + forget_bias [+ w_f * c]) * c + sigmoid(i [+ w_i * c]) * activation(j); peepholes names
    the (forget, input) peephole weights in v."""
    v = v or {}
    forget = M.sigmoid(peephole(f + forget_bias, v, peepholes[0], c_prev))
    return forget * c_prev + M.sigmoid(peephole(i, v, peepholes[1], c_prev)) * activation(j)


def lstm_output(o: Tensor, c: Tensor, activation: Callable, v: dict | None = None, peep: str = "") -> Tensor:
    """m = sigmoid(o [+ w_o * c]) * activation(c), with the output peephole v[peep] when the cell has one."""
    return M.sigmoid(peephole(o, v or {}, peep, c)) * activation(c)


def clip(x: Tensor, limit: float | None) -> Tensor:
    """x clipped to [-limit, limit]; x itself without a limit (cell_clip / proj_clip unset)."""
    return x if limit is None else clip_by_value(x, -limit, limit)


def zero_rows(like: Tensor, n: int) -> Tensor:
    """Zeros [batch, n] with `like`'s batch (static when known) and dtype."""
    batch = like.shape.as_list()[0]
    return A.zeros([batch, n] if batch is not None else A.stack([A.shape(like)[0], n]), dtype=like.dtype)


def input_depth(cell: RNNCell, inputs: Tensor) -> int:
    """The known depth of [batch, depth] inputs, or TF's ValueError naming the cell and the tensor."""
    if inputs.shape.ndims != 2 or inputs.shape.as_list()[1] is None:
        raise ValueError(f"{type(cell).__name__}: Could not infer input size from inputs {inputs.name} of shape "
                         f"{inputs.shape}: it must be [batch, depth] with the depth known")
    return inputs.shape.as_list()[1]


def call_in_scope(cell: RNNCell, inputs: Any, state: Any, depth: int, dtype, scope, base: str):
    """RNNCell.__call__'s scoping for cells whose inputs are not one [batch, depth] tensor: the first call
    builds the variables in scope `scope` (else a unique `base` name) and steps there, later calls step in a
    name scope of that name."""
    if cell._variables is None:
        name = scope if isinstance(scope, str) else _unique_layer_name(base)
        with variable_scope(name, reuse=cell._reuse or None) as vs:
            cell._scope_name = vs.name
            cell._variables = cell.build(depth, dtype)
            return cell.step(inputs, state, cell._variables)
    with name_scope(cell._scope_name.rsplit("/", 1)[-1]):
        return cell.step(inputs, state, cell._variables)


class LSTMStateCell(RNNCell):
    """A cell with an LSTM's state (c, m): c num_units wide, m and the output num_proj wide when the cell
    projects, else num_units."""

    _num_proj: int | None = None

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_proj or self._num_units)

    @property
    def output_size(self) -> int:
        return self._num_proj or self._num_units
