"""The rest of TF1's tf.nn CTC API: ctc_beam_search_decoder (and _v2), ctc_loss_v2 (dense or sparse labels, any
blank index), collapse_repeated and ctc_unique_labels.

The beam search is one host op (`dfc.ctc_beam_search`, ir/ops/ctc.py: TF's prefix search with its tie order)
giving each path's labels padded to max_time and their counts; the SparseTensors TF returns are made from those
here, as ctc_greedy_decoder makes its own. ctc_loss_v2 moves the blank class last and hands dense labels to
ctc_loss as a SparseTensor of each row's first label_length entries, which gives TF's loss and gradient.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import i32, i64

from ..array_ops import concat, constant, expand_dims, gather, reshape, shape, stack
from ..errors import InvalidArgumentError
from ..framework import Tensor, build_error, convert_to_tensor, make, name_scope
from ..math_ops import cast, cumsum, logical_and, reduce_max, where
from ..graph_builder import make_op, wrap
from .core import nonzero_positions
from .ctc import _collapse, ctc_loss
from .tensor import SparseTensor, SparseTensorValue


def _rows_to_sparse(labels: Tensor, counts: Tensor, value_dtype) -> SparseTensor:
    """The SparseTensor [batch, max(counts)] of each row's first counts[b] entries of labels [batch, width]."""
    from ..array_ops import range as range_
    width = shape(labels)[1]
    keep = reshape(range_(0, width), [1, -1]) < reshape(counts, [-1, 1])
    positions = nonzero_positions(reshape(keep, [-1]))
    wide = cast(width, i64)
    indices = stack([positions // wide, positions % wide], axis=1)
    values = cast(gather(reshape(labels, [-1]), positions), value_dtype)
    longest = reduce_max(concat([cast(counts, i64), constant(np.zeros(1, np.int64))], 0))
    return SparseTensor(indices, values, stack([cast(shape(labels)[0], i64), longest]))


def ctc_beam_search_decoder(inputs, sequence_length, beam_width: int = 100, top_paths: int = 1,
                            merge_repeated: bool = True):
    """([top_paths SparseTensors of int64 labels, the best first], log probabilities [batch, top_paths]) of
    TF's CTC prefix beam search over inputs [max_time, batch, num_classes] logits, the last class the blank."""
    x = convert_to_tensor(inputs)
    if x.dtype.name not in ("float32", "float64"):
        raise TypeError(f"ctc_beam_search_decoder: inputs {x.name} must be float32 or float64, got {x.dtype.name}")
    if x.shape.ndims is not None and x.shape.ndims != 3:
        raise ValueError(f"ctc_beam_search_decoder: inputs {x.name} must be 3-D [max_time, batch, num_classes], "
                         f"got {x.shape}")
    beam_width, top_paths = int(beam_width), int(top_paths)
    if beam_width < 1:
        raise InvalidArgumentError(None, None, f"ctc_beam_search_decoder: beam_width must be at least 1, got "
                                               f"{beam_width}")
    if not 1 <= top_paths <= beam_width:
        raise InvalidArgumentError(None, None, f"ctc_beam_search_decoder: top_paths must be <= beam_width and "
                                               f"positive, got top_paths={top_paths}, beam_width={beam_width}")
    lengths = cast(convert_to_tensor(sequence_length), i32)
    with name_scope(None, "CTCBeamSearchDecoder", [x, lengths]):
        op = make_op("dfc.ctc_beam_search", [x, lengths], {
            "beam_width": beam_width, "top_paths": top_paths, "merge_repeated": bool(merge_repeated)},
            name="CTCBeamSearchDecoder")
        labels, counts, log_probs = (wrap(r) for r in op.results)
        decoded = [_rows_to_sparse(labels[p], counts[p], i64) for p in range(top_paths)]
        return decoded, log_probs


def ctc_beam_search_decoder_v2(inputs, sequence_length, beam_width: int = 100, top_paths: int = 1, name=None):
    """TF2's ctc_beam_search_decoder: repeated labels of a path are kept (merge_repeated=False)."""
    del name
    return ctc_beam_search_decoder(inputs, sequence_length, beam_width, top_paths, merge_repeated=False)


def _blank_last(logits: Tensor, blank: int, classes: int) -> Tensor:
    """logits [.., classes] with class `blank` moved to the end."""
    if blank == classes - 1:
        return logits
    return concat([logits[:, :, :blank], logits[:, :, blank + 1:], logits[:, :, blank:blank + 1]], 2)


def ctc_loss_v2(labels, logits, label_length, logit_length, logits_time_major: bool = True, unique=None,
                blank_index=None, name=None):
    """-log p(labels | logits) per batch entry: labels dense [batch, max_label_len] (with label_length) or a
    SparseTensor, logits [max_time, batch, classes] (batch-major unless logits_time_major), blank_index the
    blank class (default 0 for dense labels; required for sparse ones; negative counts from the end)."""
    del unique  # TF's precomputed ctc_unique_labels only speed its dense kernel up
    x = convert_to_tensor(logits)
    if x.shape.ndims is not None and x.shape.ndims != 3:
        raise ValueError(f"ctc_loss_v2: logits {x.name} must be 3-D, got {x.shape}")
    classes = x.shape.as_list()[2]
    if classes is None:
        raise build_error("CTCLoss", "ctc_loss_v2", f"the number of classes (dim 2 of {x.name}) must be known")
    if isinstance(labels, SparseTensorValue):
        labels = SparseTensor.from_value(labels)
    sparse = isinstance(labels, SparseTensor)
    if blank_index is None:
        if sparse:
            raise ValueError("blank_index must be given when using SparseTensor labels.")
        blank_index = 0
    blank = int(blank_index) + (classes if int(blank_index) < 0 else 0)
    if not 0 <= blank < classes:
        raise ValueError(f"ctc_loss_v2: blank_index {blank_index} is out of range for {classes} classes")
    with name_scope(name, "ctc_loss_dense" if not sparse else "ctc_loss_v2", [x]):
        if not logits_time_major:
            from ..array_ops import transpose
            x = transpose(x, [1, 0, 2])
        x = _blank_last(x, blank, classes)
        if sparse:
            values = cast(labels.values, i32)
            values = where(values < blank, values, values - 1)
            target = SparseTensor(labels.indices, values, labels.dense_shape)
        else:
            dense = cast(convert_to_tensor(labels), i32)
            if dense.shape.ndims is not None and dense.shape.ndims != 2:
                raise ValueError(f"ctc_loss_v2: labels {dense.name} must be 2-D [batch, max_label_len], got "
                                 f"{dense.shape}")
            if label_length is None:
                raise ValueError("ctc_loss_v2 needs label_length for dense labels")
            dense = where(dense < blank, dense, dense - 1)
            target = _rows_to_sparse(dense, cast(convert_to_tensor(label_length), i32), i32)
        return ctc_loss(target, x, logit_length, time_major=True)


def collapse_repeated(labels, seq_length, name=None):
    """(labels [batch, max new length] with each row's runs of one label made one, padded with 0, the new
    lengths in seq_length's dtype)."""
    dense = convert_to_tensor(labels)
    lengths_in = convert_to_tensor(seq_length)
    with name_scope(name, "collapse_repeated_labels", [dense, lengths_in]):
        collapsed, new_len = _collapse(dense, cast(lengths_in, dense.dtype))
        new_len = cast(new_len, i32)
        longest = reduce_max(concat([new_len, constant(np.zeros(1, np.int32))], 0))
        return collapsed[:, :longest], cast(new_len, lengths_in.dtype)


def ctc_unique_labels(labels, name=None):
    """(each row's distinct labels in order of first appearance, padded with 0, as int64; each label's index
    among them, in labels' dtype): tf.unique row by row."""
    x = convert_to_tensor(labels)
    if x.shape.ndims is not None and x.shape.ndims != 2:
        raise ValueError(f"ctc_unique_labels: labels {x.name} must be 2-D [batch, max_label_len], got {x.shape}")
    with name_scope(name, "ctc_unique_labels", [x]):
        from ..array_ops import range as range_
        width = shape(x)[1]
        same = make("dfc.equal", [expand_dims(x, 2), expand_dims(x, 1)])  # [b, j, k]: x[b, j] == x[b, k]
        columns = range_(0, width)
        earlier = reshape(columns, [1, 1, -1]) < reshape(columns, [1, -1, 1])
        first = make("dfc.logical_not", [make("dfc.reduce_any", [logical_and(same, earlier)], {"axes": [2]})])
        slot = cumsum(cast(first, i32), axis=1) - 1  # each first occurrence's place among the distinct labels
        # the place of each entry's first occurrence: the smallest k with x[b, k] == x[b, j]
        from ..math_ops import argmax
        first_at = argmax(cast(same, i32), axis=2, output_type=i32)
        rows = shape(x)[0]
        row_base = reshape(range_(0, rows) * width, [-1, 1])
        idx = gather(reshape(slot, [-1]), reshape(first_at + row_base, [-1]))
        target = where(first, slot + row_base, make("dfc.fill_like", [slot], {"value": 0.0, "dtype": i32}) +
                       rows * width)
        from .core import segment_sum
        placed = segment_sum(reshape(cast(x, i64), [-1]), reshape(target, [-1]), cast(rows * width + 1, i64))
        return reshape(placed[:-1], shape(x)), cast(reshape(idx, shape(x)), x.dtype)


__all__ = ["collapse_repeated", "ctc_beam_search_decoder", "ctc_beam_search_decoder_v2", "ctc_loss_v2",
           "ctc_unique_labels"]
