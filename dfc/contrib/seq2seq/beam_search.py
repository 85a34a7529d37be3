"""tf.contrib.seq2seq's beam search: tile_batch, gather_tree and BeamSearchDecoder (TF 1.15's semantics).

Each step scores every (beam, word) continuation by its total log probability (finished beams only
extend with end_token, at no cost), divided by the length penalty ((5 + length) / 6) ** weight, plus
the coverage penalty of the accumulated attention when coverage_penalty_weight is set; the best
beam_width of them per batch entry survive, and the cell's state follows its parent beam. Decoding
starts from beam 0 alone (the others begin finished at -inf). finalize follows the parent pointers back
(gather_tree) so predicted_ids holds whole hypotheses.
"""

from __future__ import annotations

import collections

import numpy as np

from ... import array_ops as A
from ... import math_ops as M
from ... import nn
from ...framework import Tensor, TensorShape, convert_to_tensor, name_scope
from ...tensor_array_ops import TensorArray
from . import _nest as nest
from .attention_wrapper import AttentionWrapperState
from .decoder import Decoder, _is_layer, _NullArray, _rnn_output_size
from .helper import embedding_fn

__all__ = ["BeamSearchDecoder", "BeamSearchDecoderOutput", "BeamSearchDecoderState", "FinalBeamSearchDecoderOutput",
           "gather_tree", "tile_batch"]


class BeamSearchDecoderState(collections.namedtuple("BeamSearchDecoderState", (
        "cell_state", "log_probs", "finished", "lengths", "accumulated_attention_probs"))):
    """The beams' cell states, total log probabilities, finished flags, lengths and accumulated attention."""

    __slots__ = ()


class BeamSearchDecoderOutput(collections.namedtuple("BeamSearchDecoderOutput",
                                                     ("scores", "predicted_ids", "parent_ids"))):
    """One step's surviving beams: their scores, their words and the beams they extend."""

    __slots__ = ()


class FinalBeamSearchDecoderOutput(collections.namedtuple("FinalBeamDecoderOutput",
                                                          ["predicted_ids", "beam_search_decoder_output"])):
    """The whole hypotheses (gather_tree of the steps' words) and the steps' outputs."""

    __slots__ = ()


def _is_array(x) -> bool:
    return isinstance(x, (TensorArray, _NullArray))


def _tile_one(t, multiplier: int) -> Tensor:
    t = convert_to_tensor(t, name="t")
    if t.shape.ndims is None or t.shape.ndims < 1:
        raise ValueError(f"t must have statically known rank (tile_batch of {t.name}, shape {t.shape})")
    dims = t.shape.as_list()
    tiling = [1] * (len(dims) + 1)
    tiling[1] = multiplier
    tiled = A.tile(A.expand_dims(t, 1), tiling)
    if None not in dims:
        return A.reshape(tiled, [dims[0] * multiplier] + dims[1:])
    shape = A.shape(t)
    tiled = A.reshape(tiled, A.concat([A.reshape(shape[0] * multiplier, [1]), shape[1:]], 0))
    tiled.set_shape([dims[0] * multiplier if dims[0] is not None else None] + dims[1:])
    return tiled


def tile_batch(t, multiplier: int, name: str | None = None):
    """Each batch entry of t (or of every tensor of a structure) repeated multiplier times in place:
    [a, b] -> [a, a, b, b] along dim 0 (what a BeamSearchDecoder's memory and initial state need)."""
    with name_scope(name, "tile_batch"):
        return nest.map_structure(lambda x: _tile_one(x, multiplier), t)


def gather_tree(step_ids, parent_ids, max_sequence_lengths, end_token, name: str | None = None) -> Tensor:
    """The full beams from per-step word ids and parent beam ids ([max_time, batch, beam]): row (b, k) follows
    its parents back from step max_sequence_lengths[b] - 1; steps past that length, and every step after a
    beam's first end_token, are end_token (TF's GatherTree)."""
    from ...control_flow_ops import _stack_write, while_loop
    with name_scope(name, "GatherTree", [step_ids, parent_ids, max_sequence_lengths, end_token]):
        step_ids = convert_to_tensor(step_ids, name="step_ids")
        parent_ids = convert_to_tensor(parent_ids, name="parent_ids", dtype=step_ids.dtype)
        lengths = convert_to_tensor(max_sequence_lengths, name="max_sequence_lengths", dtype=step_ids.dtype)
        end_token = convert_to_tensor(end_token, name="end_token", dtype=step_ids.dtype)
        for t, rank, what in ((step_ids, 3, "step_ids"), (parent_ids, 3, "parent_ids"), (lengths, 1,
                                                                                          "max_sequence_lengths"),
                              (end_token, 0, "end_token")):
            if t.shape.ndims is not None and t.shape.ndims != rank:
                raise ValueError(f"Shape must be rank {rank} but is rank {t.shape.ndims} for '{what}' "
                                 f"({t.name}, shape {t.shape}) of GatherTree")
        if not step_ids.dtype.is_integer:
            raise TypeError(f"gather_tree: step_ids {step_ids.name} must be int32, got {step_ids.dtype.name}")
        steps = A.shape(step_ids)[0]
        first = A.gather(step_ids, 0)  # [batch, beam]
        column = M.cumsum(A.ones_like(first), axis=1, exclusive=True)
        width = step_ids.shape.as_list()[2]
        width = width if width is not None else A.shape(step_ids)[2]
        offsets = _row_starts(first, width)  # [batch, 1]
        start = column  # [batch, beam]: each row starts at its own beam
        out0 = A.zeros_like(step_ids)

        def body(level, current, out):
            alive = M.less(level, A.expand_dims(lengths, 1))  # [batch, 1]
            flat_ids = A.reshape(A.gather(step_ids, level), [-1])
            flat_parents = A.reshape(A.gather(parent_ids, level), [-1])
            rows = A.reshape(current + offsets, [-1])
            shaped = A.shape(current)
            word = A.reshape(A.gather(flat_ids, rows), shaped)
            parent = A.reshape(A.gather(flat_parents, rows), shaped)
            word = M.where(alive, word, end_token + A.zeros_like(word))
            current = M.where(alive, parent, current)
            return level - 1, current, _stack_write(out, level, word)

        final = while_loop(lambda level, *_: M.greater_equal(level, 0), body, [steps - 1, start, out0],
                           back_prop=False)
        beams_out = final[2]
        seen_end = M.cumsum(M.cast(M.equal(beams_out, end_token), "int32"), axis=0, exclusive=True)
        result = M.where(M.greater(seen_end, 0), end_token + A.zeros_like(beams_out), beams_out)
        result.set_shape(step_ids.shape)
        return result


def _length_penalty(lengths: Tensor, weight) -> Tensor | float:
    weight = convert_to_tensor(weight, name="penalty_factor")
    from ...framework import constant_value
    static = constant_value(weight)
    if static is not None and float(static) == 0:
        return 1.0
    return M.pow(5. + M.cast(lengths, weight.dtype), weight) / M.pow(6., weight)


def _mask_probs(probs: Tensor, end_token: Tensor, finished: Tensor) -> Tensor:
    """A finished beam's next log probabilities: 0 for end_token, the dtype's lowest for every other word."""
    vocab = probs.shape.as_list()[2]
    row = A.one_hot(end_token, vocab if vocab is not None else A.shape(probs)[2], dtype=probs.dtype,
                    on_value=np.array(0., probs.dtype.np), off_value=np.array(probs.dtype.min, probs.dtype.np))
    return M.where(A.expand_dims(finished, 2), row + A.zeros_like(probs), probs)


def _attention_probs(cell_state, coverage_penalty_weight):
    if coverage_penalty_weight == 0.0:
        return None
    states = [cell_state] if isinstance(cell_state, AttentionWrapperState) else [
        s for s in (cell_state if isinstance(cell_state, tuple) else ()) if isinstance(s, AttentionWrapperState)]
    if not states:
        raise ValueError("coverage_penalty_weight must be 0.0 if no cell is attentional.")

    def mean(probs):
        if isinstance(probs, tuple):
            return M.reduce_mean(A.concat([A.expand_dims(p, -1) for p in probs], -1), -1)
        return probs
    probs = [mean(s.alignments) for s in states]
    return probs[0] if len(probs) == 1 else M.reduce_mean(A.concat([A.expand_dims(p, -1) for p in probs], -1), -1)


def _row_starts(rows_like: Tensor, stride) -> Tensor:
    """[[0], [stride], [2 * stride], ...]: one per row of rows_like (from its values' count, not a shape value, so
    it compiles inside a loop whose batch is known only when the step runs)."""
    ones = A.ones_like(rows_like[:, 0], dtype="int32") if rows_like.dtype.name != "int32" else \
        A.ones_like(rows_like[:, 0])
    return A.expand_dims(M.cumsum(ones, exclusive=True) * stride, 1)


def _gather_beams(indices: Tensor, source: Tensor, batch, range_size, name: str | None = None) -> Tensor:
    """source[b, indices[b, k], ...] for source [batch, range_size, ...]: a flat gather of rows."""
    with name_scope(name, "tensor_gather_helper"):
        flat_index = A.reshape(indices + _row_starts(indices, range_size), [-1])
        rest = source.shape.as_list()[2:]
        if None not in rest:
            out = A.reshape(A.gather(A.reshape(source, [-1] + rest), flat_index),
                            [-1, indices.shape.as_list()[1]] + rest, name="output")
        else:
            inner = A.shape(source)[2:]
            out = A.reshape(A.gather(A.reshape(source, A.concat([[-1], inner], 0)), flat_index),
                            A.concat([[-1, indices.shape.as_list()[1]], inner], 0), name="output")
        out.set_shape([source.shape.as_list()[0], indices.shape.as_list()[1]] + rest)
        return out


class BeamSearchDecoder(Decoder):
    """Beam search over a cell whose state holds batch_size * beam_width rows (tile_batch the memory and the
    initial state): each step keeps the beam_width best hypotheses per batch entry."""

    def __init__(self, cell, embedding, start_tokens, end_token, initial_state, beam_width: int, output_layer=None,
                 length_penalty_weight: float = 0.0, coverage_penalty_weight: float = 0.0,
                 reorder_tensor_arrays: bool = True):
        if not callable(cell) or not hasattr(cell, "state_size") or not hasattr(cell, "output_size"):
            raise TypeError(f"The argument 'cell' ({cell!r}) is not an RNNCell: 'output_size' property is missing, "
                            f"'state_size' property is missing, or it is not callable.")
        if output_layer is not None and not _is_layer(output_layer):
            raise TypeError(f"output_layer must be a Layer, received: {type(output_layer)}")
        self._cell, self._output_layer, self._reorder_tensor_arrays = cell, output_layer, reorder_tensor_arrays
        self._embedding_fn = embedding_fn(embedding)
        self._start_tokens = convert_to_tensor(start_tokens, dtype="int32", name="start_tokens")
        if self._start_tokens.shape.ndims != 1:
            raise ValueError(f"start_tokens must be a vector, got {self._start_tokens.name} of shape "
                             f"{self._start_tokens.shape}")
        self._end_token = convert_to_tensor(end_token, dtype="int32", name="end_token")
        if self._end_token.shape.ndims != 0:
            raise ValueError(f"end_token must be a scalar, got {self._end_token.name} of shape "
                             f"{self._end_token.shape}")
        beam_width = int(beam_width)
        if beam_width <= 0:
            raise ValueError(f"beam_width must be a positive integer, got {beam_width}")
        self._static_batch = self._start_tokens.shape.as_list()[0]
        self._batch_size = self._static_batch if self._static_batch is not None else A.size(self._start_tokens)
        self._beam_width = beam_width
        self._length_penalty_weight = length_penalty_weight
        self._coverage_penalty_weight = coverage_penalty_weight
        self._initial_cell_state = nest.map_structure(self._maybe_split_batch_beams, initial_state,
                                                      _sizes_like(initial_state, cell.state_size))
        self._start_tokens = A.tile(A.expand_dims(self._start_tokens, 1), [1, beam_width])
        self._start_inputs = self._embedding_fn(self._start_tokens)
        self._finished = A.one_hot(A.zeros_like(self._start_tokens[:, 0]), beam_width, on_value=False,
                                   off_value=True, dtype="bool")

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def tracks_own_finished(self) -> bool:
        return True

    def _rnn_output_size(self):
        return _rnn_output_size(self._cell, self._output_layer)

    @property
    def output_size(self):
        beams = TensorShape([self._beam_width])
        return BeamSearchDecoderOutput(scores=beams, predicted_ids=beams, parent_ids=beams)

    @property
    def output_dtype(self):
        dtype = [x for x in nest.flatten(self._initial_cell_state) if not _is_array(x)][0].dtype
        return BeamSearchDecoderOutput(scores=nest.map_structure(lambda _: dtype, self._rnn_output_size()),
                                       predicted_ids="int32", parent_ids="int32")

    # ---- [batch, beam, ...] <-> [batch * beam, ...] -------------------------------------------------------
    def _merge(self, t: Tensor) -> Tensor:
        rest = t.shape.as_list()[2:]
        # no batch-size value: the shape stays known inside the decoding loop
        out = A.reshape(t, [-1] + rest) if None not in rest else \
            A.reshape(t, A.concat([[-1], A.shape(t)[2:]], 0))
        rows = self._static_batch * self._beam_width if self._static_batch is not None else None
        out.set_shape([rows] + rest)
        return out

    def _split(self, t: Tensor, size=None) -> Tensor:
        known = t.shape.as_list()
        rest = known[1:]
        expected = [self._static_batch, self._beam_width] + rest
        rows = known[0]
        if rows is not None and self._static_batch is not None and rows != self._static_batch * self._beam_width:
            raise ValueError(f"Unexpected behavior when reshaping between beam width and batch size.  The reshaped "
                             f"tensor ({t.name}) has shape: {TensorShape([rows] + rest)}.  We expected it to have "
                             f"shape (batch_size, beam_width, depth) == {TensorShape(expected)}.  Perhaps you forgot "
                             f"to create a zero_state with batch_size=encoder_batch_size * beam_width?")
        out = A.reshape(t, [-1, self._beam_width] + rest) if None not in rest else \
            A.reshape(t, A.concat([[-1, self._beam_width], A.shape(t)[1:]], 0))
        out.set_shape(expected)
        return out

    def _maybe_split_batch_beams(self, t, size=None):
        if _is_array(t):
            return t
        t = convert_to_tensor(t)
        if t.shape.ndims is None:
            raise ValueError(f"Expected tensor ({t.name}) to have known rank, but ndims == None.")
        return self._split(t, size) if t.shape.ndims >= 1 else t

    def _maybe_merge_batch_beams(self, t, size=None):
        if _is_array(t):
            return t
        if t.shape.ndims is None:
            raise ValueError(f"Expected tensor ({t.name}) to have known rank, but ndims == None.")
        return self._merge(t) if t.shape.ndims >= 2 else t

    # ---- decoding --------------------------------------------------------------------------------------------
    def initialize(self, name=None):
        dtype = self.output_dtype.scores
        from dfc.ir.dtypes import as_dtype
        dtype = as_dtype(dtype)
        log_probs = A.one_hot(A.zeros_like(self._start_tokens[:, 0]), self._beam_width,
                              on_value=np.array(0.0, dtype.np), off_value=np.array(-np.inf, dtype.np), dtype=dtype)
        coverage = _attention_probs(self._initial_cell_state, self._coverage_penalty_weight)
        state = BeamSearchDecoderState(cell_state=self._initial_cell_state, log_probs=log_probs,
                                       finished=self._finished, lengths=A.zeros_like(self._start_tokens, dtype="int64"),
                                       accumulated_attention_probs=coverage if coverage is not None else ())
        return self._finished, self._start_inputs, state

    def finalize(self, outputs, final_state, sequence_lengths):
        lengths = M.cast(M.reduce_max(final_state.lengths, axis=1), "int32")
        predicted_ids = gather_tree(outputs.predicted_ids, outputs.parent_ids, max_sequence_lengths=lengths,
                                    end_token=self._end_token)
        if self._reorder_tensor_arrays:
            final_state = final_state._replace(cell_state=nest.map_structure(
                lambda t: self._sort_array_beams(t, outputs.parent_ids, final_state.lengths), final_state.cell_state))
        return FinalBeamSearchDecoderOutput(beam_search_decoder_output=outputs, predicted_ids=predicted_ids), \
            final_state

    def _sort_array_beams(self, t, parent_ids, lengths):
        """A TensorArray of [batch * beam, ...] elements (an alignment history) stacked and reordered along the final
        beams: a tensor [time, batch * beam, ...], as TF 1.15 leaves it in the final state."""
        if not isinstance(t, TensorArray) or t.element_shape.ndims is None or t.element_shape.ndims < 1:
            return t
        return _gather_tree_from_array(t.stack(), parent_ids, lengths, self._beam_width)

    def step(self, time, inputs, state, name=None):
        with name_scope(name, "BeamSearchDecoderStep", (time, inputs)):
            merged_inputs = nest.map_structure(self._merge, inputs)
            cell_state = nest.map_structure(self._maybe_merge_batch_beams, state.cell_state)
            cell_outputs, next_cell_state = self._cell(merged_inputs, cell_state)
            cell_outputs = nest.map_structure(self._split, cell_outputs)
            next_cell_state = nest.map_structure(self._maybe_split_batch_beams, next_cell_state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            output, next_state = self._search_step(time, cell_outputs, next_cell_state, state)
            finished = next_state.finished
            next_inputs = M.where(M.reduce_all(finished), self._start_inputs,
                                  self._embedding_fn(output.predicted_ids))
        return output, next_state, next_inputs, finished

    def _search_step(self, time, logits, next_cell_state, beam_state):
        batch, width, end_token = self._batch_size, self._beam_width, self._end_token
        previously_finished = beam_state.finished
        not_finished = M.logical_not(previously_finished)
        vocab = logits.shape.as_list()[-1]
        if vocab is None:
            raise ValueError(f"BeamSearchDecoder: the vocabulary size (last dim of the logits {logits.name}) must be "
                             f"known")
        step_log_probs = _mask_probs(nn.log_softmax(logits), end_token, previously_finished)
        total_probs = A.expand_dims(beam_state.log_probs, 2) + step_log_probs
        lengths_to_add = A.one_hot(end_token + A.zeros_like(beam_state.lengths, dtype="int32"), vocab,
                                   on_value=np.int64(0), off_value=np.int64(1), dtype="int64")
        lengths_to_add = lengths_to_add * A.expand_dims(M.cast(not_finished, "int64"), 2)
        new_lengths = lengths_to_add + A.expand_dims(beam_state.lengths, 2)
        accumulated = None
        probs = _attention_probs(next_cell_state, self._coverage_penalty_weight)
        if probs is not None:
            accumulated = beam_state.accumulated_attention_probs + probs * A.expand_dims(
                M.cast(not_finished, probs.dtype), 2)
        scores = total_probs / _length_penalty(new_lengths, self._length_penalty_weight)
        if accumulated is not None:
            coverage = M.where(M.equal(accumulated, 0.0), A.ones_like(accumulated), accumulated)
            penalty = M.reduce_sum(M.log(M.minimum(coverage, 1.0)), 2) * M.cast(previously_finished, scores.dtype)
            scores = scores + A.expand_dims(penalty * self._coverage_penalty_weight, 2)
        scores_flat = A.reshape(scores, [-1, width * vocab])
        next_scores, word_indices = nn.top_k(scores_flat, k=width)
        next_probs = _gather_beams(word_indices, A.reshape(total_probs, [-1, width * vocab, 1]), batch,
                                   width * vocab, name="next_beam_probs")
        next_probs = A.squeeze(next_probs, [2])
        next_word_ids = M.cast(M.floormod(word_indices, vocab), "int32")
        next_beam_ids = M.cast(M.floordiv(word_indices, vocab), "int32")

        def follow(source, name=None):
            return _gather_beams(next_beam_ids, source, batch, width, name=name)
        previously_finished = A.squeeze(follow(A.expand_dims(previously_finished, 2)), [2])
        next_finished = M.logical_or(previously_finished, M.equal(next_word_ids, end_token))
        next_lengths = A.squeeze(follow(A.expand_dims(beam_state.lengths, 2)), [2]) + M.cast(
            M.logical_not(previously_finished), "int64")
        next_accumulated = () if accumulated is None else follow(accumulated, "next_accumulated_attention_probs")

        def follow_state(t):
            if _is_array(t) or t.shape.ndims is None or t.shape.ndims < 2:
                return t
            if t.shape.ndims == 2:
                return A.squeeze(follow(A.expand_dims(t, 2)), [2])
            return follow(t)
        next_cell_state = nest.map_structure(follow_state, next_cell_state)
        next_state = BeamSearchDecoderState(cell_state=next_cell_state, log_probs=next_probs, lengths=next_lengths,
                                            finished=next_finished, accumulated_attention_probs=next_accumulated)
        return BeamSearchDecoderOutput(scores=next_scores, predicted_ids=next_word_ids,
                                       parent_ids=next_beam_ids), next_state


def _sizes_like(state, sizes):
    """The cell's state sizes in the structure of state (None where the structures differ)."""
    try:
        nest.assert_same_structure(state, sizes, "")
        return sizes
    except ValueError:
        return nest.map_structure(lambda _: None, state)


def _gather_tree_from_array(t: Tensor, parent_ids: Tensor, lengths: Tensor, width: int) -> Tensor:
    """t [max_time, batch * beam, ...] reordered along the beams gather_tree follows back; steps past a beam's
    length keep their own beam."""
    from ...tensor_ops import sequence_mask
    steps, batch = A.shape(parent_ids)[0], A.shape(parent_ids)[1]
    beam_ids = A.zeros_like(parent_ids) + A.range(width)
    lengths = M.cast(lengths, "int32")
    sorted_ids = gather_tree(beam_ids, parent_ids, M.reduce_max(lengths, axis=1), width + 1)
    in_bound = A.transpose(sequence_mask(lengths, maxlen=steps), [2, 0, 1])
    sorted_ids = M.where(in_bound, sorted_ids, beam_ids)
    rows = A.reshape(sorted_ids + A.expand_dims(A.expand_dims(A.range(batch) * width, 0), 2), [-1])
    rows = rows + A.reshape(A.zeros_like(sorted_ids) + A.reshape(A.range(steps) * batch * width, [-1, 1, 1]), [-1])
    rest = t.shape.as_list()[2:]
    flat = A.reshape(t, [-1] + rest) if None not in rest else A.reshape(t, A.concat([[-1], A.shape(t)[2:]], 0))
    out = A.reshape(A.gather(flat, rows), A.shape(t))
    out.set_shape(t.shape)
    return out
