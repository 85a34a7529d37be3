"""Shape functions of the DSL: tf.shape/size/rank, reshape, transpose, expand_dims/squeeze, concat/split,
stack/unstack, tile, gather and identity, and the reading of shape arguments (static, fed or mixed)."""

from __future__ import annotations

import builtins
import os
import sys
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, i32
from dfc.ir.errors import UnimplementedError

from .conversion import _user_line
from .framework import (Tensor, TensorShape, build_error, check_int, constant, constant_value, convert_to_tensor,
                        fed_axis, make, make_op, name_scope, static_shape, wrap)


def shape_argument(shape: Any, what: str = "shape") -> tuple[tuple[int, ...] | None, Tensor | None, tuple[int, ...]]:
    """A shape argument as (static dims, None) when known now, else (None, 1-D int tensor, build-time hint).

    TF1 takes a list of ints, a TensorShape, a 1-D int tensor (tf.shape(x)) or a list mixing ints
    and scalar int tensors (packed with tf.stack). The hint holds each dim known now, -1 for the rest.
    """
    if isinstance(shape, TensorShape):
        if shape.is_fully_defined():
            return tuple(shape.as_list()), None, ()
        raise ValueError(f"{what} {shape} must be fully defined")
    if isinstance(shape, Tensor):
        known = constant_value(shape)
        if known is not None:
            return tuple(int(d) for d in np.atleast_1d(known)), None, ()
        if not shape.dtype.is_integer:
            raise TypeError(f"{what} tensor {shape.name} must be int32 or int64, got {shape.dtype.name}")
        if shape.shape.ndims not in (None, 1):
            raise ValueError(f"{what} tensor {shape.name} must be a vector, got shape {shape.shape}")
        return None, shape, _shape_hint(shape)
    if isinstance(shape, (list, tuple)) and any(isinstance(d, Tensor) or hasattr(d, "_as_tensor") for d in shape):
        parts = [convert_to_tensor(d) if isinstance(d, Tensor) or hasattr(d, "_as_tensor") else d for d in shape]
        dtype = next(p.dtype for p in parts if isinstance(p, Tensor))
        parts = [p if isinstance(p, Tensor) else constant(check_int(p, f"{what} dim"), dtype=dtype) for p in parts]
        values = [constant_value(p) for p in parts]
        if all(v is not None for v in values):
            return tuple(int(v) for v in values), None, ()
        hint = tuple(-1 if v is None else int(v) for v in values)
        return None, stack(parts, name=f"{what.replace(' ', '_')}_stack"), hint
    return static_shape(shape), None, ()


def _shape_hint(shape: Tensor) -> tuple[int, ...]:
    """The dims of a shape tensor that are known now: those of tf.shape(x) where x's dims are."""
    if shape.op._dfc_ir().type == "dfc.shape_of":
        source = shape.op.inputs[0].shape
        if source.ndims is not None:
            return tuple(-1 if d is None else d for d in source.as_list())
    return ()


def shape(input, name: str | None = None, out_type=i32) -> Tensor:
    x = convert_to_tensor(input)
    if x.shape.is_fully_defined():
        return constant(np.array(x.shape.as_list(), dtype=as_dtype(out_type).np), name=name or "Shape")
    return make("dfc.shape_of", [x], {"dtype": as_dtype(out_type)}, name=name or "Shape")


def size(input, name: str | None = None, out_type=i32) -> Tensor:
    x = convert_to_tensor(input)
    if x.shape.is_fully_defined():
        return constant(np.array(x.shape.num_elements(), dtype=as_dtype(out_type).np), name=name or "Size")
    return make("dfc.reduce_prod", [shape(x, out_type=out_type)], {"axes": (0,), "keepdims": False},
                name=name or "Size")


def rank(input, name: str | None = None) -> Tensor:
    """The number of dims of `input`: a constant when known now, else resolved once the fed shapes are."""
    x = convert_to_tensor(input)
    if x.shape.ndims is not None:
        return constant(np.int32(x.shape.ndims), name=name or "Rank")
    dims = make("dfc.shape_of", [x], {"dtype": i32}, name="Rank_shape")
    return reshape(make("dfc.shape_of", [dims], {"dtype": i32}, name="Rank_count"), [], name=name or "Rank")


def reshape(tensor, shape, name: str | None = None) -> Tensor:
    x = convert_to_tensor(tensor)
    dims = shape.as_list() if isinstance(shape, TensorShape) else shape
    if isinstance(dims, Tensor) or (isinstance(dims, (list, tuple)) and
                                    any(isinstance(d, Tensor) or hasattr(d, "_as_tensor") for d in dims)):
        static, dynamic, hint = shape_argument(dims, "reshape shape")
        if dynamic is not None:
            return make("dfc.dynamic_reshape", [x, dynamic], {"hint": hint}, name=name or "Reshape")
        dims = list(static)
    if np.size(dims) and np.asarray(dims).dtype.kind == "f":  # TF's Reshape takes an int32 or int64 shape, never floats
        raise TypeError(f"Value passed to parameter 'shape' of {name or 'Reshape'} has DataType "
                        f"{'float32' if not isinstance(dims, np.ndarray) else np.asarray(dims).dtype.name} not in "
                        f"list of allowed values: int32, int64 (got {dims!r})")
    dims = [-1 if d is None else check_int(d, "reshape dim") for d in np.atleast_1d(np.asarray(dims, dtype=object))] \
        if np.ndim(dims) else []
    return make("dfc.reshape", [x], {"shape": dims}, name=name or "Reshape")


def transpose(a, perm=None, name: str = "transpose", conjugate: bool = False) -> Tensor:
    x = convert_to_tensor(a)
    rank_ = x.shape.ndims
    if perm is None:
        if rank_ is None:
            raise build_error("dfc.transpose", name, f"transpose of {x.name}, whose rank is unknown, needs a perm")
        perm = list(reversed(builtins.range(rank_)))
    else:
        if isinstance(perm, Tensor) or hasattr(perm, "_as_tensor"):
            known = constant_value(convert_to_tensor(perm))
            if known is None:
                raise build_error("dfc.transpose", name, f"perm {convert_to_tensor(perm).name} must be known when "
                                                         f"the graph is built (dfc fixes each op's dim order)")
            perm = np.atleast_1d(known).tolist()
        perm = [check_int(p, "perm") for p in perm]
    if conjugate and x.dtype.is_complex:  # the conjugate transpose; a real tensor's conjugate is itself
        return make("dfc.conj", [make("dfc.transpose", [x], {"perm": perm})], name=name)
    return make("dfc.transpose", [x], {"perm": perm}, name=name)


def expand_dims(input, axis=None, name: str | None = None, dim=None) -> Tensor:
    axis = dim if axis is None else axis
    if axis is None:
        raise build_error("dfc.expand_dims", name or "ExpandDims", "expand_dims needs an axis")
    if isinstance(axis, (list, tuple, np.ndarray)) and np.size(axis) == 1:
        axis = np.ravel(axis)[0]  # TF takes a one-element axis list (BERT's expand_dims(ids, axis=[-1]))
    axis = fed_axis(axis, "dim")
    if isinstance(axis, Tensor):  # read when the step runs (ir/ops/value_attrs.py): TF knows no rank till then
        return make("dfc.dynamic_expand_dims", [axis, convert_to_tensor(input)], name=name or "ExpandDims")
    return make("dfc.expand_dims", [convert_to_tensor(input)], {"axis": axis}, name=name or "ExpandDims")


def squeeze(input, axis=None, name: str | None = None, squeeze_dims=None) -> Tensor:
    x = convert_to_tensor(input)
    axis = squeeze_dims if axis is None else axis
    if axis is None:
        if not x.shape.is_fully_defined() and None in x.shape.as_list():
            unknown = [i for i, d in enumerate(x.shape.as_list()) if d is None]
            raise build_error("dfc.squeeze", name or "Squeeze", f"squeeze of {x.name} with unknown dims {unknown}: "
                                                                f"give the axes to squeeze")
        axes = [i for i, d in enumerate(x.shape.as_list()) if d == 1]
    else:
        if isinstance(axis, Tensor) and constant_value(axis) is None:  # Squeeze's squeeze_dims is an attribute
            raise TypeError(f"Expected list for 'axis' argument to 'squeeze' Op, not {axis}.")
        axes = [check_int(a, "axis") for a in np.atleast_1d(axis)]
    return make("dfc.squeeze", [x], {"axes": axes}, name=name or "Squeeze")


def concat(values, axis, name: str = "concat") -> Tensor:
    if isinstance(values, (int, np.integer)) and isinstance(axis, (list, tuple)):
        values, axis = axis, values  # TF < 1.0 spelled it concat(concat_dim, values)
    tensors = [convert_to_tensor(v) for v in values]
    if not tensors:
        raise build_error("dfc.concat", name, "concat needs at least one tensor")
    if len(tensors) == 1:
        return make("dfc.identity", tensors, name=name)
    axis = fed_axis(axis, "axis")
    if isinstance(axis, Tensor):  # read when the step runs (ir/ops/value_attrs.py)
        return make("dfc.dynamic_concat", [axis, *tensors], name=name)
    return make("dfc.concat", tensors, {"axis": axis}, name=name)


def split(value=None, num_or_size_splits=None, axis=0, num=None, name: str = "split", **legacy) -> list[Tensor]:
    """split(value, num_or_size_splits, axis), and TF < 1.0's split(split_dim, num_split, value)."""
    if "split_dim" in legacy or "num_split" in legacy:
        value, num_or_size_splits, axis = legacy.get("value", axis), legacy["num_split"], legacy["split_dim"]
    elif isinstance(value, (int, np.integer)) and not isinstance(axis, (int, np.integer)):
        value, num_or_size_splits, axis = axis, num_or_size_splits, value
    x = convert_to_tensor(value)
    axis = fed_axis(axis, "split_dim")
    if isinstance(axis, Tensor):  # read when the step runs (ir/ops/value_attrs.py)
        return _split_along_fed_axis(x, num_or_size_splits, axis, name)
    rank_ = x.shape.ndims
    if not -rank_ <= axis < rank_:
        raise build_error("dfc.split", name, f"axis {axis} is out of range for {x.name} of rank {rank_} "
                                             f"(expected [-{rank_}, {rank_}))")
    dim = x.shape.as_list()[axis]
    if isinstance(num_or_size_splits, (int, np.integer)):
        n = int(num_or_size_splits)
        if n <= 0:
            raise build_error("dfc.split", name, f"cannot split {x.name} into {n} pieces")
        if dim is None:
            sizes = [-1] * n  # equal pieces of the size the run gives the dim
        elif dim % n:
            raise build_error("dfc.split", name, f"Dimension {axis} of {x.name} has size {dim}, which is not "
                                                 f"divisible by {n}")
        else:
            sizes = [dim // n] * n
    else:
        sizes = [check_int(s, "split size") for s in num_or_size_splits]
        if any(s < -1 for s in sizes) or sizes.count(-1) > 1:
            raise build_error("dfc.split", name, f"split sizes {sizes} must be non-negative (one may be -1: the rest)")
        if sizes.count(-1) == 1 and dim is not None:
            sizes[sizes.index(-1)] = dim - (sum(sizes) + 1)
    op = make_op("dfc.split", [x], {"axis": axis, "sizes": sizes}, name=name)
    return [wrap(r) for r in op.results]


def _split_along_fed_axis(x: Tensor, num_or_size_splits, axis: Tensor, name: str) -> list[Tensor]:
    """tf.split along an axis the step's values give: equal pieces (-1 each) or the sizes (one -1: the rest)."""
    if isinstance(num_or_size_splits, (int, np.integer)):
        if num_or_size_splits <= 0:
            raise build_error("dfc.split", name, f"cannot split {x.name} into {num_or_size_splits} pieces")
        sizes = [-1] * int(num_or_size_splits)
    else:
        sizes = [check_int(s, "split size") for s in num_or_size_splits]
        if any(s < -1 for s in sizes) or sizes.count(-1) > 1:
            raise build_error("dfc.split", name, f"split sizes {sizes} must be non-negative (one may be -1: the rest)")
    op = make_op("dfc.dynamic_split", [axis, x], {"sizes": sizes}, name=name)
    return [wrap(r) for r in op.results]


def stack(values, axis: int = 0, name: str = "stack") -> Tensor:
    tensors = [convert_to_tensor(v) for v in values]
    if not tensors:
        raise build_error("dfc.concat", name, "stack needs at least one tensor")
    rank_ = tensors[0].shape.ndims
    axis = check_int(axis, "axis")
    if not -rank_ - 1 <= axis <= rank_:
        raise build_error("dfc.concat", name, f"stack axis {axis} is out of range for tensors of rank {rank_}")
    expanded = [expand_dims(t, axis, name=f"{name}_expand") for t in tensors]
    return concat(expanded, axis % (rank_ + 1), name=name)


pack = stack


def unstack(value, num=None, axis: int = 0, name: str = "unstack") -> list[Tensor]:
    x = convert_to_tensor(value)
    axis, rank_ = check_int(axis, "axis"), x.shape.ndims
    if not -rank_ <= axis < rank_:
        raise build_error("dfc.split", name, f"axis = {axis} not in [{-rank_}, {rank_}): cannot unstack {x.name} of "
                                             f"rank {rank_}")
    axis %= rank_
    n = x.shape.as_list()[axis] if num is None else check_int(num, "num")
    if n is None:
        raise ValueError(f"Cannot infer num from shape {x.shape} of {x.name} (axis {axis}): pass num")
    if x.shape.as_list()[axis] is None:
        # num given, the dim known only when the graph runs: a reshape to num there fails the run when they differ
        with name_scope(name):
            dims = shape(x)
            known = x.shape.as_list()
            x = reshape(x, stack([np.int32(n) if d == axis else dims[d] for d in builtins.range(rank_)]),
                        name="num_rows")
            x.set_shape([n if d == axis else known[d] for d in builtins.range(rank_)])
    return [squeeze(p, [axis]) for p in split(x, n, axis, name=name)]


def tile(input, multiples, name: str | None = None) -> Tensor:
    """input repeated multiples[i] times along dim i; multiples may be a tensor or a list holding scalar tensors
    (tf.tile(x, [tf.shape(y)[0], 1])), then the result's dims are known once the step's feeds are."""
    x = convert_to_tensor(input)
    if x.dtype.name == "uint16":  # TF's Tile has kernels for uint8, uint32 and uint64, not uint16
        raise UnimplementedError(f"{_user_line()}TileOp : The input data type is not supported, DataType : uint16, "
                                 f"Dimension : {x.shape.ndims} (tiling {x.name})")
    static, dynamic, hint = shape_argument(multiples, "multiples")
    if dynamic is None:
        return make("dfc.tile", [x], {"multiples": static}, name=name or "Tile")
    dims = x.shape.as_list() if x.shape.ndims is not None else None
    if dims is not None and hint and len(hint) != len(dims):
        raise build_error("Tile", name or "Tile", f"Expected multiples argument to be a vector of length {len(dims)} "
                                                  f"but got length {len(hint)}")
    if dims is not None and hint:
        hint = tuple(-1 if d is None or m < 0 else d * m for d, m in zip(dims, hint))
    elif dims is not None:
        hint = tuple(0 if d == 0 else -1 for d in dims)
    return make("dfc.dynamic_tile", [x, dynamic], {"hint": hint}, name=name or "Tile")


def gather(params, indices, validate_indices=None, name: str | None = None, axis=0) -> Tensor:
    """Slices of params along `axis` at `indices`. Called by the user's code (TF's Gather op, not a step of one
    of dfc's composites) on axis 0, its gradient for params is an IndexedSlices, as TF1's."""
    params = convert_to_tensor(params)
    indices = convert_to_tensor(indices)
    axis = fed_axis(axis, "axis")
    if isinstance(axis, Tensor):  # read when the step runs (ir/ops/value_attrs.py); its gradient is dense, as TF's
        return make("dfc.dynamic_gather", [axis, params, indices], name=name or "GatherV2")
    out = make("dfc.gather", [params, indices], {"axis": axis}, name=name or "GatherV2")
    if axis == 0 and _called_by_user():
        mark_row_gather(out)
    return out


def mark_row_gather(rows: Tensor) -> Tensor:
    """Mark `rows` (a dfc.gather's result) as TF's Gather of rows: tf.gradients of its params is an IndexedSlices."""
    rows.graph.row_gathers.add(rows._dfc_ir().op)
    return rows


_DSL_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _called_by_user() -> bool:
    """Whether the public function calling this one was called by code outside dfc (its API wrapper skipped)."""
    frame = sys._getframe(2)
    if frame.f_code.co_name == "wrapper" and frame.f_code.co_filename.endswith("user_errors.py"):
        frame = frame.f_back
    return frame is None or not os.path.abspath(frame.f_code.co_filename).startswith(_DSL_DIR)


def identity(input, name: str | None = None) -> Tensor:
    return make("dfc.identity", [convert_to_tensor(input)], name=name or "Identity")
