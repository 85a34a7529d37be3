"""Sources and state: constants, placeholders, variable reads and assignments."""

from __future__ import annotations

import numpy as np

from ..dtypes import as_dtype
from ..dtypes import i32, i64
from ..errors import DTypeError, ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, register, require_dtype, tensor_operand


def _constant_infer(types, attrs):
    value = attrs["value"]
    return [TensorType(as_dtype(value.dtype), value.shape)]


register(OpDef("dfc.constant", "state", _constant_infer, lambda value: value.copy(), 0,
               {"value": Attr("dense")}, differentiable=False, fusible_as=None))


def _placeholder(*, ctx, op):
    return ctx.feed(op)


register(OpDef("dfc.placeholder", "state", None, _placeholder, 0, differentiable=False, uses_context=True,
               fusible_as=None,
               doc="a value the caller must feed; pruning turns a fed placeholder into a graph argument"))


def _read_variable(*, name, ctx, op):
    return ctx.read_variable(name, op)


register(OpDef("dfc.variable", "state", None, _read_variable, 0, {"name": Attr("str")}, differentiable=False,
               stateful=True, uses_context=True, fusible_as=None,
               doc="the value of variable `name` when the op runs (step start, unless it has control operands)"))


def _assign_infer(types, attrs):
    t = tensor_operand(types, 0)
    # `shape`: the variable's own shape, kept when the value's was not known while building; TF's Assign
    # (validate_shape) refuses a value of another shape when it runs instead of giving the variable that shape
    want = attrs.get("shape")
    if want is not None and t.shape is not None and all(d is not None for d in t.shape) and \
            tuple(t.shape) != tuple(want):
        raise ShapeError(f"Assign requires shapes of both tensors to match. lhs shape= {list(want)} rhs shape= "
                         f"{list(t.shape)} (variable '{attrs['variable']}')")
    return [t]


def _assigner(combine):
    def reference(value, *, variable, ctx, op, use_locking=None, shape=None):  # shape: checked by _assign_infer
        if combine is None:
            return ctx.write_variable(variable, value, op)
        update = getattr(ctx, "update_variable", None)
        if update is not None:  # read, combine and write in one critical section
            return update(variable, lambda old: combine(old, value), op)
        return ctx.write_variable(variable, combine(ctx.read_variable(variable, op), value), op)
    return reference


def _checked(fn):
    def combine(old, value):
        if old.shape != value.shape and np.broadcast_shapes(old.shape, value.shape) != old.shape:
            raise ShapeError(f"cannot update a variable of shape {old.shape} with a value of shape {value.shape}")
        return fn(old, value).astype(old.dtype)
    return combine


for _name, _combine in (("assign", None), ("assign_add", _checked(np.add)), ("assign_sub", _checked(np.subtract))):
    # use_locking: the step that runs the op holds the variable's lock for the whole run (TF's use_locking)
    register(OpDef(f"dfc.{_name}", "state", _assign_infer, _assigner(_combine), 1,
                   {"variable": Attr("str"), "use_locking": Attr("bool", None), "shape": Attr("ints", None)},
                   differentiable=False, stateful=True, uses_context=True, writes_variable=True, fusible_as=None))


#: how dfc.assign_rows combines an update with the slice it writes: None replaces it (repeats: the last wins)
ROW_MODES = {"update": None, "add": np.add, "sub": np.subtract}


def _assign_rows_infer(types, attrs):
    var = attrs["type"]
    indices, updates = tensor_operand(types, 0, "indices"), tensor_operand(types, 1, "updates")
    if attrs["mode"] not in ROW_MODES:
        raise ShapeError(f"assign_rows mode must be one of {', '.join(ROW_MODES)}, got '{attrs['mode']}'")
    require_dtype(indices.dtype, (i32, i64), "indices")
    if updates.dtype != var.dtype:
        raise DTypeError(f"updates of dtype {updates.dtype.name} cannot update variable '{attrs['variable']}' "
                         f"of dtype {var.dtype.name}")
    if indices.rank is None or updates.rank is None or var.rank is None:
        return [var]
    depth = indices.shape[-1] if indices.rank else None
    if indices.rank == 0 or depth is None or depth > var.rank:
        raise ShapeError(f"indices {indices} must end in a known index depth of at most the rank of variable "
                         f"'{attrs['variable']}' {var}")
    want = tuple(indices.shape[:-1]) + tuple(var.shape[depth:])
    if len(want) != updates.rank or any(a is not None and b is not None and a != b
                                        for a, b in zip(want, updates.shape)):
        raise ShapeError(f"updates {updates} must have shape indices.shape[:-1] + variable.shape[{depth}:] = "
                         f"{list(want)} for variable '{attrs['variable']}' {var}")
    return [var]


def _slice_offsets(indices: np.ndarray, shape: tuple[int, ...], variable: str) -> np.ndarray:
    """Each index tuple (the last dim of `indices`) as the number of its slice in row-major order; a tuple
    outside `shape` raises IndexError, worded as TF's ScatterUpdate and ScatterNdUpdate kernels word it."""
    depth = indices.shape[-1]
    tuples = indices.reshape(-1, depth).astype(np.int64)
    bad = ((tuples < 0) | (tuples >= np.array(shape[:depth], np.int64))).any(axis=1)
    if bad.any():
        position = int(np.argmax(bad))
        if depth == 1:
            raise IndexError(f"indices[{position}] = {int(tuples[position, 0])} is not in [0, {shape[0]}) (the rows "
                             f"of variable '{variable}')")
        raise IndexError(f"indices[{position}] = {tuples[position].tolist()} does not index into shape "
                         f"{list(shape)} of variable '{variable}'")
    strides = np.cumprod((list(shape[1:depth]) + [1])[::-1])[::-1].astype(np.int64)
    return tuples @ strides if depth else np.zeros(len(tuples), np.int64)


def _assign_rows(indices, updates, *, variable, mode, type, ctx, op, use_locking=None):
    def combine(old):
        depth = indices.shape[-1]
        offsets = _slice_offsets(indices, old.shape, variable)  # every index is checked before any slice is written
        new = old.copy()
        slices = new.reshape((-1,) + old.shape[depth:])
        rows = updates.reshape((len(offsets),) + old.shape[depth:]).astype(old.dtype)
        if ROW_MODES[mode] is None:
            slices[offsets] = rows  # numpy, as TF's CPU kernel, leaves the last of repeated indices
        else:
            ROW_MODES[mode].at(slices, offsets, rows)  # repeats accumulate
        return new
    update = getattr(ctx, "update_variable", None)
    if update is not None:
        return update(variable, combine, op)
    return ctx.write_variable(variable, combine(ctx.read_variable(variable, op)), op)


# the sparse writes of tf.scatter_update/add/sub, scatter_nd_* and the optimizers' sparse updates: in place, in
# O(slices written), where assign(v, tensor_scatter_nd_*(read(v), ...)) costs O(variable)
register(OpDef("dfc.assign_rows", "state", _assign_rows_infer, _assign_rows, 2,
               {"variable": Attr("str"), "mode": Attr("str"), "type": Attr("type"), "use_locking": Attr("bool", None)},
               differentiable=False, stateful=True, uses_context=True, writes_variable=True, fusible_as=None,
               doc="writes `updates` into the slices of variable `variable` (of type `type`) that the index "
                   "tuples (last dim of `indices`) name: replacing them (mode update) or adding (add) or "
                   "subtracting (sub) them; gives the variable's new value"))
