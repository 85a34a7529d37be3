"""tf.keras.backend: the session, learning phase, per-graph name counters and Keras's tensor functions (TF1 graph mode).

Keras keeps one session (`get_session`, which initializes the variables it has not seen initialized),
one learning-phase tensor per graph (`keras_learning_phase`, False unless fed or set) and one counter
per name prefix per graph (`dense`, `dense_1`, ...). The tensor functions are TF1's ops under
Keras's names and argument conventions (`axis`, `keepdims`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import array_ops as _array
from .. import math_ops as _math
from ..framework import Graph, Tensor, convert_to_tensor, get_default_graph, name_scope
from ..graph import reset_default_graph
from ..variables import Variable
from .backend_config import (cast_to_floatx, epsilon, floatx, image_data_format,
                             set_epsilon, set_floatx, set_image_data_format)
from .backend_ops import (abs, all, any, arange, argmax, argmin, batch_dot, batch_flatten, bias_add,
                           binary_crossentropy, cast, categorical_crossentropy, clip, concatenate, cos, cumprod,
                           cumsum, dot, dropout, dtype, elu, equal, exp, expand_dims, flatten, foldl, foldr, gather,
                           gradients, greater, greater_equal, hard_sigmoid, identity, int_shape, is_keras_tensor,
                           l2_normalize, less, less_equal, log, logsumexp, map_fn, max, maximum, mean, min, minimum,
                           ndim, not_equal, one_hot, permute_dimensions, pow, print_tensor, prod, random_binomial,
                           relu, repeat_elements, reshape, resize_images, reverse, round, shape, sigmoid, sign, sin,
                           softmax, softplus, softsign, sparse_categorical_crossentropy, spatial_2d_padding, sqrt,
                           square, squeeze, stack, std, stop_gradient, sum, tanh, temporal_padding, tile, transpose,
                           truncated_normal, var)

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["Function", "abs", "all", "any", "arange", "argmax", "argmin", "batch_dot", "batch_flatten",
           "batch_get_value", "batch_set_value", "bias_add", "binary_crossentropy", "cast", "cast_to_floatx",
           "categorical_crossentropy", "clear_session", "clip", "concatenate", "constant", "cos", "count_params",
           "cumprod", "cumsum", "dot", "dropout", "dtype", "elu", "epsilon", "equal", "eval", "exp", "expand_dims",
           "flatten", "floatx", "foldl", "foldr", "function", "gather", "get_graph", "get_session", "get_uid",
           "get_value", "gradients", "greater", "greater_equal", "hard_sigmoid", "identity", "image_data_format",
           "in_test_phase", "in_train_phase", "int_shape", "is_keras_tensor", "is_placeholder", "is_tensor",
           "l2_normalize", "learning_phase", "learning_phase_scope", "less", "less_equal", "log", "logsumexp",
           "manual_variable_initialization", "map_fn", "max", "maximum", "mean", "min", "minimum", "name_scope",
           "ndim", "not_equal", "one_hot", "ones", "ones_like", "permute_dimensions", "placeholder", "pow",
           "print_tensor", "prod", "random_binomial", "random_normal", "random_uniform", "relu", "repeat_elements",
           "reset_uids", "reshape", "resize_images", "reverse", "round", "set_epsilon", "set_floatx",
           "set_image_data_format", "set_learning_phase", "set_session", "set_value", "shape", "sigmoid", "sign",
           "sin", "softmax", "softplus", "softsign", "sparse_categorical_crossentropy", "spatial_2d_padding", "sqrt",
           "square", "squeeze", "stack", "std", "stop_gradient", "sum", "switch", "tanh", "temporal_padding", "tile",
           "track_variable", "transpose", "truncated_normal", "unique_object_name", "update", "update_add",
           "update_sub", "var", "variable", "zeros", "zeros_like"]

_config: dict[str, Any] = {"session": None, "manual_init": False}


# ---- configuration -----------------------------------------------------------------------------------
def manual_variable_initialization(value: bool) -> None:
    _config["manual_init"] = bool(value)


def get_graph() -> Graph:
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


def learning_phase() -> Tensor | int:
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


def in_train_phase(x, alt, training=None) -> Any:
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


def in_test_phase(x, alt, training=None) -> Any:
    return in_train_phase(alt, x, training=training)


def _as_bool_scalar(t) -> Tensor:
    t = convert_to_tensor(t)
    if not t.dtype.is_bool:
        t = _math.cast(t, "bool")
    return t if t.shape.ndims == 0 else _array.reshape(t, [])


def switch(condition, then_expression, else_expression) -> Tensor:
    then = then_expression() if callable(then_expression) else then_expression
    other = else_expression() if callable(else_expression) else else_expression
    return _math.where(_as_bool_scalar(condition), then, other)


# ---- the session ----------------------------------------------------------------------------------------
#: the Keras version TF 1.15's tf.keras reports (and writes into model files)
_KERAS_VERSION = "2.2.4-tf"


def get_session() -> Session:
    """The default session if one is open, else Keras's own (made once per graph); either way the
    variables not yet initialized in it are initialized first, as Keras does."""
    from dfc.runtime import get_default_session

    from ..session import Session
    session = get_default_session()
    if session is None:
        session = _config["session"]
        if session is None or getattr(session, "graph", None) is not get_default_graph() or \
                getattr(session, "_closed", False):
            session = _config.get("session_factory", Session)()
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
    """A new default graph and no Keras session (names count from the start again); a session the script
    set stays open, as in TF."""
    _config["session"] = None
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


def placeholder(shape=None, ndim: int | None = None, dtype=None, sparse: bool = False,
                name: str | None = None) -> Tensor:
    if sparse:
        raise ValueError("sparse placeholders are not supported")
    if shape is None and ndim is not None:
        shape = (None,) * ndim
    return _array.placeholder(dtype or floatx(), shape, name=name)


def is_placeholder(x) -> bool:
    return isinstance(x, Tensor) and x.op.type == "Placeholder"


def is_tensor(x) -> bool:
    return isinstance(x, (Tensor, Variable))


def get_value(x) -> Any:
    if isinstance(x, (np.ndarray, np.generic, int, float)):
        return x
    return get_session().run(x)


def batch_get_value(tensors) -> list:
    return get_session().run(list(tensors)) if tensors else []


def eval(x) -> Any:  # noqa: A001 - Keras's name
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


def update(x, new_x) -> Tensor:
    return x.assign(new_x)


def update_add(x, increment) -> Tensor:
    return x.assign_add(increment)


def update_sub(x, decrement) -> Tensor:
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
            feeds[holder] = np.asarray(value, dtype=convert_to_tensor(holder).dtype.np)
        fetches = list(self.outputs) + ([self.updates_op] if self.updates_op is not None else []) + self.fetches
        values = get_session().run(fetches, feeds)
        return values[0] if self._single else values[:len(self.outputs)]


def function(inputs, outputs, updates=None, name: str | None = None, **kwargs) -> Function:
    return Function(inputs, outputs, updates=updates, name=name, **kwargs)
