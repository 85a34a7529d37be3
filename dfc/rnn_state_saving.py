"""tf.nn.static_state_saving_rnn: static_rnn whose initial state comes from a state saver and whose final state is
saved back to it (TF1's truncated-BPTT helper over any object with state(name) and save_state(name, value))."""

from __future__ import annotations

from . import nest
from .array_ops import identity
from .framework import control_dependencies
from .rnn import static_rnn


def _is_structure(value) -> bool:
    return nest.is_nested(value)


def static_state_saving_rnn(cell, inputs, state_saver, state_name, sequence_length=None, scope=None):
    """(outputs, state) of static_rnn(cell, inputs) started from state_saver.state(name) (one name per part of a
    tuple state, in state_name's structure); the last output and the state are returned only once the final
    state was handed to state_saver.save_state."""
    state_size = cell.state_size
    if _is_structure(state_size) != _is_structure(state_name):
        raise ValueError(f"state_name should be the same type as cell.state_size.  state_name: {state_name!s}, "
                         f"cell.state_size: {state_size!s}")
    if _is_structure(state_size):
        names, sizes = nest.flatten(state_name), nest.flatten(state_size)
        if len(names) != len(sizes):
            raise ValueError(f"#elems(state_name) != #elems(state_size): {len(names)} vs. {len(sizes)}")
        initial_state = nest.pack_sequence_as(state_size, [state_saver.state(n) for n in names])
    else:
        initial_state = state_saver.state(state_name)
    outputs, state = static_rnn(cell, inputs, initial_state=initial_state, sequence_length=sequence_length,
                                scope=scope)
    if _is_structure(state_size):
        flat_state = nest.flatten(state)
        saves = [state_saver.save_state(n, s) for n, s in zip(nest.flatten(state_name), flat_state)]
    else:
        saves = [state_saver.save_state(state_name, state)]
    with control_dependencies(saves):
        last = outputs[-1]
        outputs[-1] = nest.pack_sequence_as(last, [identity(o) for o in nest.flatten(last)])
        if _is_structure(state_size):
            state = nest.pack_sequence_as(state, [identity(s) for s in nest.flatten(state)])
        else:
            state = identity(state)
    return outputs, state


__all__ = ["static_state_saving_rnn"]
