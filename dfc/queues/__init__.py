"""TF1's queues and what is built on them: FIFOQueue and friends, ConditionalAccumulator, their per-session state."""

from .accumulator import ConditionalAccumulator, ConditionalAccumulatorBase
from .data_flow import FIFOQueue, PaddingFIFOQueue, PriorityQueue, QueueBase, RandomShuffleQueue
from .sync_replicas import SyncReplicasOptimizer

__all__ = ["ConditionalAccumulator", "ConditionalAccumulatorBase", "FIFOQueue", "PaddingFIFOQueue", "PriorityQueue",
           "QueueBase", "RandomShuffleQueue", "SyncReplicasOptimizer"]
