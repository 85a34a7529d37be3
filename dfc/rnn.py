"""tf.nn.static_rnn and tf.nn.dynamic_rnn, unrolled over a known number of steps (no control flow)."""

from __future__ import annotations

from typing import Any

from .array_ops import shape, stack, transpose, unstack
from .framework import Tensor, convert_to_tensor
from .math_ops import cast, less
from .variables import variable_scope

__all__ = ["dynamic_rnn", "static_rnn"]


def _map_state(fn, *states):
    head = states[0]
    if isinstance(head, tuple):
        mapped = [_map_state(fn, *parts) for parts in zip(*states)]
        return type(head)(*mapped) if hasattr(head, "_fields") else tuple(mapped)
    return fn(*states)


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """(outputs, final state) of running `cell` over the list `inputs` of [batch, depth] tensors.

    With sequence_length, a row's outputs past its length are zeros and its state stops
    changing there, as in TF1.
    """
    inputs = [convert_to_tensor(x) for x in inputs]
    if not inputs:
        raise ValueError("static_rnn needs at least one input step")
    if initial_state is None:
        if dtype is None:
            raise ValueError("static_rnn: give initial_state or dtype")
        batch = inputs[0].shape.as_list()[0]
        state = cell.zero_state(batch if batch is not None else shape(inputs[0])[0], dtype)
    else:
        state = initial_state
    outputs: list[Tensor] = []
    with variable_scope(scope or "rnn"):
        lengths = convert_to_tensor(sequence_length) if sequence_length is not None else None
        for t, x in enumerate(inputs):
            out, new_state = cell(x, state)
            if lengths is not None:
                alive = cast(less(t, lengths), out.dtype)
                alive = alive[:, None]
                out = out * alive
                new_state = _map_state(lambda new, old, a=alive: new * a + old * (1 - a), new_state, state)
            outputs.append(out)
            state = new_state
    return outputs, state


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None, parallel_iterations=None,
                swap_memory: bool = False, time_major: bool = False, scope=None) -> tuple[Tensor, Any]:
    """tf.nn.dynamic_rnn over inputs [batch, time, depth] (or time-major): unrolled, so the time dim must be known."""
    x = convert_to_tensor(inputs)
    if x.shape.ndims != 3:
        raise ValueError(f"dynamic_rnn: inputs {x.name} must be rank 3, got shape {x.shape}")
    steps = x.shape.as_list()[0 if time_major else 1]
    if steps is None:
        raise ValueError(f"dynamic_rnn: the time dim of {x.name} must be known (dfc unrolls the loop), got shape "
                         f"{x.shape}")
    outputs, state = static_rnn(cell, unstack(x, steps, axis=0 if time_major else 1), initial_state, dtype,
                                sequence_length, scope)
    stacked = stack(outputs, axis=0)
    return (stacked if time_major else transpose(stacked, [1, 0, 2])), state
