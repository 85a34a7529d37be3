"""tf.train: the core optimizers (gradient descent, momentum, Adagrad, RMSProp, Adam), schedules and sessions.

The Optimizer base is in optimizer.py, the other optimizers and ExponentialMovingAverage in
optimizers.py, the learning-rate schedules in learning_rate_decay.py; tf.train gathers them.
"""

from __future__ import annotations


from .framework import control_dependencies, get_default_graph
from .graph_def import write_graph  # noqa: F401 - tf.train.write_graph
from .file_ops import match_filenames_once  # noqa: F401 - tf.train.match_filenames_once
from .checkpoint_objects import Checkpoint, CheckpointManager  # noqa: F401 - tf.train's object-based checkpoints
from .warm_starting import VocabInfo, warm_start  # noqa: F401
from .math_ops import rsqrt, sqrt, square
from .learning_rate_decay import (cosine_decay, cosine_decay_restarts, exponential_decay, inverse_time_decay,
                                  linear_cosine_decay, natural_exp_decay, noisy_linear_cosine_decay,
                                  piecewise_constant,
                                  piecewise_constant_decay, polynomial_decay)
from .saver import CheckpointState, Saver, get_checkpoint_state, latest_checkpoint
from .meta_graph import export_meta_graph  # noqa: F401
from .saver import import_meta_graph  # noqa: F401
from .basic_session_run_hooks import (CheckpointSaverListener, FeedFnHook, FinalOpsHook,  # noqa: F401
                                      GlobalStepWaiterHook, LoggingTensorHook, NanLossDuringTrainingError,
                                      NanTensorHook, ProfilerHook, SecondOrStepTimer, StepCounterHook,
                                      SummarySaverHook)
from .coordinator import Coordinator, LooperThread  # noqa: F401
from . import queue_runner  # noqa: F401 - tf.train.queue_runner
from .input_queues import (maybe_batch, maybe_batch_join, maybe_shuffle_batch,  # noqa: F401
                           maybe_shuffle_batch_join)
from .queues.sync_replicas import SyncReplicasOptimizer  # noqa: F401
from .io_readers import string_input_producer  # noqa: F401
from .input_queues import (QueueRunner, add_queue_runner, batch, batch_join, input_producer,  # noqa: F401
                           limit_epochs, range_input_producer, shuffle_batch, shuffle_batch_join,
                           slice_input_producer, start_queue_runners)
from .supervisor import SessionManager, Supervisor, basic_train_loop  # noqa: F401
from .checkpoint_utils import (NewCheckpointReader, checkpoint_exists, checkpoints_iterator,  # noqa: F401
                               generate_checkpoint_state_proto, get_checkpoint_mtimes, init_from_checkpoint,
                               list_variables, load_checkpoint, load_variable, remove_checkpoint,
                               update_checkpoint_state)
from .train_cluster import (SessionCreator, SingularMonitoredSession,  # noqa: F401
                            CheckpointSaverHook, ChiefSessionCreator, ClusterSpec, MonitoredSession,
                            MonitoredTrainingSession, Scaffold, Server, SessionRunArgs, SessionRunContext,
                            SessionRunHook, SessionRunValues, StopAtStepHook, WorkerSessionCreator,
                            replica_device_setter)
from .summary import summary_iterator  # noqa: F401 - tf.train.summary_iterator
from .training_util import (GLOBAL_STEP, assert_global_step, create_global_step, get_global_step,  # noqa: F401
                            get_or_create_global_step, global_step)
from .optimizer import TRAIN_OP, Optimizer  # noqa: F401 - tf.train.Optimizer
from .optimizers import (AdadeltaOptimizer, AdagradDAOptimizer, ExponentialMovingAverage, FtrlOptimizer,
                         ProximalAdagradOptimizer, ProximalGradientDescentOptimizer)
from .variables import Variable, group

class GradientDescentOptimizer(Optimizer):
    """var -= lr * grad."""

    def __init__(self, learning_rate, use_locking: bool = False, name: str = "GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _prepare(self) -> None:
        self._lr = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return var.assign_sub(self._as(self._lr, var) * grad, use_locking=self._use_locking)


class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + grad; var -= lr * accum (Nesterov: var -= lr * (grad + momentum * accum))."""

    def __init__(self, learning_rate, momentum, use_locking: bool = False, name: str = "Momentum",
                 use_nesterov: bool = False):
        super().__init__(use_locking, name)
        self._learning_rate, self._momentum, self._use_nesterov = learning_rate, momentum, use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum")

    def _prepare(self) -> None:
        self._lr = self._hyper(self._learning_rate, "learning_rate")
        self._mom = self._hyper(self._momentum, "momentum")

    def _apply_dense(self, grad, var):
        lr, mom = self._as(self._lr, var), self._as(self._mom, var)
        accum = self.get_slot(var, "momentum")
        accum_t = accum * mom + grad
        # the assigns after the arithmetic (as Adam's): the update fuses into one kernel over var and its slot
        if self._use_nesterov:
            update = var.assign_sub(grad * lr + accum_t * mom * lr, use_locking=self._use_locking)
        else:
            update = var.assign_sub(lr * accum_t, use_locking=self._use_locking)
        return group(update, accum.assign(accum_t, use_locking=self._use_locking))


class AdagradOptimizer(Optimizer):
    """accum += grad^2; var -= lr * grad / sqrt(accum)."""

    def __init__(self, learning_rate, initial_accumulator_value: float = 0.1, use_locking: bool = False,
                 name: str = "Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate, self._initial = learning_rate, initial_accumulator_value

    def _create_slots(self, var_list):
        from .variables import constant_initializer
        for v in var_list:
            self._slot(v, "accumulator", constant_initializer(self._initial, dtype=v.dtype))

    def _prepare(self) -> None:
        self._lr = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        accum = self.get_slot(var, "accumulator")
        accum_t = accum + square(grad)
        update = var.assign_sub(self._as(self._lr, var) * grad * rsqrt(accum_t), use_locking=self._use_locking)
        return group(update, accum.assign(accum_t, use_locking=self._use_locking))


class RMSPropOptimizer(Optimizer):
    """ms = decay*ms + (1-decay)*grad^2; mom = momentum*mom + lr*grad/sqrt(ms + eps); var -= mom.

    Centered: also mg = decay*mg + (1-decay)*grad and the denominator is sqrt(ms - mg^2 + eps).
    """

    def __init__(self, learning_rate, decay: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-10,
                 use_locking: bool = False, centered: bool = False, name: str = "RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate, self._decay, self._momentum = learning_rate, decay, momentum
        self._epsilon, self._centered = epsilon, centered

    def _create_slots(self, var_list):
        from .variables import ones_initializer
        for v in var_list:
            self._slot(v, "rms", ones_initializer(dtype=v.dtype))  # TF1 starts the mean square at one
            if self._centered:
                self._zeros_slot(v, "mg")
            self._zeros_slot(v, "momentum")

    def _prepare(self) -> None:
        self._lr = self._hyper(self._learning_rate, "learning_rate")
        self._rho = self._hyper(self._decay, "decay")
        self._mom = self._hyper(self._momentum, "momentum")
        self._eps = self._hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        lr, rho, mom, eps = (self._as(t, var) for t in (self._lr, self._rho, self._mom, self._eps))
        ms = self.get_slot(var, "rms")
        ms_t = ms * rho + square(grad) * (1.0 - rho)
        slots = [(ms, ms_t)]
        denom = ms_t + eps
        if self._centered:
            mg = self.get_slot(var, "mg")
            mg_t = mg * rho + grad * (1.0 - rho)
            slots.append((mg, mg_t))
            denom = ms_t - square(mg_t) + eps
        moment = self.get_slot(var, "momentum")
        mom_t = moment * mom + lr * grad * rsqrt(denom)
        slots.append((moment, mom_t))
        # the assigns after the arithmetic (as Adam's): the update fuses into one kernel over var and its slots
        update = var.assign_sub(mom_t, use_locking=self._use_locking)
        return group(update, *(slot.assign(value, use_locking=self._use_locking) for slot, value in slots))


class AdamOptimizer(Optimizer):
    """m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; var -= lr*sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)."""

    _SPARSE_UPDATES_EVERY_ROW = True  # TF1's sparse Adam scales all of m and v, then adds the rows

    def __init__(self, learning_rate=0.001, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8,
                 use_locking: bool = False, name: str = "Adam"):
        super().__init__(use_locking, name)
        self._learning_rate, self._beta1, self._beta2, self._epsilon = learning_rate, beta1, beta2, epsilon

    def _create_slots(self, var_list):
        first = min(var_list, key=lambda v: v.name)  # TF colocates the beta powers with the first variable by name
        self._non_slot("beta1_power", self._beta1, first)
        self._non_slot("beta2_power", self._beta2, first)
        for v in var_list:
            self._zeros_slot(v, "m")
            self._zeros_slot(v, "v")

    def _get_beta_accumulators(self) -> tuple[Variable, Variable]:
        graph = get_default_graph()
        return self._non_slots[("beta1_power", graph.id)], self._non_slots[("beta2_power", graph.id)]

    def _prepare(self) -> None:
        self._lr = self._hyper(self._learning_rate, "learning_rate")
        self._b1 = self._hyper(self._beta1, "beta1")
        self._b2 = self._hyper(self._beta2, "beta2")
        self._eps = self._hyper(self._epsilon, "epsilon")
        self._coefficients_made: dict = {}

    def _coefficients(self, var) -> tuple:
        """(b1, 1 - b1, b2, 1 - b2, eps, lr_t) in var's dtype: made once per dtype and device for every update.

        TF's ApplyAdam computes lr_t inside each variable's kernel; made per variable here they cost
        a dozen DSL ops each (CSE merged them again, but only after building, keying and pruning them).
        """
        key = (var.dtype, var.device)
        made = self._coefficients_made.get(key)
        if made is None:
            lr, b1, b2, eps = (self._as(t, var) for t in (self._lr, self._b1, self._b2, self._eps))
            b1_power, b2_power = (self._as(p._as_tensor(), var) for p in self._get_beta_accumulators())
            lr_t = lr * sqrt(1.0 - b2_power) / (1.0 - b1_power)
            made = self._coefficients_made[key] = (b1, 1.0 - b1, b2, 1.0 - b2, eps, lr_t)
        return made

    def _apply_dense(self, grad, var):
        b1, one_minus_b1, b2, one_minus_b2, eps, lr_t = self._coefficients(var)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_t = m * b1 + grad * one_minus_b1
        v_t = v * b2 + square(grad) * one_minus_b2
        # the three assigns after all the arithmetic (the values are those TF's assigns return): the fuse pass
        # then makes the whole update one kernel that reads m, v, var and the gradient once (TF's ApplyAdam)
        var_update = var.assign_sub(lr_t * m_t / (sqrt(v_t) + eps), use_locking=self._use_locking)
        return group(var_update, m.assign(m_t, use_locking=self._use_locking),
                     v.assign(v_t, use_locking=self._use_locking))

    def _finish(self, update_ops):
        b1_power, b2_power = self._get_beta_accumulators()
        with control_dependencies(update_ops):
            update_b1 = b1_power.assign(b1_power * self._as(self._b1, b1_power), name="update_beta1",
                                        use_locking=self._use_locking)
            update_b2 = b2_power.assign(b2_power * self._as(self._b2, b2_power), name="update_beta2",
                                        use_locking=self._use_locking)
        return [update_b1, update_b2]


#: TF's cluster protocol buffers (tf.train.ClusterSpec takes a ClusterDef), tensorboard's copies, loaded on first use
_CLUSTER_PROTOS = ("ClusterDef", "JobDef")
_EXAMPLE_PROTOS = ("BytesList", "Example", "Feature", "FeatureList", "FeatureLists", "Features", "FloatList",
                   "Int64List", "SequenceExample")


def __getattr__(name: str):  # tf.train.Example and friends: protobuf classes built on first use
    if name in _EXAMPLE_PROTOS:
        from . import example_pb
        value = getattr(example_pb, name)
        globals()[name] = value
        return value
    if name in _CLUSTER_PROTOS:
        from tensorboard.compat.proto import cluster_pb2
        value = getattr(cluster_pb2, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dfc.train' has no attribute '{name}'")


__all__ = [*_EXAMPLE_PROTOS, *_CLUSTER_PROTOS, "QueueRunner", "SyncReplicasOptimizer", "maybe_batch",
           "maybe_batch_join",
           "maybe_shuffle_batch", "maybe_shuffle_batch_join",
           "add_queue_runner", "batch", "batch_join", "input_producer",
           "limit_epochs", "queue_runner", "range_input_producer", "shuffle_batch", "shuffle_batch_join",
           "slice_input_producer", "start_queue_runners", "string_input_producer", "CheckpointSaverListener",
           "Coordinator", "FeedFnHook",
           "FinalOpsHook",
           "GlobalStepWaiterHook",
           "LoggingTensorHook", "LooperThread", "NanLossDuringTrainingError", "NanTensorHook", "SecondOrStepTimer",
           "ProfilerHook", "SessionCreator", "SessionManager", "SingularMonitoredSession", "StepCounterHook",
           "SummarySaverHook",
           "Supervisor", "assert_global_step", "basic_train_loop", "global_step", "noisy_linear_cosine_decay",
           "export_meta_graph", "import_meta_graph",
           "NewCheckpointReader", "checkpoint_exists", "checkpoints_iterator", "generate_checkpoint_state_proto",
           "get_checkpoint_mtimes", "init_from_checkpoint", "list_variables", "load_checkpoint", "load_variable",
           "remove_checkpoint", "update_checkpoint_state",
           "AdadeltaOptimizer", "AdagradDAOptimizer", "ExponentialMovingAverage", "FtrlOptimizer",
           "ProximalAdagradOptimizer", "ProximalGradientDescentOptimizer",
           "AdagradOptimizer", "AdamOptimizer", "CheckpointSaverHook", "ChiefSessionCreator", "ClusterSpec",
           "MonitoredSession", "Scaffold", "WorkerSessionCreator",
           "MonitoredTrainingSession", "Server", "SessionRunArgs", "SessionRunContext", "SessionRunHook",
           "SessionRunValues", "StopAtStepHook", "replica_device_setter",
           "GradientDescentOptimizer", "MomentumOptimizer", "Optimizer",
           "CheckpointState", "Saver", "get_checkpoint_state", "latest_checkpoint",
           "RMSPropOptimizer", "create_global_step", "exponential_decay", "get_global_step",
           "get_or_create_global_step", "cosine_decay", "cosine_decay_restarts", "inverse_time_decay",
           "linear_cosine_decay", "natural_exp_decay", "piecewise_constant", "piecewise_constant_decay",
           "polynomial_decay"]
