"""tf.keras.backend: the session, learning phase, per-graph name counters and Keras's tensor functions (TF1 graph mode).

Keras keeps one session (`get_session`, which initializes the variables it has not seen initialized),
one learning-phase tensor per graph (`keras_learning_phase`, False unless fed or set) and one counter
per name prefix per graph (`dense`, `dense_1`, ...). The tensor functions are TF1's ops under
Keras's names and argument conventions (`axis`, `keepdims`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import array_ops as _array
from .. import clip_ops as _clip
from .. import math_ops as _math
from .. import nn as _nn
from ..framework import Tensor, convert_to_tensor, get_default_graph, name_scope
from ..graph import reset_default_graph
from ..variables import Variable

__all__ = ["abs", "all", "any", "argmax", "argmin", "batch_dot", "batch_flatten", "batch_get_value",
           "batch_set_value", "binary_crossentropy", "cast", "cast_to_floatx", "categorical_crossentropy",
           "clear_session", "clip", "concatenate", "constant", "cos", "dot", "dropout", "dtype", "elu", "epsilon",
           "equal", "eval", "exp", "expand_dims", "flatten", "floatx", "function", "gather", "get_session",
           "get_uid", "get_value", "gradients", "greater", "greater_equal", "image_data_format", "in_train_phase",
           "in_test_phase", "int_shape", "is_placeholder", "is_tensor", "l2_normalize", "learning_phase", "less",
           "less_equal", "log", "manual_variable_initialization", "max", "maximum", "mean", "min", "minimum",
           "ndim", "not_equal", "ones", "ones_like", "permute_dimensions", "placeholder", "pow", "prod",
           "random_normal", "random_uniform", "relu", "repeat_elements", "reset_uids", "reshape", "round",
           "set_epsilon", "set_floatx", "set_image_data_format", "set_learning_phase", "set_session", "set_value",
           "shape", "sigmoid", "sign", "sin", "softmax", "softplus", "softsign", "sparse_categorical_crossentropy",
           "sqrt", "square", "squeeze", "stack", "std", "stop_gradient", "sum", "switch", "tanh", "tile",
           "transpose", "update", "update_add", "update_sub", "var", "variable", "zeros", "zeros_like",
           "name_scope", "hard_sigmoid", "count_params", "identity", "reverse", "arange", "one_hot",
           "get_graph", "track_variable"]

_config: dict[str, Any] = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last",
                           "session": None, "manual_init": False}


# ---- configuration -----------------------------------------------------------------------------------
def floatx() -> str:
    return _config["floatx"]


def set_floatx(value: str) -> None:
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown floatx type: {value}")
    _config["floatx"] = str(value)


def epsilon() -> float:
    return _config["epsilon"]


def set_epsilon(value: float) -> None:
    _config["epsilon"] = value


def image_data_format() -> str:
    return _config["image_data_format"]


def set_image_data_format(data_format: str) -> None:
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format}")
    _config["image_data_format"] = str(data_format)


def cast_to_floatx(x) -> np.ndarray:
    return np.asarray(x, dtype=floatx())


def manual_variable_initialization(value: bool) -> None:
    _config["manual_init"] = bool(value)


def get_graph():
    return get_default_graph()


# ---- names and the learning phase, per graph -----------------------------------------------------------
def _state() -> dict:
    return get_default_graph().collections.setdefault("__keras_state", {"uids": {}, "phase": None, "variables": []})


def get_uid(prefix: str = "") -> int:
    """1, 2, 3, ... for each call with `prefix` in the current graph (Keras's default names count with it)."""
    uids = _state()["uids"]
    uids[prefix] = uids.get(prefix, 0) + 1
    return uids[prefix]


def reset_uids() -> None:
    _state()["uids"].clear()


def unique_object_name(base: str) -> str:
    """`base`, then `base_1`, `base_2`, ... in the current graph (Keras's default layer and model names)."""
    n = get_uid(base) - 1
    return base if n == 0 else f"{base}_{n}"


def track_variable(v: Variable) -> None:
    _state()["variables"].append(v)


def learning_phase():
    """The learning phase: the int set by set_learning_phase, else the graph's bool tensor
    `keras_learning_phase` (False unless fed)."""
    state = _state()
    if isinstance(state["phase"], int):
        return state["phase"]
    if state["phase"] is None:
        with name_scope(""):
            state["phase"] = _array.placeholder_with_default(False, shape=(), name="keras_learning_phase")
    return state["phase"]


def _learning_phase_tensor(graph=None) -> Tensor | None:
    """The graph's learning-phase tensor if one was made (what fit and evaluate feed)."""
    state = (graph or get_default_graph()).collections.get("__keras_state")
    phase = state and state["phase"]
    return phase if isinstance(phase, Tensor) else None


def set_learning_phase(value: int) -> None:
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    _state()["phase"] = int(value)


@contextlib.contextmanager
def learning_phase_scope(value: int) -> Iterator[None]:
    state = _state()
    before = state["phase"]
    set_learning_phase(value)
    try:
        yield
    finally:
        state["phase"] = before


def in_train_phase(x, alt, training=None):
    """x when training (the learning phase if None), alt otherwise; a bool tensor selects per run."""
    if training is None:
        training = learning_phase()
    if training is True or (isinstance(training, int) and not isinstance(training, bool) and training == 1):
        return x() if callable(x) else x
    if training is False or (isinstance(training, int) and training == 0):
        return alt() if callable(alt) else alt
    x = x() if callable(x) else x
    alt = alt() if callable(alt) else alt
    return _math.where(_as_bool_scalar(training), x, alt)


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)


def _as_bool_scalar(t) -> Tensor:
    t = convert_to_tensor(t)
    if not t.dtype.is_bool:
        t = _math.cast(t, "bool")
    return t if t.shape.ndims == 0 else _array.reshape(t, [])


def switch(condition, then_expression, else_expression):
    then = then_expression() if callable(then_expression) else then_expression
    other = else_expression() if callable(else_expression) else else_expression
    return _math.where(_as_bool_scalar(condition), then, other)


# ---- the session ----------------------------------------------------------------------------------------
def get_session():
    """The default session if one is open, else Keras's own (made once per graph); either way the
    variables not yet initialized in it are initialized first, as Keras does."""
    from dfc.runtime import get_default_session

    from ..session import Session
    session = get_default_session()
    if session is None:
        session = _config["session"]
        if session is None or getattr(session, "graph", None) is not get_default_graph() or \
                getattr(session, "_closed", False):
            session = Session()
            _config["session"] = session
    if not _config["manual_init"]:
        _initialize_new_variables(session)
    return session


def _initialize_new_variables(session) -> None:
    from ..variables import global_variables
    store = getattr(session, "store", None)
    fresh = [v for v in global_variables() if store is None or not store.is_initialized(v.op.name)]
    if fresh:
        session.run([v.initializer for v in fresh])


def set_session(session) -> None:
    _config["session"] = session


def clear_session() -> None:
    """A new default graph and no Keras session (names count from the start again)."""
    session = _config["session"]
    _config["session"] = None
    if session is not None and hasattr(session, "close"):
        with contextlib.suppress(Exception):
            session.close()
    reset_default_graph()


# ---- variables and values -------------------------------------------------------------------------------
def variable(value, dtype=None, name: str | None = None, constraint=None) -> Variable:
    dtype = dtype or floatx()
    value = np.asarray(value, dtype=np.dtype(str(dtype)))
    v = Variable(value, dtype=dtype, name=name)
    v._keras_shape = value.shape
    return v


def constant(value, dtype=None, shape=None, name: str | None = None) -> Tensor:
    from ..array_ops import constant as tf_constant
    return tf_constant(value, dtype=dtype or floatx(), shape=shape, name=name)


def placeholder(shape=None, ndim: int | None = None, dtype=None, sparse: bool = False, name: str | None = None):
    if sparse:
        raise ValueError("sparse placeholders are not supported")
    if shape is None and ndim is not None:
        shape = (None,) * ndim
    return _array.placeholder(dtype or floatx(), shape, name=name)


def is_placeholder(x) -> bool:
    return isinstance(x, Tensor) and x.op.type == "Placeholder"


def is_tensor(x) -> bool:
    return isinstance(x, (Tensor, Variable))


def get_value(x):
    if isinstance(x, (np.ndarray, np.generic, int, float)):
        return x
    return get_session().run(x)


def batch_get_value(tensors) -> list:
    return get_session().run(list(tensors)) if tensors else []


def eval(x):  # noqa: A001 - Keras's name
    return get_value(x)


def set_value(x: Variable, value) -> None:
    batch_set_value([(x, value)])


def batch_set_value(tuples) -> None:
    """Assign each (variable, value) through a fed placeholder made once per variable."""
    tuples = list(tuples)
    if not tuples:
        return
    session = get_session()
    ops, feeds = [], {}
    for x, value in tuples:
        value = np.asarray(value, dtype=x.dtype.np)
        if not hasattr(x, "_keras_assign"):
            with get_default_graph().as_default() if hasattr(get_default_graph(), "as_default") else \
                    contextlib.nullcontext():
                holder = _array.placeholder(x.dtype, x.shape, name=f"{x.op.name}_assign_value")
                x._keras_assign = (holder, x.assign(holder))
        holder, op = x._keras_assign
        ops.append(op)
        feeds[holder] = value
    session.run(ops, feeds)


def count_params(x) -> int:
    return int(np.prod(x.shape.as_list()))


def update(x, new_x):
    return x.assign(new_x)


def update_add(x, increment):
    return x.assign_add(increment)


def update_sub(x, decrement):
    return x.assign_sub(decrement)


def zeros(shape, dtype=None, name: str | None = None) -> Variable:
    return variable(np.zeros(shape), dtype=dtype, name=name)


def ones(shape, dtype=None, name: str | None = None) -> Variable:
    return variable(np.ones(shape), dtype=dtype, name=name)


def zeros_like(x, dtype=None, name: str | None = None) -> Tensor:
    return _array.zeros_like(x, dtype=dtype, name=name)


def ones_like(x, dtype=None, name: str | None = None) -> Tensor:
    return _array.ones_like(x, dtype=dtype, name=name)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    from ..random_ops import random_normal as normal
    return normal(shape, mean, stddev, dtype=dtype or floatx(), seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    from ..random_ops import random_uniform as uniform
    return uniform(shape, minval, maxval, dtype=dtype or floatx(), seed=seed)


# ---- shapes -----------------------------------------------------------------------------------------------
def int_shape(x) -> tuple | None:
    shape = getattr(x, "_keras_shape", None)
    if shape is not None:
        return tuple(shape)
    dims = convert_to_tensor(x).shape
    return None if dims.ndims is None else tuple(dims.as_list())


def ndim(x) -> int | None:
    return convert_to_tensor(x).shape.ndims


def dtype(x) -> str:
    return convert_to_tensor(x).dtype.name


def shape(x) -> Tensor:
    return _array.shape(x)


def reshape(x, shape) -> Tensor:
    return _array.reshape(x, shape)


def permute_dimensions(x, pattern) -> Tensor:
    return _array.transpose(x, perm=list(pattern))


def transpose(x) -> Tensor:
    return _array.transpose(x)


def expand_dims(x, axis: int = -1) -> Tensor:
    return _array.expand_dims(x, axis)


def squeeze(x, axis: int) -> Tensor:
    return _array.squeeze(x, [axis])


def flatten(x) -> Tensor:
    return _array.reshape(x, [-1])


def batch_flatten(x) -> Tensor:
    x = convert_to_tensor(x)
    rest = x.shape.as_list()[1:]
    if None not in rest:
        return _array.reshape(x, [-1, int(np.prod(rest, dtype=np.int64))])
    return _array.reshape(x, _array.stack([-1, _math.reduce_prod(_array.shape(x)[1:])]))


def concatenate(tensors, axis: int = -1) -> Tensor:
    tensors = [convert_to_tensor(t) for t in tensors]
    if axis < 0:
        rank = tensors[0].shape.ndims
        axis = axis % rank if rank else 0
    return _array.concat(tensors, axis)


def stack(x, axis: int = 0) -> Tensor:
    return _array.stack(x, axis=axis)


def tile(x, n) -> Tensor:
    return _array.tile(x, [n] if isinstance(n, int) else n)


def repeat_elements(x, rep: int, axis: int) -> Tensor:
    from ..tensor_ops import repeat
    return repeat(x, rep, axis=axis)


def gather(reference, indices) -> Tensor:
    return _array.gather(reference, indices)


def one_hot(indices, num_classes: int) -> Tensor:
    return _array.one_hot(indices, depth=num_classes, axis=-1)


def reverse(x, axes) -> Tensor:
    from ..tensor_ops import reverse as rev
    return rev(x, [axes] if isinstance(axes, int) else list(axes))


def arange(start, stop=None, step=1, dtype="int32") -> Tensor:
    return _array.range(start, stop, step, dtype=dtype)


def identity(x, name: str | None = None) -> Tensor:
    return _array.identity(x, name=name)


def cast(x, dtype) -> Tensor:
    return _math.cast(x, dtype)


def stop_gradient(variables):
    from ..gradients_impl import stop_gradient as stop
    if isinstance(variables, (list, tuple)):
        return [stop(v) for v in variables]
    return stop(variables)


# ---- math -----------------------------------------------------------------------------------------------
def _reduce(fn):
    def reduce(x, axis=None, keepdims: bool = False):
        return fn(x, axis=axis, keepdims=keepdims)
    reduce.__name__ = fn.__name__
    return reduce


max = _reduce(_math.reduce_max)  # noqa: A001 - Keras's names
min = _reduce(_math.reduce_min)  # noqa: A001
sum = _reduce(_math.reduce_sum)  # noqa: A001
prod = _reduce(_math.reduce_prod)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    x = convert_to_tensor(x)
    if x.dtype.is_bool:
        x = _math.cast(x, floatx())
    return _math.reduce_mean(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims: bool = False) -> Tensor:
    x = convert_to_tensor(x)
    m = _math.reduce_mean(x, axis=axis, keepdims=True)
    return _math.reduce_mean(_math.square(x - m), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims: bool = False) -> Tensor:
    return _math.sqrt(var(x, axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _math.reduce_any(_math.cast(x, "bool"), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _math.reduce_all(_math.cast(x, "bool"), axis=axis, keepdims=keepdims)


def argmax(x, axis: int = -1) -> Tensor:
    return _math.argmax(x, axis)


def argmin(x, axis: int = -1) -> Tensor:
    return _math.argmin(x, axis)


def square(x) -> Tensor:
    return _math.square(x)


def abs(x) -> Tensor:  # noqa: A001
    return _math.abs(x)


def sqrt(x) -> Tensor:
    x = convert_to_tensor(x)
    zero = convert_to_tensor(0.0, dtype=x.dtype)
    inf = convert_to_tensor(np.inf, dtype=x.dtype)
    return _math.sqrt(_clip.clip_by_value(x, zero, inf))


def exp(x) -> Tensor:
    return _math.exp(x)


def log(x) -> Tensor:
    return _math.log(x)


def pow(x, a) -> Tensor:  # noqa: A001
    return _math.pow(x, a)


def round(x) -> Tensor:  # noqa: A001
    return _math.round(x)


def sign(x) -> Tensor:
    return _math.sign(x)


def sin(x) -> Tensor:
    return _math.sin(x)


def cos(x) -> Tensor:
    return _math.cos(x)


def clip(x, min_value, max_value) -> Tensor:
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    x = convert_to_tensor(x)
    lo = -np.inf if min_value is None else min_value
    hi = np.inf if max_value is None else max_value
    return _clip.clip_by_value(x, convert_to_tensor(lo, dtype=x.dtype), convert_to_tensor(hi, dtype=x.dtype))


def equal(x, y) -> Tensor:
    return _math.equal(x, y)


def not_equal(x, y) -> Tensor:
    return _math.not_equal(x, y)


def greater(x, y) -> Tensor:
    return _math.greater(x, y)


def greater_equal(x, y) -> Tensor:
    return _math.greater_equal(x, y)


def less(x, y) -> Tensor:
    return _math.less(x, y)


def less_equal(x, y) -> Tensor:
    return _math.less_equal(x, y)


def maximum(x, y) -> Tensor:
    return _math.maximum(x, y)


def minimum(x, y) -> Tensor:
    return _math.minimum(x, y)


def dot(x, y) -> Tensor:
    """x @ y over x's last and y's second-to-last axis (any ranks, as Keras's dot)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    if x.shape.ndims is not None and y.shape.ndims is not None and (x.shape.ndims > 2 or y.shape.ndims > 2):
        from ..linalg_ops import tensordot
        return tensordot(x, y, [[x.shape.ndims - 1], [y.shape.ndims - 2 if y.shape.ndims > 1 else 0]])
    return _math.matmul(x, y)


def batch_dot(x, y, axes=None) -> Tensor:
    """Per-sample dot products of [batch, ...] tensors over `axes` (Keras's batch_dot for ranks 2 and 3)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    rx, ry = x.shape.ndims, y.shape.ndims
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (rx - 1, ry - 1 if ry == 2 else ry - 2)
    ax, ay = (a % r for a, r in zip(axes, (rx, ry)))
    if rx == 2 and ry == 2:
        return _math.reduce_sum(x * y, axis=ax, keepdims=True) if ax == ay else \
            _math.reduce_sum(x * y, axis=1, keepdims=True)
    xx = x if rx > 2 else _array.expand_dims(x, 1 if ax == 1 else 2)
    yy = y if ry > 2 else _array.expand_dims(y, 2 if ay == 1 else 1)
    xa = ax if rx > 2 else (2 if ax == 1 else 1)
    ya = ay if ry > 2 else (1 if ay == 1 else 2)
    out = _math.matmul(xx, yy, transpose_a=xa != 2, transpose_b=ya != 1)
    if rx == 2:
        out = _array.squeeze(out, [1])
    if ry == 2:
        out = _array.squeeze(out, [-1])
    if out.shape.ndims == 1:
        out = _array.expand_dims(out, 1)
    return out


def l2_normalize(x, axis=None) -> Tensor:
    return _clip.l2_normalize(x, axis=axis)


def gradients(loss, variables) -> list:
    from ..gradients_impl import gradients as tf_gradients
    return tf_gradients(loss, variables)


# ---- activations and losses ---------------------------------------------------------------------------
def relu(x, alpha: float = 0.0, max_value=None, threshold: float = 0.0) -> Tensor:
    x = convert_to_tensor(x)
    if alpha == 0.0 and threshold == 0.0 and max_value is None:
        return _nn.relu(x)
    if alpha == 0.0 and threshold == 0.0 and max_value == 6:
        return _nn.relu6(x)
    negative = None
    if alpha != 0.0:
        negative = _nn.relu(-x + threshold) if threshold != 0 else _nn.relu(-x)
    if threshold != 0:
        x = x * _math.cast(_math.greater(x, threshold), x.dtype)
    else:
        x = _nn.relu(x)
    if max_value is not None:
        x = _clip.clip_by_value(x, convert_to_tensor(0.0, dtype=x.dtype), convert_to_tensor(max_value, dtype=x.dtype))
    if negative is not None:
        x = x - alpha * negative
    return x


def elu(x, alpha: float = 1.0) -> Tensor:
    from ..nn_activations import elu as tf_elu
    res = tf_elu(x)
    return res if alpha == 1 else _math.where(_math.greater(x, 0.0), res, alpha * res)


def softmax(x, axis: int = -1) -> Tensor:
    return _nn.softmax(x, axis=axis)


def softplus(x) -> Tensor:
    return _math.softplus(x)


def softsign(x) -> Tensor:
    return _math.softsign(x)


def sigmoid(x) -> Tensor:
    return _math.sigmoid(x)


def hard_sigmoid(x) -> Tensor:
    x = convert_to_tensor(x)
    return _clip.clip_by_value(0.2 * x + 0.5, convert_to_tensor(0.0, dtype=x.dtype),
                               convert_to_tensor(1.0, dtype=x.dtype))


def tanh(x) -> Tensor:
    return _math.tanh(x)


def dropout(x, level: float, noise_shape=None, seed=None) -> Tensor:
    return _nn.dropout(x, rate=level, noise_shape=noise_shape, seed=seed)


def _logits_of(output: Tensor, op_type: str) -> Tensor | None:
    """The input of `output`'s op when that op is `op_type` (Keras then computes from the logits, as TF)."""
    if isinstance(output, Variable) or output.op.type != op_type:
        return None
    return output.op.inputs[0]


def categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1) -> Tensor:
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if not from_logits:
        logits = _logits_of(output, "Softmax")
        if logits is None:
            output = output / _math.reduce_sum(output, axis=axis, keepdims=True)
            eps = convert_to_tensor(epsilon(), dtype=output.dtype)
            output = _clip.clip_by_value(output, eps, 1.0 - eps)
            return -_math.reduce_sum(target * _math.log(output), axis=axis)
        output = logits
    return _nn.softmax_cross_entropy_with_logits_v2(labels=target, logits=output, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1) -> Tensor:
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    rank = output.shape.ndims
    axis = axis % rank
    if axis != rank - 1:
        output = _array.transpose(output, [i for i in range(rank) if i != axis] + [axis])
    if not from_logits:
        logits = _logits_of(output, "Softmax")
        if logits is None:
            eps = convert_to_tensor(epsilon(), dtype=output.dtype)
            output = _math.log(_clip.clip_by_value(output, eps, 1.0 - eps))
        else:
            output = logits
    dims = output.shape.as_list()
    labels = _math.cast(_array.reshape(target, [-1]), "int64")
    logits = _array.reshape(output, [-1, dims[-1]]) if rank != 2 else output
    res = _nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    if rank > 2:
        lead = dims[:-1]
        res = _array.reshape(res, lead if None not in lead else _array.shape(output)[:-1])
    return res


def binary_crossentropy(target, output, from_logits: bool = False) -> Tensor:
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if not from_logits:
        logits = _logits_of(output, "Sigmoid")
        if logits is None:
            eps = convert_to_tensor(epsilon(), dtype=output.dtype)
            output = _clip.clip_by_value(output, eps, 1.0 - eps)
            bce = target * _math.log(output + epsilon())
            bce = bce + (1 - target) * _math.log(1 - output + epsilon())
            return -bce
        output = logits
    return _nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)


# ---- functions ------------------------------------------------------------------------------------------
class Function:
    """K.function: run `outputs` (and the `updates`) for the values of `inputs`, in Keras's session."""

    def __init__(self, inputs, outputs, updates=None, name: str | None = None, **session_kwargs):
        self.inputs = list(inputs)
        self._single = not isinstance(outputs, (list, tuple))
        self.outputs = [outputs] if self._single else list(outputs)
        from ..variables import group
        updates = [u if not isinstance(u, tuple) else u[0].assign(u[1]) for u in (updates or [])]
        self.updates_op = group(*updates) if updates else None
        self.fetches = session_kwargs.get("fetches", [])

    def __call__(self, inputs):
        if len(inputs) != len(self.inputs):
            raise ValueError(f"K.function expects {len(self.inputs)} inputs, got {len(inputs)}")
        feeds = {}
        for holder, value in zip(self.inputs, inputs):
            if isinstance(holder, int) or holder is None:
                continue
            feeds[holder] = value
        fetches = list(self.outputs) + ([self.updates_op] if self.updates_op is not None else []) + self.fetches
        values = get_session().run(fetches, feeds)
        return values[0] if self._single else values[:len(self.outputs)]


def function(inputs, outputs, updates=None, name: str | None = None, **kwargs) -> Function:
    return Function(inputs, outputs, updates=updates, name=name, **kwargs)
