"""Sparse updates of variables (tf.scatter_update, scatter_add, scatter_sub, scatter_nd_update/add/sub).

Each reads the variable, combines the updates at their indices with tensor_scatter_nd_* (a
segment sum: O(size of the variable) per update), and writes the result back with one assign;
it returns the updated value, as TF1's ref-returning ops do.
"""

from __future__ import annotations

from .array_ops import expand_dims
from .framework import Tensor, convert_to_tensor, name_scope
from .tensor_ops import scatter_nd, tensor_scatter_nd_update
from .variables import Variable, _as_variable


def _checked(ref, what: str, updates) -> tuple[Variable, Tensor]:
    var = _as_variable(ref, what)
    if not var.shape.is_fully_defined():
        raise ValueError(f"{what} needs the shape of variable '{var.name}', got {var.shape}")
    return var, convert_to_tensor(updates, dtype=var.dtype)


def scatter_nd_update(ref, indices, updates, use_locking=True, name: str | None = None) -> Tensor:
    """ref[indices[i]] = updates[i] for index tuples along the last dim of `indices`."""
    var, updates = _checked(ref, "scatter_nd_update", updates)
    with name_scope(name, "ScatterNdUpdate", [updates]):
        new = tensor_scatter_nd_update(var.read_value(), convert_to_tensor(indices), updates)
        return var.assign(new, use_locking=use_locking)


def scatter_nd_add(ref, indices, updates, use_locking=False, name: str | None = None) -> Tensor:
    var, updates = _checked(ref, "scatter_nd_add", updates)
    with name_scope(name, "ScatterNdAdd", [updates]):
        return var.assign_add(scatter_nd(indices, updates, var.shape.as_list()), use_locking=use_locking)


def scatter_nd_sub(ref, indices, updates, use_locking=False, name: str | None = None) -> Tensor:
    var, updates = _checked(ref, "scatter_nd_sub", updates)
    with name_scope(name, "ScatterNdSub", [updates]):
        return var.assign_sub(scatter_nd(indices, updates, var.shape.as_list()), use_locking=use_locking)


def _rows(indices) -> Tensor:
    return expand_dims(convert_to_tensor(indices), -1)


def scatter_update(ref, indices, updates, use_locking=True, name: str | None = None) -> Tensor:
    """ref[indices[i], ...] = updates[i, ...] (rows of the first dim)."""
    return scatter_nd_update(ref, _rows(indices), updates, use_locking, name or "ScatterUpdate")


def scatter_add(ref, indices, updates, use_locking=False, name: str | None = None) -> Tensor:
    """ref[indices[i], ...] += updates[i, ...]; repeated indices add up."""
    return scatter_nd_add(ref, _rows(indices), updates, use_locking, name or "ScatterAdd")


def scatter_sub(ref, indices, updates, use_locking=False, name: str | None = None) -> Tensor:
    return scatter_nd_sub(ref, _rows(indices), updates, use_locking, name or "ScatterSub")


__all__ = ["scatter_add", "scatter_nd_add", "scatter_nd_sub", "scatter_nd_update", "scatter_sub", "scatter_update"]
