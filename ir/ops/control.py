"""Control and structure: identity, stop_gradient, group/no_op, the grad meta-op, fetch, fused regions."""

from __future__ import annotations

from ..errors import ShapeError
from ..types import CONTROL, TensorType
from .registry import Attr, OpDef, register, tensor_operand


def _same_as_operand(types, attrs):
    return [tensor_operand(types, 0)]


register(OpDef("dfc.identity", "control", _same_as_operand, lambda x: x, 1, elementwise=True, view=True,
               fusible_as="elementwise"))
register(OpDef("dfc.stop_gradient", "control", _same_as_operand, lambda x: x, 1, differentiable=False,
               elementwise=True, view=True, fusible_as="elementwise", doc="identity whose gradient is zero"))


def _control_infer(types, attrs):
    return [CONTROL]


register(OpDef("dfc.no_op", "control", _control_infer, lambda: None, 0, differentiable=False, no_code=True,
               fusible_as=None))
register(OpDef("dfc.group", "control", _control_infer, lambda *xs: None, (0, None), differentiable=False,
               no_code=True, control_sink=True, fusible_as=None,
               doc="runs after all its operands; fetching it runs them (train ops, initializers)"))


def _grad_infer(types, attrs):
    ny, nx, ns = attrs["num_ys"], attrs["num_xs"], attrs.get("num_stops", 0)
    n = len(types) - ns  # the trailing num_stops operands are tensors held constant (tf.gradients' stop_gradients)
    if ny < 1 or nx < 1 or ns < 0 or n not in (ny + nx, 2 * ny + nx):
        raise ShapeError(f"dfc.grad expects {ny} ys, {nx} xs, optionally {ny} grad_ys and {ns} stop_gradients; "
                         f"got {len(types)} operands")
    ys, xs, seeds = types[:ny], types[ny:ny + nx], types[ny + nx:n]
    for t in list(ys) + list(xs):
        if not isinstance(t, TensorType) or not t.dtype.is_floating:
            raise ShapeError(f"gradients are defined for floating tensors only, got {t}")
    for y, s in zip(ys, seeds):
        if not isinstance(s, TensorType) or s.dtype != y.dtype:
            raise ShapeError(f"grad_ys entry {s} does not match y {y}")
    return list(xs)


def _grad_unexpanded(*args, **attrs):
    raise NotImplementedError("dfc.grad must be expanded by the autodiff pass before it runs")


register(OpDef("dfc.grad", "control", _grad_infer, _grad_unexpanded, (2, None),
               {"num_ys": Attr("int"), "num_xs": Attr("int"), "num_stops": Attr("int", None)}, differentiable=True,
               meta=True, fusible_as=None,
               doc="d(sum of ys)/d(xs), seeded by grad_ys; expanded by the autodiff pass"))


def _terminator_infer(types, attrs):
    return []


register(OpDef("dfc.fetch", "control", _terminator_infer, lambda *xs: None, (0, None), differentiable=False,
               terminator=True, no_code=True, control_sink=True, fusible_as=None,
               doc="terminator of a step graph: the values the caller fetches"))
register(OpDef("dfc.yield", "control", _terminator_infer, lambda *xs: None, (0, None), differentiable=False,
               terminator=True, no_code=True, fusible_as=None,
               doc="terminator of a region: the values the enclosing op returns"))


register(OpDef("dfc.fused", "control", None, None, (0, None), {"kind": Attr("str")}, regions=1, fusible_as=None,
               doc="a kernel: its body region holds the fused ops and yields the results"))
