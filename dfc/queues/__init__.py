"""TF1's queues and what is built on them: FIFOQueue and friends, ConditionalAccumulator, their per-session state."""

from .data_flow import FIFOQueue, PaddingFIFOQueue, PriorityQueue, QueueBase, RandomShuffleQueue

__all__ = ["FIFOQueue", "PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue"]
