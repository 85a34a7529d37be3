"""TF1's sparse <-> dense ops: to_dense, sparse_to_dense, from_dense, sparse_tensor_dense_matmul, the reductions,
sparse_add, and a SparseTensor times or over a dense tensor.

Each is a composite over gathers and segment sums (core.py), so gradients come from autodiff and
match TF's: the matmul's with respect to the values and the dense operand, to_dense's with respect
to the values (a gather of the incoming gradient), sparse_add's for both operands' values.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import bool_, i32, i64

from ..api_functions import api_function
from ..array_ops import concat, constant, gather, reshape, shape, transpose
from ..framework import Tensor, TensorShape, build_error, check_int, constant_value, control_dependencies
from ..framework import convert_to_tensor, make, name_scope
from ..math_ops import cast, not_equal, reduce_sum, where
from .core import (bounds_check, compatible, count_of, dense_sum, dims_of, known_rank, linear_of, nonzero_positions,
                   pick_columns, pick_dims, presence, rank_of, segment_sum, shape_tensor, sparse_from_flat,
                   strides_of, to_shape)
from .tensor import SparseTensor, as_sparse


def _label(name, op: str) -> str:
    return name or op


def sparse_tensor_to_dense(sp_input, default_value=None, validate_indices: bool = True,
                           name: str | None = None) -> Tensor:
    """The dense tensor of sp_input: its values at its indices, default_value (0) elsewhere. With
    validate_indices the indices must be in bounds and in row-major order without repeats (TF's check)."""
    sp = as_sparse(sp_input, "SparseToDense")
    label = _label(name, "SparseToDense")
    with name_scope(name, "SparseToDense", [sp.indices, sp.values, sp.dense_shape]):
        dims = dims_of(sp)
        with control_dependencies(bounds_check(sp, dims, "SparseToDense", label, bool(validate_indices))):
            linear = linear_of(sp.indices, dims)
        flat = dense_sum(sp.values, linear, dims)
        if default_value is not None:
            default = convert_to_tensor(default_value, dtype=sp.dtype)
            known = constant_value(default)
            if known is None or np.any(known != 0):
                flat = where(presence(linear, dims), flat, default)
        out = to_shape(flat, dims)
        if sp.shape.ndims is not None and out.shape.ndims == sp.shape.ndims:
            out.set_shape(sp.shape)
        return make("dfc.identity", [out], name="SparseToDense")


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0, validate_indices: bool = True,
                    name: str | None = None) -> Tensor:
    """TF's older form: indices (a scalar, a vector of row indices, or [n, rank]), the dense shape, values (one
    for all, or one each) and the default."""
    label = _label(name, "SparseToDense")
    indices = convert_to_tensor(sparse_indices)
    if indices.dtype not in (i32, i64):
        raise TypeError(str(build_error("SparseToDense", label, f"sparse_indices {indices.name} must be int32 or "
                                                                f"int64, got {indices.dtype.name}")))
    out_shape = convert_to_tensor(output_shape, dtype=indices.dtype)
    values = convert_to_tensor(sparse_values)
    with name_scope(name, "SparseToDense", [indices, out_shape, values]):
        if indices.shape.ndims is None or indices.shape.ndims > 2:
            raise build_error("SparseToDense", label, f"sparse_indices should be a scalar, vector, or matrix, got "
                                                      f"{indices.shape}")
        if indices.shape.ndims == 0:
            indices = reshape(indices, [1, 1])
        elif indices.shape.ndims == 1:
            indices = reshape(indices, [-1, 1])
        indices = cast(indices, i64) if indices.dtype is not i64 else indices
        dense_shape = cast(reshape(out_shape, [-1]), i64) if out_shape.dtype is not i64 else reshape(out_shape, [-1])
        if values.shape.ndims == 0:
            values = make("dfc.fill_like", [indices[:, 0]], {"value": 0.0, "dtype": values.dtype}) + values \
                if values.dtype is not bool_ else where(indices[:, 0] >= 0, values, values)
        elif values.shape.ndims != 1:
            raise build_error("SparseToDense", label, f"sparse_values should be a scalar or a vector, got "
                                                      f"{values.shape}")
        sp = SparseTensor(indices, values, dense_shape)
        return sparse_tensor_to_dense(sp, default_value, validate_indices, name="dense")


def from_dense(tensor, name: str | None = None) -> SparseTensor:
    """The SparseTensor of tensor's nonzero entries (row-major order)."""
    x = convert_to_tensor(tensor)
    with name_scope(name, "dense_to_sparse", [x]):
        zero = constant(np.zeros((), x.dtype.np))
        indices = where(not_equal(x, zero))
        rank = x.shape.ndims
        flat_positions = linear_of(indices, shape(x, out_type=i64))
        values = gather(reshape(x, [-1]), flat_positions)
        made = SparseTensor(indices, values, shape(x, out_type=i64))
        made._shape = x.shape if rank is not None else made._shape
        return made


def sparse_tensor_dense_matmul(sp_a, b, adjoint_a: bool = False, adjoint_b: bool = False,
                               name: str | None = None) -> Tensor:
    """sp_a (a rank-2 SparseTensor, transposed with adjoint_a) times the dense matrix b (transposed with
    adjoint_b): each entry's row of b, scaled by its value, summed into its output row."""
    sp = as_sparse(sp_a, "SparseTensorDenseMatMul")
    b = convert_to_tensor(b)
    label = _label(name, "SparseTensorDenseMatMul")
    if sp.dtype is not b.dtype:
        raise TypeError(str(build_error("SparseTensorDenseMatMul", label, f"the SparseTensor {sp.name} is "
                                        f"{sp.dtype.name} but b {b.name} is {b.dtype.name}")))
    if known_rank(sp) not in (None, 2):
        raise ValueError(str(build_error("SparseTensorDenseMatMul", label, f"Tensor 'a' is not a matrix: the "
                                         f"SparseTensor {sp.name} has shape {sp.shape}")))
    if b.shape.ndims is not None and b.shape.ndims != 2:
        raise ValueError(str(build_error("SparseTensorDenseMatMul", label, f"Shape must be rank 2 but is rank "
                                         f"{b.shape.ndims} for b {b.name}")))
    with name_scope(name, "SparseTensorDenseMatMul", [sp.indices, sp.values, b]):
        dense_b = transpose(b) if adjoint_b else b
        a_dims = sp.shape.as_list() if sp.shape.ndims == 2 else [None, None]
        outer, inner = (a_dims[1], a_dims[0]) if adjoint_a else (a_dims[0], a_dims[1])
        b_inner = dense_b.shape.as_list()[0] if dense_b.shape.ndims == 2 else None
        if inner is not None and b_inner is not None and inner != b_inner:
            raise ValueError(str(build_error("SparseTensorDenseMatMul", label, f"Cannot multiply A and B because "
                                             f"inner dimension does not match: {inner} vs. {b_inner}. Did you "
                                             f"forget a transpose? (A is {sp.name}, B is {b.name})")))
        rows, cols = (sp.indices[:, 1], sp.indices[:, 0]) if adjoint_a else (sp.indices[:, 0], sp.indices[:, 1])
        picked = gather(dense_b, cols)
        scaled = picked * reshape(sp.values, [-1, 1])
        n = outer if outer is not None else sp.dense_shape[1 if adjoint_a else 0]
        out = segment_sum(scaled, rows, n)
        k = dense_b.shape.as_list()[1] if dense_b.shape.ndims == 2 else None
        out.set_shape([outer, k])
        return make("dfc.identity", [out], name="SparseTensorDenseMatMul")


# ---- reductions ------------------------------------------------------------------------------------
def _reduction_axes(sp: SparseTensor, axis, reduction_axes, op: str, label: str) -> list[int] | None:
    if axis is not None and reduction_axes is not None:
        raise ValueError(f"{op}: give axis or reduction_axes, not both")
    axis = axis if axis is not None else reduction_axes
    if axis is None:
        return None
    if isinstance(axis, Tensor):
        known = constant_value(axis)
        if known is None:
            raise build_error(op, label, f"reduction axes {axis.name} must be known when the graph is built")
        axis = known
    rank = rank_of(sp, op, label)
    axes = sorted({int(a) % rank if -rank <= int(a) < rank else _bad_axis(op, label, int(a), rank)
                   for a in np.atleast_1d(np.asarray(axis, np.int64))})
    return axes


def _bad_axis(op: str, label: str, a: int, rank: int):
    from ..errors import InvalidArgumentError
    raise InvalidArgumentError(f"{op} '{label}': Invalid reduction dimension {a}, for input with {rank} dimensions.")


def _keep(keepdims, keep_dims) -> bool:
    if keepdims is not None and keep_dims is not None:
        raise ValueError("give keepdims or keep_dims, not both")
    return bool(keepdims if keepdims is not None else keep_dims)


def _grouped(sp: SparseTensor, axes: list[int] | None, keep: bool, op: str, label: str):
    """(group of each entry, the kept dims to group by, the output dims): the groups are the offsets of each
    entry's index with the reduced axes dropped (all in one group for a full reduction)."""
    rank = rank_of(sp, op, label)
    axes = list(range(rank)) if axes is None else axes
    kept = [d for d in range(rank) if d not in axes]
    dims = dims_of(sp)
    kept_dims = pick_dims(dims, kept)
    group = linear_of(pick_columns(sp.indices, kept), kept_dims) if kept else \
        make("dfc.fill_like", [sp.indices[:, 0] if rank else reduce_sum(sp.indices, axis=1)],
             {"value": 0.0, "dtype": i64})
    if keep:
        out_dims = pick_dims(dims, list(range(rank)))
        if isinstance(out_dims, Tensor):
            from ..array_ops import stack
            ones = constant(np.ones((), np.int64))
            out_dims = stack([ones if d in axes else dims[d] for d in range(rank)])
        else:
            out_dims = [1 if d in axes else out_dims[d] for d in range(rank)]
    else:
        out_dims = kept_dims
    return group, kept, kept_dims, out_dims


def _static_out_shape(sp: SparseTensor, axes, keep: bool, rank: int) -> TensorShape | None:
    if sp.shape.ndims is None:
        return None
    dims = sp.shape.as_list()
    axes = list(range(rank)) if axes is None else axes
    return TensorShape([1 if d in axes else dims[d] for d in range(rank)] if keep else
                       [dims[d] for d in range(rank) if d not in axes])


def _group_max(values: Tensor, group: Tensor, kind: str) -> Tensor:
    """Whether each entry is the one largest (smallest) of its group: the last of its group once the entries
    are sorted by value, then stably by group (two host sorts)."""
    from ..tensor_ops import argsort
    by_value = argsort(values, direction="ASCENDING" if kind == "max" else "DESCENDING", stable=True)
    order = gather(by_value, argsort(gather(group, by_value), stable=True))
    sorted_groups = gather(group, order)
    following = concat([sorted_groups[1:], constant(np.array([-1], np.int64))], 0)
    last = make("dfc.not_equal", [sorted_groups, following])
    count = shape(values, out_type=i64)[0]
    return segment_sum(cast(last, i32), order, count) > 0


def _reduce_any_rank(kind: str, tf_op: str, sp: SparseTensor, axis, keep: bool) -> Tensor:
    """A dense reduction of a SparseTensor whose rank is known only when the step runs: the reduced dims
    are a mask over dense_shape, the kept ones' offsets the groups."""
    from ..array_ops import range as range_
    from ..math_ops import logical_not, reduce_any
    dims = sp.dense_shape
    rank = shape(dims, out_type=i64)[0]
    if axis is None:
        reduced = make("dfc.fill_like", [dims], {"value": 1.0, "dtype": bool_})
    else:
        if isinstance(axis, Tensor):
            axis = constant_value(axis)
            if axis is None:
                raise build_error(tf_op, tf_op, "reduction axes must be known when the graph is built")
        axes = constant(np.atleast_1d(np.asarray(axis, np.int64)))
        axes = (axes + rank) % rank
        reduced = reduce_any(make("dfc.equal", [reshape(range_(0, rank, dtype=i64), [-1, 1]),
                                                reshape(axes, [1, -1])]), axis=1)
    kept_dims = where(reduced, make("dfc.fill_like", [dims], {"value": 1.0, "dtype": i64}), dims)
    group = reduce_sum(sp.indices * reshape(cast(logical_not(reduced), i64) * strides_of(kept_dims), [1, -1]), axis=1)
    values = sp.values
    if kind != "sum":
        winner = _group_max(values, group, kind)
        values = where(winner, values, make("dfc.fill_like", [values], {"value": 0.0, "dtype": values.dtype}))
    flat = segment_sum(values, group, count_of(kept_dims))
    if keep:
        out = to_shape(flat, kept_dims)
    elif axis is None:
        out = reshape(flat, [])
    else:
        out = to_shape(flat, gather(dims, nonzero_positions(logical_not(reduced))))
    return make("dfc.identity", [out], name=tf_op)


def _reduce(kind: str, tf_op: str, sparse_out: bool):
    def fn(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None, name: str | None = None):
        sp = as_sparse(sp_input, tf_op)
        label = _label(name, tf_op)
        keep = _keep(keepdims, keep_dims)
        if known_rank(sp) is None and not sparse_out:  # a sparse_placeholder without a shape
            with name_scope(name, tf_op, [sp.indices, sp.values, sp.dense_shape]):
                return _reduce_any_rank(kind, tf_op, sp, axis if axis is not None else reduction_axes, keep)
        axes = _reduction_axes(sp, axis, reduction_axes, tf_op, label)
        rank = rank_of(sp, tf_op, label)
        with name_scope(name, tf_op, [sp.indices, sp.values, sp.dense_shape]):
            group, kept, kept_dims, out_dims = _grouped(sp, axes, keep, tf_op, label)
            values = sp.values
            if kind != "sum":
                winner = _group_max(values, group, kind)
                values = where(winner, values, make("dfc.fill_like", [values], {"value": 0.0, "dtype": values.dtype}))
            total = count_of(kept_dims) if kept else 1
            flat = segment_sum(values, group, total)
            if sparse_out:
                out_rank = rank if keep else len(kept)
                return sparse_from_flat(flat, presence(group, kept_dims if kept else [1]), out_dims, out_rank)
            out = to_shape(flat, out_dims) if (kept or keep) else reshape(flat, [])
            static = _static_out_shape(sp, axes, keep, rank)
            if static is not None and out.shape.ndims == static.ndims:
                out.set_shape(static)
            return make("dfc.identity", [out], name=tf_op)
    return api_function(fn, f"sparse_reduce_{kind}{'_sparse' if sparse_out else ''}",
                        f"The {kind} of the stored values over `axis` (all axes when None): "
                        f"{'a SparseTensor of the groups that hold entries' if sparse_out else 'a dense tensor'}"
                        f"{'' if kind == 'sum' else ' (a group without entries gives 0, as in TF)'}.")


sparse_reduce_sum = _reduce("sum", "SparseReduceSum", False)
sparse_reduce_max = _reduce("max", "SparseReduceMax", False)
sparse_reduce_sum_sparse = _reduce("sum", "SparseReduceSumSparse", True)
sparse_reduce_max_sparse = _reduce("max", "SparseReduceMaxSparse", True)


# ---- addition and elementwise ops with dense tensors ------------------------------------------------
def sparse_add(a, b, threshold=None, thresh=None, name: str | None = None):
    """a + b: a SparseTensor for two SparseTensors (entries of both indices, sums of magnitude below threshold
    dropped), a dense tensor when one of them is dense."""
    if threshold is not None and thresh is not None:
        raise ValueError("sparse_add: give threshold or thresh, not both")
    threshold = 0 if threshold is None and thresh is None else (threshold if threshold is not None else thresh)
    a_sparse, b_sparse = isinstance(a, SparseTensor) or _is_value(a), isinstance(b, SparseTensor) or _is_value(b)
    if not a_sparse and not b_sparse:
        raise TypeError("sparse_add: at least one of a and b must be a SparseTensor")
    if a_sparse and b_sparse:
        return _add_sparse(as_sparse(a, "SparseAdd"), as_sparse(b, "SparseAdd"), threshold, name)
    sp, dense = (as_sparse(a, "SparseAdd"), b) if a_sparse else (as_sparse(b, "SparseAdd"), a)
    dense = convert_to_tensor(dense, dtype=sp.dtype)
    with name_scope(name, "SparseTensorDenseAdd", [sp.values, dense]):
        dims = shape(dense, out_type=i64) if None in dense.shape.as_list() else dense.shape.as_list()
        scattered = to_shape(dense_sum(sp.values, linear_of(sp.indices, dims), dims), dims)
        return make("dfc.add", [dense, scattered], name="SparseTensorDenseAdd")


def _is_value(x) -> bool:
    from .tensor import SparseTensorValue
    return isinstance(x, SparseTensorValue)


def _add_sparse(a: SparseTensor, b: SparseTensor, threshold, name) -> SparseTensor:
    label = _label(name, "SparseAdd")
    if a.dtype is not b.dtype:
        raise TypeError(str(build_error("SparseAdd", label, f"the SparseTensors {a.name} ({a.dtype.name}) and "
                                                            f"{b.name} ({b.dtype.name}) differ in dtype")))
    rank = rank_of(a, "SparseAdd", label)
    if rank != rank_of(b, "SparseAdd", label):
        raise ValueError(str(build_error("SparseAdd", label, f"the SparseTensors {a.name} and {b.name} differ in "
                                                             f"rank")))
    if a.shape.ndims is not None and b.shape.ndims is not None and not compatible(a.shape, b.shape):
        raise ValueError(str(build_error("SparseAdd", label, f"Operands do not have the same shape: {a.shape} vs "
                                                            f"{b.shape} ({a.name}, {b.name})")))
    with name_scope(name, "SparseAdd", [a.values, b.values]):
        dims = dims_of(a)
        from ..array_ops import concat
        linear = concat([linear_of(a.indices, dims), linear_of(b.indices, dims)], 0)
        flat = dense_sum(concat([a.values, b.values], 0), linear, dims)
        keep = presence(linear, dims)
        threshold = convert_to_tensor(threshold)
        known = constant_value(threshold)
        if known is None or np.any(known != 0):  # TF thresholds only the sums of entries both operands hold
            from ..math_ops import abs as abs_
            from ..math_ops import logical_and, logical_not, logical_or
            both = logical_and(presence(linear_of(a.indices, dims), dims), presence(linear_of(b.indices, dims), dims))
            keep = logical_and(keep, logical_or(logical_not(both), abs_(flat) >= cast(threshold, flat.dtype)))
        made = sparse_from_flat(flat, keep, dims, rank)
        made._shape = a.shape if a.shape.ndims is not None else b.shape
        return made


def sparse_dense_cwise(sp: SparseTensor, other, kind: str) -> SparseTensor:
    """sp * dense or sp / dense: the dense operand broadcast to sp's shape and read at sp's indices (TF's
    SparseDenseCwiseMul/Div; the dense side may only broadcast to the sparse side)."""
    op = "SparseDenseCwiseMul" if kind == "mul" else "SparseDenseCwiseDiv"
    if isinstance(other, SparseTensor):
        raise TypeError(f"{op}: SparseTensor {sp.name} {'*' if kind == 'mul' else '/'} SparseTensor is not defined; "
                        f"use tf.sparse.maximum/minimum or densify one side")
    dense = convert_to_tensor(other, dtype=sp.dtype)
    with name_scope(None, op, [sp.values, dense]):
        rank = rank_of(sp, op, op)
        if dense.shape.ndims is not None and dense.shape.ndims > rank:
            raise ValueError(str(build_error(op, op, f"the dense operand {dense.name} of shape {dense.shape} has a "
                                                     f"higher rank than the SparseTensor {sp.name} ({rank})")))
        d_rank = dense.shape.ndims
        if d_rank == 0:
            picked = dense
        else:
            from ..array_ops import zeros
            full = dense + zeros(dims_of(sp), dtype=dense.dtype)  # dense broadcast to the sparse side's shape
            dims = shape(full, out_type=i64) if None in full.shape.as_list() else full.shape.as_list()
            picked = gather(reshape(full, [-1]), linear_of(sp.indices, dims))
        values = make("dfc.mul" if kind == "mul" else "dfc.div", [sp.values, picked], name=op)
        made = SparseTensor(sp.indices, values, sp.dense_shape)
        made._shape = sp.shape
        return made


def sparse_softmax(sp_input, name: str | None = None) -> SparseTensor:
    """softmax over the stored values of each innermost row (the last dim), missing entries left out."""
    sp = as_sparse(sp_input, "SparseSoftmax")
    label = _label(name, "SparseSoftmax")
    rank = rank_of(sp, "SparseSoftmax", label)
    if rank < 2:
        raise ValueError(str(build_error("SparseSoftmax", label, f"the SparseTensor {sp.name} must have rank >= 2, "
                                                                 f"got {rank}")))
    with name_scope(name, "SparseSoftmax", [sp.indices, sp.values]):
        group, kept, kept_dims, _ = _grouped(sp, [rank - 1], False, "SparseSoftmax", label)
        n = count_of(kept_dims)
        winner = _group_max(sp.values, group, "max")
        top = segment_sum(where(winner, sp.values, sp.values * 0), group, n)
        shifted = make("dfc.exp", [sp.values - gather(top, group)])
        total = segment_sum(shifted, group, n)
        made = SparseTensor(sp.indices, make("dfc.div", [shifted, gather(total, group)], name="SparseSoftmax"),
                            sp.dense_shape)
        made._shape = sp.shape
        return made


def _sparse_extreme(kind: str, tf_op: str):
    def fn(sp_a, sp_b, name: str | None = None) -> SparseTensor:
        a, b = as_sparse(sp_a, tf_op), as_sparse(sp_b, tf_op)
        label = _label(name, tf_op)
        rank = rank_of(a, tf_op, label)
        with name_scope(name, tf_op, [a.values, b.values]):
            dims = dims_of(a)
            from ..array_ops import concat
            la, lb = linear_of(a.indices, dims), linear_of(b.indices, dims)
            dense_a, dense_b = dense_sum(a.values, la, dims), dense_sum(b.values, lb, dims)
            fn_ = make("dfc.maximum" if kind == "max" else "dfc.minimum", [dense_a, dense_b], name=tf_op)
            made = sparse_from_flat(fn_, presence(concat([la, lb], 0), dims), dims, rank)
            made._shape = a.shape
            return made
    return api_function(fn, f"sparse_{kind}imum",
                        f"The elementwise {kind}imum of two SparseTensors of one shape over the union of their "
                        f"indices (a missing entry counts as 0).")


sparse_maximum = _sparse_extreme("max", "SparseSparseMaximum")
sparse_minimum = _sparse_extreme("min", "SparseSparseMinimum")


def sparse_to_indicator(sp_input, vocab_size, name: str | None = None) -> Tensor:
    """A dense bool tensor of shape dense_shape[:-1] + [vocab_size]: true at [..., v] for each stored id v."""
    sp = as_sparse(sp_input, "SparseToIndicator")
    label = _label(name, "SparseToIndicator")
    vocab = check_int(vocab_size, "vocab_size") if not isinstance(vocab_size, Tensor) else vocab_size
    rank = rank_of(sp, "SparseToIndicator", label)
    if sp.dtype not in (i32, i64):
        raise TypeError(str(build_error("SparseToIndicator", label, f"the ids {sp.name} must be int32 or int64, got "
                                                                    f"{sp.dtype.name}")))
    with name_scope(name, "SparseToIndicator", [sp.indices, sp.values]):
        lead = pick_columns(sp.indices, list(range(rank - 1)))
        from ..array_ops import concat
        indices = concat([lead, reshape(cast(sp.values, i64), [-1, 1])], 1)
        dims = dims_of(sp)
        size = vocab if isinstance(vocab, int) else cast(vocab, i64)
        if isinstance(dims, list) and isinstance(size, int):
            out_dims = dims[:-1] + [size]
        else:
            from ..array_ops import stack
            shaped = shape_tensor(dims)
            out_dims = concat([shaped[:-1], reshape(stack([size]) if not isinstance(size, int) else
                                                    constant(np.array([size], np.int64)), [1])], 0)
        made = SparseTensor(indices, make("dfc.fill_like", [sp.values], {"value": 1.0, "dtype": bool_}),
                            shape_tensor(out_dims))
        return sparse_tensor_to_dense(made, default_value=False, validate_indices=False, name="indicator")


def sparse_matmul(a, b, transpose_a: bool = False, transpose_b: bool = False, a_is_sparse: bool = False,
                  b_is_sparse: bool = False, name: str | None = None) -> Tensor:
    """TF1's tf.sparse_matmul: a dense matmul whose is_sparse flags are hints about zeros (the product is the same)."""
    from ..math_ops import matmul
    return matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b, name=name or "SparseMatMul")


__all__ = ["from_dense", "sparse_matmul", "sparse_add", "sparse_maximum", "sparse_minimum", "sparse_reduce_max",
           "sparse_reduce_max_sparse", "sparse_reduce_sum", "sparse_reduce_sum_sparse", "sparse_softmax",
           "sparse_tensor_dense_matmul", "sparse_tensor_to_dense", "sparse_to_dense", "sparse_to_indicator"]
