"""tf.python.training.moving_averages: assign_moving_average, TF1's in-place exponential moving average step.

variable -= (variable - value) * (1 - decay). With zero_debias (TF1's default) the average is kept
biased in a `<variable>/biased` variable with a `<variable>/local_step` counter beside it, and the
variable gets biased / (1 - decay ** step): the first steps are not pulled toward the zeros it started at.
"""

from __future__ import annotations

from typing import Any

from .framework import Tensor, convert_to_tensor, get_default_graph, name_scope
from .math_ops import cast, pow
from .variables import Variable


def assign_moving_average(variable: Variable, value: Any, decay: Any, zero_debias: bool = True,
                          name: str | None = None) -> Tensor:
    """The op moving variable toward value by (1 - decay); its result is the variable's new value."""
    with name_scope(name, "AssignMovingAvg", [variable, value, decay]) as scope:
        value = convert_to_tensor(value)
        rate = 1.0 - convert_to_tensor(decay, name="decay")
        if rate.dtype != variable.dtype:
            rate = cast(rate, variable.dtype)
        if value.dtype != variable.dtype:
            raise TypeError(f"assign_moving_average: value {value.name} is {value.dtype.name} but variable "
                            f"{variable.op.name} is {variable.dtype.name}")
        if not zero_debias:
            return variable.assign_sub((variable - value) * rate, name=scope.rstrip("/").rsplit("/", 1)[-1])
        biased, local_step = _debias_variables(variable)
        update_biased = biased.assign_sub((biased - value) * rate)
        step = local_step.assign_add(1.0)
        bias_factor = 1.0 - pow(1.0 - rate, step)
        return variable.assign(update_biased / bias_factor, name=scope.rstrip("/").rsplit("/", 1)[-1])


def _debias_variables(variable: Variable) -> tuple[Variable, Variable]:
    """`<variable>/biased` (its shape, zeros) and `<variable>/local_step` (a scalar 0), made once per variable."""
    from .array_ops import zeros
    from .scopes import init_scope
    from .variables import global_variables

    base = variable.op.name
    existing = {v.op.name: v for v in global_variables()}
    if f"{base}/biased" in existing and f"{base}/local_step" in existing:
        return existing[f"{base}/biased"], existing[f"{base}/local_step"]
    if not variable.shape.is_fully_defined():
        raise ValueError(f"assign_moving_average with zero_debias needs the full shape of {variable.op.name}, "
                         f"got {variable.shape}")
    with init_scope(get_default_graph()):
        biased = Variable(zeros(variable.shape.as_list(), dtype=variable.dtype), trainable=False,
                          name=f"{base}/biased")
        local_step = Variable(zeros([], dtype=variable.dtype), trainable=False, name=f"{base}/local_step")
    return biased, local_step


__all__ = ["assign_moving_average"]
