"""TF1's tf.custom_gradient, tf.RegisterGradient and Graph.gradient_override_map: gradients the user writes.

Both make one `dfc.custom_gradient` op over the forward outputs (ys) and the inputs (xs): its results
are the ys unchanged, and its region is the user's gradient function traced on stand-ins for the
ys' cotangents. Autodiff gives the xs what the region yields and nothing to the ops that made the
ys (so a straight-through estimator's round or a gradient reversal's identity pass the user's
gradient), then drops the op. The gradient function is traced when the op is made (TF1 calls it in
tf.gradients): what it returns for each input must have that input's dtype; None means zeros.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

from dfc.ir.graph import Op, Value

from . import graph_builder
from .framework import Tensor, convert_to_tensor, get_default_graph, wrap, wrap_op

__all__ = ["NoGradient", "NotDifferentiable", "RegisterGradient", "custom_gradient", "no_gradient"]

#: gradient functions by the name they were registered under (None: not differentiable)
_GRADIENTS: dict[str, Callable | None] = {}

#: TF's other names for the TF op types dfc's ops have (users write the older ones in override maps)
_ALIASES = {"AddV2": ("Add",), "SelectV2": ("Select",), "GatherV2": ("Gather",), "ConcatV2": ("Concat",),
            "SplitV": ("Split",), "RealDiv": ("Div",), "VariableV2": ("Variable",)}


class RegisterGradient:
    """A decorator: `@tf.RegisterGradient("Name")` files `fn(op, *grads) -> grads of op's inputs` under Name."""

    def __init__(self, op_type: str):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, fn: Callable) -> Callable:
        if self._op_type in _GRADIENTS:
            raise KeyError(f"Registering two gradient with name '{self._op_type}'!")
        _GRADIENTS[self._op_type] = fn
        return fn


def NotDifferentiable(op_type: str) -> None:  # noqa: N802 - TF's name
    """Ops of this TF type (in a gradient_override_map) pass no gradient."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    _GRADIENTS[op_type] = None


NoGradient = NotDifferentiable
no_gradient = NotDifferentiable

# TF's own gradients that override maps name most: the identity's passes its cotangent on
_GRADIENTS["Identity"] = lambda op, grad: grad
_GRADIENTS["StopGradient"] = None


def _tf_type(op: Op) -> list[str]:
    from .graph_def import tf_op_name
    name = tf_op_name(op.type)
    return [name, *_ALIASES.get(name, ())]


def _with_gradient(ys: list[Tensor], xs: list[Tensor], grad_fn: Callable, name: str, what: str) -> list[Tensor]:
    """ys unchanged, with grad_fn(*dys) -> one gradient (or None) per x as their gradient (a dfc.custom_gradient)."""
    from .array_ops import zeros_like
    from .control_flow_regions import _append_region_op, _make_region, _trace
    graph = get_default_graph()
    ys_ir, xs_ir = [y._dfc_ir() for y in ys], [x._dfc_ir() for x in xs]
    types = [v.type for v in ys_ir]

    def body(*dys):
        out = grad_fn(*dys)
        grads = list(out) if isinstance(out, (list, tuple)) else [out]
        if len(grads) != len(xs):
            raise ValueError(f"{what} returned {len(grads)} gradients for {len(xs)} inputs "
                             f"({', '.join(x.name for x in xs)})")
        return [zeros_like(x) if g is None else convert_to_tensor(g, dtype=x.dtype) for g, x in zip(grads, xs)]
    saved, graph.gradient_overrides = graph.gradient_overrides, []  # (TF runs it in tf.gradients, outside the map)
    try:
        trace, _, _ = _trace(graph, body, types, [f"{name}/dy_{k}_stand_in" for k in range(len(ys))], what)
    finally:
        graph.gradient_overrides = saved
    extra = [v for v in trace.captures if v not in xs_ir]
    sources = list(trace.stand_ins) + xs_ir + extra
    region = _make_region(trace, sources, trace.outputs, graph, f"{name}/")
    op = _append_region_op(graph, "dfc.custom_gradient", ys_ir + xs_ir + extra,
                           {"num_ys": len(ys), "num_xs": len(xs)}, types, [region], name, trace.control_captures)
    return [wrap(r) for r in op.results]


def custom_gradient(f: Callable | None = None):
    """`@tf.custom_gradient`: f(*xs) returns (ys, grad_fn); the decorated function returns ys, whose gradient to the
    xs is grad_fn(*dys) (TF1's tf.custom_gradient; a grad_fn taking `variables` gets [] and its second value is
    ignored: the variables f reads get their gradients through f's ops)."""
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        from .control_flow_regions import _flatten, _pack
        xs = [convert_to_tensor(a) for a in args]
        result, grad_fn = f(*xs, **kwargs)
        if not callable(grad_fn):
            raise TypeError(f"custom_gradient: {getattr(f, '__name__', f)} must return (outputs, grad_fn), got a "
                            f"{type(grad_fn).__name__} as grad_fn")
        takes_variables = "variables" in inspect.signature(grad_fn).parameters

        def grads(*dys):
            if takes_variables:
                out = grad_fn(*dys, variables=[])
                return out[0] if isinstance(out, tuple) and len(out) == 2 else out
            return grad_fn(*dys)
        leaves = [convert_to_tensor(y) for y in _flatten(result)]
        graph = get_default_graph()
        name = graph._dfc_ir().unique_name("IdentityN")
        outputs = _with_gradient(leaves, xs, grads, name, f"custom_gradient {getattr(f, '__name__', f)}'s grad_fn")
        return _pack(result, outputs)
    return decorated


def override_gradient(graph, op: Op) -> Op:
    """make_op's hook under gradient_override_map: op itself, or a dfc.custom_gradient over its results whose
    region is the gradient registered under the name the map gives op's TF type (the op make_op returns)."""
    mapping: dict[str, str] = {}
    for layer in graph.gradient_overrides:
        mapping.update(layer)
    target = next((mapping[t] for t in _tf_type(op) if t in mapping), None)
    if target is None or not op.results or not all(isinstance(r, Value) and not r.is_control for r in op.results):
        return op
    if target not in _GRADIENTS:
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {target}). In general every "
                          f"operation must have an associated `@tf.RegisterGradient` for correct autodiff.")
    fn = _GRADIENTS[target]
    xs = [wrap(v) for v in op.inputs if not v.is_control]
    ys = [wrap(r) for r in op.results]
    forward = wrap_op(op)

    def grads(*dys):
        if fn is None:
            return [None] * len(xs)
        out = fn(forward, *dys)
        return out if isinstance(out, (list, tuple)) else [out]
    name, op.name = op.name, graph._dfc_ir().unique_name(f"{op.name}/forward")
    outputs = _with_gradient(ys, xs, grads, name, f"the gradient registered as '{target}'")
    return outputs[0].op._dfc_ir()


graph_builder.gradient_override = override_gradient
