"""TF1's counting functions: bincount, confusion_matrix, histogram_fixed_width(_bins), searchsorted and
unravel_index (sums of ones by segment, or comparisons against every bin)."""

from __future__ import annotations

import builtins

import numpy as np

from dfc.ir.dtypes import as_dtype, f64, i32, i64

from .array_ops import constant, expand_dims, gather, reshape
from .framework import Tensor, build_error, check_int, constant_value, convert_to_tensor, make, name_scope
from .math_ops import cast, unsorted_segment_sum
from .segment_ops import _hits, _segment_ids


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=i32, name: str | None = None) -> Tensor:
    """out[v] = how many times v occurs in arr (or the sum of its weights), for v < the length: max(arr) + 1
    clamped to [minlength, maxlength]; values at or past maxlength are dropped."""
    arr = convert_to_tensor(arr)
    label = name or "bincount"
    if arr.dtype is not i32:
        raise TypeError(f"{build_error('Bincount', label, '')} arr {arr.name} must be int32, got {arr.dtype.name}")
    lo = None if minlength is None else check_int(minlength, "minlength")
    hi = None if maxlength is None else check_int(maxlength, "maxlength")
    known = constant_value(arr)
    if lo is not None and hi is not None and lo >= hi:
        length = hi
    elif known is not None:
        length = int(known.max()) + 1 if known.size else 0
        length = max(length, lo) if lo is not None else length
        length = min(length, hi) if hi is not None else length
    else:
        length = None  # max(arr) + 1, clamped: a count the step's values decide (computed before the step)
    if known is not None and known.size and known.min() < 0:
        raise build_error("Bincount", label, f"Input arr {arr.name} must be non-negative, got {int(known.min())}")
    with name_scope(name, "bincount", [arr]):
        if weights is None:
            values = make("dfc.fill_like", [arr], {"value": 1.0, "dtype": as_dtype(dtype)})
        else:
            values = convert_to_tensor(weights)
            if values.shape.ndims is not None and arr.shape.ndims is not None and \
                    values.shape.as_list() != arr.shape.as_list():
                raise build_error("Bincount", label, f"weights {values.name} must have the shape of arr "
                                                     f"{arr.shape}, got {values.shape}")
        if length is None:
            flat = reshape(arr, [-1])
            top = make("dfc.reduce_max", [make("dfc.concat", [flat, constant(np.array([-1], np.int32))],
                                               {"axis": 0})], {"axes": [0]}) + constant(np.int32(1))
            if lo is not None:
                top = make("dfc.maximum", [top, constant(np.int32(lo))])
            if hi is not None:
                top = make("dfc.minimum", [top, constant(np.int32(hi))])
            segs = _segment_ids(arr, top)
            table = make("dfc.select", [_hits(flat, segs, []), expand_dims(reshape(values, [-1]), 0),
                                        constant(np.zeros((), values.dtype.np))])
            return make("dfc.reduce_sum", [table], {"axes": [1]}, name="bincount")
        inside = make("dfc.less", [arr, constant(np.int32(length))])
        ids = make("dfc.select", [inside, arr, constant(np.int32(-1))])
        return unsorted_segment_sum(values, ids, length, name="bincount")


def confusion_matrix(labels, predictions, num_classes=None, dtype=i32, name: str | None = None,
                     weights=None) -> Tensor:
    """m[i, j] = how many (or the summed weights of the) examples with label i were predicted j."""
    from .debugging import assert_less, assert_non_negative
    from .framework import control_dependencies
    labels, predictions = convert_to_tensor(labels), convert_to_tensor(predictions)
    label = name or "confusion_matrix"
    for t, what in ((labels, "labels"), (predictions, "predictions")):
        if not t.dtype.is_integer:
            raise TypeError(f"{build_error('ConfusionMatrix', label, '')} {what} {t.name} must be integers, got "
                            f"{t.dtype.name}")
    if labels.shape.ndims is not None and predictions.shape.ndims is not None and \
            labels.shape.as_list() != predictions.shape.as_list() and None not in labels.shape.as_list() + \
            predictions.shape.as_list():
        raise build_error("ConfusionMatrix", label, f"Shapes {labels.shape} and {predictions.shape} are "
                                                    f"incompatible (labels {labels.name}, predictions "
                                                    f"{predictions.name})")
    with name_scope(name, "confusion_matrix", [labels, predictions]):
        kl, kp = constant_value(labels), constant_value(predictions)
        labels, predictions = cast(labels, i64), cast(predictions, i64)
        if num_classes is None:
            if kl is None or kp is None:  # max(labels, predictions) + 1 classes: computed before the step
                return _confusion_by_values(labels, predictions, dtype, weights, label)
            n = int(max(kl.max(initial=-1), kp.max(initial=-1))) + 1
            checks = [assert_non_negative(labels, message="`labels` contains negative values"),
                      assert_non_negative(predictions, message="`predictions` contains negative values")]
        else:
            n = check_int(num_classes, "num_classes")
            bound = constant(np.int64(n))
            checks = [assert_non_negative(labels, message="`labels` contains negative values"),
                      assert_non_negative(predictions, message="`predictions` contains negative values"),
                      assert_less(labels, bound, message="`labels` out of bound"),
                      assert_less(predictions, bound, message="`predictions` out of bound")]
        with control_dependencies(checks):
            cell = reshape(labels * constant(np.int64(n)) + predictions, [-1])
        dtype = as_dtype(dtype)
        values = reshape(cast(convert_to_tensor(weights), dtype), [-1]) if weights is not None else \
            make("dfc.fill_like", [cell], {"value": 1.0, "dtype": dtype})
        return reshape(unsorted_segment_sum(values, cell, n * n), [n, n], name="confusion_matrix")


def _confusion_by_values(labels: Tensor, predictions: Tensor, dtype, weights, label: str) -> Tensor:
    """A confusion matrix of max(labels, predictions) + 1 classes, a count the step's values decide:
    one-hot rows of the labels (weighted) times one-hot rows of the predictions."""
    from .debugging import assert_non_negative
    from .framework import control_dependencies
    from .math_ops import matmul
    dtype = as_dtype(dtype)
    flat_l, flat_p = reshape(labels, [-1]), reshape(predictions, [-1])
    both = make("dfc.concat", [flat_l, flat_p, constant(np.array([-1], np.int64))], {"axis": 0})
    classes = _segment_ids(flat_l, make("dfc.reduce_max", [both], {"axes": [0]}) + constant(np.int64(1)))
    checks = [assert_non_negative(labels, message="`labels` contains negative values"),
              assert_non_negative(predictions, message="`predictions` contains negative values")]
    with control_dependencies(checks):
        rows = cast(make("dfc.equal", [expand_dims(flat_l, 1), expand_dims(classes, 0)]), dtype)
        cols = cast(make("dfc.equal", [expand_dims(flat_p, 1), expand_dims(classes, 0)]), dtype)
    if weights is not None:
        rows = rows * expand_dims(reshape(cast(convert_to_tensor(weights), dtype), [-1]), 1)
    return matmul(rows, cols, transpose_a=True, name="confusion_matrix")


def histogram_fixed_width(values, value_range, nbins=100, dtype=i32, name: str | None = None) -> Tensor:
    """How many values fall in each of nbins equal bins over value_range = [lo, hi]; values below lo count in
    the first bin, values at or above hi in the last (TF's kernel, with the bin width in float64)."""
    values, value_range = convert_to_tensor(values), convert_to_tensor(value_range)
    label = name or "histogram_fixed_width"
    if isinstance(nbins, Tensor) and constant_value(nbins) is None:
        raise NotImplementedError(f"{build_error('HistogramFixedWidth', label, '')} nbins {nbins.name} must be "
                                  f"known when the graph is built (it is the result's length)")
    n = check_int(nbins, "nbins")
    if n <= 0:
        raise build_error("HistogramFixedWidth", label, f"nbins should be a positive number, but got '{n}'")
    with name_scope(name, "histogram_fixed_width", [values, value_range]):
        v = cast(reshape(values, [-1]), f64)
        r = cast(value_range, f64)
        lo, hi = gather(r, constant(np.int32(0))), gather(r, constant(np.int32(1)))
        step = (hi - lo) / constant(np.float64(n))
        shifted = make("dfc.maximum", [v, lo]) - lo
        index = cast(make("dfc.floor", [shifted / step]), i64)
        index = make("dfc.minimum", [make("dfc.maximum", [index, constant(np.int64(0))]), constant(np.int64(n - 1))])
        ones = make("dfc.fill_like", [index], {"value": 1.0, "dtype": as_dtype(dtype)})
        return unsorted_segment_sum(ones, index, n, name="histogram_fixed_width")


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=i32, name: str | None = None) -> Tensor:
    """The bin of each value among nbins equal bins over value_range (below: 0, at or above the top: nbins - 1),
    shaped as values."""
    values, value_range = convert_to_tensor(values), convert_to_tensor(value_range)
    label = name or "histogram_fixed_width_bins"
    n = check_int(nbins, "nbins")
    if n <= 0:
        raise build_error("HistogramFixedWidthBins", label, f"nbins should be a positive number, but got '{n}'")
    with name_scope(name, "histogram_fixed_width_bins", [values, value_range]):
        # TF's own composite: floor(nbins * (v - lo) / (hi - lo)) clipped, in the values' dtype
        lo = gather(value_range, constant(np.int32(0)))
        hi = gather(value_range, constant(np.int32(1)))
        scaled = (values - lo) / (hi - lo)
        index = make("dfc.floor", [scaled * constant(np.asarray(n, values.dtype.np))])
        index = make("dfc.minimum", [make("dfc.maximum", [index, constant(np.zeros((), values.dtype.np))]),
                                     constant(np.asarray(n - 1, values.dtype.np))])
        return cast(index, as_dtype(dtype), name="histogram_fixed_width_bins")


def searchsorted(sorted_sequence, values, side: str = "left", out_type=i32, name: str | None = None) -> Tensor:
    """For each value (per row of the leading dims), the first index of sorted_sequence where it could go:
    before equal entries (side='left') or after them ('right')."""
    seq, values = convert_to_tensor(sorted_sequence), convert_to_tensor(values)
    label = name or "SearchSorted"
    if side not in ("left", "right"):
        raise ValueError(f"{build_error('SearchSorted', label, '')} side must be 'left' or 'right', got {side!r}")
    out_type = as_dtype(out_type)
    if out_type not in (i32, i64):
        raise TypeError(f"{build_error('SearchSorted', label, '')} out_type must be int32 or int64")
    if seq.dtype is not values.dtype:
        raise TypeError(f"{build_error('SearchSorted', label, '')} sorted_sequence {seq.name} and values "
                        f"{values.name} differ in dtype: {seq.dtype.name} vs {values.dtype.name}")
    if seq.shape.ndims is None or values.shape.ndims is None or seq.shape.ndims < 1:
        raise build_error("SearchSorted", label, "sorted_sequence and values need known ranks >= 1")
    if seq.shape.ndims != values.shape.ndims or any(
            a is not None and b is not None and a != b for a, b in zip(seq.shape.as_list()[:-1],
                                                                         values.shape.as_list()[:-1])):
        raise build_error("SearchSorted", label, f"Leading dim(s) must match: sorted_sequence {seq.shape} vs "
                                                 f"values {values.shape}")
    with name_scope(name, "SearchSorted", [seq, values]):
        before = make("dfc.less" if side == "left" else "dfc.less_equal",
                      [expand_dims(seq, -2), expand_dims(values, -1)])  # [..., values, sequence]
        return make("dfc.reduce_sum", [cast(before, out_type)], {"axes": [values.shape.ndims]}, name="SearchSorted")


def unravel_index(indices, dims, name: str | None = None) -> Tensor:
    """The coordinates of each flat index in an array of shape `dims`: shape [len(dims)] + indices.shape."""
    indices = convert_to_tensor(indices)
    label = name or "UnravelIndex"
    if indices.dtype not in (i32, i64):
        raise TypeError(f"{build_error('UnravelIndex', label, '')} indices {indices.name} must be int32 or int64")
    known_dims = constant_value(convert_to_tensor(dims, dtype=indices.dtype))
    if known_dims is None:
        raise NotImplementedError(f"{build_error('UnravelIndex', label, '')} dims must be a constant")
    shape = [int(d) for d in np.atleast_1d(known_dims)]
    if np.ndim(known_dims) != 1:
        raise build_error("UnravelIndex", label, f"dims must be a 1-D tensor, got {known_dims.tolist()}")
    known = constant_value(indices)
    size = int(np.prod(shape, dtype=np.int64))
    if known is not None and known.size and (known.min() < 0 or known.max() >= size):
        raise build_error("UnravelIndex", label, f"index out of bound as input index {int(known.max())} not in "
                                                 f"[0, {size}) for dims {shape}")
    from .debugging import Assert
    from .framework import control_dependencies
    with name_scope(name, "UnravelIndex", [indices]):
        checks = []
        if known is None:
            flat = reshape(indices, [-1])
            fits = make("dfc.reduce_all", [make("dfc.logical_and", [
                make("dfc.greater_equal", [flat, constant(np.zeros((), indices.dtype.np))]),
                make("dfc.less", [flat, constant(np.asarray(size, indices.dtype.np))])])], {"axes": [0]})
            checks.append(Assert(fits, [f"index out of bound as input index not in [0, {size}): indices =",
                                        indices]))
        with control_dependencies(checks):
            strides = np.array([int(np.prod(shape[i + 1:], dtype=np.int64)) for i in builtins.range(len(shape))])
            lead = [len(shape)] + [1] * indices.shape.ndims
            s = constant(strides.astype(indices.dtype.np).reshape(lead))
            d = constant(np.array(shape, indices.dtype.np).reshape(lead))
            return make("dfc.mod", [make("dfc.floordiv", [expand_dims(indices, 0), s]), d], name="UnravelIndex")


__all__ = ["bincount", "confusion_matrix", "histogram_fixed_width", "histogram_fixed_width_bins", "searchsorted",
           "unravel_index"]
