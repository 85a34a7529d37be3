"""Reductions over axes (sum, mean, max, min, prod, any, all), arg-reductions and softmax."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence

import ml_dtypes
import numpy as np

from ..dtypes import COMPLEX, FLOATS, NUMERIC, DType, bool_, i32, i64
from ..errors import ShapeError
from ..types import TensorType
from .elementwise import is_floating_array
from .registry import Attr, OpDef, normalize_axis, register, require_dtype, tensor_operand


def reduced_shape(shape: Sequence[int | None], axes: Collection[int], keepdims: bool) -> tuple[int | None, ...]:
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def normalized_axes(axes: Iterable[int], rank: int) -> tuple[int, ...]:
    out = sorted({normalize_axis(a, rank) for a in axes})
    return tuple(out)


def _reduce_infer(allowed):
    def infer(types, attrs):
        t = tensor_operand(types, 0)
        require_dtype(t.dtype, allowed)
        axes = normalized_axes(attrs["axes"], t.rank)
        return [TensorType(t.dtype, reduced_shape(t.shape, axes, attrs["keepdims"]))]
    return infer


_HALF_TYPES = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))


def _reduction(fn):
    def reference(x, axes, keepdims):
        axes = normalized_axes(axes, x.ndim)
        if x.size == 0 and fn in (np.max, np.min):
            return _empty_extreme(fn, x, axes, keepdims)
        with np.errstate(all="ignore"):
            if fn is np.mean and x.dtype.kind in "iu":
                # TF's integer mean divides with truncation in the input dtype
                total = np.sum(x, axis=axes, keepdims=keepdims, dtype=x.dtype)
                count = max(int(np.prod([x.shape[a] for a in axes])), 1)
                # the count in the input dtype too (Eigen's T(count)), wrapping as the native kernel's does
                wrapped = np.asarray(count, np.int64).astype(x.dtype)
                if int(wrapped) in (0, -1):
                    raise ShapeError(f"reduce_mean over {count} elements does not fit {x.dtype}")
                return np.asarray(_trunc_div(total, wrapped), dtype=x.dtype)
            if fn in (np.sum, np.mean, np.prod) and x.dtype in _HALF_TYPES:
                # float16/bfloat16 accumulate in float32 and round once, as the native kernels do: a partial
                # product or sum past the half type's range must not turn a representable result into inf
                out = np.asarray(fn(x.astype(np.float32), axis=axes, keepdims=keepdims), dtype=x.dtype)
            else:
                out = np.asarray(fn(x, axis=axes, keepdims=keepdims), dtype=x.dtype)
            if fn in (np.max, np.min) and is_floating_array(x):
                out = _signed_zero_extreme(fn, x, axes, keepdims, out)
            return out
    return reference


def _signed_zero_extreme(fn, x, axes, keepdims, out):
    """A zero max (min) is +0. (-0.) when any +0. (-0.) is among the reduced values: -0. orders below +0.
    (IEEE 754-2019's maximum), so the answer does not depend on the order the elements are visited in."""
    zero = out == 0
    if not np.any(zero):
        return out
    wanted = (x == 0) & (np.signbit(x) == (fn is np.min))
    found = np.any(wanted, axis=axes, keepdims=keepdims)
    signed = np.where(found, np.zeros((), x.dtype), np.negative(np.zeros((), x.dtype)))
    if fn is np.min:
        signed = np.negative(signed)
    return np.where(zero, signed, out).astype(x.dtype)


def _trunc_div(a, n):
    return np.sign(a) * (np.abs(a) // n)


def _empty_extreme(fn, x, axes, keepdims):
    # max/min of nothing: TF gives the identity of the reduction (-inf / +inf, or the dtype's extreme)
    shape = reduced_shape(x.shape, axes, keepdims)
    if is_floating_array(x):
        fill = -np.inf if fn is np.max else np.inf
    else:
        info = np.iinfo(x.dtype)
        fill = info.min if fn is np.max else info.max
    return np.full(shape, fill, dtype=x.dtype)


def reduction(name: str, fn: Callable, allowed: tuple[DType, ...] = NUMERIC, differentiable: bool = True) -> OpDef:
    return register(OpDef(f"dfc.{name}", "reduce", _reduce_infer(allowed), _reduction(fn), 1,
                          {"axes": Attr("ints"), "keepdims": Attr("bool", False)}, differentiable=differentiable,
                          reduction=True, fusible_as="reduction"))


reduction("reduce_sum", np.sum, NUMERIC + COMPLEX)  # complex sums and means run on the host, as all complex ops
reduction("reduce_mean", np.mean, NUMERIC + COMPLEX)
reduction("reduce_max", np.max)
reduction("reduce_min", np.min)
reduction("reduce_prod", np.prod, NUMERIC + COMPLEX)
reduction("reduce_any", np.any, (bool_,), differentiable=False)
reduction("reduce_all", np.all, (bool_,), differentiable=False)


def _arg_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, NUMERIC)
    require_dtype(attrs["output_type"], (i32, i64), "output_type")
    axis = normalize_axis(attrs["axis"], t.rank)
    return [TensorType(attrs["output_type"], reduced_shape(t.shape, (axis,), False))]


def _arg(fn, nan_as: float):
    def reference(x, axis, output_type):
        if x.shape[axis] == 0:
            raise ShapeError(f"Reduction axis {axis} is empty in shape {list(x.shape)}: cannot take {fn.__name__}")
        if is_floating_array(x):  # TF's kernels: a NaN never wins; all NaN (or all -inf for argmax) gives 0
            x = np.where(np.isnan(x), x.dtype.type(nan_as), x)
        return fn(x, axis=axis).astype(output_type.np)
    return reference


register(OpDef("dfc.argmax", "reduce", _arg_infer, _arg(np.argmax, -np.inf), 1,
               {"axis": Attr("int"), "output_type": Attr("dtype", i64)}, differentiable=False, fusible_as=None))
register(OpDef("dfc.argmin", "reduce", _arg_infer, _arg(np.argmin, np.inf), 1,
               {"axis": Attr("int"), "output_type": Attr("dtype", i64)}, differentiable=False, fusible_as=None))


def _softmax_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, FLOATS)
    normalize_axis(attrs["axis"], t.rank)
    return [t]


def _softmax(x, axis):
    with np.errstate(all="ignore"):
        shifted = x - np.max(x, axis=axis, keepdims=True)
        e = np.exp(shifted)
        return (e / np.sum(e, axis=axis, keepdims=True)).astype(x.dtype)


def _log_softmax(x, axis):
    with np.errstate(all="ignore"):
        shifted = x - np.max(x, axis=axis, keepdims=True)
        return (shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))).astype(x.dtype)


register(OpDef("dfc.softmax", "reduce", _softmax_infer, _softmax, 1, {"axis": Attr("int", -1)}, fusible_as=None))
register(OpDef("dfc.log_softmax", "reduce", _softmax_infer, _log_softmax, 1, {"axis": Attr("int", -1)},
               fusible_as=None))
