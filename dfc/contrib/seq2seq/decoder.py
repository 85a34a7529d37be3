"""tf.contrib.seq2seq's Decoder, BasicDecoder and dynamic_decode: a decoding loop whose length the data decide.

dynamic_decode runs as TF1's does: a tf.while_loop that steps the decoder until every row has finished
(or maximum_iterations), writing each step's outputs. dfc compiles static shapes, so the number of steps,
which sizes the outputs, is computed first: from the helper when it knows it without running the cell
(TrainingHelper: the longest sequence_length), else by a loop that runs the decoder and only counts. That
count depends on values; the Session computes it before each run (a run of its own) and compiles the
step for it, so the decoding loop then writes into buffers of that many rows.
"""

from __future__ import annotations

import collections

import numpy as np

from ... import array_ops as A
from ... import math_ops as M
from ...control_flow_ops import _stack_write, while_loop
from ...framework import Tensor, TensorShape, convert_to_tensor, name_scope
from ...tensor_array_ops import TensorArray
from ...variables import variable_scope
from . import _nest as nest
from .helper import Helper, select_rows, transpose_batch_time

__all__ = ["BasicDecoder", "BasicDecoderOutput", "Decoder", "dynamic_decode"]


class Decoder:
    """The interface dynamic_decode drives: initialize, step and (optionally) finalize (TF1's abstract Decoder)."""

    @property
    def batch_size(self):
        raise NotImplementedError

    @property
    def output_size(self):
        raise NotImplementedError

    @property
    def output_dtype(self):
        raise NotImplementedError

    @property
    def tracks_own_finished(self) -> bool:
        return False

    def initialize(self, name=None):
        raise NotImplementedError

    def step(self, time, inputs, state, name=None):
        raise NotImplementedError

    def finalize(self, outputs, final_state, sequence_lengths):
        raise NotImplementedError

    def _decode_length(self):
        return None


class BasicDecoderOutput(collections.namedtuple("BasicDecoderOutput", ("rnn_output", "sample_id"))):
    """A BasicDecoder's outputs: the cell's (through output_layer) and the helper's sampled ids."""

    __slots__ = ()


def _is_layer(x) -> bool:
    from ...layers.base import Layer
    return isinstance(x, Layer)


def _layer_output_size(layer, size):
    units = getattr(layer, "units", None)
    if units is not None:
        return TensorShape([units])
    shape = layer.compute_output_shape(TensorShape([None]).concatenate(TensorShape(size)))
    return TensorShape(TensorShape(shape).as_list()[1:])


def _rnn_output_size(cell, output_layer):
    """The size of a decoder's outputs: the cell's, or what output_layer makes of them."""
    size = cell.output_size
    if output_layer is None:
        return size
    return nest.map_structure(lambda s: _layer_output_size(output_layer, s), size)


class BasicDecoder(Decoder):
    """One cell step per decoding step; the cell's output (through output_layer) is sampled by the helper."""

    def __init__(self, cell, helper: Helper, initial_state, output_layer=None):
        if not callable(cell) or not hasattr(cell, "state_size") or not hasattr(cell, "output_size"):
            raise TypeError(f"The argument 'cell' ({cell!r}) is not an RNNCell: 'output_size' property is missing, "
                            f"'state_size' property is missing, or it is not callable.")
        if not isinstance(helper, Helper):
            raise TypeError(f"helper must be a Helper, received: {type(helper)}")
        if output_layer is not None and not _is_layer(output_layer):
            raise TypeError(f"output_layer must be a Layer, received: {type(output_layer)}")
        self._cell, self._helper, self._initial_state, self._output_layer = cell, helper, initial_state, output_layer

    @property
    def batch_size(self):
        return self._helper.batch_size

    def _rnn_output_size(self):
        return _rnn_output_size(self._cell, self._output_layer)

    @property
    def output_size(self):
        return BasicDecoderOutput(rnn_output=self._rnn_output_size(), sample_id=self._helper.sample_ids_shape)

    @property
    def output_dtype(self):
        dtype = nest.flatten(self._initial_state)[0].dtype
        return BasicDecoderOutput(nest.map_structure(lambda _: dtype, self._rnn_output_size()),
                                  self._helper.sample_ids_dtype)

    def initialize(self, name=None):
        return tuple(self._helper.initialize()) + (self._initial_state,)

    def step(self, time, inputs, state, name=None):
        with name_scope(name, "BasicDecoderStep", (time, inputs)):
            cell_outputs, cell_state = self._cell(inputs, state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            sample_ids = self._helper.sample(time=time, outputs=cell_outputs, state=cell_state)
            finished, next_inputs, next_state = self._helper.next_inputs(time=time, outputs=cell_outputs,
                                                                         state=cell_state, sample_ids=sample_ids)
        return BasicDecoderOutput(cell_outputs, sample_ids), next_state, next_inputs, finished

    def _decode_length(self):
        return self._helper._decode_length()


# ---- dynamic_decode ---------------------------------------------------------------------------------------
def _dims(size) -> list:
    if isinstance(size, TensorShape):
        return size.as_list()
    if isinstance(size, (list, tuple)):
        return list(size)
    return [int(size)]


def _batch_dims(batch, size) -> list | Tensor:
    rest = _dims(size)
    if isinstance(batch, Tensor):
        return A.stack([batch] + [np.int32(d) for d in rest])
    return [batch] + rest


def _is_array(x) -> bool:
    return isinstance(x, (TensorArray, _NullArray))


class _NullArray:
    """A TensorArray that forgets what is written: the state of the counting loop, which keeps no outputs."""

    def write(self, index, value, name=None):
        return self


def _strip_arrays(state):
    """state's tensors, its TensorArrays out (the counting loop carries none), and how to put them back."""
    flat = nest.flatten(state)
    keep = [not isinstance(x, TensorArray) for x in flat]

    def rebuild(tensors):
        it = iter(tensors)
        return nest.pack_sequence_as(state, [next(it) if k else _NullArray() for k in keep])
    return [x for x, k in zip(flat, keep) if k], rebuild


def _sized_arrays(state, steps):
    """state with each TensorArray made empty and growing (an alignment history) given `steps` elements: inside
    a loop dfc's arrays keep their size."""
    def resize(x):
        if isinstance(x, TensorArray) and x.dynamic_size and x._static_size() == 0:
            return TensorArray(x.dtype, size=steps, element_shape=x.element_shape,
                               clear_after_read=x._shared.clear_after_read)
        return x
    return nest.map_structure(resize, state)


def dynamic_decode(decoder: Decoder, output_time_major: bool = False, impute_finished: bool = False,
                   maximum_iterations=None, parallel_iterations: int = 32, swap_memory: bool = False, scope=None):
    """(final_outputs, final_state, final_sequence_lengths) of stepping `decoder` until every row has finished or
    maximum_iterations steps. Outputs are [batch, steps, ...] ([steps, batch, ...] if output_time_major); with
    impute_finished a finished row's outputs are zeros and its state is held."""
    from dfc.ir.dtypes import i32
    if not isinstance(decoder, Decoder):
        raise TypeError(f"Expected decoder to be type Decoder, but saw: {type(decoder)}")
    with variable_scope(scope, default_name="decoder") as varscope:
        if maximum_iterations is not None:
            maximum_iterations = convert_to_tensor(maximum_iterations, dtype=i32, name="maximum_iterations")
            if maximum_iterations.shape.ndims != 0:
                raise ValueError(f"maximum_iterations must be a scalar, got {maximum_iterations.name} of shape "
                                 f"{maximum_iterations.shape}")
        initial_finished, initial_inputs, initial_state = decoder.initialize()
        initial_finished = convert_to_tensor(initial_finished)
        if maximum_iterations is not None:
            initial_finished = M.logical_or(initial_finished, M.greater_equal(0, maximum_iterations))
        batch = decoder.batch_size
        zero_outputs = nest.map_structure(lambda size, dtype: A.zeros(_batch_dims(batch, size), dtype=dtype),
                                          decoder.output_size, decoder.output_dtype)
        initial_lengths = A.zeros_like(initial_finished, dtype=i32)
        zero_time = convert_to_tensor(np.int32(0))

        def advance(time, state, inputs, finished, lengths):
            """One decoding step: its outputs to emit and the next loop values (TF1's body, less the writes)."""
            outputs, decoder_state, next_inputs, decoder_finished = decoder.step(time, inputs, state)
            next_finished = decoder_finished if decoder.tracks_own_finished else \
                M.logical_or(decoder_finished, finished)
            next_lengths = M.where(finished, lengths, time + 1 + A.zeros_like(lengths))
            nest.assert_same_structure(state, decoder_state, "dynamic_decode: the decoder's state")
            nest.assert_same_structure(inputs, next_inputs, "dynamic_decode: the decoder's next inputs")
            if maximum_iterations is not None:
                next_finished = M.logical_or(next_finished, M.greater_equal(time + 1, maximum_iterations))
            if impute_finished:
                outputs = nest.map_structure(lambda out, zero: select_rows(finished, zero, out), outputs,
                                             zero_outputs)

                def hold(new, cur):
                    if _is_array(cur) or convert_to_tensor(new).shape.ndims == 0:
                        return new
                    return select_rows(finished, cur, new)
                decoder_state = nest.map_structure(hold, decoder_state, state)
            return outputs, decoder_state, next_inputs, next_finished, next_lengths

        steps = decoder._decode_length()
        if steps is not None and maximum_iterations is not None:
            steps = M.minimum(steps, maximum_iterations)
        if steps is None:
            steps = _count_steps(advance, initial_state, initial_inputs, initial_finished, initial_lengths,
                                 maximum_iterations)
            if _draws_or_writes(steps):
                steps = None  # a count ahead of the step would see other draws: the outputs grow instead
        loop_vars = (zero_time, None, initial_state, initial_inputs, initial_finished, initial_lengths)
        if steps is None:
            # rows appended each step: the loop's outputs change shape, and the step runs on the interpreter
            buffers = nest.map_structure(_no_rows, zero_outputs)
            invariants = (TensorShape([]), nest.map_structure(lambda z: TensorShape([None] + z.shape.as_list()),
                                                             zero_outputs),
                          *[nest.map_structure(lambda _: None, v) for v in loop_vars[2:]])

            def write(acc, time, out):
                return A.concat([acc, A.expand_dims(out, 0)], 0)

            def go_on(time, accs, state, inputs, finished, lengths):
                return M.logical_not(M.reduce_all(finished))
        else:
            steps = M.maximum(convert_to_tensor(steps), 0)
            buffers = nest.map_structure(
                lambda z: A.zeros(A.concat([A.reshape(steps, [1]), A.shape(z)], 0), z.dtype), zero_outputs)
            loop_vars = loop_vars[:2] + (_sized_arrays(initial_state, steps),) + loop_vars[3:]
            invariants, write = None, _stack_write

            def go_on(time, *_):
                return M.less(time, steps)

        def body(time, accs, state, inputs, finished, lengths):
            outputs, next_state, next_inputs, next_finished, next_lengths = advance(time, state, inputs, finished,
                                                                                 lengths)
            accs = nest.map_structure(lambda acc, out: write(acc, time, out), accs, outputs)
            return time + 1, accs, next_state, next_inputs, next_finished, next_lengths

        final = while_loop(go_on, body, (zero_time, buffers) + loop_vars[2:], shape_invariants=invariants,
                           parallel_iterations=parallel_iterations, swap_memory=swap_memory)
        final_outputs, final_state, final_lengths = final[1], final[2], final[5]
        final_outputs = nest.map_structure(
            lambda acc, size: _with_static_shape(acc, batch, size), final_outputs, decoder.output_size)
        try:
            final_outputs, final_state = decoder.finalize(final_outputs, final_state, final_lengths)
        except NotImplementedError:
            pass
        if not output_time_major:
            final_outputs = nest.map_structure(transpose_batch_time, final_outputs)
    del varscope
    return final_outputs, final_state, final_lengths


def _with_static_shape(acc: Tensor, batch, size) -> Tensor:
    known = [None, batch if isinstance(batch, int) else None] + _dims(size)
    if acc.shape.ndims == len(known):
        merged = [a if a is not None else b for a, b in zip(acc.shape.as_list(), known)]
        if merged != acc.shape.as_list():
            acc.set_shape(merged)
    return acc


def _no_rows(z: Tensor) -> Tensor:
    """zeros of [0, *z.shape]: the outputs before the first step."""
    if z.shape.is_fully_defined():
        return A.zeros([0] + z.shape.as_list(), z.dtype)
    empty = A.zeros(A.concat([[0], A.shape(z)], 0), z.dtype)
    empty.set_shape([0] + z.shape.as_list())
    return empty


def _draws_or_writes(count: Tensor) -> bool:
    """Whether the counting loop draws random numbers or changes state (a run of its own would differ)."""
    from dfc.ir.ops import get_op_def
    loop = count._dfc_ir().op
    return any(get_op_def(inner.type).stateful and inner.type not in ("dfc.variable", "dfc.assert",
                                                                     "dfc.check_numerics")
               for region in loop.regions for inner in region.walk())


def _count_steps(advance, state, inputs, finished, lengths, maximum_iterations) -> Tensor:
    """The number of steps dynamic_decode takes: the decoding loop run for its finished flags alone."""
    tensors, rebuild = _strip_arrays(state)
    n = len(tensors)

    def body(time, *rest):
        flat, loop_inputs, loop_finished, loop_lengths = list(rest[:n]), rest[n], rest[n + 1], rest[n + 2]
        _, new_state, next_inputs, next_finished, next_lengths = advance(
            time, rebuild(flat), loop_inputs, loop_finished, loop_lengths)
        new_flat = [x for x in nest.flatten(new_state) if not isinstance(x, _NullArray)]
        return (time + 1, *new_flat, next_inputs, next_finished, next_lengths)

    with name_scope("count_steps"):
        final = while_loop(lambda time, *rest: M.logical_not(M.reduce_all(rest[n + 1])), body,
                           [convert_to_tensor(np.int32(0)), *tensors, inputs, finished, lengths],
                           maximum_iterations=maximum_iterations, back_prop=False)
    return final[0]
