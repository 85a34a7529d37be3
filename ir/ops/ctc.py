"""CTC beam search (tf.nn.ctc_beam_search_decoder): TF's prefix beam search, a host op.

The search keeps a tree of label prefixes, each with the log probabilities of ending in a blank and in its last
label, and at each frame extends the beam's prefixes by every non-blank class. Which prefixes stay in the beam
when two have equal probability is decided by the order TF's kernel visits them: a bounded top-N set
(tensorflow/core/lib/gtl/top_n.h) over libstdc++'s heap and sort algorithms, so `TopN` below follows those
algorithms step by step (ties, as zero or equal logits make, then give TF's beams). It is a loop over frames,
prefixes and classes, not a loop nest: the CPU calls this numpy reference on the host (HOST_OPS in linalg.py),
the GPU places it on the CPU, as TF has only a CPU kernel. It has no gradient.
"""

from __future__ import annotations

import math

import numpy as np

from ..dtypes import f32, f64, i32
from ..errors import ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, register, require_dtype, tensor_operand

_LOG_ZERO = -math.inf


def _log_sum_exp(a: float, b: float, dtype) -> float:
    """TF's LogSumExp of two log probabilities (ctc_loss_util.h), in the input's precision."""
    if a == _LOG_ZERO:
        return b
    if b == _LOG_ZERO:
        return a
    top, low = (a, b) if a > b else (b, a)
    return dtype(top + dtype(math.log1p(dtype(math.exp(dtype(low - top))))))


class _Entry:
    """One prefix: its parent, last label, children by label, and the probabilities at t-1 (old) and t (new)."""

    __slots__ = ("parent", "label", "children", "old", "new")

    def __init__(self, parent, label: int):
        self.parent, self.label, self.children = parent, label, {}
        self.old = [_LOG_ZERO, _LOG_ZERO, _LOG_ZERO]  # blank, label, total
        self.new = [_LOG_ZERO, _LOG_ZERO, _LOG_ZERO]

    def active(self) -> bool:
        return self.new[2] != _LOG_ZERO

    def child(self, label: int) -> _Entry:
        if label not in self.children:
            self.children[label] = _Entry(self, label)
        return self.children[label]

    def labels(self, merge_repeated: bool) -> list[int]:
        out, previous, entry = [], -1, self
        while entry.parent is not None:
            if not merge_repeated or entry.label != previous:
                out.append(entry.label)
            previous, entry = entry.label, entry.parent
        return out[::-1]


def _better(a: _Entry, b: _Entry) -> bool:
    """TF's BeamComparer: a before b when its total probability is greater."""
    return a.new[2] > b.new[2]


# ---- libstdc++'s heap and sort algorithms, over a list with TF's comparer ("less" = better) ---------------
def _push_heap_hole(v: list, first: int, hole: int, top: int, value) -> None:
    parent = (hole - 1) // 2
    while hole > top and _better(v[first + parent], value):
        v[first + hole] = v[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    v[first + hole] = value


def _adjust_heap(v: list, first: int, hole: int, length: int, value) -> None:
    top, second = hole, hole
    while second < (length - 1) // 2:
        second = 2 * (second + 1)
        if _better(v[first + second], v[first + second - 1]):
            second -= 1
        v[first + hole] = v[first + second]
        hole = second
    if length % 2 == 0 and second == (length - 2) // 2:
        second = 2 * (second + 1)
        v[first + hole] = v[first + second - 1]
        hole = second - 1
    _push_heap_hole(v, first, hole, top, value)


def _make_heap(v: list, first: int, last: int) -> None:
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust_heap(v, first, parent, length, v[first + parent])
        if parent == 0:
            return
        parent -= 1


def _pop_heap(v: list, first: int, last: int, result: int) -> None:
    value = v[result]
    v[result] = v[first]
    _adjust_heap(v, first, 0, last - first, value)


def _sort_heap(v: list, first: int, last: int) -> None:
    while last - first > 1:
        last -= 1
        _pop_heap(v, first, last, last)


def _unguarded_linear_insert(v: list, last: int) -> None:
    value, nxt = v[last], last - 1
    while _better(value, v[nxt]):
        v[last] = v[nxt]
        last, nxt = nxt, nxt - 1
    v[last] = value


def _insertion_sort(v: list, first: int, last: int) -> None:
    for i in range(first + 1, last):
        if _better(v[i], v[first]):
            value = v[i]
            v[first + 1:i + 1] = v[first:i]
            v[first] = value
        else:
            _unguarded_linear_insert(v, i)


def _median_to_first(v: list, result: int, a: int, b: int, c: int) -> None:
    if _better(v[a], v[b]):
        pick = b if _better(v[b], v[c]) else (c if _better(v[a], v[c]) else a)
    else:
        pick = a if _better(v[a], v[c]) else (c if _better(v[b], v[c]) else b)
    v[result], v[pick] = v[pick], v[result]


def _partition(v: list, first: int, last: int, pivot: int) -> int:
    while True:
        while _better(v[first], v[pivot]):
            first += 1
        last -= 1
        while _better(v[pivot], v[last]):
            last -= 1
        if not first < last:
            return first
        v[first], v[last] = v[last], v[first]
        first += 1


def _introsort(v: list, first: int, last: int, depth: int) -> None:
    while last - first > 16:
        if depth == 0:
            _make_heap(v, first, last)
            _sort_heap(v, first, last)
            return
        depth -= 1
        _median_to_first(v, first, first + 1, first + (last - first) // 2, last - 1)
        cut = _partition(v, first + 1, last, first)
        _introsort(v, cut, last, depth)
        last = cut


def _std_sort(v: list) -> None:
    n = len(v)
    if n < 2:
        return
    _introsort(v, 0, n, 2 * (n.bit_length() - 1))
    if n > 16:
        _insertion_sort(v, 0, 16)
        for i in range(16, n):
            _unguarded_linear_insert(v, i)
    else:
        _insertion_sort(v, 0, n)


class TopN:
    """gtl::TopN: the `limit` best entries, unordered until it overflows, then a heap with the worst in front."""

    def __init__(self, limit: int):
        self.limit, self.items, self.state = limit, [], "unordered"

    def push(self, entry: _Entry) -> None:
        v = self.items
        if self.state != "heap":
            v.append(entry)
            if len(v) == self.limit + 1:
                _make_heap(v, 0, len(v))
                _pop_heap(v, 0, len(v) - 1, len(v) - 1)
                v.pop()
                self.state = "heap"
            elif self.state == "bottom_known" and not _better(v[-1], v[0]):
                v[0], v[-1] = v[-1], v[0]
        elif _better(entry, v[0]):
            if len(v) > 1:  # std::pop_heap of one element does nothing
                _pop_heap(v, 0, len(v) - 1, len(v) - 1)
            v[-1] = entry
            _push_heap_hole(v, 0, len(v) - 1, 0, entry)

    def bottom(self) -> _Entry:
        v = self.items
        if self.state == "unordered":
            worst = 0
            for i in range(1, len(v)):
                if _better(v[worst], v[i]):
                    worst = i
            v[0], v[worst] = v[worst], v[0]
            self.state = "bottom_known"
        return v[0]

    def extract(self) -> list:
        out, self.items = self.items, []
        if self.state != "heap":
            _std_sort(out)
        else:
            _sort_heap(out, 0, len(out))
        self.state = "unordered"
        return out


def _step(leaves: TopN, frame: np.ndarray, width: int, dtype) -> TopN:
    """One frame of CTCBeamSearchDecoder::Step with the default scorer and no label selection."""
    blank = len(frame) - 1
    top = frame.max()
    norm = dtype(top + dtype(np.log(np.exp(frame - top, dtype=dtype).sum(dtype=dtype))))
    branches = leaves.extract()
    leaves = TopN(width)
    for b in branches:
        b.old = list(b.new)
    for b in branches:
        if b.parent is not None:
            if b.parent.active():
                previous = b.parent.old[0] if b.label == b.parent.label else b.parent.old[2]
                b.new[1] = _log_sum_exp(b.new[1], previous, dtype)
            b.new[1] = dtype(b.new[1] + dtype(frame[b.label] - norm))
        b.new[0] = dtype(b.old[2] + dtype(frame[blank] - norm))
        b.new[2] = _log_sum_exp(b.new[0], b.new[1], dtype)
        leaves.push(b)

    def candidate(total) -> bool:
        return total > _LOG_ZERO and (len(leaves.items) < width or total > leaves.bottom().new[2])

    logits = (frame[:blank] - norm).astype(frame.dtype)  # each label's log probability at this frame
    for b in branches:
        if not candidate(b.old[2]):
            continue
        labels = range(blank)
        if len(leaves.items) == width:
            # a full beam's bottom only rises: children that cannot pass it now never will, and TF's kernel only
            # resets those of them that exist and are out of the beam (one may be a later branch, which then
            # grows nothing), so that is all skipping them must do
            totals = logits + frame.dtype.type(b.old[2])
            if 0 <= b.label < blank:
                totals[b.label] = logits[b.label] + frame.dtype.type(b.old[0])
            passing = totals > leaves.bottom().new[2]
            labels = np.flatnonzero(passing).tolist()
            for label, c in b.children.items():
                if not passing[label] and not c.active():
                    c.old = [_LOG_ZERO, _LOG_ZERO, _LOG_ZERO]
        for label in labels:
            c = b.child(label)
            if c.active():
                continue
            previous = b.old[0] if c.label == b.label else b.old[2]
            c.new = [_LOG_ZERO, dtype(logits[label] + previous), _LOG_ZERO]
            c.new[2] = c.new[1]
            if candidate(c.new[2]):
                if len(leaves.items) == width:
                    leaves.bottom().new = [_LOG_ZERO, _LOG_ZERO, _LOG_ZERO]
                leaves.push(c)
            else:
                c.old = [_LOG_ZERO, _LOG_ZERO, _LOG_ZERO]
                c.new = [_LOG_ZERO, _LOG_ZERO, _LOG_ZERO]
    return leaves


def beam_search(frames: np.ndarray, width: int, top_paths: int, merge_repeated: bool) -> tuple[list, list]:
    """The `top_paths` best label sequences of one batch entry's [time, classes] logits, and their log
    probabilities, as TF's CTCBeamSearchDecoder finds them."""
    dtype = frames.dtype.type
    root = _Entry(None, -1)
    root.new = [dtype(0), _LOG_ZERO, dtype(0)]
    leaves = TopN(width)
    leaves.push(root)
    for frame in frames:
        leaves = _step(leaves, frame, width, dtype)
    if top_paths > len(leaves.items):
        raise ValueError("Less leaves in the beam search than requested.")
    best = TopN(top_paths)
    for entry in leaves.items:
        best.push(entry)
    chosen = best.extract()[:top_paths]
    return [e.labels(merge_repeated) for e in chosen], [e.new[2] for e in chosen]


def _infer(types, attrs):
    x, lengths = tensor_operand(types, 0), tensor_operand(types, 1)
    require_dtype(x.dtype, (f32, f64), "inputs")
    require_dtype(lengths.dtype, (i32,), "sequence_length")
    if x.rank != 3:
        raise ShapeError(f"inputs must be 3-D [max_time, batch, num_classes], got {x}")
    if lengths.rank != 1:
        raise ShapeError(f"sequence_length must be 1-D [batch], got {lengths}")
    if attrs["beam_width"] < 1:
        raise ShapeError(f"beam_width must be at least 1, got {attrs['beam_width']}")
    if not 1 <= attrs["top_paths"] <= attrs["beam_width"]:
        raise ShapeError(f"top_paths must be in [1, beam_width = {attrs['beam_width']}], got {attrs['top_paths']}")
    time, batch, _ = x.shape
    paths = attrs["top_paths"]
    return [TensorType(i32, (paths, batch, time)), TensorType(i32, (paths, batch)),
            TensorType(x.dtype, (batch, paths))]


def _reference(inputs, lengths, beam_width: int, top_paths: int, merge_repeated: bool):
    time, batch, _ = inputs.shape
    labels = np.zeros((top_paths, batch, time), np.int32)
    counts = np.zeros((top_paths, batch), np.int32)
    log_probs = np.zeros((batch, top_paths), inputs.dtype)
    for b in range(batch):
        if not 0 <= lengths[b] <= time:
            raise ValueError(f"sequence_length({b}) = {lengths[b]} is not in [0, max_time = {time}]")
        paths, scores = beam_search(inputs[:lengths[b], b], beam_width, top_paths, merge_repeated)
        for p, (path, score) in enumerate(zip(paths, scores)):
            labels[p, b, :len(path)] = path
            counts[p, b] = len(path)
            log_probs[b, p] = score
    return labels, counts, log_probs


register(OpDef("dfc.ctc_beam_search", "nn", _infer, _reference, 2,
               {"beam_width": Attr("int"), "top_paths": Attr("int"), "merge_repeated": Attr("bool")},
               differentiable=False, fusible_as=None,
               doc="(labels [top_paths, batch, max_time] padded with 0, their lengths, log probabilities "
                   "[batch, top_paths]): TF's CTC beam search of (inputs [max_time, batch, classes] logits, "
                   "sequence_length); the last class is the blank"))
