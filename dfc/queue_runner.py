"""tf.train.queue_runner: TF1's module of QueueRunner, add_queue_runner and start_queue_runners."""

from .input_queues import QueueRunner, add_queue_runner, start_queue_runners

__all__ = ["QueueRunner", "add_queue_runner", "start_queue_runners"]
