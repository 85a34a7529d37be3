"""tf.contrib.training's queue-based bucketing and sampling: bucket, bucket_by_sequence_length and stratified_sample.

As tf.train.batch in dfc (dfc/input_queues.py), the batches are made on the host when a run needs one: examples
are run one at a time and go to their bucket; the first bucket holding its batch size gives the batch (TF's
bucket queues feed one top queue the same way). At the end of the input, allow_smaller_final_batch gives the
buckets' remainders, lowest bucket first. stratified_sample keeps each example with TF's rejection-sampling
probability target[c] / init[c] scaled so the likeliest kept class is always kept (init estimated from the
labels seen when not given), and batches the kept ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfc.ir.errors import OutOfRangeError

from ..framework import TensorShape, convert_to_tensor, get_default_graph, name_scope
from ..input_queues import _Batcher, _dequeue, _flatten, _padded_stack


class _BucketBatcher(_Batcher):
    """Examples whose first entry is the bucket index, batched per bucket."""

    def __init__(self, flat, batch_sizes: list[int], allow_smaller: bool, name: str, pad: bool, keep=None):
        super().__init__(flat, max(batch_sizes), False, allow_smaller, name, keep=keep, pad=pad)
        self._sizes = batch_sizes

    def pull(self, session: Any) -> list[np.ndarray]:
        with self._lock:
            state = self._state.setdefault(session, {"buckets": [[] for _ in self._sizes], "closed": False})
            buckets = state["buckets"]
            while True:
                full = [i for i, b in enumerate(buckets) if len(b) >= self._sizes[i]]
                if full:
                    chosen = buckets[full[0]][:self._sizes[full[0]]]
                    del buckets[full[0]][:self._sizes[full[0]]]
                    break
                if state["closed"]:
                    left = [i for i, b in enumerate(buckets) if b]
                    if not self._allow_smaller or not left:
                        raise OutOfRangeError(f"Bucket queues of '{self._name}' are closed and no bucket holds a "
                                              f"full batch")
                    chosen, buckets[left[0]] = buckets[left[0]], []
                    break
                try:
                    for example in self._examples(session):
                        bucket = int(example[0])
                        if not 0 <= bucket < len(buckets):
                            from dfc.ir.errors import InvalidArgumentError
                            raise InvalidArgumentError(f"{self._name}: which_bucket {bucket} is not in "
                                                       f"[0, {len(buckets)})")
                        buckets[bucket].append(example)
                except OutOfRangeError:
                    state["closed"] = True
            stack = _padded_stack if self._pad else np.stack
            return [stack([example[i] for example in chosen]) for i in range(len(self._flat))]


def bucket(tensors, which_bucket, batch_size, num_buckets: int, num_threads: int = 1, capacity: int = 32,
           bucket_capacities=None, shapes=None, dynamic_pad: bool = False, allow_smaller_final_batch: bool = False,
           keep_input=True, shared_name=None, name=None):
    """(the batch's bucket index, the batch of `tensors`): examples batched with others of their bucket
    (which_bucket, an int32 scalar in [0, num_buckets)); batch_size an int or one per bucket."""
    del num_threads, capacity, bucket_capacities, shared_name  # queue sizes: dfc's batches are made on demand
    sizes = list(batch_size) if isinstance(batch_size, (list, tuple)) else [int(batch_size)] * int(num_buckets)
    if len(sizes) != int(num_buckets):
        raise ValueError(f"batch_size has {len(sizes)} entries but there are {num_buckets} buckets")
    flat, rebuild = _flatten(tensors)
    which = convert_to_tensor(which_bucket)
    graph = get_default_graph()
    keep = None if keep_input is True else convert_to_tensor(keep_input)
    shape_list = list(shapes) if shapes is not None else None
    out_shapes = [[None if allow_smaller_final_batch or len(set(sizes)) > 1 else sizes[0]]]
    for i, t in enumerate(flat):
        shape = TensorShape(shape_list[i]) if shape_list is not None else t.shape
        if not dynamic_pad and (shape.ndims is None or not shape.is_fully_defined()):
            raise ValueError(f"All shapes must be fully defined: {t.name} has shape {shape} (pass shapes=)")
        out_shapes.append([out_shapes[0][0], *(shape.as_list() if shape.ndims is not None else [])])
    with name_scope(name, "bucket") as scope:
        batcher = _BucketBatcher([which, *flat], sizes, allow_smaller_final_batch, f"{scope}bucket_queue",
                                 dynamic_pad, keep)
        outs = _dequeue(graph, [which.dtype, *(t.dtype for t in flat)], out_shapes, batcher.pull)
        return outs[0], rebuild(outs[1:])


def bucket_by_sequence_length(input_length, tensors, batch_size, bucket_boundaries, num_threads: int = 1,
                              capacity: int = 32, bucket_capacities=None, shapes=None, dynamic_pad: bool = False,
                              allow_smaller_final_batch: bool = False, keep_input=True, shared_name=None, name=None):
    """(the batch's input lengths, the batch of `tensors`), examples bucketed by input_length: bucket i holds
    lengths in [boundaries[i - 1], boundaries[i]) (the first from -inf, the last to +inf)."""
    if not isinstance(bucket_boundaries, (list, tuple)):
        raise TypeError(f"bucket_boundaries must be a list or tuple, but received: {bucket_boundaries}")
    if not bucket_boundaries:
        raise ValueError("bucket_boundaries must not be empty")
    for s, e in zip(bucket_boundaries[:-1], bucket_boundaries[1:]):
        if not isinstance(s, int) or not isinstance(e, int):
            raise TypeError(f"bucket boundaries must be integers, but saw: {s} and {e}")
        if s >= e:
            raise ValueError(f"Buckets must contain sequential increasing lengths, but saw: {s} before {e}")
    from ..math_ops import cast, reduce_sum
    with name_scope(name, "bucket_by_sequence_length", []):
        length = convert_to_tensor(input_length)
        boundaries = convert_to_tensor(np.asarray(bucket_boundaries, length.dtype.np))
        which = reduce_sum(cast(boundaries <= length, "int32"))  # how many boundaries lie at or below the length
        flat, rebuild = _flatten(tensors)
        _, batched = bucket([length, *flat], which, batch_size, len(bucket_boundaries) + 1, num_threads, capacity,
                            bucket_capacities, None if shapes is None else [[], *shapes], dynamic_pad,
                            allow_smaller_final_batch, keep_input, shared_name, "bucket")
        return batched[0], rebuild(batched[1:])


class _StratifiedBatcher(_Batcher):
    """Examples (label first) kept with TF's rejection-sampling probabilities, then batched in order."""

    def __init__(self, flat, batch_size: int, name: str, target: np.ndarray, init: np.ndarray | None, seed):
        super().__init__(flat, batch_size, False, False, name)
        self._target, self._init, self._seed = target, init, seed

    def _examples(self, session: Any) -> list[list[np.ndarray]]:
        state = self._state[session]
        counts = state.setdefault("counts", np.zeros(len(self._target)))
        rng = state.setdefault("draws", np.random.default_rng(self._seed))
        kept = []
        for example in super()._examples(session):
            label = int(example[0])
            if not 0 <= label < len(self._target):
                from dfc.ir.errors import InvalidArgumentError
                raise InvalidArgumentError(f"{self._name}: label {label} is not in [0, {len(self._target)})")
            counts[label] += 1
            init = self._init if self._init is not None else counts / counts.sum()
            ratio = np.divide(self._target, init, out=np.zeros_like(self._target), where=init > 0)
            if rng.random() < ratio[label] / ratio.max():
                kept.append(example)
        return kept


def stratified_sample(tensors, labels, target_probs, batch_size: int, init_probs=None, enqueue_many: bool = False,
                      queue_capacity: int = 16, threads_per_queue: int = 1, name=None):
    """(data batch, label batch) whose labels follow target_probs: each example kept with probability
    target[label] / init[label] over the largest such ratio (init_probs estimated online when None)."""
    del queue_capacity, threads_per_queue
    if enqueue_many:
        raise ValueError("stratified_sample: enqueue_many=True is not supported")
    target = np.asarray(target_probs, np.float64)
    if target.ndim != 1 or (target < 0).any() or not np.isclose(target.sum(), 1.0):
        raise ValueError(f"target_probs must be a 1-D list of probabilities summing to 1, got {target_probs}")
    init = None if init_probs is None else np.asarray(init_probs, np.float64)
    if init is not None and (init.shape != target.shape or not np.isclose(init.sum(), 1.0)):
        raise ValueError(f"init_probs must be probabilities of the {len(target)} classes, got {init_probs}")
    flat, rebuild = _flatten(tensors)
    label = convert_to_tensor(labels)
    if label.shape.ndims not in (0, None):
        raise ValueError(f"labels {label.name} must be a scalar (one example), got {label.shape}")
    from ..scopes import get_seed
    with name_scope(name, "stratified_sample") as scope:
        batcher = _StratifiedBatcher([label, *flat], batch_size, f"{scope}batch_queue", target, init,
                                     list(get_seed(None)))
        shapes = [[int(batch_size)]] + [[int(batch_size), *t.shape.as_list()] for t in flat]
        for t in flat:
            if not t.shape.is_fully_defined():
                raise ValueError(f"All shapes must be fully defined: {t.name} has shape {t.shape}")
        outs = _dequeue(get_default_graph(), [label.dtype, *(t.dtype for t in flat)], shapes, batcher.pull)
        return rebuild(outs[1:]), outs[0]


__all__ = ["bucket", "bucket_by_sequence_length", "stratified_sample"]
