"""TF1's connectionist temporal classification: tf.nn.ctc_loss (labels a SparseTensor) and tf.nn.ctc_greedy_decoder
(its result a SparseTensor).

ctc_loss is the forward algorithm in log space over the blank-extended labels, one tf.foldl step per
time frame, so its gradient is autodiff's: softmax(inputs) minus the posterior of each class, TF's.
States no path reaches hold a large negative number rather than -inf, which keeps that gradient finite.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import i32, i64

from ..array_ops import concat, constant, gather, one_hot, reshape, shape, stack, transpose
from ..framework import build_error, control_dependencies, convert_to_tensor, make, name_scope
from ..math_ops import (cast, cumsum, exp, log, logical_and, logical_or, maximum, not_equal, reduce_max, reduce_sum,
                        where)
from .core import nonzero_positions, segment_sum
from .tensor import SparseTensor, SparseTensorValue

_UNREACHABLE = -1e30


def _lse(parts: list):
    top = parts[0]
    for p in parts[1:]:
        top = maximum(top, p)
    return top + log(sum(exp(p - top) for p in parts[1:]) + exp(parts[0] - top))


def _dense_labels(labels: SparseTensor, batch):
    """[batch, max_len] label ids (0 past each row's end) and each row's length."""
    from .ops import sparse_tensor_to_dense
    dense = sparse_tensor_to_dense(labels, validate_indices=False)
    ones = make("dfc.fill_like", [labels.values], {"value": 1.0, "dtype": i32})
    lengths = segment_sum(ones, labels.indices[:, 0], batch)
    return dense, lengths


def _collapse(dense, lengths):
    """Each row's runs of one label made one label, rows left-aligned (preprocess_collapse_repeated)."""
    width = shape(dense)[1]
    from ..array_ops import range as range_
    column = reshape(range_(0, width), [1, -1])
    inside = column < reshape(lengths, [-1, 1])
    previous = concat([dense[:, :1] - 1, dense[:, :-1]], 1)
    keep = logical_and(inside, not_equal(dense, previous))
    new_col = cumsum(cast(keep, i32), axis=1, exclusive=True)
    rows = shape(dense)[0]
    flat_target = where(keep, reshape(range_(0, rows), [-1, 1]) * width + new_col,
                        make("dfc.fill_like", [new_col], {"value": 0.0, "dtype": i32}) + rows * width)
    total = rows * width + 1
    moved = segment_sum(reshape(dense, [-1]), reshape(flat_target, [-1]), cast(total, i64))
    collapsed = reshape(moved[:-1], shape(dense))
    return collapsed, reduce_sum(cast(keep, i32), axis=1)


def ctc_loss(labels, inputs=None, sequence_length=None, preprocess_collapse_repeated: bool = False,
             ctc_merge_repeated: bool = True, ignore_longer_outputs_than_inputs: bool = False,
             time_major: bool = True, logits=None):
    """-log p(labels | inputs) per batch entry: inputs [max_time, batch, classes] logits (batch-major with
    time_major=False), labels an int32 SparseTensor [batch, max_label_len], the last class the blank."""
    if isinstance(labels, SparseTensorValue):
        labels = SparseTensor.from_value(labels)
    if not isinstance(labels, SparseTensor):
        raise TypeError("Expected labels (first argument) to be a SparseTensor")
    if inputs is None and logits is None:
        raise ValueError("ctc_loss needs inputs (or logits)")
    if inputs is not None and logits is not None:
        raise ValueError("give inputs or logits, not both")
    x = convert_to_tensor(inputs if inputs is not None else logits)
    if x.shape.ndims is not None and x.shape.ndims != 3:
        raise ValueError(f"ctc_loss: inputs {x.name} must be 3-D [max_time, batch, num_classes], got {x.shape}")
    if labels.dtype is not i32:
        raise TypeError(f"ctc_loss: labels {labels.name} must be int32, got {labels.dtype.name}")
    if sequence_length is None:
        raise ValueError("ctc_loss needs sequence_length")
    lengths_in = convert_to_tensor(sequence_length)
    with name_scope(None, "CTCLoss", [x, labels.values, lengths_in]):
        if not time_major:
            x = transpose(x, [1, 0, 2])
        log_probs = make("dfc.log_softmax", [x], {"axis": -1})
        classes = x.shape.as_list()[2]
        if classes is None:
            raise build_error("CTCLoss", "CTCLoss", f"the number of classes (dim 2 of {x.name}) must be known")
        blank = classes - 1
        batch = x.shape.as_list()[1]
        batch = batch if batch is not None else cast(shape(x)[1], i64)
        seq_len = cast(lengths_in, i32)
        dense, label_len = _dense_labels(labels, batch)
        if preprocess_collapse_repeated:
            dense, label_len = _collapse(dense, label_len)
        too_long = label_len > seq_len
        checks = []
        if not ignore_longer_outputs_than_inputs:
            from ..debugging import Assert
            checks.append(Assert(make("dfc.logical_not", [make("dfc.reduce_any", [too_long], {"axes": [0]})]),
                                 ["CTCLoss: Not enough time for target transition sequence; labels' lengths:",
                                  label_len, "sequence_length:", seq_len], name="check_lengths"))
            checks.append(Assert(reduce_max(seq_len) <= shape(x)[0],
                                 ["CTCLoss: sequence_length exceeds max_time:", seq_len], name="check_time"))
        blanks = make("dfc.fill_like", [dense], {"value": float(blank), "dtype": i32})
        flat_pairs = concat([shape(dense)[:1], constant(np.array([-1], np.int32))], 0)
        pairs = reshape(stack([blanks, dense], axis=2), flat_pairs)
        ext = concat([pairs, blanks[:, :1]], 1)  # [batch, 2L + 1]: blank, l1, blank, l2, ..., blank
        states = shape(ext)[1]
        two_back = concat([ext[:, :2] * 0 + blank, ext[:, :-2]], 1)
        skip = not_equal(ext, blank)
        if ctc_merge_repeated:
            skip = logical_and(skip, not_equal(ext, two_back))
        from ..array_ops import range as range_
        first_two = reshape(range_(0, states) < 2, [1, -1])
        skip = logical_and(skip, make("dfc.logical_not", [first_two]))
        stay = constant(True) if ctc_merge_repeated else make("dfc.logical_not", [not_equal(ext, blank)])
        picked = make("dfc.matmul", [transpose(log_probs, [1, 0, 2]), one_hot(ext, classes, dtype=x.dtype)],
                      {"transpose_a": False, "transpose_b": True})  # [batch, time, states]
        per_step = transpose(picked, [1, 0, 2])
        low = constant(np.asarray(_UNREACHABLE, x.dtype.np))
        start = where(reshape(range_(0, states), [1, -1]) < 1, make("dfc.fill_like", [ext], {
            "value": 0.0, "dtype": x.dtype}), make("dfc.fill_like", [ext], {"value": _UNREACHABLE, "dtype": x.dtype}))
        active_len = reshape(seq_len, [-1, 1])

        def step(state, frame):
            alpha, t = state
            emit, _ = frame
            lows = alpha[:, :1] * 0 + low
            held = where(stay, alpha, alpha * 0 + low) if not ctc_merge_repeated else alpha
            one_back = concat([lows, alpha[:, :-1]], 1)
            two = where(skip, concat([lows, lows, alpha[:, :-2]], 1), alpha * 0 + low)
            new = maximum(_lse([held, one_back, two]) + emit, low)
            return where(t < active_len, new, alpha), t + 1

        from ..control_flow_ops import foldl
        times = range_(0, shape(per_step)[0])
        alpha, _ = foldl(step, (per_step, times), initializer=(start, constant(np.int32(0))))
        state_ids = reshape(range_(0, states), [1, -1])
        last = reshape(label_len * 2, [-1, 1])
        ends = logical_or(make("dfc.equal", [state_ids, last]), make("dfc.equal", [state_ids, last - 1]))
        masked = where(ends, alpha, alpha * 0 + low)
        top = reduce_max(masked, axis=1, keepdims=True)
        total = reduce_sum(top, axis=1) + log(reduce_sum(exp(masked - top), axis=1))
        # no path (labels too long for their frames): an infinite loss whose gradient is softmax(inputs) over
        # the frames, as TF's kernel gives it
        from ..gradients_impl import stop_gradient
        from ..math_ops import reduce_logsumexp
        frames = reshape(range_(0, shape(x)[0]), [-1, 1]) < reshape(seq_len, [1, -1])
        normalizers = reduce_logsumexp(x, axis=2)
        surrogate = reduce_sum(where(frames, normalizers, normalizers * 0), axis=0)
        unreachable = stop_gradient(surrogate * 0 + np.inf) + surrogate
        loss = where(total < _UNREACHABLE / 10, unreachable, -total)
        if ignore_longer_outputs_than_inputs:
            loss = where(too_long, make("dfc.fill_like", [loss], {"value": 0.0, "dtype": loss.dtype}), loss)
        with control_dependencies(checks):
            return make("dfc.identity", [loss], name="CTCLoss")


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated: bool = True):
    """([the best path's labels per batch entry, repeats merged and blanks dropped, as a SparseTensor],
    -(the sum over time of each frame's largest logit) [batch, 1]); the last class is the blank."""
    x = convert_to_tensor(inputs)
    if x.shape.ndims is not None and x.shape.ndims != 3:
        raise ValueError(f"ctc_greedy_decoder: inputs {x.name} must be 3-D [max_time, batch, num_classes], got "
                         f"{x.shape}")
    lengths = cast(convert_to_tensor(sequence_length), i32)
    with name_scope(None, "CTCGreedyDecoder", [x, lengths]):
        classes = x.shape.as_list()[2]
        if classes is None:
            raise build_error("CTCGreedyDecoder", "CTCGreedyDecoder", f"the number of classes of {x.name} must be "
                                                                      f"known")
        from ..array_ops import range as range_
        from ..math_ops import argmax
        best = transpose(argmax(x, axis=2, output_type=i32), [1, 0])  # [batch, time]
        from ..gradients_impl import stop_gradient
        top = transpose(reduce_max(stop_gradient(x), axis=2), [1, 0])  # TF's decoder has no gradient
        inside = reshape(range_(0, shape(best)[1]), [1, -1]) < reshape(lengths, [-1, 1])
        neg_sum = -reduce_sum(where(inside, top, top * 0), axis=1, keepdims=True)
        keep = logical_and(inside, not_equal(best, classes - 1))
        if merge_repeated:
            previous = concat([best[:, :1] * 0 - 1, best[:, :-1]], 1)
            keep = logical_and(keep, logical_or(not_equal(best, previous), make("dfc.logical_not", [inside])))
        column = cumsum(cast(keep, i64), axis=1, exclusive=True)
        positions = nonzero_positions(reshape(keep, [-1]))
        width = cast(shape(best)[1], i64)
        rows = positions // width
        cols = gather(reshape(column, [-1]), positions)
        counts = reduce_sum(cast(keep, i64), axis=1)
        longest = reduce_max(concat([counts, constant(np.zeros(1, np.int64))], 0))
        dense_shape = stack([cast(shape(best)[0], i64), longest])
        decoded = SparseTensor(stack([rows, cols], axis=1), cast(gather(reshape(best, [-1]), positions), i64),
                               dense_shape)
        return [decoded], neg_sum


__all__ = ["ctc_greedy_decoder", "ctc_loss"]
