"""slim's prefetch_queue: batches dequeued ahead by QueueRunner threads into a small FIFOQueue (one per tower)."""

from __future__ import annotations

from typing import Any

from ..framework import convert_to_tensor, name_scope
from ..math_ops import cast
from ..queues.data_flow import FIFOQueue
from ..queues.runner import QueueRunner, add_queue_runner


def prefetch_queue(tensors: Any, capacity: int = 8, num_threads: int = 1, dynamic_pad: bool = False,
                   shared_name: str | None = None, name: str | None = None) -> FIFOQueue:
    """A FIFOQueue of `capacity` that num_threads QueueRunner threads fill with `tensors` (a list or a dict of
    tensors, each run of the enqueue evaluating them once); `queue.dequeue()` gives them back in their
    structure. Started by tf.train.start_queue_runners, as TF's."""
    if dynamic_pad:
        raise NotImplementedError("prefetch_queue(dynamic_pad=True) is not supported by dfc (a PaddingFIFOQueue)")
    if isinstance(tensors, dict):
        names = sorted(tensors)
        tensor_list = [convert_to_tensor(tensors[k]) for k in names]
    else:
        names = None
        tensor_list = [convert_to_tensor(t) for t in tensors]
    with name_scope(name, "prefetch_queue", tensor_list) as scope:
        queue = FIFOQueue(capacity, dtypes=[t.dtype for t in tensor_list], shapes=[t.shape for t in tensor_list],
                          names=names, shared_name=shared_name, name="fifo_queue")
        enqueue = queue.enqueue(dict(zip(names, tensor_list)) if names else tensor_list)
        add_queue_runner(QueueRunner(queue, [enqueue] * num_threads))
        from ..summary import scalar
        scalar(f"{scope}fraction_of_{capacity}_full", cast(queue.size(), "float32") * (1.0 / capacity))
    return queue


__all__ = ["prefetch_queue"]
