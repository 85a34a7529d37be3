"""tf.gradients and tf.stop_gradient: one `dfc.grad` meta-op per call, expanded later by the autodiff pass.

As in TF1, the gradient of a tensor whose every use on the way to the ys is a gather of its rows
(tf.gather on axis 0, tf.nn.embedding_lookup: an embedding table) is an IndexedSlices: the gathered
rows' gradients and their indices, so an optimizer updates only those rows (TF1's sparse kernels,
whose results differ from a dense update for Momentum, RMSProp, FTRL and others).
"""

from __future__ import annotations

from typing import Any

from dfc.compiler.autodiff import connected

from .array_ops import concat, constant, ones_like, reshape, shape, zeros_like
from .array_slicing import _as_i64
from .framework import Tensor, convert_to_tensor, make, make_op, name_scope, wrap
from .indexed_slices import IndexedSlices


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
    graph = (y_list or x_list)[0].graph if y_list or x_list else None
    for t in x_list + y_list:
        if t.graph is not graph:
            raise ValueError(f"{t.name} must be from the same graph as {(y_list or x_list)[0].name}: tf.gradients "
                             f"differentiates within one graph")
    seeds: list[Tensor] = []
    if grad_ys is not None:
        given = _as_list(grad_ys)
        if len(given) != len(y_list):
            raise ValueError(f"Passed {len(given)} grad_ys for {len(y_list)} ys")
        for y, s in zip(y_list, given):
            if isinstance(s, Tensor) and s.dtype != y.dtype:  # TF's seed multiplies y's gradient: a TypeError
                raise TypeError(f"grad_ys {s.name} is {s.dtype.name}, but the y it seeds, {y.name}, is "
                                f"{y.dtype.name}")
            s = ones_like(y) if s is None else convert_to_tensor(s, dtype=y.dtype)
            if s.shape.ndims != y.shape.ndims or any(a is not None and b is not None and a != b
                                                     for a, b in zip(s.shape.as_list(), y.shape.as_list())):
                raise ValueError(f"grad_ys {s.name} of shape {s.shape} does not match y {y.name} of shape {y.shape}")
            seeds.append(s)
    floating = [i for i, y in enumerate(y_list) if y.dtype.is_floating or y.dtype.is_complex]
    seeds = [seeds[i] for i in floating] if seeds else seeds
    y_list = [y_list[i] for i in floating]
    mask, hit_stops = connected([y._dfc_ir() for y in y_list], [x._dfc_ir() for x in x_list],
                                [s._dfc_ir() for s in stops])
    mask = [m and (x.dtype.is_floating or x.dtype.is_complex) and bool(y_list) for m, x in zip(mask, x_list)]
    out: list[Tensor | None] = [None] * len(x_list)
    picked = [i for i, m in enumerate(mask) if m]
    if picked:
        # the stops are tensors too: wrap them so every operand is a Tensor of this graph
        stop_tensors = [wrap(v) for v in dict.fromkeys(hit_stops)]
        gathers = _row_gathers([x_list[i]._dfc_ir() for i in picked], [y._dfc_ir() for y in y_list],
                               {s._dfc_ir() for s in stops}, x_list[picked[0]].graph.row_gathers)
        wrt: list[Tensor] = []
        for i, rows in zip(picked, gathers):
            wrt += [x_list[i]] if rows is None else [wrap(op.results[0]) for op in rows]
        attrs = {"num_ys": len(y_list), "num_xs": len(wrt)}
        if stop_tensors:
            attrs["num_stops"] = len(stop_tensors)
        results = iter(make_op("dfc.grad", y_list + wrt + seeds + stop_tensors, attrs, name=name).results)
        for i, rows in zip(picked, gathers):
            if rows is None:
                out[i] = wrap(next(results))
            else:
                out[i] = _gathered_slices(x_list[i], rows, [wrap(next(results)) for _ in rows], name)
    if unconnected == "zero":
        out = [zeros_like(x) if g is None else g for g, x in zip(out, x_list)]
    return out


def _top_level(op) -> bool:
    """Whether the op is in the graph's own block (not in a region of a loop or cond)."""
    from dfc.ir.graph import Op
    return op.block is not None and not isinstance(op.block.parent, Op)


def _row_gathers(xs: list, ys: list, stops: set, row_gathers: set) -> list[list | None]:
    """For each x: its row gathers (`row_gathers`: TF's Gather ops, axis 0), through identities, if they are its
    only uses on the way to the ys (TF1's IndexedSlices gradient), else None (a dense gradient)."""
    from dfc.ir.ops.registry import normalize_axis
    candidates: list[tuple[list, list]] = []  # per x: (gathers, the other users: identities and dense uses)
    for x in xs:
        gathers, others, todo = [], [], [x]
        while todo:
            for op, index in todo.pop().uses:
                top_level = _top_level(op)
                if (top_level and op in row_gathers and index == 0
                        and normalize_axis(op.attrs["axis"], op.inputs[0].type.rank) == 0):
                    gathers.append(op)
                else:
                    others.append(op)
                    if top_level and op.type == "dfc.identity":
                        todo.append(op.results[0])
        candidates.append((list(dict.fromkeys(gathers)), others))
    outputs = [r for gathers, others in candidates for op in gathers + others for r in op.results]
    reached = dict(zip(outputs, connected(ys, outputs, stops)[0]))

    def on_path(op) -> bool:
        return any(reached[r] and r not in stops for r in op.results)

    picked: list[list | None] = []
    for x, (gathers, others) in zip(xs, candidates):
        dense_use = x in ys or any(on_path(op) for op in others if op.type != "dfc.identity" or not _top_level(op))
        used = [op for op in gathers if on_path(op)]
        picked.append(None if dense_use or not used else used)
    return picked


def _gathered_slices(x: Tensor, gathers: list, grads: list[Tensor], name: str) -> IndexedSlices:
    """The IndexedSlices gradient of x from its gathers' gradients: their rows and indices, concatenated."""
    with name_scope(name + "_IndexedSlices"):
        values, indices = [], []
        for op, g in zip(gathers, grads):
            ids = wrap(op.inputs[1])
            flat = ids.shape.ndims == 1
            indices.append(ids if flat else reshape(ids, [-1]))
            rows = [-1] + x.shape.as_list()[1:] if x.shape.is_fully_defined() else concat([[-1], shape(x)[1:]], 0)
            values.append(g if flat else reshape(g, rows))
        if len({t.dtype for t in indices}) > 1:  # int32 and int64 ids: TF's concat needs one dtype
            indices = [_as_i64(t) for t in indices]
        dims = x.shape.as_list() if x.shape.is_fully_defined() else None
        dense_shape = constant(dims, dtype="int32") if dims is not None else shape(x)
        if len(values) == 1:
            return IndexedSlices(values[0], indices[0], dense_shape)
        return IndexedSlices(concat(values, 0), concat(indices, 0), dense_shape)


def stop_gradient(input, name: str | None = None) -> Tensor:
    """The value of `input`, through which no gradient flows."""
    return make("dfc.stop_gradient", [convert_to_tensor(input)], name=name or "StopGradient")
