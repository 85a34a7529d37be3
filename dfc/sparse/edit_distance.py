"""TF1's tf.edit_distance: the Levenshtein distance between the sequences of two SparseTensors, one per index
prefix (the last dim runs along each sequence), normalized by the truth's length by default.

The dynamic program runs one tf.foldl step per hypothesis position over all sequences at once; within
a step the insertions are a running minimum, taken pairwise over the truth positions.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import f32, i64

from ..array_ops import concat, constant, expand_dims, gather, reshape, shape, transpose
from ..framework import build_error, make, name_scope
from ..math_ops import cast, cumsum, not_equal, reduce_max, reduce_min, reduce_sum, where
from .core import linear_of, rank_of, segment_sum
from .tensor import SparseTensor, as_sparse


def _sequences(sp: SparseTensor, lead, groups):
    """[groups, longest] values of each sequence left-aligned (entries in row-major order), and the lengths."""
    from ..array_ops import range as range_
    rank = sp.indices.shape.as_list()[1]
    group = linear_of(sp.indices[:, :rank - 1], lead)
    ones = make("dfc.fill_like", [group], {"value": 1.0, "dtype": i64})
    lengths = segment_sum(ones, group, groups)
    start = cumsum(lengths, exclusive=True)
    column = range_(0, shape(group, out_type=i64)[0], dtype=i64) - gather(start, group)
    longest = reduce_max(concat([lengths, constant(np.zeros(1, np.int64))], 0))
    width = longest + 1  # one spare column: a sequence of no entries still has a row
    slots = segment_sum(sp.values, group * width + column, groups * width)
    return reshape(slots, concat([reshape(groups, [1]), reshape(width, [1])], 0)), lengths


def edit_distance(hypothesis, truth, normalize: bool = True, name: str = "edit_distance"):
    """Levenshtein distances of hypothesis' sequences to truth's (divided by the truth's length with normalize),
    shaped like the larger of their leading dims."""
    hyp, tru = as_sparse(hypothesis, "EditDistance"), as_sparse(truth, "EditDistance")
    label = name or "EditDistance"
    if hyp.dtype is not tru.dtype:
        raise TypeError(str(build_error("EditDistance", label, f"hypothesis {hyp.name} ({hyp.dtype.name}) and truth "
                                                               f"{tru.name} ({tru.dtype.name}) differ in dtype")))
    rank = rank_of(hyp, "EditDistance", label)
    if rank != rank_of(tru, "EditDistance", label) or rank < 2:
        raise ValueError(str(build_error("EditDistance", label, f"hypothesis {hyp.name} and truth {tru.name} must "
                                                                f"have one rank of at least 2")))
    from ..array_ops import range as range_
    from ..control_flow_ops import foldl
    with name_scope(name, "EditDistance", [hyp.values, tru.values]):
        lead = make("dfc.maximum", [hyp.dense_shape[:rank - 1], tru.dense_shape[:rank - 1]])
        groups = make("dfc.reduce_prod", [lead], {"axes": [0]})
        hyp_seq, hyp_len = _sequences(hyp, lead, groups)
        tru_seq, tru_len = _sequences(tru, lead, groups)
        columns = cast(shape(tru_seq)[1], i64)  # truth positions 0..longest: the DP's row
        position = reshape(cast(range_(0, columns, dtype=i64), f32), [1, -1])
        first = make("dfc.fill_like", [tru_seq], {"value": 0.0, "dtype": f32}) + position
        later = reshape(range_(0, columns, dtype=i64), [1, -1]) <= reshape(range_(0, columns, dtype=i64), [-1, 1])
        big = constant(np.float32(3.0e38))

        def step(state, item):
            row, i = state
            symbol = item
            cost = cast(not_equal(reshape(symbol, [-1, 1]), tru_seq[:, :-1]), f32)
            substitute = row[:, :-1] + cost
            delete = row[:, 1:] + 1.0
            direct = concat([row[:, :1] + 1.0, make("dfc.minimum", [substitute, delete])], 1)
            shifted = direct - position  # insertions: min over k <= j of direct[k] + (j - k)
            spread = where(later, expand_dims(shifted, 1), big)  # [group, j, k]: direct[k] - k for k <= j
            best = reduce_min(spread, axis=2) + position
            active = reshape(i < hyp_len, [-1, 1])
            return where(active, best, row), i + 1

        steps = transpose(hyp_seq[:, :-1])  # [hypothesis position, group]
        final, _ = foldl(step, steps, initializer=(first, constant(np.int64(0))))
        pick = make("dfc.equal", [position, reshape(cast(tru_len, f32), [-1, 1])])
        distance = reduce_sum(where(pick, final, final * 0), axis=1)
        if normalize:
            lengths = cast(tru_len, f32)
            zero = distance * 0
            empty_truth = where(distance > 0.0, zero + np.inf, zero)  # TF: inf, or 0 when both are empty
            distance = where(lengths > 0.0, distance / make("dfc.maximum", [lengths, zero + 1.0]), empty_truth)
        out = reshape(distance, lead)
        return make("dfc.identity", [out], name="EditDistance")


__all__ = ["edit_distance"]
