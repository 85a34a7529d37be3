"""tf.train: the optimizers (gradient descent, momentum, Adagrad, RMSProp, Adam) and the global step.

An optimizer differentiates with tf.gradients (one `dfc.grad` op), keeps its state in slot
variables (real non-trainable Variables named like TF's: `W/Adam`, `W/Adam_1`, `beta1_power`),
and updates with assign ops whose formulas are those of TF1's dense training kernels. Every
variable read in a step sees the value the step started with, so the new slot values flow to
the variable update as the results of their assign ops.
"""

from __future__ import annotations

import contextlib
from typing import Any

from .framework import (Operation, Tensor, control_dependencies, convert_to_tensor, device, get_default_graph,
                        init_scope, make_op, name_scope, wrap_op)
from .gradients_impl import gradients
from .graph_def import write_graph  # noqa: F401 - tf.train.write_graph
from .math_ops import cast, rsqrt, sqrt, square
from .saver import CheckpointState, Saver, get_checkpoint_state, latest_checkpoint
from .train_cluster import (CheckpointSaverHook, ChiefSessionCreator, ClusterSpec, MonitoredSession,
                            MonitoredTrainingSession, Scaffold, Server, SessionRunArgs, SessionRunContext,
                            SessionRunHook, SessionRunValues, StopAtStepHook, WorkerSessionCreator,
                            replica_device_setter)
from .summary import summary_iterator  # noqa: F401 - tf.train.summary_iterator
from .training_util import GLOBAL_STEP, create_global_step, get_global_step, get_or_create_global_step  # noqa: F401
from .variables import Variable, group, trainable_variables, zeros_initializer

TRAIN_OP = "train_op"


def _exact_group(inputs: list, name: str) -> Operation:
    """A group named exactly `name` (the optimizer's name scope, as TF names its train op)."""
    values = [x._dfc_ir() if isinstance(x, Operation) else x._dfc_ir().op for x in inputs]
    return wrap_op(make_op("dfc.group", [op.results[0] for op in values], name=name, exact_name=True))


class Optimizer:
    """The base of the optimizers: compute_gradients, apply_gradients, minimize and slots."""

    GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2

    def __init__(self, use_locking: bool, name: str):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots: dict[str, dict[Variable, Variable]] = {}
        self._non_slots: dict[tuple[str, int], Variable] = {}

    def get_name(self) -> str:
        return self._name

    # ---- the public three -----------------------------------------------------------------------
    def minimize(self, loss, global_step: Variable | None = None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops: bool = False, name: str | None = None,
                 grad_loss=None) -> Operation:
        """compute_gradients then apply_gradients: the train op."""
        grads_and_vars = self.compute_gradients(loss, var_list=var_list, grad_loss=grad_loss)
        if not any(g is not None for g, _ in grads_and_vars):
            raise ValueError(f"No gradients provided for any variable, check your graph for ops that do not support "
                             f"gradients, between variables {[v.name for _, v in grads_and_vars]} and loss "
                             f"{convert_to_tensor(loss).name}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops: bool = False, grad_loss=None) -> list[tuple[Tensor | None,
                                                                                                    Variable]]:
        """[(d loss / d var, var)] for the trainable variables (or var_list); the gradient is None if unconnected."""
        if callable(loss):
            raise TypeError("a callable loss is an eager-mode feature; pass the loss tensor")
        loss = convert_to_tensor(loss)
        var_list = list(trainable_variables() if var_list is None else var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:
            if not isinstance(v, Variable):
                raise TypeError(f"Argument is not a tf.Variable: {v!r}")
        grads = gradients(loss, var_list, grad_ys=None if grad_loss is None else [grad_loss])
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step: Variable | None = None,
                        name: str | None = None) -> Operation:
        """One op that updates every variable with a gradient (then increments global_step, if given)."""
        pairs = list(grads_and_vars)
        if not pairs:
            raise ValueError("No variables provided.")
        for _, v in pairs:
            if not isinstance(v, Variable):
                raise TypeError(f"apply_gradients needs (gradient, Variable) pairs, got {v!r}")
        pairs = [(convert_to_tensor(g), v) for g, v in pairs if g is not None]
        if not pairs:
            raise ValueError(f"No gradients provided for any variable: {[v.name for _, v in grads_and_vars]}.")
        for g, v in pairs:
            if g.shape.ndims is None or v.shape.ndims is None:  # a variable of unknown shape (validate_shape=False)
                if g.dtype is v.dtype:
                    continue
            dims = zip(g.shape.as_list(), v.shape.as_list()) if g.shape.ndims is not None else ()
            if g.dtype is not v.dtype or g.shape.ndims != v.shape.ndims or any(a not in (None, b) for a, b in dims):
                raise ValueError(f"gradient {g.name} ({g.dtype.name}{g.shape}) does not match variable "
                                 f"{v.name} ({v.dtype.name}{v.shape})")
        graph = get_default_graph()
        with init_scope(graph):
            self._create_slots([v for _, v in pairs])
        with name_scope(name, self._name) as scope:
            self._prepare()
            updates = []
            for g, v in pairs:
                # the update runs where the variable lives (a parameter server applies its own updates)
                with name_scope("update_" + v.op.name), contextlib.ExitStack() as stack:
                    if v.device:
                        stack.enter_context(device(v.device))
                    updates.append(self._apply_dense(g, v))
            updates += self._finish(updates)
            if global_step is None:
                train_op = updates
            else:
                with control_dependencies([group(*updates, name="update")]):
                    train_op = [global_step.assign_add(convert_to_tensor(1, dtype=global_step.dtype),
                                                        use_locking=self._use_locking)]
        # named as the scope, as TF names it ("Adam", "GradientDescent_1")
        op = _exact_group(train_op, scope[:-1])
        graph.collections.setdefault(TRAIN_OP, []).append(op)
        return op

    # ---- slots --------------------------------------------------------------------------------
    def get_slot_names(self) -> list[str]:
        return sorted(self._slots)

    def get_slot(self, var: Variable, name: str) -> Variable | None:
        return self._slots.get(name, {}).get(var)

    def variables(self) -> list[Variable]:
        """Every variable this optimizer made (slots and non-slot state like beta1_power)."""
        made = list(self._non_slots.values()) + [v for slots in self._slots.values() for v in slots.values()]
        return sorted(made, key=lambda v: v.name)

    def _slot(self, var: Variable, slot: str, initial) -> Variable:
        """The slot `slot` of `var`, made once: a Variable named `<var>/<optimizer name>` (uniquified)."""
        slots = self._slots.setdefault(slot, {})
        if var not in slots:
            with contextlib.ExitStack() as stack:
                if var.device:
                    stack.enter_context(device(var.device))
                slots[var] = Variable(lambda: initial(var.shape.as_list(), dtype=var.dtype), trainable=False,
                                      name=f"{var.op.name}/{self._name}", dtype=var.dtype)
        return slots[var]

    def _zeros_slot(self, var: Variable, slot: str) -> Variable:
        return self._slot(var, slot, zeros_initializer())

    def _non_slot(self, name: str, value: float, like: Variable) -> Variable:
        graph = like.graph
        key = (name, graph.id)
        if key not in self._non_slots:
            self._non_slots[key] = Variable(value, trainable=False, name=name, dtype=like.dtype)
        return self._non_slots[key]

    # ---- what each optimizer defines ----------------------------------------------------------
    def _create_slots(self, var_list: list[Variable]) -> None:
        pass

    def _prepare(self) -> None:
        pass

    def _apply_dense(self, grad: Tensor, var: Variable):
        raise NotImplementedError(f"{type(self).__name__} does not define _apply_dense")

    def _finish(self, update_ops: list) -> list:
        """Ops to run after the variable updates (Adam's beta powers); they join the train op."""
        return []

    # ---- hyperparameters ----------------------------------------------------------------------
    def _hyper(self, value: Any, name: str) -> Tensor:
        value = value() if callable(value) else value
        return convert_to_tensor(value, name=name) if not isinstance(value, Tensor) else value

    @staticmethod
    def _as(t: Tensor, var: Variable) -> Tensor:
        return t if t.dtype is var.dtype else cast(t, var.dtype)


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
        accum_t = accum.assign(accum * mom + grad, use_locking=self._use_locking)
        if self._use_nesterov:
            update = var.assign_sub(grad * lr + accum_t * mom * lr, use_locking=self._use_locking)
        else:
            update = var.assign_sub(lr * accum_t, use_locking=self._use_locking)
        return group(update, accum_t)


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
        accum_t = self.get_slot(var, "accumulator").assign_add(square(grad), use_locking=self._use_locking)
        return group(var.assign_sub(self._as(self._lr, var) * grad * rsqrt(accum_t), use_locking=self._use_locking),
                     accum_t)


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
        ms_t = ms.assign(ms * rho + square(grad) * (1.0 - rho), use_locking=self._use_locking)
        updates = [ms_t]
        denom = ms_t + eps
        if self._centered:
            mg = self.get_slot(var, "mg")
            mg_t = mg.assign(mg * rho + grad * (1.0 - rho), use_locking=self._use_locking)
            updates.append(mg_t)
            denom = ms_t - square(mg_t) + eps
        moment = self.get_slot(var, "momentum")
        mom_t = moment.assign(moment * mom + lr * grad * rsqrt(denom), use_locking=self._use_locking)
        return group(var.assign_sub(mom_t, use_locking=self._use_locking), mom_t, *updates)


class AdamOptimizer(Optimizer):
    """m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; var -= lr*sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)."""

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

    def _apply_dense(self, grad, var):
        lr, b1, b2, eps = (self._as(t, var) for t in (self._lr, self._b1, self._b2, self._eps))
        b1_power, b2_power = (self._as(p._as_tensor(), var) for p in self._get_beta_accumulators())
        lr_t = lr * sqrt(1.0 - b2_power) / (1.0 - b1_power)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_t = m.assign(m * b1 + grad * (1.0 - b1), use_locking=self._use_locking)
        v_t = v.assign(v * b2 + square(grad) * (1.0 - b2), use_locking=self._use_locking)
        return group(var.assign_sub(lr_t * m_t / (sqrt(v_t) + eps), use_locking=self._use_locking), m_t, v_t)

    def _finish(self, update_ops):
        b1_power, b2_power = self._get_beta_accumulators()
        with control_dependencies(update_ops):
            update_b1 = b1_power.assign(b1_power * self._as(self._b1, b1_power), name="update_beta1",
                                        use_locking=self._use_locking)
            update_b2 = b2_power.assign(b2_power * self._as(self._b2, b2_power), name="update_beta2",
                                        use_locking=self._use_locking)
        return [update_b1, update_b2]


# ---- the global step --------------------------------------------------------------------------------
# ---- learning-rate schedules ----------------------------------------------------------------------
def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase: bool = False,
                      name: str | None = None) -> Tensor:
    """learning_rate * decay_rate ^ (global_step / decay_steps), the exponent floored when staircase."""
    from .math_ops import floor, pow
    if global_step is None:
        raise ValueError("global_step is required for exponential_decay.")
    with name_scope(name, "ExponentialDecay"):
        lr = convert_to_tensor(learning_rate, name="learning_rate")
        step = cast(convert_to_tensor(global_step), lr.dtype)
        p = step / cast(convert_to_tensor(decay_steps), lr.dtype)
        if staircase:
            p = floor(p)
        return lr * pow(cast(convert_to_tensor(decay_rate), lr.dtype), p)


__all__ = ["AdagradOptimizer", "AdamOptimizer", "CheckpointSaverHook", "ChiefSessionCreator", "ClusterSpec",
           "MonitoredSession", "Scaffold", "WorkerSessionCreator",
           "MonitoredTrainingSession", "Server", "SessionRunArgs", "SessionRunContext", "SessionRunHook",
           "SessionRunValues", "StopAtStepHook", "replica_device_setter",
           "GradientDescentOptimizer", "MomentumOptimizer", "Optimizer",
           "CheckpointState", "Saver", "get_checkpoint_state", "latest_checkpoint",
           "RMSPropOptimizer", "create_global_step", "exponential_decay", "get_global_step",
           "get_or_create_global_step"]
