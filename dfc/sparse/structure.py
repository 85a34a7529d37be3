"""TF1's ops that rearrange a SparseTensor's entries: reorder, retain, reshape, transpose, concat, slice, split,
fill_empty_rows, merge, reset_shape and expand_dims.

The order of entries is row-major, as TF's kernels leave it. Where entries move, they are put in order
by one stable host sort (dfc.argsort) of their row-major offsets and gathered, so autodiff's gradient is
the gather TF's gradients are.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import i64

from ..array_ops import concat, constant, gather, reshape, stack
from ..framework import Tensor, build_error, check_int, constant_value, control_dependencies, convert_to_tensor, make
from ..framework import name_scope
from ..math_ops import cast, logical_and, logical_or, reduce_all, reduce_prod, where
from .core import count_of, dims_of, known_rank, linear_of, nonzero_positions, rank_of, segment_sum, shape_tensor
from .tensor import SparseTensor, as_sparse


def _stable_order(keys: Tensor) -> Tensor:
    """The entries' order sorted by `keys`, ties kept in their order (one host sort)."""
    from ..tensor_ops import argsort
    return argsort(keys, stable=True)


def _with_shape(sp: SparseTensor, like) -> SparseTensor:
    if like is not None and like.ndims is not None:
        sp._shape = like
    return sp


def sparse_reorder(sp_input, name: str | None = None) -> SparseTensor:
    """The same entries in row-major order of their indices (equal indices keep their order)."""
    sp = as_sparse(sp_input, "SparseReorder")
    with name_scope(name, "SparseReorder", [sp.indices, sp.values]):
        order = _stable_order(linear_of(sp.indices, dims_of(sp)))
        return _with_shape(SparseTensor(gather(sp.indices, order), gather(sp.values, order), sp.dense_shape),
                           sp.shape)


def sparse_retain(sp_input, to_retain) -> SparseTensor:
    """The entries where the bool vector to_retain (one per entry) holds, in their order."""
    sp = as_sparse(sp_input, "SparseRetain")
    keep = convert_to_tensor(to_retain)
    if keep.shape.ndims is not None and keep.shape.ndims != 1:
        raise ValueError(f"SparseRetain: to_retain {keep.name} must be a vector, got shape {keep.shape}")
    nnz = sp.values.shape.as_list()[0] if sp.values.shape.ndims == 1 else None
    length = keep.shape.as_list()[0] if keep.shape.ndims == 1 else None
    if nnz is not None and length is not None and nnz != length:
        raise ValueError(f"SparseRetain: to_retain {keep.name} has {length} entries, the SparseTensor {sp.name} "
                         f"{nnz}")
    with name_scope(None, "sparse_retain", [sp.indices, sp.values, keep]):
        where_true = nonzero_positions(keep)
        return _with_shape(SparseTensor(gather(sp.indices, where_true), gather(sp.values, where_true),
                                        sp.dense_shape), sp.shape)


def sparse_reset_shape(sp_input, new_shape=None) -> SparseTensor:
    """The same entries with dense_shape new_shape (which must hold them), or the tightest shape that does."""
    sp = as_sparse(sp_input, "SparseResetShape")
    with name_scope(None, "SparseResetShape", [sp.indices, sp.values]):
        if new_shape is None:
            tight = make("dfc.reduce_max", [sp.indices], {"axes": [0]}) + 1
            return SparseTensor(sp.indices, sp.values, tight)
        shape_t = convert_to_tensor(new_shape, dtype=i64)
        from ..debugging import Assert
        holds = reduce_all(make("dfc.greater_equal", [shape_t, shape_tensor(dims_of(sp))]))
        with control_dependencies([Assert(holds, ["SparseResetShape: new_shape must be at least dense_shape; "
                                                  "new_shape =", shape_t])]):
            shape_t = make("dfc.identity", [shape_t])
        return SparseTensor(sp.indices, sp.values, shape_t)


def sparse_reshape(sp_input, shape, name: str | None = None) -> SparseTensor:  # noqa: A002 - TF's name
    """The entries at their row-major offsets in a dense tensor of the new shape (one dim may be -1)."""
    sp = as_sparse(sp_input, "SparseReshape")
    label = name or "SparseReshape"
    with name_scope(name, "SparseReshape", [sp.indices, sp.values]):
        dims = dims_of(sp)
        total = count_of(dims)
        wanted = convert_to_tensor(shape, dtype=i64) if not isinstance(shape, Tensor) else cast(shape, i64)
        known = constant_value(wanted)
        if known is not None and isinstance(total, int):
            new = [int(d) for d in known]
            if sum(d == -1 for d in new) > 1:
                raise build_error("SparseReshape", label, f"only one output dimension may be -1, not both in {new}")
            rest = int(np.prod([d for d in new if d != -1], dtype=np.int64))
            if -1 in new:
                if rest == 0 or total % rest:
                    raise build_error("SparseReshape", label, f"Input to reshape is a SparseTensor with {total} dense "
                                                              f"values, but the requested shape requires a multiple "
                                                              f"of {rest}")
                new = [total // rest if d == -1 else d for d in new]
            elif rest != total:
                raise build_error("SparseReshape", label, f"Input to reshape is a SparseTensor with {total} dense "
                                                          f"values, but the requested shape has {rest}")
            new_dims = new
        else:
            total_t = total if isinstance(total, Tensor) else constant(np.int64(total))
            missing = make("dfc.equal", [wanted, constant(np.int64(-1))])
            rest = reduce_prod(where(missing, constant(np.ones(1, np.int64)), wanted))
            new_dims = where(missing, reshape(total_t // rest, [1]), wanted)
        out_rank = wanted.shape.as_list()[0]
        linear = linear_of(sp.indices, dims)
        from .core import unravel
        made = SparseTensor(unravel(linear, new_dims, out_rank), sp.values, shape_tensor(new_dims))
        return made


def sparse_transpose(sp_input, perm=None, name: str | None = None) -> SparseTensor:
    """The entries with their index columns permuted (reversed by default), reordered row-major."""
    sp = as_sparse(sp_input, "SparseTranspose")
    label = name or "SparseTranspose"
    rank = rank_of(sp, "SparseTranspose", label)
    perm = list(range(rank - 1, -1, -1)) if perm is None else [int(p) for p in np.asarray(
        constant_value(perm) if isinstance(perm, Tensor) else perm)]
    if sorted(perm) != list(range(rank)):
        raise build_error("SparseTranspose", label, f"perm {perm} is not a permutation of 0..{rank - 1}")
    with name_scope(name, "SparseTranspose", [sp.indices, sp.values]):
        order = constant(np.array(perm, np.int32))
        dims = dims_of(sp)
        new_dims = [dims[p] for p in perm] if isinstance(dims, list) else gather(dims, order)
        moved = SparseTensor(gather(sp.indices, order, axis=1), sp.values, shape_tensor(new_dims))
        if sp.shape.ndims is not None:
            moved._shape = type(sp.shape)([sp.shape.as_list()[p] for p in perm])
        return _with_shape(sparse_reorder(moved), moved.shape)


def sparse_concat(axis, sp_inputs, name: str | None = None, expand_nonconcat_dim: bool = False, concat_dim=None,
                  expand_nonconcat_dims=None) -> SparseTensor:
    """The SparseTensors side by side along axis (their other dims equal, or the largest with
    expand_nonconcat_dim), entries in row-major order."""
    axis = concat_dim if concat_dim is not None and axis is None else axis
    expand = expand_nonconcat_dim if expand_nonconcat_dims is None else expand_nonconcat_dims
    inputs = [as_sparse(s, "SparseConcat") for s in sp_inputs]
    label = name or "SparseConcat"
    if not inputs:
        raise ValueError("SparseConcat: sp_inputs must be a non-empty list of SparseTensors")
    rank = rank_of(inputs[0], "SparseConcat", label)
    axis = check_int(axis, "axis")
    if not -rank <= axis < rank:
        raise build_error("SparseConcat", label, f"Concat dimension must be in range [{-rank}, {rank}), got {axis}")
    axis %= rank
    for s in inputs[1:]:
        if rank_of(s, "SparseConcat", label) != rank:
            raise build_error("SparseConcat", label, f"the SparseTensors {inputs[0].name} and {s.name} differ in rank")
    with name_scope(name, "SparseConcat", [s.values for s in inputs]):
        shapes = [shape_tensor(dims_of(s)) for s in inputs]
        offset = constant(np.int64(0))
        pieces = []
        one_hot_axis = constant((np.arange(rank) == axis).astype(np.int64).reshape(1, rank))
        for s, sh in zip(inputs, shapes):
            pieces.append(s.indices + one_hot_axis * offset)
            offset = offset + sh[axis]
        others = shapes[0]
        for sh in shapes[1:]:
            others = make("dfc.maximum", [others, sh]) if expand else others
        axis_hot = constant(np.arange(rank) == axis)
        dense_shape = where(axis_hot, make("dfc.fill_like", [others], {"value": 0.0, "dtype": i64}) + offset, others)
        if not expand:
            from ..debugging import Assert
            same = [reduce_all(logical_or(axis_hot, make("dfc.equal", [sh, shapes[0]]))) for sh in shapes[1:]]
            if same:
                check = Assert(reduce_all(stack(same)), [f"SparseConcat '{label}': the inputs' dims other than "
                                                         f"{axis} differ; shapes =", *shapes], name="check_shapes")
                with control_dependencies([check]):
                    dense_shape = make("dfc.identity", [dense_shape])
        merged = SparseTensor(concat(pieces, 0), concat([s.values for s in inputs], 0), dense_shape)
        result = sparse_reorder(merged)
        statics = [s.shape.as_list() if s.shape.ndims is not None else [None] * rank for s in inputs]
        total = None if any(d[axis] is None for d in statics) else sum(d[axis] for d in statics)
        merged_shape = [total if i == axis else statics[0][i] for i in range(rank)]
        return _with_shape(result, type(inputs[0].shape)(merged_shape))


def sparse_slice(sp_input, start, size, name: str | None = None) -> SparseTensor:
    """The entries inside [start, start + size) (clipped to dense_shape), indices and shape relative to start."""
    sp = as_sparse(sp_input, "SparseSlice")
    with name_scope(name, "SparseSlice", [sp.indices, sp.values]):
        start_t, size_t = convert_to_tensor(start, dtype=i64), convert_to_tensor(size, dtype=i64)
        dims = shape_tensor(dims_of(sp))
        end = make("dfc.minimum", [start_t + size_t, dims])
        inside = reduce_all(logical_and(sp.indices >= reshape(start_t, [1, -1]), sp.indices < reshape(end, [1, -1])),
                            axis=1)
        kept = nonzero_positions(inside)
        new_shape = make("dfc.maximum", [end - start_t, constant(np.int64(0))])
        return SparseTensor(gather(sp.indices, kept) - reshape(start_t, [1, -1]), gather(sp.values, kept), new_shape)


def sparse_split(keyword_required=None, sp_input=None, num_split=None, axis=None, name: str | None = None,
                 split_dim=None) -> list[SparseTensor]:
    """num_split SparseTensors along axis: the first dim % num_split pieces one longer than the rest."""
    if keyword_required is not None:
        raise ValueError("Keyword arguments are required for this function.")
    axis = split_dim if axis is None else axis
    if sp_input is None or num_split is None or axis is None:
        raise ValueError("sparse_split needs sp_input, num_split and axis")
    sp = as_sparse(sp_input, "SparseSplit")
    label = name or "SparseSplit"
    rank = rank_of(sp, "SparseSplit", label)
    num = check_int(num_split, "num_split")
    axis = check_int(axis, "axis") % rank
    with name_scope(name, "SparseSplit", [sp.indices, sp.values]):
        dims = dims_of(sp)
        length = dims[axis] if isinstance(dims, list) else dims[axis]
        pieces, begin = [], constant(np.int64(0)) if isinstance(length, Tensor) else 0
        for i in range(num):
            size = length // num + (1 if i < length % num else 0) if not isinstance(length, Tensor) else \
                length // num + cast(constant(np.int64(i)) < length % num, i64)
            starts = [0] * rank
            sizes = list(dims) if isinstance(dims, list) else [dims[d] for d in range(rank)]
            starts[axis], sizes[axis] = begin, size
            pieces.append(sparse_slice(sp, stack([convert_to_tensor(s, dtype=i64) for s in starts]),
                                       stack([convert_to_tensor(s, dtype=i64) for s in sizes])))
            begin = begin + size
        return pieces


def sparse_fill_empty_rows(sp_input, default_value, name: str | None = None):
    """(the entries plus [r, 0, ..., 0] = default_value for each row r without any, ordered by row; a bool
    vector of the rows that were empty)."""
    sp = as_sparse(sp_input, "SparseFillEmptyRows")
    with name_scope(name, "SparseFillEmptyRows", [sp.indices, sp.values]):
        indices, (values,), empty = fill_rows(sp, [(sp.values, default_value)], name or "SparseFillEmptyRows")
        return _with_shape(SparseTensor(indices, values, sp.dense_shape), sp.shape), empty


def fill_rows(sp: SparseTensor, columns: list, label: str) -> tuple[Tensor, list[Tensor], Tensor]:
    """sparse_fill_empty_rows of several value vectors sharing sp's indices (each with its default), placed
    once: (indices, the filled value vectors, the empty-row mask)."""
    rank = rank_of(sp, "SparseFillEmptyRows", label)
    dims = dims_of(sp)
    row = sp.indices[:, 0]
    ones = make("dfc.fill_like", [row], {"value": 1.0, "dtype": i64})
    per_row = segment_sum(ones, row, dims[0])
    empty = make("dfc.equal", [per_row, constant(np.int64(0))])
    empty_rows = nonzero_positions(empty)
    new_indices = reshape(empty_rows, [-1, 1]) * constant((np.arange(rank) == 0).astype(np.int64).reshape(1, rank))
    order = _stable_order(concat([row, empty_rows], 0))  # by row; a row's own entries keep their order
    indices = gather(concat([sp.indices, new_indices], 0), order)
    filled = []
    for values, default in columns:
        default = convert_to_tensor(default, dtype=values.dtype)
        new_values = make("dfc.fill_like", [empty_rows], {"value": 0.0, "dtype": values.dtype}) + default
        filled.append(gather(concat([values, new_values], 0), order))
    return indices, filled, empty


def sparse_merge(sp_ids, sp_values, vocab_size, name: str | None = None, already_sorted: bool = False):
    """A SparseTensor whose last index is each entry's id (sp_ids) and whose value is sp_values': a [..., vocab_size]
    tensor of weighted ids."""
    ids, vals = as_sparse(sp_ids, "SparseMerge"), as_sparse(sp_values, "SparseMerge")
    label = name or "SparseMerge"
    if ids.dtype.name not in ("int32", "int64"):
        raise TypeError(str(build_error("SparseMerge", label, f"sp_ids.values {ids.values.name} must be int32 or "
                                                              f"int64, got {ids.dtype.name}")))
    rank = known_rank(ids)
    with name_scope(name, "SparseMerge", [ids.indices, ids.values, vals.values]):
        column = reshape(cast(ids.values, i64), [-1, 1])
        lead = ids.indices[:, :-1] if rank is None else ids.indices[:, :rank - 1]
        vocab = convert_to_tensor(vocab_size, dtype=i64) if not isinstance(vocab_size, Tensor) else \
            cast(vocab_size, i64)
        new_shape = concat([ids.dense_shape[:-1], reshape(vocab, [1])], 0)
        merged = SparseTensor(concat([lead, column], 1), vals.values, new_shape)
        return merged if already_sorted else sparse_reorder(merged)


def sparse_expand_dims(sp_input, axis=None, name: str | None = None) -> SparseTensor:
    """A dim of size 1 inserted at axis (-1: last)."""
    sp = as_sparse(sp_input, "SparseExpandDims")
    rank = rank_of(sp, "SparseExpandDims", name or "ExpandDims")
    axis = check_int(0 if axis is None else axis, "axis")
    axis = axis + rank + 1 if axis < 0 else axis
    with name_scope(name, "ExpandDims", [sp.indices, sp.values]):
        zeros = make("dfc.fill_like", [sp.indices[:, :1]], {"value": 0.0, "dtype": i64})
        indices = concat([sp.indices[:, :axis], zeros, sp.indices[:, axis:]], 1)
        one = constant(np.ones(1, np.int64))
        dense_shape = concat([sp.dense_shape[:axis], one, sp.dense_shape[axis:]], 0)
        made = SparseTensor(indices, sp.values, dense_shape)
        if sp.shape.ndims is not None:
            dims = sp.shape.as_list()
            made._shape = type(sp.shape)(dims[:axis] + [1] + dims[axis:])
        return made


def sparse_eye(num_rows, num_columns=None, dtype="float32", name: str | None = None) -> SparseTensor:
    """The identity matrix [num_rows, num_columns] as a SparseTensor (its min(rows, columns) ones)."""
    from dfc.ir.dtypes import as_dtype

    from ..array_ops import range as range_
    dtype = as_dtype(dtype)
    with name_scope(name, "eye", []):
        rows = convert_to_tensor(num_rows, dtype=i64) if not isinstance(num_rows, Tensor) else cast(num_rows, i64)
        cols = rows if num_columns is None else (convert_to_tensor(num_columns, dtype=i64)
                                                 if not isinstance(num_columns, Tensor) else cast(num_columns, i64))
        diag = range_(0, make("dfc.minimum", [rows, cols]), dtype=i64)
        values = make("dfc.fill_like", [diag], {"value": 1.0, "dtype": dtype})
        made = SparseTensor(stack([diag, diag], axis=1), values, stack([rows, cols]))
        known = [constant_value(rows), constant_value(cols)]
        if all(k is not None for k in known):
            made._shape = type(made.shape)([int(k) for k in known])
        return made


__all__ = ["sparse_concat", "sparse_expand_dims", "sparse_eye", "sparse_fill_empty_rows", "sparse_merge",
           "sparse_reorder", "sparse_reset_shape", "sparse_reshape", "sparse_retain", "sparse_slice", "sparse_split",
           "sparse_transpose"]
