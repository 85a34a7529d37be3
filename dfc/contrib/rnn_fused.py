"""tf.contrib.rnn's fused-RNN interface (a whole time-major sequence per call): FusedRNNCell, the adaptor of an
ordinary cell, the time-reversing wrapper, and the small helpers contrib.rnn exports beside them."""

from __future__ import annotations

from .. import array_ops as A
from ..framework import Tensor, convert_to_tensor
from ..rnn_cell import RNNCell, _Wrapper

__all__ = ["CompiledWrapper", "FusedRNNCell", "FusedRNNCellAdaptor", "LSTMBlockWrapper", "LayerRNNCell",
           "TimeReversedFusedRNN", "best_effort_input_batch_size", "transpose_batch_time"]

LayerRNNCell = RNNCell  # TF1's base of the cells that build their variables as a layer: dfc's cells all do


class FusedRNNCell:
    """A cell run over a whole sequence at once: `outputs, state = cell(inputs [time, batch, depth] or a list of
    [batch, depth], initial_state=None, dtype=None, sequence_length=None, scope=None)`."""

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        raise NotImplementedError(f"{type(self).__name__} must define __call__ (FusedRNNCell is abstract)")


class FusedRNNCellAdaptor(FusedRNNCell):
    """An RNNCell as a FusedRNNCell: static_rnn over the time steps, or dynamic_rnn (time-major) with
    use_dynamic_rnn; a list of steps in gives a list of outputs, a tensor a tensor."""

    def __init__(self, cell: RNNCell, use_dynamic_rnn: bool = False):
        if not isinstance(cell, RNNCell):
            raise TypeError(f"FusedRNNCellAdaptor: the cell must be an RNNCell, got {cell!r}")
        self._cell, self._use_dynamic_rnn = cell, use_dynamic_rnn

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        from ..rnn import dynamic_rnn, static_rnn
        is_list = isinstance(inputs, list)
        if self._use_dynamic_rnn:
            outputs, state = dynamic_rnn(self._cell, A.stack(inputs) if is_list else inputs,
                                         sequence_length=sequence_length, initial_state=initial_state, dtype=dtype,
                                         time_major=True, scope=scope)
            return (A.unstack(outputs) if is_list else outputs), state
        steps = inputs if is_list else A.unstack(convert_to_tensor(inputs))
        outputs, state = static_rnn(self._cell, steps, initial_state=initial_state, dtype=dtype,
                                    sequence_length=sequence_length, scope=scope)
        return (outputs if is_list else A.stack(outputs)), state


class TimeReversedFusedRNN(FusedRNNCell):
    """A FusedRNNCell run backward in time: each row's first sequence_length steps reversed going in, the outputs
    reversed back (a list of steps is simply reversed)."""

    def __init__(self, cell):
        if not callable(cell):
            raise TypeError(f"TimeReversedFusedRNN: the cell must be a FusedRNNCell, got {cell!r}")
        self._cell = cell

    @staticmethod
    def _reverse(t, lengths):
        from ..rnn import _reverse_sequence
        if isinstance(t, list):
            return list(reversed(t))
        return _reverse_sequence(convert_to_tensor(t), None if lengths is None else convert_to_tensor(lengths), 0, 1)

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        outputs, state = self._cell(self._reverse(inputs, sequence_length), initial_state=initial_state, dtype=dtype,
                                    sequence_length=sequence_length, scope=scope)
        return self._reverse(outputs, sequence_length), state


class LSTMBlockWrapper(FusedRNNCell):
    """TF1's base of fused LSTMs: a subclass gives `num_units` and `_call_cell(inputs, initial_cell_state,
    initial_output, dtype, sequence_length)` -> (cell states, outputs), each [time, batch, num_units]; this masks
    the outputs past each row's length and picks the final LSTMStateTuple at it (the initial one for length 0)."""

    @property
    def num_units(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define num_units")

    def _call_cell(self, inputs, initial_cell_state, initial_output, dtype, sequence_length):
        raise NotImplementedError(f"{type(self).__name__} must define _call_cell")

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        import re

        from ..rnn_cell import LSTMStateTuple, _unique_layer_name
        from ..variables import variable_scope
        is_list = isinstance(inputs, list)
        inputs = A.stack(inputs) if is_list else convert_to_tensor(inputs)
        if inputs.shape.ndims != 3:
            raise ValueError(f"{type(self).__name__}: inputs {inputs.name} must be [time, batch, depth], got shape "
                             f"{inputs.shape}")
        if inputs.shape.as_list()[2] is None:
            raise ValueError(f"Expecting inputs_shape[2] to be set: {inputs.shape}")
        time_len, batch = (d if d is not None else A.shape(inputs)[k]
                           for k, d in enumerate(inputs.shape.as_list()[:2]))
        if initial_state is None:
            if dtype is None:
                raise ValueError("Either initial_state or dtype needs to be specified")
            z = A.zeros(A.stack([batch, self.num_units]), dtype=dtype)
            initial_state = (z, z)
        elif len(initial_state) != 2:
            raise ValueError("Expecting initial_state to be a tuple with length 2 or None")
        dtype = dtype or convert_to_tensor(initial_state[0]).dtype
        c0, h0 = (convert_to_tensor(s) for s in initial_state)
        lengths = None if sequence_length is None else convert_to_tensor(sequence_length)
        snake = re.sub(r"([a-z])([A-Z])", r"\1_\2", re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2",
                                                            type(self).__name__)).lower()
        with variable_scope(scope or _unique_layer_name(snake)):
            cell_states, outputs = self._call_cell(inputs, c0, h0, dtype, lengths)
        if lengths is None:
            final_c, final_h = cell_states[-1], outputs[-1]
        else:
            from ..gather_scatter_ops import gather_nd
            from ..tensor_ops import sequence_mask
            mask = A.transpose(sequence_mask(lengths, time_len, dtype=dtype), [1, 0])
            outputs = outputs * A.expand_dims(mask, -1)
            pick = A.stack([lengths, A.range(batch) if not isinstance(batch, int) else list(range(batch))], axis=1)
            final_c = gather_nd(A.concat([A.expand_dims(c0, 0), cell_states], 0), pick)
            final_h = gather_nd(A.concat([A.expand_dims(h0, 0), outputs], 0), pick)
        return (A.unstack(outputs) if is_list else outputs), LSTMStateTuple(final_c, final_h)


class CompiledWrapper(_Wrapper):
    """TF1's wrapper that put a cell's step in an XLA JIT scope: dfc compiles every step already, so it runs the
    cell as it is."""

    def __init__(self, cell: RNNCell, compile_stateful: bool = False):
        super().__init__(cell)
        self._compile_stateful = compile_stateful

    def __call__(self, inputs, state, scope=None):
        return self._cell(inputs, state, scope=scope)


def best_effort_input_batch_size(flat_input) -> int | Tensor:
    """The batch size of time-major inputs: the first known dim 1 among them, else shape(flat_input[0])[1]."""
    flat_input = [convert_to_tensor(x) for x in flat_input]
    for x in flat_input:
        if x.shape.ndims is None:
            continue
        if x.shape.ndims < 2:
            raise ValueError(f"Expected input tensor {x.name} to have rank at least 2")
        batch = x.shape.as_list()[1]
        if batch is not None:
            return batch
    return A.shape(flat_input[0])[1]


def transpose_batch_time(x) -> Tensor:
    """x with its first two dims (batch and time) swapped; a tensor of rank under 2 as it is."""
    x = convert_to_tensor(x)
    rank = x.shape.ndims
    if rank is not None and rank < 2:
        return x
    if rank is None:
        return A.transpose(x, A.concat([[1, 0], A.range(2, A.rank(x))], 0))
    return A.transpose(x, [1, 0] + list(range(2, rank)))
