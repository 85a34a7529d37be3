"""tf.initializers: TF1's initializer classes under their short names, and the variable-initializer ops."""

from __future__ import annotations

from .variables import (constant_initializer as constant, global_variables_initializer,
                        glorot_normal_initializer as glorot_normal, glorot_uniform_initializer as glorot_uniform,
                        local_variables_initializer, ones_initializer as ones,
                        random_normal_initializer as random_normal, random_uniform_initializer as random_uniform,
                        truncated_normal_initializer as truncated_normal, variables_initializer as variables,
                        zeros_initializer as zeros)

global_variables = global_variables_initializer
local_variables = local_variables_initializer

__all__ = ["constant", "global_variables", "glorot_normal", "glorot_uniform", "local_variables", "ones",
           "random_normal", "random_uniform", "truncated_normal", "variables", "zeros"]
