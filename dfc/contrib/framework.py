"""tf.contrib.framework: arg_scope / add_arg_scope, model variables and the variable lookups of TF1's slim era.

arg_scope keeps a stack of {function key: default keyword arguments}; a function decorated with
add_arg_scope takes the innermost defaults for it, the caller's own keywords winning. Model
variables are variables also filed under tf.GraphKeys.MODEL_VARIABLES (what TF1's contrib layers
make), and the lookups filter collections by scope (a regular expression matched at the start of
the name, as tf.get_collection) and name suffix.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator

import numpy as np

from .. import nest
from ..control_flow_ops import smart_cond
from ..framework import Tensor
from ..graph import GraphKeys, get_collection
from ..training_util import create_global_step, get_global_step, get_or_create_global_step
from ..variables import Variable, VariableScope, get_variable

_state = threading.local()
_DECORATED: set[str] = set()


def _arg_stack() -> list[dict]:
    if not hasattr(_state, "stack"):
        _state.stack = [{}]
    return _state.stack


def current_arg_scope() -> dict:
    return _arg_stack()[-1]


def arg_scope_func_key(op: Callable) -> str:
    return getattr(op, "_key_op", f"{getattr(op, '__module__', '')}.{getattr(op, '__qualname__', str(op))}")


def has_arg_scope(func: Callable) -> bool:
    return arg_scope_func_key(func) in _DECORATED


def add_arg_scope(func: Callable) -> Callable:
    """Let arg_scope set default keyword arguments of `func`."""
    key = arg_scope_func_key(func)

    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        scope = current_arg_scope()
        if key in scope:
            merged = dict(scope[key])
            merged.update(kwargs)
            kwargs = merged
        return func(*args, **kwargs)

    _DECORATED.add(key)
    func_with_args._key_op = key  # type: ignore[attr-defined]
    return func_with_args


def arg_scoped_arguments(func: Callable) -> list[str]:
    """The arguments of an add_arg_scope function that arg_scope can set."""
    import inspect
    if not has_arg_scope(func):
        raise ValueError(f"{getattr(func, '__name__', func)} is not decorated with @add_arg_scope")
    target = inspect.unwrap(func)
    return [p.name for p in inspect.signature(target).parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs) -> Iterator[dict]:
    """Default keyword arguments for the given add_arg_scope functions (or re-enter a scope dict it yielded)."""
    stack = _arg_stack()
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by suppling a dictionary, kwargs must be empty.")
        current = dict(list_ops_or_scope)
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope (i.e. dict)")
        current = dict(current_arg_scope())
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                raise ValueError(f"{getattr(op, '__name__', op)} is not decorated with @add_arg_scope")
            key = arg_scope_func_key(op)
            merged = dict(current.get(key, {}))
            merged.update(kwargs)
            current[key] = merged
    stack.append(current)
    try:
        yield current
    finally:
        stack.pop()


def _collections_for(collections, name: str | None = None) -> list[str]:
    if isinstance(collections, dict):
        collections = collections.get(name) if name is not None else None
    if collections is None:
        return []
    return [collections] if isinstance(collections, str) else list(collections)


@add_arg_scope
def variable(name: str, shape=None, dtype=None, initializer=None, regularizer=None, trainable: bool = True,
             collections=None, caching_device=None, device=None, partitioner=None, custom_getter=None,
             use_resource=None, synchronization=None, aggregation=None) -> Variable:
    """tf.get_variable filed under GLOBAL_VARIABLES plus `collections` (contrib.framework.variable)."""
    wanted = list(dict.fromkeys([GraphKeys.GLOBAL_VARIABLES, *_collections_for(collections)]))
    getter = custom_getter if custom_getter is not None else _plain_getter
    extra = {"partitioner": partitioner} if partitioner is not None else {}
    return getter(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                  trainable=trainable, collections=wanted, **extra)


def _plain_getter(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                  collections=None, partitioner=None, **_):
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                        trainable=trainable, collections=collections, partitioner=partitioner)


@add_arg_scope
def model_variable(name: str, shape=None, dtype=None, initializer=None, regularizer=None, trainable: bool = True,
                   collections=None, caching_device=None, device=None, partitioner=None, custom_getter=None,
                   use_resource=None, synchronization=None, aggregation=None) -> Variable:
    """A variable also filed under tf.GraphKeys.MODEL_VARIABLES."""
    wanted = [GraphKeys.MODEL_VARIABLES, *_collections_for(collections)]
    return variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                    trainable=trainable, collections=wanted, partitioner=partitioner, custom_getter=custom_getter)


def add_model_variable(var) -> None:
    from ..graph import add_to_collection
    if var not in get_collection(GraphKeys.MODEL_VARIABLES):
        add_to_collection(GraphKeys.MODEL_VARIABLES, var)


def get_variables(scope=None, suffix: str | None = None, collection: str = GraphKeys.GLOBAL_VARIABLES) -> list:
    """The variables of `collection` whose names start with `scope` (a regex) and end with `suffix`."""
    if isinstance(scope, VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return get_collection(collection, scope)


def get_model_variables(scope=None, suffix: str | None = None) -> list:
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope=None, suffix: str | None = None) -> list:
    return get_variables(scope, suffix, GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope=None, suffix: str | None = None) -> list:
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_by_suffix(suffix: str, scope=None) -> list:
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name: str, scope=None) -> list:
    """The variables whose names end with `given_name` (TF1's suffix match)."""
    return get_variables(scope=scope, suffix=given_name)


def get_unique_variable(var_op_name: str) -> Variable:
    """The one variable named exactly `var_op_name` (ValueError if none or several)."""
    candidates = [v for v in get_variables(scope=var_op_name) if v.op.name == var_op_name]
    if not candidates:
        raise ValueError(f"Couldn't find variable {var_op_name}")
    if len(candidates) > 1:
        raise ValueError(f"Variable {var_op_name} does not uniquely identify a variable")
    return candidates[0]


def get_variables_to_restore(include=None, exclude=None) -> list:
    """The global variables under the scopes of `include` (all if None), minus those under `exclude`."""
    chosen = get_variables() if include is None else [v for scope in include for v in get_variables(scope)]
    dropped = {id(v) for scope in (exclude or []) for v in get_variables(scope)}
    return [v for v in dict.fromkeys(chosen) if id(v) not in dropped]


def assign_from_checkpoint_fn(model_path: str, var_list, ignore_missing_vars: bool = False,
                               reshape_variables: bool = False) -> Callable:
    """A function session -> None that restores var_list (a list, or a dict checkpoint name -> variable) from
    model_path; with ignore_missing_vars, the variables the checkpoint lacks are left out (with a warning)."""
    import logging

    from ..saver import Saver
    if not var_list:
        raise ValueError("var_list cannot be empty")
    if ignore_missing_vars:
        from dfc.runtime.checkpoint import load_tensors

        from ..saver import SUFFIX
        names, _ = load_tensors(model_path if model_path.endswith(SUFFIX) else model_path + SUFFIX)
        wanted = var_list if isinstance(var_list, dict) else {v.op.name: v for v in var_list}
        var_list = {}
        for key, var in wanted.items():
            if key in names:
                var_list[key] = var
            else:
                logging.getLogger("dfc").warning("Variable %s missing in checkpoint %s", key, model_path)
    if not var_list:
        logging.getLogger("dfc").warning("No Variables to restore")
        return None
    saver = Saver(var_list, reshape=reshape_variables)

    def callback(session) -> None:
        saver.restore(session, model_path)

    return callback


def local_variable(initial_value, validate_shape: bool = True, name: str | None = None, use_resource=None) -> Variable:
    """A non-trainable variable in tf.GraphKeys.LOCAL_VARIABLES (initialized by local_variables_initializer)."""
    return Variable(initial_value, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES], name=name)


def global_variable(initial_value, validate_shape: bool = True, name: str | None = None, use_resource=None) -> Variable:
    """A non-trainable variable in tf.GraphKeys.GLOBAL_VARIABLES."""
    return Variable(initial_value, trainable=False, collections=[GraphKeys.GLOBAL_VARIABLES], name=name)


def get_variable_full_name(var, partitioned_variable: bool = False) -> str:
    """A variable's name in checkpoints: a shard's (or a PartitionedVariable's) whole variable, else its op's."""
    if hasattr(var, "_get_variable_list"):
        return var.name
    info = getattr(var, "_save_slice_info", None)
    return info.full_name if info is not None else var.op.name


def get_name_scope() -> str:
    from ..graph import get_default_graph
    return get_default_graph().get_name_scope()


def _checkpoint_tensors(checkpoint: str) -> dict:
    import os

    from dfc.runtime.checkpoint import load_tensors

    from ..saver import SUFFIX, latest_checkpoint
    path = latest_checkpoint(checkpoint) if os.path.isdir(checkpoint) else checkpoint
    if path is None:
        from dfc.errors import NotFoundError
        raise NotFoundError(f"Couldn't find a checkpoint in {checkpoint}")
    tensors, _ = load_tensors(path if path.endswith(SUFFIX) else path + SUFFIX)
    return tensors


def list_variables(checkpoint_dir: str) -> list[tuple[str, list[int]]]:
    """(name, shape) of each tensor of a checkpoint (a directory's latest, or a path prefix), sorted by name."""
    return sorted((name, list(value.shape)) for name, value in _checkpoint_tensors(checkpoint_dir).items())


def load_variable(checkpoint_dir: str, name: str) -> np.ndarray:
    """The numpy value of tensor `name` (a trailing ':0' ignored) in a checkpoint."""
    tensors = _checkpoint_tensors(checkpoint_dir)
    key = name[:-2] if name.endswith(":0") else name
    if key not in tensors:
        from dfc.errors import NotFoundError
        raise NotFoundError(f"Key {key} not found in checkpoint {checkpoint_dir}")
    return tensors[key]


def assert_or_get_global_step(graph=None, global_step_tensor=None) -> Tensor | None:
    return global_step_tensor if global_step_tensor is not None else get_global_step(graph)


__all__ = ["add_arg_scope", "add_model_variable", "arg_scope", "arg_scope_func_key", "arg_scoped_arguments",
           "assert_or_get_global_step", "assign_from_checkpoint_fn", "create_global_step", "current_arg_scope",
           "get_global_step", "get_local_variables", "get_model_variables", "get_name_scope",
           "get_or_create_global_step", "get_trainable_variables", "get_unique_variable", "get_variable_full_name",
           "get_variables", "get_variables_by_name", "get_variables_by_suffix", "get_variables_to_restore",
           "global_variable", "has_arg_scope", "list_variables", "load_variable", "local_variable", "model_variable",
           "nest", "smart_cond", "variable"]
