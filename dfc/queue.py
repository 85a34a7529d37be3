"""tf.queue: TF1's queue classes under their module name (tf.queue.FIFOQueue is tf.FIFOQueue)."""

from .queues import FIFOQueue, PaddingFIFOQueue, PriorityQueue, QueueBase, RandomShuffleQueue

__all__ = ["FIFOQueue", "PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue"]
