"""tf.train.SyncReplicasOptimizer: synchronous data-parallel training over ConditionalAccumulators and a token queue.

TF's design, kept: each worker's train op applies its gradients to one ConditionalAccumulator
per variable (shared by name across the cluster, stale ones dropped by local step) and takes a
token from the `sync_token_q` queue; the chief's queue runner takes the mean gradient of
`replicas_to_aggregate` replicas from every accumulator, applies it with the wrapped optimizer
(global_step + 1) and puts `max(total_num_replicas, replicas_to_aggregate)` tokens holding the
new global step, which become the workers' local steps.

As TF runs it, the train op's token dequeue follows its apply_grad (a control dependency).
dfc's queue ops run around the step (dfc/queues/data_flow.py), so the train op is a sink that,
after the step's gradients went to the accumulators, takes the token and writes the local step.
While the chief's queue runner runs in the session's container, a worker's train op returns
once the update its gradients joined is applied: a worker computes its next gradients on the
updated variables (TF's order when the chief keeps up), and one replica trains exactly as the
wrapped optimizer does.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from dfc.runtime.host_feeds import register_sink

from ..framework import convert_to_tensor, device, get_default_graph, make_op, name_scope, wrap_op
from ..optimizer import Optimizer
from ..session_run_hook import SessionRunHook
from .accumulator import ConditionalAccumulator
from .data_flow import FIFOQueue
from .runner import QueueRunner
from .state import local_resource, wait_on

__all__ = ["SyncReplicasOptimizer"]


class _Rounds:
    """How many updates the chief has applied in a container, and whether its queue runner runs there."""

    def __init__(self):
        self.latest: int | None = None  # the global step the chief's last update made
        self.chief_running = False
        self.cond = threading.Condition()

    def finished(self, step: int) -> None:
        with self.cond:
            self.latest = step
            self.cond.notify_all()

    def wait_past(self, step: int, session: Any) -> None:
        """Wait until an update made a global step past `step` (while the chief's runner runs)."""
        with self.cond:
            while self.chief_running and (self.latest is None or self.latest <= step):
                wait_on(self.cond, session, "SyncReplicas train op", "the chief's updates")


class _ChiefQueueRunner(QueueRunner):
    """The chief's queue runner: its sessions' workers wait for the updates it applies."""

    def __init__(self, queue: Any, enqueue_ops: list, rounds_key: Any):
        super().__init__(queue, enqueue_ops)
        self._rounds_key = rounds_key

    def create_threads(self, sess: Any, coord: Any = None, daemon: bool = False, start: bool = False) -> list:
        threads = super().create_threads(sess, coord=coord, daemon=daemon, start=start)
        if threads:
            rounds = local_resource(sess, self._rounds_key, _Rounds)
            rounds.chief_running = True
            if coord is not None:  # when the runner stops, workers no longer wait for its rounds
                def release() -> None:
                    coord.wait_for_stop()
                    with rounds.cond:
                        rounds.chief_running = False
                        rounds.cond.notify_all()
                watcher = threading.Thread(target=release, daemon=True, name="SyncReplicas-release")
                watcher.start()
        return threads


class SyncReplicasOptimizer(Optimizer):
    """Aggregates the gradients of `replicas_to_aggregate` replicas before the wrapped optimizer applies them."""

    def __init__(self, opt: Optimizer, replicas_to_aggregate: int, total_num_replicas: int | None = None,
                 variable_averages: Any = None, variables_to_average: Any = None, use_locking: bool = False,
                 name: str = "sync_replicas"):
        if total_num_replicas is None:
            total_num_replicas = replicas_to_aggregate
        super().__init__(use_locking, name)
        self._opt = opt
        self._replicas_to_aggregate = int(replicas_to_aggregate)
        self._total_num_replicas = int(total_num_replicas)
        self._tokens_per_step = max(self._total_num_replicas, self._replicas_to_aggregate)
        self._variable_averages = variable_averages
        self._variables_to_average = variables_to_average
        self._gradients_applied = False
        self._global_step = None
        self._sync_token_queue = None
        self._chief_queue_runner = None
        self._accumulator_list: list[tuple[ConditionalAccumulator, str]] = []
        self._local_step = None
        self.local_step_init_op = self.chief_init_op = self.ready_for_local_init_op = None

    def compute_gradients(self, *args: Any, **kwargs: Any) -> list:
        """The wrapped optimizer's gradients."""
        return self._opt.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars: Any, global_step: Any = None, name: str | None = None) -> Any:
        """The worker's train op (apply to the accumulators, take a token); makes the chief's ops too."""
        from ..array_ops import fill
        from ..variables import Variable, assign, global_variables, group, report_uninitialized_variables
        pairs = list(grads_and_vars)
        if not pairs:
            raise ValueError("Must supply at least one variable")
        if global_step is None:
            raise ValueError("Global step is required to check staleness")
        self._global_step = global_step
        graph = get_default_graph()
        with graph.as_default(), name_scope(None):
            self._local_step = Variable(np.zeros((), global_step.dtype.np), trainable=False,
                                        collections=["local_variables"], dtype=global_step.dtype,
                                        name="sync_rep_local_step")
        self.local_step_init_op = assign(self._local_step, global_step)
        chief_init_ops = [self.local_step_init_op]
        self.ready_for_local_init_op = report_uninitialized_variables(global_variables())
        train_ops, aggregated, var_list = [], [], []
        with name_scope(None, self._name):
            for grad, var in pairs:
                var_list.append(var)
                with device(var.device or None):
                    if grad is None:
                        aggregated.append(None)
                        continue
                    # TF's SparseConditionalAccumulator keeps an embedding's gradient sparse; dense here
                    grad = convert_to_tensor(grad)
                    accumulator = ConditionalAccumulator(grad.dtype, shape=var.shape,
                                                         shared_name=var.name + "/grad_accum")
                    train_ops.append(accumulator.apply_grad(grad, local_step=self._local_step._as_tensor()))
                    aggregated.append(accumulator.take_grad(self._replicas_to_aggregate))
                    self._accumulator_list.append((accumulator, var.device))
            with device(global_step.device or None):
                update_op = self._opt.apply_gradients(zip(aggregated, var_list), global_step)
                queue = FIFOQueue(-1, global_step.dtype, shapes=(), name="sync_token_q", shared_name="sync_token_q")
                self._sync_token_queue = queue
                train_op = self._worker_train_op(queue, train_ops, name)
                from ..framework import control_dependencies
                with control_dependencies([update_op]):
                    tokens = fill([self._tokens_per_step], global_step.read_value())
                    sync_op = queue.enqueue_many((tokens,))
                if self._variable_averages is not None:
                    with control_dependencies([sync_op]), name_scope(""):
                        sync_op = self._variable_averages.apply(self._variables_to_average)
                sync_op = self._noting_rounds(sync_op, tokens)
            self._chief_queue_runner = _ChiefQueueRunner(queue, [sync_op], self._rounds_key())
            for accumulator, dev in self._accumulator_list:
                with device(dev or None):
                    chief_init_ops.append(accumulator.set_global_step(global_step, name="SetGlobalStep"))
            self.chief_init_op = group(*chief_init_ops)
            self._gradients_applied = True
            return train_op

    def _rounds_key(self) -> tuple:
        return ("sync_rounds", "sync_token_q")

    def _worker_train_op(self, queue: FIFOQueue, train_ops: list, name: str | None) -> Any:
        """After the gradients went to the accumulators: wait for their update, take a token as the local step."""
        from ..framework import control_dependencies
        step = self._local_step
        with control_dependencies(train_ops):
            op = make_op("dfc.group", [step._as_tensor()._dfc_ir()], name=name or "train_op")
        variable = step.op.name
        key = self._rounds_key()

        def push(session: Any, arrays: list[np.ndarray]) -> None:
            local_resource(session, key, _Rounds).wait_past(int(arrays[0]), session)
            (token,) = queue._state(session).dequeue(None, False, session)[0]
            session.store.write(variable, np.asarray(token, step.dtype.np))
        register_sink(get_default_graph()._dfc_ir(), op, [step._as_tensor()._dfc_ir()], push)
        return wrap_op(op)

    def _noting_rounds(self, sync_op: Any, tokens: Any) -> Any:
        """sync_op, then a note of the global step its update made (what waiting workers look for)."""
        from ..framework import control_dependencies
        with control_dependencies([sync_op]):
            op = make_op("dfc.group", [tokens._dfc_ir()], name="sync_op")
        key = self._rounds_key()
        register_sink(get_default_graph()._dfc_ir(), op, [tokens._dfc_ir()],
                      lambda session, arrays: local_resource(session, key, _Rounds).finished(int(arrays[0][0])))
        return wrap_op(op)

    def get_chief_queue_runner(self) -> QueueRunner:
        if not self._gradients_applied:
            raise ValueError("Should be called after apply_gradients().")
        return self._chief_queue_runner

    def get_slot(self, *args: Any, **kwargs: Any) -> Any:
        return self._opt.get_slot(*args, **kwargs)

    def variables(self) -> list:
        return self._opt.variables()

    def get_slot_names(self, *args: Any, **kwargs: Any) -> list:
        return self._opt.get_slot_names(*args, **kwargs)

    def get_init_tokens_op(self, num_tokens: int = -1) -> Any:
        """The chief's op putting the first tokens (default replicas_to_aggregate) in the token queue."""
        from ..array_ops import fill
        from ..variables import no_op
        if not self._gradients_applied:
            raise ValueError("get_init_tokens_op() should be called after apply_gradients().")
        tokens_needed = self._replicas_to_aggregate - self._total_num_replicas
        if num_tokens == -1:
            num_tokens = self._replicas_to_aggregate
        elif num_tokens < tokens_needed:
            raise ValueError(f"Too few tokens to finish the first step: {num_tokens} (given) vs {tokens_needed} "
                             f"(needed)")
        if num_tokens > 0:
            with device(self._global_step.device or None), name_scope(""):
                tokens = fill([num_tokens], self._global_step._as_tensor())
                return self._sync_token_queue.enqueue_many((tokens,))
        return no_op()

    def make_session_run_hook(self, is_chief: bool, num_tokens: int = -1) -> SessionRunHook:
        """The hook that initializes the local step (and, on the chief, the tokens and the queue runner)."""
        return _SyncReplicasOptimizerHook(self, is_chief, num_tokens)


class _SyncReplicasOptimizerHook(SessionRunHook):
    def __init__(self, sync_optimizer: SyncReplicasOptimizer, is_chief: bool, num_tokens: int):
        self._sync_optimizer, self._is_chief, self._num_tokens = sync_optimizer, is_chief, num_tokens

    def begin(self) -> None:
        opt = self._sync_optimizer
        if opt._gradients_applied is False:
            raise ValueError("SyncReplicasOptimizer.apply_gradient should be called before using the hook.")
        if self._is_chief:
            self._local_init_op = opt.chief_init_op
            self._q_runner = opt.get_chief_queue_runner()
            self._init_tokens_op = opt.get_init_tokens_op(self._num_tokens)
        else:
            self._local_init_op = opt.local_step_init_op
            self._q_runner = None
            self._init_tokens_op = None
        self._ready_for_local_init_op = opt.ready_for_local_init_op

    def after_create_session(self, session: Any, coord: Any) -> None:
        missing = session.run(self._ready_for_local_init_op)
        if len(missing):
            names = ", ".join(n.decode() if isinstance(n, bytes) else str(n) for n in missing)
            raise RuntimeError(f"Init operations did not make model ready for SyncReplicasOptimizer local_init. "
                               f"Init op: {self._local_init_op.name}, error: Variables not initialized: {names}")
        session.run(self._local_init_op)
        if self._init_tokens_op is not None:
            session.run(self._init_tokens_op)
        if self._q_runner is not None:
            self._q_runner.create_threads(session, coord=coord, daemon=True, start=True)
