"""tf.contrib.opt's ExternalOptimizerInterface and ScipyOptimizerInterface: a loss minimized by an optimizer outside
the graph (scipy.optimize.minimize) that drives a session, as TF1's style-transfer scripts use it."""

from __future__ import annotations

import logging

import numpy as np

from dfc.runtime import get_default_session

from ..array_ops import concat, placeholder, reshape, zeros_like
from ..framework import convert_to_tensor
from ..gradients_impl import gradients
from ..variables import trainable_variables

__all__ = ["ExternalOptimizerInterface", "ScipyOptimizerInterface"]


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
