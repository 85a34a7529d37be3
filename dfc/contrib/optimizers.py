"""tf.contrib.layers.optimize_loss: one call from a loss to a train tensor, as TF1's contrib.

Inside the variable scope 'OptimizeLoss' it waits for the UPDATE_OPS, keeps a float learning rate in
the variable 'OptimizeLoss/learning_rate' (optionally decayed by learning_rate_decay_fn), builds the
optimizer (a name, a class, an instance or a function), computes gradients, adds noise, multiplies
and clips them as asked, writes TF1's summaries and applies them; the result is the loss that runs the
update first.
"""

from __future__ import annotations

from .. import summary
from ..array_ops import identity, shape
from ..clip_ops import clip_by_global_norm, global_norm
from ..framework import Tensor, constant, control_dependencies, convert_to_tensor
from ..graph import GraphKeys, get_collection
from ..indexed_slices import IndexedSlices
from ..layers.base import unique_layer_name
from ..optimizer import Optimizer
from ..optimizers import FtrlOptimizer
from ..random_ops import random_normal
from ..train import (AdagradOptimizer, AdamOptimizer, GradientDescentOptimizer, MomentumOptimizer,
                     RMSPropOptimizer)
from ..training_util import get_global_step
from ..variables import constant_initializer, get_variable, trainable_variables, variable_scope

OPTIMIZER_CLS_NAMES = {"Adagrad": AdagradOptimizer, "Adam": AdamOptimizer, "Ftrl": FtrlOptimizer,
                       "Momentum": MomentumOptimizer, "RMSProp": RMSPropOptimizer, "SGD": GradientDescentOptimizer}
OPTIMIZER_SUMMARIES = ["learning_rate", "loss", "gradients", "gradient_norm", "global_gradient_norm"]


def _make_optimizer(optimizer, lr, learning_rate):
    if isinstance(optimizer, str):
        if lr is None:
            raise ValueError(f"Learning rate is None, but should be specified if optimizer is string ({optimizer}).")
        if optimizer not in OPTIMIZER_CLS_NAMES:
            raise ValueError(f"Optimizer name should be one of [{', '.join(OPTIMIZER_CLS_NAMES)}], you provided "
                             f"{optimizer}.")
        return OPTIMIZER_CLS_NAMES[optimizer](learning_rate=lr)
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        if lr is None:
            raise ValueError(f"Learning rate is None, but should be specified if optimizer is class ({optimizer}).")
        return optimizer(learning_rate=lr)
    if isinstance(optimizer, Optimizer):
        return optimizer
    if callable(optimizer):
        opt = optimizer(lr) if learning_rate is not None else optimizer()
        if not isinstance(opt, Optimizer):
            raise ValueError(f"Unrecognized optimizer: function should return subclass of Optimizer. Got {opt}.")
        return opt
    raise ValueError("Unrecognized optimizer: should be string, subclass of Optimizer, instance of subclass of "
                     f"Optimizer or function with one argument. Got {optimizer}.")


def optimize_loss(loss, global_step, learning_rate, optimizer, gradient_noise_scale=None, gradient_multipliers=None,
                  clip_gradients=None, learning_rate_decay_fn=None, update_ops=None, variables=None, name=None,
                  summaries=None, colocate_gradients_with_ops: bool = False,
                  increment_global_step: bool = True) -> Tensor:
    """The loss, after one optimizer step on `variables` (all trainable ones by default)."""
    loss = convert_to_tensor(loss)
    if global_step is None:
        global_step = get_global_step()
    with variable_scope(name if name is not None else unique_layer_name("OptimizeLoss")):
        updates = list(dict.fromkeys(update_ops if update_ops is not None else get_collection(GraphKeys.UPDATE_OPS)))
        if updates:
            with control_dependencies(updates):
                loss = identity(loss)
        lr = None
        if learning_rate is not None:
            if isinstance(learning_rate, Tensor) and learning_rate.shape.ndims == 0:
                lr = learning_rate
            elif isinstance(learning_rate, (int, float)):
                if learning_rate < 0.0:
                    raise ValueError(f"Invalid learning_rate {learning_rate}.")
                lr = get_variable("learning_rate", [], trainable=False,
                                  initializer=constant_initializer(learning_rate))
            else:
                raise ValueError(f"Learning rate should be 0d Tensor or float. Got {learning_rate} of type "
                                 f"{type(learning_rate)}")
        summaries = OPTIMIZER_SUMMARIES if summaries is None else summaries
        for key in summaries:
            if key not in OPTIMIZER_SUMMARIES:
                raise ValueError(f"Summaries should be one of [{', '.join(OPTIMIZER_SUMMARIES)}], you provided {key}.")
        if learning_rate is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError("global_step is required for learning_rate_decay_fn.")
            lr = learning_rate_decay_fn(lr, global_step)
            if "learning_rate" in summaries:
                summary.scalar("learning_rate", lr)
        opt = _make_optimizer(optimizer, lr, learning_rate)
        variables = trainable_variables() if variables is None else variables
        gradients = opt.compute_gradients(loss, variables, colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gradient_noise_scale is not None:
            dense = [(None if g is None else convert_to_tensor(g), v) for g, v in gradients]
            gradients = [(g + random_normal(shape(g)) * gradient_noise_scale if g is not None else None, v)
                         for g, v in dense]
        if gradient_multipliers is not None:
            scaled = []
            for g, v in gradients:
                key = v if v in gradient_multipliers else v.name if v.name in gradient_multipliers else None
                if isinstance(g, IndexedSlices) and key is not None:
                    g = IndexedSlices(g.values * constant(gradient_multipliers[key], dtype=g.dtype), g.indices,
                                      g.dense_shape)
                elif g is not None and key is not None:
                    g = g * constant(gradient_multipliers[key], dtype=g.dtype)
                scaled.append((g, v))
            gradients = scaled
        if not gradients:
            raise ValueError("Empty list of (gradient, var) pairs encountered. This is most likely to be caused by "
                             "an improper value of gradient_multipliers.")
        wants_norm = "global_gradient_norm" in summaries or "gradient_norm" in summaries
        if wants_norm:
            summary.scalar("global_norm/gradient_norm", global_norm([g for g, _ in gradients if g is not None]))
        if isinstance(clip_gradients, float):
            present = [(g, v) for g, v in gradients if g is not None]
            clipped, _ = clip_by_global_norm([g for g, _ in present], clip_gradients)
            gradients = list(zip(clipped, [v for _, v in present]))
        elif callable(clip_gradients):
            gradients = clip_gradients(gradients)
        elif clip_gradients is not None:
            raise ValueError(f"Unknown type {type(clip_gradients)} for clip_gradients")
        if "loss" in summaries:
            summary.scalar("loss", loss)
        for g, v in gradients:
            if g is None:
                continue
            var_name = v.op.name
            if "gradients" in summaries:
                summary.histogram(f"gradients/{var_name}", g)
            if "gradient_norm" in summaries:
                summary.scalar(f"gradient_norm/{var_name}", global_norm([g]))
        if clip_gradients is not None and wants_norm:
            summary.scalar("global_norm/clipped_gradient_norm", global_norm([g for g, _ in gradients if g is not None]))
        update = opt.apply_gradients(gradients, global_step=global_step if increment_global_step else None,
                                     name="train")
        with control_dependencies([update]):
            return identity(loss)


__all__ = ["OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES", "optimize_loss"]
