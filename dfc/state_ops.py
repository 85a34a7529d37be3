"""Sparse updates of variables (tf.scatter_update, scatter_add, scatter_sub, scatter_nd_update/add/sub).

Each is one dfc.assign_rows op: it checks every index, then writes, adds or subtracts the update
slices in place in the variable's buffer, in O(slices written) rather than O(variable). It returns
the updated value, as TF1's ref-returning ops do.
"""

from __future__ import annotations

from dfc.ir.types import TensorType

from .array_ops import concat, expand_dims, fill, shape
from .framework import Tensor, convert_to_tensor, make
from .variables import Variable, _as_variable


def _checked(ref, what: str, updates) -> tuple[Variable, Tensor]:
    var = _as_variable(ref, what)
    if not var.shape.is_fully_defined():
        raise ValueError(f"{what} needs the shape of variable '{var.name}', got {var.shape}")
    return var, convert_to_tensor(updates, dtype=var.dtype)


def write_rows(var: Variable, indices, updates, mode: str, use_locking, name: str) -> Tensor:
    """One dfc.assign_rows: the slices of `var` the index tuples (last dim of `indices`) name get `updates`
    (mode update), or have them added (add) or subtracted (sub)."""
    attrs = {"variable": var._name, "mode": mode, "type": TensorType(var.dtype, tuple(var.shape.as_list()))}
    if use_locking:
        attrs["use_locking"] = True
    return make("dfc.assign_rows", [convert_to_tensor(indices), updates], attrs, name=name)


def scatter_nd_update(ref, indices, updates, use_locking=True, name: str | None = None) -> Tensor:
    """ref[indices[i]] = updates[i] for index tuples along the last dim of `indices`."""
    var, updates = _checked(ref, "scatter_nd_update", updates)
    return write_rows(var, indices, updates, "update", use_locking, name or "ScatterNdUpdate")


def scatter_nd_add(ref, indices, updates, use_locking=False, name: str | None = None) -> Tensor:
    var, updates = _checked(ref, "scatter_nd_add", updates)
    return write_rows(var, indices, updates, "add", use_locking, name or "ScatterNdAdd")


def scatter_nd_sub(ref, indices, updates, use_locking=False, name: str | None = None) -> Tensor:
    var, updates = _checked(ref, "scatter_nd_sub", updates)
    return write_rows(var, indices, updates, "sub", use_locking, name or "ScatterNdSub")


def _rows(ref, what: str, indices, updates, mode: str, use_locking, name: str) -> Tensor:
    var, updates = _checked(ref, what, updates)
    indices = convert_to_tensor(indices)
    if updates.shape.ndims == 0:  # TF's ScatterUpdate/Add/Sub take a scalar for every element written
        updates = fill(concat([shape(indices), var.shape.as_list()[1:]], 0), updates)
    return write_rows(var, expand_dims(indices, -1), updates, mode, use_locking, name)


def scatter_update(ref, indices, updates, use_locking=True, name: str | None = None) -> Tensor:
    """ref[indices[i], ...] = updates[i, ...] (rows of the first dim); of repeated indices the last one wins."""
    return _rows(ref, "scatter_update", indices, updates, "update", use_locking, name or "ScatterUpdate")


def scatter_add(ref, indices, updates, use_locking=False, name: str | None = None) -> Tensor:
    """ref[indices[i], ...] += updates[i, ...]; repeated indices add up."""
    return _rows(ref, "scatter_add", indices, updates, "add", use_locking, name or "ScatterAdd")


def scatter_sub(ref, indices, updates, use_locking=False, name: str | None = None) -> Tensor:
    return _rows(ref, "scatter_sub", indices, updates, "sub", use_locking, name or "ScatterSub")


__all__ = ["scatter_add", "scatter_nd_add", "scatter_nd_sub", "scatter_nd_update", "scatter_sub", "scatter_update"]
