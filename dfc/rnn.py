"""tf.nn.static_rnn, dynamic_rnn and raw_rnn: unrolled over a known number of steps, else a tf.while_loop."""

from __future__ import annotations

from typing import Any

import numpy as np

from .array_ops import expand_dims, shape, stack, transpose, unstack, zeros_like
from .framework import Tensor, convert_to_tensor
from .math_ops import cast, less, where
from .variables import variable_scope

__all__ = ["dynamic_rnn", "static_rnn"]


def _map_state(fn, *states):
    head = states[0]
    if isinstance(head, (tuple, list)):  # a list: a Keras cell's states ([h, c])
        mapped = [_map_state(fn, *parts) for parts in zip(*states)]
        return type(head)(*mapped) if hasattr(head, "_fields") else type(head)(mapped)
    return fn(*states)


def _zero_state(cell, batch_size, dtype) -> Any:
    """The cell's initial state as TF1's RNNs ask for it: get_initial_state where the cell has one (Keras cells
    and tf.nn.rnn_cell's), else zero_state."""
    getter = getattr(cell, "get_initial_state", None)
    if getter is not None:
        return getter(inputs=None, batch_size=batch_size, dtype=dtype)
    return cell.zero_state(batch_size, dtype)


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None,
               scope=None) -> tuple[list[Tensor], Any]:
    """(outputs, final state) of running `cell` over the list `inputs` of [batch, depth] tensors.

    With sequence_length, a row's outputs past its length are zeros and its state stops
    changing there, as in TF1.
    """
    inputs = [_map_state(convert_to_tensor, x) if isinstance(x, tuple) else convert_to_tensor(x) for x in inputs]
    if not inputs:
        raise ValueError("static_rnn needs at least one input step")
    if initial_state is None:
        if dtype is None:
            raise ValueError("static_rnn: give initial_state or dtype")
        first = _first(inputs[0])
        batch = first.shape.as_list()[0]
        state = _zero_state(cell, batch if batch is not None else shape(first)[0], dtype)
    else:
        state = initial_state
    outputs: list[Tensor] = []
    with variable_scope(scope or "rnn") as varscope:
        lengths = convert_to_tensor(sequence_length) if sequence_length is not None else None
        for t, x in enumerate(inputs):
            if t > 0:  # as TF1's: a cell that calls tf.get_variable itself (tflearn's) shares step 0's variables
                varscope.reuse_variables()
            out, new_state = cell(x, state)
            if lengths is not None:  # past a row's length: zeros out, the state held (a select, as TF: exact 0s)
                alive = less(t, lengths)
                out = _keep_rows(alive, out, zeros_like(out))
                new_state = _map_state(lambda new, old, a=alive: _keep_rows(a, new, old), new_state, state)
            outputs.append(out)
            state = new_state
    return outputs, state


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None, parallel_iterations=None,
                swap_memory: bool = False, time_major: bool = False, scope=None) -> tuple[Tensor, Any]:
    """tf.nn.dynamic_rnn over inputs [batch, time, depth] (or time-major).

    A known time dim is unrolled (as static_rnn); an unknown one runs as a tf.while_loop over time.
    """
    if isinstance(inputs, tuple):  # nested inputs (PhasedLSTMCell's (times, features)): each [batch, time, ...]
        return _dynamic_rnn_nested(cell, inputs, sequence_length, initial_state, dtype, time_major, scope)
    x = convert_to_tensor(inputs)
    if x.shape.ndims is None or x.shape.ndims < 3:
        raise ValueError(f"dynamic_rnn: inputs {x.name} must be at least rank 3 ([batch, time, ...]), got shape "
                         f"{x.shape}")
    steps = x.shape.as_list()[0 if time_major else 1]
    if steps is None:
        return _rnn_loop(cell, x, sequence_length, initial_state, dtype, time_major, scope)
    outputs, state = static_rnn(cell, unstack(x, steps, axis=0 if time_major else 1), initial_state, dtype,
                                sequence_length, scope)
    stacked = stack(outputs, axis=0)
    return (stacked if time_major else transpose(stacked, _swap01(stacked))), state


def _swap01(x: Tensor) -> list[int]:
    return [1, 0] + list(range(2, x.shape.ndims))


def _first(structure):
    return _first(structure[0]) if isinstance(structure, tuple) else structure


def _keep_rows(alive: Tensor, new: Tensor, old: Tensor) -> Tensor:
    """new where the row is alive, else old: a [batch, 1] mask beside [batch, n] states, the [batch] vector (TF1's
    row select) beside the higher-rank states of convolutional cells."""
    if new.shape.ndims is not None and new.shape.ndims > 2:
        return where(alive, new, old)
    return where(expand_dims(alive, 1), new, old)


def _dynamic_rnn_nested(cell, inputs: tuple, sequence_length, initial_state, dtype, time_major: bool, scope):
    """dynamic_rnn over a tuple of inputs, each [batch, time, ...] with the time known: the cell gets a tuple per
    step; the outputs are stacked as the plain case's."""
    parts = [convert_to_tensor(x) for x in _flatten_tuple(inputs)]
    axis = 0 if time_major else 1
    steps = {p.shape.as_list()[axis] if p.shape.ndims and p.shape.ndims >= 3 else -1 for p in parts}
    if len(steps) != 1 or None in steps or -1 in steps:
        raise ValueError(f"dynamic_rnn: nested inputs must all be [batch, time, ...] with one known time, got "
                         f"shapes {[str(p.shape) for p in parts]}")
    count = steps.pop()
    per_part = [unstack(p, count, axis=axis) for p in parts]
    step_inputs = [_pack_tuple(inputs, [column[t] for column in per_part]) for t in range(count)]
    outputs, state = static_rnn(cell, step_inputs, initial_state, dtype, sequence_length, scope)
    stacked = stack(outputs, axis=0)
    return (stacked if time_major else transpose(stacked, _swap01(stacked))), state


def _flatten_tuple(structure) -> list:
    if isinstance(structure, tuple):
        return [leaf for item in structure for leaf in _flatten_tuple(item)]
    return [structure]


def _pack_tuple(structure, leaves: list):
    it = iter(leaves)

    def build(s):
        if isinstance(s, tuple):
            items = [build(x) for x in s]
            return type(s)(*items) if hasattr(s, "_fields") else tuple(items)
        return next(it)
    return build(structure)


def _rnn_loop(cell, x: Tensor, sequence_length, initial_state, dtype, time_major: bool, scope):
    """dynamic_rnn over a time dim known only when the step runs: one tf.while_loop iteration per step."""
    from .array_ops import gather, stack, zeros
    from .control_flow_ops import _flatten, _pack, _stack_write, while_loop
    xt = x if time_major else transpose(x, _swap01(x))
    steps, batch = shape(xt)[0], shape(xt)[1]
    known_batch = xt.shape.as_list()[1]
    if initial_state is None:
        if dtype is None:
            raise ValueError("dynamic_rnn: give initial_state or dtype")
        state = _zero_state(cell, known_batch if known_batch is not None else batch, dtype)
    else:
        state = initial_state
    out_dtype = _flatten(state)[0].dtype
    size = cell.output_size  # an int, or a TensorShape (ConvLSTMCell's [height, width, channels])
    dims = [int(size)] if isinstance(size, int) else [int(d) for d in size.as_list()]
    outputs = zeros(stack([steps, batch] + [1] * len(dims)), out_dtype) + zeros(dims, out_dtype)  # [?, ?, *dims]
    lengths = convert_to_tensor(sequence_length) if sequence_length is not None else None
    with variable_scope(scope or "rnn"):
        def body(t, out_acc, *flat_state):
            old = _pack(state, list(flat_state))
            out, new_state = cell(gather(xt, t), old)
            if lengths is not None:  # past a row's length: zeros out, the state held (a select, as TF: exact 0s)
                alive = less(t, lengths)
                out = _keep_rows(alive, out, zeros_like(out))
                new_state = _map_state(lambda new, prev, a=alive: _keep_rows(a, new, prev), new_state, old)
            return (t + 1, _stack_write(out_acc, t, out)) + tuple(_flatten(new_state))
        final = while_loop(lambda t, *_: less(t, steps), body,
                           [convert_to_tensor(np.int32(0)), outputs] + _flatten(state), name="while")
    stacked, final_state = final[1], _pack(state, list(final[2:]))
    stacked.set_shape([None, known_batch] + dims)  # the loop forgets a known batch; TF1's outputs keep it
    return (stacked if time_major else transpose(stacked, _swap01(stacked))), final_state


# ---- bidirectional networks ---------------------------------------------------------------------------
__all__ += ["bidirectional_dynamic_rnn", "static_bidirectional_rnn"]


def _reverse_sequence(x: Tensor, lengths: Tensor | None, seq_axis: int, batch_axis: int) -> Tensor:
    """x with the first lengths[b] steps of each row b reversed along seq_axis (the rest kept in place), as TF's
    reverse_sequence; all steps when lengths is None. One gather, so the gradient reverses the same way."""
    from .array_ops import concat, fill, gather, reshape
    from .math_ops import cumsum, subtract, where
    from .tensor_ops import reverse
    if lengths is None:
        return reverse(x, [seq_axis])
    rank = x.shape.ndims
    perm = [seq_axis, batch_axis] + [a for a in range(rank) if a not in (seq_axis, batch_axis)]
    inverse = [perm.index(a) for a in range(rank)]
    time_major = x if perm == list(range(rank)) else transpose(x, perm)  # [T, B, ...]
    dims = shape(time_major)
    known = time_major.shape.as_list()

    def positions(axis: int) -> Tensor:  # 0, 1, ... along an axis: a constant when its size is known
        if known[axis] is not None:
            return convert_to_tensor(np.arange(known[axis], dtype=np.int32))
        return cumsum(fill(dims[axis:axis + 1], np.int32(1)), exclusive=True)

    steps, rows = reshape(positions(0), [-1, 1]), reshape(positions(1), [1, -1])  # [T, 1], [1, B]
    length = reshape(cast(lengths, "int32"), [1, -1])
    source = where(less(steps, length), subtract(subtract(length, 1), steps), steps + 0 * rows)  # [T, B]
    # one gather over the [T * B, ...] rows: works with the batch (and time) unknown until the step runs
    batch = known[1] if known[1] is not None else dims[1]
    rest = known[2:]
    flat = reshape(time_major, [-1] + rest) if None not in rest else \
        reshape(time_major, concat([convert_to_tensor([-1]), dims[2:]], 0))
    out = gather(flat, source * batch + rows)
    return out if perm == list(range(rank)) else transpose(out, inverse)


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None, initial_state_fw=None,
                              initial_state_bw=None, dtype=None, parallel_iterations=None, swap_memory: bool = False,
                              time_major: bool = False, scope=None) -> tuple[tuple[Tensor, Tensor], tuple[Any, Any]]:
    """((output_fw, output_bw), (state_fw, state_bw)): dynamic_rnn forward, and over the time-reversed inputs
    (each row's first sequence_length steps) backward, its outputs reversed back. Variables under
    bidirectional_rnn/fw and bidirectional_rnn/bw, as TF names them."""
    from .variables import variable_scope
    x = convert_to_tensor(inputs)
    lengths = None if sequence_length is None else convert_to_tensor(sequence_length)
    if lengths is not None and lengths.shape.ndims not in (None, 1):
        raise ValueError(f"bidirectional_dynamic_rnn: sequence_length {lengths.name} must be a vector of length "
                         f"batch_size, got shape {lengths.shape}")
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(cell_fw, x, lengths, initial_state_fw, dtype, parallel_iterations,
                                              swap_memory, time_major, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_sequence(x, lengths, time_axis, batch_axis)
            tmp, state_bw = dynamic_rnn(cell_bw, reversed_inputs, lengths, initial_state_bw, dtype,
                                        parallel_iterations, swap_memory, time_major, scope=bw_scope)
    output_bw = _reverse_sequence(tmp, lengths, time_axis, batch_axis)
    return (output_fw, output_bw), (state_fw, state_bw)


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None, initial_state_bw=None, dtype=None,
                             sequence_length=None, scope=None) -> tuple[list[Tensor], Any, Any]:
    """(outputs, state_fw, state_bw): static_rnn forward and over the reversed list backward; each output is
    concat([forward, backward], 1) of its step."""
    from .array_ops import concat
    from .variables import variable_scope
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("static_bidirectional_rnn: inputs must be a list of [batch, depth] tensors")
    if not inputs:
        raise ValueError("static_bidirectional_rnn: inputs must not be empty")
    inputs = [convert_to_tensor(x) for x in inputs]
    lengths = None if sequence_length is None else convert_to_tensor(sequence_length)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype, lengths, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_list(inputs, lengths)
            tmp, state_bw = static_rnn(cell_bw, reversed_inputs, initial_state_bw, dtype, lengths, scope=bw_scope)
    output_bw = _reverse_list(tmp, lengths)
    outputs = [concat([fw, bw], 1) for fw, bw in zip(output_fw, output_bw)]
    return outputs, state_fw, state_bw


def _reverse_list(steps: list[Tensor], lengths: Tensor | None) -> list[Tensor]:
    if lengths is None:
        return list(reversed(steps))
    return unstack(_reverse_sequence(stack(steps, axis=0), lengths, 0, 1), len(steps), axis=0)


def raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory: bool = False, scope=None):
    """tf.nn.raw_rnn: a tf.while_loop stepping `cell` where `loop_fn` decides each step's input, the next state,
    what to emit and when each row has finished; returns (emit TensorArrays, final state, final loop state).

    loop_fn(time, cell_output, cell_state, loop_state) -> (finished, next_input, next_cell_state, emit_output,
    next_loop_state); at time 0 cell_output, cell_state and loop_state are None and next_cell_state is the
    initial state. Rows that have finished emit zeros and keep their state, as in TF1. The number of steps is
    decided by the data: the emitted arrays grow (dfc runs such a step on its interpreter).
    """
    from .array_ops import shape, zeros
    from .contrib.seq2seq import _nest as nest
    from .control_flow_ops import while_loop
    from .framework import TensorShape, convert_to_tensor
    from .math_ops import logical_not, logical_or, reduce_all, where
    from .tensor_array_ops import TensorArray
    if not callable(loop_fn):
        raise TypeError("loop_fn must be a callable")
    with variable_scope(scope or "rnn"):
        time = convert_to_tensor(np.int32(0), name="time")
        finished, next_input, initial_state, emit_structure, init_loop_state = loop_fn(time, None, None, None)
        finished = convert_to_tensor(finished)
        if finished.dtype.name != "bool":
            raise TypeError(f"raw_rnn: loop_fn's finished must be a bool vector, got {finished.dtype.name}")
        loop_state = init_loop_state if init_loop_state is not None else convert_to_tensor(np.int32(0))
        state = initial_state
        batch = finished.shape.as_list()[0] if finished.shape.ndims == 1 else None
        batch_dim = batch if batch is not None else shape(finished)[0]
        if emit_structure is not None:
            flat = [convert_to_tensor(e) for e in nest.flatten(emit_structure)]
            sizes = [e.shape.as_list()[1:] for e in flat]
            dtypes_ = [e.dtype for e in flat]
        else:
            emit_structure = cell.output_size
            flat_sizes = nest.flatten(emit_structure)
            sizes = [TensorShape(s).as_list() if not isinstance(s, int) else [s] for s in flat_sizes]
            dtypes_ = [nest.flatten(state)[0].dtype] * len(sizes)
        zero_emit = [zeros([batch_dim] + size if batch is not None else _stack_dims(batch_dim, size), dt)
                     for size, dt in zip(sizes, dtypes_)]
        arrays = [TensorArray(dt, size=0, dynamic_size=True, element_shape=[batch] + size)
                  for size, dt in zip(sizes, dtypes_)]

        def keep_finished(done, current, candidate):
            def pick(cur, cand):
                if isinstance(cur, TensorArray):
                    return cand
                cand = convert_to_tensor(cand)
                if cand.shape.ndims == 0:
                    return cand
                return where(done, cur, cand)
            return nest.map_structure(pick, current, candidate)

        def body(time, done, inputs, arrays, state, loop_state):
            output, cell_state = cell(inputs, state)
            nest.assert_same_structure(state, cell_state, "raw_rnn: the cell's state")
            next_time = time + 1
            next_done, next_inputs, next_state, emit, next_loop_state = loop_fn(next_time, output, cell_state,
                                                                                loop_state)
            nest.assert_same_structure(state, next_state, "raw_rnn: loop_fn's next_cell_state")
            nest.assert_same_structure(inputs, next_inputs, "raw_rnn: loop_fn's next_input")
            loop_state = loop_state if next_loop_state is None else next_loop_state
            emit = nest.flatten(emit if emit is not None else output)
            if len(emit) != len(arrays):
                raise ValueError(f"raw_rnn: loop_fn emits {len(emit)} tensors where its first call's emit structure "
                                 f"has {len(arrays)}")
            emit = keep_finished(done, zero_emit, emit)
            next_state = keep_finished(done, state, next_state)
            arrays = [a.write(time, e) for a, e in zip(arrays, emit)]
            return next_time, logical_or(done, next_done), next_inputs, arrays, next_state, loop_state

        final = while_loop(lambda time, done, *_: logical_not(reduce_all(done)), body,
                           [time, finished, next_input, arrays, state, loop_state],
                           parallel_iterations=parallel_iterations or 32, swap_memory=swap_memory)
        emit_arrays, final_state, final_loop_state = final[-3:]
    return (nest.pack_sequence_as(emit_structure, list(emit_arrays)), final_state,
            final_loop_state if init_loop_state is not None else None)


def _stack_dims(batch, size: list) -> Tensor:
    from .array_ops import stack
    return stack([batch] + [np.int32(d) for d in size])


__all__ += ["raw_rnn"]
