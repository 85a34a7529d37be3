"""tf.contrib.opt: TF1's contributed optimizers (LazyAdam, AdamW, MomentumW, Nadam, PowerSign, AddSign) and
ScipyOptimizerInterface.

The update formulas are those of TF 1.15's contrib kernels and Python; slots carry TF1's names ("m", "v",
"momentum"; PowerSign's and AddSign's "m" slot variable is named after the optimizer). Sparse gradients follow
TF1's sparse paths: LazyAdam touches only the gathered rows of var, m and v; Nadam, PowerSign and AddSign
decay their moment everywhere and move only the gathered rows of var; the decoupled weight decay of AdamW
and MomentumW shrinks only the rows a sparse gradient names.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from ..array_ops import concat, gather, placeholder, reshape, zeros_like
from dfc.runtime import get_default_session

from ..framework import control_dependencies, convert_to_tensor
from ..gradients_impl import gradients
from ..math_ops import cast, exp, minimum, sign, sqrt, square
from ..optimizer import Optimizer, _Rows
from ..sparse.core import segment_sum
from ..train import AdamOptimizer, GradientDescentOptimizer, MomentumOptimizer
from ..variables import global_variables, group, no_op, trainable_variables

__all__ = ["AdamWOptimizer", "AddSignOptimizer", "DecoupledWeightDecayExtension", "ExternalOptimizerInterface",
           "LazyAdamOptimizer", "MomentumWOptimizer", "MovingAverageOptimizer", "NadamOptimizer", "PowerSignOptimizer",
           "ScipyOptimizerInterface", "extend_with_decoupled_weight_decay"]


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

def _pack(tensors: list):
    """The tensors flattened and concatenated (TF1's _pack), or None for none."""
    if not tensors:
        return None
    flat = [reshape(t, [-1]) for t in tensors]
    return flat[0] if len(flat) == 1 else concat(flat, 0)


def _gradients_or_zeros(tensor, var_list: list) -> list:
    return [zeros_like(v) if g is None else convert_to_tensor(g)
            for v, g in zip(var_list, gradients(tensor, var_list))]


class ExternalOptimizerInterface:
    """Minimizes a loss over variables with an optimizer outside the graph: each evaluation feeds the variables
    (packed into one float vector) and runs the loss and its gradient; at the end the variables are assigned."""

    def __init__(self, loss, var_list=None, equalities=None, inequalities=None, var_to_bounds=None,
                 **optimizer_kwargs):
        self._loss = convert_to_tensor(loss)
        self._equalities = list(equalities or [])
        self._inequalities = list(inequalities or [])
        self._vars = list(trainable_variables() if var_list is None else var_list)
        if not self._vars:
            raise ValueError("No variables to optimize.")
        for v in self._vars:
            if not v.shape.is_fully_defined():
                raise ValueError(f"ExternalOptimizerInterface needs variables of known shape: {v.name} has "
                                 f"shape {v.shape}")
        self.optimizer_kwargs = optimizer_kwargs
        self._packed_var = _pack([v._as_tensor() if hasattr(v, "_as_tensor") else v for v in self._vars])
        self._packed_loss_grad = _pack(_gradients_or_zeros(self._loss, self._vars))
        self._packed_equality_grads = [_pack(_gradients_or_zeros(e, self._vars)) for e in self._equalities]
        self._packed_inequality_grads = [_pack(_gradients_or_zeros(e, self._vars)) for e in self._inequalities]
        self._var_shapes = [tuple(v.shape.as_list()) for v in self._vars]
        ends = np.cumsum([int(np.prod(s, dtype=np.int64)) for s in self._var_shapes])
        self._packing_slices = [slice(int(end - n), int(end)) for end, n in
                                zip(ends, [int(np.prod(s, dtype=np.int64)) for s in self._var_shapes])]
        self._packed_bounds = None
        if var_to_bounds is not None:  # (-inf, inf) for the variables it leaves out
            lower, upper = [], []
            for var, var_shape in zip(self._vars, self._var_shapes):
                low, high = var_to_bounds.get(var, (-np.inf, np.inf))
                lower.extend(np.broadcast_to(low, var_shape).flat)
                upper.extend(np.broadcast_to(high, var_shape).flat)
            self._packed_bounds = list(zip(lower, upper))
        self._update_placeholders = [placeholder(v.dtype) for v in self._vars]
        self._var_updates = [v.assign(reshape(p, list(s))) for v, p, s in
                             zip(self._vars, self._update_placeholders, self._var_shapes)]

    def minimize(self, session=None, feed_dict=None, fetches=None, step_callback=None, loss_callback=None,
                 **run_kwargs) -> None:
        """Runs the external optimizer from the variables' values, then assigns them its answer.

        loss_callback(*fetched) runs after each evaluation of the loss with the values of `fetches`;
        step_callback(x) after each iteration with the packed variables.
        """
        session = session or get_default_session()
        if session is None:
            raise ValueError("ScipyOptimizerInterface.minimize needs a session: pass one, or run it inside "
                             "`with sess.as_default():`")
        feed_dict = feed_dict or {}
        fetches = list(fetches or [])
        loss_callback = loss_callback or (lambda *fetched: None)
        step_callback = step_callback or (lambda xk: None)
        loss_grad_func = self._make_eval_func([self._loss, self._packed_loss_grad], session, feed_dict, fetches,
                                              loss_callback)
        equality_funcs = [self._make_eval_func(e, session, feed_dict, fetches) for e in self._equalities]
        equality_grad_funcs = [self._make_eval_func(g, session, feed_dict, fetches)
                               for g in self._packed_equality_grads]
        inequality_funcs = [self._make_eval_func(e, session, feed_dict, fetches) for e in self._inequalities]
        inequality_grad_funcs = [self._make_eval_func(g, session, feed_dict, fetches)
                                 for g in self._packed_inequality_grads]
        initial = session.run(self._packed_var)
        packed = self._minimize(initial_val=initial, loss_grad_func=loss_grad_func, equality_funcs=equality_funcs,
                                equality_grad_funcs=equality_grad_funcs, inequality_funcs=inequality_funcs,
                                inequality_grad_funcs=inequality_grad_funcs, packed_bounds=self._packed_bounds,
                                step_callback=step_callback, optimizer_kwargs=self.optimizer_kwargs)
        values = [np.asarray(packed[s]).astype(v.dtype.as_numpy_dtype) for s, v in zip(self._packing_slices,
                                                                                       self._vars)]
        session.run(self._var_updates, feed_dict=dict(zip(self._update_placeholders, values)), **run_kwargs)

    def _make_eval_func(self, tensors, session, feed_dict, fetches, callback=None):
        tensors = tensors if isinstance(tensors, list) else [tensors]
        count = len(tensors)

        def eval_func(x):
            feeds = {v: x[s].reshape(shape) for v, s, shape in zip(self._vars, self._packing_slices,
                                                                    self._var_shapes)}
            feeds.update(feed_dict)
            values = session.run(tensors + fetches, feed_dict=feeds)
            if callable(callback):
                callback(*values[count:])
            return values[:count]
        return eval_func

    def _minimize(self, initial_val, loss_grad_func, equality_funcs, equality_grad_funcs, inequality_funcs,
                  inequality_grad_funcs, packed_bounds, step_callback, optimizer_kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define _minimize")


class ScipyOptimizerInterface(ExternalOptimizerInterface):
    """ExternalOptimizerInterface over scipy.optimize.minimize (L-BFGS-B unless `method` says otherwise)."""

    _DEFAULT_METHOD = "L-BFGS-B"

    def _minimize(self, initial_val, loss_grad_func, equality_funcs, equality_grad_funcs, inequality_funcs,
                  inequality_grad_funcs, packed_bounds, step_callback, optimizer_kwargs):
        import scipy.optimize

        def loss_grad_func_wrapper(x):
            # L-BFGS-B's Fortran code needs float64 gradients
            loss, gradient = loss_grad_func(x)
            return loss, gradient.astype("float64")

        optimizer_kwargs = dict(optimizer_kwargs)
        method = optimizer_kwargs.pop("method", self._DEFAULT_METHOD)
        constraints = [{"type": "eq", "fun": f, "jac": g} for f, g in zip(equality_funcs, equality_grad_funcs)]
        constraints += [{"type": "ineq", "fun": f, "jac": g} for f, g in zip(inequality_funcs, inequality_grad_funcs)]
        minimize_kwargs = {"jac": True, "callback": step_callback, "method": method, "constraints": constraints,
                           "bounds": packed_bounds}
        for kwarg in minimize_kwargs:
            if kwarg in optimizer_kwargs:
                if kwarg == "bounds":
                    raise ValueError("Bounds must be set using the var_to_bounds argument")
                raise ValueError(f"Optimizer keyword arg '{kwarg}' is set automatically and cannot be injected "
                                 f"manually")
        minimize_kwargs.update(optimizer_kwargs)
        # float64: SLSQP (Fortran) takes nothing else, and the others compute in float64 anyway
        result = scipy.optimize.minimize(loss_grad_func_wrapper, np.asarray(initial_val, np.float64), **minimize_kwargs)
        lines = ["Optimization terminated with:", "  Message: %s", "  Objective function value: %f"]
        args = [result.message, result.fun]
        for key, label in (("nit", "  Number of iterations: %d"), ("nfev", "  Number of functions evaluations: %d")):
            if hasattr(result, key):
                lines.append(label)
                args.append(getattr(result, key))
        logging.getLogger("tensorflow").info("\n".join(lines), *args)
        return result["x"]
