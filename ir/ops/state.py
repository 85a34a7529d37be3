"""Sources and state: constants, placeholders, variable reads and assignments."""

from __future__ import annotations

import numpy as np

from ..dtypes import as_dtype
from ..errors import ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, register, tensor_operand


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
    return [t]


def _assigner(combine):
    def reference(value, *, variable, ctx, op, use_locking=None):
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
                   {"variable": Attr("str"), "use_locking": Attr("bool", None)},
                   differentiable=False, stateful=True, uses_context=True, writes_variable=True, fusible_as=None))
