"""tf.nn.static_rnn and tf.nn.dynamic_rnn: unrolled over a known number of steps, else a tf.while_loop."""

from __future__ import annotations

from typing import Any

import numpy as np

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
    """tf.nn.dynamic_rnn over inputs [batch, time, depth] (or time-major).

    A known time dim is unrolled (as static_rnn); an unknown one runs as a tf.while_loop over time.
    """
    x = convert_to_tensor(inputs)
    if x.shape.ndims != 3:
        raise ValueError(f"dynamic_rnn: inputs {x.name} must be rank 3, got shape {x.shape}")
    steps = x.shape.as_list()[0 if time_major else 1]
    if steps is None:
        return _rnn_loop(cell, x, sequence_length, initial_state, dtype, time_major, scope)
    outputs, state = static_rnn(cell, unstack(x, steps, axis=0 if time_major else 1), initial_state, dtype,
                                sequence_length, scope)
    stacked = stack(outputs, axis=0)
    return (stacked if time_major else transpose(stacked, [1, 0, 2])), state


def _rnn_loop(cell, x: Tensor, sequence_length, initial_state, dtype, time_major: bool, scope):
    """dynamic_rnn over a time dim known only when the step runs: one tf.while_loop iteration per step."""
    from .array_ops import gather, stack, zeros
    from .control_flow_ops import _flatten, _pack, _stack_write, while_loop
    xt = x if time_major else transpose(x, [1, 0, 2])
    steps, batch = shape(xt)[0], shape(xt)[1]
    known_batch = xt.shape.as_list()[1]
    if initial_state is None:
        if dtype is None:
            raise ValueError("dynamic_rnn: give initial_state or dtype")
        state = cell.zero_state(known_batch if known_batch is not None else batch, dtype)
    else:
        state = initial_state
    out_dtype = _flatten(state)[0].dtype
    outputs = zeros(stack([steps, batch, 1]), out_dtype) + zeros([cell.output_size], out_dtype)  # [?, ?, units]
    lengths = convert_to_tensor(sequence_length) if sequence_length is not None else None
    with variable_scope(scope or "rnn"):
        def body(t, out_acc, *flat_state):
            old = _pack(state, list(flat_state))
            out, new_state = cell(gather(xt, t), old)
            if lengths is not None:
                alive = cast(less(t, lengths), out.dtype)[:, None]
                out = out * alive
                new_state = _map_state(lambda new, prev, a=alive: new * a + prev * (1 - a), new_state, old)
            return (t + 1, _stack_write(out_acc, t, out)) + tuple(_flatten(new_state))
        final = while_loop(lambda t, *_: less(t, steps), body,
                           [convert_to_tensor(np.int32(0)), outputs] + _flatten(state), name="while")
    stacked, final_state = final[1], _pack(state, list(final[2:]))
    return (stacked if time_major else transpose(stacked, [1, 0, 2])), final_state
