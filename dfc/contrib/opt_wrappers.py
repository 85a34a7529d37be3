"""tf.contrib.opt's LARSOptimizer (layer-wise adaptive rate scaling over momentum), MultitaskOptimizerWrapper (all-zero
gradients leave the optimizer's state alone) and clip_gradients_by_global_norm."""

from __future__ import annotations

from ..clip_ops import clip_by_global_norm
from ..control_flow_ops import cond
from ..framework import constant, control_dependencies
from ..math_ops import count_nonzero, equal, greater, reduce_sum, sqrt, square, where_v2
from ..optimizer import Optimizer, _Rows
from ..train import MomentumOptimizer
from ..variables import group

__all__ = ["LARSOptimizer", "MultitaskOptimizerWrapper", "clip_gradients_by_global_norm"]


class LARSOptimizer(MomentumOptimizer):
    """Momentum whose learning rate each variable scales by its trust ratio eeta * |w| / (|g| + weight_decay * |w| +
    epsilon) (1 where |w| or |g| is 0; variables whose name contains a skip_list string keep the plain rate).
    Sparse gradients get plain momentum on their rows, as TF1's."""

    def __init__(self, learning_rate, momentum: float = 0.9, weight_decay: float = 0.0001, eeta: float = 0.001,
                 epsilon: float = 0.0, name: str = "LARSOptimizer", skip_list=None, use_nesterov: bool = False):
        if momentum < 0.0:
            raise ValueError(f"momentum should be positive: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"weight_decay should be positive: {weight_decay}")
        super().__init__(learning_rate, momentum, use_locking=False, name=name, use_nesterov=use_nesterov)
        self._weight_decay, self._eeta, self._epsilon, self._skip_list = weight_decay, eeta, epsilon, skip_list

    def compute_lr(self, grad, var):
        """The learning rate of var: the base rate times its trust ratio, unless skip_list names it."""
        lr = self._as(self._lr, var)
        if self._skip_list is not None and any(s in var.name for s in self._skip_list):
            return lr
        w_norm, g_norm = sqrt(reduce_sum(square(var))), sqrt(reduce_sum(square(grad)))
        ratio = self._eeta * w_norm / (g_norm + self._weight_decay * w_norm + self._epsilon)
        return lr * where_v2(greater(w_norm, 0.0), where_v2(greater(g_norm, 0.0), ratio, 1.0), 1.0)

    def _apply_dense(self, grad, var):
        if isinstance(var, _Rows):  # a sparse update: TF1's plain momentum
            return super()._apply_dense(grad, var)
        lr, mom = self.compute_lr(grad, var), self._as(self._mom, var)
        accum = self.get_slot(var, "momentum")
        accum_t = accum * mom + grad
        if self._use_nesterov:
            update = var.assign_sub(grad * lr + accum_t * mom * lr)
        else:
            update = var.assign_sub(lr * accum_t)
        return group(update, accum.assign(accum_t))


def _all_zeros(grad):
    return equal(count_nonzero(grad), 0)


def _skipping_zeros(opt: Optimizer, method, values_of):
    def fresh(grad, *args, **kwargs):
        # tensors an optimizer keeps for all its updates (Adam's coefficients) are made again inside this branch:
        # one made in another variable's branch cannot be read here
        made = getattr(opt, "_coefficients_made", None)
        if made is not None:
            made.clear()
        try:
            return method(grad, *args, **kwargs)
        finally:
            if made is not None:
                made.clear()

    def applied(grad, *args, **kwargs):
        with control_dependencies([fresh(grad, *args, **kwargs)]):
            return constant(True)

    def wrapper(grad, *args, **kwargs):
        # the branches give a flag (whether it applied): a tf.cond of operations alone has no result that later
        # ops (Adam's beta powers) could wait on
        return cond(_all_zeros(values_of(grad)), lambda: constant(False), lambda: applied(grad, *args, **kwargs))
    return wrapper


class MultitaskOptimizerWrapper:
    """Wraps an optimizer so that a variable whose gradient is all zeros (a task absent from the batch) is not
    updated: its slots keep their state. Everything else is the wrapped optimizer's."""

    def __init__(self, opt: Optimizer):
        if not isinstance(opt, Optimizer):
            raise TypeError("Supplied optimizer must be an instance of tf.train.Optimizer")
        self._opt = opt
        opt._apply_dense = _skipping_zeros(opt, opt._apply_dense, lambda g: g)
        opt._apply_sparse = _skipping_zeros(opt, opt._apply_sparse, lambda g: g.values)

    def __getattr__(self, name: str):
        return getattr(self._opt, name)


def clip_gradients_by_global_norm(gradients_variables, clip_norm=20.0):
    """[(gradient, variable)] clipped by their global norm, and that norm. TF1 leaves all-zero gradients out of the
    norm; their squares add nothing to it, so it is tf.clip_by_global_norm's."""
    pairs = list(gradients_variables)
    clipped, norm = clip_by_global_norm([g for g, _ in pairs], clip_norm)
    return list(zip(clipped, [v for _, v in pairs])), norm
