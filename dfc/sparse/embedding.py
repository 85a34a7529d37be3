"""TF1's sparse segment reductions (tf.sparse_segment_sum/mean/sqrt_n) and the embedding lookups over
SparseTensors built on them (tf.nn.embedding_lookup_sparse, tf.nn.safe_embedding_lookup_sparse).

The rows are gathers of the embedding table, so the table's gradient is a segment sum of the incoming
rows (what TF's IndexedSlices gradient adds up to) and an optimizer's update is TF's dense-equivalent
one. Without num_segments the output has max(segment_ids) + 1 rows, a count the Session computes
from the fed ids before the step (docs/architecture.md, "Shapes set by values").
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import i32, i64

from ..api_functions import api_function
from ..array_ops import concat, constant, gather, reshape, shape
from ..framework import Tensor, build_error, control_dependencies, convert_to_tensor, make, name_scope
from ..math_ops import cast, reduce_all, sqrt
from .core import segment_sum
from .tensor import SparseTensor, as_sparse


def _rows_of(ids: Tensor, num_segments, op: str, label: str):
    """The output's row count: num_segments, else max(ids) + 1 (0 without ids)."""
    if num_segments is not None:
        if isinstance(num_segments, Tensor):
            return cast(num_segments, i64) if num_segments.dtype is not i64 else num_segments
        return int(num_segments)
    from ..framework import constant_value
    known = constant_value(ids)
    if known is not None:
        return int(known.max()) + 1 if known.size else 0
    low = constant(np.array([-1], ids.dtype.np))
    top = make("dfc.reduce_max", [concat([reshape(ids, [-1]), low], 0)], {"axes": [0]})
    return cast(top, i64) + 1


def _sparse_segment(kind: str, tf_op: str):
    def fn(data, indices, segment_ids, name: str | None = None, num_segments=None) -> Tensor:
        label = name or tf_op
        data, indices, ids = convert_to_tensor(data), convert_to_tensor(indices), convert_to_tensor(segment_ids)
        for what, t in (("indices", indices), ("segment_ids", ids)):
            if t.dtype not in (i32, i64):
                raise TypeError(str(build_error(tf_op, label, f"{what} {t.name} must be int32 or int64, got "
                                                              f"{t.dtype.name}")))
            if t.shape.ndims is not None and t.shape.ndims != 1:
                raise ValueError(str(build_error(tf_op, label, f"{what} {t.name} should be a vector, got shape "
                                                               f"{t.shape}")))
        if kind != "sum" and not data.dtype.is_floating:
            raise TypeError(str(build_error(tf_op, label, f"data {data.name} must be floating, got "
                                                          f"{data.dtype.name}")))
        with name_scope(name, tf_op, [data, indices, ids]):
            checks = []
            if num_segments is None:
                from ..debugging import Assert
                flat = reshape(ids, [-1])
                ordered = reduce_all(make("dfc.less_equal", [flat[:-1], flat[1:]]))
                checks.append(Assert(ordered, [f"{tf_op} '{label}': segment ids are not increasing; segment_ids =",
                                               ids], name="check_sorted"))
            rows = _rows_of(ids, num_segments, tf_op, label)
            with control_dependencies(checks):
                picked = gather(data, indices)
            total = segment_sum(picked, ids, rows)
            if kind == "sum":
                return make("dfc.identity", [total], name=tf_op)
            ones = make("dfc.fill_like", [ids], {"value": 1.0, "dtype": data.dtype})
            count = segment_sum(ones, ids, rows)
            count = make("dfc.maximum", [count, constant(np.ones((), data.dtype.np))])
            if kind == "sqrt_n":
                count = sqrt(count)
            post = data.shape.ndims - 1 if data.shape.ndims is not None else 1
            return make("dfc.div", [total, reshape(count, [-1] + [1] * post)], name=tf_op)
    return api_function(fn, f"sparse_segment_{kind}",
                        f"out[s] = the {kind} of data[indices[i]] over the i with segment_ids[i] == s (sorted ids); "
                        f"num_segments rows, or max(segment_ids) + 1.")


sparse_segment_sum = _sparse_segment("sum", "SparseSegmentSum")
sparse_segment_mean = _sparse_segment("mean", "SparseSegmentMean")
sparse_segment_sqrt_n = _sparse_segment("sqrt_n", "SparseSegmentSqrtN")


def _params_list(params) -> list:
    from ..variables import Variable
    if isinstance(params, Variable) or not isinstance(params, (list, tuple)):
        return [params]
    return list(params)


def embedding_lookup_sparse(params, sp_ids, sp_weights, partition_strategy: str = "mod", name: str | None = None,
                            combiner=None, max_norm=None) -> Tensor:
    """For each row r of the [batch, n] SparseTensor sp_ids: the combination (sum, mean or sqrtn, weighted by
    sp_weights' values when given) of the embeddings params[id] of its ids; max(row) + 1 rows."""
    if combiner is None:
        combiner = "mean"
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner!r}")
    shards = _params_list(params)
    if not shards:
        raise ValueError("Missing embedding_weights: params must not be empty")
    ids_sp = as_sparse(sp_ids, "embedding_lookup_sparse")
    if sp_weights is not None:
        weights_sp = as_sparse(sp_weights, "embedding_lookup_sparse")
    with name_scope(name, "embedding_lookup_sparse", [ids_sp.indices, ids_sp.values]):
        return _lookup(shards, ids_sp, weights_sp if sp_weights is not None else None, combiner, partition_strategy,
                       max_norm, None)


def _lookup(shards: list, ids_sp: SparseTensor, weights_sp, combiner: str, partition_strategy: str, max_norm,
            rows) -> Tensor:
    """The combined embeddings of each row's ids; `rows` rows (None: max(row) + 1, as TF's segment sums)."""
    from ..nn import embedding_lookup
    segment_ids = ids_sp.indices[:, 0]
    ids = ids_sp.values
    if rows is None:
        rows = _rows_of(segment_ids, None, "embedding_lookup_sparse", "embedding_lookup_sparse")
    embeddings = embedding_lookup(shards if len(shards) > 1 else shards[0], ids,
                                  partition_strategy=partition_strategy, max_norm=max_norm)
    dim = embeddings.shape.as_list()[1:] if embeddings.shape.ndims is not None else None
    if weights_sp is None:
        from ..array_ops import range as range_
        position = range_(0, shape(ids, out_type=i64)[0], dtype=i64)
        fn = {"sum": sparse_segment_sum, "mean": sparse_segment_mean, "sqrtn": sparse_segment_sqrt_n}[combiner]
        out = fn(embeddings, position, segment_ids, num_segments=rows)
    else:
        weights = weights_sp.values
        if weights.dtype is not embeddings.dtype:
            weights = cast(weights, embeddings.dtype)
        extra = embeddings.shape.ndims - 1 if embeddings.shape.ndims is not None else 1
        weighted = embeddings * reshape(weights, [-1] + [1] * extra)
        out = segment_sum(weighted, segment_ids, rows)
        if combiner != "sum":
            scale = weights if combiner == "mean" else weights * weights
            total = segment_sum(scale, segment_ids, rows)
            if combiner == "sqrtn":
                total = sqrt(total)
            from ..math_ops import div_no_nan
            out = div_no_nan(out, reshape(total, [-1] + [1] * extra))
    if dim is not None and out.shape.ndims == len(dim) + 1:
        out.set_shape([None] + dim)
    return out


def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None, combiner: str = "mean",
                                 default_id=None, name: str | None = None, partition_strategy: str = "div",
                                 max_norm=None) -> Tensor:
    """embedding_lookup_sparse that drops invalid ids (< 0) and, unless combiner is 'sum', non-positive weights;
    a row left without ids gets default_id's embedding (zeros when None). sparse_ids of rank > 2 are looked up
    by their last dim and the result has their leading dims."""
    from .core import nonzero_positions
    from .structure import fill_rows, sparse_reshape
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner!r}")
    shards = _params_list(embedding_weights)
    if not shards:
        raise ValueError("Missing embedding_weights: params must not be empty")
    ids_sp = as_sparse(sparse_ids, "safe_embedding_lookup_sparse")
    with name_scope(name, "embedding_lookup", [ids_sp.indices, ids_sp.values]):
        original = ids_sp.dense_shape
        rank = ids_sp.indices.shape.as_list()[1] if ids_sp.indices.shape.ndims == 2 else None
        if rank is None and ids_sp.shape.ndims is not None:
            rank = ids_sp.shape.ndims
        if rank is None:
            raise ValueError(f"safe_embedding_lookup_sparse needs the rank of {ids_sp.name}")
        from ..math_ops import reduce_prod
        flat_shape = concat([reshape(reduce_prod(original[:rank - 1]), [1]), original[rank - 1:]], 0)
        ids_sp = sparse_reshape(ids_sp, flat_shape) if rank != 2 else ids_sp
        weights_sp = None
        if sparse_weights is not None:
            weights_sp = SparseTensor(ids_sp.indices, as_sparse(sparse_weights, "safe_embedding_lookup_sparse").values,
                                      ids_sp.dense_shape)
        keep = make("dfc.greater_equal", [ids_sp.values, constant(np.zeros((), ids_sp.dtype.np))])
        if weights_sp is not None and combiner != "sum":
            from ..math_ops import logical_and
            keep = logical_and(keep, make("dfc.greater", [weights_sp.values,
                                                          constant(np.zeros((), weights_sp.dtype.np))]))
        kept = nonzero_positions(keep)  # ids and weights pruned together: one count for the step to learn
        kept_sp = SparseTensor(gather(ids_sp.indices, kept), gather(ids_sp.values, kept), ids_sp.dense_shape)
        columns = [(kept_sp.values, 0 if default_id is None else default_id)]
        if weights_sp is not None:
            columns.append((gather(weights_sp.values, kept), 1.0))
        indices, filled, empty = fill_rows(kept_sp, columns, "SparseFillEmptyRows")
        ids_sp = SparseTensor(indices, filled[0], kept_sp.dense_shape)
        weights_sp = SparseTensor(indices, filled[1], kept_sp.dense_shape) if weights_sp is not None else None
        # every row holds an id now: the result has dense_shape[0] rows, which needs no count of its own
        result = _lookup(shards, ids_sp, weights_sp, combiner, partition_strategy, max_norm, ids_sp.dense_shape[0])
        if default_id is None:
            from ..math_ops import where
            extra = result.shape.ndims - 1 if result.shape.ndims is not None else 1
            result = where(reshape(empty, [-1] + [1] * extra), make("dfc.fill_like", [result], {
                "value": 0.0, "dtype": result.dtype}), result)
        lead = cast(original[:rank - 1], i32)
        final = reshape(result, concat([lead, shape(result)[1:]], 0))
        dims = result.shape.as_list()[1:] if result.shape.ndims is not None else None
        if dims is not None:
            final.set_shape([None] * (rank - 1) + dims)
        return final


__all__ = ["embedding_lookup_sparse", "safe_embedding_lookup_sparse", "sparse_segment_mean", "sparse_segment_sqrt_n",
           "sparse_segment_sum"]
