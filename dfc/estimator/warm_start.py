"""Warm-starting an Estimator's variables from another checkpoint (tf.estimator.WarmStartSettings' effect)."""

from __future__ import annotations

import re
from typing import Any

from ..checkpoint_utils import init_from_checkpoint, load_checkpoint
from ..variables import Variable, global_variables, trainable_variables


def _chosen(vars_to_warm_start: Any) -> list[Variable]:
    """TF's rule: a regex picks among the trainable variables, a list of regexes among all the global ones."""
    if vars_to_warm_start is None:
        return []
    if isinstance(vars_to_warm_start, str):
        pattern = re.compile(vars_to_warm_start)
        return [v for v in trainable_variables() if pattern.match(v.op.name)]
    items = list(vars_to_warm_start)
    if all(isinstance(v, Variable) for v in items):
        return items
    if all(isinstance(v, str) for v in items):
        patterns = [re.compile(p) for p in items]
        return [v for v in global_variables() if any(p.match(v.op.name) for p in patterns)]
    raise ValueError("vars_to_warm_start must be a regex string, a list of regexes or a list of Variables, got "
                     f"{vars_to_warm_start!r}")


def warm_start(settings: Any) -> None:
    """Make the chosen variables' initializers take their values from settings.ckpt_to_initialize_from."""
    source = settings.ckpt_to_initialize_from
    names = set(load_checkpoint(source).get_variable_to_shape_map())
    renames = settings.var_name_to_prev_var_name
    assignment = {}
    for var in _chosen(settings.vars_to_warm_start):
        name = renames.get(var.op.name, var.op.name)
        if name not in names:
            raise ValueError(f"Tensor {name} (for variable {var.op.name}) is not found in {source} checkpoint")
        assignment[name] = var
    if assignment:
        init_from_checkpoint(source, assignment)


__all__ = ["warm_start"]
