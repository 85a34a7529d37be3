"""What tf.contrib.layers' modules share: contrib's variable scopes, model variables, output collections."""

from __future__ import annotations

import numpy as np

from ..framework import Tensor, constant_value, convert_to_tensor, name_scope
from ..graph import GraphKeys, add_to_collection, add_to_collections, get_collection, get_collection_ref
from ..layers.base import unique_layer_name
from ..variables import variable_scope, zeros_initializer
from .framework import model_variable

ZEROS = zeros_initializer()


def scope_for(scope, default: str, reuse):
    """contrib's variable scope: `scope` as given, else `default` uniquified within the enclosing scope."""
    return variable_scope(scope if scope is not None else unique_layer_name(default), reuse=reuse or None)


def variable_collections(variables_collections, name: str) -> list[str]:
    wanted = variables_collections.get(name) if isinstance(variables_collections, dict) else variables_collections
    if wanted is None:
        return []
    return [wanted] if isinstance(wanted, str) else list(wanted)


def variable(name: str, shape_, dtype, initializer, regularizer, trainable: bool, variables_collections,
              collection_name: str):
    var = model_variable(name, shape=list(shape_), dtype=dtype, initializer=initializer, trainable=trainable)
    for key in variable_collections(variables_collections, collection_name):
        if var not in get_collection(key):
            add_to_collection(key, var)
    if regularizer is not None:
        with name_scope(f"{var.op.name}/Regularizer/"):
            penalty = regularizer(var)
        if penalty is not None:
            add_to_collection(GraphKeys.REGULARIZATION_LOSSES, penalty)
    return var


def collect(outputs_collections, alias: str, outputs: Tensor) -> Tensor:
    """`outputs` added to `outputs_collections` under one more alias (contrib's collect_named_outputs; a tensor
    collected twice, as a block's last unit is, keeps both names for convert_collection_to_dict)."""
    if outputs_collections:
        append_tensor_alias(outputs, alias)
        add_to_collections([outputs_collections] if isinstance(outputs_collections, str) else
                           list(outputs_collections), outputs)
    return outputs


def append_tensor_alias(tensor, alias: str):
    """`tensor` with `alias` (less a trailing '/') added to its aliases (contrib's append_tensor_alias)."""
    alias = alias[:-1] if alias.endswith("/") else alias
    try:
        tensor.aliases = [*getattr(tensor, "aliases", []), alias]
    except AttributeError:
        pass
    return tensor


def tensor_aliases(tensor) -> list[str]:
    """The names `collect` gave `tensor`, else its own name without ':0' (contrib's get_tensor_aliases)."""
    if getattr(tensor, "aliases", None):
        return list(tensor.aliases)
    name = tensor.name
    return [name[:-2] if name.endswith(":0") else name]


def convert_collection_to_dict(collection: str, clear_collection: bool = False) -> dict:
    """{alias: tensor} over the tensors of `collection` in order (contrib's, which nets return as end_points)."""
    tensors = get_collection_ref(collection)
    output = {alias: tensor for tensor in list(tensors) for alias in tensor_aliases(tensor)}
    if clear_collection:
        del tensors[:]
    return output


def float_input(inputs, layer: str) -> Tensor:
    x = convert_to_tensor(inputs)
    if x.shape.ndims is None:
        raise ValueError(f"{layer}: the rank of {x.name} must be known")
    return x


def pair(value, what: str) -> list[int]:
    values = [int(value)] * 2 if np.ndim(value) == 0 else [int(v) for v in value]
    if len(values) != 2:
        raise ValueError(f"{what} must be an int or a pair of ints, got {value!r}")
    return values


def finish(outputs: Tensor, normalizer_fn, normalizer_params, activation_fn) -> Tensor:
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return outputs



def static_bool(value):
    if isinstance(value, Tensor):
        known = constant_value(value)
        return None if known is None else bool(known)
    return bool(value)


