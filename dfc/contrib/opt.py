"""tf.contrib.opt: TF1's contributed optimizers (LazyAdam, AdamW, MomentumW, Nadam, AdaMax, PowerSign, AddSign,
MovingAverageOptimizer), the sign decay schedules, ScipyOptimizerInterface (external_optimizer.py), LARS and the
multitask wrapper (opt_wrappers.py).

The update formulas are those of TF 1.15's contrib kernels and Python; slots carry TF1's names ("m", "v",
"momentum"; PowerSign's and AddSign's "m" slot variable is named after the optimizer). Sparse gradients follow
TF1's sparse paths: LazyAdam and AdaMax touch only the gathered rows of var, m and v; Nadam, PowerSign and AddSign
decay their moment everywhere and move only the gathered rows of var; the decoupled weight decay of AdamW
and MomentumW shrinks only the rows a sparse gradient names.
"""

from __future__ import annotations

import math

from ..array_ops import gather, reshape
from ..framework import control_dependencies, convert_to_tensor
from ..math_ops import abs as _abs
from ..math_ops import cast, cos, exp, greater_equal, maximum, minimum, mod, sign, sqrt, square, where_v2
from ..optimizer import Optimizer, _Rows
from ..sparse.core import segment_sum
from ..train import AdamOptimizer, GradientDescentOptimizer, MomentumOptimizer
from ..variables import global_variables, group, no_op
from .external_optimizer import ExternalOptimizerInterface, ScipyOptimizerInterface
from .opt_wrappers import LARSOptimizer, MultitaskOptimizerWrapper, clip_gradients_by_global_norm

__all__ = ["AdaMaxOptimizer", "AdamWOptimizer", "AddSignOptimizer", "DecoupledWeightDecayExtension",
           "ExternalOptimizerInterface", "LARSOptimizer", "LazyAdamOptimizer", "MomentumWOptimizer",
           "MovingAverageOptimizer", "MultitaskOptimizerWrapper", "NadamOptimizer", "PowerSignOptimizer",
           "ScipyOptimizerInterface", "clip_gradients_by_global_norm", "extend_with_decoupled_weight_decay",
           "get_cosine_decay_fn", "get_linear_decay_fn", "get_restart_decay_fn"]


class LazyAdamOptimizer(AdamOptimizer):
    """Adam whose sparse update moves only the rows the gradient names: var, m and v elsewhere keep their values."""

    _SPARSE_UPDATES_EVERY_ROW = False  # the dense Adam formula over the gathered rows (optimizer.py's _Rows)


def _touched_rows(indices, var):
    """1 for the rows of var that `indices` names (each once, whatever the repeats), 0 elsewhere; var's rank."""
    rows = var.shape.as_list()[0]
    hits = segment_sum(cast(indices * 0 + 1, var.dtype), indices, rows)
    return reshape(minimum(hits, 1), [rows] + [1] * (var.shape.ndims - 1))


class DecoupledWeightDecayExtension:
    """Decoupled weight decay (Loshchilov & Hutter): var -= weight_decay * var before the base optimizer's step.

    Mixed into an Optimizer class before it (extend_with_decoupled_weight_decay). decay_var_list, given to
    minimize or apply_gradients, limits the decay to those variables.
    """

    def __init__(self, weight_decay, **kwargs):
        self._decay_var_list = None
        self._weight_decay = weight_decay
        self._weight_decay_tensor = None
        super().__init__(**kwargs)

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=Optimizer.GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops: bool = False, name: str | None = None,
                 grad_loss=None, decay_var_list=None):
        self._decay_var_list = set(decay_var_list) if decay_var_list else False
        return super().minimize(loss, global_step=global_step, var_list=var_list, gate_gradients=gate_gradients,
                                aggregation_method=aggregation_method,
                                colocate_gradients_with_ops=colocate_gradients_with_ops, name=name,
                                grad_loss=grad_loss)

    def apply_gradients(self, grads_and_vars, global_step=None, name: str | None = None, decay_var_list=None):
        self._decay_var_list = set(decay_var_list) if decay_var_list else False
        return super().apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def _prepare(self) -> None:
        weight_decay = self._weight_decay() if callable(self._weight_decay) else self._weight_decay
        self._weight_decay_tensor = convert_to_tensor(weight_decay, name="weight_decay")
        super()._prepare()

    def _decays(self, var) -> bool:
        return not self._decay_var_list or var in self._decay_var_list

    def _decay_weights_op(self, var):
        if self._decays(var):
            return var.assign_sub(self._as(self._weight_decay_tensor, var) * var, use_locking=self._use_locking)
        return no_op()

    def _apply_dense(self, grad, var):
        if isinstance(var, _Rows) or getattr(self, "_decayed_already", False):  # a sparse update, decayed above
            return super()._apply_dense(grad, var)
        with control_dependencies([self._decay_weights_op(var)]):
            return super()._apply_dense(grad, var)

    def _apply_sparse_duplicate_indices(self, grad, var):
        # the decay shrinks the rows the gradient names, once each, then the base's sparse update runs. TF1 hooks
        # it on _apply_sparse, which GradientDescent's sparse update never calls: its rows are not decayed
        if isinstance(self, GradientDescentOptimizer):
            return super()._apply_sparse_duplicate_indices(grad, var)
        if self._decays(var) and var.shape.is_fully_defined():
            decay = var.assign_sub(self._as(self._weight_decay_tensor, var) * var * _touched_rows(grad.indices, var),
                                   use_locking=self._use_locking)
        else:
            decay = self._decay_weights_op(var)
        self._decayed_already = True
        try:
            with control_dependencies([decay]):
                return super()._apply_sparse_duplicate_indices(grad, var)
        finally:
            self._decayed_already = False


def extend_with_decoupled_weight_decay(base_optimizer: type) -> type:
    """A subclass of base_optimizer whose constructor takes weight_decay first and decays before each step."""

    class OptimizerWithDecoupledWeightDecay(DecoupledWeightDecayExtension, base_optimizer):
        def __init__(self, weight_decay, *args, **kwargs):
            super().__init__(weight_decay, *args, **kwargs)

    OptimizerWithDecoupledWeightDecay.__name__ = f"{base_optimizer.__name__}WithDecoupledWeightDecay"
    return OptimizerWithDecoupledWeightDecay


class AdamWOptimizer(DecoupledWeightDecayExtension, AdamOptimizer):
    """Adam with decoupled weight decay: var -= weight_decay * var, then Adam's step."""

    def __init__(self, weight_decay, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking: bool = False, name: str = "AdamW"):
        super().__init__(weight_decay, learning_rate=learning_rate, beta1=beta1, beta2=beta2, epsilon=epsilon,
                         use_locking=use_locking, name=name)


class MomentumWOptimizer(DecoupledWeightDecayExtension, MomentumOptimizer):
    """Momentum with decoupled weight decay: var -= weight_decay * var, then the momentum step."""

    def __init__(self, weight_decay, learning_rate, momentum, use_locking: bool = False, name: str = "MomentumW",
                 use_nesterov: bool = False):
        super().__init__(weight_decay, learning_rate=learning_rate, momentum=momentum, use_locking=use_locking,
                         name=name, use_nesterov=use_nesterov)


def _dense_rows(grad, var, first):
    """The sparse gradient as a dense tensor of var's shape, each distinct index's (summed) row once."""
    values = grad.values
    if first is not None:
        values = values * cast(reshape(first, [-1] + [1] * (values.shape.ndims - 1)), values.dtype)
    return segment_sum(values, grad.indices, var.shape.as_list()[0])


def _moment_everywhere_rows_of_var(opt: Optimizer, grad, var, first, moment, beta, row_delta):
    """TF1's sparse path of PowerSign and AddSign: moment = beta * moment + (1 - beta) * g over every row (g zero
    where no index names the row), then var -= row_delta(g rows, new moment rows) on the named rows only."""
    moment_t = moment * beta + _dense_rows(grad, var, first) * (1 - beta)
    update = _Rows(var, grad.indices, first).assign_sub(row_delta(grad.values, gather(moment_t, grad.indices)),
                                                       use_locking=opt._use_locking)
    return group(update, moment.assign(moment_t, use_locking=opt._use_locking))


class NadamOptimizer(AdamOptimizer):
    """Adam with Nesterov momentum: var -= lr_t * (b1 * m_t + (1 - b1) * g) / (sqrt(v_t) + eps)."""

    _SPARSE_UPDATES_EVERY_ROW = False

    def __init__(self, learning_rate=0.001, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8,
                 use_locking: bool = False, name: str = "Adam"):
        super().__init__(learning_rate, beta1, beta2, epsilon, use_locking, name)

    def _apply_dense(self, grad, var):
        b1, one_minus_b1, b2, one_minus_b2, eps, lr_t = self._coefficients(var)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_t = m * b1 + grad * one_minus_b1
        v_t = v * b2 + square(grad) * one_minus_b2
        var_update = var.assign_sub(lr_t * (m_t * b1 + one_minus_b1 * grad) / (sqrt(v_t) + eps),
                                    use_locking=self._use_locking)
        return group(var_update, m.assign(m_t, use_locking=self._use_locking),
                     v.assign(v_t, use_locking=self._use_locking))

    def _apply_sparse(self, grad, var, first=None):
        if not var.shape.is_fully_defined():
            return self._apply_dense(convert_to_tensor(grad), var)
        b1, one_minus_b1, b2, one_minus_b2, eps, lr_t = self._coefficients(var)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        dense_g = _dense_rows(grad, var, first)
        m_t = m * b1 + dense_g * one_minus_b1
        v_t = v * b2 + square(dense_g) * one_minus_b2
        m_bar = grad.values * one_minus_b1 + b1 * gather(m_t, grad.indices)
        delta = lr_t * m_bar / (gather(sqrt(v_t), grad.indices) + eps)
        var_update = _Rows(var, grad.indices, first).assign_sub(delta, use_locking=self._use_locking)
        return group(var_update, m.assign(m_t, use_locking=self._use_locking),
                     v.assign(v_t, use_locking=self._use_locking))


class AdaMaxOptimizer(AdamOptimizer):
    """AdaMax (Adam's infinity-norm variant): m = b1*m + (1-b1)*g; v = max(b2*v, |g|); var -= lr/(1-b1^t) * m/(v+eps).

    Its sparse update, as TF1's, touches only the gathered rows of var, m and v.
    """

    _SPARSE_UPDATES_EVERY_ROW = False

    def __init__(self, learning_rate=0.001, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8,
                 use_locking: bool = False, name: str = "AdaMax"):
        super().__init__(learning_rate, beta1, beta2, epsilon, use_locking, name)

    def _apply_dense(self, grad, var):
        b1, one_minus_b1, b2, _, eps, _ = self._coefficients(var)
        b1_power = self._as(self._get_beta_accumulators()[0]._as_tensor(), var)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_t = m * b1 + grad * one_minus_b1
        v_t = maximum(v * b2, _abs(grad))
        var_update = var.assign_sub(self._as(self._lr, var) / (1 - b1_power) * (m_t / (v_t + eps)),
                                    use_locking=self._use_locking)
        return group(var_update, m.assign(m_t, use_locking=self._use_locking),
                     v.assign(v_t, use_locking=self._use_locking))


class _SignOptimizer(Optimizer):
    """What PowerSign and AddSign share: the moment slot "m" (named after the optimizer), sign_decay_fn."""

    _SPARSE_UPDATES_EVERY_ROW = False

    def __init__(self, learning_rate, beta, sign_decay_fn, use_locking: bool, name: str):
        super().__init__(use_locking, name)
        self._lr, self._beta, self._sign_decay_fn = learning_rate, beta, sign_decay_fn
        self._sign_decay_t = None

    def apply_gradients(self, grads_and_vars, global_step=None, name: str | None = None):
        if self._sign_decay_fn is not None:
            self._sign_decay_t = convert_to_tensor(self._sign_decay_fn(global_step), name="sign_decay")
        return super().apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "m", self._name)

    def _prepare(self) -> None:
        self._lr_t = self._hyper(self._lr, "learning_rate")
        self._beta_t = self._hyper(self._beta, "beta")
        if self._sign_decay_t is None:
            self._sign_decay_t = convert_to_tensor(1.0, name="sign_decay")

    def _scale(self, sign_gm, var):
        raise NotImplementedError

    def _apply_dense(self, grad, var):
        beta, lr = self._as(self._beta_t, var), self._as(self._lr_t, var)
        m = self.get_slot(var, "m")
        m_t = m * beta + grad * (1 - beta)
        update = var.assign_sub(lr * self._scale(sign(grad) * sign(m_t), var) * grad, use_locking=self._use_locking)
        return group(update, m.assign(m_t, use_locking=self._use_locking))

    def _apply_sparse(self, grad, var, first=None):
        if not var.shape.is_fully_defined():
            return self._apply_dense(convert_to_tensor(grad), var)
        beta, lr = self._as(self._beta_t, var), self._as(self._lr_t, var)
        return _moment_everywhere_rows_of_var(
            self, grad, var, first, self.get_slot(var, "m"), beta,
            lambda g, m_rows: lr * self._scale(sign(g) * sign(m_rows), var) * g)


class PowerSignOptimizer(_SignOptimizer):
    """PowerSign (Bello et al. 2017): m = beta*m + (1-beta)*g; var -= lr * base^(sign_decay*sign(g)*sign(m)) * g."""

    def __init__(self, learning_rate=0.1, base=math.e, beta=0.9, sign_decay_fn=None, use_locking: bool = False,
                 name: str = "PowerSignOptimizer"):
        super().__init__(learning_rate, beta, sign_decay_fn, use_locking, name)
        self._base = base

    def _prepare(self) -> None:
        super()._prepare()
        self._logbase_t = convert_to_tensor(math.log(self._base), name="logbase")

    def _scale(self, sign_gm, var):
        return exp(self._as(self._logbase_t, var) * self._as(self._sign_decay_t, var) * sign_gm)


class AddSignOptimizer(_SignOptimizer):
    """AddSign (Bello et al. 2017): m = beta*m + (1-beta)*g; var -= lr * (alpha + sign_decay*sign(g)*sign(m)) * g."""

    def __init__(self, learning_rate=0.1, alpha=1.0, beta=0.9, sign_decay_fn=None, use_locking: bool = False,
                 name: str = "AddSignOptimizer"):
        super().__init__(learning_rate, beta, sign_decay_fn, use_locking, name)
        self._alpha = alpha

    def _prepare(self) -> None:
        super()._prepare()
        self._alpha_t = self._hyper(self._alpha, "alpha")

    def _scale(self, sign_gm, var):
        return self._as(self._alpha_t, var) + self._as(self._sign_decay_t, var) * sign_gm



class MovingAverageOptimizer(Optimizer):
    """Wraps an optimizer: each step also updates an ExponentialMovingAverage of the trained variables (after the
    update, with sequential_update), and swapping_saver() saves those averages under the variables' names."""

    def __init__(self, opt: Optimizer, average_decay: float = 0.9999, num_updates=None,
                 sequential_update: bool = True):
        from ..optimizers import ExponentialMovingAverage
        self._optimizer = opt
        self._ema = ExponentialMovingAverage(average_decay, num_updates=num_updates)
        self._variable_map: dict | None = None
        self._sequential_update = sequential_update

    def get_name(self) -> str:
        return self._optimizer.get_name()

    def get_slot(self, var, name: str):
        return self._optimizer.get_slot(var, name)

    def get_slot_names(self) -> list[str]:
        return self._optimizer.get_slot_names()

    def variables(self) -> list:
        return self._optimizer.variables()

    def apply_gradients(self, grads_and_vars, global_step=None, name: str | None = None):
        grads_and_vars = list(grads_and_vars)
        train_op = self._optimizer.apply_gradients(grads_and_vars, global_step=global_step, name=name)
        var_list = [v for g, v in grads_and_vars if g is not None]
        self._variable_map = {}
        if self._sequential_update:
            with control_dependencies([train_op]):
                average_op = self._ema.apply(var_list)
        else:
            average_op = self._ema.apply(var_list)
        for v in var_list:
            average = self._ema.average(v)
            self._variable_map[v.op.name] = average
            self._variable_map[average.op.name] = v
        return group(train_op, average_op, name="train_with_avg")

    def swapping_saver(self, var_list=None, name: str = "swapping_saver", **kwargs):
        """A Saver that writes each trained variable's moving average under the variable's name (and the
        variable under the average's): for saving during training; evaluation restores with a plain Saver."""
        from ..saver import Saver
        if self._variable_map is None:
            raise RuntimeError("Must call apply_gradients or minimize before creating the swapping_saver")
        if var_list is None:
            var_list = global_variables()
        if not isinstance(var_list, dict):
            var_list = {v.op.name: v for v in var_list}
        swapped = {key: self._variable_map.get(v.op.name, v) for key, v in var_list.items()}
        return Saver(swapped, name=name, **kwargs)


def _require_step(global_step, what: str):
    if global_step is None:
        raise ValueError(f"global_step is required for {what}.")
    return global_step


def get_linear_decay_fn(decay_steps):
    """sign_decay_fn(global_step) = max(0, (decay_steps - global_step) / decay_steps)."""
    def linear_decay_fn(global_step):
        step = minimum(_require_step(global_step, "linear_decay"), decay_steps)
        remaining = cast(decay_steps, "int32") - cast(step, "int32")
        return maximum(0.0, cast(remaining, "float32") / cast(decay_steps, "float32"))
    return linear_decay_fn


def get_cosine_decay_fn(decay_steps, num_periods=0.5, zero_after=None):
    """sign_decay_fn(global_step) = 0.5 * (1 + cos(2 pi num_periods min(global_step, decay_steps) / decay_steps)),
    0 from the fraction 2 * zero_after on."""
    def cosine_decay_fn(global_step):
        step = minimum(_require_step(global_step, "cosine_decay"), decay_steps)
        fraction = 2.0 * num_periods * (cast(step, "float32") / cast(decay_steps, "float32"))
        decayed = 0.5 * (1.0 + cos(convert_to_tensor(math.pi, dtype="float32") * fraction))
        if zero_after is not None:
            decayed = where_v2(greater_equal(fraction, 2 * zero_after), 0.0, decayed)
        return decayed
    return cosine_decay_fn


def get_restart_decay_fn(decay_steps, num_periods=1, zero_after=None):
    """sign_decay_fn(global_step) = 0.5 * (1 + cos(pi * ((num_periods * step) mod decay_steps) / decay_steps)),
    step = min(global_step, decay_steps) (SGDR's warm restarts, simplified)."""
    def restart_decay_fn(global_step):
        step = minimum(_require_step(global_step, "cosine_decay"), decay_steps)
        num = mod(num_periods * cast(step, "float32"), decay_steps)
        fraction = num / cast(decay_steps, "float32")
        decayed = 0.5 * (1.0 + cos(convert_to_tensor(math.pi, dtype="float32") * fraction))
        if zero_after is not None:
            periods = cast(num_periods * step, "float32") / cast(decay_steps, "float32")
            decayed = where_v2(greater_equal(periods, zero_after), 0.0, decayed)
        return decayed
    return restart_decay_fn
