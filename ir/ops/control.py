"""Control and structure: identity, stop_gradient, group/no_op, the grad meta-op, fetch, fused regions, if, while."""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..types import CONTROL, TensorType, Type
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
        if not isinstance(t, TensorType) or not (t.dtype.is_floating or t.dtype.is_complex):
            raise ShapeError(f"gradients are defined for floating and complex tensors only, got {t}")
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


# ---- structured control flow: dfc.if and dfc.while ------------------------------------------------
# Both are isolated from above (as dfc.fused): what a region uses from outside comes in as an operand
# bound to a region argument, so passes that look at operands alone (prune, dce, users) see every use
# and a backend can lower each region on its own. Results are typed by the builder (infer=None).

def _run_region(region, args, ctx):
    from ..interpreter import run_block  # the interpreter imports the registry: import it when running
    return run_block(region, list(args), ctx, {})


def _if_reference(*inputs, ctx=None, op=None):
    """Run the region of the taken branch only: region 0 when pred is true, region 1 when false."""
    taken = op.regions[0] if bool(inputs[0]) else op.regions[1]
    return tuple(_run_region(taken, inputs, ctx))


def _check_carried(op, values, types, what):
    for v, t in zip(values, types):
        if isinstance(t, TensorType) and not t.accepts_shape(np.shape(v)):
            from ..errors import InvalidArgumentError
            raise InvalidArgumentError(
                f"the loop {op.describe()} {what} a value of shape {list(np.shape(v))} for a loop variable of "
                f"type {t}: set shape_invariants for loop variables whose shape changes across iterations", op)


def _while_reference(*inputs, ctx=None, op=None, num_vars=0):
    """Run cond, then body while cond yields true; loop variables carry from one iteration to the next."""
    cond, body = op.regions
    carried, captured = list(inputs[:num_vars]), list(inputs[num_vars:])
    types = [r.type for r in op.results]
    while bool(_run_region(cond, carried + captured, ctx)[0]):
        carried = list(_run_region(body, carried + captured, ctx))
        _check_carried(op, carried, types, "body yields")
    return tuple(carried)


def _types_text(types) -> str:
    return "(" + ", ".join(str(t) for t in types) + ")"


def _verify_if(op) -> str | None:
    operand_types = [v.type for v in op.inputs]
    if not operand_types or not isinstance(operand_types[0], TensorType) or not operand_types[0].dtype.is_bool \
            or operand_types[0].rank not in (0, None):
        return f"the predicate must be a scalar bool tensor, got {operand_types[0] if operand_types else 'nothing'}"
    results = [r.type for r in op.results]
    for k, region in enumerate(op.regions):
        args = [a.type for a in region.arguments]
        if args != operand_types:
            return f"region #{k} takes {_types_text(args)} but the operands are {_types_text(operand_types)}"
        term = region.terminator
        if term is None or term.type != "dfc.yield":
            return f"region #{k} must end with dfc.yield"
        if [v.type for v in term.inputs] != results:
            return f"region #{k} yields {_types_text(v.type for v in term.inputs)} but the results are " \
                   f"{_types_text(results)}"
    return None


def _verify_while(op) -> str | None:
    n = op.attrs["num_vars"]
    operand_types = [v.type for v in op.inputs]
    results = [r.type for r in op.results]
    if not 0 < n <= len(operand_types) or len(results) != n:
        return f"num_vars {n} does not fit {len(operand_types)} operands and {len(results)} results"
    carried = results + operand_types[n:]
    for k, region in enumerate(op.regions):
        args = [a.type for a in region.arguments]
        if args != carried:
            return f"region #{k} takes {_types_text(args)}, expected {_types_text(carried)}"
        term = region.terminator
        if term is None or term.type != "dfc.yield":
            return f"region #{k} must end with dfc.yield"
    cond_yield = [v.type for v in op.regions[0].terminator.inputs]
    if len(cond_yield) != 1 or not isinstance(cond_yield[0], TensorType) or not cond_yield[0].dtype.is_bool \
            or cond_yield[0].rank not in (0, None):
        return f"the cond region must yield one scalar bool, yields {_types_text(cond_yield)}"
    body_yield = [v.type for v in op.regions[1].terminator.inputs]
    if len(body_yield) != n or any(not loop_type_accepts(r, y) for r, y in zip(results, body_yield)):
        return f"the body yields {_types_text(body_yield)} for loop variables {_types_text(results)}"
    for r, init in zip(results, operand_types[:n]):
        if not loop_type_accepts(r, init):
            return f"initial value of type {init} does not fit the loop variable type {r}"
    return None


def loop_type_accepts(declared: Type, given: Type) -> bool:
    """Whether a value of type `given` fits a loop variable of type `declared` (unknown dims accept any)."""
    if not isinstance(declared, TensorType) or not isinstance(given, TensorType):
        return declared == given
    if declared.dtype != given.dtype:
        return False
    if declared.shape is None:
        return True
    if given.shape is None or len(given.shape) != len(declared.shape):
        return False
    return all(d is None or d == g for d, g in zip(declared.shape, given.shape))


register(OpDef("dfc.if", "control", None, _if_reference, (1, None), uses_context=True, regions=2, fusible_as=None,
               verify_regions=_verify_if,
               doc="runs region 0 when operand 0 (a scalar bool) is true, else region 1; each region gets all "
                   "operands as arguments and yields the results (tf.cond)"))
register(OpDef("dfc.while", "control", None, _while_reference, (1, None), {"num_vars": Attr("int")},
               uses_context=True, regions=2, fusible_as=None, verify_regions=_verify_while,
               doc="loop variables (the first num_vars operands) and captured values (the rest): runs region 0 "
                   "(cond, yields a scalar bool) then region 1 (body, yields the next loop variables) while cond "
                   "holds; the results are the final loop variables (tf.while_loop)"))


# ---- dfc.custom_gradient: tf.custom_gradient and gradient_override_map ------------------------------------
def _custom_gradient_infer(types, attrs):
    n, m = attrs["num_ys"], attrs["num_xs"]
    if n < 1 or m < 0 or n + m > len(types):
        raise ShapeError(f"dfc.custom_gradient expects {n} ys and {m} xs, got {len(types)} operands")
    return [tensor_operand(types, k) for k in range(n)]


def _custom_gradient_reference(*inputs, num_ys=0, num_xs=0):
    return tuple(inputs[:num_ys]) if num_ys > 1 else inputs[0]


def _verify_custom_gradient(op) -> str | None:
    n, m = op.attrs["num_ys"], op.attrs["num_xs"]
    operand_types = [v.type for v in op.inputs]
    args = [a.type for a in op.regions[0].arguments]
    if args != operand_types:
        return f"the gradient region takes {_types_text(args)} but the operands are {_types_text(operand_types)}"
    term = op.regions[0].terminator
    if term is None or term.type != "dfc.yield":
        return "the gradient region must end with dfc.yield"
    yielded = [v.type for v in term.inputs]
    if len(yielded) != m or any(not loop_type_accepts(x, y) for x, y in zip(operand_types[n:n + m], yielded)):
        return f"the gradient region yields {_types_text(yielded)} for xs {_types_text(operand_types[n:n + m])}"
    return None


register(OpDef("dfc.custom_gradient", "control", _custom_gradient_infer, _custom_gradient_reference, (1, None),
               {"num_ys": Attr("int"), "num_xs": Attr("int")}, regions=1, fusible_as=None,
               verify_regions=_verify_custom_gradient,
               doc="the first num_ys operands (ys) unchanged, with a gradient of their own: autodiff gives the next "
                   "num_xs operands (xs) what the region yields from arguments (dys, xs, the rest), and ys' own "
                   "operands nothing; the autodiff pass then drops the op (tf.custom_gradient, "
                   "gradient_override_map)"))
