"""TF1's segment reductions and the partitioning functions over them: unsorted_segment_max/min/mean/prod/
sqrt_n, segment_sum/mean/max/min/prod, unique_with_counts, dynamic_partition and dynamic_stitch,
tensor_scatter_nd_max/min, scatter_mul/div/max/min (the counting functions are in counting_ops.py).

Sums go through dfc.unsorted_segment_sum (O(data)). Max, min and product compare every row with
every segment ([segments, rows, ...] elements: exact, differentiable by the rules of select and
reduce_max/min/prod, which are TF's own for these ops: ties share the gradient, zeros are handled).
Results whose shape depends on the values (segment_* ids, dynamic_partition, unique_with_counts, a
bincount without a fixed length) work when those values are constants, as tf.unique does here.
"""

from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from dfc.ir.dtypes import as_dtype, i32, i64
from dfc.ir.ops.shape import SLICE_END, SLICE_START_REVERSED

from . import unsigned_math
from .api_functions import api_function
from .array_ops import concat, constant, expand_dims, gather, reshape
from .framework import Tensor, build_error, check_int, constant_value, convert_to_tensor, make, name_scope
from .math_ops import cast, unsorted_segment_sum

_LOWEST, _HIGHEST = "lowest", "highest"


def _num_segments(num_segments, op: str, label: str):
    """num_segments as an int, or as a scalar int tensor when only the step's values decide it."""
    if hasattr(num_segments, "_as_tensor") and not isinstance(num_segments, Tensor):
        num_segments = convert_to_tensor(num_segments)
    if isinstance(num_segments, Tensor) and constant_value(num_segments) is None:
        if num_segments.dtype not in (i32, i64) or num_segments.shape.ndims not in (None, 0):
            raise TypeError(f"{build_error(op, label, '')} num_segments {num_segments.name} must be a scalar int32 "
                            f"or int64, got {num_segments.dtype.name} {num_segments.shape}")
        return num_segments
    n = check_int(num_segments, "num_segments")
    if n < 0:
        raise build_error(op, label, f"num_segments must be >= 0, got {n}")
    return n


def _checked(data, segment_ids, op: str, label: str) -> tuple[Tensor, Tensor, list[int]]:
    """data, ids and the dims of data past the ids' (which must be a prefix of data's shape)."""
    data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    if ids.dtype not in (i32, i64):
        raise TypeError(f"{build_error(op, label, '')} segment_ids {ids.name} must be int32 or int64, got "
                        f"{ids.dtype.name}")
    if data.shape.ndims is None or ids.shape.ndims is None:
        raise build_error(op, label, f"{op} needs the ranks of {data.name} and {ids.name}")
    dims, idims = data.shape.as_list(), ids.shape.as_list()
    if len(idims) > len(dims) or any(a is not None and b is not None and a != b for a, b in zip(idims, dims)):
        raise build_error(op, label, f"segment_ids.shape = {ids.shape} does not prefix data.shape = {data.shape} "
                                     f"(segment_ids {ids.name}, data {data.name})")
    post = dims[len(idims):]
    if None in post:
        raise build_error(op, label, f"{op} needs the dims of {data.name} past the segment ids known, got "
                                     f"{data.shape}")
    return data, ids, post


def _range_check(ids: Tensor, n, op: str, label: str) -> list:
    """A run-time check that every id is below n (TF's InvalidArgumentError); none when the ids are constants."""
    known = constant_value(ids)
    if isinstance(n, Tensor):
        from .debugging import Assert
        largest = make("dfc.reduce_max", [reshape(ids, [-1])], {"axes": [0]})
        bound = make("dfc.shape_of", [n], {"dtype": ids.dtype}) if n.shape.ndims == 1 else n
        bound = reshape(bound, []) if bound.shape.ndims == 1 else bound
        bound = bound if bound.dtype is ids.dtype else make("dfc.cast", [bound], {"dtype": ids.dtype})
        return [Assert(make("dfc.less", [largest, bound]), [f"{op}: a segment id is out of range [0, "
                                                             f"num_segments); segment_ids =", ids, "num_segments =",
                                                             n], name="check_ids")]
    if known is not None:
        bad = known[known >= n]
        if bad.size:
            raise build_error(op, label, f"segment_ids {ids.name} holds {int(bad.flat[0])}, out of range "
                                         f"[0, {n})")
        return []
    from .debugging import Assert
    largest = make("dfc.reduce_max", [reshape(ids, [-1])], {"axes": [0]})
    fits = make("dfc.less", [largest, constant(np.asarray(n, ids.dtype.np))])
    return [Assert(fits, [f"{op}: a segment id is out of range [0, {n}); segment_ids =", ids], name="check_ids")]


def _extreme_value(dtype, which: str):
    info = np.finfo(dtype.np) if dtype.is_floating else np.iinfo(dtype.np)
    return info.min if which == _LOWEST else info.max


Segments = "int | Tensor"  # a count known now, or a 1-D tensor 0..n-1 whose length is known only when the step runs


def _segment_ids(ids: Tensor, n) -> Tensor:
    """The ids 0..n-1 of the segments: a constant, or tf.range of a count that the step's values decide (n may
    be that range already)."""
    if isinstance(n, Tensor) and n.shape.ndims == 1:
        return n
    if isinstance(n, Tensor):
        from .array_ops import range as range_
        return range_(0, make("dfc.cast", [n], {"dtype": ids.dtype}) if n.dtype is not ids.dtype else n,
                      dtype=ids.dtype)
    return constant(np.arange(n, dtype=ids.dtype.np))


def _hits(ids: Tensor, n, post: list[int]) -> Tensor:
    """[n, rows, 1, ...]: whether row j belongs to segment i (ids < 0 match no segment)."""
    hit = make("dfc.equal", [reshape(ids, [1, -1]), expand_dims(_segment_ids(ids, n), 1)])
    for _ in post:
        hit = expand_dims(hit, -1)
    return hit


def _segment_table(data: Tensor, ids: Tensor, n, post: list[int], fill) -> Tensor:
    """[n, rows, *post]: each data row in its segment's slot, `fill` elsewhere (ids < 0 match no segment)."""
    rows = reshape(data, [-1] + post)
    return make("dfc.select", [_hits(ids, n, post), expand_dims(rows, 0), constant(np.asarray(fill, data.dtype.np))])


def _segment_count(ids: Tensor, n: Tensor) -> Tensor:
    """The scalar count of segments, from a count or from the range 0..n-1 (_segment_ids)."""
    if n.shape.ndims == 1:
        return reshape(make("dfc.shape_of", [n], {"dtype": ids.dtype}), [])
    return n


def _reduce_segments(kind: str, data: Tensor, ids: Tensor, n, post: list[int]) -> Tensor:
    if kind == "sum":
        return unsorted_segment_sum(data, ids, _segment_count(ids, n) if isinstance(n, Tensor) else n)
    if kind in ("sum", "prod"):
        table = _segment_table(data, ids, n, post, 0 if kind == "sum" else 1)
    else:
        table = _segment_table(data, ids, n, post, _extreme_value(data.dtype, _LOWEST if kind == "max" else _HIGHEST))
    op = f"dfc.reduce_{kind}"
    if unsigned_math.handled(data.dtype, op):  # TF's unsigned kernels, run signed (dfc/unsigned_math.py)
        return unsigned_math.in_signed(lambda t: make(op, [t], {"axes": [1]}), [table], data.dtype, op[4:], op)
    return make(op, [table], {"axes": [1]})


def _counts(data: Tensor, ids: Tensor, n, post: list[int]) -> Tensor:
    """How many rows each segment has, shaped [n, 1, ...] to divide [n, *post]."""
    ones = make("dfc.fill_like", [ids], {"value": 1.0, "dtype": data.dtype})
    if isinstance(n, Tensor):
        counts = unsorted_segment_sum(ones, ids, _segment_count(ids, n))
        return reshape(counts, [-1] + [1] * len(post))
    return reshape(unsorted_segment_sum(ones, ids, n), [n] + [1] * len(post))


def _segment_mean(data: Tensor, ids: Tensor, n, post: list[int], tf_op: str, sqrt_n: bool = False) -> Tensor:
    """Each segment's sum over its row count (or the count's square root), an empty segment's count taken as 1."""
    total = _reduce_segments("sum", data, ids, n, post)
    count = make("dfc.maximum", [_counts(data, ids, n, post), constant(np.ones((), data.dtype.np))])
    if sqrt_n:
        count = make("dfc.sqrt", [count])
    return make("dfc.div", [total, count], name=tf_op)


def _unsorted(kind: str, tf_op: str):
    def fn(data, segment_ids, num_segments, name: str | None = None) -> Tensor:
        label = name or tf_op
        data, ids, post = _checked(data, segment_ids, tf_op, label)
        n = _num_segments(num_segments, tf_op, label)
        if kind in ("mean", "sqrt_n") and not data.dtype.is_floating:
            raise TypeError(f"{build_error(tf_op, label, '')} data {data.name} must be floating, got "
                            f"{data.dtype.name}")
        from .framework import control_dependencies
        with name_scope(name, tf_op, [data, ids]):
            n = _segment_ids(ids, n) if isinstance(n, Tensor) else n  # outside the check's dependencies
            with control_dependencies(_range_check(ids, n, tf_op, label)):
                if kind in ("mean", "sqrt_n"):
                    return _segment_mean(data, ids, n, post, tf_op, sqrt_n=kind == "sqrt_n")
                return make("dfc.identity", [_reduce_segments(kind, data, ids, n, post)], name=tf_op)
    return api_function(fn, f"unsorted_segment_{kind}",
                        f"out[s] = the {kind} of data[i] over the i with segment_ids[i] == s (ids < 0 dropped, ids >= "
                        f"num_segments an error); an empty segment gives TF's value for it.")


unsorted_segment_max = _unsorted("max", "UnsortedSegmentMax")
unsorted_segment_min = _unsorted("min", "UnsortedSegmentMin")
unsorted_segment_prod = _unsorted("prod", "UnsortedSegmentProd")
unsorted_segment_mean = _unsorted("mean", "UnsortedSegmentMean")
unsorted_segment_sqrt_n = _unsorted("sqrt_n", "UnsortedSegmentSqrtN")


def _sorted(kind: str, tf_op: str):
    def fn(data, segment_ids, name: str | None = None) -> Tensor:
        label = name or tf_op
        data, ids, post = _checked(data, segment_ids, tf_op, label)
        if ids.shape.ndims != 1:
            raise build_error(tf_op, label, f"segment_ids {ids.name} should be a vector, got shape {ids.shape}")
        known = constant_value(ids)
        if known is not None and known.size and (np.any(known < 0) or np.any(np.diff(known) < 0)):
            bad = int(np.argmax(known < 0)) if np.any(known < 0) else int(np.argmax(np.diff(known) < 0)) + 1
            raise build_error(tf_op, label, f"segment ids are not increasing or are negative: segment_ids[{bad}] "
                                            f"= {int(known[bad])} in {ids.name}")
        from .framework import control_dependencies
        with name_scope(name, tf_op, [data, ids]):
            checks = []
            if known is not None:
                n = int(known[-1]) + 1 if known.size else 0
            else:  # max(ids) + 1 rows: a count the step's values decide (computed before the step)
                flat = reshape(ids, [-1])
                zero = constant(np.zeros((), ids.dtype.np))
                top = make("dfc.reduce_max", [make("dfc.concat", [flat, reshape(zero - constant(
                    np.ones((), ids.dtype.np)), [1])], {"axis": 0})], {"axes": [0]})
                # the range outside the checks' control dependencies: computed on its own before the step
                n = _segment_ids(ids, top + constant(np.ones((), ids.dtype.np)))
                from .debugging import Assert
                ordered = make("dfc.reduce_all", [make("dfc.less_equal", [flat[:-1], flat[1:]])], {"axes": [0]})
                positive = make("dfc.reduce_all", [make("dfc.greater_equal", [flat, zero])], {"axes": [0]})
                checks.append(Assert(make("dfc.logical_and", [ordered, positive]),
                                     [f"{tf_op}: segment ids are not increasing or are negative: segment_ids =",
                                      ids], name="check_sorted"))
            with control_dependencies(checks):
                if kind == "mean":
                    return _segment_mean(data, ids, n, post, tf_op)
                out = _reduce_segments(kind, data, ids, n, post)
                if kind in ("max", "min"):  # sorted segment ops give 0 for an empty segment
                    if known is not None:
                        empty = np.bincount(known, minlength=n) == 0 if known.size else np.zeros(0, bool)
                        if empty.any():
                            mask = constant(empty.reshape([n] + [1] * len(post)))
                            out = make("dfc.select", [mask, constant(np.zeros((), data.dtype.np)), out])
                    else:
                        empty = make("dfc.equal", [_counts(data, ids, n, post), constant(np.zeros((), data.dtype.np))])
                        out = make("dfc.select", [empty, constant(np.zeros((), data.dtype.np)), out])
                return make("dfc.identity", [out], name=tf_op)
    return api_function(fn, f"segment_{kind}",
                        f"out[s] = the {kind} of data[i] over the i with segment_ids[i] == s, for sorted ids; "
                        f"max(ids) + 1 rows (ids known only at run time: a count computed before the step).")


segment_sum = _sorted("sum", "SegmentSum")
segment_mean = _sorted("mean", "SegmentMean")
segment_max = _sorted("max", "SegmentMax")
segment_min = _sorted("min", "SegmentMin")
segment_prod = _sorted("prod", "SegmentProd")


# ---- results shaped by values: constants only ---------------------------------------------------------
def unique_with_counts(x, out_idx=i32, name: str | None = None):
    """(y, idx, count): the distinct values in order of first appearance, each element's position in y, and how
    often each value occurs (constants)."""
    x = convert_to_tensor(x)
    known = constant_value(x)
    if known is None:
        from .sorting_ops import unique_by_values
        with name_scope(name, "UniqueWithCounts", [x]):
            return namedtuple("UniqueWithCounts", ["y", "idx", "count"])(*unique_by_values(x, as_dtype(out_idx),
                                                                                           counts=True))
    if known.ndim != 1:
        raise build_error("UniqueWithCounts", name or "UniqueWithCounts", f"unique expects a 1D vector, got "
                                                                          f"{x.name} of shape {x.shape}")
    _, first, inverse, counts = np.unique(known, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(first)
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(order.size)
    out_idx = as_dtype(out_idx)
    result = namedtuple("UniqueWithCounts", ["y", "idx", "count"])
    return result(constant(known[np.sort(first)]), constant(rank_of[inverse.reshape(-1)].astype(out_idx.np)),
                  constant(counts[order].astype(out_idx.np)))


def dynamic_partition(data, partitions, num_partitions, name: str | None = None) -> list[Tensor]:
    """outputs[p] = the slices data[i] with partitions[i] == p, in order (constant partitions: gathers, so the
    gradient flows back to each slice)."""
    data, partitions = convert_to_tensor(data), convert_to_tensor(partitions)
    label = name or "DynamicPartition"
    n = check_int(num_partitions, "num_partitions")
    if n < 1:
        raise build_error("DynamicPartition", label, f"num_partitions must be at least 1, got {n}")
    if partitions.dtype is not i32:
        raise TypeError(f"{build_error('DynamicPartition', label, '')} partitions {partitions.name} must be int32, "
                        f"got {partitions.dtype.name}")
    known = constant_value(partitions)
    if known is None:  # each part's length is a count the step's values decide: computed before the step
        from .tensor_ops import boolean_mask
        with name_scope(name, "DynamicPartition", [data, partitions]):
            parts = [boolean_mask(data, make("dfc.equal", [partitions, constant(np.int32(p))]),
                                  name=f"partition_{p}") for p in builtins.range(n)]
            return _checked_partitions(parts, data, partitions, n, label)
    k = known.ndim
    if data.shape.ndims is not None and (data.shape.ndims < k or any(
            d is not None and d != p for d, p in zip(data.shape.as_list(), known.shape))):
        raise build_error("DynamicPartition", label, f"data.shape must start with partitions.shape, got "
                                                     f"data.shape = {data.shape}, partitions.shape = "
                                                     f"{list(known.shape)}")
    if known.size and (known.min() < 0 or known.max() >= n):
        bad = known[(known < 0) | (known >= n)].flat[0]
        raise build_error("DynamicPartition", label, f"partitions {partitions.name} holds {int(bad)}, which is not "
                                                     f"in [0, {n})")
    with name_scope(name, "DynamicPartition", [data]):
        rest = data.shape.as_list()[k:]
        flat = reshape(data, [-1] + [-1 if d is None else d for d in rest]) if k != 1 else data
        flat_known = known.reshape(-1)
        return [gather(flat, constant(np.flatnonzero(flat_known == p).astype(np.int32)), name="DynamicPartition")
                for p in builtins.range(n)]


def _checked_partitions(parts: list[Tensor], data: Tensor, partitions: Tensor, n: int, label: str) -> list[Tensor]:
    """`parts` once the run has checked fed partitions as TF's kernel does: each in [0, n), and data's shape
    starting with theirs (a value out of range would otherwise drop its row without a word)."""
    from .array_ops import identity
    from .debugging import Assert
    from .framework import control_dependencies
    flat = reshape(partitions, [-1])
    in_range = make("dfc.logical_and", [
        make("dfc.reduce_all", [make("dfc.greater_equal", [flat, constant(np.int32(0))])], {"axes": [0]}),
        make("dfc.reduce_all", [make("dfc.less", [flat, constant(np.int32(n))])], {"axes": [0]})])
    checks = [Assert(in_range, [f"DynamicPartition '{label}': partitions {partitions.name} hold a value that is "
                                f"not in [0, {n}); partitions =", partitions], name="check_partitions")]
    k = partitions.shape.ndims
    if k is not None:
        lead = make("dfc.slice", [make("dfc.shape_of", [data], {"dtype": i32})],
                    {"begin": [0], "end": [k], "strides": [1]})
        same = make("dfc.reduce_all", [make("dfc.equal", [lead, make("dfc.shape_of", [partitions], {"dtype": i32})])],
                    {"axes": [0]})
        checks.append(Assert(same, [f"DynamicPartition '{label}': data.shape must start with partitions.shape, got "
                                    f"data {data.name} and partitions {partitions.name} of shapes",
                                    make("dfc.shape_of", [data], {"dtype": i32}),
                                    make("dfc.shape_of", [partitions], {"dtype": i32})], name="check_shapes"))
    with control_dependencies(checks):
        return [identity(p) for p in parts]


def _stitch_by_values(indices: list[Tensor], data: list[Tensor], label: str, name: str | None) -> Tensor:
    """dynamic_stitch with indices known only at run time: max(indices) + 1 rows (computed before the step),
    each the row of its last writer (the last of the equal ids, found in an [n, rows] table)."""
    rest = None
    for i, d in zip(indices, data):
        if i.shape.ndims is None or d.shape.ndims is None or d.shape.ndims < i.shape.ndims or \
                None in d.shape.as_list()[i.shape.ndims:]:
            raise build_error("DynamicStitch", label, f"data {d.name} of shape {d.shape} must start with the shape "
                                                      f"of its indices {i.name} {i.shape}, the rest known")
        tail = d.shape.as_list()[i.shape.ndims:]
        if rest is not None and tail != rest:
            raise build_error("DynamicStitch", label, f"data {d.name} must end in the dims {rest}, got {d.shape}")
        rest = tail
    with name_scope(name, "DynamicStitch", data):
        flat_ids = make("dfc.concat", [reshape(cast(i, i32), [-1]) for i in indices] +
                        [constant(np.array([-1], np.int32))], {"axis": 0})
        rows = make("dfc.concat", [reshape(d, [-1] + rest) for d in data], {"axis": 0}) if len(data) > 1 else \
            reshape(data[0], [-1] + rest)
        segs = _segment_ids(flat_ids, make("dfc.reduce_max", [flat_ids], {"axes": [0]}) + constant(np.int32(1)))
        writers = make("dfc.slice", [_hits(flat_ids, segs, [])], {"begin": [0, 0], "end": [SLICE_END, -1],
                                                                   "strides": [1, 1]})  # [n, rows]
        backwards = make("dfc.slice", [writers], {"begin": [0, SLICE_END], "end": [SLICE_END, SLICE_START_REVERSED],
                                                   "strides": [1, -1]})
        count = make("dfc.shape_of", [writers], {"dtype": i32})[1]
        last = count - constant(np.int32(1)) - make("dfc.argmax", [cast(backwards, i32)],
                                                     {"axis": 1, "output_type": i32})
        merged = gather(rows, last)
        written = make("dfc.reduce_any", [writers], {"axes": [1]})  # an index no one wrote stays 0, as in TF
        for _ in rest:
            written = expand_dims(written, -1)
        merged = make("dfc.select", [written, merged, constant(np.zeros((), rows.dtype.np))])
        # TF's gradient: every data row gets the gradient at its index, overwritten or not (0 forward)
        spread = make("dfc.reduce_sum", [make("dfc.select", [_hits(reshape(flat_ids, [-1])[:-1], segs, rest),
                                                             expand_dims(rows, 0),
                                                             constant(np.zeros((), rows.dtype.np))])], {"axes": [1]})
        correction = make("dfc.sub", [spread, make("dfc.stop_gradient", [spread])])
        return make("dfc.add", [make("dfc.stop_gradient", [merged]), correction], name="DynamicStitch")


def dynamic_stitch(indices, data, name: str | None = None) -> Tensor:
    """merged[indices[m][i]] = data[m][i] (a later index wins); constant indices. The gradient is TF's: every
    data[m][i] gets merged's gradient at its index, overwritten or not."""
    indices = [convert_to_tensor(i) for i in indices]
    data = [convert_to_tensor(d) for d in data]
    label = name or "DynamicStitch"
    if len(indices) != len(data) or not data:
        raise build_error("DynamicStitch", label, f"dynamic_stitch needs as many data as indices tensors (and at "
                                                  f"least one), got {len(data)} and {len(indices)}")
    known = [constant_value(i) for i in indices]
    if any(k is None for k in known):
        return _stitch_by_values(indices, data, label, name)
    rest = None
    for k, d in zip(known, data):
        dims = d.shape.as_list() if d.shape.ndims is not None else None
        if dims is None or dims[:k.ndim] != list(k.shape) or None in dims[k.ndim:]:
            raise build_error("DynamicStitch", label, f"data {d.name} of shape {d.shape} must start with the shape "
                                                      f"of its indices {list(k.shape)}, the rest known")
        if rest is None:
            rest = dims[k.ndim:]
        elif dims[k.ndim:] != rest:
            raise build_error("DynamicStitch", label, f"data {d.name} must end in the dims {rest}, got {d.shape}")
    flat_ids = np.concatenate([k.reshape(-1) for k in known]).astype(np.int64)
    if flat_ids.size and flat_ids.min() < 0:
        raise build_error("DynamicStitch", label, f"indices hold the negative {int(flat_ids.min())}")
    n = int(flat_ids.max()) + 1 if flat_ids.size else 0
    last = np.full(n, -1, np.int64)
    last[flat_ids] = np.arange(flat_ids.size)  # numpy's assignment keeps the last writer, as TF does
    with name_scope(name, "DynamicStitch", data):
        rows = concat([reshape(d, [-1] + rest) for d in data], 0) if len(data) > 1 else reshape(data[0], [-1] + rest)
        merged = gather(rows, constant(np.maximum(last, 0).astype(np.int32)))
        if np.any(last < 0):  # an index no one wrote stays 0, as in TF
            unwritten = constant((last < 0).reshape([n] + [1] * len(rest)))
            merged = make("dfc.select", [unwritten, constant(np.zeros((), rows.dtype.np)), merged])
        if flat_ids.size == n:
            return make("dfc.identity", [merged], name="DynamicStitch")
        # overwritten rows: TF's gradient still gives each its index's gradient; the correction is 0 forward
        spread = unsorted_segment_sum(rows, constant(flat_ids.astype(np.int32)), n)
        correction = make("dfc.sub", [spread, make("dfc.stop_gradient", [spread])])
        return make("dfc.add", [make("dfc.stop_gradient", [merged]), correction], name="DynamicStitch")


# ---- scatter with max / min -------------------------------------------------------------------------------------
def _tensor_scatter_extreme(kind: str, tf_op: str):
    def fn(tensor, indices, updates, name: str | None = None) -> Tensor:
        from .gather_scatter_ops import _linear_index
        tensor, indices, updates = (convert_to_tensor(v) for v in (tensor, indices, updates))
        label = name or tf_op
        if not tensor.shape.is_fully_defined() or indices.shape.ndims is None or \
                indices.shape.as_list()[-1] is None:
            raise build_error(tf_op, label, f"{tf_op} needs the shape of {tensor.name} and the last dim of "
                                            f"{indices.name} known")
        dims = tensor.shape.as_list()
        k = indices.shape.as_list()[-1]
        if k > len(dims):
            raise build_error(tf_op, label, f"indices {indices.name} index {k} dims of {tensor.name} of rank "
                                            f"{len(dims)}")
        tail = dims[k:]
        expected = indices.shape.as_list()[:-1] + tail
        if updates.shape.ndims is not None and updates.shape.as_list() != expected:
            raise build_error(tf_op, label, f"updates {updates.name} must have shape {expected}, got "
                                            f"{updates.shape}")
        with name_scope(name, tf_op, [tensor, indices, updates]):
            rows = int(np.prod(dims[:k], dtype=np.int64))
            linear = _linear_index(indices, dims[:k], tf_op, label, rows)
            flat = reshape(updates, [-1] + tail)
            ids = reshape(linear, [-1])
            from .framework import control_dependencies
            with control_dependencies(_range_check(ids, rows, tf_op, label)):
                best = _reduce_segments(kind, flat, ids, rows, tail)
            ones = make("dfc.fill_like", [ids], {"value": 1.0, "dtype": i32})
            hit = make("dfc.greater", [unsorted_segment_sum(ones, ids, rows), constant(np.int32(0))])
            base = reshape(tensor, [rows] + tail)
            combined = make(f"dfc.{'maximum' if kind == 'max' else 'minimum'}", [base, best])
            out = make("dfc.select", [reshape(hit, [rows] + [1] * len(tail)), combined, base])
            return reshape(out, dims, name=tf_op)
    return api_function(fn, f"tensor_scatter_nd_{kind}",
                        f"`tensor` with each slice at `indices` replaced by the {kind} of it and its updates.")


tensor_scatter_nd_max = _tensor_scatter_extreme("max", "TensorScatterMax")
tensor_scatter_nd_min = _tensor_scatter_extreme("min", "TensorScatterMin")


def cumulative_logsumexp(x, axis=0, exclusive: bool = False, reverse: bool = False,
                         name: str | None = None) -> Tensor:
    """log(cumsum(exp(x))) along `axis` (exclusive: -inf first), each entry a reduce_logsumexp over the elements
    it covers, so each is shifted by its own max and keeps TF's accuracy over any range of values
    (O(n^2) elements per row of n)."""
    from .array_ops import transpose
    from .math_ops import reduce_logsumexp
    x = convert_to_tensor(x)
    label = name or "CumulativeLogsumexp"
    if not x.dtype.is_floating:
        raise TypeError(f"{build_error('CumulativeLogsumexp', label, '')} x {x.name} must be floating, got "
                        f"{x.dtype.name}")
    rank = x.shape.ndims
    axis = check_int(axis, "axis")
    if rank is None or not -rank <= axis < rank or x.shape.as_list()[axis] is None:
        raise build_error("CumulativeLogsumexp", label, f"axis {axis} must be a dim of known size of {x.name} "
                                                        f"{x.shape}")
    axis %= rank
    n = x.shape.as_list()[axis]
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    covered = (j >= i if reverse else j <= i) & (j != i if exclusive else True)
    with name_scope(name, "CumulativeLogsumexp", [x]):
        perm = [d for d in builtins.range(rank) if d != axis] + [axis]
        last = transpose(x, perm) if axis != rank - 1 else x
        table = make("dfc.select", [constant(covered), expand_dims(last, -2),
                                    constant(np.asarray(-np.inf, x.dtype.np))])  # [..., n (i), n (j)]
        out = reduce_logsumexp(table, axis=-1)
        return transpose(out, [int(p) for p in np.argsort(perm)]) if axis != rank - 1 else out


__all__ = ["cumulative_logsumexp", "dynamic_partition", "dynamic_stitch", "segment_max", "segment_mean",
           "segment_min", "segment_prod", "segment_sum", "tensor_scatter_nd_max", "tensor_scatter_nd_min",
           "unique_with_counts", "unsorted_segment_max", "unsorted_segment_mean", "unsorted_segment_min",
           "unsorted_segment_prod", "unsorted_segment_sqrt_n"]


# ---- variable updates combining by product, quotient, max, min ----------------------------------------------------
def _scatter_variable(kind: str, tf_op: str):
    def fn(ref, indices, updates, use_locking: bool = False, name: str | None = None) -> Tensor:
        from .state_ops import _checked as checked_variable
        var, updates = checked_variable(ref, f"scatter_{kind}", updates)
        indices = convert_to_tensor(indices)
        label = name or tf_op
        dims = var.shape.as_list()
        if indices.shape.ndims is not None and updates.shape.ndims is not None:
            expected = indices.shape.as_list() + dims[1:]
            if updates.shape.ndims != len(expected) or any(a is not None and b is not None and a != b for a, b in
                                                           zip(updates.shape.as_list(), expected)):
                raise build_error(tf_op, label, f"updates {updates.name} must have shape indices.shape + "
                                                f"ref.shape[1:] = {expected} for variable '{var.name}', got "
                                                f"{updates.shape}")
        with name_scope(name, tf_op, [updates]):
            value = var.read_value()
            if kind in ("max", "min"):
                new = _tensor_scatter_extreme(kind, tf_op)(value, expand_dims(indices, -1), updates)
            else:
                flat_ids = reshape(indices, [-1])
                flat = reshape(updates, [-1] + dims[1:])
                with name_scope(None, "check"):
                    from .framework import control_dependencies
                    checks = _range_check(flat_ids, dims[0], tf_op, label)
                with control_dependencies(checks):
                    factor = _reduce_segments("prod", flat, flat_ids, dims[0], dims[1:])
                new = make("dfc.mul" if kind == "mul" else "dfc.div", [value, factor])
            return var.assign(new, use_locking=use_locking)
    return api_function(fn, f"scatter_{kind}",
                        f"ref[indices[i], ...] {'*' if kind == 'mul' else '/' if kind == 'div' else kind}= "
                        f"updates[i, ...] (repeated indices combine); returns the updated value.")


scatter_mul = _scatter_variable("mul", "ScatterMul")
scatter_div = _scatter_variable("div", "ScatterDiv")
scatter_max = _scatter_variable("max", "ScatterMax")
scatter_min = _scatter_variable("min", "ScatterMin")


def batch_scatter_update(ref, indices, updates, use_locking: bool = True, name: str | None = None) -> Tensor:
    """ref[b..., indices[b..., j], ...] = updates[b..., j, ...]: scatter_update along the dim after the batch
    dims (those of indices but its last)."""
    from .state_ops import _checked as checked_variable
    from .state_ops import scatter_nd_update
    var, updates = checked_variable(ref, "batch_scatter_update", updates)
    indices = convert_to_tensor(indices)
    label = name or "BatchScatterUpdate"
    if indices.shape.ndims is None or not indices.shape.is_fully_defined():
        raise build_error("BatchScatterUpdate", label, f"batch_scatter_update needs the shape of {indices.name}")
    ishape = indices.shape.as_list()
    nb = len(ishape) - 1
    if var.shape.as_list()[:nb] != ishape[:nb]:
        raise build_error("BatchScatterUpdate", label, f"the batch dims of indices {indices.name} {ishape[:nb]} "
                                                       f"must be those of variable '{var.name}' "
                                                       f"{var.shape.as_list()[:nb]}")
    with name_scope(name, "BatchScatterUpdate", [indices, updates]):
        if nb == 0:
            return scatter_nd_update(var, expand_dims(indices, -1), updates, use_locking)
        grid = np.stack(np.meshgrid(*[np.arange(d) for d in ishape], indexing="ij")[:nb], axis=-1)
        coords = concat([constant(grid.astype(indices.dtype.np)), expand_dims(indices, -1)], -1)
        return scatter_nd_update(var, coords, updates, use_locking)


__all__ += ["batch_scatter_update", "scatter_div", "scatter_max", "scatter_min", "scatter_mul"]
