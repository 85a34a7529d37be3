"""TF1's queues (tf.FIFOQueue, RandomShuffleQueue, PaddingFIFOQueue, PriorityQueue, QueueBase): their graph ops.

A queue's ops run on the host, around the compiled step (runtime/host_feeds.py): a dequeue is a
host-fed source (placeholders the session fills from the queue before the step, waiting while
it is empty), size and is_closed are sources too, close is a host action (before the step), and
an enqueue is a sink: a `dfc.group` of its components, which the step computes and hands to
the queue after it ran (waiting while the queue is full). So the ops are pruned like any other
(a run does only what its fetches need), never folded or merged (placeholders and groups are
not), and run on the CPU: a queue made under a GPU device scope is placed on the CPU of the
same task, as TF's soft placement does (TF has no GPU kernels for queues). The elements live in
`QueueState`s (runtime/queue_state.py), one per queue per session, or per cluster for sessions on
one cluster, which share queues by shared_name as TF's tasks do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, bool_, i32, i64
from dfc.ir.errors import CancelledError, DeadlineExceededError, InvalidArgumentError, OutOfRangeError
from dfc.ir.types import TensorType
from dfc.runtime.host_feeds import register_action, register_sink, register_source

from ..framework import Tensor, TensorShape, constant_value, convert_to_tensor, get_default_graph, make_op, \
    name_scope, wrap, wrap_op
from ..scopes import get_seed
from .state import QueueState, check_component, resource

__all__ = ["FIFOQueue", "PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue"]


def _as_type_list(dtypes: Any) -> list:
    if isinstance(dtypes, (list, tuple)):
        return [as_dtype(d) for d in dtypes]
    return [as_dtype(dtypes)]


def _as_shape_list(shapes: Any, unknown_dim_allowed: bool = False) -> list[TensorShape] | None:
    """TF's data_flow_ops._as_shape_list: one shape or a list of them, checked."""
    if unknown_dim_allowed and (not isinstance(shapes, (list, tuple)) or not shapes or
                                any(s is None or isinstance(s, int) for s in shapes)):
        raise ValueError("When providing partial shapes, a list of shapes must be provided.")
    if shapes is None:
        return None
    if isinstance(shapes, TensorShape):
        shapes = [shapes]
    if not isinstance(shapes, (tuple, list)):
        raise TypeError(f"Shapes must be a TensorShape or a list or tuple of TensorShapes, got {type(shapes)} "
                        f"instead.")
    if all(s is None or isinstance(s, (int, np.integer)) for s in shapes):
        shapes = [shapes]  # one shape
    shapes = [_shape(s) for s in shapes]
    if not unknown_dim_allowed and any(not s.is_fully_defined() for s in shapes):
        raise ValueError(f"All shapes must be fully defined: {shapes}")
    if any(s.ndims is None for s in shapes):
        raise ValueError(f"All shapes must have a defined rank: {shapes}")
    return shapes


def _shape(s: Any) -> TensorShape:
    return s if isinstance(s, TensorShape) else TensorShape(s)


def _as_name_list(names: Any, dtypes: list) -> list[str] | None:
    if names is None:
        return None
    if not isinstance(names, (list, tuple)):
        names = [names]
    if len(names) != len(dtypes):
        raise ValueError(f"List of names must have the same length as the list of dtypes, received "
                         f"len(names)={len(names)},len(dtypes)={len(dtypes)}")
    return list(names)


def _compatible(a: TensorShape, b: TensorShape) -> bool:
    if a.ndims is None or b.ndims is None:
        return True
    return a.ndims == b.ndims and all(x is None or y is None or x == y for x, y in zip(a.as_list(), b.as_list()))


def _assert_compatible(given: TensorShape, wanted: TensorShape) -> None:
    if not _compatible(given, wanted):
        raise ValueError(f"Shapes {given} and {wanted} are incompatible")


def _merged(a: TensorShape, b: TensorShape) -> TensorShape:
    """The most specific shape both fit (dims that differ become unknown)."""
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(a.as_list(), b.as_list())])


def _batched(n: int | None, shape: TensorShape) -> TensorShape:
    return TensorShape(None) if shape.ndims is None else TensorShape([n, *shape.as_list()])


def _host_device(op: Any) -> None:
    """TF's queues have CPU kernels only: an op placed on a GPU runs on the CPU of its task instead."""
    if op.device and "GPU" in op.device.upper():
        from ..device_spec import format_device, parse_device
        fields = parse_device(op.device)
        fields["device"] = "CPU:0"
        op.device = format_device(fields)


class QueueBase:
    """A queue's components (dtypes, shapes, names) and its ops; the elements live per session (QueueState)."""

    _kind = "FIFOQueue"

    def __init__(self, dtypes: Any, shapes: Any, names: Any, queue_ref: Any):
        self._dtypes = _as_type_list(dtypes)
        if shapes is not None:
            if len(shapes) != len(self._dtypes):
                raise ValueError(f"Queue shapes must have the same length as dtypes, received len(shapes)="
                                 f"{len(shapes)}, len(dtypes)={len(self._dtypes)}")
            self._shapes = [_shape(s) for s in shapes]
        else:
            self._shapes = [TensorShape(None) for _ in self._dtypes]
        if names is not None:
            if len(names) != len(self._dtypes):
                raise ValueError(f"Queue names must have the same length as dtypes, received len(names)={len(names)},"
                                 f"len {len(self._dtypes)}")
            self._names = list(names)
        else:
            self._names = None
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]
        self._graph = get_default_graph()
        self._capacity: int | None = None
        self._min_after_dequeue = 0
        self._seed: tuple[int, int] | None = None
        self._shared_name: str | None = None
        self._selector: tuple[Tensor, list[QueueBase]] | None = None

    # ---- what TF1 exposes ----------------------------------------------------------------------------
    @staticmethod
    def from_list(index: Any, queues: Sequence[QueueBase]) -> QueueBase:
        """A queue whose ops act on queues[index], `index` a scalar tensor evaluated by each run."""
        if not queues or not isinstance(queues, (list, tuple)) or \
                not all(isinstance(q, QueueBase) for q in queues):
            raise TypeError("A list of queues expected")
        dtypes = queues[0].dtypes
        if not all(dtypes == q.dtypes for q in queues[1:]):
            raise TypeError("Queues do not have matching component dtypes.")
        names = queues[0].names
        if not all(names == q.names for q in queues[1:]):
            raise TypeError("Queues do not have matching component names.")
        shapes = []
        for i in range(len(dtypes)):
            merged = queues[0].shapes[i]
            for q in queues[1:]:
                merged = _merged(merged, q.shapes[i])
            shapes.append(merged)
        index = convert_to_tensor(index, dtype=i32)
        with name_scope(None, "RefSelect"):
            ref = convert_to_tensor(np.int32(0), name="ref_select")
        selected = QueueBase(dtypes, shapes, names, ref)
        selected._kind = queues[0]._kind
        selected._selector = (index, list(queues))
        return selected

    @property
    def queue_ref(self) -> Tensor:
        return self._queue_ref

    @property
    def name(self) -> str:
        return self._queue_ref.op.name

    @property
    def dtypes(self) -> list:
        return list(self._dtypes)

    @property
    def shapes(self) -> list[TensorShape]:
        return list(self._shapes)

    @property
    def names(self) -> list[str] | None:
        return None if self._names is None else list(self._names)

    # ---- the state a run acts on --------------------------------------------------------------------
    def _state(self, session: Any, selector_index: Any = None) -> QueueState:
        if self._selector is not None:
            index = int(np.asarray(selector_index))
            queues = self._selector[1]
            if not 0 <= index < len(queues):
                raise InvalidArgumentError(f"RefSelect: index {index} out of range [0, {len(queues)}) in {self.name}")
            return queues[index]._state(session)
        key = ("queue", self._shared_name) if self._shared_name else ("queue", self.name, id(self))
        return resource(session, key, "queue", (self._kind, self.name, self._capacity, self._min_after_dequeue,
                                                self._seed), self._queue_ref.op.device)

    def _selector_values(self, session: Any, feeds: dict) -> Any:
        return session.run(self._selector[0], feeds) if self._selector is not None else None

    # ---- enqueue -------------------------------------------------------------------------------------
    def _check_enqueue_dtypes(self, vals: Any) -> list[Tensor]:
        if isinstance(vals, dict):
            if not self._names:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names, key=str) != sorted(vals.keys(), key=str):
                raise ValueError(f"Keys in dictionary to enqueue do not match names of Queue.  Dictionary: "
                                 f"{sorted(vals.keys())},Queue: {sorted(self._names)}")
            vals = [vals[k] for k in self._names]
        else:
            if self._names:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"{self.name}: expected {len(self._dtypes)} components to enqueue (dtypes "
                             f"{[d.name for d in self._dtypes]}), got {len(vals)}")
        tensors = []
        for i, (val, dtype) in enumerate(zip(vals, self._dtypes)):
            try:
                tensors.append(convert_to_tensor(val, dtype=dtype, name=f"component_{i}"))
            except (ValueError, TypeError) as e:
                raise type(e)(f"component_{i} of the enqueue to queue '{self.name}': {e}") from None
        return tensors

    def _enqueue_op(self, tensors: list[Tensor], scope: str, many: bool) -> Any:
        extra = [self._selector[0]] if self._selector is not None else []
        op = make_op("dfc.group", [*tensors, *extra], name=scope[:-1], exact_name=True)
        _host_device(op)
        op_name, n = op.name, len(tensors)

        def push(session: Any, arrays: list[np.ndarray]) -> None:
            state = self._state(session, arrays[n] if extra else None)
            components = [np.asarray(a, dtype=d.np) for a, d in zip(arrays[:n], self._dtypes)]
            if many:
                sizes = {c.shape[0] if c.ndim else None for c in components}
                if None in sizes or len(sizes) != 1:
                    raise InvalidArgumentError(f"Expected all components of the enqueue_many to {state.label} to "
                                               f"have the same size in dimension 0, got shapes "
                                               f"{[list(c.shape) for c in components]} [[node {op_name}]]")
                elements = [tuple(c[k] for c in components) for k in range(sizes.pop())]
            else:
                elements = [tuple(components)]
            for element in elements[:1]:
                for i, (c, shape) in enumerate(zip(element, self._shapes)):
                    check_component(state.label, i, c, shape, op_name)
            try:
                state.enqueue([tuple(np.array(c, copy=True) for c in e) for e in elements], session)
            except (CancelledError, DeadlineExceededError) as e:  # TF names the node too
                raise type(e)(f"{e.message}\n\t [[node {op_name}]]") from None
        register_sink(self._graph._dfc_ir(), op, [t._dfc_ir() for t in tensors] +
                      [t._dfc_ir() for t in extra], push)
        return wrap_op(op)

    def enqueue(self, vals: Any, name: str | None = None) -> Any:
        """An op adding one element (a tensor, a list or a dict of the queue's components), waiting for room."""
        with name_scope(name, f"{self._name}_enqueue") as scope:
            tensors = self._check_enqueue_dtypes(vals)
            for t, shape in zip(tensors, self._shapes):
                _assert_compatible(t.shape, shape)
            return self._enqueue_op(tensors, scope, many=False)

    def enqueue_many(self, vals: Any, name: str | None = None) -> Any:
        """An op adding the slices along dimension 0 of `vals` as elements, in order."""
        with name_scope(name, f"{self._name}_EnqueueMany") as scope:
            tensors = self._check_enqueue_dtypes(vals)
            batch = None
            for t, shape in zip(tensors, self._shapes):
                given = t.shape
                if given.ndims is None:
                    continue
                if given.ndims < 1:
                    raise ValueError(f"Shape {given} must have rank at least 1 (component {t.name} of the "
                                     f"enqueue_many to queue '{self.name}')")
                first = given.as_list()[0]
                if first is not None and batch is not None and first != batch:
                    raise ValueError(f"Dimensions {batch} and {first} are not compatible (dimension 0 of the "
                                     f"components of the enqueue_many to queue '{self.name}')")
                batch = first if first is not None else batch
                _assert_compatible(given[1:], shape)
            return self._enqueue_op(tensors, scope, many=True)

    # ---- dequeue -------------------------------------------------------------------------------------
    def _dequeue_return_value(self, tensors: list[Tensor]) -> Any:
        if self._names:
            return dict(zip(self._names, tensors))
        if len(tensors) == 1:
            return tensors[0]
        return list(tensors)

    def _outputs(self, name: str, shapes: list[TensorShape], dtypes: list | None = None) -> list[Tensor]:
        outputs = []
        first = None
        for k, (dtype, shape) in enumerate(zip(dtypes or self._dtypes, shapes)):
            dims = None if shape.ndims is None else tuple(shape.as_list())
            op = make_op("dfc.placeholder", [], name=name if k == 0 else f"{first}/component_{k}",
                         result_types=[TensorType(dtype, dims)], exact_name=k > 0)
            _host_device(op)
            first = first or op.name
            outputs.append(wrap(op.results[0]))
        return outputs

    def _register(self, outputs: list[Tensor], take: Any, extra: list[Tensor] = ()) -> None:
        """Fill `outputs` by take(state, session, extra values) before each run that needs them."""
        graph = self._graph._dfc_ir()
        values = [t._dfc_ir() for t in outputs]
        needs = list(extra) + ([self._selector[0]] if self._selector is not None else [])
        op_name = outputs[0].op.name

        def named(state: Any, session: Any, got: list) -> list[np.ndarray]:
            try:
                return take(state, session, got)
            except (OutOfRangeError, CancelledError, DeadlineExceededError) as e:  # TF names the node too
                raise type(e)(f"{e.message}\n\t [[node {op_name}]]") from None
        if not needs:
            register_source(graph, values, lambda session: named(self._state(session), session, []))
            return

        def pull(session: Any, feeds: dict) -> list[np.ndarray]:
            got = session.run(needs, feeds)
            index = got[-1] if self._selector is not None else None
            return named(self._state(session, index), session, got[:len(extra)])
        register_source(graph, values, pull, with_feeds=True)

    def _stack(self, state: QueueState, elements: list, op_name: str) -> list[np.ndarray]:
        out = []
        for i, dtype in enumerate(self._dtypes):
            parts = [e[i] for e in elements]
            if not parts:
                shape = self._shapes[i]
                dims = [0] + [d or 0 for d in (shape.as_list() if shape.ndims is not None else [])]
                out.append(np.zeros(dims, dtype.np))
                continue
            shapes = {p.shape for p in parts}
            if len(shapes) > 1:
                if self._kind != "PaddingFIFOQueue":
                    raise InvalidArgumentError(f"{state.label}: the elements to dequeue together have different "
                                               f"shapes in component {i}: {sorted(shapes)} [[node {op_name}]]")
                ndim = parts[0].ndim
                top = [max(p.shape[d] for p in parts) for d in range(ndim)]
                padded = np.zeros([len(parts), *top], dtype.np)
                for k, p in enumerate(parts):
                    padded[(k, *[slice(0, s) for s in p.shape])] = p
                out.append(padded)
            else:
                out.append(np.stack(parts).astype(dtype.np, copy=False))
        return out

    def _many_needs_shapes(self, state: QueueState, op_name: str) -> None:
        if self._kind in ("FIFOQueue", "RandomShuffleQueue") and any(not s.is_fully_defined() for s in self._shapes):
            raise InvalidArgumentError(f"{self._kind}'s DequeueMany and DequeueUpTo require the components to have "
                                       f"specified shapes. ({state.label}) [[node {op_name}]]")

    def dequeue(self, name: str | None = None) -> Any:
        """One element, taken when a run needs it (waiting while the queue is empty)."""
        outputs = self._outputs(name or f"{self._name}_Dequeue", self._shapes)

        def take(state: QueueState, session: Any, _: list) -> list[np.ndarray]:
            (element,) = state.dequeue(None, False, session)
            return [np.asarray(c, dtype=d.np) for c, d in zip(element, self._dtypes)]
        self._register(outputs, take)
        return self._dequeue_return_value(outputs)

    def _dequeue_n(self, n: Any, name: str, up_to: bool) -> Any:
        known = constant_value(n) if isinstance(n, Tensor) else np.asarray(n)
        count = convert_to_tensor(n, dtype=i32, name="n") if known is None else None
        batch = None if up_to or known is None else int(known)
        shapes = [_batched(batch, s) for s in self._shapes]
        outputs = self._outputs(name, shapes)
        op_name = outputs[0].op.name

        def take(state: QueueState, session: Any, got: list) -> list[np.ndarray]:
            self._many_needs_shapes(state, op_name)
            wanted = int(np.asarray(got[0])) if count is not None else int(known)
            if wanted < 0:
                raise InvalidArgumentError(f"Dequeue: n ({wanted}) must be >= 0 [[node {op_name}]]")
            return self._stack(state, state.dequeue(wanted, up_to, session), op_name)
        self._register(outputs, take, [count] if count is not None else [])
        return self._dequeue_return_value(outputs)

    def dequeue_many(self, n: Any, name: str | None = None) -> Any:
        """`n` elements stacked along a new dimension 0 (a PaddingFIFOQueue pads them to one shape)."""
        return self._dequeue_n(n, name or f"{self._name}_DequeueMany", up_to=False)

    def dequeue_up_to(self, n: Any, name: str | None = None) -> Any:
        """As dequeue_many, but a closed queue gives what it has left (at least one element)."""
        return self._dequeue_n(n, name or f"{self._name}_DequeueUpTo", up_to=True)

    # ---- the rest ------------------------------------------------------------------------------------
    def close(self, cancel_pending_enqueues: bool = False, name: str | None = None) -> Any:
        """An op closing the queue: later enqueues fail, dequeues drain it then raise OutOfRangeError."""
        op = make_op("dfc.no_op", [], name=name or f"{self._name}_Close")
        _host_device(op)
        cancel = bool(cancel_pending_enqueues)

        def run(session: Any, feeds: dict) -> None:
            self._state(session, self._selector_values(session, dict(feeds))).close(cancel)
        register_action(self._graph._dfc_ir(), op, run)
        return wrap_op(op)

    def size(self, name: str | None = None) -> Tensor:
        """The number of elements in the queue when a run reads it (int32)."""
        (out,) = self._outputs(name or f"{self._name}_Size", [TensorShape([])], [i32])
        self._register([out], lambda state, session, _: [np.array(state.size(), np.int32)])
        return out

    def is_closed(self, name: str | None = None) -> Tensor:
        """Whether the queue has been closed (bool)."""
        (out,) = self._outputs(name or f"{self._name}_Is_Closed", [TensorShape([])], [bool_])
        self._register([out], lambda state, session, _: [np.array(state.closed)])
        return out

    def __repr__(self) -> str:
        return f"<dfc.{type(self).__name__} '{self.name}' dtypes={[d.name for d in self._dtypes]}>"


def _queue_ref(name: str, shared_name: str | None) -> Tensor:
    ref = convert_to_tensor(np.int32(0), name=name)  # the queue's handle: its op carries the queue's name
    _host_device(ref.op._dfc_ir())
    return ref


def _make(queue: QueueBase, capacity: Any, shared_name: str | None) -> None:
    queue._capacity = None if capacity is None or int(capacity) < 0 else int(capacity)
    queue._shared_name = shared_name or None


class FIFOQueue(QueueBase):
    """Elements in first-in first-out order."""

    _kind = "FIFOQueue"

    def __init__(self, capacity: int, dtypes: Any, shapes: Any = None, names: Any = None,
                 shared_name: str | None = None, name: str = "fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes)
        names = _as_name_list(names, dtypes)
        super().__init__(dtypes, shapes, names, _queue_ref(name, shared_name))
        _make(self, capacity, shared_name)


class PaddingFIFOQueue(QueueBase):
    """A FIFOQueue whose components may have unknown dimensions; dequeue_many pads them with zeros."""

    _kind = "PaddingFIFOQueue"

    def __init__(self, capacity: int, dtypes: Any, shapes: Any, names: Any = None, shared_name: str | None = None,
                 name: str = "padding_fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, unknown_dim_allowed=True)
        names = _as_name_list(names, dtypes)
        if len(dtypes) != len(shapes):
            raise ValueError(f"Shapes must be provided for all components, but received {len(dtypes)} dtypes and "
                             f"{len(shapes)} shapes.")
        super().__init__(dtypes, shapes, names, _queue_ref(name, shared_name))
        _make(self, capacity, shared_name)


class PriorityQueue(QueueBase):
    """Elements in ascending order of their first component, an int64 priority the enqueuer gives first."""

    _kind = "PriorityQueue"

    def __init__(self, capacity: int, types: Any, shapes: Any = None, names: Any = None,
                 shared_name: str | None = None, name: str = "priority_queue"):
        types = _as_type_list(types)
        shapes = _as_shape_list(shapes)
        if shapes is None:
            raise TypeError("Expected list for 'shapes' argument to 'priority_queue_v2' Op, not None.")
        names = _as_name_list(names, [i64, *types]) if names is not None else None
        super().__init__([i64, *types], [TensorShape([]), *shapes], names, _queue_ref(name, shared_name))
        _make(self, capacity, shared_name)


class RandomShuffleQueue(QueueBase):
    """Elements dequeued in random order; a dequeue waits until more than `min_after_dequeue` are left (until
    the queue is closed)."""

    _kind = "RandomShuffleQueue"

    def __init__(self, capacity: int, min_after_dequeue: int, dtypes: Any, shapes: Any = None, names: Any = None,
                 seed: int | None = None, shared_name: str | None = None, name: str = "random_shuffle_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes)
        names = _as_name_list(names, dtypes)
        super().__init__(dtypes, shapes, names, _queue_ref(name, shared_name))
        _make(self, capacity, shared_name)
        self._min_after_dequeue = int(min_after_dequeue)
        graph_seed = get_default_graph().seed
        self._seed = get_seed(seed) if seed is not None or graph_seed is not None else None
