"""TF1's learning-rate schedules (tf.train.*_decay): tensors of the global step, in the learning rate's dtype.

Each takes the step as a tensor (usually the global step variable, which the optimizer's
apply_gradients increments), so the rate follows training without being rebuilt. The formulas
and the clamping, cycling and staircase rules are TF1's.
"""

from __future__ import annotations

import math

from .framework import Tensor, convert_to_tensor, name_scope
from .math_ops import (cast, ceil, cos, equal, exp, floor, greater, less_equal, log, logical_and, minimum, pow,
                       where)

__all__ = ["cosine_decay", "cosine_decay_restarts", "exponential_decay", "inverse_time_decay", "linear_cosine_decay",
           "natural_exp_decay", "piecewise_constant", "piecewise_constant_decay", "polynomial_decay"]


def _start(what: str, learning_rate, global_step) -> tuple[Tensor, Tensor]:
    """The learning rate as a floating tensor and the step cast to its dtype."""
    if global_step is None:
        raise ValueError(f"global_step is required for {what}.")
    lr = convert_to_tensor(learning_rate, name="learning_rate")
    if not lr.dtype.is_floating:
        lr = cast(lr, "float32")
    return lr, cast(convert_to_tensor(global_step), lr.dtype)


def _as(value, like: Tensor) -> Tensor:
    return cast(convert_to_tensor(value), like.dtype)


def _decay_periods(step: Tensor, decay_steps, lr: Tensor, staircase: bool) -> Tensor:
    """global_step / decay_steps, floored when staircase: how many decays the schedules below have applied."""
    p = step / _as(decay_steps, lr)
    return floor(p) if staircase else p


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase: bool = False,
                      name: str | None = None) -> Tensor:
    """learning_rate * decay_rate ^ (global_step / decay_steps), the exponent floored when staircase."""
    with name_scope(name, "ExponentialDecay"):
        lr, step = _start("exponential_decay", learning_rate, global_step)
        p = _decay_periods(step, decay_steps, lr, staircase)
        return lr * pow(_as(decay_rate, lr), p)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase: bool = False,
                      name: str | None = None) -> Tensor:
    """learning_rate * exp(-decay_rate * global_step / decay_steps), the quotient floored when staircase."""
    with name_scope(name, "NaturalExpDecay"):
        lr, step = _start("natural_exp_decay", learning_rate, global_step)
        p = _decay_periods(step, decay_steps, lr, staircase)
        return lr * exp(-_as(decay_rate, lr) * p)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase: bool = False,
                       name: str | None = None) -> Tensor:
    """learning_rate / (1 + decay_rate * global_step / decay_steps), the quotient floored when staircase."""
    with name_scope(name, "InverseTimeDecay"):
        lr, step = _start("inverse_time_decay", learning_rate, global_step)
        p = _decay_periods(step, decay_steps, lr, staircase)
        return lr / (1.0 + _as(decay_rate, lr) * p)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001, power=1.0,
                     cycle: bool = False, name: str | None = None) -> Tensor:
    """(lr - end) * (1 - step / decay_steps) ^ power + end; the step stops at decay_steps, or with cycle the
    horizon grows to the next multiple of decay_steps."""
    with name_scope(name, "PolynomialDecay"):
        lr, step = _start("polynomial_decay", learning_rate, global_step)
        end, power = _as(end_learning_rate, lr), _as(power, lr)
        steps = _as(decay_steps, lr)
        if cycle:
            multiplier = where(equal(step, 0.0), 1.0, ceil(step / steps))
            steps = steps * multiplier
        else:
            step = minimum(step, steps)
        p = step / steps
        return (lr - end) * pow(1.0 - p, power) + end


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name: str | None = None) -> Tensor:
    """learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)."""
    with name_scope(name, "CosineDecay"):
        lr, step = _start("cosine_decay", learning_rate, global_step)
        steps = _as(decay_steps, lr)
        step = minimum(step, steps)
        decayed = 0.5 * (1.0 + cos(math.pi * step / steps))
        alpha = _as(alpha, lr)
        return lr * ((1.0 - alpha) * decayed + alpha)


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                          name: str | None = None) -> Tensor:
    """SGDR: cosine decay that restarts, each period t_mul times longer and m_mul times lower than the last."""
    with name_scope(name, "SGDRDecay"):
        lr, step = _start("cosine_decay_restarts", learning_rate, global_step)
        first = _as(first_decay_steps, lr)
        alpha, t_mul, m_mul = _as(alpha, lr), _as(t_mul, lr), _as(m_mul, lr)
        fraction = step / first
        unit_t = equal(t_mul, 1.0)
        # t_mul == 1: every period is first_decay_steps long
        restarts_unit = floor(fraction)
        fraction_unit = fraction - restarts_unit
        # otherwise period i spans t_mul^i: invert the geometric sum to find the period
        t_safe = where(unit_t, 2.0 * t_mul, t_mul)
        restarts_geo = floor(log(1.0 - fraction * (1.0 - t_safe)) / log(t_safe))
        done = (1.0 - pow(t_safe, restarts_geo)) / (1.0 - t_safe)
        fraction_geo = (fraction - done) / pow(t_safe, restarts_geo)
        restarts = where(unit_t, restarts_unit, restarts_geo)
        fraction = where(unit_t, fraction_unit, fraction_geo)
        m_fac = pow(m_mul, restarts)
        decayed = 0.5 * m_fac * (1.0 + cos(math.pi * fraction))
        return lr * ((1.0 - alpha) * decayed + alpha)


def linear_cosine_decay(learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0, beta=0.001,
                        name: str | None = None) -> Tensor:
    """learning_rate * ((alpha + linear) * cosine + beta), linear falling from 1 to 0 over decay_steps and the
    cosine running num_periods periods."""
    with name_scope(name, "LinearCosineDecay"):
        lr, step = _start("linear_cosine_decay", learning_rate, global_step)
        steps = _as(decay_steps, lr)
        step = minimum(step, steps)
        linear = (steps - step) / steps
        fraction = 2.0 * _as(num_periods, lr) * step / steps
        cosine = 0.5 * (1.0 + cos(math.pi * fraction))
        return lr * ((_as(alpha, lr) + linear) * cosine + _as(beta, lr))


def noisy_linear_cosine_decay(learning_rate, global_step, decay_steps, initial_variance=1.0, variance_decay=0.55,
                              num_periods=0.5, alpha=0.0, beta=0.001, name: str | None = None) -> Tensor:
    """linear_cosine_decay with Gaussian noise added to the linear part: variance
    initial_variance / (1 + global_step) ** variance_decay, drawn anew at each evaluation."""
    from .random_ops import random_normal
    with name_scope(name, "NoisyLinearCosineDecay"):
        lr, step = _start("noisy_linear_cosine_decay", learning_rate, global_step)
        steps = _as(decay_steps, lr)
        step = minimum(step, steps)
        linear = (steps - step) / steps
        variance = _as(initial_variance, lr) / pow(1.0 + step, _as(variance_decay, lr))
        std = variance ** 0.5
        noisy = linear + random_normal([], stddev=std, dtype=lr.dtype)
        fraction = 2.0 * _as(num_periods, lr) * step / steps
        cosine = 0.5 * (1.0 + cos(math.pi * fraction))
        return lr * ((_as(alpha, lr) + noisy) * cosine + _as(beta, lr))


def piecewise_constant(x, boundaries, values, name: str | None = None) -> Tensor:
    """values[0] while x <= boundaries[0], values[i] while boundaries[i-1] < x <= boundaries[i], values[-1] after."""
    boundaries, values = list(boundaries), list(values)
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with name_scope(name, "PiecewiseConstant"):
        x = convert_to_tensor(x)
        tensors = [convert_to_tensor(v) for v in values]
        dtype = tensors[0].dtype
        for t in tensors:
            if t.dtype is not dtype:
                raise ValueError(f"Values must have elements all with the same dtype ({dtype.name} vs "
                                 f"{t.dtype.name}): {values}")
        bounds = [cast(convert_to_tensor(b), x.dtype) if not isinstance(b, Tensor) or b.dtype is not x.dtype
                  else b for b in boundaries]
        result = where(less_equal(x, bounds[0]), tensors[0], tensors[-1])
        for low, high, value in zip(bounds[:-1], bounds[1:], tensors[1:-1]):
            result = where(logical_and(greater(x, low), less_equal(x, high)), value, result)
        return result


piecewise_constant_decay = piecewise_constant
