"""TF1's structure and static-shape utilities: tf.tuple, identity_n, shape_n, ensure_shape, is_tensor,
get_static_value, broadcast_static_shape / broadcast_dynamic_shape, tf.newaxis."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, i32, i64

from .array_ops import concat, constant, gather, shape
from .debugging import Assert
from .framework import (Tensor, TensorShape, build_error, constant_value, control_dependencies, convert_to_tensor,
                        make, tf_constant_value)


def identity_n(input, name: str | None = None) -> list[Tensor]:  # noqa: A002 - TF's name
    """One identity per tensor of the list `input`."""
    tensors = [convert_to_tensor(t) for t in input]
    return [make("dfc.identity", [t], name=name or "IdentityN") for t in tensors]


def shape_n(input, out_type=i32, name: str | None = None) -> list[Tensor]:  # noqa: A002 - TF's name
    """The shape of each tensor of the list `input`, as tf.shape gives it."""
    out_type = as_dtype(out_type)
    if out_type not in (i32, i64):
        raise TypeError(f"shape_n's out_type must be int32 or int64, got {out_type.name}")
    return [shape(t, name=name or "ShapeN", out_type=out_type) for t in input]


def is_tensor(x: Any) -> bool:
    """Whether x is a tensor-like graph object (a Tensor or a Variable), not a Python or numpy value."""
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def get_static_value(tensor: Any, partial: bool = False) -> Any:
    """The value of `tensor` when it is known while the graph is built (a constant, its identities, the shape,
    size or rank of a tensor whose shape is known), else None; a non-tensor is returned as it is."""
    if not is_tensor(tensor):
        return tensor
    t = convert_to_tensor(tensor)
    if hasattr(tensor, "_as_tensor") and not isinstance(tensor, Tensor):
        return None  # a variable's value changes while the graph runs
    while t.op._dfc_ir().type in ("dfc.identity", "dfc.stop_gradient"):
        t = t.op.inputs[0]
    known = tf_constant_value(t)
    if known is not None:
        return np.array(known)
    if t.op._dfc_ir().type == "dfc.shape_of" and t.op.inputs[0].shape.is_fully_defined():
        return np.array(t.op.inputs[0].shape.as_list(), dtype=t.dtype.np)
    if partial and t.op._dfc_ir().type == "dfc.shape_of" and t.op.inputs[0].shape.ndims is not None:
        return np.array([-1 if d is None else d for d in t.op.inputs[0].shape.as_list()], dtype=object)
    return None


def _as_dims(shape: Any) -> list[int | None] | None:
    if isinstance(shape, TensorShape):
        return shape.as_list() if shape.ndims is not None else None
    if shape is None:
        return None
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return [None if d is None or (not isinstance(d, TensorShape) and getattr(d, "value", d) is None)
            else int(getattr(d, "value", d)) for d in shape]


def broadcast_static_shape(shape_x, shape_y) -> TensorShape:
    """The shape numpy's broadcasting gives two shapes known (partly) at build time; ValueError when they cannot
    broadcast."""
    x, y = _as_dims(shape_x), _as_dims(shape_y)
    if x is None or y is None:
        return TensorShape(None)
    n = max(len(x), len(y))
    x, y = [1] * (n - len(x)) + x, [1] * (n - len(y)) + y
    out: list[int | None] = []
    for a, b in zip(x, y):
        if a == 1:
            out.append(b)
        elif b == 1:
            out.append(a)
        elif a is None or b is None:
            out.append(a if b is None else b)
        elif a == b:
            out.append(a)
        else:
            raise ValueError(f"Incompatible shapes for broadcasting: {TensorShape(_as_dims(shape_x))} and "
                             f"{TensorShape(_as_dims(shape_y))}")
    return TensorShape(out)


def broadcast_dynamic_shape(shape_x, shape_y, name: str | None = None) -> Tensor:
    """The broadcast of two shape vectors (as tf.shape gives them): a constant when both are known now, else
    computed while the graph runs, failing the run when they cannot broadcast."""
    sx, sy = convert_to_tensor(shape_x), convert_to_tensor(shape_y)
    label = name or "BroadcastArgs"
    for s in (sx, sy):
        if s.dtype not in (i32, i64):
            raise TypeError(f"{build_error('BroadcastArgs', label, '')} shape {s.name} must be int32 or int64, "
                            f"got {s.dtype.name}")
        if s.shape.ndims != 1:
            raise build_error("BroadcastArgs", label, f"shape {s.name} must be a vector, got shape {s.shape}")
    if sx.dtype is not sy.dtype:
        raise TypeError(f"{build_error('BroadcastArgs', label, '')} shapes {sx.name} and {sy.name} differ in "
                        f"dtype: {sx.dtype.name} vs {sy.dtype.name}")
    kx, ky = get_static_value(sx), get_static_value(sy)
    if kx is not None and ky is not None:
        try:
            dims = broadcast_static_shape(TensorShape(kx.tolist()), TensorShape(ky.tolist())).as_list()
        except ValueError:
            raise build_error("BroadcastArgs", label, f"Incompatible shapes: {kx.tolist()} vs. {ky.tolist()}") \
                from None
        return constant(np.array(dims, sx.dtype.np), name=label)
    nx, ny = sx.shape.as_list()[0], sy.shape.as_list()[0]
    if nx is None or ny is None:
        raise NotImplementedError(f"{build_error('BroadcastArgs', label, '')} broadcast_dynamic_shape needs shape "
                                  f"vectors of known length (the ranks), got {sx.shape} and {sy.shape}")
    n = max(nx, ny)
    one = constant(np.ones(n - min(nx, ny), sx.dtype.np))
    px = concat([one, sx], 0) if nx < n else sx
    py = concat([one, sy], 0) if ny < n else sy
    ones = constant(np.ones(n, sx.dtype.np))
    x1, y1 = make("dfc.equal", [px, ones]), make("dfc.equal", [py, ones])
    fits = make("dfc.reduce_all", [make("dfc.logical_or", [make("dfc.logical_or", [x1, y1]),
                                                           make("dfc.equal", [px, py])])], {"axes": [0]})
    check = Assert(fits, ["Incompatible shapes:", sx, "vs.", sy], name=f"{label}_check")
    with control_dependencies([check]):
        return make("dfc.select", [x1, py, px], name=label)


def ensure_shape(x, shape, name: str | None = None) -> Tensor:
    """x, with the static shape refined by `shape` (None dims: any); a run whose x does not fit fails with
    InvalidArgumentError, and a shape known now not to fit is a ValueError here."""
    x = convert_to_tensor(x)
    label = name or "EnsureShape"
    want = _as_dims(shape if not isinstance(shape, Tensor) else constant_value(shape).tolist())
    have = x.shape.as_list() if x.shape.ndims is not None else None
    if want is None:
        return make("dfc.identity", [x], name=label)
    if have is not None and (len(have) != len(want) or any(a is not None and b is not None and a != b
                                                             for a, b in zip(have, want))):
        raise build_error("EnsureShape", label, f"Shape of tensor {x.name} {x.shape} is not compatible with "
                                                f"expected shape {TensorShape(want)}.")
    merged = [b if a is None else a for a, b in zip(have, want)] if have is not None else want
    if have is not None and merged == have:
        return make("dfc.identity", [x], name=label)
    actual = make("dfc.shape_of", [x], {"dtype": i32}, name=f"{label}_shape")
    checks = []
    if have is None:
        rank_ok = make("dfc.equal", [make("dfc.shape_of", [actual], {"dtype": i32}),
                                     constant(np.array([len(want)], np.int32))])
        checks.append(Assert(make("dfc.reshape", [rank_ok], {"shape": []}),
                             [f"Shape of tensor {x.name} is not compatible with expected shape "
                              f"{TensorShape(want)}: it has the shape", actual], name=f"{label}_rank"))
    with control_dependencies(checks):
        fixed = [i for i, d in enumerate(want) if d is not None]
        picked = gather(actual, constant(np.array(fixed, np.int32)))
        fits = make("dfc.reduce_all", [make("dfc.equal", [picked, constant(np.array([want[i] for i in fixed],
                                                                                     np.int32))])], {"axes": [0]})
        check = Assert(fits, [f"Shape of tensor {x.name} is not compatible with expected shape "
                              f"{TensorShape(want)}: it has the shape", actual], name=f"{label}_check")
    with control_dependencies([check]):
        hint = builtins.tuple(-1 if d is None else d for d in merged)
        dims = actual if have is not None else make("dfc.reshape", [actual], {"shape": [len(want)]},
                                                         name=f"{label}_rank_{len(want)}")
        return make("dfc.dynamic_reshape", [x, dims], {"hint": hint}, name=label)


def tuple(tensors, name: str | None = None, control_inputs=None) -> list:  # noqa: A001 - TF's name
    """The tensors, each available only once all of them (and `control_inputs`) are computed (None stays
    None)."""
    from .variables import group
    items = list(tensors)
    gating = [t for t in items if t is not None]
    if control_inputs:
        gating += list(control_inputs)
    if not gating:
        return items
    gate = group(*gating, name=name or "tuple")
    out = []
    with control_dependencies([gate]):
        for t in items:
            out.append(None if t is None else make("dfc.identity", [convert_to_tensor(t)],
                                                   name=f"{name or 'tuple'}_control_dependency"))
    return out


def guarantee_const(input, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """input unchanged: TF's promise to its runtime that the value is constant (dfc's constants fold anyway)."""
    return make("dfc.identity", [convert_to_tensor(input)], name=name or "GuaranteeConst")


def parallel_stack(values, name: str = "parallel_stack") -> Tensor:
    """tf.stack of tensors of one known shape (TF's version copies them in parallel; the values are the same)."""
    from .array_ops import stack
    tensors = [convert_to_tensor(v) for v in values]
    if tensors and not tensors[0].shape.is_fully_defined():
        raise ValueError(f"parallel_stack needs fully defined shapes, got {tensors[0].name} of shape "
                         f"{tensors[0].shape}")
    return stack(tensors, name=name)


def dimension_value(dimension) -> int | None:
    """A dimension as an int (None when unknown), whether given as an int or a Dimension."""
    return getattr(dimension, "value", dimension)


def dimension_at_index(shape, index):
    """Dimension `index` of a TensorShape (unknown when the rank is)."""
    from .framework import Dimension
    shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    if shape.ndims is None:
        return Dimension(None)
    return Dimension(shape.as_list()[index])


newaxis = None
