"""tf.contrib.seq2seq.AttentionWrapper: a cell whose inputs carry the previous attention and whose output is the
attention over a memory, computed from the cell's output by one or more attention mechanisms."""

from __future__ import annotations

import collections

from ... import array_ops as A
from ...framework import Tensor, TensorShape, control_dependencies, convert_to_tensor, name_scope
from ...rnn_cell import RNNCell
from ...tensor_array_ops import TensorArray
from ...variables import variable_scope
from . import _nest as nest
from .attention_mechanism import AttentionMechanism

__all__ = ["AttentionWrapper", "AttentionWrapperState"]


class AttentionWrapperState(collections.namedtuple("AttentionWrapperState", (
        "cell_state", "attention", "time", "alignments", "alignment_history", "attention_state"))):
    """An AttentionWrapper's state: the wrapped cell's state, the last attention, the step, the last alignments,
    their history (a TensorArray when alignment_history) and the mechanisms' states."""

    __slots__ = ()

    def clone(self, **kwargs) -> AttentionWrapperState:
        """This state with the given fields replaced (a tensor keeps the static shape of the one it replaces)."""
        def with_shape(old, new):
            if isinstance(old, Tensor) and isinstance(new, Tensor) and old.shape.ndims is not None \
                    and new.shape.ndims == old.shape.ndims:
                merged = [a if a is not None else b for a, b in zip(new.shape.as_list(), old.shape.as_list())]
                if merged != new.shape.as_list():
                    new.set_shape(merged)
            return new
        replaced = super()._replace(**kwargs)
        if "cell_state" in kwargs:
            replaced = replaced._replace(cell_state=nest.map_structure(with_shape, self.cell_state,
                                                                       replaced.cell_state))
        return replaced


def _compute_attention(attention_mechanism, cell_output, attention_state, attention_layer):
    """(attention, alignments, next attention state): the alignments' weighted sum of the memory (the context),
    through attention_layer on [cell_output, context] when there is one."""
    from ... import math_ops as M
    alignments, next_attention_state = attention_mechanism(cell_output, state=attention_state)
    context = A.squeeze(M.matmul(A.expand_dims(alignments, 1), attention_mechanism.values), [1])
    if attention_layer is not None:
        return attention_layer(A.concat([cell_output, context], 1)), alignments, next_attention_state
    return context, alignments, next_attention_state


def _zeros(batch_size, size, dtype) -> Tensor:
    return A.zeros([batch_size, size], dtype=dtype)


class AttentionWrapper(RNNCell):
    """An RNNCell with attention (TF 1.15's AttentionWrapper): inputs -> cell_input_fn(inputs, attention) ->
    cell -> each mechanism's alignments over its memory -> context -> attention (through 'attention_layer' when
    attention_layer_size or attention_layer is given). Outputs the attention (output_attention) or the cell's."""

    base_name = "attention_wrapper"

    def __init__(self, cell, attention_mechanism, attention_layer_size=None, alignment_history: bool = False,
                 cell_input_fn=None, output_attention: bool = True, initial_cell_state=None, name: str | None = None,
                 attention_layer=None, attention_fn=None):
        if not callable(cell) or not hasattr(cell, "state_size"):
            raise TypeError(f"The argument 'cell' ({cell!r}) is not an RNNCell")
        if isinstance(attention_mechanism, (list, tuple)):
            self._is_multi = True
            mechanisms = list(attention_mechanism)
            for m in mechanisms:
                if not isinstance(m, AttentionMechanism):
                    raise TypeError(f"attention_mechanism must contain only instances of AttentionMechanism, saw "
                                    f"type: {type(m).__name__}")
        else:
            self._is_multi = False
            if not isinstance(attention_mechanism, AttentionMechanism):
                raise TypeError(f"attention_mechanism must be an AttentionMechanism or list of multiple "
                                f"AttentionMechanism instances, saw type: {type(attention_mechanism).__name__}")
            mechanisms = [attention_mechanism]
        if cell_input_fn is None:
            def cell_input_fn(inputs, attention):
                return A.concat([inputs, attention], -1)
        elif not callable(cell_input_fn):
            raise TypeError(f"cell_input_fn must be callable, saw type: {type(cell_input_fn).__name__}")
        if attention_layer_size is not None and attention_layer is not None:
            raise ValueError("Only one of attention_layer_size and attention_layer should be set")
        from ...layers.core import Dense
        self._own_attention_layers = attention_layer_size is not None
        if attention_layer_size is not None:
            sizes = tuple(attention_layer_size if isinstance(attention_layer_size, (list, tuple))
                          else (attention_layer_size,))
            if len(sizes) != len(mechanisms):
                raise ValueError(f"If provided, attention_layer_size must contain exactly one integer per "
                                 f"attention_mechanism, saw: {len(sizes)} vs {len(mechanisms)}")
            self._attention_layers = tuple(Dense(size, name="attention_layer", use_bias=False, dtype=m.dtype)
                                           for size, m in zip(sizes, mechanisms))
            self._attention_layer_size = sum(int(s) for s in sizes)
        elif attention_layer is not None:
            layers = tuple(attention_layer if isinstance(attention_layer, (list, tuple)) else (attention_layer,))
            if len(layers) != len(mechanisms):
                raise ValueError(f"If provided, attention_layer must contain exactly one layer per "
                                 f"attention_mechanism, saw: {len(layers)} vs {len(mechanisms)}")
            self._attention_layers = layers
            self._attention_layer_size = sum(int(layer.units) for layer in layers)
        else:
            self._attention_layers = None
            depths = [m.values.shape.as_list()[-1] for m in mechanisms]
            if None in depths:
                raise ValueError("AttentionWrapper: the memory's last dim must be known to size the attention")
            self._attention_layer_size = sum(depths)
        if attention_fn is None:
            attention_fn = _compute_attention
        self._cell, self._attention_mechanisms = cell, tuple(mechanisms)
        self._cell_input_fn, self._output_attention, self._alignment_history = cell_input_fn, output_attention, \
            alignment_history
        self._attention_fn = attention_fn
        self._name, self._scope_name, self._reuse, self._variables = name, None, None, None
        self._vscope = None
        self._base = name or self.base_name
        with name_scope(name, "AttentionWrapperInit"):
            if initial_cell_state is None:
                self._initial_cell_state = None
            else:
                final = convert_to_tensor(nest.flatten(initial_cell_state)[-1])
                known = final.shape.as_list()[0] if final.shape.ndims else None
                message = (f"When constructing AttentionWrapper {self._base}: Non-matching batch sizes between the "
                           f"memory (encoder output) and initial_cell_state.  Are you using the BeamSearchDecoder?  "
                           f"You may need to tile your initial state via the tf.contrib.seq2seq.tile_batch function "
                           f"with argument multiple=beam_width.")
                with control_dependencies(self._batch_size_checks(known if known is not None else
                                                                  A.shape(final)[0], message)):
                    self._initial_cell_state = nest.map_structure(
                        lambda s: A.identity(s, name="check_initial_cell_state"), initial_cell_state)

    def _batch_size_checks(self, batch_size, message: str) -> list:
        from ...debugging import assert_equal
        checks = []
        for m in self._attention_mechanisms:
            if isinstance(batch_size, int) and isinstance(m.batch_size, int):
                if batch_size != m.batch_size:
                    raise ValueError(f"{message} (batch size {batch_size} vs. the memory's {m.batch_size})")
                continue
            checks.append(assert_equal(batch_size, m.batch_size, message=message))
        return [c for c in checks if c is not None]

    def _item_or_tuple(self, seq):
        t = tuple(seq)
        return t if self._is_multi else t[0]

    @property
    def output_size(self):
        return self._attention_layer_size if self._output_attention else self._cell.output_size

    @property
    def state_size(self):
        return AttentionWrapperState(
            cell_state=self._cell.state_size, time=TensorShape([]), attention=self._attention_layer_size,
            alignments=self._item_or_tuple(m.alignments_size for m in self._attention_mechanisms),
            attention_state=self._item_or_tuple(m.state_size for m in self._attention_mechanisms),
            alignment_history=self._item_or_tuple(m.alignments_size if self._alignment_history else ()
                                                  for m in self._attention_mechanisms))

    @property
    def variables(self) -> list:
        from ...variables import global_variables
        prefix = (self._vscope.name + "/") if self._vscope is not None else None
        return [v for v in global_variables() if prefix and v.name.startswith(prefix)]

    def zero_state(self, batch_size, dtype) -> AttentionWrapperState:
        """The initial state: the wrapped cell's (initial_cell_state when given), zero attention, time 0, the
        mechanisms' initial alignments, and an empty alignment history."""
        with name_scope(f"{type(self).__name__}ZeroState"):
            cell_state = self._initial_cell_state if self._initial_cell_state is not None else \
                self._cell.zero_state(batch_size, dtype)
            message = (f"When calling zero_state of AttentionWrapper {self._base}: Non-matching batch sizes between "
                       f"the memory (encoder output) and the requested batch size.  Are you using the "
                       f"BeamSearchDecoder?  If so, make sure your encoder output has been tiled to beam_width via "
                       f"tf.contrib.seq2seq.tile_batch, and the batch_size= argument passed to zero_state is "
                       f"batch_size * beam_width.")
            with control_dependencies(self._batch_size_checks(batch_size, message)):
                cell_state = nest.map_structure(lambda s: A.identity(s, name="checked_cell_state"), cell_state)
            alignments = [m.initial_alignments(batch_size, dtype) for m in self._attention_mechanisms]
            return AttentionWrapperState(
                cell_state=cell_state, time=A.zeros([], dtype="int32"),
                attention=_zeros(batch_size, self._attention_layer_size, dtype),
                alignments=self._item_or_tuple(alignments),
                attention_state=self._item_or_tuple(m.initial_state(batch_size, dtype)
                                                    for m in self._attention_mechanisms),
                alignment_history=self._item_or_tuple(
                    TensorArray(dtype, size=0, dynamic_size=True, element_shape=a.shape) if self._alignment_history
                    else () for a in alignments))

    def __call__(self, inputs, state, scope=None):
        if self._vscope is None:
            from ...layers.base import unique_layer_name
            name = scope if isinstance(scope, str) else (self._name or unique_layer_name(self.base_name))
            with variable_scope(name) as vs:
                self._vscope = vs
                if self._own_attention_layers:  # TF1 numbers same-named layers built in one scope
                    for layer in self._attention_layers:
                        layer._given_name = unique_layer_name("attention_layer")
                return self.call(inputs, state)
        with variable_scope(self._vscope, reuse=True):
            return self.call(inputs, state)

    def call(self, inputs, state):
        if not isinstance(state, AttentionWrapperState):
            raise TypeError(f"Expected state to be instance of AttentionWrapperState. Received type "
                            f"{type(state).__name__} instead.")
        cell_inputs = self._cell_input_fn(inputs, state.attention)
        cell_output, next_cell_state = self._cell(cell_inputs, state.cell_state)
        known = cell_output.shape.as_list()[0]
        message = (f"When applying AttentionWrapper {self._base}: Non-matching batch sizes between the memory "
                   f"(encoder output) and the query (decoder output).  Are you using the BeamSearchDecoder?  You may "
                   f"need to tile your memory input via the tf.contrib.seq2seq.tile_batch function with argument "
                   f"multiple=beam_width.")
        with control_dependencies(self._batch_size_checks(known if known is not None else A.shape(cell_output)[0],
                                                          message)):
            cell_output = A.identity(cell_output, name="checked_cell_output")
        if self._is_multi:
            previous_states, previous_histories = state.attention_state, state.alignment_history
        else:
            previous_states, previous_histories = [state.attention_state], [state.alignment_history]
        alignments, attentions, attention_states, histories = [], [], [], []
        for i, mechanism in enumerate(self._attention_mechanisms):
            attention, alignment, next_state = self._attention_fn(
                mechanism, cell_output, previous_states[i],
                self._attention_layers[i] if self._attention_layers else None)
            history = previous_histories[i].write(state.time, alignment) if self._alignment_history else ()
            attention_states.append(next_state)
            alignments.append(alignment)
            attentions.append(attention)
            histories.append(history)
        attention = A.concat(attentions, 1)
        next_state = AttentionWrapperState(
            time=state.time + 1, cell_state=next_cell_state, attention=attention,
            attention_state=self._item_or_tuple(attention_states), alignments=self._item_or_tuple(alignments),
            alignment_history=self._item_or_tuple(histories))
        return (attention if self._output_attention else cell_output), next_state
