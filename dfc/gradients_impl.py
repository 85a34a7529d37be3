"""tf.gradients and tf.stop_gradient: one `dfc.grad` meta-op per call, expanded later by the autodiff pass."""

from __future__ import annotations

from typing import Any

from dfc.compiler.autodiff import connected

from .array_ops import ones_like, zeros_like
from .framework import Tensor, convert_to_tensor, make, make_op, wrap


def _as_list(x: Any) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _tensor(x: Any) -> Tensor:
    return x._as_tensor() if hasattr(x, "_as_tensor") else convert_to_tensor(x)


def gradients(ys, xs, grad_ys=None, name: str = "gradients", colocate_gradients_with_ops: bool = False,
              gate_gradients: bool = False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients: str = "none") -> list[Tensor | None]:
    """d(sum of ys)/dx for each x, seeded by grad_ys (ones by default); None for an x the ys do not depend on.

    As in TF1, only floating tensors carry gradients: an integer or boolean x gets None, and integer ys
    contribute nothing (an int32 counter among an optimizer's variables is skipped, not an error).

    Variables in xs stand for their value. The call adds one `dfc.grad` op whose operands are
    the ys, the connected xs, the grad_ys (when given) and the stop_gradients on the way; the
    compiler's autodiff pass turns it into primitive ops when a Session runs the graph.
    """
    y_list = [_tensor(y) for y in _as_list(ys)]
    x_list = [_tensor(x) for x in _as_list(xs)]
    stops = [convert_to_tensor(s) for s in (_as_list(stop_gradients) if stop_gradients is not None else [])]
    unconnected = getattr(unconnected_gradients, "value", unconnected_gradients)
    if unconnected not in ("none", "zero"):
        raise ValueError(f"unconnected_gradients must be 'none' or 'zero', got {unconnected_gradients!r}")
    seeds: list[Tensor] = []
    if grad_ys is not None:
        given = _as_list(grad_ys)
        if len(given) != len(y_list):
            raise ValueError(f"Passed {len(given)} grad_ys for {len(y_list)} ys")
        for y, s in zip(y_list, given):
            s = ones_like(y) if s is None else convert_to_tensor(s, dtype=y.dtype)
            if s.shape.ndims != y.shape.ndims or any(a is not None and b is not None and a != b
                                                     for a, b in zip(s.shape.as_list(), y.shape.as_list())):
                raise ValueError(f"grad_ys {s.name} of shape {s.shape} does not match y {y.name} of shape {y.shape}")
            seeds.append(s)
    floating = [i for i, y in enumerate(y_list) if y.dtype.is_floating]
    seeds = [seeds[i] for i in floating] if seeds else seeds
    y_list = [y_list[i] for i in floating]
    mask, hit_stops = connected([y._dfc_ir() for y in y_list], [x._dfc_ir() for x in x_list],
                                [s._dfc_ir() for s in stops])
    mask = [m and x.dtype.is_floating and bool(y_list) for m, x in zip(mask, x_list)]
    out: list[Tensor | None] = [None] * len(x_list)
    picked = [i for i, m in enumerate(mask) if m]
    if picked:
        # the stops are tensors too: wrap them so every operand is a Tensor of this graph
        stop_tensors = [wrap(v) for v in dict.fromkeys(hit_stops)]
        attrs = {"num_ys": len(y_list), "num_xs": len(picked)}
        if stop_tensors:
            attrs["num_stops"] = len(stop_tensors)
        op = make_op("dfc.grad", y_list + [x_list[i] for i in picked] + seeds + stop_tensors, attrs, name=name)
        for i, result in zip(picked, op.results):
            out[i] = wrap(result)
    if unconnected == "zero":
        out = [zeros_like(x) if g is None else g for g, x in zip(out, x_list)]
    return out


def stop_gradient(input, name: str | None = None) -> Tensor:
    """The value of `input`, through which no gradient flows."""
    return make("dfc.stop_gradient", [convert_to_tensor(input)], name=name or "StopGradient")
