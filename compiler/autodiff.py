"""The autodiff pass: expand every `dfc.grad` meta-op into primitive ops with a table of VJP rules.

A rule is one row of `VJP`, keyed by op name: given the forward op, the cotangent of its
result (a list, None where absent, for multi-result ops like split) and an emitter `b`, it returns one
cotangent per data operand, None where there is none. The reverse walk (`expand_grad`) is
written once: it finds the ops on a differentiable path from the xs to the ys, visits them
last to first, sums the contributions to each value, and inserts only the emitted ops that a
requested gradient needs, right before the `dfc.grad` op, which it then replaces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from dfc.ir import dtypes
from dfc.ir.errors import ShapeError, VerificationError
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.ops import get_op_def
from dfc.ir.ops.reduce import normalized_axes
from dfc.ir.ops.registry import normalize_axis
from dfc.ir.ops.shape import SLICE_END, SLICE_START_REVERSED
from dfc.ir.ops.value_attrs import TWINS
from dfc.ir.rewrite import free_values, replace_all_uses
from dfc.ir.types import TensorType

from .autodiff_nn import NN_NO_RULE, NN_VJP
from .passes import register_pass

Operand = Value | float | int


class Emitter:
    """Makes the gradient ops of one `dfc.grad`: typed, located at the grad op, named after the forward op.

    `b("mul", g, y)` emits `dfc.mul`; a Python number operand becomes a scalar constant of the
    dtype of the first Value operand. Ops collect in `self.ops` (not yet in the graph) so that
    the walk can drop those no requested gradient uses before inserting the rest.
    """

    def __init__(self, grad_op: Op):
        self.grad_op = grad_op
        self.prefix = grad_op.name
        self.scope = ""  # the forward op whose rule is running: names read `gradients/MatMul_grad/matmul`
        self.ops: list[Op] = []
        self._constants: dict[tuple, Value] = {}

    def _make(self, type: str, operands: Sequence[Operand], attrs: dict, name: str | None) -> Op:
        type = type if "." in type else f"dfc.{type}"
        # a number takes the dtype of the first non-bool operand: select(mask, g, 0.0) zeros g's dtype
        dtype = next((v.type.dtype for v in operands if isinstance(v, Value) and not v.type.dtype.is_bool), None)
        values = [v if isinstance(v, Value) else self.const(v, dtype) for v in operands]
        opdef = get_op_def(type)
        try:
            full = opdef.complete_attrs(attrs)
            types = opdef.infer([v.type for v in values], full)
        except ShapeError as e:
            raise VerificationError(f"autodiff: the gradient of '{self.scope}' for {self.grad_op.describe()} "
                                    f"cannot build {type}: {e}") from None
        where = f"{self.prefix}/{self.scope}_grad" if self.scope else self.prefix
        op = Op(type, f"{where}/{name or opdef.short}", values + self.grad_op.control_inputs, full, types,
                device=self.grad_op.device, loc=self.grad_op.loc)
        self.ops.append(op)
        return op

    def __call__(self, type: str, *operands: Operand, name: str | None = None, **attrs) -> Value:
        return self._make(type, operands, attrs, name).results[0]

    def multi(self, type: str, *operands: Operand, name: str | None = None, **attrs: object) -> list[Value]:
        return list(self._make(type, operands, attrs, name).results)

    def const(self, value: float, dtype: dtypes.DType, shape: tuple[int, ...] = ()) -> Value:
        """A constant (cached per expansion: one `0.0` serves every rule that needs it)."""
        key = (float(value), dtype.mlir, tuple(shape))
        if key not in self._constants:
            array = np.full(shape, value, dtype=dtype.np)
            saved, self.scope = self.scope, ""
            self._constants[key] = self._make("dfc.constant", [], {"value": array}, "Const").results[0]
            self.scope = saved
        return self._constants[key]

    def conj(self, v: Value) -> Value:
        """v's complex conjugate, v itself when real: TF's complex gradients are g * conj(f'(z)) (the real loss's
        dL/dRe + i dL/dIm), which for real values is the ordinary chain rule."""
        return self("conj", v) if v.type.dtype.is_complex else v

    def zeros(self, like: Value) -> Value:
        return self("fill_like", like, value=0.0, dtype=like.type.dtype, name="zeros")

    # ---- shape plumbing shared by the rules ---------------------------------------------------
    def sum_to(self, g: Value, like: Value) -> Value:
        """Undo broadcasting: sum g over the dims that broadcasting added or stretched to reach like's shape."""
        shape, gshape = like.type.shape, g.type.shape
        lead = len(gshape) - len(shape)
        stretched = [lead + i for i, d in enumerate(shape) if d == 1 and gshape[lead + i] != 1]
        if not lead and not stretched:
            return g
        if not stretched:
            return self("reduce_sum", g, axes=list(range(lead)), keepdims=False)
        if not lead:
            return self("reduce_sum", g, axes=stretched, keepdims=True)
        summed = self("reduce_sum", g, axes=list(range(lead)) + stretched, keepdims=False)
        return self.reshape_to(summed, shape)

    def reshape_to(self, g: Value, shape: Sequence[int | None]) -> Value:
        """g reshaped to `shape` (same number of elements; at most one unknown dim)."""
        shape = tuple(shape)
        if g.type.shape == shape:
            return g
        if sum(d is None for d in shape) > 1:
            raise VerificationError(f"autodiff: the gradient of '{self.scope}' needs to reshape to "
                                    f"{list(shape)}, which has several unknown dims; run specialize first")
        return self("reshape", g, shape=[-1 if d is None else d for d in shape])

    def unreduce(self, g: Value, x: Value, axes: Sequence[int], keepdims: bool) -> Value:
        """The cotangent of a reduction's result, broadcast back over x's shape."""
        # leading reduced axes come back by broadcasting alone; others need their 1s put back first
        if not keepdims and list(axes) != list(range(len(axes))):
            g = self.reshape_to(g, [1 if i in axes else d for i, d in enumerate(x.type.shape)])
        return g if g.type.shape == x.type.shape else self("broadcast_like", g, x)


def _static(v: Value, b: Emitter) -> tuple[int, ...]:
    if not v.type.is_static:
        raise VerificationError(f"autodiff: the gradient of '{b.scope}' needs the static shape of {v.describe()}; "
                                f"run specialize first")
    return v.type.shape


# ---- the rules ----------------------------------------------------------------------------------
Rule = Callable[[Op, "Value | list[Value | None]", Emitter], list["Value | None"]]


def _x(op: Op, i: int = 0) -> Value:
    return op.inputs[i]


def _y(op: Op) -> Value:
    return op.results[0]


def _binary(da, db) -> Rule:
    """A rule for a broadcasting binary op from the two unbroadcast partials (g, a, b, y, emitter) -> value."""
    def rule(op, g, b):
        x0, x1 = op.inputs
        return [b.sum_to(da(g, x0, x1, _y(op), b), x0) if _float(x0) else None,
                b.sum_to(db(g, x0, x1, _y(op), b), x1) if _float(x1) else None]
    return rule


def _extreme(mask_op: str) -> Rule:
    """maximum/minimum: the gradient goes to a where a wins or ties, else to b (TF's convention)."""
    def rule(op, g, b):
        x0, x1 = op.inputs
        mask = b(mask_op, x0, x1)
        return [b.sum_to(b("select", mask, g, 0.0), x0), b.sum_to(b("select", mask, 0.0, g), x1)]
    return rule


def _matmul(op, g, b):
    a, c = op.inputs
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    a, c = b.conj(a), b.conj(c)  # complex: the adjoints (conjugate transposes), TF's rule
    if not ta and not tb:
        da, dc = b("matmul", g, c, transpose_b=True), b("matmul", a, g, transpose_a=True)
    elif ta and not tb:
        da, dc = b("matmul", c, g, transpose_b=True), b("matmul", a, g)
    elif not ta and tb:
        da, dc = b("matmul", g, c), b("matmul", g, a, transpose_a=True)
    else:
        da, dc = b("matmul", c, g, transpose_a=True, transpose_b=True), b("matmul", g, a, transpose_a=True,
                                                                          transpose_b=True)
    return [b.sum_to(da, op.inputs[0]), b.sum_to(dc, op.inputs[1])]


def _axes(op: Op) -> tuple[int, ...]:
    return normalized_axes(op.attrs["axes"], _x(op).type.rank)


def _reduce_sum(op, g, b):
    return [b.unreduce(g, _x(op), _axes(op), op.attrs["keepdims"])]


def _reduce_mean(op, g, b):
    x, axes = _x(op), _axes(op)
    dims = [x.type.shape[a] for a in axes]
    if None in dims:  # count the elements at run time: the sum of ones over the reduced axes
        count = b("reduce_sum", b("fill_like", x, value=1.0, dtype=x.type.dtype), axes=list(axes), keepdims=True)
    else:
        count = float(np.prod(dims))
    return [b("div", b.unreduce(g, x, axes, op.attrs["keepdims"]), count)]


def _reduce_extreme(op, g, b):
    """TF's rule: the gradient is shared equally among the elements that equal the max (min)."""
    x, axes, keep = _x(op), _axes(op), op.attrs["keepdims"]
    y = _y(op) if keep else b.reshape_to(_y(op), [1 if i in axes else d for i, d in enumerate(x.type.shape)])
    hits = b("cast", b("equal", x, y), dtype=x.type.dtype)
    share = b("div", hits, b("reduce_sum", hits, axes=list(axes), keepdims=True))
    return [b("mul", share, b.unreduce(g, x, axes, keep))]


def _reduce_prod(op, g, b):
    """d prod / d x_i is the product of the others; exact with zeros (no division by x_i = 0)."""
    x, axes = _x(op), list(_axes(op))
    is_zero = b("equal", x, 0.0)
    safe = b("select", is_zero, 1.0, x)
    nonzero_prod = b("reduce_prod", safe, axes=axes, keepdims=True)
    zeros = b("reduce_sum", b("cast", is_zero, dtype=x.type.dtype), axes=axes, keepdims=True)
    # no zero: prod / x_i; exactly one zero: the product of the rest at that zero, 0 elsewhere; more: 0
    only_zero = b("logical_and", b("equal", zeros, 1.0), is_zero)
    partial = b("select", b("equal", zeros, 0.0), b("div", nonzero_prod, safe),
                b("select", only_zero, nonzero_prod, 0.0))
    return [b("mul", b.conj(partial), b.unreduce(g, x, axes, op.attrs["keepdims"]))]


def _softmax(op, g, b):
    y = _y(op)
    inner = b("reduce_sum", b("mul", g, y), axes=[op.attrs["axis"]], keepdims=True)
    return [b("mul", y, b("sub", g, inner))]


def _log_softmax(op, g, b):
    total = b("reduce_sum", g, axes=[op.attrs["axis"]], keepdims=True)
    return [b("sub", g, b("mul", b("exp", _y(op)), total))]


def _cast(op, g, b):
    x = _x(op)
    return [b("cast", g, dtype=x.type.dtype) if _float(x) else None]


def _transpose(op, g, b):
    return [b("transpose", g, perm=[int(p) for p in np.argsort(op.attrs["perm"])])]


def _expand_dims(op, g, b):
    return [b("squeeze", g, axes=[normalize_axis(op.attrs["axis"], _x(op).type.rank + 1)])]


def _squeeze(op, g, b):
    x = _x(op)
    if x.type.is_static or sum(d is None for d in x.type.shape) == 1:
        return [b.reshape_to(g, x.type.shape)]
    for axis in sorted(normalize_axis(a, x.type.rank) for a in op.attrs["axes"]):
        g = b("expand_dims", g, axis=axis)
    return [g]


def _concat(op, g, b):
    axis = normalize_axis(op.attrs["axis"], g.type.rank)
    sizes = [v.type.shape[axis] for v in op.inputs]
    if None in sizes:
        return _concat_by_run_time_sizes(op, g, b, axis)
    return b.multi("split", g, axis=axis, sizes=sizes)


def _concat_by_run_time_sizes(op, g, b, axis: int) -> list[Value]:
    """Each operand's piece of g sliced at offsets its operands' run-time shapes give: a concat in a loop whose
    sizes change across iterations (a growing TensorArray), which specialize leaves dynamic."""
    rank = g.type.rank
    unit = b._make("dfc.constant", [], {"value": np.eye(rank, dtype=np.int32)[axis]}, "axis").results[0]
    pieces, offset = [], None
    for x in op.inputs:
        size = b("shape_of", x, dtype=dtypes.i32)
        begin = offset if offset is not None else b._make(
            "dfc.constant", [], {"value": np.zeros(rank, np.int32)}, "begin").results[0]
        hint = [-1 if d is None else d for d in x.type.shape]
        pieces.append(b("dynamic_slice", g, begin, size, strides=[1] * rank, hint=hint, end_is_size=True)
                      if _float(x) else None)
        step = b("mul", size, unit)
        offset = step if offset is None else b("add", offset, step)
    return pieces


def _split(op, gs, b):
    pieces = [g if g is not None else b.zeros(r) for g, r in zip(gs, op.results)]
    return [b("concat", *pieces, axis=op.attrs["axis"]) if len(pieces) > 1 else pieces[0]]


def _tile(op, g, b):
    """Fold each tiled dim d*m into (m, d) and sum over the m copies."""
    shape = _static(_x(op), b)
    folded, copies = [], []
    for d, m in zip(shape, op.attrs["multiples"]):
        if m != 1:
            copies.append(len(folded))
            folded.append(m)
        folded.append(d)
    if not copies:
        return [g]
    return [b("reduce_sum", b("reshape", g, shape=folded), axes=copies, keepdims=False)]


def _slice(op, g, b):
    """Scatter g back into zeros of x's shape: per sliced dim, undo the stride, then pad before and after."""
    x = _x(op)
    shape = _static(x, b)
    out = g
    for axis, (d, start, stop, stride) in enumerate(zip(shape, op.attrs["begin"], op.attrs["end"],
                                                        op.attrs["strides"])):
        picked = range(*slice(start, stop, stride).indices(d))
        n = len(picked)
        if n == 0:
            return [b.zeros(x)]
        if n == d and picked.step == 1:
            continue
        rank = len(shape)
        if picked.step < 0:  # reverse so the elements run upward from the lowest picked index
            out = b("slice", out, begin=[SLICE_END if i == axis else 0 for i in range(rank)],
                    end=[SLICE_START_REVERSED if i == axis else SLICE_END for i in range(rank)],
                    strides=[-1 if i == axis else 1 for i in range(rank)])
        low, step = min(picked), abs(picked.step)
        cur = out.type.shape
        if step > 1:  # put step-1 zeros after each element: (n,) -> (n, step) -> (n*step,) -> first (n-1)*step+1
            gaps = b.const(0.0, g.type.dtype, cur[:axis + 1] + (step - 1,) + cur[axis + 1:])
            spread = b("concat", b("expand_dims", out, axis=axis + 1), gaps, axis=axis + 1)
            flat = b("reshape", spread, shape=cur[:axis] + (n * step,) + cur[axis + 1:])
            out = b("slice", flat, begin=[0] * rank, end=[(n - 1) * step + 1 if i == axis else SLICE_END
                                                          for i in range(rank)], strides=[1] * rank)
            cur = out.type.shape
        before, after = low, d - low - cur[axis]
        parts = ([b.const(0.0, g.type.dtype, cur[:axis] + (before,) + cur[axis + 1:])] if before else []) + [out] + \
            ([b.const(0.0, g.type.dtype, cur[:axis] + (after,) + cur[axis + 1:])] if after else [])
        out = b("concat", *parts, axis=axis) if len(parts) > 1 else out
    return [out]


def _gather_rows_by_run_time_shapes(op, g, b):
    """A gather of rows whose shapes only the run knows (a growing TensorArray's buffer, read in a loop): g's rows
    summed into the gathered rows by a segment sum of as many segments as params has rows then."""
    params, indices = op.inputs
    rank = params.type.rank
    dims = b("shape_of", params, dtype=dtypes.i32)
    rows = b("reshape", b("slice", dims, begin=[0], end=[1], strides=[1]), shape=[])
    minus_one = b._make("dfc.constant", [], {"value": np.array([-1], np.int32)}, "rows").results[0]
    flat_shape = b("concat", minus_one, b("slice", dims, begin=[1], end=[rank], strides=[1]), axis=0)
    flat = b("dynamic_reshape", g, flat_shape, hint=[-1] + [-1 if d is None else d for d in params.type.shape[1:]])
    ids = b("reshape", indices, shape=[-1])
    summed = b("dynamic_segment_sum", flat, ids, rows)
    return [summed, None]


def _gather(op, g, b):
    """Sum g's rows into the gathered positions with unsorted_segment_sum (a sparse update, not a one-hot matmul)."""
    params, indices = op.inputs
    axis = normalize_axis(op.attrs["axis"], params.type.rank)
    if axis == 0 and params.type.shape is not None and indices.type.shape is not None and not (
            params.type.is_static and indices.type.is_static):
        return _gather_rows_by_run_time_shapes(op, g, b)
    shape = _static(params, b)
    n, count = shape[axis], int(np.prod(_static(indices, b), dtype=np.int64))
    pre, post = int(np.prod(shape[:axis], dtype=np.int64)), int(np.prod(shape[axis + 1:], dtype=np.int64))
    # the indices pass through a gather of 0..n-1, which fails on an out-of-range index as the forward gather
    # does (a segment sum alone would drop it silently when the forward result is not fetched)
    positions = b._make("dfc.constant", [], {"value": np.arange(n, dtype=indices.type.dtype.np)}, "positions")
    ids = b("reshape", b("gather", positions.results[0], indices, axis=0), shape=[count])
    if pre == 1:
        summed = b("unsorted_segment_sum", b("reshape", g, shape=[count, post]), ids, num_segments=n)
        return [b("reshape", summed, shape=list(shape)), None]
    rows = b("transpose", b("reshape", g, shape=[pre, count, post]), perm=[1, 0, 2])
    summed = b("unsorted_segment_sum", rows, ids, num_segments=n)
    return [b("reshape", b("transpose", summed, perm=[1, 0, 2]), shape=list(shape)), None]


def _dynamic_update_slice(op, g, b):
    """x's cotangent is g with the written rows zeroed; the rows' is g's rows at start (a gather of them)."""
    x, update, start = op.inputs
    if not _float(x):
        return [None, None, None]
    k = _static(update, b)[0]
    offsets = b._make("dfc.constant", [], {"value": np.arange(k, dtype=start.type.dtype.np)}, "rows").results[0]
    rows = b("gather", g, b("add", offsets, start), axis=0)
    return [b("dynamic_update_slice", g, b.zeros(update), start), rows, None]


def _segment_sum(op, g, b):
    """Each data row gets its segment's row of g; rows with a negative (dropped) id get zeros."""
    data, ids = op.inputs
    if not _float(data):
        return [None, None]
    rows = b("gather", g, b("maximum", ids, 0), axis=0)
    kept = b("greater_equal", ids, 0)
    post = len(_static(data, b)) - len(_static(ids, b))
    kept = b.reshape_to(kept, _static(ids, b) + (1,) * post)
    return [b("select", kept, rows, 0.0), None]


def _cumsum(op, g, b):
    """The running sum the other way along the axis (TF's rule)."""
    a = op.attrs
    return [b("cumsum", g, axis=a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])]


def _cumprod(op, g, b):
    """TF's rule: cumsum(y * g) the other way, divided by x, and 0 where x == 0 (div_no_nan)."""
    a, x = op.attrs, _x(op)
    out = b("cumsum", b("mul", _y(op), g), axis=a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])
    zero = b("equal", x, 0.0)
    return [b("select", zero, 0.0, b("div", out, b("select", zero, 1.0, x)))]


_TWO_OVER_SQRT_PI = 2.0 / float(np.sqrt(np.pi))


def _atan2(op, g, b):
    """TF's rule: g / (x^2 + y^2) times x for y and -y for x."""
    y, x = op.inputs
    scaled = b("div", g, b("add", b("mul", x, x), b("mul", y, y)))
    return [b.sum_to(b("mul", scaled, x), y), b.sum_to(b("neg", b("mul", scaled, y)), x)]


def _select(op, g, b):
    cond, x0, x1 = op.inputs
    return [None, b.sum_to(b("select", cond, g, 0.0), x0), b.sum_to(b("select", cond, 0.0, g), x1)]


def _pow(g, a, p, y, b):
    return b("mul", g, b.conj(b("mul", p, b("pow", a, b("sub", p, 1.0)))))


def _pow_exponent(g, a, p, y, b):
    # log(a) only where a > 0 (TF's convention; a != 0 for complex a): elsewhere the exponent gets no gradient
    usable = b("not_equal", a, 0.0) if a.type.dtype.is_complex else b("greater", a, 0.0)
    safe_log = b("select", usable, b("log", b("select", usable, a, 1.0)), 0.0)
    return b("mul", g, b.conj(b("mul", y, safe_log)))


#: op name -> VJP rule. Every op declared differentiable has a row (a test checks it).
VJP: dict[str, Rule] = {
    "dfc.identity": lambda op, g, b: [g],
    "dfc.neg": lambda op, g, b: [b("neg", g)],
    "dfc.abs": lambda op, g, b: [b("mul", g, b("sign", _x(op)))],
    "dfc.sign": lambda op, g, b: [None],  # piecewise constant: zero almost everywhere
    "dfc.square": lambda op, g, b: [b("mul", g, b.conj(b("mul", _x(op), 2.0)))],
    "dfc.exp": lambda op, g, b: [b("mul", g, b.conj(_y(op)))],
    "dfc.expm1": lambda op, g, b: [b("mul", g, b("add", _y(op), 1.0))],
    "dfc.log": lambda op, g, b: [b("div", g, b.conj(_x(op)))],
    "dfc.log1p": lambda op, g, b: [b("div", g, b("add", _x(op), 1.0))],
    "dfc.sqrt": lambda op, g, b: [b("div", g, b.conj(b("mul", _y(op), 2.0)))],
    "dfc.rsqrt": lambda op, g, b: [b("mul", g, b.conj(b("mul", b("div", _y(op), _x(op)), -0.5)))],
    "dfc.reciprocal": lambda op, g, b: [b("neg", b("mul", g, b.conj(b("mul", _y(op), _y(op)))))],
    "dfc.sin": lambda op, g, b: [b("mul", g, b.conj(b("cos", _x(op))))],
    "dfc.cos": lambda op, g, b: [b("neg", b("mul", g, b.conj(b("sin", _x(op)))))],
    "dfc.tanh": lambda op, g, b: [b("mul", g, b.conj(b("sub", 1.0, b("mul", _y(op), _y(op)))))],
    "dfc.sigmoid": lambda op, g, b: [b("mul", g, b("mul", _y(op), b("sub", 1.0, _y(op))))],
    "dfc.relu": lambda op, g, b: [b("select", b("greater", _x(op), 0.0), g, 0.0)],
    "dfc.atan": lambda op, g, b: [b("div", g, b("add", b("mul", _x(op), _x(op)), 1.0))],
    "dfc.asin": lambda op, g, b: [b("mul", g, b("rsqrt", b("sub", 1.0, b("mul", _x(op), _x(op)))))],
    "dfc.acos": lambda op, g, b: [b("neg", b("mul", g, b("rsqrt", b("sub", 1.0, b("mul", _x(op), _x(op))))))],
    "dfc.erf": lambda op, g, b: [b("mul", g, b("mul", b("exp", b("neg", b("mul", _x(op), _x(op)))),
                                               _TWO_OVER_SQRT_PI))],
    "dfc.erfc": lambda op, g, b: [b("mul", g, b("mul", b("exp", b("neg", b("mul", _x(op), _x(op)))),
                                                -_TWO_OVER_SQRT_PI))],
    "dfc.atan2": _atan2,
    "dfc.add": _binary(lambda g, x, y, r, b: g, lambda g, x, y, r, b: g),
    "dfc.sub": _binary(lambda g, x, y, r, b: g, lambda g, x, y, r, b: b("neg", g)),
    "dfc.mul": _binary(lambda g, x, y, r, b: b("mul", g, b.conj(y)), lambda g, x, y, r, b: b("mul", g, b.conj(x))),
    "dfc.div": _binary(lambda g, x, y, r, b: b("div", g, b.conj(y)),
                       lambda g, x, y, r, b: b("neg", b("div", b("mul", g, b.conj(r)), b.conj(y)))),
    "dfc.pow": _binary(_pow, _pow_exponent),
    "dfc.maximum": _extreme("greater_equal"),
    "dfc.minimum": _extreme("less_equal"),
    "dfc.select": _select,
    "dfc.cast": _cast,
    "dfc.matmul": _matmul,
    "dfc.reduce_sum": _reduce_sum,
    "dfc.reduce_mean": _reduce_mean,
    "dfc.reduce_max": _reduce_extreme,
    "dfc.reduce_min": _reduce_extreme,
    "dfc.reduce_prod": _reduce_prod,
    "dfc.softmax": _softmax,
    "dfc.log_softmax": _log_softmax,
    "dfc.reshape": lambda op, g, b: [b.reshape_to(g, _x(op).type.shape)],
    "dfc.transpose": _transpose,
    "dfc.expand_dims": _expand_dims,
    "dfc.squeeze": _squeeze,
    "dfc.concat": _concat,
    "dfc.split": _split,
    "dfc.tile": _tile,
    "dfc.slice": _slice,
    "dfc.gather": _gather,
    "dfc.unsorted_segment_sum": _segment_sum,
    "dfc.dynamic_update_slice": _dynamic_update_slice,
    "dfc.cumsum": _cumsum,
    "dfc.print": lambda op, g, b: [g] + [None] * (len(op.inputs) - 1),
    "dfc.check_numerics": lambda op, g, b: [b("check_numerics", g, message="Not a number (NaN) or infinity (Inf) "
                                              "values detected in gradient. " + op.attrs["message"])],
    "dfc.cumprod": _cumprod,
    "dfc.broadcast_like": lambda op, g, b: [b.sum_to(g, _x(op)), None],
    # specialize makes these static first; the rules serve a step compiled without fed shapes
    "dfc.dynamic_reshape": lambda op, g, b: [b.reshape_to(g, _static(_x(op), b)), None],
    "dfc.dynamic_fill": lambda op, g, b: [None, b("reduce_sum", g, axes=list(range(len(_static(g, b)))),
                                                    keepdims=False)],
    **NN_VJP,
}

#: ops whose rule gets a list of cotangents even when they have one result (a split into one piece)
MULTI_RESULT = {"dfc.split"}

#: differentiable ops that never meet a rule: why not
NO_RULE = {
    "dfc.grad": "an inner dfc.grad is expanded before any dfc.grad that differentiates through it",
    "dfc.fused": "the fuse pass runs after autodiff, so a step graph has no fused op to differentiate",
    "dfc.dynamic_slice": "specialize makes it a dfc.slice (whose rule applies) before autodiff runs; a step compiled "
                         "without the fed shapes cannot know its bounds",
    "dfc.dynamic_segment_sum": "specialize makes it a dfc.unsorted_segment_sum (whose rule applies) before autodiff "
                               "runs",
    "dfc.dynamic_tile": "specialize makes it a dfc.tile (whose rule applies) before autodiff runs",
    **{name: f"specialize makes it a {twin.static} (whose rule applies) before autodiff runs"
       for name, twin in TWINS.items()},
    **NN_NO_RULE,
}


def _float(v: Value) -> bool:
    """A value gradients flow to: a float, or a complex number (TF differentiates both)."""
    return isinstance(v.type, TensorType) and (v.type.dtype.is_floating or v.type.dtype.is_complex)


def _propagates(op: Op) -> bool:
    """Whether cotangents would flow through `op` to its operands (a differentiable op without a rule counts: it
    fails only if the ys turn out to depend on it, see _require_rule)."""
    return get_op_def(op.type).differentiable


def _require_rule(op: Op) -> None:
    if op.type not in VJP:
        reason = NO_RULE.get(op.type, "no VJP rule is registered for it")
        raise VerificationError(f"autodiff cannot differentiate through {op.describe()}: {reason}")


# ---- the reverse walk ---------------------------------------------------------------------------
def grad_operands(grad_op: Op) -> tuple[list[Value], list[Value], list[Value], list[Value]]:
    """(ys, xs, grad_ys, stop_gradients) of a dfc.grad op; grad_ys is empty when not given."""
    ny, nx, ns = grad_op.attrs["num_ys"], grad_op.attrs["num_xs"], grad_op.attrs.get("num_stops", 0)
    data = grad_op.inputs
    end = len(data) - ns
    return data[:ny], data[ny:ny + nx], data[ny + nx:end], data[end:]


def connected(ys: Iterable[Value], xs: Sequence[Value], stops: Iterable[Value] = ()) -> tuple[list[bool], list[Value]]:
    """Which xs the ys depend on through differentiable ops, and which stops lie on those paths.

    Walks up from the ys through the operands of differentiable ops (an unexpanded dfc.grad
    counts as depending on its ys, xs and grad_ys). Used at build time by tf.gradients.
    """
    stops = set(stops)
    seen: set[Value] = set()
    hit_stops: list[Value] = []
    todo = [y for y in ys]
    while todo:
        v = todo.pop()
        if v in seen:
            continue
        seen.add(v)
        if v in stops:
            hit_stops.append(v)
            continue
        op = v.op
        if op is None:
            continue
        if op.type == "dfc.grad":
            ys_, xs_, seeds, _ = grad_operands(op)
            todo.extend(ys_ + xs_ + seeds)
        elif get_op_def(op.type).differentiable:
            todo.extend(u for u in op.inputs if _float(u))
    return [x in seen for x in xs], hit_stops


def expand_grad(graph: Graph, grad_op: Op) -> None:
    """Replace one dfc.grad of `graph` by the ops computing its results (in place)."""
    index = graph.ops.index(grad_op)
    before, after = graph.ops[:index], graph.ops[index + 1:]
    ys, xs, seeds, stops = grad_operands(grad_op)
    used = set()
    for op in after:
        used.update(free_values(op))
    wanted = [r in used for r in grad_op.results]

    # values on a differentiable path: forward from the wanted xs, then backward from the ys
    stop_set = set(stops)
    forward = {x for x, w in zip(xs, wanted) if w} - stop_set
    on_path: list[Op] = []
    for op in before:
        if any(v in forward for v in op.inputs) and _propagates(op):
            forward.update(r for r in op.results if _float(r) and r not in stop_set)
            on_path.append(op)
    live = {y for y in ys if y in forward}
    for op in reversed(on_path):
        if any(r in live for r in op.results):
            # only here: an op without a rule that the xs reach but the ys do not need (another tower's
            # gradient, a second derivative nobody asked for) is no error
            _require_rule(op)
            live.update(v for v in op.inputs if v in forward)

    b = Emitter(grad_op)
    cotangents: dict[Value, list[Value]] = {}

    def total(v: Value) -> Value | None:
        parts = cotangents.get(v)
        if not parts:
            return None
        if len(parts) > 1:
            b.scope = v.op.name if v.op is not None else (v.arg_name or "arg")
            acc = parts[0]
            for p in parts[1:]:
                acc = b("add", acc, p, name="AddN")
            cotangents[v] = [acc]
        return cotangents[v][0]

    for i, y in enumerate(ys):
        if y in live:
            b.scope = ""
            seed = seeds[i] if seeds else b("fill_like", y, value=1.0, dtype=y.type.dtype, name=f"grad_ys_{i}")
            cotangents.setdefault(y, []).append(seed)

    for op in reversed(on_path):
        if not any(r in live for r in op.results):
            continue
        gs = [total(r) for r in op.results]
        if all(g is None for g in gs):
            continue
        b.scope = op.name
        grads = VJP[op.type](op, gs if op.type in MULTI_RESULT or len(op.results) != 1 else gs[0], b)
        for v, gv in zip(op.inputs, grads):
            if gv is None or v not in live:
                continue
            _check(op, v, gv)
            cotangents.setdefault(v, []).append(gv)

    results: dict[Value, Value] = {}
    for x, result, w in zip(xs, grad_op.results, wanted):
        if w:
            g = total(x)
            if g is None:  # a fed tensor cut the path that existed when the graph was built
                b.scope = ""
                g = b.zeros(x)
            results[result] = g
    index = graph.ops.index(grad_op)  # a loop's rule may have put its stacks' initial values before the loop
    _insert(graph, index, b.ops, list(results.values()))
    replace_all_uses(graph.ops[index:], results)
    graph.body.ops.remove(grad_op)
    graph.mark_changed()


def _check(op: Op, operand: Value, grad: Value) -> None:
    t, g = operand.type, grad.type
    if g.dtype != t.dtype or g.rank != t.rank or any(a is not None and c is not None and a != c
                                                     for a, c in zip(g.shape, t.shape)):
        raise VerificationError(f"autodiff: the VJP rule of {op.describe()} gave a gradient of type {g} for "
                                f"operand {operand.describe()}")


def _insert(graph: Graph, index: int, emitted: list[Op], roots: list[Value]) -> None:
    """Put the emitted ops that the roots need at `index`, in order, with unique names."""
    needed: set[Op] = set()
    todo = [v.op for v in roots if v.op is not None]
    mine = set(emitted)
    while todo:
        op = todo.pop()
        if op in needed or op not in mine:
            continue
        needed.add(op)
        todo.extend(v.op for v in op.operands if v.op is not None)
    kept = [op for op in emitted if op in needed]
    for op in kept:
        op.name = graph.reserve_name(op.name)
        op.block = graph.body
    graph.body.ops[index:index] = kept


@register_pass("autodiff")
def autodiff(graph: Graph) -> Graph:
    """Expand every dfc.grad, first to last, so an inner grad is expanded before one that uses it."""
    while True:
        grad_op = next((op for op in graph.ops if op.type == "dfc.grad"), None)
        if grad_op is None:
            strip_custom_gradients(graph)
            return graph
        expand_grad(graph, grad_op)


# branches and loops: their rules build branches and loops (autodiff_control.py, which uses expand_grad above)
from .autodiff_control import CONTROL_VJP, strip_custom_gradients  # noqa: E402

VJP.update(CONTROL_VJP)
MULTI_RESULT.update(CONTROL_VJP)

from .autodiff_loops import while_vjp  # noqa: E402

VJP["dfc.while"] = while_vjp
MULTI_RESULT.add("dfc.while")

from .autodiff_linalg import LINALG_MULTI_RESULT, LINALG_VJP  # noqa: E402
from .autodiff_spectral import SPECTRAL_VJP  # noqa: E402

VJP.update(LINALG_VJP)
VJP.update(SPECTRAL_VJP)
MULTI_RESULT.update(LINALG_MULTI_RESULT)
