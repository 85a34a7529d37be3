"""TF1's queue-based input (tf.train.slice_input_producer, batch, shuffle_batch, QueueRunner, start_queue_runners).

TF fills FIFO queues from threads (QueueRunners). dfc fills each dequeued value on the host when
a run needs it (a host-fed source, runtime/host_feeds.py): a producer hands out the next slice,
a batch runs its input tensors once per example (through the producers) and stacks them. So the
values and their order per epoch are TF's, no thread is needed, and start_queue_runners has
nothing of dfc's to start (it starts the QueueRunners a script made over its own queues,
dfc/queues/). The end of the
input is TF's OutOfRangeError, and `num_epochs` counts epochs in a local variable, as TF's does:
run tf.local_variables_initializer() first.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dfc.ir.dtypes import i64
from dfc.ir.errors import FailedPreconditionError, InvalidArgumentError, OutOfRangeError
from dfc.runtime.host_feeds import register_source

from .framework import Tensor, TensorShape, constant_value, convert_to_tensor, get_default_graph, name_scope
from .queues.runner import QUEUE_RUNNERS, QueueRunner, add_queue_runner, start_queue_runners  # noqa: F401
from .scopes import get_seed


# ---- producers --------------------------------------------------------------------------------------
class _Producer:
    """Hands out the slices of fixed arrays, epoch after epoch (shuffled per epoch if asked), per session."""

    def __init__(self, arrays: Callable[[Any], list[np.ndarray]], num_epochs: int | None, shuffle: bool,
                 seed: int | None, name: str, epochs_variable: Any):
        self._arrays = arrays
        self._num_epochs = num_epochs
        self._shuffle = shuffle
        graph_seed, op_seed = get_seed(seed)
        self._seed = (graph_seed, op_seed)
        self._name = name
        self._epochs = epochs_variable
        self._state: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.RLock()

    def pull(self, session: Any) -> list[np.ndarray]:
        with self._lock:
            state = self._state.get(session)
            if state is None:
                values = self._arrays(session)
                n = len(values[0]) if values else 0
                if any(len(v) != n for v in values):
                    raise ValueError(f"{self._name}: all tensors must have the same size in the first dimension, got "
                                     f"{[len(v) for v in values]}")
                state = self._state[session] = {"values": values, "order": [], "rng":
                                                np.random.default_rng(list(self._seed))}
            if not state["order"]:
                self._next_epoch(session, state)
            index = state["order"].pop(0)
            return [np.asarray(v[index]) for v in state["values"]]

    def _next_epoch(self, session: Any, state: dict) -> None:
        if self._epochs is not None:
            name = self._epochs.op.name
            if not session.store.is_initialized(name):
                raise FailedPreconditionError(f"Attempting to use uninitialized value {name} (the epoch counter of "
                                              f"{self._name}): run tf.local_variables_initializer() first")
            done = int(np.asarray(session.store.read(name)))
            if done >= self._num_epochs:
                raise OutOfRangeError(f"FIFOQueue '{self._name}' is closed and has insufficient elements (requested "
                                      f"1, current size 0)")
            session.store.write(name, np.array(done + 1, np.int64))
        n = len(state["values"][0])
        if n == 0:
            raise OutOfRangeError(f"{self._name}: nothing to produce (the input has no elements)")
        order = state["rng"].permutation(n).tolist() if self._shuffle else list(range(n))
        state["order"] = order


def _epochs_variable(num_epochs: int | None) -> Any:
    if num_epochs is None:
        return None
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    from .variables import Variable
    with name_scope("limit_epochs"):
        return Variable(np.int64(0), trainable=False, collections=["local_variables"], name="epochs", dtype=i64)


def _host_values(tensors: list[Tensor]) -> Callable[[Any], list[np.ndarray]]:
    """The arrays of `tensors`, from their constants or evaluated in the session on first use."""
    from .framework import constant_value
    known = [constant_value(t) for t in tensors]
    if all(k is not None for k in known):
        arrays = [np.asarray(k) for k in known]
        return lambda session: arrays
    return lambda session: [np.asarray(v) for v in session.run(list(tensors))]


def _dequeue(graph: Any, dtypes: list, shapes: list, pull: Callable[[Any], list[np.ndarray]],
             first_name: str | None = None) -> list[Tensor]:
    """Placeholders the host fills with pull(session); the first named `first_name` exactly (TF's 'batch:0')."""
    from dfc.ir.types import TensorType

    from .array_ops import placeholder
    from .framework import make_op, wrap
    outputs = []
    for i, (dtype, shape) in enumerate(zip(dtypes, shapes)):
        if i == 0 and first_name:
            dims = TensorShape(shape)
            ttype = TensorType(dtype, None if dims.ndims is None else tuple(dims.as_list()))
            outputs.append(wrap(make_op("dfc.placeholder", [], name=first_name, result_types=[ttype],
                                        exact_name=True).results[0]))
        else:
            outputs.append(placeholder(dtype, shape, name="dequeue" if i == 0 else f"dequeue_{i}"))

    def filled(session: Any) -> list[np.ndarray]:
        return [np.asarray(v, dtype=d.np) for v, d in zip(pull(session), dtypes)]
    register_source(graph._dfc_ir(), [t._dfc_ir() for t in outputs], filled)
    return outputs


def slice_input_producer(tensor_list: Sequence[Any], num_epochs: int | None = None, shuffle: bool = True,
                         seed: int | None = None, capacity: int = 32, shared_name: str | None = None,
                         name: str | None = None) -> list[Tensor]:
    """One slice (along the first dim) of every tensor of `tensor_list` per run, all from the same row."""
    tensors = [convert_to_tensor(t) for t in tensor_list]
    if not tensors:
        raise ValueError("Expected at least one tensor in slice_input_producer().")
    graph = get_default_graph()
    with name_scope(name, "input_producer") as scope:
        with name_scope("input_producer"):  # TF's range_input_producer inside slice_input_producer's scope
            epochs = _epochs_variable(num_epochs)
        producer = _Producer(_host_values(tensors), num_epochs, shuffle, seed, f"{scope}input_producer", epochs)
        return _dequeue(graph, [t.dtype for t in tensors], [t.shape[1:] if t.shape.ndims else None for t in tensors],
                        producer.pull)


def range_input_producer(limit: int, num_epochs: int | None = None, shuffle: bool = True, seed: int | None = None,
                         capacity: int = 32, shared_name: str | None = None, name: str | None = None) -> Any:
    """A queue of the integers 0 .. limit-1 (shuffled per epoch if asked); dequeue() gives one per run."""
    if isinstance(limit, Tensor) or hasattr(limit, "_as_tensor"):
        # the PTB reader passes tf.identity(epoch_size) under an assert: a value the graph fixes
        known = _value_fixed_by_graph(convert_to_tensor(limit))
        if known is None:
            raise ValueError(f"range_input_producer: the limit {convert_to_tensor(limit).name} must have a value "
                             f"known when the graph is built (dfc makes the queue's contents then)")
        limit = int(known)
    with name_scope(name, "input_producer") as scope:
        (value,) = slice_input_producer([np.arange(int(limit), dtype=np.int32)], num_epochs, shuffle, seed,
                                        capacity, shared_name, name=None)
    return _ProducerQueue(value, scope[:-1])


def _value_fixed_by_graph(t: Tensor) -> np.ndarray | None:
    """t's value when the graph alone fixes it (constants and pure ops on them, checks included), else None.

    Evaluated once on the interpreter, so a failing check (the PTB reader's assert_positive) raises here."""
    from dfc.ir.ops import get_op_def

    known = constant_value(t)
    if known is not None:
        return known
    seen, todo = set(), [t.op._dfc_ir()]
    while todo:
        op = todo.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type in ("dfc.placeholder", "dfc.variable") or op.regions or (
                get_op_def(op.type).stateful and op.type != "dfc.assert"):
            return None
        todo.extend(v.op for v in op.operands if v.op is not None)
    from .session import Session

    with Session(graph=t.graph, backend="interpreter") as session:
        return np.asarray(session.run(t))


class _ProducerQueue:
    """What tf.train.input_producer returns: a queue of the input's rows to dequeue from."""

    def __init__(self, element: Tensor, name: str):
        self._element = element
        self.name = name

    def dequeue(self, name: str | None = None) -> Tensor:
        return self._element

    def dequeue_many(self, n: int, name: str | None = None) -> Tensor:
        return batch([self._element], n, name=name)[0]


def input_producer(input_tensor: Any, element_shape: Any = None, num_epochs: int | None = None,
                   shuffle: bool = True, seed: int | None = None, capacity: int = 32, shared_name: str | None = None,
                   summary_name: str | None = None, name: str | None = None, cancel_op: Any = None) -> _ProducerQueue:
    """A queue of the rows of `input_tensor` (tf.train.input_producer); dequeue() gives one per run."""
    with name_scope(name, "input_producer") as scope:
        (element,) = slice_input_producer([input_tensor], num_epochs, shuffle, seed, capacity, shared_name)
    return _ProducerQueue(element, scope[:-1])


def limit_epochs(tensor: Any, num_epochs: int | None = None, name: str | None = None) -> Tensor:
    """`tensor`, for num_epochs runs; then OutOfRangeError (TF's counter is a local variable, as here)."""
    tensor = convert_to_tensor(tensor)
    if num_epochs is None:
        return tensor
    graph = get_default_graph()
    with name_scope(name, "limit_epochs"):
        epochs = _epochs_variable_plain(num_epochs)
        name_of = epochs.op.name
        values = _host_values([tensor])

        def pull(session: Any) -> list[np.ndarray]:
            if not session.store.is_initialized(name_of):
                raise FailedPreconditionError(f"Attempting to use uninitialized value {name_of}: run "
                                              f"tf.local_variables_initializer() first")
            done = int(np.asarray(session.store.read(name_of)))
            if done >= num_epochs:
                raise OutOfRangeError(f"Reached limit of {num_epochs}")
            session.store.write(name_of, np.array(done + 1, np.int64))
            return values(session)
        (out,) = _dequeue(graph, [tensor.dtype], [tensor.shape], pull)
        return out


def _epochs_variable_plain(num_epochs: int) -> Any:
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    from .variables import Variable
    return Variable(np.int64(0), trainable=False, collections=["local_variables"], name="epochs", dtype=i64)


# ---- batching -----------------------------------------------------------------------------------------
def _tensor(value: Any) -> Any:
    from .sparse.tensor import SparseTensor
    return value if isinstance(value, SparseTensor) else convert_to_tensor(value)


def _flatten(tensors: Any) -> tuple[list[Tensor], Callable[[list], Any]]:
    if isinstance(tensors, dict):
        keys = sorted(tensors)
        flat = [_tensor(tensors[k]) for k in keys]
        return flat, lambda outs: dict(zip(keys, outs))
    if isinstance(tensors, (Tensor,)) or not isinstance(tensors, (list, tuple)):
        return [_tensor(tensors)], lambda outs: outs[0]
    flat = [_tensor(t) for t in tensors]
    # TF's: a list of one tensor gives the batched tensor itself
    return flat, lambda outs: outs[0] if len(outs) == 1 else list(outs)


class _Batcher:
    """Runs the example tensors once per example (enqueue_many: once per batch of examples) and stacks them."""

    def __init__(self, flat: list[Tensor], batch_size: int, enqueue_many: bool, allow_smaller: bool, name: str,
                 shuffle: tuple[int, int, Any] | None = None, keep: Tensor | None = None, pad: bool = False):
        self._flat = flat
        self._pad = pad  # dynamic_pad: examples padded to the batch's largest shape (TF's PaddingFIFOQueue)
        self._keep = keep  # maybe_batch's keep_input: the examples it is False for are dropped
        self._batch_size = int(batch_size)
        self._enqueue_many = enqueue_many
        self._allow_smaller = allow_smaller
        self._name = name
        self._shuffle = shuffle  # (capacity, min_after_dequeue, seed) for shuffle_batch
        self._state: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.RLock()

    def _examples(self, session: Any) -> list[list[np.ndarray]]:
        values = session.run(list(self._flat) + ([self._keep] if self._keep is not None else []))
        keep = np.asarray(values.pop()) if self._keep is not None else None
        if not self._enqueue_many:
            return [[_array(v) for v in values]] if keep is None or bool(keep) else []
        n = len(values[0])
        if keep is not None and keep.ndim == 1 and len(keep) != n:
            raise InvalidArgumentError(f"{self._name}: keep_input has {len(keep)} entries for a batch of {n} "
                                       f"examples")
        return [[np.asarray(v[i]) for v in values] for i in range(n)
                if keep is None or bool(keep if keep.ndim == 0 else keep[i])]

    def pull(self, session: Any) -> list[np.ndarray]:
        with self._lock:
            state = self._state.setdefault(session, {"buffer": [], "closed": False,
                                                     "rng": np.random.default_rng(
                                                         list(self._shuffle[2]) if self._shuffle else 0)})
            buffer: list = state["buffer"]
            wanted = self._batch_size
            if self._shuffle is not None:
                wanted = max(wanted, self._shuffle[1] + self._batch_size)
            while not state["closed"] and len(buffer) < wanted:
                try:
                    buffer.extend(self._examples(session))
                except OutOfRangeError:
                    state["closed"] = True
            if len(buffer) < self._batch_size and (not self._allow_smaller or not buffer):
                raise OutOfRangeError(f"FIFOQueue '{self._name}' is closed and has insufficient elements (requested "
                                      f"{self._batch_size}, current size {len(buffer)})")
            take = min(self._batch_size, len(buffer))
            if self._shuffle is not None:
                picks = sorted(state["rng"].choice(len(buffer), size=take, replace=False).tolist(), reverse=True)
                chosen = [buffer.pop(i) for i in picks]
            else:
                chosen, buffer[:] = buffer[:take], buffer[take:]
            return [(_padded_stack if self._pad else np.stack)([example[i] for example in chosen])
                    for i in range(len(self._flat))]


def _array(value: Any) -> np.ndarray:
    """A fetched value as an array; a bytes scalar as an object (numpy's bytes dtype drops trailing zero bytes)."""
    return np.asarray(value, dtype=object) if isinstance(value, bytes) else np.asarray(value)


def _padded_stack(arrays: list[np.ndarray]) -> np.ndarray:
    """The arrays (of one rank) stacked, each padded at the end of every dim with zeros (b"" for strings)."""
    if any(a.ndim != arrays[0].ndim for a in arrays):
        raise InvalidArgumentError(f"Shape mismatch in tuple component: expected rank {arrays[0].ndim}, got "
                                   f"{[a.ndim for a in arrays]} (dynamic_pad batch)")
    dims = np.max([a.shape for a in arrays], axis=0) if arrays[0].ndim else ()
    strings = any(a.dtype.kind in "OSU" for a in arrays)  # as objects: a bytes dtype is as wide as the first
    out = np.full((len(arrays), *dims), b"" if strings else 0, dtype=object if strings else arrays[0].dtype)
    for i, a in enumerate(arrays):
        out[(i, *(slice(0, d) for d in a.shape))] = a if a.ndim else a[()]  # an object array holds the item itself
    return out


def _keep_input(keep_input: Any, enqueue_many: bool) -> Tensor | None:
    """maybe_batch's keep_input, checked as TF's _validate_keep_input does (None: keep every example)."""
    if keep_input is None:
        return None
    keep = convert_to_tensor(keep_input)
    if keep.shape.ndims is None:
        raise ValueError("`keep_input` dimensions must be known at graph construction.")
    if not enqueue_many and keep.shape.ndims == 1:
        raise ValueError("`keep_input` cannot be a vector when `enqueue_many=False`.")
    if keep.shape.ndims > 1:
        raise ValueError("`keep_input` must be 0 or 1 dimensions.")
    return keep


def _batched(tensors: Any, batch_size: int, enqueue_many: bool, shapes: Any, allow_smaller: bool, name: str | None,
             default_name: str, shuffle: tuple | None = None, keep_input: Any = None, pad: bool = False) -> Any:
    flat, rebuild = _flatten(tensors)
    if not flat:
        raise ValueError("Cannot batch an empty list of tensors")
    flat, restore = _store_sparse(flat, enqueue_many)
    if batch_size is None or int(batch_size) <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
    graph = get_default_graph()
    shape_list = list(shapes) if shapes is not None else None
    out_shapes = []
    for i, t in enumerate(flat):
        shape = TensorShape(shape_list[i]) if shape_list is not None else t.shape
        if enqueue_many:
            shape = shape[1:] if shape.ndims else TensorShape(None)
        if pad and shape.ndims is None:
            raise ValueError(f"Cannot infer Tensor's rank: {t.name} (dynamic_pad needs every rank known; pass shapes=)")
        if not pad and (shape.ndims is None or not shape.is_fully_defined()):
            raise ValueError(f"All shapes must be fully defined: {t.name} has shape {shape} (pass shapes=)")
        out_shapes.append([None if allow_smaller else int(batch_size), *shape.as_list()])
    with name_scope(name, default_name) as scope:
        queue_name = f"{scope}{'random_shuffle_queue' if shuffle else 'fifo_queue'}"
        batcher = _Batcher(flat, batch_size, enqueue_many, allow_smaller, queue_name, shuffle,
                           _keep_input(keep_input, enqueue_many), pad)
        outs = _dequeue(graph, [t.dtype for t in flat], out_shapes, batcher.pull, first_name=scope[:-1])
        return rebuild(restore(outs))


def _store_sparse(flat: list, enqueue_many: bool) -> tuple[list[Tensor], Callable[[list], list]]:
    """SparseTensors batched as TF's do: each example's serialized ([3] strings, serialize_sparse; enqueue_many:
    serialize_many_sparse's rows), the batch deserialized into one SparseTensor of one more dim."""
    from .sparse.serialize import deserialize_many_sparse, serialize_many_sparse, serialize_sparse
    from .sparse.tensor import SparseTensor
    sparse = {}
    for i, t in enumerate(flat):
        if isinstance(t, SparseTensor):
            rank = t.dense_shape.shape[0] if t.dense_shape.shape.ndims == 1 else None
            sparse[i] = (t.dtype, rank if rank is None or enqueue_many else rank + 1)
            flat[i] = serialize_many_sparse(t) if enqueue_many else serialize_sparse(t)

    def restore(outs: list) -> list:
        return [deserialize_many_sparse(o, *sparse[i]) if i in sparse else o for i, o in enumerate(outs)]
    return flat, restore


def batch(tensors: Any, batch_size: int, num_threads: int = 1, capacity: int = 32, enqueue_many: bool = False,
          shapes: Any = None, dynamic_pad: bool = False, allow_smaller_final_batch: bool = False,
          shared_name: str | None = None, name: str | None = None) -> Any:
    """`batch_size` examples of `tensors` (a list, a dict or one tensor) stacked, in the order they come;
    dynamic_pad: examples of different shapes padded with zeros (b"") to the largest of the batch."""
    return _batched(tensors, batch_size, enqueue_many, shapes, allow_smaller_final_batch, name, "batch",
                    pad=dynamic_pad)


def shuffle_batch(tensors: Any, batch_size: int, capacity: int, min_after_dequeue: int, num_threads: int = 1,
                  seed: int | None = None, enqueue_many: bool = False, shapes: Any = None,
                  allow_smaller_final_batch: bool = False, shared_name: str | None = None,
                  name: str | None = None) -> Any:
    """`batch_size` examples drawn at random from a buffer kept at least `min_after_dequeue` full."""
    if min_after_dequeue >= capacity:
        raise ValueError(f"min_after_dequeue ({min_after_dequeue}) must be less than capacity ({capacity})")
    graph_seed, op_seed = get_seed(seed)
    return _batched(tensors, batch_size, enqueue_many, shapes, allow_smaller_final_batch, name, "shuffle_batch",
                    shuffle=(capacity, min_after_dequeue, (graph_seed, op_seed)))


def batch_join(tensors_list: Sequence[Any], batch_size: int, capacity: int = 32, enqueue_many: bool = False,
               shapes: Any = None, dynamic_pad: bool = False, allow_smaller_final_batch: bool = False,
               shared_name: str | None = None, name: str | None = None) -> Any:
    """tf.train.batch over the first of several example lists (dfc runs one reader where TF runs one per list)."""
    return batch(tensors_list[0], batch_size, capacity=capacity, enqueue_many=enqueue_many, shapes=shapes,
                 dynamic_pad=dynamic_pad, allow_smaller_final_batch=allow_smaller_final_batch, name=name)


def shuffle_batch_join(tensors_list: Sequence[Any], batch_size: int, capacity: int, min_after_dequeue: int,
                       seed: int | None = None, enqueue_many: bool = False, shapes: Any = None,
                       allow_smaller_final_batch: bool = False, shared_name: str | None = None,
                       name: str | None = None) -> Any:
    """tf.train.shuffle_batch over the first of several example lists."""
    return shuffle_batch(tensors_list[0], batch_size, capacity, min_after_dequeue, seed=seed,
                         enqueue_many=enqueue_many, shapes=shapes,
                         allow_smaller_final_batch=allow_smaller_final_batch, name=name)


def maybe_batch(tensors: Any, keep_input: Any, batch_size: int, num_threads: int = 1, capacity: int = 32,
                enqueue_many: bool = False, shapes: Any = None, dynamic_pad: bool = False,
                allow_smaller_final_batch: bool = False, shared_name: str | None = None,
                name: str | None = None) -> Any:
    """tf.train.batch of the examples `keep_input` (a bool, or one per example with enqueue_many) keeps."""
    return _batched(tensors, batch_size, enqueue_many, shapes, allow_smaller_final_batch, name, "batch",
                    keep_input=keep_input, pad=dynamic_pad)


def maybe_shuffle_batch(tensors: Any, batch_size: int, capacity: int, min_after_dequeue: int, keep_input: Any,
                        num_threads: int = 1, seed: int | None = None, enqueue_many: bool = False, shapes: Any = None,
                        allow_smaller_final_batch: bool = False, shared_name: str | None = None,
                        name: str | None = None) -> Any:
    """tf.train.shuffle_batch of the examples `keep_input` keeps."""
    if min_after_dequeue >= capacity:
        raise ValueError(f"min_after_dequeue ({min_after_dequeue}) must be less than capacity ({capacity})")
    graph_seed, op_seed = get_seed(seed)
    return _batched(tensors, batch_size, enqueue_many, shapes, allow_smaller_final_batch, name, "shuffle_batch",
                    shuffle=(capacity, min_after_dequeue, (graph_seed, op_seed)), keep_input=keep_input)


def maybe_batch_join(tensors_list: Sequence[Any], keep_input: Any, batch_size: int, capacity: int = 32,
                     enqueue_many: bool = False, shapes: Any = None, dynamic_pad: bool = False,
                     allow_smaller_final_batch: bool = False, shared_name: str | None = None,
                     name: str | None = None) -> Any:
    """tf.train.batch_join of the examples `keep_input` keeps."""
    return maybe_batch(tensors_list[0], keep_input, batch_size, capacity=capacity, enqueue_many=enqueue_many,
                       shapes=shapes, dynamic_pad=dynamic_pad, allow_smaller_final_batch=allow_smaller_final_batch,
                       name=name)


def maybe_shuffle_batch_join(tensors_list: Sequence[Any], batch_size: int, capacity: int, min_after_dequeue: int,
                             keep_input: Any, seed: int | None = None, enqueue_many: bool = False, shapes: Any = None,
                             allow_smaller_final_batch: bool = False, shared_name: str | None = None,
                             name: str | None = None) -> Any:
    """tf.train.shuffle_batch_join of the examples `keep_input` keeps."""
    return maybe_shuffle_batch(tensors_list[0], batch_size, capacity, min_after_dequeue, keep_input, seed=seed,
                               enqueue_many=enqueue_many, shapes=shapes,
                               allow_smaller_final_batch=allow_smaller_final_batch, name=name)


__all__ = ["QueueRunner", "add_queue_runner", "batch", "batch_join", "input_producer", "limit_epochs", "maybe_batch",
           "maybe_batch_join", "maybe_shuffle_batch", "maybe_shuffle_batch_join",
           "range_input_producer", "shuffle_batch", "shuffle_batch_join", "slice_input_producer",
           "start_queue_runners"]

