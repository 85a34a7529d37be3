"""Scans: running sums and products along one axis (tf.cumsum, tf.cumprod), exclusive and/or reversed."""

from __future__ import annotations

import numpy as np

from ..dtypes import NUMERIC
from .registry import Attr, OpDef, normalize_axis, register, require_dtype, tensor_operand


def _scan_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, NUMERIC)
    normalize_axis(attrs["axis"], t.rank)
    return [t]


def _scan(fn, identity: int):
    def reference(x, axis, exclusive, reverse):
        axis = normalize_axis(axis, x.ndim)
        y = np.flip(x, axis) if reverse else x
        with np.errstate(all="ignore"):
            out = fn(y, axis=axis, dtype=x.dtype)
        if exclusive and x.shape[axis]:
            first = np.full_like(np.take(out, [0], axis=axis), identity)
            out = np.concatenate([first, np.take(out, np.arange(x.shape[axis] - 1), axis=axis)], axis=axis)
        return np.ascontiguousarray(np.flip(out, axis) if reverse else out).astype(x.dtype, copy=False)
    return reference


_ATTRS = {"axis": Attr("int", 0), "exclusive": Attr("bool", False), "reverse": Attr("bool", False)}

register(OpDef("dfc.cumsum", "scan", _scan_infer, _scan(np.cumsum, 0), 1, dict(_ATTRS), fusible_as=None,
               doc="running sums along `axis`: out[i] = x[0] + ... + x[i] (exclusive: up to x[i-1]; reverse: from "
                   "the end)"))
register(OpDef("dfc.cumprod", "scan", _scan_infer, _scan(np.cumprod, 1), 1, dict(_ATTRS), fusible_as=None,
               doc="running products along `axis`, as dfc.cumsum"))
