"""TF1's tf.TensorArray: same-shaped tensors written and read by index, as one [size, *element] buffer and states.

A TensorArray is a buffer of `size` rows (one per element) and an int32 state per element
(unwritten, written, cleared by a read), both plain tensors: tf.while_loop carries them as two
loop variables, so a hand-written dynamic RNN or decoding loop compiles to a loop that writes one
row per iteration in place (dfc.dynamic_update_slice; the planner gives the write the loop
variable's buffer). Gradients come from autodiff through the writes and reads, as TF's
TensorArray gradients do (a read's gradient lands in its row; rows never read get zeros).

As in TF1's graph-mode TensorArray (TensorArrayV3): every element has one shape (the first write
sets it when `infer_shape`); writing an index twice, reading an element cleared by an earlier read
(`clear_after_read`, the default), and indices outside [0, size) fail the run with TF1's
InvalidArgumentError messages naming the TensorArray; reading an unwritten element gives zeros.
The buffer is allocated at the first write (or when the element shape is known); a TensorArray
entering a tf.while_loop before its first write gets its buffer once the loop's body shows the
written element's shape (see `allocate_for_loop`). A `dynamic_size` array grows on writes past
the end; inside a tf.while_loop its states and buffer are then loop variables whose dim 0 changes across
iterations (their shape invariant leaves it unknown), which native code cannot hold: the Session runs such
a step on dfc's interpreter (with a warning), gradients included. Reads do not chain through the Python
object: a read sees an earlier read's clearing only when it runs after it (a control dependency on its
value), as separate runs of TF1's graph each read afresh.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, i32
from dfc.ir.errors import InvalidArgumentError

from .debugging import run_time_assert
from .framework import (Operation, Tensor, TensorShape, constant_value, control_dependencies, convert_to_tensor,
                        get_default_graph, make_op, name_scope, wrap, wrap_op)

__all__ = ["TensorArray"]

UNWRITTEN, WRITTEN, CLEARED = 0, 1, 2


class _Shared:
    """What the TensorArrays derived from one another share (TF1 shares the element shape the same way)."""

    def __init__(self, dtype, name: str, element_shape: TensorShape, dynamic_size: bool, clear_after_read: bool,
                 infer_shape: bool):
        self.dtype, self.name = dtype, name
        self.element_shape = element_shape
        self.dynamic_size, self.clear_after_read, self.infer_shape = dynamic_size, clear_after_read, infer_shape
        self.first_written: Tensor | None = None  # the value of the first write into an unallocated buffer


class Unallocated:
    """A TensorArray's buffer before anything fixed its element shape (a loop variable's placeholder)."""

    def __init__(self, shared: _Shared):
        self.shared = shared

    def __repr__(self) -> str:
        return f"<the buffer of TensorArray {self.shared.name}, not written yet>"


def _merge(a: TensorShape, b: TensorShape) -> TensorShape | None:
    if a.ndims is None:
        return b
    if b.ndims is None:
        return a
    if a.ndims != b.ndims:
        return None
    dims = []
    for x, y in zip(a.as_list(), b.as_list()):
        if x is not None and y is not None and x != y:
            return None
        dims.append(x if x is not None else y)
    return TensorShape(dims)


def _shape_text(s: TensorShape) -> str:
    return "<unknown>" if s.ndims is None else "(" + ", ".join("None" if d is None else str(d) for d in s.as_list()) \
        + ("," if s.ndims == 1 else "") + ")"


def _update_rows(buffer: Tensor, rows: Tensor, start, name: str = "write") -> Tensor:
    """buffer with rows start .. start+k-1 replaced (dfc.dynamic_update_slice)."""
    return wrap(make_op("dfc.dynamic_update_slice", [buffer, rows, convert_to_tensor(start)], name=name).results[0])


def _packed(value):
    """A list of scalars, some of them tensors, as one vector (TF1 packs such lists when it converts them)."""
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value):
        from .array_ops import stack
        return stack([convert_to_tensor(v) for v in value])
    return value


def _segment_sum(data: Tensor, ids: Tensor, rows: Tensor) -> Tensor:
    """unsorted_segment_sum into `rows` rows, a number known only when the step runs or not."""
    known = constant_value(rows)
    if known is not None:
        from .math_ops import unsorted_segment_sum
        return unsorted_segment_sum(data, ids, int(known))
    return wrap(make_op("dfc.dynamic_segment_sum", [data, ids, rows], name="UnsortedSegmentSum").results[0])


def _assert(condition: Tensor, parts: list) -> Operation:
    return run_time_assert(condition, parts, 3)


class TensorArray:
    """A list of tensors of one dtype and shape, written and read by index (TF1's tf.TensorArray)."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape: bool = True, element_shape=None,
                 colocate_with_first_write_call: bool = True, name: str | None = None, _state=None):
        #: (a read's value, the states after it cleared what it read): a later read made under a control dependency
        #: on that value sees those states (TF1 fails a second read of an element in the run that makes both)
        self._reads: list[tuple[Tensor, Tensor]] = []
        if _state is not None:
            self._shared, self._flags, self._buffer = _state
            return
        if handle is not None or flow is not None:
            raise ValueError("dfc's TensorArray is made from dtype and size: handle and flow are not supported")
        if size is None:
            raise ValueError("Argument `size` must be provided if handle is not provided.")
        dtype = as_dtype(dtype)
        with name_scope(tensor_array_name or name, "TensorArray", [size]) as scope:
            label = scope[:-1]
            size = convert_to_tensor(size, name="size")
            if size.dtype != i32 or size.shape.ndims not in (None, 0):
                raise TypeError(f"TensorArray {label}: size must be a scalar int32, got {size.dtype.name} of shape "
                                f"{size.shape}")
            known = constant_value(size)
            if known is not None and int(known) < 0:
                raise ValueError(f"TensorArray {label}: size must be non-negative, got {int(known)}")
            from .array_ops import stack, zeros
            flags = zeros([int(known)] if known is not None else stack([size]), i32, name="states")
        shape = TensorShape(None) if element_shape is None else (
            element_shape if isinstance(element_shape, TensorShape) else TensorShape(element_shape))
        self._shared = _Shared(dtype, label, shape, bool(dynamic_size), True if clear_after_read is None
                               else bool(clear_after_read), infer_shape)
        self._flags: Tensor = flags
        self._buffer: Tensor | Unallocated = Unallocated(self._shared)

    # ---- what TF1's TensorArray exposes ----------------------------------------------------------
    @property
    def dtype(self):
        return self._shared.dtype

    @property
    def element_shape(self) -> TensorShape:
        return self._shared.element_shape

    @property
    def dynamic_size(self) -> bool:
        return self._shared.dynamic_size

    @property
    def flow(self) -> Tensor:
        """The elements' states (TF1's flow tensor orders a TensorArray's ops; dfc's data does that)."""
        return self._flags

    @property
    def handle(self) -> Tensor:
        return self._flags

    def __repr__(self) -> str:
        return f"<dfc.TensorArray '{self._shared.name}' dtype={self.dtype.name} element_shape={self.element_shape}>"

    # ---- the parts a loop carries ------------------------------------------------------------------
    def components(self) -> list:
        """The loop variables that stand for this TensorArray: its states and its buffer (Unallocated while its
        element shape is unknown)."""
        if isinstance(self._buffer, Unallocated) and self.element_shape.is_fully_defined():
            self._buffer = self._buffer_like(self._flags, None)
        return [self._flags, self._buffer]

    def rebuild(self, flags, buffer) -> TensorArray:
        """A TensorArray of the same array over new states and buffer (after a loop, in a branch)."""
        if not isinstance(flags, Tensor):  # the structure's text, for messages
            return "TensorArray"  # type: ignore[return-value]
        return TensorArray(None, _state=(self._shared, flags, buffer))

    def _derive(self, flags: Tensor, buffer) -> TensorArray:
        return TensorArray(None, _state=(self._shared, flags, buffer))

    # ---- sizes and shapes ----------------------------------------------------------------------------
    def _static_size(self) -> int | None:
        return self._flags.shape.as_list()[0] if self._flags.shape.ndims == 1 else None

    def size(self, name: str | None = None) -> Tensor:
        """The number of elements (int32)."""
        from .array_ops import shape
        n = self._static_size()
        with name_scope(name, "TensorArraySize", [self._flags]):
            if n is not None:
                return convert_to_tensor(np.int32(n), name="size")
            return shape(self._flags, out_type=i32)[0]

    def _merge_element_shape(self, shape: TensorShape, what: str) -> None:
        if not self._shared.infer_shape:
            return
        merged = _merge(self._shared.element_shape, shape)
        if merged is None:
            raise ValueError(f"Inconsistent shapes: saw {_shape_text(shape)} but expected "
                             f"{_shape_text(self._shared.element_shape)} (TensorArray {self._shared.name}: {what})")
        self._shared.element_shape = merged

    def _convert(self, value, what: str) -> Tensor:
        if isinstance(value, Tensor) and value.dtype != self.dtype:
            raise InvalidArgumentError(f"TensorArray {self._shared.name}: TensorArray dtype is {self.dtype.name} but "
                                       f"Op is trying to {what} dtype {value.dtype.name}.")
        return convert_to_tensor(value, dtype=self.dtype)

    def _index(self, index, what: str) -> Tensor:
        index = convert_to_tensor(index)
        if not index.dtype.is_integer:
            raise TypeError(f"TensorArray {self._shared.name}: the {what} index must be an integer, got "
                            f"{index.dtype.name}")
        from .math_ops import cast
        return cast(index, i32)

    def _element_dims(self) -> list | Tensor | None:
        """The element shape as a list of ints when static, else None."""
        s = self._shared.element_shape
        return s.as_list() if s.is_fully_defined() else None

    def _buffer_like(self, flags: Tensor, element: Tensor | None) -> Tensor:
        """A zero buffer of flags' rows: element shape from the shared shape when static, else from `element`."""
        from .array_ops import concat, shape, stack, zeros
        dims = self._element_dims()
        n = flags.shape.as_list()[0] if flags.shape.ndims == 1 else None
        if dims is not None and n is not None:
            return zeros([n] + dims, self.dtype, name="buffer")
        rows = convert_to_tensor(np.int32(n)) if n is not None else shape(flags, out_type=i32)[0]
        if dims is not None:
            return zeros(stack([rows] + [np.int32(d) for d in dims]), self.dtype, name="buffer")
        if element is None:
            raise InvalidArgumentError(f"TensorArray {self._shared.name}: Could not read from TensorArray index 0.  "
                             f"Furthermore, the element shape is not fully defined: "
                             f"{_shape_text(self._shared.element_shape)}.  If you set the full element_shape "
                             f"property on the TensorArray, the proper all-zeros tensor will be returned instead "
                             f"of incurring this error.")
        return zeros(concat([stack([rows]), shape(element, out_type=i32)], 0), self.dtype, name="buffer")

    def _allocated(self, element: Tensor | None = None) -> Tensor:
        if isinstance(self._buffer, Unallocated):
            return self._buffer_like(self._flags, element)
        return self._buffer

    # ---- checks that run with the step -----------------------------------------------------------------
    def _check_range(self, index: Tensor, flags: Tensor, reading: bool) -> list[Operation]:
        from .math_ops import greater_equal, less, logical_and
        n = self.size(name="size")
        if reading:
            text = ["Tried to read from index", index, "but array size is:", n]
            ok = logical_and(greater_equal(index, 0), less(index, n))
        elif self._grows():
            text = [f"TensorArray {self._shared.name}: Tried to write to index", index, "but array size is:", n]
            ok = greater_equal(index, 0)
        else:
            text = [f"TensorArray {self._shared.name}: Tried to write to index", index,
                    "but array is not resizeable and size is:", n]
            ok = logical_and(greater_equal(index, 0), less(index, n))
        return [_assert(ok, text)]

    def _grows(self) -> bool:
        """Whether a write past the end grows the array (dynamic_size). In a tf.while_loop its states and buffer
        are then loop variables whose dim 0 changes across iterations (see _loop_invariants): the step runs on
        the interpreter, as loops whose variables change shape do."""
        return self.dynamic_size

    def _grown(self, index: Tensor, count) -> tuple[Tensor, Tensor | Unallocated]:
        """states and buffer with room for rows up to index + count - 1 (a dynamic_size array grows)."""
        from .array_ops import concat, shape, stack, zeros
        from .math_ops import maximum
        flags, buffer = self._flags, self._buffer
        n, i = self._static_size(), constant_value(index)
        if n is not None and i is not None:
            extra = max(0, int(i) + count - n)
            if not extra:
                return flags, buffer
            flags = concat([flags, zeros([extra], i32)], 0, name="grow_states")
            if not isinstance(buffer, Unallocated):
                rows = buffer.shape.as_list()[1:]
                pad = zeros([extra] + rows, self.dtype) if None not in rows else \
                    zeros(concat([[extra], shape(buffer, out_type=i32)[1:]], 0), self.dtype)
                buffer = concat([buffer, pad], 0, name="grow")
            return flags, buffer
        size = shape(flags, out_type=i32)[0]
        extra = maximum(index + count - size, 0)
        flags = concat([flags, zeros(stack([extra]), i32)], 0, name="grow_states")
        if not isinstance(buffer, Unallocated):
            buffer = concat([buffer, zeros(concat([stack([extra]), shape(buffer, out_type=i32)[1:]], 0),
                                           self.dtype)], 0, name="grow")
        return flags, buffer

    # ---- writing ---------------------------------------------------------------------------------------
    def write(self, index, value, name: str | None = None) -> TensorArray:
        """A TensorArray with element `index` set to value (TF1 fails the run if it was written before)."""
        from .array_ops import expand_dims, gather
        from .math_ops import equal
        with name_scope(name, "TensorArrayWrite", [self._flags, index, value]):
            value = self._convert(value, "write")
            index = self._index(index, "write")
            self._merge_element_shape(value.shape, "write")
            checks = self._check_range(index, self._flags, reading=False)
            flags, buffer = self._grown(index, 1) if self._grows() else (self._flags, self._buffer)
            with control_dependencies(checks):
                state = gather(flags, index)
            written = _assert(equal(state, UNWRITTEN),
                              [f"TensorArray {self._shared.name}: Could not write to TensorArray index", index,
                               "because it has already been written to."])
            if self._shared.first_written is None:
                self._shared.first_written = value
            buffer = self._allocated_from(buffer, flags, value)
            written = [written] + self._same_shape_check(buffer, value, index)
            with control_dependencies(written):
                new_flags = _update_rows(flags, convert_to_tensor(np.array([WRITTEN], np.int32)), index, "states")
                new_buffer = _update_rows(buffer, expand_dims(value, 0), index)
        return self._derive(new_flags, new_buffer)

    def _same_shape_check(self, buffer: Tensor, value: Tensor, index: Tensor) -> list[Operation]:
        """Where shapes are not known to agree (infer_shape=False, unknown dims): the run fails naming the array
        when an element's shape differs from the others' (dfc keeps one buffer of equal elements)."""
        from .array_ops import shape
        from .math_ops import equal, reduce_all
        rows, element = buffer.shape, value.shape
        if rows.ndims is not None and element.ndims is not None and rows.ndims == element.ndims + 1 and \
                rows[1:].is_fully_defined() and element.is_fully_defined():
            return []
        have = shape(buffer, out_type=i32)[1:]
        got = shape(value, out_type=i32)
        return [_assert(reduce_all(equal(have, got)),
                        [f"TensorArray {self._shared.name}: could not write index", index, "of shape", got,
                         "besides elements of shape", have, "(dfc's TensorArray holds elements of one shape; TF1's "
                         "holds differing ones when infer_shape=False)"])]

    def _allocated_from(self, buffer, flags: Tensor, element: Tensor) -> Tensor:
        if isinstance(buffer, Unallocated):
            return self._buffer_like(flags, element)
        return buffer

    def unstack(self, value, name: str | None = None) -> TensorArray:
        """Element i = value[i] for each row of value (the others stay unwritten)."""
        from .array_ops import shape
        with name_scope(name, "TensorArrayUnstack", [self._flags, value]):
            value = self._convert(value, "write")
            if value.shape.ndims == 0:
                raise ValueError(f"TensorArray {self._shared.name}: unstack needs a value of rank at least 1, got a "
                                 f"scalar {value.name}")
            rows = value.shape.as_list()[0] if value.shape.ndims is not None else None
            count = convert_to_tensor(np.int32(rows)) if rows is not None else shape(value, out_type=i32)[0]
            return self._write_rows(value, count, "TensorArrayScatter")

    def _write_rows(self, rows: Tensor, count: Tensor, what: str) -> TensorArray:
        """Rows 0 .. count-1 written (unstack, split): every one must be unwritten before."""
        from .array_ops import ones_like
        from .math_ops import cast, cumsum, equal, less, less_equal, logical_not, logical_or, reduce_all
        element = TensorShape(rows.shape.as_list()[1:]) if rows.shape.ndims is not None else TensorShape(None)
        self._merge_element_shape(element, "unstack")
        n = self.size(name="size")
        have, c = constant_value(n), constant_value(count)
        if have is not None and c is not None and int(c) > int(have) and not self._grows():
            raise InvalidArgumentError(f"TensorArray {self._shared.name}: Max scatter index must be < array size "
                                       f"({int(c) - 1} vs. {int(have)})")
        checks = [] if self._grows() else [
            _assert(less_equal(count, n), [f"TensorArray {self._shared.name}: Max scatter index must be < array "
                                           f"size (", count - 1, "vs.", n, ")"])]
        zero = convert_to_tensor(np.int32(0))
        if not self._grows():
            flags, buffer = self._flags, self._buffer
        else:
            flags, buffer = self._grown(zero, int(c)) if c is not None else self._grown(count - 1, 1)
        with control_dependencies(checks):
            covered = less(cumsum(ones_like(flags), exclusive=True), count)  # rows 0 .. count-1
        written = _assert(reduce_all(logical_or(logical_not(covered), equal(flags, UNWRITTEN))),
                          [f"TensorArray {self._shared.name}: Could not write to TensorArray: an element of", what,
                           "has already been written to."])
        n_static = flags.shape.as_list()[0] if flags.shape.ndims == 1 else None
        rows_static = rows.shape.as_list()[0] if rows.shape.ndims else None
        whole = isinstance(buffer, Unallocated) and n_static is not None and n_static == rows_static
        if isinstance(buffer, Unallocated) and not whole:
            from .array_ops import gather
            buffer = self._buffer_like(flags, gather(rows, 0))
        with control_dependencies([written]):
            new_flags = flags + cast(covered, i32) * WRITTEN
            if whole:
                from .array_ops import identity
                new_buffer = identity(rows, name="buffer")  # the rows are the whole array: no zeros, no copy
            else:
                new_buffer = _update_rows(buffer, rows, zero)
        return self._derive(new_flags, new_buffer)

    def scatter(self, indices, value, name: str | None = None) -> TensorArray:
        """Element indices[k] = value[k] for each k."""
        from .array_ops import gather
        with name_scope(name, "TensorArrayScatter", [self._flags, indices, value]):
            value = self._convert(value, "write")
            indices = self._index(_packed(indices), "scatter")
            if indices.shape.ndims not in (None, 1):
                raise ValueError(f"TensorArray {self._shared.name}: scatter needs a vector of indices, got "
                                 f"{indices.name} of shape {indices.shape}")
            count = indices.shape.as_list()[0] if indices.shape.ndims == 1 else None
            if count is None or count > 16:
                return self._scatter_rows(indices, value)
            ta = self
            for k in range(count):
                ta = ta.write(gather(indices, k), gather(value, k), name="write")
            return ta

    def _scatter_rows(self, indices: Tensor, value: Tensor) -> TensorArray:
        """scatter for indices of any length, at once: each row's writes counted by a segment sum."""
        from .array_ops import gather, ones_like, reshape, shape
        from .math_ops import (equal, greater, greater_equal, less_equal, logical_and, logical_or, reduce_all,
                               reduce_max, where_v2)
        element = TensorShape(value.shape.as_list()[1:]) if value.shape.ndims is not None else TensorShape(None)
        self._merge_element_shape(element, "scatter")
        n = self.size(name="size")
        top = reduce_max(indices) + 1 if indices.shape.ndims is None or indices.shape.as_list()[0] != 0 else 0
        checks = [_assert(reduce_all(greater_equal(indices, 0)),
                          [f"TensorArray {self._shared.name}: Tried to write to index", indices, "but array size is:",
                           n])]
        if self._grows():
            flags, buffer = self._grown(convert_to_tensor(top) - 1, 1)
        else:
            flags, buffer = self._flags, self._buffer
            checks.append(_assert(less_equal(top, n), [f"TensorArray {self._shared.name}: Max scatter index must be "
                                                       f"< array size (", top - 1, "vs.", n, ")"]))
        if isinstance(buffer, Unallocated):
            buffer = self._buffer_like(flags, gather(value, 0))
        rows = shape(flags, out_type=i32)[0]
        with control_dependencies(checks):
            hits = _segment_sum(ones_like(indices), indices, rows)
        written = _assert(reduce_all(logical_or(equal(hits, 0), logical_and(equal(hits, 1),
                                                                           equal(flags, UNWRITTEN)))),
                          [f"TensorArray {self._shared.name}: Could not write to TensorArray: an element of "
                           f"TensorArrayScatter has already been written to."])
        with control_dependencies([written]):
            hit = greater(hits, 0)
            new_flags = where_v2(hit, flags * 0 + WRITTEN, flags)
            placed = _segment_sum(value, indices, rows)
            rank = value.shape.ndims
            if rank is None:
                raise ValueError(f"TensorArray {self._shared.name}: scatter needs the rank of {value.name}")
            new_buffer = where_v2(reshape(hit, [-1] + [1] * (rank - 1)), placed, buffer)
        return self._derive(new_flags, new_buffer)

    def split(self, value, lengths, name: str | None = None) -> TensorArray:
        """value split along dim 0 into elements of the given lengths (all equal: elements share one shape)."""
        from .array_ops import reshape
        with name_scope(name, "TensorArraySplit", [self._flags, value, lengths]):
            value = self._convert(value, "write")
            lengths = convert_to_tensor(_packed(lengths))
            known = constant_value(lengths)
            if known is None:
                return self._split_equal(value, lengths)
            known = [int(v) for v in np.atleast_1d(known)]
            rows = value.shape.as_list()[0] if value.shape.ndims else None
            if rows is not None and sum(known) != rows:  # TF's kernel's check, found here from the static shapes
                raise InvalidArgumentError(f"TensorArray {self._shared.name}: Expected sum of lengths to be equal to "
                                           f"values.shape[0], but sum of lengths is {sum(known)} and value's shape "
                                           f"is: {value.shape} ({value.name} split by lengths {known})")
            if len(set(known)) > 1 and self._shared.infer_shape:
                raise InvalidArgumentError(f"TensorArray {self._shared.name}: Could not write to TensorArray index 1 "
                                           f"because "
                                 f"the value shape is [{known[1]}] which is incompatible with a previous write's "
                                 f"shape [{known[0]}] (split lengths {known} differ)")
            rest = value.shape.as_list()[1:] if value.shape.ndims is not None else None
            if rest is None or None in rest:
                raise ValueError(f"TensorArray {self._shared.name}: split needs the shape of {value.name} past "
                                 f"dim 0, got {value.shape}")
            length = known[0] if known else 0
            return self.unstack(reshape(value, [len(known), length] + rest), name="unstack")

    def _split_equal(self, value: Tensor, lengths: Tensor) -> TensorArray:
        """split by lengths known only when the step runs: the elements share one shape, so the lengths must be
        equal (the run fails naming the array otherwise)."""
        from .array_ops import concat, gather, reshape, shape, size, stack
        from .math_ops import cast, equal, reduce_all, reduce_sum
        lengths = cast(lengths, i32)
        if lengths.shape.ndims not in (None, 1):
            raise ValueError(f"TensorArray {self._shared.name}: split's lengths must be a vector, got {lengths.name} "
                             f"of shape {lengths.shape}")
        rows = shape(value, out_type=i32)[0]
        count = size(lengths, out_type=i32)
        first = gather(lengths, 0)
        ok = _assert(reduce_all(equal(lengths, first)) & equal(reduce_sum(lengths), rows),
                     [f"TensorArray {self._shared.name}: dfc's TensorArray holds elements of one shape: split's "
                      f"lengths must be equal and sum to the rows of the value, got lengths", lengths, "for rows",
                      rows])
        with control_dependencies([ok]):
            pieces = reshape(value, concat([stack([count, first]), shape(value, out_type=i32)[1:]], 0))
        return self.unstack(pieces, name="unstack")

    # ---- reading ---------------------------------------------------------------------------------------
    def _read_states(self) -> Tensor:
        """The states a read starts from: those after the latest earlier read it runs after (a control dependency
        on its value), else the written ones (reads in separate runs, or unordered ones, each see them)."""
        from .scopes import control_token
        stack = get_default_graph().control_stack
        if not self._reads or not stack:
            return self._flags
        waiting = {token for tokens in stack for token in tokens}
        for value, states in reversed(self._reads):
            if control_token(value) in waiting:
                return states
        return self._flags

    def _clear(self, flags: Tensor, index: Tensor | None) -> tuple[Operation | None, Tensor | None]:
        """The check that the elements read were not cleared, and (clear_after_read) the states after clearing."""
        from .array_ops import gather
        from .math_ops import equal, not_equal, reduce_all, where
        if not self._shared.clear_after_read:
            return None, None
        states = flags if index is None else gather(flags, index)
        ok = reduce_all(not_equal(states, CLEARED))
        tail = "twice because it was cleared after a previous read (perhaps try setting clear_after_read = false?)."
        head = f"TensorArray {self._shared.name}: Could not read"
        check = _assert(ok, [f"{head} an element {tail}"] if index is None else [f"{head} index", index, tail])
        if index is None:
            return check, where(equal(flags, WRITTEN), convert_to_tensor(np.int32(CLEARED)) + flags * 0, flags)
        from .array_ops import reshape
        new = where(equal(states, WRITTEN), convert_to_tensor(np.int32(CLEARED)), states)
        return check, _update_rows(flags, reshape(new, [1]), index, "clear")

    def _record_read(self, value: Tensor, states: Tensor | None) -> Tensor:
        if states is not None:
            self._reads.append((value, states))
        return value

    def read(self, index, name: str | None = None) -> Tensor:
        """Element index (zeros if never written; TF1 fails the run for an index out of range or cleared)."""
        from .array_ops import gather
        with name_scope(name, "TensorArrayRead", [self._flags, index]):
            index = self._index(index, "read")
            flags = self._read_states()
            checks = self._check_range(index, flags, reading=True)
            with control_dependencies(checks):
                cleared, states = self._clear(flags, index)
            buffer = self._allocated()
            with control_dependencies(checks + ([cleared] if cleared is not None else [])):
                value = gather(buffer, index, name="read")
        return self._record_read(self._shaped(value), states)

    def _shaped(self, value: Tensor, lead: list | None = None) -> Tensor:
        shape = self._shared.element_shape
        if shape.ndims is not None and value.shape.ndims is None:
            from .array_ops import reshape
            dims = (lead or []) + [-1 if d is None else d for d in shape.as_list()]
            if sum(d == -1 for d in dims) <= 1:
                return reshape(value, dims)
        return value

    def gather(self, indices, name: str | None = None) -> Tensor:
        """The elements at indices, stacked."""
        from .array_ops import gather
        from .math_ops import greater_equal, less, logical_and, reduce_all
        with name_scope(name, "TensorArrayGather", [self._flags, indices]):
            indices = self._index(indices, "gather")
            n = self.size(name="size")
            checks = [_assert(reduce_all(logical_and(greater_equal(indices, 0), less(indices, n))),
                              ["Tried to read from index", indices, "but array size is:", n])]
            flags = self._read_states()
            with control_dependencies(checks):
                cleared, states = self._clear_many(flags, indices)
            buffer = self._allocated()
            with control_dependencies(checks + ([cleared] if cleared is not None else [])):
                return self._record_read(gather(buffer, indices, name="gather"), states)

    def _clear_many(self, flags: Tensor, indices: Tensor) -> tuple[Operation | None, Tensor | None]:
        from .array_ops import expand_dims, gather, range as range_, shape
        from .math_ops import equal, logical_and, not_equal, reduce_all, reduce_any, where
        if not self._shared.clear_after_read:
            return None, None
        check = _assert(reduce_all(not_equal(gather(flags, indices), CLEARED)),
                        [f"TensorArray {self._shared.name}: Could not read index", indices,
                         "twice because it was cleared after a previous read (perhaps try setting "
                         "clear_after_read = false?)."])
        rows = range_(shape(flags, out_type=i32)[0])
        read = reduce_any(equal(expand_dims(rows, 1), expand_dims(indices, 0)), axis=1)
        return check, where(logical_and(read, equal(flags, WRITTEN)), convert_to_tensor(np.int32(CLEARED)) + flags * 0,
                            flags)

    def stack(self, name: str | None = None) -> Tensor:
        """Every element, stacked on a new dim 0."""
        with name_scope(name, "TensorArrayStack", [self._flags]):
            flags = self._read_states()
            if isinstance(self._buffer, Unallocated):
                n = self._static_size()
                if n == 0 and not self.element_shape.is_fully_defined():
                    from dfc.ir.errors import UnimplementedError
                    raise UnimplementedError(
                        f"TensorArray {self._shared.name}: TensorArray has size zero, but element shape "
                        f"{_shape_text(self.element_shape)} is not fully defined. Currently only static shapes are "
                        f"supported when packing zero-size TensorArrays.")
            cleared, states = self._clear(flags, None)
            buffer = self._allocated()
            from .array_ops import identity
            with control_dependencies([cleared] if cleared is not None else []):
                return self._record_read(identity(buffer, name="stack"), states)

    def concat(self, name: str | None = None) -> Tensor:
        """Every element concatenated along its dim 0."""
        from .array_ops import reshape
        with name_scope(name, "TensorArrayConcat", [self._flags]):
            shape = self.element_shape
            if shape.ndims == 0:
                raise ValueError(f"TensorArray {self._shared.name}: Concat saw a scalar shape at index 0 but "
                                 f"requires at least vectors.")
            stacked = self.stack(name="stack")
            rest = stacked.shape.as_list()[2:] if stacked.shape.ndims is not None else None
            if rest is None or None in rest:
                from .array_ops import concat as join, shape as shape_of
                return reshape(stacked, join([[-1], shape_of(stacked, out_type=i32)[2:]], 0))
            return reshape(stacked, [-1] + rest)

    # ---- the rest of the API ---------------------------------------------------------------------------
    def identity(self) -> TensorArray:
        from .array_ops import identity
        buffer = self._buffer if isinstance(self._buffer, Unallocated) else identity(self._buffer)
        return self._derive(identity(self._flags), buffer)

    def close(self, name: str | None = None) -> Operation:
        return wrap_op(make_op("dfc.no_op", [], name=name or "TensorArrayClose"))

    def grad(self, source, flow=None, name: str | None = None):
        raise NotImplementedError("TensorArray.grad: dfc differentiates through TensorArray reads and writes with "
                                  "tf.gradients; the gradient TensorArray itself is not exposed")


def allocate_for_loop(ta_shared: _Shared, flags_init: Tensor, clone_shape) -> Any:
    """The initial buffer of a TensorArray that enters a loop unwritten: zeros of [size, *element], the element's
    shape being that of the body's first write (`clone_shape` gives a tensor of it outside the loop)."""
    from .array_ops import concat, shape, stack, zeros
    first = ta_shared.first_written
    if first is None:
        return None
    dims = first.shape.as_list() if first.shape.ndims is not None else None
    n = flags_init.shape.as_list()[0] if flags_init.shape.ndims == 1 else None
    if dims is not None and None not in dims and n is not None:
        return zeros([n] + dims, ta_shared.dtype, name="buffer")
    rows = convert_to_tensor(np.int32(n)) if n is not None else shape(flags_init, out_type=i32)[0]
    return zeros(concat([stack([rows]), clone_shape(first)], 0), ta_shared.dtype, name="buffer")
